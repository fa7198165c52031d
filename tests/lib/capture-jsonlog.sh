#!/usr/bin/env bash
# tests/lib/capture-jsonlog.sh - regenerates tests/data/jsonlog/: the byte
# streams in stdout.bin and stderr.bin (tricky bytes: quotes, backslashes,
# <>&, tabs, control bytes, invalid UTF-8, U+2028/9, lines around the 16 KiB
# copier buffer, no final newline), and docker-json.log, what the reference
# dockerd 20.10's json-file driver wrote for a container that cat'ed them
# (stdout first, then stderr).  tests/unit/test-jsonfile.c feeds the same
# bytes to berth's writer and compares, times masked.
#   usage: bash tests/lib/capture-jsonlog.sh
set -eu
. "$(dirname "$0")/test-lib.sh"
OUT=$TOP/tests/data/jsonlog
mkdir -p "$OUT"

"$PY" - "$OUT" <<'PY'
import sys
out = sys.argv[1]
def big(n, ch=b"a"):
    return (ch * n)
o = bytearray()
o += b'plain line\n'
o += b'"quotes" and \\backslashes\\ and \'single\'\n'
o += b'html <b>&amp;</b> <script>\n'
o += b'tab\there\tcr\r\n'
o += bytes(range(1, 32)) + b'\x7f end\n'
o += b'invalid \xff \xfe \xc0\x80 \xed\xa0\x80 trunc \xe2\x82 x \xf0\x9f\x98 y\n'
o += 'valid é € 😀 \u2028 \u2029 \ufffd ok\n'.encode()
o += b'\n\n'
o += big(16383) + b'\n'
o += big(16384, b'b') + b'\n'
o += big(16385, b'c') + b'\n'
o += big(16383, b'd') + '€'.encode() + b'tail\n'
o += big(40 * 1024, b'e') + b'\n'
o += b'no final newline \x00 nul'
e = bytearray()
e += b'err line\n'
e += b'err <>& \x1b[31mred\x1b[0m \xff\n'
e += big(20000, b'f') + b'\n'
e += b'err no newline'
open(out + "/stdout.bin", "wb").write(o)
open(out + "/stderr.bin", "wb").write(e)
PY

start_refdocker cap || { echo "cannot start the reference dockerd" >&2; exit 1; }
# A minimal image: busybox-static and the two input files.
R=$T/rootfs
mkdir -p "$R/bin"
cp /bin/busybox "$R/bin/busybox"
for c in sh cat sleep; do ln -s busybox "$R/bin/$c"; done
cp "$OUT/stdout.bin" "$OUT/stderr.bin" "$R/"
tar -C "$R" -cf "$T/rootfs.tar" .
dk import "$T/rootfs.tar" berth-capture:jsonlog >/dev/null
id=$(dk create berth-capture:jsonlog /bin/sh -c 'cat /stdout.bin; sleep 0.5; cat /stderr.bin >&2')
dk start -a "$id" >/dev/null 2>&1 || true
dk wait "$id" >/dev/null
cp "$T/docker-cap/root/containers/$id/$id-json.log" "$OUT/docker-json.log"
stat -c '%a' "$T/docker-cap/root/containers/$id/$id-json.log" >"$OUT/docker-json.log.mode"
dk rm "$id" >/dev/null
echo "captured $(wc -l <"$OUT/docker-json.log") records into $OUT/docker-json.log"
