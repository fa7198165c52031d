# bench/lib.sh - what the benchmarks share: the ~700 MB test image, one
# fresh ext4 loop filesystem for every tool's store, a private dockerd,
# timing and medians.  Sourced; expects W (work dir) and BERTH set.

need() { command -v "$1" >/dev/null || { echo "bench: $1 is not installed" >&2; exit 1; }; }
need docker-registry; need skopeo; need python3; need pigz
[ -x "$BERTH" ] || { echo "bench/pull: build berth first (make)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

build_image() {
	local img=$W/image
	[ -f "$img/index.json" ] && return 0
	rm -rf "$img.tmp" && mkdir -p "$img.tmp/blobs/sha256" "$W/layers"
	local dirs=(usr/lib/gcc usr/include usr/share/locale usr/share/doc "usr/lib/python3.11 usr/lib/python3")
	local i=0
	for d in "${dirs[@]}"; do
		# shellcheck disable=SC2086
		tar --sort=name --format=posix --pax-option=delete=atime,delete=ctime -C / -cf "$W/layers/$i.tar" $d
		pigz -6 -c "$W/layers/$i.tar" > "$W/layers/$i.tar.gz"
		i=$((i + 1))
	done
	python3 - "$W/layers" "$img.tmp" "$i" <<'PY'
import hashlib, json, os, shutil, sys
layers, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def sha(p):
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''):
            h.update(b)
    return h.hexdigest()
def blob(data=None, path=None):
    d = hashlib.sha256(data).hexdigest() if data is not None else sha(path)
    dst = os.path.join(out, 'blobs', 'sha256', d)
    if data is not None:
        open(dst, 'wb').write(data)
    else:
        shutil.move(path, dst)
    return d, os.path.getsize(dst)
diff_ids, descs = [], []
for i in range(n):
    diff_ids.append('sha256:' + sha(f'{layers}/{i}.tar'))
    d, s = blob(path=f'{layers}/{i}.tar.gz')
    descs.append({'mediaType': 'application/vnd.oci.image.layer.v1.tar+gzip', 'digest': 'sha256:' + d, 'size': s})
cfg = json.dumps({'architecture': 'amd64', 'os': 'linux', 'created': '2024-01-01T00:00:00Z',
                  'config': {'Cmd': ['/bin/sh']},
                  'rootfs': {'type': 'layers', 'diff_ids': diff_ids},
                  'history': [{'created': '2024-01-01T00:00:00Z', 'created_by': f'layer {i}'} for i in range(n)]},
                 separators=(',', ':')).encode()
cd, cs = blob(cfg)
man = json.dumps({'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                  'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': 'sha256:' + cd, 'size': cs},
                  'layers': descs}).encode()
md, ms = blob(man)
open(f'{out}/oci-layout', 'w').write('{"imageLayoutVersion":"1.0.0"}')
json.dump({'schemaVersion': 2, 'manifests': [{'mediaType': 'application/vnd.oci.image.manifest.v1+json',
           'digest': 'sha256:' + md, 'size': ms, 'annotations': {'org.opencontainers.image.ref.name': 'latest'}}]},
          open(f'{out}/index.json', 'w'))
PY
	rm -rf "$W/layers"
	mv "$img.tmp" "$img"
}

[ -x "$BERTH" ] || { echo "bench: build berth first (make)" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }

docker_start() {	# docker_start DATA_ROOT
	local d=$W/docker
	mkdir -p "$d"
	DOCKER="/usr/bin/docker -H unix://$d/docker.sock"
	dockerd --data-root "$1" --exec-root "$d/exec" -H "unix://$d/docker.sock" --pidfile "$d/dockerd.pid" \
		--iptables=false --ip6tables=false --bridge=none --storage-driver overlay2 >"$d/log" 2>&1 &
	for _ in $(seq 100); do $DOCKER info >/dev/null 2>&1 && return 0; sleep 0.2; done
	return 1
}

docker_stop() {
	local pid
	pid=$(cat "$W/docker/dockerd.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	rm -f "$W/docker/dockerd.pid"
}

# All roots live on one freshly made ext4 filesystem (a loop image), so no
# tool pays for files an earlier run deleted, and `sync` before each run
# starts every tool with no dirty pages of another.
mount_runs() {
	cleanup_runs
	truncate -s 60G "$W/runs.img"
	mkfs.ext4 -q -F "$W/runs.img"
	mkdir -p "$W/runs"
	mount -o loop "$W/runs.img" "$W/runs"
}

cleanup_runs() {
	local m
	for m in $(awk -v w="$W/runs" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$W/runs" "$W/runs.img"
}

