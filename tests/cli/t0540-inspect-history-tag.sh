#!/usr/bin/env bash
# t0540-inspect-history-tag: `berth inspect`, `image inspect`, `history` and
# `tag` against docker 20.10 on the same images (pulled from one loopback
# registry into berth and into a reference dockerd), compared byte for
# byte: stdout, stderr (berth -> docker) and exit status.  Besides the
# common test images, two made here: "rich" (every container.Config field,
# a container_config, unknown keys, a time with an offset, history with
# empty layers, a missing time, tabs, long and wide CREATED BY, comments,
# HTML characters) and "bare" (no config, no os, no history), plus one made
# by umoci.  Only GraphDriver's directories (each store's own cache IDs)
# and non-zero LastTagTimes (the moment of each tag) are normalised.
# `version` and `info` have no docker equivalent: their shape is checked.
. "$(dirname "$0")/../lib/test-lib.sh"

B=$T/berth
DROOT=$T/docker-ref/root

norm() {	# norm FILE - store-specific values out (the zero LastTagTime stays)
	sed -E -e "s#($B|$DROOT)/overlay2/[0-9a-f]{64}#ROOT/ID#g" \
		-e 's/("LastTagTime": ?")[1-9][0-9]{3}-[^"]*"/\1<t>"/g' "$1"
}

# same DESC ARGS... - berth ARGS and docker ARGS agree
same() {
	local desc=$1 brc drc; shift
	"$BERTH" --root "$B" "$@" >"$T/b.out" 2>"$T/b.err"; brc=$?
	dk "$@" >"$T/d.out" 2>"$T/d.err"; drc=$?
	sed 's/berth/docker/g' "$T/b.err" >"$T/b.errn"
	norm "$T/b.out" >"$T/b.norm"
	norm "$T/d.out" >"$T/d.norm"
	if [ "$brc" = "$drc" ] && cmp -s "$T/b.norm" "$T/d.norm" && cmp -s "$T/b.errn" "$T/d.err"; then
		t_ok "$desc" true
	else
		t_ok "$desc" false
		t_diag "exit: berth $brc docker $drc"
		diff "$T/d.norm" "$T/b.norm" | head -n 20 | sed 's/^/# /'
		diff "$T/d.err" "$T/b.errn" | head -n 10 | sed 's/^/# /'
	fi
}

# same_sorted DESC ARGS... - as same, table bodies sorted (random order in docker)
same_sorted() {
	local desc=$1 brc drc; shift
	"$BERTH" --root "$B" "$@" >"$T/b.out" 2>"$T/b.err"; brc=$?
	dk "$@" >"$T/d.out" 2>"$T/d.err"; drc=$?
	{ head -n 1 "$T/b.out"; tail -n +2 "$T/b.out" | LC_ALL=C sort; } >"$T/b.norm"
	{ head -n 1 "$T/d.out"; tail -n +2 "$T/d.out" | LC_ALL=C sort; } >"$T/d.norm"
	if [ "$brc" = "$drc" ] && cmp -s "$T/b.norm" "$T/d.norm" && cmp -s "$T/b.err" "$T/d.err"; then
		t_ok "$desc" true
	else
		t_ok "$desc" false
		diff "$T/d.norm" "$T/b.norm" | head -n 20 | sed 's/^/# /'
	fi
}

build_extra() {	# the rich and bare images, as OCI layouts pushed with skopeo
	"$PY" - "$TOP/tests/lib/build-images.py" "$T/extra" <<'PY' || return 1
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("bi", sys.argv[1])
bi = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bi)
out = sys.argv[2]

def layer(name, data):
    t = bi.Tar("pax")
    t.add(name, data=data)
    return t.finish()

rich = {
    "architecture": "amd64", "os": "linux", "os.version": "5.4",
    "created": "2021-03-04T05:06:07.120000000+01:00",
    "author": "Berth <test@example.com>", "comment": "",
    "container": "0123456789ab", "docker_version": "20.10.24", "Unknown": 1,
    "container_config": {"Hostname": "0123456789ab", "user": "nobody", "AttachStdout": True,
                         "Env": [], "Cmd": "/bin/sh -c #(nop) LABEL a=b", "Image": "sha256:abc",
                         "Volumes": {"/data": {}, "/a": {}}, "Labels": {}, "OnBuild": None},
    "config": {"User": "1000:1000", "ExposedPorts": {"80/tcp": {}, "443/tcp": {"x": 1}},
               "Env": ["PATH=/bin", "A=<&>"], "Entrypoint": ["/bin/sh", "-c"], "Cmd": ["echo hi"],
               "Healthcheck": {"Test": ["CMD", "true"], "Interval": 30000000000, "Retries": 3},
               "ArgsEscaped": True, "WorkingDir": "/srv", "OnBuild": ["RUN true"],
               "Labels": {"z": "1", "a.b": "<tag>&", "m": ""}, "StopSignal": "SIGTERM",
               "StopTimeout": 0, "Shell": ["/bin/bash", "-c"], "Volumes": {}, "MacAddress": "",
               "NetworkDisabled": False},
    "history": [
        {"created": "2021-03-04T05:06:07Z",
         "created_by": "/bin/sh -c #(nop) ADD file:71356d2ad59aa3119d in / ", "comment": "base"},
        {"created": "2021-03-04T05:06:08Z", "created_by": "/bin/sh -c #(nop)\tLABEL a=b",
         "empty_layer": True},
        {"created_by": "RUN apt-get update && apt-get install -y --no-install-recommends curl",
         "author": "x"},
        {"created": "2021-03-04T05:06:09.5+02:00", "created_by": "ünïcödé 漢字 " * 5,
         "empty_layer": True, "comment": "last comment <x>"},
    ],
}
L = bi.Layout(os.path.join(out, "rich"))
desc, _ = L.image([layer("a", b"a" * 1000), layer("b", b"b" * 5000)], rich, "gzip")
L.tag(desc)
L = bi.Layout(os.path.join(out, "bare"))
desc, _ = L.image([layer("c", b"c" * 10)], {"architecture": "amd64"}, "gzip")
L.tag(desc)
PY
	local n
	for n in rich bare; do
		skopeo copy -q --dest-tls-verify=false "oci:$T/extra/$n:latest" "docker://$REGISTRY/test/$n:v1" || return 1
	done
}

build_umoci() {	# an image as umoci writes it (its own config and history)
	local L=$T/extra/umoci
	umoci init --layout "$L" && umoci new --image "$L:latest" &&
		umoci config --image "$L:latest" --author "umoci test" --config.label org.example=umoci \
			--config.cmd sh --config.env A=1 --config.workingdir /w --history.comment "made by umoci" &&
		umoci unpack --rootless --image "$L:latest" "$T/extra/bundle" >/dev/null &&
		echo hi >"$T/extra/bundle/rootfs/hello" &&
		umoci repack --image "$L:latest" "$T/extra/bundle" &&
		skopeo copy -q --dest-tls-verify=false "oci:$L:latest" "docker://$REGISTRY/test/umoci:v1"
}

setup() {
	t_ok "registry starts" start_registry main || return 1
	t_ok "test images build and push" push_test_images || return 1
	t_ok "rich and bare images build and push" build_extra || return 1
	UMOCI=1
	command -v umoci >/dev/null && build_umoci >"$T/umoci.log" 2>&1 || { UMOCI=; cat "$T/umoci.log" | sed 's/^/# /'; }
	berth_cfg
	refdocker_cfg ref "{\"registry-mirrors\": [\"http://$REGISTRY\"], \"insecure-registries\": [\"$REGISTRY\"]}"
	start_refdocker ref
	case $? in
	0) ;;
	2) t_skip "docker comparison" "dockerd not installed"; t_done ;;
	*) t_ok "reference dockerd starts" false; t_done ;;
	esac
	E=$REGISTRY/test/edge
	RICH=$REGISTRY/test/rich:v1
	BARE=$REGISTRY/test/bare:v1
	REFS=(busybox "$E:latest" "$E:oci" "$E:multi" "$REGISTRY/test/bbchild" "$RICH" "$BARE")
	[ -n "$UMOCI" ] && REFS+=("$REGISTRY/test/umoci:v1")
	t_ok "the same images pulled into berth and docker" pull_both "$B" "${REFS[@]}"
}

setup || t_done
BBID=$(dk inspect -f '{{.Id}}' busybox)

# ---- inspect
same "inspect busybox" inspect busybox
same "inspect (rich: every config field)" inspect "$RICH"
same "inspect (bare: no config, no os, no history)" inspect "$BARE"
same "inspect (multi-platform, 3 layers, LowerDir)" inspect "$E:multi"
same "inspect several" inspect busybox "$E:oci" "$REGISTRY/test/bbchild:latest"
[ -n "$UMOCI" ] && same "inspect (umoci image)" inspect "$REGISTRY/test/umoci:v1"
same "image inspect busybox" image inspect busybox
same "inspect by ID" inspect "$BBID"
same "inspect by short ID" inspect "${BBID:7:12}"
same "inspect by hex ID" inspect "${BBID#sha256:}"
same "inspect by digest" inspect "$E@$(manifest_digest "$REGISTRY" test/edge oci)"
same "inspect nosuch" inspect nosuch
same "image inspect nosuch" image inspect nosuch
same "inspect FOO (invalid reference)" inspect FOO
same "image inspect FOO (invalid reference)" image inspect FOO
same "inspect found and missing" inspect busybox nosuch busybox:nosuch
same "inspect --type image nosuch" inspect --type image nosuch
same "inspect --type image busybox" inspect --type image busybox
same "inspect --type foo" inspect --type foo busybox
same "inspect (no argument)" inspect
same "image inspect (no argument)" image inspect
same "inspect -s -f" inspect -s -f '{{.Id}}' busybox
same "inspect -f {{.Id}}" inspect -f '{{.Id}}' busybox "$RICH" "$BARE"
same "inspect -f {{json .Config}}" inspect -f '{{json .Config}}' busybox "$RICH" "$BARE"
same "inspect --format {{.Config.Env}}" inspect --format '{{.Config.Env}}' busybox "$RICH"
same "inspect -f typed nils" inspect -f '{{.Config.Entrypoint}}|{{.Config.Healthcheck}}|{{.ContainerConfig.ExposedPorts}}|{{.Config.Volumes}}|{{.Config.StopSignal}}|{{.Metadata.LastTagTime}}' busybox "$BARE"
same "inspect -f structs" inspect -f '{{.ContainerConfig}} {{.RootFS}} {{.GraphDriver.Name}} {{.Metadata}}' busybox "$RICH"
same "inspect -f {{json .}}" inspect -f '{{json .}}' "$RICH" "$BARE"
same "inspect -f range/index/len" inspect -f '{{range .RepoTags}}{{.}},{{end}} {{len .Config.Cmd}} {{index .Config.Labels "a.b"}} {{.Variant}}|{{.OsVersion}}|{{.Size}}' "$RICH"
same "inspect -f missing key" inspect -f '{{.Foo}}' busybox
same "inspect -f missing nested key" inspect -f '{{.Config.Foo}}' busybox
same "inspect -f nil Config" inspect -f '{{.Config.Env}}' "$BARE"
same "inspect -f parse error (exit 64)" inspect -f '{{foo}}' busybox
same "inspect -f with an error" inspect -f '{{.Id}}' nosuch
same "image inspect -f" image inspect -f '{{.Os}}/{{.Architecture}} {{json .RepoDigests}}' "$E:multi"
same "image inspect --format json (literal)" image inspect --format json busybox

# ---- history
same "history busybox" history busybox
same "history (rich)" history "$RICH"
same "history (bare: no history)" history "$BARE"
same "history (3 layers)" history "$E:multi"
same "history --no-trunc" history --no-trunc "$RICH"
same "history -H=false" history -H=false "$RICH"
same "history --human=false" history --human=false "$E:multi"
same "history -q" history -q "$RICH"
same "history -q --no-trunc" history -q --no-trunc "$RICH"
same "history --format {{json .}}" history --format '{{json .}}' "$RICH"
same "history --format table" history --format 'table {{.ID}}|{{.CreatedBy}}\t{{.Size}}' "$RICH"
same "history --format" history --format '{{.ID}} {{.CreatedAt}} {{.Comment}}' "$RICH"
same "history by ID" history "$BBID"
same "history nosuch" history nosuch
same "history FOO" history FOO
same "history (no argument)" history
same "image history" image history "$E:oci"
[ -n "$UMOCI" ] && same "history (umoci image)" history "$REGISTRY/test/umoci:v1"

# ---- tag
same "tag busybox mytag" tag busybox mytag
same "tag busybox mytag (again)" tag busybox mytag
same "tag by short ID" tag "${BBID:7:12}" other/name:v1
same "tag by full ID" tag "$BBID" full-id
same "tag by digest ref" tag "$E@$(manifest_digest "$REGISTRY" test/edge oci)" edgecopy:1
same "tag moves a tag" tag "$RICH" mytag:2
same "tag moves it again" tag "$BARE" mytag:2
same "image tag" image tag "$E:multi" "$REGISTRY/test/retag:x"
same "tag nosuch" tag nosuch x
same "tag to FOO" tag busybox FOO
same "tag from FOO" tag FOO x
same "tag to a digest" tag busybox "x@sha256:0280b9cae6d7cf61b9abf8679de77c4e4c826fbcfc7c5cf72e6c206cd6710083"
same "tag to sha256:abc" tag busybox sha256:abc
same "tag to a 64-hex name" tag busybox "${BBID#sha256:}"
same "tag to x: (bad)" tag busybox x:
same "tag (one argument)" tag busybox
same "tag missing digest" tag "busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000" w
# (the umoci image is seconds old: its CREATED column could tick between the two)
same_sorted "images after tags" images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}'
same "inspect after tags" inspect mytag "mytag:2" other/name:v1 full-id edgecopy:1 "$REGISTRY/test/retag:x"
same "inspect -f RepoTags after tags" inspect -f '{{json .RepoTags}} {{json .RepoDigests}}' busybox "$BARE" "$E:multi"
same "history of a tag" history mytag
t_ok "repositories.json identical to docker's" cmp "$B/image/overlay2/repositories.json" "$DROOT/image/overlay2/repositories.json"
lu=$B/image/overlay2/imagedb/metadata/sha256/${BBID#sha256:}/lastUpdated
t_ok "lastUpdated written as RFC3339Nano, mode 600, no newline" \
	bash -c "grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*[1-9])?(Z|[+-][0-9]{2}:[0-9]{2})\$' '$lu' &&
		[ \$(stat -c %a '$lu') = 600 ] && [ \$(tail -c 1 '$lu' | od -An -c | tr -d ' ') != '\\n' ]"
t_ok "LastTagTime is lastUpdated" test "$("$BERTH" --root "$B" inspect -f '{{json .Metadata.LastTagTime}}' busybox)" = "\"$(cat "$lu")\""

# ---- version and info (berth's own facts in docker's shape)
"$BERTH" version >"$T/v.out" 2>&1
t_ok "version has docker's sections" bash -c "grep -q '^Client: berth\$' '$T/v.out' && grep -q '^Server: berth\$' '$T/v.out' &&
	grep -qE '^ Version: {11}[0-9]' '$T/v.out' && grep -q '^ API version:       1.41\$' '$T/v.out' &&
	grep -q '^  API version:      1.41 (minimum version 1.12)\$' '$T/v.out' && grep -q '^ C compiler:' '$T/v.out' &&
	grep -qE '^ OS/Arch: +linux/' '$T/v.out'"
t_eq "version --format {{.Client.APIVersion}}" "$("$BERTH" version --format '{{.Client.APIVersion}} {{.Server.APIVersion}}')" "1.41 1.41"
t_ok "version --format {{json .}}" bash -c "'$BERTH' version --format '{{json .}}' | jq -e '.Client.ApiVersion == \"1.41\" and .Server.Components[0].Name == \"Engine\"'"
"$BERTH" --root "$B" info >"$T/i.out" 2>&1
t_ok "info has docker's layout" bash -c "grep -q '^Client:\$' '$T/i.out' && grep -q '^Server:\$' '$T/i.out' &&
	grep -q '^ Storage Driver: overlay2\$' '$T/i.out' && grep -q '^  Backing Filesystem: ' '$T/i.out' &&
	grep -qx ' Docker Root Dir: $(realpath "$B")' '$T/i.out' && grep -q '^ Insecure Registries:\$' '$T/i.out'"
t_eq "info Images count is docker's" "$(grep '^ Images:' "$T/i.out")" "$(dk info 2>/dev/null | grep '^ Images:')"
t_eq "info --format" "$("$BERTH" --root "$B" info --format '{{.Driver}} {{.Images}} {{.DockerRootDir}}')" \
	"overlay2 $(dk info --format '{{.Images}}') $(realpath "$B")"
t_ok "info --format {{json .}}" bash -c "'$BERTH' --root '$B' info --format '{{json .}}' | jq -e '.Driver == \"overlay2\" and .OSType == \"linux\" and .Images > 0'"

t_done
