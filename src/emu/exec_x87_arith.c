/*
 * x87 instructions that round, on a soft-float core with 128-bit
 * significands: FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR in every form (ST(i), m32,
 * m64, m16/m32 integer), FSQRT, FRNDINT, FSCALE, FST/FSTP m32/m64,
 * FIST/FISTP/FISTTP, FICOM/FICOMP, FLDPI and the other constants, under
 * FCW's precision and rounding control.  The soft-float core (x87.h) is
 * shared with exec_x87_exact.c and exec_x87_trans.c.
 */
#include "x87.h"

/*
 * Round u to `f` under rounding control rc.  Result: *q (integer
 * significand) and *exp (so value = q * 2^(exp - (prec - 1))), or
 * overflow.  Sets PE/UE/OE in *flags and *up when the magnitude was
 * rounded up.  Returns 0 finite, 1 overflow (caller applies the masked
 * overflow response).
 */
int x87_round(struct unp u, struct fmt f, unsigned rc, uint64_t *q, int32_t *exp, unsigned *flags, bool *up)
{
    *up = false;
    if (!u.m) {
        *q = 0;
        *exp = f.emin;
        return 0;
    }
    int32_t E = u.e;                       /* exponent of the leading bit */
    int32_t eff = E < f.emin ? f.emin : E;
    int32_t drop = 127 - ((int32_t)f.prec - 1) + (eff - E); /* bits below the kept ones */
    u128 kept, rem, half;
    if (drop >= 128) {
        kept = 0;
        rem = u.m;
        half = (u128)1 << 127;
        if (drop > 128) {
            rem = 1;          /* nonzero, and below half of the last place */
            half = ~(u128)0;
        }
    } else {
        kept = u.m >> drop;
        rem = u.m & (((u128)1 << drop) - 1);
        half = (u128)1 << (drop - 1);
    }
    bool inexact = rem != 0, inc = false;
    if (inexact) {
        switch (rc) {
        case 0: inc = rem > half || (rem == half && (kept & 1)); break;
        case 1: inc = u.sign; break;
        case 2: inc = !u.sign; break;
        default: break;
        }
    }
    bool tiny = E < f.emin;
    kept += inc;
    if (kept >> f.prec) {
        kept >>= 1;
        eff++;
    }
    if (inexact)
        *flags |= FSW_PE;
    if (tiny && inexact)
        *flags |= FSW_UE;
    *up = inc;
    /* A denormal significand may have carried into the normal range. */
    *q = (uint64_t)kept;
    *exp = eff;
    if (kept && eff > f.emax) {
        *flags |= FSW_OE | FSW_PE;
        return 1;
    }
    return 0;
}

/* The masked overflow response: infinity or the largest finite value. */
bool x87_overflow_inf(bool sign, unsigned rc) { return rc == 0 || (rc == 1 && sign) || (rc == 2 && !sign); }

struct f80 x87_pack(bool sign, uint64_t q, int32_t exp, struct fmt f)
{
    struct f80 v = { 0, (uint16_t)(sign ? 0x8000 : 0) };
    if (!q)
        return v;
    uint64_t man = q << (64 - f.prec);
    if (man >> 63)
        v.se |= (uint16_t)(exp + 16383);
    v.man = man;  /* denormal: exponent field 0 */
    return v;
}

/* Round to the destination precision of an arithmetic result (PC) and
 * pack as 80-bit; C1 from rounding up. */
bool x87_finish(struct emu_cpu *cpu, struct unp u, struct f80 *out, unsigned *flags, bool *up)
{
    struct fmt f = x87_pc(cpu);
    unsigned rc = x87_rc(cpu);
    uint64_t q;
    int32_t exp;
    if (x87_round(u, f, rc, &q, &exp, flags, up)) {
        if (x87_overflow_inf(u.sign, rc)) {
            out->man = 1ull << 63;
            out->se = (uint16_t)((u.sign ? 0x8000 : 0) | 0x7fff);
            *up = true;
        } else {
            out->man = ~0ull << (64 - f.prec);
            out->se = (uint16_t)((u.sign ? 0x8000 : 0) | (f.emax + 16383));
            *up = false;
        }
        return true;
    }
    *out = x87_pack(u.sign, q, exp, f);
    return true;
}

/* NaN result of two operands (SDM vol. 1, table 4-7, x87 column): a QNaN
 * wins over an SNaN; of two NaNs of the same kind the larger significand
 * (the first on a tie); the result is quiet. */
struct f80 x87_nan2(struct f80 a, struct f80 b, bool a_nan, bool b_nan)
{
    struct f80 r;
    if (a_nan && b_nan) {
        bool qa = (a.man >> 62) & 1, qb = (b.man >> 62) & 1;
        if (qa != qb)
            r = qa ? a : b;
        else
            r = ((a.man << 1) >= (b.man << 1)) ? a : b;
    } else {
        r = a_nan ? a : b;
    }
    r.man |= 1ull << 62;
    return r;
}

enum arith { A_ADD, A_MUL, A_SUB, A_SUBR, A_DIV, A_DIVR };


/*
 * a op b with every special case; returns false if an unmasked exception
 * suppresses the result.
 */
static bool arith80(struct emu_cpu *cpu, enum arith op, struct f80 a, struct f80 b, unsigned extra_flags,
                    struct f80 *out)
{
    if (op == A_SUBR || op == A_DIVR) {
        struct f80 t = a;
        a = b;
        b = t;
        op = op == A_SUBR ? A_SUB : A_DIV;
    }
    enum cls ca = classify(a), cb = classify(b);
    unsigned flags = 0;
    bool up = false;
    if (ca == C_UNSUPPORTED || cb == C_UNSUPPORTED) {
        flags |= FSW_IE;
        *out = F80_INDEFINITE;
    } else if (is_nan(ca) || is_nan(cb)) {
        if (ca == C_SNAN || cb == C_SNAN)
            flags |= FSW_IE;
        *out = x87_nan2(a, b, is_nan(ca), is_nan(cb));
    } else {
        bool sa = a.se >> 15, sb = (b.se >> 15) ^ (op == A_SUB);
        bool ia = ca == C_INF, ib = cb == C_INF, za = ca == C_ZERO, zb = cb == C_ZERO;
        bool invalid = false;
        if (op == A_ADD || op == A_SUB)
            invalid = ia && ib && sa != sb;
        else if (op == A_MUL)
            invalid = (ia && zb) || (za && ib);
        else
            invalid = (ia && ib) || (za && zb);
        if (invalid) {
            flags |= FSW_IE;
            *out = F80_INDEFINITE;
        } else {
            if (ca == C_DENORMAL || cb == C_DENORMAL || (extra_flags & FSW_DE))
                flags |= FSW_DE;
            bool rsign = (op == A_ADD || op == A_SUB) ? sa : (bool)((a.se ^ b.se) >> 15);
            struct f80 inf = { 1ull << 63, (uint16_t)(0x7fff | (rsign ? 0x8000 : 0)) };
            struct f80 zero = { 0, (uint16_t)(rsign ? 0x8000 : 0) };
            if (op == A_ADD || op == A_SUB) {
                if (ia || ib) {
                    *out = ia ? (struct f80){ 1ull << 63, (uint16_t)(0x7fff | (sa ? 0x8000 : 0)) }
                              : (struct f80){ 1ull << 63, (uint16_t)(0x7fff | (sb ? 0x8000 : 0)) };
                } else {
                    struct unp ua = x87_unpack(a), ub = x87_unpack(b);
                    ub.sign = sb;
                    if (za && zb) {
                        bool s = sa == sb ? sa : x87_rc(cpu) == 1;
                        *out = (struct f80){ 0, (uint16_t)(s ? 0x8000 : 0) };
                    } else if (za || zb) {
                        struct unp u = za ? ub : ua;
                        x87_finish(cpu, u, out, &flags, &up);
                    } else {
                        /* Headroom bit: both significands shifted right by one. */
                        ua.m >>= 1;
                        ub.m >>= 1;
                        ua.e++;
                        ub.e++;
                        if (ua.e < ub.e) {
                            struct unp t = ua;
                            ua = ub;
                            ub = t;
                        }
                        int32_t d = ua.e - ub.e;
                        u128 bm = d >= 128 ? 1 : (ub.m >> d) | ((ub.m & (((u128)1 << d) - 1)) != 0);
                        if (d >= 128)
                            bm = ub.m ? 1 : 0;
                        struct unp r = { ua.sign, ua.e, 0 };
                        if (ua.sign == ub.sign) {
                            r.m = ua.m + bm;
                        } else if (ua.m >= bm) {
                            r.m = ua.m - bm;
                        } else {
                            r.m = bm - ua.m;
                            r.sign = ub.sign;
                        }
                        if (!r.m) {
                            *out = (struct f80){ 0, (uint16_t)(x87_rc(cpu) == 1 ? 0x8000 : 0) };
                        } else {
                            x87_normalize(&r);
                            x87_finish(cpu, r, out, &flags, &up);
                        }
                    }
                }
            } else if (op == A_MUL) {
                if (ia || ib) {
                    *out = inf;
                } else if (za || zb) {
                    *out = zero;
                } else {
                    struct unp ua = x87_unpack(a), ub = x87_unpack(b);
                    uint64_t ma = (uint64_t)(ua.m >> 64), mb = (uint64_t)(ub.m >> 64);
                    struct unp r = { rsign, ua.e + ub.e + 1, (u128)ma * mb };
                    x87_normalize(&r);
                    x87_finish(cpu, r, out, &flags, &up);
                }
            } else {
                if (ia) {
                    *out = inf;
                } else if (ib || za) {
                    *out = zero;
                } else if (zb) {
                    /* Division by zero is reported alone (no denormal-operand flag). */
                    flags = (flags & ~(unsigned)FSW_DE) | FSW_ZE;
                    *out = inf;
                } else {
                    struct unp ua = x87_unpack(a), ub = x87_unpack(b);
                    uint64_t ma = (uint64_t)(ua.m >> 64), mb = (uint64_t)(ub.m >> 64);
                    u128 n = (u128)ma << 64;
                    uint64_t q1 = (uint64_t)(n / mb); /* ma, mb normalized: q1 < 2^65 */
                    u128 r1 = n % mb;
                    u128 q;
                    uint64_t hi_bit = (uint64_t)((n / mb) >> 64);
                    u128 n2 = r1 << 63;
                    uint64_t q2 = (uint64_t)(n2 / mb);
                    u128 r2 = n2 % mb;
                    q = (((u128)hi_bit << 64 | q1) << 63) | q2;
                    /* q = floor(ma * 2^127 / mb): value (q | sticky) * 2^(ea - eb - 127). */
                    struct unp r = { rsign, ua.e - ub.e, q | (r2 != 0) };
                    x87_normalize(&r);
                    x87_finish(cpu, r, out, &flags, &up);
                }
            }
        }
    }
    flags |= extra_flags & FSW_IE;
    bool suppressed = x87_raise(cpu, flags);
    set_c1(cpu, up && !suppressed);
    return !suppressed;
}

/* FSQRT of ST(0). */
static bool sqrt80(struct emu_cpu *cpu, struct f80 a, struct f80 *out)
{
    enum cls c = classify(a);
    unsigned flags = 0;
    bool up = false, neg = a.se >> 15;
    if (c == C_UNSUPPORTED || (neg && c != C_ZERO && !is_nan(c))) {
        flags |= FSW_IE;
        *out = F80_INDEFINITE;
    } else if (is_nan(c)) {
        if (c == C_SNAN)
            flags |= FSW_IE;
        *out = a;
        out->man |= 1ull << 62;
    } else if (c == C_ZERO || c == C_INF) {
        *out = a;
    } else {
        if (c == C_DENORMAL)
            flags |= FSW_DE;
        struct unp u = x87_unpack(a);
        /* value = man * 2^(e - 63); make the exponent even, then the root
         * of n = man * 2^64 (or 2^63) has 64 bits. */
        uint64_t man = (uint64_t)(u.m >> 64);
        int32_t e = u.e - 63;
        u128 n = (u128)man << 64;
        if (e & 1) {
            n = (u128)man << 63;
            e++;
        }
        /* e even: sqrt(value) = sqrt(n) * 2^((e - 64) / 2) */
        uint64_t r = 0;
        for (int bit = 63; bit >= 0; bit--) {
            uint64_t t = r | (1ull << bit);
            if ((u128)t * t <= n)
                r = t;
        }
        u128 rem = n - (u128)r * r;
        bool guard = rem > r, sticky = rem != 0;
        struct unp res = { false, 0, ((u128)r << 64) | ((u128)guard << 63) | sticky };
        /* r has bit 63 set: value = r * 2^((e-64)/2) = m * 2^(E - 127) with m = r << 64. */
        res.e = (e - 64) / 2 + 63;
        x87_normalize(&res);
        x87_finish(cpu, res, out, &flags, &up);
    }
    bool suppressed = x87_raise(cpu, flags);
    set_c1(cpu, up && !suppressed);
    return !suppressed;
}

/* FRNDINT: to an integer by RC (no precision control). */
static bool rndint80(struct emu_cpu *cpu, struct f80 a, struct f80 *out)
{
    enum cls c = classify(a);
    unsigned flags = 0;
    bool up = false;
    if (c == C_UNSUPPORTED) {
        flags |= FSW_IE;
        *out = F80_INDEFINITE;
    } else if (is_nan(c)) {
        if (c == C_SNAN)
            flags |= FSW_IE;
        *out = a;
        out->man |= 1ull << 62;
    } else if (c == C_ZERO || c == C_INF) {
        *out = a;
    } else {
        if (c == C_DENORMAL)
            flags |= FSW_DE;
        struct unp u = x87_unpack(a);
        if (u.e >= 63) {
            *out = a;
        } else {
            /* Round to an integer: a format whose precision ends at 2^0. */
            struct fmt f = { 64, -16382, 16383 };
            int32_t lead = u.e;
            unsigned rc = x87_rc(cpu);
            uint64_t q;
            int32_t exp;
            if (lead < 0) {
                /* |a| < 1: 0 or 1 by RC */
                bool half_up = lead == -1 && (rc == 0 ? (u.m << 1) != 0 : false);
                bool one = rc == 0 ? half_up : rc == 1 ? u.sign : rc == 2 ? !u.sign : false;
                flags |= FSW_PE;
                up = one;
                *out = one ? (struct f80){ 1ull << 63, (uint16_t)(0x3fff | (u.sign ? 0x8000 : 0)) }
                           : (struct f80){ 0, (uint16_t)(u.sign ? 0x8000 : 0) };
            } else {
                f.prec = (unsigned)lead + 1;
                x87_round(u, f, rc, &q, &exp, &flags, &up);
                out->man = q << (64 - f.prec);
                out->se = (uint16_t)((u.sign ? 0x8000 : 0) | (exp + 16383));
            }
        }
    }
    bool suppressed = x87_raise(cpu, flags);
    set_c1(cpu, up && !suppressed);
    return !suppressed;
}

/* FSCALE: ST(0) * 2^trunc(ST(1)); rounding only at the range limits. */
static bool scale80(struct emu_cpu *cpu, struct f80 a, struct f80 b, struct f80 *out)
{
    enum cls ca = classify(a), cb = classify(b);
    unsigned flags = 0;
    bool up = false, sb = b.se >> 15;
    if (ca == C_UNSUPPORTED || cb == C_UNSUPPORTED) {
        flags |= FSW_IE;
        *out = F80_INDEFINITE;
    } else if (is_nan(ca) || is_nan(cb)) {
        if (ca == C_SNAN || cb == C_SNAN)
            flags |= FSW_IE;
        *out = x87_nan2(a, b, is_nan(ca), is_nan(cb));
    } else if ((ca == C_ZERO && cb == C_INF && !sb) || (ca == C_INF && cb == C_INF && sb)) {
        flags |= FSW_IE;
        *out = F80_INDEFINITE;
    } else if (ca == C_ZERO || ca == C_INF) {
        if (cb == C_DENORMAL)
            flags |= FSW_DE;
        *out = a;
    } else if (cb == C_INF) {
        if (ca == C_DENORMAL)
            flags |= FSW_DE;
        *out = sb ? (struct f80){ 0, (uint16_t)(a.se & 0x8000) }
                  : (struct f80){ 1ull << 63, (uint16_t)((a.se & 0x8000) | 0x7fff) };
    } else {
        if (ca == C_DENORMAL || cb == C_DENORMAL)
            flags |= FSW_DE;
        struct unp u = x87_unpack(a), v = x87_unpack(b);
        int64_t n = 0;
        if (cb != C_ZERO && v.e >= 0) {
            if (v.e >= 30)
                n = 1 << 30;                      /* far past either limit */
            else
                n = (int64_t)(v.m >> (127 - v.e));
            if (v.sign)
                n = -n;
        }
        u.e = (int32_t)(u.e + n);
        struct fmt f = F_EXT;
        unsigned rc = x87_rc(cpu);
        uint64_t q;
        int32_t exp;
        if (x87_round(u, f, rc, &q, &exp, &flags, &up)) {
            if (x87_overflow_inf(u.sign, rc)) {
                *out = (struct f80){ 1ull << 63, (uint16_t)((u.sign ? 0x8000 : 0) | 0x7fff) };
                up = true;
            } else {
                *out = (struct f80){ ~0ull, (uint16_t)((u.sign ? 0x8000 : 0) | 0x7ffe) };
                up = false;
            }
        } else {
            *out = x87_pack(u.sign, q, exp, f);
        }
    }
    bool suppressed = x87_raise(cpu, flags);
    set_c1(cpu, up && !suppressed);
    return !suppressed;
}

/* FST/FSTP m32/m64: round ST(0) to the memory format. */
static bool store_real(struct emu_cpu *cpu, struct f80 a, bool is_empty, unsigned size, uint64_t *bits)
{
    struct fmt f = size == 4 ? F_SGL : F_DBL;
    unsigned ebits = size == 4 ? 8 : 11, fbits = f.prec - 1;
    uint64_t sign = (uint64_t)(a.se >> 15) << (ebits + fbits), expmax = (1u << ebits) - 1;
    unsigned flags = 0;
    bool up = false;
    enum cls c = is_empty ? C_UNSUPPORTED : classify(a);
    if (is_empty) {
        set_c1(cpu, false);
        if (x87_raise(cpu, FSW_IE | FSW_SF))
            return false;
        *bits = (expmax << fbits | 1ull << (fbits - 1)) | ((uint64_t)1 << (ebits + fbits));
        return true;
    }
    if (c == C_UNSUPPORTED) {
        flags |= FSW_IE;
        *bits = (expmax << fbits | 1ull << (fbits - 1)) | ((uint64_t)1 << (ebits + fbits));
    } else if (is_nan(c)) {
        if (c == C_SNAN)
            flags |= FSW_IE;
        *bits = sign | expmax << fbits | 1ull << (fbits - 1) | ((a.man << 1) >> (64 - fbits));
    } else if (c == C_INF) {
        *bits = sign | expmax << fbits;
    } else if (c == C_ZERO) {
        *bits = sign;
    } else {
        /* No denormal-operand flag for a store (as the compared host). */
        uint64_t q;
        int32_t exp;
        struct unp u = x87_unpack(a);
        if (x87_round(u, f, x87_rc(cpu), &q, &exp, &flags, &up)) {
            if (x87_overflow_inf(u.sign, x87_rc(cpu))) {
                *bits = sign | expmax << fbits;
                up = true;
            } else {
                *bits = sign | ((expmax - 1) << fbits) | ((1ull << fbits) - 1);
                up = false;
            }
        } else if (q >> fbits) {
            *bits = sign | ((uint64_t)(exp + (int32_t)(expmax >> 1)) << fbits) | (q & ((1ull << fbits) - 1));
        } else {
            *bits = sign | q;
        }
    }
    bool suppressed = x87_raise(cpu, flags);
    set_c1(cpu, up && !suppressed);
    return !suppressed;
}

/* FIST/FISTP/FISTTP: ST(0) to a signed integer of `size` bytes. */
static bool store_int(struct emu_cpu *cpu, struct f80 a, bool is_empty, unsigned size, bool truncate, uint64_t *out)
{
    uint64_t indefinite = 1ull << (8 * size - 1);
    unsigned flags = 0;
    bool up = false;
    if (is_empty) {
        set_c1(cpu, false);
        if (x87_raise(cpu, FSW_IE | FSW_SF))
            return false;
        *out = indefinite;
        return true;
    }
    enum cls c = classify(a);
    if (c == C_UNSUPPORTED || is_nan(c) || c == C_INF) {
        flags |= FSW_IE;
        *out = indefinite;
    } else if (c == C_ZERO) {
        *out = 0;
    } else {
        struct unp u = x87_unpack(a);
        bool big, inexact;
        uint64_t mag = x87_round_magnitude(u, truncate ? 3 : x87_rc(cpu), &big, &inexact, &up);
        if (inexact)
            flags |= FSW_PE;
        uint64_t limit = indefinite; /* magnitude allowed: 2^(n-1) - 1, or 2^(n-1) if negative */
        if (big || mag > limit - !u.sign) {
            flags = (flags & ~(unsigned)FSW_PE) | FSW_IE;
            up = false;
            *out = indefinite;
        } else {
            *out = (u.sign ? (uint64_t)0 - mag : mag) & size_mask(size);
        }
    }
    bool suppressed = x87_raise(cpu, flags);
    set_c1(cpu, up && !suppressed);
    return !suppressed;
}

static struct f80 mem_int(struct emu_cpu *cpu, const struct insn *in, unsigned size)
{
    return from_int((int64_t)sign_extend(emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), size), size));
}

/* The arithmetic group of D8/DC/DA/DE (ModRM.reg 0,1,4-7). */
static const enum arith group_op[8] = { A_ADD, A_MUL, A_ADD, A_ADD, A_SUB, A_SUBR, A_DIV, A_DIVR };

bool x87_arith(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned op = in->opcode & 0xff, reg = (in->modrm >> 3) & 7, i = in->modrm & 7;
    bool arith_reg = reg != 2 && reg != 3;
    if (in->has_mem) {
        if ((op == 0xd8 || op == 0xdc || op == 0xda || op == 0xde) && arith_reg) {
            unsigned flags = 0;
            struct f80 b = op == 0xd8 ? mem_real(cpu, in, 4, &flags)
                         : op == 0xdc ? mem_real(cpu, in, 8, &flags)
                                      : mem_int(cpu, in, op == 0xda ? 4 : 2);
            note(cpu, in);
            if (empty(cpu, 0)) {
                if (!stack_fault(cpu, false))
                    st_set(cpu, 0, F80_INDEFINITE);
                return true;
            }
            struct f80 r;
            if (arith80(cpu, group_op[reg], st_get(cpu, 0), b, flags, &r))
                st_set(cpu, 0, r);
            return true;
        }
        unsigned key = op << 4 | reg;
        if (key == 0xda2 || key == 0xda3 || key == 0xde2 || key == 0xde3) {
            /* FICOM/FICOMP m32int/m16int */
            struct f80 b = mem_int(cpu, in, op == 0xda ? 4 : 2);
            note(cpu, in);
            x87_fcom(cpu, b, false, false, reg == 3, 0);
            return true;
        }
        if (key == 0xd92 || key == 0xd93 || key == 0xdd2 || key == 0xdd3) {
            unsigned size = op == 0xd9 ? 4 : 8;
            uint64_t bits;
            note(cpu, in);
            if (store_real(cpu, st_get(cpu, 0), empty(cpu, 0), size, &bits)) {
                emu_write(cpu, emu_ea_seg(in), ea_of(cpu, in), size, bits);
                if (reg == 3)
                    pop(cpu);
            }
            return true;
        }
        unsigned size = 0;
        bool tr = false, p = false;
        switch (key) {
        case 0xdf2: size = 2; break;
        case 0xdf3: size = 2; p = true; break;
        case 0xdf1: size = 2; p = tr = true; break;
        case 0xdb2: size = 4; break;
        case 0xdb3: size = 4; p = true; break;
        case 0xdb1: size = 4; p = tr = true; break;
        case 0xdf7: size = 8; p = true; break;
        case 0xdd1: size = 8; p = tr = true; break;
        default: return false;
        }
        uint64_t v;
        note(cpu, in);
        if (store_int(cpu, st_get(cpu, 0), empty(cpu, 0), size, tr, &v)) {
            emu_write(cpu, emu_ea_seg(in), ea_of(cpu, in), size, v);
            if (p)
                pop(cpu);
        }
        return true;
    }
    if (op == 0xd9 && in->modrm >= 0xe9 && in->modrm <= 0xed) {
        /* FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2: 128 bits of the constant,
         * rounded by RC (not PC), as the compared host does. */
        struct unp u = x87_constant((enum x87_const)(in->modrm - 0xe9));
        unsigned flags = 0;
        bool up;
        uint64_t q;
        int32_t exp;
        note(cpu, in);
        x87_round(u, F_EXT, x87_rc(cpu), &q, &exp, &flags, &up);
        struct f80 v = { q, (uint16_t)(exp + 16383) };
        push(cpu, v);
        return true;
    }
    if (op == 0xd9 && in->modrm == 0xfd) {
        note(cpu, in);
        if (empty(cpu, 0) || empty(cpu, 1)) {
            if (!stack_fault(cpu, false))
                st_set(cpu, 0, F80_INDEFINITE);
            return true;
        }
        struct f80 r;
        if (scale80(cpu, st_get(cpu, 0), st_get(cpu, 1), &r))
            st_set(cpu, 0, r);
        return true;
    }
    if (op == 0xd9 && (in->modrm == 0xfa || in->modrm == 0xfc)) {
        note(cpu, in);
        if (empty(cpu, 0)) {
            if (!stack_fault(cpu, false))
                st_set(cpu, 0, F80_INDEFINITE);
            return true;
        }
        struct f80 r;
        if (in->modrm == 0xfa ? sqrt80(cpu, st_get(cpu, 0), &r) : rndint80(cpu, st_get(cpu, 0), &r))
            st_set(cpu, 0, r);
        return true;
    }
    if ((op == 0xd8 || op == 0xdc || op == 0xde) && arith_reg) {
        /* D8: ST(0) = ST(0) op ST(i).  DC/DE: ST(i) = ST(i) op ST(0), with
         * the SUB/SUBR and DIV/DIVR encodings swapped; DE pops. */
        note(cpu, in);
        if (empty(cpu, 0) || empty(cpu, i)) {
            if (!stack_fault(cpu, false))
                st_set(cpu, op == 0xd8 ? 0 : i, F80_INDEFINITE);
            if (op == 0xde)
                pop(cpu);
            return true;
        }
        struct f80 r;
        if (op == 0xd8) {
            if (arith80(cpu, group_op[reg], st_get(cpu, 0), st_get(cpu, i), 0, &r))
                st_set(cpu, 0, r);
            return true;
        }
        static const enum arith swapped[8] = { A_ADD, A_MUL, A_ADD, A_ADD, A_SUBR, A_SUB, A_DIVR, A_DIV };
        if (arith80(cpu, swapped[reg], st_get(cpu, i), st_get(cpu, 0), 0, &r)) {
            st_set(cpu, i, r);
            if (op == 0xde)
                pop(cpu);
        }
        return true;
    }
    return false;
}
