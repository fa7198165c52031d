#!/usr/bin/env bash
# t0910-cp - berth cp beside docker 20.10, the same imported image and the
# same containers in each: out of a container (file to a dir, to a new
# name, a dir to an existing and a new dir, "dir/." contents, symlinks with
# and without -L, a tar on stdout), into one (the same rules, a tar on
# stdin, owners with and without -a seen by `stat` inside the container),
# stopped and running containers, docker's errors, and hostile tars on
# stdin that must not write outside the container's root; and through the
# container's volumes, binds (read-only too), tmpfs mounts and /etc/hosts.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v runc >/dev/null || { t_skip "cp tests" "runc not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "cp tests" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "cp tests" "busybox not installed"; t_done; }

R=$T/root
export BERTH_EXEC_ROOT=$T/exec
b() { "$BERTH" --root "$R" "$@"; }
TS=1600000000

# ---- the image: busybox, two users, a tree with symlinks, fixed times
F=$T/rootfs
mkdir -p "$F/bin" "$F/etc" "$F/data/sub/deep" "$F/tmp"
cp "$BB" "$F/bin/busybox"
for x in sh true cat sleep stat ls; do ln -s busybox "$F/bin/$x"; done
printf 'root:x:0:0:root:/root:/bin/sh\nsvc:x:1234:1234:svc:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' \
	>"$F/etc/passwd"
printf 'root:x:0:\nsvc:x:1234:\nnogroup:x:65534:\n' >"$F/etc/group"
echo alpha >"$F/data/a.txt"
echo beta >"$F/data/sub/b.txt"
echo gamma >"$F/data/sub/deep/c.txt"
chmod 0640 "$F/data/sub/b.txt"
chown 1234:1234 "$F/data/a.txt" "$F/data/sub"
ln -s sub/b.txt "$F/data/rel"
ln "$F/data/sub/deep/c.txt" "$F/data/hard"
mkfifo "$F/data/sub/fifo"
ln -s /data "$F/lnk"
ln -s /data/a.txt "$F/flink"
ln -s ../../../../../.. "$F/up"
ln -s ../../../../../etc/passwd "$F/hostpw"
echo top >"$F/file.txt"
find "$F" -exec touch -h -d "@$TS" {} +
tar --numeric-owner -C "$F" -cf "$T/rootfs.tar" .
t_ok "berth imports the image" b import -c 'CMD ["sh"]' "$T/rootfs.tar" box:latest

have_docker=0
if have_dockerd && start_refdocker cp; then
	have_docker=1
	dk import -c 'CMD ["sh"]' "$T/rootfs.tar" box:latest >/dev/null
fi
[ "$have_docker" -eq 1 ] || t_diag "no reference dockerd: berth's results only"

# ---- the local source tree for copies into containers
S=$T/src
mkdir -p "$S/d1/sub"
echo one >"$S/f1"
echo gee >"$S/d1/g.txt"
echo aitch >"$S/d1/sub/h.txt"
chmod 0600 "$S/d1/g.txt"
chown 1234:1234 "$S/f1"
chown 4321:4321 "$S/d1/sub/h.txt"
ln -s f1 "$S/sl"
ln "$S/d1/sub/h.txt" "$S/d1/h-link"
find "$S" -exec touch -h -d "@$TS" {} +

# engines: each command in each engine, from its own working dir $T/w-<engine>
ENGINES="b"
[ "$have_docker" -eq 1 ] && ENGINES="b dk"
mkdir -p "$T/w-b" "$T/w-dk"
mask() { sed -E "s#$T/w-(b|dk)#<W>#g; s#$T/docker-cp/root/#<ROOT>/#g; s#$T/root/#<ROOT>/#g; s/[0-9a-f]{64}/<ID>/g; s/docker /berth /g"; }
# run ENGINE CMD... - in the engine's working dir, outputs in $T/ENGINE.{out,err,rc}
run() {
	local eng=$1; shift
	(cd "$T/w-$eng" && "$eng" "$@") >"$T/$eng.out" 2>"$T/$eng.err" </dev/null
	echo $? >"$T/$eng.rc"
}
# both CMD... - run in each engine
both() { local e; for e in $ENGINES; do run "$e" "$@"; done; }
# same DESC CMD... - status and stderr compared (stdout must be empty)
same() {
	local desc=$1; shift
	both "$@"
	if [ "$have_docker" -eq 0 ]; then
		t_ok "$desc: berth runs (status $(cat "$T/b.rc"): $(head -c 200 "$T/b.err"))" true
		return
	fi
	t_eq "$desc: exit status" "$(cat "$T/b.rc")" "$(cat "$T/dk.rc")"
	t_eq "$desc: stderr" "$(mask <"$T/b.err")" "$(mask <"$T/dk.err")"
}
# tree DIR - what is below DIR: type, mode, size, owner, mtime, link, content
tree() {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %s %U:%G %n %l\n' | sort &&
		find . -mindepth 1 ! -type d -printf '%P %T@\n' | sed -E 's/\.[0-9]+$//' | sort &&
		find . -type f -exec md5sum {} + | sort -k2)
}
# same_tree DESC SUBDIR - the two working dirs' SUBDIR alike (and not empty)
same_tree() {
	local got
	got=$(tree "$T/w-b/$2")
	[ -n "$got" ] || { t_eq "$1: berth wrote something" "" "something"; return; }
	if [ "$have_docker" -eq 1 ]; then
		t_eq "$1" "$got" "$(tree "$T/w-dk/$2")"
	else
		t_ok "$1 (berth only)" true
	fi
}
entries() { "$PY" "$TOP/tests/lib/tar-entries.py" "$1"; }
# entries_nodirtimes TAR - tar-entries with directories' mtimes masked (a
# dir an extraction wrote into has the time of the copy)
entries_nodirtimes() { entries "$1" | awk '$2 == "5" { $9 = "-" } { print }'; }
# same_tar DESC [-d] CMD... - the tar CMD writes on stdout, entry by entry
# (-d: dirs' mtimes masked), else byte for byte
same_tar() {
	local desc=$1 filt=entries; shift
	[ "$1" = -d ] && { filt=entries_nodirtimes; shift; }
	both "$@"
	cp "$T/b.out" "$T/b.tar"
	t_eq "$desc: status" "$(cat "$T/b.rc"):$(cat "$T/b.err")" "0:"
	if [ "$have_docker" -eq 1 ]; then
		cp "$T/dk.out" "$T/dk.tar"
		t_eq "$desc: entries" "$($filt "$T/b.tar")" "$($filt "$T/dk.tar")"
		# with no copy-time mtimes in it, dockerd's stream byte for byte
		[ "$filt" = entries ] && t_ok "$desc: the same bytes" cmp "$T/b.tar" "$T/dk.tar"
	else
		t_ok "$desc: entries readable" entries "$T/b.tar"
	fi
}
# inside CTR - the owners, modes and names of /in and /tmp as stat sees
# them in CTR (whose command prints them), one run of the container
inside() {
	local e
	for e in $ENGINES; do
		{ "$e" start "$1" && "$e" wait "$1" && "$e" logs "$1"; } >"$T/$e.in" 2>&1
	done
	if [ "$have_docker" -eq 1 ]; then
		t_eq "$2" "$(cat "$T/b.in")" "$(cat "$T/dk.in")"
	else
		t_ok "$2 (berth only): $(head -c 100 "$T/b.in")" true
	fi
}

STATCMD='cd / && stat -c "%n %u:%g %a %F" $(ls -d /in /in/* /in/*/* /in/*/*/* /tmp/* 2>/dev/null)'
both create --name cpsrc box true
both run -d --name cplive box sleep 1000
both create --name cpdst box sh -c "$STATCMD"
both create --name cpusr --user nobody box sh -c "$STATCMD"
both create --name cpro --read-only box true
both create --name cpsvc --user svc box true

# ---- out of a stopped container
same "file into a dir" cp cpsrc:/data/a.txt .
same_tree "  the file, owned by the copier" .
mkdir -p "$T/w-b/n" "$T/w-dk/n"
same "file to a new name" cp cpsrc:/data/a.txt n/new.txt
same "file over an existing file" cp cpsrc:/data/sub/b.txt n/new.txt
same_tree "  renamed, then replaced" n
mkdir -p "$T/w-b/ex3/data" "$T/w-dk/ex3/data"
touch "$T/w-b/ex3/data/sub" "$T/w-dk/ex3/data/sub"
same "dir over a file below the dest" cp cpsrc:/data ex3
same "dir to a new dir" cp cpsrc:/data newdir
same_tree "  the dir's contents under the new name" newdir
mkdir -p "$T/w-b/ex" "$T/w-dk/ex"
same "dir into an existing dir" cp cpsrc:/data ex
same_tree "  DEST/data" ex
mkdir -p "$T/w-b/ex2" "$T/w-dk/ex2"
same "dir/. into an existing dir" cp cpsrc:/data/. ex2
same_tree "  the contents merged" ex2
same "dir/. to a new dir" cp cpsrc:/data/. new2
same_tree "  the contents" new2
mkdir -p "$T/w-b/l" "$T/w-dk/l"
same "symlink without -L" cp cpsrc:/flink l/
same "symlink with -L" cp -L cpsrc:/flink l/followed
same "relative symlink with -L" cp -L cpsrc:/data/rel l/
same "symlinked dir with a trailing slash" cp cpsrc:/lnk/ l/viadir
same "symlinked dir itself" cp cpsrc:/lnk l/lnkself
same "symlinked dir with -L" cp -L cpsrc:/lnk l/lnkfollowed
same "symlink into an existing dir with -L" cp -L cpsrc:/lnk l/viadir
same_tree "  links kept, followed, resolved in the container" l
same "root dir's file" cp cpsrc:file.txt l/
same "a dir over an existing file" cp cpsrc:/data l/followed
same "a file onto a dir in the way" cp cpsrc:/data/sub/b.txt l/viadir/sub
same_tree "  nothing replaced" l

# tars on stdout, as dockerd writes them
same_tar "dir to stdout" cp cpsrc:/data -
same_tar "dir/. to stdout" cp cpsrc:/data/. -
same_tar "file to stdout" cp cpsrc:/data/sub/b.txt -
same_tar "symlink to stdout" cp cpsrc:/lnk -
same_tar "-L symlink to stdout" cp -L cpsrc:/lnk -
same_tar "through a symlink climbing out: the container's file" cp cpsrc:/up/etc/passwd -
same_tar "-L of a symlink climbing out: the container's file" cp -L cpsrc:/hostpw -
t_eq "  not the host's" "$(tar -xOf "$T/b.tar")" "$(cat "$F/etc/passwd")"

# errors
same "missing container" cp nosuch:/data .
same "missing path" cp cpsrc:/nope .
same "missing path below a file" cp cpsrc:/file.txt/x .
same "dest parent missing" cp cpsrc:/data/a.txt nodir/x
same "file to a missing dir/" cp cpsrc:/data/a.txt nodir/
same "between containers" cp cpsrc:/data cplive:/tmp
same "no container" cp a b
same "empty source" cp "" cpsrc:/tmp
same "one argument" cp cpsrc:/data
same "unknown flag" cp -x cpsrc:/data .
same "bad bool flag value" cp --archive=maybe cpsrc:/data .
same "bool flag =false" cp --archive=false --follow-link=true cpsrc:/flink l/bools

# ---- out of a running container
same "file out of a running container" cp cplive:/data/sub .
same_tree "  its tree" sub

# ---- into a stopped container
same "dir to a new dir" cp "$S/d1" cpdst:/in
same "file into a dir" cp "$S/f1" cpdst:/in
same "file to a new name" cp "$S/f1" cpdst:/in/renamed
same "dir into an existing dir" cp "$S/d1" cpdst:/in
same "file over an existing file" cp "$S/d1/g.txt" cpdst:/in/renamed
same "file over a dir inside" cp "$S/d1/g.txt" cpdst:/in/d1/sub
same "dir/. merged into a dir" cp "$S/d1/." cpdst:/in/sub
same "symlink without -L" cp "$S/sl" cpdst:/in
same "symlink with -L" cp -L "$S/sl" cpdst:/in/slf
same "relative source path" cp ../src/f1 cpdst:/in/rel
same "through a symlink in the container" cp "$S/f1" cpdst:/lnk
same_tar "  the copies, as tarred back" -d cp cpdst:/in -
same_tar "  through the symlink" -d cp cpdst:/data -
inside cpdst "  owners kept without -a (stat inside the container)"
same "-a keeps them too (no Config.User)" cp -a "$S/d1/sub/h.txt" cpdst:/tmp/
same "-a with Config.User" cp -a "$S/f1" cpusr:/tmp/
same "without -a with Config.User" cp "$S/d1/g.txt" cpusr:/tmp/
inside cpusr "  -a: the user's IDs, as the host's passwd has them"

# a tar on stdin
"$PY" - "$T/in.tar" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.USTAR_FORMAT) as tf:
    for name, kind in (("st", tarfile.DIRTYPE), ("st/x.txt", tarfile.REGTYPE), ("st/y", tarfile.SYMTYPE)):
        ti = tarfile.TarInfo(name); ti.type = kind; ti.mtime = 1600000000; ti.uid = ti.gid = 77
        ti.mode = 0o750 if kind == tarfile.DIRTYPE else 0o644
        data = b"from stdin\n" if kind == tarfile.REGTYPE else b""
        if kind == tarfile.SYMTYPE: ti.linkname = "x.txt"
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
EOF
gzip -c "$T/in.tar" >"$T/in.tar.gz"
stdin() { local f=$1; shift; for e in $ENGINES; do (cd "$T/w-$e" && "$e" "$@") <"$f" >"$T/$e.out" 2>"$T/$e.err"; echo $? >"$T/$e.rc"; done; }
same_stdin() {
	local desc=$1 f=$2; shift 2
	stdin "$f" "$@"
	if [ "$have_docker" -eq 0 ]; then
		t_ok "$desc: berth runs (status $(cat "$T/b.rc"): $(head -c 200 "$T/b.err"))" true
		return
	fi
	t_eq "$desc: exit status" "$(cat "$T/b.rc")" "$(cat "$T/dk.rc")"
	t_eq "$desc: stderr" "$(mask <"$T/b.err")" "$(mask <"$T/dk.err")"
}
same_stdin "tar from stdin" "$T/in.tar" cp - cpdst:/in
same_stdin "gzipped tar from stdin" "$T/in.tar.gz" cp - cpdst:/in/sub
same_stdin "tar from stdin to a file" "$T/in.tar" cp - cpdst:/in/f1
same_stdin "tar from stdin to a missing dir" "$T/in.tar" cp - cpdst:/nope
same_stdin "tar from stdin, missing container" "$T/in.tar" cp - nosuch:/tmp
same_tar "  extracted" -d cp cpdst:/in -

# errors into a container
same "missing container" cp "$S/f1" nosuch:/tmp
same "missing local source" cp "$S/nope" cpdst:/in
same "dir onto a file" cp "$S/d1" cpdst:/in/f1
same "dest parent missing" cp "$S/f1" cpdst:/nope/x
same "file to a missing dir/" cp "$S/f1" cpdst:/nope/
same "file over a dir" cp "$S/f1" cpdst:/in/d1/sub/h.txt/
same "dir over a file inside" cp "$S/d1/." cpdst:/in/renamed/

same "into a read-only rootfs" cp "$S/f1" cpro:/tmp
same "-a with a user only the container knows" cp -a "$S/f1" cpsvc:/tmp
same "  and without -a" cp "$S/f1" cpsvc:/tmp

# ---- into a running container, and out again
same "file into a running container" cp "$S/f1" cplive:/tmp/
same "through a symlink climbing out" cp "$S/d1/g.txt" cplive:/up/tmp/
t_eq "  nothing in the host's /tmp" "$(ls /tmp/g.txt 2>&1)" "ls: cannot access '/tmp/g.txt': No such file or directory"
same_tar "  read back" cp cplive:/tmp/f1 -
same_tar "  read back" cp cplive:/tmp/g.txt -

# ---- hostile tars on stdin: nothing may land outside the container's root
H=$T/hostile
mkdir -p "$H"
"$PY" - "$H" "$T" <<'EOF'
import io, os, sys, tarfile
d, t = sys.argv[1], sys.argv[2]
def mk(path, entries):
    with tarfile.open(os.path.join(d, path), "w", format=tarfile.GNU_FORMAT) as tf:
        for name, kind, link in entries:
            ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = link; ti.mtime = 1600000000
            data = b"pwned\n" if kind == tarfile.REGTYPE else b""
            ti.size = len(data); ti.mode = 0o755
            tf.addfile(ti, io.BytesIO(data))
up = "../" * 40
mk("dotdot1.tar", [("../escaped-dotdot1", tarfile.REGTYPE, "")])
mk("dotdot2.tar", [("a/../../../escaped-dotdot2", tarfile.REGTYPE, "")])
mk("parent.tar", [("..", tarfile.DIRTYPE, "")])
mk("dotdot.tar", [(up + t.lstrip("/") + "/escaped-dotdot", tarfile.REGTYPE, "")])
mk("abslink.tar", [("evil", tarfile.SYMTYPE, t), ("evil/escaped-abslink", tarfile.REGTYPE, "")])
mk("rootlink.tar", [("evil2", tarfile.SYMTYPE, "/"), ("evil2/escaped-rootlink", tarfile.REGTYPE, "")])
mk("rellink.tar", [("up", tarfile.SYMTYPE, up + t.lstrip("/")), ("up/escaped-rellink", tarfile.REGTYPE, "")])
mk("rellink2.tar", [("esc", tarfile.SYMTYPE, "../etc"), ("esc/escaped-rellink2", tarfile.REGTYPE, "")])
mk("hardlink2.tar", [("hl2", tarfile.LNKTYPE, "../etc/passwd")])
mk("hardlink.tar", [("hl", tarfile.LNKTYPE, up + t.lstrip("/") + "/src/f1")])
mk("absname.tar", [(t + "/escaped-absname", tarfile.REGTYPE, "")])
EOF
for h in dotdot1 dotdot2 parent dotdot abslink rootlink rellink rellink2 hardlink hardlink2 absname; do
	same_stdin "hostile $h.tar" "$H/$h.tar" cp - cpdst:/tmp
done
t_eq "  nothing written outside the root" "$(ls "$T" | grep escaped; ls / | grep escaped)" ""
t_eq "  the local file a hardlink named is intact" "$(cat "$S/f1")" "one"
same_tar "  what landed inside" -d cp cpdst:/tmp -

# ---- through the container's mounts: a volume (over an image dir), a
# bind, a read-only bind, tmpfs mounts (which docker cp does not see), and
# once it has run the hostname/hosts/resolv.conf binds; stopped and running
for e in $ENGINES; do
	mkdir -p "$T/bind-$e/sub" "$T/ro-$e/sub"
	echo inbind >"$T/bind-$e/b.txt"
	echo deeper >"$T/bind-$e/sub/c.txt"
	echo inro >"$T/ro-$e/r.txt"
	ln -s /etc/passwd "$T/bind-$e/abs"
	ln -s ../../../../../../../etc "$T/bind-$e/rel"
	ln -s /data/vol "$T/bind-$e/tovol"
	find "$T/bind-$e" "$T/ro-$e" -exec touch -h -d "@$TS" {} +
	"$e" create --name cpmnt -v cpvol:/data/vol -v "$T/bind-$e:/bind" -v "$T/ro-$e:/ro:ro" --tmpfs /tt \
		--mount type=tmpfs,dst=/tm box sleep 1000 >/dev/null
	"$e" create --name cprovol --read-only -v cpvol2:/vol box true >/dev/null
done
mask() { sed -E "s#$T/w-(b|dk)#<W>#g; s#$T/(bind|ro)-(b|dk)#<\1>#g; s#$T/docker-cp/root/#<ROOT>/#g; s#$T/root/#<ROOT>/#g; s/[0-9a-f]{64}/<ID>/g; s/docker /berth /g"; }
# same_binds DESC - the bind sources of the two engines alike
same_binds() {
	if [ "$have_docker" -eq 1 ]; then
		t_eq "$1" "$(tree "$T/bind-b"; tree "$T/ro-b")" "$(tree "$T/bind-dk"; tree "$T/ro-dk")"
	else
		t_ok "$1 (berth only)" true
	fi
}
# same_content DESC CMD... - the content of the one file CMD tars to stdout
same_content() {
	local desc=$1; shift
	both "$@"
	t_eq "$desc: status" "$(cat "$T/b.rc"):$(cat "$T/b.err")" "0:"
	if [ "$have_docker" -eq 1 ]; then
		t_eq "$desc: content" "$(tar -xOf "$T/b.out" | mask)" "$(tar -xOf "$T/dk.out" | mask)"
	else
		t_ok "$desc: a file" tar -xOf "$T/b.out"
	fi
}
# mounts_left - host mounts of the binds or volumes (cp's are never seen)
mounts_left() { grep -c -e "$T/bind-" -e "$T/ro-" -e "$T/root/volumes" /proc/self/mountinfo; }
same "stopped: into a volume" cp "$S/d1" cpmnt:/data/vol
same "  into a bind mount" cp "$S/f1" cpmnt:/bind/
same "  into a read-only bind" cp "$S/f1" cpmnt:/ro/
same "  onto a read-only bind" cp "$S/f1" cpmnt:/ro
same "  below a read-only bind, missing" cp "$S/f1" cpmnt:/ro/sub/x
same "  into a dir of a read-only bind" cp "$S/f1" cpmnt:/ro/sub
mkdir -p "$T/w-b/over/ro" "$T/w-dk/over/ro"
echo x >"$T/w-b/over/ro/y"; echo x >"$T/w-dk/over/ro/y"
same "  a dir merged over a read-only bind" cp over/. cpmnt:/
same "  through a bind's symlink climbing out" cp "$S/f1" cpmnt:/bind/rel
t_eq "  nothing in the host's /etc" "$(ls /etc/f1 2>&1)" "ls: cannot access '/etc/f1': No such file or directory"
same "  through a bind's symlink into a volume" cp "$S/d1/g.txt" cpmnt:/bind/tovol
same_binds "  the bind sources, as written"
same_tar "  a volume, read back" -d cp cpmnt:/data/vol -
same_tar "  a dir holding a volume" -d cp cpmnt:/data -
same_tar "  a bind mount" -d cp cpmnt:/bind -
same_tar "  a read-only bind" -d cp cpmnt:/ro -
same_tar "  -L of a bind's absolute symlink: the container's file" cp -L cpmnt:/bind/abs -
same_tar "  a bind's relative symlink climbing out: the container's /etc" cp cpmnt:/bind/rel/f1 -
same_tar "  a bind's symlink to a volume" -d cp cpmnt:/bind/tovol/ -
same "  --tmpfs is not seen" cp cpmnt:/tt -
same "  --mount type=tmpfs is not seen" cp cpmnt:/tm -
same "  /etc/hosts before any start (the init layer's)" cp cpmnt:/etc/hosts -
same_stdin "  a tar from stdin into a volume" "$T/in.tar" cp - cpmnt:/data/vol
same_stdin "  a tar from stdin over /etc/hosts' dir" "$T/in.tar" cp - cpmnt:/etc
same_tar "  what landed in the volume" -d cp cpmnt:/data/vol/st -
if [ "$have_docker" -eq 1 ]; then
	t_eq "  diff: the mount points cp made, as dockerd's" "$(b diff cpmnt | sort)" "$(dk diff cpmnt | sort)"
fi
t_eq "  no mount left on the host" "$(mounts_left)" 0
same "read-only rootfs: into its volume" cp "$S/f1" cprovol:/vol
same "  beside it" cp "$S/f1" cprovol:/
same_tar "  the volume" -d cp cprovol:/vol -

both start cpmnt
same_tar "running: a volume" -d cp cpmnt:/data/vol -
same_tar "  a bind mount" -d cp cpmnt:/bind -
same_content "  /etc/hosts" cp cpmnt:/etc/hosts -
same_content "  /etc/resolv.conf" cp cpmnt:/etc/resolv.conf -
same "  --tmpfs: its mount point in the rootfs" cp cpmnt:/tt -
same "  into a volume" cp "$S/f1" cpmnt:/data/vol/
same "  into a read-only bind" cp "$S/f1" cpmnt:/ro/
same "  over /etc/hosts" cp "$S/f1" cpmnt:/etc/hosts
same "  over /etc/hostname" cp "$S/f1" cpmnt:/etc/hostname
same "  beside them" cp "$S/f1" cpmnt:/etc/
same_tar "  the volume" -d cp cpmnt:/data/vol -
t_eq "  no mount on the host" "$(mounts_left)" 0
for e in $ENGINES; do "$e" stop -t 0 cpmnt >/dev/null; done
same_content "stopped after a run: /etc/hosts" cp cpmnt:/etc/hosts -
same "  over /etc/hosts" cp "$S/f1" cpmnt:/etc/hosts
same_binds "  the bind sources at the end"

# ---- container cp
same "container cp" container cp cpsrc:/data/a.txt n/again.txt
same_tree "  the same copy" n

for e in $ENGINES; do "$e" rm -f cpsrc cplive cpdst cpusr cpro cpsvc cpmnt cprovol >/dev/null 2>&1; done
for e in $ENGINES; do "$e" volume rm cpvol cpvol2 >/dev/null 2>&1; done
t_done
