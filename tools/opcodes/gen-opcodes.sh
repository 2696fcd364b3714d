#!/usr/bin/env bash
# gen-opcodes.sh OPCODE_MAP OUTPUT: the probes through as and objdump, then
# the table (tools/opcodes/opcode_map.c says how).
set -euo pipefail
tool=$1 out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tool" probes > "$tmp/probes.s"
as "$tmp/probes.s" -o "$tmp/probes.o"
objdump -d -M intel --no-show-raw-insn "$tmp/probes.o" > "$tmp/probes.dis"
{
    "$tool" table "$tmp/probes.dis"
    printf '\n<!-- reference: %s -->\n' "$(objdump --version | head -n 1)"
} > "$tmp/out.md"
mv "$tmp/out.md" "$out"
