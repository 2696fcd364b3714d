/* Sorting: a qsort-style generic sort (comparator through a pointer, byte
 * swaps of any element size) and a merge sort, on integers, doubles and
 * records. */
#include "prog.h"

typedef int (*cmp_fn)(const void *, const void *);

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
    while (size--) {
        unsigned char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

/* Quicksort, median of three, insertion sort below 12 elements. */
static void gsort(void *base, size_t n, size_t size, cmp_fn cmp)
{
    unsigned char *a = base;
    while (n > 12) {
        unsigned char *lo = a, *mid = a + (n / 2) * size, *hi = a + (n - 1) * size;
        if (cmp(mid, lo) < 0)
            swap_bytes(mid, lo, size);
        if (cmp(hi, mid) < 0) {
            swap_bytes(hi, mid, size);
            if (cmp(mid, lo) < 0)
                swap_bytes(mid, lo, size);
        }
        swap_bytes(mid, a, size);   /* pivot at a[0] */
        size_t i = 1, j = n - 1;
        for (;;) {
            while (i <= j && cmp(a + i * size, a) < 0)
                i++;
            while (j >= i && cmp(a + j * size, a) > 0)
                j--;
            if (i >= j)
                break;
            swap_bytes(a + i * size, a + j * size, size);
            i++;
            j--;
        }
        swap_bytes(a, a + j * size, size);
        /* Recurse into the smaller side, loop on the larger. */
        if (j < n - j - 1) {
            gsort(a, j, size, cmp);
            a += (j + 1) * size;
            n -= j + 1;
        } else {
            gsort(a + (j + 1) * size, n - j - 1, size, cmp);
            n = j;
        }
    }
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && cmp(a + (k - 1) * size, a + k * size) > 0; k--)
            swap_bytes(a + (k - 1) * size, a + k * size, size);
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static int cmp_f64(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

struct rec {
    uint16_t key;
    uint8_t pad;
    uint32_t seq;
    char name[5];
};

static int cmp_rec(const void *x, const void *y)
{
    const struct rec *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static void merge_sort(uint64_t *v, uint64_t *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = v[j] < v[i] ? v[j++] : v[i++];
            while (i < mid)
                tmp[k++] = v[i++];
            while (j < hi)
                tmp[k++] = v[j++];
        }
        for (size_t i = 0; i < n; i++)
            v[i] = tmp[i];
    }
}

enum { N = 3000 };
static uint32_t u32s[N];
static double f64s[N];
static struct rec recs[N / 2];
static uint64_t u64s[N], tmp64[N];

static uint64_t inversions_u32(void)
{
    uint64_t bad = 0;
    for (size_t i = 1; i < N; i++)
        bad += u32s[i - 1] > u32s[i];
    return bad;
}

size_t prog_main(char *out, size_t cap)
{
    struct pout o = { out, 0, cap };
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < N; i++) {
        u32s[i] = (uint32_t)prng_next(&s) % 1000u;   /* many duplicates */
        f64s[i] = (double)(int64_t)prng_next(&s) / 1e9;
        u64s[i] = prng_next(&s);
    }
    for (size_t i = 0; i < N / 2; i++) {
        recs[i].key = (uint16_t)(prng_next(&s) % 50);
        recs[i].pad = 0;
        recs[i].seq = (uint32_t)i;
        for (int c = 0; c < 4; c++)
            recs[i].name[c] = (char)('a' + prng_next(&s) % 26);
        recs[i].name[4] = 0;
    }
    gsort(u32s, N, sizeof u32s[0], cmp_u32);
    out_hex(&o, "u32.inversions", inversions_u32());
    out_hex(&o, "u32.hash", fold_bytes(u32s, sizeof u32s));
    out_hex(&o, "u32.median", u32s[N / 2]);
    gsort(f64s, N, sizeof f64s[0], cmp_f64);
    out_hex(&o, "f64.hash", fold_bytes(f64s, sizeof f64s));
    out_f64(&o, "f64.min", f64s[0]);
    out_f64(&o, "f64.max", f64s[N - 1]);
    gsort(recs, N / 2, sizeof recs[0], cmp_rec);
    out_hex(&o, "rec.hash", fold_bytes(recs, sizeof recs));
    merge_sort(u64s, tmp64, N);
    uint64_t bad = 0;
    for (size_t i = 1; i < N; i++)
        bad += u64s[i - 1] > u64s[i];
    out_hex(&o, "merge.inversions", bad);
    out_hex(&o, "merge.hash", fold_bytes(u64s, sizeof u64s));
    return o.len;
}
