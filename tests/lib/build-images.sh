#!/usr/bin/env bash
# tests/lib/build-images.sh OUTDIR REGISTRY [NAME...] - builds the test images
# (tests/lib/build-images.py, cached in OUTDIR) and pushes them with skopeo to
# REGISTRY (127.0.0.1:PORT, plain HTTP).  Default: every image in
# OUTDIR/images.json.  Prints one line per pushed image:
#   NAME <tab> REGISTRY/REPO:TAG
# See build-images.py for the images, repositories and tags.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${PY:=/usr/bin/python3}"
[ -x "$PY" ] || PY=$(command -v python3)

image_field() {	# image_field OUTDIR NAME FIELD
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]][sys.argv[3]])' \
		"$1/images.json" "$2" "$3"
}

image_names() {
	"$PY" -c 'import json,sys; print("\n".join(sorted(json.load(open(sys.argv[1])))))' \
		"$1/images.json"
}

push_one() {	# push_one OUTDIR NAME REGISTRY
	local out=$1 name=$2 reg=$3
	local layout repo tag fmt index dest
	layout=$(image_field "$out" "$name" layout) || return 1
	repo=$(image_field "$out" "$name" repo) || return 1
	tag=$(image_field "$out" "$name" tag) || return 1
	fmt=$(image_field "$out" "$name" format) || return 1
	index=$(image_field "$out" "$name" index) || return 1
	dest=$reg/$repo:$tag
	local extra=()
	read -ra extra <<<"${SKOPEO_PUSH_ARGS:-}"
	if [ "$index" = True ]; then
		skopeo copy -q "${extra[@]}" --all --preserve-digests --dest-tls-verify=false \
			"oci:$layout:latest" "docker://$dest" || return 1
	elif [ "$fmt" = oci ]; then
		skopeo copy -q "${extra[@]}" --preserve-digests --dest-tls-verify=false \
			"oci:$layout:latest" "docker://$dest" || return 1
	else
		skopeo copy -q "${extra[@]}" --format v2s2 --dest-tls-verify=false \
			"oci:$layout:latest" "docker://$dest" || return 1
	fi
	printf '%s\t%s\n' "$name" "$dest"
}

main() {
	local out=$1 reg=$2 name
	shift 2
	"$PY" "$here/build-images.py" "$out" || return 1
	local names=("$@")
	[ "${#names[@]}" -gt 0 ] || mapfile -t names < <(image_names "$out")
	for name in "${names[@]}"; do
		push_one "$out" "$name" "$reg" || { echo "push of $name failed" >&2; return 1; }
	done
}

if [ "$#" -lt 2 ]; then
	echo "usage: build-images.sh OUTDIR REGISTRY [NAME...]" >&2
	exit 2
fi
main "$@"
