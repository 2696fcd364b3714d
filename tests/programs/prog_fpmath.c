/* Floating-point kernels with libm-style code of our own: polynomial sin,
 * exp and log with range reduction, Newton square roots (checked against
 * SQRTSD), matrix multiply in double and float, and a radix-2 FFT in
 * double and float.  Results are printed as bit patterns. */
#include "prog.h"
#include <emmintrin.h>

static double fabs_(double x) { return x < 0 ? -x : x; }

/* Round to nearest integer, as a double, without libm. */
static double rint_(double x)
{
    const double big = 6755399441055744.0;   /* 1.5 * 2^52 */
    return (x + big) - big;
}

/* sin: reduce by pi/2 (Cody-Waite, two parts), then odd/even polynomials. */
static double sin_(double x)
{
    const double pio2_hi = 1.57079632673412561417e+00, pio2_lo = 6.07710050650619224932e-11;
    double k = rint_(x * 0.63661977236758134308);
    double r = (x - k * pio2_hi) - k * pio2_lo;
    double r2 = r * r;
    double s = r + r * r2 * (-1.66666666666666324348e-01 + r2 * (8.33333333332248946124e-03 +
               r2 * (-1.98412698298579493134e-04 + r2 * (2.75573137070700676789e-06 +
               r2 * (-2.50507602534068634195e-08 + r2 * 1.58969099521155010221e-10)))));
    double c = 1.0 - 0.5 * r2 + r2 * r2 * (4.16666666666666019037e-02 + r2 * (-1.38888888888741095749e-03 +
               r2 * (2.48015872894767294178e-05 + r2 * (-2.75573143513906633035e-07 +
               r2 * (2.08757232129817482790e-09 + r2 * -1.13596475577881948265e-11)))));
    switch ((int64_t)k & 3) {
    case 0: return s;
    case 1: return c;
    case 2: return -s;
    default: return -c;
    }
}

static double ldexp_(double x, int e)
{
    uint64_t bits = (uint64_t)(e + 1023) << 52;
    double scale;
    __builtin_memcpy(&scale, &bits, 8);
    return x * scale;
}

/* exp: x = k ln2 + r, |r| <= ln2/2, Taylor to degree 11. */
static double exp_(double x)
{
    if (x > 700)
        x = 700;
    if (x < -700)
        x = -700;
    double k = rint_(x * 1.44269504088896338700);
    double r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
    double p = 1.0 / 39916800;
    for (int n = 10; n >= 1; n--) {
        double f = 1;
        for (int i = 2; i <= n; i++)
            f *= i;
        p = p * r + 1.0 / f;
    }
    p = p * r + 1.0;
    return ldexp_(p, (int)k);
}

/* log: x = m 2^e with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh((m-1)/(m+1)). */
static double log_(double x)
{
    if (x <= 0)
        return -1.0 / 0.0;
    uint64_t bits;
    __builtin_memcpy(&bits, &x, 8);
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    double m;
    __builtin_memcpy(&m, &bits, 8);
    if (m > 1.41421356237309504880) {
        m *= 0.5;
        e++;
    }
    double s = (m - 1) / (m + 1), s2 = s * s, t = 0;
    for (int n = 21; n >= 1; n -= 2)
        t = t * s2 + 1.0 / n;
    return 2 * s * t + e * 6.93147180559945286227e-01;
}

static double sqrt_newton(double x)
{
    if (x <= 0)
        return 0;
    double y = x > 1 ? x : 1;
    for (int i = 0; i < 60; i++)
        y = 0.5 * (y + x / y);
    return y;
}

static float sqrtf_newton(float x)
{
    if (x <= 0)
        return 0;
    float y = x > 1 ? x : 1;
    for (int i = 0; i < 40; i++)
        y = 0.5f * (y + x / y);
    return y;
}

enum { M = 24, FFT_N = 256 };
static double A[M][M], B[M][M], C[M][M];
static float Af[M][M], Bf[M][M], Cf[M][M];
static double re[FFT_N], im[FFT_N];
static float ref_[FFT_N], imf[FFT_N];
static double tw_re[FFT_N / 2], tw_im[FFT_N / 2];

static void matmul(void)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            double s = 0;
            float sf = 0;
            for (int k = 0; k < M; k++) {
                s += A[i][k] * B[k][j];
                sf += Af[i][k] * Bf[k][j];
            }
            C[i][j] = s;
            Cf[i][j] = sf;
        }
}

static unsigned bitrev(unsigned v, unsigned bits)
{
    unsigned r = 0;
    for (unsigned i = 0; i < bits; i++)
        r |= ((v >> i) & 1) << (bits - 1 - i);
    return r;
}

static void fft(void)
{
    for (unsigned i = 0; i < FFT_N / 2; i++) {
        tw_re[i] = sin_(6.28318530717958647692 * i / FFT_N + 1.57079632679489661923);
        tw_im[i] = -sin_(6.28318530717958647692 * i / FFT_N);
    }
    for (unsigned i = 0; i < FFT_N; i++) {
        unsigned j = bitrev(i, 8);
        if (j > i) {
            double t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
            float tf = ref_[i]; ref_[i] = ref_[j]; ref_[j] = tf;
            tf = imf[i]; imf[i] = imf[j]; imf[j] = tf;
        }
    }
    for (unsigned len = 2; len <= FFT_N; len *= 2) {
        unsigned step = FFT_N / len;
        for (unsigned i = 0; i < FFT_N; i += len)
            for (unsigned k = 0; k < len / 2; k++) {
                double wr = tw_re[k * step], wi = tw_im[k * step];
                unsigned a = i + k, b = i + k + len / 2;
                double xr = re[b] * wr - im[b] * wi, xi = re[b] * wi + im[b] * wr;
                re[b] = re[a] - xr; im[b] = im[a] - xi;
                re[a] += xr; im[a] += xi;
                float wrf = (float)wr, wif = (float)wi;
                float xrf = ref_[b] * wrf - imf[b] * wif, xif = ref_[b] * wif + imf[b] * wrf;
                ref_[b] = ref_[a] - xrf; imf[b] = imf[a] - xif;
                ref_[a] += xrf; imf[a] += xif;
            }
    }
}

size_t prog_main(char *out, size_t cap)
{
    struct pout o = { out, 0, cap };
    uint64_t s = 7;
    double acc_sin = 0, acc_exp = 0, acc_log = 0, worst_sqrt = 0;
    uint64_t h_sin = 0, h_exp = 0, h_log = 0, h_sqrt = 0, sqrt_mismatch = 0;
    for (int i = 0; i < 2000; i++) {
        double x = ((double)(int64_t)prng_next(&s) / 9.2233720368547758e18) * 50.0;
        double sx = sin_(x), ex = exp_(x / 4), lx = log_(fabs_(x) + 1e-3);
        acc_sin += sx;
        acc_exp += ex;
        acc_log += lx;
        h_sin = h_sin * 31 + fold_bytes(&sx, 8);
        h_exp = h_exp * 31 + fold_bytes(&ex, 8);
        h_log = h_log * 31 + fold_bytes(&lx, 8);
        double ax = fabs_(x) * 1e3, q = sqrt_newton(ax);
        double hw = _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(ax)));
        h_sqrt = h_sqrt * 31 + fold_bytes(&q, 8);
        double d = fabs_(q - hw) / (hw > 0 ? hw : 1);
        if (d > worst_sqrt)
            worst_sqrt = d;
        sqrt_mismatch += q != hw;
    }
    out_hex(&o, "sin.hash", h_sin);
    out_f64(&o, "sin.sum", acc_sin);
    out_f64(&o, "sin(1)", sin_(1.0));
    out_hex(&o, "exp.hash", h_exp);
    out_f64(&o, "exp.sum", acc_exp);
    out_f64(&o, "exp(1)", exp_(1.0));
    out_hex(&o, "log.hash", h_log);
    out_f64(&o, "log.sum", acc_log);
    out_f64(&o, "log(10)", log_(10.0));
    out_hex(&o, "sqrt.hash", h_sqrt);
    out_f64(&o, "sqrt.worst_rel", worst_sqrt);
    out_hex(&o, "sqrt.mismatches", sqrt_mismatch);
    out_f32(&o, "sqrtf(2)", sqrtf_newton(2.0f));

    for (int i = 0; i < M; i++)
        for (int j = 0; j < M; j++) {
            A[i][j] = (double)(int64_t)(prng_next(&s) % 2001) / 1000.0 - 1.0;
            B[i][j] = (double)(int64_t)(prng_next(&s) % 2001) / 7.0;
            Af[i][j] = (float)A[i][j];
            Bf[i][j] = (float)B[i][j];
        }
    matmul();
    out_hex(&o, "matmul.f64", fold_bytes(C, sizeof C));
    out_hex(&o, "matmul.f32", fold_bytes(Cf, sizeof Cf));
    out_f64(&o, "matmul.c00", C[0][0]);

    for (unsigned i = 0; i < FFT_N; i++) {
        re[i] = sin_(0.1 * i) + 0.5 * sin_(0.37 * i);
        im[i] = 0;
        ref_[i] = (float)re[i];
        imf[i] = 0;
    }
    fft();
    out_hex(&o, "fft.f64", fold_bytes(re, sizeof re) ^ fold_bytes(im, sizeof im));
    out_hex(&o, "fft.f32", fold_bytes(ref_, sizeof ref_) ^ fold_bytes(imf, sizeof imf));
    out_f64(&o, "fft.re1", re[1]);
    out_f32(&o, "fft.im3", imf[3]);
    return o.len;
}
