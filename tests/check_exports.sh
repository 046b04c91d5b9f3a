#!/bin/sh
# Fails when the shared library exports any symbol without the hm_ prefix, or
# exports nothing at all.
set -eu
lib=$1
syms=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}')
[ -n "$syms" ] || { echo "no exported symbols in $lib"; exit 1; }
bad=$(printf '%s\n' "$syms" | grep -v '^hm_' || true)
if [ -n "$bad" ]; then
    echo "symbols exported without the hm_ prefix:"; printf '%s\n' "$bad"; exit 1
fi
if printf '%s\n' "$syms" | grep -q '^hm__'; then
    echo "internal hm__ symbols exported:"; printf '%s\n' "$syms" | grep '^hm__'; exit 1
fi
echo "$(printf '%s\n' "$syms" | wc -l) exported symbols, all hm_-prefixed"
