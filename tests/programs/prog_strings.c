/* String and memory functions written as plain loops the compiler
 * vectorises at -O2 (counting, copying, comparing, translating bytes),
 * strlen/strchr/strstr-like searches, and SSE4.2 string instructions
 * (PCMPISTRI, PCMPESTRI, PCMPISTRM) where the level has them. */
#include "prog.h"
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

static size_t my_strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void my_memcpy(uint8_t *restrict d, const uint8_t *restrict s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
}

/* Number of differing bytes: a loop without early exit vectorises. */
static size_t diff_count(const uint8_t *a, const uint8_t *b, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += a[i] != b[i];
    return d;
}

static int my_memcmp(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static size_t count_byte(const uint8_t *p, size_t n, uint8_t c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == c;
    return k;
}

static void to_upper(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(p[i] - ((p[i] >= 'a' && p[i] <= 'z') ? 32 : 0));
}

static uint32_t sum_u16(const uint16_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

static const char *my_strstr(const char *h, const char *n)
{
    size_t ln = my_strlen(n);
    for (; *h; h++) {
        size_t i = 0;
        while (i < ln && h[i] == n[i])
            i++;
        if (i == ln)
            return h;
    }
    return 0;
}

#ifdef __SSE4_2__
/* strlen with PCMPISTRI: reads 16-byte blocks (the buffer has slack). */
static size_t sse42_strlen(const char *s)
{
    const __m128i zero = _mm_setzero_si128();
    for (size_t off = 0;; off += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + off));
        int idx = _mm_cmpistri(zero, v, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_EACH);
        if (_mm_cmpistrz(zero, v, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_EACH))
            return off + (size_t)idx;
    }
}

/* First byte of s (length n) in the set of up to 16 characters. */
static size_t sse42_span_set(const char *s, size_t n, const char *set, int nset)
{
    __m128i a = _mm_loadu_si128((const __m128i *)set);
    for (size_t off = 0; off < n; off += 16) {
        int len = n - off < 16 ? (int)(n - off) : 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(s + off));
        int idx = _mm_cmpestri(a, nset, v, len, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY);
        if (idx < len)
            return off + (size_t)idx;
    }
    return n;
}

/* Mask of positions in range 'a'..'z' (PCMPISTRM). */
static uint64_t sse42_lower_masks(const char *s, size_t n)
{
    const __m128i range = _mm_setr_epi8('a', 'z', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    uint64_t h = 0;
    for (size_t off = 0; off + 16 <= n; off += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(s + off));
        __m128i m = _mm_cmpistrm(range, v, _SIDD_UBYTE_OPS | _SIDD_CMP_RANGES | _SIDD_BIT_MASK);
        h = h * 65599 + (uint64_t)_mm_cvtsi128_si32(m);
    }
    return h;
}
#endif

enum { LEN = 6000, SLACK = 32 };
static uint8_t a[LEN + SLACK], b[LEN + SLACK];
static char text[LEN + SLACK];
static uint16_t words[LEN];

size_t prog_main(char *out, size_t cap)
{
    struct pout o = { out, 0, cap };
    uint64_t s = 99;
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz ABC.,;";
    for (size_t i = 0; i < LEN; i++) {
        a[i] = (uint8_t)prng_next(&s);
        text[i] = alphabet[prng_next(&s) % (sizeof alphabet - 1)];
        words[i] = (uint16_t)prng_next(&s);
    }
    text[LEN - 1] = 0;
    uint64_t h = 0;
    for (size_t off = 0; off < 64; off++) {
        size_t n = LEN - 64 - off * 37;
        my_memcpy(b, a + off, n);
        b[n / 2] ^= 1;
        h = h * 31 + diff_count(a + off, b, n);
        h = h * 31 + (uint64_t)(my_memcmp(a + off, b, n) + 2);
        h = h * 31 + count_byte(b + off, n - off, (uint8_t)off);
        h = h * 31 + sum_u16(words + off, LEN - 64);
    }
    out_hex(&o, "mem.hash", h);
    out_hex(&o, "mem.b", fold_bytes(b, LEN));
    uint64_t lens = 0;
    for (size_t off = 0; off < LEN - 1; off += 211)
        lens = lens * 31 + my_strlen(text + off);
    out_hex(&o, "strlen.hash", lens);
    static const char *needles[] = { "abc", "zz", "q.", " A", "xyz", "mno", "B,", ";;" };
    uint64_t found = 0;
    for (size_t i = 0; i < sizeof needles / sizeof needles[0]; i++) {
        const char *p = my_strstr(text, needles[i]);
        found = found * 1000003 + (p ? (uint64_t)(p - text) : 0xffff);
    }
    out_hex(&o, "strstr.hash", found);
    my_memcpy((uint8_t *)text + LEN, (const uint8_t *)"", 1);
    to_upper((uint8_t *)text, LEN - 1);
    out_hex(&o, "upper.hash", fold_bytes(text, LEN));
#ifdef __SSE4_2__
    /* Lower-case again so the range masks have something to find. */
    for (size_t i = 0; i < LEN - 1; i++)
        text[i] = alphabet[prng_next(&s) % (sizeof alphabet - 1)];
    static const char set[16] = ".,;";
    uint64_t agree = 0, spans = 0;
    for (size_t off = 0; off < LEN - 1; off += 97) {
        agree += sse42_strlen(text + off) == my_strlen(text + off);
        spans = spans * 31 + sse42_span_set(text + off, 200, set, 3);
    }
    out_hex(&o, "sse42.strlen_agree", agree);
    out_hex(&o, "sse42.spans", spans);
    out_hex(&o, "sse42.ranges", sse42_lower_masks(text, LEN - 1));
#endif
    return o.len;
}
