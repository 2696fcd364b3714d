/*
 * The portable floating point (src/emu/fp_host_soft.c) against the host's
 * SSE, FMA and F16C units (fp_host_x86.c): every operation of fp_host.h on
 * generated operands (the edge values of each format, values built to round
 * at the halfway point or to overflow and underflow, related operand pairs,
 * random bits), under each MXCSR rounding mode with DAZ and FTZ off and on,
 * compares the 16 result bytes and the flags returned.  A group the host
 * has no unit for is skipped and says so.  A few known answers from the
 * SDM run against both implementations, so a soft-only build (where there
 * is nothing to compare against) still checks something.
 *
 * SOFTFP_ITERS=N runs N operations per group (default 100000 per group);
 * SOFTFP_SEED=S changes the operands.
 */
#include <string.h>

#include "../api/api_test.h"
#include "emu/fp_host.h"

enum kind { K_F32, K_F64, K_I32, K_I64, K_F16 };

static const char *const op_names[FPH_COUNT] = {
#define NAME2(name, mn) [FPH_##name] = #mn,
#define NAME3(name, mn, bits) [FPH_##name] = #mn #bits,
    FPH_ARITH(NAME2) FPH_TOINT(NAME3) FPH_FROMINT(NAME3) FPH_COMI(NAME2) FPH_CMP(NAME2) FPH_ROUND(NAME2)
#undef NAME2
#undef NAME3
};

/* ---- operands */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

struct layout {
    unsigned ebits, mbits;
};
static const struct layout L32 = { 8, 23 }, L64 = { 11, 52 }, L16 = { 5, 10 };

static uint64_t make(struct layout l, bool neg, uint64_t e, uint64_t frac)
{
    return (uint64_t)neg << (l.ebits + l.mbits) | (e & ((1ull << l.ebits) - 1)) << l.mbits |
           (frac & ((1ull << l.mbits) - 1));
}

/* A fraction with structure: random, few bits, runs of ones at either end. */
static uint64_t fraction(struct layout l)
{
    uint64_t m = (1ull << l.mbits) - 1;
    switch (below(6)) {
    case 0: return rnd() & m;
    case 1: return (1ull << below(l.mbits)) & m;
    case 2: return m >> below(l.mbits);
    case 3: return (m << below(l.mbits)) & m;
    case 4: return (rnd() & m) | 1;
    default: return (rnd() & m) >> below(l.mbits);
    }
}

/* Edge values: zeros, denormals, the normal extremes, infinities, NaNs
 * with payloads, 1 and its neighbours, powers of two that make sums round
 * at the halfway point and products overflow or underflow, integers at
 * the conversion limits and halves. */
static uint64_t edge(struct layout l)
{
    uint64_t b = (1ull << (l.ebits - 1)) - 1, emax = (1ull << l.ebits) - 1, m = (1ull << l.mbits) - 1;
    bool neg = rnd() & 1;
    switch (below(22)) {
    case 0: return make(l, neg, 0, 0);
    case 1: return make(l, neg, 0, 1);
    case 2: return make(l, neg, 0, m);
    case 3: return make(l, neg, 1, 0);
    case 4: return make(l, neg, emax - 1, m);
    case 5: return make(l, neg, emax, 0);
    case 6: return make(l, neg, emax, 1ull << (l.mbits - 1));                      /* QNaN */
    case 7: return make(l, neg, emax, (1ull << (l.mbits - 1)) | (rnd() & m));      /* QNaN, payload */
    case 8: return make(l, neg, emax, (rnd() & (m >> 1)) | 1);                      /* SNaN */
    case 9: return make(l, neg, b, 0);                                              /* 1 */
    case 10: return make(l, neg, b, below(2) ? 1 : m);                              /* 1 + ulp, 2 - ulp */
    case 11: return make(l, neg, b - l.mbits - 1, below(3) == 0 ? 1 : 0);            /* half an ulp of 1 */
    case 12: return make(l, neg, b + l.mbits, below(2));                            /* 2^p: integers */
    case 13: return make(l, neg, b - 1 + below(3), 1ull << (l.mbits - 1));           /* 0.75, 1.5, 3 */
    case 14: return make(l, neg, b + 31 - below(2), below(2) ? 0 : m);               /* near 2^31 */
    case 15: return make(l, neg, b + 63 - below(2), below(2) ? 0 : m);               /* near 2^63 */
    case 16: return make(l, neg, b + below(24), (1ull << (l.mbits - below(24) % l.mbits)) & m); /* n + 1/2 */
    case 17: return make(l, neg, b / 2 + below(3), rnd());                          /* squares overflow */
    case 18: return make(l, neg, b / 2 - below(3) + 1, rnd());                      /* squares underflow */
    case 19: return make(l, neg, below(l.mbits + 2), rnd());                        /* just above the denormals */
    case 20: return make(l, neg, emax - 1 - below(l.mbits + 2), rnd());              /* just below overflow */
    default: return make(l, neg, 0, rnd() >> below(64));                            /* denormal */
    }
}

static uint64_t float_bits(struct layout l)
{
    switch (below(4)) {
    case 0: return edge(l);
    case 1: return rnd() & ((2ull << (l.ebits + l.mbits)) - 1);
    case 2: {
        /* Exponents near 1: sums cancel, products stay in range. */
        uint64_t b = (1ull << (l.ebits - 1)) - 1;
        return make(l, rnd() & 1, b - 4 + below(9), fraction(l));
    }
    default: return make(l, rnd() & 1, rnd(), fraction(l));
    }
}

static uint64_t int_bits(unsigned bits)
{
    uint64_t v;
    switch (below(4)) {
    case 0: v = rnd(); break;
    case 1: v = rnd() >> below(64); break;
    case 2: v = 1ull << (bits - 1 - below(3)) | (rnd() & ((1ull << below(bits - 24)) - 1)); break;
    default: v = (uint64_t)below(5) << (bits - 3); break;
    }
    return below(2) ? 0 - v : v;
}

static uint64_t lane_value(enum kind k)
{
    switch (k) {
    case K_F32: return float_bits(L32);
    case K_F64: return float_bits(L64);
    case K_F16: return float_bits(L16);
    case K_I32: return int_bits(32);
    default: return int_bits(64);
    }
}

static unsigned kind_size(enum kind k) { return k == K_F16 ? 2 : (k == K_F32 || k == K_I32) ? 4 : 8; }

static void fill(uint8_t v[16], enum kind k)
{
    unsigned size = kind_size(k);
    for (unsigned i = 0; i < 16 / size; i++) {
        uint64_t x = lane_value(k);
        for (unsigned j = 0; j < size; j++)
            v[i * size + j] = (uint8_t)(x >> (8 * j));
    }
}

/* Sometimes the second operand is the first, nearly: equal values,
 * negations and neighbours make sums cancel and comparisons tie. */
static void relate(uint8_t s[16], const uint8_t d[16], enum kind k)
{
    if (k == K_I32 || k == K_I64 || below(3))
        return;
    unsigned size = kind_size(k);
    for (unsigned i = 0; i < 16 / size; i++) {
        if (below(2))
            continue;
        uint64_t x = 0;
        for (unsigned j = 0; j < size; j++)
            x |= (uint64_t)d[i * size + j] << (8 * j);
        switch (below(4)) {
        case 0: break;
        case 1: x ^= 1ull << (8 * size - 1); break;
        case 2: x += below(3) - 1ull; break;
        default: x = (x ^ 1ull << (8 * size - 1)) + below(5) - 2ull; break;
        }
        for (unsigned j = 0; j < size; j++)
            s[i * size + j] = (uint8_t)(x >> (8 * j));
    }
}

/* The source and destination lanes of each operation. */
static void op_kinds(enum fph_op op, enum kind *kd, enum kind *ks)
{
    switch (op) {
    case FPH_CVTPS2PD: case FPH_CVTSS2SD: *kd = K_F64; *ks = K_F32; return;
    case FPH_CVTPD2PS: case FPH_CVTSD2SS: *kd = K_F32; *ks = K_F64; return;
    case FPH_CVTDQ2PS: *kd = K_F32; *ks = K_I32; return;
    case FPH_CVTDQ2PD: *kd = K_F64; *ks = K_I32; return;
    case FPH_CVTPS2DQ: case FPH_CVTTPS2DQ: *kd = K_I32; *ks = K_F32; return;
    case FPH_CVTPD2DQ: case FPH_CVTTPD2DQ: *kd = K_I32; *ks = K_F64; return;
    case FPH_CVTSS2SI32: case FPH_CVTSS2SI64: case FPH_CVTTSS2SI32: case FPH_CVTTSS2SI64:
        *kd = K_I64; *ks = K_F32; return;
    case FPH_CVTSD2SI32: case FPH_CVTSD2SI64: case FPH_CVTTSD2SI32: case FPH_CVTTSD2SI64:
        *kd = K_I64; *ks = K_F64; return;
    case FPH_CVTSI2SS32: *kd = K_F32; *ks = K_I32; return;
    case FPH_CVTSI2SS64: *kd = K_F32; *ks = K_I64; return;
    case FPH_CVTSI2SD32: *kd = K_F64; *ks = K_I32; return;
    case FPH_CVTSI2SD64: *kd = K_F64; *ks = K_I64; return;
    default: break;
    }
    /* The rest follow their names: ..PS/..SS single, ..PD/..SD double. */
    const char *n = op_names[op];
    char last = n[strlen(n) - 1];
    *kd = *ks = last == 's' ? K_F32 : K_F64;
}

/* ---- groups */

enum group { G_ARITH, G_SQRT, G_MINMAX, G_CMP, G_CVT, G_ROUND, G_FMA, G_F16C, G_COUNT };
static const char *const group_names[G_COUNT] = { "arith", "sqrt", "minmax", "compare", "convert",
                                                  "round", "fma", "f16c" };

static enum group group_of(enum fph_op op)
{
    switch (op) {
    case FPH_SQRTPS: case FPH_SQRTPD: case FPH_SQRTSS: case FPH_SQRTSD: return G_SQRT;
    case FPH_MINPS: case FPH_MINPD: case FPH_MINSS: case FPH_MINSD:
    case FPH_MAXPS: case FPH_MAXPD: case FPH_MAXSS: case FPH_MAXSD: return G_MINMAX;
    case FPH_CMPPS: case FPH_CMPPD: case FPH_CMPSS: case FPH_CMPSD:
    case FPH_COMISS: case FPH_UCOMISS: case FPH_COMISD: case FPH_UCOMISD: return G_CMP;
    case FPH_ROUNDPS: case FPH_ROUNDPD: case FPH_ROUNDSS: case FPH_ROUNDSD: return G_ROUND;
    default: break;
    }
    return strncmp(op_names[op], "cvt", 3) == 0 ? G_CVT : G_ARITH;
}

struct tally {
    unsigned long long ops, mismatches;
};
static struct tally tallies[G_COUNT];

static void hex(char *out, const uint8_t v[16])
{
    for (int i = 15; i >= 0; i--)
        out += sprintf(out, "%02x%s", v[i], i == 8 ? "_" : "");
}

static void mismatch(enum group g, const char *name, unsigned imm, uint32_t mx, const uint8_t *const in[3],
                     const uint8_t hw[16], uint32_t hwfl, const uint8_t sw[16], uint32_t swfl)
{
    if (++tallies[g].mismatches > 8)
        return;
    char a[40], b[40], c[40], h[40], s[40];
    hex(a, in[0]);
    hex(b, in[1]);
    hex(c, in[2] ? in[2] : in[1]);
    hex(h, hw);
    hex(s, sw);
    printf("  %s imm=%u mxcsr=%#06x d=%s s=%s%s%s: host %s fl=%#04x, soft %s fl=%#04x\n", name, imm, mx, a, b,
           in[2] ? " s3=" : "", in[2] ? c : "", h, hwfl, s, swfl);
}

/* Rounding control, DAZ and FTZ in all 16 combinations, exceptions masked. */
static uint32_t mxcsr_of(unsigned long long i)
{
    return 0x1f80u | (uint32_t)(i & 3) << 13 | (i & 4 ? 0x40u : 0) | (i & 8 ? 0x8000u : 0);
}

static void run_op(enum fph_op op, unsigned long long i)
{
    enum kind kd, ks;
    op_kinds(op, &kd, &ks);
    uint8_t d[16], s[16], hw[16], sw[16];
    fill(d, kd);
    fill(s, ks);
    if (kd == ks)
        relate(s, d, ks);
    unsigned imm = below(256);
    uint32_t mx = mxcsr_of(i);
    memcpy(hw, d, 16);
    memcpy(sw, d, 16);
    uint32_t hf = fp_host_op(op, imm, hw, s, mx), sf = fp_soft_op(op, imm, sw, s, mx);
    enum group g = group_of(op);
    tallies[g].ops++;
    if (hf != sf || memcmp(hw, sw, 16)) {
        const uint8_t *in[3] = { d, s, NULL };
        mismatch(g, op_names[op], imm, mx, in, hw, hf, sw, sf);
    }
}

static const char *const fma_kinds[10] = { "fmaddsub", "fmsubadd", "fmadd", "fmadd", "fmsub",
                                           "fmsub", "fnmadd", "fnmadd", "fnmsub", "fnmsub" };

static void run_fma(unsigned op, unsigned long long i)
{
    enum kind k = (op & 1) ? K_F64 : K_F32;
    uint8_t d[16], s2[16], s3[16], hw[16], sw[16];
    fill(d, k);
    fill(s2, k);
    fill(s3, k);
    relate(s3, d, k);
    relate(s2, d, k);
    uint32_t mx = mxcsr_of(i);
    memcpy(hw, d, 16);
    memcpy(sw, d, 16);
    uint32_t hf = fp_host_fma(op, hw, s2, s3, mx), sf = fp_soft_fma(op, sw, s2, s3, mx);
    tallies[G_FMA].ops++;
    if (hf != sf || memcmp(hw, sw, 16)) {
        unsigned kind = op % 20 / 2;
        bool scalar = kind >= 2 && (kind & 1);
        char name[32];
        static const unsigned orders[3] = { 132, 213, 231 };
        snprintf(name, sizeof name, "v%s%u%s", fma_kinds[kind], orders[op / 20],
                 scalar ? (op & 1 ? "sd" : "ss") : (op & 1 ? "pd" : "ps"));
        const uint8_t *in[3] = { d, s2, s3 };
        mismatch(G_FMA, name, 0, mx, in, hw, hf, sw, sf);
    }
}

static void run_f16c(unsigned long long i)
{
    uint8_t s[16], hw[16], sw[16];
    uint32_t mx = mxcsr_of(i);
    uint32_t hf, sf;
    unsigned imm = below(256);
    const char *name;
    if (i & 16) {
        fill(s, K_F16);
        hf = fp_host_cvtph2ps(hw, s, mx);
        sf = fp_soft_cvtph2ps(sw, s, mx);
        name = "vcvtph2ps";
    } else {
        fill(s, K_F32);
        hf = fp_host_cvtps2ph(hw, s, imm, mx);
        sf = fp_soft_cvtps2ph(sw, s, imm, mx);
        name = "vcvtps2ph";
    }
    tallies[G_F16C].ops++;
    if (hf != sf || memcmp(hw, sw, 16)) {
        const uint8_t *in[3] = { s, s, NULL };
        mismatch(G_F16C, name, imm, mx, in, hw, hf, sw, sf);
    }
}

/* ---- known answers, for both implementations */

struct known {
    const char *name;
    enum fph_op op;
    unsigned imm;
    uint32_t mxcsr;
    uint64_t d, s, want;   /* the low 64 bits of d, s and the result */
    uint32_t flags;
};

#define MX 0x1f80u
#define RD (1u << 13)
#define RU (2u << 13)
#define RZ (3u << 13)
#define DAZ 0x40u
#define FTZ 0x8000u
static const struct known knowns[] = {
    /* 1 + 2^-24 ties to even; up rounds away; 0/0 and sqrt(-1) give the
     * default NaN; x/0 is a signed infinity. */
    { "addss_tie_even", FPH_ADDSS, 0, MX, 0x3f800000, 0x33800000, 0x3f800000, 0x20 },
    { "addss_round_up", FPH_ADDSS, 0, MX | RU, 0x3f800000, 0x33800000, 0x3f800001, 0x20 },
    { "divss_zero_by_zero", FPH_DIVSS, 0, MX, 0, 0, 0xffc00000, 0x01 },
    { "divsd_by_zero", FPH_DIVSD, 0, MX, 0xbff0000000000000, 0, 0xfff0000000000000, 0x04 },
    { "sqrtsd_negative", FPH_SQRTSD, 0, MX, 0, 0xbff0000000000000, 0xfff8000000000000, 0x01 },
    /* The first operand's NaN, quieted; an SNaN raises IE. */
    { "addss_first_nan", FPH_ADDSS, 0, MX, 0x7f800001, 0x7fc00002, 0x7fc00001, 0x01 },
    /* MIN/MAX: a NaN or two zeros give the second operand, unquieted. */
    { "minss_nan_second", FPH_MINSS, 0, MX, 0x7fc00000, 0x3f800000, 0x3f800000, 0x01 },
    { "maxss_snan_second", FPH_MAXSS, 0, MX, 0x3f800000, 0x7f800001, 0x7f800001, 0x01 },
    { "minss_zeros_second", FPH_MINSS, 0, MX, 0x80000000, 0x00000000, 0x00000000, 0 },
    /* Overflow to infinity or the largest finite value by rounding. */
    { "mulss_overflow", FPH_MULSS, 0, MX, 0x7f000000, 0x40000000, 0x7f800000, 0x28 },
    { "mulss_overflow_rz", FPH_MULSS, 0, MX | RZ, 0x7f000000, 0x40000000, 0x7f7fffff, 0x28 },
    /* Underflow: a denormal result with UE only when inexact; FTZ flushes. */
    { "mulss_denormal_exact", FPH_MULSS, 0, MX, 0x00800000, 0x3f000000, 0x00400000, 0 },
    { "mulss_ftz", FPH_MULSS, 0, MX | FTZ, 0x00800000, 0x3f000000, 0, 0x30 },
    { "mulss_underflow", FPH_MULSS, 0, MX | RD, 0x00800001, 0x3f000000, 0x00400000, 0x30 },
    /* DAZ: a denormal source is zero, with no DE; without DAZ, DE. */
    { "addss_daz", FPH_ADDSS, 0, MX | DAZ, 0x00000001, 0, 0, 0 },
    { "addss_denormal", FPH_ADDSS, 0, MX, 0x00000001, 0, 0x00000001, 0x02 },
    /* Conversions: the integer indefinite for NaN and out of range. */
    { "cvtss2si_nan", FPH_CVTSS2SI32, 0, MX, 0, 0x7fc00000, 0x80000000, 0x01 },
    { "cvttsd2si64_big", FPH_CVTTSD2SI64, 0, MX, 0, 0x43e0000000000000, 0x8000000000000000, 0x01 },
    { "cvtsd2si_tie_even", FPH_CVTSD2SI32, 0, MX, 0, 0x4004000000000000, 2, 0x20 },
    { "cvtsi2ss64_rounds", FPH_CVTSI2SS64, 0, MX, 0, 0x7fffffffffffffff, 0x5f000000, 0x20 },
    /* Predicates: LT signals on a QNaN, EQ does not; UNORD holds. */
    { "cmpltss_qnan", FPH_CMPSS, 1, MX, 0x7fc00000, 0x3f800000, 0, 0x01 },
    { "cmpeqss_qnan", FPH_CMPSS, 0, MX, 0x7fc00000, 0x3f800000, 0, 0 },
    { "cmpunordsd", FPH_CMPSD, 3, MX, 0x7ff8000000000000, 0, ~0ull, 0 },
    /* COMIS signals on a QNaN, UCOMIS does not; ZF, PF, CF all set. */
    { "comiss_qnan", FPH_COMISS, 0, MX, 0x7fc00000, 0, 0x45, 0x01 },
    { "ucomiss_qnan", FPH_UCOMISS, 0, MX, 0x7fc00000, 0, 0x45, 0 },
    { "ucomisd_less", FPH_UCOMISD, 0, MX, 0xbff0000000000000, 0, 0x01, 0 },
    /* ROUND: imm8 bits 1:0 round, bit 2 takes MXCSR.RC, bit 3 keeps PE clear. */
    { "roundss_nearest", FPH_ROUNDSS, 0, MX, 0, 0x40200000, 0x40000000, 0x20 },
    { "roundss_up_quiet", FPH_ROUNDSS, 10, MX, 0, 0x40200000, 0x40400000, 0 },
    { "roundsd_mxcsr_down", FPH_ROUNDSD, 4, MX | RD, 0, 0xbfe0000000000000, 0xbff0000000000000, 0x20 },
};

static void check_known(void)
{
    for (size_t i = 0; i < sizeof knowns / sizeof knowns[0]; i++) {
        const struct known *k = &knowns[i];
        for (int impl = 0; impl < 2; impl++) {
            if (impl == 0 && !(fp_host_native() & FPH_NATIVE_SSE))
                continue;
            uint8_t d[16] = { 0 }, s[16] = { 0 };
            for (unsigned j = 0; j < 8; j++) {
                d[j] = (uint8_t)(k->d >> (8 * j));
                s[j] = (uint8_t)(k->s >> (8 * j));
            }
            uint32_t fl = impl ? fp_soft_op(k->op, k->imm, d, s, k->mxcsr) : fp_host_op(k->op, k->imm, d, s, k->mxcsr);
            uint64_t got = 0;
            for (unsigned j = 0; j < 8; j++)
                got |= (uint64_t)d[j] << (8 * j);
            /* Single-precision scalar results: the low lane only. */
            enum kind kd, ks;
            op_kinds(k->op, &kd, &ks);
            if (kd == K_F32 && k->op != FPH_COMISS && k->op != FPH_UCOMISS)
                got &= 0xffffffffu;
            char name[80], why[160];
            snprintf(name, sizeof name, "softfp_known_%s_%s", impl ? "soft" : "host", k->name);
            snprintf(why, sizeof why, "result %#" PRIx64 " flags %#x, want %#" PRIx64 " flags %#x", got, fl,
                     k->want, k->flags);
            test_result(name, got == k->want && fl == k->flags, why);
        }
    }
    /* F16C: the largest half and beyond; a half denormal widened exactly. */
    uint8_t d[16], s[16] = { 0 };
    uint32_t fl;
    s[0] = 0x00, s[1] = 0xff, s[2] = 0x7f, s[3] = 0x47;   /* 65520.0f: rounds to infinity */
    fl = fp_soft_cvtps2ph(d, s, 0, MX);
    CHECK("softfp_known_soft_cvtps2ph_overflow", d[0] == 0x00 && d[1] == 0x7c && fl == 0x28);
    memset(s, 0, sizeof s);
    s[0] = 0x01;                                           /* half 2^-24 */
    fl = fp_soft_cvtph2ps(d, s, MX | DAZ);
    CHECK("softfp_known_soft_cvtph2ps_denormal", d[0] == 0 && d[1] == 0 && d[2] == 0x80 && d[3] == 0x33 && fl == 0);
}

int main(void)
{
    const char *env = getenv("SOFTFP_ITERS");
    unsigned long long iters = env ? strtoull(env, NULL, 0) : 100000;
    if ((env = getenv("SOFTFP_SEED")))
        rng_state ^= strtoull(env, NULL, 0) * 0x9e3779b97f4a7c15ull;
    if (!rng_state)
        rng_state = 1;

    check_known();

    unsigned native = fp_host_native();
    static const unsigned need[G_COUNT] = { FPH_NATIVE_SSE, FPH_NATIVE_SSE, FPH_NATIVE_SSE, FPH_NATIVE_SSE,
                                            FPH_NATIVE_SSE, FPH_NATIVE_SSE, FPH_NATIVE_FMA, FPH_NATIVE_F16C };
    enum fph_op ops[G_COUNT][FPH_COUNT];
    unsigned nops[G_COUNT] = { 0 };
    for (unsigned op = 0; op < FPH_COUNT; op++) {
        enum group g = group_of((enum fph_op)op);
        ops[g][nops[g]++] = (enum fph_op)op;
    }
    for (unsigned g = 0; g < G_COUNT; g++) {
        char name[64], why[160];
        snprintf(name, sizeof name, "softfp_diff_%s", group_names[g]);
        if (!(native & need[g])) {
            if (FP_HOST_SOFT_ONLY)
                snprintf(why, sizeof why, "soft-only build (OPENHV_FP=soft or a non-x86 host): fp_host_* is "
                                          "fp_soft_*, nothing to compare");
            else
                snprintf(why, sizeof why, "the host has no %s unit: fp_host_* runs fp_soft_* there, nothing to compare",
                         g == G_FMA ? "FMA" : "F16C");
            test_skip(name, why);
            continue;
        }
        for (unsigned long long i = 0; i < iters; i++) {
            if (g == G_FMA)
                run_fma(below(FPH_FMA_COUNT), i);
            else if (g == G_F16C)
                run_f16c(i);
            else
                run_op(ops[g][below(nops[g])], i);
        }
        printf("  %s: %llu operations, %llu mismatches\n", group_names[g], tallies[g].ops, tallies[g].mismatches);
        snprintf(why, sizeof why, "%llu of %llu operations differ from the host", tallies[g].mismatches,
                 tallies[g].ops);
        test_result(name, tallies[g].mismatches == 0, why);
    }
    return test_exit();
}
