#!/usr/bin/env bash
# t0805-run-flags: berth's run/create flag parser (cli/runflags.c) against
# the docker 20.10 CLI itself.  /usr/bin/docker talks to
# tests/lib/capture-create.py, a stand-in daemon that records the body of
# POST /containers/create (and its ?name=/?platform= query) and fails it;
# build/tests/test-runflags prints what berth would send for the same
# argv.  The two are compared as parsed JSON: exact values, exact key sets,
# null vs {} vs [] kept apart.  Only where docker's own order is random (a
# Go map walked into a list: Env after the proxy step, Binds, Ulimits) are
# the lists compared sorted.  Bad flags: the stderr text and exit status,
# with docker's program name ("docker: ", "See 'docker create --help'.")
# read as berth's.
. "$(dirname "$0")/../lib/test-lib.sh"

DRIVER=${BERTH_BUILD:-$TOP/build}/tests/test-runflags
if [ ! -x "$DOCKER_CLI" ] || [ ! -x "$DRIVER" ]; then
	t_skip "run flags" "needs $DOCKER_CLI and $DRIVER"
	t_done
fi

SOCK=$T/capture.sock
CAP=$T/cap
"$PY" "$TOP/tests/lib/capture-create.py" "$SOCK" "$CAP" &
_t_track $!
for i in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done

# An empty client config: no proxies (they would be added to Env), no
# detach keys, no content trust.
export DOCKER_CONFIG=$T/dockercfg
mkdir -p "$DOCKER_CONFIG"
echo '{}' >"$DOCKER_CONFIG/config.json"
unset DOCKER_CONTENT_TRUST DOCKER_HOST
export PASSED_THROUGH=from-env

# Files the flags read client-side.
printf '# comment\nA=1\n  B=two words\nPASSED_THROUGH\nUNSET_VAR_XYZ\n\nC=\n' >"$T/env.list"
printf 'l1=x\nl2\n' >"$T/labels.list"
printf 'bad key=1\n' >"$T/bad.env"
printf '\xEF\xBB\xBFBOM=1\r\nCRLF=2\r\n\tTAB=3 \n' >"$T/bom.env"
printf 'OK=1\nBAD=\xff\xfe\n' >"$T/badutf8.env"
printf '=novar\n' >"$T/novar.env"
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ ]\n}\n' >"$T/seccomp.json"

# docker_req CMD ARGS... - the recorded request of `docker CMD ARGS`, or its
# stderr and "exit N".
docker_req() {
	local rc
	rm -f "$CAP"/*.json
	"$DOCKER_CLI" -H "unix://$SOCK" "$@" </dev/null >/dev/null 2>"$T/docker.err"
	rc=$?
	if ls "$CAP"/*.json >/dev/null 2>&1; then
		cat "$CAP"/*.json
	else
		sed -e "s/^docker: /berth: /" -e "s/See 'docker /See 'berth /" \
		    -e 's/^"docker /"berth /' -e 's/^Usage:  docker /Usage:  berth /' "$T/docker.err"
		echo "exit $rc"
	fi
}

berth_req() {
	local rc out
	out=$("$DRIVER" "$@" 2>"$T/berth.err")
	rc=$?
	if [ "$rc" = 0 ]; then
		printf '%s\n' "$out"
	else
		cat "$T/berth.err"
		echo "exit $rc"
	fi
}

# normalize: a request as sorted, indented JSON with docker's random-order
# lists sorted; anything else (an error text) unchanged.
normalize() {
	"$PY" -c '
import json, sys
s = sys.stdin.read()
try:
    r = json.loads(s)
except ValueError:
    sys.stdout.write(s)
    sys.exit(0)
b = r.get("body") or {}
if isinstance(b.get("Env"), list):
    b["Env"] = sorted(b["Env"])
hc = b.get("HostConfig") or {}
if isinstance(hc.get("Binds"), list):
    hc["Binds"] = sorted(hc["Binds"])
if isinstance(hc.get("Ulimits"), list):
    hc["Ulimits"] = sorted(hc["Ulimits"], key=lambda u: u["Name"])
print(json.dumps(r, indent=1, sort_keys=True))
'
}

# same CMD ARGS... - docker's request (or error) and berth's are equal;
# in the bodies part docker must have sent a request (BODY=1).
BODY=1
same() {
	local d b
	d=$(docker_req "$@" | normalize)
	b=$(berth_req "$@" | normalize)
	if [ "$BODY" = 1 ] && [ "${d#\{}" = "$d" ]; then
		_t_report 1 "$* (docker sent no request)"
		printf '%s\n' "$d" | head -n 5 | sed 's/^/#   /'
	elif [ "$BODY" = 0 ] && [ "${d#\{}" != "$d" ]; then
		_t_report 1 "$* (docker sent a request: not an error case)"
	elif [ "$d" = "$b" ]; then
		_t_report 0 "$*"
	else
		_t_report 1 "$*"
		diff <(printf '%s\n' "$d") <(printf '%s\n' "$b") | head -n 30 | sed 's/^/#   /'
	fi
}

# ---------------------------------------------------------------- bodies

same create busybox
same create busybox sh -c 'echo hi'
same create --name web busybox
same create -i busybox
same create -t busybox
same create -it busybox
same create -ti --rm busybox
same create -a stdin -a STDOUT busybox
same create -a stderr -i busybox
same create -e FOO=bar -e EMPTY= -e PASSED_THROUGH -e NOT_SET_ANYWHERE busybox
same create -e A=1 -e A=2 busybox
same create --env-file "$T/env.list" -e D=4 busybox
same create --env-file "$T/env.list" --env-file "$T/env.list" busybox
same create -l a=b -l c --label d=e=f busybox
same create --label-file "$T/labels.list" -l l1=override busybox
same create -v /x busybox
same create -v /host:/ctr -v /x -v named:/data:ro busybox
same create -v /a:/b -v /a:/b -v ./rel:/r:rw,z busybox
same create -v a:/x -v ab busybox
for v in / ab: :/x c:/x 'C:\x:/y' '~/x:/y' .:/x vol:/x:nocopy /a:/b:ro,rshared a::b 'x:/y:z:w' /x:/y: ; do
	same create -v "$v" busybox
done
same create --env-file "$T/bom.env" busybox
same create --mount type=bind,src=/a,dst=/b,readonly busybox
same create --mount type=volume,source=v,target=/v,volume-label=k=v,volume-opt=o=1,volume-driver=local busybox
same create --mount type=volume,target=/v,volume-nocopy busybox
same create --mount type=volume,target=/v,volume-label=k=,volume-label=j,volume-opt=o=,volume-nocopy=false busybox
same create --mount type=bind,target=/v,src=/s,bind-nonrecursive=false,readonly=0 busybox
same create --mount type=tmpfs,target=/t,tmpfs-size=0 --mount TYPE=BIND,SRC=/a,DST=/b,CONSISTENCY=Cached busybox
same create --mount type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770 busybox
same create --mount type=bind,src=/a,dst=/b,bind-propagation=rshared,ro=false busybox
same create --mount 'type=bind,"src=/a,b",dst=/c' busybox
same create -w /srv -u 1000:1000 -h myhost --domainname example.org busybox
same create --workdir=/w --user=app --hostname=h busybox
same create --entrypoint /bin/sh busybox -c true
same create --entrypoint= busybox
same create --add-host a:1.2.3.4 --add-host b:host-gateway --add-host c:::1 busybox
same create --network none busybox
same create --network host busybox
same create --net bridge busybox
same create --network mynet --network-alias web --network-alias www busybox
same create --network mynet --ip 10.0.0.5 --ip6 fd00::5 busybox
same create --network name=mynet,alias=a1,driver-opt=k=v busybox
same create --network a --network b busybox
same create --network a --network b --network-alias x --ip 10.1.1.1 busybox
same create --network name=n,ip=10.0.0.1,ip6=fd00::1 busybox
same create --network bridge --ip 172.17.0.9 busybox
same create --network container:abc busybox
same create --network-alias ignored busybox
same create --read-only --privileged --init busybox
same create --init=false busybox
same create --tmpfs /run --tmpfs /tmp:rw,size=64m busybox
same create --cap-add NET_ADMIN --cap-add sys_time --cap-drop ALL busybox
same create --security-opt no-new-privileges --security-opt apparmor=unconfined --security-opt label:disable busybox
same create --security-opt seccomp="$T/seccomp.json" busybox
same create --security-opt seccomp=unconfined --security-opt systempaths=unconfined busybox
same create -m 512m --memory-swap 1g --memory-reservation 256MiB busybox
same create --memory=1.5GB --memory-swap=-1 busybox
same create -m 1b --shm-size 128m --kernel-memory 10k busybox
same create --cpus 1.5 -c 512 busybox
same create --cpus 0.001 --cpu-shares=0x10 --cpu-period 100000 --cpu-quota 50000 busybox
same create --cpuset-cpus 0-1 --cpuset-mems 0 --blkio-weight 300 busybox
same create --pids-limit 100 busybox
same create --pids-limit -1 --oom-kill-disable --oom-score-adj 500 --memory-swappiness 10 busybox
same create --ulimit nofile=1024:2048 --ulimit nproc=10 --ulimit core=-1 busybox
same create --ulimit nofile=1 --ulimit nofile=2:3 busybox
same create --restart always busybox
same create --restart on-failure:5 busybox
same create --restart unless-stopped busybox
same create --restart=on-failure busybox
same create --restart bogus busybox
same create --stop-signal SIGKILL --stop-timeout 30 busybox
same create --stop-timeout 0 busybox
same create --platform linux/amd64 busybox
for p in amd64 linux/arm Linux/X86_64 linux/arm64/v8 linux/arm64 arm64/v8 windows/amd64 linux/aarch64 darwin macos \
	linux/armhf linux/armel linux/386 i386 linux/arm/v5 linux/arm/7 linux/riscv64 linux/arm64/8 ''; do
	same create --platform "$p" busybox
done
same create sha256:0123456789012345678901234567890123456789012345678901234567890123
same create 0123456789012345678901234567890123456789012345678901234567890123
same create 012345678901234567890123456789012345678901234567890123456789012
same create localhost:5000/ns/img:tag@sha256:0123456789012345678901234567890123456789012345678901234567890123
same create --pull never busybox
same create --expose 80 --expose 53/udp --expose 8000-8002/tcp busybox
same create -p 80 busybox
same create -p 8080:80 -p 127.0.0.1:5353:53/udp busybox
same create -p 127.0.0.1::80 -p '[::1]:9000:90' busybox
same create -p 8000-8001:80-81 -p 9000-9010:90 busybox
same create -p 80:80 -p 81:80 busybox
same create -p published=8080,target=80 -p published=53,target=53,protocol=udp busybox
same create -P --expose 3000 busybox
same create --expose 80/TCP -p 81/UDP -p 0.0.0.0:82:82 -p 83-84/udp busybox
same create -p 127.0.0.1:8000-8001:80-81/tcp -p 7000-7005:70 busybox
same create -p '[]:80:80' -p '[::1]:81:81' busybox
same create --tmpfs /a:size=1m --tmpfs /a:size=2m busybox
for m in 1.5 '1 g' 1GiB 1gb 100 0 2T 1kB 3p; do
	same create -m "$m" busybox
done
for c in 1e1 -1 +2 .5 5. 0.5e1 3/2 2e-1 0; do
	same create --cpus "$c" busybox
done
same create --dns 1.1.1.1 --dns ::1 --dns-search example.com --dns-search . --dns-option ndots:2 busybox
same create --dns-opt timeout:1 busybox
same create --mac-address 02:42:ac:11:00:02 busybox
same create --log-driver json-file --log-opt max-size=10m --log-opt max-file=3 busybox
same create --log-driver none busybox
same create --device /dev/fuse --device /dev/sda:/dev/xvda:r --device /dev/null:rw busybox
same create --group-add audio --group-add 1001 busybox
same create --ipc host --pid host --uts host busybox
same create --ipc shareable --pid container:abc busybox
same create --userns host --cgroupns private busybox
same create --sysctl net.ipv4.ip_forward=1 --sysctl kernel.shmmax=1 busybox
same create --link other:alias --network mynet busybox
same create --volumes-from other --volume-driver local --cgroup-parent /x busybox
same create --runtime runc --isolation default busybox
same create --storage-opt size=10G busybox
same create --cidfile "$T/cid" busybox
same create --device-cgroup-rule 'c 1:3 mr' busybox
same create --rm=false --init=true busybox
same create -- busybox --rm
same create --rm false
same create --name=web --name=web2 -h=h busybox
same create -e=A=1 -eB=2 -lX=1 busybox
same create busybox -e X=1 --rm
same create --health-cmd 'curl -f localhost' --health-interval 1m30s --health-retries 3 --health-timeout 500ms --health-start-period 1h busybox
same create --health-interval 1.5s busybox
same create --no-healthcheck busybox
same create --blkio-weight-device /dev/sda:300 --device-read-bps /dev/sda:1mb --device-write-bps /dev/sdb:10 busybox
same create --device-read-iops /dev/sda:1000 --device-write-iops /dev/sda:2000 busybox
same create --network n --link-local-ip 169.254.1.1 --link-local-ip fe80::1 busybox
same create --dns ' 8.8.8.8 ' --dns 0:0::1 --dns ::ffff:1.2.3.4 busybox
same create --stop-signal= busybox
same create --gpus all busybox
same create --gpus 99999999999 busybox
same create --gpus 2 --gpus device=0,driver=nvidia busybox
same create --gpus '"device=0,1",capabilities=compute,"options=a=b,c"' busybox
same create --gpus count=all,capabilities=utility busybox
same create -it=false busybox
same run -it=false -d busybox
same run -d busybox
same run -d --rm -i busybox
same run -i busybox cat
same run --name x -a stdout busybox
same run --sig-proxy=false --detach-keys ctrl-a,a -d busybox
same run -d --restart always -p 80:80 -e X=1 busybox sleep 1

# ---------------------------------------------------------------- errors
BODY=0
same create -itd busybox

same create
same create --memory 1x busybox
same create -m busybox
same create --cpus 1.5x busybox
same create --cpus 0.0000000001 busybox
same create --cpus 1/3 busybox
same create --cpus e1 busybox
same create -m 1.5.5m busybox
same create -m 1.5x busybox
same create -p ::1:80:80 busybox
same create -p '[::1:80:80' busybox
same create -p 80:80:80:80/tcp busybox
same create -p 70-72:70-71 busybox
same create -p /tcp busybox
same create -p '[::1]x:80:80' busybox
same create -p '1.2.3.4]:80:80' busybox
same create -p 'x[1]:80:80' busybox
same create -p 'a.b:80:80' busybox
same create -p '[fe80::1%eth0]:81:81' busybox
same create -p '[a]b]:80:80' busybox
same create --memory-swap 1q busybox
same create --shm-size -1 busybox
same create --restart on-failure:x busybox
same create --restart a:b:c busybox
same create --rm --restart always busybox
same create -p 99999:80 busybox
same create -p 80:80/xyz busybox
same create -p 1.2.3:80:80 busybox
same create -p 8000-8001:80-82 busybox
same create -p : busybox
same create -p published=80,target busybox
same create --expose 1:2 busybox
same create --expose x busybox
same create --expose 9-8 busybox
same create --ulimit nofile=a busybox
same create --ulimit nofile busybox
same create --ulimit bogus=1 busybox
same create --ulimit nofile=2:1 busybox
same create --ulimit nofile=1:2:3 busybox
same create --foo busybox
same create -x busybox
same create -itx busybox
same create --rm=x busybox
same create --stop-timeout x busybox
same create -c x busybox
same create --blkio-weight 70000 busybox
same create --pids-limit 1.5 busybox
same create --mount type=foo busybox
same create --mount src=/x busybox
same create --mount type=bind,dst=/x,volume-nocopy busybox
same create --mount type=volume,dst=/x,bogus=1 busybox
same create --mount type=tmpfs,dst=/x,tmpfs-size=zz busybox
same create --mount type=bind,dst=/x,foo busybox
same create --env-file /nonexistent busybox
same create --env-file "$T/bad.env" busybox
same create --env-file "$T/badutf8.env" busybox
same create --env-file "$T/novar.env" busybox
same create --label-file "$T/bad.env" busybox
same create --env-file "$T" busybox
same create -e =x busybox
same create -l ' ' busybox
same create -l 'a b=c' busybox
same create --network host --network-alias x busybox
same create --network a --network host busybox
same create --network name=x,bogus=1 busybox
same create --network alias=x,driver-opt=y busybox
same create --network a --network a busybox
same create --network name=n,alias=a --network-alias b busybox
same create --network name=n,ip=1.2.3.4 --ip 1.2.3.5 busybox
same create --network name=n,ip6=fd00::1 --ip6 fd00::2 busybox
same create --network none --link a:b busybox
same create --network bridge --ip 1.2.3.4 --network-alias x busybox
same create --mac-address zz busybox
same create --dns 1.2.3 busybox
same create --dns-search -bad busybox
same create --add-host foo busybox
same create --add-host foo:bar busybox
same create -a foo busybox
same create --pid bad busybox
same create --uts container:x busybox
same create --userns bad busybox
same create --cgroupns bad busybox
same create --memory-swappiness 101 busybox
same create --log-driver none --log-opt a=b busybox
same create --security-opt foo busybox
same create --security-opt seccomp=/nonexistent.json busybox
same create --storage-opt size busybox
same create --sysctl bogus=1 busybox
same create --device /dev/sda:rel busybox
same create --device /dev/sda:/dev/b:rwx busybox
same create --device-cgroup-rule bad busybox
same create --link a:b:c busybox
same create --health-interval 1x busybox
same create --health-interval -1s busybox
same create --health-timeout 5 busybox
same create --health-retries -1 busybox
same create --no-healthcheck --health-retries 1 busybox
same create --blkio-weight-device /dev/sda:5 busybox
same create --blkio-weight-device sda:5 busybox
same create --device-read-bps /dev/sda busybox
same create --device-read-bps /dev/sda:1x busybox
same create --device-write-iops /dev/sda:1.5 busybox
same create --cpu-count 2 busybox
same create --io-maxiops 2 --cpu-percent 1 busybox
same create --cpu-count x busybox
same create --security-opt seccomp="$TOP/Makefile" busybox
same create --entrypoint
same create --gpus x busybox
same create --gpus count=1,count=2 busybox
same create --gpus foo=bar busybox
same create --gpus 99999999999999999999 busybox
for p in local a//b linux/amd64/v1/x 'linux/*' 'linux/a b'; do
	same create --platform "$p" busybox
	same run --platform "$p" busybox
done
same create UPPER
same run UPPER
same create 'a@b'
same run -d ':x'
same create -l= busybox
same create ---x busybox
same create -
same create --=x busybox
same create --memory= busybox
same create -m -1 busybox
same create -t -m
same create -i= busybox
same create --name
same run -d -a stdout busybox
same run -d -a stdout --rm --restart always busybox
same run -d -a stdout --network host --network-alias x busybox
same run --detach=x busybox
same create -d busybox

t_done
