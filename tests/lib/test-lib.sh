# tests/lib/test-lib.sh - sourced by every tests/cli/t*.sh.
#
#   . "$(dirname "$0")/../lib/test-lib.sh"
#
# Gives:
#   TAP:      t_ok DESC CMD...   t_notok DESC CMD...   t_eq DESC GOT EXPECTED
#             t_skip DESC REASON   t_diag TEXT...   t_done (prints the plan, exits)
#   paths:    TOP (repo root), SHARED (../shared), T (per-test temp dir, removed
#             at exit), BERTH (the binary; $BERTH or build/berth)
#   servers:  free_port; wait_http URL; start_registry NAME [YAML...];
#             start_token_server DIR; start_token_registry NAME;
#             start_mirror NAME ORIGIN_ADDR; stop_pid PID
#   docker:   have_dockerd; start_refdocker NAME [DOCKERD-FLAGS...]; stop_refdocker NAME;
#             dk ARGS... (the 20.10 client, /usr/bin/docker, on $DOCKER_HOST)
#   berth:    berth_cfg [REGISTRY_ADDR...]  (daemon.json with registry-mirrors)
# Every process started here is killed by pid at exit (trap EXIT), also on
# failure; every dockerd is stopped and its mounts under $T are unmounted.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHARED=$(cd "$TOP/.." && pwd)/shared
: "${BERTH:=$TOP/build/berth}"
export BERTH TOP SHARED
DOCKER_CLI=/usr/bin/docker
# Debian's python3 (python3-jwt, python3-cryptography), not a pyenv one on PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
export PY

T=$(mktemp -d "${TMPDIR:-/tmp}/berth-t.XXXXXX")
export T
_t_n=0 _t_fail=0
_t_pids=()
_t_dockers=()

# ---------------------------------------------------------------- TAP

t_diag() { printf '# %s\n' "$*"; }

_t_report() {	# _t_report RC DESC
	_t_n=$((_t_n + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$_t_n" "$2"
	else
		printf 'not ok %d - %s\n' "$_t_n" "$2"
		_t_fail=$((_t_fail + 1))
	fi
}

# t_ok DESC CMD... - passes when CMD exits 0; its output is shown on failure.
# CMD runs in this shell (not a subshell), so functions like start_registry
# keep their exports and cleanup registrations.
t_ok() {
	local desc=$1; shift
	local rc
	"$@" >"$T/.t_out" 2>&1; rc=$?
	_t_report "$rc" "$desc"
	[ "$rc" -eq 0 ] || tail -n 30 "$T/.t_out" | sed 's/^/#   /'
	return "$rc"
}

# t_notok DESC CMD... - passes when CMD exits non-zero.
t_notok() {
	local desc=$1; shift
	local rc=0
	"$@" >"$T/.t_out" 2>&1 && rc=1
	_t_report "$rc" "$desc"
	[ "$rc" -eq 0 ] || tail -n 30 "$T/.t_out" | sed 's/^/#   /'
	return "$rc"
}

# t_eq DESC GOT EXPECTED
t_eq() {
	if [ "$2" = "$3" ]; then
		_t_report 0 "$1"
		return 0
	fi
	_t_report 1 "$1"
	{ printf 'got:      %s\n' "$2"; printf 'expected: %s\n' "$3"; } | head -n 40 | sed 's/^/#   /'
	return 1
}

# t_skip DESC REASON
t_skip() {
	_t_n=$((_t_n + 1))
	printf 'ok %d - %s # skip %s\n' "$_t_n" "$1" "${2:-}"
}

# t_done - prints the plan and exits 1 when anything failed (cleanup runs via trap).
t_done() {
	printf '1..%d\n' "$_t_n"
	[ "$_t_fail" -eq 0 ] && exit 0
	exit 1
}

# ---------------------------------------------------------------- cleanup

# stop_pid PID - TERM, wait up to 20 s, then KILL; only for pids we started.
stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

_t_umount_under() {	# unmounts whatever a dockerd left mounted below $1
	local m
	findmnt -rn -o TARGET 2>/dev/null | grep -F "$1/" | sort -r |
	while IFS= read -r m; do
		umount -l "$m" 2>/dev/null
	done
	return 0
}

# _t_monitors_under DIR - pids of berth monitors working below DIR (their
# cwd is the container's state dir in the test's exec root)
_t_monitors_under() {
	local p
	for p in $(pgrep -x berth-monitor 2>/dev/null); do
		case $(readlink "/proc/$p/cwd" 2>/dev/null) in "$1"/*) echo "$p" ;; esac
	done
}

_t_cleanup() {
	local rc=$? i n
	for n in "${_t_dockers[@]}"; do stop_refdocker "$n"; done
	for ((i = ${#_t_pids[@]} - 1; i >= 0; i--)); do stop_pid "${_t_pids[$i]}"; done
	# monitors finishing a removal (run --rm deletes after answering)
	# get a moment; any still there (a test's leftover container) go
	for i in $(seq 50); do [ -z "$(_t_monitors_under "$T")" ] && break; sleep 0.1; done
	for n in $(_t_monitors_under "$T"); do kill -9 "$n" 2>/dev/null; done
	_t_umount_under "$T"
	if [ -n "${KEEP_T:-}" ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
	return "$rc"
}
trap _t_cleanup EXIT
trap 'exit 130' INT TERM

_t_track() { _t_pids+=("$1"); }

# ---------------------------------------------------------------- servers

free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_http URL [TRIES] - waits until URL answers (any HTTP status).
wait_http() {
	local url=$1 tries=${2:-100} i code
	for i in $(seq "$tries"); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --noproxy '*' "$url" 2>/dev/null)
		[ -n "$code" ] && [ "$code" != 000 ] && return 0
		sleep 0.1
	done
	echo "no answer from $url" >&2
	return 1
}

_t_var() {	# _t_var NAME -> upper-case shell-safe suffix
	printf '%s' "$1" | tr '[:lower:]' '[:upper:]' | tr -c 'A-Z0-9_' '_'
}

# _t_run_registry DIR - serves DIR/config.yml; sets _t_last_pid
_t_run_registry() {
	docker-registry serve "$1/config.yml" >"$1/registry.log" 2>&1 &
	_t_last_pid=$!
	_t_track "$_t_last_pid"
	echo "$_t_last_pid" >"$1/pid"
}

# start_registry NAME [YAML-LINE...] - Debian docker-registry on
# 127.0.0.1:<free port>, data in $T/reg-NAME.  Extra top-level YAML lines
# (e.g. "proxy: {remoteurl: http://...}") are appended to the config.
# Exports REGISTRY=127.0.0.1:PORT and REGISTRY_<NAME>=127.0.0.1:PORT.
start_registry() {
	local name=$1; shift
	local d=$T/reg-$name port line
	port=$(free_port) || return 1
	mkdir -p "$d/data"
	{
		echo "version: 0.1"
		echo "log: {level: warn, accesslog: {disabled: true}}"
		echo "storage: {filesystem: {rootdirectory: $d/data}, delete: {enabled: true}}"
		echo "http: {addr: 127.0.0.1:$port}"
		for line in "$@"; do echo "$line"; done
	} >"$d/config.yml"
	_t_run_registry "$d"
	if ! wait_http "http://127.0.0.1:$port/v2/"; then
		cat "$d/registry.log" >&2
		return 1
	fi
	REGISTRY=127.0.0.1:$port
	export REGISTRY "REGISTRY_$(_t_var "$name")=$REGISTRY"
}

# start_mirror NAME ORIGIN_ADDR - a pull-through cache of ORIGIN_ADDR.
start_mirror() {
	start_registry "$1" "proxy: {remoteurl: http://$2}"
}

# start_token_server DIR - runs tests/lib/token-server.py on a free port;
# it creates DIR/key.pem + DIR/cert.pem (the registry's rootcertbundle), logs
# one line per token request to DIR/token.log.  With $TOKEN_USER and
# $TOKEN_PASSWORD set it demands those basic credentials.
# Sets TOKEN_REALM=http://127.0.0.1:PORT/token.
start_token_server() {
	local d=$1 i
	local auth=()
	[ -n "${TOKEN_USER:-}" ] && auth=(--user "$TOKEN_USER" --password "${TOKEN_PASSWORD:-}")
	mkdir -p "$d"
	"$PY" "$TOP/tests/lib/token-server.py" --key "$d/key.pem" --cert "$d/cert.pem" \
		--port-file "$d/token-port" --issuer test-issuer --log "$d/token.log" \
		"${auth[@]}" >"$d/token-server.log" 2>&1 &
	_t_track "$!"
	for i in $(seq 100); do
		[ -s "$d/token-port" ] && break
		sleep 0.1
	done
	[ -s "$d/token-port" ] || { cat "$d/token-server.log" >&2; return 1; }
	TOKEN_REALM=http://127.0.0.1:$(cat "$d/token-port")/token
	export TOKEN_REALM
	wait_http "$TOKEN_REALM"
}

# start_token_registry NAME - a registry with bearer-token auth (service
# test-registry, issuer test-issuer) and the test token server (RS256 JWT
# with x5c), files in $T/treg-NAME.  Exports REGISTRY, REGISTRY_<NAME>,
# TOKEN_REALM.  Push to it with skopeo --dest-creds when TOKEN_USER is set.
start_token_registry() {
	local name=$1
	local d=$T/treg-$name
	[ -f "$TOP/tests/lib/token-server.py" ] || { echo "no tests/lib/token-server.py" >&2; return 1; }
	start_token_server "$d" || return 1
	start_registry "$name" "auth: {token: {realm: \"$TOKEN_REALM\", service: test-registry, issuer: test-issuer, rootcertbundle: $d/cert.pem}}"
}

# ---------------------------------------------------------------- docker

# start_hostile - tests/lib/hostile-registry.py on a free port; sets HR (host:port).
# Its abs-symlink layer points at $MARKER, which must stay empty.
start_hostile() {
	local d=$T/hostile
	: "${MARKER:=$T/marker}"
	mkdir -p "$d" "$MARKER"
	"$PY" "$TOP/tests/lib/hostile-registry.py" --port-file "$d/port" --marker "$MARKER" \
		--log "$d/requests.log" >"$d/server.log" 2>&1 &
	_t_track "$!"
	for _ in $(seq 150); do
		[ -s "$d/port" ] && break
		kill -0 "$!" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$d/port" ] || { cat "$d/server.log" >&2; return 1; }
	HR=127.0.0.1:$(cat "$d/port")
	wait_http "http://$HR/v2/"
}

have_dockerd() {
	command -v dockerd >/dev/null 2>&1 && [ -x "$DOCKER_CLI" ]
}

dk() { "$DOCKER_CLI" "$@"; }

# start_refdocker NAME [DOCKERD-FLAGS...] - Debian's dockerd 20.10 as in
# ../shared/tools/reference-docker.sh (same flags: private socket, no
# iptables, no bridge, overlay2) with everything in $T/docker-NAME, and its
# own daemon.json (--config-file, so /etc/docker/daemon.json is never read).
# DOCKERD_DATA_ROOT overrides the data root.  Exports DOCKER_HOST.
# Returns 2 when dockerd is not installed (callers t_skip).
start_refdocker() {
	local name=$1; shift
	local d=$T/docker-$name i
	have_dockerd || return 2
	mkdir -p "$d"
	[ -f "$d/daemon.json" ] || echo '{}' >"$d/daemon.json"
	DOCKER_HOST=unix://$d/docker.sock
	export DOCKER_HOST
	dockerd --config-file "$d/daemon.json" --data-root "${DOCKERD_DATA_ROOT:-$d/root}" \
		--exec-root "$d/exec" -H "$DOCKER_HOST" --pidfile "$d/dockerd.pid" \
		--iptables=false --ip6tables=false --bridge=none --storage-driver overlay2 \
		"$@" >"$d/dockerd.log" 2>&1 &
	echo "$!" >"$d/pid"
	_t_dockers+=("$name")
	for i in $(seq 150); do
		dk info >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$d/pid")" 2>/dev/null || break
		sleep 0.2
	done
	tail -n 20 "$d/dockerd.log" >&2
	return 1
}

# refdocker_cfg NAME JSON - writes the daemon.json start_refdocker NAME uses.
refdocker_cfg() {
	mkdir -p "$T/docker-$1"
	printf '%s\n' "$2" >"$T/docker-$1/daemon.json"
}

# stop_refdocker NAME - stops that dockerd (and its containerd) and waits.
stop_refdocker() {
	local d=$T/docker-$1 pid
	[ -f "$d/pid" ] || return 0
	pid=$(cat "$d/pid")
	stop_pid "$pid"
	rm -f "$d/pid"
	_t_umount_under "$d"
}

# ---------------------------------------------------------------- images

# push_test_images [REGISTRY [NAME...]] - builds the test images once per
# test (cached in $T/images) and pushes them; see tests/lib/build-images.py.
# Extra skopeo flags (e.g. --dest-creds) may be given in $SKOPEO_PUSH_ARGS.
push_test_images() {
	local reg=${1:-$REGISTRY}
	[ "$#" -gt 0 ] && shift
	bash "$TOP/tests/lib/build-images.sh" "$T/images" "$reg" "$@" >"$T/images.pushed"
}

# test_image_id NAME [PLATFORM] - the image ID (config digest) of a built test image.
test_image_id() {
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["ids"][sys.argv[3]])' \
		"$T/images/images.json" "$1" "${2:-linux/amd64}"
}

# manifest_digest REGISTRY REPO REF - Docker-Content-Digest of a manifest or index.
manifest_digest() {
	curl -fsS --noproxy '*' -I \
		-H 'Accept: application/vnd.oci.image.index.v1+json' \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		-H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
		-H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
		"http://$1/v2/$2/manifests/$3" | tr -d '\r' |
		awk 'tolower($1) == "docker-content-digest:" { print $2 }'
}

# pull_both ROOT REF... - pulls each REF with berth (into ROOT) and with the
# reference docker; fails, naming what failed, when any pull does.
pull_both() {
	local root=$1 r ok=0; shift
	for r in "$@"; do
		"$BERTH" --root "$root" pull -q "$r" >/dev/null 2>&1 || { t_diag "berth pull $r failed"; ok=1; }
		dk pull -q "$r" >/dev/null 2>&1 || { t_diag "docker pull $r failed"; ok=1; }
	done
	return "$ok"
}

# ---------------------------------------------------------------- berth

# berth_cfg [ADDR...] - writes $T/daemon.json with registry-mirrors (and
# insecure-registries) pointing at ADDR (default $REGISTRY) and exports
# BERTH_CONFIG, so `berth pull busybox` resolves through the test registry.
berth_cfg() {
	local addrs=("$@")
	[ "${#addrs[@]}" -gt 0 ] || addrs=("$REGISTRY")
	"$PY" - "$T/daemon.json" "${addrs[@]}" <<'PY'
import json, sys
path, addrs = sys.argv[1], sys.argv[2:]
cfg = {"registry-mirrors": ["http://" + a for a in addrs],
       "insecure-registries": addrs}
open(path, "w").write(json.dumps(cfg, indent=1) + "\n")
PY
	BERTH_CONFIG=$T/daemon.json
	export BERTH_CONFIG
}

# berth ARGS... - runs $BERTH with --root $T/berth unless BERTH_ROOT is set.
berth() {
	"$BERTH" --root "${BERTH_ROOT:-$T/berth}" "$@"
}
