/* MUL, IMUL (one-, two- and three-operand), DIV, IDIV. */
#include "engine_internal.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

/* The flags MUL/IMUL leave "undefined" (SF, ZF, AF, PF) follow the host
 * Intel CPU, checked by the engine tests: SF and PF from the low half of the
 * product, ZF and AF cleared. */
static void mul_flags(struct emu_cpu *cpu, unsigned size, uint64_t lo, bool overflow)
{
    lf_record(cpu, LF_MUL, size, lo, overflow, 0);
}

void exec_mul(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned sz = in->opsize;
    uint64_t src = rm_get(cpu, in, sz);
    uint64_t a = gpr_get(cpu, GPR_RAX, sz);
    u128 p = (u128)a * src;
    uint64_t lo = (uint64_t)p & size_mask(sz);
    uint64_t hi = sz == 8 ? (uint64_t)(p >> 64) : (uint64_t)(p >> (sz * 8)) & size_mask(sz);
    if (sz == 1)
        gpr_set(cpu, GPR_RAX, 2, (hi << 8) | lo);
    else {
        gpr_set(cpu, GPR_RAX, sz, lo);
        gpr_set(cpu, GPR_RDX, sz, hi);
    }
    mul_flags(cpu, sz, lo, hi != 0);
}

/* Signed product of two sz-byte values; *overflow when it does not fit. */
static s128 smul(uint64_t a, uint64_t b, unsigned sz, bool *overflow)
{
    s128 p = (s128)(int64_t)sign_extend(a, sz) * (s128)(int64_t)sign_extend(b, sz);
    uint64_t lo = (uint64_t)p & size_mask(sz);
    *overflow = (s128)(int64_t)sign_extend(lo, sz) != p;
    return p;
}

void exec_imul1(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned sz = in->opsize;
    uint64_t src = rm_get(cpu, in, sz);
    bool ovf;
    s128 p = smul(gpr_get(cpu, GPR_RAX, sz), src, sz, &ovf);
    uint64_t lo = (uint64_t)p & size_mask(sz);
    uint64_t hi = (uint64_t)((u128)p >> (sz * 8)) & size_mask(sz);
    if (sz == 1)
        gpr_set(cpu, GPR_RAX, 2, (hi << 8) | lo);
    else {
        gpr_set(cpu, GPR_RAX, sz, lo);
        gpr_set(cpu, GPR_RDX, sz, hi);
    }
    mul_flags(cpu, sz, lo, ovf);
}

static void imul_into_reg(struct emu_cpu *cpu, const struct insn *in, uint64_t a, uint64_t b)
{
    unsigned sz = in->opsize;
    bool ovf;
    uint64_t lo = (uint64_t)smul(a, b, sz, &ovf) & size_mask(sz);
    reg_put(cpu, in, in->reg, sz, lo);
    mul_flags(cpu, sz, lo, ovf);
}

void exec_imul2(struct emu_cpu *cpu, const struct insn *in)
{
    uint64_t src = rm_get(cpu, in, in->opsize);
    imul_into_reg(cpu, in, reg_get(cpu, in, in->reg, in->opsize), src);
}

void exec_imul3(struct emu_cpu *cpu, const struct insn *in)
{
    uint64_t src = rm_get(cpu, in, in->opsize);
    imul_into_reg(cpu, in, src, in->imm & size_mask(in->opsize));
}

static _Noreturn void divide_error(struct emu_cpu *cpu)
{
    emu_raise(cpu, VEC_DE, false, 0);
}

/* DIV/IDIV leave every arithmetic flag undefined; Intel parts leave them
 * unchanged, and so do we. */
void exec_div(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned sz = in->opsize;
    uint64_t d = rm_get(cpu, in, sz);
    if (!d)
        divide_error(cpu);
    u128 n = sz == 1 ? gpr_get(cpu, GPR_RAX, 2)
                     : ((u128)gpr_get(cpu, GPR_RDX, sz) << (sz * 8)) | gpr_get(cpu, GPR_RAX, sz);
    u128 q = n / d, r = n % d;
    if (q > size_mask(sz))
        divide_error(cpu);
    if (sz == 1)
        gpr_set(cpu, GPR_RAX, 2, ((uint64_t)r << 8) | (uint64_t)q);
    else {
        gpr_set(cpu, GPR_RAX, sz, (uint64_t)q);
        gpr_set(cpu, GPR_RDX, sz, (uint64_t)r);
    }
}

void exec_idiv(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned sz = in->opsize;
    int64_t d = (int64_t)sign_extend(rm_get(cpu, in, sz), sz);
    if (!d)
        divide_error(cpu);
    s128 n;
    if (sz == 1)
        n = (int16_t)gpr_get(cpu, GPR_RAX, 2);
    else {
        u128 un = ((u128)gpr_get(cpu, GPR_RDX, sz) << (sz * 8)) | gpr_get(cpu, GPR_RAX, sz);
        unsigned sh = 128 - sz * 16;
        n = (s128)(un << sh) >> sh;
    }
    /* The one 128-bit case that overflows s128 division: handled by the
     * range check since |quotient| would be 2^127. */
    if (sz == 8 && d == -1 && n == (s128)((u128)1 << 127))
        divide_error(cpu);
    s128 q = n / d, r = n % d;
    s128 lo = -((s128)1 << (sz * 8 - 1)), hi = ((s128)1 << (sz * 8 - 1)) - 1;
    if (q < lo || q > hi)
        divide_error(cpu);
    if (sz == 1)
        gpr_set(cpu, GPR_RAX, 2, (((uint64_t)r & 0xff) << 8) | ((uint64_t)q & 0xff));
    else {
        gpr_set(cpu, GPR_RAX, sz, (uint64_t)q);
        gpr_set(cpu, GPR_RDX, sz, (uint64_t)r);
    }
}
