#!/usr/bin/env bash
# t0860-logs-stop - berth logs, stop, kill and restart beside docker 20.10,
# the same containers in each: logs (stdout and stderr apart, --tail,
# -t's timestamp format, --details, --since/--until, -f ending with the
# container), stop (SIGTERM, the stop signal, SIGKILL after the timeout:
# the statuses `wait` gives), kill and kill -s, restart (the log keeps
# both runs), and docker's texts for stopped and missing containers.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v runc >/dev/null || { t_skip "logs/stop tests" "runc not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "logs/stop tests" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "logs/stop tests" "busybox not installed"; t_done; }

R=$T/root
# manual NAME - berth's record of NAME's HasBeenManuallyStopped
manual() {
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["HasBeenManuallyStopped"])' \
		"$(grep -l "\"Name\":\"/$1\"" "$R"/containers/*/config.v2.json)"
}
export BERTH_EXEC_ROOT=$T/exec
b() { "$BERTH" --root "$R" "$@"; }

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp "$BB" "$T/rootfs/bin/busybox"
for x in sh true echo cat sleep; do ln -s busybox "$T/rootfs/bin/$x"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
t_ok "berth imports the image" b import -c 'CMD ["sh"]' "$T/rootfs.tar" bb:latest

have_docker=0
if have_dockerd && start_refdocker logs; then
	have_docker=1
	dk import -c 'CMD ["sh"]' "$T/rootfs.tar" bb:latest >/dev/null
fi

# Both engines in turn: e CMD... runs one command in each; the outputs are
# compared with container IDs masked and docker's name replaced.
mask() { sed -E 's/[0-9a-f]{64}/<ID>/g; s/docker /berth /g'; }
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

# ---- logs of an exited container
# (pauses between the lines: the two pipes' order in the log is a race otherwise)
quiet run --name e1 bb sh -c 'echo out1; sleep 0.1; echo err1 >&2; sleep 0.1; echo out2; sleep 0.1
	echo err2 >&2; sleep 0.1; printf "out3 no newline"'
same "logs" logs e1
expect "  stdout lines" "out1
out2
out3 no newline" logs e1
t_eq "  stderr lines" "$(cat "$T/b.err")" "err1
err2"
same "logs --tail 0" logs --tail 0 e1
same "logs --tail 1" logs --tail 1 e1
same "logs --tail 3" logs --tail 3 e1
same "logs --tail all" logs --tail all e1
same "logs -n 2" logs -n 2 e1
same "logs --tail=junk (all)" logs --tail=junk e1
same "logs --details" logs --details e1
same "logs --since 1h" logs --since 1h e1
same "logs --since 2000-01-01" logs --since 2000-01-01 e1
same "logs --since 2000-01-02T03:04:05Z" logs --since 2000-01-02T03:04:05Z e1
same "logs --since a future unix time" logs --since 4102444800 e1
same "logs --since a future fractional time" logs --since 4102444800.5 e1
same "logs --until 1h (nothing)" logs --until 1h e1
same "logs --until 0 (unset)" logs --until 0 e1
same "logs --until -1h (all)" logs --until -1h e1
same "logs --since garbage" logs --since garbage e1
same "logs --since 2000-13-01" logs --since 2000-13-01 e1

# -t: the timestamps differ; their format does not
e logs -t e1
ts='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z '
t_eq "logs -t: every stdout line has the fixed 9-digit stamp" \
	"$(grep -cE "$ts" "$T/b.out")" "3"
t_eq "logs -t: every stderr line has it" "$(grep -cE "$ts" "$T/b.err")" "2"
if [ "$have_docker" -eq 1 ]; then
	t_eq "logs -t: docker's stdout with the stamps masked" \
		"$(sed -E "s/$ts/TS /" "$T/b.out")" "$(sed -E "s/$ts/TS /" "$T/d.out")"
	t_eq "logs -t: docker's stderr with the stamps masked" \
		"$(sed -E "s/$ts/TS /" "$T/b.err")" "$(sed -E "s/$ts/TS /" "$T/d.err")"
fi
e logs -t --details e1
t_eq "logs -t --details: stamp, space, empty attrs, space" "$(sed -E "s/$ts/TS /" "$T/b.out" | head -1)" "TS  out1"

quiet create --name c0 bb echo never
same "logs of a created container" logs c0
same "logs -f of a created container" logs -f c0
same "stop of a created container" stop c0
same "kill of a created container" kill c0

# ---- logs -f ends with the container
quiet run -d --name f1 bb sh -c 'echo first; sleep 1; echo second >&2; sleep 1; echo third'
timeout 30 "$BERTH" --root "$R" logs -f f1 >"$T/f.out" 2>"$T/f.err"
t_eq "logs -f ends when the container exits" "$?" "0"
t_eq "  with all of stdout" "$(cat "$T/f.out")" "first
third"
t_eq "  and stderr" "$(cat "$T/f.err")" "second"
if [ "$have_docker" -eq 1 ]; then
	timeout 30 "$DOCKER_CLI" logs -f f1 >"$T/df.out" 2>"$T/df.err"
	t_eq "  docker's too" "$(cat "$T/df.out")/$(cat "$T/df.err")" "first
third/second"
fi
same "logs -f of an exited container returns" logs -f f1
same "logs -f --tail 1 of an exited container" logs -f --tail 1 f1

# ---- stop
quiet run -d --name s1 bb sleep 100
same "stop -t 1 of sleep as pid 1 (TERM ignored)" stop -t 1 s1
same "  wait: killed after the timeout" wait s1
t_eq "  HasBeenManuallyStopped" "$(manual s1)" "True"
same "stop of a stopped container prints the name" stop s1
quiet run -d --init --name s2 bb sleep 100
same "stop with --init (TERM kills sleep)" stop s2
same "  wait: 143" wait s2
quiet run -d --name s3 bb sh -c 'trap "echo got TERM; exit 3" TERM; while :; do sleep 0.1; done'
sleep 0.5
same "stop of a shell trapping TERM" stop -t 5 s3
same "  wait: the trap's status" wait s3
same "  its log" logs s3
quiet run -d --name s4 bb sh -c 'trap "" TERM; sleep 100'
same "stop -t 1 of a shell ignoring TERM" stop -t 1 s4
same "  wait: 137" wait s4
quiet run -d --name s5 --stop-signal USR1 bb sh -c 'trap "echo got USR1; exit 5" USR1; while :; do sleep 0.1; done'
sleep 0.5
same "stop with --stop-signal USR1" stop s5
same "  wait" wait s5
same "  its log" logs s5
quiet run -d --name s6 --stop-timeout 1 bb sleep 100
same "stop with --stop-timeout 1" stop s6
same "  wait" wait s6
quiet run -d --rm --name rm1 bb sleep 100
same "stop of an --rm container" stop -t 1 rm1
b logs rm1 >/dev/null 2>&1
t_eq "  berth has removed it when stop returns" "$?" "1"
same "stop -t junk" stop -t junk s6
same "stop with no argument" stop
same "stop --bogus" stop --bogus s6
same "stop -t with no value" stop -t
same "stop --time with no value" stop --time
same "logs -x" logs -x e1
same "kill -s with no value" kill -s

# ---- kill
quiet run -d --name k1 bb sleep 100
same "kill" kill k1
same "  wait: 137" wait k1
t_eq "  HasBeenManuallyStopped" "$(manual k1)" "True"
same "kill of a stopped container" kill k1
quiet run -d --name k2 bb sh -c 'trap "echo got USR2; exit 9" USR2; while :; do sleep 0.1; done'
sleep 0.5
same "kill -s USR2" kill -s USR2 k2
same "  wait" wait k2
same "  its log" logs k2
quiet run -d --name k3 bb sh -c 'trap "echo got HUP; exit 4" HUP; while :; do sleep 0.1; done'
sleep 0.5
same "kill --signal=1" kill --signal=1 k3
same "  wait" wait k3
quiet run -d --name k4 bb sleep 100
same "kill -s bogus" kill -s bogus k4
same "kill -s 0" kill -s 0 k4
same "kill -s 65" kill -s 65 k4
same "kill -s SIGKILL" kill -s SIGKILL k4
same "  wait" wait k4

# ---- restart
quiet run --name r1 bb sh -c 'echo run'
same "restart of an exited container" restart r1
same "  wait: it ran again" wait r1
t_eq "  HasBeenManuallyStopped is reset by the start" "$(manual r1)" "False"
same "  the log has both runs" logs r1
quiet run -d --name r2 bb sh -c 'echo up; trap "exit 0" TERM; while :; do sleep 0.1; done'
sleep 0.5
same "restart -t 5 of a running container" restart -t 5 r2
sleep 0.5
same "  the log has both starts" logs r2
same "  kill it" kill r2

# ---- missing containers
same "logs of a missing container" logs nosuch
same "stop of a missing container" stop nosuch
same "kill of a missing container" kill nosuch
same "restart of a missing container" restart nosuch
same "stop: names then errors" stop nosuch e1 other
same "kill: names then errors" kill nosuch k1
same "logs with no argument" logs
same "logs with two arguments" logs e1 e1

quiet rm -f c0 e1 f1 s1 s2 s3 s4 s5 s6 k1 k2 k3 k4 r1 r2
[ "$have_docker" -eq 0 ] || stop_refdocker logs
t_done
