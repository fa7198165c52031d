#!/usr/bin/env bash
# t0200-pull: berth pull against a loopback registry holding the test images
# of tests/lib/build-images.py (busybox; test/edge as docker schema2+gzip,
# OCI+gzip, OCI+zstd and an OCI index), then
#   1. checks berth's own results (image IDs, output, names, images, inspect);
#   2. pulls the same references with the reference dockerd 20.10 and compares
#      the image IDs, `images`, and the stores file by file (compare-stores.py);
#   3. starts a dockerd on berth's root: it lists the images, runs busybox and
#      re-assembles (docker save) every layer from berth's tar-split files.
# Docker parts are skipped when dockerd is not installed.
. "$(dirname "$0")/../lib/test-lib.sh"

B=$T/berth
STORE=image/overlay2/repositories.json

# ------------------------------------------------------------ helpers

# store_ref ROOT REPO REF - the image ID repositories.json gives REF in REPO.
store_ref() {
	jq -r --arg r "$2" --arg k "$3" '.Repositories[$r][$k] // empty' "$1/$STORE" 2>/dev/null
}

# bpull ROOT ARGS... - berth pull into ROOT; output in $T/out
bpull() {
	local root=$1; shift
	"$BERTH" --root "$root" pull "$@" >"$T/out" 2>&1
}

last_line() { tail -n 1 "$T/out"; }

# out_has TEXT - the last pull's output contains TEXT (shows it if not)
out_has() {
	grep -qF -- "$1" "$T/out" && return 0
	cat "$T/out"
	return 1
}

# images_triples CMD... - "REPO TAG ID" lines of an `images` table, sorted
images_triples() {
	"$@" | awk 'NR > 1 { print $1, $2, $3 }' | sort
}

compare_store() {	# compare_store DESC ROOT_A ROOT_B ID [OPTS...]
	local desc=$1 a=$2 b=$3 id=$4; shift 4
	t_ok "$desc" "$PY" "$TOP/tests/lib/compare-stores.py" "$@" "$a" "$b" "$id"
}

# ------------------------------------------------------------ setup

setup() {
	t_ok "registry starts" start_registry main || return 1
	t_ok "test images build and push" push_test_images || return 1
	berth_cfg
	ID_BB=$(test_image_id busybox)
	ID_CHILD=$(test_image_id bbchild)
	ID_V2=$(test_image_id edge-v2s2)
	ID_OCI=$(test_image_id edge-oci)
	ID_ZSTD=$(test_image_id edge-zstd)
	ID_AMD=$(test_image_id edge-multi linux/amd64)
	ID_ARM=$(test_image_id edge-multi linux/arm64/v8)
	E=$REGISTRY/test/edge
	DIG_OCI=$(manifest_digest "$REGISTRY" test/edge oci)
	DIG_MULTI=$(manifest_digest "$REGISTRY" test/edge multi)
	t_eq "zstd image has edge-oci's image ID" "$ID_ZSTD" "$ID_OCI"
	t_ok "manifest digests known" test -n "$DIG_OCI" -a -n "$DIG_MULTI"
}

# ------------------------------------------------------------ berth

berth_pull_checks() {
	t_ok "berth pull busybox (short name through the mirror)" bpull "$B" busybox
	t_eq "  last line is the canonical name" "$(last_line)" "docker.io/library/busybox:latest"
	t_eq "  busybox:latest -> its image ID" "$(store_ref "$B" busybox busybox:latest)" "$ID_BB"

	t_ok "berth pull $E:latest (schema2+gzip)" bpull "$B" "$E:latest"
	t_eq "  image ID" "$(store_ref "$B" "$E" "$E:latest")" "$ID_V2"
	t_ok "  output says Downloaded newer image" out_has "Status: Downloaded newer image for $E:latest"

	t_ok "berth pull $E:oci (OCI+gzip)" bpull "$B" "$E:oci"
	t_eq "  image ID" "$(store_ref "$B" "$E" "$E:oci")" "$ID_OCI"

	t_ok "berth pull $E:multi (index, default platform)" bpull "$B" "$E:multi"
	t_eq "  amd64 image ID" "$(store_ref "$B" "$E" "$E:multi")" "$ID_AMD"
	t_eq "  digest ref recorded" "$(store_ref "$B" "$E" "$E@$DIG_MULTI")" "$ID_AMD"

	t_ok "berth pull by digest $E@$DIG_OCI" bpull "$B" "$E@$DIG_OCI"
	t_eq "  image ID" "$(store_ref "$B" "$E" "$E@$DIG_OCI")" "$ID_OCI"

	t_ok "berth pull --platform linux/arm64 $E:multi" bpull "$B" --platform linux/arm64 "$E:multi"
	t_eq "  arm64 image ID" "$(store_ref "$B" "$E" "$E:multi")" "$ID_ARM"

	t_ok "berth pull $REGISTRY/library/busybox:latest (same image, other name)" \
		bpull "$B" "$REGISTRY/library/busybox:latest"
	t_ok "  output says Downloaded newer image" \
		out_has "Status: Downloaded newer image for $REGISTRY/library/busybox:latest"

	t_ok "berth pull $REGISTRY/test/bbchild (shares busybox's layer)" \
		bpull "$B" "$REGISTRY/test/bbchild"
	t_ok "  output says Already exists" out_has "Already exists"
	t_eq "  image ID" "$(store_ref "$B" "$REGISTRY/test/bbchild" "$REGISTRY/test/bbchild:latest")" "$ID_CHILD"

	t_ok "berth pull busybox again" bpull "$B" busybox
	t_ok "  output says Image is up to date" out_has "Status: Image is up to date for busybox:latest"

	t_ok "berth pull -q $E:latest" bpull "$B" -q "$E:latest"
	t_eq "  -q prints only the name" "$(cat "$T/out")" "$E:latest"
}

berth_zstd_checks() {
	t_ok "berth pull $E:zstd (OCI+zstd) into a fresh root" bpull "$T/berth-zstd" "$E:zstd"
	t_eq "  image ID" "$(store_ref "$T/berth-zstd" "$E" "$E:zstd")" "$ID_OCI"
	t_ok "berth pull -a $E into a fresh root" bpull "$T/berth-all" -a "$E"
	local tag
	for tag in latest oci zstd multi; do
		t_ok "  -a pulled :$tag" test -n "$(store_ref "$T/berth-all" "$E" "$E:$tag")"
	done
}

berth_list_checks() {
	local out
	out=$("$BERTH" --root "$B" images 2>&1)
	t_ok "berth images lists busybox" grep -qE '^busybox +latest +'"${ID_BB:7:12}" <<<"$out"
	t_ok "berth images lists $E:latest" grep -qE "^$E +latest +${ID_V2:7:12}" <<<"$out"
	t_ok "berth images lists $E:oci" grep -qE "^$E +oci +${ID_OCI:7:12}" <<<"$out"
	t_ok "berth images lists $E:multi (arm64)" grep -qE "^$E +multi +${ID_ARM:7:12}" <<<"$out"
	out=$("$BERTH" --root "$B" inspect busybox 2>&1)
	t_eq "berth inspect busybox .Id" "$(jq -r '.[0].Id' <<<"$out" 2>&1)" "$ID_BB"
}

# ------------------------------------------------------------ docker

docker_pulls() {
	refdocker_cfg ref "{\"registry-mirrors\": [\"http://$REGISTRY\"], \"insecure-registries\": [\"$REGISTRY\"]}"
	t_ok "reference dockerd starts" start_refdocker ref || return 1
	t_ok "docker pull busybox" dk pull -q busybox
	t_ok "docker pull $E:latest" dk pull -q "$E:latest"
	t_ok "docker pull $E:oci" dk pull -q "$E:oci"
	t_ok "docker pull $E:multi" dk pull -q "$E:multi"
	t_ok "docker pull $E@$DIG_OCI" dk pull -q "$E@$DIG_OCI"
	t_ok "docker pull --platform linux/arm64 $E:multi" dk pull -q --platform linux/arm64 "$E:multi"
	t_ok "docker pull $REGISTRY/library/busybox:latest" dk pull -q "$REGISTRY/library/busybox:latest"
	t_ok "docker pull $REGISTRY/test/bbchild" dk pull -q "$REGISTRY/test/bbchild"
	t_ok "docker pull busybox again" dk pull -q busybox
	t_ok "docker pull -q $E:latest" dk pull -q "$E:latest"
}

docker_compare() {
	local D=$T/docker-ref/root ref id
	for ref in busybox:latest "$E:latest" "$E:oci" "$E:multi" "$E@$DIG_OCI" "$E@$DIG_MULTI" \
		"$REGISTRY/library/busybox:latest" "$REGISTRY/test/bbchild:latest"; do
		id=$(dk image inspect -f '{{.Id}}' "$ref" 2>/dev/null)
		t_eq "docker and berth agree on the image ID of $ref" \
			"$(store_ref "$B" "$(name_of "$ref")" "$ref")" "$id"
	done
	t_eq "berth images = docker images (repository, tag, ID)" \
		"$(images_triples "$BERTH" --root "$B" images)" "$(images_triples dk images)"
	compare_store "store: busybox" "$D" "$B" "$ID_BB"
	compare_store "store: test/bbchild (2 layers)" "$D" "$B" "$ID_CHILD"
	compare_store "store: $E:latest (schema2+gzip)" "$D" "$B" "$ID_V2"
	compare_store "store: $E:oci (OCI+gzip)" "$D" "$B" "$ID_OCI"
	compare_store "store: $E:multi amd64 (dangling now)" "$D" "$B" "$ID_AMD"
	compare_store "store: $E:multi arm64" "$D" "$B" "$ID_ARM"
	# Docker 20.10 cannot unpack zstd layers: berth's zstd pull is compared
	# with docker's store of the same image pulled as OCI+gzip.
	compare_store "store: $E:zstd (berth) vs $E:oci (docker)" "$D" "$T/berth-zstd" "$ID_OCI" \
		--no-refs --no-distribution
	stop_refdocker ref
}

# name_of REF - the familiar repository name (no tag or digest)
name_of() {
	local r=${1%@*}
	case ${r##*/} in *:*) r=${r%:*} ;; esac
	printf '%s\n' "$r"
}

docker_on_berth_root() {
	DOCKERD_DATA_ROOT=$B t_ok "dockerd starts on berth's root" start_refdocker onberth || return 1
	t_ok "  docker images lists busybox" \
		grep -qx "busybox:latest ${ID_BB:7:12}" < <(dk images --format '{{.Repository}}:{{.Tag}} {{.ID}}')
	t_eq "  docker run --rm --network none busybox echo hi" \
		"$(dk run --rm --network none busybox echo hi 2>&1)" "hi"
	t_eq "  docker run of a 2-layer image (whiteout in the top layer)" \
		"$(dk run --rm --network none "$REGISTRY/test/bbchild" sh -c 'cat /hello; test -e /etc/group || echo group gone' 2>&1)" \
		"$(printf 'hello from a child layer\ngroup gone')"
	t_ok "  docker save re-assembles $E:latest from berth's tar-split" \
		dk save -o "$T/edge.tar" "$E:latest" "$E:oci" "$E:multi"
	stop_refdocker onberth
}

# ------------------------------------------------------------ main

main() {
	setup || t_done
	if [ -x "$BERTH" ]; then
		berth_pull_checks
		berth_zstd_checks
		berth_list_checks
	else
		t_ok "berth binary exists ($BERTH)" test -x "$BERTH"
	fi
	if ! have_dockerd; then
		t_skip "docker comparisons" "dockerd not installed"
		t_done
	fi
	docker_pulls && docker_compare
	[ -x "$BERTH" ] && [ -d "$B/image" ] && docker_on_berth_root
	t_done
}

main
