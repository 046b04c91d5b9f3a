#!/usr/bin/env bash
# consumer_test.sh BUILD_DIR C_COMPILER
#
# Installs the build into a temporary prefix and builds tests/package's
# application against it four ways, as a project using hashmatch would:
#   1. CMake find_package, shared, with OpenSSL, libjpeg, libpng and
#      pkg-config hidden from CMake: linking the .so needs none of them;
#   2. CMake find_package(... COMPONENTS static);
#   3. pkg-config --cflags --libs (shared);
#   4. pkg-config --static --libs, with the archive named (-l:libhashmatch.a)
#      since the .so sits beside it.
# Each program must run and print the same hash; the shared ones must need
# libhashmatch.so.0 and no libcrypto, the static ones no libhashmatch.
set -euo pipefail
build=$(cd "$1" && pwd)
cc=$2
src=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hm-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
pcdir=$(dirname "$(find "$prefix" -name hashmatch.pc)")
libdir=$(dirname "$pcdir")

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '; }
fail() { echo "FAIL: $*"; exit 1; }
outputs=()
check() { # NAME BINARY shared|static
    local out deps
    out=$("$2") || fail "$1: the program failed"
    deps=$(needed "$2")
    case $3 in
        shared) [[ $deps == *libhashmatch.so.0* && $deps != *libcrypto* ]] ||
                    fail "$1: needs [$deps]" ;;
        static) [[ $deps != *libhashmatch* ]] || fail "$1: needs [$deps]" ;;
    esac
    echo "$1: $out (needs: $deps)"
    outputs+=("$out")
}

hidden=(-DCMAKE_DISABLE_FIND_PACKAGE_OpenSSL=ON -DCMAKE_DISABLE_FIND_PACKAGE_JPEG=ON
        -DCMAKE_DISABLE_FIND_PACKAGE_PNG=ON -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON)
cmake -S "$src" -B "$work/cmake-shared" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
      "${hidden[@]}" >"$work/log" 2>&1 || { cat "$work/log"; fail "find_package, shared"; }
cmake --build "$work/cmake-shared" >"$work/log" 2>&1 || { cat "$work/log"; fail "build, shared"; }
check "find_package shared" "$work/cmake-shared/consumer" shared

cmake -S "$src" -B "$work/cmake-static" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
      -DUSE_STATIC=ON >"$work/log" 2>&1 || { cat "$work/log"; fail "find_package, static"; }
cmake --build "$work/cmake-static" >"$work/log" 2>&1 || { cat "$work/log"; fail "build, static"; }
check "find_package static" "$work/cmake-static/consumer" static

export PKG_CONFIG_PATH=$pcdir
# shellcheck disable=SC2046
"$cc" "$src/consumer.c" -o "$work/pc-shared" $(pkg-config --cflags --libs hashmatch) \
      -Wl,-rpath,"$libdir"
check "pkg-config shared" "$work/pc-shared" shared
# shellcheck disable=SC2046
"$cc" "$src/consumer.c" -o "$work/pc-static" $(pkg-config --cflags hashmatch) \
      $(pkg-config --static --libs hashmatch | sed 's/-lhashmatch\b/-l:libhashmatch.a/')
check "pkg-config --static" "$work/pc-static" static

for o in "${outputs[@]}"; do [[ $o == "${outputs[0]}" ]] || fail "outputs differ"; done
echo "consumers built against the installed package: 4 ways, same output"
