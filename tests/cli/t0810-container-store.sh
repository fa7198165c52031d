#!/usr/bin/env bash
# t0810-container-store: berth's container store (lib/container,
# lib/store/mounts.c) on Docker 20.10's own layout, both ways, through the
# test driver build/tests/test-container (the CLI commands come later):
#   * berth creates containers (a named one, a generated name) on a root
#     with an imported busybox image; a reference dockerd started on that
#     root lists them (ps -a: name, image, command, status), inspects them
#     (Path/Args, Name, GraphDriver dirs), rewrites their records at its
#     start byte-identically, runs one (start -a prints its output) and
#     removes it leaving no dir behind;
#   * dockerd creates containers; with dockerd stopped berth reads them
#     (name, image, command, RW layer, both files round-trip byte-exact)
#     and removes one; dockerd, started again, no longer has it and still
#     runs the other.
. "$(dirname "$0")/../lib/test-lib.sh"

DRV=${BERTH_BUILD:-$TOP/build}/tests/test-container
R=$T/root
export BERTH_SRCDIR=$TOP

if ! have_dockerd; then
	t_skip "container store interop" "no dockerd"
	t_done
fi
if [ ! -x "$DRV" ]; then
	t_skip "container store interop" "no $DRV (make tests)"
	t_done
fi

drv() { "$DRV" "$@"; }

# ---- an image -----------------------------------------------------------
mkdir -p "$T/rootfs/bin"
cp /bin/busybox "$T/rootfs/bin/busybox"
for a in sh echo cat sleep true ls; do ln -s busybox "$T/rootfs/bin/$a"; done
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
t_ok "berth import of a busybox rootfs" \
	env BERTH_ROOT="$R" "$BERTH" import --change 'CMD ["sh"]' --change 'ENV PATH=/bin' "$T/rootfs.tar" bb
IMG=$(BERTH_ROOT=$R "$BERTH" images -q --no-trunc bb)

# ---- berth -> dockerd ---------------------------------------------------
ID1=$(drv create "$R" "$IMG" bb mine echo hello-from-berth 2>"$T/c1.err")
t_ok "driver creates --name mine" test -n "$ID1"
[ -n "$ID1" ] || sed 's/^/# /' "$T/c1.err"
ID2=$(drv create "$R" "$IMG" bb "" sh -c 'echo generated')
t_ok "driver creates one with a generated name" test -n "$ID2"
drv create "$R" "$IMG" bb mine true >/dev/null 2>"$T/dup.err"
t_eq "the same name again: docker's 409" "$(cat "$T/dup.err")" \
	"Error response from daemon: Conflict. The container name \"/mine\" is already in use by container \"$ID1\". You have to remove (or rename) that container to be able to reuse that name."
drv create "$R" "$IMG" bb "a b" true >/dev/null 2>"$T/bad.err"
t_eq "an invalid name: docker's 400" "$(cat "$T/bad.err")" \
	"Error response from daemon: Invalid container name (a b), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
NAME2=$(drv show "$R" "$ID2" | sed -n 's/^name \///p')
cp "$R/containers/$ID1/config.v2.json" "$T/mine.config.v2.json"
cp "$R/containers/$ID1/hostconfig.json" "$T/mine.hostconfig.json"

export DOCKERD_DATA_ROOT=$R
t_ok "dockerd starts on berth's root" start_refdocker onroot
t_eq "docker ps -a lists berth's containers" \
	"$(dk ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.Image}} {{.Command}} {{.Status}}' | sort)" \
	"$(printf '%s %s bb "echo hello-from-berth" Created\n%s %s bb "sh -c '\''echo generated'\''" Created' \
		"$ID1" mine "$ID2" "$NAME2" | sort)"
t_eq "docker inspect reads the record" \
	"$(dk inspect -f '{{.Name}} {{.Path}} {{json .Args}} {{.Image}} {{.Config.Hostname}} {{.Driver}} {{.State.Status}}' mine)" \
	"/mine echo [\"hello-from-berth\"] $IMG ${ID1:0:12} overlay2 created"
MOUNT1=$(cat "$R/image/overlay2/layerdb/mounts/$ID1/mount-id")
t_eq "  its GraphDriver is berth's RW layer" \
	"$(dk inspect -f '{{.GraphDriver.Data.UpperDir}} {{.GraphDriver.Data.WorkDir}}' mine)" \
	"$R/overlay2/$MOUNT1/diff $R/overlay2/$MOUNT1/work"
t_ok "  its LowerDir starts with the init layer" \
	bash -c '[[ "$(dk() { /usr/bin/docker "$@"; }; dk inspect -f "{{.GraphDriver.Data.LowerDir}}" mine)" == "$1/overlay2/$2-init/diff:"* ]]' _ "$R" "$MOUNT1"
t_ok "dockerd's restore rewrote config.v2.json byte-identically" \
	cmp "$T/mine.config.v2.json" "$R/containers/$ID1/config.v2.json"
t_ok "  and hostconfig.json" cmp "$T/mine.hostconfig.json" "$R/containers/$ID1/hostconfig.json"
t_eq "docker start -a runs it" "$(dk start -a mine 2>&1)" "hello-from-berth"
t_eq "docker start -a runs the other" "$(dk start -a "$NAME2" 2>&1)" "generated"
t_eq "  ps shows it exited" "$(dk ps -a --filter name=mine --format '{{.Status}}' | cut -c1-10)" "Exited (0)"
t_ok "docker rm removes it" dk rm mine
t_ok "  containers/<id> is gone" test ! -e "$R/containers/$ID1"
t_ok "  layerdb/mounts/<id> is gone" test ! -e "$R/image/overlay2/layerdb/mounts/$ID1"
t_ok "  both overlay2 dirs are gone" test ! -e "$R/overlay2/$MOUNT1" -a ! -e "$R/overlay2/$MOUNT1-init"

# ---- dockerd -> berth ---------------------------------------------------
XID=$(dk create --name xx bb echo hi)
t_ok "docker create --name xx" test -n "$XID"
YID=$(dk create --name yy -l k=v bb sh -c 'echo y-ran')
t_ok "docker run --name zz (exited)" dk run --name zz bb true
ZID=$(dk inspect -f "{{.Id}}" zz)
t_ok "dockerd stops" stop_refdocker onroot
drv show "$R" "$XID" >"$T/x.show" 2>&1
XMOUNT=$(cat "$R/image/overlay2/layerdb/mounts/$XID/mount-id")
TOP_CHAIN=$(cat "$R/image/overlay2/layerdb/mounts/$XID/parent")
t_eq "berth reads dockerd's container x" "$(cat "$T/x.show")" "$(printf '%s\n' \
	"name /xx" "image $IMG" "config.image bb" "path echo" 'args ["hi"]' "started 0" "exit 0" \
	"mount-id $XMOUNT" "init-id $XMOUNT-init" "parent $TOP_CHAIN" \
	"roundtrip config.v2.json same" "roundtrip hostconfig.json same")"
t_eq "  the parent is the image's top layer" "$TOP_CHAIN" \
	"sha256:$(ls "$R/image/overlay2/layerdb/sha256" | head -1)"
t_ok "  dockerd's init layer has berth's entries" bash -c \
	'cd "$1/overlay2/$2-init/diff" && find . | LC_ALL=C sort | tr "\n" " " | grep -qx ". ./.dockerenv ./dev ./dev/console ./dev/pts ./dev/shm ./etc ./etc/hostname ./etc/hosts ./etc/mtab ./etc/resolv.conf ./proc ./sys "' \
	_ "$R" "$XMOUNT"
t_ok "berth reads dockerd's exited z (both files round-trip)" bash -c \
	'"$1" show "$2" "$3" | grep -c "same" | grep -qx 2' _ "$DRV" "$R" "$ZID"
t_ok "berth reads y (labels, sh -c)" bash -c '"$1" show "$2" "$3" | grep -qx "args \[\"-c\",\"echo y-ran\"\]"' _ "$DRV" "$R" "$YID"
t_ok "berth removes x" drv rm "$R" "$XID"
t_ok "  no dir of x is left" test ! -e "$R/containers/$XID" -a ! -e "$R/image/overlay2/layerdb/mounts/$XID" \
	-a ! -e "$R/overlay2/$XMOUNT" -a ! -e "$R/overlay2/$XMOUNT-init"
t_ok "dockerd starts again" start_refdocker onroot
t_eq "  x is gone, y and z are there" "$(dk ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$NAME2" yy zz | sort | tr '\n' ' ')"
t_eq "  y runs" "$(dk start -a yy 2>&1)" "y-ran"
t_ok "  dockerd removes the rest" dk rm yy zz "$NAME2"
t_ok "dockerd stops" stop_refdocker onroot
t_ok "nothing of any container is left" bash -c \
	'[ -z "$(ls -A "$1/containers")" ] && [ -z "$(ls -A "$1/image/overlay2/layerdb/mounts")" ] && [ "$(ls "$1/overlay2" | grep -vc "^l$")" = 1 ]' _ "$R"
t_done
