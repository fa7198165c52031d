#!/usr/bin/env bash
# t0600-login-search: berth login/logout/search against real registries and
# a Hub-like search stub, compared with docker 20.10:
# - login checks the credentials first (htpasswd behind TLS with a test CA
#   that berth finds in $BERTH_CERTS_D, and token auth), refuses a wrong
#   password with docker's one line, writes config.json as docker's CLI does
#   (0600, tabs, other keys kept); docker pulls with what berth wrote and
#   berth pulls with what docker wrote; logout removes them;
# - a credential helper (docker-credential-test on PATH) stores, gets and
#   erases when config.json names it;
# - search prints what docker search prints, byte for byte, and lists
#   /v2/_catalog where the registry has no v1 search.
. "$(dirname "$0")/../lib/test-lib.sh"

export BERTH_HUB_HOST=127.0.0.1:1	# guard: never Docker Hub
unset DOCKER_CONFIG
cd "$T" || exit 1

# ---------------------------------------------------------------- servers

# A CA and a certificate for 127.0.0.1 signed by it.
mk_certs() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca.key" -out "$T/ca.crt" -days 30 \
		-subj /CN=berth-test-ca 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -keyout "$T/srv.key" -out "$T/srv.csr" -subj /CN=127.0.0.1 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$T/srv.ext" &&
	openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial \
		-out "$T/srv.crt" -days 30 -extfile "$T/srv.ext" 2>/dev/null &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/other.key" -out "$T/other-ca.crt" -days 30 \
		-subj /CN=other-ca 2>/dev/null
}

# htpasswd auth behind TLS; exports TLSREG.
start_tls_registry() {
	local d=$T/reg-tls port
	port=$(free_port) || return 1
	mkdir -p "$d/data"
	htpasswd -Bbn alice s3cret >"$d/htpasswd" || return 1
	cat >"$d/config.yml" <<-EOF
	version: 0.1
	log: {level: warn, accesslog: {disabled: true}}
	storage: {filesystem: {rootdirectory: $d/data}, delete: {enabled: true}}
	http: {addr: "127.0.0.1:$port", tls: {certificate: $T/srv.crt, key: $T/srv.key}}
	auth: {htpasswd: {realm: test, path: $d/htpasswd}}
	EOF
	_t_run_registry "$d"
	for _ in $(seq 100); do
		curl -s -o /dev/null --cacert "$T/ca.crt" "https://127.0.0.1:$port/v2/" && break
		sleep 0.1
	done
	TLSREG=127.0.0.1:$port
}

# The Hub-like search stub; exports SEARCH.
start_search() {
	"$PY" "$TOP/tests/lib/search-server.py" --port-file "$T/search-port" --log "$T/search.log" \
		>"$T/search-server.log" 2>&1 &
	_t_track "$!"
	for _ in $(seq 100); do
		[ -s "$T/search-port" ] && break
		sleep 0.1
	done
	SEARCH=127.0.0.1:$(cat "$T/search-port")
	wait_http "http://$SEARCH/v1/_ping"
}

t_ok "test CA and certificates" mk_certs || t_done
t_ok "htpasswd registry behind TLS starts" start_tls_registry || t_done
export BERTH_CERTS_D=$T/certs.d
mkdir -p "$BERTH_CERTS_D/$TLSREG" "$T/badcerts.d/$TLSREG"
cp "$T/ca.crt" "$BERTH_CERTS_D/$TLSREG/ca.crt"
cp "$T/other-ca.crt" "$T/badcerts.d/$TLSREG/ca.crt"
t_ok "busybox pushed to it" env SKOPEO_PUSH_ARGS="--dest-creds alice:s3cret --dest-cert-dir $BERTH_CERTS_D/$TLSREG" \
	bash "$TOP/tests/lib/build-images.sh" "$T/images" "$TLSREG" busybox
TOKEN_USER=alice TOKEN_PASSWORD=s3cret
export TOKEN_USER TOKEN_PASSWORD
t_ok "token-auth registry starts" start_token_registry tok || t_done
TREG=$REGISTRY_TOK
t_ok "busybox pushed to it" env SKOPEO_PUSH_ARGS="--dest-creds alice:s3cret" \
	bash "$TOP/tests/lib/build-images.sh" "$T/images" "$TREG" busybox
t_ok "plain registry starts" start_registry plain || t_done
PREG=$REGISTRY_PLAIN
t_ok "test images pushed to it" push_test_images "$PREG" busybox
t_ok "search stub starts" start_search || t_done

DOCKER_OK=0
if have_dockerd; then
	refdocker_cfg ref '{}'
	t_ok "reference dockerd starts" start_refdocker ref && DOCKER_OK=1
else
	t_skip "dockerd not installed: no comparison with docker"
fi

# bl DIR ARGS... - berth with DOCKER_CONFIG=DIR, stdout+stderr to $T/o, rc in $rc
bl() { local d=$1; shift; rc=0; DOCKER_CONFIG=$d "$BERTH" --root "$T/b" "$@" >"$T/o" 2>&1 </dev/null || rc=$?; }
# dl DIR ARGS... - the same with docker, into $T/d
dl() { local d=$1; shift; drc=0; DOCKER_CONFIG=$d dk "$@" >"$T/d" 2>&1 </dev/null || drc=$?; }
b64() { printf '%s' "$1" | base64 -w0; }

# ---------------------------------------------------------------- login

# Wrong password: one line, exit 1, nothing written.
rc=0
printf 'wrong\n' | DOCKER_CONFIG=$T/cfg1 "$BERTH" login -u alice --password-stdin "$TLSREG" >"$T/o" 2>"$T/e" || rc=$?
t_eq "wrong password (htpasswd+TLS): exit 1" "$rc" 1
t_eq "  one line on stderr, docker's text" "$(cat "$T/e")" \
	"Error response from daemon: login attempt to https://$TLSREG/v2/ failed with status: 401 Unauthorized"
t_ok "  no config written" test ! -e "$T/cfg1/config.json"

rc=0
printf 'wrong\n' | DOCKER_CONFIG=$T/cfg1 "$BERTH" login -u alice --password-stdin "$TREG" >"$T/o" 2>"$T/e" || rc=$?
t_eq "wrong password (token auth): exit 1, docker's one line" "$rc: $(cat "$T/e")" \
	"1: Error response from daemon: Get \"http://$TREG/v2/\": unauthorized: incorrect username or password"
t_ok "  no config written" test ! -e "$T/cfg1/config.json"

# The CA comes from $BERTH_CERTS_D: with another CA the server is not trusted.
rc=0
printf 's3cret\n' | BERTH_CERTS_D=$T/badcerts.d DOCKER_CONFIG=$T/cfg1 "$BERTH" login -u alice --password-stdin "$TLSREG" \
	>"$T/o" 2>"$T/e" || rc=$?
t_ok "an untrusted CA in certs.d is refused: $(cat "$T/e")" test "$rc" -eq 1 -a ! -e "$T/cfg1/config.json"

# Correct login.
rc=0
printf 's3cret\n' | DOCKER_CONFIG=$T/cfg1 "$BERTH" login -u alice --password-stdin "$TLSREG" >"$T/o" 2>"$T/e" || rc=$?
t_eq "login (htpasswd+TLS) succeeds" "$rc: $(cat "$T/o")" "0: Login Succeeded"
t_eq "  docker's warning about the plain-text password" "$(cat "$T/e")" \
	"WARNING! Your password will be stored unencrypted in $T/cfg1/config.json.
Configure a credential helper to remove this warning. See
https://docs.docker.com/engine/reference/commandline/login/#credentials-store"
t_eq "  config.json is 0600" "$(stat -c %a "$T/cfg1/config.json")" 600
t_eq "  config.json in docker's layout" "$(cat "$T/cfg1/config.json"; echo "|")" \
	"$(printf '{\n\t"auths": {\n\t\t"%s": {\n\t\t\t"auth": "%s"\n\t\t}\n\t}\n}|' "$TLSREG" "$(b64 alice:s3cret)")"
rc=0
DOCKER_CONFIG=$T/cfg1 "$BERTH" login -u alice -p s3cret "https://$TREG/some/path" >"$T/o" 2>"$T/e" || rc=$?
t_eq "login -p (token auth, server given as a URL)" "$rc: $(cat "$T/o") / $(head -n1 "$T/e")" \
	"0: Login Succeeded / WARNING! Using --password via the CLI is insecure. Use --password-stdin."
t_ok "  stored under the host name" grep -q "\"$TREG\": {" "$T/cfg1/config.json"

bl "$T/cfg1" login "$TREG"
t_eq "login without flags uses the stored credentials" "$rc: $(head -n1 "$T/o")" \
	"0: Authenticating with existing credentials..."
bl "$T/cfg1" login -u alice "$TREG"
t_eq "no password and no terminal: docker's error" "$rc: $(cat "$T/o")" \
	"1: Error: Cannot perform an interactive login from a non TTY device"
bl "$T/cfg1" login -p x --password-stdin "$TREG"
t_eq "--password with --password-stdin" "$rc: $(tail -n1 "$T/o")" "1: --password and --password-stdin are mutually exclusive"
bl "$T/cfg1" login --password-stdin "$TREG"
t_eq "--password-stdin without --username" "$rc: $(cat "$T/o")" "1: Must provide --username with --password-stdin"

# Interactive: prompts on a terminal, the password not echoed.
rm -rf "$T/cfg-tty"
if command -v script >/dev/null; then
	{ sleep 1; printf 'alice\r'; sleep 0.5; printf 's3cret\r'; sleep 2; } |
		script -qfc "DOCKER_CONFIG='$T/cfg-tty' '$BERTH' login '$TREG'" /dev/null >"$T/tty.out" 2>&1
	t_ok "interactive login: Username:/Password: prompts, Login Succeeded" \
		grep -q "Login Succeeded" "$T/tty.out"
	t_ok "  the password is not echoed" sh -c "grep -q 'Username: alice' '$T/tty.out' && ! grep -q s3cret '$T/tty.out'"
fi

# Other keys of config.json are kept.
mkdir -p "$T/cfg2"
printf '{\n  "psFormat": "table {{.ID}}",\n  "myTool": {"x": [1, 2]},\n  "auths": {"other.example:5000": {"auth": "%s", "email": "a@b"}}\n}\n' \
	"$(b64 bob:pw)" >"$T/cfg2/config.json"
chmod 644 "$T/cfg2/config.json"
printf 's3cret' | DOCKER_CONFIG=$T/cfg2 "$BERTH" login -u alice --password-stdin "$TREG" >/dev/null 2>&1
t_eq "login keeps the other keys of config.json (and its mode)" "$(cat "$T/cfg2/config.json"; echo "|$(stat -c %a "$T/cfg2/config.json")")" \
	"$(printf '{\n\t"auths": {\n\t\t"%s": {\n\t\t\t"auth": "%s"\n\t\t},\n\t\t"other.example:5000": {\n\t\t\t"auth": "%s",\n\t\t\t"email": "a@b"\n\t\t}\n\t},\n\t"psFormat": "table {{.ID}}",\n\t"myTool": {\n\t\t"x": [\n\t\t\t1,\n\t\t\t2\n\t\t]\n\t}\n}|644' \
	"$TREG" "$(b64 alice:s3cret)" "$(b64 bob:pw)")"

# berth pulls with its own credentials, from both registries.
t_ok "berth pulls from the TLS registry with the stored credentials" \
	env DOCKER_CONFIG="$T/cfg1" "$BERTH" --root "$T/b1" pull -q "$TLSREG/library/busybox"
t_ok "berth pulls from the token registry with the stored credentials" \
	env DOCKER_CONFIG="$T/cfg1" "$BERTH" --root "$T/b1" pull -q "$TREG/library/busybox"

if [ "$DOCKER_OK" = 1 ]; then
	# The same commands through docker, for the texts.
	printf 'wrong' | DOCKER_CONFIG=$T/dcfg dk login -u alice --password-stdin "$TLSREG" >"$T/d" 2>&1
	printf 'wrong' | DOCKER_CONFIG=$T/bcfg "$BERTH" login -u alice --password-stdin "$TLSREG" >"$T/o" 2>&1
	t_eq "docker: wrong password (htpasswd+TLS), same text" "$(cat "$T/o")" "$(cat "$T/d")"
	printf 'wrong' | DOCKER_CONFIG=$T/dcfg dk login -u alice --password-stdin "$TREG" >"$T/d" 2>&1
	printf 'wrong' | DOCKER_CONFIG=$T/bcfg "$BERTH" login -u alice --password-stdin "$TREG" >"$T/o" 2>&1
	t_eq "docker: wrong password (token), same text" "$(cat "$T/o")" "$(cat "$T/d")"
	DOCKER_CONFIG=$T/dcfg dk login -u alice -p s3cret "$TREG" >"$T/d" 2>&1
	DOCKER_CONFIG=$T/bcfg "$BERTH" login -u alice -p s3cret "$TREG" >"$T/o" 2>&1
	t_eq "docker: login -p, same lines" "$(sed "s|$T/bcfg|CFG|" "$T/o")" "$(sed "s|$T/dcfg|CFG|" "$T/d")"
	printf 's3cret' | DOCKER_CONFIG=$T/dcfg dk login -u alice --password-stdin "$TLSREG" >/dev/null 2>&1
	printf 's3cret' | DOCKER_CONFIG=$T/bcfg "$BERTH" login -u alice --password-stdin "$TLSREG" >/dev/null 2>&1
	t_eq "docker: config.json byte for byte" "$(od -c "$T/bcfg/config.json")" "$(od -c "$T/dcfg/config.json")"
	dl "$T/bcfg" login "$TREG"; bl "$T/bcfg" login "$TREG"
	t_eq "docker: login with stored credentials, same lines" "$(sed "s|$T/bcfg|CFG|" "$T/o")" "$(sed "s|$T/bcfg|CFG|" "$T/d")"
	dl "$T/bcfg" login a b; bl "$T/bcfg" login a b
	t_eq "docker: too many arguments, same text" "$rc $(sed 's/berth/docker/g' "$T/o")" "$drc $(cat "$T/d")"

	# docker pulls with what berth wrote; berth pulls with what docker wrote.
	t_ok "docker pulls (TLS registry) with berth's credentials" \
		env DOCKER_CONFIG="$T/cfg1" "$DOCKER_CLI" pull -q "$TLSREG/library/busybox"
	t_ok "docker pulls (token registry) with berth's credentials" \
		env DOCKER_CONFIG="$T/cfg1" "$DOCKER_CLI" pull -q "$TREG/library/busybox"
	t_ok "docker refuses without them" sh -c "! env DOCKER_CONFIG='$T/none' '$DOCKER_CLI' pull -q '$TREG/library/busybox'"
	t_ok "berth pulls with docker's credentials" \
		env DOCKER_CONFIG="$T/dcfg" "$BERTH" --root "$T/b2" pull -q "$TREG/library/busybox"
	t_ok "berth pulls (TLS) with docker's credentials" \
		env DOCKER_CONFIG="$T/dcfg" "$BERTH" --root "$T/b2" pull -q "$TLSREG/library/busybox"

	# logout, as docker prints it (20.10 says "Removing" even when there was nothing).
	cp -r "$T/dcfg" "$T/dcfg2"
	dl "$T/dcfg" logout "$TREG"; bl "$T/dcfg2" logout "$TREG"
	t_eq "docker: logout, same line" "$(cat "$T/o")" "$(cat "$T/d")"
	t_eq "docker: config.json after logout, byte for byte" "$(od -c "$T/dcfg2/config.json")" "$(od -c "$T/dcfg/config.json")"
	dl "$T/dcfg" logout "https://$TLSREG/"; bl "$T/dcfg2" logout "https://$TLSREG/"
	t_eq "docker: logout of a URL, same line and file" "$(cat "$T/o"; cat "$T/dcfg2/config.json")" "$(cat "$T/d"; cat "$T/dcfg/config.json")"
	dl "$T/dcfg" logout; bl "$T/dcfg2" logout
	t_eq "docker: logout of the default server" "$(cat "$T/o")" "$(cat "$T/d")"
fi

bl "$T/cfg1" logout "$TREG"
t_eq "logout: docker's line" "$rc: $(cat "$T/o")" "0: Removing login credentials for $TREG"
t_ok "  credentials removed" sh -c "! grep -q '\"$TREG\"' '$T/cfg1/config.json'"
t_ok "  the others kept" grep -q "\"$TLSREG\"" "$T/cfg1/config.json"
rc=0
env DOCKER_CONFIG="$T/cfg1" "$BERTH" --root "$T/b3" pull -q "$TREG/library/busybox" >/dev/null 2>&1 || rc=$?
t_eq "  pulling needs them again" "$rc" 1

# ---------------------------------------------------------------- credential helper

mkdir -p "$T/bin" "$T/helper"
cat >"$T/bin/docker-credential-test" <<EOF
#!/bin/sh
# docker-credential-test: keeps credentials in $T/helper, one file per server.
set -e
in=\$(cat)
echo "\$1 \$in" >>"$T/helper/calls.log"
case "\$1" in
store)
	url=\$(printf '%s' "\$in" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["ServerURL"])')
	printf '%s' "\$in" >"$T/helper/\$(printf '%s' "\$url" | tr '/:' '__')" ;;
get)
	f="$T/helper/\$(printf '%s' "\$in" | tr '/:' '__')"
	[ -f "\$f" ] || { echo "credentials not found in native keychain"; exit 1; }
	cat "\$f" ;;
erase)
	f="$T/helper/\$(printf '%s' "\$in" | tr '/:' '__')"
	[ -f "\$f" ] || { echo "credentials not found in native keychain"; exit 1; }
	rm -f "\$f" ;;
*) exit 1 ;;
esac
EOF
chmod +x "$T/bin/docker-credential-test"
export PATH=$T/bin:$PATH
mkdir -p "$T/hcfg"
printf '{"credsStore": "test"}' >"$T/hcfg/config.json"
rc=0
printf 's3cret' | DOCKER_CONFIG=$T/hcfg "$BERTH" login -u alice --password-stdin "$TREG" >"$T/o" 2>"$T/e" || rc=$?
t_eq "login with credsStore: no plain-text warning" "$rc: $(cat "$T/o") [$(cat "$T/e")]" "0: Login Succeeded []"
t_ok "  the helper stored them" grep -q "\"Secret\":\"s3cret\"" "$T/helper/$(printf '%s' "$TREG" | tr '/:' '__')"
t_eq "  config.json keeps an empty entry, no secret" "$(cat "$T/hcfg/config.json")" \
	"$(printf '{\n\t"auths": {\n\t\t"%s": {}\n\t},\n\t"credsStore": "test"\n}' "$TREG")"
t_ok "berth pulls with the helper's credentials" \
	env DOCKER_CONFIG="$T/hcfg" "$BERTH" --root "$T/b4" pull -q "$TREG/library/busybox"
t_ok "  asked the helper (get)" grep -q "^get $TREG\$" "$T/helper/calls.log"
if [ "$DOCKER_OK" = 1 ]; then
	t_ok "docker pulls with the credentials berth gave the helper" \
		env DOCKER_CONFIG="$T/hcfg" "$DOCKER_CLI" pull -q "$TREG/library/busybox"
fi
bl "$T/hcfg" logout "$TREG"
t_eq "logout through the helper" "$rc: $(cat "$T/o")" "0: Removing login credentials for $TREG"
t_ok "  the helper erased them" test ! -e "$T/helper/$(printf '%s' "$TREG" | tr '/:' '__')"
t_ok "  config.json entry gone" sh -c "! grep -q '$TREG' '$T/hcfg/config.json'"
printf '{"credHelpers": {"%s": "test"}}' "$TREG" >"$T/hcfg/config.json"
printf 's3cret' | DOCKER_CONFIG=$T/hcfg "$BERTH" login -u alice --password-stdin "$TREG" >/dev/null 2>&1
t_ok "credHelpers: the helper named for the host stores them" \
	test -e "$T/helper/$(printf '%s' "$TREG" | tr '/:' '__')"
printf '{"credsStore": "missing"}' >"$T/hcfg/config.json"
bl "$T/hcfg" login -u alice -p s3cret "$TREG"
t_eq "a helper that is not installed: docker's error" "$rc: $(tail -n1 "$T/o")" \
	"1: Error saving credentials: error storing credentials - err: exec: \"docker-credential-missing\": executable file not found in \$PATH, out: \`\`"

# ---------------------------------------------------------------- search

# Search forms compared with docker byte for byte (stdout, stderr, status).
FORMS=(
	"$SEARCH/busybox"
	"--limit 3 $SEARCH/busybox"
	"--limit 0 $SEARCH/busybox"
	"--limit 101 $SEARCH/busybox"
	"--limit abc $SEARCH/busybox"
	"--filter stars=8 $SEARCH/busybox"
	"--filter stars=x $SEARCH/busybox"
	"--filter is-official=true $SEARCH/busybox"
	"--filter is-automated=true --filter stars=5 $SEARCH/busybox"
	"--filter is-official=maybe $SEARCH/busybox"
	"--filter foo=bar $SEARCH/busybox"
	"--filter foo $SEARCH/busybox"
	"--no-trunc $SEARCH/busybox"
	"--format {{.Name}}:{{.StarCount}}:{{.IsOfficial}}:{{.IsAutomated}}:{{.Description}} $SEARCH/busybox"
	"--format table\t{{.Name}}\t{{.IsOfficial}} $SEARCH/busybox"
	"--format {{json\t.}} $SEARCH/busybox"
	"--format {{.Name $SEARCH/busybox"
	"$SEARCH/nomatch"
	"$SEARCH/status500"
	"$SEARCH/library/alpine"
	"http://x/busybox"
	"--format json $SEARCH/alpine"
	"--format table $SEARCH/alpine"
)
if [ "$DOCKER_OK" = 1 ]; then
	for f in "${FORMS[@]}"; do
		# \t in a form stands for a space inside one argument.
		IFS=' ' read -r -a args <<<"$f"
		args=("${args[@]//\\t/ }")
		rc=0; "$BERTH" search "${args[@]}" >"$T/so" 2>"$T/se" || rc=$?
		drc=0; dk search "${args[@]}" >"$T/sdo" 2>"$T/sde" || drc=$?
		t_eq "search $f: as docker" "$(cat "$T/so"; echo "--"; sed 's/berth/docker/g' "$T/se"; echo "rc=$rc")" \
			"$(cat "$T/sdo"; echo "--"; cat "$T/sde"; echo "rc=$drc")"
	done
	rc=0; "$BERTH" search >"$T/so" 2>&1 || rc=$?
	drc=0; dk search >"$T/sdo" 2>&1 || drc=$?
	t_eq "search without a term: as docker" "$(sed 's/berth/docker/g' "$T/so") rc=$rc" "$(cat "$T/sdo") rc=$drc"
else
	t_skip "search comparisons" "no dockerd"
fi
# Without docker, the stub's own expectations still hold.
"$BERTH" search --limit 2 "$SEARCH/busybox" >"$T/so" 2>&1
t_eq "search --limit 2: the table" "$(cat "$T/so")" \
"NAME                  DESCRIPTION                                     STARS     OFFICIAL   AUTOMATED
busybox               Busybox base image.                             2900      [OK]       
alice/busybox-tools   A very long description that goes on and on …   41                   [OK]"
t_ok "  asked q=busybox n=2 without credentials" grep -qx "q=busybox n=2 auth=-" "$T/search.log"

# The registry without /v1/search: its catalog.
"$BERTH" search "$PREG/busy" >"$T/so" 2>&1
t_eq "search on a distribution registry lists /v2/_catalog" "$(awk 'NR > 1 { print $1 }' "$T/so")" "$PREG/library/busybox"
"$BERTH" search --format '{{.Name}}' "$PREG/nothing-like-this" >"$T/so" 2>&1
t_eq "  no match: nothing" "$(cat "$T/so")" ""
printf 's3cret' | DOCKER_CONFIG=$T/cfg3 "$BERTH" login -u alice --password-stdin "$TREG" >/dev/null 2>&1
rc=0
DOCKER_CONFIG=$T/cfg3 "$BERTH" search --format '{{.Name}}' "$TREG/busybox" >"$T/so" 2>&1 || rc=$?
t_eq "  on a token-auth registry with stored credentials" "$rc $(cat "$T/so")" "0 $TREG/library/busybox"

t_done
