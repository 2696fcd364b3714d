/*
 * The x87 transcendental instructions: F2XM1, FYL2X, FYL2XP1, FPTAN,
 * FPATAN, FSIN, FCOS, FSINCOS.  Results are correctly rounded to 64 bits
 * under RC (precision control does not apply to them): each is computed
 * in a floating format with a 128-bit significand (struct unp, truncating
 * arithmetic, well over 120 good bits) and rounded once.  A result that is
 * irrational gets a sticky bit, so it is never taken as exact.  Intel's
 * hardware is not correctly rounded in every case (docs/compat.md).
 *
 * Trigonometric arguments are reduced exactly modulo the 66-bit pi of the
 * hardware for any |x| < 2^63; larger ones set C2 and change nothing.
 */
#include "x87.h"

/* ---- arithmetic on struct unp: value = (-1)^sign * m * 2^(e - 127) */

static const struct unp XF_ONE = { false, 0, (u128)1 << 127 };

static struct unp xf_u64(uint64_t v)
{
    struct unp u = { false, 63, (u128)v << 64 };
    x87_normalize(&u);
    return u;
}

static struct unp xf_neg(struct unp a)
{
    a.sign = !a.sign;
    return a;
}

static struct unp xf_add(struct unp a, struct unp b)
{
    if (!a.m)
        return b;
    if (!b.m)
        return a;
    if (a.e < b.e || (a.e == b.e && a.m < b.m)) {
        struct unp t = a;
        a = b;
        b = t;
    }
    /* One bit of headroom; the bits of the smaller operand shifted out
     * leave a sticky bit, so a tiny addend still moves the sum. */
    int32_t d = a.e - b.e;
    u128 am = a.m >> 1, bsh = b.m >> 1, bm;
    if (d >= 127)
        bm = 1;
    else
        bm = (bsh >> d) | ((bsh & (((u128)1 << d) - 1)) != 0);
    struct unp r = { a.sign, a.e + 1, a.sign == b.sign ? am + bm : am - bm };
    if (!r.m)
        return (struct unp){ false, 0, 0 };
    x87_normalize(&r);
    return r;
}

static struct unp xf_sub(struct unp a, struct unp b) { return xf_add(a, xf_neg(b)); }

static struct unp xf_mul(struct unp a, struct unp b)
{
    if (!a.m || !b.m)
        return (struct unp){ false, 0, 0 };
    const u128 M = ~(uint64_t)0;
    u128 ah = a.m >> 64, al = a.m & M, bh = b.m >> 64, bl = b.m & M;
    u128 hh = ah * bh, hl = ah * bl, lh = al * bh, ll = al * bl;
    u128 mid = (hl & M) + (lh & M) + (ll >> 64);
    u128 hi = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
    bool sticky = (mid & M) || (ll & M);
    struct unp r = { a.sign != b.sign, a.e + b.e + 1, hi };
    x87_normalize(&r);
    r.m |= sticky;
    return r;
}

static struct unp xf_div(struct unp a, struct unp b)
{
    if (!a.m)
        return a;
    u128 rem = a.m, q = 0;
    bool hi = false;
    for (int i = 127; i >= 0; i--) {
        if (hi || rem >= b.m) {
            rem -= b.m;
            q |= (u128)1 << i;
        }
        hi = rem >> 127;
        rem <<= 1;
    }
    struct unp r = { a.sign != b.sign, a.e - b.e, q };
    x87_normalize(&r);
    r.m |= (rem != 0 || hi);
    return r;
}

static struct unp xf_div_u64(struct unp a, uint64_t n) { return xf_div(a, xf_u64(n)); }

/* Whether a series term no longer changes the sum.  The first correction
 * is always added (its sticky bit gives the direction: sin x just below
 * x for a tiny x); later negligible ones are not, as their sticky bit
 * could cancel that one. */
static bool negligible(struct unp term, struct unp sum) { return !term.m || term.e < sum.e - 130; }

/* ---- constants (x87.h's table of FLDPI and friends) */

static struct unp xf_pio2(void)
{
    struct unp u = x87_constant(K_PI);
    u.e--;
    return u;
}

/* The trigonometric instructions reduce by the 66-bit pi both Intel (SDM
 * vol. 1 8.3.10) and the compared AMD host use: pi rounded to 66 bits
 * (the 67th and 68th bits are 0). */
static const unsigned PI66_BITS = 66;

/* ---- a small unsigned big integer for the trigonometric reduction */

enum { BIG = 8 };
struct big {
    uint64_t w[BIG];
};

static void big_shl(struct big *r, const struct big *a, unsigned n)
{
    struct big t = { { 0 } };
    unsigned words = n / 64, bits = n % 64;
    for (int i = BIG - 1; i >= (int)words; i--) {
        uint64_t v = a->w[i - words] << bits;
        if (bits && i - (int)words - 1 >= 0)
            v |= a->w[i - words - 1] >> (64 - bits);
        t.w[i] = v;
    }
    *r = t;
}

static int big_cmp(const struct big *a, const struct big *b)
{
    for (int i = BIG - 1; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static void big_sub(struct big *a, const struct big *b)
{
    unsigned borrow = 0;
    for (int i = 0; i < BIG; i++) {
        uint64_t x = a->w[i], y = b->w[i];
        uint64_t d = x - y - borrow;
        borrow = (x < y) || (x - y < borrow);
        a->w[i] = d;
    }
}

static unsigned big_bits(const struct big *a)
{
    for (int i = BIG - 1; i >= 0; i--)
        if (a->w[i])
            return (unsigned)(64 * i + 64 - __builtin_clzll(a->w[i]));
    return 0;
}

/* a * 2^-384 as a 128-bit-significand value (sticky for the bits below). */
static struct unp big_to_xf(const struct big *a)
{
    unsigned n = big_bits(a);
    if (!n)
        return (struct unp){ false, 0, 0 };
    u128 m;
    bool sticky = false;
    if (n > 128) {
        struct big t;
        big_shl(&t, a, BIG * 64 - n);          /* leading bit to the top */
        m = ((u128)t.w[BIG - 1] << 64) | t.w[BIG - 2];
        for (int i = 0; i < BIG - 2; i++)
            sticky |= t.w[i] != 0;
    } else {
        m = (((u128)a->w[1] << 64) | a->w[0]) << (128 - n);
    }
    /* value = m * 2^(n - 128 - 384) = m * 2^(e - 127) */
    return (struct unp){ false, (int32_t)n - 385, m | sticky };
}

/* pi66/2 * 2^384 as a big integer. */
static void pio2_66(struct big *c)
{
    u128 pi = x87_constant(K_PI).m, m = pi >> (128 - PI66_BITS);
    if ((pi >> (127 - PI66_BITS)) & 1)
        m++;
    memset(c, 0, sizeof *c);
    c->w[0] = (uint64_t)m;
    c->w[1] = (uint64_t)(m >> 64);
    /* m * 2^(1 - PI66_BITS) = pi/2; times 2^384 */
    big_shl(c, c, 384 + 1 - PI66_BITS);
}

/* |x| = r + k * pi66/2 with |r| <= pi66/4, exactly, for a finite
 * |x| < 2^63; returns k mod 4 and r (with the sign relative to |x|). */
static unsigned reduce(struct unp x, struct unp *r)
{
    x.sign = false;
    if (x.e < -1) {                              /* |x| < 1/2 < pi/4 */
        *r = x;
        return 0;
    }
    /* X = |x| * 2^384, exact: the significand has 64 bits and e >= -1. */
    struct big X = { { 0 } }, C = { { 0 } }, t;
    X.w[0] = (uint64_t)(x.m >> 64);
    big_shl(&X, &X, (unsigned)(x.e - 63 + 384));
    pio2_66(&C);
    uint64_t k = 0;
    for (int i = 63; i >= 0; i--) {
        big_shl(&t, &C, (unsigned)i);
        if (big_cmp(&X, &t) >= 0) {
            big_sub(&X, &t);
            k |= 1ull << i;
        }
    }
    /* To the nearest multiple: the remainder above pi/4 goes negative. */
    struct big twice;
    big_shl(&twice, &X, 1);
    bool neg = false;
    if (big_cmp(&twice, &C) > 0) {
        t = C;
        big_sub(&t, &X);
        X = t;
        k++;
        neg = true;
    }
    *r = big_to_xf(&X);
    r->sign = neg;
    return (unsigned)(k & 3);
}

/* ---- kernels */

/* The Taylor series of sin (odd = 1: r - r^3/3! + ...) or cos (odd = 0:
 * 1 - r^2/2! + ...). */
static struct unp sin_cos_series(struct unp r, uint64_t odd)
{
    struct unp r2 = xf_mul(r, r), term = odd ? r : XF_ONE, sum = term;
    for (uint64_t n = 1; n < 60; n++) {
        term = xf_neg(xf_div_u64(xf_mul(term, r2), (2 * n - 1 + odd) * (2 * n + odd)));
        if (n > 1 && negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    return sum;
}

static struct unp sin_k(struct unp r) { return sin_cos_series(r, 1); }
static struct unp cos_k(struct unp r) { return sin_cos_series(r, 0); }

/* sin and cos of a finite |x| < 2^63. */
static void sincos_xf(struct unp x, struct unp *s, struct unp *c)
{
    struct unp r;
    unsigned q = reduce(x, &r);
    struct unp sr = sin_k(r), cr = cos_k(r);
    switch (q) {
    case 0: *s = sr; *c = cr; break;
    case 1: *s = cr; *c = xf_neg(sr); break;
    case 2: *s = xf_neg(sr); *c = xf_neg(cr); break;
    default: *s = xf_neg(cr); *c = sr; break;
    }
    if (x.sign)
        *s = xf_neg(*s);
}

/* e^y - 1 for |y| <= 1. */
static struct unp expm1_k(struct unp y)
{
    struct unp term = y, sum = y;
    for (uint64_t n = 2; n < 80; n++) {
        term = xf_div_u64(xf_mul(term, y), n);
        if (n > 2 && negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    return sum;
}

/* 2 atanh(t) = ln((1 + t) / (1 - t)) for |t| <= 0.18. */
static struct unp ln_atanh(struct unp t)
{
    struct unp s = xf_mul(t, t), p = t, sum = t;
    for (uint64_t n = 1; n < 80; n++) {
        p = xf_mul(p, s);
        struct unp term = xf_div_u64(p, 2 * n + 1);
        if (n > 1 && negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    sum.e++;
    return sum;
}

/* log2(v) for v > 0: v = 2^k * m, m in [sqrt(1/2), sqrt(2)). */
static struct unp log2_xf(struct unp v)
{
    int32_t k = v.e;
    struct unp m = v;
    m.e = 0;
    if (m.m > ((u128)0xb504f333f9de6484ull << 64)) {   /* m > sqrt(2) */
        m.e = -1;
        k++;
    }
    struct unp t = xf_div(xf_sub(m, XF_ONE), xf_add(m, XF_ONE));
    struct unp l = xf_mul(ln_atanh(t), x87_constant(K_L2E));
    struct unp kk = xf_u64((uint64_t)(k < 0 ? -(int64_t)k : k));
    kk.sign = k < 0;
    if (!k)
        kk.m = 0;
    return xf_add(kk, l);
}

/* log2(1 + x) for x > -1. */
static struct unp log2_1p_xf(struct unp x)
{
    if (x.e < -2) {                              /* |x| < 1/4: t = x / (2 + x) */
        struct unp two = XF_ONE;
        two.e = 1;
        return xf_mul(ln_atanh(xf_div(x, xf_add(two, x))), x87_constant(K_L2E));
    }
    return log2_xf(xf_add(XF_ONE, x));
}

/* atan(z) for 0 <= z <= 1: three halvings z / (1 + sqrt(1 + z^2)), then
 * the series. */
static struct unp xf_sqrt(struct unp a)
{
    struct unp y = { false, 0, (u128)0x99999999ull << 96 }; /* 1.2: a is in [1, 2] */
    for (int i = 0; i < 9; i++) {
        y = xf_add(y, xf_div(a, y));
        y.e--;
    }
    return y;
}

static struct unp atan_k(struct unp z)
{
    for (int i = 0; i < 3; i++)
        z = xf_div(z, xf_add(XF_ONE, xf_sqrt(xf_add(XF_ONE, xf_mul(z, z)))));
    struct unp z2 = xf_mul(z, z), p = z, sum = z;
    for (uint64_t n = 1; n < 60; n++) {
        p = xf_neg(xf_mul(p, z2));
        struct unp term = xf_div_u64(p, 2 * n + 1);
        if (n > 1 && negligible(term, sum))
            break;
        sum = xf_add(sum, term);
    }
    sum.e += 3;
    return sum;
}

/* ---- rounding and the register stack */

/* Round to 64 bits by RC; `exact` false marks an irrational value. */
static struct f80 deliver(struct emu_cpu *cpu, struct unp u, bool exact, unsigned *flags, bool *up)
{
    if (!u.m)
        return (struct f80){ 0, (uint16_t)(u.sign ? 0x8000 : 0) };
    if (!exact)
        u.m |= 1;
    unsigned rc = x87_rc(cpu);
    uint64_t q;
    int32_t exp;
    if (x87_round(u, F_EXT, rc, &q, &exp, flags, up)) {
        if (x87_overflow_inf(u.sign, rc)) {
            *up = true;
            return (struct f80){ 1ull << 63, (uint16_t)((u.sign ? 0x8000 : 0) | 0x7fff) };
        }
        *up = false;
        return (struct f80){ ~0ull, (uint16_t)((u.sign ? 0x8000 : 0) | 0x7ffe) };
    }
    return x87_pack(u.sign, q, exp, F_EXT);
}

static const struct f80 F80_ONE = { 1ull << 63, 0x3fff };

static struct f80 quiet(struct f80 v)
{
    v.man |= 1ull << 62;
    return v;
}

static struct f80 signed_inf(bool neg) { return (struct f80){ 1ull << 63, (uint16_t)(neg ? 0xffff : 0x7fff) }; }
static struct f80 signed_zero(bool neg) { return (struct f80){ 0, (uint16_t)(neg ? 0x8000 : 0) }; }

static void set_c2(struct emu_cpu *cpu, bool on)
{
    fsw_set(cpu, (uint16_t)((fsw(cpu) & ~FSW_C2) | (on ? FSW_C2 : 0)));
}

/* Commit flags; false (nothing to store) if one is unmasked. */
static bool commit(struct emu_cpu *cpu, unsigned flags, bool up)
{
    bool suppressed = x87_raise(cpu, flags);
    set_c1(cpu, up && !suppressed);
    return !suppressed;
}

/* |x| < 2^63 (the trigonometric instructions' range) for a finite x. */
static bool in_trig_range(struct f80 x) { return (x.se & 0x7fff) < 16383 + 63; }

/* FSIN, FCOS, FSINCOS (two results, sin deeper), FPTAN (tan, then 1.0). */
enum trig { T_SIN, T_COS, T_SINCOS, T_TAN };

static void trig(struct emu_cpu *cpu, enum trig op)
{
    bool two = op == T_SINCOS || op == T_TAN;
    set_c2(cpu, false);
    if (empty(cpu, 0) || (two && !empty(cpu, 7))) {
        if (stack_fault(cpu, !empty(cpu, 0)))
            return;
        st_set(cpu, 0, F80_INDEFINITE);
        if (two) {
            top_move(cpu, -1);
            st_set(cpu, 0, F80_INDEFINITE);
        }
        return;
    }
    struct f80 x = st_get(cpu, 0), r1 = x, r2 = F80_ONE;
    enum cls c = classify(x);
    unsigned flags = 0;
    bool up = false, up2 = false;
    if (c == C_UNSUPPORTED || c == C_INF || c == C_SNAN) {
        flags = FSW_IE;
        r1 = r2 = c == C_SNAN ? quiet(x) : F80_INDEFINITE;
    } else if (c == C_QNAN) {
        r1 = r2 = x;
    } else if ((c == C_NORMAL || c == C_DENORMAL) && !in_trig_range(x)) {
        set_c2(cpu, true);
        set_c1(cpu, false);
        return;
    } else if (c == C_ZERO) {
        /* sin(+-0) = +-0, cos(0) = 1, tan(+-0) = +-0 */
        r1 = op == T_COS ? F80_ONE : x;
    } else {
        if (c == C_DENORMAL)
            flags |= FSW_DE;
        struct unp s, co;
        sincos_xf(x87_unpack(x), &s, &co);
        switch (op) {
        case T_SIN: r1 = deliver(cpu, s, false, &flags, &up); break;
        case T_COS: r1 = deliver(cpu, co, false, &flags, &up); break;
        case T_TAN: r1 = deliver(cpu, xf_div(s, co), false, &flags, &up); break;
        default:
            /* FSINCOS: C1 from the cosine, the value on top. */
            r1 = deliver(cpu, s, false, &flags, &up2);
            r2 = deliver(cpu, co, false, &flags, &up);
            break;
        }
    }
    if (!commit(cpu, flags, up))
        return;
    set_c2(cpu, false);
    st_set(cpu, 0, r1);
    if (two) {
        top_move(cpu, -1);
        st_set(cpu, 0, r2);
    }
}

/* F2XM1: 2^x - 1 (the SDM defines it for -1 <= x <= 1; beyond, the value
 * is still computed correctly). */
static void f2xm1(struct emu_cpu *cpu)
{
    if (empty(cpu, 0)) {
        if (!stack_fault(cpu, false))
            st_set(cpu, 0, F80_INDEFINITE);
        return;
    }
    struct f80 x = st_get(cpu, 0), r = x;
    enum cls c = classify(x);
    unsigned flags = 0;
    bool up = false;
    if (c == C_UNSUPPORTED || c == C_SNAN) {
        flags = FSW_IE;
        r = c == C_SNAN ? quiet(x) : F80_INDEFINITE;
    } else if (c == C_INF) {
        r = (x.se & 0x8000) ? (struct f80){ 1ull << 63, 0xbfff } : x;   /* -1 or +inf */
    } else if (c == C_NORMAL || c == C_DENORMAL) {
        if (c == C_DENORMAL)
            flags |= FSW_DE;
        struct unp u = x87_unpack(x), v;
        bool exact = false;
        if (u.e >= 15) {
            /* Beyond the exponent range: overflow, or -1 rounded by RC. */
            v = u.sign ? xf_sub((struct unp){ false, -20000, (u128)1 << 127 }, XF_ONE)
                       : (struct unp){ false, 20000, (u128)1 << 127 };
        } else {
            /* x = n + f, |f| < 1: 2^x - 1 = 2^n (e^(f ln 2) - 1) + (2^n - 1). */
            int32_t n = 0;
            struct unp f = u;
            if (u.e >= 0) {
                n = (int32_t)(u.m >> (127 - u.e));
                struct unp nn = xf_u64((uint64_t)n);
                nn.sign = u.sign;
                f = xf_sub(u, nn);
                if (u.sign)
                    n = -n;
            }
            struct unp em = expm1_k(xf_mul(f, x87_constant(K_LN2)));
            exact = !f.m;
            em.e += n;
            struct unp pn = XF_ONE;
            pn.e += n;
            v = xf_add(em, xf_sub(pn, XF_ONE));
        }
        /* PE even for x = +-1: the hardware approximates and reports
         * an inexact result for every nonzero x (as the compared host). */
        r = deliver(cpu, v, exact, &flags, &up);
        flags |= FSW_PE;
    }
    if (commit(cpu, flags, up))
        st_set(cpu, 0, r);
}

/* The prologue of the instructions that replace ST(1) with f(ST(1), ST(0))
 * and pop.  pop2_stack_fault: an empty operand, handled (true) as the
 * stack fault it is.  pop2_special: an unsupported or NaN operand decides
 * the result (true) before the instruction's own arithmetic. */
static bool pop2_stack_fault(struct emu_cpu *cpu)
{
    if (!empty(cpu, 0) && !empty(cpu, 1))
        return false;
    if (!stack_fault(cpu, false)) {
        st_set(cpu, 1, F80_INDEFINITE);
        pop(cpu);
    }
    return true;
}

static bool pop2_special(struct f80 x, struct f80 y, enum cls cx, enum cls cy, struct f80 *r,
                         unsigned *flags)
{
    if (cx == C_UNSUPPORTED || cy == C_UNSUPPORTED) {
        *flags = FSW_IE;
        *r = F80_INDEFINITE;
        return true;
    }
    if (is_nan(cx) || is_nan(cy)) {
        *flags = (cx == C_SNAN || cy == C_SNAN) ? FSW_IE : 0;
        *r = x87_nan2(x, y, is_nan(cx), is_nan(cy));
        return true;
    }
    return false;
}

/* FYL2X (ST(1) * log2 ST(0)) and FYL2XP1 (ST(1) * log2(ST(0) + 1)); the
 * result replaces ST(1) and the stack pops. */
static void fyl2x(struct emu_cpu *cpu, bool plus1)
{
    if (pop2_stack_fault(cpu))
        return;
    struct f80 x = st_get(cpu, 0), y = st_get(cpu, 1), r;
    enum cls cx = classify(x), cy = classify(y);
    bool sx = x.se >> 15, sy = y.se >> 15;
    unsigned flags = 0;
    bool up = false;
    if (!pop2_special(x, y, cx, cy, &r, &flags)) {
        if (cx == C_DENORMAL || cy == C_DENORMAL)
            flags |= FSW_DE;
        /* The sign and kind of log2(x) (or log2(x + 1)): -1 below zero,
         * 0 for zero, 1 above; the invalid domain first. */
        bool domain_bad, log_zero, log_inf, log_neg;
        if (!plus1) {
            domain_bad = sx && cx != C_ZERO;
            log_inf = cx == C_ZERO || cx == C_INF;
            log_neg = cx == C_ZERO || (!log_inf && x87_unpack(x).e < 0);
            log_zero = !log_inf && !domain_bad && x.se == 0x3fff && x.man == 1ull << 63;
        } else {
            struct unp ux = x87_unpack(x);
            bool below_minus1 = sx && cx != C_ZERO && (cx == C_INF || ux.e > 0 || (ux.e == 0 && (ux.m << 1)));
            bool minus1 = sx && cx == C_NORMAL && ux.e == 0 && !(ux.m << 1);
            domain_bad = below_minus1;
            log_inf = minus1 || (cx == C_INF && !sx);
            log_neg = sx;
            log_zero = cx == C_ZERO;
        }
        if (domain_bad) {
            flags = FSW_IE;
            r = F80_INDEFINITE;
        } else if (log_inf) {
            /* log = -inf (x = 0, or -1 for FYL2XP1) or +inf (x = +inf) */
            if (cy == C_ZERO) {
                flags = FSW_IE;
                r = F80_INDEFINITE;
            } else {
                /* log2(0) times a finite y: a division by zero, reported
                 * without the denormal-operand flag (as FDIV by 0). */
                if (cy != C_INF && ((log_neg && cx == C_ZERO) || (plus1 && log_neg)))
                    flags = FSW_ZE;
                r = signed_inf(sy != log_neg);
            }
        } else if (log_zero) {
            if (cy == C_INF) {
                flags = FSW_IE;
                r = F80_INDEFINITE;
            } else {
                r = signed_zero(sy != (plus1 && sx));
            }
        } else if (cy == C_INF) {
            r = signed_inf(sy != log_neg);
        } else if (cy == C_ZERO) {
            r = signed_zero(sy != log_neg);
        } else {
            struct unp ux = x87_unpack(x), l;
            bool exact = false;
            if (plus1) {
                l = log2_1p_xf(ux);
            } else {
                l = log2_xf(ux);
                exact = !(ux.m << 1);             /* a power of two */
            }
            r = deliver(cpu, xf_mul(x87_unpack(y), l), exact, &flags, &up);
            /* PE also for a power of two (as F2XM1), and so UE for a tiny
             * exact product (as the compared host). */
            flags |= FSW_PE;
            if (!(r.se & 0x7fff) && r.man)
                flags |= FSW_UE;
        }
    }
    if (commit(cpu, flags, up)) {
        st_set(cpu, 1, r);
        pop(cpu);
    }
}

/* FPATAN: ST(1) = atan2(ST(1), ST(0)), then pop. */
static void fpatan(struct emu_cpu *cpu)
{
    if (pop2_stack_fault(cpu))
        return;
    struct f80 x = st_get(cpu, 0), y = st_get(cpu, 1), r;
    enum cls cx = classify(x), cy = classify(y);
    bool sx = x.se >> 15, sy = y.se >> 15;
    unsigned flags = 0;
    bool up = false;
    if (!pop2_special(x, y, cx, cy, &r, &flags)) {
        if (cx == C_DENORMAL || cy == C_DENORMAL)
            flags |= FSW_DE;
        struct unp pio2 = xf_pio2(), a;
        bool exact = false;
        if (cy == C_ZERO) {
            /* +-0, or +-pi when x is negative (-0 included) */
            if (!sx) {
                a = (struct unp){ false, 0, 0 };
                exact = true;
            } else {
                a = pio2;
                a.e++;
            }
        } else if (cy == C_INF) {
            if (cx == C_INF) {
                a = pio2;
                a.e--;                            /* pi/4 */
                if (sx)
                    a = xf_add(a, pio2);          /* 3pi/4 */
            } else {
                a = pio2;
            }
        } else if (cx == C_INF) {
            if (!sx) {
                a = (struct unp){ false, 0, 0 };
                exact = true;
            } else {
                a = pio2;
                a.e++;
            }
        } else if (cx == C_ZERO) {
            a = pio2;
        } else {
            struct unp ux = x87_unpack(x), uy = x87_unpack(y);
            ux.sign = uy.sign = false;
            bool swap = uy.e > ux.e || (uy.e == ux.e && uy.m > ux.m);
            a = swap ? xf_sub(pio2, atan_k(xf_div(ux, uy))) : atan_k(xf_div(uy, ux));
            if (sx) {
                struct unp pi = pio2;
                pi.e++;
                a = xf_sub(pi, a);
            }
        }
        a.sign = sy;
        r = exact ? signed_zero(sy) : deliver(cpu, a, false, &flags, &up);
    }
    if (commit(cpu, flags, up)) {
        st_set(cpu, 1, r);
        pop(cpu);
    }
}

bool x87_trans(struct emu_cpu *cpu, const struct insn *in)
{
    if (in->has_mem || (in->opcode & 0xff) != 0xd9)
        return false;
    switch (in->modrm) {
    case 0xf0: note(cpu, in); f2xm1(cpu); return true;
    case 0xf1: note(cpu, in); fyl2x(cpu, false); return true;
    case 0xf2: note(cpu, in); trig(cpu, T_TAN); return true;
    case 0xf3: note(cpu, in); fpatan(cpu); return true;
    case 0xf9: note(cpu, in); fyl2x(cpu, true); return true;
    case 0xfb: note(cpu, in); trig(cpu, T_SINCOS); return true;
    case 0xfe: note(cpu, in); trig(cpu, T_SIN); return true;
    case 0xff: note(cpu, in); trig(cpu, T_COS); return true;
    default: return false;
    }
}
