#!/usr/bin/env python3
# hostile-registry.py - a fake registry (distribution API v2, plain HTTP on
# 127.0.0.1) that serves small images built here in Python, most of them
# broken on purpose, to test that a pull refuses them safely.
#
# Repositories (every tag answers the same manifest; manifests and blobs
# are also served by digest):
#   base              valid image, one layer L0
#   good              valid image, layers L0 + L1
#   digest-mismatch   layer 2 served with other bytes (same length, valid gzip)
#   truncated         layer 2: Content-Length = full size, half the body, then
#                     the connection is closed (every time; Range is ignored)
#   too-long          layer 2 served with junk appended (Content-Length says so)
#   bad-manifest-json manifest body is not JSON (schema2 Content-Type)
#   huge-manifest     manifest of 4 MiB + 4 KiB (valid JSON, padded)
#   config-not-json   config blob (right digest) is not JSON
#   config-no-rootfs  config without "rootfs"
#   diffid-mismatch   valid blobs, config diff_ids are other digests
#   layer-count       manifest has 2 layers, config has 1 diff_id
#   dotdot            layer tar with a "../escape" entry
#   abs-symlink       layer with "evil -> MARKER" then "evil/pwned"
#   hardlink-escape   layer with a hardlink "etc/passwd-link" -> "../../etc/passwd"
#   rel-symlink       layer with "evil -> ../../(x12)MARKER" then "evil/pwned"
#   abs-hardlink      layer with a hardlink "passwd-link" -> "/etc/passwd" (the
#                     layer has no etc/passwd of its own)
#   corrupt-gzip      layer whose gzip stream is garbage from halfway on
#                     (the manifest digest and size match the served bytes)
#   no-platform       manifest list with only windows/amd64 and linux/mips64le
#   blob-500          every blob request answers 500
#   schema1           a docker schema1 (signed) manifest
#   stall             valid image; the first request for its big layer sends
#                     half the body and then hangs (60 s), later ones are
#                     served whole: a pull to kill -9 in the middle, then redo
# Every faulty image except the tar/gzip ones starts from fresh valid layers
# (L1 + a second valid layer), so a good layer is extracted before the bad
# one shows up.  Config diff_ids are right unless the fault is about them.
#
# Usage: hostile-registry.py [--port N | --port-file F] [--marker DIR] [--log F]
# --marker is the absolute path the abs-symlink layer points at (it must stay
# empty).  With --port-file the chosen port is written there once listening.
# GET /stats returns the request counts per repository as JSON.
import argparse
import time
import gzip
import hashlib
import io
import json
import os
import random
import re
import sys
import tarfile
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MT_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MT_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MT_CONFIG = "application/vnd.docker.container.image.v1+json"
MT_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
MT_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+prettyjws"
MTIME = 1600000000


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def gz(data, mtime=MTIME):
    return gzip.compress(data, compresslevel=6, mtime=mtime)


def make_tar(entries):
    """entries: (name, kind, payload) with kind file|dir|symlink|hardlink."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, kind, payload in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = MTIME
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = "root"
            if kind == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tf.addfile(ti)
            elif kind == "symlink":
                ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, payload, 0o777
                tf.addfile(ti)
            elif kind == "hardlink":
                ti.type, ti.linkname, ti.mode = tarfile.LNKTYPE, payload, 0o644
                tf.addfile(ti)
            else:
                ti.mode, ti.size = 0o644, len(payload)
                tf.addfile(ti, io.BytesIO(payload))
    return buf.getvalue()


class Layer:
    def __init__(self, tar, blob=None):
        self.tar = tar
        self.diff_id = sha(tar)
        self.blob = gz(tar) if blob is None else blob
        self.digest = sha(self.blob)

    def desc(self):
        return {"mediaType": MT_LAYER, "size": len(self.blob), "digest": self.digest}


def config_json(diff_ids, rootfs=True):
    cfg = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2020-09-13T12:26:40Z",
        "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"]},
        "history": [{"created": "2020-09-13T12:26:40Z", "created_by": "layer %d" % i}
                    for i in range(len(diff_ids))],
    }
    if rootfs:
        cfg["rootfs"] = {"type": "layers", "diff_ids": list(diff_ids)}
    return json.dumps(cfg, separators=(",", ":")).encode()


class Repo:
    def __init__(self):
        self.manifests = {}     # digest -> (media type, body)
        self.tag = None         # digest the tags answer
        self.blobs = {}         # digest -> bytes
        self.fault = None

    def add_manifest(self, mt, body, tag=True):
        d = sha(body)
        self.manifests[d] = (mt, body)
        if tag:
            self.tag = d
        return d

    def add_image(self, layers, config=None, manifest_layers=None, tag=True):
        if config is None:
            config = config_json([l.diff_id for l in layers])
        self.blobs[sha(config)] = config
        for l in layers:
            self.blobs[l.digest] = l.blob
        m = {
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": {"mediaType": MT_CONFIG, "size": len(config), "digest": sha(config)},
            "layers": [l.desc() for l in (manifest_layers or layers)],
        }
        return self.add_manifest(MT_MANIFEST, json.dumps(m, indent=3).encode(), tag)


def build(marker):
    rnd = random.Random(300)
    L0 = Layer(make_tar([("etc/", "dir", None), ("etc/hostname", "file", b"hostile\n"),
                         ("bin/", "dir", None), ("bin/base", "file", b"base layer\n")]))
    L1 = Layer(make_tar([("srv/", "dir", None), ("srv/good.txt", "file", b"good layer\n" * 100)]))
    # fairly big and not too compressible, so a fault can sit in the middle
    text = "".join("line %d %08x\n" % (i, rnd.getrandbits(32)) for i in range(40000)).encode()
    L2 = Layer(make_tar([("data/", "dir", None), ("data/big.txt", "file", text)]))

    repos = {}

    def repo(name, fault=None):
        r = Repo()
        r.fault = fault
        repos[name] = r
        return r

    repo("base").add_image([L0])
    repo("good").add_image([L0, L1])

    r = repo("digest-mismatch", "digest-mismatch")
    r.add_image([L1, L2])
    r.bad_digest = L2.digest
    r.bad_body = gz(L2.tar, mtime=MTIME + 1)       # same size, other bytes
    assert len(r.bad_body) == len(L2.blob) and r.bad_body != L2.blob

    r = repo("truncated", "truncated")
    r.add_image([L1, L2])
    r.bad_digest = L2.digest

    r = repo("stall", "stall")
    r.add_image([L1, L2])
    r.bad_digest = L2.digest
    r.stalled = False

    r = repo("too-long", "too-long")
    r.add_image([L1, L2])
    r.bad_digest = L2.digest
    r.bad_body = L2.blob + b"\0trailing junk\0" * 64

    repo("bad-manifest-json").add_manifest(MT_MANIFEST, b'{"schemaVersion": 2, "mediaType": "' +
                                           MT_MANIFEST.encode() + b'", "config": {')

    m = {"schemaVersion": 2, "mediaType": MT_MANIFEST,
         "config": {"mediaType": MT_CONFIG, "size": 2, "digest": sha(b"{}")},
         "layers": [], "annotations": {"pad": "x" * ((4 << 20) + 4096)}}
    repo("huge-manifest").add_manifest(MT_MANIFEST, json.dumps(m).encode())

    repo("config-not-json").add_image([L1], config=b"this is not JSON {\x00\xff")
    cfg = config_json([L1.diff_id], rootfs=False)
    repo("config-no-rootfs").add_image([L1], config=cfg)
    cfg = config_json([sha(b"not layer 1"), sha(b"not layer 2")])
    repo("diffid-mismatch").add_image([L1, L2], config=cfg)
    cfg = config_json([L1.diff_id])
    repo("layer-count").add_image([L1, L2], config=cfg)

    bad = Layer(make_tar([("ok/", "dir", None), ("ok/file", "file", b"fine\n"),
                          ("../escape", "file", b"escaped the layer\n")]))
    repo("dotdot").add_image([L1, bad])
    bad = Layer(make_tar([("evil", "symlink", marker),
                          ("evil/pwned", "file", b"written through an absolute symlink\n")]))
    repo("abs-symlink").add_image([L1, bad])
    bad = Layer(make_tar([("etc/", "dir", None),
                          ("etc/passwd-link", "hardlink", "../../etc/passwd")]))
    repo("hardlink-escape").add_image([L1, bad])
    up = "../" * 12 + marker.lstrip("/")
    bad = Layer(make_tar([("evil", "symlink", up),
                          ("evil/pwned", "file", b"written through a relative symlink\n")]))
    repo("rel-symlink").add_image([L1, bad])
    bad = Layer(make_tar([("passwd-link", "hardlink", "/etc/passwd")]))
    repo("abs-hardlink").add_image([L1, bad])

    rnd = random.Random(7)
    blob = bytearray(gz(L2.tar))
    half = len(blob) // 2
    blob[half:] = bytes(rnd.getrandbits(8) for _ in range(len(blob) - half))
    try:        # make sure the garbage really breaks inflate
        zlib.decompressobj(31).decompress(bytes(blob))
        sys.exit("corrupt-gzip layer inflates without error")
    except zlib.error:
        pass
    bad = Layer(L2.tar, blob=bytes(blob))
    repo("corrupt-gzip").add_image([L1, bad])

    r = repo("no-platform")
    entries = []
    for os_, arch in (("windows", "amd64"), ("linux", "mips64le")):
        cfg = config_json([L1.diff_id]).replace(b'"amd64"', json.dumps(arch).encode()) \
            .replace(b'"linux"', json.dumps(os_).encode())
        d = r.add_image([L1], config=cfg, tag=False)
        entries.append({"mediaType": MT_MANIFEST, "size": len(r.manifests[d][1]), "digest": d,
                        "platform": {"architecture": arch, "os": os_}})
    r.add_manifest(MT_LIST, json.dumps({"schemaVersion": 2, "mediaType": MT_LIST,
                                        "manifests": entries}, indent=3).encode())

    repo("blob-500", "blob-500").add_image([L0, L1])

    s1 = {"schemaVersion": 1, "name": "schema1", "tag": "latest", "architecture": "amd64",
          "fsLayers": [{"blobSum": L1.digest}],
          "history": [{"v1Compatibility": json.dumps({"id": "a" * 64, "created": "2020-09-13T12:26:40Z",
                                                      "os": "linux", "architecture": "amd64"})}],
          "signatures": [{"header": {"jwk": {"crv": "P-256", "kty": "EC", "x": "AA", "y": "AA"},
                                     "alg": "ES256"},
                          "signature": "AAAA", "protected": "e30"}]}
    r = repo("schema1")
    r.add_manifest(MT_SCHEMA1, json.dumps(s1, indent=3).encode())
    r.blobs[L1.digest] = L1.blob
    return repos


LOCK = threading.Lock()
STATS = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        log = self.server.logf
        if log:
            with LOCK:
                log.write("%s %s\n" % (self.command, self.path))
                log.flush()

    def send(self, code, body=b"", headers=None, head=False):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def error(self, code, ecode, msg, head=False):
        body = json.dumps({"errors": [{"code": ecode, "message": msg}]}).encode()
        self.send(code, body, {"Content-Type": "application/json"}, head)

    def do_HEAD(self):
        self.handle_get(head=True)

    def do_GET(self):
        self.handle_get(head=False)

    def handle_get(self, head):
        try:
            self.route(head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def route(self, head):
        path = self.path.split("?", 1)[0]
        if path == "/stats":
            with LOCK:
                body = json.dumps(STATS).encode()
            return self.send(200, body, {"Content-Type": "application/json"}, head)
        if path in ("/v2", "/v2/"):
            return self.send(200, b"{}", {"Content-Type": "application/json",
                                          "Docker-Distribution-API-Version": "registry/2.0"}, head)
        m = re.match(r"^/v2/(.+)/(manifests|blobs)/([^/]+)$", path)
        if not m:
            return self.error(404, "NOT_FOUND", "not found", head)
        name, kind, ref = m.groups()
        with LOCK:
            STATS[name] = STATS.get(name, 0) + 1
        repo = self.server.repos.get(name)
        if repo is None:
            return self.error(404, "NAME_UNKNOWN", "repository name not known to registry", head)
        if kind == "manifests":
            d = ref if ref.startswith("sha256:") else repo.tag
            if d not in repo.manifests:
                return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown", head)
            mt, body = repo.manifests[d]
            return self.send(200, body, {"Content-Type": mt, "Docker-Content-Digest": d}, head)
        if repo.fault == "blob-500":
            return self.error(500, "UNKNOWN", "unknown error", head)
        if ref not in repo.blobs:
            return self.error(404, "BLOB_UNKNOWN", "blob unknown to registry", head)
        body = repo.blobs[ref]
        hdrs = {"Content-Type": "application/octet-stream", "Docker-Content-Digest": ref}
        if repo.fault and ref == getattr(repo, "bad_digest", None):
            if repo.fault == "stall":
                with LOCK:
                    first = not repo.stalled
                    repo.stalled = True
                if first and not head:
                    self.send_response(200)
                    for k, v in hdrs.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    time.sleep(60)
                    self.close_connection = True
                    return None
                return self.send(200, body, hdrs, head)
            if repo.fault == "truncated":
                self.send_response(200)
                for k, v in hdrs.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                if not head:
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                self.close_connection = True
                return None
            body = repo.bad_body
        return self.send(200, body, hdrs, head)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--marker", default="/tmp/berth-hostile-marker")
    ap.add_argument("--log")
    ap.add_argument("port_arg", nargs="?", type=int)
    a = ap.parse_args()
    if not os.path.isabs(a.marker):
        sys.exit("--marker must be absolute")
    port = a.port_arg if a.port_arg is not None else a.port
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    srv.repos = build(a.marker)
    srv.logf = open(a.log, "a") if a.log else None
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
