/*
 * SSE4.2: PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (SDM vol. 2, 4.1 "Imm8
 * Control Byte Operation for PCMPESTRI / PCMPESTRM / PCMPISTRI / PCMPISTRM")
 * and CRC32 (CRC-32C, reflected, no pre- or post-inversion).  PCMPGTQ is
 * with SSE4.1 in exec_sse41.c.
 */
#include "fpu.h"

enum { AGG_EQUAL_ANY, AGG_RANGES, AGG_EQUAL_EACH, AGG_EQUAL_ORDERED };

static int64_t elem(const uint8_t *v, unsigned i, unsigned imm)
{
    bool word = imm & 1, sgn = imm & 2;
    if (word) {
        uint16_t x;
        memcpy(&x, v + 2 * i, 2);
        return sgn ? (int16_t)x : x;
    }
    return sgn ? (int8_t)v[i] : v[i];
}

static unsigned implicit_len(const uint8_t *v, unsigned n, unsigned imm)
{
    for (unsigned i = 0; i < n; i++)
        if (elem(v, i, imm) == 0)
            return i;
    return n;
}

static unsigned explicit_len(const struct emu_cpu *cpu, const struct insn *in, unsigned reg, unsigned n)
{
    int64_t v = (mode64(cpu) && (in->rex & 8)) ? (int64_t)cpu->g->gpr[reg] : (int32_t)cpu->g->gpr[reg];
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    return a > n ? n : (unsigned)a;
}

/* The comparison of a[i] (first operand) with b[j] (second), with the
 * SDM's rules for invalid elements (past the string's length). */
static bool bool_res(const uint8_t *a, const uint8_t *b, unsigned i, unsigned j, unsigned la, unsigned lb,
                     unsigned imm)
{
    unsigned agg = (imm >> 2) & 3;
    bool av = i < la, bv = j < lb;
    if (!av && !bv)
        return agg == AGG_EQUAL_EACH || agg == AGG_EQUAL_ORDERED;
    if (!av)
        return agg == AGG_EQUAL_ORDERED;
    if (!bv)
        return false;
    int64_t x = elem(a, i, imm), y = elem(b, j, imm);
    if (agg == AGG_RANGES)
        return (i & 1) ? y <= x : x <= y;
    return x == y;
}

static unsigned pcmpstr(struct emu_cpu *cpu, const struct insn *in, bool explicit_lengths, uint8_t *out_b)
{
    sse_check(cpu, in);
    unsigned imm = (unsigned)in->imm & 0xff;
    unsigned n = (imm & 1) ? 8 : 16;
    uint8_t a[16], b[16];
    memcpy(a, xmm_ptr(cpu, in->reg), 16);
    xmm_src(cpu, in, b, 16, false);
    unsigned la, lb;
    if (explicit_lengths) {
        la = explicit_len(cpu, in, GPR_RAX, n);
        lb = explicit_len(cpu, in, GPR_RDX, n);
    } else {
        la = implicit_len(a, n, imm);
        lb = implicit_len(b, n, imm);
    }
    unsigned agg = (imm >> 2) & 3, res1 = 0;
    for (unsigned j = 0; j < n; j++) {
        bool r;
        switch (agg) {
        case AGG_EQUAL_ANY:
            r = false;
            for (unsigned i = 0; i < n; i++)
                r = r || bool_res(a, b, i, j, la, lb, imm);
            break;
        case AGG_RANGES:
            r = false;
            for (unsigned i = 0; i + 1 < n; i += 2)
                r = r || (bool_res(a, b, i, j, la, lb, imm) && bool_res(a, b, i + 1, j, la, lb, imm));
            break;
        case AGG_EQUAL_EACH:
            r = bool_res(a, b, j, j, la, lb, imm);
            break;
        default:
            r = true;
            for (unsigned k = 0; k + j < n; k++)
                r = r && bool_res(a, b, k, j + k, la, lb, imm);
            break;
        }
        res1 |= (unsigned)r << j;
    }
    unsigned full = (1u << n) - 1, res2;
    switch ((imm >> 4) & 3) {
    case 1: res2 = ~res1 & full; break;
    case 3: res2 = res1 ^ (((1u << lb) - 1) & full); break;
    default: res2 = res1; break;
    }
    uint64_t f = emu_get_rflags(cpu) & ~(uint64_t)0x8d5;
    f |= (res2 ? 1u : 0) | (lb < n ? 0x40u : 0) | (la < n ? 0x80u : 0) | ((res2 & 1) ? 0x800u : 0);
    emu_set_rflags(cpu, f);
    if (out_b)
        memcpy(out_b, b, 16);
    return res2;
}

static void index_result(struct emu_cpu *cpu, const struct insn *in, unsigned res2)
{
    unsigned n = (in->imm & 1) ? 8 : 16, idx = n;
    if (res2)
        idx = (in->imm & 0x40) ? 31u - (unsigned)__builtin_clz(res2) : (unsigned)__builtin_ctz(res2);
    gpr_set(cpu, GPR_RCX, 4, idx);
}

static void mask_result(struct emu_cpu *cpu, const struct insn *in, unsigned res2)
{
    uint8_t m[16] = { 0 };
    bool word = in->imm & 1;
    unsigned n = word ? 8 : 16;
    if (in->imm & 0x40) {
        for (unsigned i = 0; i < n; i++)
            if (res2 & (1u << i))
                memset(m + i * (word ? 2 : 1), 0xff, word ? 2 : 1);
    } else {
        m[0] = (uint8_t)res2;
        m[1] = (uint8_t)(res2 >> 8);
    }
    vec_put(cpu, in, 0, m, 16);
}

void exec_pcmpestrm(struct emu_cpu *cpu, const struct insn *in) { mask_result(cpu, in, pcmpstr(cpu, in, true, NULL)); }
void exec_pcmpestri(struct emu_cpu *cpu, const struct insn *in) { index_result(cpu, in, pcmpstr(cpu, in, true, NULL)); }
void exec_pcmpistrm(struct emu_cpu *cpu, const struct insn *in) { mask_result(cpu, in, pcmpstr(cpu, in, false, NULL)); }
void exec_pcmpistri(struct emu_cpu *cpu, const struct insn *in) { index_result(cpu, in, pcmpstr(cpu, in, false, NULL)); }

/* CRC32 r32/r64, r/m8 (F2 0F 38 F0) or r/m16/32/64 (F1): no SSE state. */
void exec_crc32(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned n = (in->opcode & 1) ? in->opsize : 1;
    uint64_t src = rm_get(cpu, in, n);
    uint32_t crc = (uint32_t)cpu->g->gpr[in->reg];
    for (unsigned i = 0; i < n; i++) {
        crc ^= (uint8_t)(src >> (8 * i));
        for (unsigned k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
    }
    gpr_set(cpu, in->reg, (in->rex & 8) ? 8 : 4, crc);
}
