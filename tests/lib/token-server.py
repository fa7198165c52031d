#!/usr/bin/env python3
# token-server.py - a minimal token server for the registry token auth flow,
# for tests: GET /token?service=S&scope=repository:NAME:ACTIONS answers
# {"token": T, "access_token": T, "expires_in": 300} where T is an RS256 JWT
# that Debian's docker-registry (distribution 2.8) accepts: the signing
# certificate rides in the JWT header as x5c, and the registry trusts it
# through its auth.token.rootcertbundle (= --cert).
#
# Usage: token-server.py --cert CERT --key KEY [--port N] [--port-file F]
#          [--issuer I] [--user U --password P] [--log F]
# CERT/KEY are created (self-signed, RSA 2048) when KEY does not exist.
# With --user/--password, requests must carry those Basic credentials
# (401 otherwise); without, anonymous requests get tokens.  Listens on
# 127.0.0.1 only.  --log appends one line per token request (the scope).
# POST /token with grant_type=refresh_token (docker's identity-token
# exchange) answers {"access_token": T, ...}; with --password set, the
# refresh_token must equal it.
# GET /control/bad-next makes the next token one the registry rejects (wrong
# audience), to test a client's re-fetch after a 401.
import argparse
import base64
import datetime
import json
import os
import secrets
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def make_key_and_cert(key_path, cert_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "berth test token signer")])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def parse_scopes(values):
    access = []
    for value in values:
        for scope in value.split(" "):
            parts = scope.split(":")
            if len(parts) < 3:
                continue
            access.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                           "actions": [a for a in parts[-1].split(",") if a]})
    return access


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, obj, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        opts = self.server.opts
        if opts.user is None:
            return True, "anonymous"
        hdr = self.headers.get("Authorization", "")
        if not hdr.startswith("Basic "):
            return False, None
        try:
            user, _, pw = base64.b64decode(hdr[6:]).decode().partition(":")
        except Exception:
            return False, None
        return (user == opts.user and pw == opts.password), user

    def issue(self, user, service, scopes):
        now = int(time.time())
        if self.server.bad_next:
            self.server.bad_next = False
            service = "not-" + service
        claims = {
            "iss": self.server.opts.issuer,
            "sub": user,
            "aud": service,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": parse_scopes(scopes),
        }
        return jwt.encode(claims, self.server.key_pem, algorithm="RS256",
                          headers={"x5c": [self.server.cert_b64]})

    def log_request_line(self, ok, kind, scopes):
        if self.server.opts.log:
            with open(self.server.opts.log, "a") as f:
                f.write("%s%s %s\n" % ("ok" if ok else "denied", kind, " ".join(scopes)))

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if url.path != "/token" or form.get("grant_type") != ["refresh_token"]:
            self.reply(400, {"details": "unsupported request"})
            return
        opts = self.server.opts
        ok = opts.password is None or form.get("refresh_token") == [opts.password]
        scopes = form.get("scope", [])
        self.log_request_line(ok, "-refresh", scopes)
        if not ok:
            self.reply(401, {"details": "invalid refresh token"})
            return
        token = self.issue(opts.user or "anonymous", form.get("service", [""])[0], scopes)
        self.reply(200, {"access_token": token, "expires_in": 300, "refresh_token": "unused"})

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/control/bad-next":
            self.server.bad_next = True
            self.reply(200, {})
            return
        if url.path != "/token":
            self.reply(404, {"details": "not found"})
            return
        ok, user = self.authorized()
        q = urllib.parse.parse_qs(url.query)
        self.log_request_line(ok, "", q.get("scope", []))
        if not ok:
            self.reply(401, {"details": "incorrect username or password"},
                       {"WWW-Authenticate": 'Basic realm="token"'})
            return
        token = self.issue(user, q.get("service", [""])[0], q.get("scope", []))
        self.reply(200, {"token": token, "access_token": token, "expires_in": 300})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--issuer", default="test-issuer")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--log")
    opts = ap.parse_args()
    if not os.path.exists(opts.key):
        make_key_and_cert(opts.key, opts.cert)
    with open(opts.key, "rb") as f:
        key_pem = f.read()
    with open(opts.cert, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    srv = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
    srv.daemon_threads = True
    srv.opts = opts
    srv.bad_next = False
    srv.key_pem = key_pem
    srv.cert_b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    if opts.port_file:
        tmp = opts.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, opts.port_file)
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
