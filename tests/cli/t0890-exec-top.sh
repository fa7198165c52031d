#!/usr/bin/env bash
# t0890-exec-top - berth exec and top beside docker 20.10, the same
# containers in each: exec's statuses (true, false, exit 3, a signal, a
# missing command, files that are not executable), its environment (-e,
# --env-file, TERM with -t), -w, -u (and the container's own user), its
# stdio (pipes, /dev/null, -i with stdin piped, -t, -it under a real pty
# through script), -d and its effect, capabilities (--privileged as docker
# refuses it), and docker's texts for stopped and missing containers and
# bad flags; top's default columns, -o, aux and its errors (PIDs, times
# and CPU masked).
. "$(dirname "$0")/../lib/test-lib.sh"

command -v runc >/dev/null || { t_skip "exec/top tests" "runc not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "exec/top tests" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "exec/top tests" "busybox not installed"; t_done; }

R=$T/root
export BERTH_EXEC_ROOT=$T/exec
b() { "$BERTH" --root "$R" "$@"; }

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/tmp" "$T/rootfs/home"
cp "$BB" "$T/rootfs/bin/busybox"
for x in sh true false echo cat sleep env id pwd ls readlink grep kill tty; do ln -s busybox "$T/rootfs/bin/$x"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$T/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nstaff:x:50:nobody\n' >"$T/rootfs/etc/group"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
t_ok "berth imports the image" b import -c 'CMD ["sh"]' "$T/rootfs.tar" box:latest

have_docker=0
if have_dockerd && start_refdocker exec; then
	have_docker=1
	dk import -c 'CMD ["sh"]' "$T/rootfs.tar" box:latest >/dev/null
fi

# IDs masked (the 64 hex, and the 12 of a hostname), docker's name replaced,
# pipe inode numbers masked.
mask() { sed -E 's/[0-9a-f]{64}/<ID>/g; s/\b[0-9a-f]{12}\b/<HOST>/g; s/docker /berth /g; s/pipe:\[[0-9]+\]/pipe/g'; }
# e CMD... runs one command in each engine (stdin from $T/in when it exists).
e() {
	local in=/dev/null
	[ -f "$T/in" ] && in=$T/in
	b "$@" <"$in" >"$T/b.out" 2>"$T/b.err"; echo $? >"$T/b.rc"
	mask <"$T/b.out" >"$T/b.out.m"; mask <"$T/b.err" >"$T/b.err.m"
	[ "$have_docker" -eq 1 ] || return 0
	dk "$@" <"$in" >"$T/d.out" 2>"$T/d.err"; echo $? >"$T/d.rc"
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
quiet() { b "$@" >/dev/null 2>&1; [ "$have_docker" -eq 0 ] || dk "$@" >/dev/null 2>&1; }
# expect DESC WANT CMD... - berth's stdout is WANT, and docker's too.
expect() {
	local desc=$1 want=$2; shift 2
	e "$@"
	t_eq "$desc" "$(cat "$T/b.out.m")" "$want"
	[ "$have_docker" -eq 0 ] || t_eq "$desc (docker)" "$(cat "$T/d.out.m")" "$want"
}

# one -e: the docker CLI passes a container's Env through a Go map (order varies)
quiet run -d --name ex -e FOO=bar -w /tmp box sleep 1000
quiet run -d --name asnobody -u nobody --group-add staff box sleep 1000

# ---- statuses
same "exec true" exec ex true
same "exec false" exec ex false
same "exec exit 3" exec ex sh -c 'exit 3'
same "exec killed by SIGKILL" exec ex sh -c 'kill -9 $$'
same "exec of a missing command" exec ex nope
expect "  docker's text, on stdout" \
	"OCI runtime exec failed: exec failed: unable to start container process: exec: \"nope\": executable file not found in \$PATH: unknown"$'\r' \
	exec ex nope
same "exec of a missing absolute path" exec ex /bin/nope
same "exec of a file that is not executable" exec ex /etc/passwd
same "exec of a directory" exec ex /tmp
same "exec -t of a missing command" exec -t ex nope
same "exec stdout and stderr apart" exec ex sh -c 'echo out; echo err >&2; exit 2'
same "exec waits for the output's end (a background child holds it)" exec ex sh -c 'sleep 1 & echo hi'
same "container exec" container exec ex echo hi
# the reader of berth's stdout gone: docker's client dies of SIGPIPE
loop='i=0; while [ $i -lt 20000 ]; do echo y; i=$((i+1)); done'
b exec ex sh -c "$loop" | head -1 >/dev/null
t_eq "exec | head -1: 141" "${PIPESTATUS[0]}" "141"
if [ "$have_docker" -eq 1 ]; then
	dk exec ex sh -c "$loop" | head -1 >/dev/null
	t_eq "  docker's too" "${PIPESTATUS[0]}" "141"
fi

# ---- environment, directory, user
same "exec env: PATH, HOSTNAME, the container's, HOME" exec ex env
same "exec -e: replace, add" exec -e FOO=new -e NEW=1 ex env
same "exec -e NAME unset in berth's environment: unset" exec -e FOO ex env
export FROM_HOST=host-value
same "exec -e NAME takes berth's own value" exec -e FROM_HOST ex env
printf '# comment\nFILE1=a\nFOO=from-file\n\n' >"$T/envfile"
same "exec --env-file then -e" exec --env-file "$T/envfile" -e FILE1=b ex env
same "exec -t env: TERM=xterm" exec -t ex env
same "exec pwd: the container's WorkingDir" exec ex pwd
same "exec -w /" exec -w / ex pwd
same "exec -w a missing dir" exec -w /nonexist ex pwd
same "exec id: root" exec ex id
same "exec -u nobody" exec -u nobody ex id
same "exec -u 65534:0" exec -u 65534:0 ex id
same "exec -u a missing user" exec -u nosuch ex id
same "exec in a container with -u nobody --group-add" exec asnobody id
same "exec -u root in it" exec -u root asnobody id
same "exec capabilities" exec ex grep Cap /proc/self/status
same "exec -u nobody capabilities" exec -u nobody ex grep Cap /proc/self/status
same "exec --privileged (the container's bounding set refuses it)" exec --privileged ex true
quiet run -d --privileged --name priv -e PATH=/bin -e TERM=dumb -t box sleep 1000
same "exec --privileged in a privileged container" exec --privileged priv grep Cap /proc/self/status
same "exec in a privileged container" exec priv grep Cap /proc/self/status
same "exec env of a tty container with its own PATH and TERM" exec priv env
same "exec -t env there" exec -t priv env
same "exec -u 1234 (no such passwd entry)" exec -u 1234 ex id

# ---- stdio
fds='for f in 0 1 2; do readlink /proc/self/fd/$f; done; [ -t 0 ] && echo tty0; [ -t 1 ] && echo tty1; true'
same "exec stdio: /dev/null and pipes" exec ex sh -c "$fds"
same "exec -i stdio" exec -i ex sh -c "$fds"
same "exec -t stdio: the pty" exec -t ex sh -c "$fds"
printf 'line one\nline two\n' >"$T/in"
same "exec -i with stdin piped" exec -i ex cat
same "exec without -i: stdin is empty" exec ex cat
same "exec -i: the status after EOF" exec -i ex sh -c 'cat >/dev/null; exit 4'
same "exec -it with stdin not a terminal" exec -it ex cat
rm -f "$T/in"

# -it under a real pty (script): raw, no echo doubling.  A NUL docker's
# session sometimes carries (raw, or echoed by script's pty as "^@") is
# dropped.
pty() {   # pty ENGINE-CMD - the session's output, and its status in $T/pty.rc
	script -qec "$1" /dev/null </dev/null | tr -d '\0' | sed 's/\^@//g' >"$T/pty.out"; echo "${PIPESTATUS[0]}" >"$T/pty.rc"
}
ptycmd="exec -it ex sh -c '[ -t 0 ] && echo stdin-tty; readlink /proc/self/fd/1; echo \$TERM; exit 7'"
pty "$BERTH --root $R $ptycmd"
cp "$T/pty.out" "$T/bpty.out"; brc=$(cat "$T/pty.rc")
t_eq "exec -it under a pty: status" "$brc" "7"
t_eq "exec -it under a pty: output" "$(cat "$T/bpty.out")" "stdin-tty"$'\r'"
/dev/pts/0"$'\r'"
xterm"$'\r'
if [ "$have_docker" -eq 1 ]; then
	pty "$DOCKER_CLI $ptycmd"
	t_eq "  docker's status" "$(cat "$T/pty.rc")" "$brc"
	t_ok "  docker's output" cmp -s "$T/pty.out" "$T/bpty.out" || diff "$T/pty.out" "$T/bpty.out" | head -5
fi
# a shell reading the pty: input echoed by the container's pty, then its exit
printf 'echo typed\nexit 5\n' >"$T/typed"
script -qec "$BERTH --root $R exec -it ex sh" /dev/null <"$T/typed" | tr -d '\0' | sed 's/\^@//g' >"$T/bsh.out"
t_eq "exec -it sh fed through the pty: status" "${PIPESTATUS[0]}" "5"
t_ok "  the shell ran the typed line" grep -q "^typed" "$T/bsh.out"
if [ "$have_docker" -eq 1 ]; then
	# (how often script's own pty echoes the typed lines depends on when
	# the client makes the terminal raw: no byte comparison here)
	script -qec "$DOCKER_CLI exec -it ex sh" /dev/null <"$T/typed" | tr -d '\0' | sed 's/\^@//g' >"$T/dsh.out"
	t_eq "  docker's status" "${PIPESTATUS[0]}" "5"
	t_eq "  docker's shell printed the same" "$(grep -c '^typed' "$T/dsh.out")" "$(grep -c '^typed' "$T/bsh.out")"
fi

# ---- -d
same "exec -d" exec -d ex sh -c 'echo done >/tmp/flag; readlink /proc/self/fd/0 >>/tmp/flag'
# its effect: wait for the file (no timing asserted)
for i in $(seq 50); do b exec ex cat /tmp/flag >/dev/null 2>&1 && break; sleep 0.1; done
if [ "$have_docker" -eq 1 ]; then
	for i in $(seq 50); do dk exec ex cat /tmp/flag >/dev/null 2>&1 && break; sleep 0.1; done
fi
same "  what it wrote" exec ex cat /tmp/flag
same "exec -d of a missing command" exec -d ex nope
same "exec -d -u a missing user" exec -d -u nosuch ex true

# ExecIDs: the execs whose process still runs (dockerd's in-memory store)
quiet run -d --name exids box sleep 1000
expect "inspect: no ExecIDs before an exec" "null" inspect -f '{{json .ExecIDs}}' exids
quiet exec -d exids sleep 2
expect "  one while exec -d runs, a 64-hex ID" "1 64" inspect -f '{{len .ExecIDs}} {{range .ExecIDs}}{{len .}}{{end}}' exids
for i in $(seq 100); do
	[ "$(b inspect -f '{{json .ExecIDs}}' exids)" = null ] &&
		{ [ "$have_docker" -eq 0 ] || [ "$(dk inspect -f '{{json .ExecIDs}}' exids)" = null ]; } && break
	sleep 0.1
done
expect "  none once it ended" "null" inspect -f '{{json .ExecIDs}}' exids
quiet rm -f exids

# ---- top
quiet exec -d ex sleep 300
sleep 0.2
# PIDs, times and CPU figures vary: each digit run is one N, and runs of
# spaces one space (the columns' widths then differ with the digits)
tmask() { sed -E 's/[0-9]+/N/g; s/ +/ /g'; }
topsame() {
	local desc=$1; shift
	e "$@"
	if [ "$have_docker" -eq 0 ]; then
		t_ok "$desc: berth runs (status $(cat "$T/b.rc"))" true
		return
	fi
	t_eq "$desc: exit status" "$(cat "$T/b.rc")" "$(cat "$T/d.rc")"
	t_eq "$desc: header" "$(head -1 "$T/b.out")" "$(head -1 "$T/d.out")"
	t_eq "$desc: rows (masked)" "$(tmask <"$T/b.out")" "$(tmask <"$T/d.out")"
	t_ok "$desc: stderr" cmp -s "$T/b.err.m" "$T/d.err.m" || diff "$T/b.err.m" "$T/d.err.m" | head -5
}
topsame "top" top ex
t_eq "  the container's two processes" "$(tail -n +2 "$T/b.out" | wc -l)" "2"
t_eq "  cells padded to 20 columns" "$(head -1 "$T/b.out")" \
	"UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD"
topsame "top -o pid,comm" top ex -o pid,comm
topsame "top aux" top ex aux
topsame "top -o pid=PID,comm=X" top ex -o pid=PID,comm=X
topsame "container top" container top ex -o pid,args
topsame "top -eLf (a thread column)" top ex -eLf
topsame "top x (BSD options)" top ex x
same "top -o pid,user=PID (the key is pid,user)" top ex -o pid,user=PID
same "top -o pid= PID" top ex -o "pid= PID"
same "top -o user=PID" top ex -o user=PID
same "top -o comm (no PID)" top ex -o comm
same "top --bogus (ps refuses it)" top ex --bogus
same "top -ef extra args" top ex -ef extra "a b"

# ---- stopped, missing, usage
quiet create --name stopped box sleep 100
same "exec on a created container" exec stopped true
same "top on a created container" top stopped
quiet run --name done box true
same "exec on an exited container" exec done true
same "top on an exited container" top done
same "exec -d on an exited container" exec -d done true
same "exec on a missing container" exec nosuch true
same "exec -it on a missing container" exec -it nosuch true
same "exec -it on a stopped container (the tty check first)" exec -it stopped true
same "top on a missing container" top nosuch
same "exec with one argument" exec ex
same "exec with none" exec
same "exec --bogus" exec --bogus ex true
same "exec -e =x" exec -e =x ex env
same "exec --detach-keys junk" exec --detach-keys=junk ex true
same "exec --detach-keys ctrl-x,a" exec --detach-keys=ctrl-x,a ex true
same "exec --env-file missing" exec --env-file /nonexist ex true
same "exec -w with no value" exec ex -w
same "top with no argument" top
same "exec --help" exec --help
same "top --help" top --help

quiet rm -f ex asnobody stopped done priv
[ "$have_docker" -eq 0 ] || stop_refdocker exec
t_done
