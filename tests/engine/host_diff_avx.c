/*
 * AVX, AVX2 and BMI differential test, in the manner of host_diff_sse.c:
 * each template is a VEX instruction run natively (a stub loads YMM0-2,
 * MXCSR, RFLAGS, RAX, RCX, RDX and RSI, executes it and stores them back)
 * and in the engine, over the SSE test's operand generators, every rounding
 * mode, DAZ/FTZ and masked and unmasked exceptions.  The host must have
 * AVX2 and BMI2 (the AMD EPYC development hosts do); templates name their
 * operands by one convention: destination register 0 (YMM0 or RAX),
 * VEX.vvvv register 1 (YMM1 or RCX) where the instruction has one, and r/m
 * register 2 (YMM2 or RDX) or [rsi].  Each template also runs with its
 * registers aliased (destination = VEX.vvvv, destination = r/m, VEX.vvvv =
 * r/m), where the two-byte C5 prefix can encode it in that form, and with
 * registers 8-10 in the roles of 0-2 (case name suffixes _d1, _d2, _12,
 * _c5, _hi).  Directed cases check the #UD/#NM
 * gating, VEX prefix rules and the upper-half rules.
 */
#include "emu/fpu.h"
#include "engine_test.h"

#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <ucontext.h>

static void avx_env(void)
{
    sse_env();
    G()->cr4 |= CR4_OSXSAVE_BIT;
    G()->xcr0 = 7;
    st64(H.vcpu.fpstate + XS_XSTATE_BV, 7);
}

static uint8_t *ymm_lo(unsigned i) { return H.vcpu.fpstate + FX_XMM0 + 16 * i; }
static uint8_t *ymm_hi(unsigned i) { return H.vcpu.fpstate + XS_YMM_HI + 16 * i; }

#define RUNV(...) RUN_TO_HLT(__VA_ARGS__)

/* ---- directed cases */

static void avx_gating(void)
{
    /* vaddps ymm0, ymm1, ymm2 */
    avx_env();
    CHECK(RUNV(0xc5, 0xf4, 0x58, 0xc2) == -1, "vaddps ymm runs with OSXSAVE and XCR0 = 7");
    G()->cr4 &= ~(uint64_t)CR4_OSXSAVE_BIT;
    CHECK(RUNV(0xc5, 0xf4, 0x58, 0xc2) == VEC_UD, "vaddps without CR4.OSXSAVE: #UD");
    avx_env();
    G()->xcr0 = 3;
    CHECK(RUNV(0xc5, 0xf4, 0x58, 0xc2) == VEC_UD, "vaddps with XCR0 lacking AVX: #UD");
    avx_env();
    G()->cr0 |= CR0_TS_BIT;
    CHECK(RUNV(0xc5, 0xf4, 0x58, 0xc2) == VEC_NM, "vaddps with CR0.TS: #NM");
    avx_env();
    G()->cr0 |= CR0_EM_BIT;
    G()->cr4 &= ~(uint64_t)CR4_OSFXSR_BIT;
    CHECK(RUNV(0xc5, 0xf4, 0x58, 0xc2) == -1, "CR0.EM and CR4.OSFXSR do not apply to VEX");
    /* BMI: andn eax, ecx, edx needs no SIMD state. */
    avx_env();
    G()->cr4 &= ~(uint64_t)CR4_OSXSAVE_BIT;
    G()->cr0 |= CR0_TS_BIT;
    G()->xcr0 = 1;
    G()->gpr[GPR_RCX] = 0xf0;
    G()->gpr[GPR_RDX] = 0xff;
    CHECK(RUNV(0xc4, 0xe2, 0x70, 0xf2, 0xc2) == -1 && G()->gpr[GPR_RAX] == 0x0f, "andn runs without AVX state");
    CHECK(RUNV(0xc4, 0xe2, 0x74, 0xf2, 0xc2) == VEC_UD, "andn with VEX.L = 1: #UD");
}

static void avx_prefix_rules(void)
{
    avx_env();
    CHECK(RUNV(0x66, 0xc5, 0xf4, 0x58, 0xc2) == VEC_UD, "66 before VEX: #UD");
    CHECK(RUNV(0xf3, 0xc5, 0xf4, 0x58, 0xc2) == VEC_UD, "F3 before VEX: #UD");
    CHECK(RUNV(0xf2, 0xc5, 0xf4, 0x58, 0xc2) == VEC_UD, "F2 before VEX: #UD");
    CHECK(RUNV(0x40, 0xc5, 0xf4, 0x58, 0xc2) == VEC_UD, "REX before VEX: #UD");
    CHECK(RUNV(0xf0, 0xc5, 0xf4, 0x58, 0xc2) == VEC_UD, "LOCK before VEX: #UD");
    CHECK(RUNV(0x2e, 0xc5, 0xf4, 0x58, 0xc2) == -1, "a segment prefix before VEX is allowed");
    CHECK(RUNV(0xc4, 0xe4, 0x74, 0x58, 0xc2) == VEC_UD, "VEX map 4: #UD");
    /* vmovaps ymm0, ymm2 with vvvv = 1110: #UD. */
    CHECK(RUNV(0xc5, 0xf4, 0x28, 0xc2) == VEC_UD, "vvvv not 1111 where unused: #UD");
    CHECK(RUNV(0xc5, 0xfc, 0x28, 0xc2) == -1, "vmovaps ymm0, ymm2 with vvvv = 1111");
    /* vinsertf128 with VEX.L = 0: #UD; vpermq with W0: #UD. */
    CHECK(RUNV(0xc4, 0xe3, 0x71, 0x18, 0xc2, 1) == VEC_UD, "vinsertf128 needs VEX.L = 1");
    CHECK(RUNV(0xc4, 0xe3, 0x7d, 0x00, 0xc2, 0x1b) == VEC_UD, "vpermq needs VEX.W = 1");
    CHECK(RUNV(0xc4, 0xe3, 0xfd, 0x00, 0xc2, 0x1b) == -1, "vpermq with VEX.W = 1");
    /* Aligned VEX moves need 32-byte alignment at 256 bits, others none. */
    G()->gpr[GPR_RSI] = DATA_ADDR + 16;
    CHECK(RUNV(0xc5, 0xfc, 0x28, 0x06) == VEC_GP, "vmovaps ymm, m256 misaligned: #GP");
    CHECK(RUNV(0xc5, 0xfc, 0x58, 0x06) == -1, "vaddps ymm, m256 needs no alignment");
    CHECK(RUNV(0xc5, 0xf8, 0x58, 0x46, 0x01) == -1, "vaddps xmm, m128 needs no alignment");
}

/* Legacy SSE keeps bits 255:128; VEX.128 zeroes them; VZEROUPPER/ALL. */
static void avx_upper_halves(void)
{
    avx_env();
    for (unsigned i = 0; i < 16; i++) {
        memset(ymm_lo(i), 0x11 * (i + 1), 16);
        memset(ymm_hi(i), 0x22, 16);
    }
    CHECK(RUNV(0x0f, 0x58, 0xc2) == -1 && ymm_hi(0)[0] == 0x22 && ymm_hi(0)[15] == 0x22,
          "legacy addps keeps the upper half");
    CHECK(RUNV(0xc5, 0xf0, 0x58, 0xc2) == -1 && ymm_hi(0)[0] == 0 && ymm_hi(0)[15] == 0,
          "vaddps xmm zeroes the upper half");
    CHECK(RUNV(0xc5, 0xf8, 0x77) == -1 && ymm_hi(5)[3] == 0 && ymm_hi(15)[0] == 0 && ymm_lo(5)[0] == 0x66,
          "vzeroupper");
    memset(ymm_hi(3), 0x22, 16);
    CHECK(RUNV(0xc5, 0xfc, 0x77) == -1 && ymm_hi(3)[0] == 0 && ymm_lo(3)[0] == 0 && ymm_lo(15)[15] == 0, "vzeroall");
    /* In 32-bit mode only YMM0-7 are touched. */
    avx_env();
    memset(ymm_hi(9), 0x33, 16);
    H.cpu.mode = MODE_PROT;
    H.cpu.def_opsize = H.cpu.def_addrsize = 4;
    CHECK(RUNV(0xc5, 0xf8, 0x77) == -1 && ymm_hi(9)[0] == 0x33, "vzeroupper outside 64-bit mode keeps YMM8-15");
    /* ... where C5 with a memory ModRM is LDS, which is #GP-free here only
     * in the decoder's eyes: check it is not taken as VEX. */
    struct insn in;
    CHECK(emu_decode_bytes(&H.cpu, (const uint8_t[]){ 0xc5, 0x06, 0, 0, 0, 0 }, 6, &in) && !in.vex,
          "c5 with a memory ModRM in 32-bit mode is LDS");
    CHECK(emu_decode_bytes(&H.cpu, (const uint8_t[]){ 0xc5, 0xf8, 0x77 }, 3, &in) && in.vex == 2,
          "c5 with a register ModRM in 32-bit mode is VEX");
    H.cpu.mode = MODE_REAL;
    H.cpu.def_opsize = H.cpu.def_addrsize = 2;
    CHECK(emu_decode_bytes(&H.cpu, (const uint8_t[]){ 0xc5, 0xf8, 0x77 }, 3, &in) && !in.vex,
          "c5 in real mode is LDS");
}

/* 32-bit protected mode: VEX with a register-form second byte runs;
 * VEX.W does not widen BMI operands; vvvv bit 3 is ignored. */
static void avx_prot32(void)
{
    avx_env();
    h_reset(&H, 32);
    G()->cr4 |= CR4_OSFXSR_BIT | CR4_OSXMMEXCPT_BIT | CR4_OSXSAVE_BIT;
    G()->xcr0 = 7;
    memset(ymm_lo(1), 0, 16);
    memset(ymm_hi(1), 0, 16);
    float one = 1.0f, two = 2.0f;
    memcpy(ymm_hi(1), &one, 4);
    memcpy(ymm_hi(2), &two, 4);
    /* vaddps ymm0, ymm1, ymm2 */
    CHECK(RUNV(0xc5, 0xf4, 0x58, 0xc2) == -1 && ld32(ymm_hi(0)) == 0x40400000u, "vaddps ymm in 32-bit mode");
    /* andn eax, ecx, edx with VEX.W = 1: still 32-bit. */
    G()->gpr[GPR_RCX] = 0xff00ull;
    G()->gpr[GPR_RDX] = 0x123456789abcdefull;
    G()->gpr[GPR_RAX] = ~0ull;
    CHECK(RUNV(0xc4, 0xe2, 0xf0, 0xf2, 0xc2) == -1 && G()->gpr[GPR_RAX] == 0x89ab00efull,
          "VEX.W = 1 in 32-bit mode: 32-bit ANDN");
    /* vvvv = 0110 (bit 3 clear, inverted: register 9 = 1001): ignored, ecx used. */
    G()->gpr[GPR_RAX] = ~0ull;
    CHECK(RUNV(0xc4, 0xe2, 0x30, 0xf2, 0xc2) == -1 && G()->gpr[GPR_RAX] == 0x89ab00efull,
          "vvvv bit 3 ignored in 32-bit mode");
}

/* A gather that faults on its second element: the first is loaded and its
 * mask element cleared, the rest are as they were (restartable). */
static void avx_gather_fault(void)
{
    avx_env();
    uint64_t idx[4] = { 1, 0x1000000000000000ull, 2, 3 };
    memcpy(ymm_lo(2), idx, 16);
    memcpy(ymm_hi(2), idx + 2, 16);
    memset(ymm_lo(1), 0xff, 16);
    memset(ymm_hi(1), 0xff, 16);
    memset(ymm_lo(0), 0x55, 16);
    memset(ymm_hi(0), 0x55, 16);
    uint8_t *m = h_ptr(&H, DATA_ADDR, 64);
    for (unsigned i = 0; i < 64; i++)
        m[i] = (uint8_t)i;
    G()->gpr[GPR_RSI] = DATA_ADDR;
    /* vpgatherqq ymm0, [rsi + ymm2 * 8], ymm1: element 1 is outside the
     * harness's memory (#PF). */
    CHECK(RUNV(0xc4, 0xe2, 0xf5, 0x91, 0x04, 0xd6) == 14, "gather with an unmapped element: #PF");
    CHECK(ld64(ymm_lo(0)) == ld64(m + 8) && ld64(ymm_lo(1)) == 0, "element 0 loaded, its mask cleared");
    CHECK(ld64(ymm_lo(0) + 8) == 0x5555555555555555ull && ld64(ymm_lo(1) + 8) == ~0ull,
          "element 1 and its mask unchanged");
    CHECK(RUNV(0xc4, 0xe2, 0xf5, 0x91, 0x14, 0xd6) == VEC_UD, "gather with destination = index: #UD");
    CHECK(RUNV(0xc4, 0xe2, 0xf5, 0x91, 0x0c, 0xd6) == VEC_UD, "gather with destination = mask: #UD");
    CHECK(RUNV(0xc4, 0xe2, 0xf5, 0x91, 0x06) == VEC_UD, "gather without VSIB: #UD");
}

#if defined(__x86_64__)

/* ---- differential templates */

/* FORM_MEM with a VSIB operand: [rsi + ymm2 * scale], indices 0..15. */
enum { FORM_REG = 1, FORM_MEM = 2, L128 = 1, L256 = 2, K_GATHER = 16 };

struct avx_tmpl {
    const char *name;
    uint8_t map, pp, op;      /* map 1 0F, 2 0F38, 3 0F3A; pp 0 none, 1 66, 2 F3, 3 F2 */
    uint8_t w, lmask, forms;
    int16_t imm;              /* -1: none */
    uint8_t kind;
    uint8_t vreg;             /* register in VEX.vvvv */
    uint8_t ext;              /* ModRM.reg */
    uint16_t fmask;           /* RFLAGS bits compared */
};

#define TT(nm, map, pp, op, w, l, forms, imm, kind, vreg, ext, fm) \
    { nm, map, pp, op, w, l, forms, imm, kind, vreg, ext, fm }
/* ymm0 = op(ymm1, ymm2/m): packed (both lengths) and scalar (128). */
#define P3(nm, map, pp, op, kind) TT(nm, map, pp, op, 0, L128 | L256, FORM_REG | FORM_MEM, -1, kind, 1, 0, 0)
#define S3(nm, map, pp, op, kind) TT(nm, map, pp, op, 0, L128, FORM_REG | FORM_MEM, -1, kind, 1, 0, 0)
/* ymm0 = op(ymm2/m), vvvv unused. */
#define P2(nm, map, pp, op, kind) TT(nm, map, pp, op, 0, L128 | L256, FORM_REG | FORM_MEM, -1, kind, 0, 0, 0)
#define FP4V(op, nm)                                                        \
    P3(nm "ps", 1, 0, op, K_F32), P3(nm "pd", 1, 1, op, K_F64), S3(nm "ss", 1, 2, op, K_F32), \
    S3(nm "sd", 1, 3, op, K_F64)
#define INTV(unused, op, nm) P3(#nm, (op) > 0xffff ? 2 : 1, 1, (op) & 0xff, K_INT),
#define INTV1(unused, op, nm) P2(#nm, 2, 1, (op) & 0xff, K_INT),
#define BMI(nm, map, pp, op, w, ext, vreg, imm, fm) TT(nm, map, pp, op, w, L128, FORM_REG | FORM_MEM, imm, K_GPR, vreg, ext, fm)

static const struct avx_tmpl tmpls[] = {
    FP4V(0x58, "vadd"), FP4V(0x59, "vmul"), FP4V(0x5c, "vsub"), FP4V(0x5e, "vdiv"),
    FP4V(0x5d, "vmin"), FP4V(0x5f, "vmax"),
    P2("vsqrtps", 1, 0, 0x51, K_F32), P2("vsqrtpd", 1, 1, 0x51, K_F64),
    S3("vsqrtss", 1, 2, 0x51, K_F32), S3("vsqrtsd", 1, 3, 0x51, K_F64),
#define CMPV(p) TT("vcmpps_" #p, 1, 0, 0xc2, 0, L128 | L256, FORM_REG | FORM_MEM, p, K_F32, 1, 0, 0), \
                TT("vcmppd_" #p, 1, 1, 0xc2, 0, L128 | L256, FORM_REG, p, K_F64, 1, 0, 0),          \
                TT("vcmpss_" #p, 1, 2, 0xc2, 0, L128, FORM_REG, p, K_F32, 1, 0, 0)
    CMPV(0), CMPV(1), CMPV(2), CMPV(3), CMPV(4), CMPV(5), CMPV(6), CMPV(7), CMPV(8), CMPV(9), CMPV(10),
    CMPV(11), CMPV(12), CMPV(13), CMPV(14), CMPV(15), CMPV(16), CMPV(17), CMPV(18), CMPV(19), CMPV(20),
    CMPV(21), CMPV(22), CMPV(23), CMPV(24), CMPV(25), CMPV(26), CMPV(27), CMPV(28), CMPV(29), CMPV(30),
    CMPV(31),
    TT("vcmpsd_13", 1, 3, 0xc2, 0, L128, FORM_REG | FORM_MEM, 13, K_F64, 1, 0, 0),
    TT("vucomiss", 1, 0, 0x2e, 0, L128, FORM_REG, -1, K_F32, 0, 0, 0x8d5),
    TT("vcomisd", 1, 1, 0x2f, 0, L128, FORM_REG | FORM_MEM, -1, K_F64, 0, 0, 0x8d5),
    P2("vcvtps2pd", 1, 0, 0x5a, K_F32), P2("vcvtpd2ps", 1, 1, 0x5a, K_F64),
    S3("vcvtss2sd", 1, 2, 0x5a, K_F32), S3("vcvtsd2ss", 1, 3, 0x5a, K_F64),
    P2("vcvtdq2ps", 1, 0, 0x5b, K_INT), P2("vcvtps2dq", 1, 1, 0x5b, K_F32), P2("vcvttps2dq", 1, 2, 0x5b, K_F32),
    P2("vcvttpd2dq", 1, 1, 0xe6, K_F64), P2("vcvtdq2pd", 1, 2, 0xe6, K_INT), P2("vcvtpd2dq", 1, 3, 0xe6, K_F64),
    TT("vcvtsi2ss_q", 1, 2, 0x2a, 1, L128, FORM_REG, -1, K_F32, 1, 0, 0),
    TT("vcvtsi2sd_l", 1, 3, 0x2a, 0, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vcvtss2si_l", 1, 2, 0x2d, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 0, 0, 0),
    TT("vcvttsd2si_q", 1, 3, 0x2c, 1, L128, FORM_REG, -1, K_F64, 0, 0, 0),
    TT("vmovmskps", 1, 0, 0x50, 0, L128 | L256, FORM_REG, -1, K_F32, 0, 0, 0),
    TT("vstmxcsr", 1, 0, 0xae, 0, L128, FORM_MEM, -1, K_F32, 0, 3, 0),
    TT("vmovmskpd", 1, 1, 0x50, 0, L128 | L256, FORM_REG, -1, K_F64, 0, 0, 0),
    P3("vandps", 1, 0, 0x54, K_INT), P3("vandnpd", 1, 1, 0x55, K_INT), P3("vorps", 1, 0, 0x56, K_INT),
    P3("vxorpd", 1, 1, 0x57, K_INT),
    P3("vaddsubps", 1, 3, 0xd0, K_F32), P3("vaddsubpd", 1, 1, 0xd0, K_F64), P3("vhaddps", 1, 3, 0x7c, K_F32),
    P3("vhsubpd", 1, 1, 0x7d, K_F64), P3("vunpcklps", 1, 0, 0x14, K_INT), P3("vunpckhpd", 1, 1, 0x15, K_INT),
    P3("vunpckhps", 1, 0, 0x15, K_INT), P3("vunpcklpd", 1, 1, 0x14, K_INT),
    TT("vshufps", 1, 0, 0xc6, 0, L128 | L256, FORM_REG | FORM_MEM, 0x9c, K_INT, 1, 0, 0),
    TT("vshufpd", 1, 1, 0xc6, 0, L128 | L256, FORM_REG | FORM_MEM, 0x0b, K_INT, 1, 0, 0),
    /* Moves. */
    P2("vmovups", 1, 0, 0x10, K_INT), P2("vmovupd_store", 1, 1, 0x11, K_INT), P2("vmovdqu", 1, 2, 0x6f, K_INT),
    P2("vmovdqu_store", 1, 2, 0x7f, K_INT), P2("vmovdqa", 1, 1, 0x6f, K_INT), P2("vmovaps_store", 1, 0, 0x29, K_INT),
    TT("vmovss_r", 1, 2, 0x10, 0, L128, FORM_REG, -1, K_INT, 1, 0, 0),
    TT("vmovss_m", 1, 2, 0x10, 0, L128, FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vmovsd_r_store", 1, 3, 0x11, 0, L128, FORM_REG, -1, K_INT, 1, 0, 0),
    TT("vmovsd_m_store", 1, 3, 0x11, 0, L128, FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vmovhlps", 1, 0, 0x12, 0, L128, FORM_REG, -1, K_INT, 1, 0, 0),
    TT("vmovlps_m", 1, 0, 0x12, 0, L128, FORM_MEM, -1, K_INT, 1, 0, 0),
    TT("vmovlhps", 1, 0, 0x16, 0, L128, FORM_REG, -1, K_INT, 1, 0, 0),
    TT("vmovhpd_m", 1, 1, 0x16, 0, L128, FORM_MEM, -1, K_INT, 1, 0, 0),
    TT("vmovhps_store", 1, 0, 0x17, 0, L128, FORM_MEM, -1, K_INT, 0, 0, 0),
    P2("vmovddup", 1, 3, 0x12, K_INT), P2("vmovsldup", 1, 2, 0x12, K_INT), P2("vmovshdup", 1, 2, 0x16, K_INT),
    TT("vmovd_xmm_r32", 1, 1, 0x6e, 0, L128, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vmovq_xmm_r64", 1, 1, 0x6e, 1, L128, FORM_REG, -1, K_INT, 0, 0, 0),
    TT("vmovd_r32_xmm", 1, 1, 0x7e, 0, L128, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vmovq_f3_7e", 1, 2, 0x7e, 0, L128, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vmovq_66_d6", 1, 1, 0xd6, 0, L128, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0),
    /* Integer, 128 and 256 (AVX2). */
    SSE_INT_OPS(INTV, _) SSE_SHIFT_OPS(INTV, _) SSSE3_OPS(INTV, _) SSSE3_ABS_OPS(INTV1, _)
    P3("vpunpcklqdq", 1, 1, 0x6c, K_INT), P3("vpunpckhqdq", 1, 1, 0x6d, K_INT),
    TT("vpalignr_5", 3, 1, 0x0f, 0, L128 | L256, FORM_REG | FORM_MEM, 5, K_INT, 1, 0, 0),
    TT("vpalignr_20", 3, 1, 0x0f, 0, L128 | L256, FORM_REG, 20, K_INT, 1, 0, 0),
    TT("vpshufd", 1, 1, 0x70, 0, L128 | L256, FORM_REG | FORM_MEM, 0x9c, K_INT, 0, 0, 0),
    TT("vpshufhw", 1, 2, 0x70, 0, L128 | L256, FORM_REG, 0x4e, K_INT, 0, 0, 0),
    TT("vpshuflw", 1, 3, 0x70, 0, L128 | L256, FORM_REG, 0xb1, K_INT, 0, 0, 0),
    TT("vpsrlw_i", 1, 1, 0x71, 0, L128 | L256, FORM_REG, 3, K_INT, 1, 2, 0),
    TT("vpsraw_i", 1, 1, 0x71, 0, L128 | L256, FORM_REG, 17, K_INT, 1, 4, 0),
    TT("vpslld_i", 1, 1, 0x72, 0, L128 | L256, FORM_REG, 7, K_INT, 1, 6, 0),
    TT("vpsrad_i", 1, 1, 0x72, 0, L128 | L256, FORM_REG, 31, K_INT, 1, 4, 0),
    TT("vpsrlq_i", 1, 1, 0x73, 0, L128 | L256, FORM_REG, 33, K_INT, 1, 2, 0),
    TT("vpsrldq", 1, 1, 0x73, 0, L128 | L256, FORM_REG, 5, K_INT, 1, 3, 0),
    TT("vpslldq", 1, 1, 0x73, 0, L128 | L256, FORM_REG, 11, K_INT, 1, 7, 0),
    TT("vpinsrw", 1, 1, 0xc4, 0, L128, FORM_REG | FORM_MEM, 5, K_INT, 1, 0, 0),
    TT("vpextrw", 1, 1, 0xc5, 0, L128, FORM_REG, 6, K_INT, 0, 0, 0),
    TT("vpmovmskb", 1, 1, 0xd7, 0, L128 | L256, FORM_REG, -1, K_INT, 0, 0, 0),
    /* SSE4.1 forms. */
    P3("vpmuldq", 2, 1, 0x28, K_INT), P3("vpcmpeqq", 2, 1, 0x29, K_INT), P3("vpackusdw", 2, 1, 0x2b, K_INT),
    P3("vpcmpgtq", 2, 1, 0x37, K_INT), P3("vpminsb", 2, 1, 0x38, K_INT), P3("vpminsd", 2, 1, 0x39, K_INT),
    P3("vpminuw", 2, 1, 0x3a, K_INT), P3("vpminud", 2, 1, 0x3b, K_INT), P3("vpmaxsb", 2, 1, 0x3c, K_INT),
    P3("vpmaxsd", 2, 1, 0x3d, K_INT), P3("vpmaxuw", 2, 1, 0x3e, K_INT), P3("vpmaxud", 2, 1, 0x3f, K_INT),
    P3("vpmulld", 2, 1, 0x40, K_INT),
    P2("vpmovsxbw", 2, 1, 0x20, K_INT), P2("vpmovsxbq", 2, 1, 0x22, K_INT), P2("vpmovsxwd", 2, 1, 0x23, K_INT),
    P2("vpmovsxdq", 2, 1, 0x25, K_INT), P2("vpmovzxbd", 2, 1, 0x31, K_INT), P2("vpmovzxwq", 2, 1, 0x34, K_INT),
    P2("vpmovzxdq", 2, 1, 0x35, K_INT), P2("vpmovzxbq", 2, 1, 0x32, K_INT), P2("vpmovzxwd", 2, 1, 0x33, K_INT),
    P2("vpmovsxbd", 2, 1, 0x21, K_INT), P2("vpmovzxbw", 2, 1, 0x30, K_INT), P2("vpmovsxwq", 2, 1, 0x24, K_INT),
    P2("vmovapd", 1, 1, 0x28, K_INT), P2("vmovdqa_store", 1, 1, 0x7f, K_INT),
    TT("vptest", 2, 1, 0x17, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0x8d5),
    TT("vroundps_1", 3, 1, 0x08, 0, L128 | L256, FORM_REG, 1, K_F32, 0, 0, 0),
    TT("vroundpd_4", 3, 1, 0x09, 0, L128 | L256, FORM_REG | FORM_MEM, 4, K_F64, 0, 0, 0),
    TT("vroundss_2", 3, 1, 0x0a, 0, L128, FORM_REG, 2, K_F32, 1, 0, 0),
    TT("vroundsd_b", 3, 1, 0x0b, 0, L128, FORM_REG, 0xb, K_F64, 1, 0, 0),
    TT("vblendps", 3, 1, 0x0c, 0, L128 | L256, FORM_REG | FORM_MEM, 0xa5, K_INT, 1, 0, 0),
    TT("vblendpd", 3, 1, 0x0d, 0, L128 | L256, FORM_REG, 0x6, K_INT, 1, 0, 0),
    TT("vpblendw", 3, 1, 0x0e, 0, L128 | L256, FORM_REG, 0x3c, K_INT, 1, 0, 0),
    TT("vblendvps", 3, 1, 0x4a, 0, L128 | L256, FORM_REG | FORM_MEM, 0x10, K_INT, 1, 0, 0),
    TT("vblendvpd", 3, 1, 0x4b, 0, L128 | L256, FORM_REG, 0x00, K_INT, 1, 0, 0),
    TT("vpblendvb", 3, 1, 0x4c, 0, L128 | L256, FORM_REG, 0x20, K_INT, 1, 0, 0),
    TT("vmpsadbw", 3, 1, 0x42, 0, L128 | L256, FORM_REG, 0x1d, K_INT, 1, 0, 0),
    TT("vpextrb", 3, 1, 0x14, 0, L128, FORM_REG | FORM_MEM, 9, K_INT, 0, 0, 0),
    TT("vpextrq", 3, 1, 0x16, 1, L128, FORM_REG, 1, K_INT, 0, 0, 0),
    TT("vextractps", 3, 1, 0x17, 0, L128, FORM_REG, 2, K_INT, 0, 0, 0),
    TT("vpinsrd", 3, 1, 0x22, 0, L128, FORM_REG | FORM_MEM, 3, K_INT, 1, 0, 0),
    TT("vpinsrb", 3, 1, 0x20, 0, L128, FORM_REG, 13, K_INT, 1, 0, 0),
    TT("vinsertps", 3, 1, 0x21, 0, L128, FORM_REG | FORM_MEM, 0x9a, K_INT, 1, 0, 0),
    /* AVX/AVX2 additions. */
    TT("vbroadcastss", 2, 1, 0x18, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vbroadcastsd", 2, 1, 0x19, 0, L256, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vbroadcastf128", 2, 1, 0x1a, 0, L256, FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vpbroadcastb", 2, 1, 0x78, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vpbroadcastw", 2, 1, 0x79, 0, L128 | L256, FORM_REG, -1, K_INT, 0, 0, 0),
    TT("vpbroadcastq", 2, 1, 0x59, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vinsertf128", 3, 1, 0x18, 0, L256, FORM_REG | FORM_MEM, 1, K_INT, 1, 0, 0),
    TT("vinserti128", 3, 1, 0x38, 0, L256, FORM_REG, 0, K_INT, 1, 0, 0),
    TT("vextractf128", 3, 1, 0x19, 0, L256, FORM_REG | FORM_MEM, 1, K_INT, 0, 0, 0),
    TT("vextracti128_1", 3, 1, 0x39, 0, L256, FORM_REG | FORM_MEM, 1, K_INT, 0, 0, 0),
    TT("vextracti128_0", 3, 1, 0x39, 0, L256, FORM_REG, 0, K_INT, 0, 0, 0),
    TT("vpbroadcastd", 2, 1, 0x58, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vbroadcasti128", 2, 1, 0x5a, 0, L256, FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vpextrd", 3, 1, 0x16, 0, L128, FORM_REG | FORM_MEM, 3, K_INT, 0, 0, 0),
    TT("vmovlpd_store", 1, 1, 0x13, 0, L128, FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vcmpsd_1", 1, 3, 0xc2, 0, L128, FORM_REG | FORM_MEM, 1, K_F64, 1, 0, 0),
    TT("vcmpsd_4", 1, 3, 0xc2, 0, L128, FORM_REG, 4, K_F64, 1, 0, 0),
    TT("vucomisd", 1, 1, 0x2e, 0, L128, FORM_REG | FORM_MEM, -1, K_F64, 0, 0, 0x8d5),
    TT("vcvtsi2sd_q", 1, 3, 0x2a, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vcvtsi2ss_l", 1, 2, 0x2a, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0),
    TT("vcvttsd2si_l", 1, 3, 0x2c, 0, L128, FORM_REG | FORM_MEM, -1, K_F64, 0, 0, 0),
    TT("vcvtsd2si_q", 1, 3, 0x2d, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 0, 0, 0),
    TT("vcvttss2si_q", 1, 2, 0x2c, 1, L128, FORM_REG | FORM_MEM, -1, K_F32, 0, 0, 0),
    TT("vperm2f128", 3, 1, 0x06, 0, L256, FORM_REG | FORM_MEM, 0x31, K_INT, 1, 0, 0),
    TT("vperm2i128_z", 3, 1, 0x46, 0, L256, FORM_REG, 0x82, K_INT, 1, 0, 0),
    P3("vpermilps", 2, 1, 0x0c, K_INT), P3("vpermilpd", 2, 1, 0x0d, K_INT),
    TT("vpermilps_i", 3, 1, 0x04, 0, L128 | L256, FORM_REG | FORM_MEM, 0x1b, K_INT, 0, 0, 0),
    TT("vpermilpd_i", 3, 1, 0x05, 0, L128 | L256, FORM_REG, 0x9, K_INT, 0, 0, 0),
    TT("vtestps", 2, 1, 0x0e, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0x8d5),
    TT("vtestpd", 2, 1, 0x0f, 0, L128 | L256, FORM_REG, -1, K_INT, 0, 0, 0x8d5),
    TT("vmaskmovps", 2, 1, 0x2c, 0, L128 | L256, FORM_MEM, -1, K_INT, 1, 0, 0),
    TT("vmaskmovpd_store", 2, 1, 0x2f, 0, L128 | L256, FORM_MEM, -1, K_INT, 1, 0, 0),
    TT("vpmaskmovq", 2, 1, 0x8c, 1, L128 | L256, FORM_MEM, -1, K_INT, 1, 0, 0),
    TT("vpmaskmovd_store", 2, 1, 0x8e, 0, L128 | L256, FORM_MEM, -1, K_INT, 1, 0, 0),
    TT("vpblendd", 3, 1, 0x02, 0, L128 | L256, FORM_REG | FORM_MEM, 0x5a, K_INT, 1, 0, 0),
    TT("vpermd", 2, 1, 0x36, 0, L256, FORM_REG | FORM_MEM, -1, K_INT, 1, 0, 0),
    TT("vpermps", 2, 1, 0x16, 0, L256, FORM_REG, -1, K_INT, 1, 0, 0),
    TT("vpermq", 3, 1, 0x00, 1, L256, FORM_REG | FORM_MEM, 0x4e, K_INT, 0, 0, 0),
    TT("vpermpd", 3, 1, 0x01, 1, L256, FORM_REG, 0xb1, K_INT, 0, 0, 0),
    TT("vpsllvd", 2, 1, 0x47, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_INT, 1, 0, 0),
    TT("vpsllvq", 2, 1, 0x47, 1, L128 | L256, FORM_REG, -1, K_INT, 1, 0, 0),
    TT("vpsrlvd", 2, 1, 0x45, 0, L128 | L256, FORM_REG, -1, K_INT, 1, 0, 0),
    TT("vpsrlvq", 2, 1, 0x45, 1, L128 | L256, FORM_REG, -1, K_INT, 1, 0, 0),
    TT("vpsravd", 2, 1, 0x46, 0, L128 | L256, FORM_REG, -1, K_INT, 1, 0, 0),
    /* DPPS/DPPD (exceptions masked, as in the SSE test) and SSE4.2 strings. */
    TT("vdpps_f1", 3, 1, 0x40, 0, L128 | L256, FORM_REG | FORM_MEM, 0xf1, K_F32, 1, 0, 0),
    TT("vdpps_5a", 3, 1, 0x40, 0, L128 | L256, FORM_REG, 0x5a, K_F32, 1, 0, 0),
    TT("vdppd_33", 3, 1, 0x41, 0, L128, FORM_REG | FORM_MEM, 0x33, K_F64, 1, 0, 0),
    TT("vpcmpistri_0c", 3, 1, 0x63, 0, L128, FORM_REG | FORM_MEM, 0x0c, K_STR, 0, 0, 0x8d5),
    TT("vpcmpistrm_48", 3, 1, 0x62, 0, L128, FORM_REG, 0x48, K_STR, 0, 0, 0x8d5),
    TT("vpcmpestri_04", 3, 1, 0x61, 0, L128, FORM_REG, 0x04, K_STR, 0, 0, 0x8d5),
    TT("vpcmpestrm_q_40", 3, 1, 0x60, 1, L128, FORM_REG | FORM_MEM, 0x40, K_STR, 0, 0, 0x8d5),
    /* VEX.128 AES-NI and PCLMULQDQ. */
    S3("vaesenc", 2, 1, 0xdc, K_INT), S3("vaesenclast", 2, 1, 0xdd, K_INT), S3("vaesdec", 2, 1, 0xde, K_INT),
    S3("vaesdeclast", 2, 1, 0xdf, K_INT),
    TT("vaesimc", 2, 1, 0xdb, 0, L128, FORM_REG | FORM_MEM, -1, K_INT, 0, 0, 0),
    TT("vaeskeygenassist", 3, 1, 0xdf, 0, L128, FORM_REG | FORM_MEM, 0x1b, K_INT, 0, 0, 0),
    TT("vpclmulqdq_01", 3, 1, 0x44, 0, L128, FORM_REG | FORM_MEM, 0x01, K_INT, 1, 0, 0),
    TT("vpclmulqdq_10", 3, 1, 0x44, 0, L128, FORM_REG, 0x10, K_INT, 1, 0, 0),
    /* Gathers: ymm0 from [rsi + ymm2 * scale] under the mask ymm1. */
    TT("vpgatherdd", 2, 1, 0x90, 0, L128 | L256, FORM_MEM, -1, K_GATHER, 1, 0, 0),
    TT("vpgatherdq", 2, 1, 0x90, 1, L128 | L256, FORM_MEM, -1, K_GATHER, 1, 0, 0),
    TT("vpgatherqd", 2, 1, 0x91, 0, L128 | L256, FORM_MEM, -1, K_GATHER, 1, 0, 0),
    TT("vpgatherqq", 2, 1, 0x91, 1, L128 | L256, FORM_MEM, -1, K_GATHER, 1, 0, 0),
    TT("vgatherdps", 2, 1, 0x92, 0, L128 | L256, FORM_MEM, -1, K_GATHER, 1, 0, 0),
    TT("vgatherqpd", 2, 1, 0x93, 1, L128 | L256, FORM_MEM, -1, K_GATHER, 1, 0, 0),
    /* FMA and F16C. */
    TT("vfmaddsub132ps", 2, 1, 0x96, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmaddsub132pd", 2, 1, 0x96, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmsubadd132ps", 2, 1, 0x97, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmsubadd132pd", 2, 1, 0x97, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmadd132ps", 2, 1, 0x98, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmadd132pd", 2, 1, 0x98, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmadd132ss", 2, 1, 0x99, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmadd132sd", 2, 1, 0x99, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmsub132ps", 2, 1, 0x9a, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmsub132pd", 2, 1, 0x9a, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmsub132ss", 2, 1, 0x9b, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmsub132sd", 2, 1, 0x9b, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmadd132ps", 2, 1, 0x9c, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmadd132pd", 2, 1, 0x9c, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmadd132ss", 2, 1, 0x9d, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmadd132sd", 2, 1, 0x9d, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmsub132ps", 2, 1, 0x9e, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmsub132pd", 2, 1, 0x9e, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmsub132ss", 2, 1, 0x9f, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmsub132sd", 2, 1, 0x9f, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmaddsub213ps", 2, 1, 0xa6, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmaddsub213pd", 2, 1, 0xa6, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmsubadd213ps", 2, 1, 0xa7, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmsubadd213pd", 2, 1, 0xa7, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmadd213ps", 2, 1, 0xa8, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmadd213pd", 2, 1, 0xa8, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmadd213ss", 2, 1, 0xa9, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmadd213sd", 2, 1, 0xa9, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmsub213ps", 2, 1, 0xaa, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmsub213pd", 2, 1, 0xaa, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmsub213ss", 2, 1, 0xab, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmsub213sd", 2, 1, 0xab, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmadd213ps", 2, 1, 0xac, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmadd213pd", 2, 1, 0xac, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmadd213ss", 2, 1, 0xad, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmadd213sd", 2, 1, 0xad, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmsub213ps", 2, 1, 0xae, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmsub213pd", 2, 1, 0xae, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmsub213ss", 2, 1, 0xaf, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmsub213sd", 2, 1, 0xaf, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmaddsub231ps", 2, 1, 0xb6, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmaddsub231pd", 2, 1, 0xb6, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmsubadd231ps", 2, 1, 0xb7, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmsubadd231pd", 2, 1, 0xb7, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmadd231ps", 2, 1, 0xb8, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmadd231pd", 2, 1, 0xb8, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmadd231ss", 2, 1, 0xb9, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmadd231sd", 2, 1, 0xb9, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmsub231ps", 2, 1, 0xba, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmsub231pd", 2, 1, 0xba, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfmsub231ss", 2, 1, 0xbb, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfmsub231sd", 2, 1, 0xbb, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmadd231ps", 2, 1, 0xbc, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmadd231pd", 2, 1, 0xbc, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmadd231ss", 2, 1, 0xbd, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmadd231sd", 2, 1, 0xbd, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmsub231ps", 2, 1, 0xbe, 0, L128 | L256, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmsub231pd", 2, 1, 0xbe, 1, L128 | L256, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    TT("vfnmsub231ss", 2, 1, 0xbf, 0, L128, FORM_REG | FORM_MEM, -1, K_F32, 1, 0, 0), TT("vfnmsub231sd", 2, 1, 0xbf, 1, L128, FORM_REG | FORM_MEM, -1, K_F64, 1, 0, 0),
    P2("vcvtph2ps", 2, 1, 0x13, K_INT),
    TT("vcvtps2ph_0", 3, 1, 0x1d, 0, L128 | L256, FORM_REG | FORM_MEM, 0, K_F32, 0, 0, 0),
    TT("vcvtps2ph_1", 3, 1, 0x1d, 0, L128 | L256, FORM_REG, 1, K_F32, 0, 0, 0),
    TT("vcvtps2ph_2", 3, 1, 0x1d, 0, L128 | L256, FORM_REG, 2, K_F32, 0, 0, 0),
    TT("vcvtps2ph_3", 3, 1, 0x1d, 0, L128 | L256, FORM_REG, 3, K_F32, 0, 0, 0),
    TT("vcvtps2ph_mxcsr", 3, 1, 0x1d, 0, L128 | L256, FORM_REG | FORM_MEM, 0xfc, K_F32, 0, 0, 0),
    /* BMI1/BMI2: eax/rax = op(ecx (vvvv), edx or [rsi]); AF/PF are not
     * compared where undefined. */
    BMI("andn_l", 2, 0, 0xf2, 0, 0, 1, -1, 0x8c1), BMI("andn_q", 2, 0, 0xf2, 1, 0, 1, -1, 0x8c1),
    BMI("bextr_l", 2, 0, 0xf7, 0, 0, 1, -1, 0x841), BMI("bextr_q", 2, 0, 0xf7, 1, 0, 1, -1, 0x841),
    BMI("blsr_l", 2, 0, 0xf3, 0, 1, 1, -1, 0x8c1), BMI("blsmsk_q", 2, 0, 0xf3, 1, 2, 1, -1, 0x8c1),
    BMI("blsi_l", 2, 0, 0xf3, 0, 3, 1, -1, 0x8c1), BMI("blsi_q", 2, 0, 0xf3, 1, 3, 1, -1, 0x8c1),
    BMI("bzhi_l", 2, 0, 0xf5, 0, 0, 1, -1, 0x8c1), BMI("bzhi_q", 2, 0, 0xf5, 1, 0, 1, -1, 0x8c1),
    BMI("pext_l", 2, 2, 0xf5, 0, 0, 1, -1, 0x8d5), BMI("pext_q", 2, 2, 0xf5, 1, 0, 1, -1, 0x8d5),
    BMI("pdep_l", 2, 3, 0xf5, 0, 0, 1, -1, 0x8d5), BMI("pdep_q", 2, 3, 0xf5, 1, 0, 1, -1, 0x8d5),
    BMI("mulx_l", 2, 3, 0xf6, 0, 0, 1, -1, 0x8d5), BMI("mulx_q", 2, 3, 0xf6, 1, 0, 1, -1, 0x8d5),
    BMI("mulx_same", 2, 3, 0xf6, 1, 0, 0, -1, 0x8d5),
    BMI("shlx_l", 2, 1, 0xf7, 0, 0, 1, -1, 0x8d5), BMI("sarx_q", 2, 2, 0xf7, 1, 0, 1, -1, 0x8d5),
    BMI("shrx_l", 2, 3, 0xf7, 0, 0, 1, -1, 0x8d5), BMI("sarx_l", 2, 2, 0xf7, 0, 0, 1, -1, 0x8d5),
    BMI("shrx_q", 2, 3, 0xf7, 1, 0, 1, -1, 0x8d5), BMI("shlx_q", 2, 1, 0xf7, 1, 0, 1, -1, 0x8d5),
    BMI("blsr_q", 2, 0, 0xf3, 1, 1, 1, -1, 0x8c1), BMI("blsmsk_l", 2, 0, 0xf3, 0, 2, 1, -1, 0x8c1),
    BMI("rorx_l", 3, 3, 0xf0, 0, 0, 0, 13, 0x8d5), BMI("rorx_q", 3, 3, 0xf0, 1, 0, 0, 45, 0x8d5),
};

/* The stub's state block. */
struct avx_state {
    uint8_t y[3][32];             /* 0, 32, 64 */
    uint32_t mxcsr, pad0;         /* 96 */
    uint64_t rax;                 /* 104 */
    uint64_t rflags;              /* 112 */
    uint32_t host_mxcsr, pad1;    /* 120 */
    uint64_t rsi, rdx, rcx;       /* 128, 136, 144 */
};

static const uint8_t stub_head[] = {
    0x0f, 0xae, 0x5f, 0x78,                   /* stmxcsr [rdi+120] */
    0xc5, 0xfe, 0x6f, 0x07,                   /* vmovdqu ymm0, [rdi] */
    0xc5, 0xfe, 0x6f, 0x4f, 0x20,             /* vmovdqu ymm1, [rdi+32] */
    0xc5, 0xfe, 0x6f, 0x57, 0x40,             /* vmovdqu ymm2, [rdi+64] */
    0x48, 0x8b, 0x47, 0x68,                   /* mov rax, [rdi+104] */
    0x48, 0x8b, 0xb7, 0x80, 0, 0, 0,          /* mov rsi, [rdi+128] */
    0x48, 0x8b, 0x97, 0x88, 0, 0, 0,          /* mov rdx, [rdi+136] */
    0x48, 0x8b, 0x8f, 0x90, 0, 0, 0,          /* mov rcx, [rdi+144] */
    0xff, 0x77, 0x70, 0x9d,                   /* push qword [rdi+112]; popfq */
    0x0f, 0xae, 0x57, 0x60,                   /* ldmxcsr [rdi+96] */
};
static const uint8_t stub_tail[] = {
    0x0f, 0xae, 0x5f, 0x60,                   /* stmxcsr [rdi+96] */
    0x0f, 0xae, 0x57, 0x78,                   /* ldmxcsr [rdi+120] */
    0xc5, 0xfe, 0x7f, 0x07,                   /* vmovdqu [rdi], ymm0 */
    0xc5, 0xfe, 0x7f, 0x4f, 0x20,             /* vmovdqu [rdi+32], ymm1 */
    0xc5, 0xfe, 0x7f, 0x57, 0x40,             /* vmovdqu [rdi+64], ymm2 */
    0x48, 0x89, 0x47, 0x68,                   /* mov [rdi+104], rax */
    0x48, 0x89, 0x97, 0x88, 0, 0, 0,          /* mov [rdi+136], rdx */
    0x48, 0x89, 0x8f, 0x90, 0, 0, 0,          /* mov [rdi+144], rcx */
    0x9c, 0x58,                               /* pushfq; pop rax */
    0x48, 0x89, 0x47, 0x70,                   /* mov [rdi+112], rax */
    0xc5, 0xf8, 0x77,                         /* vzeroupper */
    0xc3,                                     /* ret */
};
/* The same with YMM8-10 and R8-R10 in the roles of YMM0-2 and RAX, RCX,
 * RDX (the AL_HIGH runs). */
static const uint8_t stub_head_high[] = {
    0x0f, 0xae, 0x5f, 0x78,                   /* stmxcsr [rdi+120] */
    0xc5, 0x7e, 0x6f, 0x07,                   /* vmovdqu ymm8, [rdi] */
    0xc5, 0x7e, 0x6f, 0x4f, 0x20,             /* vmovdqu ymm9, [rdi+32] */
    0xc5, 0x7e, 0x6f, 0x57, 0x40,             /* vmovdqu ymm10, [rdi+64] */
    0x4c, 0x8b, 0x47, 0x68,                   /* mov r8, [rdi+104] */
    0x48, 0x8b, 0xb7, 0x80, 0, 0, 0,          /* mov rsi, [rdi+128] */
    0x4c, 0x8b, 0x97, 0x88, 0, 0, 0,          /* mov r10, [rdi+136] */
    0x4c, 0x8b, 0x8f, 0x90, 0, 0, 0,          /* mov r9, [rdi+144] */
    0xff, 0x77, 0x70, 0x9d,                   /* push qword [rdi+112]; popfq */
    0x0f, 0xae, 0x57, 0x60,                   /* ldmxcsr [rdi+96] */
};
static const uint8_t stub_tail_high[] = {
    0x0f, 0xae, 0x5f, 0x60,                   /* stmxcsr [rdi+96] */
    0x0f, 0xae, 0x57, 0x78,                   /* ldmxcsr [rdi+120] */
    0xc5, 0x7e, 0x7f, 0x07,                   /* vmovdqu [rdi], ymm8 */
    0xc5, 0x7e, 0x7f, 0x4f, 0x20,             /* vmovdqu [rdi+32], ymm9 */
    0xc5, 0x7e, 0x7f, 0x57, 0x40,             /* vmovdqu [rdi+64], ymm10 */
    0x4c, 0x89, 0x47, 0x68,                   /* mov [rdi+104], r8 */
    0x4c, 0x89, 0x97, 0x88, 0, 0, 0,          /* mov [rdi+136], r10 */
    0x4c, 0x89, 0x8f, 0x90, 0, 0, 0,          /* mov [rdi+144], r9 */
    0x9c, 0x58,                               /* pushfq; pop rax */
    0x48, 0x89, 0x47, 0x70,                   /* mov [rdi+112], rax */
    0xc5, 0xf8, 0x77,                         /* vzeroupper */
    0xc3,                                     /* ret */
};
#define AVX_STUB_ADDR (H_HIGH_BASE + 0x60000)

static sigjmp_buf avx_fpe_jmp;
static uint32_t avx_fpe_mxcsr;

static void avx_on_sigfpe(int sig, siginfo_t *si, void *uc_)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = uc_;
    avx_fpe_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    siglongjmp(avx_fpe_jmp, 1);
}

static bool avx_native(const uint8_t *insn, unsigned len, bool high, struct avx_state *s)
{
    uint8_t *p = h_ptr(&H, AVX_STUB_ADDR, 256);
    const uint8_t *head = high ? stub_head_high : stub_head, *tail = high ? stub_tail_high : stub_tail;
    size_t nhead = high ? sizeof stub_head_high : sizeof stub_head;
    size_t ntail = high ? sizeof stub_tail_high : sizeof stub_tail;
    memcpy(p, head, nhead);
    memcpy(p + nhead, insn, len);
    memcpy(p + nhead + len, tail, ntail);
    __builtin___clear_cache((char *)p, (char *)p + 256);
    void (*fn)(struct avx_state *) = (void (*)(struct avx_state *))(uintptr_t)AVX_STUB_ADDR;
    if (sigsetjmp(avx_fpe_jmp, 1) == 0) {
        fn(s);
        return true;
    }
    return false;
}

static enum h_stop avx_engine(const uint8_t *insn, unsigned len, bool high, const struct avx_state *in,
                              struct avx_state *out)
{
    unsigned base = high ? 8 : 0;
    avx_env();
    for (unsigned i = 0; i < 3; i++) {
        memcpy(ymm_lo(base + i), in->y[i], 16);
        memcpy(ymm_hi(base + i), in->y[i] + 16, 16);
    }
    st32(H.vcpu.fpstate + FX_MXCSR, in->mxcsr);
    G()->gpr[base + GPR_RAX] = in->rax;
    G()->gpr[GPR_RSI] = in->rsi;
    G()->gpr[base + GPR_RDX] = in->rdx;
    G()->gpr[base + GPR_RCX] = in->rcx;
    emu_set_rflags(&H.cpu, in->rflags);
    uint8_t code[24];
    memcpy(code, insn, len);
    code[len] = 0xf4;
    enum h_stop st = run_code(CODE_ADDR, code, len + 1u, 16);
    *out = *in;
    for (unsigned i = 0; i < 3; i++) {
        memcpy(out->y[i], ymm_lo(base + i), 16);
        memcpy(out->y[i] + 16, ymm_hi(base + i), 16);
    }
    out->mxcsr = ld32(H.vcpu.fpstate + FX_MXCSR);
    out->rax = G()->gpr[base + GPR_RAX];
    out->rdx = G()->gpr[base + GPR_RDX];
    out->rcx = G()->gpr[base + GPR_RCX];
    out->rflags = emu_get_rflags(&H.cpu);
    return st;
}

/* Register choices of one run: the template's own (VEX.vvvv register 1,
 * r/m register 2, distinct from the destination 0), or one of the aliased
 * ones, which catch handlers that write the destination before they have
 * read every source. */
enum alias { AL_NONE, AL_DST_SRC1, AL_DST_SRC2, AL_SRC1_SRC2, AL_VEX2, AL_HIGH, AL_COUNT };
static const char *const alias_name[AL_COUNT] = { "", "_d1", "_d2", "_12", "_c5", "_hi" };

static bool alias_applies(const struct avx_tmpl *t, enum alias a, bool mem)
{
    /* Gathers #UD on aliased registers (a directed case checks that). */
    if (t->kind == K_GATHER)
        return a == AL_NONE;
    switch (a) {
    case AL_NONE:
        return true;
    case AL_DST_SRC1:
        return t->vreg == 1;
    case AL_DST_SRC2:
        return !mem;
    case AL_SRC1_SRC2:
        return !mem && t->vreg == 1;
    case AL_VEX2:
        /* Not an alias: the same registers in the two-byte prefix, which
         * can say map 0F with W0 only. */
        return t->map == 1 && !t->w;
    case AL_HIGH:
        /* Registers 8-10 through VEX.R, VEX.B and vvvv bit 3, except
         * where an operand is implicit (RDX of MULX, RAX/RDX/RCX of the
         * string compares). */
        return t->kind != K_STR && !(t->map == 2 && t->op == 0xf6);
    default:
        return false;
    }
}

static unsigned encode(const struct avx_tmpl *t, unsigned l, bool mem, enum alias a, uint8_t *b)
{
    unsigned vreg = a == AL_DST_SRC1 ? 0 : t->vreg;
    unsigned rm = a == AL_DST_SRC2 ? 0 : a == AL_SRC1_SRC2 ? t->vreg : 2;
    /* VEX.R for a destination in ModRM.reg (not an opcode extension), VEX.B
     * for a register r/m, vvvv bit 3 where vvvv names a register. */
    bool high = a == AL_HIGH, hr = high && !t->ext, hb = high && !mem;
    if (high && t->vreg)
        vreg += 8;
    unsigned n = 0;
    if (a == AL_VEX2) {
        b[n++] = 0xc5;
        b[n++] = (uint8_t)(0x80 | ((~vreg & 15) << 3) | (l << 2) | t->pp);
    } else {
        b[n++] = 0xc4;
        b[n++] = (uint8_t)((0xe0 & ~(hr ? 0x80u : 0) & ~(hb ? 0x20u : 0)) | t->map);
        b[n++] = (uint8_t)((t->w << 7) | ((~vreg & 15) << 3) | (l << 2) | t->pp);
    }
    b[n++] = t->op;
    if (t->kind == K_GATHER) {
        b[n++] = (uint8_t)((t->ext << 3) | 4);
        b[n++] = (uint8_t)((t->w ? 3 << 6 : 2 << 6) | (2 << 3) | 6);  /* scale 8 or 4, index 2, base rsi */
    } else {
        b[n++] = (uint8_t)(mem ? (t->ext << 3) | 6u : 0xc0u | (t->ext << 3) | rm);
    }
    if (t->imm >= 0)
        /* VBLENDV's fourth register is in imm8[7:4]. */
        b[n++] = (uint8_t)(t->imm | (high && t->map == 3 && t->op >= 0x4a && t->op <= 0x4c ? 0x80 : 0));
    return n;
}

static void hex32(char *buf, size_t n, const uint8_t *v)
{
    snprintf(buf, n, "%016" PRIx64 ":%016" PRIx64 ":%016" PRIx64 ":%016" PRIx64, ld64(v + 24), ld64(v + 16),
             ld64(v + 8), ld64(v));
}

static void one_avx(const struct avx_tmpl *t, unsigned l, bool mem, enum alias al, unsigned iters)
{
    uint8_t insn[16];
    unsigned len = encode(t, l, mem, al, insn);
    uint8_t *memp = h_ptr(&H, DATA_ADDR, 256);
    unsigned kind = t->kind == K_GPR || t->kind == K_GATHER ? K_INT : t->kind;
    for (unsigned it = 0; it < iters; it++) {
        struct avx_state in, nat, emu;
        memset(&in, 0, sizeof in);
        for (unsigned i = 0; i < 3; i++) {
            gen_vec(in.y[i], kind);
            gen_vec(in.y[i] + 16, kind);
        }
        if (t->kind == K_GATHER)
            for (unsigned i = 0; i < 32; i++)
                in.y[2][i] = (i % (t->op & 1 ? 8 : 4)) ? 0 : (uint8_t)(rnd() % 16);
        in.mxcsr = gen_mxcsr();
        /* DPPS/DPPD: compared with exceptions masked (docs/compat.md 7.5). */
        if (!strncmp(t->name, "vdpp", 4))
            in.mxcsr |= 0x3fu << MXCSR_MASK_SHIFT;
        in.rax = rnd_val();
        in.rcx = rnd() % 2 ? rnd_val() : (rnd() & 0xffff);
        in.rdx = rnd_val();
        in.rsi = DATA_ADDR;
        in.rflags = 0x202 | (rnd() & 0x8d5);
        if (t->kind == K_STR) {
            /* Explicit lengths around the element counts, of both signs. */
            in.rax = (uint64_t)(int64_t)((int)(rnd() % 41) - 20);
            in.rdx = (uint64_t)(int64_t)((int)(rnd() % 41) - 20);
        }
        uint8_t memv[256];
        gen_vec(memv, kind);
        gen_vec(memv + 16, kind);
        for (unsigned i = 32; i < 256; i++)
            memv[i] = (uint8_t)rnd();
        memcpy(memp, memv, 256);
        nat = in;
        bool ok = avx_native(insn, len, al == AL_HIGH, &nat);
        uint8_t mem_after[256];
        memcpy(mem_after, memp, 256);
        memcpy(memp, memv, 256);
        enum h_stop st = avx_engine(insn, len, al == AL_HIGH, &in, &emu);
        char a[80], b[80], c[80], d[80], e[80];
        hex32(a, sizeof a, in.y[1]);
        hex32(b, sizeof b, in.y[2]);
        hex32(c, sizeof c, memv);
        if (!ok) {
            CHECK(st == H_STOP_EXC && H.vector == VEC_XM, "host #XM (mxcsr %#x), engine stop %d vector %u (y1 %s y2 %s mem %s mxcsr %#x)",
                  avx_fpe_mxcsr, st, H.vector, a, b, c, in.mxcsr);
            uint32_t pe_ignore = (avx_fpe_mxcsr & ~(in.mxcsr >> MXCSR_MASK_SHIFT) & (MXCSR_OE | MXCSR_UE)) ? MXCSR_PE : 0;
            CHECK((emu.mxcsr & ~pe_ignore) == (avx_fpe_mxcsr & ~pe_ignore) && !memcmp(emu.y, in.y, sizeof in.y),
                  "#XM state: mxcsr %#x, host %#x (y1 %s y2 %s mem %s mxcsr in %#x)", emu.mxcsr, avx_fpe_mxcsr, a, b,
                  c, in.mxcsr);
            continue;
        }
        CHECK(halted(), "engine stop %d vector %u, host completed (y1 %s y2 %s mem %s mxcsr %#x)", st, H.vector, a,
              b, c, in.mxcsr);
        hex32(d, sizeof d, emu.y[0]);
        hex32(e, sizeof e, nat.y[0]);
        CHECK(!memcmp(emu.y, nat.y, sizeof nat.y) && emu.mxcsr == nat.mxcsr && emu.rax == nat.rax &&
                  emu.rcx == nat.rcx && emu.rdx == nat.rdx && (emu.rflags & t->fmask) == (nat.rflags & t->fmask) &&
                  !memcmp(memp, mem_after, 256),
              "y0 %s host %s, y1 %s, mxcsr %#x host %#x, rax %#" PRIx64 " host %#" PRIx64 ", rcx %#" PRIx64
              " host %#" PRIx64 ", flags %#" PRIx64 " host %#" PRIx64 ", mem %s (in: y1 %s y2 %s mem %s mxcsr %#x rax %#"
              PRIx64 " rcx %#" PRIx64 " rdx %#" PRIx64 ")",
              d, e, memcmp(emu.y[1], nat.y[1], 32) ? "differs" : "same", emu.mxcsr, nat.mxcsr, emu.rax, nat.rax,
              emu.rcx, nat.rcx, emu.rflags & t->fmask, nat.rflags & t->fmask,
              memcmp(memp, mem_after, 256) ? "differs" : "same", a, b, c, in.mxcsr, in.rax, in.rcx, in.rdx);
    }
}

static bool host_has_avx2_bmi2(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return false;
    unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
    if (!__get_cpuid(1, &a1, &b1, &c1, &d1))
        return false;
    /* AVX2, BMI1, BMI2; AVX, OSXSAVE, FMA, F16C. */
    return (b & (1u << 5)) && (b & (1u << 8)) && (b & (1u << 3)) && (c1 & (1u << 28)) && (c1 & (1u << 27)) &&
           (c1 & (1u << 12)) && (c1 & (1u << 29));
}

static void run_avx_diff(void)
{
    if (!host_has_avx2_bmi2()) {
        report_skip("avx_diff", "the host lacks AVX2, BMI1/2, FMA or F16C");
        return;
    }
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = avx_on_sigfpe;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGFPE, &sa, &old);
    unsigned iters = getenv("AVX_DIFF_ITERS") ? (unsigned)atoi(getenv("AVX_DIFF_ITERS")) : 150;
    const char *only = getenv("AVX_DIFF_ONLY");
    for (size_t i = 0; i < sizeof tmpls / sizeof tmpls[0]; i++) {
        const struct avx_tmpl *t = &tmpls[i];
        if (only && strcmp(only, t->name))
            continue;
        for (unsigned l = 0; l < 2; l++)
            for (unsigned f = 0; f < 2; f++) {
                if (!(t->lmask & (1u << l)) || !(t->forms & (1u << f)))
                    continue;
                for (unsigned a = 0; a < AL_COUNT; a++) {
                    if (!alias_applies(t, a, f == 1))
                        continue;
                    fail_detail[0] = 0;
                    one_avx(t, l, f == 1, a, a == AL_NONE ? iters : (iters + 2) / 3);
                    char name[80];
                    snprintf(name, sizeof name, "avx_diff_%s_%u%s%s", t->name, l ? 256 : 128, f ? "_m" : "",
                             alias_name[a]);
                    report(name);
                }
            }
    }
    sigaction(SIGFPE, &old, NULL);
}

#endif /* __x86_64__ */

void run_avx(void)
{
    CASE(avx_gating);
    CASE(avx_prefix_rules);
    CASE(avx_upper_halves);
    CASE(avx_gather_fault);
    CASE(avx_prot32);
#if defined(__x86_64__)
    run_avx_diff();
#else
    report_skip("avx_diff", "not an x86-64 host");
#endif
}
