#!/usr/bin/env bash
# golden.sh - CLI golden tests: runs each case of cases.tsv with the built
# `hashmatch` inside tests/data/cli and compares stdout byte for byte with
# golden/NAME.out and the exit status with the expected one.
#
#   golden.sh HASHMATCH            run every case
#   HM_GOLDEN_UPDATE=1 golden.sh HASHMATCH   rewrite the .out files (review the diff!)
#
# cases.tsv: NAME<TAB>STATUS<TAB>ARGUMENTS (split on spaces; no quoting).
# HM_EMULATOR (e.g. "qemu-aarch64 -L /") runs a cross-built tool.
set -u
hm=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../data/cli" || exit 1
export LC_ALL=C
fail=0
count=0
while IFS=$'\t' read -r name want args; do
    case "$name" in '' | '#'*) continue ;; esac
    count=$((count + 1))
    out=$(mktemp)
    # shellcheck disable=SC2086 # the emulator and arguments are split on purpose
    ${HM_EMULATOR:-} "$hm" $args >"$out" 2>/dev/null </dev/null
    got=$?
    if [ -n "${HM_GOLDEN_UPDATE:-}" ]; then cp "$out" "$here/golden/$name.out"; fi
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit status $got, expected $want (hashmatch $args)"
        fail=1
    elif ! cmp -s "$out" "$here/golden/$name.out"; then
        echo "FAIL $name: stdout differs (hashmatch $args)"
        diff "$here/golden/$name.out" "$out" | head -20
        fail=1
    else
        echo "ok   $name"
    fi
    rm -f "$out"
done <"$here/cases.tsv"
echo "$count cases"
[ "$count" -gt 0 ] || fail=1
exit $fail
