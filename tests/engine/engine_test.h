/* Shared by the engine test's files: the harness instance, checks, helpers. */
#ifndef OPENHV_TESTS_ENGINE_TEST_H
#define OPENHV_TESTS_ENGINE_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "emu/engine_internal.h"
#include "engine_harness.h"

extern struct harness H;

/* The first failure of the running case ("" while it passes). */
extern char fail_detail[512];
void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define CHECK(cond, ...)              \
    do {                              \
        if (!(cond)) {                \
            failf(__VA_ARGS__);       \
            return;                   \
        }                             \
    } while (0)

/* Print PASS/FAIL for the case just run (from fail_detail) and count it. */
void report(const char *name);
void report_skip(const char *name, const char *why);
void run_case(const char *name, void (*fn)(void));
#define CASE(fn) run_case(#fn, fn)

static inline struct vmcs_guest *G(void) { return H.cpu.g; }

/* Copy code to `lin`, point RIP at it and run up to max instructions. */
enum h_stop run_code(uint64_t lin, const void *code, unsigned len, uint64_t max);
/* Whether the last run stopped on HLT. */
bool halted(void);
/* Runs `code` followed by HLT at CODE_ADDR (at most 8 instructions):
 * -1 on reaching the HLT, else the exception vector, -2 for another stop. */
int run_to_hlt(const uint8_t *code, unsigned len);
#define RUN_TO_HLT(...) run_to_hlt((const uint8_t[]){ __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ }))

/* Deterministic pseudo-random numbers; rnd_val favours edge values. */
uint64_t rnd(void);
uint64_t rnd_val(void);

/* Guest (and, for 64-bit code, host) addresses used by the tests. */
#define CODE_ADDR (H_HIGH_BASE + 0x1000)
#define DATA_ADDR (H_HIGH_BASE + 0x10000)
#define STACK_ADDR (H_HIGH_BASE + 0x30000)
#define DATA_SIZE 0x400

/* directed_sse.c: long mode with SSE enabled and default FPU/SIMD state. */
void sse_env(void);

/* host_diff.c: instructions run natively and in the engine, compared. */
void run_host_diff(void);
/* The same, recording the Intel reference vectors to `path` (exit status). */
int host_diff_record(const char *path);
/* directed.c: decoding, programs, strings, faults, atomics, SMC. */
void run_directed(void);
/* host_diff_sse.c, directed_sse.c: SSE/SSE2/MMX and the FPU/SIMD state. */
void run_sse(void);
/* Operand generators of the SIMD differential tests (host_diff_sse.c):
 * 16 bytes of the kind's edge values and random bits, and an MXCSR with
 * random rounding, DAZ/FTZ, masks and flags. */
enum op_kind { K_F32, K_F64, K_INT, K_STR, K_X87, K_GPR };
void gen_vec(uint8_t v[16], unsigned kind);
uint32_t gen_mxcsr(void);
uint32_t gen_f32(void);
uint64_t gen_f64(void);
/* The AVX/AVX2/BMI differential and directed tests (host_diff_avx.c). */
void run_avx(void);
void run_sse_directed(void);
/* fsgsbase.c: RDFSBASE and its family. */
void run_fsgsbase(void);

#endif
