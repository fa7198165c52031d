#!/usr/bin/env bash
# t0840-layer-diff: lib/layer/ against the reference dockerd 20.10 on the
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

# container_dirs NAME - sets U (its upper dir) and LOWERS (init first).
container_dirs() {
	local cid mid l ll
	cid=$(dk inspect -f '{{.Id}}' "$1")
	mid=$(cat "$DR/image/overlay2/layerdb/mounts/$cid/mount-id")
	U=$DR/overlay2/$mid/diff
	LOWERS=()
	IFS=: read -ra ll <"$DR/overlay2/$mid/lower"
	for l in "${ll[@]}"; do LOWERS+=("$(readlink -f "$DR/overlay2/$l")"); done
	t_eq "$1: lowers are the init layer, then the image's (${#LOWERS[@]})" "${LOWERS[0]}" "$DR/overlay2/$mid-init/diff"
}

# want_in FILE LINE... - a diagnostic for each expected line FILE lacks
# (a check of the test itself: the operations did what they should).
want_in() {
	local f=$1 w; shift
	for w in "$@"; do grep -qxF -- "$w" "$f" || t_diag "$(basename "$f") lacks: $w"; done
}

# compare NAME TAG PARENT-CHAIN - (a), (b), (c) for the stopped container
# NAME; commits it as TAG, and into berth's store on PARENT-CHAIN.  Sets
# CHAIN (berth's chain ID of the commit).  Files in $T/NAME/.
compare() {
	local n=$1 tag=$2 parent=$3 d=$T/$1 layer cfg diffid want_chain out lowerdir l m
	mkdir -p "$d"
	container_dirs "$n"

	# (a) docker diff
	dk diff "$n" | sort >"$d/diff.docker"
	"$TL" changes "$U" "${LOWERS[@]}" >"$d/diff.ordered"
	t_eq "$n: berth's changes succeeded" "$?" 0
	sort "$d/diff.ordered" >"$d/diff.berth"
	t_ok "$n: docker diff == berth's changes, as sets ($(wc -l <"$d/diff.docker") changes)" \
		diff "$d/diff.docker" "$d/diff.berth"
	t_eq "$n: no change listed twice" "$(sort -u "$d/diff.berth" | wc -l)" "$(wc -l <"$d/diff.berth")"
	awk '{ seen[$2] = NR } END { for (p in seen) { d = p; sub("/[^/]*$", "", d); if (d != "" && (d in seen) && seen[d] > seen[p]) bad = bad " " p } print bad }' \
		"$d/diff.ordered" >"$d/order.bad"
	t_eq "$n: depth-first, every listed parent before its children" "$(cat "$d/order.bad")" ""

	# (b) docker commit's layer, as docker save has it
	dk commit "$n" "$tag" >/dev/null
	dk save "$tag" -o "$d/saved.tar"
	mkdir -p "$d/saved" && tar -C "$d/saved" -xf "$d/saved.tar"
	layer=$d/saved/$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][-1])' "$d/saved/manifest.json")
	cfg=$d/saved/$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Config"])' "$d/saved/manifest.json")
	diffid=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["rootfs"]["diff_ids"][-1])' "$cfg")
	want_chain=$("$PY" -c '
import hashlib, json, sys
c = None
for d in json.load(open(sys.argv[1]))["rootfs"]["diff_ids"]:
    c = d if c is None else "sha256:" + hashlib.sha256((c + " " + d).encode()).hexdigest()
print(c)' "$cfg")
	"$TL" difftar "$U" >"$d/layer.tar"
	t_eq "$n: berth's diff tar succeeded" "$?" 0
	$ENTRIES "$layer" >"$d/entries.docker"
	$ENTRIES "$d/layer.tar" >"$d/entries.berth"
	t_ok "$n: commit layer entry for entry (name type mode uid gid names size mtime link dev pax), $(wc -l <"$d/entries.docker") entries" \
		diff "$d/entries.docker" "$d/entries.berth"
	t_ok "$n: commit layer byte-identical to docker's" cmp "$layer" "$d/layer.tar"
	t_eq "$n: diff ID equal" "sha256:$(sha256sum <"$d/layer.tar" | cut -d' ' -f1)" "$diffid"
	out=$("$TL" commit "$B" "$U" $parent 2>&1)
	t_eq "$n: berth commits the upper dir into its store under docker's diff ID" "${out%% *}" "$diffid"
	CHAIN=${out#* }
	t_eq "$n:   and docker's chain ID" "$CHAIN" "$want_chain"
	"$TL" layertar "$B" "$CHAIN" >"$d/stored.tar"
	t_ok "$n:   the store rebuilds the layer's tar (files + tar-split) as docker's" cmp "$layer" "$d/stored.tar"

	# (c) docker export, against the merged dir mounted read-only here
	dk export "$n" >"$d/export.docker.tar"
	m=$d/merged
	mkdir -p "$m"
	lowerdir=$U
	for l in "${LOWERS[@]}"; do lowerdir+=":$l"; done
	if mount -t overlay overlay -o "ro,index=off,lowerdir=$lowerdir" "$m" 2>"$d/mount.err"; then
		"$TL" export "$m" /vol >"$d/export.berth.tar"
		t_eq "$n: berth's export succeeded" "$?" 0
		umount "$m"
		$ENTRIES "$d/export.docker.tar" >"$d/export.docker"
		$ENTRIES "$d/export.berth.tar" >"$d/export.berth"
		t_ok "$n: export entry for entry, $(wc -l <"$d/export.docker") entries" diff "$d/export.docker" "$d/export.berth"
		t_ok "$n: export byte-identical to docker's" cmp "$d/export.docker.tar" "$d/export.berth.tar"
	else
		t_skip "$n: export of the merged dir" "overlay mount failed: $(cat "$d/mount.err")"
	fi
}

B=$T/berth-root
dk run --name t0810 -v /vol t0810:base sh -c "$SCRIPT" >"$T/run.out" 2>&1
t_eq "t0810: the container ran its file operations" "$?" 0 || cat "$T/run.out"
container_dirs t0810
# Capabilities written from outside (as setcap in a container would): a v2
# and a v3 (namespaced root uid 1000) value on new files.
setfattr -n security.capability -v 0x0000000200040000000000000000000000000000 "$U/newcap/v2"
setfattr -n security.capability -v 0x000000030004000000000000000000000000000000e80300 "$U/newcap/v3"
# What a container cannot easily make: a pre-1970 mtime (PAX mtime), a
# socket (docker logs and skips it in tars, lists it in diffs).
touch -h -d @-100 "$U/a/b/c/d"
(cd "$U" && "$PY" -c 'import socket; socket.socket(socket.AF_UNIX).bind("sock")')

# Berth's store gets the base image by berth load, so that the commits
# chain on docker's base layer.
dk save t0810:base -o "$T/base.tar"
t_ok "berth load of the base image" "$BERTH" --root "$B" load -q -i "$T/base.tar"
BASE_CHAIN=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["RootFS"]["Layers"][0])' \
	< <(dk image inspect t0810:base))

compare t0810 t0810:committed "$BASE_CHAIN"
want_in "$T/t0810/diff.docker" "D /usr/lib/sub/g" "D /var/d" "C /opt/o" "D /opt/o/i" "D /opt/o/deep/x" "A /opt/o/n" \
	"C /etc/keep" "A /mv/dst" "D /mv/src" "C /bin/capped" "A /vol" "C /tdir" "C /tfile" "A /tfile/in" \
	"A /srv/keep/lowerlink" "A /dev0" "A /sock"
grep -q "/same" "$T/t0810/diff.docker" && t_diag "docker diff lists a chmod to the same mode"
grep -F "'usr/lib/sub/.wh.g2'" "$T/t0810/entries.docker" | grep -qvF " '' 0 0 " &&
	t_diag "docker's layer has whiteouts linking to the first whiteout walked (the kernel shares their inode)"
grep -q "'vol/inside'" "$T/t0810/export.docker" && t_diag "docker's export has the volume's contents"

# A second container on the committed image: its lowers now hold
# whiteouts and opaque dirs of their own.
SCRIPT2='set -e
mkdir /var/d; echo again >/var/d/h; echo i >/opt/o/i; rm /opt/o/n; rm -rf /opt/o/deep
echo more >>/etc/new; rm /etc/hl; mkdir -p /usr/lib/sub/g; rm -rf /mv; mkdir /mv
rm /tdir; mkdir /tdir; rm -rf /tfile; echo f >/tfile; rm /sl; ln -s /nowhere /sl; rm /ff'
dk run --name t0810b t0810:committed sh -c "$SCRIPT2" >"$T/run2.out" 2>&1
t_eq "t0810b: the container ran its file operations" "$?" 0 || cat "$T/run2.out"
compare t0810b t0810:committed2 "$CHAIN"
want_in "$T/t0810b/diff.docker" "A /var/d" "A /var/d/h" "A /opt/o/i" "D /opt/o/n" "D /opt/o/deep" \
	"D /etc/hl" "A /usr/lib/sub/g" "C /mv" "D /mv/dst" "C /tdir" "C /tfile" "C /sl" "D /ff"

dk rm -v t0810 t0810b >/dev/null 2>&1
t_done
