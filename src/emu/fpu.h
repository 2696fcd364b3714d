/*
 * The FPU/SIMD state as the instruction engine sees it: the vCPU's XSAVE
 * area (v->fpstate, standard format) is the register file.  Handlers read
 * and write XMM, MM/ST, MXCSR and the x87 control/status/tag words there
 * directly, so hv_vcpu_read_fpstate/hv_vcpu_write_fpstate see exactly what
 * the guest sees, at every exit, with no copy to keep coherent.
 *
 * The area's XSTATE_BV says which components hold their values in the
 * area; a component whose bit is clear is in its initial state.  The engine
 * makes the area explicit (writes the initial values and sets the bit)
 * before an instruction touches it, so handlers never look at XSTATE_BV.
 */
#ifndef OPENHV_EMU_FPU_H
#define OPENHV_EMU_FPU_H

#include <string.h>

#include "engine_internal.h"

/* Offsets in the XSAVE area (SDM vol. 1, 10.5.1 and 13.4). */
enum {
    FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_FOP = 6, FX_FIP = 8, FX_FDP = 16,
    FX_MXCSR = 24, FX_MXCSR_MASK = 28, FX_ST0 = 32, FX_XMM0 = 160,
    FX_LEGACY_SIZE = 512, XS_XSTATE_BV = 512, XS_XCOMP_BV = 520, XS_HEADER_SIZE = 64,
    XS_YMM_HI = 576, XS_YMM_SIZE = 256, XS_AREA_SIZE = 832,
};
enum { XFEATURE_X87 = 1, XFEATURE_SSE = 2, XFEATURE_AVX = 4 };

enum {
    MXCSR_IE = 1u << 0, MXCSR_DE = 1u << 1, MXCSR_ZE = 1u << 2, MXCSR_OE = 1u << 3,
    MXCSR_UE = 1u << 4, MXCSR_PE = 1u << 5, MXCSR_DAZ = 1u << 6, MXCSR_FLAGS = 0x3f,
    MXCSR_MASK_SHIFT = 7, MXCSR_RC_SHIFT = 13, MXCSR_FTZ = 1u << 15,
    MXCSR_DEFAULT = 0x1f80,
};
/* The MXCSR bits the emulator implements (all but reserved bits 31:16);
 * written as MXCSR_MASK by FXSAVE/XSAVE. */
#define MXCSR_MASK_VALUE 0xffffu

enum { FSW_ES = 1u << 7, FSW_TOP_SHIFT = 11, FCW_DEFAULT = 0x37f };

enum { VEC_NM = 7, VEC_MF = 16, VEC_XM = 19 };
enum { CR0_MP_BIT = 1u << 1, CR0_EM_BIT = 1u << 2, CR0_TS_BIT = 1u << 3, CR0_NE_BIT = 1u << 5 };
enum { CR4_OSFXSR_BIT = 1u << 9, CR4_OSXMMEXCPT_BIT = 1u << 10, CR4_OSXSAVE_BIT = 1u << 18 };
#define EFER_FFXSR_BIT (1u << 14)

static inline uint8_t *fpu_area(const struct emu_cpu *cpu) { return cpu->vcpu->fpstate; }

static inline uint32_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static inline uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static inline uint16_t ld16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}
static inline void st16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void st32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void st64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static inline uint8_t *xmm_ptr(const struct emu_cpu *cpu, unsigned i)
{
    return fpu_area(cpu) + FX_XMM0 + 16 * (i & 15);
}
/* MMX registers alias the mantissas of the physical x87 registers R0..R7;
 * the area stores ST(i) = R((TOP + i) mod 8) in slot i, so MMi is in slot
 * (i - TOP) mod 8.  mmx_enter sets TOP to 0, after which slot i is MMi. */
static inline unsigned fpu_top(const struct emu_cpu *cpu)
{
    return (ld16(cpu->vcpu->fpstate + FX_FSW) >> FSW_TOP_SHIFT) & 7;
}
static inline uint8_t *mm_ptr(const struct emu_cpu *cpu, unsigned i)
{
    return fpu_area(cpu) + FX_ST0 + 16 * ((i - fpu_top(cpu)) & 7);
}
static inline uint32_t mxcsr_get(const struct emu_cpu *cpu) { return ld32(fpu_area(cpu) + FX_MXCSR); }
static inline void mxcsr_set(struct emu_cpu *cpu, uint32_t v) { st32(fpu_area(cpu) + FX_MXCSR, v); }

/* Number of XMM registers in the current mode (XMM8-15 exist in 64-bit mode only). */
static inline unsigned xmm_count(const struct emu_cpu *cpu) { return mode64(cpu) ? 16 : 8; }

/* Write the initial values of the components in `mask` (x87, SSE, AVX) to
 * the area; MXCSR is not part of it (XRSTOR handles it separately). */
void fpu_init_components(struct emu_cpu *cpu, uint64_t mask);

/* Make every component the engine may touch explicit in the area. */
static inline void fpu_explicit(struct emu_cpu *cpu)
{
    uint8_t *a = fpu_area(cpu);
    uint64_t bv = ld64(a + XS_XSTATE_BV);
    uint64_t want = XFEATURE_X87 | XFEATURE_SSE | (cpu->g->xcr0 & XFEATURE_AVX);
    if ((bv & want) != want) {
        fpu_init_components(cpu, want & ~bv);
        st64(a + XS_XSTATE_BV, bv | want);
    }
}

/* VEX-encoded SIMD (AVX, AVX2, FMA, F16C): #UD without CR4.OSXSAVE or
 * unless XCR0 enables both SSE and AVX state, then #NM with CR0.TS;
 * CR0.EM and CR4.OSFXSR do not apply (SDM vol. 2, 2.8). */
static inline void avx_check(struct emu_cpu *cpu)
{
    const uint64_t need = XFEATURE_SSE | XFEATURE_AVX;
    if (!(cpu->g->cr4 & CR4_OSXSAVE_BIT) || (cpu->g->xcr0 & need) != need)
        EMU_UD(cpu);
    if (cpu->g->cr0 & CR0_TS_BIT)
        emu_raise(cpu, VEC_NM, false, 0);
    fpu_explicit(cpu);
}

/* Availability checks (SDM vol. 3, table 2-2 and 13.x), in priority order;
 * they also make the area explicit.  SSE/SSE2 and LDMXCSR/STMXCSR, or the
 * AVX checks for their VEX forms: */
static inline void sse_check(struct emu_cpu *cpu, const struct insn *in)
{
    if (in->vex) {
        avx_check(cpu);
        return;
    }
    uint64_t cr0 = cpu->g->cr0;
    if ((cr0 & CR0_EM_BIT) || !(cpu->g->cr4 & CR4_OSFXSR_BIT))
        EMU_UD(cpu);
    if (cr0 & CR0_TS_BIT)
        emu_raise(cpu, VEC_NM, false, 0);
    fpu_explicit(cpu);
}

/* MMX: #UD with EM, #NM with TS, then a pending x87 exception (#MF). */
void mmx_check(struct emu_cpu *cpu);
/* An MMX instruction other than EMMS, once nothing can fault any more:
 * TOP = 0 (the slots are renumbered so each register keeps its value),
 * every tag valid. */
static inline void mmx_enter(struct emu_cpu *cpu)
{
    uint8_t *a = fpu_area(cpu);
    unsigned top = fpu_top(cpu);
    if (top) {
        uint8_t st[8][16];
        for (unsigned i = 0; i < 8; i++)
            memcpy(st[(i + top) & 7], a + FX_ST0 + 16 * i, 16);
        memcpy(a + FX_ST0, st, sizeof st);
    }
    st16(a + FX_FSW, (uint16_t)(ld16(a + FX_FSW) & ~(7u << FSW_TOP_SHIFT)));
    a[FX_FTW] = 0xff;
}
/* Writing MMn also sets the exponent/sign field of STn to all ones. */
static inline void mm_write(struct emu_cpu *cpu, unsigned i, uint64_t v)
{
    uint8_t *p = mm_ptr(cpu, i);
    st64(p, v);
    st16(p + 8, 0xffff);
}

/* x87 data and arithmetic, after the #NM and #MF checks: the exact
 * instructions (exec_x87.c), the rounding ones (exec_x87_arith.c),
 * FXTRACT/FPREM/FPREM1/FBLD/FBSTP (exec_x87_exact.c) and the
 * transcendental ones (exec_x87_trans.c); false if the opcode is not theirs. */
bool x87_data(struct emu_cpu *cpu, const struct insn *in);
bool x87_arith(struct emu_cpu *cpu, const struct insn *in);
bool x87_exact(struct emu_cpu *cpu, const struct insn *in);
bool x87_trans(struct emu_cpu *cpu, const struct insn *in);

/* A SIMD floating-point exception: #XM, or #UD without CR4.OSXMMEXCPT. */
_Noreturn void simd_fp_fault(struct emu_cpu *cpu);
/* MXCSR's exception rules (exec_sse_fp.c) for an operation that ran under
 * `mx` with every exception masked and raised `fl`; `res` holds `lanes`
 * result elements of `esize` bytes (0: not floating point).  Faults, or
 * sets the flags. */
void simd_commit_flags(struct emu_cpu *cpu, uint32_t mx, uint32_t fl, const uint8_t *res, unsigned esize,
                       unsigned lanes);
/* The MXCSR to run the host operation under (FTZ only while UE is masked). */
uint32_t simd_host_mxcsr(uint32_t mx);

/* Operand helpers.  A 16-byte memory operand of a legacy SSE instruction
 * must be 16-byte aligned unless the instruction says otherwise (#GP(0)). */
void sse_read_mem(struct emu_cpu *cpu, const struct insn *in, void *buf, unsigned size, bool aligned);
void sse_write_mem(struct emu_cpu *cpu, const struct insn *in, const void *buf, unsigned size, bool aligned);


/* The source operand of an XMM instruction: register `rm`, or `size`
 * bytes of memory (zero-extended to 16). */
static inline void xmm_src(struct emu_cpu *cpu, const struct insn *in, uint8_t buf[16], unsigned size,
                           bool aligned)
{
    if (!in->has_mem) {
        memcpy(buf, xmm_ptr(cpu, in->rm), 16);
        return;
    }
    memset(buf, 0, 16);
    sse_read_mem(cpu, in, buf, size, aligned);
}

/*
 * Vector operands of instructions with legacy and VEX forms.  Legacy SSE
 * reads and writes the low 128 bits of a register and leaves bits 255:128
 * (the area's AVX component) alone; a VEX instruction writes all 256:
 * VEX.128 zeroes the upper half.  The first source is the destination
 * register for legacy SSE and VEX.vvvv for VEX (non-destructive form).
 */
static inline uint8_t *ymm_hi_ptr(const struct emu_cpu *cpu, unsigned i)
{
    return fpu_area(cpu) + XS_YMM_HI + 16 * (i & 15);
}
/* Vector length in bytes: 32 for VEX.256, else 16. */
static inline unsigned vec_len(const struct insn *in) { return in->vex_l ? 32 : 16; }
static inline unsigned vec_src1(const struct insn *in) { return in->vex ? in->vvvv : in->reg; }
/* `n` (16 or 32) bytes of register i. */
static inline void vec_get(const struct emu_cpu *cpu, unsigned i, uint8_t *buf, unsigned n)
{
    memcpy(buf, xmm_ptr(cpu, i), 16);
    if (n == 32)
        memcpy(buf + 16, ymm_hi_ptr(cpu, i), 16);
}
/* Write `n` bytes to register i as the instruction's encoding does. */
static inline void vec_put(struct emu_cpu *cpu, const struct insn *in, unsigned i, const uint8_t *buf, unsigned n)
{
    memcpy(xmm_ptr(cpu, i), buf, 16);
    if (!in->vex)
        return;
    if (n == 32)
        memcpy(ymm_hi_ptr(cpu, i), buf + 16, 16);
    else
        memset(ymm_hi_ptr(cpu, i), 0, 16);
}
/* The r/m source: 32 bytes of register rm, or `size` bytes of memory
 * zero-extended to 32.  `aligned` applies to legacy SSE only: VEX memory
 * operands need no alignment (callers of the aligned VEX moves check). */
static inline void vec_src(struct emu_cpu *cpu, const struct insn *in, uint8_t buf[32], unsigned size, bool aligned)
{
    if (!in->has_mem) {
        vec_get(cpu, in->rm, buf, 32);
        return;
    }
    memset(buf, 0, 32);
    sse_read_mem(cpu, in, buf, size, aligned && !in->vex);
}

/* The source operand of an MMX instruction: MM(rm & 7), or 8 bytes of memory. */
static inline uint64_t mm_src(struct emu_cpu *cpu, const struct insn *in)
{
    if (!in->has_mem)
        return ld64(mm_ptr(cpu, in->rm));
    return emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), 8);
}
#endif
