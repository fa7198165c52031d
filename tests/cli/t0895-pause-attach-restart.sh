#!/usr/bin/env bash
# t0895-pause-attach-restart - berth pause/unpause, attach (and start -a/-i)
# and restart policies beside docker 20.10, the same containers in each:
# pause's and unpause's texts, ps's "(Paused)" and status=paused, inspect's
# "paused"; stop, kill, kill -s, rm -f and restart of a paused container;
# attach's exit status and errors; on-failure:N, always and unless-stopped
# (RestartCount, the last exit code, the runs in the log, a stop ending the
# loop).  States are polled with timeouts; no timing is asserted.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v runc >/dev/null || { t_skip "pause/attach/restart tests" "runc not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "pause/attach/restart tests" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "pause/attach/restart tests" "busybox not installed"; t_done; }

R=$T/root
export BERTH_EXEC_ROOT=$T/exec
b() { "$BERTH" --root "$R" "$@"; }

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp "$BB" "$T/rootfs/bin/busybox"
for x in sh true echo cat sleep; do ln -s busybox "$T/rootfs/bin/$x"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
t_ok "berth imports the image" b import -c 'CMD ["sh"]' "$T/rootfs.tar" box:latest

have_docker=0
if have_dockerd && start_refdocker pause; then
	have_docker=1
	dk import -c 'CMD ["sh"]' "$T/rootfs.tar" box:latest >/dev/null
fi

# Both engines in turn: e CMD... runs one command in each; the outputs are
# compared with container IDs and ages masked and docker's name replaced.
mask() {
	sed -E 's/[0-9a-f]{64}/<ID>/g; s/docker /berth /g; s/(Less than a second|[0-9]+ seconds?|About a minute|[0-9]+ minutes)/<AGE>/g'
}
e() {
	b "$@" >"$T/b.out" 2>"$T/b.err"; echo $? >"$T/b.rc"
	mask <"$T/b.out" >"$T/b.out.m"; mask <"$T/b.err" >"$T/b.err.m"
	[ "$have_docker" -eq 1 ] || return 0
	dk "$@" >"$T/d.out" 2>"$T/d.err"; echo $? >"$T/d.rc"
	mask <"$T/d.out" >"$T/d.out.m"; mask <"$T/d.err" >"$T/d.err.m"
}
# same DESC CMD... - e, then status, stdout and stderr compared.
same() {
	local desc=$1; shift
	e "$@"
	if [ "$have_docker" -eq 0 ]; then
		t_ok "$desc: berth runs (status $(cat "$T/b.rc"))" true
		return
	fi
	t_eq "$desc: exit status" "$(cat "$T/b.rc")" "$(cat "$T/d.rc")"
	t_ok "$desc: stdout" cmp -s "$T/b.out.m" "$T/d.out.m" || diff "$T/b.out.m" "$T/d.out.m" | head -5
	t_ok "$desc: stderr" cmp -s "$T/b.err.m" "$T/d.err.m" || diff "$T/b.err.m" "$T/d.err.m" | head -5
}
# quiet CMD... - run in both, outputs ignored (set-up steps).
quiet() { b "$@" >/dev/null 2>&1; [ "$have_docker" -eq 0 ] || dk "$@" >/dev/null 2>&1; }
# expect DESC WANT CMD... - berth's stdout is WANT, and docker's too.
expect() {
	local desc=$1 want=$2; shift 2
	e "$@"
	t_eq "$desc" "$(cat "$T/b.out.m")" "$want"
	[ "$have_docker" -eq 0 ] || t_eq "$desc (docker)" "$(cat "$T/d.out.m")" "$want"
}
# settle NAME FORMAT WANT - polls (up to 20 s) until inspect -f FORMAT of
# NAME prints WANT, in each engine; then the same compared.
settle() {
	local name=$1 fmt=$2 want=$3 i
	for i in $(seq 200); do [ "$(b inspect -f "$fmt" "$name" 2>&1)" = "$want" ] && break; sleep 0.1; done
	if [ "$have_docker" -eq 1 ]; then
		for i in $(seq 200); do [ "$(dk inspect -f "$fmt" "$name" 2>&1)" = "$want" ] && break; sleep 0.1; done
	fi
	expect "  $name settles: $fmt" "$want" inspect -f "$fmt" "$name"
}

# ---- pause, unpause
quiet run -d --name p1 box sleep 1000
quiet create --name c1 box
same "pause" pause p1
same "pause of a paused container" pause p1
expect "  ps: Up (Paused)" "Up <AGE> (Paused) paused" ps -a -f name=p1 --format '{{.Status}} {{.State}}'
expect "  ps -f status=paused" "p1" ps -a -f status=paused --format '{{.Names}}'
expect "  ps -f status=running" "" ps -a -f status=running -f name=p1 --format '{{.Names}}'
expect "  inspect" "paused true true" inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' p1
same "rm of a paused container" rm p1
same "start of a paused container" start p1
same "unpause" unpause p1
same "unpause of a running container" unpause p1
expect "  ps: Up" "Up <AGE> running" ps -a -f name=p1 --format '{{.Status}} {{.State}}'
same "pause of a created container" pause c1
same "unpause of a created container" unpause c1
same "pause of a missing container" pause nosuch
same "pause: names then errors" pause p1 nosuch p1
same "unpause: names then errors" unpause nosuch p1 c1
same "pause with no argument" pause
same "pause with a bad flag" pause -x p1
same "stop -t 1 of a paused container" stop -t 1 p1
expect "  exited" "Exited (137) <AGE> ago exited" ps -a -f name=p1 --format '{{.Status}} {{.State}}'
quiet start p1
quiet pause p1
same "kill of a paused container" kill p1
expect "  exited" "Exited (137) <AGE> ago exited" ps -a -f name=p1 --format '{{.Status}} {{.State}}'
quiet start p1
quiet pause p1
same "kill -s USR1 of a paused container (docker resumes it)" kill -s USR1 p1
expect "  running, not paused" "running false" inspect -f '{{.State.Status}} {{.State.Paused}}' p1
quiet pause p1
same "restart -t 1 of a paused container" restart -t 1 p1
expect "  running, not paused" "running false" inspect -f '{{.State.Status}} {{.State.Paused}}' p1
quiet pause p1
same "rm -f of a paused container" rm -f p1
same "  gone" ps -a -q -f name=p1
same "container pause / unpause" container pause nosuch

quiet rm -f p1 c1
[ "$have_docker" -eq 0 ] || stop_refdocker pause
t_done
