#!/usr/bin/env bash
# Builds FAISS from Debian's source package at the widest optimisation level
# that this CPU runs and the source offers (FAISS_OPT_LEVEL avx512, avx2 or
# generic), CPU only (no GPU, Python, C API or tests), static, and installs it
# into a cache outside the clone, keyed by version and level:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/hashmatch/faiss-<version>-<level>/
#
# A build already in the cache is reused. `hashmatch bench match` uses this
# FAISS as its baseline (bench/faiss.cmake finds it there): Debian's binary
# libfaiss is built for the baseline x86-64 CPU, without the POPCNT
# instruction, which handicaps its binary indexes several times over. Run by
# `scripts/setup.sh bench`, never by the test suite. Prints the install
# directory on stdout. Root (or sudo) is needed only to enable deb-src entries
# and to install the build dependencies.
set -euo pipefail

log() { echo "faiss-native.sh: $*" >&2; }
SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

# The levels this CPU runs, widest first (FAISS 1.7.3, Debian 12's, offers
# avx2 and generic; later releases also avx512). HM_FAISS_OPT overrides.
cpu_levels() {
    local flags
    flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
    has() { [[ " $flags " == *" $1 "* ]]; }
    if [ -n "${HM_FAISS_OPT:-}" ]; then echo "$HM_FAISS_OPT"; return; fi
    if [ "$(uname -m)" = x86_64 ]; then
        if has avx512f && has avx512cd && has avx512vl && has avx512dq && has avx512bw; then
            echo avx512
        fi
        if has avx2 && has fma && has f16c && has popcnt; then echo avx2; fi
    fi
    echo generic
}

# The widest level of cpu_levels that the FAISS source tree in $1 knows.
source_level() {
    local level
    for level in $(cpu_levels); do
        if [ "$level" = generic ] || grep -q "\"$level\"" "$1/faiss/CMakeLists.txt"; then
            echo "$level"
            return
        fi
    done
}

# apt-get source needs deb-src entries; Debian 12 images ship only deb ones.
enable_deb_src() {
    if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        return
    fi
    local src=/etc/apt/sources.list.d/debian.sources
    log "enabling deb-src entries (/etc/apt/sources.list.d/hashmatch-deb-src.*)"
    if [ -f "$src" ]; then
        sed 's/^Types: deb$/Types: deb-src/' "$src" |
            "${SUDO[@]}" tee /etc/apt/sources.list.d/hashmatch-deb-src.sources >/dev/null
    else
        grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
            "${SUDO[@]}" tee /etc/apt/sources.list.d/hashmatch-deb-src.list >/dev/null
    fi
    "${SUDO[@]}" apt-get update -q >&2
}

# Debian's own build dependencies (reference BLAS: the binary indexes use none).
BUILD_DEPS=(build-essential cmake dpkg-dev libblas-dev liblapack-dev)

install_build_deps() {
    local missing=() p
    for p in "${BUILD_DEPS[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >&2
}

# Configures and builds the library of `level` from the source in $1 into
# the build directory $2; copies it and the headers into $3.
build_and_install() {
    local src=$1 build=$2 prefix=$3 level=$4 version=$5 target=faiss
    [ "$level" != generic ] && target=faiss_$level
    log "building faiss $version, FAISS_OPT_LEVEL=$level (target $target, CPU only, static)"
    # Release is -O3. Only the chosen level's library is built: with
    # FAISS_OPT_LEVEL=avx2 CMake also defines the generic `faiss` target.
    cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DFAISS_OPT_LEVEL="$level" \
          -DFAISS_ENABLE_GPU=OFF -DFAISS_ENABLE_PYTHON=OFF -DFAISS_ENABLE_C_API=OFF \
          -DBUILD_TESTING=OFF -DBUILD_SHARED_LIBS=OFF >&2
    nice -n 10 cmake --build "$build" --target "$target" -j"$(nproc)" >&2
    rm -rf "$prefix"
    mkdir -p "$prefix/lib" "$prefix/include"
    cp "$build/faiss/lib$target.a" "$prefix/lib/libfaiss_native.a"
    (cd "$src" && find faiss -name '*.h' -exec cp --parents {} "$prefix/include/" \;)
    {
        echo "faiss $version from Debian's source package (apt-get source faiss=$version)"
        echo "FAISS_OPT_LEVEL=$level (target $target), CMAKE_BUILD_TYPE=Release, CPU only, static"
        echo "built on: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
    } >"$prefix/BUILD-INFO"
    touch "$prefix/.complete"
}

main() {
    local cache version level work src prefix
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/hashmatch
    enable_deb_src
    version=$(apt-cache showsrc faiss 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -1)
    [ -n "$version" ] || { log "apt-cache knows no source package 'faiss'"; exit 1; }
    for level in $(cpu_levels); do
        if [ -f "$cache/faiss-$version-$level/.complete" ]; then
            log "cached: $cache/faiss-$version-$level"
            echo "$cache/faiss-$version-$level"
            return
        fi
    done
    install_build_deps
    work=$(mktemp -d "${TMPDIR:-/tmp}/hashmatch-faiss-XXXXXX")
    trap "rm -rf '$work'" EXIT
    log "fetching the source of faiss $version"
    (cd "$work" && apt-get source -q "faiss=$version" >&2)
    src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'faiss-*' | head -1)
    [ -d "$src" ] || { log "apt-get source left no faiss-* directory"; exit 1; }
    level=$(source_level "$src")
    prefix=$cache/faiss-$version-$level
    build_and_install "$src" "$work/build" "$prefix" "$level" "$version"
    log "installed into $prefix"
    echo "$prefix"
}

main "$@"
