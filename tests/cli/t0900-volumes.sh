#!/usr/bin/env bash
# t0900-volumes - berth's volumes beside docker 20.10's, the same commands
# in each: volume create/ls/inspect/rm/prune and their errors; a named
# volume outliving its container and seen by the next; a read-only bind
# refusing writes; the image's VOLUME filled from the image; tmpfs mounts;
# MountPoints, Binds, Mounts and Tmpfs recorded as dockerd records them;
# rm -v and run --rm removing anonymous volumes only; system df's volumes;
# -v/--mount errors.  Then a dockerd started on berth's root lists berth's
# volumes (labels from metadata.db), runs a container on one, and berth
# reads the volume that dockerd made.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v runc >/dev/null || { t_skip "volume tests" "runc not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "volume tests" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "volume tests" "busybox not installed"; t_done; }

R=$T/root
export BERTH_EXEC_ROOT=$T/exec
b() { "$BERTH" --root "$R" "$@"; }

# The image: busybox, /data/f in the image and VOLUME /data.
mkdir -p "$T/rootfs/bin" "$T/rootfs/etc" "$T/rootfs/data/sub"
cp "$BB" "$T/rootfs/bin/busybox"
for x in sh true echo cat sleep touch grep ls stat wc; do ln -s busybox "$T/rootfs/bin/$x"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/rootfs/etc/passwd"
echo hello >"$T/rootfs/data/f"
echo deeper >"$T/rootfs/data/sub/g"
chmod 0750 "$T/rootfs/data/sub"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
t_ok "berth imports the image" b import -c 'VOLUME /data' -c 'CMD ["sh"]' "$T/rootfs.tar" vimg:latest

have_docker=0
DR=
if have_dockerd && start_refdocker vol; then
	have_docker=1
	DR=$T/docker-vol/root
	dk import -c 'VOLUME /data' -c 'CMD ["sh"]' "$T/rootfs.tar" vimg:latest >/dev/null
fi

# Outputs are compared with IDs and volume names masked, both roots and
# all times replaced, docker's name replaced.
mask() {
	sed -E "s#$R#<ROOT>#g; ${DR:+s#$DR#<ROOT>#g;} s#$T/[bd]-#<T>/x-#g" |
		sed -E 's/[0-9a-f]{64}/<ID>/g; s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)/<TIME>/g; s/docker([: ])/berth\1/g'
}
e() {
	local a=() x
	# @B@ in an argument: $T/b- for berth, $T/d- for docker (each its own host dirs).
	for x in "$@"; do a+=("${x//@B@/$T/b-}"); done
	b "${a[@]}" >"$T/b.out" 2>"$T/b.err" </dev/null; echo $? >"$T/b.rc"
	mask <"$T/b.out" >"$T/b.out.m"; mask <"$T/b.err" >"$T/b.err.m"
	[ "$have_docker" -eq 1 ] || return 0
	a=()
	for x in "$@"; do a+=("${x//@B@/$T/d-}"); done
	dk "${a[@]}" >"$T/d.out" 2>"$T/d.err" </dev/null; echo $? >"$T/d.rc"
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
	t_ok "$desc: stdout" cmp -s "$T/b.out.m" "$T/d.out.m" || diff "$T/b.out.m" "$T/d.out.m" | head -8
	t_ok "$desc: stderr" cmp -s "$T/b.err.m" "$T/d.err.m" || diff "$T/b.err.m" "$T/d.err.m" | head -8
}
# same_sorted DESC CMD... - as same, stdout compared as sorted lines
# (docker lists from a Go map: prune, df -v).
same_sorted() {
	local desc=$1; shift
	e "$@"
	[ "$have_docker" -eq 1 ] || { t_ok "$desc: berth runs (status $(cat "$T/b.rc"))" true; return; }
	t_eq "$desc: exit status" "$(cat "$T/b.rc")" "$(cat "$T/d.rc")"
	t_eq "$desc: stdout (sorted)" "$(sort "$T/b.out.m")" "$(sort "$T/d.out.m")"
	t_ok "$desc: stderr" cmp -s "$T/b.err.m" "$T/d.err.m" || diff "$T/b.err.m" "$T/d.err.m" | head -8
}
quiet() { e "$@"; }
# expect DESC WANT CMD... - berth's stdout is WANT, and docker's too.
expect() {
	local desc=$1 want=$2; shift 2
	e "$@"
	t_eq "$desc" "$(cat "$T/b.out.m")" "$want"
	[ "$have_docker" -eq 0 ] || t_eq "$desc (docker)" "$(cat "$T/d.out.m")" "$want"
}
# nvol - how many volumes each engine has: "B D".
nvol() { echo "$(b volume ls -q | wc -l) $([ "$have_docker" -eq 0 ] && echo - || dk volume ls -q | wc -l)"; }
minus2() { echo "$(($1 - 2)) $([ "$2" = - ] && echo - || echo $(($2 - 2)))"; }

# ---- volume create, ls, inspect
same "volume create NAME" volume create vol1
same "volume create --label" volume create --label a=b --label c vol2
same "volume create --name" volume create --name vol3 --label a=z
same "volume create -o (driver options)" volume create -o type=tmpfs -o device=tmpfs -o o=size=1m optv
same "volume create of an existing one" volume create vol1
same "volume create: name too short" volume create x
same "volume create: invalid name" volume create 'x y'
same "volume create: unknown option" volume create -o bogus=1 zz1
same "volume create: a required option missing" volume create -o type=tmpfs zz2
same "volume create: unknown driver" volume create -d nodrv zz3
same "volume create: two names" volume create vol1 vol2
same "volume create: --name and another name" volume create --name vol1 vol2
same "volume ls" volume ls
same "volume ls -q" volume ls -q
same "volume list --format" volume list --format '{{.Name}}|{{.Driver}}|{{.Scope}}|{{.Mountpoint}}|{{.Links}}|{{.Size}}'
# (several labels come in Go's map order)
same "volume ls --format .Labels" volume ls -f name=vol3 --format '{{.Labels}}'
same "volume ls --format table" volume ls --format 'table {{.Name}}\t{{.Scope}}\t{{.Mountpoint}}'
same "volume ls -f label=a" volume ls -f label=a
same "volume ls -f label=a=b" volume ls -f label=a=b
same "volume ls -f name=ol" volume ls -f name=ol
same "volume ls -f name=ol -f label=c" volume ls -f name=ol -f label=c
same "volume ls -f driver=local" volume ls -f driver=local -q
same "volume ls -f dangling=true" volume ls -f dangling=true
same "volume ls -f dangling=maybe" volume ls -f dangling=maybe
same "volume ls -f bogus=1" volume ls -f bogus=1
same "volume ls x" volume ls x
same "volume inspect" volume inspect vol1 vol2 optv
same "volume inspect -f" volume inspect -f '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{.Options}} {{.Mountpoint}}' vol1 vol2 optv
same "volume inspect of a missing one" volume inspect vol1 nosuchvol
same "volume rm of a missing one" volume rm nosuchvol
same "volume rm -f of a missing one" volume rm -f nosuchvol
same "volume (usage)" volume

# ---- a named volume outlives its container
same "run -v vol1: writes a file" run --rm -v vol1:/n vimg sh -c 'echo persisted >/n/file; echo done'
expect "a second container sees it" "persisted" run --rm -v vol1:/n vimg cat /n/file
t_eq "the file is in the volume's _data" "$(cat "$R/volumes/vol1/_data/file" 2>&1)" "persisted"
expect "--mount type=volume sees it too" "persisted" run --rm --mount type=volume,src=vol1,dst=/m vimg cat /m/file
same "  read-only" run --rm --mount type=volume,src=vol1,dst=/m,readonly vimg sh -c 'echo x >/m/x'
same "-v NAME:/p auto-creates NAME" run --rm -v autovol:/a vimg ls -a /a
same "  it is listed" volume ls -q -f name=autovol
same "  it has no labels" volume inspect -f '{{.Labels}} {{.Options}} {{json .Labels}} {{json .}}' autovol

# ---- binds
mkdir -p "$T/b-host" "$T/d-host"
echo from-host >"$T/b-host/h"; echo from-host >"$T/d-host/h"
same "-v /host:/ctr:ro reads" run --rm -v @B@host:/h:ro vimg cat /h/h
same "-v /host:/ctr:ro refuses writes" run --rm -v @B@host:/h:ro vimg touch /h/new
same "-v /host:/ctr writes" run --rm -v @B@host:/h vimg sh -c 'echo w >/h/w'
t_eq "  the host sees the write" "$(cat "$T/b-host/w" 2>&1)" "w"
same "-v with a missing host dir creates it" run --rm -v @B@made/sub:/m vimg ls -a /m
t_ok "  berth made the dir" test -d "$T/b-made/sub"
same "--mount type=bind with a missing source" run --rm --mount type=bind,src=@B@absent,dst=/m vimg true
t_notok "  nothing was made" test -e "$T/b-absent"
same "-v of a single file" run --rm -v @B@host/h:/etc/hf:ro vimg cat /etc/hf
same "--mount type=volume with volume-label and volume-opt" run --rm \
	--mount type=volume,src=lv1,dst=/l,volume-label=q=1,volume-label=r,volume-opt=type=tmpfs,volume-opt=device=tmpfs vimg \
	grep -c ' /l ' /proc/mounts
same "  the volume has them" volume inspect -f '{{.Labels}} {{.Options}}' lv1
same "--mount type=bind" run --rm --mount type=bind,src=@B@host,dst=/mb,readonly vimg cat /mb/h

# ---- the image's VOLUME
same "the image's VOLUME has the image's files" run --rm vimg sh -c 'cat /data/f /data/sub/g; stat -c "%a %u" /data/sub'
same "-v /data (anonymous) the same" run --rm -v /data vimg cat /data/f
same "a named volume on /data gets the image's files" run --rm -v filled:/data vimg cat /data/f
expect "  and keeps them" "hello" run --rm -v filled:/m vimg cat /m/f
same "volume-nocopy leaves it empty" run --rm --mount type=volume,src=empty1,dst=/data,volume-nocopy vimg ls -a /data

# ---- tmpfs
same "--tmpfs is a tmpfs" run --rm --tmpfs /t:size=2m vimg grep ' /t ' /proc/mounts
same "--mount type=tmpfs is a tmpfs" run --rm --mount type=tmpfs,dst=/mt,tmpfs-size=1048576,tmpfs-mode=1770 vimg grep ' /mt ' /proc/mounts

same "a volume with driver options is mounted as they say" run --rm -v optv:/o vimg grep ' /o ' /proc/mounts

# ---- what create records
mkdir -p "$T/b-rec" "$T/d-rec"
quiet create --name rec -v vol1:/n -v @B@rec:/h:ro -v /anon -v @B@rec:/h2:rw,rslave \
	--mount type=volume,src=mvol,dst=/mv --mount type=bind,src=@B@rec,dst=/mb \
	--mount type=volume,dst=/manon --mount type=tmpfs,dst=/mt,tmpfs-size=1m --tmpfs /t:size=2m vimg
# records NAME ROOT - MountPoints and the hostconfig's mount keys, masked.
records() {
	local id
	id=$(grep -l '"Name":"/rec"' "$2"/containers/*/config.v2.json | head -1)
	"$PY" - "$id" "$(dirname "$id")/hostconfig.json" <<-'EOF'
		import json, re, sys
		c = json.load(open(sys.argv[1])); h = json.load(open(sys.argv[2]))
		mp = c["MountPoints"]
		for m in mp.values():
		    m.pop("ID", None)
		print(json.dumps(mp, sort_keys=False))
		# the docker CLI makes Binds from a Go map: their order is random
		print(json.dumps({k: sorted(h[k]) if k == "Binds" else h.get(k) for k in ("Binds", "Mounts", "Tmpfs")}))
		print(json.dumps(c["Config"]["Volumes"]))
	EOF
}
records rec "$R" | mask >"$T/rec.b"
if [ "$have_docker" -eq 1 ]; then
	records rec "$DR" | mask >"$T/rec.d"
	t_ok "MountPoints, Binds, Mounts, Tmpfs as dockerd records them" cmp -s "$T/rec.b" "$T/rec.d" ||
		diff "$T/rec.b" "$T/rec.d" | head -10
else
	t_ok "MountPoints recorded" test -s "$T/rec.b"
fi
same_sorted "inspect's Mounts" inspect -f '{{range .Mounts}}{{.Type}} {{.Name}} {{.Source}} {{.Destination}} {{.Mode}} {{.RW}} {{.Propagation}}{{println}}{{end}}' rec
same "volume rm of a volume in use" volume rm vol1
same_sorted "volume ls -f dangling=false" volume ls -f dangling=false

# ---- rm -v and --rm
before=$(nvol)
quiet rm rec
after=$(nvol)
t_eq "rm keeps the anonymous volumes" "$after" "$before"
quiet create --name rv -v /anon -v vol1:/n vimg
before=$(nvol)
same "rm -v" rm -v rv
t_eq "  removed its 2 anonymous volumes (the image's and -v's), not vol1" "$(nvol)" "$(minus2 $before)"
same "  vol1 is still there" volume ls -q -f name=vol1
before=$(nvol)
quiet run --rm -v /anon2 -v vol1:/n vimg true
t_eq "run --rm removes its anonymous volumes" "$(nvol)" "$before"
quiet create --name keep1 -v /shared vimg
same "rm -fv of a missing container" rm -fv nosuchctr

# ---- --volumes-from
quiet create --name vsrc -v /vanon -v vol1:/n vimg
same "--volumes-from" run --rm --volumes-from vsrc vimg sh -c 'ls -d /vanon /n /data; cat /n/file'
same "--volumes-from :ro" run --rm --volumes-from vsrc:ro vimg touch /n/x
same "--volumes-from a missing container" run --rm --volumes-from nosuchctr vimg true
same "--volumes-from with a bad mode" run --rm --volumes-from vsrc:rshared vimg true
same "--volumes-from, then -v on the same path" run --rm --volumes-from vsrc -v vol2:/n vimg ls /n
quiet create --name vuser --volumes-from vsrc vimg
before=$(nvol)
quiet rm -v vsrc
t_eq "rm -v keeps the anonymous volumes another container uses" "$(nvol)" "$before"
quiet rm -v vuser
t_eq "  and the last user's rm -v removes them" "$(nvol)" "$(minus2 $before)"

# ---- system df, prune
e system df
if [ "$have_docker" -eq 1 ]; then
	t_eq "system df: Local Volumes" "$(grep '^Local Volumes' "$T/b.out.m")" "$(grep '^Local Volumes' "$T/d.out.m")"
fi
e system df -v
if [ "$have_docker" -eq 1 ]; then
	sect() { sed -n '/^Local Volumes space usage/,/^Build cache/p' "$1" | sort; }
	t_eq "system df -v: the volumes" "$(sect "$T/b.out.m")" "$(sect "$T/d.out.m")"
fi
same_sorted "volume prune --filter label=a" volume prune -f --filter label=a
same "volume prune --filter until" volume prune -f --filter until=1h
b volume prune <<<n >"$T/b.out" 2>&1
[ "$have_docker" -eq 0 ] || { dk volume prune <<<n >"$T/d.out" 2>&1; t_eq "volume prune, answered no" "$(cat "$T/b.out")" "$(cat "$T/d.out")"; }
same_sorted "volume prune -f" volume prune -f
same_sorted "after prune" volume ls
quiet rm -f keep1

# ---- -v and --mount errors (the daemon's texts)
same "run -v with a bad mode" run --rm -v /x:/y:bogus vimg true
same "run -v with too many colons" run --rm -v a:b:c:d vimg true
same "run -v /x:rw" run --rm -v /x:rw vimg true
same "run -v relative target" run --rm -v /x:y vimg true
same "run -v on /" run --rm -v /x:/ vimg true
same "run -v invalid volume name" run --rm -v 'x y:/p' vimg true
same "run -v nocopy on a bind" run --rm -v /x:/y:ro,nocopy vimg true
same "run -v propagation on a volume" run --rm -v n9:/y:rshared vimg true
same "run -v two labels" run --rm -v /x:/y:z,Z vimg true
same "run duplicate -v and --tmpfs" run --rm -v /tmp:/d --tmpfs /d vimg true
same "run duplicate --mount and -v" run --rm --mount type=bind,src=/tmp,dst=/d -v /tmp:/d vimg true
same "run --mount relative source" run --rm --mount type=bind,src=rel,dst=/x vimg true
same "run --mount readonly anonymous volume" run --rm --mount type=volume,dst=/x,readonly vimg true
same "run --mount tmpfs with a source" run --rm --mount type=tmpfs,src=/tmp,dst=/x vimg true
same "run: an anonymous volume on a file" run --rm -v /etc/passwd vimg true

[ "$have_docker" -eq 0 ] || stop_refdocker vol

# ---- a dockerd on berth's root
quiet_b() { b "$@" >/dev/null 2>&1; }
b volume create --label k=v interop >/dev/null
# enough entries for a bucket of several pages, which dockerd's next write
# splits into branch and leaf pages that berth then reads
for i in $(seq 120); do b volume create --label "i=$i" "many$i" >/dev/null; done
b run --rm -v interop:/v vimg sh -c 'echo from-berth >/v/f'
b create --name onb -v interop:/v -v /anon vimg cat /v/f /data/f >/dev/null
if have_dockerd && DOCKERD_DATA_ROOT=$R start_refdocker onberth; then
	t_eq "dockerd lists berth's volume" "$(dk volume ls -q | grep -x interop)" "interop"
	t_eq "  with its labels (metadata.db)" "$(dk volume inspect -f '{{.Labels}}' interop)" "map[k:v]"
	t_eq "  all 120 more, each with its label" "$(dk volume ls -q -f label=i | wc -l) $(dk volume inspect -f '{{.Labels}}' many77)" \
		"120 map[i:77]"
	t_eq "dockerd runs a container on it" "$(dk run --rm -v interop:/v vimg cat /v/f 2>&1)" "from-berth"
	t_eq "dockerd starts berth's container with its volumes" "$(dk start -a onb 2>&1)" "from-berth
hello"
	t_eq "  and refuses to remove the volume it uses" "$(dk volume rm interop 2>&1 | mask)" \
		"Error response from daemon: remove interop: volume is in use - [<ID>]"
	dk volume create --label made=dockerd fromdocker >/dev/null
	dk run --rm -v fromdocker:/v vimg sh -c 'echo from-docker >/v/f'
	stop_refdocker onberth
	t_eq "berth sees dockerd's volume and its labels" "$(b volume inspect -f '{{.Name}} {{.Labels}}' fromdocker)" \
		"fromdocker map[made:dockerd]"
	t_eq "  and its content" "$(b run --rm -v fromdocker:/v vimg cat /v/f 2>&1)" "from-docker"
	t_eq "  berth still has its own labels" "$(b volume inspect -f '{{.Labels}}' interop)" "map[k:v]"
	t_eq "  and the 120 from the db dockerd rewrote" "$(b volume ls -q -f label=i | wc -l) $(b volume inspect -f '{{.Labels}}' many120)" \
		"120 map[i:120]"
	t_ok "  berth writes that db again" b volume create --label again=1 again1
	t_eq "  and reads it" "$(b volume ls -q -f label=i | wc -l) $(b volume inspect -f '{{.Labels}}' again1)" "120 map[again:1]"
else
	t_skip "dockerd on berth's root" "dockerd not available"
fi
quiet_b rm -fv onb
t_ok "volume rm of a mounted options volume" b volume rm optv lv1
t_notok "  nothing left mounted" grep -q "$R/volumes" /proc/self/mounts
t_done
