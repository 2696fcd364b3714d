/* x87 arithmetic through long double: sums, products, quotients,
 * conversions from and to integers, comparisons and a Newton square root,
 * printed as the 80-bit patterns (the emulator leaves the transcendental
 * instructions out, so nothing here calls them). */
#include "prog.h"

static void out_f80(struct pout *o, const char *label, long double x)
{
    unsigned char b[16] = { 0 };
    __builtin_memcpy(b, &x, 10);
    uint64_t lo, hi = (uint64_t)b[8] | (uint64_t)b[9] << 8;
    __builtin_memcpy(&lo, b, 8);
    out_str(o, label);
    out_hex(o, ".se", hi);
    out_str(o, label);
    out_hex(o, ".m", lo);
}

static long double sqrtl_newton(long double x)
{
    if (x <= 0)
        return 0;
    long double y = x > 1 ? x : 1;
    for (int i = 0; i < 80; i++)
        y = 0.5L * (y + x / y);
    return y;
}

size_t prog_main(char *out, size_t cap)
{
    struct pout o = { out, 0, cap };
    uint64_t s = 2718281828u;
    long double sum = 0, comp = 0, prod = 1, harmonic = 0;
    uint64_t h_conv = 0, h_cmp = 0;
    for (int i = 1; i <= 4000; i++) {
        long double x = (long double)(int64_t)prng_next(&s) / 1e12L;
        /* Kahan summation in extended precision. */
        long double y = x - comp, t = sum + y;
        comp = (t - sum) - y;
        sum = t;
        prod *= 1.0L + x / 1e9L;
        harmonic += 1.0L / i;
        int64_t back = (int64_t)(x * 1000.0L);
        uint64_t ub = (uint64_t)(x < 0 ? -x : x);
        double d = (double)x;
        float f = (float)x;
        h_conv = h_conv * 31 + (uint64_t)back + ub + fold_bytes(&d, 8) + fold_bytes(&f, 4);
        h_cmp = h_cmp * 3 + (x < sum) + 2 * (x == (long double)(int64_t)x);
    }
    out_f80(&o, "sum", sum);
    out_f80(&o, "comp", comp);
    out_f80(&o, "prod", prod);
    out_f80(&o, "harmonic", harmonic);
    out_hex(&o, "conv", h_conv);
    out_hex(&o, "cmp", h_cmp);
    out_f80(&o, "sqrt2", sqrtl_newton(2.0L));
    out_f80(&o, "third", 1.0L / 3.0L);
    long double big = 1e4000L, tiny = 1e-4000L;
    out_f80(&o, "big*tiny", big * tiny);
    out_f80(&o, "big/tiny", big / tiny);   /* overflows to infinity */
    out_f80(&o, "tiny*tiny", tiny * tiny); /* underflows to zero */
    return o.len;
}
