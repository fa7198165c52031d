#!/usr/bin/env bash
# tests/static/cli-boundary.sh BUILD_DIR - the CLI is held to the public
# API: it may include the headers of include/berth/ and the few library
# headers the Makefile lets it borrow (CLI_BORROWED, linked into
# BUILD_DIR/cli-borrowed), nothing else of lib/.  The build enforces this
# by compiling cli/ without -Ilib; these checks make a regression visible
# in the suite's count, and also catch what a compiler cannot (a relative
# path into lib/, a hand-written extern of a private function).  TAP.
set -u
B=${1:-${BERTH_BUILD:-build}}
cd "$(dirname "$0")/../.."
B=$(cd "$B" && pwd)
BORROW=$B/cli-borrowed
CC=${CC:-cc}

# Growing this list is a design decision: change it here and in the
# Makefile's CLI_BORROWED together, with the reason beside it there.
BORROWED="format/gojson.h format/template.h util/err.h util/sbuf.h"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'; }
check() { local what=$1 out=$2; if [ -z "$out" ]; then ok "$what"; else not_ok "$what" "$out"; fi; }

# quoted_includes FILE...: "file: name" for every #include "name".
quoted_includes() {
	grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$@" | sed 's/^\([^:]*\):.*"\(.*\)".*/\1: \2/'
}

# 1. The build's borrow directory is exactly the pinned list.
have=$(cd "$BORROW" 2>/dev/null && find . -name '*.h' | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')
if [ "$have" = "$BORROWED" ]; then
	ok "the CLI borrows exactly: $BORROWED"
else
	not_ok "the CLI borrows exactly: $BORROWED" "$BORROW has: ${have:-nothing}"
fi

# 2. cli/ includes in quotes only its own headers and borrowed ones.
bad=$(quoted_includes cli/*.c cli/*.h | while read -r file name; do
	[ -f "cli/$name" ] && [ "${name#*/}" = "$name" ] && continue
	case " $BORROWED " in *" $name "*) continue ;; esac
	echo "$file $name"
done)
check "cli/ includes only cli/ headers and the borrowed ones" "$bad"

# 3. <berth/...> names a public header.
bad=$(grep -Ho '^[[:space:]]*#[[:space:]]*include[[:space:]]*<berth/[^>]*>' cli/*.c cli/*.h include/berth/*.h \
	lib/format/*.h lib/util/*.h | sed 's/:.*<\(.*\)>/ \1/' | while read -r file name; do
	[ -f "include/$name" ] || echo "$file $name"
done)
check "every <berth/...> included is in include/berth/" "$bad"

# 4. A borrowed header brings in no other private header.
bad=$(for h in $BORROWED; do
	quoted_includes "lib/$h" | while read -r file name; do
		target=$(realpath -m --relative-to=lib "$(dirname "lib/$h")/$name")
		case " $BORROWED " in *" $target "*) ;; *) echo "$file $name" ;; esac
	done
done)
check "the borrowed headers include only each other, <berth/...> and system headers" "$bad"

# 5. Public headers stand alone: no quoted includes, each compiles by itself.
bad=$(quoted_includes include/berth/*.h)
for h in include/berth/*.h; do
	out=$(echo "#include <berth/$(basename "$h")>" | $CC -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
		-Iinclude -fsyntax-only -x c - 2>&1) || bad="$bad${bad:+$'\n'}$h: $out"
done
check "each public header compiles alone against include/ only" "$bad"

# 6. cli/ compiles against include/ and the pinned borrowed headers alone
# (the Makefile's flags could regress; this does not read them, and links
# its own borrow directory, so that a copied build directory works too).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in $BORROWED; do
	mkdir -p "$tmp/$(dirname "$h")" && ln -s "$PWD/lib/$h" "$tmp/$h"
done
bad=""
for f in cli/*.c; do
	out=$($CC -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Iinclude -I"$tmp" -fsyntax-only "$f" 2>&1) ||
		bad="$bad${bad:+$'\n'}$f: $(printf '%s\n' "$out" | grep -m1 error)"
done
check "cli/ compiles without the library's private include path" "$bad"

# 7. What the preprocessor really opens: every file any cli/ source pulls
# in, however it is spelled (<../lib/x.h>, "../lib/x.h", a macro), is
# outside lib/ or one of the borrowed headers.
lib_real=$(realpath lib)
allowed=""
for h in $BORROWED; do allowed="$allowed $(realpath "lib/$h")"; done
bad=""
for f in cli/*.c; do
	deps=$($CC -std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -Iinclude -I"$tmp" -M "$f" 2>/dev/null |
		sed 's/\\$//; s/^[^:]*://' | tr ' ' '\n' | sed '/^$/d')
	for d in $deps; do
		r=$(realpath -m "$d")
		case "$r" in "$lib_real"/*) ;; *) continue ;; esac
		case " $allowed " in *" $r "*) continue ;; esac
		bad="$bad${bad:+$'\n'}$f: $d"
	done
done
check "cli/ opens no library header but the borrowed ones" "$bad"

# 8. Every libberth symbol the CLI's objects use is declared in a public or
# a borrowed header (no extern declarations of private functions).
if [ -f "$B/libberth.a" ] && ls "$B"/cli/*.o >/dev/null 2>&1; then
	defined=$(nm -g --defined-only "$B/libberth.a" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
	used=$(nm -u "$B"/cli/*.o 2>/dev/null | awk 'NF == 2 { print $2 }' | sort -u)
	headers="include/berth/*.h"
	for h in $BORROWED; do headers="$headers lib/$h"; done
	bad=$(comm -12 <(printf '%s\n' "$defined") <(printf '%s\n' "$used") | while read -r sym; do
		# shellcheck disable=SC2086
		grep -qw -- "$sym" $headers || echo "$sym"
	done)
	check "the CLI calls only what public and borrowed headers declare" "$bad"
else
	not_ok "the CLI calls only what public and borrowed headers declare" "no $B/libberth.a or $B/cli/*.o"
fi

echo "1..$n"
exit $failed
