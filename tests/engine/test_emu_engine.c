/*
 * Instruction-engine tests: decoding, flags and semantics, run through the
 * engine with the flat-memory harness (engine_harness.c).  host_diff.c also
 * executes instructions natively on the host and compares every register
 * and flag, so the engine matches real silicon: undefined flags too where
 * the host (or a set of recorded vectors) is Intel; directed.c has the
 * targeted cases.
 */
#include <stdarg.h>

#include "engine_test.h"

struct harness H;
char fail_detail[512];
static int failures, passes, skips;

void failf(const char *fmt, ...)
{
    if (fail_detail[0])
        return; /* keep the first failure */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail_detail, sizeof fail_detail, fmt, ap);
    va_end(ap);
}

void report(const char *name)
{
    if (fail_detail[0]) {
        printf("FAIL %s: %s\n", name, fail_detail);
        failures++;
    } else {
        printf("PASS %s\n", name);
        passes++;
    }
    fail_detail[0] = 0;
}

void report_skip(const char *name, const char *why)
{
    printf("SKIP %s: %s\n", name, why);
    skips++;
}

void run_case(const char *name, void (*fn)(void))
{
    fail_detail[0] = 0;
    fn();
    report(name);
}

enum h_stop run_code(uint64_t lin, const void *code, unsigned len, uint64_t max)
{
    h_load(&H, lin, code, len);
    return h_run(&H, max);
}

bool halted(void) { return H.stop == H_STOP_SYS && H.sys_opcode == 0xf4; }

int run_to_hlt(const uint8_t *code, unsigned len)
{
    uint8_t buf[32];
    if (len >= sizeof buf)
        return -2;
    memcpy(buf, code, len);
    buf[len] = 0xf4;
    run_code(CODE_ADDR, buf, len + 1, 8);
    if (halted())
        return -1;
    return H.stop == H_STOP_EXC ? (int)H.vector : -2;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

uint64_t rnd_val(void)
{
    static const uint64_t special[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
        0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 0x0f, 0x10, 0x99, 0x100, 31, 32, 63, 64,
    };
    switch (rnd() % 4) {
    case 0: return special[rnd() % (sizeof special / sizeof special[0])];
    case 1: return rnd() & 0xff;
    case 2: return rnd() & ((1ull << (rnd() % 64)) - 1);
    default: return rnd();
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!h_init(&H)) {
        report_skip("engine", "cannot map the test memory at its fixed address");
        return 0;
    }
#if defined(__x86_64__)
    if (argc == 3 && !strcmp(argv[1], "--record")) {
        int status = host_diff_record(argv[2]);
        h_fini(&H);
        return status;
    }
    run_host_diff();
#else
    report_skip("host_diff", "not an x86-64 host");
#endif
    run_directed();
    run_sse();
    run_avx();
    run_fsgsbase();
    printf("%d passed, %d failed, %d skipped\n", passes, failures, skips);
    h_fini(&H);
    return failures ? 1 : 0;
}
