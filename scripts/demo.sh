#!/usr/bin/env bash
# The demo: install what is missing, build, then
#   1. hash the bundled sample images (demo/images/),
#   2. verify the bundled demo set (demo/demo.hmset, signed by demo/demo.pub),
#   3. scan demo/inbox/, where a resized re-encoded copy and a thumbnail of a
#      listed photo and an exact copy of another match, and unrelated photos don't;
#   4. video: build, sign, verify a set holding a listed video (vPDQ) and the
#      photos, and scan demo/video/inbox/: a re-encoded copy of the video, a new
#      video made of a listed photo, an unrelated clip; and two photos.
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

# Video (docs/VIDEO.md): a set holding a listed video's vPDQ hashes and the
# three photos' PDQ hashes, built and signed here with a throwaway key, then
# verified and used to scan demo/video/inbox/ and two photos.
if $H hash --algo vpdq demo/video/listed.mp4 >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    step hashmatch keygen --out KEY/video-demo
    $H keygen -q --out "$tmp/video-demo" --comment "video demo key"
    step hashmatch hash --vpdq-seconds 1 demo/video/listed.mp4
    $H hash --vpdq-seconds 1 demo/video/listed.mp4
    step "hashmatch hash --json --vpdq-seconds 1 --algo vpdq,md5 demo/video/listed.mp4 >listed.jsonl (and the photos' PDQ)"
    $H hash --json --vpdq-seconds 1 --algo vpdq,md5 demo/video/listed.mp4 |
        sed -E 's/^\{"path": "([^"]*)"/{"external_id": "listed.mp4", "path": "\1"/' >"$tmp/listed.jsonl"
    (cd demo/images && "../../$H" hash --json --algo pdq bridge.jpg canal.jpg doorway.jpg) |
        sed -E 's/^\{"path": "([^"]*)"/{"external_id": "\1", "path": "\1"/' >>"$tmp/listed.jsonl"
    step 'hashmatch set build --out video.hmset --name "hashmatch video demo" --version 1 --created 2026-12-01 --expires 2036-01-01 --categories demo --vpdq-seconds 1 listed.jsonl'
    H_ABS=$(realpath "$H")
    (cd "$tmp" && "$H_ABS" set build --out video.hmset --name "hashmatch video demo" --version 1 \
        --created 2026-12-01 --expires 2036-01-01 --categories demo --vpdq-seconds 1 listed.jsonl)
    step hashmatch set sign --key KEY/video-demo.key video.hmset
    (cd "$tmp" && "$H_ABS" set sign -q --key video-demo.key video.hmset)
    step hashmatch set verify --trusted-key KEY/video-demo.pub video.hmset
    (cd "$tmp" && "$H_ABS" set verify --trusted-key video-demo.pub video.hmset)
    step hashmatch scan --set video.hmset --trusted-key KEY/video-demo.pub -r demo/video/inbox demo/inbox/bridge-resized.jpg demo/inbox/sea.jpg
    status=0
    $H scan --set "$tmp/video.hmset" --trusted-key "$tmp/video-demo.pub" -r demo/video/inbox \
        demo/inbox/bridge-resized.jpg demo/inbox/sea.jpg || status=$?
    case $status in
        1) printf '\nexit status 1: something matched\n' ;;
        *) printf '\nunexpected exit status %s: the video demo expects matches\n' "$status"; exit 1 ;;
    esac
else
    printf '\n(video demo skipped: this build decodes no video)\n'
fi
