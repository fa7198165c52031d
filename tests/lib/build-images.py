#!/usr/bin/env python3
"""tests/lib/build-images.py OUTDIR - builds berth's test images as OCI image
layouts, from content generated here (python tarfile headers, gzip, the zstd
CLI; no berth or docker code), deterministically: fixed mtimes, fixed random
seed, gzip mtime 0.  Skips the work when OUTDIR/images.json exists.

OUTDIR/layouts/<name>/ is an OCI layout with the tag "latest";
OUTDIR/images.json lists, per name: the layout, the repository and tag to push
to, the manifest format to push as (v2s2 or oci), whether it is an index, and
the config digests (image IDs) by platform.

Images:
  busybox     library/busybox:latest  v2s2+gzip  busybox-static + hardlinked applets
  bbchild     test/bbchild:latest     v2s2+gzip  busybox's layer + one (shares a layer)
  edge-v2s2   test/edge:latest        v2s2+gzip  3 layers of tar edge cases
  edge-oci    test/edge:oci           oci+gzip   same content (own variant marker)
  edge-zstd   test/edge:zstd          oci+zstd   edge-oci's image compressed with zstd
  edge-multi  test/edge:multi         oci index  linux/amd64 + linux/arm64/v8
Each edge variant writes a variant-N file into every layer so that variants
share no layer (so every variant's layers really get decompressed on a pull
into one store).  The exception is edge-zstd: the same uncompressed layers and
config as edge-oci, so the same image ID.  Docker 20.10 cannot unpack zstd
layers ("archive/tar: invalid tar header"), so a store that pulled edge-zstd
is compared with Docker's store of edge-oci.  The arm64 image has /arch =
"arm64".
"""
import gzip
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tarfile

MT = 1577836800          # 2020-01-01T00:00:00Z
OLD = 631152000          # 1990-01-01T00:00:00Z
CREATED = "2020-01-01T00:00:00Z"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
            "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"}

# security.capability v2, cap_net_bind_service in the effective+permitted set
CAP_NET_BIND = bytes.fromhex("01000002" "00040000" "00000000" "00000000" "00000000")


class Tar:
    """Writes tar members header by header so that each member can use its own
    format (PAX, GNU, USTAR) in one archive, as real layers sometimes do."""

    FORMATS = {"pax": tarfile.PAX_FORMAT, "gnu": tarfile.GNU_FORMAT,
               "ustar": tarfile.USTAR_FORMAT}

    def __init__(self, fmt="pax"):
        self.out = io.BytesIO()
        self.fmt = fmt
        self.meta = {}

    def add(self, name, kind="f", data=b"", mode=None, uid=None, gid=None, mtime=None,
            link="", fmt=None, xattrs=None, uname="", gname=""):
        # A hard link's header carries its target's mode, owner and mtime, as
        # tar writes it: extractors apply them to the shared inode.
        dm, du, dg, dt = self.meta.get(link, (0o644, 0, 0, MT)) if kind == "h" else (0o644, 0, 0, MT)
        mode = dm if mode is None else mode
        uid = du if uid is None else uid
        gid = dg if gid is None else gid
        mtime = dt if mtime is None else mtime
        if kind == "f":
            self.meta[name] = (mode, uid, gid, mtime)
        ti = tarfile.TarInfo(name)
        ti.type = {"f": tarfile.REGTYPE, "d": tarfile.DIRTYPE, "l": tarfile.SYMTYPE,
                   "h": tarfile.LNKTYPE, "p": tarfile.FIFOTYPE}[kind]
        ti.size = len(data) if kind == "f" else 0
        ti.mode, ti.uid, ti.gid, ti.mtime = mode, uid, gid, mtime
        ti.linkname, ti.uname, ti.gname = link, uname, gname
        if xattrs:
            # Values must be valid UTF-8 so that tarfile writes no hdrcharset.
            ti.pax_headers = {"SCHILY.xattr." + k: v.decode("utf-8")
                              for k, v in sorted(xattrs.items())}
        f = fmt or self.fmt
        self.out.write(ti.tobuf(self.FORMATS[f], "utf-8", "surrogateescape"))
        if ti.size:
            self.out.write(data)
            self.out.write(b"\0" * (-len(data) % 512))

    def dir(self, name, mode=0o755, **kw):
        self.add(name, "d", mode=mode, **kw)

    def finish(self, record=False):
        """Two zero blocks; with record=True padded to 10240 like GNU tar."""
        self.out.write(b"\0" * 1024)
        if record:
            self.out.write(b"\0" * (-self.out.tell() % 10240))
        return self.out.getvalue()


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def gzip_bytes(b):
    bio = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=bio, mtime=0, compresslevel=6) as g:
        g.write(b)
    return bio.getvalue()


def zstd_bytes(b):
    return subprocess.run(["zstd", "-q", "-3", "-c"], input=b, check=True,
                          stdout=subprocess.PIPE).stdout


# ------------------------------------------------------------------ layers

def edge_layer1(v):
    """Base layer, mostly PAX, padded to a 10240-byte record."""
    t = Tar("pax")
    for d in ["bin", "etc", "data", "data/many", "del", "del/dir", "opq", "opq/sub",
              "links", "long", "unicode", "dev", "perm", "owners", "old", "caps"]:
        t.dir(d + "/")
    t.dir("tmp/", mode=0o1777)
    t.add("variant-1", data=f"{v} layer 1\n".encode())
    t.add("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"
          b"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
    t.add("etc/group", data=b"root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n")
    t.add("data/big.bin", data=random.Random(20240501).randbytes(3 * 1024 * 1024 + 12345))
    for i in range(1000):
        t.add(f"data/many/f{i:04d}", data=f"{i}\n".encode(), fmt="ustar")
    t.add("data/hl-target", data=b"hardlinked content\n", mode=0o640, uid=1000, gid=1000)
    t.add("data/hl-link", "h", link="data/hl-target")
    t.add("links/hl", "h", link="data/hl-target")
    t.add("del/gone.txt", data=b"deleted in layer 2\n")
    t.add("del/keep.txt", data=b"kept\n")
    t.add("del/dir/x", data=b"x\n")
    t.add("opq/a", data=b"a\n")
    t.add("opq/sub/c", data=b"c\n")
    t.add("links/rel", "l", link="../etc/passwd")
    t.add("links/abs", "l", link="/etc/passwd")
    t.add("links/dangling", "l", link="../no/such/file")
    t.add("links/dir", "l", link="../data")
    longname = "long/" + "n" * 150
    t.add(longname, data=b"pax long name\n")
    deep = "long/" + "d" * 60 + "/" + "e" * 60
    t.dir(deep.split("/e")[0] + "/")
    t.dir(deep + "/")
    t.add(deep + "/file", data=b"deep\n")
    t.add("links/pax-longtarget", "l", link="../" + longname)
    t.add("unicode/héllo wörld ✓.txt", data="ünïcödé\n".encode())
    t.dir("unicode/日本語/")
    t.add("unicode/日本語/ファイル.txt", data="日本\n".encode())
    t.add("dev/fifo", "p", mode=0o644)
    t.add("perm/suid", data=b"#!/bin/sh\n", mode=0o4755)
    t.add("perm/sgid-file", data=b"#!/bin/sh\n", mode=0o2755)
    t.dir("perm/sgid-dir/", mode=0o2775, gid=1000)
    t.dir("perm/sticky/", mode=0o1777)
    t.add("perm/ro", data=b"ro\n", mode=0o400)
    t.add("perm/exec-only", data=b"x\n", mode=0o111)
    t.add("owners/user", data=b"u\n", uid=1000, gid=1000, uname="user", gname="user")
    t.add("owners/nobody", data=b"n\n", uid=65534, gid=65534)
    t.dir("owners/userdir/", mode=0o700, uid=1000, gid=1000)
    t.add("owners/biguid", data=b"b\n", uid=3000000, gid=3000000)  # PAX uid/gid records
    t.add("owners/link", "l", link="user", uid=1000, gid=1000)
    t.dir("old/dir/", mtime=OLD)
    t.add("old/file", data=b"1990\n", mtime=OLD)
    t.add("old/link", "l", link="file", mtime=OLD)
    t.add("caps/ping", data=b"\x7fELF-not-really\n", mode=0o755,
          xattrs={"security.capability": CAP_NET_BIND, "user.comment": b"has caps"})
    t.add("caps/plain-xattr", data=b"p\n", xattrs={"user.one": b"1", "user.two": b"two"})
    t.dir("caps/xattr-dir/", xattrs={"user.dir": b"d"})
    return t.finish(record=True)


def edge_layer2(v):
    """Whiteouts, an opaque dir, GNU long names and long link targets."""
    t = Tar("gnu")
    t.dir("del/")
    t.add("del/.wh.gone.txt", data=b"")
    t.add("del/.wh.dir", data=b"")
    t.dir("opq/")
    t.add("opq/.wh..wh..opq", data=b"")
    t.add("opq/new", data=b"new in layer 2\n")
    t.add("variant-2", data=f"{v} layer 2\n".encode())
    t.dir("long/")
    t.add("long/" + "g" * 120, data=b"gnu long name\n")
    t.add("long/" + "h" * 120, data=b"gnu hardlink\n")
    t.add("long/" + "i" * 120, "h", link="long/" + "h" * 120)
    t.add("links/gnu-longtarget", "l", link="../long/" + "g" * 120)
    # etc/ has no header here: its directory in this layer's diff is implicit.
    t.add("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\nchanged:x:1:1::/:/bin/sh\n")
    return t.finish()


def edge_layer3(v, arch):
    """./-prefixed names, a root entry, whiteouts of a file of layer 2."""
    t = Tar("pax")
    t.dir("./")
    t.add("./variant-3", data=f"{v} layer 3\n".encode())
    t.add("./arch", data=f"{arch}\n".encode())
    t.dir("./opq/")
    t.add("./opq/.wh.new", data=b"")
    t.add("./etc/.wh.group", data=b"")
    t.add("./data/many/extra", data=b"implicit parents\n")
    t.dir("./empty-dir/", mode=0o700, mtime=OLD)
    return t.finish()


def busybox_layer():
    t = Tar("ustar")
    applets = subprocess.run(["/bin/busybox", "--list-full"], check=True,
                             stdout=subprocess.PIPE, text=True).stdout.split()
    dirs = sorted({"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "var", "home"} |
                  {os.path.dirname(a) for a in applets})
    for d in dirs:
        t.dir(d + "/")
    t.dir("root/", mode=0o700)
    t.dir("tmp/", mode=0o1777)
    with open("/bin/busybox", "rb") as f:
        t.add("bin/busybox", data=f.read(), mode=0o755)
    for a in sorted(set(applets) - {"bin/busybox"}):
        t.add(a, "h", link="bin/busybox")   # as `busybox --install` (hard links)
    t.add("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n"
          b"nobody:x:65534:65534:nobody:/home:/bin/false\n")
    t.add("etc/group", data=b"root:x:0:\nnogroup:x:65534:\n")
    return t.finish(record=True)


def child_layer():
    t = Tar("pax")
    t.add("hello", data=b"hello from a child layer\n")
    t.dir("etc/")
    t.add("etc/.wh.group", data=b"")
    return t.finish()


# ------------------------------------------------------------------ layouts

class Layout:
    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')

    def blob(self, data, media_type, **extra):
        d = sha(data)
        with open(os.path.join(self.path, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
        return dict({"mediaType": media_type, "digest": d, "size": len(data)}, **extra)

    def image(self, layers, config, comp):
        """layers: uncompressed tars; returns (manifest descriptor, image id)."""
        enc = gzip_bytes if comp == "gzip" else zstd_bytes
        config["rootfs"] = {"type": "layers", "diff_ids": [sha(l) for l in layers]}
        cfg = json.dumps(config, separators=(",", ":"), sort_keys=True).encode()
        ldescs = [self.blob(enc(l), MT_LAYER[comp]) for l in layers]
        man = {"schemaVersion": 2, "mediaType": MT_OCI_MANIFEST,
               "config": self.blob(cfg, MT_OCI_CONFIG), "layers": ldescs}
        mb = json.dumps(man, separators=(",", ":")).encode()
        return self.blob(mb, MT_OCI_MANIFEST), sha(cfg)

    def tag(self, desc, ref="latest"):
        d = dict(desc, annotations={"org.opencontainers.image.ref.name": ref})
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": [d]}, f, separators=(",", ":"))


def config(arch, cmd, label, n_layers, variant=None):
    c = {"architecture": arch, "os": "linux", "created": CREATED,
         "config": {"Env": [PATH_ENV], "Cmd": cmd, "Labels": {"org.berth.test": label}},
         "history": [{"created": CREATED, "created_by": f"berth test layer {i + 1}"}
                     for i in range(n_layers)]}
    if variant:
        c["variant"] = variant
    return c


def edge_layers(v, arch="amd64"):
    return [edge_layer1(v), edge_layer2(v), edge_layer3(v, arch)]


def build(out):
    images = {}
    lay = os.path.join(out, "layouts")

    L = Layout(os.path.join(lay, "busybox"))
    desc, iid = L.image([busybox_layer()], config("amd64", ["sh"], "busybox", 1), "gzip")
    L.tag(desc)
    images["busybox"] = {"repo": "library/busybox", "tag": "latest", "format": "v2s2",
                         "index": False, "ids": {"linux/amd64": iid}}

    L = Layout(os.path.join(lay, "bbchild"))
    desc, iid = L.image([busybox_layer(), child_layer()],
                        config("amd64", ["cat", "/hello"], "bbchild", 2), "gzip")
    L.tag(desc)
    images["bbchild"] = {"repo": "test/bbchild", "tag": "latest", "format": "v2s2",
                         "index": False, "ids": {"linux/amd64": iid}}

    for name, tag, fmt, comp, content in [("edge-v2s2", "latest", "v2s2", "gzip", "edge-v2s2"),
                                          ("edge-oci", "oci", "oci", "gzip", "edge-oci"),
                                          ("edge-zstd", "zstd", "oci", "zstd", "edge-oci")]:
        L = Layout(os.path.join(lay, name))
        desc, iid = L.image(edge_layers(content), config("amd64", ["/bin/sh"], content, 3), comp)
        L.tag(desc)
        images[name] = {"repo": "test/edge", "tag": tag, "format": fmt, "index": False,
                        "ids": {"linux/amd64": iid}}

    L = Layout(os.path.join(lay, "edge-multi"))
    mans, ids = [], {}
    for arch, variant in [("amd64", None), ("arm64", "v8")]:
        plat = "linux/" + arch + ("/" + variant if variant else "")
        desc, iid = L.image(edge_layers("edge-multi-" + arch, arch),
                            config(arch, ["/bin/sh"], "edge-multi", 3, variant), "gzip")
        desc["platform"] = {"architecture": arch, "os": "linux"}
        if variant:
            desc["platform"]["variant"] = variant
        mans.append(desc)
        ids[plat] = iid
    idx = json.dumps({"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": mans},
                     separators=(",", ":")).encode()
    L.tag(L.blob(idx, MT_OCI_INDEX))
    images["edge-multi"] = {"repo": "test/edge", "tag": "multi", "format": "oci",
                            "index": True, "ids": ids}

    for name, im in images.items():
        im["layout"] = os.path.join(lay, name)
    tmp = os.path.join(out, "images.json.tmp")
    with open(tmp, "w") as f:
        json.dump(images, f, indent=1, sort_keys=True)
    os.rename(tmp, os.path.join(out, "images.json"))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: build-images.py OUTDIR")
    out = sys.argv[1]
    if os.path.exists(os.path.join(out, "images.json")):
        return
    os.makedirs(out, exist_ok=True)
    build(out)


if __name__ == "__main__":
    main()
