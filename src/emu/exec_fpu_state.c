/*
 * FPU/SIMD state management: FXSAVE/FXRSTOR, LDMXCSR/STMXCSR, XSAVE,
 * XSAVEOPT, XSAVEC, XRSTOR, EMMS, LFENCE/MFENCE (0F AE's register forms),
 * and the helpers every SIMD handler shares (availability checks, SIMD
 * exceptions, aligned memory operands).
 */
#include "fpu.h"

void fpu_init_components(struct emu_cpu *cpu, uint64_t mask)
{
    uint8_t *a = fpu_area(cpu);
    if (mask & XFEATURE_X87) {
        memset(a, 0, FX_MXCSR);
        memset(a + FX_ST0, 0, FX_XMM0 - FX_ST0);
        st16(a + FX_FCW, FCW_DEFAULT);
    }
    if (mask & XFEATURE_SSE)
        memset(a + FX_XMM0, 0, 16u * xmm_count(cpu));
    if (mask & XFEATURE_AVX)
        memset(a + XS_YMM_HI, 0, 16u * xmm_count(cpu));
}

void mmx_check(struct emu_cpu *cpu)
{
    uint64_t cr0 = cpu->g->cr0;
    if (cr0 & CR0_EM_BIT)
        EMU_UD(cpu);
    if (cr0 & CR0_TS_BIT)
        emu_raise(cpu, VEC_NM, false, 0);
    fpu_explicit(cpu);
    /* A pending x87 exception is delivered by the next MMX instruction.
     * With CR0.NE clear a processor signals FERR# to external hardware
     * instead, which the emulator does not model (docs/compat.md). */
    if ((ld16(fpu_area(cpu) + FX_FSW) & FSW_ES) && (cr0 & CR0_NE_BIT))
        emu_raise(cpu, VEC_MF, false, 0);
}

_Noreturn void simd_fp_fault(struct emu_cpu *cpu)
{
    if (!(cpu->g->cr4 & CR4_OSXMMEXCPT_BIT))
        EMU_UD(cpu);
    emu_raise(cpu, VEC_XM, false, 0);
}

static void check_align(struct emu_cpu *cpu, const struct insn *in, unsigned align)
{
    if (linear_of(cpu, emu_ea_seg(in), ea_of(cpu, in)) & (align - 1))
        EMU_GP0(cpu);
}

void sse_read_mem(struct emu_cpu *cpu, const struct insn *in, void *buf, unsigned size, bool aligned)
{
    if (aligned)
        check_align(cpu, in, size);
    if (size <= 8) {
        uint64_t v = emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), size);
        memcpy(buf, &v, size);
        return;
    }
    emu_read_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), buf, size);
}

void sse_write_mem(struct emu_cpu *cpu, const struct insn *in, const void *buf, unsigned size, bool aligned)
{
    if (aligned)
        check_align(cpu, in, size);
    if (size <= 8) {
        uint64_t v = 0;
        memcpy(&v, buf, size);
        emu_write(cpu, emu_ea_seg(in), ea_of(cpu, in), size, v);
        return;
    }
    emu_write_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), buf, size);
}

/*
 * The save instructions write only the bytes their format defines, but
 * fault as an access to the whole area: the image is first read with
 * write intent (so a #PF carries W=1 and nothing is written when any page
 * faults), updated, and written back in one access.
 */
static void image_read_for_write(struct emu_cpu *cpu, const struct insn *in, uint8_t *img, unsigned size)
{
    int seg = emu_ea_seg(in);
    uint64_t off = ea_of(cpu, in);
    for (unsigned i = 0; i < size; i += 8) {
        uint64_t v = emu_read_rmw(cpu, seg, (off + i) & size_mask(in->addrsize), 8);
        memcpy(img + i, &v, 8);
    }
}

static void image_write(struct emu_cpu *cpu, const struct insn *in, const uint8_t *img, unsigned size)
{
    emu_write_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), img, size);
}

static void image_read(struct emu_cpu *cpu, const struct insn *in, uint8_t *img, unsigned size)
{
    emu_read_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), img, size);
}

/* The x87 part of the legacy region (bytes 0-23 and 32-159).  The area
 * keeps FIP/FDP in the 64-bit form; the 32-bit form stores their low
 * halves and zero selectors (FCS/FDS are not kept: the processors that
 * deprecate them store 0 as well). */
static void x87_save(const struct emu_cpu *cpu, uint8_t *img, bool w64)
{
    const uint8_t *a = fpu_area(cpu);
    memcpy(img, a, 8);
    img[FX_FTW + 1] = 0;
    if (w64) {
        memcpy(img + FX_FIP, a + FX_FIP, 16);
    } else {
        st32(img + FX_FIP, ld32(a + FX_FIP));
        st32(img + FX_FIP + 4, 0);
        st32(img + FX_FDP, ld32(a + FX_FDP));
        st32(img + FX_FDP + 4, 0);
    }
    memcpy(img + FX_ST0, a + FX_ST0, FX_XMM0 - FX_ST0);
}

static void x87_load(struct emu_cpu *cpu, const uint8_t *img, bool w64)
{
    uint8_t *a = fpu_area(cpu);
    memcpy(a, img, 8);
    a[FX_FTW + 1] = 0;
    if (w64) {
        memcpy(a + FX_FIP, img + FX_FIP, 16);
    } else {
        st64(a + FX_FIP, ld32(img + FX_FIP));
        st64(a + FX_FDP, ld32(img + FX_FDP));
    }
    memcpy(a + FX_ST0, img + FX_ST0, FX_XMM0 - FX_ST0);
}

static bool w64_form(const struct emu_cpu *cpu, const struct insn *in) { return mode64(cpu) && (in->rex & 8); }

/* Fast FXSAVE/FXRSTOR (EFER.FFXSR): in 64-bit mode at CPL 0 the XMM
 * registers are neither saved nor restored. */
static bool fast_fxsr(const struct emu_cpu *cpu)
{
    return (cpu->g->efer & EFER_FFXSR_BIT) && mode64(cpu) && cpu->cpl == 0;
}

static void fx_check(struct emu_cpu *cpu, const struct insn *in)
{
    if (cpu->g->cr0 & (CR0_EM_BIT | CR0_TS_BIT))
        emu_raise(cpu, VEC_NM, false, 0);
    check_align(cpu, in, 16);
    fpu_explicit(cpu);
}

void exec_fxsave(struct emu_cpu *cpu, const struct insn *in)
{
    fx_check(cpu, in);
    uint8_t img[FX_LEGACY_SIZE];
    image_read_for_write(cpu, in, img, sizeof img);
    const uint8_t *a = fpu_area(cpu);
    x87_save(cpu, img, w64_form(cpu, in));
    st32(img + FX_MXCSR, mxcsr_get(cpu));
    st32(img + FX_MXCSR_MASK, MXCSR_MASK_VALUE);
    /* XMM registers are stored whatever CR4.OSFXSR says (the SDM leaves it
     * to the implementation; docs/compat.md). */
    if (!fast_fxsr(cpu))
        memcpy(img + FX_XMM0, a + FX_XMM0, 16u * xmm_count(cpu));
    image_write(cpu, in, img, sizeof img);
}

void exec_fxrstor(struct emu_cpu *cpu, const struct insn *in)
{
    fx_check(cpu, in);
    uint8_t img[FX_LEGACY_SIZE];
    image_read(cpu, in, img, sizeof img);
    uint32_t mxcsr = ld32(img + FX_MXCSR);
    if (mxcsr & ~MXCSR_MASK_VALUE)
        EMU_GP0(cpu);
    x87_load(cpu, img, w64_form(cpu, in));
    mxcsr_set(cpu, mxcsr);
    if (!fast_fxsr(cpu))
        memcpy(fpu_area(cpu) + FX_XMM0, img + FX_XMM0, 16u * xmm_count(cpu));
}

void exec_ldmxcsr(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    uint32_t v = (uint32_t)emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), 4);
    if (v & ~MXCSR_MASK_VALUE)
        EMU_GP0(cpu);
    mxcsr_set(cpu, v);
}

void exec_stmxcsr(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    emu_write(cpu, emu_ea_seg(in), ea_of(cpu, in), 4, mxcsr_get(cpu));
}

/* ---- XSAVE family (SDM vol. 1, 13.7-13.10) */

static uint64_t xs_check(struct emu_cpu *cpu, const struct insn *in)
{
    if (!(cpu->g->cr4 & CR4_OSXSAVE_BIT))
        EMU_UD(cpu);
    if (cpu->g->cr0 & CR0_TS_BIT)
        emu_raise(cpu, VEC_NM, false, 0);
    check_align(cpu, in, 64);
    fpu_explicit(cpu);
    uint64_t mask = (cpu->g->gpr[GPR_RDX] << 32) | (uint32_t)cpu->g->gpr[GPR_RAX];
    return mask & cpu->g->xcr0;
}

static unsigned xs_extent(uint64_t rfbm) { return (rfbm & XFEATURE_AVX) ? XS_AREA_SIZE : XS_YMM_HI; }

/* Components are always in use (XINUSE = all ones), which the SDM
 * permits: XSAVEOPT's and XSAVEC's init and modified optimizations are
 * not used, so they store what XSAVE stores. */
static void xs_save(struct emu_cpu *cpu, const struct insn *in, bool compact)
{
    uint64_t rfbm = xs_check(cpu, in);
    unsigned n = xs_extent(rfbm);
    uint8_t img[XS_AREA_SIZE];
    image_read_for_write(cpu, in, img, n);
    const uint8_t *a = fpu_area(cpu);
    if (rfbm & XFEATURE_X87)
        x87_save(cpu, img, w64_form(cpu, in));
    if (compact ? (rfbm & XFEATURE_SSE) : (rfbm & (XFEATURE_SSE | XFEATURE_AVX))) {
        st32(img + FX_MXCSR, mxcsr_get(cpu));
        st32(img + FX_MXCSR_MASK, MXCSR_MASK_VALUE);
    }
    if (rfbm & XFEATURE_SSE)
        memcpy(img + FX_XMM0, a + FX_XMM0, 16u * xmm_count(cpu));
    if (rfbm & XFEATURE_AVX)
        memcpy(img + XS_YMM_HI, a + XS_YMM_HI, 16u * xmm_count(cpu));
    if (compact) {
        /* With x87, SSE and AVX only, the compacted layout places AVX at
         * 576 like the standard one. */
        st64(img + XS_XSTATE_BV, rfbm);
        st64(img + XS_XCOMP_BV, (1ull << 63) | rfbm);
    } else {
        st64(img + XS_XSTATE_BV, ld64(img + XS_XSTATE_BV) | rfbm);
    }
    image_write(cpu, in, img, n);
}

void exec_xsave(struct emu_cpu *cpu, const struct insn *in) { xs_save(cpu, in, false); }
void exec_xsavec(struct emu_cpu *cpu, const struct insn *in) { xs_save(cpu, in, true); }

/* 0F AE /6: MFENCE (register form), CLWB (66, memory), XSAVEOPT (memory). */
void exec_xsaveopt(struct emu_cpu *cpu, const struct insn *in)
{
    if (!in->has_mem) {
        if (in->rep || in->opsize_prefix)
            EMU_UD(cpu); /* UMWAIT/TPAUSE/TPAUSE forms: not emulated */
        return;          /* MFENCE: memory order is already total here */
    }
    if (in->opsize_prefix) {
        (void)emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), 1); /* CLWB: the address must be valid */
        return;
    }
    xs_save(cpu, in, false);
}

/* 0F AE /5: LFENCE (register form), XRSTOR (memory). */
void exec_xrstor(struct emu_cpu *cpu, const struct insn *in)
{
    if (!in->has_mem) {
        if (in->rep || in->opsize_prefix)
            EMU_UD(cpu); /* INCSSP and friends: not emulated */
        return;
    }
    uint64_t rfbm = xs_check(cpu, in);
    uint8_t img[XS_AREA_SIZE];
    uint8_t hdr[XS_HEADER_SIZE];
    int seg = emu_ea_seg(in);
    uint64_t base = ea_of(cpu, in);
    emu_read_bytes(cpu, seg, (base + XS_XSTATE_BV) & size_mask(in->addrsize), hdr, sizeof hdr);
    uint64_t xstate_bv = ld64(hdr), xcomp_bv = ld64(hdr + 8);
    bool compact = xcomp_bv >> 63;
    uint64_t xcr0 = cpu->g->xcr0;
    if (compact) {
        if ((xcomp_bv & ~(1ull << 63) & ~xcr0) || (xstate_bv & ~xcomp_bv))
            EMU_GP0(cpu);
        for (unsigned i = 16; i < XS_HEADER_SIZE; i++)
            if (hdr[i])
                EMU_GP0(cpu);
    } else {
        if (xstate_bv & ~xcr0)
            EMU_GP0(cpu);
        for (unsigned i = 8; i < 24; i++)
            if (hdr[i])
                EMU_GP0(cpu);
    }
    uint64_t load = rfbm & xstate_bv;
    unsigned n = (load & XFEATURE_AVX) ? XS_AREA_SIZE : FX_LEGACY_SIZE;
    image_read(cpu, in, img, n);
    bool mxcsr_from_mem = compact ? (load & XFEATURE_SSE) : (rfbm & (XFEATURE_SSE | XFEATURE_AVX));
    uint32_t mxcsr = mxcsr_from_mem ? ld32(img + FX_MXCSR) : MXCSR_DEFAULT;
    if (mxcsr & ~MXCSR_MASK_VALUE)
        EMU_GP0(cpu);
    /* Nothing can fault from here on. */
    fpu_init_components(cpu, rfbm & ~xstate_bv);
    if (mxcsr_from_mem || (rfbm & XFEATURE_SSE))
        mxcsr_set(cpu, mxcsr);
    if (load & XFEATURE_X87)
        x87_load(cpu, img, w64_form(cpu, in));
    uint8_t *a = fpu_area(cpu);
    if (load & XFEATURE_SSE)
        memcpy(a + FX_XMM0, img + FX_XMM0, 16u * xmm_count(cpu));
    if (load & XFEATURE_AVX)
        memcpy(a + XS_YMM_HI, img + XS_YMM_HI, 16u * xmm_count(cpu));
}

void exec_emms(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    mmx_check(cpu);
    fpu_area(cpu)[FX_FTW] = 0;
}

/* WAIT/FWAIT: #NM with CR0.MP and CR0.TS; a pending unmasked x87 exception
 * is delivered as #MF with CR0.NE. */
void exec_fwait(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    uint64_t cr0 = cpu->g->cr0;
    if ((cr0 & CR0_MP_BIT) && (cr0 & CR0_TS_BIT))
        emu_raise(cpu, VEC_NM, false, 0);
    fpu_explicit(cpu);
    if ((ld16(fpu_area(cpu) + FX_FSW) & FSW_ES) && (cr0 & CR0_NE_BIT))
        emu_raise(cpu, VEC_MF, false, 0);
}

/* x87 escapes (D8-DF) other than the state instructions: CR0.EM or CR0.TS
 * give #NM first, as on hardware, so a guest that emulates the FPU itself
 * (CR0.EM = 1) or switches it lazily (CR0.TS) sees the right fault; then
 * the instruction, and #UD for an encoding no x87 instruction has. */
void exec_x87(struct emu_cpu *cpu, const struct insn *in)
{
    uint64_t cr0 = cpu->g->cr0;
    if (cr0 & (CR0_EM_BIT | CR0_TS_BIT))
        emu_raise(cpu, VEC_NM, false, 0);
    fpu_explicit(cpu);
    /* Every instruction reaching here is a waiting one: a pending unmasked
     * exception is delivered first (#MF with CR0.NE). */
    if ((ld16(fpu_area(cpu) + FX_FSW) & FSW_ES) && (cr0 & CR0_NE_BIT))
        emu_raise(cpu, VEC_MF, false, 0);
    if (!x87_data(cpu, in) && !x87_arith(cpu, in) && !x87_exact(cpu, in) && !x87_trans(cpu, in))
        EMU_UD(cpu);
}
