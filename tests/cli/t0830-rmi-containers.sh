#!/usr/bin/env bash
# t0830-rmi-containers - berth rmi / image prune beside docker 20.10 while
# containers use the images: one sequence run on both (an image used by a
# created, an exited and a running container; two tags; by ID; -f; prune
# and prune -a), stdout, stderr and exit status compared with the IDs
# masked (container IDs differ, and so do image IDs: import records its time).
# After each berth step the containers still start and their layers (the
# RW layer's parent chain) still exist.  Then: a layer below a container's
# RW layer survives rmi -f and goes with the container; and containers a
# dockerd created on berth's root hold their layers too.
# The image is called "box", not a hex-like name: docker takes a name that
# prefixes the image ID as that ID (isImageIDPrefix), and IDs are random.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v runc >/dev/null || { t_skip "rmi with containers" "runc not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "rmi with containers" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "rmi with containers" "busybox not installed"; t_done; }

R=$T/root
L=$R/image/overlay2/layerdb
export BERTH_EXEC_ROOT=$T/exec
b() { "$BERTH" --root "$R" "$@"; }

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp "$BB" "$T/rootfs/bin/busybox"
for x in sh true echo cat sleep; do ln -s busybox "$T/rootfs/bin/$x"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
# another image, runnable too
cp -a "$T/rootfs" "$T/other"
echo other >"$T/other/other.txt"
tar -C "$T/other" -cf "$T/other.tar" .

have_docker=0
if have_dockerd && start_refdocker rmi; then
	have_docker=1
else
	t_diag "no reference dockerd: berth's side only"
fi

# IDs to mask, per side: BM[NAME]=berth's full ID, DM[NAME]=docker's.
declare -A BM DM

# imp TAR NAME - imports TAR as NAME on both; records the image IDs as NAME's mask IMG_<NAME>
imp() {
	local key=IMG_${2%%:*}
	b import -c 'CMD ["sh"]' "$1" "$2" >/dev/null
	BM[$key]=$(b inspect --format '{{.Id}}' "$2" | sed 's/^sha256://')
	if [ "$have_docker" -eq 1 ]; then
		dk import -c 'CMD ["sh"]' "$1" "$2" >/dev/null
		DM[$key]=$(dk inspect --format '{{.Id}}' "$2" | sed 's/^sha256://')
	fi
}

# ctr NAME CMD... - `create` or `run -d` on both (CMD is create's/run's args); masks the IDs as NAME
ctr() {
	local name=$1; shift
	BM[$name]=$(b "$@")
	[ "$have_docker" -eq 1 ] && DM[$name]=$(dk "$@")
	return 0
}

# mask SIDE FILE - replaces that side's IDs (full and short) by their names
mask() {
	local -n m=$1
	local k args=()
	for k in "${!m[@]}"; do
		[ -n "${m[$k]}" ] || continue
		args+=(-e "s/${m[$k]}/$k/g" -e "s/${m[$k]:0:12}/$k/g")
	done
	[ "${#args[@]}" -gt 0 ] && sed -i "${args[@]}" "$2"
	return 0
}

# sub SIDE ARG... - the args with @NAME replaced by that side's short ID
sub() {
	local -n m=$1; shift
	local a
	SUBBED=()
	for a in "$@"; do
		case $a in @*) a=${m[${a#@}]:0:12} ;; esac
		SUBBED+=("$a")
	done
}

# step [-s] ARGS... - the command on both, compared (-s: stdout sorted,
# docker's prune walks a Go map)
step() {
	local sort=0 bs ds
	[ "$1" = -s ] && { sort=1; shift; }
	sub BM "$@"; b "${SUBBED[@]}" >"$T/b.out" 2>"$T/b.err"; bs=$?
	mask BM "$T/b.out"; mask BM "$T/b.err"
	if [ "$have_docker" -eq 0 ]; then
		t_diag "berth $* -> $bs: $(cat "$T/b.out" "$T/b.err")"
		return
	fi
	sub DM "$@"; dk "${SUBBED[@]}" >"$T/d.out" 2>"$T/d.err"; ds=$?
	mask DM "$T/d.out"; mask DM "$T/d.err"
	if [ "$sort" = 1 ]; then
		sort "$T/b.out" -o "$T/b.out"
		sort "$T/d.out" -o "$T/d.out"
	fi
	sed 's/^/#   docker: /' "$T/d.out" "$T/d.err"
	t_eq "$* : exit status" "$bs" "$ds"
	t_eq "$* : stdout" "$(cat "$T/b.out")" "$(cat "$T/d.out")"
	t_eq "$* : stderr" "$(cat "$T/b.err")" "$(cat "$T/d.err")"
}

# chain_ok CHAIN - the layer and its ancestors are all in place (layerdb
# dir and driver dir)
chain_ok() {
	local c=${1#sha256:} cache
	while [ -n "$c" ]; do
		[ -d "$L/sha256/$c" ] || { t_diag "layer $c missing"; return 1; }
		cache=$(cat "$L/sha256/$c/cache-id") && [ -d "$R/overlay2/$cache/diff" ] ||
			{ t_diag "driver dir of $c missing"; return 1; }
		c=$(cat "$L/sha256/$c/parent" 2>/dev/null); c=${c#sha256:}
	done
}

# layers_ok NAME - the container's RW layer stands on layers that exist
layers_ok() {
	local id=${BM[$1]}
	chain_ok "$(cat "$L/mounts/$id/parent")"
}

# still_runs NAME - berth starts the stopped container again, it exits 0, its layers exist
still_runs() {
	t_ok "  $1's layers still exist" layers_ok "$1"
	t_ok "  $1 still starts" b start "${BM[$1]}"
	t_eq "  $1 exits 0" "$(b wait "${BM[$1]}")" "0"
}

# ------------------------------------------------------------ created, then exited

imp "$T/rootfs.tar" box:latest
ctr C1 create --name c1 box true

step rmi box
still_runs C1
step rmi @IMG_box
still_runs C1
step tag box box:two
step rmi @IMG_box
step rmi box:two
still_runs C1
step rmi box
step rmi -f box:nosuch
step rmi @IMG_box nosuch
[ "$have_docker" -eq 1 ] && { dk start c1 >/dev/null; dk wait c1 >/dev/null; }
# exited now: the same answers, and -f deletes the image but not its layers
step rmi box
step rmi @IMG_box
step rmi -f @IMG_box
still_runs C1
step images -a --format '{{.Repository}}:{{.Tag}}'
step rm c1
t_eq "rm takes the layers rmi -f left" "$(ls "$L/sha256" | grep -c '^[0-9a-f]\{64\}$')" "0"
if [ "$have_docker" -eq 1 ]; then
	t_eq "  as docker's does" "$(ls "$T/docker-rmi/root/image/overlay2/layerdb/sha256" | grep -c '^[0-9a-f]\{64\}$')" "0"
fi

# ------------------------------------------------------------ two tags, -f by name

imp "$T/rootfs.tar" box:latest
step tag box box:two
ctr C2 create --name c2 box true
step rmi -f box
still_runs C2
step rmi -f box:two
still_runs C2
step images -a --format '{{.Repository}}:{{.Tag}}'
step rm c2

# ------------------------------------------------------------ running

imp "$T/rootfs.tar" box:latest
ctr R1 run -d --name r1 box sleep 300
step rmi box
step rmi @IMG_box
step rmi -f @IMG_box
t_ok "  r1's layers still exist" layers_ok R1
step rmi -f box
t_ok "  r1's layers still exist" layers_ok R1
step images -a --format '{{.Repository}}:{{.Tag}} {{.ID}}'
step rmi @IMG_box
step rmi -f @IMG_box
step image prune -f
step image prune -a -f
t_ok "  r1's layers still exist" layers_ok R1
step images -a --format '{{.Repository}}:{{.Tag}} {{.ID}}'
step rm -f r1
step -s image prune -f

# ------------------------------------------------------------ prune -a with containers

imp "$T/rootfs.tar" box:latest
step tag box box:two
imp "$T/other.tar" other:latest
step tag other other:two
ctr C3 create --name c3 box true
ctr R2 run -d --name r2 other sleep 300
step -s image prune -a -f
still_runs C3
t_ok "  r2's layers still exist" layers_ok R2
step -s images -a --format '{{.Repository}}:{{.Tag}}'
step -s image prune -a -f
step rm -f r2
step -s image prune -a -f
still_runs C3
step rm c3
step -s image prune -a -f
step images -a --format '{{.Repository}}:{{.Tag}}'
t_eq "berth's store is empty" "$(ls "$L/sha256" | grep -c '^[0-9a-f]\{64\}$')" "0"

# ------------------------------------------------------------ a record saying Running, its monitor gone

imp "$T/rootfs.tar" box:latest
BM[K1]=$(b run -d --name k1 box sleep 300)
kill -9 "$(cat "$BERTH_EXEC_ROOT/${BM[K1]}/container.pid")" "$(cat "$BERTH_EXEC_ROOT/${BM[K1]}/monitor.pid")"
sleep 0.2
b rmi "${BM[IMG_box]:0:12}" 2>"$T/err"
t_eq "a dead monitor's container counts as stopped" "$(cat "$T/err")" \
	"Error response from daemon: conflict: unable to delete ${BM[IMG_box]:0:12} (must be forced) - image is being used by stopped container ${BM[K1]:0:12}"
t_eq "  and its record is corrected" \
	"$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["State"]["Running"])' "$R/containers/${BM[K1]}/config.v2.json")" "False"
t_ok "  rm -f removes it" b rm -f k1
b rmi box >/dev/null

# ------------------------------------------------------------ a layer below the RW layer

# two:latest has two layers: the busybox rootfs, and one file on top
mkdir -p "$T/arch" "$T/top"
echo added >"$T/top/added"
tar -C "$T/top" -cf "$T/arch/top.tar" .
cp "$T/rootfs.tar" "$T/arch/base.tar"
"$PY" - "$T/arch" <<'PY'
import hashlib, json, sys, os
d = sys.argv[1]
ids = ["sha256:" + hashlib.sha256(open(os.path.join(d, f), "rb").read()).hexdigest() for f in ("base.tar", "top.tar")]
cfg = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["cat", "/added"]},
       "created": "2020-01-01T00:00:00Z", "rootfs": {"type": "layers", "diff_ids": ids},
       "history": [{"created": "2020-01-01T00:00:00Z"}, {"created": "2020-01-01T00:00:00Z"}]}
raw = json.dumps(cfg).encode()
name = hashlib.sha256(raw).hexdigest() + ".json"
open(os.path.join(d, name), "wb").write(raw)
json.dump([{"Config": name, "RepoTags": ["two:latest"], "Layers": ["base.tar", "top.tar"]}],
          open(os.path.join(d, "manifest.json"), "w"))
base = ids[0]
top = "sha256:" + hashlib.sha256((ids[0] + " " + ids[1]).encode()).hexdigest()
open(os.path.join(d, "chains"), "w").write(base + "\n" + top + "\n")
PY
tar -C "$T/arch" -cf "$T/two.tar" manifest.json base.tar top.tar "$(cd "$T/arch" && ls ./*.json | grep -v manifest | sed 's|^\./||')"
base=$(sed -n 1p "$T/arch/chains"); top=$(sed -n 2p "$T/arch/chains")
t_ok "berth loads the two-layer image" b load -q -i "$T/two.tar"
BM[U1]=$(b create --name u1 two)
out=$(b rmi -f two)
t_eq "rmi -f deletes only the image" "$(echo "$out" | sed 's/sha256:[0-9a-f]\{64\}/ID/')" "Untagged: two:latest
Deleted: ID"
t_ok "  the layer below the RW layer survives" chain_ok "$base"
t_ok "  and the top one" chain_ok "$top"
t_ok "  u1 starts" b start u1
t_eq "  u1 exits 0" "$(b wait u1)" "0"
t_eq "  u1 read its image's top layer" "$(sed 's/.*"log":"\([^"]*\)\\n".*/\1/' "$R/containers/${BM[U1]}/${BM[U1]}-json.log")" "added"
imp "$T/rootfs.tar" box:latest
b rm u1 >/dev/null
t_ok "rm u1 takes the top layer" test ! -e "$L/sha256/${top#sha256:}"
t_ok "  and keeps the one box:latest holds" chain_ok "$base"
b rmi box >/dev/null

# ------------------------------------------------------------ dockerd's containers on berth's root

if [ "$have_docker" -eq 1 ]; then
	stop_refdocker rmi
	b import -c 'CMD ["sh"]' "$T/rootfs.tar" box:latest >/dev/null
	if DOCKERD_DATA_ROOT=$R start_refdocker onberth; then
		dk create --name dc box echo from-dc >/dev/null
		dk run -d --name dr box sleep 300 >/dev/null
		dk kill dr >/dev/null
		dk wait dr >/dev/null   # its exit recorded before dockerd stops
		stop_refdocker onberth
		b rmi box 2>"$T/err"; t_diag "$(cat "$T/err")"
		t_ok "dockerd's container blocks an untag" grep -q 'conflict: unable to remove repository reference "box" (must force) - container [0-9a-f]\{12\} is using its referenced image' "$T/err"
		t_eq "rmi -f deletes only the image" "$(b rmi -f box | sed 's/sha256:[0-9a-f]\{64\}/ID/')" "Untagged: box:latest
Deleted: ID"
		t_ok "  dockerd's containers' layers remain" chain_ok "sha256:$(sha256sum "$T/rootfs.tar" | cut -c1-64)"
		if DOCKERD_DATA_ROOT=$R start_refdocker onberth2; then
			t_eq "docker start -a runs dockerd's container" "$(dk start -a dc)" "from-dc"
			dk rm -f dc dr >/dev/null
			t_eq "  dockerd's rm takes the layers too" "$(ls "$L/sha256" | grep -c '^[0-9a-f]\{64\}$')" "0"
			stop_refdocker onberth2
		else
			t_notok "dockerd starts on berth's root again" true
		fi
	else
		t_notok "dockerd starts on berth's root" true
	fi
fi
t_done
