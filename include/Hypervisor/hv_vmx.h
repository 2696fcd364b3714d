/*
 * OpenHV - an implementation of the Intel Hypervisor.framework API for Linux.
 *
 * hv_vmx.h: VMX-specific functions - VMCS and shadow-VMCS access, VMX
 * capabilities, MSR information and the APIC-access page.
 *
 * Unlike Apple's header, this one also includes hv.h, so that programs that
 * include only <Hypervisor/hv_vmx.h> see the complete API.
 */

#ifndef __HYPERVISOR_HV_VMX__
#define __HYPERVISOR_HV_VMX__

#include <Hypervisor/hv_base.h>
#include <Hypervisor/hv_error.h>
#include <Hypervisor/hv_types.h>
#include <Hypervisor/hv_arch_x86.h>
#include <Hypervisor/hv_arch_vmx.h>
#include <Hypervisor/hv.h>

__BEGIN_DECLS
OS_ASSUME_NONNULL_BEGIN

#define __HV_10_10 __API_AVAILABLE(macos(10.10))
#define __HV_10_15 __API_AVAILABLE(macos(10.15))
#define __HV_11_0 __API_AVAILABLE(macos(11.0))
#define __HV_12_0 __API_AVAILABLE(macos(12.0))

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

/* Guest VMREAD/VMWRITE permissions of a shadow-VMCS field. */
typedef uint64_t hv_shadow_flags_t;

enum {
	HV_SHADOW_VMCS_NONE = 0,
	HV_SHADOW_VMCS_READ = (1ull << 0),
	HV_SHADOW_VMCS_WRITE = (1ull << 1)
};

/*
 * VMX capabilities reported by hv_vmx_read_capability().  The control
 * capabilities use the layout of the IA32_VMX_*_CTLS MSRs: bits 31:0 are the
 * allowed-0 settings (bits that must be 1), bits 63:32 the allowed-1 settings
 * (bits that may be 1).
 */
typedef enum {
	HV_VMX_CAP_PINBASED = 0,          /* pin-based controls */
	HV_VMX_CAP_PROCBASED = 1,         /* primary processor-based controls */
	HV_VMX_CAP_PROCBASED2 = 2,        /* secondary processor-based controls */
	HV_VMX_CAP_ENTRY = 3,             /* VM-entry controls */
	HV_VMX_CAP_EXIT = 4,              /* VM-exit controls */
	HV_VMX_CAP_BASIC = 5,             /* IA32_VMX_BASIC */
	HV_VMX_CAP_TRUE_PINBASED = 6,     /* IA32_VMX_TRUE_PINBASED_CTLS */
	HV_VMX_CAP_TRUE_PROCBASED = 7,    /* IA32_VMX_TRUE_PROCBASED_CTLS */
	HV_VMX_CAP_TRUE_ENTRY = 8,        /* IA32_VMX_TRUE_ENTRY_CTLS */
	HV_VMX_CAP_TRUE_EXIT = 9,         /* IA32_VMX_TRUE_EXIT_CTLS */
	HV_VMX_CAP_MISC = 10,             /* IA32_VMX_MISC */
	HV_VMX_CAP_CR0_FIXED0 = 11,       /* IA32_VMX_CR0_FIXED0 */
	HV_VMX_CAP_CR0_FIXED1 = 12,       /* IA32_VMX_CR0_FIXED1 */
	HV_VMX_CAP_CR4_FIXED0 = 13,       /* IA32_VMX_CR4_FIXED0 */
	HV_VMX_CAP_CR4_FIXED1 = 14,       /* IA32_VMX_CR4_FIXED1 */
	HV_VMX_CAP_VMCS_ENUM = 15,        /* IA32_VMX_VMCS_ENUM */
	HV_VMX_CAP_EPT_VPID_CAP = 16,     /* IA32_VMX_EPT_VPID_CAP */
	HV_VMX_CAP_PREEMPTION_TIMER = 32  /* VMX-preemption timer frequency */
} hv_vmx_capability_t;

/* Information about the guest MSR configuration (hv_vmx_get_msr_info()). */
typedef uint64_t hv_vmx_msr_info_t;

enum {
	HV_VMX_INFO_MSR_IA32_ARCH_CAPABILITIES = 0,
	HV_VMX_INFO_MSR_IA32_PERF_CAPABILITIES = 1,
	HV_VMX_VALID_MSR_IA32_PERFEVNTSEL = 2,
	HV_VMX_VALID_MSR_IA32_FIXED_CTR_CTRL = 3,
	HV_VMX_VALID_MSR_IA32_PERF_GLOBAL_CTRL = 4,
	HV_VMX_VALID_MSR_IA32_PERF_GLOBAL_STATUS = 5,
	HV_VMX_VALID_MSR_IA32_DEBUGCTL = 6,
	HV_VMX_VALID_MSR_IA32_SPEC_CTRL = 7,
	HV_VMX_NEED_MSR_IA32_SPEC_CTRL = 8
};

/* ------------------------------------------------------------------------ */
/* VMCS access (owning thread)                                              */
/* ------------------------------------------------------------------------ */

/* Reads a VMCS field (VMCS_* encoding) of the vCPU. */
OS_EXPORT hv_return_t hv_vmx_vcpu_read_vmcs(hv_vcpuid_t vcpu, uint32_t field,
	uint64_t *value) __HV_10_10;

/* Writes a VMCS field of the vCPU. */
OS_EXPORT hv_return_t hv_vmx_vcpu_write_vmcs(hv_vcpuid_t vcpu, uint32_t field,
	uint64_t value) __HV_10_10;

/*
 * Returns the write constraints of a VMCS field: a bit may be written as 0
 * if it is 0 in *allowed_0, and as 1 if it is 1 in *allowed_1.
 */
OS_EXPORT hv_return_t hv_vmx_vcpu_get_cap_write_vmcs(hv_vcpuid_t vcpu,
	uint32_t field, uint64_t *allowed_0, uint64_t *allowed_1) __HV_11_0;

/* Reads a field of the vCPU's shadow VMCS. */
OS_EXPORT hv_return_t hv_vmx_vcpu_read_shadow_vmcs(hv_vcpuid_t vcpu,
	uint32_t field, uint64_t *value) __HV_10_15;

/* Writes a field of the vCPU's shadow VMCS. */
OS_EXPORT hv_return_t hv_vmx_vcpu_write_shadow_vmcs(hv_vcpuid_t vcpu,
	uint32_t field, uint64_t value) __HV_10_15;

/* Sets the guest's VMREAD/VMWRITE access (HV_SHADOW_VMCS_*) to a field. */
OS_EXPORT hv_return_t hv_vmx_vcpu_set_shadow_access(hv_vcpuid_t vcpu,
	uint32_t field, hv_shadow_flags_t flags) __HV_10_15;

/* ------------------------------------------------------------------------ */
/* Capabilities                                                             */
/* ------------------------------------------------------------------------ */

/* Returns a VMX capability as permitted by the hypervisor. */
OS_EXPORT hv_return_t hv_vmx_read_capability(hv_vmx_capability_t field,
	uint64_t *value) __HV_10_10;

/* Returns information about the guest MSR configuration. */
OS_EXPORT hv_return_t hv_vmx_get_msr_info(hv_vmx_msr_info_t field,
	uint64_t *value) __HV_11_0;

/* ------------------------------------------------------------------------ */
/* APIC-access page (owning thread)                                         */
/* ------------------------------------------------------------------------ */

/* Sets the guest-physical address (page aligned) of the vCPU's APIC page. */
OS_EXPORT hv_return_t hv_vmx_vcpu_set_apic_address(hv_vcpuid_t vcpu,
	hv_gpaddr_t gpa) __HV_10_10;

/* hv_vmx_vcpu_set_apic_address() for a given address space. */
OS_EXPORT hv_return_t hv_vmx_vcpu_set_apic_address_space(hv_vcpuid_t vcpu,
	hv_vm_space_t asid, hv_gpaddr_t gpa) __HV_12_0;

#undef __HV_10_10
#undef __HV_10_15
#undef __HV_11_0
#undef __HV_12_0

OS_ASSUME_NONNULL_END
__END_DECLS

#endif /* __HYPERVISOR_HV_VMX__ */
