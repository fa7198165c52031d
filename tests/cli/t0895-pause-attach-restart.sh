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
	sed -E 's/[0-9a-f]{64}/<ID>/g; s/docker /berth /g; s/^docker:/berth:/; s/(Less than a second|[0-9]+ seconds?|About a minute|[0-9]+ minutes)/<AGE>/g'
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
expect "  info counts it" "2 0 1 1" info -f '{{.Containers}} {{.ContainersRunning}} {{.ContainersPaused}} {{.ContainersStopped}}'
expect "  inspect" "paused true true" inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' p1
same "rm of a paused container" rm p1
same "start of a paused container" start p1
same "unpause" unpause p1
same "unpause of a running container" unpause p1
expect "  ps: Up" "Up <AGE> running" ps -a -f name=p1 --format '{{.Status}} {{.State}}'
same "pause of a created container" pause c1
same "unpause of a created container" unpause c1
same "pause of a missing container" pause nosuch
# (not the same name twice: docker's parallelOperation then races)
same "pause: names then errors" pause c1 nosuch p1
same "unpause: names then errors" unpause nosuch p1 c1
same "pause with no argument" pause
same "pause with a bad flag" pause -x p1
# commit's --pause is a pflag bool: -p=false, --pause=0, and a bad value
same "commit --pause=bogus" commit --pause=bogus p1 pz:1
same "commit -p=bogus" commit -p=bogus p1 pz:1
e commit -p=false p1 pz:2
t_eq "  commit -p=false commits (status 0)" "$(cat "$T/b.rc")" 0
e commit --pause=0 p1 pz:3
t_eq "  commit --pause=0 commits (status 0)" "$(cat "$T/b.rc")" 0
quiet pause p1
expect "  paused" "paused" inspect -f '{{.State.Status}}' p1
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

# ---- attach, start -a / -i
same "attach to a missing container" attach nosuch
same "attach to a created container" attach c1
same "attach with no argument" attach
same "attach with two arguments" attach c1 c1
same "attach --sig-proxy=maybe" attach --sig-proxy=maybe c1
same "attach --help" attach --help
quiet run -dit --name t1 box sh
same "attach to a tty container, stdin not a tty" attach t1 </dev/null
quiet run -d --name a2 box sh -c 'sleep 1; echo out; echo err >&2; exit 4'
same "attach: the output and the exit status" attach a2
same "attach to an exited container" attach a2
quiet create --name a3 box sh -c 'echo hello; echo bye >&2; exit 5'
same "start -a: the output and the exit status" start -a a3
same "start -a of two containers" start -a a3 a2
same "start -a of a missing container" start -a nosuch
quiet create --name a4 box nosuchcmd
e start -a a4
# (docker's client also logs "error waiting for container: context canceled")
t_eq "start -a of a command not found: exit status" "$(cat "$T/b.rc")" "$( [ "$have_docker" -eq 1 ] && cat "$T/d.rc" || echo 1)"
[ "$have_docker" -eq 0 ] || t_eq "  the start error" "$(grep -v 'level=error' "$T/b.err.m")" \
	"$(grep -v 'level=error' "$T/d.err.m")"
quiet create -i --name a5 box cat
t_eq "start -i: stdin in, the output out" "$(b start -i a5 <<<"piped line"; echo "rc=$?")" "piped line
rc=0"
[ "$have_docker" -eq 0 ] || t_eq "  docker" "$(dk start -i a5 <<<"piped line"; echo "rc=$?")" "piped line
rc=0"
quiet run -d --name s1 box sh -c 'trap "echo got USR1; exit 9" USR1; while :; do sleep 0.1; done'
# sigproxy KILLER PROGRAM ARGS... - attach in the background, USR1 to the
# client once it has had a second to set up, then KILLER (kill s1 in the
# client's engine, for a client that ignored the USR1) a second later
sigproxy() {
	local p killer=$1; shift
	"$@" >"$T/sp.out" 2>&1 & p=$!
	sleep 1
	kill -USR1 $p
	sleep 1
	[ -d /proc/$p ] && $killer kill s1 >/dev/null
	wait $p; echo "rc=$? $(cat "$T/sp.out")"
}
t_eq "attach forwards a signal (--sig-proxy)" "$(sigproxy b "$BERTH" --root "$R" attach s1)" "rc=9 got USR1"
[ "$have_docker" -eq 0 ] || t_eq "  docker" "$(sigproxy dk "$DOCKER_CLI" attach s1)" "rc=9 got USR1"
quiet start s1
t_eq "attach --sig-proxy=false: the client ignores it, the container's kill ends it" \
	"$(sigproxy b "$BERTH" --root "$R" attach --sig-proxy=false s1)" "rc=137 "
[ "$have_docker" -eq 0 ] || t_eq "  docker" "$(sigproxy dk "$DOCKER_CLI" attach --sig-proxy=false s1)" "rc=137 "
if command -v script >/dev/null; then
	# ttyattach ENGINE OUT - attach to t1 through a pty: a command, then
	# ctrl-p ctrl-q; what the terminal shows into OUT
	ttyattach() {
		(sleep 1; printf 'echo hi\n'; sleep 0.5; printf '\020\021'; sleep 1) |
			script -qfc "$1 attach t1; echo rc=\$?" /dev/null >"$2"
	}
	ttyattach "$BERTH --root $R" "$T/tty.b"
	t_ok "attach -t: detached by ctrl-p ctrl-q (read escape sequence, status 1)" \
		grep -q 'read escape sequence.rc=1.$' <<<"$(tr -d '\n' <"$T/tty.b" | tr '\r' '\n' | tail -2 | tr '\n' .)"
	if [ "$have_docker" -eq 1 ]; then
		ttyattach "$DOCKER_CLI -H $DOCKER_HOST" "$T/tty.d"
		t_ok "  the same bytes as docker's" cmp "$T/tty.b" "$T/tty.d"
	fi
	expect "  the container runs on" "running" inspect -f '{{.State.Status}}' t1
	ttyexit() {
		(sleep 1; printf 'exit 7\n'; sleep 1) | script -qfc "$1 attach t1; echo rc=\$?" /dev/null | tr -d '\r'
	}
	t_eq "attach -t: the shell's exit status" "$(ttyexit "$BERTH --root $R" | tail -1)" "rc=7"
	[ "$have_docker" -eq 0 ] || t_eq "  docker" "$(ttyexit "$DOCKER_CLI -H $DOCKER_HOST" | tail -1)" "rc=7"
	# run -it through a pty: the same streamer, detached with status 0
	ttyrun() {
		(sleep 1; printf 'echo hi\n'; sleep 0.5; printf '\020\021'; sleep 1) |
			script -qfc "$1 run -it --name rt1 box sh; echo rc=\$?" /dev/null >"$2"
	}
	ttyrun "$BERTH --root $R" "$T/ttyrun.b"
	# (the shell's start races the typed line: the bytes are not compared)
	ttyend() { tr -d '\r' <"$1" | grep -oE '^hi$|rc=[0-9]+$'; }
	t_eq "run -it: the command ran, then detached by ctrl-p ctrl-q (status 0)" "$(ttyend "$T/ttyrun.b")" "hi
rc=0"
	if [ "$have_docker" -eq 1 ]; then
		ttyrun "$DOCKER_CLI -H $DOCKER_HOST" "$T/ttyrun.d"
		t_eq "  docker" "$(ttyend "$T/ttyrun.d")" "hi
rc=0"
	fi
	expect "  the container runs on" "running" inspect -f '{{.State.Status}}' rt1
else
	t_skip "attach through a pty" "script not installed"
fi
# run forwards a signal to its container (--sig-proxy, the default)
runint() {
	local p
	"$@" run --name ri1 box sh -c 'trap "echo got INT; exit 4" INT; while :; do sleep 0.1; done' >"$T/ri.out" 2>&1 &
	p=$!
	sleep 1
	kill -INT $p; wait $p; echo "rc=$? $(cat "$T/ri.out")"
}
t_eq "run forwards SIGINT to the container" "$(runint "$BERTH" --root "$R")" "rc=4 got INT"
[ "$have_docker" -eq 0 ] || t_eq "  docker" "$(runint "$DOCKER_CLI")" "rc=4 got INT"

# ---- restart policies
for r in always:3 foo on-failure:-1 unless-stopped:1 no:1; do
	same "create --restart $r" create --restart $r box
done
same "run --restart foo" run --restart foo box
same "create with a bad name (create's plain error)" create --name 'a b' box
# until_both COND-FORMAT WANT NAME - polls (up to 30 s) each engine until
# inspect -f COND-FORMAT NAME prints WANT; no output compared
until_both() {
	local fmt=$1 want=$2 name=$3 i
	for i in $(seq 300); do [ "$(b inspect -f "$fmt" "$name" 2>&1)" = "$want" ] && break; sleep 0.1; done
	[ "$have_docker" -eq 0 ] && return
	for i in $(seq 300); do [ "$(dk inspect -f "$fmt" "$name" 2>&1)" = "$want" ] && break; sleep 0.1; done
}
quiet run -d --name f1 --restart on-failure:2 box sh -c 'echo run; exit 3'
settle f1 '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}} {{.State.Restarting}}' "exited 2 3 false"
same "  on-failure:2: the log has the 3 runs" logs f1
quiet run -d --name f2 --restart on-failure box sh -c 'echo ok'
settle f2 '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' "exited 0 0"
quiet run -d --name f3 --restart on-failure:1 box sh -c 'echo once; exit 1'
settle f3 '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' "exited 1 1"
same "start of it again: RestartCount from 0 again" start f3
settle f3 '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' "exited 1 1"
same "  the log has the 4 runs" logs f3

# always: restarting between runs, with a growing backoff; a stop ends it
quiet run -d --name w1 --restart always box sh -c 'echo up; exit 1'
until_both '{{.State.Restarting}} {{ge .RestartCount 3}}' "true true" w1
expect "  always: ps shows it restarting" "Restarting (1) <AGE> ago restarting" \
	ps -f name=w1 --format '{{.Status}} {{.State}}'
expect "  inspect" "restarting true true 0" inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Restarting}} {{.State.Pid}}' w1
same "  rm of a restarting container" rm w1
same "  pause of a restarting container" pause w1
same "  attach to a restarting container" attach w1
same "  stop of a restarting container" stop w1
settle w1 '{{.State.Status}} {{.State.Restarting}} {{.State.ExitCode}}' "exited false 1"
n1=$(b inspect -f '{{.RestartCount}}' w1); sleep 1.5
t_eq "  it stays stopped" "$(b inspect -f '{{.State.Status}} {{.RestartCount}}' w1)" "exited $n1"
quiet run -d --name w2 --restart always box sh -c 'echo up; trap "exit 0" TERM; while :; do sleep 0.1; done'
until_both '{{.State.Running}} {{.State.Pid}}' "true $(b inspect -f '{{.State.Pid}}' w2)" w2
sleep 0.5
same "always: stop of a running container" stop w2
settle w2 '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' "exited 0 0"
sleep 1
expect "  it stays stopped" "exited 0" inspect -f '{{.State.Status}} {{.RestartCount}}' w2
same "  start" start w2
settle w2 '{{.State.Status}} {{.RestartCount}}' "running 0"
same "  kill" kill w2
settle w2 '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' "exited 0 137"
quiet start w2
settle w2 '{{.State.Status}} {{.RestartCount}}' "running 0"
same "  kill -s TERM (a stop's signal: no restart)" kill -s TERM w2
settle w2 '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' "exited 0 0"
quiet run -d --name w3 --restart always box sh -c 'exit 1'
until_both '{{ge .RestartCount 2}}' "true" w3
same "  rm -f of a restarting container" rm -f w3
same "  gone" ps -a -q -f name=w3

# unless-stopped
quiet run -d --name u1 --restart unless-stopped box sh -c 'echo u; exit 2'
until_both '{{ge .RestartCount 2}}' "true" u1
same "unless-stopped: stop" stop u1
settle u1 '{{.State.Status}} {{.State.Restarting}} {{.State.ExitCode}}' "exited false 2"
quiet start u1
until_both '{{ge .RestartCount 1}}' "true" u1
same "  kill" kill u1
settle u1 '{{.State.Status}} {{.State.Restarting}}' "exited false"
quiet rm -f f1 f2 f3 w1 w2 w3 u1

quiet rm -f p1 c1 t1 a2 a3 a4 a5 s1 rt1 ri1
[ "$have_docker" -eq 0 ] || stop_refdocker pause
t_done
