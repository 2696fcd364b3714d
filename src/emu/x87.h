/*
 * Shared by the x87 files (exec_x87.c, exec_x87_arith.c): the 80-bit
 * register stack in the XSAVE area (slot i is ST(i)), exception flags and
 * their masked responses, operand classes and exact conversions.
 */
#ifndef OPENHV_EMU_X87_H
#define OPENHV_EMU_X87_H

#include "fpu.h"


enum {
    FSW_IE = 1u << 0, FSW_DE = 1u << 1, FSW_SF = 1u << 6, FSW_B_BIT = 1u << 15,
    FSW_C0 = 1u << 8, FSW_C1_BIT = 1u << 9, FSW_C2 = 1u << 10, FSW_C3 = 1u << 14,
};

struct f80 {
    uint64_t man;
    uint16_t se;   /* sign (bit 15) and biased exponent */
};

static const struct f80 F80_INDEFINITE = { 0xc000000000000000ull, 0xffff };

static inline uint8_t *slot(struct emu_cpu *cpu, unsigned i) { return fpu_area(cpu) + FX_ST0 + 16 * (i & 7); }
static inline unsigned phys(struct emu_cpu *cpu, unsigned i) { return (fpu_top(cpu) + i) & 7; }
static inline bool empty(struct emu_cpu *cpu, unsigned i) { return !(fpu_area(cpu)[FX_FTW] & (1u << phys(cpu, i))); }
static inline struct f80 st_get(struct emu_cpu *cpu, unsigned i)
{
    struct f80 v = { ld64(slot(cpu, i)), ld16(slot(cpu, i) + 8) };
    return v;
}
static inline void st_set(struct emu_cpu *cpu, unsigned i, struct f80 v)
{
    st64(slot(cpu, i), v.man);
    st16(slot(cpu, i) + 8, v.se);
    memset(slot(cpu, i) + 10, 0, 6);
    fpu_area(cpu)[FX_FTW] |= (uint8_t)(1u << phys(cpu, i));
}

static inline uint16_t fsw(struct emu_cpu *cpu) { return ld16(fpu_area(cpu) + FX_FSW); }
static inline void fsw_set(struct emu_cpu *cpu, uint16_t v) { st16(fpu_area(cpu) + FX_FSW, v); }
static inline uint16_t fcw(struct emu_cpu *cpu) { return ld16(fpu_area(cpu) + FX_FCW); }

/* Raise x87 exception flags; true if one of them is unmasked (the
 * instruction then stores nothing). */
static inline bool x87_raise(struct emu_cpu *cpu, unsigned flags)
{
    uint16_t s = (uint16_t)(fsw(cpu) | flags);
    bool unmasked = (s & 0x3f & ~fcw(cpu)) != 0;
    if (unmasked)
        s |= FSW_ES | FSW_B_BIT;
    fsw_set(cpu, s);
    return (flags & 0x3f & ~fcw(cpu)) != 0;
}

static inline void set_c1(struct emu_cpu *cpu, bool on)
{
    fsw_set(cpu, (uint16_t)((fsw(cpu) & ~FSW_C1_BIT) | (on ? FSW_C1_BIT : 0)));
}

/* Stack underflow (C1 = 0) or overflow (C1 = 1). */
static inline bool stack_fault(struct emu_cpu *cpu, bool overflow)
{
    set_c1(cpu, overflow);
    return x87_raise(cpu, FSW_IE | FSW_SF);
}

static inline void top_move(struct emu_cpu *cpu, int delta)
{
    uint8_t *a = fpu_area(cpu);
    unsigned old = fpu_top(cpu), top = (old + (unsigned)delta) & 7;
    uint8_t st[8][16];
    for (unsigned j = 0; j < 8; j++)
        memcpy(st[j], a + FX_ST0 + 16 * ((top + j - old) & 7), 16);
    memcpy(a + FX_ST0, st, sizeof st);
    fsw_set(cpu, (uint16_t)((fsw(cpu) & ~(7u << FSW_TOP_SHIFT)) | (top << FSW_TOP_SHIFT)));
}

static inline void pop(struct emu_cpu *cpu)
{
    fpu_area(cpu)[FX_FTW] &= (uint8_t)~(1u << phys(cpu, 0));
    top_move(cpu, 1);
}

/* Push v; a full stack is an overflow (masked: the indefinite is pushed). */
static inline void push(struct emu_cpu *cpu, struct f80 v)
{
    if (!empty(cpu, 7)) {
        if (stack_fault(cpu, true))
            return;
        v = F80_INDEFINITE;
    } else {
        set_c1(cpu, false);
    }
    top_move(cpu, -1);
    st_set(cpu, 0, v);
}

enum cls { C_ZERO, C_DENORMAL, C_NORMAL, C_INF, C_QNAN, C_SNAN, C_UNSUPPORTED };

static inline enum cls classify(struct f80 v)
{
    unsigned exp = v.se & 0x7fff;
    bool j = v.man >> 63;
    if (exp == 0x7fff) {
        if (!j)
            return C_UNSUPPORTED;
        if (!(v.man << 1))
            return C_INF;
        return (v.man >> 62) & 1 ? C_QNAN : C_SNAN;
    }
    if (exp == 0)
        return v.man ? C_DENORMAL : C_ZERO;
    return j ? C_NORMAL : C_UNSUPPORTED;
}

/* ---- conversions into the 80-bit format (exact) */

static inline struct f80 from_int(int64_t i)
{
    struct f80 v = { 0, 0 };
    if (!i)
        return v;
    uint64_t mag = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    unsigned sh = (unsigned)__builtin_clzll(mag);
    v.man = mag << sh;
    v.se = (uint16_t)((i < 0 ? 0x8000 : 0) | (16383 + 63 - sh));
    return v;
}

/* m32 (ebits 8, fbits 23) or m64 (11, 52); flags the invalid/denormal
 * operand exceptions.  A signalling NaN stays signalling (FLD quiets it;
 * arithmetic needs to know it was one). */
static inline struct f80 from_binary(uint64_t bits, unsigned ebits, unsigned fbits, unsigned *flags)
{
    uint64_t frac = bits & ((1ull << fbits) - 1);
    unsigned exp = (unsigned)(bits >> fbits) & ((1u << ebits) - 1);
    unsigned bias = (1u << (ebits - 1)) - 1;
    uint16_t sign = (bits >> (fbits + ebits)) & 1 ? 0x8000 : 0;
    struct f80 v = { 0, sign };
    if (exp == (1u << ebits) - 1) {
        v.se |= 0x7fff;
        v.man = (1ull << 63) | (frac << (63 - fbits));
        if (frac && !(frac >> (fbits - 1)))
            *flags |= FSW_IE;
        return v;
    }
    if (exp == 0) {
        if (frac) {
            *flags |= FSW_DE;
            unsigned sh = (unsigned)__builtin_clzll(frac);
            v.man = frac << sh;
            v.se |= (uint16_t)(16383 + 63 - sh - (bias - 1 + fbits));
        }
        return v;
    }
    v.man = (1ull << 63) | (frac << (63 - fbits));
    v.se |= (uint16_t)(exp - bias + 16383);
    return v;
}

static inline void note(struct emu_cpu *cpu, const struct insn *in)
{
    uint8_t *a = fpu_area(cpu);
    st64(a + FX_FIP, cpu->insn_rip);
    st16(a + FX_FOP, (uint16_t)(((in->opcode & 7) << 8) | in->modrm));
    if (in->has_mem)
        st64(a + FX_FDP, ea_of(cpu, in));
}

static inline struct f80 mem_real(struct emu_cpu *cpu, const struct insn *in, unsigned size, unsigned *flags)
{
    uint64_t bits = emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), size);
    return size == 4 ? from_binary(bits, 8, 23, flags) : from_binary(bits, 11, 52, flags);
}

/* FCOM/FUCOM and friends into C3/C2/C0 (exec_x87.c); pops 0, 1 or 2;
 * mem_flags: the conversion flags of a memory operand. */
void x87_fcom(struct emu_cpu *cpu, struct f80 b, bool b_empty, bool quiet, unsigned pops, unsigned mem_flags);

/* ---- the soft-float core (exec_x87_arith.c) */

typedef unsigned __int128 u128;

enum { FSW_ZE = 1u << 2, FSW_OE = 1u << 3, FSW_UE = 1u << 4, FSW_PE = 1u << 5 };

/* An unpacked finite value: (-1)^sign * m * 2^(e - 127), m normalized
 * (bit 127 set) unless zero. */
struct unp {
    bool sign;
    int32_t e;
    u128 m;
};

static inline unsigned clz128(u128 m)
{
    uint64_t hi = (uint64_t)(m >> 64);
    return hi ? (unsigned)__builtin_clzll(hi) : 64 + (unsigned)__builtin_clzll((uint64_t)m);
}

static inline void x87_normalize(struct unp *u)
{
    if (!u->m)
        return;
    unsigned sh = clz128(u->m);
    u->m <<= sh;
    u->e -= (int32_t)sh;
}

/* A finite 80-bit value (normal, denormal or pseudo-denormal). */
static inline struct unp x87_unpack(struct f80 v)
{
    struct unp u = { (v.se >> 15) != 0, 0, (u128)v.man << 64 };
    int32_t exp = v.se & 0x7fff;
    u.e = (exp ? exp : 1) - 16383;
    x87_normalize(&u);
    return u;
}

/* |u| (finite, nonzero) rounded to an integer under rounding control rc,
 * for the integer and BCD stores: the magnitude, or *big when it needs
 * more than 64 bits; *inexact when bits were dropped, *up when the
 * magnitude was rounded up. */
static inline uint64_t x87_round_magnitude(struct unp u, unsigned rc, bool *big, bool *inexact, bool *up)
{
    *big = *inexact = *up = false;
    if (u.e >= 64) {
        *big = true;
        return 0;
    }
    if (u.e < 0) {
        *inexact = true;
        *up = rc == 0 ? (u.e == -1 && (u.m << 1) != 0) : rc == 1 ? u.sign : rc == 2 ? !u.sign : false;
        return *up;
    }
    unsigned drop = 127 - (unsigned)u.e;
    u128 kept = u.m >> drop, rest = u.m & (((u128)1 << drop) - 1), half = (u128)1 << (drop - 1);
    if (rest) {
        *inexact = true;
        *up = rc == 0 ? (rest > half || (rest == half && (kept & 1))) : rc == 1 ? u.sign : rc == 2 ? !u.sign : false;
    }
    kept += *up;
    *big = (kept >> 64) != 0;
    return *big ? 0 : (uint64_t)kept;
}

struct fmt {
    unsigned prec;     /* significand bits */
    int32_t emin, emax;
};
static const struct fmt F_EXT = { 64, -16382, 16383 }, F_DBL = { 53, -1022, 1023 }, F_SGL = { 24, -126, 127 };

/* Rounding control of FCW (0 nearest, 1 down, 2 up, 3 toward zero). */
static inline unsigned x87_rc(struct emu_cpu *cpu) { return (fcw(cpu) >> 10) & 3; }
static inline struct fmt x87_pc(struct emu_cpu *cpu)
{
    struct fmt f = F_EXT;
    unsigned pc = (fcw(cpu) >> 8) & 3;
    if (pc == 0)
        f.prec = 24;
    else if (pc == 2)
        f.prec = 53;
    return f;
}


/*
 * Round u to `f` under rounding control rc: *q (integer significand) and
 * *exp (value = q * 2^(exp - (prec - 1))); sets PE/UE/OE in *flags and *up
 * when the magnitude was rounded up.  Returns 1 on overflow (the caller
 * applies the masked response), else 0.
 */
int x87_round(struct unp u, struct fmt f, unsigned rc, uint64_t *q, int32_t *exp, unsigned *flags, bool *up);
/* The masked overflow response: infinity (true) or the largest finite value. */
bool x87_overflow_inf(bool sign, unsigned rc);
struct f80 x87_pack(bool sign, uint64_t q, int32_t exp, struct fmt f);
/* Round to PC and RC and pack; C1 from rounding up. */
bool x87_finish(struct emu_cpu *cpu, struct unp u, struct f80 *out, unsigned *flags, bool *up);
/* The NaN result of two operands (SDM vol. 1 table 4-7), quiet. */
struct f80 x87_nan2(struct f80 a, struct f80 b, bool a_nan, bool b_nan);
static inline bool is_nan(enum cls c) { return c == C_QNAN || c == C_SNAN; }

/* The constants of FLDL2T..FLDLN2 (in their D9 E9..ED order) to 128 bits,
 * also the transcendental instructions' pi, log2 e and ln 2. */
enum x87_const { K_L2T, K_L2E, K_PI, K_LG2, K_LN2 };
static inline struct unp x87_constant(enum x87_const c)
{
    static const struct { uint64_t hi, lo; int32_t e; } k[5] = {
        { 0xd49a784bcd1b8afeull, 0x492bf6ff4dafdb4cull, 1 },  /* log2(10) */
        { 0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull, 0 },  /* log2(e) */
        { 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull, 1 },  /* pi */
        { 0x9a209a84fbcff798ull, 0x8f8959ac0b7c9178ull, -2 }, /* log10(2) */
        { 0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull, -1 }, /* ln(2) */
    };
    struct unp u = { false, k[c].e, ((u128)k[c].hi << 64) | k[c].lo };
    return u;
}

#endif
