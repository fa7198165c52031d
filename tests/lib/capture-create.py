#!/usr/bin/env python3
"""capture-create.py SOCKET OUTDIR - a stand-in Engine API daemon on a unix
socket that records what the docker CLI sends for `docker create/run`.

It answers the CLI's version negotiation (HEAD or GET /_ping, with the
Api-Version, Ostype and Docker-Experimental headers a 20.10 daemon sends),
writes each `POST /v*/containers/create` as OUTDIR/N.json
{"query": {...}, "body": <the JSON body>}, and answers it with a 500 so
the CLI stops there (a 404 would make it pull).  Every request line is
appended to OUTDIR/requests.log, so the sequence the CLI sends can be read.
"""
import json
import os
import socketserver
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler

SOCK, OUT = sys.argv[1], sys.argv[2]
count = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _log(self):
        with open(os.path.join(OUT, "requests.log"), "a") as f:
            f.write("%s %s\n" % (self.command, self.path))

    def _reply(self, code, body=b"", ctype="application/json"):
        self.send_response(code)
        self.send_header("Api-Version", "1.41")
        self.send_header("Docker-Experimental", "false")
        self.send_header("Ostype", "linux")
        self.send_header("Server", "Docker/20.10.24 (linux)")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_HEAD(self):
        self._log()
        self._reply(200, b"OK", "text/plain; charset=utf-8")

    def do_GET(self):
        self._log()
        if self.path.endswith("/_ping"):
            self._reply(200, b"OK", "text/plain; charset=utf-8")
        else:
            self._reply(404, b'{"message":"page not found"}')

    def do_POST(self):
        self._log()
        raw = self._body()
        u = urllib.parse.urlsplit(self.path)
        if u.path.endswith("/containers/create"):
            count[0] += 1
            rec = {"query": dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True)),
                   "body": json.loads(raw or b"null")}
            tmp = os.path.join(OUT, ".%d.tmp" % count[0])
            with open(tmp, "w") as f:
                json.dump(rec, f)
            os.rename(tmp, os.path.join(OUT, "%d.json" % count[0]))
            self._reply(500, b'{"message":"captured"}')
        else:
            self._reply(500, b'{"message":"unexpected request"}')


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if os.path.exists(SOCK):
    os.unlink(SOCK)
os.makedirs(OUT, exist_ok=True)
Server(SOCK, Handler).serve_forever()
