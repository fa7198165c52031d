#!/usr/bin/env bash
# tests/lib/capture-specs.sh [OUTDIR] - regenerates tests/data/spec/: runs
# containers on the reference dockerd 20.10 with various `docker run` flags
# and keeps, per case, what docker stored and what it handed to runc:
#   CASE/args        the docker run flags
#   CASE/config.json the OCI spec from <exec>/containerd/daemon/io.containerd.runtime.v2.task/moby/<id>/
#   CASE/container.json  {Config, Path, Args, MountPoints} from config.v2.json
#   CASE/hostconfig.json hostconfig.json
#   rootfs/etc/{passwd,group}  the image's, for user resolution
#   errors.txt       docker run FLAGS -> exit status and stderr
# IDs and paths are masked (see mask below) so the files are stable and
# tests/unit/test-spec.c can feed the same inputs to berth's generator.
# No set -e: test-lib.sh's exit trap (which stops dockerd and removes $T)
# must run to its end.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../data/spec}
. "$HERE/test-lib.sh"
start_refdocker spec || { echo "no reference dockerd" >&2; exit 1; }
D=$T/docker-spec
EXEC=$D/exec ROOT=$D/root
FAKE_ID=1234567890ab$(printf 'c%.0s' $(seq 52))
FAKE_MOUNT=$(printf 'd%.0s' $(seq 64))

# The image: static busybox, a passwd/group with a named user in two
# supplementary groups, an image PATH, a symlinked /etc/mtab-like entry.
R=$T/rootfs
mkdir -p "$R/bin" "$R/etc" "$R/srv"
cp /bin/busybox "$R/bin/busybox"
for a in sh sleep cat id ls; do ln -s busybox "$R/bin/$a"; done
cat >"$R/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
app:x:1000:1000:app:/home/app:/bin/sh
P
cat >"$R/etc/group" <<'G'
root:x:0:
daemon:x:1:
tty:x:5:app
app:x:1000:
staff:x:50:app,daemon
G
tar -C "$R" -cf "$T/rootfs.tar" .
# the unit test resolves users against the same files
mkdir -p "$OUT/rootfs/etc"
cp "$R/etc/passwd" "$R/etc/group" "$OUT/rootfs/etc/"
dk import "$T/rootfs.tar" spec-plain >/dev/null || exit 1
dk import -c 'ENV PATH=/usr/local/bin:/bin' -c 'ENV TRICKY=1' -c 'WORKDIR /srv' \
	"$T/rootfs.tar" spec-env >/dev/null || exit 1
mkdir -p "$T/bind-a" "$T/bind-b"

mask() {	# mask ID MOUNT-ID < json > json
	sed -e "s|$ROOT|/var/lib/docker|g" -e "s|$EXEC|/var/run/docker|g" -e "s|$T|/tmp/t|g" \
		-e "s|$1|$FAKE_ID|g" -e "s|${1:0:12}|${FAKE_ID:0:12}|g" -e "s|$2|$FAKE_MOUNT|g" \
		-e "s|/proc/[0-9]*/exe|/proc/1/exe|g" \
		-E -e 's/"ID": "[0-9a-f]{64}"/"ID": "<volume-id>"/' -e 's/^( *)"[0-9a-f]{12}"(,?)$/\1"<controller-id>"\2/'
}

# Docker orders mounts by path depth, and mounts of equal depth from the same
# Go map (MountPoints, Tmpfs) randomly: each case gives those distinct depths.
capture() {	# capture NAME IMAGE FLAGS... -- CMD...
	local name=$1 image=$2 id mid dir flags=()
	shift 2
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	if ! id=$(dk run -d "${flags[@]}" "$image" "$@"); then
		echo "not captured: $name" >&2
		return 0
	fi
	mid=$(cat "$ROOT/image/overlay2/layerdb/mounts/$id/mount-id")
	dir=$OUT/$name
	mkdir -p "$dir"
	printf '%s\n' "${flags[*]}" | mask "$id" "$mid" >"$dir/args"
	"$PY" -m json.tool --indent 1 <"$EXEC/containerd/daemon/io.containerd.runtime.v2.task/moby/$id/config.json" |
		mask "$id" "$mid" >"$dir/config.json"
	"$PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))
print(json.dumps({k: c[k] for k in ("Config","Path","Args","MountPoints")}, indent=1))' \
		"$ROOT/containers/$id/config.v2.json" | mask "$id" "$mid" >"$dir/container.json"
	"$PY" -m json.tool --indent 1 <"$ROOT/containers/$id/hostconfig.json" | mask "$id" "$mid" >"$dir/hostconfig.json"
	dk rm -f "$id" >/dev/null
	echo "captured $name"
}

capture default spec-plain -- sleep 30
capture user-uid spec-plain -u 1000 -- sleep 30
capture user-name spec-plain -u app -- sleep 30
capture user-name-group spec-plain -u app:staff -- sleep 30
capture tty spec-plain -t -i -- sleep 30
capture caps spec-plain --cap-drop NET_RAW --cap-drop chown --cap-add SYS_PTRACE --cap-add CAP_SYS_ADMIN -- sleep 30
capture cap-all spec-plain --cap-add ALL --cap-drop MKNOD --cap-drop SYS_RESOURCE -- sleep 30
capture cap-drop-all spec-plain --cap-drop ALL --cap-add KILL -- sleep 30
capture readonly spec-plain --read-only -- sleep 30
capture ulimit spec-plain --ulimit nofile=1024:2048 --ulimit nproc=100 -- sleep 30
capture resources spec-plain -m 64m --memory-swap 128m --pids-limit 50 --cpus 0.5 --cpu-shares 512 --oom-score-adj 100 -- sleep 30
capture nnp spec-plain --security-opt no-new-privileges -- sleep 30
capture unconfined spec-plain --security-opt seccomp=unconfined -- sleep 30
capture tmpfs spec-plain --tmpfs /run:size=1m --tmpfs /x/y -- sleep 30
capture binds spec-plain -v "$T/bind-a:/data:ro" -v "$T/bind-b:/a/b/c" -v vol1:/v/w/x/y -w /work -- sleep 30
capture env spec-env -e FOO=bar -e TRICKY -e PATH=/opt/bin:/bin -h myhost -- sleep 30
capture env-image spec-env --shm-size 1m -- sleep 30
capture init spec-plain --init -- sleep 30
capture net-none spec-plain --net none --ipc none -- sleep 30
capture net-host spec-plain --net host --pid host --uts host --ipc host -- sleep 30
# This host lacks CAP_SYS_RESOURCE, so ALL (and --privileged) fail unless it is dropped.
capture privileged spec-plain --privileged --cap-drop SYS_RESOURCE -- sleep 30
capture cgroupns spec-plain --cgroupns private -- sleep 30
capture misc spec-plain --domainname example.com --group-add 50 --group-add daemon --sysctl net.core.somaxconn=1024 \
	--cpuset-cpus 0 --blkio-weight 300 --memory-reservation 32m -m 64m --oom-kill-disable --device-cgroup-rule 'c 42:* rmw' -- sleep 30
capture devices spec-plain --device /dev/null:/dev/mynull:rw --device /dev/zero -- sleep 30
capture ipc-shareable spec-plain --ipc shareable -- sleep 30
capture mounts spec-plain --mount type=tmpfs,dst=/m,tmpfs-size=1048576,tmpfs-mode=1770 \
	--mount "type=bind,src=$T/bind-a,dst=/nr,bind-nonrecursive=true" --mount type=volume,src=vol2,dst=/vv/w,readonly -- sleep 30

# docker's error texts for what the generator rejects (create- or start-phase;
# the lines without "Error response from daemon" are the CLI's own checks).
errs=$OUT/errors.txt
: >"$errs"
err_case() {	# err_case FLAGS... : one line "FLAGS<TAB>exit<TAB>stderr"
	local out rc=0
	out=$(dk run -d "$@" spec-plain sleep 30 2>&1 >/dev/null) || rc=$?
	printf '%s\t%s\t%s\n' "$*" "$rc" "$(printf '%s' "$out" | head -n 1 | mask "$FAKE_ID" "$FAKE_MOUNT")" >>"$errs"
}
err_case --cap-add FOO
err_case --cap-add CAP_FOO
err_case --cap-drop bogus
err_case --cap-add BPF
err_case -u nobody
err_case -u app:nogroup
err_case -u 4294967296
err_case -u 0:-1
err_case --group-add nogroup
err_case --device /dev/nope
err_case --tmpfs /x:foo
err_case --tmpfs /x:bogus=1
err_case --security-opt bogus
err_case --device-cgroup-rule "c 1:x rwm"
echo "captured errors"
