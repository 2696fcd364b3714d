/*
 * Generates docs/opcodes.md: which opcodes a 64-bit guest can execute on
 * the emulator, derived from the emulator's own decoder.
 *
 *   opcode_map probes          assembler source with one labelled probe
 *                              per encoding (for the reference disassembly)
 *   opcode_map table DISASM    the Markdown table, from the decoder and
 *                              `objdump -d -M intel` of the probes
 *
 * Every encoding is decoded by emu_decode_bytes, as the engine decodes a
 * guest's instruction: #UD where it resolves to exec_ud, else the handler
 * the opcode table (src/emu/opcodes.h) names.  Nothing here lists opcodes:
 * the probes are every byte of every map, with each mandatory prefix
 * (none/66/F3/F2) or VEX.pp, VEX.L and VEX.W, ModRM.reg 0-7, and a register
 * and a memory form.  When rows appear in the opcode table (VEX included),
 * the generated table changes with them.
 *
 * The reference column comes from binutils (reference.c); probe.c makes
 * the encodings and asks the decoder; table.c writes the Markdown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opcode_map.h"

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "probes") != 0 && !(strcmp(argv[1], "table") == 0 && argc == 3))) {
        fprintf(stderr, "usage: %s probes | table DISASSEMBLY\n", argv[0]);
        return 2;
    }
    struct probe p;
    size_t nprobes = 0;
    for (bool first = true; probe_next(&p, first); first = false)
        nprobes++;
    if (strcmp(argv[1], "probes") == 0) {
        printf("\t.text\n");
        size_t i = 0;
        for (bool first = true; probe_next(&p, first); first = false, i++) {
            if (probe_skipped(&p))
                continue;
            uint8_t b[15];
            probe_bytes(&p, b);
            printf("p%zu:\n\t.byte ", i);
            for (unsigned k = 0; k < 15; k++)
                printf("0x%02x%s", b[k], k < 14 ? "," : "\n");
        }
        return 0;
    }
    char(*ref)[MNEM_LEN] = calloc(nprobes, sizeof *ref);
    if (!ref || !read_reference(argv[2], ref, nprobes)) {
        free(ref);
        return 1;
    }
    size_t i = 0;
    for (bool first = true; probe_next(&p, first); first = false, i++) {
        struct cell *c = &cells[p.sp][p.op][p.pfx][p.l][p.w][p.reg][p.mem];
        c->ref = ref[i];
        c->l = p.l;
        c->emu = emu_classify(&p, &c->modrm);
    }
    emit_table();
    free(ref);
    return 0;
}
