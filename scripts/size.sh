#!/usr/bin/env bash
# The size of libhashmatch.so, stripped, for x86-64 and aarch64 (the cross
# toolchain in cmake/), in the default build type, with each HM_WITH_*
# option off, and with all of them off: the file's size, and in brackets its
# code and data (text + data + bss as `size` counts them; the file rounds
# segments to pages). Builds only the library, under build/size-*. Output: a
# Markdown table for the README.
#   [HM_SIZE_VARIANTS="default HM_WITH_VIDEO all"] bash scripts/size.sh [x86_64|aarch64 ...]
set -euo pipefail
cd "$(dirname "$0")/.."
ARCHS=${*:-"x86_64 aarch64"}
# HM_SIZE_VARIANTS picks rows (default first: the others are measured from it).
read -r -a VARIANTS <<< "${HM_SIZE_VARIANTS:-default HM_WITH_TRANSFORMS HM_WITH_GIF HM_WITH_PNM HM_WITH_WEBP HM_WITH_VIDEO all}"

stripped_size() { # ARCH BUILD_DIR -> "FILE CODE"
    local strip=strip
    [[ $1 == aarch64 ]] && strip=aarch64-linux-gnu-strip
    "$strip" -o "$2/libhashmatch.stripped" "$2/lib/libhashmatch.so"
    echo "$(stat -c %s "$2/libhashmatch.stripped") $(size "$2/libhashmatch.stripped" | awk 'NR == 2 {print $4}')"
}

build() { # ARCH VARIANT -> prints the size
    local arch=$1 variant=$2 dir=build/size-$1-$2 flags=(-DHM_BUILD_TESTS=OFF -DHM_BUILD_CLI=OFF)
    [[ $arch == aarch64 ]] && flags+=(-DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake)
    case $variant in
        default) ;;
        all) flags+=(-DHM_WITH_TRANSFORMS=OFF -DHM_WITH_GIF=OFF -DHM_WITH_PNM=OFF -DHM_WITH_WEBP=OFF
                   -DHM_WITH_VIDEO=OFF) ;;
        *) flags+=(-D"$variant"=OFF) ;;
    esac
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" >/dev/null
    cmake --build "$dir" -j2 --target hashmatch >/dev/null
    stripped_size "$arch" "$dir"
}

printf '| build | %s |\n|---|%s\n' "$(echo $ARCHS | sed 's/ / | /g')" "$(for a in $ARCHS; do printf -- '---|'; done)"
declare -A base_file base_code
for v in "${VARIANTS[@]}"; do
    row="| ${v/default/default (all ON)}"
    [[ $v == all ]] && row="| every option OFF"
    [[ $v != default && $v != all ]] && row="| $v=OFF"
    for a in $ARCHS; do
        read -r file code < <(build "$a" "$v")
        if [[ $v == default ]]; then
            base_file[$a]=$file base_code[$a]=$code
            row+=" | $file bytes ($code)"
        else
            row+=" | $file, -$(( base_file[$a] - file )) (-$(( base_code[$a] - code )))"
        fi
    done
    echo "$row |"
done
