/*
 * Lazy arithmetic flags.
 *
 * Arithmetic instructions record (operation, size, result, sources) in the
 * emu_cpu's lf_* members instead of computing OF/SF/ZF/AF/PF/CF; a flag is
 * computed only when something reads it.  Only the common ALU operations are
 * lazy; everything else sets the flags eagerly through flags_set().
 * Invariant: values in lf_res/lf_src1/lf_src2 are masked to lf_size bytes.
 */
#ifndef OPENHV_EMU_FLAGS_H
#define OPENHV_EMU_FLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

enum {
    EFL_CF = 1u << 0, EFL_FIXED1 = 1u << 1, EFL_PF = 1u << 2, EFL_AF = 1u << 4,
    EFL_ZF = 1u << 6, EFL_SF = 1u << 7, EFL_TF = 1u << 8, EFL_IF = 1u << 9,
    EFL_DF = 1u << 10, EFL_OF = 1u << 11, EFL_IOPL = 3u << 12, EFL_NT = 1u << 14,
    EFL_RF = 1u << 16, EFL_VM = 1u << 17, EFL_AC = 1u << 18, EFL_VIF = 1u << 19,
    EFL_VIP = 1u << 20, EFL_ID = 1u << 21,
};
#define EFL_ARITH (EFL_CF | EFL_PF | EFL_AF | EFL_ZF | EFL_SF | EFL_OF)

/* lf_op values.  ADD and SUB cover ADC/SBB/CMP/NEG: their flags follow from
 * the operands and the result alone.  INC/DEC keep the old CF in LF_CARRY.
 * SHL/SHR/SAR record the value shifted (src1) and a count (src2) between 1
 * and the width less one; their flags are those exec_shift.c sets: OF from
 * the first 1-bit step, AF clear.  MUL/IMUL record the low half of the
 * product and, in src1, 1 when it overflowed (CF and OF); SF and PF follow
 * the low half, ZF and AF are clear (exec_muldiv.c says why). */
enum lf_op {
    LF_NONE = 0,
    LF_ADD,
    LF_SUB,
    LF_LOGIC,
    LF_INC,
    LF_DEC,
    LF_SHL,
    LF_SHR,
    LF_SAR,
    LF_MUL,
    LF_CARRY = 0x100,
};

static inline __attribute__((always_inline)) uint64_t lf_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static inline __attribute__((always_inline)) void lf_record(struct emu_cpu *cpu, uint32_t op, unsigned size, uint64_t res,
                             uint64_t src1, uint64_t src2)
{
    cpu->lf_op = op;
    cpu->lf_size = (uint8_t)size;
    cpu->lf_res = res;
    cpu->lf_src1 = src1;
    cpu->lf_src2 = src2;
}

/* Individual flags, evaluated from the lazy record or RFLAGS, and the
 * condition codes 0..15 of Jcc/SETcc/CMOVcc: inline, so that a handler
 * generated for one condition computes only the flags it needs. */
static inline unsigned top_shift(unsigned size) { return size * 8 - 1; }

static inline bool parity_even(uint64_t res)
{
    return !__builtin_parity((unsigned)(res & 0xff));
}

/* Carry (ADD) and borrow (SUB) vectors: bit i is the carry out of bit i.
 * They hold for ADC/SBB too, because the carry-in is implied by the result. */
static inline uint64_t add_carries(uint64_t a, uint64_t b, uint64_t r)
{
    return (a & b) | ((a | b) & ~r);
}

static inline uint64_t sub_borrows(uint64_t a, uint64_t b, uint64_t r)
{
    return (~a & b) | ((~a | b) & r);
}

static inline __attribute__((always_inline)) bool flag_cf(const struct emu_cpu *cpu)
{
    unsigned s = top_shift(cpu->lf_size);
    switch (cpu->lf_op & 0xff) {
    case LF_NONE:
        return cpu->g->rflags & EFL_CF;
    case LF_ADD:
        return (add_carries(cpu->lf_src1, cpu->lf_src2, cpu->lf_res) >> s) & 1;
    case LF_SUB:
        return (sub_borrows(cpu->lf_src1, cpu->lf_src2, cpu->lf_res) >> s) & 1;
    case LF_LOGIC:
        return false;
    case LF_SHL:
        return (cpu->lf_src1 >> (s + 1 - cpu->lf_src2)) & 1;
    case LF_SHR:
    case LF_SAR:
        return (cpu->lf_src1 >> (cpu->lf_src2 - 1)) & 1;
    case LF_MUL:
        return cpu->lf_src1 & 1;
    default: /* INC, DEC */
        return cpu->lf_op & LF_CARRY;
    }
}

static inline __attribute__((always_inline)) bool flag_zf(const struct emu_cpu *cpu)
{
    if (cpu->lf_op == LF_NONE)
        return cpu->g->rflags & EFL_ZF;
    return cpu->lf_res == 0 && cpu->lf_op != LF_MUL;
}

static inline __attribute__((always_inline)) bool flag_sf(const struct emu_cpu *cpu)
{
    if (cpu->lf_op == LF_NONE)
        return cpu->g->rflags & EFL_SF;
    return (cpu->lf_res >> top_shift(cpu->lf_size)) & 1;
}

static inline __attribute__((always_inline)) bool flag_pf(const struct emu_cpu *cpu)
{
    if (cpu->lf_op == LF_NONE)
        return cpu->g->rflags & EFL_PF;
    return parity_even(cpu->lf_res);
}

static inline __attribute__((always_inline)) bool flag_of(const struct emu_cpu *cpu)
{
    uint64_t a = cpu->lf_src1, b = cpu->lf_src2, r = cpu->lf_res;
    unsigned s = top_shift(cpu->lf_size);
    switch (cpu->lf_op & 0xff) {
    case LF_NONE:
        return cpu->g->rflags & EFL_OF;
    case LF_ADD:
    case LF_INC:
        return (((a ^ r) & (b ^ r)) >> s) & 1;
    case LF_SUB:
    case LF_DEC:
        return (((a ^ b) & (a ^ r)) >> s) & 1;
    case LF_SHL:
        return ((a >> s) ^ (a >> (s - 1))) & 1;
    case LF_SHR:
        return (a >> s) & 1;
    case LF_MUL:
        return a & 1;
    default:
        return false;
    }
}

static inline bool flag_af(const struct emu_cpu *cpu)
{
    switch (cpu->lf_op & 0xff) {
    case LF_NONE:
        return cpu->g->rflags & EFL_AF;
    case LF_LOGIC:
    case LF_SHL:
    case LF_SHR:
    case LF_SAR:
    case LF_MUL:
        return false;
    default:
        return (cpu->lf_src1 ^ cpu->lf_src2 ^ cpu->lf_res) & 0x10;
    }
}

static inline __attribute__((always_inline)) bool flags_cond(const struct emu_cpu *cpu, unsigned cc)
{
    bool r;
    switch (cc >> 1) {
    case 0: r = flag_of(cpu); break;
    case 1: r = flag_cf(cpu); break;
    case 2: r = flag_zf(cpu); break;
    case 3: r = flag_cf(cpu) || flag_zf(cpu); break;
    case 4: r = flag_sf(cpu); break;
    case 5: r = flag_pf(cpu); break;
    case 6: r = flag_sf(cpu) != flag_of(cpu); break;
    default: r = flag_zf(cpu) || (flag_sf(cpu) != flag_of(cpu)); break;
    }
    return r ^ (cc & 1);
}

/* Make g->rflags current (clears the lazy record). */
void flags_materialize(struct emu_cpu *cpu);

/* Replace the arithmetic flags in `which` by those in `values`. */
void flags_set(struct emu_cpu *cpu, uint32_t which, uint32_t values);

/* SF, ZF and PF of a result of `size` bytes, as RFLAGS bits. */
uint32_t flags_szp(uint64_t res, unsigned size);

#endif
