#!/usr/bin/env bash
# Regenerates the seed corpus of fuzz_set (tests/fuzz/corpus/set/) with the
# hashmatch binary given as $1. The sets are signed by the fuzz target's test
# key (secret bytes 01..20) and valid from 2023-11-14 to 2030-03-17, so the
# target's fixed policy accepts them.
set -euo pipefail
H=$(realpath "$1")
OUT=$(realpath "$(dirname "$0")")/corpus/set
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
/usr/bin/python3 - <<'PY'
import base64, os
der = bytes.fromhex('302e020100300506032b657004220420') + bytes(range(1, 33))
fd = os.open('fuzz.key', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, b'-----BEGIN PRIVATE KEY-----\n' + base64.b64encode(der) + b'\n-----END PRIVATE KEY-----\n')
os.close(fd)
PY
"$H" keygen -q --out other
T="--created @1700000000 --expires @1900000000"
cat > small.csv <<'CSV'
pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,csam,2,NCMEC-1
pdq,8000000000000000000000000000000000000000000000000000000000000000,terror,1
pdq,ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff,other,3,x
phash,d1c4b4b4f0f0e0e0,other
dhash,0000000000000001,csam,1,x
md5,d41d8cd98f00b204e9800998ecf8427e,csam,4,IWF-77
sha1,da39a3ee5e6b4b0d3255bfef95601890afd80709,terror
sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,other
CSV
printf 'pdq,0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f\nmd5,00000000000000000000000000000000\n' > allow.csv
echo '# nothing' > empty.csv
echo 'md5,d41d8cd98f00b204e9800998ecf8427e' > one.csv
rm -f "$OUT"/*.hmset
"$H" set build -q --out "$OUT/small-signed.hmset" --name "fuzz seed" --issuer "hashmatch tests" \
    --version 3 $T --allow allow.csv small.csv
"$H" set sign -q --key fuzz.key "$OUT/small-signed.hmset"
"$H" set build -q --out "$OUT/unsigned.hmset" --name u --version 1 $T small.csv
"$H" set build -q --out "$OUT/empty-signed.hmset" --name empty --version 1 $T empty.csv
"$H" set sign -q --key fuzz.key "$OUT/empty-signed.hmset"
"$H" set build -q --out "$OUT/md5-two-sigs.hmset" --name one --version 9 $T one.csv
"$H" set sign -q --key fuzz.key "$OUT/md5-two-sigs.hmset"
"$H" set sign -q --key other.key "$OUT/md5-two-sigs.hmset"
"$H" set build -q --out "$OUT/pdq-cli512.hmset" --name cli --version 2 $T --pdq-mode cli512 \
    --radius pdq=20 --min-quality 80 --categories other,csam,terror --algo pdq small.csv
"$H" set sign -q --key fuzz.key "$OUT/pdq-cli512.hmset"
cat > clip.txt <<'VPDQ'
0,100,79cf319a8118d10c9118f9ba279a279a664e0798b7b2b7b0b7b0fef78118684f,0.000
1,100,79cf319a9118d10c9118f9ba279a279a664e0598b7b2b7b0b7b0fef78118684f,0.100
2,40,79cf319a9118d10c9118f9ba279a279a664e0598b7b2b7b0b7b0fef78118684f,0.200
3,90,f9ef319a9118d9049118f9bb279a0798664c0790b7b1b7b0b7b0fef78118684f,0.300
VPDQ
printf '{"vpdq": ["b9dbf94f911a9108911895b076b2079a66ce0518b3b2bfb3b7b0fef78118484f,87,0.0"], "md5": "00112233445566778899aabbccddeeff", "category": "other"}\n' > clip.json
"$H" set build -q --out "$OUT/vpdq-signed.hmset" --name vid --version 4 $T --vpdq-seconds 1 \
    --vpdq-query-pct 50.5 --radius vpdq=20 --allow allow.csv clip.txt clip.json small.csv
"$H" set sign -q --key fuzz.key "$OUT/vpdq-signed.hmset"
ls -l "$OUT"
