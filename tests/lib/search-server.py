#!/usr/bin/env python3
# search-server.py - a small stand-in for Docker Hub's v1 search API, for
# tests: GET /v1/_ping answers {"standalone": true}; GET /v1/search?q=T&n=N
# answers {"num_results", "query", "results": [...]}, the results whose
# name contains T (in the order below), at most N of them, each with
# name, description, star_count, is_official, is_automated (plus Hub's
# extra pull_count and is_trusted, which clients must ignore).
#
# Usage: search-server.py [--port N] [--port-file F] [--log F]
# Listens on 127.0.0.1 only, plain HTTP.  --log appends one line per search
# request: "q=<q> n=<n> auth=<Authorization header or ->".
# A term containing "status500" answers 500, to test error texts.
import argparse
import json
import os
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LONG = ("A very long description that goes on and on well past forty-five "
        "characters, so that the table truncates it")
RESULTS = [
    {"name": "busybox", "description": "Busybox base image.", "star_count": 2900,
     "is_official": True, "is_automated": False},
    {"name": "alice/busybox-tools", "description": LONG, "star_count": 41,
     "is_official": False, "is_automated": True},
    {"name": "bob/busybox-multiline", "description": "first line\nsecond line\r\nthird",
     "star_count": 7, "is_official": False, "is_automated": False},
    {"name": "carol/busybox-utf8",
     "description": "Ünïcödé déscription with àccents that is longer than the limit",
     "star_count": 3, "is_official": False, "is_automated": True},
    {"name": "dave/busybox-wide", "description": "全角の説明文です、これはとても長い説明文なので切り詰められます",
     "star_count": 12, "is_official": False, "is_automated": False},
    {"name": "erin/busybox-exact45", "description": "x" * 45, "star_count": 0,
     "is_official": False, "is_automated": False},
    {"name": "frank/busybox-46", "description": "y" * 46, "star_count": 5,
     "is_official": False, "is_automated": False},
    {"name": "gina/busybox-empty", "description": "", "star_count": 100,
     "is_official": False, "is_automated": True},
    {"name": "alpine", "description": "A minimal Docker image based on Alpine Linux",
     "star_count": 9000, "is_official": True, "is_automated": False},
    {"name": "hank/busybox-tie-a", "description": "same stars a", "star_count": 7,
     "is_official": False, "is_automated": False},
    {"name": "hank/busybox-html", "description": "<b>bold</b> & \"quotes\"", "star_count": 8,
     "is_official": True, "is_automated": True},
]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path == "/v1/_ping":
            self.reply(200, {"standalone": True})
            return
        if url.path != "/v1/search":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": "not found"}]})
            return
        term = q.get("q", [""])[0]
        n = int(q.get("n", ["25"])[0])
        if self.server.opts.log:
            with open(self.server.opts.log, "a") as f:
                f.write("q=%s n=%d auth=%s\n" % (term, n, self.headers.get("Authorization", "-")))
        if "status500" in term:
            self.reply(500, {"error": "boom"})
            return
        found = [r for r in RESULTS if term in r["name"]][:n]
        results = [dict(r, pull_count=1000, is_trusted=r["is_automated"]) for r in found]
        self.reply(200, {"num_pages": 1, "num_results": len(results), "page_size": n, "page": 1,
                         "query": term, "results": results})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    opts = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
    srv.daemon_threads = True
    srv.opts = opts
    if opts.port_file:
        tmp = opts.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, opts.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
