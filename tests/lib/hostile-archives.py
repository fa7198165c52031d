#!/usr/bin/env python3
"""tests/lib/hostile-archives.py OUTDIR - writes one hostile image archive per
case into OUTDIR (CASE.tar) and lists the case names on stdout.

Each archive is a docker-archive (manifest.json + config + layers) or an OCI
layout that a loader must refuse as a whole: nothing may be added to the
store and nothing written outside it.  A marker path, /tmp/berth-escape-*,
is what escaping entries aim at; the test checks it never appears.
"""
import hashlib
import io
import json
import os
import sys
import tarfile

MT = 1577836800


def add(tf, name, data=b"", kind=tarfile.REGTYPE, link="", mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.mtime = MT
    ti.linkname = link
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    else:
        tf.addfile(ti)


def layer(entries):
    """entries: (name, data, kind, link)"""
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            add(tf, *e)
    return b.getvalue()


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def config(diff_ids):
    return json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                       "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()


GOOD = layer([("etc/", b"", tarfile.DIRTYPE, ""), ("etc/hello", b"hello\n", tarfile.REGTYPE, "")])


def docker_archive(path, layers, cfg=None, manifest=None, extra=(), tags=("hostile:latest",)):
    with tarfile.open(path, "w") as tf:
        names = []
        for i, l in enumerate(layers):
            n = f"l{i}/layer.tar"
            add(tf, f"l{i}/", kind=tarfile.DIRTYPE)
            add(tf, n, l)
            names.append(n)
        c = cfg if cfg is not None else config([sha(l) for l in layers])
        add(tf, "config.json", c)
        for e in extra:
            add(tf, *e)
        m = manifest if manifest is not None else [{"Config": "config.json", "RepoTags": list(tags), "Layers": names}]
        add(tf, "manifest.json", json.dumps(m).encode())


def main(out):
    os.makedirs(out, exist_ok=True)
    cases = {}

    def case(name, fn):
        p = os.path.join(out, name + ".tar")
        fn(p)
        cases[name] = p

    marker = "/tmp/berth-escape-" + str(os.getpid())
    # layers whose entries try to leave the layer dir
    case("layer-dotdot", lambda p: docker_archive(p, [layer([("../../../../.." + marker, b"x", tarfile.REGTYPE, "")])]))
    case("layer-symlink-escape", lambda p: docker_archive(p, [layer([
        ("evil", b"", tarfile.SYMTYPE, "/tmp"), ("evil/berth-escape-symlink", b"x", tarfile.REGTYPE, "")])]))
    case("layer-hardlink-escape", lambda p: docker_archive(p, [layer([
        ("h", b"", tarfile.LNKTYPE, "../../../../etc/passwd")])]))
    # the archive itself
    case("entry-dotdot", lambda p: docker_archive(p, [GOOD], extra=[("../../" + marker, b"x")]))
    case("manifest-path-outside", lambda p: docker_archive(p, [GOOD], manifest=[
        {"Config": "../../etc/passwd", "RepoTags": ["hostile:latest"], "Layers": ["l0/layer.tar"]}]))
    case("layer-path-absolute-outside", lambda p: docker_archive(p, [GOOD], manifest=[
        {"Config": "config.json", "RepoTags": ["hostile:latest"], "Layers": ["/../../etc/passwd"]}]))
    case("symlink-member-outside", lambda p: docker_archive(p, [GOOD], extra=[
        ("link.tar", b"", tarfile.SYMTYPE, "../../../etc/passwd")], manifest=[
        {"Config": "config.json", "RepoTags": ["hostile:latest"], "Layers": ["link.tar"]}]))
    case("symlink-loop", lambda p: docker_archive(p, [GOOD], extra=[
        ("a.tar", b"", tarfile.SYMTYPE, "b.tar"), ("b.tar", b"", tarfile.SYMTYPE, "a.tar")], manifest=[
        {"Config": "config.json", "RepoTags": ["hostile:latest"], "Layers": ["a.tar"]}]))
    case("diffid-mismatch", lambda p: docker_archive(p, [GOOD], cfg=config([sha(b"other")])))
    case("layer-count-mismatch", lambda p: docker_archive(p, [GOOD], cfg=config([sha(GOOD), sha(GOOD)])))
    case("missing-layer", lambda p: docker_archive(p, [GOOD], manifest=[
        {"Config": "config.json", "RepoTags": ["hostile:latest"], "Layers": ["nosuch/layer.tar"]}]))
    case("missing-config", lambda p: docker_archive(p, [GOOD], manifest=[
        {"Config": "nosuch.json", "RepoTags": ["hostile:latest"], "Layers": ["l0/layer.tar"]}]))
    case("bad-config-json", lambda p: docker_archive(p, [GOOD], cfg=b"{not json"))
    case("bad-manifest-json", lambda p: docker_archive(p, [GOOD], manifest={"not": "a list"}))
    case("bad-tag", lambda p: docker_archive(p, [GOOD], tags=("UPPER:case",)))
    # the second image is bad: the first must not be added either
    def two(p):
        bad = config([sha(b"nope")])
        with tarfile.open(p, "w") as tf:
            add(tf, "l0/layer.tar", GOOD)
            add(tf, "good.json", config([sha(GOOD)]))
            add(tf, "bad.json", bad)
            add(tf, "manifest.json", json.dumps([
                {"Config": "good.json", "RepoTags": ["good:latest"], "Layers": ["l0/layer.tar"]},
                {"Config": "bad.json", "RepoTags": ["bad:latest"], "Layers": ["l0/layer.tar"]}]).encode())
    case("second-image-bad", two)
    # OCI layout: config blob content not matching its name
    def oci_bad_digest(p):
        cfg = config([sha(GOOD)])
        wrong = "sha256:" + "0" * 64
        man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                          "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": wrong, "size": len(cfg)},
                          "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha(GOOD), "size": len(GOOD)}]}).encode()
        idx = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                          "digest": sha(man), "size": len(man), "annotations": {"io.containerd.image.name": "docker.io/library/hostile:oci"}}]}).encode()
        with tarfile.open(p, "w") as tf:
            add(tf, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
            add(tf, "index.json", idx)
            add(tf, "blobs/sha256/" + sha(man)[7:], man)
            add(tf, "blobs/sha256/" + wrong[7:], cfg)
            add(tf, "blobs/sha256/" + sha(GOOD)[7:], GOOD)
    case("oci-config-digest", oci_bad_digest)
    def oci_missing(p):
        idx = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                          "digest": "sha256:" + "1" * 64, "size": 10}]}).encode()
        with tarfile.open(p, "w") as tf:
            add(tf, "oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
            add(tf, "index.json", idx)
    case("oci-missing-blob", oci_missing)
    # truncated in the middle of a layer
    def truncated(p):
        docker_archive(p, [GOOD + b"\0" * 8192])
        with open(p, "r+b") as f:
            f.truncate(1536)
    case("truncated", truncated)
    def many(p):
        with tarfile.open(p, "w") as tf:
            for i in range(20000):
                add(tf, f"f{i}", b"")
    case("too-many-entries", many)
    case("not-an-archive", lambda p: open(p, "wb").write(b"hello, this is not a tar\n" * 10))
    case("empty-file", lambda p: open(p, "wb").close())
    for name in cases:
        print(name)
    print("MARKER " + marker, file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
