#!/usr/bin/env bash
# scripts/demo.sh - berth's main job on a fresh machine (run by `make demo`,
# after dependencies are installed and berth is built): start a loopback
# registry, build a busybox image from busybox-static with umoci, push it
# with skopeo, then pull it with berth through a registry-mirrors config
# (so the short name `busybox` resolves as on Docker Hub), list and inspect it,
# save it into a second store and push it back under another name, and run
# containers from it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BERTH=$top/build/berth
W=$(mktemp -d /tmp/berth-demo.XXXXXX)
REG_PID=
cleanup() { [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$W/registry.yml" <<YML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $W/registry}}
http: {addr: 127.0.0.1:$port}
YML
docker-registry serve "$W/registry.yml" >"$W/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
echo "== registry on 127.0.0.1:$port"

echo "== building busybox:latest from busybox-static with umoci"
umoci init --layout "$W/oci" >/dev/null
umoci new --image "$W/oci:latest" >/dev/null
umoci unpack --image "$W/oci:latest" "$W/bundle" >/dev/null
mkdir -p "$W/bundle/rootfs/bin" "$W/bundle/rootfs/etc"
cp /bin/busybox "$W/bundle/rootfs/bin/busybox"
for a in sh ls cat echo; do ln -s busybox "$W/bundle/rootfs/bin/$a"; done
echo "root:x:0:0:root:/root:/bin/sh" > "$W/bundle/rootfs/etc/passwd"
umoci repack --image "$W/oci:latest" "$W/bundle" >/dev/null
umoci config --image "$W/oci:latest" --config.cmd sh >/dev/null
skopeo copy -q --format v2s2 --dest-tls-verify=false "oci:$W/oci:latest" "docker://127.0.0.1:$port/library/busybox:latest"

echo "{\"registry-mirrors\": [\"http://127.0.0.1:$port\"]}" > "$W/daemon.json"
export BERTH_CONFIG=$W/daemon.json BERTH_ROOT=$W/root
echo "== berth pull busybox"
"$BERTH" pull busybox
echo "== berth images"
"$BERTH" images
echo "== berth inspect busybox"
"$BERTH" inspect busybox
echo "== the store, in Docker's overlay2 layout"
( cd "$W/root" && find image overlay2 -maxdepth 4 | sort | head -40 )
echo "== berth history busybox"
"$BERTH" history busybox
echo "== berth save busybox | berth load (into a second store)"
"$BERTH" save busybox | "$BERTH" --root "$W/root2" load
"$BERTH" --root "$W/root2" images
echo "== berth tag + berth push to the registry"
"$BERTH" tag busybox "127.0.0.1:$port/demo/busybox:1"
"$BERTH" push "127.0.0.1:$port/demo/busybox:1"
echo "== berth run (a container on Docker's layout, under runc and a berth monitor)"
export BERTH_EXEC_ROOT=$W/exec
# (a run --rm's monitor deletes the container's files just after the
# command returned: a moment for those before the work dir goes)
monitors() { for p in $(pgrep -x berth-monitor); do case $(readlink "/proc/$p/cwd") in "$W"/*) echo "$p" ;; esac; done; }
cleanup() {
	[ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null
	for _ in $(seq 50); do [ -z "$(monitors)" ] && break; sleep 0.1; done
	for m in $(grep -o " $W/[^ ]*/merged" /proc/self/mountinfo); do umount -l "$m"; done
	rm -rf "$W"
}
"$BERTH" run --rm busybox echo hello from a berth container
"$BERTH" run --name demo busybox sh -c 'echo its log; exit 3' || echo "(exit status $?)"
echo "== its record, as dockerd keeps it: containers/<id>/"
id=$(ls "$W/root/containers")
ls "$W/root/containers/$id"
"$BERTH" rm demo
echo "== a detached container with a named volume: ps, exec, cp, commit"
"$BERTH" run -d --name web -v demo-data:/data busybox sh -c 'echo kept > /data/note; exec sleep 300' >/dev/null
"$BERTH" ps
"$BERTH" exec web sh -c 'echo "exec sees: $(cat /data/note)"; echo changed > /etc/motd'
"$BERTH" cp web:/etc/motd "$W/motd" && echo "cp brought out: $(cat "$W/motd")"
"$BERTH" diff web
"$BERTH" commit -m "demo commit" web demo/committed:1
"$BERTH" rm -f web >/dev/null
"$BERTH" run --rm demo/committed:1 cat /etc/motd
"$BERTH" volume ls
"$BERTH" run --rm -v demo-data:/data busybox cat /data/note
"$BERTH" system df
