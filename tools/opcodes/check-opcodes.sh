#!/usr/bin/env bash
# Part of `make check`: docs/opcodes.md is what `make opcodes` generates
# from the emulator as it is now.  The reference names come from binutils,
# so another binutils version than the one recorded in the file is a SKIP.
set -u
doc=docs/opcodes.md
tool=${BUILD:-build}/tools/opcode_map
if ! command -v objdump >/dev/null || ! command -v as >/dev/null; then
    echo "SKIP opcodes_doc_current: binutils (as, objdump) not installed"
    exit 0
fi
recorded=$(sed -n 's/^<!-- reference: \(.*\) -->$/\1/p' "$doc")
have=$(objdump --version | head -n 1)
if [ "$recorded" != "$have" ]; then
    echo "SKIP opcodes_doc_current: $doc was generated with \"$recorded\", this host has \"$have\""
    exit 0
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
if ! bash tools/opcodes/gen-opcodes.sh "$tool" "$tmp"; then
    echo "FAIL opcodes_doc_current: generating the table failed"
    exit 1
fi
if cmp -s "$tmp" "$doc"; then
    echo "PASS opcodes_doc_current"
else
    echo "FAIL opcodes_doc_current: $doc is out of date with the emulator's decoder; run \`make opcodes\` and commit it"
    diff "$doc" "$tmp" | head -n 20
    exit 1
fi
