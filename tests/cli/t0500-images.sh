#!/usr/bin/env bash
# t0500-images: `berth images` against docker 20.10's `docker images` on the
# same images (pulled from one loopback registry into berth and into a
# reference dockerd), compared byte for byte, form by form.  All test images
# have the same creation time, for which docker's order (and its order of
# repositories within one image) is random: table bodies are compared
# sorted, headers and column widths exactly.  berth and docker run back to
# back, so the ages agree.
. "$(dirname "$0")/../lib/test-lib.sh"

B=$T/berth

# norm TABLE? - the header line as is, the rest sorted
norm() {
	if [ "$1" = 1 ]; then
		awk 'NR == 1' "$2"
		awk 'NR > 1' "$2" | LC_ALL=C sort
	else
		LC_ALL=C sort "$2"
	fi
}

# same DESC TABLE? ARGS... - stdout, stderr and exit status of
# `berth images ARGS` and `docker images ARGS` agree
same() {
	local desc=$1 table=$2 brc drc; shift 2
	"$BERTH" --root "$B" images "$@" >"$T/b.out" 2>"$T/b.err"; brc=$?
	dk images "$@" >"$T/d.out" 2>"$T/d.err"; drc=$?
	norm "$table" "$T/b.out" >"$T/b.norm"
	norm "$table" "$T/d.out" >"$T/d.norm"
	sed 's/berth/docker/g' "$T/b.err" >"$T/b.errn"
	if [ "$brc" = "$drc" ] && cmp -s "$T/b.norm" "$T/d.norm" && cmp -s "$T/b.errn" "$T/d.err"; then
		t_ok "images $desc" true
	else
		t_ok "images $desc" false
		t_diag "exit: berth $brc docker $drc"
		diff "$T/d.norm" "$T/b.norm" | sed 's/^/# /'
		diff "$T/d.err" "$T/b.errn" | sed 's/^/# /'
	fi
}

setup() {
	t_ok "registry starts" start_registry main || return 1
	t_ok "test images build and push" push_test_images || return 1
	berth_cfg
	refdocker_cfg ref "{\"registry-mirrors\": [\"http://$REGISTRY\"], \"insecure-registries\": [\"$REGISTRY\"]}"
	start_refdocker ref
	case $? in
	0) ;;
	2) t_skip "docker comparison" "dockerd not installed"; t_done ;;
	*) t_ok "reference dockerd starts" false; t_done ;;
	esac
	E=$REGISTRY/test/edge
	DIG_OCI=$(manifest_digest "$REGISTRY" test/edge oci)
	# The arm64 manifest of the index, by digest: a digest-only image.
	DIG_ARM=$(curl -fsS --noproxy '*' -H 'Accept: application/vnd.oci.image.index.v1+json' \
		-H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
		"http://$REGISTRY/v2/test/edge/manifests/multi" |
		jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' | head -n 1)
	REFS=(busybox "$E:latest" "$E:oci" "$E:multi" "$E@$DIG_OCI" "$REGISTRY/library/busybox:latest"
	      "$REGISTRY/test/bbchild")
	[ -n "$DIG_ARM" ] && REFS+=("$E@$DIG_ARM")
	t_ok "the same images pulled into berth and docker" pull_both "$B" "${REFS[@]}"
}

setup || t_done

same "(default)" 1
same "-a" 1 -a
same "-q" 0 -q
same "-aq" 0 -a -q
same "--digests" 1 --digests
same "--no-trunc" 1 --no-trunc
same "--no-trunc -q" 0 --no-trunc -q
same "busybox" 1 busybox
same "busybox:latest" 1 busybox:latest
same "nosuch" 1 nosuch
same "'test/*'" 1 'test/*'
same "'*/test/*'" 1 "*/test/*"
same "$REGISTRY/test/edge" 1 "$REGISTRY/test/edge"
same "--filter reference=busybox" 1 --filter reference=busybox
same "--filter reference='*/*/edge:o*'" 1 --filter 'reference=*/*/edge:o*'
same "--filter reference=a --filter reference=busybox" 1 --filter reference=nosuch --filter reference=busybox
same "--filter dangling=true" 1 --filter dangling=true
same "--filter dangling=true --digests" 1 --filter dangling=true --digests
same "--filter dangling=false" 1 --filter dangling=false
same "--filter dangling=maybe (error)" 1 --filter dangling=maybe
same "--filter before=busybox" 1 --filter before=busybox
same "--filter since=busybox" 1 --filter since=busybox
same "--filter before=nosuch (error)" 1 --filter before=nosuch
same "--filter label=org.example=1" 1 --filter label=org.example=1
same "--filter label=nosuch" 1 --filter label=nosuch
same "--filter foo=bar (error)" 1 --filter foo=bar
same "--filter 'reference=[' (error)" 1 --filter 'reference=['
same "--filter ' Dangling = true '" 1 --filter ' Dangling = true '
same "a b (error)" 1 a b
same "--format '{{.Repository}}:{{.Tag}}'" 0 --format '{{.Repository}}:{{.Tag}}'
same "--format 'table {{.ID}}\t{{.Size}}'" 1 --format 'table {{.ID}}\t{{.Size}}'
same "--format 'table {{.Repository}}\t{{.Digest}}'" 1 --format 'table {{.Repository}}\t{{.Digest}}'
same "--format 'table {{.Repository}}' --digests" 1 --format 'table {{.Repository}}' --digests
same "--format '{{json .}}'" 0 --format '{{json .}}'
same "--format '{{.CreatedAt}}|{{.CreatedSince}}|{{.VirtualSize}}|{{.Containers}}'" 0 \
	--format '{{.CreatedAt}}|{{.CreatedSince}}|{{.VirtualSize}}|{{.Containers}}|{{.SharedSize}}|{{.UniqueSize}}'
same "--format json (literal in 20.10)" 0 --format json
same "--format raw" 0 --format raw
same "--format raw --digests" 0 --format raw --digests
same "--format table" 1 --format table
same "--format table -q" 0 --format table -q
same "-q --format '{{.ID}} {{.Tag}}'" 0 -q --format '{{.ID}} {{.Tag}}'
same "--filter label (flag error)" 1 --filter label
# berth --root on docker's own data-root (dockerd still running on it)
DR=$T/docker-ref/root
for args in "images" "images -a --digests" "images --no-trunc" "inspect busybox $E:oci" "history busybox" \
	"history --no-trunc $E:latest" "image inspect -f {{.RootFS.Layers}} $E:latest"; do
	# shellcheck disable=SC2086
	"$BERTH" --root "$DR" $args >"$T/b.out" 2>&1
	# shellcheck disable=SC2086
	dk $args >"$T/d.out" 2>&1
	# (image rows of equal age come in random order from docker)
	case $args in
	images*) t_ok "on docker's data-root: $args" cmp -s <(norm 1 "$T/b.out") <(norm 1 "$T/d.out") ;;
	*) t_ok "on docker's data-root: $args" cmp -s "$T/b.out" "$T/d.out" ;;
	esac
done
# template parse errors, worded as Go 1.19's text/template words them
for f in '{{.ID..}}' '{{if}}x{{end}}' '{{range}}{{end}}' '{{.ID | }}' '{{.ID | .}}' '{{.ID | "x"}}' \
	'{{.ID end}}' '{{.ID ,}}' '{{.ID (}}' '{{ | .ID}}' '{{.ID foo}}' '{{.ID "averyveryverylongstring" )}}' \
	"{{'ab'}}" "{{'a}}" "{{printf \"%c\" 'x'}}"; do
	same "--format '$f'" 0 --format "$f"
done

t_done
