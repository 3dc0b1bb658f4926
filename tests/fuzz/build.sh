#!/bin/sh
# build.sh — builds the libFuzzer targets of tests/fuzz into build/fuzz/.
#
# Usage: tests/fuzz/build.sh [TARGET...]     (default: every fuzz_*.c)
#
# lib/*.c is compiled from source with the fuzzer's coverage and ASan +
# UBSan (every UBSan report stops the run, so libFuzzer keeps the input), once
# into build/fuzz/obj, then linked into each target.  libcsv, cJSON and
# LMDB come from the system, uninstrumented: we fuzz our layer around
# them.  Needs clang with its libFuzzer runtime (Debian: clang-14 and
# libclang-rt-14-dev).  CC, EXTRA_CFLAGS and PKG_CONFIG may be set.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

CC=${CC:-clang}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
out=build/fuzz
obj=$out/obj

# UB checks stay recoverable so that ubsan.supp can name known reports;
# halt_on_error=1 (fuzz_common.h) makes every other report a crash.
san="-fsanitize=address,undefined"
deps=$($PKG_CONFIG --cflags lmdb libcjson)
# -O1 as libFuzzer recommends; -std=gnu11 for fmemopen/memmem.
CFLAGS_FUZZ="-g -O1 -std=gnu11 -fno-omit-frame-pointer -D_GNU_SOURCE -Ilib $deps ${EXTRA_CFLAGS:-}"
WARN="-Wall -Wextra -Wshadow -Wno-unused-parameter"

mkdir -p "$obj"

# The library, instrumented for coverage but without libFuzzer's main.
objs=
for src in lib/*.c; do
	o=$obj/$(basename "$src" .c).o
	if [ ! -e "$o" ] || [ "$src" -nt "$o" ] || [ -n "$(find lib -name '*.h' -newer "$o" | head -1)" ] ||
	    [ "$0" -nt "$o" ]; then
		echo "  CC    $src"
		$CC $CFLAGS_FUZZ $WARN -fsanitize=fuzzer-no-link $san -c -o "$o" "$src"
	fi
	objs="$objs $o"
done

# An archive, so a target pulls in only the modules it uses.
rm -f "$out/libcrm-fuzz.a"
ar rcs "$out/libcrm-fuzz.a" $objs

if [ $# -eq 0 ]; then
	set -- $(cd tests/fuzz && ls fuzz_*.c | sed 's/\.c$//')
fi
for t in "$@"; do
	t=${t%.c}
	echo "  LINK  $out/$t"
	$CC $CFLAGS_FUZZ $WARN -Itests/fuzz -fsanitize=fuzzer $san \
	    -o "$out/$t" "tests/fuzz/$t.c" "$out/libcrm-fuzz.a" -llmdb -lcsv -lcjson -lpthread
done
