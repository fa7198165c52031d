#!/usr/bin/env bash
# t0520-rmi-prune-df: berth rmi / image rm / image prune / system df against
# the reference dockerd 20.10.  Both pull the same images from one test
# registry; every command form then runs on both, and the outputs (stdout,
# stderr, exit status) must be identical byte for byte, and afterwards both
# stores must hold the same layerdb chain IDs, imagedb IDs and names.
# Docker parts are skipped when dockerd is not installed.
. "$(dirname "$0")/../lib/test-lib.sh"

B=$T/berth
IMG=image/overlay2

# store_state ROOT - what is left in a store: chain IDs, image IDs, names, driver dirs
store_state() {
	local r=$1/$IMG
	echo "layers:"; ls "$r/layerdb/sha256" | grep -v -- '-removing$' | sort
	echo "images:"; ls "$r/imagedb/content/sha256" | sort
	echo "refs:"; jq -S -c . "$r/repositories.json"
	echo "driver dirs: $(ls "$1/overlay2" | grep -c '^[0-9a-f]\{64\}$')"
	echo "links: $(ls "$1/overlay2/l" | wc -l)"
}

# run_one OUTDIR CMD... - runs CMD with stdin from $STDIN (default /dev/null)
run_one() {
	local d=$1; shift
	"$@" <"${STDIN:-/dev/null}" >"$d.out" 2>"$d.err"
	echo "$?" >"$d.rc"
}

# both [-s] ARGS... - the same command on berth and docker; -s sorts stdout
# (docker's image prune walks a Go map and system df sorts equal dates in
# no fixed order).
both() {
	local sort=0
	[ "$1" = -s ] && { sort=1; shift; }
	run_one "$T/b" berth "$@"
	run_one "$T/d" dk "$@"
	if [ "$sort" = 1 ]; then
		sort "$T/b.out" -o "$T/b.out"
		sort "$T/d.out" -o "$T/d.out"
	fi
	t_eq "$* : exit status" "$(cat "$T/b.rc")" "$(cat "$T/d.rc")"
	t_eq "$* : stdout" "$(cat "$T/b.out")" "$(cat "$T/d.out")"
	t_eq "$* : stderr" "$(cat "$T/b.err")" "$(cat "$T/d.err")"
	cmp -s "$T/b.out" "$T/d.out" || diff "$T/b.out" "$T/d.out" | head -20 | sed 's/^/#   /'
	head -n 12 "$T/d.out" "$T/d.err" 2>/dev/null | sed 's/^/#   /'
	t_eq "  stores agree after: $*" "$(store_state "$B")" "$(store_state "$DROOT")"
}

pull_both() {
	local r
	for r in "$@"; do
		berth pull -q "$r" >/dev/null 2>&1 || { echo "berth pull $r failed"; return 1; }
		dk pull -q "$r" >/dev/null 2>&1 || { echo "docker pull $r failed"; return 1; }
	done
}

# ------------------------------------------------------------ setup

t_ok "registry starts" start_registry main || t_done
t_ok "test images build and push" push_test_images || t_done
berth_cfg
R=$REGISTRY
DIG_BB=$(manifest_digest "$R" library/busybox latest)
DIG_OCI=$(manifest_digest "$R" test/edge oci)
DIG_MULTI=$(manifest_digest "$R" test/edge multi)
ID_BB=$(test_image_id busybox)
ID_CHILD=$(test_image_id bbchild)
ID_OCI=$(test_image_id edge-oci)

# ------------------------------------------------------------ berth alone

# An interrupted deletion leaves a -removing dir; the next run finishes it.
t_ok "berth pull busybox" berth pull -q busybox
CACHE=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
RM=$B/$IMG/layerdb/sha256/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210-0000000000000000000000000000000000000000000000000000000000000000-removing
mkdir -p "$RM" "$B/overlay2/$CACHE/diff"
printf %s "$CACHE" >"$RM/cache-id"
printf %s LEFTOVERLINKAAAAAAAAAAAAAA >"$B/overlay2/$CACHE/link"
ln -s "../$CACHE/diff" "$B/overlay2/l/LEFTOVERLINKAAAAAAAAAAAAAA"
berth rmi nosuch >/dev/null 2>&1
t_ok "leftover -removing layer dir finished" test ! -e "$RM" -a ! -e "$B/overlay2/$CACHE" -a ! -L "$B/overlay2/l/LEFTOVERLINKAAAAAAAAAAAAAA"
t_ok "berth rmi busybox" berth rmi busybox
t_eq "  store empty again" "$(ls "$B/$IMG/layerdb/sha256" "$B/$IMG/imagedb/content/sha256" | grep -c '^[0-9a-f]')" 0
t_eq "  no driver dirs left" "$(ls "$B/overlay2" | grep -v '^l$' | wc -l) $(ls "$B/overlay2/l" | wc -l)" "0 0"

# ------------------------------------------------------------ against docker

if ! have_dockerd; then
	t_skip "comparison with dockerd" "dockerd not installed"
	t_done
fi
refdocker_cfg ref "{\"registry-mirrors\":[\"http://$R\"],\"insecure-registries\":[\"$R\"]}"
t_ok "reference dockerd starts" start_refdocker ref || t_done
DROOT=$T/docker-ref/root

t_ok "both pull the test images" pull_both busybox "$R/library/busybox" "$R/test/bbchild" \
	"$R/test/edge:oci" "$R/test/edge:zstd" "$R/test/edge:latest" "$R/test/edge@$DIG_OCI"
t_eq "stores agree after the pulls" "$(store_state "$B")" "$(store_state "$DROOT")"

both -s system df -v
both system df
both rmi nosuch
both rmi -f nosuch
both rmi nosuch Busybox busybox:nope "sha256:${ID_BB:7:6}" "${ID_BB:7}0"
both rmi "${ID_BB:7:12}"                       # two repositories: conflict
both image rm "$ID_OCI"                         # two tags: conflict
both rmi "$R/test/edge:zstd"                    # other tag remains: untag only
both rmi "$R/test/edge:oci"                     # last tag: digests untagged, image deleted
both rmi busybox                                # other repository remains
both rmi -f "${ID_CHILD:7:12}"                  # shares its base layer with busybox
both rmi "$R/library/busybox@$DIG_BB"           # by digest: untag only
both rmi --no-prune "$R/library/busybox" "${ID_BB:7:8}"
both system df
t_ok "both pull again" pull_both busybox "$R/test/bbchild" "$R/test/edge@$DIG_MULTI" "$R/test/edge:oci"
both image prune -f                             # the digest-only image is dangling
STDIN=$T/no; echo n >"$STDIN"
both image prune -a
STDIN=$T/yes; echo y >"$STDIN"
both image prune --filter until=2000-01-01T00:00:00Z
unset STDIN
both image prune -a -f --filter label=nosuchlabel
both image prune -f --filter nosuch=1
both -s image prune -a -f
both image rm "$ID_OCI"
both system df
both system df -v

t_done
