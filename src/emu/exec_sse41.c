/*
 * SSE4.1 (66 0F 38 and 66 0F 3A rows): integer min/max/multiply/compare,
 * PMOVSX/PMOVZX, blends, PTEST, PHMINPOSUW, MPSADBW, inserts and extracts,
 * ROUNDxx and DPPS/DPPD.  All XMM-only; 16-byte memory operands must be
 * aligned except where the SDM says otherwise (PMOVSX/ZX, inserts,
 * extracts, scalar forms).
 */
#include "fp_host.h"
#include "fpu.h"

static inline uint64_t lget(const uint8_t *p, unsigned i, unsigned w)
{
    uint64_t v = 0;
    memcpy(&v, p + i * w, w);
    return v;
}
static inline int64_t lsget(const uint8_t *p, unsigned i, unsigned w) { return (int64_t)sign_extend(lget(p, i, w), w); }
static inline void lput(uint8_t *p, unsigned i, unsigned w, uint64_t v) { memcpy(p + i * w, &v, w); }

typedef void (*op16)(uint8_t *d, const uint8_t *s, unsigned imm);

/* dst = f(src1, src2) on each 128-bit lane (legacy: dst is src1); the
 * upper lane of a VEX.256 form takes imm8 shifted right by `hi_shift`. */
static void run16_imm(struct emu_cpu *cpu, const struct insn *in, op16 f, unsigned hi_shift)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, n, true);
    vec_get(cpu, vec_src1(in), d, n);
    f(d, s, (unsigned)in->imm & 0xff);
    if (n == 32)
        f(d + 16, s + 16, ((unsigned)in->imm & 0xff) >> hi_shift);
    vec_put(cpu, in, in->reg, d, n);
}
static void run16(struct emu_cpu *cpu, const struct insn *in, op16 f) { run16_imm(cpu, in, f, 0); }

#define LANE_OP(name, w, expr)                                            \
    static void op_##name(uint8_t *d, const uint8_t *s, unsigned imm)    \
    {                                                                     \
        (void)imm;                                                        \
        for (unsigned i = 0; i < 16 / (w); i++) {                         \
            uint64_t a = lget(d, i, w), b = lget(s, i, w);                \
            int64_t sa = lsget(d, i, w), sb = lsget(s, i, w);             \
            (void)a; (void)b; (void)sa; (void)sb;                         \
            lput(d, i, w, (uint64_t)(expr));                              \
        }                                                                 \
    }                                                                     \
    void exec_##name(struct emu_cpu *cpu, const struct insn *in) { run16(cpu, in, op_##name); }

LANE_OP(pmuldq, 8, (int64_t)(int32_t)a * (int64_t)(int32_t)b)
LANE_OP(pcmpeqq, 8, a == b ? ~0ull : 0)
LANE_OP(pcmpgtq, 8, sa > sb ? ~0ull : 0)
LANE_OP(pminsb, 1, sa < sb ? sa : sb)
LANE_OP(pminsd, 4, sa < sb ? sa : sb)
LANE_OP(pminuw, 2, a < b ? a : b)
LANE_OP(pminud, 4, a < b ? a : b)
LANE_OP(pmaxsb, 1, sa > sb ? sa : sb)
LANE_OP(pmaxsd, 4, sa > sb ? sa : sb)
LANE_OP(pmaxuw, 2, a > b ? a : b)
LANE_OP(pmaxud, 4, a > b ? a : b)
LANE_OP(pmulld, 4, a * b)

static void op_packusdw(uint8_t *d, const uint8_t *s, unsigned imm)
{
    (void)imm;
    uint8_t r[16];
    for (unsigned i = 0; i < 8; i++) {
        int64_t v = i < 4 ? lsget(d, i, 4) : lsget(s, i - 4, 4);
        lput(r, i, 2, (uint64_t)(v < 0 ? 0 : v > 0xffff ? 0xffff : v));
    }
    memcpy(d, r, 16);
}
void exec_packusdw(struct emu_cpu *cpu, const struct insn *in) { run16(cpu, in, op_packusdw); }

static void op_phminposuw(uint8_t *d, const uint8_t *s, unsigned imm)
{
    (void)imm;
    unsigned idx = 0;
    uint64_t min = lget(s, 0, 2);
    for (unsigned i = 1; i < 8; i++)
        if (lget(s, i, 2) < min) {
            min = lget(s, i, 2);
            idx = i;
        }
    memset(d, 0, 16);
    lput(d, 0, 2, min);
    lput(d, 1, 2, idx);
}
void exec_phminposuw(struct emu_cpu *cpu, const struct insn *in) { run16(cpu, in, op_phminposuw); }

static void op_blendps(uint8_t *d, const uint8_t *s, unsigned imm)
{
    for (unsigned i = 0; i < 4; i++)
        if (imm & (1u << i))
            memcpy(d + 4 * i, s + 4 * i, 4);
}
static void op_blendpd(uint8_t *d, const uint8_t *s, unsigned imm)
{
    for (unsigned i = 0; i < 2; i++)
        if (imm & (1u << i))
            memcpy(d + 8 * i, s + 8 * i, 8);
}
static void op_pblendw(uint8_t *d, const uint8_t *s, unsigned imm)
{
    for (unsigned i = 0; i < 8; i++)
        if (imm & (1u << i))
            memcpy(d + 2 * i, s + 2 * i, 2);
}
void exec_blendps(struct emu_cpu *cpu, const struct insn *in) { run16_imm(cpu, in, op_blendps, 4); }
void exec_blendpd(struct emu_cpu *cpu, const struct insn *in) { run16_imm(cpu, in, op_blendpd, 2); }
void exec_pblendw(struct emu_cpu *cpu, const struct insn *in) { run16(cpu, in, op_pblendw); }

/* MPSADBW: eight sums of absolute differences of 4-byte groups. */
static void op_mpsadbw(uint8_t *d, const uint8_t *s, unsigned imm)
{
    unsigned doff = (imm & 4) ? 4 : 0, soff = 4 * (imm & 3);
    uint8_t r[16];
    for (unsigned i = 0; i < 8; i++) {
        unsigned sum = 0;
        for (unsigned j = 0; j < 4; j++) {
            int diff = (int)d[doff + i + j] - (int)s[soff + j];
            sum += (unsigned)(diff < 0 ? -diff : diff);
        }
        lput(r, i, 2, sum);
    }
    memcpy(d, r, 16);
}
void exec_mpsadbw(struct emu_cpu *cpu, const struct insn *in) { run16_imm(cpu, in, op_mpsadbw, 3); }

/* PBLENDVB/BLENDVPS/BLENDVPD: the mask is the element sign bits of XMM0,
 * or for the VEX forms of the register in imm8[7:4] (bit 7 ignored
 * outside 64-bit mode). */
static void blendv(struct emu_cpu *cpu, const struct insn *in, unsigned w)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t s[32], d[32], m[32];
    vec_src(cpu, in, s, n, true);
    vec_get(cpu, vec_src1(in), d, n);
    vec_get(cpu, in->vex ? ((unsigned)in->imm >> 4) & (mode64(cpu) ? 15 : 7) : 0, m, n);
    for (unsigned i = 0; i < n / w; i++)
        if (m[i * w + w - 1] & 0x80)
            memcpy(d + i * w, s + i * w, w);
    vec_put(cpu, in, in->reg, d, n);
}
void exec_pblendvb(struct emu_cpu *cpu, const struct insn *in) { blendv(cpu, in, 1); }
void exec_blendvps(struct emu_cpu *cpu, const struct insn *in) { blendv(cpu, in, 4); }
void exec_blendvpd(struct emu_cpu *cpu, const struct insn *in) { blendv(cpu, in, 8); }

/* PTEST: ZF = (d AND s) == 0, CF = (NOT d AND s) == 0; AF, OF, PF, SF cleared. */
void exec_ptest(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, n, true);
    vec_get(cpu, in->reg, d, n);
    bool zf = true, cf = true;
    for (unsigned i = 0; i < n; i++) {
        if (d[i] & s[i])
            zf = false;
        if (~d[i] & s[i])
            cf = false;
    }
    uint64_t f = emu_get_rflags(cpu) & ~(uint64_t)0x8d5;
    emu_set_rflags(cpu, f | (zf ? 0x40u : 0) | (cf ? 1u : 0));
}

/* PMOVSX/PMOVZX: the low 16/ratio bytes of the source, widened. */
static void pmov(struct emu_cpu *cpu, const struct insn *in, unsigned from, unsigned to, bool sx)
{
    sse_check(cpu, in);
    unsigned len = vec_len(in), n = len / to;
    uint8_t s[32], r[32];
    vec_src(cpu, in, s, n * from, false);
    for (unsigned i = 0; i < n; i++)
        lput(r, i, to, sx ? (uint64_t)lsget(s, i, from) : lget(s, i, from));
    vec_put(cpu, in, in->reg, r, len);
}
#define PMOV(name, from, to, sx) \
    void exec_##name(struct emu_cpu *cpu, const struct insn *in) { pmov(cpu, in, from, to, sx); }
PMOV(pmovsxbw, 1, 2, true)
PMOV(pmovsxbd, 1, 4, true)
PMOV(pmovsxbq, 1, 8, true)
PMOV(pmovsxwd, 2, 4, true)
PMOV(pmovsxwq, 2, 8, true)
PMOV(pmovsxdq, 4, 8, true)
PMOV(pmovzxbw, 1, 2, false)
PMOV(pmovzxbd, 1, 4, false)
PMOV(pmovzxbq, 1, 8, false)
PMOV(pmovzxwd, 2, 4, false)
PMOV(pmovzxwq, 2, 8, false)
PMOV(pmovzxdq, 4, 8, false)

/* MOVNTDQA: an aligned 16-byte load. */
void exec_movntdqa(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t v[32];
    sse_read_mem(cpu, in, v, n, true);
    vec_put(cpu, in, in->reg, v, n);
}

/* ---- extracts and inserts: r/m operands of the element's size; a register
 * destination is zero-extended (PEXTRQ with REX.W) */

static void extract(struct emu_cpu *cpu, const struct insn *in, unsigned w, unsigned idx)
{
    sse_check(cpu, in);
    uint64_t v = lget(xmm_ptr(cpu, in->reg), idx, w);
    if (in->has_mem)
        emu_write(cpu, emu_ea_seg(in), ea_of(cpu, in), w, v);
    else
        gpr_set(cpu, in->rm, w == 8 ? 8 : 4, v);
}
void exec_pextrb(struct emu_cpu *cpu, const struct insn *in) { extract(cpu, in, 1, in->imm & 15); }
void exec_pextrw_m(struct emu_cpu *cpu, const struct insn *in) { extract(cpu, in, 2, in->imm & 7); }
void exec_pextrd(struct emu_cpu *cpu, const struct insn *in)
{
    bool w = mode64(cpu) && (in->rex & 8);
    extract(cpu, in, w ? 8 : 4, (unsigned)in->imm & (w ? 1 : 3));
}
void exec_extractps(struct emu_cpu *cpu, const struct insn *in) { extract(cpu, in, 4, in->imm & 3); }

static void insert(struct emu_cpu *cpu, const struct insn *in, unsigned w, unsigned idx)
{
    sse_check(cpu, in);
    uint64_t v = in->has_mem ? emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), w) : cpu->g->gpr[in->rm];
    uint8_t d[16];
    memcpy(d, xmm_ptr(cpu, vec_src1(in)), 16);
    lput(d, idx, w, v);
    vec_put(cpu, in, in->reg, d, 16);
}
void exec_pinsrb(struct emu_cpu *cpu, const struct insn *in) { insert(cpu, in, 1, in->imm & 15); }
void exec_pinsrd(struct emu_cpu *cpu, const struct insn *in)
{
    bool w = mode64(cpu) && (in->rex & 8);
    insert(cpu, in, w ? 8 : 4, (unsigned)in->imm & (w ? 1 : 3));
}

/* INSERTPS: a dword from the source (register: element imm[7:6]; memory:
 * m32) into element imm[5:4], then elements named in imm[3:0] zeroed. */
void exec_insertps(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    unsigned imm = (unsigned)in->imm & 0xff;
    uint32_t v;
    if (in->has_mem)
        v = (uint32_t)emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), 4);
    else
        v = (uint32_t)lget(xmm_ptr(cpu, in->rm), imm >> 6, 4);
    uint8_t d[16];
    memcpy(d, xmm_ptr(cpu, vec_src1(in)), 16);
    lput(d, (imm >> 4) & 3, 4, v);
    for (unsigned i = 0; i < 4; i++)
        if (imm & (1u << i))
            lput(d, i, 4, 0);
    vec_put(cpu, in, in->reg, d, 16);
}

/* ---- floating point: ROUNDxx, DPPS, DPPD */

static void fp_flags_commit(struct emu_cpu *cpu, uint32_t mx, uint32_t fl)
{
    uint32_t unmasked = fl & ~(mx >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
    const uint32_t pre = MXCSR_IE | MXCSR_DE | MXCSR_ZE;
    if (unmasked & pre) {
        mxcsr_set(cpu, mx | (fl & pre));
        simd_fp_fault(cpu);
    }
    mxcsr_set(cpu, mx | fl);
    if (unmasked)
        simd_fp_fault(cpu);
}

/* One step of a multi-step operation (DPPS/DPPD): an unmasked exception
 * stops it there, with the flags of the earlier steps and of this one
 * (pre-computation ones only, if any is unmasked). */
static void fp_step(struct emu_cpu *cpu, uint32_t mx, uint32_t *acc, uint32_t fl)
{
    uint32_t unmasked = fl & ~(mx >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
    const uint32_t pre = MXCSR_IE | MXCSR_DE | MXCSR_ZE;
    if (unmasked & pre) {
        mxcsr_set(cpu, mx | *acc | (fl & pre));
        simd_fp_fault(cpu);
    }
    if (unmasked) {
        mxcsr_set(cpu, mx | *acc | fl);
        simd_fp_fault(cpu);
    }
    *acc |= fl;
}

/* ROUND*: the result is an integer value, never tiny. */
static void round_op(struct emu_cpu *cpu, const struct insn *in, enum fph_op op, unsigned msize)
{
    sse_check(cpu, in);
    unsigned n = msize == 16 ? vec_len(in) : 16;
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, msize == 16 ? n : msize, msize == 16);
    vec_get(cpu, vec_src1(in), d, n);
    uint32_t mx = mxcsr_get(cpu);
    uint32_t fl = fp_host_op(op, (unsigned)in->imm, d, s, mx);
    if (n == 32)
        fl |= fp_host_op(op, (unsigned)in->imm, d + 16, s + 16, mx);
    fp_flags_commit(cpu, mx, fl);
    vec_put(cpu, in, in->reg, d, n);
}
void exec_roundps(struct emu_cpu *cpu, const struct insn *in) { round_op(cpu, in, FPH_ROUNDPS, 16); }
void exec_roundpd(struct emu_cpu *cpu, const struct insn *in) { round_op(cpu, in, FPH_ROUNDPD, 16); }
void exec_roundss(struct emu_cpu *cpu, const struct insn *in) { round_op(cpu, in, FPH_ROUNDSS, 4); }
void exec_roundsd(struct emu_cpu *cpu, const struct insn *in) { round_op(cpu, in, FPH_ROUNDSD, 8); }

/*
 * DPPS/DPPD as the SDM's pseudo-code computes them, from exact host
 * operations: products of the elements selected by imm[7:4] (others +0.0),
 * each rounded; pairwise sums (HADD), then their sum; the result into the
 * elements selected by imm[3:0], +0.0 elsewhere.  Flags accumulate over
 * the steps; an unmasked exception ends the instruction at its step (what
 * the hardware compared by the engine test does).  FTZ/DAZ apply at each
 * step.
 */
/* One 128-bit lane of DPPS into r; VEX.256 runs lane 0's steps, then lane 1's. */
static void dpps_lane(struct emu_cpu *cpu, uint32_t mx, uint32_t *acc_io, const uint8_t *d, const uint8_t *s,
                      unsigned imm, uint8_t *r)
{
    uint8_t p[16], z[16] = { 0 }, a[16], b[16];
    for (unsigned i = 0; i < 4; i++) {
        bool on = imm & (0x10u << i);
        memcpy(a + 4 * i, on ? d + 4 * i : z, 4);
        memcpy(b + 4 * i, on ? s + 4 * i : z, 4);
    }
    uint32_t acc = *acc_io;
    fp_step(cpu, mx, &acc, fp_host_op(FPH_MULPS, 0, a, b, mx));
    memcpy(p, a, 16);
    fp_step(cpu, mx, &acc, fp_host_op(FPH_HADDPS, 0, a, p, mx)); /* a = {p0+p1, p2+p3, ...} */
    memcpy(b, a, 16);
    memcpy(b, a + 4, 4);                                         /* b[0] = p2+p3 */
    fp_step(cpu, mx, &acc, fp_host_op(FPH_ADDSS, 0, a, b, mx));  /* a[0] = (p0+p1) + (p2+p3) */
    *acc_io = acc;
    memset(r, 0, 16);
    for (unsigned i = 0; i < 4; i++)
        if (imm & (1u << i))
            memcpy(r + 4 * i, a, 4);
}

void exec_dpps(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    unsigned imm = (unsigned)in->imm & 0xff, n = vec_len(in);
    uint8_t s[32], d[32], r[32];
    vec_src(cpu, in, s, n, true);
    vec_get(cpu, vec_src1(in), d, n);
    uint32_t mx = mxcsr_get(cpu), acc = 0;
    for (unsigned h = 0; h < n; h += 16)
        dpps_lane(cpu, mx, &acc, d + h, s + h, imm, r + h);
    mxcsr_set(cpu, mx | acc);
    vec_put(cpu, in, in->reg, r, n);
}

void exec_dppd(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    unsigned imm = (unsigned)in->imm & 0xff;
    uint8_t s[32], d[16], z[16] = { 0 };
    vec_src(cpu, in, s, 16, true);
    memcpy(d, xmm_ptr(cpu, vec_src1(in)), 16);
    uint32_t mx = mxcsr_get(cpu);
    uint8_t a[16], b[16];
    for (unsigned i = 0; i < 2; i++) {
        bool on = imm & (0x10u << i);
        memcpy(a + 8 * i, on ? d + 8 * i : z, 8);
        memcpy(b + 8 * i, on ? s + 8 * i : z, 8);
    }
    uint32_t acc = 0;
    fp_step(cpu, mx, &acc, fp_host_op(FPH_MULPD, 0, a, b, mx));
    memcpy(b, a, 16);
    fp_step(cpu, mx, &acc, fp_host_op(FPH_HADDPD, 0, a, b, mx)); /* a[0] = p0 + p1 */
    mxcsr_set(cpu, mx | acc);
    uint8_t r[16] = { 0 };
    for (unsigned i = 0; i < 2; i++)
        if (imm & (1u << i))
            memcpy(r + 8 * i, a, 8);
    vec_put(cpu, in, in->reg, r, 16);
}
