/*
 * BMI1 and BMI2: the VEX-encoded general-register instructions (ANDN,
 * BEXTR, BLSI, BLSMSK, BLSR; BZHI, MULX, PDEP, PEXT, RORX, SARX, SHLX,
 * SHRX).  They use no SIMD state, so neither CR0.TS nor XCR0 affects them;
 * the decoder has already applied VEX.L = 0 and the vvvv rules.  The
 * operand size is 64 with VEX.W in 64-bit mode and 32 otherwise (16-bit
 * code included).  Flags the SDM leaves undefined: AF cleared, PF from the
 * result's low byte (as the compared AMD host does for ANDN, BLSx, BZHI;
 * docs/compat.md).
 */
#include "engine_internal.h"

static unsigned bmi_size(const struct insn *in) { return in->opsize == 8 ? 8 : 4; }

/* The flags of a result: SF, ZF, PF from it, CF and OF as given, AF clear. */
static void bmi_flags(struct emu_cpu *cpu, uint64_t res, unsigned size, bool cf, uint32_t keep_zf_clear)
{
    uint32_t f = flags_szp(res, size) & ~keep_zf_clear;
    flags_set(cpu, EFL_ARITH, f | (cf ? EFL_CF : 0));
}

void exec_andn(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned n = bmi_size(in);
    uint64_t r = ~gpr_get(cpu, in->vvvv, n) & rm_get(cpu, in, n) & size_mask(n);
    gpr_set(cpu, in->reg, n, r);
    bmi_flags(cpu, r, n, false, 0);
}

/* BEXTR: start = vvvv[7:0], length = vvvv[15:8]; ZF from the result, CF
 * and OF clear. */
void exec_bextr(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned n = bmi_size(in), bits = n * 8;
    uint64_t src = rm_get(cpu, in, n), ctl = gpr_get(cpu, in->vvvv, n);
    unsigned start = ctl & 0xff, len = (ctl >> 8) & 0xff;
    uint64_t r = start < bits ? src >> start : 0;
    if (len < 64)
        r &= (1ull << len) - 1;
    gpr_set(cpu, in->reg, n, r);
    bmi_flags(cpu, r, n, false, 0);
}

/* BLSR, BLSMSK, BLSI (VEX.0F38 F3 /1 /2 /3): the destination is vvvv; CF
 * says whether the source was zero (BLSI: nonzero). */
static void bls(struct emu_cpu *cpu, const struct insn *in, unsigned kind)
{
    unsigned n = bmi_size(in);
    uint64_t s = rm_get(cpu, in, n), r;
    bool cf;
    switch (kind) {
    case 1: r = (s - 1) & s; cf = s == 0; break;
    case 2: r = (s - 1) ^ s; cf = s == 0; break;
    default: r = (0 - s) & s; cf = s != 0; break;
    }
    r &= size_mask(n);
    gpr_set(cpu, in->vvvv, n, r);
    /* BLSMSK clears ZF whatever the result (never zero anyway). */
    bmi_flags(cpu, r, n, cf, kind == 2 ? EFL_ZF : 0);
}
void exec_blsr(struct emu_cpu *cpu, const struct insn *in) { bls(cpu, in, 1); }
void exec_blsmsk(struct emu_cpu *cpu, const struct insn *in) { bls(cpu, in, 2); }
void exec_blsi(struct emu_cpu *cpu, const struct insn *in) { bls(cpu, in, 3); }

/* BZHI: bits from index vvvv[7:0] up cleared; CF if the index is past the
 * operand (which is then copied). */
void exec_bzhi(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned n = bmi_size(in), bits = n * 8;
    uint64_t src = rm_get(cpu, in, n);
    unsigned idx = gpr_get(cpu, in->vvvv, n) & 0xff;
    uint64_t r = idx < bits ? src & ((1ull << idx) - 1) : src;
    gpr_set(cpu, in->reg, n, r);
    bmi_flags(cpu, r, n, idx > bits - 1, 0);
}

/* MULX: reg = high half, vvvv = low half of rDX * r/m, unsigned; no flags.
 * With reg == vvvv the high half is what remains. */
void exec_mulx(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned n = bmi_size(in);
    uint64_t a = gpr_get(cpu, GPR_RDX, n), b = rm_get(cpu, in, n), hi, lo;
    if (n == 8) {
        unsigned __int128 p = (unsigned __int128)a * b;
        hi = (uint64_t)(p >> 64);
        lo = (uint64_t)p;
    } else {
        uint64_t p = a * b;
        hi = p >> 32;
        lo = p & 0xffffffffu;
    }
    gpr_set(cpu, in->vvvv, n, lo);
    gpr_set(cpu, in->reg, n, hi);
}

/* PDEP/PEXT: reg = deposit/extract of vvvv through the mask r/m. */
void exec_pdep(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned n = bmi_size(in);
    uint64_t src = gpr_get(cpu, in->vvvv, n), mask = rm_get(cpu, in, n), r = 0;
    for (uint64_t bit = 1; mask; bit <<= 1) {
        uint64_t low = mask & (0 - mask);
        if (src & bit)
            r |= low;
        mask &= mask - 1;
    }
    gpr_set(cpu, in->reg, n, r);
}
void exec_pext(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned n = bmi_size(in);
    uint64_t src = gpr_get(cpu, in->vvvv, n), mask = rm_get(cpu, in, n), r = 0;
    for (uint64_t bit = 1; mask; bit <<= 1) {
        uint64_t low = mask & (0 - mask);
        if (src & low)
            r |= bit;
        mask &= mask - 1;
    }
    gpr_set(cpu, in->reg, n, r);
}

/* RORX reg, r/m, imm8: rotate right, no flags. */
void exec_rorx(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned n = bmi_size(in), bits = n * 8, c = (unsigned)in->imm & (bits - 1);
    uint64_t v = rm_get(cpu, in, n);
    uint64_t r = c ? (v >> c) | (v << (bits - c)) : v;
    gpr_set(cpu, in->reg, n, r & size_mask(n));
}

/* SARX/SHLX/SHRX reg, r/m, vvvv: the count is vvvv modulo the width; no flags. */
static void shiftx(struct emu_cpu *cpu, const struct insn *in, int kind)
{
    unsigned n = bmi_size(in), c = gpr_get(cpu, in->vvvv, n) & (n * 8 - 1);
    uint64_t v = rm_get(cpu, in, n), r;
    if (kind < 0)
        r = (uint64_t)((int64_t)sign_extend(v, n) >> c);
    else
        r = kind ? v << c : v >> c;
    gpr_set(cpu, in->reg, n, r & size_mask(n));
}
void exec_sarx(struct emu_cpu *cpu, const struct insn *in) { shiftx(cpu, in, -1); }
void exec_shlx(struct emu_cpu *cpu, const struct insn *in) { shiftx(cpu, in, 1); }
void exec_shrx(struct emu_cpu *cpu, const struct insn *in) { shiftx(cpu, in, 0); }
