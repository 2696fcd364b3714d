/*
 * Client access to VMCS fields (hv_vmx_vcpu_read/write_vmcs and
 * hv_vmx_vcpu_get_cap_write_vmcs), driven by the table in vmcs_fields.h.
 */
#ifndef OPENHV_CORE_VMCS_H
#define OPENHV_CORE_VMCS_H

#include <Hypervisor/hv_error.h>
#include <stdbool.h>
#include <stdint.h>

struct hv_vcpu;

enum vmcs_access { VA_HIDDEN, VA_RW, VA_RW_COND, VA_RO };

/* What a VA_RW_COND write is checked against. */
enum vmcs_cond {
    VC_NONE, VC_PIN, VC_CPU, VC_CPU2, VC_ENTRY, VC_EXIT, VC_CR0, VC_ACTIVITY, VC_CR3_COUNT,
};

/* Width in bits (16, 32 or 64) from encoding bits 14:13; natural width is 64. */
unsigned vmcs_field_width(uint32_t field);

/* Whether `field` is in the table, and its access class (VA_HIDDEN if unknown). */
bool vmcs_field_known(uint32_t field);
enum vmcs_access vmcs_field_access(uint32_t field);

/* HV_BAD_ARGUMENT for unknown and hidden fields (value untouched). */
hv_return_t vmcs_read(const struct hv_vcpu *v, uint32_t field, uint64_t *value);

/*
 * HV_BAD_ARGUMENT for unknown, hidden and read-only fields, and for values
 * outside the field's write constraints; nothing changes then.  The value
 * is truncated to the field's width first.  A primary-controls write that
 * sets none of CR8-load, CR8-store and TPR-shadow succeeds without effect
 * (the CR8 quirk of real Hypervisor.framework).
 */
hv_return_t vmcs_write(struct hv_vcpu *v, uint32_t field, uint64_t value);

/* The write constraints of hvf-api.md 3.9: a bit may be 0 where allowed_0
 * has 0, and 1 where allowed_1 has 1. */
hv_return_t vmcs_get_cap_write(const struct hv_vcpu *v, uint32_t field, uint64_t *allowed_0,
                               uint64_t *allowed_1);

#endif
