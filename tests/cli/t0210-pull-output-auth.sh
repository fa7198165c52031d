#!/usr/bin/env bash
# t0210-pull-output-auth: berth pull prints what docker 20.10's CLI prints
# (plain lines off a terminal, per-layer lines redrawn in place on one),
# and pulls from a registry behind token auth with docker's config.json
# credentials, refusing a wrong password with one line.
. "$(dirname "$0")/../lib/test-lib.sh"

export BERTH_HUB_HOST=127.0.0.1:1
t_ok "registry starts" start_registry main || t_done
t_ok "busybox image pushed" push_test_images "$REGISTRY" busybox || t_done
berth_cfg
REF=$REGISTRY/library/busybox

# Docker drops intermediate progress messages when they come fast (its
# progress channel is lossy), so "Verifying Checksum" and "Download
# complete" may or may not show; berth always prints them.
plain() { grep -vE ': (Verifying Checksum|Download complete)$' "$1"; }

"$BERTH" --root "$T/b" pull "$REF" >"$T/b1.out" 2>&1
t_ok "berth pull (not a terminal)" test $? -eq 0
"$BERTH" --root "$T/b" pull "$REF" >"$T/b2.out" 2>&1
t_ok "  up to date the second time" grep -qx "Status: Image is up to date for $REF:latest" "$T/b2.out"
t_eq "  Using default tag first, the full name last" \
	"$(head -n1 "$T/b1.out") | $(tail -n1 "$T/b1.out")" "Using default tag: latest | $REF:latest"

if have_dockerd; then
	refdocker_cfg out "{\"insecure-registries\": [\"$REGISTRY\"]}"
	if t_ok "reference dockerd starts" start_refdocker out; then
		dk pull "$REF" >"$T/d1.out" 2>&1
		dk pull "$REF" >"$T/d2.out" 2>&1
		t_eq "first pull: berth's lines are docker's" "$(plain "$T/b1.out")" "$(plain "$T/d1.out")"
		t_eq "second pull: berth's lines are docker's" "$(cat "$T/b2.out")" "$(cat "$T/d2.out")"
		dk pull -q "$REF" >"$T/d3.out" 2>&1
		"$BERTH" --root "$T/b" pull -q "$REF" >"$T/b3.out" 2>&1
		t_eq "pull -q: berth's output is docker's" "$(cat "$T/b3.out")" "$(cat "$T/d3.out")"
		dk pull "$REGISTRY/library/busybox:nosuchtag" >"$T/d4.out" 2>&1
		"$BERTH" --root "$T/b" pull "$REGISTRY/library/busybox:nosuchtag" >"$T/b4.out" 2>&1
		t_eq "missing tag: berth's error is docker's" "$(cat "$T/b4.out")" "$(cat "$T/d4.out")"
		dk pull "$REGISTRY/Library/busybox" >"$T/d5.out" 2>&1
		"$BERTH" --root "$T/b" pull "$REGISTRY/Library/busybox" >"$T/b5.out" 2>&1
		t_eq "uppercase name: berth's error is docker's" "$(cat "$T/b5.out")" "$(cat "$T/d5.out")"
		dk pull --platform linux/arm64 "$REF" >"$T/d6.out" 2>&1
		"$BERTH" --root "$T/b" pull --platform linux/arm64 "$REF" >"$T/b6.out" 2>&1
		t_eq "--platform of another arch on a one-platform image: docker's warning" \
			"$(cat "$T/b6.out")" "$(cat "$T/d6.out")"
		stop_refdocker out
	fi
else
	t_skip "dockerd not installed: no output comparison"
fi

# On a terminal (script(1) gives berth a pty 140 columns wide).
rm -rf "$T/tty"
script -qec "stty cols 140; '$BERTH' --root '$T/tty' pull '$REF'" /dev/null >"$T/tty.out" 2>&1
id=$(awk -F': ' '/Pull complete/ { print $1; exit }' "$T/b1.out")
esc=$'\e'
t_ok "tty: a layer's line is redrawn in place" \
	grep -qF "${esc}[1A${esc}[2K"$'\r'"$id: Pulling fs layer "$'\r'"${esc}[1B" "$T/tty.out"
t_ok "tty: a progress bar while downloading" grep -qE "$id: Downloading \[=+>? *\] +[0-9.]+[kM]?B/[0-9.]+[kM]?B" "$T/tty.out"
t_ok "tty: Digest line follows the block" grep -qF "${esc}[1BDigest: sha256:" "$T/tty.out"

# Token auth, credentials from docker's config.json.
TOKEN_USER=alice TOKEN_PASSWORD=s3cret
export TOKEN_USER TOKEN_PASSWORD
t_ok "token-auth registry starts" start_token_registry tok || t_done
TREG=$REGISTRY_TOK
t_ok "image pushed with credentials" env SKOPEO_PUSH_ARGS="--dest-creds alice:s3cret" \
	bash "$TOP/tests/lib/build-images.sh" "$T/images" "$TREG" busybox
mkdir -p "$T/dockercfg" "$T/badcfg"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$TREG" "$(printf alice:s3cret | base64)" >"$T/dockercfg/config.json"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$TREG" "$(printf alice:wrong | base64)" >"$T/badcfg/config.json"
t_ok "pull with a token from config.json credentials" \
	env DOCKER_CONFIG="$T/dockercfg" "$BERTH" --root "$T/tok" pull -q "$TREG/library/busybox"
rc=0
env DOCKER_CONFIG="$T/badcfg" "$BERTH" --root "$T/tok2" pull -q "$TREG/library/busybox" >"$T/bad.out" 2>"$T/bad.err" || rc=$?
t_eq "wrong password: exit status 1" "$rc" 1
t_eq "  one line on stderr" "$(wc -l <"$T/bad.err")" 1
t_ok "  that says unauthorized: $(cat "$T/bad.err")" grep -qi unauthorized "$T/bad.err"
t_ok "  nothing registered" test -z "$(ls -A "$T/tok2/image/overlay2/imagedb/content/sha256" 2>/dev/null)"
rc=0
env DOCKER_CONFIG="$T/nocfg" "$BERTH" --root "$T/tok3" pull -q "$TREG/library/busybox" >/dev/null 2>"$T/anon.err" || rc=$?
t_ok "anonymous pull refused: $(cat "$T/anon.err")" test "$rc" -eq 1
t_done
