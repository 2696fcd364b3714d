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
 * The reference column comes from binutils' disassembler, the only part
 * not derived from the emulator: it names each encoding by its SDM
 * mnemonic and says which are valid at all.  The extensions a v3-class
 * Intel processor (Haswell: x86-64-v3 and what came before it on Intel)
 * lacks are named in `not_v3` below, by mnemonic, to separate "valid on
 * such a processor, #UD in the emulator" from encodings of other vendors
 * and later extensions.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu/engine_internal.h"

/* ---- handler names, from the one opcode table ---- */

struct handler_name {
    emu_handler fn;
    const char *name;
};

#define NAME_ROW(op, ext, modrm, imm, size, flags, handler) { handler, #handler },
static const struct handler_name handler_names[] = { OPCODE_TABLE(NAME_ROW) };
#undef NAME_ROW

static const char *handler_name(emu_handler fn)
{
    for (size_t i = 0; i < sizeof handler_names / sizeof handler_names[0]; i++)
        if (handler_names[i].fn == fn) {
            const char *n = handler_names[i].name;
            return strncmp(n, "exec_", 5) == 0 ? n + 5 : n;
        }
    return "(handler)";
}

/* ---- the probes ---- */

enum space { SP_1B, SP_0F, SP_0F38, SP_0F3A, SP_VEX_0F, SP_VEX_0F38, SP_VEX_0F3A, SP_COUNT };
static const char *const space_names[SP_COUNT] = {
    "one-byte", "0F", "0F 38", "0F 3A", "VEX 0F", "VEX 0F 38", "VEX 0F 3A",
};
static bool is_vex(unsigned sp) { return sp >= SP_VEX_0F; }

/* Legacy mandatory prefix, or VEX.pp: none, 66, F3, F2. */
enum { NPFX = 4 };
static const uint8_t pfx_byte[NPFX] = { 0, 0x66, 0xf3, 0xf2 };
static const char *const pfx_name[NPFX] = { "", "66", "F3", "F2" };
static const uint8_t vex_pp[NPFX] = { 0, 1, 2, 3 };

/* One probe: space, opcode byte, prefix, VEX.L, VEX.W, ModRM.reg, memory form. */
struct probe {
    uint8_t sp, op, pfx, l, w, reg, mem;
};

/* Bytes of the one-byte map that are prefixes or escapes, not opcodes. */
static bool is_prefix_1b(uint8_t b)
{
    switch (b) {
    case 0x0f: case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3: case 0xc4: case 0xc5:
        return true;
    default:
        return (b & 0xf0) == 0x40;   /* REX */
    }
}

static bool probe_next(struct probe *p, bool first)
{
    if (first) {
        memset(p, 0, sizeof *p);
        return true;
    }
    /* Innermost first: memory form, reg, W, L, prefix, opcode, space. */
    if (++p->mem < 2)
        return true;
    p->mem = 0;
    if (++p->reg < 8)
        return true;
    p->reg = 0;
    if (is_vex(p->sp)) {
        if (++p->w < 2)
            return true;
        p->w = 0;
        if (++p->l < 2)
            return true;
        p->l = 0;
    }
    if (++p->pfx < NPFX)
        return true;
    p->pfx = 0;
    if (++p->op != 0)
        return true;
    return ++p->sp < SP_COUNT;
}

static bool probe_skipped(const struct probe *p)
{
    /* 0F 38 and 0F 3A are the three-byte maps' escapes, probed there. */
    return (p->sp == SP_1B && is_prefix_1b(p->op)) || (p->sp == SP_0F && (p->op == 0x38 || p->op == 0x3a));
}

/* Encodes a probe into 15 bytes (immediates and displacements are zeros).
 * Memory form: ModRM mod=00 rm=100 with SIB base RAX, no index, which is
 * also a valid VSIB. */
static void probe_bytes(const struct probe *p, uint8_t b[15])
{
    memset(b, 0, 15);
    unsigned n = 0;
    if (is_vex(p->sp)) {
        b[n++] = 0xc4;
        b[n++] = (uint8_t)(0xe0 | (p->sp - SP_VEX_0F + 1));           /* R X B = 1, map */
        b[n++] = (uint8_t)(p->w << 7 | 0x78 | p->l << 2 | vex_pp[p->pfx]); /* vvvv = 1111 */
    } else {
        if (p->pfx)
            b[n++] = pfx_byte[p->pfx];
        if (p->sp != SP_1B)
            b[n++] = 0x0f;
        if (p->sp == SP_0F38)
            b[n++] = 0x38;
        if (p->sp == SP_0F3A)
            b[n++] = 0x3a;
    }
    b[n++] = p->op;
    if (p->mem) {
        b[n++] = (uint8_t)(p->reg << 3 | 4);
        b[n++] = 0x20;
    } else {
        b[n++] = (uint8_t)(0xc0 | p->reg << 3);
    }
}

/* ---- the emulator's answer ---- */

static struct vmcs_guest guest;

static emu_handler emu_classify(const struct probe *p, bool *modrm)
{
    struct emu_cpu cpu;
    memset(&cpu, 0, sizeof cpu);
    /* 64-bit mode with SSE and AVX state enabled, as a 64-bit OS runs. */
    guest.cr0 = 0x80050033u;
    guest.cr4 = (1u << 5) | (1u << 9) | (1u << 10) | (1u << 18);
    guest.efer = 0x500;
    guest.xcr0 = 7;
    cpu.g = &guest;
    cpu.mode = MODE_LONG;
    cpu.def_opsize = 4;
    cpu.def_addrsize = 8;
    cpu.stack_addrsize = 8;
    uint8_t b[15];
    probe_bytes(p, b);
    struct insn in;
    if (!emu_decode_bytes(&cpu, b, 15, &in) || in.exec == exec_gp_too_long) {
        *modrm = false;
        return exec_ud;
    }
    *modrm = in.has_modrm;
    return in.exec;
}

/* ---- the reference ---- */

enum { MNEM_LEN = 48 };

/* The mnemonic of the first instruction of each probe, "" when objdump
 * says "(bad)".  Prefix words objdump prints are kept: they tell that a
 * 66/F3/F2 was not part of the opcode. */
static char (*ref)[MNEM_LEN];
static size_t nprobes;

static bool read_reference(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return false;
    }
    char line[512];
    long cur = -1;
    bool want = false;
    while (fgets(line, sizeof line, f)) {
        char *lt = strstr(line, " <p");
        if (lt && strstr(line, ">:")) {
            cur = strtol(lt + 3, NULL, 10);
            want = cur >= 0 && (size_t)cur < nprobes;
            continue;
        }
        if (!want)
            continue;
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        want = false;
        char *text = tab + 1;
        text[strcspn(text, "\n")] = 0;
        if (strstr(text, "(bad)"))
            continue;
        /* Keep prefix words and the mnemonic; drop operands. */
        char out[MNEM_LEN] = "";
        char *save = NULL;
        for (char *tok = strtok_r(text, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
            static const char *const prefixes[] = { "data16", "addr32", "rep", "repz", "repnz", "repe", "repne",
                                                    "lock", "notrack", "bnd", "xacquire", "xrelease", "ds",
                                                    "cs", "es", "ss", "fs", "gs", NULL };
            bool is_pfx = strncmp(tok, "rex", 3) == 0;
            for (unsigned i = 0; prefixes[i] && !is_pfx; i++)
                is_pfx = strcmp(tok, prefixes[i]) == 0;
            size_t used = strlen(out);
            snprintf(out + used, sizeof out - used, "%s%s", used ? " " : "", tok);
            if (!is_pfx)
                break;
        }
        snprintf(ref[cur], MNEM_LEN, "%s", out);
    }
    fclose(f);
    return true;
}

/* The mnemonic without the prefix words. */
static const char *ref_mnemonic(const char *r)
{
    const char *sp = strrchr(r, ' ');
    return sp ? sp + 1 : r;
}

/* A legacy prefix objdump printed as a word was not consumed as part of
 * the opcode: that variant is the unprefixed instruction. */
static bool ref_prefix_ignored(const char *r, unsigned pfx)
{
    if (pfx == 1)
        return strstr(r, "data16") != NULL;
    if (pfx == 2 || pfx == 3)
        return strncmp(r, "rep", 3) == 0 || strncmp(r, "bnd", 3) == 0 || strncmp(r, "xacquire", 8) == 0 ||
               strncmp(r, "xrelease", 8) == 0 || strncmp(r, "notrack", 7) == 0;
    return false;
}

/* Extensions a v3-class Intel processor (Haswell) does not have, by
 * mnemonic prefix: later Intel extensions and other vendors' (binutils
 * decodes them all). */
static const char *const not_v3[][2] = {
    { "sha", "SHA" }, { "vsha", "SHA512" }, { "vsm3", "SM3" }, { "vsm4", "SM4" }, { "gf2p8", "GFNI" },
    { "vgf2p8", "GFNI" }, { "vpdpb", "AVX-VNNI" }, { "vpdpw", "AVX-VNNI" }, { "vpmadd52", "AVX-IFMA" },
    { "vbcstne", "AVX-NE-CONVERT" }, { "vcvtne", "AVX-NE-CONVERT" }, { "tile", "AMX" }, { "ldtilecfg", "AMX" },
    { "sttilecfg", "AMX" }, { "tdp", "AMX" }, { "tcmmrl", "AMX" }, { "tcmmim", "AMX" }, { "aesenc128kl", "KL" },
    { "aesdec128kl", "KL" }, { "aesenc256kl", "KL" }, { "aesdec256kl", "KL" }, { "aesencwide", "KL" },
    { "aesdecwide", "KL" }, { "encodekey", "KL" }, { "loadiwkey", "KL" }, { "endbr", "CET" }, { "rdssp", "CET" },
    { "incssp", "CET" }, { "saveprevssp", "CET" }, { "rstorssp", "CET" }, { "wrss", "CET" }, { "wruss", "CET" },
    { "setssbsy", "CET" }, { "clrssbsy", "CET" }, { "movdiri", "MOVDIRI" }, { "movdir64b", "MOVDIR64B" },
    { "enqcmd", "ENQCMD" }, { "serialize", "SERIALIZE" }, { "xsusldtrk", "TSXLDTRK" }, { "xresldtrk", "TSXLDTRK" },
    { "tpause", "WAITPKG" }, { "umonitor", "WAITPKG" }, { "umwait", "WAITPKG" }, { "ptwrite", "PTWRITE" },
    { "rdpid", "RDPID" }, { "wbnoinvd", "WBNOINVD" }, { "clwb", "CLWB" }, { "clflushopt", "CLFLUSHOPT" },
    { "pconfig", "PCONFIG" }, { "uiret", "UINTR" }, { "testui", "UINTR" }, { "clui", "UINTR" }, { "stui", "UINTR" },
    { "senduipi", "UINTR" }, { "hreset", "HRESET" }, { "adcx", "ADX" }, { "adox", "ADX" }, { "rdseed", "RDSEED" },
    { "clac", "SMAP" }, { "stac", "SMAP" }, { "aadd", "RAO-INT" }, { "aand", "RAO-INT" }, { "aor", "RAO-INT" },
    { "axor", "RAO-INT" }, { "prefetchit", "PREFETCHI" }, { "kadd", "AVX-512 mask" }, { "kand", "AVX-512 mask" },
    { "kmov", "AVX-512 mask" }, { "knot", "AVX-512 mask" }, { "kor", "AVX-512 mask" }, { "kshift", "AVX-512 mask" },
    { "ktest", "AVX-512 mask" }, { "kunpck", "AVX-512 mask" }, { "kxnor", "AVX-512 mask" }, { "kxor", "AVX-512 mask" },
    { "extrq", "SSE4a (AMD)" }, { "insertq", "SSE4a (AMD)" }, { "movntsd", "SSE4a (AMD)" },
    { "movntss", "SSE4a (AMD)" }, { "clzero", "AMD" }, { "monitorx", "AMD" }, { "mwaitx", "AMD" }, { "rdpru", "AMD" },
    { "invlpgb", "AMD" }, { "tlbsync", "AMD" }, { "skinit", "AMD SVM" }, { "vmrun", "AMD SVM" },
    { "vmload", "AMD SVM" }, { "vmsave", "AMD SVM" }, { "stgi", "AMD SVM" }, { "clgi", "AMD SVM" },
    { "invlpga", "AMD SVM" }, { "vmmcall", "AMD SVM" }, { "vmgexit", "AMD SEV" }, { "pvalidate", "AMD SEV" },
    { "psmash", "AMD SEV" }, { "rmpadjust", "AMD SEV" }, { "rmpupdate", "AMD SEV" }, { "mcommit", "AMD" },
    { "femms", "3DNow! (AMD)" }, { "montmul", "PadLock (VIA)" }, { "xsha", "PadLock (VIA)" },
    { "xstore", "PadLock (VIA)" }, { "xcrypt", "PadLock (VIA)" }, { "lkgs", "LKGS" }, { "erets", "FRED" }, { "eretu", "FRED" },
    { "wrmsrns", "WRMSRNS" }, { "rdmsrlist", "MSRLIST" }, { "wrmsrlist", "MSRLIST" }, { "cmpbexadd", "CMPCCXADD" },
};

static const char *ref_extension_not_v3(const char *mnem, unsigned sp, uint8_t op, const char *ext, unsigned l)
{
    /* The 256-bit forms of the AES and carry-less multiply instructions. */
    if (is_vex(sp) && l == 1 && (strncmp(mnem, "vaes", 4) == 0 || strncmp(mnem, "vpclmul", 7) == 0))
        return "VAES, VPCLMULQDQ";
    /* In 64-bit mode 62 is the EVEX escape, and 8F with ModRM.reg != 0 XOP's. */
    if (sp == SP_1B && op == 0x62)
        return "EVEX (AVX-512)";
    if (sp == SP_1B && op == 0x8f && strcmp(ext, " /0") != 0)
        return "XOP (AMD)";
    /* 0F 0F is 3DNow!, whatever binutils calls the suffix. */
    if (sp == SP_0F && op == 0x0f)
        return "3DNow! (AMD)";
    /* CMPccXADD: cmp<cc>xadd. */
    size_t n = strlen(mnem);
    if (strncmp(mnem, "cmp", 3) == 0 && n > 7 && strcmp(mnem + n - 4, "xadd") == 0)
        return "CMPCCXADD";
    for (size_t i = 0; i < sizeof not_v3 / sizeof not_v3[0]; i++)
        if (strncmp(mnem, not_v3[i][0], strlen(not_v3[i][0])) == 0)
            return not_v3[i][1];
    return NULL;
}

/* ---- collapsing into rows ---- */

/* Results of one (space, opcode, prefix): [L][W][reg][mem]. */
struct cell {
    emu_handler emu;
    bool modrm;
    uint8_t l;
    const char *ref;    /* "" = invalid */
};
static struct cell cells[SP_COUNT][256][NPFX][2][2][8][2];

static bool emu_impl(const struct cell *c) { return c->emu != exec_ud; }

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

/* Instructions whose defined behaviour in a guest is #UD: UD0, UD1, UD2,
 * and RSM outside system-management mode. */
static bool defined_ud(const char *mnem)
{
    return strcmp(mnem, "ud0") == 0 || strcmp(mnem, "ud1") == 0 || strcmp(mnem, "ud2") == 0 ||
           strcmp(mnem, "rsm") == 0;
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
        const char *ext_nv3 = ref_extension_not_v3(refs[i], sp, (uint8_t)op, ext, c->l);
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

static void emit_opcode(unsigned sp, unsigned op, unsigned pfx, unsigned reg_mask)
{
    unsigned nl = is_vex(sp) ? 2 : 1, nw = is_vex(sp) ? 2 : 1;
    /* Does anything here depend on ModRM.reg? */
    bool by_reg = false, modrm = false;
    for (unsigned l = 0; l < nl; l++)
        for (unsigned w = 0; w < nw; w++)
            for (unsigned m = 0; m < 2; m++)
                for (unsigned reg = 0; reg < 8; reg++) {
                    /* Compared with the first member binutils knows. */
                    unsigned first = 0;
                    while (is_vex(sp) && first < 7 && !ref_valid(&cells[sp][op][pfx][l][w][first][m]))
                        first++;
                    const struct cell *c = &cells[sp][op][pfx][l][w][reg][m];
                    const struct cell *c0 = &cells[sp][op][pfx][l][w][first][m];
                    /* In VEX maps an invalid member is no group member:
                     * the probe's registers can collide (a gather's
                     * destination, mask and index must differ). */
                    if (is_vex(sp) && (!ref_valid(c) || !ref_valid(c0)))
                        by_reg = by_reg || c->emu != c0->emu;
                    else
                        by_reg = by_reg || !same_cell(c, c0);
                    modrm = modrm || c->modrm;
                    /* Binutils names register and memory forms apart where
                     * they differ; a ModRM exists when they could. */
                    if (ref_valid(c) && strcmp(c->ref, cells[sp][op][pfx][l][w][reg][!m].ref) != 0)
                        modrm = true;
                }
    if (by_reg)
        modrm = true;
    for (unsigned reg = 0; reg < 8; reg++) {
        if (!by_reg && reg > 0)
            break;
        if (by_reg ? !(reg_mask >> reg & 1) : !reg_mask)
            continue;
        const struct cell *sel[64];
        unsigned n = 0;
        bool regform = false, memform = false;
        /* Without groups the row is every ModRM.reg. */
        unsigned reg_lo = by_reg ? reg : 0, reg_hi = by_reg ? reg + 1 : 8;
        for (unsigned l = 0; l < nl; l++)
            for (unsigned w = 0; w < nw; w++)
                for (unsigned m = 0; m < 2; m++)
                    for (unsigned r = reg_lo; r < reg_hi; r++) {
                    const struct cell *c = &cells[sp][op][pfx][l][w][r][m];
                    if (!modrm && m)
                        continue;
                    sel[n++] = c;
                    if (ref_valid(c) || emu_impl(c)) {
                        if (m)
                            memform = true;
                        else
                            regform = true;
                    }
                }
        char ext[8] = "";
        if (by_reg)
            snprintf(ext, sizeof ext, " /%u", reg);
        char forms[48];
        snprintf(forms, sizeof forms, "%s", forms_text(regform, memform, modrm));
        if (is_vex(sp)) {
            /* VEX.L and VEX.W collapsed: which of them exist, and whether
             * W names another instruction. */
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
            size_t used = strlen(forms);
            snprintf(forms + used, sizeof forms - used, "%s%s%s", used ? "; " : "",
                     l_used[0] && l_used[1] ? "L0, L1" : l_used[0] ? "L0" : "L1", wtext);
        }
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

static void emit_table(void)
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
            for (unsigned pfx = 0; pfx < NPFX; pfx++) {
                emit_opcode(sp, op, pfx, !is_vex(sp) && pfx ? pfx_variant_regs(sp, op, pfx) : 0xffu);
            }
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

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "probes") != 0 && !(strcmp(argv[1], "table") == 0 && argc == 3))) {
        fprintf(stderr, "usage: %s probes | table DISASSEMBLY\n", argv[0]);
        return 2;
    }
    struct probe p;
    nprobes = 0;
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
    ref = calloc(nprobes, sizeof *ref);
    if (!ref || !read_reference(argv[2]))
        return 1;
    size_t i = 0;
    for (bool first = true; probe_next(&p, first); first = false, i++) {
        struct cell *c = &cells[p.sp][p.op][p.pfx][p.l][p.w][p.reg][p.mem];
        c->ref = ref[i];
        c->l = p.l;
        if (probe_skipped(&p)) {
            c->emu = exec_ud;
            continue;
        }
        c->emu = emu_classify(&p, &c->modrm);
    }
    emit_table();
    free(ref);
    return 0;
}
