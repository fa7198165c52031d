#!/usr/bin/env bash
# t0800-spec-runs: the OCI spec berth generates (lib/runtime/spec.c) RUNS:
# bundles with a busybox rootfs (plain and overlay2-style), config.json
# written by `test-spec emit` from docker-shaped Config/HostConfig, run with
# `runc run`; the container's own view (id, env, cwd, CapEff, seccomp,
# read-only root, rlimits, mounts, pids cgroup) is what the flags ask for.
# Then a few of them with crun, inside a private mount namespace that hides
# /sys/fs/cgroup/unified (crun 1.8.1 refuses this host's hybrid layout).
. "$(dirname "$0")/../lib/test-lib.sh"

EMIT=${BERTH_BUILD:-$TOP/build}/tests/test-spec
ID=0123456789ab$(printf 'e%.0s' $(seq 52))
N=0

if ! command -v runc >/dev/null 2>&1 || [ "$(id -u)" != 0 ] || [ ! -x "$EMIT" ]; then
	t_skip "spec runs" "needs root, runc and $EMIT"
	t_done
fi

# The rootfs: static busybox, a passwd/group with a user in two groups.
R=$T/rootfs
mkdir -p "$R/bin" "$R/etc" "$R/srv" "$R/proc" "$R/sys" "$R/dev" "$R/tmp"
cp /bin/busybox "$R/bin/busybox"
for a in sh cat id ls grep touch echo pwd mount head sleep; do ln -s busybox "$R/bin/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\ntty:x:5:app\napp:x:1000:\nstaff:x:50:app\n' >"$R/etc/group"
for f in hostname hosts resolv.conf; do : >"$R/etc/$f"; done
# What docker keeps in containers/<id>/: bound over /etc/{hostname,hosts,resolv.conf}.
C=$T/container
mkdir -p "$C" "$T/data"
echo myhost >"$C/hostname"
printf '127.0.0.1\tlocalhost\n' >"$C/hosts"
echo 'nameserver 192.0.2.1' >"$C/resolv.conf"
echo hello >"$T/data/file"

# run_spec RUNTIME ROOTFS CMD CONFIG HOSTCONFIG [MOUNTPOINTS] - stdout+stderr of the container.
run_spec() {
	local rt=$1 root=$2 cmd=$3 cfg=$4 hc=$5 mp=${6:-} b
	N=$((N + 1))
	b=$T/bundle-$N
	mkdir -p "$b"
	"$EMIT" emit "$b" "$root" "$C" "$ID" \
		"$("$PY" -c 'import json,sys; c=json.loads(sys.argv[1]); c["Cmd"]=["sh","-c",sys.argv[2]]; print(json.dumps(c))' "$cfg" "$cmd")" \
		"$hc" ${mp:+"$mp"} || return 1
	case $rt in
	runc) runc run --bundle "$b" "berth-t0800-$$-$N" </dev/null 2>&1 ;;
	crun) unshare -m sh -c 'mount --make-rprivate / && umount /sys/fs/cgroup/unified 2>/dev/null; exec crun run --bundle "$1" "$2"' \
		sh "$b" "berth-t0800-$$-$N" </dev/null 2>&1 ;;
	esac
}

BASE='{"Hostname":"myhost","Env":null,"Tty":false}'
HC='{"NetworkMode":"default","IpcMode":"private","ShmSize":67108864,"CgroupnsMode":"host","OomScoreAdj":0,"OomKillDisable":false,"PidsLimit":null}'
hc() {	# hc JSON-PATCH - $HC with keys replaced
	"$PY" -c 'import json,sys; h=json.loads(sys.argv[1]); h.update(json.loads(sys.argv[2])); print(json.dumps(h))' "$HC" "$1"
}
cfg() { "$PY" -c 'import json,sys; h=json.loads(sys.argv[1]); h.update(json.loads(sys.argv[2])); print(json.dumps(h))' "$BASE" "$1"; }

for rt in runc crun; do
	if [ "$rt" = crun ] && ! command -v crun >/dev/null 2>&1; then
		t_skip "crun" "not installed"
		continue
	fi
	out=$(run_spec $rt "$R" 'id; pwd; echo "$HOSTNAME $PATH"; cat /etc/hostname; grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\t" " "' "$BASE" "$HC")
	t_eq "$rt default: root, /, HOSTNAME, PATH, docker's 14 caps, seccomp filter on" "$out" \
		"uid=0(root) gid=0(root) groups=0(root)
/
myhost /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
myhost
CapEff: 00000000a80425fb
NoNewPrivs: 0
Seccomp: 2"

	out=$(run_spec $rt "$R" 'id; pwd; echo "$FOO $HOME"; grep "^CapEff:" /proc/self/status | tr -s "\t" " "' \
		"$(cfg '{"User":"app","Env":["FOO=bar"],"WorkingDir":"/srv"}')" "$HC")
	# (the kernel sorts the supplementary groups)
	t_eq "$rt -u app -e FOO=bar -w /srv: uid, gids from /etc/group, env, cwd, no effective caps" "$out" \
		"uid=1000(app) gid=1000(app) groups=5(tty),50(staff),1000(app)
/srv
bar /home/app
CapEff: 0000000000000000"

	out=$(run_spec $rt "$R" 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t" " "' "$BASE" \
		"$(hc '{"CapDrop":["NET_RAW","chown"],"CapAdd":["CAP_SYS_ADMIN"],"SecurityOpt":["no-new-privileges","seccomp=unconfined"]}')")
	t_eq "$rt --cap-drop NET_RAW,chown --cap-add SYS_ADMIN, no-new-privileges, seccomp=unconfined" "$out" \
		"CapEff: 00000000a82405fa
NoNewPrivs: 1
Seccomp: 0"

	out=$(run_spec $rt "$R" 'touch /x 2>&1 | sed "s/.*: //"; touch /tmp/y 2>&1 | sed "s/.*: //"; touch /run/z && echo tmpfs-rw; cat /data/file; touch /data/w 2>&1 | sed "s/.*: //"; ulimit -n; ulimit -Hn' \
		"$BASE" "$(hc '{"ReadonlyRootfs":true,"Tmpfs":{"/run":"size=1m"},"Ulimits":[{"Name":"nofile","Hard":2048,"Soft":1024}]}')" \
		"{\"/data\":{\"Source\":\"$T/data\",\"Destination\":\"/data\",\"RW\":false,\"Type\":\"bind\",\"Propagation\":\"rprivate\"}}")
	t_eq "$rt --read-only --tmpfs /run -v data:/data:ro --ulimit nofile=1024:2048" "$out" \
		"Read-only file system
Read-only file system
tmpfs-rw
hello
Read-only file system
1024
2048"
done

# The docker-init binding and the pids cgroup (cgroup v1 here: the
# container sees its own group's pids.max).
out=$(run_spec runc "$R" 'cat /proc/1/cmdline | tr "\0" " "; echo; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max' \
	"$BASE" "$(hc '{"Init":true,"PidsLimit":50}')")
t_eq "runc --init --pids-limit 50: docker-init is pid 1, pids.max 50" "$out" \
	"/sbin/docker-init -- sh -c cat /proc/1/cmdline | tr \"\\0\" \" \"; echo; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max 
50"

# An overlay2-style root: the rootfs as the lower dir, writes land in upper.
O=$T/ovl
mkdir -p "$O/diff" "$O/work" "$O/merged"
if mount -t overlay overlay -o "lowerdir=$R,upperdir=$O/diff,workdir=$O/work" "$O/merged" 2>/dev/null; then
	out=$(run_spec runc "$O/merged" 'echo written >/srv/new && cat /srv/new' "$BASE" "$HC")
	t_eq "runc on an overlay root: runs and writes" "$out" "written"
	umount "$O/merged"
	t_eq "the write landed in the upper dir only" "$(cat "$O/diff/srv/new" 2>&1; [ -e "$R/srv/new" ] && echo leaked)" "written"
else
	t_skip "overlay root" "overlay mount failed"
fi

# An unknown user is an error before anything runs, in docker's words.
t_eq "-u nobody: docker's error" "$(run_spec runc "$R" 'true' "$(cfg '{"User":"nobody"}')" "$HC" 2>&1)" \
	"Error: unable to find user nobody: no matching entries in passwd file"

# runc removes a container's own cgroups, not the parent it created.
for d in /sys/fs/cgroup/*/berth /sys/fs/cgroup/berth; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
t_done
