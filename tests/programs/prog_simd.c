/* Intrinsics by level: SSE2 everywhere; SSSE3, SSE4.1 and POPCNT at v2;
 * AVX, AVX2, FMA, BMI1/2, LZCNT, F16C and MOVBE at v3.  Each section
 * prints its own lines, so a level's output says what it exercised. */
#include "prog.h"
#include <immintrin.h>

enum { N = 1024 };
static int32_t vi[N], wi[N];
static float vf[N], wf[N];
static double vd[N];
static uint8_t bytes[N];

static uint64_t fold128(__m128i v)
{
    uint64_t lo = (uint64_t)_mm_cvtsi128_si64(v);
    uint64_t hi = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
    return lo * 0x9e3779b97f4a7c15ull ^ hi;
}

static void sse2_section(struct pout *o)
{
    __m128i acc = _mm_setzero_si128();
    __m128 accf = _mm_setzero_ps();
    for (int i = 0; i < N; i += 4) {
        __m128i x = _mm_loadu_si128((const __m128i *)&vi[i]);
        __m128i y = _mm_loadu_si128((const __m128i *)&wi[i]);
        acc = _mm_add_epi32(acc, _mm_xor_si128(_mm_madd_epi16(x, y), _mm_srai_epi32(x, 3)));
        acc = _mm_add_epi64(acc, _mm_mul_epu32(x, y));
        accf = _mm_add_ps(accf, _mm_mul_ps(_mm_loadu_ps(&vf[i]), _mm_loadu_ps(&wf[i])));
        accf = _mm_max_ps(accf, _mm_cvtepi32_ps(_mm_srai_epi32(y, 20)));
    }
    out_hex(o, "sse2.int", fold128(acc));
    out_hex(o, "sse2.float", fold128(_mm_castps_si128(accf)));
    __m128i sad = _mm_setzero_si128();
    for (int i = 0; i < N; i += 16)
        sad = _mm_add_epi64(sad, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)&bytes[i]), _mm_set1_epi8(0x40)));
    out_hex(o, "sse2.sad", fold128(sad));
}

#if defined(__SSE4_1__) && defined(__SSSE3__) && defined(__POPCNT__)
static void v2_section(struct pout *o)
{
    __m128i acc = _mm_setzero_si128();
    const __m128i shuf = _mm_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    uint64_t pop = 0;
    for (int i = 0; i < N; i += 4) {
        __m128i x = _mm_loadu_si128((const __m128i *)&vi[i]);
        __m128i y = _mm_loadu_si128((const __m128i *)&wi[i]);
        __m128i m = _mm_mullo_epi32(x, y);
        m = _mm_blendv_epi8(m, _mm_shuffle_epi8(x, shuf), _mm_cmpgt_epi32(x, y));
        m = _mm_max_epi32(m, _mm_abs_epi32(_mm_hadd_epi32(x, y)));
        acc = _mm_add_epi32(acc, _mm_packus_epi32(m, _mm_cvtepi8_epi32(y)));
        acc = _mm_xor_si128(acc, _mm_alignr_epi8(x, y, 5));
        pop += (uint64_t)_mm_popcnt_u64((uint64_t)_mm_extract_epi64(m, 1));
    }
    out_hex(o, "v2.int", fold128(acc));
    out_hex(o, "v2.popcnt", pop);
    __m128d d = _mm_setzero_pd();
    for (int i = 0; i < N; i += 2)
        d = _mm_add_pd(d, _mm_round_pd(_mm_loadu_pd(&vd[i]), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    out_hex(o, "v2.round", fold128(_mm_castpd_si128(d)));
    __m128 dp = _mm_dp_ps(_mm_loadu_ps(vf), _mm_loadu_ps(wf), 0xf1);
    out_f32(o, "v2.dpps", _mm_cvtss_f32(dp));
    out_hex(o, "v2.ptest", (uint64_t)_mm_testz_si128(acc, _mm_set1_epi32(0x10000)));
}
#endif

#if defined(__AVX2__) && defined(__FMA__) && defined(__BMI2__) && defined(__BMI__) && defined(__F16C__) && \
    defined(__LZCNT__)
static uint64_t fold256(__m256i v)
{
    return fold128(_mm256_castsi256_si128(v)) * 31 + fold128(_mm256_extracti128_si256(v, 1));
}

static void v3_section(struct pout *o)
{
    __m256i acc = _mm256_setzero_si256();
    __m256 accf = _mm256_setzero_ps();
    __m256d accd = _mm256_setzero_pd();
    const __m256i idx = _mm256_setr_epi32(7, 3, 5, 1, 6, 2, 4, 0);
    for (int i = 0; i < N; i += 8) {
        __m256i x = _mm256_loadu_si256((const __m256i *)&vi[i]);
        __m256i y = _mm256_loadu_si256((const __m256i *)&wi[i]);
        __m256i m = _mm256_mullo_epi32(x, y);
        m = _mm256_permutevar8x32_epi32(m, idx);
        m = _mm256_blendv_epi8(m, _mm256_sllv_epi32(x, _mm256_and_si256(y, _mm256_set1_epi32(31))),
                               _mm256_cmpgt_epi32(x, y));
        acc = _mm256_add_epi32(acc, _mm256_shuffle_epi8(m, _mm256_set1_epi8(3)));
        acc = _mm256_xor_si256(acc, _mm256_permute4x64_epi64(_mm256_unpacklo_epi32(x, y), 0x4e));
        accf = _mm256_fmadd_ps(_mm256_loadu_ps(&vf[i]), _mm256_loadu_ps(&wf[i]), accf);
        accd = _mm256_fmsub_pd(_mm256_loadu_pd(&vd[i]), _mm256_set1_pd(1.0000001), accd);
    }
    out_hex(o, "avx2.int", fold256(acc));
    out_hex(o, "fma.f32", fold256(_mm256_castps_si256(accf)));
    out_hex(o, "fma.f64", fold256(_mm256_castpd_si256(accd)));
    __m256i gathered = _mm256_i32gather_epi32(vi, _mm256_and_si256(_mm256_loadu_si256((const __m256i *)wi),
                                                                    _mm256_set1_epi32(N - 1)), 4);
    out_hex(o, "avx2.gather", fold256(gathered));
    out_hex(o, "avx2.movemask", (uint32_t)_mm256_movemask_epi8(acc));
    uint64_t b = 0;
    for (int i = 0; i < N; i += 2) {
        uint64_t x = (uint64_t)(uint32_t)vi[i] << 32 | (uint32_t)wi[i];
        b = b * 31 + _pdep_u64(x, 0x0f0f0f0f0f0f0f0full) + _pext_u64(x, 0x3333333333333333ull);
        b = b * 31 + _bzhi_u64(x, i & 63) + _andn_u64(x, b) + _blsr_u64(x) + _tzcnt_u64(x) + _lzcnt_u64(x);
        unsigned long long hi;
        b ^= _mulx_u64(x, b, &hi) + hi;
        b += (uint64_t)__builtin_bswap64(b);
    }
    out_hex(o, "bmi.hash", b);
    __m128i halves = _mm256_cvtps_ph(_mm256_loadu_ps(vf), _MM_FROUND_TO_NEAREST_INT);
    out_hex(o, "f16c.ph", fold128(halves));
    out_hex(o, "f16c.back", fold256(_mm256_castps_si256(_mm256_cvtph_ps(halves))));
}
#endif

size_t prog_main(char *out, size_t cap)
{
    struct pout o = { out, 0, cap };
    uint64_t s = 1234;
    for (int i = 0; i < N; i++) {
        vi[i] = (int32_t)prng_next(&s);
        wi[i] = (int32_t)prng_next(&s);
        vf[i] = (float)(int32_t)prng_next(&s) / 65536.0f;
        wf[i] = (float)(int32_t)prng_next(&s) / 1e9f;
        vd[i] = (double)(int64_t)prng_next(&s) / 1e15;
        bytes[i] = (uint8_t)prng_next(&s);
    }
    sse2_section(&o);
#if defined(__SSE4_1__) && defined(__SSSE3__) && defined(__POPCNT__)
    v2_section(&o);
#endif
#if defined(__AVX2__) && defined(__FMA__) && defined(__BMI2__) && defined(__BMI__) && defined(__F16C__) && \
    defined(__LZCNT__)
    v3_section(&o);
#endif
    return o.len;
}
