#!/bin/bash
# regen.sh - regenerates the golden container records in this dir from the
# reference dockerd 20.10 (tests/lib/test-lib.sh's start_refdocker):
#   <name>.config.v2.json, <name>.hostconfig.json   as dockerd wrote them
# for a few containers of a busybox rootfs imported as "bb".  The unit test
# test-container reads each and writes it back: it must be byte-identical.
#   bash tests/data/container/regen.sh
. "$(dirname "$0")/../../lib/test-lib.sh"
OUT=$TOP/tests/data/container
start_refdocker gold || { echo "no dockerd" >&2; exit 1; }
mkdir -p "$T/rootfs/bin"
cp /bin/busybox "$T/rootfs/bin/busybox"
for a in sh echo cat sleep true; do ln -s busybox "$T/rootfs/bin/$a"; done
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
dk import --change 'CMD ["sh"]' --change 'ENV PATH=/bin' "$T/rootfs.tar" bb >/dev/null
root=$T/docker-gold/root
save() {	# save NAME: copies that container's two files here
	local id
	id=$(dk inspect -f '{{.Id}}' "$1")
	cp "$root/containers/$id/config.v2.json" "$OUT/$1.config.v2.json"
	cp "$root/containers/$id/hostconfig.json" "$OUT/$1.hostconfig.json"
}
dk create --name created bb echo hi >/dev/null && save created
dk create bb >/dev/null && save "$(dk ps -lq --format '{{.Names}}')" # anonymous
mv "$OUT/$(dk ps -l --format '{{.Names}}').config.v2.json" "$OUT/anon.config.v2.json"
mv "$OUT/$(dk ps -l --format '{{.Names}}').hostconfig.json" "$OUT/anon.hostconfig.json"
dk create --name opts -e 'A=<b>&c' -l z=1 -l a=2 -p 8080:80 --expose 9000 -w /tmp -u 1:2 \
	--entrypoint /bin/sh --restart on-failure:3 --memory 64m --cpu-shares 512 \
	--dns 1.1.1.1 --add-host h:10.0.0.1 --cap-add NET_ADMIN --cap-drop MKNOD \
	--health-cmd 'true' --health-interval 5s --tmpfs /run:size=1m --sysctl net.ipv4.ip_forward=1 \
	--ulimit nofile=1024:2048 -v /srv:/b:ro -v /data --stop-signal SIGINT --stop-timeout 7 \
	--log-opt max-size=1m --init -t -i --hostname hh --read-only bb -c 'echo "x"' >/dev/null && save opts
dk run --name exited bb echo done >/dev/null && save exited
# An API create without HostConfig (no Runtime key, nulls).
curl -s --unix-socket "$T/docker-gold/docker.sock" -H 'Content-Type: application/json' \
	-d '{"Image":"bb","Cmd":["true"]}' 'http://x/v1.41/containers/create?name=api' >/dev/null && save api
ls "$OUT"
