/*
 * The conformance-test harness: named cases, assertions that print the values
 * in hex, one fresh VM per case, guest blobs from $(BUILD)/guests, and helpers
 * that run a vCPU to its next exit and collect every exit-information field.
 *
 * Only the public Hypervisor.framework API is used, so the same programs run
 * unchanged on every backend (the runner sets OPENHV_BACKEND).
 *
 * Output protocol, one line per case, parsed by tests/run-tests.sh:
 *   PASS <case>
 *   FAIL <case>: <file>:<line>: <what>
 *   SKIP <case>: <reason>
 */
#ifndef OPENHV_TESTS_HARNESS_H
#define OPENHV_TESTS_HARNESS_H

#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../tools/common/guest_mode.h"
#include "../guests/layout.h"

/* Everything a client may read after an exit (client-requirements.md). */
struct h_exit {
    uint64_t reason;        /* VMCS_RO_EXIT_REASON & 0xffff */
    uint64_t raw_reason;    /* with bit 31 (entry failure) */
    uint64_t qual;          /* VMCS_RO_EXIT_QUALIFIC */
    uint64_t instr_len;     /* VMCS_RO_VMEXIT_INSTR_LEN */
    uint64_t gpa;           /* VMCS_GUEST_PHYSICAL_ADDRESS */
    uint64_t gla;           /* VMCS_RO_GUEST_LIN_ADDR */
    uint64_t intr_info, intr_error;   /* VMCS_RO_VMEXIT_IRQ_INFO / _ERROR */
    uint64_t idt_info, idt_error;     /* VMCS_RO_IDT_VECTOR_INFO / _ERROR */
    uint64_t rip, rflags;
};

/* The VM of the current case: one vCPU owned by the main thread, RAM at 0. */
struct h_vm {
    hv_vcpuid_t vcpu;
    uint8_t *ram;           /* host view of GPA [0, GUEST_RAM_SIZE) */
    const char *guest;      /* blob name, e.g. "long64" */
    enum guest_mode mode;
    struct h_exit exit;     /* the last exit */
};

typedef void (*t_case_fn)(struct h_vm *vm);

/* A case: its name, the guest blob and mode it starts in, the guest symbol
 * where it starts (NULL: no guest, only the VM), and the body. */
struct t_case {
    const char *name;
    const char *guest;
    enum guest_mode mode;
    const char *entry;
    t_case_fn fn;
};

/* Define a case body: T_CASE(foo) { ... } defines `static void foo(struct h_vm *vm)`. */
#define T_CASE(fn) static void fn(struct h_vm *vm)
/* An entry of the case table. */
#define T_ENTRY(name, guest, mode, entry) { #name, guest, mode, entry, name }
/* The same body under another name (e.g. the same guest code in another mode). */
#define T_ENTRY_AS(name, fn, guest, mode, entry) { #name, guest, mode, entry, fn }

/* The flags each case's VM is created with (HV_VM_DEFAULT unless a program
 * sets it before t_run_cases, e.g. HV_VM_ACCEL_APIC). */
extern hv_vm_options_t h_vm_flags;

/* Run every case of the table in a fresh VM; returns the process exit status. */
int t_run_cases(const struct t_case *cases, size_t count);

/* Assertions.  T_ASSERT_* end the case at the first failure (main thread
 * only); T_EXPECT_* record a failure and carry on (any thread). */
void t_fail(bool fatal, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void t_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
bool t_failed(void);

#define T_CMP_EQ_(fatal, a, b) do {                                              \
        uint64_t t_a_ = (uint64_t)(a), t_b_ = (uint64_t)(b);                     \
        if (t_a_ != t_b_)                                                        \
            t_fail(fatal, __FILE__, __LINE__, "%s = 0x%llx, expected %s = 0x%llx", \
                   #a, (unsigned long long)t_a_, #b, (unsigned long long)t_b_);   \
    } while (0)
#define T_ASSERT_EQ(a, b) T_CMP_EQ_(true, a, b)
#define T_EXPECT_EQ(a, b) T_CMP_EQ_(false, a, b)
#define T_ASSERT(cond) do { if (!(cond)) t_fail(true, __FILE__, __LINE__, "%s", #cond); } while (0)
#define T_EXPECT(cond) do { if (!(cond)) t_fail(false, __FILE__, __LINE__, "%s", #cond); } while (0)
/* An API call that must succeed. */
#define T_HV(call) do {                                                          \
        hv_return_t t_r_ = (call);                                               \
        if (t_r_ != HV_SUCCESS)                                                  \
            t_fail(true, __FILE__, __LINE__, "%s returned 0x%x", #call, (unsigned)t_r_); \
    } while (0)
#define T_SKIP(...) t_skip(__VA_ARGS__)

/* Guest blobs. */
uint64_t h_sym(struct h_vm *vm, const char *symbol);   /* fatal if absent */
void h_load_guest(struct h_vm *vm, const char *name);  /* copy <name>.bin to GUEST_LOAD */
/* Put the vCPU into `mode` with RIP at `entry` of the loaded blob. */
void h_setup_mode(struct h_vm *vm, enum guest_mode mode, const char *entry);

/* Registers and VMCS fields (fatal on API errors). */
uint64_t h_reg(struct h_vm *vm, hv_x86_reg_t reg);
void h_set_reg(struct h_vm *vm, hv_x86_reg_t reg, uint64_t value);
uint64_t h_vmcs(struct h_vm *vm, uint32_t field);
void h_set_vmcs(struct h_vm *vm, uint32_t field, uint64_t value);
/* Add `bits` to a control field, as far as its capability allows; returns
 * false (changing nothing) if the capability forbids any of them. */
bool h_enable_ctrl(struct h_vm *vm, uint32_t field, hv_vmx_capability_t cap, uint64_t bits);

/* Host pointer to guest-physical `gpa` (fatal if outside RAM). */
void *h_mem(struct h_vm *vm, uint64_t gpa, size_t len);

/* Little-endian loads and stores of guest RAM from the host. */
static inline void h_poke(struct h_vm *vm, uint64_t gpa, uint64_t value, unsigned size)
{
    uint8_t *p = h_mem(vm, gpa, size);
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}
static inline uint64_t h_peek(struct h_vm *vm, uint64_t gpa, unsigned size)
{
    const uint8_t *p = h_mem(vm, gpa, size);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Start over at another symbol of the loaded blob (same mode). */
void h_goto(struct h_vm *vm, const char *symbol);

/* Run once and fill vm->exit; IRQ exits are re-entered unless `keep_irq`.
 * Runs with hv_vcpu_run_until and a deadline of H_RUN_LIMIT_NS, so that a
 * guest that never exits fails its case instead of hanging the program. */
#define H_RUN_LIMIT_NS 5000000000ull
const struct h_exit *h_run_raw(struct h_vm *vm, bool keep_irq);
const struct h_exit *h_run(struct h_vm *vm);
/* Run and assert the exit reason. */
const struct h_exit *h_run_expect_at(struct h_vm *vm, uint64_t reason, const char *file, int line);
#define h_run_expect(vm, reason) h_run_expect_at(vm, reason, __FILE__, __LINE__)
/* Advance RIP by the last exit's instruction length (what a client does). */
/* A thread body for kicks from another thread: sleeps delay_ms, then
 * hv_vcpu_interrupt(vcpu) and keeps its result. */
struct h_kicker { hv_vcpuid_t vcpu; unsigned delay_ms; hv_return_t result; };
void *h_kick_later(void *kicker);

void h_skip_instr(struct h_vm *vm);

/* The kvm backend (alone or with the emulator's help) runs this VM. */
bool h_on_kvm(void);
/* Run to an OUT to PORT_REPORT, assert the reported value (masked to the
 * access size), advance past it. */
void h_expect_report_at(struct h_vm *vm, uint64_t value, const char *file, int line);
#define h_expect_report(vm, value) h_expect_report_at(vm, value, __FILE__, __LINE__)
/* Run to the OUT to PORT_DONE. */
void h_expect_done_at(struct h_vm *vm, const char *file, int line);
#define h_expect_done(vm) h_expect_done_at(vm, __FILE__, __LINE__)
/* Complete an IN the guest is stopped on: put `value` in AL/AX/EAX by the
 * access size of the exit and advance RIP. */
void h_complete_in(struct h_vm *vm, uint64_t value);

/* Exit-information decoding helpers (Intel SDM layouts). */
/* The I/O exit qualification Intel defines for these operands. */
static inline uint64_t h_io_qual(unsigned port, unsigned size, bool in, bool string, bool rep, bool imm)
{
    return ((uint64_t)port << 16) | (imm ? 1u << 6 : 0) | (rep ? 1u << 5 : 0) |
           (string ? 1u << 4 : 0) | (in ? 1u << 3 : 0) | (size - 1);
}

#define IOQ_SIZE(q)    (((q) & 7) + 1)
#define IOQ_IN         (1u << 3)
#define IOQ_STRING     (1u << 4)
#define IOQ_REP        (1u << 5)
#define IOQ_IMM        (1u << 6)
#define IOQ_PORT(q)    (((q) >> 16) & 0xffff)

#define EPTQ_READ      0x1u
#define EPTQ_WRITE     0x2u
#define EPTQ_FETCH     0x4u
#define EPTQ_READABLE  0x8u
#define EPTQ_WRITABLE  0x10u
#define EPTQ_EXECUTABLE 0x20u
#define EPTQ_GLA_VALID 0x80u
#define EPTQ_GLA_XLAT  0x100u

/* CLOCK_MONOTONIC nanoseconds, the unit of hv_vcpu_run_until deadlines. */
uint64_t h_now_ns(void);

#endif
