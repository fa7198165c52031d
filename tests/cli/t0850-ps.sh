#!/usr/bin/env bash
# t0850-ps - berth ps beside docker 20.10's on the same containers, made
# alike in each (created, exited 0, exited 3, running, named, labelled, a
# long command with spaces and quotes, one whose image ref was untagged):
# the tables, -a, -q, -n, -l, -s, --no-trunc, filters and their errors,
# --format forms, flag errors (one label each: docker joins .Labels in Go
# map order).  IDs, generated names, times and durations
# are masked the same way on both sides; column padding is compared as
# one separator (the durations' widths differ).
. "$(dirname "$0")/../lib/test-lib.sh"

command -v runc >/dev/null || { t_skip "ps tests" "runc not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "ps tests" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "ps tests" "busybox not installed"; t_done; }

R=$T/root
export BERTH_EXEC_ROOT=$T/exec
b() { "$BERTH" --root "$R" "$@"; }

mkdir -p "$T/rootfs/bin" "$T/rootfs/etc"
cp "$BB" "$T/rootfs/bin/busybox"
for x in sh true false echo sleep; do ln -s busybox "$T/rootfs/bin/$x"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$T/rootfs/etc/passwd"
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .

# make_all CLI - the same containers, oldest first, with berth ("b") or docker ("dk").
make_all() {
	local x=$1
	$x import -c 'CMD ["sh"]' "$T/rootfs.tar" bb:latest >/dev/null
	$x tag bb:latest bb2:latest
	$x create bb >/dev/null
	$x run --name ex0 bb true
	$x run --name ex3 bb sh -c 'exit 3'
	$x run -d --name sl bb sleep 300 >/dev/null
	$x create --name named -l a=b bb >/dev/null
	$x create --name labels2 -l k=v bb sh -c 'echo "hello world" it'"'"'s a "quoted" thing' >/dev/null
	$x create --name untagged bb2 echo >/dev/null
	$x rmi bb2 >/dev/null
}

# mask CLI - stdin with CLI's generated name, IDs, times and durations masked.
mask() {
	local gen
	gen=$($1 ps -a --filter name=_ --format '{{.Names}}' | head -1)
	sed -E "s/${gen:-NONE}/GEN/g; s/\\b[0-9a-f]{64}\\b/<ID>/g; s/\\b[0-9a-f]{12}\\b/<id>/g" |
		sed -E 's/(Less than a second|[0-9]+ seconds?|About a minute|[0-9]+ minutes) ago/N ago/g;
			s/Up (Less than a second|[0-9]+ seconds?|About a minute|[0-9]+ minutes)/Up N/g;
			s/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} [-+][0-9]{4} [A-Z]+/<T>/g;
			s/docker /berth /g; s/  +/ | /g'
}

make_all b
t_eq "ps -a lists all seven" "$(b ps -aq | wc -l)" "7"
t_eq "ps lists the running one" "$(b ps --format '{{.Names}} {{.State}}')" "sl running"
t_eq "-q is the short ID" "$(b ps -q)" "$(b ps -q --no-trunc | cut -c1-12)"
t_eq "the untagged ref shows the image ID" "$(b ps -a --filter name=untagged --format '{{.Image}}')" \
	"$(b images -q bb)"

# A record saying Running whose monitor is gone lists as exited (0), as
# dockerd's restore records it, and stays so.
id=$(b run -d --name orphan bb sleep 300)
mon=$(cat "$BERTH_EXEC_ROOT/$id/monitor.pid") ctr=$(cat "$BERTH_EXEC_ROOT/$id/container.pid")
kill -9 "$mon" "$ctr"
for i in $(seq 50); do kill -0 "$mon" 2>/dev/null || break; sleep 0.1; done
t_eq "a container whose monitor died lists as exited" \
	"$(b ps -a --filter name=orphan --format '{{.State}} {{.Status}}' | mask b)" "exited Exited (0) N ago"
t_eq "  and is not listed as running" "$(b ps -q --filter name=orphan)" ""
b rm orphan >/dev/null

if ! have_dockerd || ! start_refdocker ps; then
	t_skip "comparisons with docker" "no reference dockerd"
	b rm -f sl >/dev/null
	t_done
fi
make_all dk

# same DESC ARGS... - berth ps ARGS and docker ps ARGS: status, output (masked).
same() {
	local desc=$1 bs ds; shift
	b ps "$@" >"$T/b.out" 2>&1; bs=$?
	dk ps "$@" >"$T/d.out" 2>&1; ds=$?
	mask b <"$T/b.out" >"$T/b.m"
	mask dk <"$T/d.out" >"$T/d.m"
	t_eq "$desc: exit status" "$bs" "$ds"
	t_ok "$desc: output" cmp -s "$T/b.m" "$T/d.m" || diff "$T/b.m" "$T/d.m" | head -10
}

same "ps" 
same "ps -a" -a
same "-q" -q
same "-aq" -aq
same "--no-trunc" -a --no-trunc
same "-n 2" -n 2
same "-n 0" -n 0
same "-l" -l
same "-l -n 3" -l -n 3
same "-s" -a -s
same "-s -q" -s -q
for f in status=exited status=created status=running exited=3 exited=0 name=ex 'name=^ex0$' name=/ex0 \
	label=a label=a=b label=a=x label=k=v ancestor=bb ancestor=nosuch before=ex3 since=ex3 since=/named \
	volume=/x network=bridge network=none health=none health=healthy is-task=false publish=80 expose=80/tcp \
	isolation=default ' Name = ex0 ' 'name=[' id= name=; do
	same "--filter $f" -a --format '{{.Names}}' --filter "$f"
done
same "two name filters" -a --filter name=ex0 --filter name=sl
same "label filters together" -a --filter label=a --filter label=k
same "since and before" -a --filter since=ex3 --filter before=labels2
same "exited without -a" --filter exited=0
same "status with -n" -n 1 --filter status=running
for f in bogus=1 status=bogus status=Exited exited=x before=nosuch since=nosuch health=x is-task=x \
	publish=1:2 x; do
	same "--filter $f fails" -a --filter "$f"
done
same "--format table" -a --format table
same "--format raw" -a --format raw
same "--format raw -s" -a -s --format raw
same "--format json (no such key in 20.10)" --format json
same "--format {{json .}}" -a --format '{{json .}}'
same "a table template" -a --format 'table {{.Names}}\t{{.Status}}\t{{.Size}}'
same "fields" -a --format '{{.State}}|{{.Status}}|{{.Labels}}|{{.Mounts}}|{{.Networks}}|{{.LocalVolumes}}|{{.Ports}}|{{.CreatedAt}}|{{.RunningFor}}'
same "--no-trunc command" -a --no-trunc --format '{{.Command}} {{.Image}}'
same "-q with a format" -aq --format '{{.Names}}'
same "an unknown field" --format '{{.Foo}}'
same "a parse error" --format '{{'
same ".Label without its argument" --format '{{.Label}}'
same "an argument" foo
same "-n x" -n x
same "--bogus" --bogus
same "-x" -x
same "--format without a value" --format
same "--all=false" --all=false
same "--help" --help

b rm -f sl >/dev/null
dk rm -f sl >/dev/null
t_done
