#!/usr/bin/env bash
# Builds hashmatch for WebAssembly with Debian 12's emscripten, from Debian's
# own source packages of its dependencies (emscripten's ports would download
# from the internet), and assembles the static page.
#
#   bash scripts/wasm.sh          dependencies (cached), the module and the page:
#                                 build/wasm/dist/hashmatch.{mjs,wasm}, build/wasm/site/
#   bash scripts/wasm.sh deps     only the dependencies
#   bash scripts/wasm.sh sizes    the gzip'd .wasm with each dependency left out
#
# The dependencies are the Debian source packages pinned below: `apt-get
# source` fetches them through apt's signed indexes (deb-src is enabled when
# missing), the .dsc must have the SHA-256 recorded here, and dpkg-source
# checks the tarballs against the .dsc and applies Debian's patches. Each is
# built once per version, emscripten version and flags, under
#   ${HM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hashmatch}/wasm/
# Environment: HM_WASM_JOBS (default 2), HM_WASM_BUILD_DIR (default build/wasm),
# HM_WASM_SIMD=0 (no SIMD128, for browsers before 2021), HM_WASM_WEBP=0 (no
# WebP decoder),
# HM_WASM_DEPS=candidate to take the archive's newest version of a package
# whose pinned one is gone (printed, and written to dist/DEPENDENCIES).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# package  version  SHA-256 of its .dsc
PINS="libjpeg-turbo 1:2.1.5-2 d718ead0dfbcbc8523665c02a7f7152e31039ded641d022868722623bb3b486d
libpng1.6 1.6.39-2+deb12u5 7b86211030a34deb6b0a2cd7e1d9db0fe92443fd30cab537fb89b1e7f7c9f188
zlib 1:1.2.13.dfsg-1 3fa1e6b2fc525062aa88207dda52fed8e045373c809d362fe8a2bfbf7cf515a8
libwebp 1.2.4-0.2+deb12u1 d9ed0b59e2010f255c28d0869fd15b31f9b08aed757bfc91862d43aa9ec1aa99
openssl 3.0.20-1~deb12u2 a614474a2773c23b10c0d65f4eccbcf93fdac4749afb7c26d76e1b0340154d3d"

# Bump a dependency's revision when its recipe below changes (new cache key).
declare -A RECIPE=([zlib]=2 [libpng1.6]=2 [libjpeg-turbo]=4 [libwebp]=4 [openssl]=3)
# SIMD128 lets the compiler vectorise loops (never float sums: no fast-math),
# which keeps every result identical (tests/wasm/bitexact.mjs); browsers have
# had it since 2021 (Chrome 91, Firefox 89, Safari 16.4). HM_WASM_SIMD=0
# builds for older ones.
SIMD_FLAGS=-msimd128
[ "${HM_WASM_SIMD:-1}" = 1 ] || SIMD_FLAGS=
DEP_CFLAGS=${HM_WASM_DEP_CFLAGS:--O2 $SIMD_FLAGS}

MODE=${1:-all}
case "$MODE" in all | deps | sizes) ;; *) echo "usage: scripts/wasm.sh [deps|sizes]" >&2; exit 2 ;; esac

log() { printf 'wasm.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

bash scripts/setup.sh wasm

# emscripten's tools run on Debian's Python (a python3 earlier in PATH, such as
# a pyenv shim, can triple the start-up time of every emcc call).
export EMSDK_PYTHON=/usr/bin/python3
JOBS=${HM_WASM_JOBS:-2}
[ "$JOBS" -le "$(nproc)" ] || JOBS=$(nproc)
BUILD=${HM_WASM_BUILD_DIR:-$ROOT/build/wasm}
CACHE=${HM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hashmatch}/wasm
EMVER=$(emcc --version | sed -nE '1s/.* ([0-9]+\.[0-9]+\.[0-9]+).*/\1/p') # (no early-closed pipe)
[ -n "$EMVER" ] || die "cannot read emcc's version"
EMROOT=$(em-config EMSCRIPTEN_ROOT)
CLANG=$(em-config LLVM_ROOT)/clang-$(em-config CLANG_ADD_VERSION)
[ -x "$CLANG" ] || CLANG=$(em-config LLVM_ROOT)/clang
LLVM_AR=$(em-config LLVM_ROOT)/llvm-ar-$(em-config LLVM_ADD_VERSION)
[ -x "$LLVM_AR" ] || LLVM_AR=$(em-config LLVM_ROOT)/llvm-ar
mkdir -p "$CACHE/src" "$CACHE/tmp" "$CACHE/bin"

# emcc starts Python for every file it compiles, which costs more than
# compiling most of OpenSSL's small files: files are compiled by emscripten's
# clang directly with exactly the flags emcc would pass it (`emcc --cflags`),
# and emcc only links. CMake builds get this through a compiler launcher
# (the hook ccache uses), which drops the emcc it is handed.
WCC=$CACHE/bin/wasmcc-$EMVER
LAUNCHER=$CACHE/bin/wasmcc-launcher-$EMVER
if [ ! -x "$WCC" ] || [ ! -x "$LAUNCHER" ]; then
    printf '#!/bin/sh\nexec %s %s "$@"\n' "$CLANG" "$(emcc --cflags)" >"$WCC.tmp.$$"
    printf '#!/bin/sh\nshift\nexec %s "$@"\n' "$WCC" >"$LAUNCHER.tmp.$$"
    chmod +x "$WCC.tmp.$$" "$LAUNCHER.tmp.$$"
    mv "$WCC.tmp.$$" "$WCC"
    mv "$LAUNCHER.tmp.$$" "$LAUNCHER"
fi

# ---- sources -------------------------------------------------------------

pin_field() { awk -v p="$1" -v f="$2" '$1 == p { print $f }' <<<"$PINS"; }

enable_deb_src() {
    local list=/etc/apt/sources.list.d/hashmatch-deb-src.sources
    [ -e "$list" ] || [ -e "${list%.sources}.list" ] && return 0
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    log "enabling deb-src entries ($list) for apt-get source"
    if [ -e /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
            "${sudo[@]}" tee "$list.tmp" >/dev/null
    else # one-line format: the deb lines of sources.list as deb-src lines
        list=/etc/apt/sources.list.d/hashmatch-deb-src.list
        grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
            "${sudo[@]}" tee "$list.tmp" >/dev/null
    fi
    "${sudo[@]}" mv "$list.tmp" "$list"
    flock /tmp/apt.lock "${sudo[@]}" apt-get update -q >&2
}

# Prints the version of `pkg` to build: the pinned one, or with
# HM_WASM_DEPS=candidate the newest the archive offers.
source_version() {
    local pkg=$1 want
    want=$(pin_field "$pkg" 2)
    local have
    have=$(apt-cache showsrc "$pkg" 2>/dev/null | awk '/^Version:/ { print $2 }')
    if ! grep -qxF "$want" <<<"$have"; then
        enable_deb_src
        have=$(apt-cache showsrc "$pkg" 2>/dev/null | awk '/^Version:/ { print $2 }')
    fi
    if grep -qxF "$want" <<<"$have"; then echo "$want"; return; fi
    if [ "${HM_WASM_DEPS:-pinned}" = candidate ] && [ -n "$have" ]; then
        local v newest=
        for v in $have; do
            if [ -z "$newest" ] || dpkg --compare-versions "$v" gt "$newest"; then newest=$v; fi
        done
        log "$pkg: $want is not in the archive, building $newest (HM_WASM_DEPS=candidate)"
        echo "$newest"
        return
    fi
    die "$pkg $want (pinned in scripts/wasm.sh) is not in the apt archive, which offers: $(echo $have).
  Update its version and .dsc SHA-256 in PINS after checking the new version,
  or run with HM_WASM_DEPS=candidate to build the archive's newest version."
}

# fetch_sources PKG=VERSION...: downloads the source packages not downloaded
# yet into $CACHE/src, with one apt-get call (apt reads its lists once).
fetch_sources() {
    local want=() spec plain
    for spec in "$@"; do
        plain=${spec#*=}
        plain=${spec%%=*}_${plain#*:}
        [ -e "$CACHE/src/.fetched-$plain" ] || want+=("$spec")
    done
    [ ${#want[@]} -gt 0 ] || return 0
    log "apt-get source ${want[*]}"
    (cd "$CACHE/src" && apt-get source --download-only -q "${want[@]}" >&2) ||
        die "apt-get source failed"
    for spec in "${want[@]}"; do
        plain=${spec#*=}
        touch "$CACHE/src/.fetched-${spec%%=*}_${plain#*:}"
    done
}

# Checks the .dsc of `pkg`=`version` against its pin and unpacks it into a
# fresh directory; prints the directory.
unpack_source() {
    local pkg=$1 version=$2 plain=${2#*:}
    local dsc=$CACHE/src/${pkg}_$plain.dsc sum want out
    sum=$(sha256sum "$dsc" | cut -d' ' -f1)
    want=$(pin_field "$pkg" 3)
    if [ "$(pin_field "$pkg" 2)" = "$version" ] && [ "$sum" != "$want" ]; then
        die "$dsc has SHA-256 $sum, scripts/wasm.sh pins $want"
    fi
    out=$(mktemp -d "$CACHE/tmp/$pkg.XXXXXX")
    # dpkg-source checks every file against the .dsc's checksums and applies
    # Debian's patches (the signature itself was checked by apt's index chain).
    (cd "$out" && dpkg-source -q --no-copy -x "$dsc" src 2>&1 |
        grep -v "^gpgv: \|^dpkg-source: warning: cannot verify" >&2 || true)
    [ -d "$out/src" ] || die "dpkg-source could not unpack $dsc"
    echo "$out/src"
}

# ---- builds ----------------------------------------------------------------

# cc_lib OUT.a SRCDIR FLAGS... -- FILES...: compiles FILES (relative to
# SRCDIR) with $WCC, JOBS at a time, into the static library OUT.a.
cc_lib() {
    local out=$1 src=$2
    shift 2
    local flags=()
    while [ "$1" != -- ]; do flags+=("$1"); shift; done
    shift
    local objdir
    objdir=$(mktemp -d "$CACHE/tmp/obj.XXXXXX")
    # (-fmacro-prefix-map: the paths that assert() records do not name the
    # temporary directory, so that the module is the same wherever it is built)
    printf '%s\n' "$@" | nice -n 10 xargs -P "$JOBS" -I{} sh -c \
        'f={}; o="$1/$(echo "$f" | tr / _).o"; shift; "$@" -c "$f" -o "$o"' \
        sh "$objdir" "$WCC" $DEP_CFLAGS -fmacro-prefix-map="$src/=" "${flags[@]}" -I"$src" ||
        die "compiling for $out failed"
    "$LLVM_AR" rcs "$out" "$objdir"/*.o
    rm -rf "$objdir"
}

build_zlib() { # src prefix
    local src=$1 p=$2
    mkdir -p "$p/lib" "$p/include"
    (cd "$src" && cc_lib "$p/lib/libz.a" "$src" -DHAVE_UNISTD_H -- \
        adler32.c compress.c crc32.c deflate.c infback.c inffast.c inflate.c inftrees.c \
        trees.c uncompr.c zutil.c)
    cp "$src/zlib.h" "$src/zconf.h" "$p/include/"
}

build_libpng() {
    local src=$1 p=$2 zlib=$3
    mkdir -p "$p/lib" "$p/include"
    cp "$src/scripts/pnglibconf.h.prebuilt" "$src/pnglibconf.h"
    (cd "$src" && cc_lib "$p/lib/libpng16.a" "$src" -I"$zlib/include" -- \
        png.c pngerror.c pngget.c pngmem.c pngpread.c pngread.c pngrio.c pngrtran.c \
        pngrutil.c pngset.c pngtrans.c pngwio.c pngwrite.c pngwtran.c pngwutil.c)
    ln -s libpng16.a "$p/lib/libpng.a"
    cp "$src/png.h" "$src/pngconf.h" "$src/pnglibconf.h" "$p/include/"
}

# libjpeg-turbo's CMake generates its configuration headers, so it is built
# through emcmake. Each of its configure checks compiles, links and runs a
# program through emcc and node; their answers are facts of wasm32, given in
# advance (the headers come out the same, and any check not listed still
# runs: under node, hence --no-experimental-fetch, as fetch() of a file path
# fails in emscripten 3.1.6's loader).
JPEG_CHECKS=(-DHAVE_SYS_TYPES_H=1 -DHAVE_STDINT_H=1 -DHAVE_STDDEF_H=1 -DHAVE_SIZE_T=TRUE -DSIZE_T=4
    -DHAVE_UNSIGNED_LONG=TRUE -DUNSIGNED_LONG=4 -DHAVE_BUILTIN_CTZL=1 -DINLINE_WORKS=1
    -DHAVE_VERSION_SCRIPT=1)

build_libjpeg() {
    local src=$1 p=$2
    emcmake cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release "${JPEG_CHECKS[@]}" \
        -DCMAKE_C_COMPILER_LAUNCHER="$LAUNCHER" \
        "-DCMAKE_CROSSCOMPILING_EMULATOR=$(command -v node);--no-experimental-fetch" \
        -DCMAKE_C_FLAGS_RELEASE="$DEP_CFLAGS -DNDEBUG -fmacro-prefix-map=$src/=" -DENABLE_SHARED=0 -DWITH_SIMD=0 \
        -DWITH_TURBOJPEG=0 -DCMAKE_INSTALL_PREFIX="$p" >"$src/configure.log" 2>&1 ||
        { tail -30 "$src/configure.log" >&2; die "libjpeg-turbo: configure failed"; }
    nice -n 10 cmake --build "$src/build" -j"$JOBS" --target jpeg-static >"$src/build.log" 2>&1 ||
        { tail -30 "$src/build.log" >&2; die "libjpeg-turbo: build failed"; }
    mkdir -p "$p/lib" "$p/include"
    cp "$src/build/libjpeg.a" "$p/lib/"
    cp "$src/jpeglib.h" "$src/jmorecfg.h" "$src/jerror.h" "$src/build/jconfig.h" "$p/include/"
}

# The decoder, the demuxer and animation decoder (every frame of an animation
# is scanned) and the shared dsp and utils; no threads (WEBP_USE_THREAD
# unset), no SIMD files apply.
build_libwebp() {
    local src=$1 p=$2
    mkdir -p "$p/lib" "$p/include/webp" "$p/lib/pkgconfig"
    (cd "$src" && cc_lib "$p/lib/libwebp.a" "$src" -- src/dec/*.c src/dsp/*.c src/utils/*.c)
    (cd "$src" && cc_lib "$p/lib/libwebpdemux.a" "$src" -- src/demux/demux.c src/demux/anim_decode.c)
    cp "$src"/src/webp/decode.h "$src"/src/webp/demux.h "$src"/src/webp/mux_types.h \
        "$src"/src/webp/types.h "$p/include/webp/"
    local v=${3%%-*} pc name desc lib
    for pc in libwebp:"WebP decoder":-lwebp libwebpdemux:"WebP demuxer":-lwebpdemux; do
        IFS=: read -r name desc lib <<<"$pc"
        printf 'prefix=${pcfiledir}/../..\nName: %s\nDescription: %s\nVersion: %s\nLibs: -L${prefix}/lib %s\nCflags: -I${prefix}/include\n' \
            "$name" "$desc" "$v" "$lib" >"$p/lib/pkgconfig/$name.pc"
    done
}

# OpenSSL: its MD5, SHA-1, SHA-256, SHA-512 and Ed25519 code and
# wasm/openssl_evp.c, the EVP functions hashmatch calls routed to them (that
# file says why a whole libcrypto is not linked). Configure runs only to
# generate the headers for this target.
OPENSSL_OPTS=(no-asm no-threads no-shared no-pic no-dso no-engine no-module no-async no-sock
    no-dgram no-stdio no-ui-console no-autoload-config no-tests no-err no-filenames no-atexit
    no-secure-memory no-ssl no-tls no-dtls)
OPENSSL_FILES=(crypto/md5/md5_dgst.c crypto/sha/sha1dgst.c crypto/sha/sha256.c
    crypto/sha/sha512.c crypto/ec/curve25519.c crypto/mem_clr.c crypto/cpuid.c)

build_openssl() {
    local src=$1 p=$2
    mkdir -p "$src/build"
    (cd "$src/build" && CC=$WCC AR=$LLVM_AR perl ../Configure linux-generic32 --prefix="$p" \
        --libdir=lib "${OPENSSL_OPTS[@]}" >"$src/configure.log" 2>&1 &&
        nice -n 10 make -j"$JOBS" build_generated >"$src/build.log" 2>&1) ||
        { tail -30 "$src/configure.log" "$src/build.log" >&2; die "openssl: configure failed"; }
    cp "$ROOT/wasm/openssl_evp.c" "$src/openssl_evp.c"
    mkdir -p "$p/lib" "$p/include/openssl"
    (cd "$src" && cc_lib "$p/lib/libcrypto.a" "$src" -I"$src/build" -I"$src/build/include" \
        -I"$src/include" -DOPENSSL_BUILDING_OPENSSL -DNDEBUG -- "${OPENSSL_FILES[@]}" openssl_evp.c)
    cp "$src"/include/openssl/*.h "$p/include/openssl/"
    cp "$src"/build/include/openssl/*.h "$p/include/openssl/"
}

# The install prefix of a package's build: its version, emscripten's, the
# flags and the recipe (and for OpenSSL the EVP file) name it.
dep_prefix() { # PKG VERSION
    local key
    key=$( (printf '%s %s %s\n' "$DEP_CFLAGS" "${RECIPE[$1]}" "$CLANG"
        [ "$1" != openssl ] || cat "$ROOT/wasm/openssl_evp.c") | sha256sum | cut -c1-8)
    echo "$CACHE/$1-${2#*:}-em$EMVER-$key"
}

# dep NAME BUILDER [ARGS...]: prints the install prefix of NAME, building it
# into the cache first when it is missing.
dep() {
    local pkg=$1 builder=$2
    shift 2
    local version=${VERSION[$pkg]} prefix=${PREFIX[$pkg]}
    exec 9>"$prefix.lock"
    flock 9
    if [ ! -e "$prefix/.done" ]; then
        local t0=$SECONDS src
        log "building $pkg $version (emscripten $EMVER, $DEP_CFLAGS) into $prefix"
        src=$(unpack_source "$pkg" "$version")
        rm -rf "$prefix.tmp"
        "$builder" "$src" "$prefix.tmp" "$@" "${version#*:}"
        rm -rf "$(dirname "$src")" "$prefix"
        sha256sum "$CACHE/src/${pkg}_${version#*:}.dsc" | cut -d' ' -f1 >"$prefix.tmp/.dsc-sha256"
        touch "$prefix.tmp/.done"
        mv -T "$prefix.tmp" "$prefix"
        log "$pkg built in $((SECONDS - t0)) s"
    fi
    echo "$pkg $version $(cat "$prefix/.dsc-sha256")" >>"$BUILD/dependencies.tmp"
    exec 9>&-
    echo "$prefix"
}

mkdir -p "$BUILD"
rm -f "$BUILD/dependencies.tmp" "$BUILD"/prefix-*
T0=$SECONDS
# The versions (deb-src is enabled here if needed), one download of the
# sources of what is not built yet, then two lanes sharing the jobs:
# libjpeg-turbo (CMake) beside the others.
declare -A VERSION PREFIX
MISSING=()
for pkg in $(awk '{ print $1 }' <<<"$PINS"); do
    VERSION[$pkg]=$(source_version "$pkg")
    PREFIX[$pkg]=$(dep_prefix "$pkg" "${VERSION[$pkg]}")
    [ -e "${PREFIX[$pkg]}/.done" ] || MISSING+=("$pkg=${VERSION[$pkg]}")
done
fetch_sources "${MISSING[@]}"
LANE_JOBS=$((JOBS > 2 ? JOBS / 2 : 1))
(JOBS=$LANE_JOBS && dep libjpeg-turbo build_libjpeg >"$BUILD/prefix-jpeg") &
JPEG_LANE=$!
(JOBS=$LANE_JOBS && z=$(dep zlib build_zlib) && echo "$z" >"$BUILD/prefix-zlib" &&
    dep libpng1.6 build_libpng "$z" >"$BUILD/prefix-png" &&
    dep libwebp build_libwebp >"$BUILD/prefix-webp" &&
    dep openssl build_openssl >"$BUILD/prefix-openssl") || { wait; die "a dependency failed to build"; }
wait "$JPEG_LANE" || die "libjpeg-turbo failed to build"
ZLIB=$(cat "$BUILD/prefix-zlib")
PNG=$(cat "$BUILD/prefix-png")
JPEG=$(cat "$BUILD/prefix-jpeg")
WEBP=$(cat "$BUILD/prefix-webp")
OPENSSL=$(cat "$BUILD/prefix-openssl")
{
    echo "# Debian 12 source packages built with emscripten $EMVER ($DEP_CFLAGS): package version sha256(.dsc)"
    sort "$BUILD/dependencies.tmp"
} >"$BUILD/DEPENDENCIES"
rm -f "$BUILD/dependencies.tmp" "$BUILD"/prefix-*
log "dependencies ready in $((SECONDS - T0)) s"
[ "$MODE" = deps ] && exit 0

# ---- hashmatch -------------------------------------------------------------

# emcc runs acorn (Debian's node-acorn, in /usr/share/nodejs); a Node that is
# not Debian's own does not look there by itself.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

# configure_hm DIR [CMAKE ARGS...]: the processor is wasm32 (emscripten's
# default, x86, could match a condition meant for x86 kernels); no video
# (FFmpeg is not built for WebAssembly).
configure_hm() {
    local dir=$1 roots="$ZLIB;$PNG;$JPEG;$WEBP;$OPENSSL"
    shift
    # CMake caches where it found each library: start afresh when they moved.
    [ "$(cat "$dir.roots" 2>/dev/null)" = "$roots" ] || rm -rf "$dir"
    mkdir -p "$dir"
    echo "$roots" >"$dir.roots"
    PKG_CONFIG_LIBDIR=$WEBP/lib/pkgconfig cmake -S "$ROOT" -B "$dir" -Wno-dev \
        -DCMAKE_TOOLCHAIN_FILE="$EMROOT/cmake/Modules/Platform/Emscripten.cmake" \
        -DEMSCRIPTEN_SYSTEM_PROCESSOR=wasm32 -DHM_WITH_VIDEO=OFF \
        -DCMAKE_C_COMPILER_LAUNCHER="$LAUNCHER" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="-Werror $SIMD_FLAGS" -DHM_BUILD_CLI=OFF -DHM_BUILD_TESTS=OFF \
        -DCMAKE_FIND_ROOT_PATH="$roots" -DOPENSSL_USE_STATIC_LIBS=ON \
        "$@" >"$dir.configure.log" 2>&1 ||
        { tail -30 "$dir.configure.log" >&2; die "configuring $dir failed"; }
}

build_hm() { # DIR
    nice -n 10 cmake --build "$1" -j"$JOBS" --target hashmatch_wasm >"$1.build.log" 2>&1 ||
        { tail -40 "$1.build.log" >&2; die "building $1 failed"; }
}

gz_size() { gzip -9 <"$1" | wc -c; }

if [ "$MODE" = sizes ]; then
    # Each dependency left out of the link (its functions become imports that
    # would abort if called), so the difference is exactly what it adds; WebP
    # also through the build option that leaves its decoder out.
    configure_hm "$BUILD/hm" -DHM_WITH_WEBP=ON
    build_hm "$BUILD/hm"
    dir=$BUILD/hm/wasm
    full=$(gz_size "$dir/hashmatch.wasm")
    printf '%-28s %10s %10s %10s\n' "build" ".wasm" "gzip -9" "cost (gz)"
    printf '%-28s %10d %10d %10s\n' "everything" "$(wc -c <"$dir/hashmatch.wasm")" "$full" "-"
    link=$(cat "$dir/CMakeFiles/hashmatch_wasm.dir/link.txt")
    libs=$dir/CMakeFiles/hashmatch_wasm.dir/linkLibs.rsp
    variant() { # NAME LIBRARY...
        local name=$1 rsp=$dir/size-$1.rsp cmd s
        shift
        cp "$libs" "$rsp"
        for lib in "$@"; do sed -i -E "s#\"[^\"]*/lib/$lib\"##" "$rsp"; done
        cmd=${link/@CMakeFiles\/hashmatch_wasm.dir\/linkLibs.rsp/@$rsp}
        cmd=${cmd/-o hashmatch.mjs/-o size-$name.mjs}
        [ "$cmd" != "$link" ] || die "unexpected link command: $link"
        (cd "$dir" && eval "$cmd -sERROR_ON_UNDEFINED_SYMBOLS=0" >"$rsp.log" 2>&1) ||
            { tail "$rsp.log" >&2; die "linking without $name failed"; }
        s=$(gz_size "$dir/size-$name.wasm")
        printf '%-28s %10d %10d %10d\n' "without $name" "$(wc -c <"$dir/size-$name.wasm")" "$s" \
            $((full - s))
    }
    variant libcrypto libcrypto.a
    variant libjpeg libjpeg.a
    variant libpng+zlib libpng.a libz.a
    variant zlib libz.a
    variant libwebp libwebp.a libwebpdemux.a
    variant all-five libcrypto.a libjpeg.a libpng.a libz.a libwebp.a libwebpdemux.a
    configure_hm "$BUILD/hm-nowebp" -DHM_WITH_WEBP=OFF
    build_hm "$BUILD/hm-nowebp"
    s=$(gz_size "$BUILD/hm-nowebp/wasm/hashmatch.wasm")
    printf '%-28s %10d %10d %10d\n' "-DHM_WITH_WEBP=OFF" \
        "$(wc -c <"$BUILD/hm-nowebp/wasm/hashmatch.wasm")" "$s" $((full - s))
    exit 0
fi

T1=$SECONDS
WITH_WEBP=ON
[ "${HM_WASM_WEBP:-1}" = 1 ] || WITH_WEBP=OFF
configure_hm "$BUILD/hm" -DHM_WITH_WEBP=$WITH_WEBP
build_hm "$BUILD/hm"
mkdir -p "$BUILD/dist"
cp "$BUILD/hm/wasm/hashmatch.mjs" "$BUILD/hm/wasm/hashmatch.wasm" "$BUILD/DEPENDENCIES" "$BUILD/dist/"
log "built $BUILD/dist/hashmatch.{mjs,wasm} in $((SECONDS - T1)) s ($(wc -c <"$BUILD/dist/hashmatch.wasm") bytes, $(gz_size "$BUILD/dist/hashmatch.wasm") gzip'd)"

# The static page: web/, the module, the demo set, its trust file and the
# demo inbox (for the page's "demo images" button).
SITE=$BUILD/site
rm -rf "$SITE"
mkdir -p "$SITE/demo"
cp -r "$ROOT/web/." "$SITE/"
cp "$BUILD/dist/hashmatch.mjs" "$BUILD/dist/hashmatch.wasm" "$SITE/"
cp "$ROOT/demo/demo.hmset" "$ROOT/demo/trust.txt" "$SITE/demo/"
cp -r "$ROOT/demo/inbox" "$SITE/demo/inbox"
(cd "$SITE/demo/inbox" && ls | grep -v '^index.json$' | node -e \
    'process.stdout.write(JSON.stringify(require("fs").readFileSync(0, "utf8").trim().split("\n")))') \
    >"$SITE/demo/inbox/index.json"
log "page assembled in $SITE (serve it over http: file:// cannot load modules)"
