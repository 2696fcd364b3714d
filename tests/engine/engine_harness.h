/*
 * A minimal stand-in for the emulator's machine half, so the instruction
 * engine can be tested on its own: flat memory (no paging, no segment limit
 * checks), exceptions and exits recorded and unwound through cpu->abort.
 *
 * Guest memory has two regions: "low" (the first 1 MiB + 64 KiB, for real
 * mode) and "high", mapped at the same host address as its guest address
 * (H_HIGH_BASE) so that 64-bit code can also run natively for comparison.
 */
#ifndef OPENHV_TESTS_ENGINE_HARNESS_H
#define OPENHV_TESTS_ENGINE_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "emu/emu.h"

#define H_LOW_SIZE 0x110000ull
#define H_HIGH_BASE 0x10000000ull
#define H_HIGH_SIZE 0x200000ull

enum h_stop {
    H_STOP_NONE,     /* ran the requested number of instructions */
    H_STOP_EXC,      /* an exception was raised: h.vector, h.error */
    H_STOP_EXIT,     /* emu_exit_insn */
    H_STOP_SYS,      /* a system instruction reached emu_sys: h.sys_opcode */
};

struct harness {
    struct hv_vm vm;
    struct hv_vcpu vcpu;
    struct emu_cpu cpu;
    uint8_t *low;
    uint8_t *high;
    /* Results of the last h_run. */
    enum h_stop stop;
    unsigned vector;
    bool has_error;
    uint32_t error;
    uint32_t exit_reason;
    uint32_t sys_opcode;
    uint64_t executed;
    /* Fetches at or beyond this linear address fault with #PF (0: none). */
    uint64_t fetch_limit;
    /* Data accesses at or beyond this linear address fault with #PF. */
    uint64_t data_limit;
    /* Count of emu_rmw_ptr calls that returned a pointer. */
    uint64_t rmw_ptr_calls;
};

/* One-time setup (maps the high region); false if it cannot run here. */
bool h_init(struct harness *h);
void h_fini(struct harness *h);

/* Reset registers and put the vCPU in a mode: 16 = real mode, 32 = flat
 * 32-bit protected mode, 64 = long mode with flat segments. */
void h_reset(struct harness *h, int mode);

/* Host pointer of a guest linear address, or NULL. */
uint8_t *h_ptr(struct harness *h, uint64_t lin, uint64_t size);

/* Copy code to `lin` and point RIP (and CS base in real mode) at it. */
void h_load(struct harness *h, uint64_t lin, const void *code, unsigned len);

/* Execute up to max instructions (stops early on HLT, other system
 * instructions, exceptions and exits).  HLT counts as a stop with
 * sys_opcode 0xf4 and RIP on the HLT. */
enum h_stop h_run(struct harness *h, uint64_t max);

#endif
