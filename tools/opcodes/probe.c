/*
 * The probes: every byte of every opcode map with each prefix, VEX.L/W,
 * ModRM.reg and form, and what the emulator's decoder makes of each.
 */
#include <stdio.h>
#include <string.h>

#include "emu/engine_internal.h"
#include "opcode_map.h"

const char *const space_names[SP_COUNT] = {
    "one-byte", "0F", "0F 38", "0F 3A", "VEX 0F", "VEX 0F 38", "VEX 0F 3A",
};
static const uint8_t pfx_byte[NPFX] = { 0, 0x66, 0xf3, 0xf2 };
const char *const pfx_name[NPFX] = { "", "66", "F3", "F2" };
static const uint8_t vex_pp[NPFX] = { 0, 1, 2, 3 };

/* Bytes of the one-byte map that are prefixes or escapes, not opcodes. */
bool is_prefix_1b(uint8_t b)
{
    switch (b) {
    case 0x0f: case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3: case 0xc4: case 0xc5:
        return true;
    default:
        return (b & 0xf0) == 0x40;   /* REX */
    }
}

bool probe_next(struct probe *p, bool first)
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

bool probe_skipped(const struct probe *p)
{
    /* 0F 38 and 0F 3A are the three-byte maps' escapes, probed there. */
    return (p->sp == SP_1B && is_prefix_1b(p->op)) || (p->sp == SP_0F && (p->op == 0x38 || p->op == 0x3a));
}

/* Encodes a probe into 15 bytes (immediates and displacements are zeros).
 * Memory form: ModRM mod=00 rm=100 with SIB base RAX, no index, which is
 * also a valid VSIB. */
void probe_bytes(const struct probe *p, uint8_t b[15])
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

emu_handler emu_classify(const struct probe *p, bool *modrm)
{
    *modrm = false;
    if (probe_skipped(p))
        return exec_ud;   /* a prefix or escape, not an opcode */
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
    if (!emu_decode_bytes(&cpu, b, 15, &in) || in.exec == exec_gp_too_long)
        return exec_ud;
    *modrm = in.has_modrm;
    return in.exec;
}

bool emu_is_ud(emu_handler fn)
{
    return fn == exec_ud;
}
/* ---- handler names, from the one opcode table ---- */

struct handler_name {
    emu_handler fn;
    const char *name;
};

#define NAME_ROW(op, ext, modrm, imm, size, flags, handler) { handler, #handler },
static const struct handler_name handler_names[] = { OPCODE_TABLE(NAME_ROW) };
#undef NAME_ROW

/* Handlers named outside OPCODE_TABLE read "(handler)". */
const char *handler_name(emu_handler fn)
{
    for (size_t i = 0; i < sizeof handler_names / sizeof handler_names[0]; i++)
        if (handler_names[i].fn == fn) {
            const char *n = handler_names[i].name;
            return strncmp(n, "exec_", 5) == 0 ? n + 5 : n;
        }
    return "(handler)";
}
