/*
 * SSE/SSE2 floating point: packed and scalar arithmetic, square root,
 * min/max, comparisons, COMIS/UCOMIS, conversions, MOVMSKPS/PD and the
 * RCP/RSQRT approximations.  The IEEE operations run through fp_host.h;
 * this file applies MXCSR's exception rules (SDM vol. 1, 11.5):
 *
 *  - the operation runs with every exception masked and reports its flags;
 *  - an unmasked pre-computation exception (invalid, denormal operand,
 *    divide by zero) in any element: only those flags are set, nothing is
 *    written, #XM (or #UD without CR4.OSXMMEXCPT);
 *  - otherwise an unmasked post-computation exception (overflow,
 *    underflow, precision): the flags are set, nothing is written, #XM;
 *    with an unmasked overflow or underflow, hardware reports precision
 *    when the significand, rounded with an unbounded exponent, is inexact;
 *    the emulator reports the masked computation's precision flag instead
 *    (docs/compat.md);
 *  - otherwise the flags are ORed into MXCSR and the result is written.
 *
 * Unmasked underflow is signalled for a tiny result even when it is exact
 * (masked underflow needs tiny and inexact), and FTZ applies only when
 * underflow is masked: the host run then leaves FTZ off and a denormal
 * result lane signals it.
 */
#include "fp_host.h"
#include "fpu.h"

enum { EL_NONE = 0, EL_F32 = 4, EL_F64 = 8 };

static bool lane_denormal(const uint8_t *p, unsigned esize)
{
    if (esize == EL_F32) {
        uint32_t v = ld32(p);
        return !(v & 0x7f800000u) && (v & 0x7fffffu);
    }
    uint64_t v = ld64(p);
    return !(v & 0x7ff0000000000000ull) && (v & 0xfffffffffffffull);
}

/* Apply the flags of an operation that ran under `mx`; `res` holds
 * `lanes` result elements of `esize` bytes (EL_NONE: not floating point). */
static void fp_commit_flags(struct emu_cpu *cpu, uint32_t mx, uint32_t fl, const uint8_t *res, unsigned esize,
                            unsigned lanes)
{
    simd_commit_flags(cpu, mx, fl, res, esize, lanes);
}

void simd_commit_flags(struct emu_cpu *cpu, uint32_t mx, uint32_t fl, const uint8_t *res, unsigned esize,
                       unsigned lanes)
{
    uint32_t masks = (mx >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
    if (!(masks & MXCSR_UE) && esize != EL_NONE)
        for (unsigned i = 0; i < lanes; i++)
            if (lane_denormal(res + i * esize, esize))
                fl |= MXCSR_UE;
    uint32_t unmasked = fl & ~masks;
    const uint32_t pre = MXCSR_IE | MXCSR_DE | MXCSR_ZE;
    if (unmasked & pre) {
        mxcsr_set(cpu, mx | (fl & pre));
        simd_fp_fault(cpu);
    }
    mxcsr_set(cpu, mx | fl);
    if (unmasked)
        simd_fp_fault(cpu);
}

static uint32_t host_mx(uint32_t mx)
{
    return simd_host_mxcsr(mx);
}

uint32_t simd_host_mxcsr(uint32_t mx)
{
    /* FTZ only acts while underflow is masked. */
    return (mx & (MXCSR_UE << MXCSR_MASK_SHIFT)) ? mx : mx & ~(uint32_t)MXCSR_FTZ;
}

/* dst = op(src1, src2): legacy xmm(reg) = op(xmm(reg), xmm/m), VEX
 * xmm/ymm(reg) = op(vvvv, r/m).  `msize` is the memory operand's size in
 * the 128-bit form (legacy 16 bytes must be aligned); packed operations
 * (msize 16) run on each 128-bit half of a VEX.256 operand, scalar ones
 * keep src1's other elements. */
static void fp_run(struct emu_cpu *cpu, const struct insn *in, enum fph_op op, unsigned msize, unsigned esize,
                   unsigned lanes)
{
    sse_check(cpu, in);
    unsigned n = msize == 16 ? vec_len(in) : 16;
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, msize == 16 ? n : msize, msize == 16);
    vec_get(cpu, vec_src1(in), d, n);
    uint32_t mx = mxcsr_get(cpu), hmx = host_mx(mx);
    uint32_t fl = fp_host_op(op, (unsigned)in->imm, d, s, hmx);
    if (n == 32)
        fl |= fp_host_op(op, (unsigned)in->imm, d + 16, s + 16, hmx);
    fp_commit_flags(cpu, mx, fl, d, esize, lanes * (n / 16));
    vec_put(cpu, in, in->reg, d, n);
}

#define FP_FORMS(name, NAME)                                                                                 \
    void exec_##name##ps(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_##NAME##PS, 16, EL_F32, 4); } \
    void exec_##name##pd(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_##NAME##PD, 16, EL_F64, 2); } \
    void exec_##name##ss(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_##NAME##SS, 4, EL_F32, 1); }  \
    void exec_##name##sd(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_##NAME##SD, 8, EL_F64, 1); }
FP_FORMS(add, ADD)
FP_FORMS(sub, SUB)
FP_FORMS(mul, MUL)
FP_FORMS(div, DIV)

/* MIN/MAX return one of their operands: a denormal result is no underflow. */
#define FP_FORMS_SELECT(name, NAME)                                                                            \
    void exec_##name##ps(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_##NAME##PS, 16, EL_NONE, 0); } \
    void exec_##name##pd(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_##NAME##PD, 16, EL_NONE, 0); } \
    void exec_##name##ss(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_##NAME##SS, 4, EL_NONE, 0); }  \
    void exec_##name##sd(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_##NAME##SD, 8, EL_NONE, 0); }
FP_FORMS_SELECT(min, MIN)
FP_FORMS_SELECT(max, MAX)
FP_FORMS(sqrt, SQRT)

/* SSE3 ADDSUB/HADD/HSUB. */
void exec_addsubps(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_ADDSUBPS, 16, EL_F32, 4); }
void exec_addsubpd(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_ADDSUBPD, 16, EL_F64, 2); }
void exec_haddps(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_HADDPS, 16, EL_F32, 4); }
void exec_haddpd(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_HADDPD, 16, EL_F64, 2); }
void exec_hsubps(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_HSUBPS, 16, EL_F32, 4); }
void exec_hsubpd(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_HSUBPD, 16, EL_F64, 2); }

/*
 * The 32 predicates of VEX CMPccPS/PD/SS/SD (SDM vol. 2, VCMPPS):
 * predicate & 3 names the relation (EQ, LT, LE, UNORD); bit 3 adds "or
 * unordered" (and makes UNORD FALSE), bit 2 negates, and the quiet or
 * signalling kind of predicates 0-15 (LT and LE signal) flips with bit 4.
 * The lanes' relations come from the legacy predicates 0-3; the flags
 * from the quiet EQ comparison (invalid for an SNaN, denormal operands),
 * plus invalid for any NaN when the predicate signals.
 */
static uint32_t vcmp_half(enum fph_op op, unsigned pred, uint8_t d[16], const uint8_t s[16], uint32_t hmx,
                          unsigned esize, unsigned lanes)
{
    uint8_t rel[4][16];
    uint32_t fl = 0;
    for (unsigned k = 0; k < 4; k++) {
        memcpy(rel[k], d, 16);
        uint32_t f = fp_host_op(op, k, rel[k], s, hmx);
        if (k == 0)
            fl = f;
    }
    bool sig = (((pred & 3) == 1) || ((pred & 3) == 2)) != ((pred >> 4) & 1);
    for (unsigned i = 0; i < lanes; i++) {
        bool r = rel[pred & 3][i * esize] != 0, unord = rel[3][i * esize] != 0;
        if (pred & 8)
            r = (pred & 3) == 3 ? false : r || unord;
        if (pred & 4)
            r = !r;
        memset(d + i * esize, r ? 0xff : 0, esize);
        if (sig && unord)
            fl |= MXCSR_IE;
    }
    return fl;
}

static void cmp_run(struct emu_cpu *cpu, const struct insn *in, enum fph_op op, unsigned msize, unsigned esize)
{
    if (!in->vex) {
        fp_run(cpu, in, op, msize, EL_NONE, 0);
        return;
    }
    avx_check(cpu);
    unsigned n = msize == 16 ? vec_len(in) : 16, lanes = msize == 16 ? 16 / esize : 1;
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, msize == 16 ? n : msize, false);
    vec_get(cpu, in->vvvv, d, n);
    uint32_t mx = mxcsr_get(cpu), hmx = host_mx(mx), pred = (unsigned)in->imm & 31;
    uint32_t fl = vcmp_half(op, pred, d, s, hmx, esize, lanes);
    if (n == 32)
        fl |= vcmp_half(op, pred, d + 16, s + 16, hmx, esize, lanes);
    fp_commit_flags(cpu, mx, fl, d, EL_NONE, 0);
    vec_put(cpu, in, in->reg, d, n);
}

/* CMPccPS/PD/SS/SD: masks, never a floating-point result. */
void exec_cmpps(struct emu_cpu *cpu, const struct insn *in) { cmp_run(cpu, in, FPH_CMPPS, 16, 4); }
void exec_cmppd(struct emu_cpu *cpu, const struct insn *in) { cmp_run(cpu, in, FPH_CMPPD, 16, 8); }
void exec_cmpss(struct emu_cpu *cpu, const struct insn *in) { cmp_run(cpu, in, FPH_CMPSS, 4, 4); }
void exec_cmpsd(struct emu_cpu *cpu, const struct insn *in) { cmp_run(cpu, in, FPH_CMPSD, 8, 8); }

/* VEX.256 conversions that double the element size: ymm from xmm/m128,
 * each 128-bit half from 8 bytes of the source. */
static void cvt_widen(struct emu_cpu *cpu, const struct insn *in, enum fph_op op, unsigned esize)
{
    if (!in->vex_l) {
        fp_run(cpu, in, op, 8, esize, 2);
        return;
    }
    avx_check(cpu);
    uint8_t s[32], hi[16] = { 0 }, d[32] = { 0 };
    vec_src(cpu, in, s, 16, false);
    memcpy(hi, s + 8, 8);
    uint32_t mx = mxcsr_get(cpu), hmx = host_mx(mx);
    uint32_t fl = fp_host_op(op, 0, d, s, hmx) | fp_host_op(op, 0, d + 16, hi, hmx);
    fp_commit_flags(cpu, mx, fl, d, esize, 4);
    vec_put(cpu, in, in->reg, d, 32);
}
/* ... and halve it: xmm from ymm/m256 (the upper half of the destination
 * zeroed); each 128-bit source half gives 8 bytes. */
static void cvt_narrow(struct emu_cpu *cpu, const struct insn *in, enum fph_op op, unsigned esize)
{
    if (!in->vex_l) {
        fp_run(cpu, in, op, 16, esize, 2);
        return;
    }
    avx_check(cpu);
    uint8_t s[32], d[32] = { 0 }, hi[16] = { 0 };
    vec_src(cpu, in, s, 32, false);
    uint32_t mx = mxcsr_get(cpu), hmx = host_mx(mx);
    uint32_t fl = fp_host_op(op, 0, d, s, hmx) | fp_host_op(op, 0, hi, s + 16, hmx);
    memcpy(d + 8, hi, 8);
    fp_commit_flags(cpu, mx, fl, d, esize, 4);
    vec_put(cpu, in, in->reg, d, 16);
}

/* Conversions between XMM formats. */
void exec_cvtps2pd(struct emu_cpu *cpu, const struct insn *in) { cvt_widen(cpu, in, FPH_CVTPS2PD, EL_F64); }
void exec_cvtpd2ps(struct emu_cpu *cpu, const struct insn *in) { cvt_narrow(cpu, in, FPH_CVTPD2PS, EL_F32); }
void exec_cvtss2sd(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_CVTSS2SD, 4, EL_F64, 1); }
void exec_cvtsd2ss(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_CVTSD2SS, 8, EL_F32, 1); }
void exec_cvtdq2ps(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_CVTDQ2PS, 16, EL_NONE, 0); }
void exec_cvtps2dq(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_CVTPS2DQ, 16, EL_NONE, 0); }
void exec_cvttps2dq(struct emu_cpu *cpu, const struct insn *in) { fp_run(cpu, in, FPH_CVTTPS2DQ, 16, EL_NONE, 0); }
void exec_cvttpd2dq(struct emu_cpu *cpu, const struct insn *in) { cvt_narrow(cpu, in, FPH_CVTTPD2DQ, EL_NONE); }
void exec_cvtpd2dq(struct emu_cpu *cpu, const struct insn *in) { cvt_narrow(cpu, in, FPH_CVTPD2DQ, EL_NONE); }
void exec_cvtdq2pd(struct emu_cpu *cpu, const struct insn *in) { cvt_widen(cpu, in, FPH_CVTDQ2PD, EL_NONE); }

/* CVT(T)SS2SI / CVT(T)SD2SI r32/r64, xmm/m: REX.W selects the 64-bit form. */
static void cvt_to_int(struct emu_cpu *cpu, const struct insn *in, enum fph_op op32, enum fph_op op64, unsigned msize)
{
    sse_check(cpu, in);
    bool w = (in->rex & 8) != 0;
    uint8_t s[16], d[16] = { 0 };
    xmm_src(cpu, in, s, msize, false);
    uint32_t mx = mxcsr_get(cpu);
    uint32_t fl = fp_host_op(w ? op64 : op32, 0, d, s, host_mx(mx));
    fp_commit_flags(cpu, mx, fl, d, EL_NONE, 0);
    gpr_set(cpu, in->reg, w ? 8 : 4, ld64(d));
}
void exec_cvtss2si(struct emu_cpu *cpu, const struct insn *in) { cvt_to_int(cpu, in, FPH_CVTSS2SI32, FPH_CVTSS2SI64, 4); }
void exec_cvttss2si(struct emu_cpu *cpu, const struct insn *in) { cvt_to_int(cpu, in, FPH_CVTTSS2SI32, FPH_CVTTSS2SI64, 4); }
void exec_cvtsd2si(struct emu_cpu *cpu, const struct insn *in) { cvt_to_int(cpu, in, FPH_CVTSD2SI32, FPH_CVTSD2SI64, 8); }
void exec_cvttsd2si(struct emu_cpu *cpu, const struct insn *in) { cvt_to_int(cpu, in, FPH_CVTTSD2SI32, FPH_CVTTSD2SI64, 8); }

/* CVTSI2SS / CVTSI2SD xmm, r/m32 or r/m64. */
static void cvt_from_int(struct emu_cpu *cpu, const struct insn *in, enum fph_op op32, enum fph_op op64, unsigned esize)
{
    sse_check(cpu, in);
    bool w = (in->rex & 8) != 0;
    uint8_t s[16] = { 0 }, d[16];
    st64(s, rm_get(cpu, in, w ? 8 : 4));
    memcpy(d, xmm_ptr(cpu, vec_src1(in)), 16);
    uint32_t mx = mxcsr_get(cpu);
    uint32_t fl = fp_host_op(w ? op64 : op32, 0, d, s, host_mx(mx));
    fp_commit_flags(cpu, mx, fl, d, esize, 1);
    vec_put(cpu, in, in->reg, d, 16);
}
void exec_cvtsi2ss(struct emu_cpu *cpu, const struct insn *in) { cvt_from_int(cpu, in, FPH_CVTSI2SS32, FPH_CVTSI2SS64, EL_F32); }
void exec_cvtsi2sd(struct emu_cpu *cpu, const struct insn *in) { cvt_from_int(cpu, in, FPH_CVTSI2SD32, FPH_CVTSI2SD64, EL_F64); }

/* The MMX conversions.  A register MM operand makes the x87 unit enter
 * MMX mode (TOP = 0, all tags valid); CVTPI2PS/CVTPI2PD from memory do not. */
static void mm_operand_check(struct emu_cpu *cpu)
{
    mmx_check(cpu);
}

/* CVTPI2PS writes the low 8 bytes of the destination, CVTPI2PD all 16. */
static void cvtpi2p(struct emu_cpu *cpu, const struct insn *in, enum fph_op op, size_t bytes)
{
    sse_check(cpu, in);
    if (!in->has_mem)
        mm_operand_check(cpu);
    uint8_t s[16] = { 0 }, r[16] = { 0 };
    st64(s, mm_src(cpu, in));
    uint32_t mx = mxcsr_get(cpu);
    uint32_t fl = fp_host_op(op, 0, r, s, host_mx(mx));
    fp_commit_flags(cpu, mx, fl, r, EL_NONE, 0);
    if (!in->has_mem)
        mmx_enter(cpu);
    memcpy(xmm_ptr(cpu, in->reg), r, bytes);
}

void exec_cvtpi2ps(struct emu_cpu *cpu, const struct insn *in) { cvtpi2p(cpu, in, FPH_CVTDQ2PS, 8); }

void exec_cvtpi2pd(struct emu_cpu *cpu, const struct insn *in) { cvtpi2p(cpu, in, FPH_CVTDQ2PD, 16); }

/* CVT(T)PS2PI mm, xmm/m64 and CVT(T)PD2PI mm, xmm/m128. */
static void cvt_to_mm(struct emu_cpu *cpu, const struct insn *in, enum fph_op op, unsigned msize)
{
    sse_check(cpu, in);
    mm_operand_check(cpu);
    uint8_t s[16], r[16] = { 0 };
    xmm_src(cpu, in, s, msize, msize == 16);
    if (msize == 8)
        memset(s + 8, 0, 8); /* the upper lanes take no part (zeros raise nothing) */
    uint32_t mx = mxcsr_get(cpu);
    uint32_t fl = fp_host_op(op, 0, r, s, host_mx(mx));
    fp_commit_flags(cpu, mx, fl, r, EL_NONE, 0);
    mmx_enter(cpu);
    mm_write(cpu, in->reg, ld64(r));
}
void exec_cvtps2pi(struct emu_cpu *cpu, const struct insn *in) { cvt_to_mm(cpu, in, FPH_CVTPS2DQ, 8); }
void exec_cvttps2pi(struct emu_cpu *cpu, const struct insn *in) { cvt_to_mm(cpu, in, FPH_CVTTPS2DQ, 8); }
void exec_cvtpd2pi(struct emu_cpu *cpu, const struct insn *in) { cvt_to_mm(cpu, in, FPH_CVTPD2DQ, 16); }
void exec_cvttpd2pi(struct emu_cpu *cpu, const struct insn *in) { cvt_to_mm(cpu, in, FPH_CVTTPD2DQ, 16); }

/* COMISS/UCOMISS/COMISD/UCOMISD: ZF, PF, CF from the comparison; OF, SF
 * and AF cleared.  An unmasked invalid operation leaves RFLAGS alone. */
static void comi(struct emu_cpu *cpu, const struct insn *in, enum fph_op op, unsigned msize)
{
    sse_check(cpu, in);
    uint8_t s[16], d[16];
    xmm_src(cpu, in, s, msize, false);
    memcpy(d, xmm_ptr(cpu, in->reg), 16);
    uint32_t mx = mxcsr_get(cpu);
    uint32_t fl = fp_host_op(op, 0, d, s, host_mx(mx));
    fp_commit_flags(cpu, mx, fl, d, EL_NONE, 0);
    const uint64_t arith = 0x8d5; /* CF PF AF ZF SF OF */
    uint64_t f = emu_get_rflags(cpu);
    emu_set_rflags(cpu, (f & ~arith) | (ld64(d) & 0x45));
}
void exec_comiss(struct emu_cpu *cpu, const struct insn *in) { comi(cpu, in, FPH_COMISS, 4); }
void exec_ucomiss(struct emu_cpu *cpu, const struct insn *in) { comi(cpu, in, FPH_UCOMISS, 4); }
void exec_comisd(struct emu_cpu *cpu, const struct insn *in) { comi(cpu, in, FPH_COMISD, 8); }
void exec_ucomisd(struct emu_cpu *cpu, const struct insn *in) { comi(cpu, in, FPH_UCOMISD, 8); }

/* MOVMSKPS/MOVMSKPD r32/r64, xmm/ymm: sign bits, zero-extended. */
static void movmsk(struct emu_cpu *cpu, const struct insn *in, unsigned esize)
{
    sse_check(cpu, in);
    uint8_t x[32];
    unsigned n = vec_len(in);
    vec_get(cpu, in->rm, x, n);
    uint32_t m = 0;
    for (unsigned i = 0; i < n / esize; i++)
        m |= (uint32_t)(x[esize * i + esize - 1] >> 7) << i;
    gpr_set(cpu, in->reg, 4, m);
}
void exec_movmskps(struct emu_cpu *cpu, const struct insn *in) { movmsk(cpu, in, 4); }
void exec_movmskpd(struct emu_cpu *cpu, const struct insn *in) { movmsk(cpu, in, 8); }

/*
 * RCPPS/RCPSS/RSQRTPS/RSQRTSS.  The SDM defines only the special cases and
 * a relative error of at most 1.5 * 2^-12; the exact approximation differs
 * between Intel and AMD generations.  The emulator returns the correctly
 * rounded single-precision value of 1/x and 1/sqrt(x) (well inside the
 * bound, the same on every host) with the SDM's special cases: denormal
 * inputs count as zero, results below the normal range are flushed to
 * zero of the same sign, NaNs are returned quiet, 1/sqrt of a negative
 * number is the default NaN; no exception flags (docs/compat.md).
 */
static uint32_t approx_one(uint32_t x, bool rsqrt)
{
    uint32_t sign = x & 0x80000000u, exp = x & 0x7f800000u, man = x & 0x7fffffu;
    if (exp == 0x7f800000u && man)
        return x | 0x400000u;                   /* NaN: quieted */
    if (exp == 0)
        return sign | 0x7f800000u;              /* +-0 and denormals: +-infinity */
    if (rsqrt && sign)
        return 0xffc00000u;                     /* negative: the default NaN */
    if (exp == 0x7f800000u)
        return sign;                            /* +-infinity: +-0 */
    /* Host arithmetic through fp_host only: the host thread's own MXCSR
     * (rounding, DAZ/FTZ) must not leak in. */
    uint8_t a[16] = { 0 }, b[16] = { 0 };
    st32(b, x);
    (void)fp_host_op(FPH_CVTSS2SD, 0, a, b, MXCSR_DEFAULT);
    if (rsqrt) {
        memcpy(b, a, 16);
        (void)fp_host_op(FPH_SQRTSD, 0, a, b, MXCSR_DEFAULT);
    }
    memcpy(b, a, 16);
    double one = 1.0;
    memcpy(a, &one, 8);
    (void)fp_host_op(FPH_DIVSD, 0, a, b, MXCSR_DEFAULT);
    memcpy(b, a, 16);
    (void)fp_host_op(FPH_CVTSD2SS, 0, a, b, MXCSR_DEFAULT);
    uint32_t res = ld32(a);
    if (!(res & 0x7f800000u))
        res &= 0x80000000u;                     /* tiny: flushed to zero */
    return res;
}

static void approx(struct emu_cpu *cpu, const struct insn *in, bool rsqrt, bool scalar)
{
    sse_check(cpu, in);
    unsigned n = scalar ? 16 : vec_len(in);
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, scalar ? 4 : n, !scalar);
    vec_get(cpu, vec_src1(in), d, n);
    for (unsigned i = 0; i < (scalar ? 1u : n / 4); i++)
        st32(d + 4 * i, approx_one(ld32(s + 4 * i), rsqrt));
    vec_put(cpu, in, in->reg, d, n);
}
void exec_rcpps(struct emu_cpu *cpu, const struct insn *in) { approx(cpu, in, false, false); }
void exec_rcpss(struct emu_cpu *cpu, const struct insn *in) { approx(cpu, in, false, true); }
void exec_rsqrtps(struct emu_cpu *cpu, const struct insn *in) { approx(cpu, in, true, false); }
void exec_rsqrtss(struct emu_cpu *cpu, const struct insn *in) { approx(cpu, in, true, true); }
