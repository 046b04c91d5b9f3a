#!/usr/bin/env bash
# Rebuilds demo/demo.hmset from demo/images/ and signs it with a NEW demo key
# (its public half replaces demo/demo.pub; the private half is deleted, so no
# one holds a key the demo trusts). Only needed when the set format changes.
#   usage: demo/make-set.sh [path/to/hashmatch]
set -euo pipefail
cd "$(dirname "$0")"
H=${1:-../build/release/hashmatch}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$H" keygen --out "$tmp/demo" --comment "hashmatch demo key" >/dev/null
# One JSON line per listed image; its file name becomes the entry's external id.
(cd images && "$H" hash --json --algo pdq,phash,dhash,md5,sha256 bridge.jpg canal.jpg doorway.jpg) |
    sed -E 's/^\{"path": "([^"]*)"/{"external_id": "\1", "path": "\1"/' >"$tmp/listed.jsonl"
"$H" set build --out "$tmp/demo.hmset" --name "hashmatch demo set" \
    --issuer "hashmatch demo (public ThreatExchange test photos)" --version 1 \
    --created 2026-11-26 --expires 2036-01-01 --categories demo "$tmp/listed.jsonl"
"$H" set sign --key "$tmp/demo.key" "$tmp/demo.hmset"
cp "$tmp/demo.hmset" demo.hmset
cp "$tmp/demo.pub" demo.pub
{ echo "# Trust file for the demo set (docs/TRUST.md): the demo key, one signature required."
  grep '^key ' demo.pub; echo "threshold 1"; } >trust.txt
"$H" set verify --trusted-key demo.pub demo.hmset
