/*
 * AVX and AVX2 instructions without a legacy SSE form: VZEROUPPER/VZEROALL,
 * broadcasts, 128-bit lane inserts, extracts and permutes, VPERMILPS/PD,
 * VTESTPS/PD, masked moves, VPERMD/PS/Q/PD, VPBLENDD and the per-element
 * shifts.  Every one is VEX-encoded: avx_check gates them, and the decoder
 * has applied their VEX.L, VEX.W and vvvv rules.
 */
#include "fpu.h"

static inline uint64_t el_get(const uint8_t *p, unsigned i, unsigned w)
{
    uint64_t v = 0;
    memcpy(&v, p + i * w, w);
    return v;
}
static inline void el_put(uint8_t *p, unsigned i, unsigned w, uint64_t v) { memcpy(p + i * w, &v, w); }

/* VZEROUPPER (VEX.L = 0) / VZEROALL (VEX.L = 1): the registers of the
 * current mode only (YMM8-15 keep their values outside 64-bit mode). */
void exec_vzeroupper(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    for (unsigned i = 0; i < xmm_count(cpu); i++) {
        memset(ymm_hi_ptr(cpu, i), 0, 16);
        if (in->vex_l)
            memset(xmm_ptr(cpu, i), 0, 16);
    }
}

/* Broadcasts of an element of the low 128 bits of r/m (or memory) to every
 * element of the destination. */
static void broadcast(struct emu_cpu *cpu, const struct insn *in, unsigned w)
{
    avx_check(cpu);
    unsigned n = vec_len(in);
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, w, false);
    for (unsigned i = 0; i < n / w; i++)
        memcpy(d + i * w, s, w);
    vec_put(cpu, in, in->reg, d, n);
}
void exec_vpbroadcastb(struct emu_cpu *cpu, const struct insn *in) { broadcast(cpu, in, 1); }
void exec_vpbroadcastw(struct emu_cpu *cpu, const struct insn *in) { broadcast(cpu, in, 2); }
void exec_vpbroadcastd(struct emu_cpu *cpu, const struct insn *in) { broadcast(cpu, in, 4); }
void exec_vpbroadcastq(struct emu_cpu *cpu, const struct insn *in) { broadcast(cpu, in, 8); }
void exec_vbroadcastss(struct emu_cpu *cpu, const struct insn *in) { broadcast(cpu, in, 4); }
void exec_vbroadcastsd(struct emu_cpu *cpu, const struct insn *in) { broadcast(cpu, in, 8); }
void exec_vbroadcastf128(struct emu_cpu *cpu, const struct insn *in) { broadcast(cpu, in, 16); }

/* VINSERTF128/VINSERTI128 ymm1, ymm2, xmm3/m128, imm8: ymm2 with the lane
 * imm8[0] replaced. */
void exec_vinsertf128(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, 16, false);
    vec_get(cpu, in->vvvv, d, 32);
    memcpy(d + 16 * (in->imm & 1), s, 16);
    vec_put(cpu, in, in->reg, d, 32);
}

/* VEXTRACTF128/VEXTRACTI128 xmm1/m128, ymm2, imm8 (register: upper half
 * of the destination zeroed). */
void exec_vextractf128(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    uint8_t d[32], r[16];
    vec_get(cpu, in->reg, d, 32);
    memcpy(r, d + 16 * (in->imm & 1), 16);
    if (in->has_mem)
        sse_write_mem(cpu, in, r, 16, false);
    else
        vec_put(cpu, in, in->rm, r, 16);
}

/* VPERM2F128/VPERM2I128: each destination lane picks one of the four
 * source lanes (imm8 bits 1:0 and 5:4) or is zeroed (bits 3 and 7). */
void exec_vperm2f128(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    uint8_t src[64], d[32];
    vec_get(cpu, in->vvvv, src, 32);
    vec_src(cpu, in, src + 32, 32, false);
    for (unsigned h = 0; h < 2; h++) {
        unsigned ctl = ((unsigned)in->imm >> (4 * h)) & 0xf;
        if (ctl & 8)
            memset(d + 16 * h, 0, 16);
        else
            memcpy(d + 16 * h, src + 16 * (ctl & 3), 16);
    }
    vec_put(cpu, in, in->reg, d, 32);
}

/* VPERMILPS/PD: elements chosen within each 128-bit lane, by the control
 * vector r/m (PS: bits 1:0 of each dword; PD: bit 1 of each qword) or by
 * imm8 (PS: 2 bits per element of a lane; PD: 1 bit per element). */
static void permil(struct emu_cpu *cpu, const struct insn *in, unsigned w, bool by_imm)
{
    avx_check(cpu);
    unsigned n = vec_len(in), per = 16 / w;
    uint8_t s[32], c[32], d[32];
    if (by_imm) {
        vec_src(cpu, in, s, n, false);
    } else {
        vec_get(cpu, in->vvvv, s, n);
        vec_src(cpu, in, c, n, false);
    }
    for (unsigned i = 0; i < n / w; i++) {
        unsigned sel;
        if (by_imm)
            sel = w == 4 ? ((unsigned)in->imm >> (2 * (i % 4))) & 3 : ((unsigned)in->imm >> i) & 1;
        else
            sel = w == 4 ? (unsigned)el_get(c, i, 4) & 3 : ((unsigned)el_get(c, i, 8) >> 1) & 1;
        memcpy(d + i * w, s + (i / per) * 16 + sel * w, w);
    }
    vec_put(cpu, in, in->reg, d, n);
}
void exec_vpermilps(struct emu_cpu *cpu, const struct insn *in) { permil(cpu, in, 4, false); }
void exec_vpermilpd(struct emu_cpu *cpu, const struct insn *in) { permil(cpu, in, 8, false); }
void exec_vpermilps_i(struct emu_cpu *cpu, const struct insn *in) { permil(cpu, in, 4, true); }
void exec_vpermilpd_i(struct emu_cpu *cpu, const struct insn *in) { permil(cpu, in, 8, true); }

/* VTESTPS/PD: PTEST on the elements' sign bits only. */
static void vtest(struct emu_cpu *cpu, const struct insn *in, unsigned w)
{
    avx_check(cpu);
    unsigned n = vec_len(in);
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, n, false);
    vec_get(cpu, in->reg, d, n);
    bool zf = true, cf = true;
    for (unsigned i = w - 1; i < n; i += w) {
        if (d[i] & s[i] & 0x80)
            zf = false;
        if (~d[i] & s[i] & 0x80)
            cf = false;
    }
    flags_set(cpu, EFL_ARITH, (zf ? EFL_ZF : 0) | (cf ? EFL_CF : 0));
}
void exec_vtestps(struct emu_cpu *cpu, const struct insn *in) { vtest(cpu, in, 4); }
void exec_vtestpd(struct emu_cpu *cpu, const struct insn *in) { vtest(cpu, in, 8); }

/*
 * Masked loads and stores: elements whose mask (VEX.vvvv) sign bit is set.
 * Masked-off elements neither fault nor are written; loads zero them.  A
 * fault on any selected element leaves everything unchanged (the selected
 * elements are checked first), which the SDM allows.
 */
static void maskmov(struct emu_cpu *cpu, const struct insn *in, unsigned w, bool store)
{
    avx_check(cpu);
    unsigned n = vec_len(in);
    uint8_t m[32], v[32];
    vec_get(cpu, in->vvvv, m, n);
    int seg = emu_ea_seg(in);
    uint64_t base = ea_of(cpu, in), amask = size_mask(in->addrsize);
    if (store) {
        vec_get(cpu, in->reg, v, n);
        for (unsigned i = 0; i < n / w; i++)
            if (m[i * w + w - 1] & 0x80)
                (void)emu_read_rmw(cpu, seg, (base + i * w) & amask, w);
        for (unsigned i = 0; i < n / w; i++)
            if (m[i * w + w - 1] & 0x80)
                emu_write(cpu, seg, (base + i * w) & amask, w, el_get(v, i, w));
        return;
    }
    memset(v, 0, sizeof v);
    for (unsigned i = 0; i < n / w; i++)
        if (m[i * w + w - 1] & 0x80)
            el_put(v, i, w, emu_read(cpu, seg, (base + i * w) & amask, w));
    vec_put(cpu, in, in->reg, v, n);
}
void exec_vmaskmovps_load(struct emu_cpu *cpu, const struct insn *in) { maskmov(cpu, in, 4, false); }
void exec_vmaskmovpd_load(struct emu_cpu *cpu, const struct insn *in) { maskmov(cpu, in, 8, false); }
void exec_vmaskmovps_store(struct emu_cpu *cpu, const struct insn *in) { maskmov(cpu, in, 4, true); }
void exec_vmaskmovpd_store(struct emu_cpu *cpu, const struct insn *in) { maskmov(cpu, in, 8, true); }
/* VPMASKMOVD/Q: VEX.W selects the element size. */
void exec_vpmaskmov_load(struct emu_cpu *cpu, const struct insn *in) { maskmov(cpu, in, in->vex_w ? 8 : 4, false); }
void exec_vpmaskmov_store(struct emu_cpu *cpu, const struct insn *in) { maskmov(cpu, in, in->vex_w ? 8 : 4, true); }

/* VPBLENDD: dword i from r/m where imm8 bit i is set, else from vvvv. */
void exec_vpblendd(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    unsigned n = vec_len(in);
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, n, false);
    vec_get(cpu, in->vvvv, d, n);
    for (unsigned i = 0; i < n / 4; i++)
        if ((in->imm >> i) & 1)
            memcpy(d + 4 * i, s + 4 * i, 4);
    vec_put(cpu, in, in->reg, d, n);
}

/* VPERMD/VPERMPS ymm1, ymm2 (indices), ymm3/m256: across lanes. */
void exec_vpermd(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    uint8_t s[32], idx[32], d[32];
    vec_src(cpu, in, s, 32, false);
    vec_get(cpu, in->vvvv, idx, 32);
    for (unsigned i = 0; i < 8; i++)
        memcpy(d + 4 * i, s + 4 * (el_get(idx, i, 4) & 7), 4);
    vec_put(cpu, in, in->reg, d, 32);
}

/* VPERMQ/VPERMPD ymm1, ymm2/m256, imm8. */
void exec_vpermq(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, 32, false);
    for (unsigned i = 0; i < 4; i++)
        memcpy(d + 8 * i, s + 8 * ((in->imm >> (2 * i)) & 3), 8);
    vec_put(cpu, in, in->reg, d, 32);
}

/* VPSLLVD/Q, VPSRLVD/Q, VPSRAVD: each element of vvvv shifted by the
 * matching element of r/m; counts past the width give 0 (or the sign). */
static void shiftv(struct emu_cpu *cpu, const struct insn *in, int kind)
{
    avx_check(cpu);
    unsigned n = vec_len(in), w = in->vex_w ? 8 : 4, bits = w * 8;
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, n, false);
    vec_get(cpu, in->vvvv, d, n);
    for (unsigned i = 0; i < n / w; i++) {
        uint64_t v = el_get(d, i, w), c = el_get(s, i, w);
        if (kind < 0)
            v = (uint64_t)((int64_t)sign_extend(v, w) >> (c >= bits ? bits - 1 : c));
        else if (c >= bits)
            v = 0;
        else
            v = kind ? v << c : v >> c;
        el_put(d, i, w, v);
    }
    vec_put(cpu, in, in->reg, d, n);
}
void exec_vpsllv(struct emu_cpu *cpu, const struct insn *in) { shiftv(cpu, in, 1); }
void exec_vpsrlv(struct emu_cpu *cpu, const struct insn *in) { shiftv(cpu, in, 0); }
void exec_vpsravd(struct emu_cpu *cpu, const struct insn *in) { shiftv(cpu, in, -1); }

/*
 * VPGATHERDD/DQ/QD/QQ and VGATHERDPS/DPD/QPS/QPD (VEX.66.0F38 90-93; bit 0
 * of the opcode: qword indices, VEX.W: qword elements).  The memory
 * operand is VSIB: ModRM.rm = 100 and SIB.index names a vector register
 * of dword or qword indices.  Elements whose mask (vvvv) sign bit is set
 * are loaded in order; each loaded element is written to the destination
 * and its mask element cleared at once, so a fault leaves the completed
 * elements done and the instruction restartable, as the SDM specifies.
 * Elements past the element count (VEX.128, or dword elements from qword
 * indices) are zeroed in both registers before the first load; the mask
 * is all zero at the end.
 */
void exec_vgather(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    if (!in->has_mem || (in->modrm & 7) != 4 || in->addrsize == 2)
        EMU_UD(cpu);
    /* SIB.index 100 without REX.X decodes as "no index": it is register 4. */
    unsigned vidx = in->index >= 0 ? (unsigned)in->index : 4;
    if (in->reg == in->vvvv || in->reg == vidx || in->vvvv == vidx)
        EMU_UD(cpu);
    unsigned isz = (in->opcode & 1) ? 8 : 4, dsz = in->vex_w ? 8 : 4;
    unsigned n = vec_len(in), count = n / (isz > dsz ? isz : dsz), dbytes = count * dsz;
    unsigned dn = dbytes > 16 ? 32 : 16;
    uint8_t idx[32], d[32], m[32];
    vec_get(cpu, vidx, idx, 32);
    vec_get(cpu, in->reg, d, 32);
    vec_get(cpu, in->vvvv, m, 32);
    memset(d + dbytes, 0, 32 - dbytes);
    memset(m + dbytes, 0, 32 - dbytes);
    vec_put(cpu, in, in->reg, d, dn);
    vec_put(cpu, in, in->vvvv, m, dn);
    int seg = emu_ea_seg(in);
    uint64_t base = (uint64_t)in->disp + (in->base >= 0 ? cpu->g->gpr[in->base] : 0);
    for (unsigned j = 0; j < count; j++) {
        if (!(m[j * dsz + dsz - 1] & 0x80))
            continue;
        int64_t ix = isz == 8 ? (int64_t)el_get(idx, j, 8) : (int64_t)(int32_t)el_get(idx, j, 4);
        uint64_t ea = (base + (uint64_t)ix * in->scale) & size_mask(in->addrsize);
        el_put(d, j, dsz, emu_read(cpu, seg, ea, dsz));
        el_put(m, j, dsz, 0);
        vec_put(cpu, in, in->reg, d, dn);
        vec_put(cpu, in, in->vvvv, m, dn);
    }
    memset(m, 0, sizeof m);
    vec_put(cpu, in, in->vvvv, m, dn);
}
