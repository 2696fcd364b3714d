/*
 * fp_host.h in portable C: every operation computed with integer
 * arithmetic, bit for bit as Intel's SSE, FMA and F16C units compute it
 * with all exceptions masked.  It serves hosts without those units (a
 * non-x86 host, or an x86 host without FMA or F16C) and is checked against
 * the host's own units by tests/unit/test_softfp.c.
 *
 * Numbers are unpacked to sign, class and an integer significand with a
 * binary exponent; every operation computes its exact result (or one with
 * a sticky bit far below the rounding point) in 128 bits and rounds once
 * (round_pack).  The x86 rules this encodes:
 *  - tininess is detected after rounding; with underflow masked, UE is
 *    raised only with PE; FTZ returns a signed zero with UE and PE for a
 *    tiny result;
 *  - DAZ reads a denormal source as a zero of its sign and raises no DE;
 *  - a NaN result is the first NaN operand, quieted; an invalid operation
 *    without a NaN operand returns the default NaN (sign set, quiet bit);
 *  - an invalid or out-of-range conversion to integer returns the integer
 *    indefinite (only the sign bit set);
 *  - DE is raised for a denormal operand only when the operation has no
 *    NaN operand and detects no invalid operation or division by zero;
 *  - MIN/MAX return the second operand (as DAZ reads it) for a NaN, QNaN
 *    included (IE), and for two zeros;
 *  - FMA's NaN is the first of a, b, c in a*b+c order, whatever the
 *    132/213/231 form, and keeps its sign under FNMADD/FNMSUB; a NaN c
 *    decides 0 * inf + c, with IE only for an SNaN (SDM vol. 1 14.5.2).
 * Beyond C17 it needs unsigned __int128 and __builtin_clzll (GCC, Clang on
 * 64-bit hosts), as the x87 core does.
 */
#include "fp_host.h"

typedef unsigned __int128 u128;

enum { F_IE = 1, F_DE = 2, F_ZE = 4, F_OE = 8, F_UE = 16, F_PE = 32 };
enum { MX_DAZ = 1u << 6, MX_FTZ = 1u << 15 };
enum { RC_NEAREST, RC_DOWN, RC_UP, RC_ZERO };

/* ---- formats and the unpacked form */

struct fmt {
    unsigned ebits, mbits;   /* exponent field and fraction field widths */
};
static const struct fmt F16 = { 5, 10 }, F32 = { 8, 23 }, F64 = { 11, 52 };

static int bias(const struct fmt *f) { return (1 << (f->ebits - 1)) - 1; }
static uint64_t sign_bit(const struct fmt *f) { return 1ull << (f->ebits + f->mbits); }
static uint64_t exp_mask(const struct fmt *f) { return (1ull << f->ebits) - 1; }
static uint64_t frac_mask(const struct fmt *f) { return (1ull << f->mbits) - 1; }
static uint64_t quiet_bit(const struct fmt *f) { return 1ull << (f->mbits - 1); }
static uint64_t inf_bits(const struct fmt *f, bool neg)
{
    return (neg ? sign_bit(f) : 0) | exp_mask(f) << f->mbits;
}
/* The QNaN indefinite: sign set, quiet bit, no payload. */
static uint64_t default_nan(const struct fmt *f) { return inf_bits(f, true) | quiet_bit(f); }
static uint64_t zero_bits(const struct fmt *f, bool neg) { return neg ? sign_bit(f) : 0; }

enum cls { C_ZERO, C_FIN, C_INF, C_QNAN, C_SNAN };

/* A finite nonzero value is (-1)^neg * sig * 2^exp.  `denorm`: the
 * encoding was a denormal read as such (DAZ off). */
struct num {
    enum cls c;
    bool neg, denorm;
    int exp;
    uint64_t sig;
    uint64_t bits;
};

static bool is_nan(struct num a) { return a.c == C_QNAN || a.c == C_SNAN; }

static struct num unpack(const struct fmt *f, uint64_t bits, bool daz)
{
    struct num n = { C_FIN, (bits & sign_bit(f)) != 0, false, 0, 0, bits };
    uint64_t e = (bits >> f->mbits) & exp_mask(f), frac = bits & frac_mask(f);
    if (e == exp_mask(f)) {
        n.c = !frac ? C_INF : (frac & quiet_bit(f)) ? C_QNAN : C_SNAN;
    } else if (e == 0) {
        if (!frac || daz) {
            n.c = C_ZERO;
        } else {
            n.denorm = true;
            n.sig = frac;
            n.exp = 1 - bias(f) - (int)f->mbits;
        }
    } else {
        n.sig = frac | (1ull << f->mbits);
        n.exp = (int)e - bias(f) - (int)f->mbits;
    }
    return n;
}

/* The rounding environment of one operation and the flags it raised. */
struct env {
    unsigned rc;
    bool daz, ftz;
    uint32_t fl;
};

static struct env env_of(uint32_t mxcsr)
{
    struct env e = { (mxcsr >> 13) & 3, (mxcsr & MX_DAZ) != 0, (mxcsr & MX_FTZ) != 0, 0 };
    return e;
}

/* DE for each operand read as a denormal. */
static void denormal_check(struct env *e, struct num a) { e->fl |= a.denorm ? F_DE : 0; }

/* An operation's flags `fl` and DE for its denormal operands, unless an
 * invalid operation or a division by zero, which take priority, was
 * detected. */
static void denormal_after(struct env *e, uint32_t fl, const struct num *ops, unsigned n)
{
    e->fl |= fl;
    if (fl & (F_IE | F_ZE))
        return;
    for (unsigned i = 0; i < n; i++)
        denormal_check(e, ops[i]);
}

/* ---- rounding */

static unsigned clz128(u128 m)
{
    uint64_t hi = (uint64_t)(m >> 64);
    return hi ? (unsigned)__builtin_clzll(hi) : 64 + (unsigned)__builtin_clzll((uint64_t)m);
}

/* sig >> shift rounded by rc for a value of sign `neg`; *inexact when bits
 * were dropped. */
static u128 shift_round(u128 sig, unsigned shift, bool neg, unsigned rc, bool *inexact)
{
    bool half, rest;
    u128 kept;
    if (shift == 0) {
        *inexact = false;
        return sig;
    }
    if (shift > 128) {
        kept = 0, half = false, rest = sig != 0;
    } else if (shift == 128) {
        kept = 0, half = (sig >> 127) != 0, rest = (sig << 1) != 0;
    } else {
        kept = sig >> shift;
        half = (sig >> (shift - 1)) & 1;
        rest = (sig & (((u128)1 << (shift - 1)) - 1)) != 0;
    }
    *inexact = half || rest;
    bool up = rc == RC_NEAREST ? half && (rest || (kept & 1))
            : rc == RC_DOWN    ? *inexact && neg
            : rc == RC_UP      ? *inexact && !neg
                               : false;
    return kept + up;
}

/* (-1)^neg * sig * 2^exp (sig nonzero; its lowest bit may be a sticky bit
 * standing for bits below) rounded to format f, with x86's overflow,
 * underflow and FTZ rules. */
static uint64_t round_pack(const struct fmt *f, bool neg, int exp, u128 sig, struct env *e)
{
    unsigned p = f->mbits + 1;
    int emin = 1 - bias(f), emax = bias(f);
    unsigned lz = clz128(sig);
    sig <<= lz;
    int lead = exp - (int)lz + 127;   /* the exponent of the leading bit */
    bool inexact, tiny = lead < emin;
    if (lead == emin - 1) {
        /* Rounded to p bits with an unbounded exponent, it may reach 2^emin. */
        tiny = (shift_round(sig, 128 - p, neg, e->rc, &inexact) >> p) == 0;
    }
    if (tiny && e->ftz) {
        e->fl |= F_UE | F_PE;
        return zero_bits(f, neg);
    }
    unsigned shift = 128 - p;
    if (lead < emin)
        shift += emin - lead > 200 ? 200 : (unsigned)(emin - lead);
    u128 m = shift_round(sig, shift, neg, e->rc, &inexact);
    if (inexact)
        e->fl |= F_PE | (tiny ? F_UE : 0);
    if (lead < emin)   /* a denormal, or the smallest normal when it rounded up to 2^(p-1) */
        return zero_bits(f, neg) | (uint64_t)m;
    if (m >> p) {
        m >>= 1;
        lead++;
    }
    if (lead > emax) {
        e->fl |= F_OE | F_PE;
        bool to_inf = e->rc == RC_NEAREST || (e->rc == RC_DOWN && neg) || (e->rc == RC_UP && !neg);
        return to_inf ? inf_bits(f, neg) : inf_bits(f, neg) - 1;
    }
    return zero_bits(f, neg) | (uint64_t)(lead + bias(f)) << f->mbits | ((uint64_t)m & frac_mask(f));
}

/* ---- arithmetic on unpacked operands */

/* A NaN operand decides the result: the first one, quieted; IE for an SNaN. */
static bool nan_result(const struct fmt *f, const struct num *ops, unsigned n, uint64_t *r, struct env *e)
{
    bool any = false;
    for (unsigned i = 0; i < n; i++) {
        if (ops[i].c == C_SNAN)
            e->fl |= F_IE;
        if (is_nan(ops[i]) && !any) {
            *r = ops[i].bits | quiet_bit(f);
            any = true;
        }
    }
    return any;
}

static uint64_t invalid(const struct fmt *f, struct env *e)
{
    e->fl |= F_IE;
    return default_nan(f);
}

/* The exact sum of two finite values (either may be zero: sig 0), rounded.
 * An exact zero is +0 (-0 when rounding down) unless both addends are
 * zeros of one sign. */
static uint64_t add_exact(const struct fmt *f, bool an, int ae, u128 as, bool bn, int be, u128 bs, struct env *e)
{
    if (!as && !bs)
        return zero_bits(f, an == bn ? an : e->rc == RC_DOWN);
    if (!bs)
        return round_pack(f, an, ae, as, e);
    if (!as)
        return round_pack(f, bn, be, bs, e);
    /* Both to bit 125 (room for the carry), the smaller aligned to the
     * larger with its lost bits kept as a sticky bit. */
    unsigned la = clz128(as) - 2, lb = clz128(bs) - 2;
    as <<= la, ae -= (int)la, bs <<= lb, be -= (int)lb;
    if (ae < be) {
        u128 ts = as; as = bs; bs = ts;
        int te = ae; ae = be; be = te;
        bool tn = an; an = bn; bn = tn;
    }
    unsigned d = (unsigned)(ae - be);
    if (d >= 128)
        bs = 1;
    else if (d)
        bs = (bs >> d) | ((bs & (((u128)1 << d) - 1)) != 0);
    if (an == bn)
        return round_pack(f, an, ae, as + bs, e);
    if (as == bs)
        return zero_bits(f, e->rc == RC_DOWN);
    return as > bs ? round_pack(f, an, ae, as - bs, e) : round_pack(f, bn, ae, bs - as, e);
}

static uint64_t f_add(const struct fmt *f, struct num a, struct num b, struct env *e)
{
    if (a.c == C_INF || b.c == C_INF) {
        if (a.c == C_INF && b.c == C_INF && a.neg != b.neg)
            return invalid(f, e);
        return inf_bits(f, a.c == C_INF ? a.neg : b.neg);
    }
    return add_exact(f, a.neg, a.exp, a.c == C_FIN ? a.sig : 0, b.neg, b.exp, b.c == C_FIN ? b.sig : 0, e);
}

static uint64_t f_mul(const struct fmt *f, struct num a, struct num b, struct env *e)
{
    bool neg = a.neg != b.neg;
    if (a.c == C_INF || b.c == C_INF) {
        if (a.c == C_ZERO || b.c == C_ZERO)
            return invalid(f, e);
        return inf_bits(f, neg);
    }
    if (a.c == C_ZERO || b.c == C_ZERO)
        return zero_bits(f, neg);
    return round_pack(f, neg, a.exp + b.exp, (u128)a.sig * b.sig, e);
}

static uint64_t f_div(const struct fmt *f, struct num a, struct num b, struct env *e)
{
    bool neg = a.neg != b.neg;
    if (a.c == C_INF)
        return b.c == C_INF ? invalid(f, e) : inf_bits(f, neg);
    if (b.c == C_INF)
        return zero_bits(f, neg);
    if (b.c == C_ZERO) {
        if (a.c == C_ZERO)
            return invalid(f, e);
        e->fl |= F_ZE;
        return inf_bits(f, neg);
    }
    if (a.c == C_ZERO)
        return zero_bits(f, neg);
    /* Both significands to bit 63: a 64-bit quotient, the remainder sticky. */
    unsigned la = (unsigned)__builtin_clzll(a.sig), lb = (unsigned)__builtin_clzll(b.sig);
    u128 num = (u128)(a.sig << la) << 64;
    uint64_t den = b.sig << lb;
    u128 q = num / den;
    q |= (num % den) != 0;
    return round_pack(f, neg, a.exp - (int)la - 64 - (b.exp - (int)lb), q, e);
}

static uint64_t f_sqrt(const struct fmt *f, struct num a, struct env *e)
{
    if (a.c == C_ZERO)
        return zero_bits(f, a.neg);
    if (a.neg)
        return invalid(f, e);
    if (a.c == C_INF)
        return a.bits;
    /* sqrt(r * 2^x) with x even: a 64-bit root of the 128-bit radicand r,
     * the remainder sticky. */
    unsigned l = (unsigned)__builtin_clzll(a.sig);
    int x = a.exp - (int)l - 64;
    u128 r = (u128)(a.sig << l) << 64;
    if (x % 2) {
        r >>= 1;
        x++;
    }
    u128 root = 0, rem = r, bit = (u128)1 << 126;
    while (bit) {
        if (rem >= root + bit) {
            rem -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    return round_pack(f, false, x / 2, root | (rem != 0), e);
}

/* (a * b negated by nprod) + (c negated by nc), one rounding. */
static uint64_t f_fma(const struct fmt *f, struct num a, struct num b, struct num c, bool nprod, bool nc,
                      struct env *e)
{
    bool pneg = (a.neg != b.neg) != nprod, cneg = c.neg != nc;
    bool pinf = a.c == C_INF || b.c == C_INF, pzero = a.c == C_ZERO || b.c == C_ZERO;
    if (pinf && pzero)
        return invalid(f, e);
    if (pinf || c.c == C_INF) {
        if (pinf && c.c == C_INF && pneg != cneg)
            return invalid(f, e);
        return inf_bits(f, pinf ? pneg : cneg);
    }
    u128 ps = pzero ? 0 : (u128)a.sig * b.sig;
    return add_exact(f, pneg, a.exp + b.exp, ps, cneg, c.exp, c.c == C_FIN ? c.sig : 0, e);
}

/* Format to format: NaN payloads keep their top bits. */
static uint64_t f_convert(const struct fmt *to, const struct fmt *from, struct num a, struct env *e)
{
    if (is_nan(a)) {
        if (a.c == C_SNAN)
            e->fl |= F_IE;
        uint64_t frac = a.bits & frac_mask(from);
        frac = to->mbits > from->mbits ? frac << (to->mbits - from->mbits) : frac >> (from->mbits - to->mbits);
        return inf_bits(to, a.neg) | quiet_bit(to) | frac;
    }
    if (a.c == C_INF)
        return inf_bits(to, a.neg);
    if (a.c == C_ZERO)
        return zero_bits(to, a.neg);
    return round_pack(to, a.neg, a.exp, a.sig, e);
}

/* The integer nearest by rc to finite a (|a| below 2^64 by the caller's
 * check); *inexact when it differs from a. */
static uint64_t round_integer(struct num a, unsigned rc, bool *inexact)
{
    if (a.c == C_ZERO) {
        *inexact = false;
        return 0;
    }
    if (a.exp >= 0) {
        *inexact = false;
        return a.sig << a.exp;
    }
    return (uint64_t)shift_round(a.sig, (unsigned)-a.exp, a.neg, rc, inexact);
}

/* Conversion to a signed integer of `bits` bits, rounded by rc. */
static uint64_t f_to_int(struct num a, unsigned bits, unsigned rc, struct env *e)
{
    uint64_t indefinite = 1ull << (bits - 1);
    /* Values of 2^64 and more cannot round into range. */
    if (is_nan(a) || a.c == C_INF || (a.c == C_FIN && a.exp + 64 - __builtin_clzll(a.sig) > 64)) {
        e->fl |= F_IE;
        return indefinite;
    }
    bool inexact;
    uint64_t m = round_integer(a, rc, &inexact);
    if (a.neg ? m > indefinite : m >= indefinite) {
        e->fl |= F_IE;
        return indefinite;
    }
    e->fl |= inexact ? F_PE : 0;
    return a.neg ? 0 - m : m;
}

static uint64_t f_from_int(const struct fmt *f, int64_t v, struct env *e)
{
    if (!v)
        return 0;
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return round_pack(f, v < 0, 0, m, e);
}

/* ROUND*: to an integral value; `quiet` (imm8 bit 3) suppresses PE. */
static uint64_t f_round(const struct fmt *f, struct num a, unsigned rc, bool quiet, struct env *e)
{
    if (is_nan(a)) {
        e->fl |= a.c == C_SNAN ? F_IE : 0;
        return a.bits | quiet_bit(f);
    }
    if (a.c == C_ZERO)
        return zero_bits(f, a.neg);
    if (a.c == C_INF || a.exp >= 0)
        return a.bits;
    bool inexact;
    uint64_t m = (uint64_t)shift_round(a.sig, (unsigned)-a.exp, a.neg, rc, &inexact);
    e->fl |= inexact && !quiet ? F_PE : 0;
    return m ? round_pack(f, a.neg, 0, m, e) : zero_bits(f, a.neg);
}

/* Ordered comparison of two non-NaN values: -1, 0 or 1.  Below the sign,
 * the encodings order magnitudes; zeros (DAZ's too) are one value. */
static int f_compare(const struct fmt *f, struct num a, struct num b)
{
    int64_t ka = a.c == C_ZERO ? 0 : (int64_t)(a.bits & ~sign_bit(f));
    int64_t kb = b.c == C_ZERO ? 0 : (int64_t)(b.bits & ~sign_bit(f));
    ka = a.neg ? -ka : ka;
    kb = b.neg ? -kb : kb;
    return (ka > kb) - (ka < kb);
}

/* ---- lanes: little-endian elements of 2, 4 or 8 bytes */

static uint64_t get(const uint8_t *p, unsigned size, unsigned i)
{
    uint64_t v = 0;
    for (unsigned k = 0; k < size; k++)
        v |= (uint64_t)p[i * size + k] << (8 * k);
    return v;
}

static void put(uint8_t *p, unsigned size, unsigned i, uint64_t v)
{
    for (unsigned k = 0; k < size; k++)
        p[i * size + k] = (uint8_t)(v >> (8 * k));
}

/* The shape of a PS, PD, SS or SD form (0..3 in that order in fph_op). */
struct shape {
    const struct fmt *f;
    unsigned size, n;
};
static const struct shape shapes[4] = { { &F32, 4, 4 }, { &F64, 8, 2 }, { &F32, 4, 1 }, { &F64, 8, 1 } };

#define PS_PD_SS_SD(OP)                                                                          \
    _Static_assert(FPH_##OP##PD == FPH_##OP##PS + 1 && FPH_##OP##SS == FPH_##OP##PS + 2 &&        \
                       FPH_##OP##SD == FPH_##OP##PS + 3,                                         \
                   "fph_op lists " #OP " as PS, PD, SS, SD");
PS_PD_SS_SD(ADD) PS_PD_SS_SD(SUB) PS_PD_SS_SD(MUL) PS_PD_SS_SD(DIV) PS_PD_SS_SD(MIN)
PS_PD_SS_SD(MAX) PS_PD_SS_SD(SQRT) PS_PD_SS_SD(CMP) PS_PD_SS_SD(ROUND)
#define CASE4(OP) case FPH_##OP##PS: case FPH_##OP##PD: case FPH_##OP##SS: case FPH_##OP##SD

enum binop { B_ADD, B_SUB, B_MUL, B_DIV, B_MIN, B_MAX };

/* A source as DAZ reads it. */
static uint64_t read_as(const struct fmt *f, struct num a)
{
    return a.c == C_ZERO ? zero_bits(f, a.neg) : a.bits;
}

static uint64_t binary(enum binop k, const struct fmt *f, uint64_t x, uint64_t y, struct env *e)
{
    struct num ops[2] = { unpack(f, x, e->daz), unpack(f, y, e->daz) };
    uint64_t r = 0;
    if (k == B_MIN || k == B_MAX) {
        /* Any NaN (QNaN too) or two zeros: the second operand, as it is. */
        if (is_nan(ops[0]) || is_nan(ops[1])) {
            e->fl |= F_IE;
            return read_as(f, ops[1]);
        }
        denormal_check(e, ops[0]);
        denormal_check(e, ops[1]);
        int c = f_compare(f, ops[0], ops[1]);
        return (k == B_MIN ? c < 0 : c > 0) ? read_as(f, ops[0]) : read_as(f, ops[1]);
    }
    if (nan_result(f, ops, 2, &r, e))
        return r;
    struct env op = *e;
    op.fl = 0;
    switch (k) {
    case B_SUB:
        ops[1].neg = !ops[1].neg;
        r = f_add(f, ops[0], ops[1], &op);
        break;
    case B_MUL:
        r = f_mul(f, ops[0], ops[1], &op);
        break;
    case B_DIV:
        r = f_div(f, ops[0], ops[1], &op);
        break;
    default:
        r = f_add(f, ops[0], ops[1], &op);
        break;
    }
    denormal_after(e, op.fl, ops, 2);
    return r;
}

static void lanes_binary(enum binop k, struct shape sh, uint8_t *d, const uint8_t *s, struct env *e)
{
    for (unsigned i = 0; i < sh.n; i++)
        put(d, sh.size, i, binary(k, sh.f, get(d, sh.size, i), get(s, sh.size, i), e));
}

static uint64_t sqrt_one(const struct fmt *f, uint64_t x, struct env *e)
{
    struct num a = unpack(f, x, e->daz);
    uint64_t r = 0;
    if (nan_result(f, &a, 1, &r, e))
        return r;
    struct env op = *e;
    op.fl = 0;
    r = f_sqrt(f, a, &op);
    denormal_after(e, op.fl, &a, 1);
    return r;
}

/* CMPccPS/PD/SS/SD predicates 0-7: EQ, LT, LE, UNORD, NEQ, NLT, NLE, ORD.
 * LT, LE and their negations signal on a QNaN too. */
static uint64_t compare_one(const struct fmt *f, unsigned pred, uint64_t x, uint64_t y, struct env *e)
{
    struct num a = unpack(f, x, e->daz), b = unpack(f, y, e->daz);
    bool un = is_nan(a) || is_nan(b), signalling = (pred & 3) == 1 || (pred & 3) == 2;
    int c = 0;
    if (a.c == C_SNAN || b.c == C_SNAN || (un && signalling))
        e->fl |= F_IE;
    if (!un) {
        denormal_check(e, a);
        denormal_check(e, b);
        c = f_compare(f, a, b);
    }
    bool r;
    switch (pred & 3) {
    case 0: r = !un && c == 0; break;
    case 1: r = !un && c < 0; break;
    case 2: r = !un && c <= 0; break;
    default: r = un; break;
    }
    r = (pred & 4) ? !r : r;
    return r ? ~0ull >> (64 - 8 * (f == &F32 ? 4 : 8)) : 0;
}

/* COMIS/UCOMIS: ZF, PF, CF as RFLAGS bits (6, 2, 0). */
static uint64_t comi(const struct fmt *f, bool quiet, uint64_t x, uint64_t y, struct env *e)
{
    struct num a = unpack(f, x, e->daz), b = unpack(f, y, e->daz);
    if (is_nan(a) || is_nan(b)) {
        if (!quiet || a.c == C_SNAN || b.c == C_SNAN)
            e->fl |= F_IE;
        return 0x45;
    }
    denormal_check(e, a);
    denormal_check(e, b);
    int c = f_compare(f, a, b);
    return c < 0 ? 0x01 : c == 0 ? 0x40 : 0;
}

static uint64_t convert_one(const struct fmt *to, const struct fmt *from, uint64_t x, struct env *e)
{
    struct num a = unpack(from, x, e->daz);
    if (!is_nan(a))
        denormal_check(e, a);
    return f_convert(to, from, a, e);
}

static uint64_t to_int_one(const struct fmt *f, uint64_t x, unsigned bits, bool truncate, struct env *e)
{
    return f_to_int(unpack(f, x, e->daz), bits, truncate ? RC_ZERO : e->rc, e);
}

static int64_t sign_extend32(uint64_t v) { return (int64_t)(int32_t)(uint32_t)v; }

uint32_t fp_soft_op(enum fph_op op, unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t mxcsr)
{
    struct env e = env_of(mxcsr);
    uint8_t r[16] = { 0 };
    switch (op) {
    CASE4(ADD):
        lanes_binary(B_ADD, shapes[op - FPH_ADDPS], d, s, &e);
        break;
    CASE4(SUB):
        lanes_binary(B_SUB, shapes[op - FPH_SUBPS], d, s, &e);
        break;
    CASE4(MUL):
        lanes_binary(B_MUL, shapes[op - FPH_MULPS], d, s, &e);
        break;
    CASE4(DIV):
        lanes_binary(B_DIV, shapes[op - FPH_DIVPS], d, s, &e);
        break;
    CASE4(MIN):
        lanes_binary(B_MIN, shapes[op - FPH_MINPS], d, s, &e);
        break;
    CASE4(MAX):
        lanes_binary(B_MAX, shapes[op - FPH_MAXPS], d, s, &e);
        break;
    CASE4(SQRT): {
        struct shape sh = shapes[op - FPH_SQRTPS];
        for (unsigned i = 0; i < sh.n; i++)
            put(d, sh.size, i, sqrt_one(sh.f, get(s, sh.size, i), &e));
        break;
    }
    CASE4(CMP): {
        struct shape sh = shapes[op - FPH_CMPPS];
        for (unsigned i = 0; i < sh.n; i++)
            put(d, sh.size, i, compare_one(sh.f, imm & 7, get(d, sh.size, i), get(s, sh.size, i), &e));
        break;
    }
    CASE4(ROUND): {
        struct shape sh = shapes[op - FPH_ROUNDPS];
        unsigned rc = (imm & 4) ? e.rc : imm & 3;
        for (unsigned i = 0; i < sh.n; i++)
            put(d, sh.size, i, f_round(sh.f, unpack(sh.f, get(s, sh.size, i), e.daz), rc, (imm & 8) != 0, &e));
        break;
    }
    case FPH_ADDSUBPS:
    case FPH_ADDSUBPD: {
        struct shape sh = shapes[op == FPH_ADDSUBPD];
        for (unsigned i = 0; i < sh.n; i++)
            put(d, sh.size, i, binary(i % 2 ? B_ADD : B_SUB, sh.f, get(d, sh.size, i), get(s, sh.size, i), &e));
        break;
    }
    case FPH_HADDPS: case FPH_HADDPD: case FPH_HSUBPS: case FPH_HSUBPD: {
        /* Adjacent pairs of the destination, then of the source. */
        struct shape sh = shapes[op == FPH_HADDPD || op == FPH_HSUBPD];
        enum binop k = op == FPH_HADDPS || op == FPH_HADDPD ? B_ADD : B_SUB;
        unsigned half = sh.n / 2;
        for (unsigned i = 0; i < sh.n; i++) {
            const uint8_t *src = i < half ? d : s;
            unsigned j = 2 * (i % half);
            put(r, sh.size, i, binary(k, sh.f, get(src, sh.size, j), get(src, sh.size, j + 1), &e));
        }
        for (unsigned i = 0; i < 16; i++)
            d[i] = r[i];
        break;
    }
    case FPH_CVTPS2PD:
        for (unsigned i = 0; i < 2; i++)
            put(r, 8, i, convert_one(&F64, &F32, get(s, 4, i), &e));
        for (unsigned i = 0; i < 16; i++)
            d[i] = r[i];
        break;
    case FPH_CVTPD2PS:
        for (unsigned i = 0; i < 2; i++)
            put(r, 4, i, convert_one(&F32, &F64, get(s, 8, i), &e));
        for (unsigned i = 0; i < 16; i++)
            d[i] = r[i];
        break;
    case FPH_CVTSS2SD:
        put(d, 8, 0, convert_one(&F64, &F32, get(s, 4, 0), &e));
        break;
    case FPH_CVTSD2SS:
        put(d, 4, 0, convert_one(&F32, &F64, get(s, 8, 0), &e));
        break;
    case FPH_CVTDQ2PS:
        for (unsigned i = 0; i < 4; i++)
            put(d, 4, i, f_from_int(&F32, sign_extend32(get(s, 4, i)), &e));
        break;
    case FPH_CVTDQ2PD:
        for (unsigned i = 0; i < 2; i++)
            put(r, 8, i, f_from_int(&F64, sign_extend32(get(s, 4, i)), &e));
        for (unsigned i = 0; i < 16; i++)
            d[i] = r[i];
        break;
    case FPH_CVTPS2DQ:
    case FPH_CVTTPS2DQ:
        for (unsigned i = 0; i < 4; i++)
            put(d, 4, i, to_int_one(&F32, get(s, 4, i), 32, op == FPH_CVTTPS2DQ, &e));
        break;
    case FPH_CVTPD2DQ:
    case FPH_CVTTPD2DQ:
        for (unsigned i = 0; i < 2; i++)
            put(r, 4, i, to_int_one(&F64, get(s, 8, i), 32, op == FPH_CVTTPD2DQ, &e));
        for (unsigned i = 0; i < 16; i++)
            d[i] = r[i];
        break;
    case FPH_CVTSS2SI32: case FPH_CVTSS2SI64: case FPH_CVTTSS2SI32: case FPH_CVTTSS2SI64:
    case FPH_CVTSD2SI32: case FPH_CVTSD2SI64: case FPH_CVTTSD2SI32: case FPH_CVTTSD2SI64: {
        bool dbl = op >= FPH_CVTSD2SI32, wide = op == FPH_CVTSS2SI64 || op == FPH_CVTTSS2SI64 ||
                                               op == FPH_CVTSD2SI64 || op == FPH_CVTTSD2SI64;
        bool truncate = op == FPH_CVTTSS2SI32 || op == FPH_CVTTSS2SI64 || op == FPH_CVTTSD2SI32 ||
                        op == FPH_CVTTSD2SI64;
        uint64_t v = to_int_one(dbl ? &F64 : &F32, get(s, dbl ? 8 : 4, 0), wide ? 64 : 32, truncate, &e);
        /* A 32-bit result is zero-extended, as in a 64-bit register. */
        put(d, 8, 0, wide ? v : (uint32_t)v);
        break;
    }
    case FPH_CVTSI2SS32:
        put(d, 4, 0, f_from_int(&F32, sign_extend32(get(s, 4, 0)), &e));
        break;
    case FPH_CVTSI2SS64:
        put(d, 4, 0, f_from_int(&F32, (int64_t)get(s, 8, 0), &e));
        break;
    case FPH_CVTSI2SD32:
        put(d, 8, 0, f_from_int(&F64, sign_extend32(get(s, 4, 0)), &e));
        break;
    case FPH_CVTSI2SD64:
        put(d, 8, 0, f_from_int(&F64, (int64_t)get(s, 8, 0), &e));
        break;
    case FPH_COMISS: case FPH_UCOMISS:
        put(d, 8, 0, comi(&F32, op == FPH_UCOMISS, get(d, 4, 0), get(s, 4, 0), &e));
        break;
    case FPH_COMISD: case FPH_UCOMISD:
        put(d, 8, 0, comi(&F64, op == FPH_UCOMISD, get(d, 8, 0), get(s, 8, 0), &e));
        break;
    default:
        return 0;
    }
    return e.fl;
}

/* ---- FMA */

uint32_t fp_soft_fma(unsigned op, uint8_t d[16], const uint8_t s2[16], const uint8_t s3[16], uint32_t mxcsr)
{
    if (op >= FPH_FMA_COUNT)
        return 0;
    struct env e = env_of(mxcsr);
    unsigned order = op / 20, kind = op % 20 / 2;
    bool scalar = kind >= 2 && (kind & 1);
    struct shape sh = shapes[(op & 1) + (scalar ? 2 : 0)];
    /* kind: 0 FMADDSUB, 1 FMSUBADD, then FMADD, FMSUB, FNMADD, FNMSUB (packed, scalar). */
    bool nprod = kind >= 6, nc_all = kind == 4 || kind == 5 || kind >= 8;
    for (unsigned i = 0; i < sh.n; i++) {
        struct num x[3] = { unpack(sh.f, get(d, sh.size, i), e.daz), unpack(sh.f, get(s2, sh.size, i), e.daz),
                            unpack(sh.f, get(s3, sh.size, i), e.daz) };
        /* The operands of a*b+c for 132, 213, 231. */
        static const unsigned pick[3][3] = { { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 } };
        struct num a = x[pick[order][0]], b = x[pick[order][1]], c = x[pick[order][2]];
        bool nc = kind == 0 ? i % 2 == 0 : kind == 1 ? i % 2 == 1 : nc_all;
        uint64_t r = 0;
        struct num nans[3] = { a, b, c };
        if (!nan_result(sh.f, nans, 3, &r, &e)) {
            struct env inner = e;
            inner.fl = 0;
            r = f_fma(sh.f, a, b, c, nprod, nc, &inner);
            denormal_after(&e, inner.fl, x, 3);
        }
        put(d, sh.size, i, r);
    }
    return e.fl;
}

/* ---- F16C */

uint32_t fp_soft_cvtph2ps(uint8_t d[16], const uint8_t s[16], uint32_t mxcsr)
{
    struct env e = env_of(mxcsr);
    uint8_t r[16];
    for (unsigned i = 0; i < 4; i++)
        put(r, 4, i, f_convert(&F32, &F16, unpack(&F16, get(s, 2, i), false), &e));
    for (unsigned i = 0; i < 16; i++)
        d[i] = r[i];
    return e.fl;
}

uint32_t fp_soft_cvtps2ph(uint8_t d[16], const uint8_t s[16], unsigned imm, uint32_t mxcsr)
{
    struct env e = env_of(mxcsr);
    uint8_t r[16] = { 0 };
    /* Bits 7:3 of the immediate are ignored; with bit 2, MXCSR.RC rounds.
     * FTZ does not apply: tiny results are half-precision denormals. */
    e.rc = (imm & 4) ? e.rc : imm & 3;
    e.ftz = false;
    for (unsigned i = 0; i < 4; i++)
        put(r, 2, i, convert_one(&F16, &F32, get(s, 4, i), &e));
    for (unsigned i = 0; i < 16; i++)
        d[i] = r[i];
    return e.fl;
}

#if FP_HOST_SOFT_ONLY
/* A host without SSE: this file is the whole implementation. */
uint32_t fp_host_op(enum fph_op op, unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t mxcsr)
{
    return fp_soft_op(op, imm, d, s, mxcsr);
}
uint32_t fp_host_fma(unsigned op, uint8_t d[16], const uint8_t s2[16], const uint8_t s3[16], uint32_t mxcsr)
{
    return fp_soft_fma(op, d, s2, s3, mxcsr);
}
uint32_t fp_host_cvtph2ps(uint8_t d[16], const uint8_t s[16], uint32_t mxcsr)
{
    return fp_soft_cvtph2ps(d, s, mxcsr);
}
uint32_t fp_host_cvtps2ph(uint8_t d[16], const uint8_t s[16], unsigned imm, uint32_t mxcsr)
{
    return fp_soft_cvtps2ph(d, s, imm, mxcsr);
}
unsigned fp_host_native(void) { return 0; }
#endif
