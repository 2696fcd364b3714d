/*
 * Directed SIMD cases: availability (#UD/#NM/#MF by CR0/CR4), #XM or #UD
 * for unmasked exceptions, FXSAVE/FXRSTOR and XSAVE-family layouts and
 * their #GP rules, MMX's x87 tag/TOP effects, mandatory-prefix decoding,
 * alignment, and RCP/RSQRT against the SDM's bound.
 */
#include "emu/fpu.h"
#include "engine_test.h"

/* Long mode with SSE enabled and a default FPU/SIMD state (host_diff_sse.c
 * starts from it too). */
void sse_env(void)
{
    h_reset(&H, 64);
    G()->cr4 |= CR4_OSFXSR_BIT | CR4_OSXMMEXCPT_BIT;
    uint8_t *a = H.vcpu.fpstate;
    memset(a, 0, HV_FPSTATE_SIZE);
    st16(a + FX_FCW, FCW_DEFAULT);
    st32(a + FX_MXCSR, MXCSR_DEFAULT);
    st32(a + FX_MXCSR_MASK, MXCSR_MASK_VALUE);
    st64(a + XS_XSTATE_BV, 3);
    G()->xcr0 = 1;
}

static uint8_t *area(void) { return H.vcpu.fpstate; }
static uint8_t *xmm(unsigned i) { return area() + FX_XMM0 + 16 * i; }

#define RUN(...) RUN_TO_HLT(__VA_ARGS__)

static void t_sse_gating(void)
{
    sse_env();
    CHECK(RUN(0x0f, 0x58, 0xc1) == -1, "addps runs with OSFXSR");
    G()->cr4 &= ~(uint64_t)CR4_OSFXSR_BIT;
    CHECK(RUN(0x0f, 0x58, 0xc1) == 6, "addps without CR4.OSFXSR: #UD");
    CHECK(RUN(0x0f, 0xfc, 0xc1) == -1, "MMX paddb needs no OSFXSR");
    CHECK(RUN(0x0f, 0xae, 0x06) == -1, "FXSAVE needs no OSFXSR");
    sse_env();
    G()->cr0 |= CR0_EM_BIT;
    CHECK(RUN(0x0f, 0x58, 0xc1) == 6, "addps with CR0.EM: #UD");
    CHECK(RUN(0x0f, 0xfc, 0xc1) == 6, "paddb mm with CR0.EM: #UD");
    CHECK(RUN(0x0f, 0xae, 0x06) == 7, "FXSAVE with CR0.EM: #NM");
    G()->cr0 |= CR0_TS_BIT;
    CHECK(RUN(0x0f, 0x58, 0xc1) == 6, "CR0.EM has priority over CR0.TS: #UD");
    G()->cr0 &= ~(uint64_t)CR0_EM_BIT;
    CHECK(RUN(0x0f, 0x58, 0xc1) == 7, "addps with CR0.TS: #NM");
    CHECK(RUN(0x0f, 0xfc, 0xc1) == 7, "paddb with CR0.TS: #NM");
    CHECK(RUN(0x0f, 0x77) == 7, "emms with CR0.TS: #NM");
    CHECK(RUN(0x0f, 0xae, 0x16) == 7, "ldmxcsr with CR0.TS: #NM");
    CHECK(RUN(0x0f, 0xae, 0x06) == 7, "fxsave with CR0.TS: #NM");
    G()->cr4 |= CR4_OSXSAVE_BIT;
    CHECK(RUN(0x0f, 0xae, 0x26) == 7, "xsave with CR0.TS: #NM");
    G()->cr0 &= ~(uint64_t)CR0_TS_BIT;
    G()->cr4 &= ~(uint64_t)CR4_OSXSAVE_BIT;
    CHECK(RUN(0x0f, 0xae, 0x26) == 6, "xsave without CR4.OSXSAVE: #UD");
    CHECK(RUN(0x0f, 0xae, 0x2e) == 6, "xrstor without CR4.OSXSAVE: #UD");
    CHECK(RUN(0x0f, 0xc7, 0x26) == 6, "xsavec without CR4.OSXSAVE: #UD");
    /* A pending x87 exception reaches the next MMX instruction (CR0.NE). */
    sse_env();
    G()->cr0 |= CR0_NE_BIT;
    st16(area() + FX_FSW, FSW_ES | 1);
    CHECK(RUN(0x0f, 0xfc, 0xc1) == 16, "MMX with FSW.ES and CR0.NE: #MF");
    CHECK(RUN(0x0f, 0x58, 0xc1) == -1, "SSE ignores FSW.ES");
    CHECK(RUN(0xf0, 0x0f, 0x58, 0x06) == 6, "LOCK addps: #UD");
    /* WAIT: #NM only with MP and TS; #MF for a pending exception. */
    CHECK(RUN(0x9b) == 16, "fwait with FSW.ES and CR0.NE: #MF");
    st16(area() + FX_FSW, 0);
    G()->cr0 |= CR0_TS_BIT;
    CHECK(RUN(0x9b) == -1, "fwait with TS but not MP");
    G()->cr0 |= CR0_MP_BIT;
    CHECK(RUN(0x9b) == 7, "fwait with MP and TS: #NM");
    /* x87 escapes: #NM with EM or TS, else #UD for an encoding without an instruction. */
    CHECK(RUN(0xd9, 0xe8) == 7, "fld1 with TS: #NM");
    G()->cr0 &= ~(uint64_t)(CR0_TS_BIT | CR0_MP_BIT);
    CHECK(RUN(0xd9, 0xe2) == 6, "D9 E2 (no x87 instruction): #UD");
    G()->cr0 |= CR0_EM_BIT;
    CHECK(RUN(0xd9, 0xe8) == 7, "fld1 with EM: #NM");
    struct insn in;
    CHECK(emu_decode_bytes(&H.cpu, (const uint8_t[]){ 0xdd, 0x86, 0x00, 0x01, 0x00, 0x00 }, 6, &in) && in.len == 6,
          "x87 escapes decode their ModRM (length %u)", in.len);
}

static void t_sse_unmasked(void)
{
    sse_env();
    float one = 1.0f, zero = 0.0f;
    memcpy(xmm(0), &one, 4);
    memcpy(xmm(1), &zero, 4);
    uint8_t before[16];
    memcpy(before, xmm(0), 16);
    st32(area() + FX_MXCSR, MXCSR_DEFAULT & ~(MXCSR_ZE << MXCSR_MASK_SHIFT));
    CHECK(RUN(0xf3, 0x0f, 0x5e, 0xc1) == 19, "unmasked divide by zero: #XM");
    CHECK(ld32(area() + FX_MXCSR) == ((MXCSR_DEFAULT & ~(MXCSR_ZE << MXCSR_MASK_SHIFT)) | MXCSR_ZE),
          "ZE set: mxcsr %#x", ld32(area() + FX_MXCSR));
    CHECK(!memcmp(before, xmm(0), 16), "destination unchanged");
    CHECK(G()->rip == CODE_ADDR, "RIP on the faulting instruction");
    G()->cr4 &= ~(uint64_t)CR4_OSXMMEXCPT_BIT;
    CHECK(RUN(0xf3, 0x0f, 0x5e, 0xc1) == 6, "unmasked exception without CR4.OSXMMEXCPT: #UD");
    /* Masked: infinity and the flag. */
    st32(area() + FX_MXCSR, MXCSR_DEFAULT);
    CHECK(RUN(0xf3, 0x0f, 0x5e, 0xc1) == -1, "masked divide by zero completes");
    CHECK(ld32(xmm(0)) == 0x7f800000u && (ld32(area() + FX_MXCSR) & MXCSR_ZE), "+inf and ZE");
    /* Unmasked underflow with an exact tiny result still faults. */
    sse_env();
    st32(xmm(0), 0x00800000u); /* smallest normal */
    float half = 0.5f;
    memcpy(xmm(1), &half, 4);
    st32(area() + FX_MXCSR, MXCSR_DEFAULT & ~(MXCSR_UE << MXCSR_MASK_SHIFT));
    CHECK(RUN(0xf3, 0x0f, 0x59, 0xc1) == 19, "exact tiny result with UM clear: #XM");
    CHECK(ld32(area() + FX_MXCSR) & MXCSR_UE, "UE set");
}

static void fill_state(void)
{
    for (unsigned i = 0; i < 16; i++)
        for (unsigned j = 0; j < 16; j++)
            xmm(i)[j] = (uint8_t)(i * 16 + j + 1);
    for (unsigned i = 0; i < 8; i++)
        for (unsigned j = 0; j < 10; j++)
            area()[FX_ST0 + 16 * i + j] = (uint8_t)(0x80 + i * 10 + j);
    st16(area() + FX_FCW, 0x027f);
    st16(area() + FX_FSW, 0x3800);
    area()[FX_FTW] = 0x81;
    st16(area() + FX_FOP, 0x1234);
    st64(area() + FX_FIP, 0x1122334455667788ull);
    st64(area() + FX_FDP, 0x99aabbccddeeff00ull);
    st32(area() + FX_MXCSR, 0x9fc0);
}

static void t_fxsave(void)
{
    sse_env();
    fill_state();
    uint8_t snap[FX_LEGACY_SIZE];
    memcpy(snap, area(), sizeof snap);
    uint8_t *mem = h_ptr(&H, DATA_ADDR, 1024);
    memset(mem, 0xcc, 1024);
    G()->gpr[GPR_RSI] = DATA_ADDR;
    CHECK(RUN(0x48, 0x0f, 0xae, 0x06) == -1, "fxsave64");
    CHECK(!memcmp(mem, snap, 24) && ld32(mem + 24) == 0x9fc0 && ld32(mem + 28) == MXCSR_MASK_VALUE,
          "fxsave64 header");
    CHECK(!memcmp(mem + 32, snap + 32, 128 + 256), "fxsave64 ST and XMM0-15");
    CHECK(mem[464] == 0xcc && mem[511] == 0xcc, "bytes 464-511 untouched");
    memset(mem, 0xcc, 1024);
    CHECK(RUN(0x0f, 0xae, 0x06) == -1, "fxsave (32-bit form)");
    CHECK(ld32(mem + 8) == 0x55667788u && ld16(mem + 12) == 0 && ld32(mem + 16) == 0xddeeff00u &&
              ld16(mem + 20) == 0,
          "32-bit form: FIP/FDP low halves, zero selectors");
    /* FXRSTOR round trip from a modified image. */
    memset(mem, 0, 512);
    st16(mem, 0x037f);
    st32(mem + 24, 0x1f80);
    for (unsigned i = 0; i < 16; i++)
        mem[160 + 16 * i] = (uint8_t)(0xa0 + i);
    CHECK(RUN(0x48, 0x0f, 0xae, 0x0e) == -1, "fxrstor64");
    CHECK(ld16(area()) == 0x037f && ld32(area() + FX_MXCSR) == 0x1f80 && xmm(15)[0] == 0xaf && xmm(15)[1] == 0,
          "fxrstor64 loaded");
    /* Reserved MXCSR bits: #GP(0), nothing loaded. */
    st32(mem + 24, 0x10000);
    st16(mem, 0x0000);
    CHECK(RUN(0x48, 0x0f, 0xae, 0x0e) == 13 && H.error == 0, "fxrstor reserved MXCSR: #GP(0)");
    CHECK(ld16(area()) == 0x037f, "nothing loaded on #GP");
    G()->gpr[GPR_RSI] = DATA_ADDR + 8;
    CHECK(RUN(0x0f, 0xae, 0x06) == 13, "misaligned fxsave: #GP");
    CHECK(RUN(0x0f, 0xae, 0x0e) == 13, "misaligned fxrstor: #GP");
    /* LDMXCSR / STMXCSR. */
    G()->gpr[GPR_RSI] = DATA_ADDR + 4; /* no alignment rule */
    st32(mem + 4, 0x7f80);
    CHECK(RUN(0x0f, 0xae, 0x16) == -1 && ld32(area() + FX_MXCSR) == 0x7f80, "ldmxcsr");
    CHECK(RUN(0x0f, 0xae, 0x1e, 0x0f, 0xae, 0x5e, 0x08) == -1 && ld32(mem + 4) == 0x7f80, "stmxcsr");
    st32(mem + 4, 0x80000000u);
    CHECK(RUN(0x0f, 0xae, 0x16) == 13 && ld32(area() + FX_MXCSR) == 0x7f80, "ldmxcsr reserved bit: #GP");
}

static void t_xsave(void)
{
    sse_env();
    fill_state();
    G()->cr4 |= CR4_OSXSAVE_BIT;
    G()->xcr0 = 7;
    for (unsigned i = 0; i < 16; i++)
        memset(area() + XS_YMM_HI + 16 * i, 0x40 + (int)i, 16);
    st64(area() + XS_XSTATE_BV, 7);
    uint8_t snap[XS_AREA_SIZE];
    memcpy(snap, area(), sizeof snap);
    uint8_t *mem = h_ptr(&H, DATA_ADDR, 2048);
    memset(mem, 0xcc, 2048);
    memset(mem + 512, 0, 64);
    G()->gpr[GPR_RSI] = DATA_ADDR;
    G()->gpr[GPR_RAX] = 2;
    G()->gpr[GPR_RDX] = 0;
    CHECK(RUN(0x48, 0x0f, 0xae, 0x26) == -1, "xsave64 SSE only");
    CHECK(mem[0] == 0xcc && mem[32] == 0xcc, "x87 bytes untouched");
    CHECK(ld32(mem + 24) == 0x9fc0 && !memcmp(mem + 160, snap + 160, 256), "MXCSR and XMM saved");
    CHECK(ld64(mem + 512) == 2 && mem[576] == 0xcc, "XSTATE_BV = 2, AVX untouched");
    G()->gpr[GPR_RAX] = ~0ull;
    G()->gpr[GPR_RDX] = ~0ull;
    CHECK(RUN(0x48, 0x0f, 0xae, 0x26) == -1, "xsave64 all");
    CHECK(!memcmp(mem, snap, 160) && !memcmp(mem + 576, snap + 576, 256) && ld64(mem + 512) == 7,
          "all components, XSTATE_BV = 7");
    /* XRSTOR: components whose XSTATE_BV bit is clear are initialised. */
    st64(mem + 512, 4);
    st32(mem + 24, 0x1f80);
    CHECK(RUN(0x48, 0x0f, 0xae, 0x2e) == -1, "xrstor64");
    CHECK(ld16(area()) == FCW_DEFAULT && xmm(3)[0] == 0 && ld32(area() + FX_MXCSR) == 0x1f80 &&
              area()[XS_YMM_HI] == 0x40,
          "x87/SSE initialised, MXCSR from memory, AVX loaded");
    st64(mem + 512, 8);
    CHECK(RUN(0x48, 0x0f, 0xae, 0x2e) == 13, "XSTATE_BV outside XCR0: #GP");
    st64(mem + 512, 3);
    st64(mem + 520, 1);
    CHECK(RUN(0x48, 0x0f, 0xae, 0x2e) == 13, "standard form with XCOMP_BV != 0: #GP");
    st64(mem + 520, 0);
    st32(mem + 24, 0x20000);
    CHECK(RUN(0x48, 0x0f, 0xae, 0x2e) == 13, "reserved MXCSR: #GP");
    st32(mem + 24, 0x1f80);
    /* XSAVEC: compacted header, and XRSTOR of it. */
    memcpy(area(), snap, sizeof snap);
    memset(mem, 0, 1024);
    CHECK(RUN(0x48, 0x0f, 0xc7, 0x26) == -1, "xsavec64");
    CHECK(ld64(mem + 512) == 7 && ld64(mem + 520) == (1ull << 63 | 7), "xsavec header %#" PRIx64 " %#" PRIx64,
          ld64(mem + 512), ld64(mem + 520));
    memset(area() + FX_XMM0, 0, 256);
    CHECK(RUN(0x48, 0x0f, 0xae, 0x2e) == -1 && !memcmp(area() + FX_XMM0, snap + FX_XMM0, 256),
          "xrstor of the compacted image");
    mem[512 + 20] = 1;
    CHECK(RUN(0x48, 0x0f, 0xae, 0x2e) == 13, "compacted header reserved bytes: #GP");
    G()->gpr[GPR_RSI] = DATA_ADDR + 16;
    CHECK(RUN(0x0f, 0xae, 0x26) == 13, "xsave misaligned (64): #GP");
    CHECK(RUN(0x0f, 0xc7, 0x26) == 13, "xsavec misaligned: #GP");
}

static void t_mmx_tags(void)
{
    sse_env();
    /* TOP = 3: MM0 is physical R0, stored in slot 5. */
    st16(area() + FX_FSW, 3u << FSW_TOP_SHIFT);
    st64(area() + FX_ST0 + 16 * 5, 0x0102030405060708ull);
    st64(area() + FX_ST0 + 16 * 6, 0x1010101010101010ull); /* R1 = MM1 */
    CHECK(RUN(0x0f, 0xfc, 0xc1) == -1, "paddb mm0, mm1");
    CHECK(((ld16(area() + FX_FSW) >> FSW_TOP_SHIFT) & 7) == 0 && area()[FX_FTW] == 0xff, "TOP 0, tags valid");
    CHECK(ld64(area() + FX_ST0) == 0x1112131415161718ull && ld16(area() + FX_ST0 + 8) == 0xffff,
          "MM0 in slot 0 with exponent all ones: %#" PRIx64, ld64(area() + FX_ST0));
    CHECK(ld64(area() + FX_ST0 + 16) == 0x1010101010101010ull, "MM1 renumbered to slot 1");
    CHECK(RUN(0x0f, 0x77) == -1 && area()[FX_FTW] == 0, "emms empties the tags");
    CHECK(RUN(0x66, 0x0f, 0x77) == 6, "66 0F 77: #UD");
}

static void t_sse_decode(void)
{
    sse_env();
    CHECK(RUN(0xf3, 0x0f, 0x28, 0xc1) == 6, "F3 0F 28: #UD");
    CHECK(RUN(0xf2, 0x0f, 0xfc, 0xc1) == 6, "F2 with an MMX opcode: #UD");
    CHECK(RUN(0x66, 0x0f, 0x73, 0xd9, 0x01) == -1, "66 0F 73 /3 (psrldq)");
    CHECK(RUN(0x0f, 0x73, 0xd9, 0x01) == 6, "0F 73 /3 without 66: #UD");
    CHECK(RUN(0x66, 0x0f, 0x73, 0x19, 0x01) == 6, "psrldq memory form: #UD");
    CHECK(RUN(0x0f, 0x50, 0x06) == 6, "movmskps memory form: #UD");
    CHECK(RUN(0x0f, 0x2b, 0xc1) == 6, "movntps register form: #UD");
    /* 66 F3 0F 58: F3 wins (ADDSS) and the length includes both prefixes. */
    float a = 1.0f, b = 2.0f;
    memcpy(xmm(0), &a, 4);
    memcpy(xmm(0) + 4, &a, 4);
    memcpy(xmm(1), &b, 4);
    memcpy(xmm(1) + 4, &b, 4);
    CHECK(RUN(0x66, 0xf3, 0x0f, 0x58, 0xc1) == -1, "66 F3 0F 58");
    float r0, r1;
    memcpy(&r0, xmm(0), 4);
    memcpy(&r1, xmm(0) + 4, 4);
    CHECK(r0 == 3.0f && r1 == 1.0f, "ADDSS (scalar): %g %g", (double)r0, (double)r1);
    struct insn in;
    CHECK(emu_decode_bytes(&H.cpu, (const uint8_t[]){ 0x66, 0x41, 0x0f, 0x70, 0x04, 0x24, 0x1b }, 7, &in) &&
              in.len == 7 && in.reg == 0 && in.base == 12,
          "pshufd xmm0, [r12], imm8 decodes");
    /* REX.R/B reach XMM8-15. */
    memset(xmm(9), 0x5a, 16);
    CHECK(RUN(0x45, 0x0f, 0x28, 0xd1) == -1 && !memcmp(xmm(10), xmm(9), 16), "movaps xmm10, xmm9");
}

static void t_sse_align(void)
{
    sse_env();
    G()->gpr[GPR_RSI] = DATA_ADDR + 4;
    CHECK(RUN(0x0f, 0x28, 0x06) == 13, "movaps misaligned: #GP");
    CHECK(RUN(0x0f, 0x10, 0x06) == -1, "movups misaligned");
    CHECK(RUN(0x0f, 0x58, 0x06) == 13, "addps m128 misaligned: #GP");
    CHECK(RUN(0xf3, 0x0f, 0x58, 0x06) == -1, "addss m32 misaligned");
    CHECK(RUN(0x66, 0x0f, 0xfc, 0x06) == 13, "paddb xmm, m128 misaligned: #GP");
    CHECK(RUN(0x0f, 0xfc, 0x06) == -1, "paddb mm, m64 misaligned");
    CHECK(RUN(0xf3, 0x0f, 0x6f, 0x06) == -1, "movdqu misaligned");
    CHECK(RUN(0x66, 0x0f, 0x7f, 0x06) == 13, "movdqa store misaligned: #GP");
}

static void t_maskmov(void)
{
    sse_env();
    uint8_t *mem = h_ptr(&H, DATA_ADDR, 32);
    memset(mem, 0xee, 32);
    for (unsigned i = 0; i < 16; i++) {
        xmm(0)[i] = (uint8_t)i;
        xmm(1)[i] = (i & 1) ? 0x80 : 0x7f;
    }
    G()->gpr[GPR_RDI] = DATA_ADDR + 3;
    CHECK(RUN(0x66, 0x0f, 0xf7, 0xc1) == -1, "maskmovdqu");
    for (unsigned i = 0; i < 16; i++)
        CHECK(mem[3 + i] == ((i & 1) ? i : 0xee), "byte %u: %#x", i, mem[3 + i]);
    CHECK(mem[2] == 0xee && mem[19] == 0xee, "outside untouched");
}

static double rel_err(uint32_t got, double exact)
{
    float g;
    memcpy(&g, &got, 4);
    double d = ((double)g - exact) / exact;
    return d < 0 ? -d : d;
}

static void t_rcp_rsqrt(void)
{
    sse_env();
    static const uint32_t vals[] = { 0x3f800000, 0x40490fdb, 0x00800000, 0x7f000000, 0x3e99999a, 0x4b000001 };
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        st32(xmm(1), vals[i]);
        float x;
        memcpy(&x, &vals[i], 4);
        CHECK(RUN(0xf3, 0x0f, 0x53, 0xc1) == -1, "rcpss");
        uint32_t r = ld32(xmm(0));
        double exact = 1.0 / (double)x;
        if (exact < 1.1754943508222875e-38)
            CHECK(r == 0, "rcpss(%#x): tiny result flushed, got %#x", vals[i], r);
        else
            CHECK(rel_err(r, exact) <= 1.5 / 4096, "rcpss(%#x) = %#x", vals[i], r);
        CHECK(RUN(0xf3, 0x0f, 0x52, 0xc1) == -1, "rsqrtss");
        double s = 1.0;
        for (unsigned k = 0; k < 400; k++)
            s = 0.5 * (s + (double)x / s); /* sqrt without libm */
        CHECK(rel_err(ld32(xmm(0)), 1.0 / s) <= 1.5 / 4096, "rsqrtss(%#x) = %#x", vals[i], ld32(xmm(0)));
    }
    static const struct { uint32_t in, rcp, rsqrt; } sp[] = {
        { 0x00000000, 0x7f800000, 0x7f800000 }, { 0x80000000, 0xff800000, 0xff800000 },
        { 0x00000001, 0x7f800000, 0x7f800000 }, { 0x7f800000, 0x00000000, 0x00000000 },
        { 0xff800000, 0x80000000, 0xffc00000 }, { 0xbf800000, 0xbf800000, 0xffc00000 },
        { 0x7f800001, 0x7fc00001, 0x7fc00001 },
    };
    for (unsigned i = 0; i < sizeof sp / sizeof sp[0]; i++) {
        st32(xmm(1), sp[i].in);
        st32(area() + FX_MXCSR, MXCSR_DEFAULT);
        CHECK(RUN(0xf3, 0x0f, 0x53, 0xc1) == -1 && ld32(xmm(0)) == sp[i].rcp, "rcpss(%#x) = %#x", sp[i].in,
              ld32(xmm(0)));
        CHECK(RUN(0xf3, 0x0f, 0x52, 0xc1) == -1 && ld32(xmm(0)) == sp[i].rsqrt, "rsqrtss(%#x) = %#x", sp[i].in,
              ld32(xmm(0)));
        CHECK(ld32(area() + FX_MXCSR) == MXCSR_DEFAULT, "no flags");
    }
}

/* A client may hand over an area whose XSTATE_BV marks components as in
 * their initial state: the engine must see the initial values. */
static void t_fpstate_init_components(void)
{
    sse_env();
    memset(xmm(0), 0x77, 16);
    st16(area() + FX_FCW, 0);
    st64(area() + XS_XSTATE_BV, 0);
    CHECK(RUN(0x0f, 0x28, 0xc8) == -1, "movaps xmm1, xmm0");
    uint8_t zero[16] = { 0 };
    CHECK(!memcmp(xmm(1), zero, 16) && ld16(area() + FX_FCW) == FCW_DEFAULT &&
              (ld64(area() + XS_XSTATE_BV) & 3) == 3,
          "initial state made explicit");
}

/* Outside 64-bit mode only XMM0-7 exist: FXSAVE/FXRSTOR and XSAVE touch
 * eight registers, and the rest of the image is left alone. */
static void t_sse_32bit(void)
{
    sse_env();
    h_reset(&H, 32);
    G()->cr4 |= CR4_OSFXSR_BIT | CR4_OSXMMEXCPT_BIT;
    fill_state();
    uint8_t *mem = h_ptr(&H, DATA_ADDR, 1024);
    memset(mem, 0xcc, 1024);
    G()->gpr[GPR_RSI] = DATA_ADDR;
    CHECK(RUN(0x0f, 0xae, 0x06) == -1, "fxsave in 32-bit mode");
    CHECK(!memcmp(mem + 160, xmm(0), 128) && mem[288] == 0xcc && mem[415] == 0xcc,
          "XMM0-7 stored, 288-415 untouched");
    memset(mem + 160, 0x11, 256);
    CHECK(RUN(0x0f, 0xae, 0x0e) == -1, "fxrstor in 32-bit mode");
    CHECK(xmm(7)[0] == 0x11 && xmm(8)[0] == 8 * 16 + 1, "XMM0-7 loaded, XMM8 untouched");
    float a = 2.0f;
    memcpy(xmm(1), &a, 4);
    memcpy(xmm(2), &a, 4);
    CHECK(RUN(0xf3, 0x0f, 0x59, 0xca) == -1, "mulss in 32-bit mode");
    float r;
    memcpy(&r, xmm(1), 4);
    CHECK(r == 4.0f, "mulss result %g", (double)r);
}

/* FNSTENV in real mode keeps 20-bit pointers split around FOP. */
static void t_x87_env_real(void)
{
    sse_env();
    h_reset(&H, 16);
    uint8_t *a = area();
    st64(a + FX_FIP, 0x12345);
    st16(a + FX_FOP, 0x5d9);
    st64(a + FX_FDP, 0xabcde);
    st16(a + FX_FCW, 0x037f);
    uint8_t *mem = h_ptr(&H, 0x2000, 64);
    memset(mem, 0xcc, 64);
    G()->gpr[GPR_RSI] = 0x2000;
    CHECK(RUN(0x66, 0xd9, 0x34) == -1, "fnstenv (32-bit format) in real mode");
    CHECK(ld32(mem + 12) == 0x2345 && ld32(mem + 16) == (0x5d9u | (0x1u << 12)) && ld32(mem + 20) == 0xbcde &&
              ld32(mem + 24) == (0xau << 12),
          "split pointers: %#x %#x %#x %#x", ld32(mem + 12), ld32(mem + 16), ld32(mem + 20), ld32(mem + 24));
    CHECK(ld16(a + FX_FCW) == 0x037f, "exceptions masked after FNSTENV");
    CHECK(RUN(0x66, 0xd9, 0x24) == -1 && ld64(a + FX_FIP) == 0x12345 && ld64(a + FX_FDP) == 0xabcde &&
              ld16(a + FX_FOP) == 0x5d9,
          "fldenv reads them back");
    memset(mem, 0xcc, 64);
    CHECK(RUN(0xd9, 0x34) == -1 && mem[14] == 0xcc, "14-byte format");
    CHECK(ld16(mem + 6) == 0x2345 && ld16(mem + 8) == (0x5d9u | (0x1u << 12)), "16-bit split pointers");
}

void run_sse_directed(void)
{
    CASE(t_sse_32bit);
    CASE(t_x87_env_real);
    CASE(t_sse_gating);
    CASE(t_sse_unmasked);
    CASE(t_fxsave);
    CASE(t_xsave);
    CASE(t_mmx_tags);
    CASE(t_sse_decode);
    CASE(t_sse_align);
    CASE(t_maskmov);
    CASE(t_rcp_rsqrt);
    CASE(t_fpstate_init_components);
}
