/*
 * The one interface between the SIMD floating-point handlers and the
 * host's floating-point unit.
 *
 * Each operation runs on 16-byte operands as the SSE instruction of the
 * same name does, with the guest's MXCSR rounding control, DAZ and FTZ,
 * every exception masked, and returns the exception flags it raised
 * (MXCSR bits 5:0).  Only operations whose results IEEE 754 and the SDM
 * define bit for bit are here (arithmetic, square root, comparisons,
 * conversions, min/max, Intel's NaN rules): they give the same bits on any
 * x86-64 host.  RCPPS/RSQRTPS approximations differ between vendors and
 * are computed in portable C (exec_sse_fp.c) instead.
 *
 * fp_host_x86.c implements it with the host's SSE, FMA and F16C units;
 * fp_host_soft.c computes the same bits in portable C (fp_soft_*).  An
 * x86-64 host runs SSE on its own unit and FMA and F16C on theirs where it
 * has them, on fp_soft_* where it does not; any other host, or a build
 * with OPENHV_FP_SOFT (`make OPENHV_FP=soft`), runs fp_soft_* alone.  So
 * every operation is available on every host (docs/notes/emu-engine.md).
 *
 * Operand conventions: `d` is the destination register's value on entry
 * (scalar forms keep its upper lanes), `s` the source.  FPH_CVT*2SI* put
 * the integer in d[0..7]; FPH_CVTSI*2* take the integer from s[0..7];
 * FPH_*COMI* put ZF/PF/CF in d[0..7] as RFLAGS bits.
 */
#ifndef OPENHV_EMU_FP_HOST_H
#define OPENHV_EMU_FP_HOST_H

#include <stdbool.h>
#include <stdint.h>

#if defined(OPENHV_FP_SOFT) || !defined(__x86_64__)
#define FP_HOST_SOFT_ONLY 1
#else
#define FP_HOST_SOFT_ONLY 0
#endif

#define FPH_ARITH(X)                                                        \
    X(ADDPS, addps) X(ADDPD, addpd) X(ADDSS, addss) X(ADDSD, addsd)         \
    X(SUBPS, subps) X(SUBPD, subpd) X(SUBSS, subss) X(SUBSD, subsd)         \
    X(MULPS, mulps) X(MULPD, mulpd) X(MULSS, mulss) X(MULSD, mulsd)         \
    X(DIVPS, divps) X(DIVPD, divpd) X(DIVSS, divss) X(DIVSD, divsd)         \
    X(MINPS, minps) X(MINPD, minpd) X(MINSS, minss) X(MINSD, minsd)         \
    X(MAXPS, maxps) X(MAXPD, maxpd) X(MAXSS, maxss) X(MAXSD, maxsd)         \
    X(SQRTPS, sqrtps) X(SQRTPD, sqrtpd) X(SQRTSS, sqrtss) X(SQRTSD, sqrtsd) \
    X(CVTPS2PD, cvtps2pd) X(CVTPD2PS, cvtpd2ps) X(CVTSS2SD, cvtss2sd)       \
    X(CVTSD2SS, cvtsd2ss) X(CVTDQ2PS, cvtdq2ps) X(CVTPS2DQ, cvtps2dq)       \
    X(CVTTPS2DQ, cvttps2dq) X(CVTTPD2DQ, cvttpd2dq) X(CVTDQ2PD, cvtdq2pd)   \
    X(CVTPD2DQ, cvtpd2dq)                                                   \
    X(ADDSUBPS, addsubps) X(ADDSUBPD, addsubpd) X(HADDPS, haddps)           \
    X(HADDPD, haddpd) X(HSUBPS, hsubps) X(HSUBPD, hsubpd)
/* Float to integer register: (name, mnemonic, 32 or 64). */
#define FPH_TOINT(X)                                                        \
    X(CVTSS2SI32, cvtss2si, 32) X(CVTSS2SI64, cvtss2si, 64)                \
    X(CVTTSS2SI32, cvttss2si, 32) X(CVTTSS2SI64, cvttss2si, 64)            \
    X(CVTSD2SI32, cvtsd2si, 32) X(CVTSD2SI64, cvtsd2si, 64)                \
    X(CVTTSD2SI32, cvttsd2si, 32) X(CVTTSD2SI64, cvttsd2si, 64)
/* Integer register to float. */
#define FPH_FROMINT(X)                                                      \
    X(CVTSI2SS32, cvtsi2ssl, 32) X(CVTSI2SS64, cvtsi2ssq, 64)              \
    X(CVTSI2SD32, cvtsi2sdl, 32) X(CVTSI2SD64, cvtsi2sdq, 64)
#define FPH_COMI(X) X(COMISS, comiss) X(UCOMISS, ucomiss) X(COMISD, comisd) X(UCOMISD, ucomisd)
/* CMPccPS/PD/SS/SD: predicate 0-7 passed separately. */
#define FPH_CMP(X) X(CMPPS, cmpps) X(CMPPD, cmppd) X(CMPSS, cmpss) X(CMPSD, cmpsd)
/* ROUNDPS/PD/SS/SD: imm & 15 passed separately. */
#define FPH_ROUND(X) X(ROUNDPS, roundps) X(ROUNDPD, roundpd) X(ROUNDSS, roundss) X(ROUNDSD, roundsd)

enum fph_op {
#define FPH_ENUM2(name, mn) FPH_##name,
#define FPH_ENUM3(name, mn, bits) FPH_##name,
    FPH_ARITH(FPH_ENUM2) FPH_TOINT(FPH_ENUM3) FPH_FROMINT(FPH_ENUM3) FPH_COMI(FPH_ENUM2)
    FPH_CMP(FPH_ENUM2) FPH_ROUND(FPH_ENUM2)
#undef FPH_ENUM2
#undef FPH_ENUM3
    FPH_COUNT
};

/* Run `op` (for FPH_CMP*, with predicate imm & 7; FPH_ROUND*, imm & 15) under `mxcsr`'s control
 * bits; returns the exception flags raised.  Never traps. */
uint32_t fp_host_op(enum fph_op op, unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t mxcsr);

/*
 * FMA: d = the fused multiply-add `op` of (d, s2, s3) as the instruction
 * VFxxx{132,213,231}{PS,PD,SS,SD} xmm_d, xmm_s2, xmm_s3 does it, one
 * rounding, NaN propagation of that operand order.  Index: order (0: 132,
 * 1: 213, 2: 231) * 20 + kind * 2 + double, kind 0..9 = the low opcode
 * nibble - 6 of VEX.0F38 96-9F (FMADDSUB, FMSUBADD, FMADD packed/scalar,
 * FMSUB p/s, FNMADD p/s, FNMSUB p/s).  Returns the flags raised.
 */
enum { FPH_FMA_COUNT = 60 };
uint32_t fp_host_fma(unsigned op, uint8_t d[16], const uint8_t s2[16], const uint8_t s3[16], uint32_t mxcsr);
/* F16C: VCVTPH2PS (four halves in s[0..7] to four singles in d) and
 * VCVTPS2PH (four singles to four halves in d[0..7], d[8..15] zeroed) with
 * the rounding imm8 (bit 2: MXCSR.RC). */
uint32_t fp_host_cvtph2ps(uint8_t d[16], const uint8_t s[16], uint32_t mxcsr);
uint32_t fp_host_cvtps2ph(uint8_t d[16], const uint8_t s[16], unsigned imm, uint32_t mxcsr);

/* The portable implementation of the same functions, same contracts. */
uint32_t fp_soft_op(enum fph_op op, unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t mxcsr);
uint32_t fp_soft_fma(unsigned op, uint8_t d[16], const uint8_t s2[16], const uint8_t s3[16], uint32_t mxcsr);
uint32_t fp_soft_cvtph2ps(uint8_t d[16], const uint8_t s[16], uint32_t mxcsr);
uint32_t fp_soft_cvtps2ph(uint8_t d[16], const uint8_t s[16], unsigned imm, uint32_t mxcsr);

/* Which groups fp_host_* run on the host's own units (the rest run on
 * fp_soft_*): for tests and diagnostics; the guest sees no difference. */
enum { FPH_NATIVE_SSE = 1, FPH_NATIVE_FMA = 2, FPH_NATIVE_F16C = 4 };
unsigned fp_host_native(void);

#endif
