#!/usr/bin/env python3
# flaky-registry.py - a fake registry that serves one blob badly, to test
# the client's retries and resume.  Two listeners on 127.0.0.1: the API port
# answers /v2/ and /v2/REPO/blobs/DIGEST with a 307 redirect to the data
# port (another origin, so an Authorization header must not follow); the
# data port serves the bytes.  Behaviour by repository name:
#   cut      first data request: 200 with the full Content-Length, half the
#            body, then the connection is dropped; later ones honour
#            "Range: bytes=N-" with a 206
#   norange  like cut, but Range is ignored (always 200 from byte 0)
#   busy     first API request answers 503, then like a good server
#   good     always serves the blob in full
# Manifests: GET /v2/REPO/manifests/ANY answers, for any reference, a small
# OCI image manifest naming the blob as its config, sent as
# "application/json" (clients must sniff the type; asked by digest, the
# digest will not match); repository "huge" gets a 5 MiB body instead.
# With --user/--password, the API port demands those Basic credentials
# (401 with WWW-Authenticate: Basic otherwise).  GET /stats on the API port
# returns counters as JSON: requests per repository, range requests, and
# "leaks" (data requests that carried an Authorization header).
#
# Usage: flaky-registry.py --blob FILE --port-file F [--user U --password P]
# The port file gets "APIPORT DATAPORT".
import argparse
import base64
import hashlib
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATS = {"api": {}, "data": {}, "ranges": 0, "leaks": 0}


def bump(kind, repo):
    with LOCK:
        n = STATS[kind].get(repo, 0) + 1
        STATS[kind][repo] = n
        return n


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, code, body=b"", headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Api(Base):
    def authorized(self):
        opts = self.server.opts
        if opts.user is None:
            return True
        want = "Basic " + base64.b64encode(("%s:%s" % (opts.user, opts.password)).encode()).decode()
        return self.headers.get("Authorization") == want

    def do_GET(self):
        if self.path == "/stats":
            with LOCK:
                body = json.dumps(STATS).encode()
            self.send(200, body, {"Content-Type": "application/json"})
            return
        if not self.authorized():
            err = {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}
            self.send(401, json.dumps(err).encode(), {"WWW-Authenticate": 'Basic realm="flaky"',
                                                      "Content-Type": "application/json"})
            return
        if self.path == "/v2/":
            self.send(200, b"{}", {"Content-Type": "application/json"})
            return
        m = re.match(r"^/v2/(\w+)/manifests/([^/]+)$", self.path)
        if m:
            if m.group(1) == "huge":
                body = b'{"pad":"' + b"x" * (5 << 20) + b'"}'
            else:
                body = json.dumps({"schemaVersion": 2, "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": self.server.digest, "size": len(self.server.blob)},
                    "layers": []}).encode()
            self.send(200, body, {"Content-Type": "application/json"})
            return
        m = re.match(r"^/v2/(\w+)/blobs/(sha256:[0-9a-f]{64})$", self.path)
        if not m or m.group(2) != self.server.digest:
            err = {"errors": [{"code": "BLOB_UNKNOWN", "message": "blob unknown to registry"}]}
            self.send(404, json.dumps(err).encode(), {"Content-Type": "application/json"})
            return
        repo = m.group(1)
        if bump("api", repo) == 1 and repo == "busy":
            self.send(503, b"busy", {"Content-Type": "text/plain"})
            return
        loc = "http://127.0.0.1:%d/data/%s/%s" % (self.server.data_port, repo, m.group(2))
        self.send(307, b"", {"Location": loc})


class Data(Base):
    def do_GET(self):
        m = re.match(r"^/data/(\w+)/(sha256:[0-9a-f]{64})$", self.path)
        blob = self.server.blob
        if not m:
            self.send(404)
            return
        repo = m.group(1)
        n = bump("data", repo)
        if "Authorization" in self.headers:
            with LOCK:
                STATS["leaks"] += 1
            self.send(400, b"authorization leaked to another origin")
            return
        rng = re.match(r"^bytes=(\d+)-$", self.headers.get("Range", ""))
        if rng:
            with LOCK:
                STATS["ranges"] += 1
        if repo in ("cut", "norange") and n == 1:
            self.send_response(200)
            self.send_header("Content-Length", str(len(blob)))
            self.end_headers()
            self.wfile.write(blob[:len(blob) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if rng and repo != "norange":
            start = int(rng.group(1))
            part = blob[start:]
            self.send(206, part, {"Content-Range": "bytes %d-%d/%d" % (start, len(blob) - 1, len(blob)),
                                  "Content-Type": "application/octet-stream"})
            return
        self.send(200, blob, {"Content-Type": "application/octet-stream"})


def serve(handler, opts, blob, digest):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    srv.opts = opts
    srv.blob = blob
    srv.digest = digest
    return srv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--blob", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    opts = ap.parse_args()
    with open(opts.blob, "rb") as f:
        blob = f.read()
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    api = serve(Api, opts, blob, digest)
    data = serve(Data, opts, blob, digest)
    api.data_port = data.server_address[1]
    threading.Thread(target=data.serve_forever, daemon=True).start()
    tmp = opts.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d\n" % (api.server_address[1], data.server_address[1]))
    os.rename(tmp, opts.port_file)
    api.serve_forever()


if __name__ == "__main__":
    main()
