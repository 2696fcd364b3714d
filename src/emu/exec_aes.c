/*
 * AES-NI (AESENC/AESENCLAST/AESDEC/AESDECLAST/AESIMC/AESKEYGENASSIST) and
 * PCLMULQDQ, in portable C: the S-boxes are derived once from their
 * definition (inverse in GF(2^8), then the affine map), not typed in.
 * The state is the 16 bytes of the register, column-major (byte 4c + r is
 * row r of column c), as FIPS-197 and the SDM lay it out.
 */
#include <pthread.h>

#include "fpu.h"

static uint8_t sbox[256], inv_sbox[256];
static pthread_once_t sbox_once = PTHREAD_ONCE_INIT;

static uint8_t gmul(uint8_t a, uint8_t b)
{
    uint8_t p = 0;
    while (b) {
        if (b & 1)
            p ^= a;
        a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
        b >>= 1;
    }
    return p;
}

static uint8_t rotl8(uint8_t x, unsigned n) { return (uint8_t)((x << n) | (x >> (8 - n))); }

static void sbox_build(void)
{
    for (unsigned x = 0; x < 256; x++) {
        uint8_t inv = 0;
        for (unsigned y = 1; y < 256 && x; y++)
            if (gmul((uint8_t)x, (uint8_t)y) == 1) {
                inv = (uint8_t)y;
                break;
            }
        uint8_t s = (uint8_t)(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63);
        sbox[x] = s;
        inv_sbox[s] = (uint8_t)x;
    }
}

static void shift_rows(uint8_t *s, bool inverse)
{
    uint8_t r[16];
    for (unsigned c = 0; c < 4; c++)
        for (unsigned row = 0; row < 4; row++)
            r[row + 4 * c] = s[row + 4 * ((inverse ? c + 4 - row : c + row) & 3)];
    memcpy(s, r, 16);
}

static void sub_bytes(uint8_t *s, bool inverse)
{
    for (unsigned i = 0; i < 16; i++)
        s[i] = inverse ? inv_sbox[s[i]] : sbox[s[i]];
}

static void mix_columns(uint8_t *s, bool inverse)
{
    static const uint8_t fwd[4] = { 2, 3, 1, 1 }, inv[4] = { 14, 11, 13, 9 };
    const uint8_t *k = inverse ? inv : fwd;
    for (unsigned c = 0; c < 4; c++) {
        uint8_t a[4], b[4];
        memcpy(a, s + 4 * c, 4);
        for (unsigned r = 0; r < 4; r++)
            b[r] = (uint8_t)(gmul(a[r], k[0]) ^ gmul(a[(r + 1) & 3], k[1]) ^ gmul(a[(r + 2) & 3], k[2]) ^
                             gmul(a[(r + 3) & 3], k[3]));
        memcpy(s + 4 * c, b, 4);
    }
}

enum { AES_ENC, AES_ENCLAST, AES_DEC, AES_DECLAST, AES_IMC };

static void aes(struct emu_cpu *cpu, const struct insn *in, unsigned kind)
{
    sse_check(cpu, in);
    pthread_once(&sbox_once, sbox_build);
    uint8_t key[16], st[16];
    xmm_src(cpu, in, key, 16, !in->vex);
    if (kind == AES_IMC) {
        mix_columns(key, true);
        vec_put(cpu, in, in->reg, key, 16);
        return;
    }
    memcpy(st, xmm_ptr(cpu, vec_src1(in)), 16);
    bool dec = kind == AES_DEC || kind == AES_DECLAST;
    shift_rows(st, dec);
    sub_bytes(st, dec);
    if (kind == AES_ENC || kind == AES_DEC)
        mix_columns(st, dec);
    for (unsigned i = 0; i < 16; i++)
        st[i] ^= key[i];
    vec_put(cpu, in, in->reg, st, 16);
}

void exec_aesenc(struct emu_cpu *cpu, const struct insn *in) { aes(cpu, in, AES_ENC); }
void exec_aesenclast(struct emu_cpu *cpu, const struct insn *in) { aes(cpu, in, AES_ENCLAST); }
void exec_aesdec(struct emu_cpu *cpu, const struct insn *in) { aes(cpu, in, AES_DEC); }
void exec_aesdeclast(struct emu_cpu *cpu, const struct insn *in) { aes(cpu, in, AES_DECLAST); }
void exec_aesimc(struct emu_cpu *cpu, const struct insn *in) { aes(cpu, in, AES_IMC); }

static uint32_t sub_word(uint32_t w)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < 4; i++)
        r |= (uint32_t)sbox[(w >> (8 * i)) & 0xff] << (8 * i);
    return r;
}

void exec_aeskeygenassist(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    pthread_once(&sbox_once, sbox_build);
    uint8_t s[16], r[16];
    xmm_src(cpu, in, s, 16, !in->vex);
    uint32_t rcon = (uint32_t)in->imm & 0xff;
    uint32_t x1 = sub_word(ld32(s + 4)), x3 = sub_word(ld32(s + 12));
    st32(r, x1);
    st32(r + 4, ((x1 >> 8) | (x1 << 24)) ^ rcon);
    st32(r + 8, x3);
    st32(r + 12, ((x3 >> 8) | (x3 << 24)) ^ rcon);
    vec_put(cpu, in, in->reg, r, 16);
}

/* PCLMULQDQ: carry-less product of the quadwords imm[0] (destination) and
 * imm[4] (source). */
void exec_pclmulqdq(struct emu_cpu *cpu, const struct insn *in)
{
    sse_check(cpu, in);
    uint8_t s[16], d[16];
    xmm_src(cpu, in, s, 16, !in->vex);
    memcpy(d, xmm_ptr(cpu, vec_src1(in)), 16);
    uint64_t a = ld64(d + ((in->imm & 1) ? 8 : 0)), b = ld64(s + ((in->imm & 0x10) ? 8 : 0));
    uint64_t lo = 0, hi = 0;
    for (unsigned i = 0; i < 64; i++)
        if ((b >> i) & 1) {
            lo ^= a << i;
            hi ^= i ? a >> (64 - i) : 0;
        }
    st64(d, lo);
    st64(d + 8, hi);
    vec_put(cpu, in, in->reg, d, 16);
}
