/*
 * MSR policy: which MSRs a vCPU holds, which the guest may access natively,
 * and where each value lives.  The MSR table in msr_table.h is the one source
 * of truth for indices, names, native/managed eligibility, read-only and
 * write-only rules, binding groups and VMCS backing.
 */
#ifndef OPENHV_CORE_MSR_H
#define OPENHV_CORE_MSR_H

#include <Hypervisor/hv_error.h>
#include <Hypervisor/hv_types.h>
#include <stdbool.h>
#include <stdint.h>

/* Number of rows in the MSR table (msr_table.h); checked by a static assert. */
#define MSR_TABLE_MAX 192

struct msr_state {
    /* Per table row: enabled natively, bound as managed, guest access granted. */
    uint8_t native[MSR_TABLE_MAX];
    uint8_t managed[MSR_TABLE_MAX];
    uint8_t access[MSR_TABLE_MAX];      /* HV_MSR_READ | HV_MSR_WRITE */
    uint64_t value[MSR_TABLE_MAX];      /* rows without VMCS backing */
};

struct hv_vcpu;

/* The index of `msr` in the table, or -1. */
int msr_row(uint32_t msr);
const char *msr_name(uint32_t msr);     /* NULL when unknown */

/* Configuration through the public API (validation and the 5.1/5.2 rules). */
hv_return_t msr_enable_native(struct hv_vcpu *v, uint32_t msr, bool enable);
hv_return_t msr_enable_managed(struct hv_vcpu *v, uint32_t msr, bool enable);
hv_return_t msr_set_access(struct hv_vcpu *v, uint32_t msr, hv_msr_flags_t flags);

/* Whether a guest RDMSR (write=false) or WRMSR executes without an exit. */
bool msr_guest_native(const struct hv_vcpu *v, uint32_t msr, bool write);

/*
 * The vCPU's value of an MSR it holds (native, managed or VMCS-backed).
 * HV_BAD_ARGUMENT when it does not hold it (value untouched).
 * msr_write: HV_ERROR when the value is architecturally invalid (a
 * non-canonical base, reserved EFER bits); a guest WRMSR then gets #GP.
 */
hv_return_t msr_read(struct hv_vcpu *v, uint32_t msr, uint64_t *value);
hv_return_t msr_write(struct hv_vcpu *v, uint32_t msr, uint64_t value);

/* Guest TSC = host TSC + VMCS TSC offset. */
uint64_t host_tsc(void);

#endif
