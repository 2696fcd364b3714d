/*
 * The VMX capability words hv_vmx_read_capability reports, and the
 * per-field write constraints derived from them.
 *
 * Control words use Intel's IA32_VMX_*_CTLS layout: low 32 bits are the
 * allowed-0 settings (bits that must be 1), high 32 bits the allowed-1
 * settings (bits that may be 1).
 */
#ifndef OPENHV_CORE_CAPS_H
#define OPENHV_CORE_CAPS_H

#include <Hypervisor/hv_error.h>
#include <Hypervisor/hv_vmx.h>
#include <stdint.h>

struct hv_backend;

/* The VMX-preemption timer counts down once per VMX_TIMER_NS_PER_TICK
 * nanoseconds of CLOCK_MONOTONIC (HV_VMX_CAP_PREEMPTION_TIMER, in Hz). */
#define VMX_TIMER_NS_PER_TICK 32u
#define VMX_TIMER_HZ (1000000000u / VMX_TIMER_NS_PER_TICK)

/* CR0 bits that make a VMCS_GUEST_CR0 write fail (hvf-api.md 4.1). */
#define CR0_CD (1ull << 30)
#define CR0_NW (1ull << 29)

/*
 * The capability word `cap` after the backend's filter (backend may be
 * NULL: the unfiltered word).  HV_BAD_ARGUMENT for an unknown capability.
 */
hv_return_t vmx_capability(const struct hv_backend *backend, hv_vmx_capability_t cap,
                           uint64_t *value);

/* Low and high halves of a control capability word. */
static inline uint32_t cap_allowed0(uint64_t word) { return (uint32_t)word; }
static inline uint32_t cap_allowed1(uint64_t word) { return (uint32_t)(word >> 32); }

#endif
