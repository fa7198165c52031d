#!/usr/bin/env bash
# t0620-push: berth push against loopback registries, compared with the
# reference dockerd 20.10 pushing the same image:
#   - berth pushes to registry B, docker to registry D, both the image berth
#     and docker pulled from registry A; the outputs must match line for line
#     once the registry address, the blob-dependent manifest digest and size
#     are masked (docker's per-layer lines come in racy order: compared
#     as sets, in place);
#   - the manifest has docker's encoding, byte for byte except the layer
#     digests and sizes (gzip output differs); docker pulls it back to the
#     same image ID;
#   - a second push says "Layer already exists", a push to another
#     repository "Mounted from", -a, -q, docker's error lines;
#   - htpasswd + TLS (a generated CA, trusted through $BERTH_CERTS_D) with
#     good and wrong credentials, token auth, an unreachable registry: a
#     failed push prints one line, exits 1 and leaves the store unchanged.
. "$(dirname "$0")/../lib/test-lib.sh"

B=$T/berth
STORE=image/overlay2/repositories.json
export DOCKER_CONFIG=$T/dockercfg
mkdir -p "$DOCKER_CONFIG"
echo '{}' >"$DOCKER_CONFIG/config.json"

# ------------------------------------------------------------ helpers

# retag SRC DST - gives image SRC (familiar name:tag) the name DST in berth's
# store: `berth tag` when there is one, else repositories.json directly.
retag() {
	if "$BERTH" tag --help >/dev/null 2>&1; then
		berth tag "$1" "$2"
		return
	fi
	"$PY" - "$B/$STORE" "$1" "$2" <<'PY'
import json, sys
path, src, dst = sys.argv[1:]
d = json.load(open(path))
repo = lambda r: r.rsplit(":", 1)[0]
iid = d["Repositories"][repo(src)][src]
d["Repositories"].setdefault(repo(dst), {})[dst] = iid
open(path, "w").write(json.dumps(d, sort_keys=True, separators=(",", ":")))
PY
}

# bpush ARGS... / dpush ARGS... - push with berth / the reference docker;
# stdout in $T/b.out / $T/d.out, stderr in *.err, status in $T/b.rc / $T/d.rc.
bpush() { berth push "$@" >"$T/b.out" 2>"$T/b.err"; echo $? >"$T/b.rc"; }
dpush() { dk push "$@" >"$T/d.out" 2>"$T/d.err"; echo $? >"$T/d.rc"; }

# norm FILE REG - masks the registry address and the manifest digest and
# size (they depend on the gzip bytes); sorts each run of per-layer lines,
# whose order is a race in docker.
norm() {
	sed -e "s|$2|REG|g" -e 's/digest: sha256:[0-9a-f]\{64\} size: [0-9]*/digest: DIGEST size: N/' "$1" |
		"$PY" -c '
import re, sys
out, run = [], []
for line in sys.stdin.read().splitlines():
    if re.match(r"^[0-9a-f]{12}: ", line):
        run.append(line)
        continue
    out += sorted(run) + [line]
    run = []
out += sorted(run)
print("\n".join(out))'
}

same_output() {	# same_output DESC - berth's and docker's last pushes
	t_eq "$1: stdout" "$(norm "$T/b.out" "$R_B")" "$(norm "$T/d.out" "$R_D")"
	t_eq "$1: stderr" "$(norm "$T/b.err" "$R_B")" "$(norm "$T/d.err" "$R_D")"
	t_eq "$1: exit status" "$(cat "$T/b.rc")" "$(cat "$T/d.rc")"
}

# mask_manifest - layer digests and sizes of a schema2 manifest on stdin masked
mask_manifest() {
	"$PY" -c '
import re, sys
m = sys.stdin.read()
head, sep, layers = m.partition("\"layers\"")
layers = re.sub(r"\"size\": [0-9]+", "\"size\": N", layers)
layers = re.sub(r"sha256:[0-9a-f]{64}", "sha256:X", layers)
sys.stdout.write(head + sep + layers)'
}

get_manifest() {	# get_manifest REG REPO TAG [CURL-ARGS...]
	local reg=$1 repo=$2 tag=$3; shift 3
	curl -fsS --noproxy '*' "$@" -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		"http://$reg/v2/$repo/manifests/$tag"
}

store_sum() {	# what a failed push must not change
	(cd "$B" && find image/overlay2/repositories.json image/overlay2/distribution -type f -print0 |
		sort -z | xargs -0 sha256sum) | sha256sum
}

# ------------------------------------------------------------ setup

t_ok "registry A (source) starts" start_registry a || t_done
R_A=$REGISTRY_A
t_ok "test images pushed to A" push_test_images "$R_A" busybox bbchild edge-v2s2 edge-oci edge-zstd || t_done
t_ok "registry B (berth's) starts" start_registry b || t_done
R_B=$REGISTRY_B
t_ok "registry D (docker's) starts" start_registry d || t_done
R_D=$REGISTRY_D
ID_CHILD=$(test_image_id bbchild)
ID_EDGE=$(test_image_id edge-v2s2)

t_ok "berth pulls $R_A/test/bbchild" berth pull -q "$R_A/test/bbchild"
t_ok "berth pulls $R_A/test/edge" berth pull -q "$R_A/test/edge"
t_ok "name $R_B/foo:latest" retag "$R_A/test/bbchild:latest" "$R_B/foo:latest"

# htpasswd + TLS registry with its own CA.
S=$T/sec
mkdir -p "$S"
SEC_PORT=$(free_port)
R_S=127.0.0.1:$SEC_PORT
make_tls() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$S/ca.key" -out "$S/ca.crt" -days 2 \
		-subj /CN=berth-test-ca 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -keyout "$S/key.pem" -out "$S/req.csr" -subj /CN=127.0.0.1 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1\n' >"$S/ext.cnf" &&
	openssl x509 -req -in "$S/req.csr" -CA "$S/ca.crt" -CAkey "$S/ca.key" -CAcreateserial \
		-out "$S/cert.pem" -days 2 -extfile "$S/ext.cnf" 2>/dev/null &&
	htpasswd -Bbn alice s3cret >"$S/htpasswd" &&
	mkdir -p "$T/certs.d/$R_S" && cp "$S/ca.crt" "$T/certs.d/$R_S/ca.crt"
}
t_ok "CA, server certificate and htpasswd" make_tls
export BERTH_CERTS_D=$T/certs.d
start_sec() {
	local d=$T/reg-sec
	mkdir -p "$d/data"
	cat >"$d/config.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $d/data}, delete: {enabled: true}}
http: {addr: "$R_S", tls: {certificate: $S/cert.pem, key: $S/key.pem}}
auth: {htpasswd: {realm: test, path: $S/htpasswd}}
EOF
	_t_run_registry "$d"
	for _ in $(seq 100); do
		curl -s -o /dev/null --cacert "$S/ca.crt" "https://$R_S/v2/" && return 0
		sleep 0.1
	done
	cat "$d/registry.log" >&2
	return 1
}
t_ok "htpasswd + TLS registry starts" start_sec
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R_S" "$(printf alice:s3cret | base64)" >"$DOCKER_CONFIG/config.json"
mkdir -p "$T/badcfg"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R_S" "$(printf alice:wrong | base64)" >"$T/badcfg/config.json"

HAVE_DOCKER=0
if have_dockerd; then
	refdocker_cfg ref "{\"insecure-registries\": [\"$R_S\"]}"
	if t_ok "reference dockerd starts" start_refdocker ref; then
		HAVE_DOCKER=1
		t_ok "docker pulls $R_A/test/bbchild" dk pull -q "$R_A/test/bbchild"
		t_ok "docker pulls $R_A/test/edge" dk pull -q "$R_A/test/edge"
		dk tag "$R_A/test/bbchild" "$R_D/foo:latest"
	fi
fi

# compare DESC - berth's last push against docker's (or alone without docker)
compare() {
	if [ "$HAVE_DOCKER" = 1 ]; then
		same_output "$1"
	else
		t_eq "$1: exit status" "$(cat "$T/b.rc")" 0
	fi
}

# ------------------------------------------------------------ first push

bpush "$R_B/foo"
[ "$HAVE_DOCKER" = 1 ] && dpush "$R_D/foo"
t_eq "push: exit 0" "$(cat "$T/b.rc")" 0
t_ok "push: says Pushed" grep -q ': Pushed$' "$T/b.out"
compare "push $R_B/foo (first)"
t_diag "$(cat "$T/b.out")"

get_manifest "$R_B" foo latest >"$T/b.manifest"
dig=$(sed -n 's/^latest: digest: \(sha256:[0-9a-f]*\) size: \([0-9]*\)$/\1 \2/p' "$T/b.out")
t_eq "printed digest and size are the manifest's" "$dig" \
	"sha256:$(sha256sum <"$T/b.manifest" | cut -d' ' -f1) $(stat -c %s "$T/b.manifest")"
t_ok "manifest is docker schema2 with gzip layers" "$PY" -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
assert m["config"]["digest"] == sys.argv[2]
assert all(l["mediaType"] == "application/vnd.docker.image.rootfs.diff.tar.gzip" for l in m["layers"])
' "$T/b.manifest" "$ID_CHILD"
t_eq "repositories.json has foo@digest" \
	"$(jq -r --arg r "$R_B/foo" --arg k "$R_B/foo@${dig% *}" '.Repositories[$r][$k]' "$B/$STORE")" "$ID_CHILD"
if [ "$HAVE_DOCKER" = 1 ]; then
	get_manifest "$R_D" foo latest >"$T/d.manifest"
	t_eq "manifest encoded as docker's (layer digests/sizes masked)" \
		"$(mask_manifest <"$T/b.manifest")" "$(mask_manifest <"$T/d.manifest")"
	# Docker pulls berth's blobs back (nothing local: every layer downloads
	# and is checked against the config's diff IDs).
	dk rmi -f "$R_A/test/bbchild" "$R_D/foo" >/dev/null 2>&1
	t_ok "docker pulls $R_B/foo back" dk pull "$R_B/foo"
	t_eq "  same image ID" "$(dk image inspect -f '{{.Id}}' "$R_B/foo")" "$ID_CHILD"
	dk tag "$R_B/foo" "$R_D/foo:latest"
else
	t_skip "manifest encoded as docker's" "no dockerd"
fi
t_ok "berth pulls $R_B/foo back into a fresh root" "$BERTH" --root "$T/back" pull -q "$R_B/foo"
t_eq "  same image ID" "$(jq -r --arg r "$R_B/foo" '.Repositories[$r][$r + ":latest"]' "$T/back/$STORE")" "$ID_CHILD"

# ------------------------------------------------------------ again, mount, -q, -a

bpush "$R_B/foo:latest"
[ "$HAVE_DOCKER" = 1 ] && dpush "$R_D/foo:latest"
t_eq "second push: every layer already exists" "$(grep -c ': Layer already exists$' "$T/b.out")" 2
compare "second push"

retag "$R_A/test/bbchild:latest" "$R_B/bar:v1"
[ "$HAVE_DOCKER" = 1 ] && dk tag "$R_D/foo:latest" "$R_D/bar:v1"
bpush "$R_B/bar:v1"
[ "$HAVE_DOCKER" = 1 ] && dpush "$R_D/bar:v1"
t_eq "push to another repository: Mounted from foo" "$(grep -c ': Mounted from foo$' "$T/b.out")" 2
compare "push $R_B/bar:v1 (mount)"

bpush -q "$R_B/bar:v1"
[ "$HAVE_DOCKER" = 1 ] && dpush -q "$R_D/bar:v1"
t_eq "push -q prints the reference" "$(cat "$T/b.out")" "$R_B/bar:v1"
compare "push -q"

retag "$R_A/test/bbchild:latest" "$R_B/bar:v2"
[ "$HAVE_DOCKER" = 1 ] && dk tag "$R_D/foo:latest" "$R_D/bar:v2"
bpush -a "$R_B/bar"
[ "$HAVE_DOCKER" = 1 ] && dpush -a "$R_D/bar"
t_eq "push -a: both tags" "$(grep -c 'digest: sha256:' "$T/b.out")" 2
compare "push -a"
bpush -a -q "$R_B/bar"
[ "$HAVE_DOCKER" = 1 ] && dpush -a -q "$R_D/bar"
compare "push -a -q"

# A three-layer image whose layers are not yet anywhere on B.
retag "$R_A/test/edge:latest" "$R_B/edge:latest"
[ "$HAVE_DOCKER" = 1 ] && dk tag "$R_A/test/edge:latest" "$R_D/edge:latest"
bpush "$R_B/edge"
[ "$HAVE_DOCKER" = 1 ] && dpush "$R_D/edge"
compare "push $R_B/edge"
t_ok "berth pulls $R_B/edge back" "$BERTH" --root "$T/back" pull -q "$R_B/edge"
t_eq "  same image ID" "$(jq -r --arg r "$R_B/edge" '.Repositories[$r][$r + ":latest"]' "$T/back/$STORE")" "$ID_EDGE"

# ------------------------------------------------------------ errors

before=$(store_sum)
for args in "$R_B/nosuch" "$R_B/bar:nosuch" "-a $R_B/bar:v1" "$R_B/bar@sha256:$(printf '0%.0s' $(seq 64))" "$R_B/Upper"; do
	# shellcheck disable=SC2086
	bpush $args
	if [ "$HAVE_DOCKER" = 1 ]; then
		# shellcheck disable=SC2086
		dpush ${args//$R_B/$R_D}
	fi
	t_eq "push $args fails" "$(cat "$T/b.rc")" 1
	t_eq "  with one line" "$(wc -l <"$T/b.err")" 1
	compare "push $args"
done

retag "$R_A/test/bbchild:latest" "127.0.0.1:1/foo:latest"
before=$(store_sum)
bpush 127.0.0.1:1/foo
t_eq "unreachable registry: exit 1" "$(cat "$T/b.rc")" 1
t_ok "  one line naming the registry" grep -q '^Get "http://127.0.0.1:1/v2/": ' "$T/b.err"
t_eq "  only that line" "$(wc -l <"$T/b.err")" 1
t_eq "  no layer lines" "$(grep -c ': Preparing' "$T/b.out")" 0
t_eq "  store unchanged" "$(store_sum)" "$before"

# A pull-through cache refuses uploads.
if t_ok "read-only registry (a pull-through cache) starts" start_mirror ro "$R_A"; then
	R_RO=$REGISTRY_RO
	retag "$R_A/test/bbchild:latest" "$R_RO/foo:latest"
	before=$(store_sum)
	bpush "$R_RO/foo"
	t_eq "refused upload: exit 1" "$(cat "$T/b.rc")" 1
	t_eq "  one line" "$(wc -l <"$T/b.err")" 1
	t_diag "berth: $(cat "$T/b.err")"
	if [ "$HAVE_DOCKER" = 1 ]; then
		dk tag "$R_D/foo:latest" "$R_RO/dfoo:latest"
		dpush "$R_RO/dfoo"
		# Known difference: docker drops a registry message equal to its
		# code's default text (errcode's UnmarshalJSON: "unsupported"),
		# berth prints it ("unsupported: The operation is unsupported.").
		t_eq "  starts with docker's words" "$(cut -d: -f1 "$T/b.err")" "$(cut -d: -f1 "$T/d.err")"
	fi
	t_eq "  store unchanged" "$(store_sum)" "$before"
fi

# Seven layers: two wait for one of the five upload slots.
if [ "$HAVE_DOCKER" = 1 ]; then
	mkdir -p "$T/ctx"
	printf 'FROM scratch\n' >"$T/ctx/Dockerfile"
	for i in 1 2 3 4 5 6 7; do
		head -c $((i * 70000)) /dev/urandom >"$T/ctx/f$i"
		printf 'COPY f%d /f%d\n' "$i" "$i" >>"$T/ctx/Dockerfile"
	done
	if t_ok "docker builds a 7-layer image" env DOCKER_BUILDKIT=0 "$DOCKER_CLI" build -q -t "$R_A/seven:latest" "$T/ctx" &&
		t_ok "  and pushes it to A" dk push "$R_A/seven:latest" &&
		t_ok "berth pulls it" berth pull -q "$R_A/seven:latest"; then
		retag "$R_A/seven:latest" "$R_B/seven:latest"
		dk tag "$R_A/seven:latest" "$R_D/seven:latest"
		bpush "$R_B/seven"
		dpush "$R_D/seven"
		t_eq "seven layers: two Waiting" "$(grep -c ': Waiting$' "$T/b.out")" 2
		compare "push $R_B/seven"
	fi
fi

# ------------------------------------------------------------ htpasswd + TLS

retag "$R_A/test/bbchild:latest" "$R_S/sec/foo:latest"
[ "$HAVE_DOCKER" = 1 ] && dk tag "$R_D/foo:latest" "$R_S/dsec/foo:latest"
before=$(store_sum)
DOCKER_CONFIG=$T/badcfg bpush "$R_S/sec/foo"
t_eq "wrong password: exit 1" "$(cat "$T/b.rc")" 1
t_eq "  one line" "$(wc -l <"$T/b.err")" 1
t_diag "berth: $(cat "$T/b.err")"
if [ "$HAVE_DOCKER" = 1 ]; then
	DOCKER_CONFIG=$T/badcfg dpush "$R_S/dsec/foo"
	t_diag "docker: $(cat "$T/d.err")"
	t_eq "  docker's words" "$(cat "$T/b.err")" "$(cat "$T/d.err")"
fi
t_eq "  store unchanged" "$(store_sum)" "$before"

bpush "$R_S/sec/foo"
t_eq "htpasswd + TLS push with good credentials" "$(cat "$T/b.rc")" 0
t_eq "  every layer pushed" "$(grep -c ': Pushed$' "$T/b.out")" 2
t_ok "  berth pulls it back over TLS" "$BERTH" --root "$T/back" pull -q "$R_S/sec/foo"
t_eq "  same image ID" "$(jq -r --arg r "$R_S/sec/foo" '.Repositories[$r][$r + ":latest"]' "$T/back/$STORE")" "$ID_CHILD"
# The host's certs.d dir without its ca.crt: HTTPS, the system CAs only.
mkdir -p "$T/nocerts.d/$R_S"
before=$(store_sum)
BERTH_CERTS_D=$T/nocerts.d bpush "$R_S/sec/foo"
t_eq "untrusted certificate: exit 1" "$(cat "$T/b.rc")" 1
t_ok "  a certificate error" grep -qi 'certificate' "$T/b.err"
t_eq "  one line" "$(wc -l <"$T/b.err")" 1
t_eq "  store unchanged" "$(store_sum)" "$before"

# ------------------------------------------------------------ own format
# An image keeps the format it was pulled in: unchanged blobs (mounted on
# the same registry) give the very manifest it came with; recompressed
# ones (another registry) an OCI manifest for an OCI image.
mt_of() { jq -r '.mediaType + " " + ([.layers[].mediaType] | unique | join(","))'; }
OCI_ACCEPT=(-H 'Accept: application/vnd.oci.image.manifest.v1+json')
for tag in oci zstd; do
	berth pull -q "$R_A/test/edge:$tag" >/dev/null
	retag "$R_A/test/edge:$tag" "$R_A/own/$tag:latest"
	bpush "$R_A/own/$tag"
	t_eq "own format ($tag): pushed" "$(cat "$T/b.rc")" 0
	t_eq "  the same manifest, byte for byte" "$(get_manifest "$R_A" own/$tag latest "${OCI_ACCEPT[@]}" | sha256sum)" \
		"$(get_manifest "$R_A" test/edge "$tag" "${OCI_ACCEPT[@]}" | sha256sum)"
	retag "$R_A/test/edge:$tag" "$R_B/own/$tag:latest"
	bpush "$R_B/own/$tag"
	t_eq "  to another registry: OCI, gzip layers" "$(get_manifest "$R_B" own/$tag latest "${OCI_ACCEPT[@]}" | mt_of)" \
		"application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.layer.v1.tar+gzip"
	t_ok "  berth pulls it back" "$BERTH" --root "$T/own-$tag" pull -q "$R_B/own/$tag"
	t_eq "  same image ID" "$("$BERTH" --root "$T/own-$tag" images -q --no-trunc)" \
		"$(berth images -q --no-trunc "$R_A/test/edge:$tag")"
done

# max-concurrent-uploads from the config file, as dockerd's
echo '{"max-concurrent-uploads": 1}' >"$T/up1.json"
retag "$R_A/test/edge:latest" "$R_B/one/at-a-time:latest"
BERTH_CONFIG=$T/up1.json bpush "$R_B/one/at-a-time"
t_eq "max-concurrent-uploads 1: the other layers wait" "$(grep -c ': Waiting$' "$T/b.out")" 2

# ------------------------------------------------------------ token auth

TOKEN_USER=alice TOKEN_PASSWORD=s3cret
export TOKEN_USER TOKEN_PASSWORD
if t_ok "token-auth registry starts" start_token_registry tok; then
	R_T=$REGISTRY_TOK
	printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$R_T" "$(printf alice:s3cret | base64)" >"$DOCKER_CONFIG/config.json"
	retag "$R_A/test/bbchild:latest" "$R_T/tok/foo:latest"
	bpush "$R_T/tok/foo"
	t_eq "token auth: push works" "$(cat "$T/b.rc")" 0
	t_ok "  asked for push scope" grep -q 'repository:tok/foo:push,pull' "$T/treg-tok/token.log"
	retag "$R_A/test/bbchild:latest" "$R_T/tok/bar:latest"
	bpush "$R_T/tok/bar"
	t_eq "  mount from another repository" "$(grep -c ': Mounted from tok/foo$' "$T/b.out")" 2
fi

t_done
