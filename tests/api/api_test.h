/*
 * Minimal checks for the API and unit tests: one result line per case,
 * "PASS name", "FAIL name: why" or "SKIP name: why"; test_exit() makes the
 * exit status non-zero when any case failed.
 */
#ifndef OPENHV_TESTS_API_TEST_H
#define OPENHV_TESTS_API_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static int test_failures;

static inline void test_result(const char *name, bool ok, const char *why)
{
    if (ok) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: %s\n", name, why);
        test_failures++;
    }
    fflush(stdout);
}

static inline void test_skip(const char *name, const char *why)
{
    printf("SKIP %s: %s\n", name, why);
    fflush(stdout);
}

static inline int test_exit(void)
{
    return test_failures ? 1 : 0;
}

/* A case that holds when `cond` is true. */
#define CHECK(name, cond) test_result((name), (cond), #cond)

/* A case that holds when `expr` (an hv_return_t) equals `want`. */
#define CHECK_RET(name, expr, want)                                                      \
    do {                                                                                 \
        long long got_ = (long long)(int)(expr), want_ = (long long)(int)(want);        \
        char why_[320];                                                                  \
        snprintf(why_, sizeof why_, "%.120s returned %#llx, want %#llx", #expr,              \
                 (unsigned long long)(unsigned)got_, (unsigned long long)(unsigned)want_); \
        test_result((name), got_ == want_, why_);                                        \
    } while (0)

/* A case that holds when two 64-bit values are equal. */
#define CHECK_EQ(name, got, want)                                                        \
    do {                                                                                 \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                            \
        char why_[320];                                                                  \
        snprintf(why_, sizeof why_, "%.120s = %#" PRIx64 ", want %#" PRIx64, #got, g_, w_);   \
        test_result((name), g_ == w_, why_);                                             \
    } while (0)

#endif
