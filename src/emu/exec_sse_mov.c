/*
 * SSE/SSE2/MMX data movement: MOVAPS/MOVUPS/MOVDQA/MOVDQU (and the PD
 * forms, which move the same bits), MOVSS/MOVSD, MOVLPS/MOVHPS/MOVLPD/
 * MOVHPD/MOVHLPS/MOVLHPS, MOVD/MOVQ, MOVQ2DQ/MOVDQ2Q, the non-temporal
 * stores (ordinary stores here), MASKMOVQ/MASKMOVDQU, UNPCKxPS/PD.
 */
#include "fpu.h"

/* Full-register loads and stores (16 bytes, 32 for VEX.256); the aligned
 * forms need the operand's own alignment, VEX or not. */
static void load128(struct emu_cpu *cpu, const struct insn *in, bool aligned)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t v[32];
    if (in->has_mem)
        sse_read_mem(cpu, in, v, n, aligned);
    else
        vec_get(cpu, in->rm, v, n);
    vec_put(cpu, in, in->reg, v, n);
}

static void store128(struct emu_cpu *cpu, const struct insn *in, bool aligned)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t v[32];
    vec_get(cpu, in->reg, v, n);
    if (in->has_mem)
        sse_write_mem(cpu, in, v, n, aligned);
    else
        vec_put(cpu, in, in->rm, v, n);
}

void exec_movups_load(struct emu_cpu *cpu, const struct insn *in) { load128(cpu, in, false); }
void exec_movups_store(struct emu_cpu *cpu, const struct insn *in) { store128(cpu, in, false); }
void exec_movaps_load(struct emu_cpu *cpu, const struct insn *in) { load128(cpu, in, true); }
void exec_movaps_store(struct emu_cpu *cpu, const struct insn *in) { store128(cpu, in, true); }

/* MOVSS/MOVSD: a load from memory zeroes the rest of the register; a
 * register move replaces the low element only. */
/* The VEX register forms merge with VEX.vvvv (VMOVSS xmm1, xmm2, xmm3);
 * the memory forms have no vvvv operand (it must be 1111). */
static void movs_load(struct emu_cpu *cpu, const struct insn *in, unsigned size)
{
    if (in->vex && in->has_mem && in->vvvv)
        EMU_UD(cpu);
    sse_check(cpu, in);
    uint8_t v[16], d[16];
    xmm_src(cpu, in, v, size, false);
    memcpy(d, xmm_ptr(cpu, vec_src1(in)), 16);
    if (in->has_mem)
        memcpy(d, v, 16);
    else
        memcpy(d, v, size);
    vec_put(cpu, in, in->reg, d, 16);
}

static void movs_store(struct emu_cpu *cpu, const struct insn *in, unsigned size)
{
    if (in->vex && in->has_mem && in->vvvv)
        EMU_UD(cpu);
    sse_check(cpu, in);
    uint8_t v[16], d[16];
    memcpy(v, xmm_ptr(cpu, in->reg), 16);
    if (in->has_mem) {
        sse_write_mem(cpu, in, v, size, false);
        return;
    }
    memcpy(d, xmm_ptr(cpu, in->vex ? in->vvvv : in->rm), 16);
    memcpy(d, v, size);
    vec_put(cpu, in, in->rm, d, 16);
}

void exec_movss_load(struct emu_cpu *cpu, const struct insn *in) { movs_load(cpu, in, 4); }
void exec_movsd_load(struct emu_cpu *cpu, const struct insn *in) { movs_load(cpu, in, 8); }
void exec_movss_store(struct emu_cpu *cpu, const struct insn *in) { movs_store(cpu, in, 4); }
void exec_movsd_store(struct emu_cpu *cpu, const struct insn *in) { movs_store(cpu, in, 8); }

/* 0F 12: MOVLPS/MOVLPD xmm, m64 (low half), or MOVHLPS xmm, xmm. */
void exec_movlps_load(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    uint8_t v[16], d[16];
    xmm_src(cpu, in, v, 8, false);
    memcpy(d, xmm_ptr(cpu, vec_src1(in)), 16);
    memcpy(d, in->has_mem ? v : v + 8, 8);
    vec_put(cpu, in, in->reg, d, 16);
}

/* 0F 16: MOVHPS/MOVHPD xmm, m64 (high half), or MOVLHPS xmm, xmm. */
void exec_movhps_load(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    uint8_t v[16], d[16];
    xmm_src(cpu, in, v, 8, false);
    memcpy(d, xmm_ptr(cpu, vec_src1(in)), 16);
    memcpy(d + 8, v, 8);
    vec_put(cpu, in, in->reg, d, 16);
}

void exec_movlps_store(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    sse_write_mem(cpu, in, xmm_ptr(cpu, in->reg), 8, false);
}

void exec_movhps_store(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    sse_write_mem(cpu, in, xmm_ptr(cpu, in->reg) + 8, 8, false);
}

/* MOVD/MOVQ between general registers or memory and XMM/MM: REX.W makes it
 * 64-bit (66 does not make it 16-bit). */
static unsigned movd_size(const struct insn *in) { return (in->rex & 8) ? 8 : 4; }

void exec_movd_xmm_load(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    unsigned n = movd_size(in);
    uint64_t v = rm_get(cpu, in, n);
    uint8_t d[16] = { 0 };
    st64(d, v);
    vec_put(cpu, in, in->reg, d, 16);
}

void exec_movd_xmm_store(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    unsigned n = movd_size(in);
    rm_put(cpu, in, n, ld64(xmm_ptr(cpu, in->reg)) & size_mask(n));
}

void exec_movd_mm_load(struct emu_cpu *cpu, const struct insn *in)
{
    mmx_check(cpu);
    unsigned n = movd_size(in);
    uint64_t v = rm_get(cpu, in, n);
    mmx_enter(cpu);
    mm_write(cpu, in->reg, v);
}

void exec_movd_mm_store(struct emu_cpu *cpu, const struct insn *in)
{
    mmx_check(cpu);
    unsigned n = movd_size(in);
    uint64_t v = ld64(mm_ptr(cpu, in->reg)) & size_mask(n);
    rm_put(cpu, in, n, v);
    mmx_enter(cpu);
}

/* MOVQ mm, mm/m64 and MOVQ mm/m64, mm. */
void exec_movq_mm_load(struct emu_cpu *cpu, const struct insn *in)
{
    mmx_check(cpu);
    uint64_t v = mm_src(cpu, in);
    mmx_enter(cpu);
    mm_write(cpu, in->reg, v);
}

void exec_movq_mm_store(struct emu_cpu *cpu, const struct insn *in)
{
    mmx_check(cpu);
    uint64_t v = ld64(mm_ptr(cpu, in->reg));
    if (in->has_mem)
        emu_write(cpu, emu_ea_seg(in), ea_of(cpu, in), 8, v);
    mmx_enter(cpu);
    if (!in->has_mem)
        mm_write(cpu, in->rm, v);
}

/* MOVQ xmm, xmm/m64 (F3 0F 7E): zero-extends. */
void exec_movq_xmm_load(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    uint8_t v[16];
    xmm_src(cpu, in, v, 8, false);
    memset(v + 8, 0, 8);
    vec_put(cpu, in, in->reg, v, 16);
}

/* MOVQ xmm/m64, xmm (66 0F D6): the register form zero-extends too. */
void exec_movq_xmm_store(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    uint8_t v[16] = { 0 };
    memcpy(v, xmm_ptr(cpu, in->reg), 8);
    if (in->has_mem)
        sse_write_mem(cpu, in, v, 8, false);
    else
        vec_put(cpu, in, in->rm, v, 16);
}

void exec_movq2dq(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    mmx_check(cpu);
    uint64_t v = ld64(mm_ptr(cpu, in->rm));
    mmx_enter(cpu);
    uint8_t *d = xmm_ptr(cpu, in->reg);
    memset(d, 0, 16);
    st64(d, v);
}

void exec_movdq2q(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    mmx_check(cpu);
    uint64_t v = ld64(xmm_ptr(cpu, in->rm));
    mmx_enter(cpu);
    mm_write(cpu, in->reg, v);
}

/* MOVNTI: a general-register store; the hint does not change results. */
void exec_movnti(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned n = in->opsize == 8 ? 8 : 4;
    rm_put(cpu, in, n, reg_get(cpu, in, in->reg, n));
}

void exec_movntq(struct emu_cpu *cpu, const struct insn *in)
{
    mmx_check(cpu);
    emu_write(cpu, emu_ea_seg(in), ea_of(cpu, in), 8, ld64(mm_ptr(cpu, in->reg)));
    mmx_enter(cpu);
}

/* MASKMOVQ/MASKMOVDQU: bytes whose mask byte has bit 7 set go to DS:rDI
 * (segment override allowed).  The processor may access the unselected
 * bytes too; here only selected bytes are written, each as one access, and
 * a mask of zero touches no memory. */
static void maskmov(struct emu_cpu *cpu, const struct insn *in, const uint8_t *data, const uint8_t *mask,
                    unsigned n)
{
    int seg = in->seg_override >= 0 ? in->seg_override : SEG_DS;
    uint64_t base = cpu->g->gpr[GPR_RDI];
    /* Check every selected byte before writing any, so a fault leaves memory as it was. */
    for (unsigned i = 0; i < n; i++)
        if (mask[i] & 0x80)
            (void)emu_read_rmw(cpu, seg, (base + i) & size_mask(in->addrsize), 1);
    for (unsigned i = 0; i < n; i++)
        if (mask[i] & 0x80)
            emu_write(cpu, seg, (base + i) & size_mask(in->addrsize), 1, data[i]);
}

void exec_maskmovdqu(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    uint8_t data[16], mask[16];
    memcpy(data, xmm_ptr(cpu, in->reg), 16);
    memcpy(mask, xmm_ptr(cpu, in->rm), 16);
    maskmov(cpu, in, data, mask, 16);
}

void exec_maskmovq(struct emu_cpu *cpu, const struct insn *in)
{
    mmx_check(cpu);
    uint8_t data[8], mask[8];
    memcpy(data, mm_ptr(cpu, in->reg), 8);
    memcpy(mask, mm_ptr(cpu, in->rm), 8);
    maskmov(cpu, in, data, mask, 8);
    mmx_enter(cpu);
}

/* UNPCKLPS/UNPCKHPS/UNPCKLPD/UNPCKHPD: interleave elements of one half. */
static void unpck(struct emu_cpu *cpu, const struct insn *in, unsigned esize, bool high)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t s[32], d[32], r[32];
    vec_src(cpu, in, s, n, true);
    vec_get(cpu, vec_src1(in), d, n);
    for (unsigned h = high ? 8 : 0; h < n; h += 16)
        for (unsigned i = 0; i < 8 / esize; i++) {
            unsigned o = h & ~15u;
            memcpy(r + o + 2 * i * esize, d + h + i * esize, esize);
            memcpy(r + o + (2 * i + 1) * esize, s + h + i * esize, esize);
        }
    vec_put(cpu, in, in->reg, r, n);
}

void exec_unpcklps(struct emu_cpu *cpu, const struct insn *in) { unpck(cpu, in, 4, false); }
void exec_unpckhps(struct emu_cpu *cpu, const struct insn *in) { unpck(cpu, in, 4, true); }
void exec_unpcklpd(struct emu_cpu *cpu, const struct insn *in) { unpck(cpu, in, 8, false); }
void exec_unpckhpd(struct emu_cpu *cpu, const struct insn *in) { unpck(cpu, in, 8, true); }

/* SSE3 duplicating moves: MOVDDUP (m64), MOVSLDUP/MOVSHDUP (m128, aligned). */
void exec_movddup(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t v[32];
    vec_src(cpu, in, v, n == 32 ? 32 : 8, false);
    for (unsigned h = 0; h < n; h += 16)
        memcpy(v + h + 8, v + h, 8);
    vec_put(cpu, in, in->reg, v, n);
}

static void movdup_dwords(struct emu_cpu *cpu, const struct insn *in, unsigned odd)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t v[32], r[32];
    vec_src(cpu, in, v, n, true);
    for (unsigned i = 0; i < n / 4; i++)
        memcpy(r + 4 * i, v + 4 * ((i & ~1u) + odd), 4);
    vec_put(cpu, in, in->reg, r, n);
}
void exec_movsldup(struct emu_cpu *cpu, const struct insn *in) { movdup_dwords(cpu, in, 0); }
void exec_movshdup(struct emu_cpu *cpu, const struct insn *in) { movdup_dwords(cpu, in, 1); }
