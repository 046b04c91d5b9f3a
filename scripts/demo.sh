#!/usr/bin/env bash
# The demo: install what is missing, build, then
#   1. hash the bundled sample images (demo/images/),
#   2. verify the bundled demo set (demo/demo.hmset, signed by demo/demo.pub),
#   3. scan demo/inbox/, where a resized re-encoded copy and a thumbnail of a
#      listed photo and an exact copy of another match, and unrelated photos don't.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The demo needs only the build dependencies: no tests in this build directory.
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHM_BUILD_TESTS=OFF >/dev/null
cmake --build build/demo -j"$(nproc)" --target hashmatch_cli >/dev/null
H=build/demo/hashmatch

step() { printf '\n$ %s\n' "$*"; }

step hashmatch hash --algo pdq,phash,sha256 demo/images/*.jpg
$H hash --algo pdq,phash,sha256 demo/images/*.jpg

step hashmatch set verify --trusted-key demo/demo.pub demo/demo.hmset
$H set verify --trusted-key demo/demo.pub demo/demo.hmset

step hashmatch scan --set demo/demo.hmset --trusted-key demo/demo.pub -r demo/inbox
status=0
$H scan --set demo/demo.hmset --trusted-key demo/demo.pub -r demo/inbox || status=$?
case $status in
    1) printf '\nexit status 1: something matched (0 would mean no match, 2 an error)\n' ;;
    *) printf '\nunexpected exit status %s: the demo expects matches\n' "$status"; exit 1 ;;
esac
