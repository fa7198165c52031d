#!/usr/bin/env bash
# t0880-container-kill9 - berth create, run, rm and commit killed with -9 at
# random moments: afterwards no half container is visible (every
# containers/<id> loads and has its RW layer, every RW layer belongs to a
# container), and the next command removes what the killed one left
# (berth/tmp, layerdb/tmp markers, orphaned overlay2 dirs), so the store
# counts only whole containers.
. "$(dirname "$0")/../lib/test-lib.sh"

command -v runc >/dev/null || { t_skip "kill -9 tests" "runc not installed"; t_done; }
[ "$(id -u)" -eq 0 ] || { t_skip "kill -9 tests" "needs root"; t_done; }
BB=$(command -v busybox) || { t_skip "kill -9 tests" "busybox not installed"; t_done; }

R=$T/root
export BERTH_EXEC_ROOT=$T/exec
b() { "$BERTH" --root "$R" "$@"; }
mkdir -p "$T/rootfs/bin"
cp "$BB" "$T/rootfs/bin/busybox"
for x in sh true echo sleep; do ln -s busybox "$T/rootfs/bin/$x"; done
tar -C "$T/rootfs" -cf "$T/rootfs.tar" .
b import "$T/rootfs.tar" bb:latest >/dev/null || { t_notok "import" true; t_done; }

# consistent - 0 when the store holds only whole containers: each record
# parses and has layerdb/mounts/<id> whose mount-id dirs exist, each
# layerdb/mounts entry has a record, and overlay2 holds exactly the image
# layers' dirs plus two per container.
consistent() {
	"$PY" - "$R" <<'PY'
import json, os, sys
r = sys.argv[1]
bad = []
recs = [d for d in os.listdir(f"{r}/containers")] if os.path.isdir(f"{r}/containers") else []
mounts = os.listdir(f"{r}/image/overlay2/layerdb/mounts") if os.path.isdir(f"{r}/image/overlay2/layerdb/mounts") else []
for c in recs:
    try:
        json.load(open(f"{r}/containers/{c}/config.v2.json"))
        json.load(open(f"{r}/containers/{c}/hostconfig.json"))
    except Exception as e:
        bad.append(f"record {c}: {e}")
    if c not in mounts:
        bad.append(f"record {c} without its RW layer")
used = set()
for m in mounts:
    if m not in recs:
        bad.append(f"RW layer {m} without a record")
    try:
        mid = open(f"{r}/image/overlay2/layerdb/mounts/{m}/mount-id").read()
    except Exception as e:
        bad.append(f"RW layer {m}: {e}")
        continue
    for d in (mid, mid + "-init"):
        used.add(d)
        if not os.path.isdir(f"{r}/overlay2/{d}/diff"):
            bad.append(f"RW layer {m}: overlay2/{d} missing")
for l in os.listdir(f"{r}/image/overlay2/layerdb/sha256"):
    try:
        used.add(open(f"{r}/image/overlay2/layerdb/sha256/{l}/cache-id").read().strip())
    except Exception:
        pass
for d in os.listdir(f"{r}/overlay2"):
    if d != "l" and d not in used:
        bad.append(f"overlay2/{d} belongs to nothing")
for d in ("berth/tmp",):
    p = f"{r}/{d}"
    if os.path.isdir(p) and os.listdir(p):
        bad.append(f"{d} not empty: {os.listdir(p)}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
}

# trial CMD... - runs berth CMD, kills it with -9 after a random 0-40 ms,
# then lets the next create clean up; 0 when the store is consistent after.
trial() {
	local pid
	b "$@" >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 40))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# A container's monitor outlives the killed command by design and
	# finishes its work (an --rm removal): wait for it, at most 10 s.
	for _ in $(seq 100); do pgrep -f -- "--root $R run" >/dev/null || break; sleep 0.1; done
	# the next command of any kind that changes the store finishes the rest
	b create bb true >/dev/null 2>&1 || return 1
	consistent
}

n=0 ok=0
for i in $(seq 25); do n=$((n + 1)); trial create --name "c$i" bb true && ok=$((ok + 1)); done
t_eq "create killed at 25 random moments: the store stays whole" "$ok/$n" "$n/$n"
n=0 ok=0
for i in $(seq 25); do n=$((n + 1)); trial run --rm bb true && ok=$((ok + 1)); done
t_eq "run --rm killed at 25 random moments: the store stays whole" "$ok/$n" "$n/$n"
# run --rm with its monitor killed at a random moment of the container's
# life, its exit or its removal (deferred until the waiter heard, then
# done by the monitor): a whole container stays behind, or none
monitor_trial() {
	local pid m
	b run --rm bb sh -c 'sleep 0.05' >/dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 20))"
	for m in $(pgrep -x berth-monitor); do
		case $(readlink "/proc/$m/cwd") in "$BERTH_EXEC_ROOT"/*) kill -9 "$m" ;; esac
	done
	wait "$pid" 2>/dev/null
	b create bb true >/dev/null 2>&1 || return 1
	consistent
}
n=0 ok=0
for i in $(seq 20); do n=$((n + 1)); monitor_trial && ok=$((ok + 1)); done
t_eq "run --rm's monitor killed at 20 random moments: the store stays whole" "$ok/$n" "$n/$n"
left=0
for c in $(ls "$R/containers"); do b rm -f "$c" >/dev/null 2>&1 || left=$((left + 1)); done
t_eq "  what the killed monitors left is removable" "$left" 0
# rm: a container per trial, removed while killed
n=0 ok=0
for i in $(seq 25); do
	b create --name "r$i" bb true >/dev/null
	n=$((n + 1)); trial rm "r$i" && ok=$((ok + 1))
	b rm "r$i" >/dev/null 2>&1
done
t_eq "rm killed at 25 random moments: the store stays whole" "$ok/$n" "$n/$n"
t_ok "  and every killed removal can be finished" consistent
# commit: a container with a change, committed while killed
b run --name src bb sh -c 'echo data >/f' >/dev/null
n=0 ok=0
for i in $(seq 15); do
	n=$((n + 1)); trial commit src "k/img:$i" && ok=$((ok + 1))
done
t_eq "commit killed at 15 random moments: the store stays whole" "$ok/$n" "$n/$n"
t_ok "  a commit after them succeeds" b commit src k/img:last
t_eq "  and its image runs" "$(b run --rm k/img:last sh -c 'cat /f')" "data"
# every container left is whole and removable
for c in $(ls "$R/containers"); do b rm -f "$c" >/dev/null 2>&1; done
t_eq "every container left is removable" "$(ls -A "$R/containers")" ""
t_ok "  and the store is whole" consistent
t_done
