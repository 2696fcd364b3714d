/*
 * Integer SIMD: the MMX (no prefix, 64-bit MM registers) and SSE2 (66,
 * 128-bit XMM registers) forms of the same operations share one element
 * loop each, over n = 8 or 16 bytes.  Lanes are little-endian in the
 * register file, as the host's integers (a big-endian host would need
 * byte swaps in lane_get/lane_put).
 */
#include "fpu.h"

typedef void (*vec_op)(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm);

static inline uint64_t lane_get(const uint8_t *p, unsigned i, unsigned w)
{
    uint64_t v = 0;
    memcpy(&v, p + i * w, w);
    return v;
}
static inline void lane_put(uint8_t *p, unsigned i, unsigned w, uint64_t v) { memcpy(p + i * w, &v, w); }
static inline int64_t lane_sget(const uint8_t *p, unsigned i, unsigned w)
{
    return (int64_t)sign_extend(lane_get(p, i, w), w);
}

static int64_t sat_s(int64_t v, unsigned w)
{
    int64_t hi = (int64_t)(size_mask(w) >> 1), lo = -hi - 1;
    return v > hi ? hi : v < lo ? lo : v;
}
static int64_t sat_u(int64_t v, unsigned w)
{
    int64_t hi = (int64_t)size_mask(w);
    return v > hi ? hi : v < 0 ? 0 : v;
}

/* ---- element-wise operations: d[i] = f(d[i], s[i]) */

#define ELEM_OP(name, w, expr)                                                  \
    static void op_##name(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm) \
    {                                                                           \
        (void)imm;                                                              \
        for (unsigned i = 0; i < n / (w); i++) {                                \
            uint64_t a = lane_get(d, i, w), b = lane_get(s, i, w);              \
            int64_t sa = lane_sget(d, i, w), sb = lane_sget(s, i, w);           \
            (void)a; (void)b; (void)sa; (void)sb;                               \
            lane_put(d, i, w, (uint64_t)(expr));                                \
        }                                                                       \
    }

ELEM_OP(paddb, 1, a + b)
ELEM_OP(paddw, 2, a + b)
ELEM_OP(paddd, 4, a + b)
ELEM_OP(paddq, 8, a + b)
ELEM_OP(psubb, 1, a - b)
ELEM_OP(psubw, 2, a - b)
ELEM_OP(psubd, 4, a - b)
ELEM_OP(psubq, 8, a - b)
ELEM_OP(paddsb, 1, sat_s(sa + sb, 1))
ELEM_OP(paddsw, 2, sat_s(sa + sb, 2))
ELEM_OP(psubsb, 1, sat_s(sa - sb, 1))
ELEM_OP(psubsw, 2, sat_s(sa - sb, 2))
ELEM_OP(paddusb, 1, sat_u((int64_t)(a + b), 1))
ELEM_OP(paddusw, 2, sat_u((int64_t)(a + b), 2))
ELEM_OP(psubusb, 1, sat_u((int64_t)a - (int64_t)b, 1))
ELEM_OP(psubusw, 2, sat_u((int64_t)a - (int64_t)b, 2))
ELEM_OP(pmullw, 2, sa * sb)
ELEM_OP(pmulhw, 2, (sa * sb) >> 16)
ELEM_OP(pmulhuw, 2, (a * b) >> 16)
ELEM_OP(pcmpeqb, 1, a == b ? ~0ull : 0)
ELEM_OP(pcmpeqw, 2, a == b ? ~0ull : 0)
ELEM_OP(pcmpeqd, 4, a == b ? ~0ull : 0)
ELEM_OP(pcmpgtb, 1, sa > sb ? ~0ull : 0)
ELEM_OP(pcmpgtw, 2, sa > sb ? ~0ull : 0)
ELEM_OP(pcmpgtd, 4, sa > sb ? ~0ull : 0)
ELEM_OP(pand, 8, a & b)
ELEM_OP(pandn, 8, ~a & b)
ELEM_OP(por, 8, a | b)
ELEM_OP(pxor, 8, a ^ b)
ELEM_OP(pminub, 1, a < b ? a : b)
ELEM_OP(pmaxub, 1, a > b ? a : b)
ELEM_OP(pminsw, 2, sa < sb ? sa : sb)
ELEM_OP(pmaxsw, 2, sa > sb ? sa : sb)
ELEM_OP(pavgb, 1, (a + b + 1) >> 1)
ELEM_OP(pavgw, 2, (a + b + 1) >> 1)

static void op_pmuludq(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm)
{
    (void)imm;
    for (unsigned i = 0; i < n / 8; i++)
        lane_put(d, i, 8, lane_get(d, 2 * i, 4) * lane_get(s, 2 * i, 4));
}

static void op_pmaddwd(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm)
{
    (void)imm;
    for (unsigned i = 0; i < n / 4; i++) {
        int64_t r = lane_sget(d, 2 * i, 2) * lane_sget(s, 2 * i, 2) +
                    lane_sget(d, 2 * i + 1, 2) * lane_sget(s, 2 * i + 1, 2);
        lane_put(d, i, 4, (uint64_t)r); /* 0x8000 * 0x8000 * 2 wraps to 0x80000000, as the SDM says */
    }
}

static void op_psadbw(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm)
{
    (void)imm;
    for (unsigned q = 0; q < n / 8; q++) {
        uint64_t sum = 0;
        for (unsigned i = 0; i < 8; i++) {
            int diff = (int)d[8 * q + i] - (int)s[8 * q + i];
            sum += (uint64_t)(diff < 0 ? -diff : diff);
        }
        lane_put(d, q, 8, sum);
    }
}

/* ---- packs and unpacks: the result combines d's and s's lanes */

static void pack(uint8_t *d, const uint8_t *s, unsigned n, unsigned w, bool unsig)
{
    uint8_t r[16];
    unsigned cnt = n / w;
    for (unsigned i = 0; i < 2 * cnt; i++) {
        int64_t v = i < cnt ? lane_sget(d, i, w) : lane_sget(s, i - cnt, w);
        lane_put(r, i, w / 2, (uint64_t)(unsig ? sat_u(v, w / 2) : sat_s(v, w / 2)));
    }
    memcpy(d, r, n);
}
static void op_packsswb(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm) { (void)imm; pack(d, s, n, 2, false); }
static void op_packuswb(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm) { (void)imm; pack(d, s, n, 2, true); }
static void op_packssdw(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm) { (void)imm; pack(d, s, n, 4, false); }

static void unpack(uint8_t *d, const uint8_t *s, unsigned n, unsigned w, bool high)
{
    uint8_t r[16];
    unsigned half = high ? n / 2 : 0;
    for (unsigned i = 0; i < n / 2 / w; i++) {
        memcpy(r + 2 * i * w, d + half + i * w, w);
        memcpy(r + (2 * i + 1) * w, s + half + i * w, w);
    }
    memcpy(d, r, n);
}
#define UNPACK_OP(name, w, high) \
    static void op_##name(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm) { (void)imm; unpack(d, s, n, w, high); }
UNPACK_OP(punpcklbw, 1, false)
UNPACK_OP(punpcklwd, 2, false)
UNPACK_OP(punpckldq, 4, false)
UNPACK_OP(punpcklqdq, 8, false)
UNPACK_OP(punpckhbw, 1, true)
UNPACK_OP(punpckhwd, 2, true)
UNPACK_OP(punpckhdq, 4, true)
UNPACK_OP(punpckhqdq, 8, true)

/* ---- shifts: the count is the low 64 bits of s (or the immediate) */

static void shift(uint8_t *d, uint64_t count, unsigned n, unsigned w, int kind /* 0 left, 1 logical right, 2 arithmetic right */)
{
    unsigned bits = w * 8;
    for (unsigned i = 0; i < n / w; i++) {
        uint64_t v = lane_get(d, i, w);
        if (kind == 2) {
            int64_t sv = lane_sget(d, i, w);
            v = (uint64_t)(sv >> (count >= bits ? bits - 1 : count));
        } else if (count >= bits) {
            v = 0;
        } else {
            v = kind == 0 ? v << count : v >> count;
        }
        lane_put(d, i, w, v);
    }
}
#define SHIFT_OP(name, w, kind)                                                   \
    static void op_##name(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm) \
    {                                                                             \
        (void)imm;                                                                \
        shift(d, ld64(s), n, w, kind);                                            \
    }
SHIFT_OP(psllw, 2, 0)
SHIFT_OP(pslld, 4, 0)
SHIFT_OP(psllq, 8, 0)
SHIFT_OP(psrlw, 2, 1)
SHIFT_OP(psrld, 4, 1)
SHIFT_OP(psrlq, 8, 1)
SHIFT_OP(psraw, 2, 2)
SHIFT_OP(psrad, 4, 2)

/* ---- SSSE3 */

static void op_pshufb(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm)
{
    (void)imm;
    uint8_t r[16];
    for (unsigned i = 0; i < n; i++)
        r[i] = (s[i] & 0x80) ? 0 : d[s[i] & (n - 1)];
    memcpy(d, r, n);
}

/* Horizontal pairs: the low half of the result from d, the high half from s. */
static void horizontal(uint8_t *d, const uint8_t *s, unsigned n, unsigned w, bool sub, bool sat)
{
    uint8_t r[16];
    unsigned half = n / w / 2;
    for (unsigned i = 0; i < 2 * half; i++) {
        const uint8_t *src = i < half ? d : s;
        unsigned j = i % half;
        int64_t a = lane_sget(src, 2 * j, w), b = lane_sget(src, 2 * j + 1, w);
        int64_t v = sub ? a - b : a + b;
        lane_put(r, i, w, (uint64_t)(sat ? sat_s(v, w) : v));
    }
    memcpy(d, r, n);
}
#define HORIZ_OP(name, w, sub, sat) \
    static void op_##name(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm) { (void)imm; horizontal(d, s, n, w, sub, sat); }
HORIZ_OP(phaddw, 2, false, false)
HORIZ_OP(phaddd, 4, false, false)
HORIZ_OP(phaddsw, 2, false, true)
HORIZ_OP(phsubw, 2, true, false)
HORIZ_OP(phsubd, 4, true, false)
HORIZ_OP(phsubsw, 2, true, true)

static void op_pmaddubsw(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm)
{
    (void)imm;
    for (unsigned i = 0; i < n / 2; i++) {
        int64_t v = (int64_t)d[2 * i] * (int8_t)s[2 * i] + (int64_t)d[2 * i + 1] * (int8_t)s[2 * i + 1];
        lane_put(d, i, 2, (uint64_t)sat_s(v, 2));
    }
}

ELEM_OP(pmulhrsw, 2, (((sa * sb) >> 14) + 1) >> 1)
ELEM_OP(psignb, 1, sb < 0 ? -sa : sb == 0 ? 0 : sa)
ELEM_OP(psignw, 2, sb < 0 ? -sa : sb == 0 ? 0 : sa)
ELEM_OP(psignd, 4, sb < 0 ? -sa : sb == 0 ? 0 : sa)
ELEM_OP(pabsb, 1, sb < 0 ? -sb : sb)
ELEM_OP(pabsw, 2, sb < 0 ? -sb : sb)
ELEM_OP(pabsd, 4, sb < 0 ? -sb : sb)

/* PALIGNR: (d:s) shifted right by imm bytes, the low n bytes. */
static void op_palignr(uint8_t *d, const uint8_t *s, unsigned n, unsigned imm)
{
    uint8_t cat[32], r[16];
    memcpy(cat, s, n);
    memcpy(cat + n, d, n);
    unsigned sh = imm & 0xff;
    for (unsigned i = 0; i < n; i++)
        r[i] = sh + i < 2 * n ? cat[sh + i] : 0;
    memcpy(d, r, n);
}

/* ---- the handlers */

/* The XMM forms, legacy and VEX: dst = f(src1, src2) on each 128-bit
 * half (AVX2's 256-bit forms work within 128-bit lanes).  Shifts by a
 * register count take xmm/m128 at every length and shift both halves by
 * its low quadword. */
static void run_vec(struct emu_cpu *cpu, const struct insn *in, vec_op f, bool count_src)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t s[32], d[32];
    vec_src(cpu, in, s, count_src ? 16 : n, true);
    if (count_src)
        memcpy(s + 16, s, 16);
    vec_get(cpu, vec_src1(in), d, n);
    f(d, s, 16, (unsigned)in->imm);
    if (n == 32)
        f(d + 16, s + 16, 16, (unsigned)in->imm);
    vec_put(cpu, in, in->reg, d, n);
}
static void run_xmm(struct emu_cpu *cpu, const struct insn *in, vec_op f) { run_vec(cpu, in, f, false); }

static void run_mm(struct emu_cpu *cpu, const struct insn *in, vec_op f)
{
    mmx_check(cpu);
    uint8_t s[8], d[8];
    st64(s, mm_src(cpu, in));
    memcpy(d, mm_ptr(cpu, in->reg), 8);
    f(d, s, 8, (unsigned)in->imm);
    mmx_enter(cpu);
    mm_write(cpu, in->reg, ld64(d));
}

#define VEC_HANDLERS(unused, op, name)                                                                 \
    void exec_##name##_xmm(struct emu_cpu *cpu, const struct insn *in) { run_xmm(cpu, in, op_##name); } \
    void exec_##name##_mm(struct emu_cpu *cpu, const struct insn *in) { run_mm(cpu, in, op_##name); }
SSE_INT_OPS(VEC_HANDLERS, _)
SSSE3_OPS(VEC_HANDLERS, _)
SSSE3_ABS_OPS(VEC_HANDLERS, _)
#define SHIFT_HANDLERS(unused, op, name)                                                                      \
    void exec_##name##_xmm(struct emu_cpu *cpu, const struct insn *in) { run_vec(cpu, in, op_##name, true); } \
    void exec_##name##_mm(struct emu_cpu *cpu, const struct insn *in) { run_mm(cpu, in, op_##name); }
SSE_SHIFT_OPS(SHIFT_HANDLERS, _)
VEC_HANDLERS(_, 0, palignr)

void exec_punpcklqdq_xmm(struct emu_cpu *cpu, const struct insn *in) { run_xmm(cpu, in, op_punpcklqdq); }
void exec_punpckhqdq_xmm(struct emu_cpu *cpu, const struct insn *in) { run_xmm(cpu, in, op_punpckhqdq); }

/* Shift by immediate: the register operand is r/m (0F 71-73 groups); the
 * VEX forms write VEX.vvvv. */
static unsigned shift_imm_dst(const struct insn *in) { return in->vex ? in->vvvv : in->rm; }
static void shift_imm_xmm(struct emu_cpu *cpu, const struct insn *in, unsigned w, int kind)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t d[32];
    vec_get(cpu, in->rm, d, n);
    shift(d, in->imm & 0xff, n, w, kind);
    vec_put(cpu, in, shift_imm_dst(in), d, n);
}
static void shift_imm_mm(struct emu_cpu *cpu, const struct insn *in, unsigned w, int kind)
{
    mmx_check(cpu);
    uint8_t d[8];
    memcpy(d, mm_ptr(cpu, in->rm), 8);
    shift(d, in->imm & 0xff, 8, w, kind);
    mmx_enter(cpu);
    mm_write(cpu, in->rm, ld64(d));
}
#define SHIFT_IMM(name, w, kind)                                                                              \
    void exec_##name##_i_xmm(struct emu_cpu *cpu, const struct insn *in) { shift_imm_xmm(cpu, in, w, kind); } \
    void exec_##name##_i_mm(struct emu_cpu *cpu, const struct insn *in) { shift_imm_mm(cpu, in, w, kind); }
SHIFT_IMM(psllw, 2, 0)
SHIFT_IMM(pslld, 4, 0)
SHIFT_IMM(psllq, 8, 0)
SHIFT_IMM(psrlw, 2, 1)
SHIFT_IMM(psrld, 4, 1)
SHIFT_IMM(psrlq, 8, 1)
SHIFT_IMM(psraw, 2, 2)
SHIFT_IMM(psrad, 4, 2)

/* PSRLDQ/PSLLDQ: whole-register byte shifts. */
static void byte_shift(struct emu_cpu *cpu, const struct insn *in, bool left)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in), c = (unsigned)in->imm & 0xff;
    uint8_t d[32], r[32] = { 0 };
    vec_get(cpu, in->rm, d, n);
    for (unsigned h = 0; h < n; h += 16)
        for (unsigned i = 0; i < 16 && c < 16; i++) {
            if (left && i >= c)
                r[h + i] = d[h + i - c];
            else if (!left && i + c < 16)
                r[h + i] = d[h + i + c];
        }
    vec_put(cpu, in, shift_imm_dst(in), r, n);
}
void exec_pslldq(struct emu_cpu *cpu, const struct insn *in) { byte_shift(cpu, in, true); }
void exec_psrldq(struct emu_cpu *cpu, const struct insn *in) { byte_shift(cpu, in, false); }

/* ---- shuffles, inserts, extracts, masks */

void exec_pshufw(struct emu_cpu *cpu, const struct insn *in)
{
    mmx_check(cpu);
    uint8_t s[8], r[8];
    st64(s, mm_src(cpu, in));
    for (unsigned i = 0; i < 4; i++)
        memcpy(r + 2 * i, s + 2 * ((in->imm >> (2 * i)) & 3), 2);
    mmx_enter(cpu);
    mm_write(cpu, in->reg, ld64(r));
}

/* PSHUFD (words 0-7 as dwords), PSHUFHW (high four words), PSHUFLW (low four). */
static void pshuf_xmm(struct emu_cpu *cpu, const struct insn *in, unsigned w, unsigned first)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in);
    uint8_t s[32], r[32];
    vec_src(cpu, in, s, n, true);
    memcpy(r, s, 32);
    for (unsigned h = 0; h < n; h += 16)
        for (unsigned i = 0; i < 4; i++)
            memcpy(r + h + first + w * i, s + h + first + w * ((in->imm >> (2 * i)) & 3), w);
    vec_put(cpu, in, in->reg, r, n);
}
void exec_pshufd(struct emu_cpu *cpu, const struct insn *in) { pshuf_xmm(cpu, in, 4, 0); }
void exec_pshufhw(struct emu_cpu *cpu, const struct insn *in) { pshuf_xmm(cpu, in, 2, 8); }
void exec_pshuflw(struct emu_cpu *cpu, const struct insn *in) { pshuf_xmm(cpu, in, 2, 0); }

/* PINSRW: the register source is r32 (its low word), memory is m16. */
static uint16_t pinsrw_src(struct emu_cpu *cpu, const struct insn *in)
{
    if (in->has_mem)
        return (uint16_t)emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), 2);
    return (uint16_t)cpu->g->gpr[in->rm];
}
void exec_pinsrw_xmm(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    uint16_t v = pinsrw_src(cpu, in);
    uint8_t d[16];
    memcpy(d, xmm_ptr(cpu, vec_src1(in)), 16);
    st16(d + 2 * (in->imm & 7), v);
    vec_put(cpu, in, in->reg, d, 16);
}
void exec_pinsrw_mm(struct emu_cpu *cpu, const struct insn *in)
{
    mmx_check(cpu);
    uint16_t v = pinsrw_src(cpu, in);
    uint8_t d[8];
    memcpy(d, mm_ptr(cpu, in->reg), 8);
    st16(d + 2 * (in->imm & 3), v);
    mmx_enter(cpu);
    mm_write(cpu, in->reg, ld64(d));
}

/* PEXTRW r32/r64, xmm/mm, imm8: zero-extended into the whole register. */
void exec_pextrw_xmm(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    gpr_set(cpu, in->reg, 4, ld16(xmm_ptr(cpu, in->rm) + 2 * (in->imm & 7)));
}
void exec_pextrw_mm(struct emu_cpu *cpu, const struct insn *in)
{
    mmx_check(cpu);
    uint16_t v = ld16(mm_ptr(cpu, in->rm) + 2 * (in->imm & 3));
    mmx_enter(cpu);
    gpr_set(cpu, in->reg, 4, v);
}

static uint32_t byte_signs(const uint8_t *p, unsigned n)
{
    uint32_t m = 0;
    for (unsigned i = 0; i < n; i++)
        m |= (uint32_t)(p[i] >> 7) << i;
    return m;
}
void exec_pmovmskb_xmm(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    uint8_t x[32];
    vec_get(cpu, in->rm, x, vec_len(in));
    gpr_set(cpu, in->reg, 4, byte_signs(x, vec_len(in)));
}
void exec_pmovmskb_mm(struct emu_cpu *cpu, const struct insn *in)
{
    mmx_check(cpu);
    uint32_t m = byte_signs(mm_ptr(cpu, in->rm), 8);
    mmx_enter(cpu);
    gpr_set(cpu, in->reg, 4, m);
}

/* SHUFPS/SHUFPD: in each 128-bit lane, the low half from the first
 * source, the high half from the second. */
static void shufp(struct emu_cpu *cpu, const struct insn *in, unsigned esize)
{
    sse_check(cpu, in);
    unsigned n = vec_len(in), imm = (unsigned)in->imm, per = 16 / esize, bits = esize == 4 ? 2 : 1;
    uint8_t s[32], d[32], r[32];
    vec_src(cpu, in, s, n, true);
    vec_get(cpu, vec_src1(in), d, n);
    for (unsigned h = 0; h < n; h += 16) {
        /* SHUFPD's second lane takes imm bits 3:2. */
        unsigned sel = esize == 8 && h ? imm >> 2 : imm;
        for (unsigned i = 0; i < per; i++) {
            const uint8_t *src = i < per / 2 ? d : s;
            unsigned k = (sel >> (bits * i)) & ((1u << bits) - 1);
            memcpy(r + h + esize * i, src + h + esize * k, esize);
        }
    }
    vec_put(cpu, in, in->reg, r, n);
}
void exec_shufps(struct emu_cpu *cpu, const struct insn *in) { shufp(cpu, in, 4); }
void exec_shufpd(struct emu_cpu *cpu, const struct insn *in) { shufp(cpu, in, 8); }
