#!/usr/bin/env bash
# t0825-seccomp-bpf - crun gets docker's seccomp profile precompiled
# (run.oci.seccomp_bpf_data, lib/runtime/seccomp_bpf.c): for each profile
# variant (the default, caps that widen it, caps dropped) the BPF program
# berth hands crun is byte for byte the one crun compiles itself from the
# same spec, the container runs filtered, an unconfined container gets no
# filter, and the compiled programs are cached per profile.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v crun >/dev/null || { t_skip "seccomp bpf tests" "crun not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "seccomp bpf tests" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "seccomp bpf tests" "busybox not installed"; t_done; }

R=$T/root
X=$T/exec
export BERTH_EXEC_ROOT=$X
# "crun" annotates; "plain" is crun under another name, which berth does
# not annotate, so that crun compiles the profile itself (hiding this
# host's hybrid cgroup2 mount the way berth does for crun).
cat >"$T/plain" <<'SH'
#!/bin/sh
if [ -d /sys/fs/cgroup/unified ] && grep -q ' /sys/fs/cgroup/unified cgroup2 ' /proc/self/mounts; then
	exec unshare -m sh -c 'mount --make-rprivate / && umount -l /sys/fs/cgroup/unified && exec crun "$@"' crun "$@"
fi
exec crun "$@"
SH
chmod +x "$T/plain"
printf '{"default-runtime": "crun", "runtimes": {"plain": {"path": "%s"}}}\n' "$T/plain" >"$T/daemon.json"
b() { "$BERTH" --config "$T/daemon.json" --root "$R" "$@"; }

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp "$BB" "$T/rootfs/bin/busybox"
for x in sh true sleep grep cat; do ln -s busybox "$T/rootfs/bin/$x"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
t_ok "berth imports the image" b import "$T/rootfs.tar" box:latest

# annotated ID - the BPF of ID's bundle annotation, decoded into $T/ID.ours
annotated() {
	"$PY" - "$X/$1/config.json" "$T/$1.ours" <<'PY'
import base64, json, sys
spec = json.load(open(sys.argv[1]))
data = spec.get("annotations", {}).get("run.oci.seccomp_bpf_data")
if data is None:
    sys.exit(1)
open(sys.argv[2], "wb").write(base64.b64decode(data))
PY
}

variant() {
	local desc=$1 ours theirs; shift
	ours=$(b run -d "$@" box sleep 60) || { t_notok "$desc: berth runs it under crun"; return; }
	theirs=$(b run -d --runtime plain "$@" box sleep 60) || { t_notok "$desc: crun runs it unannotated"; return; }
	t_ok "$desc: the bundle carries the precompiled filter" annotated "$ours"
	t_ok "$desc: the profile stays in the spec too" \
		"$PY" -c 'import json,sys; assert "seccomp" in json.load(open(sys.argv[1]))["linux"]' "$X/$ours/config.json"
	t_ok "$desc: no annotation for the runtime that compiles itself" \
		"$PY" -c 'import json,sys; assert "run.oci.seccomp_bpf_data" not in json.load(open(sys.argv[1])).get("annotations", {})' \
		"$X/$theirs/config.json"
	t_ok "$desc: crun compiled a filter itself" test -s "$X/runtime-plain/$theirs/seccomp.bpf"
	t_ok "$desc: berth's BPF is byte for byte crun's" cmp "$T/$ours.ours" "$X/runtime-plain/$theirs/seccomp.bpf"
	t_eq "$desc: the container runs filtered" "$(b exec "$ours" grep Seccomp: /proc/self/status 2>/dev/null ||
		b run --rm "$@" box grep Seccomp: /proc/self/status)" "$(printf 'Seccomp:\t2')"
	b rm -f "$ours" "$theirs" >/dev/null
}

variant "default profile"
variant "--cap-add SYS_ADMIN (mount, unshare, ... allowed)" --cap-add SYS_ADMIN
# (not ALL: this sandbox's bounding set lacks SYS_RESOURCE, which even docker cannot grant here)
variant "--cap-add SYS_MODULE SYS_BOOT SYS_PACCT" --cap-add SYS_MODULE --cap-add SYS_BOOT \
	--cap-add SYS_PACCT
variant "--cap-drop ALL" --cap-drop ALL
variant "--cap-add SYS_PTRACE --cap-add SYS_TIME" --cap-add SYS_PTRACE --cap-add SYS_TIME

t_eq "one cache entry per distinct profile" "$(ls "$X/seccomp-cache" | wc -l)" 5
before=$(ls "$X/seccomp-cache")
b run --rm box true >/dev/null
t_eq "a known profile is not compiled again" "$(ls "$X/seccomp-cache")" "$before"
# a damaged cache entry is not trusted blindly: crun refuses bad base64
# with an error, so berth must not produce one; an emptied entry is recompiled
for f in "$X"/seccomp-cache/*; do : >"$f"; done
t_ok "an emptied cache entry is recompiled" b run --rm box true
t_eq "the default profile's entry is whole again" "$(find "$X/seccomp-cache" -type f -size +0 | wc -l)" 1

id=$(b run -d --security-opt seccomp=unconfined box sleep 60)
t_notok "unconfined: no precompiled filter" annotated "$id"
t_eq "unconfined: the container runs unfiltered" "$(b run --rm --security-opt seccomp=unconfined box grep Seccomp: /proc/self/status)" \
	"$(printf 'Seccomp:\t0')"
b rm -f "$id" >/dev/null
t_done
