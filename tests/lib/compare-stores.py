#!/usr/bin/env python3
"""tests/lib/compare-stores.py [--no-refs] [--no-distribution] ROOT_A ROOT_B IMAGE_ID

Compares one image in two stores laid out as Docker 20.10's overlay2 store
(ROOT/image/overlay2/..., ROOT/overlay2/...), e.g. the reference dockerd's
data-root and berth's --root.  Prints every difference; exits 1 on any, 0 if
the image is stored identically, 2 on usage errors.

Compared:
  * imagedb: content/sha256/<id> bytes and mode; metadata/sha256/<id> presence
    (and parent/builtLocally bytes; lastUpdated is a timestamp: presence only).
  * layerdb/sha256/<chainID> for every layer of the chain computed from the
    config's diff_ids: the set of files and their modes; diff, size, parent
    byte-equal; cache-id well formed (random, so not compared); descriptor.json
    byte-equal if present; tar-split.json.gz decompressed, line by line.
  * overlay2/<cache-id>: the set of entries and modes; link is 26 base32
    characters; l/<link> is a symlink to ../<cache-id>/diff; lower is
    "l/<parent link>:<parent's lower>" (absent for the base layer).
  * the diff/ trees: names, types, modes, uid/gid, sizes, sha256 of contents,
    hard-link groups, symlink targets, device numbers (whiteouts are 0/0 char
    devices), every xattr (trusted.overlay.opaque, security.capability, ...),
    and mtimes (nanoseconds), except where the extractor legitimately cannot
    reproduce them (see mtime_exempt).
  * repositories.json refs naming the image and distribution metadata
    (diffid-by-digest, v2metadata-by-diffid) of its layers, unless disabled.
"""
import base64
import gzip
import hashlib
import json
import os
import re
import stat
import sys

DRIVER = "overlay2"


class Cmp:
    def __init__(self, a, b):
        self.roots = (a, b)
        self.ndiff = 0

    def diff(self, what, va, vb):
        self.ndiff += 1
        print(f"DIFF {what}:\n  A: {va!r}\n  B: {vb!r}")

    def note(self, what):
        self.ndiff += 1
        print(f"DIFF {what}")

    def eq(self, what, va, vb):
        if va != vb:
            self.diff(what, va, vb)
        return va == vb


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def mode_of(path):
    try:
        return oct(os.lstat(path).st_mode)
    except FileNotFoundError:
        return None


def listdir(path):
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return None


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


def chain_ids(diff_ids):
    out = []
    for d in diff_ids:
        out.append(d if not out else "sha256:" + sha256_hex(f"{out[-1]} {d}".encode()))
    return out


# ------------------------------------------------------------------ imagedb

def compare_imagedb(c, hexid):
    rel = f"image/{DRIVER}/imagedb"
    pa, pb = (os.path.join(r, rel, "content/sha256", hexid) for r in c.roots)
    ca, cb = read(pa), read(pb)
    if ca is None or cb is None:
        c.diff("imagedb content present", ca is not None, cb is not None)
        return None
    c.eq("imagedb content bytes", ca, cb)
    c.eq("imagedb content mode", mode_of(pa), mode_of(pb))
    if sha256_hex(ca) != hexid:
        c.note(f"imagedb content of {hexid} does not hash to its name")
    ma, mb = (os.path.join(r, rel, "metadata/sha256", hexid) for r in c.roots)
    c.eq("imagedb metadata files", listdir(ma), listdir(mb))
    for f in ("parent", "builtLocally"):
        c.eq(f"imagedb metadata {f}", read(os.path.join(ma, f)), read(os.path.join(mb, f)))
    return json.loads(ca)


# ------------------------------------------------------------------ layerdb

def tarsplit_lines(path):
    """The JSON lines, without a final empty segment: tar-split records
    one when its last read of the layer stream returns (0, EOF), and
    dockerd's reads end that way with unpigz (a pipe) but not always with
    Go's gzip reader (data and EOF together), so Docker's own stores
    differ there by whether unpigz is installed.  Both rebuild the same
    tar."""
    raw = read(path)
    if raw is None:
        return None
    lines = gzip.decompress(raw).split(b"\n")
    while lines and lines[-1] == b"":
        lines.pop()
    if lines and re.fullmatch(rb'\{"type":2,"payload":"","position":\d+\}', lines[-1]):
        lines.pop()
    return lines


def compare_tarsplit(c, cid, pa, pb):
    la, lb = tarsplit_lines(pa), tarsplit_lines(pb)
    if la is None or lb is None:
        c.diff(f"layer {cid[:19]} tar-split.json.gz present", la is not None, lb is not None)
        return la or lb or []
    shown = 0
    for i in range(max(len(la), len(lb))):
        xa = la[i] if i < len(la) else None
        xb = lb[i] if i < len(lb) else None
        if xa != xb:
            if shown < 5:
                c.diff(f"layer {cid[:19]} tar-split line {i + 1}", xa, xb)
            else:
                c.ndiff += 1
            shown += 1
    if shown > 5:
        print(f"  ... {shown - 5} more differing tar-split lines")
    return la


def header_names(lines):
    """Cleaned names of the tar headers of a layer, from its tar-split."""
    names = set()
    for ln in lines:
        if not ln.strip():
            continue
        e = json.loads(ln)
        if e.get("type") != 1:
            continue
        n = e.get("name")
        if n is None and e.get("name_raw"):
            n = base64.b64decode(e["name_raw"]).decode("utf-8", "surrogateescape")
        names.add(os.path.normpath("/" + (n or "")).lstrip("/") or ".")
    return names


def compare_layerdb(c, chain, diff_ids):
    """Returns [(cache_a, cache_b, header names)] for the chain, base first."""
    out = []
    for i, cid in enumerate(chain):
        short = cid[:19]
        da, db = (os.path.join(r, f"image/{DRIVER}/layerdb/sha256", cid[7:]) for r in c.roots)
        fa, fb = listdir(da), listdir(db)
        if fa is None or fb is None:
            c.diff(f"layer {short} present in layerdb", fa is not None, fb is not None)
            out.append((None, None, set()))
            continue
        c.eq(f"layer {short} layerdb files", fa, fb)
        for f in sorted(set(fa) & set(fb)):
            c.eq(f"layer {short} {f} mode", mode_of(os.path.join(da, f)), mode_of(os.path.join(db, f)))
        for f in ("diff", "size", "parent", "descriptor.json"):
            c.eq(f"layer {short} {f}", read(os.path.join(da, f)), read(os.path.join(db, f)))
        c.eq(f"layer {short} diff is the config's diff_id",
             read(os.path.join(da, "diff")), diff_ids[i].encode())
        want_parent = chain[i - 1].encode() if i else None
        c.eq(f"layer {short} parent is the previous chain id", read(os.path.join(da, "parent")), want_parent)
        caches = []
        for d in (da, db):
            v = (read(os.path.join(d, "cache-id")) or b"").decode()
            if not re.fullmatch(r"[0-9a-f]{64}", v):
                c.note(f"layer {short}: bad cache-id {v!r} in {d}")
                v = None
            caches.append(v)
        lines = compare_tarsplit(c, cid, os.path.join(da, "tar-split.json.gz"),
                                 os.path.join(db, "tar-split.json.gz"))
        out.append((caches[0], caches[1], header_names(lines)))
    return out


# ------------------------------------------------------------------ overlay2 dirs

def check_overlay_dir(c, root, cache, parent_cache, short):
    """Well-formedness of one overlay2/<cache> dir; returns (entries, modes)."""
    home = os.path.join(root, DRIVER)
    d = os.path.join(home, cache)
    link = (read(os.path.join(d, "link")) or b"").decode()
    if not re.fullmatch(r"[A-Z2-7]{26}", link):
        c.note(f"layer {short}: bad link {link!r} in {d}")
    else:
        lp = os.path.join(home, "l", link)
        tgt = os.readlink(lp) if os.path.islink(lp) else None
        if tgt != f"../{cache}/diff":
            c.note(f"layer {short}: {lp} -> {tgt!r}, want ../{cache}/diff")
    lower = read(os.path.join(d, "lower"))
    if parent_cache is None:
        if lower is not None:
            c.note(f"layer {short}: base layer has a lower file in {d}")
    else:
        pd = os.path.join(home, parent_cache)
        plink = (read(os.path.join(pd, "link")) or b"").decode()
        plower = read(os.path.join(pd, "lower"))
        want = f"l/{plink}" + (":" + plower.decode() if plower else "")
        if lower is None or lower.decode() != want:
            c.note(f"layer {short}: lower {lower!r} in {d}, want {want!r}")
    names = listdir(d) or []
    return names, {n: mode_of(os.path.join(d, n)) for n in names + ["."]}


def compare_overlay(c, layers):
    prev = (None, None)
    for i, (ca, cb, _) in enumerate(layers):
        short = f"#{i + 1}"
        if ca is None or cb is None:
            prev = (ca, cb)
            continue
        na, ma = check_overlay_dir(c, c.roots[0], ca, prev[0], short)
        nb, mb = check_overlay_dir(c, c.roots[1], cb, prev[1], short)
        # "merged" exists only while a layer is mounted; ignore it.
        c.eq(f"layer {short} overlay2 dir entries",
             [n for n in na if n != "merged"], [n for n in nb if n != "merged"])
        for n in sorted(set(na) & set(nb) | {"."}):
            if n != "merged":
                c.eq(f"layer {short} overlay2/<cache>/{n} mode", ma.get(n), mb.get(n))
        prev = (ca, cb)


# ------------------------------------------------------------------ diff trees

# What the kernel's overlayfs writes on an upper dir while it is mounted
# (docker 20.10's `docker save` mounts an image's top layer): bookkeeping
# of a mount, not content of the layer.
OVERLAY_RUNTIME_XATTRS = {"trusted.overlay.impure", "trusted.overlay.origin", "trusted.overlay.uuid"}


def xattrs(p):
    try:
        names = os.listxattr(p, follow_symlinks=False)
    except OSError:
        return {}
    out = {}
    for n in sorted(names):
        if n in OVERLAY_RUNTIME_XATTRS:
            continue
        try:
            out[n] = os.getxattr(p, n, follow_symlinks=False)
        except OSError as e:
            out[n] = f"<{e.strerror}>"
    return out


def file_sha(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def scan_tree(top):
    """{relpath: metadata dict} of a diff dir, plus hard-link groups."""
    entries, inodes = {}, {}
    paths = [top]
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        paths += [os.path.join(dirpath, n) for n in sorted(dirnames + filenames)]
    for p in paths:
        rel = os.path.relpath(p, top)
        st = os.lstat(p)
        m = {"type": stat.S_IFMT(st.st_mode), "mode": oct(st.st_mode),
             "uid": st.st_uid, "gid": st.st_gid, "mtime": st.st_mtime_ns,
             "xattrs": xattrs(p)}
        if stat.S_ISREG(st.st_mode):
            m["size"] = st.st_size
            m["sha256"] = file_sha(p)
            inodes.setdefault(st.st_ino, []).append(rel)
            m["_ino"] = st.st_ino
        elif stat.S_ISLNK(st.st_mode):
            m["target"] = os.readlink(p)
        elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            m["rdev"] = (os.major(st.st_rdev), os.minor(st.st_rdev))
        entries[rel] = m
    for m in entries.values():
        ino = m.pop("_ino", None)
        if ino is not None:
            m["hardlinks"] = sorted(inodes[ino])
    return entries


def is_whiteout(m):
    return m["type"] == stat.S_IFCHR and m.get("rdev") == (0, 0)


def mtime_exempt(rel, ma, mb, headers):
    """mtimes that legitimately differ between two extractions of one tar:
      * the diff/ root: the driver creates it; a "./" tar entry is skipped by
        Docker's UnpackLayer, so its mtime is the extraction time;
      * whiteout char devices (0/0): made by mknod when a .wh.<name> entry is
        converted; Docker never sets their times, so they carry the
        extraction time;
      * directories without a header of their own in this layer's tar
        (implicit parents made with MkdirAll, e.g. etc/ when only
        etc/passwd changed): extraction time, and the kernel bumps it again
        whenever a child or a whiteout device is created in it.
    Directories that do have a header get their times set after all entries
    are written (Docker collects them and calls Chtimes at the end), so their
    mtimes are compared even when whiteouts were created inside them."""
    if os.environ.get("COMPARE_STORES_STRICT"):
        return False    # to see what the exemptions hide
    if rel == ".":
        return True
    if is_whiteout(ma) or is_whiteout(mb):
        return True
    if ma["type"] == stat.S_IFDIR and rel not in headers:
        return True
    return False


def compare_tree(c, short, ta, tb, headers):
    ea, eb = scan_tree(ta), scan_tree(tb)
    for rel in sorted(set(ea) | set(eb)):
        if rel not in ea or rel not in eb:
            c.diff(f"layer {short} diff/{rel} present", rel in ea, rel in eb)
            continue
        ma, mb = ea[rel], eb[rel]
        for k in sorted(set(ma) | set(mb)):
            if k == "mtime" and mtime_exempt(rel, ma, mb, headers):
                continue
            c.eq(f"layer {short} diff/{rel} {k}", ma.get(k), mb.get(k))
    return len(ea)


# ------------------------------------------------------------------ names

def refs_to(root, image_id):
    raw = read(os.path.join(root, f"image/{DRIVER}/repositories.json"))
    if raw is None:
        return None
    repos = json.loads(raw).get("Repositories", {})
    return sorted(ref for refs in repos.values() for ref, iid in refs.items() if iid == image_id)


def compare_refs(c, image_id):
    c.eq("repositories.json refs to the image", refs_to(c.roots[0], image_id), refs_to(c.roots[1], image_id))


def compare_distribution(c, diff_ids):
    for ns in ("v2metadata-by-diffid",):
        for d in diff_ids:
            pa, pb = (os.path.join(r, f"image/{DRIVER}/distribution", ns, "sha256", d[7:]) for r in c.roots)
            va, vb = read(pa), read(pb)
            c.eq(f"distribution {ns}/{d[7:19]}", va, vb)
    want = {d.encode() for d in diff_ids}
    maps = []
    for r in c.roots:
        base = os.path.join(r, f"image/{DRIVER}/distribution/diffid-by-digest/sha256")
        m = {}
        for n in listdir(base) or []:
            v = read(os.path.join(base, n))
            if v in want:
                m[n] = v
        maps.append(m)
    c.eq("distribution diffid-by-digest entries for the image's layers", maps[0], maps[1])


# ------------------------------------------------------------------ main

def main(argv):
    opts = {a for a in argv if a.startswith("--")}
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 3 or opts - {"--no-refs", "--no-distribution"}:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    root_a, root_b, image_id = args
    if not image_id.startswith("sha256:"):
        image_id = "sha256:" + image_id
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", image_id):
        print(f"compare-stores: bad image id {image_id!r}", file=sys.stderr)
        return 2
    c = Cmp(root_a, root_b)
    print(f"# A = {root_a}\n# B = {root_b}\n# image {image_id}")
    cfg = compare_imagedb(c, image_id[7:])
    if cfg is None:
        return 1
    diff_ids = cfg.get("rootfs", {}).get("diff_ids", [])
    chain = chain_ids(diff_ids)
    layers = compare_layerdb(c, chain, diff_ids)
    compare_overlay(c, layers)
    nfiles = 0
    for i, (ca, cb, headers) in enumerate(layers):
        if ca and cb:
            nfiles += compare_tree(c, f"#{i + 1}", os.path.join(root_a, DRIVER, ca, "diff"),
                                   os.path.join(root_b, DRIVER, cb, "diff"), headers)
    if "--no-refs" not in opts:
        compare_refs(c, image_id)
    if "--no-distribution" not in opts:
        compare_distribution(c, diff_ids)
    if c.ndiff:
        print(f"# {c.ndiff} differences")
        return 1
    print(f"# identical: {len(chain)} layers, {nfiles} diff entries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
