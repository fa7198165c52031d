#!/usr/bin/env bash
# t0300-pull-hostile: berth pull against tests/lib/hostile-registry.py, which
# serves one broken image per repository (bad digests, short and long blobs,
# malformed or huge manifests, bad configs, tar entries that try to leave the
# layer, corrupt gzip, a manifest list without our platform, 500s, schema1).
# For every fault the pull must
#   - exit non-zero, without a signal (rc < 128) and without hanging;
#   - print exactly one line on stderr, naming the problem;
#   - leave the store exactly as it was (listing of image/ and overlay2/,
#     layerdb/tmp excepted, and repositories.json byte for byte): no
#     half-registered layer, no image, no leftover overlay2/<id> dir;
#   - write nothing outside the root (the marker dir the abs-symlink layer
#     points at stays empty);
# and the same again under build-asan/berth when it exists (no sanitizer
# report).  Then a valid image from the same server pulls fine and is listed.
. "$(dirname "$0")/../lib/test-lib.sh"

export BERTH_HUB_HOST=127.0.0.1:1	# guard: never Docker Hub
ASAN_BERTH=$TOP/build-asan/berth
MARKER=$T/marker
PULL_TIMEOUT=300	# only a guard against a hang; nothing is timed

FAULTS=(
	"digest-mismatch|verif|digest"
	"truncated|eof|partial|truncat|closed|transfer|short"
	"too-long|verif|larger|size|digest|length"
	"bad-manifest-json|manifest|json|parse"
	"huge-manifest|too large|limit|too big|size"
	"config-not-json|config|json"
	"config-no-rootfs|rootfs"
	"diffid-mismatch|diff.?id|don't match|does not match"
	"layer-count|layers length|mismatch|count"
	"dotdot|escape|breakout|outside|\\.\\./"
	"abs-symlink|evil|pwned|symlink|outside|breakout"
	"hardlink-escape|hardlink|link|passwd"
	"rel-symlink|evil|pwned|symlink|outside|breakout"
	"abs-hardlink|hardlink|link|passwd"
	"corrupt-gzip|gzip|inflate|zlib|deflate|corrupt|distance|compress"
	"no-platform|no matching manifest|platform"
	"blob-500|500|internal server error|unknown error"
	"schema1|schema ?1|v1"
)

# ------------------------------------------------------------ helpers

# bp BINARY ROOT ARGS... - berth pull; stdout in $T/out, stderr in $T/err, rc in RC
bp() {
	local bin=$1 root=$2; shift 2
	RC=0
	timeout "$PULL_TIMEOUT" "$bin" --root "$root" --config "$BERTH_CONFIG" pull "$@" \
		>"$T/out" 2>"$T/err" || RC=$?
}

# listing ROOT - what a pull may not change: every path under image/ and
# overlay2/ with its type (layerdb/tmp is scratch space), then
# repositories.json verbatim.
listing() {
	(
		cd "$1" || exit 1
		find image overlay2 -path image/overlay2/layerdb/tmp -prune -o -printf '%p %y\n' | sort
		echo "--- repositories.json"
		cat image/overlay2/repositories.json 2>&1
		echo
	)
}

# store_diff BEFORE ROOT - "+path"/"-path" lines, empty when unchanged
store_diff() {
	listing "$2" >"$T/after"
	diff "$1" "$T/after" | grep '^[<>]' | sed 's/^< /-/; s/^> /+/' | head -n 40
}

marker_listing() { find "$MARKER" -mindepth 1 -printf '%P %y\n' 2>&1 | sort; }

# rc_ok - non-zero, no signal, no timeout
rc_ok() { [ "$RC" -ne 0 ] && [ "$RC" -lt 124 ]; }

sanitizer_report() { grep -E 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$T/err" | head -n 3; }

# check_fault BINARY ROOT TAG FAULT REGEX
check_fault() {
	local bin=$1 root=$2 tag=$3 fault=$4 re=$5 line nlines before=$T/before
	listing "$root" >"$before"
	bp "$bin" "$root" "$HR/$fault:latest"
	nlines=$(wc -l <"$T/err")
	line=$(head -n 1 "$T/err")
	t_ok "$tag$fault: pull fails (rc $RC): $line" rc_ok
	if [ "$tag" = "" ]; then
		t_eq "  $fault: exactly one line on stderr" "$nlines" 1 || sed 's/^/#   stderr: /' "$T/err" | head -n 10
		t_ok "  $fault: the line names the problem (/${re}/)" grep -qiE -- "$re" <<<"$line"
	else
		t_eq "  $tag$fault: no sanitizer report" "$(sanitizer_report)" ""
		t_eq "  $tag$fault: exactly one line on stderr" "$nlines" 1 || sed 's/^/#   stderr: /' "$T/err" | head -n 10
	fi
	t_eq "  $tag$fault: store unchanged (no layer, image, name or overlay2 dir left)" \
		"$(store_diff "$before" "$root")" ""
	t_eq "  $tag$fault: nothing written outside the root (marker dir empty)" "$(marker_listing)" ""
}

# ------------------------------------------------------------ run

t_ok "hostile registry starts" start_hostile || t_done
berth_cfg "$HR"	# registry-mirrors -> the hostile server; exports BERTH_CONFIG
ROOT=$T/root

bp "$BERTH" "$ROOT" "$HR/base:latest"
t_eq "valid pull of $HR/base first (so the store is not empty)" "$RC" 0 ||
	cat "$T/err" "$T/out" | head -n 20 | sed 's/^/#   /'

for f in "${FAULTS[@]}"; do
	check_fault "$BERTH" "$ROOT" "" "${f%%|*}" "${f#*|}"
done

NAMES=()
for f in "${FAULTS[@]}"; do NAMES+=("${f%%|*}"); done
t_ok "$HR server saw every faulty repository" "$PY" -c '
import json, sys, urllib.request
s = json.load(urllib.request.urlopen("http://" + sys.argv[1] + "/stats"))
missing = [r for r in sys.argv[2:] if not s.get(r)]
print("never requested:", missing)
sys.exit(1 if missing else 0)' "$HR" "${NAMES[@]}"

if [ -x "$ASAN_BERTH" ]; then
	AROOT=$T/root-asan
	bp "$ASAN_BERTH" "$AROOT" "$HR/base:latest"
	t_eq "asan: valid pull of $HR/base" "$RC" 0 || head -n 20 "$T/err" | sed 's/^/#   /'
	for f in "${FAULTS[@]}"; do
		check_fault "$ASAN_BERTH" "$AROOT" "asan: " "${f%%|*}" "${f#*|}"
	done
else
	t_skip "asan runs" "no build-asan/berth"
fi

# ------------------------------------------------------------ still usable

bp "$BERTH" "$ROOT" "$HR/good:latest"
t_eq "valid pull of $HR/good after all that succeeds" "$RC" 0 || sed 's/^/#   /' "$T/err"
t_eq "  last line is the name" "$(tail -n 1 "$T/out")" "$HR/good:latest"
t_eq "  stderr is empty" "$(cat "$T/err")" ""
IMAGES=$("$BERTH" --root "$ROOT" --config "$BERTH_CONFIG" images 2>&1)
t_ok "berth images lists $HR/good" grep -qE "^$HR/good +latest +[0-9a-f]{12} " <<<"$IMAGES"
t_ok "berth images lists $HR/base" grep -qE "^$HR/base +latest +[0-9a-f]{12} " <<<"$IMAGES"
t_eq "berth images lists nothing else" "$(awk 'NR > 1' <<<"$IMAGES" | wc -l)" 2 ||
	sed 's/^/#   /' <<<"$IMAGES"
t_eq "repositories.json names only base and good" \
	"$(jq -r '.Repositories | keys[]' "$ROOT/image/overlay2/repositories.json" 2>&1 | tr '\n' ' ')" \
	"$HR/base $HR/good "
t_ok "berth inspect $HR/good works" "$BERTH" --root "$ROOT" --config "$BERTH_CONFIG" inspect "$HR/good"
# every registered layer has its overlay2 dir and nothing else is there
t_eq "overlay2 holds exactly the registered layers' dirs (2) and l/" \
	"$(find "$ROOT/overlay2" -mindepth 1 -maxdepth 1 -type d ! -name l | wc -l) $(
		find "$ROOT/image/overlay2/layerdb/sha256" -mindepth 1 -maxdepth 1 -type d | wc -l)" "2 2"
t_eq "marker dir still empty at the end" "$(marker_listing)" ""
left=$(find "$ROOT/image/overlay2/layerdb/tmp" -mindepth 1 2>/dev/null | head -n 5)
[ -z "$left" ] || t_diag "left in layerdb/tmp: $left"

t_done
