/*
 * The table: the probes' results collapsed into rows (one per opcode,
 * mandatory prefix and, where they differ, ModRM.reg member; VEX.L and
 * VEX.W folded into the Forms column), then the summary and the list of
 * v3 encodings the emulator rejects.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opcode_map.h"

struct cell cells[SP_COUNT][256][NPFX][2][2][8][2];

static bool emu_impl(const struct cell *c) { return !emu_is_ud(c->emu); }

static bool ref_valid(const struct cell *c) { return c->ref[0] != 0; }

struct counts {
    unsigned rows, impl, partial, ud_v3, ud_other, reserved, extra;
};
static struct counts totals[SP_COUNT];

/* Rows of valid-on-v3 encodings the emulator rejects, for the list at the end. */
static char missing[4096][384];
static unsigned nmissing;

static void join_unique(char *out, size_t size, const char *const *items, unsigned n)
{
    out[0] = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!items[i][0])
            continue;
        bool seen = false;
        for (unsigned j = 0; j < i; j++)
            seen = seen || strcmp(items[i], items[j]) == 0;
        if (seen)
            continue;
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", used ? ", " : "", items[i]);
    }
}

/* A row: the cells selected by (L set, W set, reg set, forms).  Prints it
 * and counts it.  `ext` is "" or " /r". */
static void emit_row(unsigned sp, unsigned op, unsigned pfx, const char *ext, const struct cell *sel[], unsigned nsel,
                     const char *forms)
{
    const char *refs[64], *emus[64], *lacking[64];   /* at most L x W x reg x form */
    bool any_valid = false, any_impl = false, any_lacking = false, any_valid_impl = false, reserved_pfx = false;
    bool all_sys = true;
    const char *nv3 = NULL;
    unsigned nlacking = 0;
    for (unsigned i = 0; i < nsel; i++) {
        const struct cell *c = sel[i];
        refs[i] = ref_valid(c) ? ref_mnemonic(c->ref) : "";
        emus[i] = emu_impl(c) ? handler_name(c->emu) : "";
        if (emu_impl(c) && strcmp(emus[i], "emu_sys") != 0)
            all_sys = false;
        any_impl = any_impl || emu_impl(c);
        if (!ref_valid(c))
            continue;
        /* A 66/F3/F2 binutils prints as a prefix word is not part of the
         * opcode: the encoding is the unprefixed instruction with a
         * reserved prefix, which the emulator rejects (docs/compat.md). */
        if (!is_vex(sp) && pfx && ref_prefix_ignored(c->ref, pfx)) {
            if (emu_impl(c))
                any_valid = any_valid_impl = true;   /* both ignore it */
            else
                reserved_pfx = true;
            continue;
        }
        any_valid = true;
        const char *ext_nv3 = ref_extension_not_v3(refs[i], sp, pfx, (uint8_t)op, ext, c->l);
        if (emu_impl(c) || defined_ud(refs[i])) {
            any_valid_impl = true;
        } else {
            any_lacking = true;
            if (!ext_nv3)
                lacking[nlacking++] = refs[i];
        }
        if (!nv3)
            nv3 = ext_nv3;
    }
    /* The machine half decodes emu_sys rows further; for what binutils
     * calls invalid, the decoder alone cannot say. */
    if (!any_valid && !reserved_pfx && (!any_impl || all_sys))
        return;
    char r[256], e[256], l[256];
    join_unique(r, sizeof r, refs, nsel);
    join_unique(e, sizeof e, emus, nsel);
    join_unique(l, sizeof l, lacking, nlacking);
    const char *status;
    struct counts *t = &totals[sp];
    t->rows++;
    if (!any_valid && reserved_pfx && !any_impl) {
        status = "#UD (reserved prefix)";
        t->reserved++;
    } else if (!any_valid) {
        status = "emulator only";
        t->extra++;
    } else if (!any_lacking) {
        status = "yes";
        t->impl++;
    } else if (any_valid_impl) {
        status = "partial";
        t->partial++;
    } else if (nlacking == 0) {
        status = "#UD";
        t->ud_other++;
    } else {
        status = "**#UD**";
        t->ud_v3++;
    }
    char opcode[48];
    if (is_vex(sp))
        snprintf(opcode, sizeof opcode, "VEX.%s.%s %02X%s", pfx ? pfx_name[pfx] : "NP", space_names[sp] + 4, op, ext);
    else
        snprintf(opcode, sizeof opcode, "%s%s%s%02X%s", pfx_name[pfx], pfx ? " " : "",
                 sp == SP_1B ? "" : sp == SP_0F ? "0F " : sp == SP_0F38 ? "0F 38 " : "0F 3A ", op, ext);
    char note[64] = "";
    if (nv3)
        snprintf(note, sizeof note, "not v3: %s", nv3);
    printf("| %s | %s | %s | %s | %s | %s |\n", opcode, r[0] ? r : "—", forms, status, e[0] ? e : "—", note);
    if (nlacking && nmissing < sizeof missing / sizeof missing[0])
        snprintf(missing[nmissing++], sizeof missing[0], "%s: %s", opcode, l);
}

/* Whether two cells name the same thing (reference mnemonic, emulator handler). */
static bool same_cell(const struct cell *a, const struct cell *b)
{
    return a->emu == b->emu && strcmp(a->ref, b->ref) == 0;
}

/* The forms (register, memory) that are valid or implemented, as text. */
static const char *forms_text(bool regform, bool memform, bool modrm)
{
    if (!modrm)
        return "";
    if (regform && memform)
        return "r, m";
    return regform ? "r" : "m";
}

/* Whether the cells of (sp, op, pfx) differ by ModRM.reg (a group), and
 * whether the opcode has a ModRM at all. */
static bool depends_on_reg(unsigned sp, unsigned op, unsigned pfx, bool *modrm)
{
    unsigned nl = is_vex(sp) ? 2 : 1, nw = is_vex(sp) ? 2 : 1;
    bool by_reg = false;
    *modrm = false;
    for (unsigned l = 0; l < nl; l++)
        for (unsigned w = 0; w < nw; w++)
            for (unsigned m = 0; m < 2; m++) {
                /* Compared with the first member binutils knows. */
                unsigned first = 0;
                while (is_vex(sp) && first < 7 && !ref_valid(&cells[sp][op][pfx][l][w][first][m]))
                    first++;
                const struct cell *c0 = &cells[sp][op][pfx][l][w][first][m];
                for (unsigned reg = 0; reg < 8; reg++) {
                    const struct cell *c = &cells[sp][op][pfx][l][w][reg][m];
                    /* In VEX maps an invalid member is no group member: the
                     * probe's registers can collide (a gather's destination,
                     * mask and index must differ). */
                    if (is_vex(sp) && (!ref_valid(c) || !ref_valid(c0)))
                        by_reg = by_reg || c->emu != c0->emu;
                    else
                        by_reg = by_reg || !same_cell(c, c0);
                    /* Binutils names register and memory forms apart where
                     * they differ; a ModRM exists when they could. */
                    *modrm = *modrm || c->modrm ||
                             (ref_valid(c) && strcmp(c->ref, cells[sp][op][pfx][l][w][reg][!m].ref) != 0);
                }
            }
    *modrm = *modrm || by_reg;
    return by_reg;
}

/* "L0, L1; W0/W1": which VEX.L exist, and which VEX.W (nothing when both
 * name the same instruction). */
static void vex_lw_text(unsigned sp, unsigned op, unsigned pfx, unsigned reg_lo, unsigned reg_hi, char *out,
                        size_t size)
{
    bool l_used[2] = { false, false }, w_used[2] = { false, false }, w_names = false;
    for (unsigned l = 0; l < 2; l++)
        for (unsigned w = 0; w < 2; w++)
            for (unsigned m = 0; m < 2; m++)
                for (unsigned r = reg_lo; r < reg_hi; r++) {
                    const struct cell *c = &cells[sp][op][pfx][l][w][r][m];
                    const struct cell *c0 = &cells[sp][op][pfx][l][0][r][m];
                    if (ref_valid(c) || emu_impl(c))
                        l_used[l] = w_used[w] = true;
                    if (ref_valid(c) && ref_valid(c0) && strcmp(c->ref, c0->ref) != 0)
                        w_names = true;
                }
    const char *wtext = w_used[0] && w_used[1] ? (w_names ? "; W0/W1" : "") : w_used[0] ? "; W0" : "; W1";
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s%s%s", used ? "; " : "",
             l_used[0] && l_used[1] ? "L0, L1" : l_used[0] ? "L0" : "L1", wtext);
}

/* The rows of (sp, op, pfx): one, or one per group member in reg_mask. */
static void emit_opcode(unsigned sp, unsigned op, unsigned pfx, unsigned reg_mask)
{
    unsigned nl = is_vex(sp) ? 2 : 1, nw = is_vex(sp) ? 2 : 1;
    bool modrm;
    bool by_reg = depends_on_reg(sp, op, pfx, &modrm);
    for (unsigned reg = 0; reg < (by_reg ? 8u : 1u); reg++) {
        if (by_reg ? !(reg_mask >> reg & 1) : !reg_mask)
            continue;
        /* Without groups the row is every ModRM.reg. */
        unsigned reg_lo = by_reg ? reg : 0, reg_hi = by_reg ? reg + 1 : 8;
        const struct cell *sel[64];   /* at most L x W x reg x form */
        unsigned n = 0;
        bool regform = false, memform = false;
        for (unsigned l = 0; l < nl; l++)
            for (unsigned w = 0; w < nw; w++)
                for (unsigned m = 0; m < (modrm ? 2u : 1u); m++)
                    for (unsigned r = reg_lo; r < reg_hi; r++) {
                        const struct cell *c = &cells[sp][op][pfx][l][w][r][m];
                        sel[n++] = c;
                        if (ref_valid(c) || emu_impl(c)) {
                            memform = memform || m;
                            regform = regform || !m;
                        }
                    }
        char ext[8] = "";
        if (by_reg)
            snprintf(ext, sizeof ext, " /%u", reg);
        char forms[48];
        snprintf(forms, sizeof forms, "%s", forms_text(regform, memform, modrm));
        if (is_vex(sp))
            vex_lw_text(sp, op, pfx, reg_lo, reg_hi, forms, sizeof forms);
        emit_row(sp, op, pfx, ext, sel, n, forms);
    }
}

/* A prefixed legacy variant gets its own rows only for the ModRM.reg
 * values where the prefix selects something else than the unprefixed
 * opcode: a mask of them. */
static unsigned pfx_variant_regs(unsigned sp, unsigned op, unsigned pfx)
{
    unsigned mask = 0;
    for (unsigned reg = 0; reg < 8; reg++)
        for (unsigned m = 0; m < 2; m++) {
            const struct cell *c = &cells[sp][op][pfx][0][0][reg][m], *base = &cells[sp][op][0][0][0][reg][m];
            if (c->emu != base->emu ||
                (!ref_prefix_ignored(c->ref, pfx) && strcmp(ref_mnemonic(c->ref), ref_mnemonic(base->ref)) != 0))
                mask |= 1u << reg;
        }
    return mask;
}

static int cmp_str(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

void emit_table(void)
{
    printf("<!-- Generated by `make opcodes` (tools/opcodes/opcode_map.c) from the emulator's decoder; "
           "do not edit. -->\n");
    printf("# Opcode coverage of the emulator\n\n");
    printf("Every opcode of the one-byte, 0F, 0F 38 and 0F 3A maps and of the VEX 0F, 0F 38 and 0F 3A maps, "
           "with each mandatory prefix (none, 66, F3, F2; VEX.pp), ModRM.reg group member, register and memory "
           "form, and VEX.L and VEX.W, as the emulator decodes it in 64-bit mode. `make check` fails when this "
           "file is out of date; `make opcodes` regenerates it.\n\n");
    printf("Columns: **Reference** is the mnemonic binutils' disassembler (`objdump -M intel`) gives the "
           "encoding (— where it is invalid). **Forms**: `r` register, `m` memory operand; VEX rows say which "
           "VEX.L exist and whether VEX.W selects another instruction. **Emulator**: `yes` every valid form "
           "runs (UD0, UD1, UD2 and RSM outside SMM count: their behaviour is #UD); `partial` some do; `#UD` "
           "none does: **bold** where a v3-class Intel processor (Haswell) executes it, otherwise the note names "
           "the extension such a processor lacks; `#UD (reserved prefix)` where binutils reads the 66/F3/F2 as "
           "a prefix word of the unprefixed instruction (docs/compat.md); `emulator only` where binutils knows "
           "no instruction. **Handler** is the emulator's handler from `src/emu/opcodes.h`; `emu_sys` means the "
           "machine half executes it and decodes it further, so encodings binutils calls invalid that reach "
           "`emu_sys` are not listed, and like the x87 handlers' sub-opcodes they can still raise #UD at "
           "execution, which decoding does not show. Prefixed legacy variants have rows only where the prefix "
           "selects something else than the unprefixed opcode.\n\n");
    for (unsigned sp = 0; sp < SP_COUNT; sp++) {
        printf("## %s map\n\n", space_names[sp]);
        printf("| Opcode | Reference | Forms | Emulator | Handler | Note |\n|---|---|---|---|---|---|\n");
        for (unsigned op = 0; op < 256; op++) {
            if ((sp == SP_1B && is_prefix_1b((uint8_t)op)) || (sp == SP_0F && (op == 0x38 || op == 0x3a)))
                continue;
            for (unsigned pfx = 0; pfx < NPFX; pfx++)
                emit_opcode(sp, op, pfx, !is_vex(sp) && pfx ? pfx_variant_regs(sp, op, pfx) : 0xffu);
        }
        printf("\n");
    }
    printf("## Summary\n\n| Map | Rows | yes | partial | #UD, valid on v3 | #UD, not v3 | #UD, reserved prefix | "
           "emulator only |\n|---|---|---|---|---|---|---|---|\n");
    for (unsigned sp = 0; sp < SP_COUNT; sp++) {
        const struct counts *t = &totals[sp];
        printf("| %s | %u | %u | %u | %u | %u | %u | %u |\n", space_names[sp], t->rows, t->impl, t->partial,
               t->ud_v3, t->ud_other, t->reserved, t->extra);
    }
    printf("\n## Valid on a v3-class Intel processor, #UD in the emulator\n\n");
    printf("The emulator raises #UD for these encodings (docs/compat.md: unimplemented opcodes raise #UD); "
           "each line names the instructions of that row the emulator lacks.\n\n");
    qsort(missing, nmissing, sizeof missing[0], cmp_str);
    for (unsigned i = 0; i < nmissing; i++)
        printf("- %s\n", missing[i]);
    if (nmissing == 0)
        printf("None.\n");
}
