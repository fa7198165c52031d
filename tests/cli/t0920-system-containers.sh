#!/usr/bin/env bash
# t0920-system-containers - what `system df`, `info` and `system prune`
# say about containers, beside docker 20.10, with the same containers in
# each: created, running and exited ones that wrote files in their RW
# layers (the Containers row, its sizes and reclaimable share, the -v
# table, images' CONTAINERS and ACTIVE), info's counts, then system prune
# (its prompt, filters and their errors, -f, -a) and what df says after.
# IDs are masked, and ages too, with the column padding they set (the
# engines run a moment apart); sizes are compared as they are.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v runc >/dev/null || { t_skip "system container tests" "runc not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "system container tests" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "system container tests" "busybox not installed"; t_done; }

R=$T/root
export BERTH_EXEC_ROOT=$T/exec
b() { "$BERTH" --root "$R" "$@"; }

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/spare"
cp "$BB" "$T/rootfs/bin/busybox"
for x in sh true echo cat sleep head; do ln -s busybox "$T/rootfs/bin/$x"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
head -c 30000 /dev/urandom >"$T/spare/blob"
tar -C "$T/spare" -cf "$T/spare.tar" .
have_docker=0
if have_dockerd && start_refdocker sys; then
	have_docker=1
fi
# a second apart: df lists images of one second in no fixed order
t_ok "berth imports the images" b import -c 'CMD ["sh"]' "$T/rootfs.tar" box:latest
[ "$have_docker" -eq 0 ] || dk import -c 'CMD ["sh"]' "$T/rootfs.tar" box:latest >/dev/null
sleep 1
t_ok "  and the spare one" b import "$T/spare.tar" spare:latest
[ "$have_docker" -eq 0 ] || dk import "$T/spare.tar" spare:latest >/dev/null

# IDs (64 and 12 hex) masked; docker's name replaced.
mask() { sed -E 's/[0-9a-f]{64}/<ID>/g; s/\b[0-9a-f]{12}\b/<ID12>/g; s/docker /berth /g'; }
# ages too ("2 seconds ago", "Up 3 seconds"), then the padding they set.
loose() {
	mask | sed -E 's/(Less than a second|About a minute|About an hour|[0-9]+ (seconds?|minutes?|hours?))/AGE/g;
		s/   +/   /g; s/ +$//'
}
e() {
	b "$@" <"${STDIN:-/dev/null}" >"$T/b.out" 2>"$T/b.err"; echo $? >"$T/b.rc"
	[ "$have_docker" -eq 1 ] || return 0
	dk "$@" <"${STDIN:-/dev/null}" >"$T/d.out" 2>"$T/d.err"; echo $? >"$T/d.rc"
}
# same DESC CMD... - status, stdout and stderr compared, IDs masked.
same() {
	local desc=$1; shift
	e "$@"
	if [ "$have_docker" -eq 0 ]; then
		t_ok "$desc: berth runs (status $(cat "$T/b.rc"))" true
		return
	fi
	t_eq "$desc: exit status" "$(cat "$T/b.rc")" "$(cat "$T/d.rc")"
	t_eq "$desc: stdout" "$(mask <"$T/b.out")" "$(mask <"$T/d.out")"
	t_eq "$desc: stderr" "$(mask <"$T/b.err")" "$(mask <"$T/d.err")"
}
# table DESC CMD... - as same, but ages and their padding are masked
# when the two outputs differ only there.
table() {
	local desc=$1; shift
	e "$@"
	if [ "$have_docker" -eq 0 ]; then
		t_ok "$desc: berth runs (status $(cat "$T/b.rc"))" true
		return
	fi
	t_eq "$desc: exit status" "$(cat "$T/b.rc")" "$(cat "$T/d.rc")"
	if [ "$(mask <"$T/b.out")" = "$(mask <"$T/d.out")" ]; then
		t_ok "$desc: stdout (exactly)" true
	else
		t_eq "$desc: stdout (ages masked)" "$(loose <"$T/b.out")" "$(loose <"$T/d.out")"
	fi
	t_eq "$desc: stderr" "$(mask <"$T/b.err")" "$(mask <"$T/d.err")"
}
quiet() { b "$@" >/dev/null 2>&1; [ "$have_docker" -eq 0 ] || dk "$@" >/dev/null 2>&1; }

# ---- nothing yet but images
table "system df with no containers" system df
table "system df -v with no containers" system df -v
same "info's counts with no containers" info --format '{{.Containers}} {{.ContainersRunning}} {{.ContainersPaused}} {{.ContainersStopped}}'

# ---- containers in every state, with files in their layers
quiet run --name wrote box sh -c 'head -c 5000 /dev/zero >/big; echo hi >/small'
quiet run --name labelled --label keep=1 box sh -c 'head -c 1234567 /dev/zero >/mid'
quiet run -d --name up box sh -c 'head -c 100000 /dev/zero >/f; exec sleep 1000'
quiet create --name fresh box echo never
quiet create --name quoted box echo 'say "hi"' "$(printf 'tab\there')"
quiet create --name spare-user spare:latest sh
quiet rm spare-user
# a dangling image: wrote's layer committed without a name
quiet commit wrote
sleep 1

table "system df" system df
table "system df -v" system df -v
b system df >"$T/df"
t_eq "  the Containers row counts 5, 1 active" "$(awk '$1 == "Containers" { print $2, $3 }' "$T/df")" "5 1"
t_eq "  its size is the RW layers' sum" "$(awk '$1 == "Containers" { print $4 }' "$T/df")" "1.34MB"
b system df -v >"$T/dfv"
t_eq "  box's CONTAINERS column" "$(awk '$1 == "box" { print $NF }' "$T/dfv")" "5"
t_eq "  a command cut at 20 and quoted as Go quotes it" "$(grep -o '"echo .*…"' "$T/dfv")" \
	'"echo '"'"'say \"hi\"'"'"' tab…"'
t_eq "  spare's CONTAINERS column" "$(awk '$1 == "spare" { print $NF }' "$T/dfv")" "0"

e info
grep -E '^ (Containers|Images):|^  (Running|Paused|Stopped):' "$T/b.out" >"$T/b.counts"
t_eq "info: the counts" "$(cat "$T/b.counts")" " Containers: 5
  Running: 1
  Paused: 0
  Stopped: 4
 Images: 3"
[ "$have_docker" -eq 0 ] || t_eq "info: docker's counts" "$(cat "$T/b.counts")" \
	"$(grep -E '^ (Containers|Images):|^  (Running|Paused|Stopped):' "$T/d.out")"
same "info --format the counts" info --format '{{.Containers}} {{.ContainersRunning}} {{.ContainersPaused}} {{.ContainersStopped}}'
same "info --format json's counts" info --format '{{json .Containers}}{{json .ContainersStopped}}'

# ---- system prune: prompts, flags and filter errors (nothing removed)
STDIN=$T/no; echo n >"$STDIN"
same "system prune, declined" system prune
same "system prune -a --volumes, declined" system prune -a --volumes
same "system prune --filter ..., declined" system prune --filter label=a=b --filter until=10m \
	--filter 'label!=c' --filter label=a=b --filter until=2m
echo y >"$STDIN"
same "system prune, answered y, with filters that keep everything" system prune --filter label=nosuch
unset STDIN
same "system prune --help" system prune --help
same "system prune with an argument" system prune -f x
same "system prune --filter without =" system prune -f --filter x
same "system prune --filter with no value" system prune -f --filter
same "system prune --bogus" system prune -f --bogus
same "system prune --filter bogus=1" system prune -f --filter bogus=1
same "system prune --volumes --filter until" system prune -f --volumes --filter until=1h
same "system prune: two untils" system prune -f --filter until=1h --filter until=2h
same "system prune: a bad until" system prune -f --filter until=10s10
same "system prune: a date until (the build cache refuses it last)" system prune -f --filter until=2000-01-01
same "system prune: until a future date" system prune -f --filter until=3000-01-01 --filter label=nosuch
table "  nothing went" system df

# ---- system prune for real
same "system prune -f --filter label=keep=1" system prune -f --filter label=keep=1
same "system prune -f" system prune -f
table "  system df after" system df
table "  system df -v after" system df -v
e ps -a --format '{{.Names}}'
t_eq "  only the running container is left" "$(cat "$T/b.out")" "up"
same "system prune -a -f" system prune -a -f
table "  system df after -a" system df
e images --format '{{.Repository}}'
t_eq "  the running container's image is kept" "$(cat "$T/b.out")" "box"
# --volumes: unused volumes go (named ones too, in 20.10), used ones stay;
# label filters apply to them as well
quiet volume create scratch
quiet volume create --label keep=1 kept
quiet run -d --name withvol -v busy:/data box sleep 300
same "system prune -f --volumes --filter label!=keep=1" system prune -f --volumes --filter 'label!=keep=1'
e volume ls -q
t_eq "  the labelled and the used volume stay" "$(sort "$T/b.out" | tr '\n' ' ')" "busy kept "
quiet rm -f withvol
quiet volume rm kept
same "system prune -a -f --volumes, the used volume unused now" system prune -a -f --volumes
same "system prune -a -f with nothing left to remove" system prune -a -f --volumes
same "  info after" info --format '{{.Containers}} {{.ContainersRunning}} {{.ContainersPaused}} {{.ContainersStopped}}'

quiet rm -f up
same "system prune -a -f, the last container gone" system prune -a -f
table "  system df at the end" system df
[ "$have_docker" -eq 0 ] || stop_refdocker sys
t_done
