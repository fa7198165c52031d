#!/usr/bin/env bash
# t0810-layer-diff: lib/layer/ against the reference dockerd 20.10 on the
# same directories.  A busybox image is imported there and containers do
# file operations (create, modify, chmod, chown, delete a lower file and a
# lower dir, rm -rf + recreate (opaque), symlinks, hard links, a fifo,
# long and non-ASCII names, a big uid, file capabilities); then, on the
# container's own dirs in dockerd's data-root:
#   (a) `docker diff` == berth's changes (as sets: docker's order is Go map order);
#   (b) `docker commit` + `docker save`: the committed layer's tar == berth's
#       diff tar of the upper dir, byte for byte (so the diff IDs are equal),
#       and berth commits it into its own store under the same diff ID;
#   (c) `docker export` == berth's export of the merged dir (mounted here
#       read-only from the same upper and lower dirs).
. "$(dirname "$0")/../lib/test-lib.sh"

TL=${BERTH_BUILD:-$TOP/build}/tests/test-layer
ENTRIES="$PY $TOP/tests/lib/tar-entries.py"

if [ "$(id -u)" != 0 ] || [ ! -x "$TL" ] || ! have_dockerd; then
	t_skip "layer diff against dockerd" "needs root, dockerd and $TL"
	t_done
fi
start_refdocker ld || { t_skip "layer diff against dockerd" "dockerd did not start"; t_done; }
DR=$T/docker-ld/root

# The image: static busybox, a passwd naming uids differently from the
# host's (which names do tar headers carry?), lower files to change.
R=$T/rootfs
mkdir -p "$R/bin" "$R/etc" "$R/usr/lib/sub" "$R/var/d/e" "$R/opt/o/deep" "$R/srv/keep" "$R/mv/src" "$R/tdir" "$R/same"
cp /bin/busybox "$R/bin/busybox"
for a in sh ls cat rm mkdir ln chmod chown touch mkfifo mknod echo sleep cp mv dd; do ln -s busybox "$R/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\nfiver:x:5:6:f:/:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\nsixer:x:6:\n' >"$R/etc/group"
echo hi >"$R/etc/f1"; echo keep >"$R/etc/keep"; echo g >"$R/usr/lib/sub/g"; echo g2 >"$R/usr/lib/sub/g2"
echo h >"$R/var/d/e/h"; echo i >"$R/opt/o/i"; echo x >"$R/opt/o/deep/x"; echo m >"$R/mv/src/m"
echo lower >"$R/srv/keep/lowerfile"
echo a >"$R/tdir/a"; echo f >"$R/tfile"; echo s >"$R/same/f"; chmod 644 "$R/same/f"
cp /bin/busybox "$R/bin/capped"
setcap cap_net_bind_service+ep "$R/bin/capped" 2>/dev/null
tar --xattrs --xattrs-include='security.*' -C "$R" -c . | dk import - t0810:base >/dev/null
t_ok "image imported into dockerd" dk image inspect t0810:base

LONG=$(printf 'l%.0s' $(seq 120))
SCRIPT='set -e
echo new >/etc/new; echo mod >>/etc/f1; chmod 600 /etc/keep; chown 5:6 /etc/new
rm /usr/lib/sub/g /usr/lib/sub/g2; rm -rf /var/d
rm -rf /opt/o; mkdir -p /opt/o/deep; echo n >/opt/o/n
ln -s /etc/f1 /sl; ln /etc/new /etc/hl; mkfifo /ff; mkdir -p /a/b/c; touch /a/b/c/d
mkdir -p /deep/'"$LONG"'; echo long >/deep/'"$LONG"'/'"$LONG"'; echo long >/deep/'"$LONG"'/short
echo x >"/caf$(printf "\303\251")"; touch /big; chown 3000000:3000001 /big
touch /bin/capped; chmod 4755 /bin/capped
mkdir /sg; chmod 2775 /sg; chmod 1777 /tmp 2>/dev/null || mkdir -m 1777 /tmp
touch /srv/keep/lowerfile; cat /srv/keep/lowerfile >/dev/null
mv /mv/src /mv/dst
echo v >/vol/inside
mkdir /newcap; echo c >/newcap/v2; echo c >/newcap/v3
rm -rf /tdir; echo f >/tdir; rm /tfile; mkdir /tfile; echo in >/tfile/in
chmod 644 /same/f; ln /srv/keep/lowerfile /srv/keep/lowerlink; mknod /dev0 c 1 3
ln -s /deep/'"$LONG"'/'"$LONG"' /longlink; ln -s "/caf$(printf "\303\251")" /utf8link'
dk run --name t0810 -v /vol t0810:base sh -c "$SCRIPT" >"$T/run.out" 2>&1
t_eq "the container ran its file operations" "$?" 0 || cat "$T/run.out"

CID=$(dk inspect -f '{{.Id}}' t0810)
MID=$(cat "$DR/image/overlay2/layerdb/mounts/$CID/mount-id")
U=$DR/overlay2/$MID/diff
LOWERS=()
IFS=: read -ra LL <"$DR/overlay2/$MID/lower"
for l in "${LL[@]}"; do LOWERS+=("$(readlink -f "$DR/overlay2/$l")"); done
t_eq "lowers: the init layer first, then the image's" "${LOWERS[0]}" "$DR/overlay2/$MID-init/diff"

# Capabilities written from outside (as setcap in a container would): a v2
# and a v3 (namespaced root uid 1000) value on new files.
setfattr -n security.capability -v 0x0000000200040000000000000000000000000000 "$U/newcap/v2"
setfattr -n security.capability -v 0x000000030004000000000000000000000000000000e80300 "$U/newcap/v3"

# What a container cannot easily make: a pre-1970 mtime (PAX mtime), a
# socket (docker logs and skips it in tars, lists it in diffs).
touch -h -d @-100 "$U/a/b/c/d"
(cd "$U" && "$PY" -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")')

# ---- (a) docker diff
dk diff t0810 | sort >"$T/diff.docker"
"$TL" changes "$U" "${LOWERS[@]}" >"$T/diff.berth.ordered"
t_eq "berth's changes succeeded" "$?" 0
sort "$T/diff.berth.ordered" >"$T/diff.berth"
t_ok "docker diff == berth's changes, as sets ($(wc -l <"$T/diff.docker") changes)" \
	diff "$T/diff.docker" "$T/diff.berth"
t_eq "no change listed twice" "$(sort -u "$T/diff.berth" | wc -l)" "$(wc -l <"$T/diff.berth")"
# the lower files that must show (a sanity check of the test itself)
for want in "D /usr/lib/sub/g" "D /var/d" "C /opt/o" "D /opt/o/i" "D /opt/o/deep/x" "A /opt/o/n" \
	"C /etc/keep" "A /mv/dst" "D /mv/src" "C /bin/capped" "A /vol" "C /tdir" "C /tfile" "A /tfile/in" \
	"A /srv/keep/lowerlink" "A /dev0" "A /sock"; do
	grep -qxF "$want" "$T/diff.docker" || t_diag "docker diff lacks: $want"
done
# a changed parent comes before its children in berth's order
awk '{ seen[$2] = NR } END { for (p in seen) { d = p; sub("/[^/]*$", "", d); if (d != "" && (d in seen) && seen[d] > seen[p]) bad = bad " " p } print bad }' \
	"$T/diff.berth.ordered" >"$T/order.bad"
t_eq "depth-first: every listed parent before its children" "$(cat "$T/order.bad")" ""

# ---- (b) docker commit's layer
dk commit t0810 t0810:committed >/dev/null
dk save t0810:committed -o "$T/saved.tar"
mkdir -p "$T/saved" && tar -C "$T/saved" -xf "$T/saved.tar"
LAYER=$T/saved/$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][-1])' "$T/saved/manifest.json")
CFG=$T/saved/$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Config"])' "$T/saved/manifest.json")
DIFFID=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rootfs"]["diff_ids"][-1])' "$CFG")
"$TL" difftar "$U" >"$T/berth-layer.tar"
t_eq "berth's diff tar succeeded" "$?" 0
$ENTRIES "$LAYER" >"$T/entries.docker"
$ENTRIES "$T/berth-layer.tar" >"$T/entries.berth"
t_ok "commit layer: entry for entry (name type mode uid gid names size mtime link dev pax), $(wc -l <"$T/entries.docker") entries" \
	diff "$T/entries.docker" "$T/entries.berth"
t_ok "commit layer: byte-identical to docker's" cmp "$LAYER" "$T/berth-layer.tar"
t_eq "diff ID equal" "sha256:$(sha256sum <"$T/berth-layer.tar" | cut -d' ' -f1)" "$DIFFID"
for want in "'opt/o/.wh..wh..opq'" "'usr/lib/sub/.wh.g2'" "'var/.wh.d'" "'mv/.wh.src'" "SCHILY.xattr.security.capability"; do
	grep -qF "$want" "$T/entries.docker" || t_diag "docker's layer lacks: $want"
done
grep -F "'usr/lib/sub/.wh.g2'" "$T/entries.docker" | grep -qvF " '' 0 0 " &&
	t_diag "docker's layer has whiteouts linking to the first whiteout walked (the kernel shares their inode)"
grep -q "/same" "$T/diff.docker" && t_diag "docker diff lists a chmod to the same mode"
B=$T/berth-root
OUT=$("$TL" commit "$B" "$U" 2>&1)
t_eq "berth commits the upper dir into its store under docker's diff ID" "${OUT%% *}" "$DIFFID"
CHAIN=${OUT#* }
"$TL" layertar "$B" "$CHAIN" >"$T/b-layer.tar"
t_ok "  the store rebuilds that layer's tar (files + tar-split) as docker's" cmp "$LAYER" "$T/b-layer.tar"

# ---- (c) docker export
dk export t0810 >"$T/export.docker.tar"
M=$T/merged
mkdir -p "$M"
lowerdir=$U
for l in "${LOWERS[@]}"; do lowerdir+=":$l"; done
if mount -t overlay overlay -o "ro,index=off,lowerdir=$lowerdir" "$M" 2>"$T/mount.err"; then
	"$TL" export "$M" /vol >"$T/export.berth.tar"
	t_eq "berth's export succeeded" "$?" 0
	$ENTRIES "$T/export.docker.tar" >"$T/export.docker"
	$ENTRIES "$T/export.berth.tar" >"$T/export.berth"
	t_ok "export: entry for entry, $(wc -l <"$T/export.docker") entries" diff "$T/export.docker" "$T/export.berth"
	t_ok "export: byte-identical to docker's" cmp "$T/export.docker.tar" "$T/export.berth.tar"
	grep -q "'vol/inside'" "$T/export.docker" && t_diag "docker's export has the volume's contents"
	umount "$M"
else
	t_skip "export of the merged dir" "overlay mount failed: $(cat "$T/mount.err")"
fi

dk rm -v t0810 >/dev/null 2>&1
t_done
