#!/usr/bin/env bash
# t0820-run - berth run/create/start/wait/rm beside docker 20.10 on the same
# image (a busybox-static rootfs this test tars, imported by each):
# exit statuses, stdout and stderr (program name masked), stdin, docker's
# runtime errors and their 126/127, create's errors (plain, status 1) beside
# run's, detached runs, --rm leaving nothing
# behind (records, RW layers, mounts, exec-root dirs), and a dockerd
# started on berth's root listing and removing what berth ran.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v runc >/dev/null || { t_skip "run tests" "runc not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "run tests" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "run tests" "busybox not installed"; t_done; }

R=$T/root
export BERTH_EXEC_ROOT=$T/exec
b() { "$BERTH" --root "$R" "$@"; }

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp "$BB" "$T/rootfs/bin/busybox"
for x in sh true false echo cat sleep id env pwd ls printf; do ln -s busybox "$T/rootfs/bin/$x"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/rootfs/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >>"$T/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$T/rootfs/etc/group"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
t_ok "berth imports the image" b import -c 'CMD ["sh"]' "$T/rootfs.tar" bb:latest

# berth_vs_docker DESC STDIN ARGS... - one run form with both; compares status, stdout, stderr.
have_docker=0
if have_dockerd && start_refdocker run; then
	have_docker=1
	dk import -c 'CMD ["sh"]' "$T/rootfs.tar" bb:latest >/dev/null
fi
same() {
	local desc=$1 input=$2; shift 2
	local bs ds
	printf '%s' "$input" | b run "$@" >"$T/b.out" 2>"$T/b.err"; bs=$?
	if [ "$have_docker" -eq 0 ]; then
		t_ok "$desc: berth runs (status $bs)" test "$bs" -lt 128 -o "$bs" -eq 137
		return
	fi
	printf '%s' "$input" | dk run "$@" >"$T/d.out" 2>"$T/d.err"; ds=$?
	# The docker client sometimes logs its own wait goroutine's cancellation
	# after a failed start: a race of docker's, not an output of the daemon.
	sed -i 's/^docker: /berth: /; s/docker run --help/berth run --help/; /level=error msg="error waiting for container: context canceled"/d' "$T/d.err"
	t_eq "$desc: exit status" "$bs" "$ds"
	t_ok "$desc: stdout" cmp -s "$T/b.out" "$T/d.out" || diff "$T/b.out" "$T/d.out" | head -5
	t_ok "$desc: stderr" cmp -s "$T/b.err" "$T/d.err" || diff "$T/b.err" "$T/d.err" | head -5
}

same "echo" "" --rm bb echo hello world
same "exit status" "" --rm bb sh -c 'exit 42'
same "stdout and stderr" "" --rm bb sh -c 'echo out; echo err >&2; echo out2'
same "stdin with -i" "line one
line two
" --rm -i bb cat
same "stdin without -i is not passed" "ignored" --rm bb sh -c 'cat; echo done'
same "env" "" --rm -e FOO=bar -e EMPTY= bb sh -c 'echo "$FOO|$EMPTY|$HOME|$PATH"'
same "workdir" "" --rm -w /tmp/sub bb pwd
same "user" "" --rm -u nobody bb id
same "uid:gid" "" --rm -u 1000:1000 bb id
same "entrypoint" "" --rm --entrypoint echo bb via entrypoint
same "hostname" "" --rm -h myhost bb cat /etc/hostname
same "a command not found" "" --rm bb nosuchcmd
same "a path not found" "" --rm bb /nonexist/x
same "not executable" "" --rm bb /etc/passwd
same "a missing user" "" --rm -u nosuchuser bb true
same "killed by a signal" "" --rm bb sh -c 'kill -9 $$'

# detached, create/start/wait/rm
id=$(b run -d --name web bb sleep 30)
t_ok "run -d prints the ID" test "${#id}" -eq 64
t_notok "rm of a running container fails" b rm web
b rm web 2>"$T/err"
t_eq "  with docker's text" "$(cat "$T/err")" \
	"Error response from daemon: You cannot remove a running container $id. Stop the container before attempting removal or force remove"
t_eq "rm -f prints the name" "$(b rm -f web)" "web"
id=$(b create --name c1 bb sh -c 'echo from-c1; exit 5')
t_ok "create prints the ID" test "${#id}" -eq 64
t_eq "start prints the name" "$(b start c1)" "c1"
t_eq "wait gives the status" "$(b wait c1)" "5"
t_eq "json-file log" "$(sed 's/"time":"[^"]*"/T/' "$R/containers/$id/$id-json.log")" \
	'{"log":"from-c1\n","stream":"stdout",T}'
t_eq "the record says exited 5" \
	"$("$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))["State"]; print(s["Running"], s["ExitCode"], s["Pid"])' \
		"$R/containers/$id/config.v2.json")" "False 5 0"
b rm nosuch 2>"$T/err"
t_eq "rm of a missing container" "$(cat "$T/err")" "Error: No such container: nosuch"
b wait nosuch 2>"$T/err"
t_eq "wait of a missing container" "$(cat "$T/err")" "Error response from daemon: No such container: nosuch"
b start nosuch 2>"$T/err"
t_eq "start of a missing container" "$(cat "$T/err")" \
	"Error response from daemon: No such container: nosuch
Error: failed to start containers: nosuch"

# diff and export of the same operations (docker's diff order is Go map
# order: compared as sets; export's entry list compared as it comes)
ops='mkdir -p /opt/n && echo x >/opt/n/f && rm /bin/ls && echo y >>/etc/passwd && chmod 700 /opt/n'
b run --name ch bb sh -c "$ops"
if [ "$have_docker" -eq 1 ]; then
	dk run --name ch bb sh -c "$ops"
	t_eq "diff: the same changes as docker" "$(b diff ch | sort)" "$(dk diff ch | sort)"
	t_eq "export: the same entries as docker" "$(b export ch | tar -tv --numeric-owner | awk '{print $1, $2, $3, $6}')" \
		"$(dk export ch | tar -tv --numeric-owner | awk '{print $1, $2, $3, $6}')"
	dk rm ch >/dev/null
else
	t_ok "diff lists the changes" test -n "$(b diff ch)"
fi
b export -o "$T/ch.tar" ch
t_ok "export -o writes the tar" tar -tf "$T/ch.tar" opt/n/f
t_eq "diff of a missing container" "$(b diff nosuch 2>&1)" "Error response from daemon: No such container: nosuch"
t_ok "export is no longer mounted" test "$(grep -c " $R/" /proc/self/mountinfo)" -eq 0
b rm ch >/dev/null

# commit: the container's layer as a new image on its image
b run --name cm bb sh -c 'mkdir -p /opt && echo committed >/opt/f' >/dev/null
iid=$(b commit -m "a message" -a "an author" -c 'ENV COMMITTED=1' cm test/committed:1)
t_ok "commit prints the image ID" test "${#iid}" -eq 71
t_eq "the committed image runs with the change" "$(b run --rm test/committed:1 sh -c 'cat /opt/f; echo $COMMITTED')" "committed
1"
t_eq "its history: the commit on the image" \
	"$(b history --format '{{.CreatedBy}}|{{.Comment}}' test/committed:1)" \
	"sh -c mkdir -p /opt && echo committed >/opt/f|a message
|Imported from -"
t_eq "its config: author, container, parent's layers plus one" \
	"$(b image inspect -f '{{.Author}} {{len .RootFS.Layers}} {{.Config.Env}}' test/committed:1)" \
	"an author 2 [COMMITTED=1]"
t_eq "imagedb records the parent" "$(cat "$R/image/overlay2/imagedb/metadata/sha256/${iid#sha256:}/parent")" \
	"$(b image inspect -f '{{.Id}}' bb)"
b create --name ch2 bb true >/dev/null
iid=$(b commit ch2)
t_eq "an unchanged container commits no layer (empty_layer in history)" \
	"$(b image inspect -f '{{len .RootFS.Layers}}' "$iid")" "1"
b rm ch2 >/dev/null
b rm cm >/dev/null

# --rm leaves nothing
b rm c1 >/dev/null
b run --rm bb true
b run --rm bb nosuchcmd 2>/dev/null
b run --rm bb true
t_eq "no container records left" "$(ls -A "$R/containers")" ""
t_eq "no RW layers left" "$(ls -A "$R/image/overlay2/layerdb/mounts")" ""
t_eq "no overlay mounts left" "$(grep -c " $R/" /proc/self/mountinfo)" "0"
t_eq "no exec-root dirs left" "$(ls -A "$BERTH_EXEC_ROOT" | grep -v '^runtime-\|^seccomp-cache$')" ""

# create's errors: docker's CLI prints the daemon's error as it is, with
# status 1 (run reports the same with "berth: ...", its help line, 125);
# the create-time failures of t0900's and t0805's forms, as create
cmask() {
	sed -E "s#$T/docker-run/root/#<ROOT>/#g; s#$R/#<ROOT>/#g; s/[0-9a-f]{64}/<ID>/g" |
		sed -E "s/docker([: ])/berth\1/g"
}
# same_cmd DESC ARGS... - berth ARGS and docker ARGS: status, stdout, stderr
same_cmd() {
	local desc=$1 bs ds; shift
	b "$@" </dev/null >"$T/b.out" 2>"$T/b.err"; bs=$?
	if [ "$have_docker" -eq 0 ]; then
		t_ok "$desc: berth runs (status $bs: $(head -c 200 "$T/b.err"))" true
		return
	fi
	dk "$@" </dev/null >"$T/d.out" 2>"$T/d.err"; ds=$?
	t_eq "$desc: exit status" "$bs" "$ds"
	t_eq "$desc: stdout" "$(cmask <"$T/b.out")" "$(cmask <"$T/d.out")"
	t_eq "$desc: stderr" "$(cmask <"$T/b.err")" "$(cmask <"$T/d.err")"
}
b create --name taken bb true >/dev/null
[ "$have_docker" -eq 1 ] && dk create --name taken bb true >/dev/null
same_cmd "create: an invalid name" create --name 'bad name' bb true
same_cmd "create: a name in use" create --name taken bb true
same_cmd "create: an unknown runtime" create --runtime nosuch bb true
same_cmd "run: an unknown runtime" run --rm --runtime nosuch bb true
same_cmd "create: --mount with a missing bind source" create --mount "type=bind,src=$T/absent,dst=/m" bb true
same_cmd "create: a missing image, --pull never" create --pull never nosuchimg
same_cmd "run: a missing image, --pull never" run --rm --pull never nosuchimg
same_cmd "create: --volumes-from a missing container" create --volumes-from nosuchctr bb true
same_cmd "create: --volumes-from with a bad mode" create --volumes-from taken:rshared bb true
same_cmd "create: -v with a bad mode" create -v /x:/y:bogus bb true
same_cmd "create: -v with too many colons" create -v a:b:c:d bb true
same_cmd "create: -v /x:rw" create -v /x:rw bb true
same_cmd "create: -v relative target" create -v /x:y bb true
same_cmd "create: -v on /" create -v /x:/ bb true
same_cmd "create: -v invalid volume name" create -v 'x y:/p' bb true
same_cmd "create: -v nocopy on a bind" create -v /x:/y:ro,nocopy bb true
same_cmd "create: -v propagation on a volume" create -v n9:/y:rshared bb true
same_cmd "create: -v two labels" create -v /x:/y:z,Z bb true
same_cmd "create: duplicate -v and --tmpfs" create -v /tmp:/d --tmpfs /d bb true
same_cmd "create: duplicate --mount and -v" create --mount type=bind,src=/tmp,dst=/d -v /tmp:/d bb true
same_cmd "create: --mount relative source" create --mount type=bind,src=rel,dst=/x bb true
same_cmd "create: --mount readonly anonymous volume" create --mount type=volume,dst=/x,readonly bb true
same_cmd "create: --mount tmpfs with a source" create --mount type=tmpfs,src=/tmp,dst=/x bb true
same_cmd "create: an anonymous volume on a file" create -v /etc/passwd bb true
same_cmd "create: a bad flag (the CLI's own, 125)" create --memory 1x bb
same_cmd "create: a bad reference (the CLI's own)" create 'UPPER' true
same_cmd "create: no image" create
t_eq "  no container was left by them" "$(b ps -aq | wc -l)" "1"
b rm taken >/dev/null
[ "$have_docker" -eq 1 ] && dk rm taken >/dev/null

# a dockerd on berth's root sees what berth ran
if [ "$have_docker" -eq 1 ]; then
	id=$(b run -d --name done1 bb sh -c 'echo bye')
	b wait done1 >/dev/null
	stop_refdocker run
	if DOCKERD_DATA_ROOT=$R start_refdocker onberth; then
		t_eq "dockerd lists berth's exited container" \
			"$(dk ps -a --format '{{.Names}} {{.Status}}' | sed 's/ ago$//; s/Less than a second/N/; s/[0-9][0-9]* seconds\?/N/')" \
			"done1 Exited (0) N"
		t_eq "docker logs reads berth's log" "$(dk logs done1)" "bye"
		t_eq "docker start -a runs it" "$(dk start -a done1)" "bye"
		t_ok "docker rm removes it" dk rm done1
		stop_refdocker onberth
	else
		t_notok "dockerd starts on berth's root" true
	fi
fi
# relative --root and exec root: the monitor and the runtime work elsewhere,
# so they are taken as absolute (dockerd does the same with its roots)
rel=$(cd "$T" && BERTH_EXEC_ROOT=rel-exec "$BERTH" --root root run --rm --network none bb echo relative 2>&1)
t_eq "a relative --root and exec root work" "$rel" "relative"
t_done
