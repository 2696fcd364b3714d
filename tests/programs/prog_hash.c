/* Hashing: FNV-1a, SipHash-2-4, an xxhash-like 64-bit hash, CRC-32 by
 * table, and CRC-32C with the SSE4.2 instruction where the level has it
 * (checked against a bitwise CRC-32C). */
#include "prog.h"
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static uint32_t fnv1a32(const uint8_t *p, size_t n)
{
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x01000193u;
    return h;
}

static inline uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

static uint64_t load64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

#define SIPROUND                                                              \
    do {                                                                      \
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);             \
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                \
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                \
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);             \
    } while (0)

static uint64_t siphash24(const uint8_t *p, size_t n, uint64_t k0, uint64_t k1)
{
    uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
    size_t end = n & ~(size_t)7;
    for (size_t i = 0; i < end; i += 8) {
        uint64_t m = load64(p + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)n << 56;
    for (size_t i = 0; i < (n & 7); i++)
        b |= (uint64_t)p[end + i] << (8 * i);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* Four lanes of multiply-rotate, then a final avalanche (xxhash64-like). */
static uint64_t xxlike64(const uint8_t *p, size_t n, uint64_t seed)
{
    const uint64_t P1 = 0x9e3779b185ebca87ull, P2 = 0xc2b2ae3d27d4eb4full, P3 = 0x165667b19e3779f9ull;
    uint64_t acc[4] = { seed + P1 + P2, seed + P2, seed, seed - P1 };
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int l = 0; l < 4; l++)
            acc[l] = rotl(acc[l] + load64(p + i + 8 * l) * P2, 31) * P1;
    uint64_t h = rotl(acc[0], 1) + rotl(acc[1], 7) + rotl(acc[2], 12) + rotl(acc[3], 18) + n;
    for (; i < n; i++)
        h = rotl(h ^ (p[i] * P3), 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    return h ^ (h >> 32);
}

static uint32_t crc_table[256];

static void crc32_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_table(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
    }
    return ~c;
}

#ifdef __SSE4_2__
static uint32_t crc32c_sse42(const uint8_t *p, size_t n)
{
    uint64_t c = 0xffffffffu;
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        c = _mm_crc32_u64(c, load64(p + i));
    uint32_t c32 = (uint32_t)c;
    if (i + 4 <= n) {
        c32 = _mm_crc32_u32(c32, (uint32_t)load64(p + i));   /* reads 8, uses 4 */
        i += 4;
    }
    if (i + 2 <= n) {
        c32 = _mm_crc32_u16(c32, (uint16_t)(p[i] | p[i + 1] << 8));
        i += 2;
    }
    for (; i < n; i++)
        c32 = _mm_crc32_u8(c32, p[i]);
    return ~c32;
}
#endif

enum { LEN = 8192 + 16 };
static uint8_t data[LEN];

size_t prog_main(char *out, size_t cap)
{
    struct pout o = { out, 0, cap };
    uint64_t s = 42;
    for (size_t i = 0; i < LEN; i++)
        data[i] = (uint8_t)prng_next(&s);
    crc32_init();
    static const uint8_t check[] = "123456789";
    out_hex(&o, "crc32.check", crc32_table(check, 9));       /* cbf43926 */
    out_hex(&o, "crc32c.check", crc32c_bitwise(check, 9));   /* e3069283 */
    uint64_t acc_fnv = 0, acc_sip = 0, acc_xx = 0, acc_crc = 0, acc_crcc = 0;
    /* Every length 0..63 at every alignment 0..7, then long buffers. */
    for (size_t len = 0; len < 64; len++)
        for (size_t off = 0; off < 8; off++) {
            const uint8_t *p = data + off * 97 + len;
            acc_fnv = acc_fnv * 31 + fnv1a64(p, len) + fnv1a32(p, len);
            acc_sip = acc_sip * 31 + siphash24(p, len, 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull);
            acc_xx = acc_xx * 31 + xxlike64(p, len, off);
            acc_crc = acc_crc * 31 + crc32_table(p, len);
            acc_crcc = acc_crcc * 31 + crc32c_bitwise(p, len);
        }
    out_hex(&o, "fnv.small", acc_fnv);
    out_hex(&o, "sip.small", acc_sip);
    out_hex(&o, "xx.small", acc_xx);
    out_hex(&o, "crc32.small", acc_crc);
    out_hex(&o, "crc32c.small", acc_crcc);
    out_hex(&o, "fnv.long", fnv1a64(data, LEN));
    out_hex(&o, "sip.long", siphash24(data + 3, LEN - 16, 1, 2));
    out_hex(&o, "xx.long", xxlike64(data + 1, LEN - 16, 7));
    out_hex(&o, "crc32.long", crc32_table(data, LEN));
    uint32_t ref = crc32c_bitwise(data + 5, LEN - 16);
    out_hex(&o, "crc32c.long", ref);
#ifdef __SSE4_2__
    uint64_t acc_hw = 0;
    for (size_t len = 0; len < 64; len++)
        for (size_t off = 0; off < 8; off++) {
            const uint8_t *p = data + off * 97 + len;
            acc_hw = acc_hw * 31 + crc32c_sse42(p, len);
        }
    /* The instruction agrees with the bitwise definition. */
    out_hex(&o, "crc32c.sse42.agrees", acc_hw == acc_crcc && crc32c_sse42(data + 5, LEN - 16) == ref);
#endif
    return o.len;
}
