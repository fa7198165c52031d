#!/usr/bin/env bash
# tests/lib/install-deps.sh - installs everything berth's build and test
# suite need on a fresh Debian 12 (bookworm) machine.  Idempotent: returns
# at once when every package is already installed (dpkg-query), otherwise
# runs one `apt-get update` and one non-interactive `apt-get install`.
set -u

PKGS=(
	build-essential pkg-config libcurl4-openssl-dev libssl-dev libjansson-dev
	zlib1g-dev libzstd-dev liblzma-dev libisal-dev libseccomp-dev
	docker.io docker-registry skopeo umoci crun runc tini busybox-static apache2-utils attr
	python3 python3-jwt python3-cryptography
	golang-1.19-src golang-github-vbatts-tar-split-dev golang-github-containers-image-dev
	openssl curl jq zstd xz-utils iproute2 pigz bc
)

is_installed() {
	local st
	st=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$st" = "install ok installed" ]
}

missing_pkgs() {
	local p
	for p in "${PKGS[@]}"; do
		is_installed "$p" || printf '%s\n' "$p"
	done
}

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

main() {
	local missing
	mapfile -t missing < <(missing_pkgs)
	if [ "${#missing[@]}" -eq 0 ]; then
		echo "install-deps: all ${#PKGS[@]} packages present"
		return 0
	fi
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get update -qq || return 1
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends -o Dpkg::Options::=--force-confdef \
		-o Dpkg::Options::=--force-confold "${missing[@]}" || return 1
	mapfile -t missing < <(missing_pkgs)
	if [ "${#missing[@]}" -ne 0 ]; then
		echo "install-deps: still missing: ${missing[*]}" >&2
		return 1
	fi
}

main "$@"
