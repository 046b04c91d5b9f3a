#!/usr/bin/env bash
# Regenerates the seed corpus of fuzz_delta (tests/fuzz/corpus/delta/) with
# the hashmatch binary given as $1: each seed is an old set followed by a
# delta from it, signed by the fuzz target's test key (secret bytes 01..20)
# and valid at the target's fixed time (2025-06-15).
set -euo pipefail
H=$(realpath "$1")
OUT=$(realpath "$(dirname "$0")")/corpus/delta
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
cd "$TMP"
/usr/bin/python3 - <<'PY'
import base64, os
der = bytes.fromhex('302e020100300506032b657004220420') + bytes(range(1, 33))
fd = os.open('fuzz.key', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
os.write(fd, b'-----BEGIN PRIVATE KEY-----\n' + base64.b64encode(der) + b'\n-----END PRIVATE KEY-----\n')
os.close(fd)
PY
T="--created @1700000000 --expires @1900000000"
cat > v1.csv <<'CSV'
pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,csam,2,NCMEC-1
pdq,8000000000000000000000000000000000000000000000000000000000000000,terror,1
pdq,ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff,other,3,x
phash,d1c4b4b4f0f0e0e0,other
md5,d41d8cd98f00b204e9800998ecf8427e,csam,4,IWF-77
sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,other
CSV
cat > v2.csv <<'CSV'
pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,csam,3,NCMEC-1
pdq,1234567812345678123456781234567812345678123456781234567812345678,weapons,1,new
pdq,ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff,other,3,y
md5,d41d8cd98f00b204e9800998ecf8427e,csam,4,IWF-77
sha1,da39a3ee5e6b4b0d3255bfef95601890afd80709,terror
sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855,other
CSV
printf 'pdq,0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f\n' > allow.csv
"$H" set build -q --out v1.hmset --name fuzz --version 1 $T --categories csam,terror,other v1.csv
"$H" set sign -q --key fuzz.key v1.hmset
"$H" set build -q --out v2.hmset --name fuzz --version 2 --previous v1.hmset $T \
    --categories csam,weapons,terror,other --allow allow.csv v2.csv
"$H" set sign -q --key fuzz.key v2.hmset
"$H" set delta -q v1.hmset v2.hmset --out d12
cat v1.hmset d12 > "$OUT/v1-v2.bin"
"$H" set build -q --out v3.hmset --name fuzz --version 3 --previous v2.hmset $T \
    --categories csam,weapons,terror,other v1.csv
"$H" set delta -q v2.hmset v3.hmset --out d23 # v3 is unsigned
cat v2.hmset d23 > "$OUT/v2-v3-unsigned.bin"
ls -l "$OUT"
