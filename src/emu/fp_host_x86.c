/*
 * fp_host.h on an x86-64 host: each operation is the host instruction of
 * the same name, run between an LDMXCSR of the guest's control bits (every
 * exception masked, flags clear) and a restore of the host's MXCSR, in one
 * asm statement so the compiler cannot move other floating-point code
 * into that window.
 */
#include "fp_host.h"

/* Otherwise fp_host_soft.c defines the entry points. */
#if !FP_HOST_SOFT_ONLY

struct v128 {
    uint8_t b[16];
};

/* Guest control bits, all exceptions masked, no flags pending. */
static inline uint32_t host_mxcsr(uint32_t guest) { return (guest & ~0x3fu) | 0x1f80u; }

#define FPH_FN2(name, mn)                                                                     \
    static uint32_t fph_##name(unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t m) \
    {                                                                                         \
        (void)imm;                                                                            \
        uint32_t save;                                                                        \
        __asm__ __volatile__("stmxcsr %[save]\n\t"                                            \
                             "ldmxcsr %[m]\n\t"                                               \
                             "movdqu %[d], %%xmm0\n\t"                                        \
                             "movdqu %[s], %%xmm1\n\t" #mn " %%xmm1, %%xmm0\n\t"              \
                             "movdqu %%xmm0, %[d]\n\t"                                        \
                             "stmxcsr %[m]\n\t"                                               \
                             "ldmxcsr %[save]"                                                \
                             : [d] "+m"(*(struct v128 *)d), [m] "+m"(m), [save] "=m"(save)    \
                             : [s] "m"(*(const struct v128 *)s)                               \
                             : "xmm0", "xmm1");                                               \
        return m & 0x3f;                                                                      \
    }
FPH_ARITH(FPH_FN2)

#define FPH_TOINT_FN(name, mn, bits)                                                          \
    static uint32_t fph_##name(unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t m) \
    {                                                                                         \
        (void)imm;                                                                            \
        uint32_t save;                                                                        \
        uint64_t r = 0;                                                                       \
        __asm__ __volatile__("stmxcsr %[save]\n\t"                                            \
                             "ldmxcsr %[m]\n\t"                                               \
                             "movdqu %[s], %%xmm1\n\t" #mn " %%xmm1, %" FPH_REG##bits "[r]\n\t" \
                             "stmxcsr %[m]\n\t"                                               \
                             "ldmxcsr %[save]"                                                \
                             : [r] "+r"(r), [m] "+m"(m), [save] "=m"(save)                    \
                             : [s] "m"(*(const struct v128 *)s)                               \
                             : "xmm1");                                                       \
        for (unsigned i = 0; i < 8; i++)                                                      \
            d[i] = (uint8_t)(r >> (8 * i));                                                   \
        return m & 0x3f;                                                                      \
    }
#define FPH_REG32 "k"
#define FPH_REG64 "q"
FPH_TOINT(FPH_TOINT_FN)

#define FPH_FROMINT_FN(name, mn, bits)                                                        \
    static uint32_t fph_##name(unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t m) \
    {                                                                                         \
        (void)imm;                                                                            \
        uint32_t save;                                                                        \
        uint64_t v = 0;                                                                       \
        for (unsigned i = 0; i < 8; i++)                                                      \
            v |= (uint64_t)s[i] << (8 * i);                                                   \
        __asm__ __volatile__("stmxcsr %[save]\n\t"                                            \
                             "ldmxcsr %[m]\n\t"                                               \
                             "movdqu %[d], %%xmm0\n\t" #mn " %" FPH_REG##bits "[v], %%xmm0\n\t" \
                             "movdqu %%xmm0, %[d]\n\t"                                        \
                             "stmxcsr %[m]\n\t"                                               \
                             "ldmxcsr %[save]"                                                \
                             : [d] "+m"(*(struct v128 *)d), [m] "+m"(m), [save] "=m"(save)    \
                             : [v] "r"(v)                                                     \
                             : "xmm0");                                                       \
        return m & 0x3f;                                                                      \
    }
FPH_FROMINT(FPH_FROMINT_FN)

#define FPH_COMI_FN(name, mn)                                                                 \
    static uint32_t fph_##name(unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t m) \
    {                                                                                         \
        (void)imm;                                                                            \
        uint32_t save;                                                                        \
        uint8_t zf, pf, cf;                                                                   \
        struct v128 a;                                                                        \
        for (unsigned i = 0; i < 16; i++)                                                     \
            a.b[i] = d[i];                                                                    \
        __asm__ __volatile__("stmxcsr %[save]\n\t"                                            \
                             "ldmxcsr %[m]\n\t"                                               \
                             "movdqu %[a], %%xmm0\n\t"                                        \
                             "movdqu %[s], %%xmm1\n\t" #mn " %%xmm1, %%xmm0\n\t"              \
                             "setz %[zf]\n\t"                                                 \
                             "setp %[pf]\n\t"                                                 \
                             "setc %[cf]\n\t"                                                 \
                             "stmxcsr %[m]\n\t"                                               \
                             "ldmxcsr %[save]"                                                \
                             : [zf] "=q"(zf), [pf] "=q"(pf), [cf] "=q"(cf), [m] "+m"(m),      \
                               [save] "=m"(save)                                              \
                             : [a] "m"(a), [s] "m"(*(const struct v128 *)s)                   \
                             : "xmm0", "xmm1", "cc");                                         \
        uint64_t fl = (uint64_t)cf | (uint64_t)pf << 2 | (uint64_t)zf << 6;                   \
        for (unsigned i = 0; i < 8; i++)                                                      \
            d[i] = (uint8_t)(fl >> (8 * i));                                                  \
        return m & 0x3f;                                                                      \
    }
FPH_COMI(FPH_COMI_FN)

/* The predicate is an immediate of the instruction: one function each. */
#define FPH_CMP_ONE(name, mn, p)                                                              \
    static uint32_t fph_##name##_##p(uint8_t d[16], const uint8_t s[16], uint32_t m)          \
    {                                                                                         \
        uint32_t save;                                                                        \
        __asm__ __volatile__("stmxcsr %[save]\n\t"                                            \
                             "ldmxcsr %[m]\n\t"                                               \
                             "movdqu %[d], %%xmm0\n\t"                                        \
                             "movdqu %[s], %%xmm1\n\t" #mn " $" #p ", %%xmm1, %%xmm0\n\t"     \
                             "movdqu %%xmm0, %[d]\n\t"                                        \
                             "stmxcsr %[m]\n\t"                                               \
                             "ldmxcsr %[save]"                                                \
                             : [d] "+m"(*(struct v128 *)d), [m] "+m"(m), [save] "=m"(save)    \
                             : [s] "m"(*(const struct v128 *)s)                               \
                             : "xmm0", "xmm1");                                               \
        return m & 0x3f;                                                                      \
    }
#define FPH_CMP_FN(name, mn)                                                                  \
    FPH_CMP_ONE(name, mn, 0) FPH_CMP_ONE(name, mn, 1) FPH_CMP_ONE(name, mn, 2)                \
    FPH_CMP_ONE(name, mn, 3) FPH_CMP_ONE(name, mn, 4) FPH_CMP_ONE(name, mn, 5)                \
    FPH_CMP_ONE(name, mn, 6) FPH_CMP_ONE(name, mn, 7)                                         \
    static uint32_t fph_##name(unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t m) \
    {                                                                                         \
        static uint32_t (*const f[8])(uint8_t *, const uint8_t *, uint32_t) = {               \
            fph_##name##_0, fph_##name##_1, fph_##name##_2, fph_##name##_3,                   \
            fph_##name##_4, fph_##name##_5, fph_##name##_6, fph_##name##_7,                   \
        };                                                                                    \
        return f[imm & 7](d, s, m);                                                           \
    }
FPH_CMP(FPH_CMP_FN)

#define FPH_ROUND_FN(name, mn)                                                                \
    FPH_CMP_ONE(name, mn, 0) FPH_CMP_ONE(name, mn, 1) FPH_CMP_ONE(name, mn, 2)                \
    FPH_CMP_ONE(name, mn, 3) FPH_CMP_ONE(name, mn, 4) FPH_CMP_ONE(name, mn, 5)                \
    FPH_CMP_ONE(name, mn, 6) FPH_CMP_ONE(name, mn, 7) FPH_CMP_ONE(name, mn, 8)                \
    FPH_CMP_ONE(name, mn, 9) FPH_CMP_ONE(name, mn, 10) FPH_CMP_ONE(name, mn, 11)              \
    FPH_CMP_ONE(name, mn, 12) FPH_CMP_ONE(name, mn, 13) FPH_CMP_ONE(name, mn, 14)             \
    FPH_CMP_ONE(name, mn, 15)                                                                 \
    static uint32_t fph_##name(unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t m) \
    {                                                                                         \
        static uint32_t (*const f[16])(uint8_t *, const uint8_t *, uint32_t) = {              \
            fph_##name##_0, fph_##name##_1, fph_##name##_2, fph_##name##_3,                   \
            fph_##name##_4, fph_##name##_5, fph_##name##_6, fph_##name##_7,                   \
            fph_##name##_8, fph_##name##_9, fph_##name##_10, fph_##name##_11,                 \
            fph_##name##_12, fph_##name##_13, fph_##name##_14, fph_##name##_15,               \
        };                                                                                    \
        return f[imm & 15](d, s, m);                                                          \
    }
FPH_ROUND(FPH_ROUND_FN)

typedef uint32_t (*fph_fn)(unsigned, uint8_t *, const uint8_t *, uint32_t);
#define FPH_PTR2(name, mn) [FPH_##name] = fph_##name,
#define FPH_PTR3(name, mn, bits) [FPH_##name] = fph_##name,
static const fph_fn fph_table[FPH_COUNT] = {
    FPH_ARITH(FPH_PTR2) FPH_TOINT(FPH_PTR3) FPH_FROMINT(FPH_PTR3) FPH_COMI(FPH_PTR2) FPH_CMP(FPH_PTR2) FPH_ROUND(FPH_PTR2)
};

uint32_t fp_host_op(enum fph_op op, unsigned imm, uint8_t d[16], const uint8_t s[16], uint32_t mxcsr)
{
    if ((unsigned)op >= FPH_COUNT)
        return 0;
    return fph_table[op](imm, d, s, host_mxcsr(mxcsr));
}

/* FMA: xmm0 = d, xmm1 = s2, xmm2 = s3, then the instruction on them. */
#define FPH_FMA_ONE(mn)                                                                       \
    static uint32_t fph_##mn(uint8_t d[16], const uint8_t s2[16], const uint8_t s3[16], uint32_t m) \
    {                                                                                         \
        uint32_t save;                                                                        \
        __asm__ __volatile__("stmxcsr %[save]\n\t"                                            \
                             "ldmxcsr %[m]\n\t"                                               \
                             "vmovdqu %[d], %%xmm0\n\t"                                       \
                             "vmovdqu %[b], %%xmm1\n\t"                                       \
                             "vmovdqu %[c], %%xmm2\n\t" #mn " %%xmm2, %%xmm1, %%xmm0\n\t"    \
                             "vmovdqu %%xmm0, %[d]\n\t"                                       \
                             "stmxcsr %[m]\n\t"                                               \
                             "ldmxcsr %[save]"                                                \
                             : [d] "+m"(*(struct v128 *)d), [m] "+m"(m), [save] "=m"(save)    \
                             : [b] "m"(*(const struct v128 *)s2), [c] "m"(*(const struct v128 *)s3) \
                             : "xmm0", "xmm1", "xmm2");                                       \
        return m & 0x3f;                                                                      \
    }
#define FPH_FMA_ORDER(X, o)                                                                   \
    X(vfmaddsub##o##ps) X(vfmaddsub##o##pd) X(vfmsubadd##o##ps) X(vfmsubadd##o##pd)           \
    X(vfmadd##o##ps) X(vfmadd##o##pd) X(vfmadd##o##ss) X(vfmadd##o##sd)                       \
    X(vfmsub##o##ps) X(vfmsub##o##pd) X(vfmsub##o##ss) X(vfmsub##o##sd)                       \
    X(vfnmadd##o##ps) X(vfnmadd##o##pd) X(vfnmadd##o##ss) X(vfnmadd##o##sd)                   \
    X(vfnmsub##o##ps) X(vfnmsub##o##pd) X(vfnmsub##o##ss) X(vfnmsub##o##sd)
#define FPH_FMA_ALL(X) FPH_FMA_ORDER(X, 132) FPH_FMA_ORDER(X, 213) FPH_FMA_ORDER(X, 231)
FPH_FMA_ALL(FPH_FMA_ONE)

typedef uint32_t (*fph_fma_fn)(uint8_t *, const uint8_t *, const uint8_t *, uint32_t);
#define FPH_FMA_PTR(mn) fph_##mn,
static const fph_fma_fn fph_fma_table[FPH_FMA_COUNT] = { FPH_FMA_ALL(FPH_FMA_PTR) };

uint32_t fp_host_fma(unsigned op, uint8_t d[16], const uint8_t s2[16], const uint8_t s3[16], uint32_t mxcsr)
{
    if (op >= FPH_FMA_COUNT)
        return 0;
    if (!(fp_host_native() & FPH_NATIVE_FMA))
        return fp_soft_fma(op, d, s2, s3, mxcsr);
    return fph_fma_table[op](d, s2, s3, host_mxcsr(mxcsr));
}

uint32_t fp_host_cvtph2ps(uint8_t d[16], const uint8_t s[16], uint32_t m)
{
    if (!(fp_host_native() & FPH_NATIVE_F16C))
        return fp_soft_cvtph2ps(d, s, m);
    uint32_t save;
    m = host_mxcsr(m);
    __asm__ __volatile__("stmxcsr %[save]\n\t"
                         "ldmxcsr %[m]\n\t"
                         "vmovdqu %[s], %%xmm1\n\t"
                         "vcvtph2ps %%xmm1, %%xmm0\n\t"
                         "vmovdqu %%xmm0, %[d]\n\t"
                         "stmxcsr %[m]\n\t"
                         "ldmxcsr %[save]"
                         : [d] "=m"(*(struct v128 *)d), [m] "+m"(m), [save] "=m"(save)
                         : [s] "m"(*(const struct v128 *)s)
                         : "xmm0", "xmm1");
    return m & 0x3f;
}

#define FPH_PS2PH_ONE(r)                                                                      \
    static uint32_t fph_ps2ph_##r(uint8_t d[16], const uint8_t s[16], uint32_t m)             \
    {                                                                                         \
        uint32_t save;                                                                        \
        __asm__ __volatile__("stmxcsr %[save]\n\t"                                            \
                             "ldmxcsr %[m]\n\t"                                               \
                             "vmovdqu %[s], %%xmm1\n\t"                                       \
                             "vcvtps2ph $" #r ", %%xmm1, %%xmm0\n\t"                          \
                             "vmovdqu %%xmm0, %[d]\n\t"                                       \
                             "stmxcsr %[m]\n\t"                                               \
                             "ldmxcsr %[save]"                                                \
                             : [d] "=m"(*(struct v128 *)d), [m] "+m"(m), [save] "=m"(save)    \
                             : [s] "m"(*(const struct v128 *)s)                               \
                             : "xmm0", "xmm1");                                               \
        return m & 0x3f;                                                                      \
    }
FPH_PS2PH_ONE(0) FPH_PS2PH_ONE(1) FPH_PS2PH_ONE(2) FPH_PS2PH_ONE(3) FPH_PS2PH_ONE(4)

uint32_t fp_host_cvtps2ph(uint8_t d[16], const uint8_t s[16], unsigned imm, uint32_t mxcsr)
{
    static uint32_t (*const f[5])(uint8_t *, const uint8_t *, uint32_t) = {
        fph_ps2ph_0, fph_ps2ph_1, fph_ps2ph_2, fph_ps2ph_3, fph_ps2ph_4,
    };
    if (!(fp_host_native() & FPH_NATIVE_F16C))
        return fp_soft_cvtps2ph(d, s, imm, mxcsr);
    /* Bits 7:3 of the immediate are ignored; with bit 2, MXCSR.RC rounds. */
    return f[(imm & 4) ? 4 : imm & 3](d, s, host_mxcsr(mxcsr));
}

#include <cpuid.h>

static bool host_leaf1_ecx(unsigned bit)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return false;
    /* AVX state must be enabled by the host OS too (OSXSAVE). */
    return (c & (1u << bit)) && (c & (1u << 27)) && (c & (1u << 28));
}

/* Probed once: CPUID does not change under a running process. */
unsigned fp_host_native(void)
{
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        v = FPH_NATIVE_SSE | (host_leaf1_ecx(12) ? FPH_NATIVE_FMA : 0) | (host_leaf1_ecx(29) ? FPH_NATIVE_F16C : 0);
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return (unsigned)v;
}

#endif
