#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for hashmatch, and nothing that
# is already there. Run as root (or with sudo available).
#
#   scripts/setup.sh            build dependencies (compiler, CMake, libraries)
#   scripts/setup.sh test       + CUnit, clang/libFuzzer, aarch64 cross toolchain, qemu-user
#   scripts/setup.sh bench      + Debian's Pillow/numpy/scipy/pywt and FAISS (baselines)
#   scripts/setup.sh report     + Chromium (renders the eval HTML report headless)
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config libssl-dev libjpeg62-turbo-dev libpng-dev libwebp-dev
            libexpat1-dev libavformat-dev libavcodec-dev libavutil-dev libswscale-dev)
TEST_PKGS=(libcunit1-dev clang libclang-rt-14-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
           libc6:arm64
           libssl-dev:arm64 libjpeg62-turbo-dev:arm64 libpng-dev:arm64 libwebp-dev:arm64
           libcunit1-dev:arm64 libexpat1-dev:arm64
           libavformat-dev:arm64 libavcodec-dev:arm64 libavutil-dev:arm64 libswscale-dev:arm64)
BENCH_PKGS=(python3 python3-pil python3-numpy python3-scipy python3-pywt libfaiss-dev)
REPORT_PKGS=(chromium)

want=("${BUILD_PKGS[@]}")
for group in "$@"; do
    case "$group" in
        build) ;;
        test) want+=("${TEST_PKGS[@]}") ;;
        bench) want+=("${BENCH_PKGS[@]}") ;;
        report) want+=("${REPORT_PKGS[@]}") ;;
        all) want+=("${TEST_PKGS[@]}" "${BENCH_PKGS[@]}" "${REPORT_PKGS[@]}") ;;
        *) echo "setup.sh: unknown group '$group' (build, test, bench, report, all)" >&2; exit 2 ;;
    esac
done

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

native=$(dpkg --print-architecture)
installed() { # NAME or NAME:ARCH; a bare name means the native (or an arch-all) package
    local name=${1%%:*} arch=${1#*:}
    [ "$arch" = "$1" ] && arch=$native
    dpkg-query -W -f='${Status} ${Architecture}\n' "$name" 2>/dev/null |
        grep -Eq "^install ok installed ($arch|all)\$"
}
missing=()
for p in "${want[@]}"; do
    installed "$p" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

for p in "${missing[@]}"; do
    if [[ "$p" == *:arm64 ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
        "${SUDO[@]}" dpkg --add-architecture arm64
        break
    fi
done
echo "setup.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q >&2
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
