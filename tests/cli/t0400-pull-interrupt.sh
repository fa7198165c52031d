#!/usr/bin/env bash
# t0400-pull-interrupt: crash safety and concurrency of pulls sharing a root.
#   1. a pull killed with -9 in the middle of a layer leaves nothing visible
#      (no layer, image or name), and the next pull completes and removes
#      what the killed one left (its incomplete layer dirs);
#   2. two pulls of the same image into one root at the same time both
#      succeed and leave one consistent copy.
. "$(dirname "$0")/../lib/test-lib.sh"

export BERTH_HUB_HOST=127.0.0.1:1
R=$T/root

t_ok "hostile registry starts" start_hostile || t_done
printf '{"registry-mirrors": ["http://%s"]}\n' "$HR" >"$T/daemon.json"
export BERTH_CONFIG=$T/daemon.json

layers() { find "$R/image/overlay2/layerdb/sha256" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }
images() { find "$R/image/overlay2/imagedb/content/sha256" -type f 2>/dev/null | wc -l; }
markers() { find "$R/image/overlay2/layerdb/tmp" -name 'incomplete-*' 2>/dev/null | wc -l; }
# cache dirs under overlay2/ that no registered layer names
orphans() {
	local d n=0
	for d in "$R"/overlay2/*/; do
		d=$(basename "$d")
		[ "$d" = l ] && continue
		grep -qsx "$d" "$R"/image/overlay2/layerdb/sha256/*/cache-id || n=$((n + 1))
	done
	echo "$n"
}

# ---- 1. kill -9 in the middle of a layer
"$BERTH" --root "$R" pull "$HR/stall:latest" >"$T/out1" 2>&1 &
pid=$!
for _ in $(seq 200); do
	[ "$(markers)" -ge 1 ] && [ -n "$(find "$R/overlay2" -path '*/diff/data' 2>/dev/null)" ] && break
	sleep 0.1
done
t_ok "the pull is inside the stalled layer" test -n "$(find "$R/overlay2" -path '*/diff/data' 2>/dev/null)"
kill -9 "$pid"
wait "$pid" 2>/dev/null
t_eq "killed pull registered no layer" "$(layers)" 0
t_eq "killed pull registered no image" "$(images)" 0
t_ok "killed pull named nothing" grep -qx '{"Repositories":{}}' "$R/image/overlay2/repositories.json"
t_ok "berth images shows nothing" test "$("$BERTH" --root "$R" images | wc -l)" -eq 1
t_ok "it left incomplete layer dirs behind" test "$(orphans)" -ge 1

t_ok "the same pull again completes" "$BERTH" --root "$R" pull "$HR/stall:latest"
t_eq "  two layers registered" "$(layers)" 2
t_eq "  no incomplete markers left" "$(markers)" 0
t_eq "  no unregistered overlay2 dirs left" "$(orphans)" 0
t_ok "  berth images lists it" grep -q "^$HR/stall " <<<"$("$BERTH" --root "$R" images)"

# ---- 2. two pulls of one image at once
R2=$T/root2
"$BERTH" --root "$R2" pull "$HR/good:latest" >"$T/a.out" 2>&1 &
p1=$!
"$BERTH" --root "$R2" pull "$HR/good:latest" >"$T/b.out" 2>&1 &
p2=$!
wait "$p1"; rc1=$?
wait "$p2"; rc2=$?
t_eq "concurrent pull 1 succeeds" "$rc1" 0
t_eq "concurrent pull 2 succeeds" "$rc2" 0
R=$R2
t_eq "  one copy of each layer" "$(layers)" 2
t_eq "  no unregistered overlay2 dirs" "$(orphans)" 0
t_eq "  one image" "$(images)" 1
t_ok "  inspect works" "$BERTH" --root "$R2" inspect "$HR/good:latest"
t_done
