#!/usr/bin/env bash
# The libraries export exactly the functions the public headers declare with
# OS_EXPORT: a static or shared client must never collide with an internal
# name (msr_read, memmap_map, ...).  Prints PASS/FAIL lines.
# Usage: BUILD=build bash packaging/check-exports.sh
set -u
build=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Declared: the identifier before the first '(' of every OS_EXPORT declaration.
perl -0777 -pe 's{/\*.*?\*/}{}gs; s{//[^\n]*}{}g' include/Hypervisor/*.h | grep -v '^[[:space:]]*#' | tr '\n' ' ' | grep -o 'OS_EXPORT[^;(]*(' |
    sed -E 's/.*[^A-Za-z0-9_]([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*\($/\1/' | sort -u >"$tmp/declared"

status=0
check() { # name, file with exported names
    if diff -u "$tmp/declared" "$2" >"$tmp/diff"; then
        echo "PASS exports_$1 ($(wc -l <"$2") symbols)"
    else
        echo "FAIL exports_$1: differs from the OS_EXPORT declarations: $(grep '^[-+][a-z]' "$tmp/diff" | head -5 | tr '\n' ' ')"
        status=1
    fi
}
nm -g --defined-only "$build/libopenhv.a" | awk 'NF == 3 && $2 ~ /[TW]/ {print $3}' | sort -u >"$tmp/static"
nm -D --defined-only "$build/libopenhv.so" | awk 'NF == 3 && $2 ~ /[TW]/ {print $3}' | sort -u >"$tmp/shared"
[ "$(wc -l <"$tmp/declared")" -ge 81 ] || { echo "FAIL exports_declared: only $(wc -l <"$tmp/declared") declarations found"; status=1; }
check static "$tmp/static"
check shared "$tmp/shared"
exit $status
