/*
 * OpenHV header test (C): every exported x86 function, every constant and
 * every type of the public API must be declared with Apple's name, type and
 * value.  A missing or misspelt name, a wrong value or a wrong prototype
 * makes this file fail to compile; taking the address of every function
 * makes it fail to link against an incomplete library.
 *
 * Compile checks (each must pass with no diagnostics):
 *
 *   gcc   -std=c17 -Wall -Wextra -Werror -pedantic -Iinclude -c tests/headers/use_all.c
 *   clang -std=c17 -Wall -Wextra -Werror -pedantic -Iinclude -c tests/headers/use_all.c
 *   clang -std=c17 -Werror -Weverything \
 *         -Wno-padded -Wno-reserved-id-macro -Wno-reserved-identifier \
 *         -Wno-declaration-after-statement -Wno-unsafe-buffer-usage \
 *         -Wno-unknown-warning-option -Iinclude -c tests/headers/use_all.c
 *
 * Warnings disabled for -Weverything, and why:
 *   -Wno-padded                    hv_*_state_ext_t keep Apple's padding after
 *                                  'version' (the state is 8-byte aligned).
 *   -Wno-reserved-id-macro,        Apple's own names are reserved identifiers:
 *   -Wno-reserved-identifier       __HYPERVISOR_HV__, __HV_10_10,
 *                                  __VMCS_HOST_RSP, __BEGIN_DECLS, ...
 *   -Wno-declaration-after-statement, -Wno-unsafe-buffer-usage
 *                                  style warnings of newer clang releases.
 *   -Wno-unknown-warning-option    older clang lacks some of the above.
 *   (C++ additionally: -Wno-c++98-compat -Wno-c++98-compat-pedantic.)
 */

#include <Hypervisor/Hypervisor.h>

/* Each header is self-contained and may be included again in any order. */
#include <Hypervisor/hv_vm_allocate.h>
#include <Hypervisor/hv_intr.h>
#include <Hypervisor/hv_arch_vmx.h>
#include <Hypervisor/hv_arch_x86.h>
#include <Hypervisor/hv_vmx.h>
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_types.h>
#include <Hypervisor/hv_error.h>
#include <Hypervisor/hv_base.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Include guards (Apple's names)                                           */
/* ------------------------------------------------------------------------ */

#if !defined(__HYPERVISOR_HV__) || !defined(__HYPERVISOR_HV_VMX__) ||       \
    !defined(__HYPERVISOR_HV_ARCH_VMX__) ||                                 \
    !defined(__HYPERVISOR_HV_ARCH_X86__) ||                                 \
    !defined(__HYPERVISOR_HV_TYPES__) || !defined(__HYPERVISOR_HV_INTR__) || \
    !defined(__HYPERVISOR_HV_RETURN__)
#error "missing include guard"
#endif

/* ------------------------------------------------------------------------ */
/* Linux replacements of Apple-only names                                   */
/* ------------------------------------------------------------------------ */

#if !defined(__BEGIN_DECLS) || !defined(__END_DECLS) ||                     \
    !defined(OS_ASSUME_NONNULL_BEGIN) || !defined(OS_ASSUME_NONNULL_END) || \
    !defined(__API_AVAILABLE) || !defined(API_AVAILABLE) ||                 \
    !defined(__API_DEPRECATED) || !defined(OS_ENUM) ||                      \
    !defined(OS_EXPORT) || !defined(err_local) || !defined(err_sub) ||      \
    !defined(MACH_PORT_NULL) || !defined(HV_API_AVAILABLE_X86_64) ||        \
    !defined(HV_API_AVAILABLE_ARM64)
#error "missing Apple compatibility macro"
#endif

/* The per-header availability helpers do not leak. */
#if defined(__HV_10_10) || defined(__HV_10_15) || defined(__HV_11_0) || \
    defined(__HV_12_0)
#error "__HV_x_y helpers must be #undef'd at the end of each header"
#endif

_Static_assert(err_local == (int)0xf8000000u, "err_local");
_Static_assert(err_sub(0xba5) == 0x02e94000, "err_sub");
_Static_assert(MACH_PORT_NULL == 0, "MACH_PORT_NULL");

/* A client can use OS_ENUM and the availability macros itself. */
OS_ENUM(use_all_test, uint16_t,
	USE_ALL_TEST_A = 1,
	USE_ALL_TEST_B = 2
);
_Static_assert(sizeof(use_all_test_t) == 2, "OS_ENUM type");
_Static_assert(USE_ALL_TEST_B == 2, "OS_ENUM value");
static int availability_annotated(void) API_AVAILABLE(macos(10.10));
static int availability_annotated(void) { return USE_ALL_TEST_A; }

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

#define IS_TYPE(expr, T) _Generic((expr), T: 1, default: 0)

_Static_assert(IS_TYPE((kern_return_t)0, int), "kern_return_t");
_Static_assert(IS_TYPE((mach_error_t)0, int), "mach_error_t");
_Static_assert(IS_TYPE((hv_return_t)0, int), "hv_return_t");
_Static_assert(IS_TYPE((mach_port_t)0, unsigned int), "mach_port_t");
_Static_assert(IS_TYPE((hv_vcpuid_t)0, unsigned), "hv_vcpuid_t");
_Static_assert(IS_TYPE((hv_uvaddr_t)0, const void *), "hv_uvaddr_t");
_Static_assert(IS_TYPE((hv_gpaddr_t)0, uint64_t), "hv_gpaddr_t");
_Static_assert(IS_TYPE((hv_vm_space_t)0, unsigned), "hv_vm_space_t");
_Static_assert(IS_TYPE((hv_capability_t)0, uint64_t), "hv_capability_t");
_Static_assert(IS_TYPE((hv_vm_options_t)0, uint64_t), "hv_vm_options_t");
_Static_assert(IS_TYPE((hv_vcpu_options_t)0, uint64_t), "hv_vcpu_options_t");
_Static_assert(IS_TYPE((hv_memory_flags_t)0, uint64_t), "hv_memory_flags_t");
_Static_assert(IS_TYPE((hv_msr_flags_t)0, uint32_t), "hv_msr_flags_t");
_Static_assert(IS_TYPE((hv_ion_flags_t)0, uint32_t), "hv_ion_flags_t");
_Static_assert(IS_TYPE((hv_shadow_flags_t)0, uint64_t), "hv_shadow_flags_t");
_Static_assert(IS_TYPE((hv_vmx_msr_info_t)0, uint64_t), "hv_vmx_msr_info_t");
_Static_assert(IS_TYPE((hv_allocate_flags_t)0, uint64_t), "hv_allocate_flags_t");
_Static_assert(IS_TYPE((hv_vm_exitinfo_t)0, uint32_t), "hv_vm_exitinfo_t");
_Static_assert(IS_TYPE((hv_apic_ctrl_t)0, uint64_t), "hv_apic_ctrl_t");
_Static_assert(IS_TYPE((hv_apic_lvt_flavor_t)0, uint32_t), "hv_apic_lvt_flavor_t");
_Static_assert(IS_TYPE((hv_apic_intr_trigger_t)0, uint32_t), "hv_apic_intr_trigger_t");
_Static_assert(sizeof(hv_x86_reg_t) == 4, "hv_x86_reg_t is int-sized");
_Static_assert(sizeof(hv_vmx_capability_t) == 4, "hv_vmx_capability_t is int-sized");
_Static_assert(sizeof(enum hv_boot_state) == 4, "enum hv_boot_state is 32-bit");

/* Mach message framing and the port-IO notifier message (56 bytes). */
_Static_assert(sizeof(mach_msg_header_t) == 24, "mach_msg_header_t");
_Static_assert(offsetof(mach_msg_header_t, msgh_bits) == 0, "msgh_bits");
_Static_assert(offsetof(mach_msg_header_t, msgh_size) == 4, "msgh_size");
_Static_assert(offsetof(mach_msg_header_t, msgh_remote_port) == 8, "msgh_remote_port");
_Static_assert(offsetof(mach_msg_header_t, msgh_local_port) == 12, "msgh_local_port");
_Static_assert(offsetof(mach_msg_header_t, msgh_voucher_port) == 16, "msgh_voucher_port");
_Static_assert(offsetof(mach_msg_header_t, msgh_id) == 20, "msgh_id");
_Static_assert(IS_TYPE(((mach_msg_header_t *)0)->msgh_id, int32_t), "msgh_id type");
_Static_assert(IS_TYPE(((mach_msg_header_t *)0)->msgh_bits, uint32_t), "msgh_bits type");
_Static_assert(sizeof(mach_msg_trailer_t) == 8, "mach_msg_trailer_t");
_Static_assert(offsetof(mach_msg_trailer_t, msgh_trailer_type) == 0, "trailer type");
_Static_assert(offsetof(mach_msg_trailer_t, msgh_trailer_size) == 4, "trailer size");
_Static_assert(sizeof(hv_ion_message_t) == 56, "hv_ion_message_t");
_Static_assert(offsetof(hv_ion_message_t, header) == 0, "header");
_Static_assert(offsetof(hv_ion_message_t, addr) == 24, "addr");
_Static_assert(offsetof(hv_ion_message_t, size) == 32, "size");
_Static_assert(offsetof(hv_ion_message_t, value) == 40, "value");
_Static_assert(offsetof(hv_ion_message_t, trailer) == 48, "trailer");

/* Interrupt-controller state (field order as in Apple's hv_intr.h). */
_Static_assert(offsetof(struct hv_apic_state, apic_gpa) == 0, "apic_gpa");
_Static_assert(offsetof(struct hv_apic_state, apic_controls) == 8, "apic_controls");
_Static_assert(offsetof(struct hv_apic_state, tsc_deadline) == 16, "tsc_deadline");
_Static_assert(offsetof(struct hv_apic_state, apic_id) == 24, "apic_id");
_Static_assert(offsetof(struct hv_apic_state, ver) == 28, "ver");
_Static_assert(offsetof(struct hv_apic_state, tpr) == 32, "tpr");
_Static_assert(offsetof(struct hv_apic_state, apr) == 36, "apr");
_Static_assert(offsetof(struct hv_apic_state, ldr) == 40, "ldr");
_Static_assert(offsetof(struct hv_apic_state, dfr) == 44, "dfr");
_Static_assert(offsetof(struct hv_apic_state, svr) == 48, "svr");
_Static_assert(offsetof(struct hv_apic_state, isr) == 52, "isr");
_Static_assert(offsetof(struct hv_apic_state, tmr) == 84, "tmr");
_Static_assert(offsetof(struct hv_apic_state, irr) == 116, "irr");
_Static_assert(offsetof(struct hv_apic_state, esr) == 148, "esr");
_Static_assert(offsetof(struct hv_apic_state, lvt) == 152, "lvt");
_Static_assert(offsetof(struct hv_apic_state, icr) == 180, "icr");
_Static_assert(offsetof(struct hv_apic_state, icr_timer) == 188, "icr_timer");
_Static_assert(offsetof(struct hv_apic_state, dcr_timer) == 192, "dcr_timer");
_Static_assert(offsetof(struct hv_apic_state, ccr_timer) == 196, "ccr_timer");
_Static_assert(offsetof(struct hv_apic_state, esr_pending) == 200, "esr_pending");
_Static_assert(offsetof(struct hv_apic_state, boot_state) == 204, "boot_state");
_Static_assert(offsetof(struct hv_apic_state, aeoi) == 208, "aeoi");
_Static_assert(sizeof(struct hv_apic_state) == 240, "struct hv_apic_state");
_Static_assert(offsetof(hv_apic_state_ext_t, version) == 0, "apic version");
_Static_assert(offsetof(hv_apic_state_ext_t, state) == 8, "apic state");
_Static_assert(sizeof(hv_apic_state_ext_t) == 248, "hv_apic_state_ext_t");

_Static_assert(sizeof(struct hv_atpic_state) == 16, "struct hv_atpic_state");
_Static_assert(offsetof(struct hv_atpic_state, ready) == 0, "ready");
_Static_assert(offsetof(struct hv_atpic_state, icw_num) == 1, "icw_num");
_Static_assert(offsetof(struct hv_atpic_state, rd_cmd_reg) == 2, "rd_cmd_reg");
_Static_assert(offsetof(struct hv_atpic_state, aeoi) == 3, "aeoi");
_Static_assert(offsetof(struct hv_atpic_state, poll) == 4, "poll");
_Static_assert(offsetof(struct hv_atpic_state, rotate) == 5, "rotate");
_Static_assert(offsetof(struct hv_atpic_state, sfn) == 6, "sfn");
_Static_assert(offsetof(struct hv_atpic_state, irq_base) == 7, "irq_base");
_Static_assert(offsetof(struct hv_atpic_state, request) == 8, "request");
_Static_assert(offsetof(struct hv_atpic_state, service) == 9, "service");
_Static_assert(offsetof(struct hv_atpic_state, mask) == 10, "mask");
_Static_assert(offsetof(struct hv_atpic_state, smm) == 11, "smm");
_Static_assert(offsetof(struct hv_atpic_state, last_request) == 12, "last_request");
_Static_assert(offsetof(struct hv_atpic_state, lowprio) == 13, "lowprio");
_Static_assert(offsetof(struct hv_atpic_state, intr_raised) == 14, "intr_raised");
_Static_assert(offsetof(struct hv_atpic_state, elc) == 15, "elc");
_Static_assert(offsetof(hv_atpic_state_ext_t, state) == 4, "atpic state");
_Static_assert(sizeof(hv_atpic_state_ext_t) == 20, "hv_atpic_state_ext_t");

_Static_assert(offsetof(struct hv_ioapic_state, rtbl) == 0, "rtbl");
_Static_assert(offsetof(struct hv_ioapic_state, irr) == 256, "irr");
_Static_assert(offsetof(struct hv_ioapic_state, ioa_id) == 260, "ioa_id");
_Static_assert(offsetof(struct hv_ioapic_state, ioregsel) == 264, "ioregsel");
_Static_assert(sizeof(struct hv_ioapic_state) == 272, "struct hv_ioapic_state");
_Static_assert(offsetof(hv_ioapic_state_ext_t, state) == 8, "ioapic state");
_Static_assert(sizeof(hv_ioapic_state_ext_t) == 280, "hv_ioapic_state_ext_t");

/* ------------------------------------------------------------------------ */
/* Constants: names and values                                              */
/* ------------------------------------------------------------------------ */

/*
 * Names that programs may #define themselves after including the headers
 * must not be macros in our headers; the few that Apple defines as macros
 * must be macros.
 */
#if defined(HV_ERROR) || defined(HV_SUCCESS) || defined(HV_BUSY) || defined(HV_BAD_ARGUMENT)
#error "HV_ERROR..: must be enumeration constants, not macros"
#endif
#if defined(HV_NO_RESOURCES) || defined(HV_NO_DEVICE) || defined(HV_DENIED) || defined(HV_FAULT)
#error "HV_NO_RESOURCES..: must be enumeration constants, not macros"
#endif
#if defined(HV_UNSUPPORTED) || defined(kHV_ION_NONE) || defined(kHV_ION_ANY_VALUE) || defined(kHV_ION_ANY_SIZE)
#error "HV_UNSUPPORTED..: must be enumeration constants, not macros"
#endif
#if defined(kHV_ION_EXIT_FULL) || defined(HV_VM_SPACE_DEFAULT) || defined(HV_CAP_VCPUMAX) || defined(HV_CAP_ADDRSPACEMAX)
#error "kHV_ION_EXIT_FULL..: must be enumeration constants, not macros"
#endif
#if defined(HV_VM_DEFAULT) || defined(HV_VM_SPECIFY_MITIGATIONS) || defined(HV_VM_MITIGATION_A_ENABLE) || defined(HV_VM_MITIGATION_B_ENABLE)
#error "HV_VM_DEFAULT..: must be enumeration constants, not macros"
#endif
#if defined(HV_VM_MITIGATION_C_ENABLE) || defined(HV_VM_MITIGATION_D_ENABLE) || defined(HV_VM_MITIGATION_E_ENABLE) || defined(HV_VM_ACCEL_APIC)
#error "HV_VM_MITIGATION_C_ENABLE..: must be enumeration constants, not macros"
#endif
#if defined(HV_VCPU_DEFAULT) || defined(HV_VCPU_ACCEL_RDPMC) || defined(HV_VCPU_TSC_RELATIVE) || defined(HV_MEMORY_READ)
#error "HV_VCPU_DEFAULT..: must be enumeration constants, not macros"
#endif
#if defined(HV_MEMORY_WRITE) || defined(HV_MEMORY_EXEC) || defined(HV_MEMORY_UEXEC) || defined(HV_MEMORY_MAXPROT)
#error "HV_MEMORY_WRITE..: must be enumeration constants, not macros"
#endif
#if defined(HV_MEMORY_MAXPROT_READ) || defined(HV_MEMORY_MAXPROT_WRITE) || defined(HV_MEMORY_MAXPROT_EXEC) || defined(HV_MEMORY_MAXPROT_UEXEC)
#error "HV_MEMORY_MAXPROT_READ..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_NONE) || defined(HV_MSR_READ) || defined(HV_MSR_WRITE) || defined(HV_ION_NONE)
#error "HV_MSR_NONE..: must be enumeration constants, not macros"
#endif
#if defined(HV_ION_ANY_VALUE) || defined(HV_ION_ANY_SIZE) || defined(HV_ION_EXIT_FULL) || defined(HV_DEADLINE_FOREVER)
#error "HV_ION_ANY_VALUE..: must be enumeration constants, not macros"
#endif
#if defined(HV_VM_EXITINFO_VMX) || defined(HV_VM_EXITINFO_INIT_AP) || defined(HV_VM_EXITINFO_STARTUP_AP) || defined(HV_VM_EXITINFO_IOAPIC_EOI)
#error "HV_VM_EXITINFO_VMX..: must be enumeration constants, not macros"
#endif
#if defined(HV_VM_EXITINFO_INJECT_EXCP) || defined(HV_VM_EXITINFO_SMI) || defined(HV_VM_EXITINFO_APIC_ACCESS_READ) || defined(HV_ALLOCATE_DEFAULT)
#error "HV_VM_EXITINFO_INJECT_EXCP..: must be enumeration constants, not macros"
#endif
#if defined(HV_APIC_CTRL_DEFAULT) || defined(HV_APIC_CTRL_EOI_ICR_TPR) || defined(HV_APIC_CTRL_GUEST_IDLE) || defined(HV_APIC_CTRL_NO_TIMER)
#error "HV_APIC_CTRL_DEFAULT..: must be enumeration constants, not macros"
#endif
#if defined(HV_APIC_CTRL_IOAPIC_EOI) || defined(HV_APIC_LVT_FLAVOR_TIMER) || defined(HV_APIC_EDGE_TRIGGER) || defined(HV_APIC_EDGE_TRIGGER_AEOI)
#error "HV_APIC_CTRL_IOAPIC_EOI..: must be enumeration constants, not macros"
#endif
#if defined(HV_APIC_LEVEL_TRIGGER) || defined(HV_BS_INIT) || defined(HV_BS_SIPI) || defined(HV_BS_RUNNING)
#error "HV_APIC_LEVEL_TRIGGER..: must be enumeration constants, not macros"
#endif
#if defined(HV_SHADOW_VMCS_NONE) || defined(HV_SHADOW_VMCS_READ) || defined(HV_SHADOW_VMCS_WRITE) || defined(HV_VMX_CAP_PINBASED)
#error "HV_SHADOW_VMCS_NONE..: must be enumeration constants, not macros"
#endif
#if defined(HV_VMX_CAP_PROCBASED) || defined(HV_VMX_CAP_PROCBASED2) || defined(HV_VMX_CAP_ENTRY) || defined(HV_VMX_CAP_EXIT)
#error "HV_VMX_CAP_PROCBASED..: must be enumeration constants, not macros"
#endif
#if defined(HV_VMX_CAP_BASIC) || defined(HV_VMX_CAP_TRUE_PINBASED) || defined(HV_VMX_CAP_TRUE_PROCBASED) || defined(HV_VMX_CAP_TRUE_ENTRY)
#error "HV_VMX_CAP_BASIC..: must be enumeration constants, not macros"
#endif
#if defined(HV_VMX_CAP_TRUE_EXIT) || defined(HV_VMX_CAP_MISC) || defined(HV_VMX_CAP_CR0_FIXED0) || defined(HV_VMX_CAP_CR0_FIXED1)
#error "HV_VMX_CAP_TRUE_EXIT..: must be enumeration constants, not macros"
#endif
#if defined(HV_VMX_CAP_CR4_FIXED0) || defined(HV_VMX_CAP_CR4_FIXED1) || defined(HV_VMX_CAP_VMCS_ENUM) || defined(HV_VMX_CAP_EPT_VPID_CAP)
#error "HV_VMX_CAP_CR4_FIXED0..: must be enumeration constants, not macros"
#endif
#if defined(HV_VMX_CAP_PREEMPTION_TIMER) || defined(HV_VMX_INFO_MSR_IA32_ARCH_CAPABILITIES) || defined(HV_VMX_INFO_MSR_IA32_PERF_CAPABILITIES) || defined(HV_VMX_VALID_MSR_IA32_PERFEVNTSEL)
#error "HV_VMX_CAP_PREEMPTION_TIMER..: must be enumeration constants, not macros"
#endif
#if defined(HV_VMX_VALID_MSR_IA32_FIXED_CTR_CTRL) || defined(HV_VMX_VALID_MSR_IA32_PERF_GLOBAL_CTRL) || defined(HV_VMX_VALID_MSR_IA32_PERF_GLOBAL_STATUS) || defined(HV_VMX_VALID_MSR_IA32_DEBUGCTL)
#error "HV_VMX_VALID_MSR_IA32_FIXED_CTR_CTRL..: must be enumeration constants, not macros"
#endif
#if defined(HV_VMX_VALID_MSR_IA32_SPEC_CTRL) || defined(HV_VMX_NEED_MSR_IA32_SPEC_CTRL) || defined(HV_X86_REGISTERS_MAX) || defined(HV_X86_RIP)
#error "HV_VMX_VALID_MSR_IA32_SPEC_CTRL..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_RFLAGS) || defined(HV_X86_RAX) || defined(HV_X86_RCX) || defined(HV_X86_RDX)
#error "HV_X86_RFLAGS..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_RBX) || defined(HV_X86_RSI) || defined(HV_X86_RDI) || defined(HV_X86_RSP)
#error "HV_X86_RBX..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_RBP) || defined(HV_X86_R8) || defined(HV_X86_R9) || defined(HV_X86_R10)
#error "HV_X86_RBP..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_R11) || defined(HV_X86_R12) || defined(HV_X86_R13) || defined(HV_X86_R14)
#error "HV_X86_R11..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_R15) || defined(HV_X86_CS) || defined(HV_X86_SS) || defined(HV_X86_DS)
#error "HV_X86_R15..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_ES) || defined(HV_X86_FS) || defined(HV_X86_GS) || defined(HV_X86_IDT_BASE)
#error "HV_X86_ES..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_IDT_LIMIT) || defined(HV_X86_GDT_BASE) || defined(HV_X86_GDT_LIMIT) || defined(HV_X86_LDTR)
#error "HV_X86_IDT_LIMIT..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_LDT_BASE) || defined(HV_X86_LDT_LIMIT) || defined(HV_X86_LDT_AR) || defined(HV_X86_TR)
#error "HV_X86_LDT_BASE..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_TSS_BASE) || defined(HV_X86_TSS_LIMIT) || defined(HV_X86_TSS_AR) || defined(HV_X86_CR0)
#error "HV_X86_TSS_BASE..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_CR1) || defined(HV_X86_CR2) || defined(HV_X86_CR3) || defined(HV_X86_CR4)
#error "HV_X86_CR1..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_DR0) || defined(HV_X86_DR1) || defined(HV_X86_DR2) || defined(HV_X86_DR3)
#error "HV_X86_DR0..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_DR4) || defined(HV_X86_DR5) || defined(HV_X86_DR6) || defined(HV_X86_DR7)
#error "HV_X86_DR4..: must be enumeration constants, not macros"
#endif
#if defined(HV_X86_TPR) || defined(HV_X86_XCR0) || defined(VMCS_VPID) || defined(VMCS_CTRL_POSTED_INT_N_VECTOR)
#error "HV_X86_TPR..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_EPTP_INDEX) || defined(VMCS_GUEST_ES) || defined(VMCS_GUEST_CS) || defined(VMCS_GUEST_SS)
#error "VMCS_CTRL_EPTP_INDEX..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_DS) || defined(VMCS_GUEST_FS) || defined(VMCS_GUEST_GS) || defined(VMCS_GUEST_LDTR)
#error "VMCS_GUEST_DS..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_TR) || defined(VMCS_GUEST_INT_STATUS) || defined(VMCS_GUESTPML_INDEX) || defined(VMCS_HOST_ES)
#error "VMCS_GUEST_TR..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_HOST_CS) || defined(VMCS_HOST_SS) || defined(VMCS_HOST_DS) || defined(VMCS_HOST_FS)
#error "VMCS_HOST_CS..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_HOST_GS) || defined(VMCS_HOST_TR) || defined(VMCS_CTRL_IO_BITMAP_A) || defined(VMCS_CTRL_IO_BITMAP_B)
#error "VMCS_HOST_GS..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_MSR_BITMAPS) || defined(VMCS_CTRL_VMEXIT_MSR_STORE_ADDR) || defined(VMCS_CTRL_VMEXIT_MSR_LOAD_ADDR) || defined(VMCS_CTRL_VMENTRY_MSR_LOAD_ADDR)
#error "VMCS_CTRL_MSR_BITMAPS..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_EXECUTIVE_VMCS_PTR) || defined(VMCS_CTRL_PML_ADDR) || defined(VMCS_CTRL_TSC_OFFSET) || defined(VMCS_CTRL_VIRTUAL_APIC)
#error "VMCS_CTRL_EXECUTIVE_VMCS_PTR..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_APIC_ACCESS) || defined(VMCS_CTRL_POSTED_INT_DESC_ADDR) || defined(VMCS_CTRL_VMFUNC_CTRL) || defined(VMCS_CTRL_EPTP)
#error "VMCS_CTRL_APIC_ACCESS..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_EOI_EXIT_BITMAP_0) || defined(VMCS_CTRL_EOI_EXIT_BITMAP_1) || defined(VMCS_CTRL_EOI_EXIT_BITMAP_2) || defined(VMCS_CTRL_EOI_EXIT_BITMAP_3)
#error "VMCS_CTRL_EOI_EXIT_BITMAP_0..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_EPTP_LIST_ADDR) || defined(VMCS_CTRL_VMREAD_BITMAP_ADDR) || defined(VMCS_CTRL_VMWRITE_BITMAP_ADDR) || defined(VMCS_CTRL_VIRT_EXC_INFO_ADDR)
#error "VMCS_CTRL_EPTP_LIST_ADDR..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_XSS_EXITING_BITMAP) || defined(VMCS_CTRL_ENCLS_EXITING_BITMAP) || defined(VMCS_CTRL_SPP_TABLE) || defined(VMCS_CTRL_TSC_MULTIPLIER)
#error "VMCS_CTRL_XSS_EXITING_BITMAP..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_ENCLV_EXITING_BITMAP) || defined(VMCS_GUEST_PHYSICAL_ADDRESS) || defined(VMCS_GUEST_LINK_POINTER) || defined(VMCS_GUEST_IA32_DEBUGCTL)
#error "VMCS_CTRL_ENCLV_EXITING_BITMAP..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_IA32_PAT) || defined(VMCS_GUEST_IA32_EFER) || defined(VMCS_GUEST_IA32_PERF_GLOBAL_CTRL) || defined(VMCS_GUEST_PDPTE0)
#error "VMCS_GUEST_IA32_PAT..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_PDPTE1) || defined(VMCS_GUEST_PDPTE2) || defined(VMCS_GUEST_PDPTE3) || defined(VMCS_GUEST_IA32_BNDCFGS)
#error "VMCS_GUEST_PDPTE1..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_IA32_RTIT_CTL) || defined(VMCS_GUEST_IA32_PKRS) || defined(VMCS_HOST_IA32_PAT) || defined(VMCS_HOST_IA32_EFER)
#error "VMCS_GUEST_IA32_RTIT_CTL..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_HOST_IA32_PERF_GLOBAL_CTRL) || defined(VMCS_HOST_IA32_PKRS) || defined(VMCS_CTRL_PIN_BASED) || defined(VMCS_CTRL_CPU_BASED)
#error "VMCS_HOST_IA32_PERF_GLOBAL_CTRL..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_EXC_BITMAP) || defined(VMCS_CTRL_PF_ERROR_MASK) || defined(VMCS_CTRL_PF_ERROR_MATCH) || defined(VMCS_CTRL_CR3_COUNT)
#error "VMCS_CTRL_EXC_BITMAP..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_VMEXIT_CONTROLS) || defined(VMCS_CTRL_VMEXIT_MSR_STORE_COUNT) || defined(VMCS_CTRL_VMEXIT_MSR_LOAD_COUNT) || defined(VMCS_CTRL_VMENTRY_CONTROLS)
#error "VMCS_CTRL_VMEXIT_CONTROLS..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_VMENTRY_MSR_LOAD_COUNT) || defined(VMCS_CTRL_VMENTRY_IRQ_INFO) || defined(VMCS_CTRL_VMENTRY_EXC_ERROR) || defined(VMCS_CTRL_VMENTRY_INSTR_LEN)
#error "VMCS_CTRL_VMENTRY_MSR_LOAD_COUNT..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_TPR_THRESHOLD) || defined(VMCS_CTRL_CPU_BASED2) || defined(VMCS_CTRL_PLE_GAP) || defined(VMCS_CTRL_PLE_WINDOW)
#error "VMCS_CTRL_TPR_THRESHOLD..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_RO_INSTR_ERROR) || defined(VMCS_RO_EXIT_REASON) || defined(VMCS_RO_VMEXIT_IRQ_INFO) || defined(VMCS_RO_VMEXIT_IRQ_ERROR)
#error "VMCS_RO_INSTR_ERROR..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_RO_IDT_VECTOR_INFO) || defined(VMCS_RO_IDT_VECTOR_ERROR) || defined(VMCS_RO_VMEXIT_INSTR_LEN) || defined(VMCS_RO_VMX_INSTR_INFO)
#error "VMCS_RO_IDT_VECTOR_INFO..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_ES_LIMIT) || defined(VMCS_GUEST_CS_LIMIT) || defined(VMCS_GUEST_SS_LIMIT) || defined(VMCS_GUEST_DS_LIMIT)
#error "VMCS_GUEST_ES_LIMIT..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_FS_LIMIT) || defined(VMCS_GUEST_GS_LIMIT) || defined(VMCS_GUEST_LDTR_LIMIT) || defined(VMCS_GUEST_TR_LIMIT)
#error "VMCS_GUEST_FS_LIMIT..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_GDTR_LIMIT) || defined(VMCS_GUEST_IDTR_LIMIT) || defined(VMCS_GUEST_ES_AR) || defined(VMCS_GUEST_CS_AR)
#error "VMCS_GUEST_GDTR_LIMIT..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_SS_AR) || defined(VMCS_GUEST_DS_AR) || defined(VMCS_GUEST_FS_AR) || defined(VMCS_GUEST_GS_AR)
#error "VMCS_GUEST_SS_AR..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_LDTR_AR) || defined(VMCS_GUEST_TR_AR) || defined(VMCS_GUEST_INTERRUPTIBILITY) || defined(VMCS_GUEST_IGNORE_IRQ)
#error "VMCS_GUEST_LDTR_AR..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_ACTIVITY_STATE) || defined(VMCS_GUEST_SMBASE) || defined(VMCS_GUEST_IA32_SYSENTER_CS) || defined(VMCS_GUEST_VMX_TIMER_VALUE)
#error "VMCS_GUEST_ACTIVITY_STATE..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_HOST_IA32_SYSENTER_CS) || defined(VMCS_CTRL_CR0_MASK) || defined(VMCS_CTRL_CR4_MASK) || defined(VMCS_CTRL_CR0_SHADOW)
#error "VMCS_HOST_IA32_SYSENTER_CS..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_CR4_SHADOW) || defined(VMCS_CTRL_CR3_VALUE0) || defined(VMCS_CTRL_CR3_VALUE1) || defined(VMCS_CTRL_CR3_VALUE2)
#error "VMCS_CTRL_CR4_SHADOW..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_CTRL_CR3_VALUE3) || defined(VMCS_RO_EXIT_QUALIFIC) || defined(VMCS_RO_IO_RCX) || defined(VMCS_RO_IO_RSI)
#error "VMCS_CTRL_CR3_VALUE3..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_RO_IO_RDI) || defined(VMCS_RO_IO_RIP) || defined(VMCS_RO_GUEST_LIN_ADDR) || defined(VMCS_GUEST_CR0)
#error "VMCS_RO_IO_RDI..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_CR3) || defined(VMCS_GUEST_CR4) || defined(VMCS_GUEST_ES_BASE) || defined(VMCS_GUEST_CS_BASE)
#error "VMCS_GUEST_CR3..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_SS_BASE) || defined(VMCS_GUEST_DS_BASE) || defined(VMCS_GUEST_FS_BASE) || defined(VMCS_GUEST_GS_BASE)
#error "VMCS_GUEST_SS_BASE..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_LDTR_BASE) || defined(VMCS_GUEST_TR_BASE) || defined(VMCS_GUEST_GDTR_BASE) || defined(VMCS_GUEST_IDTR_BASE)
#error "VMCS_GUEST_LDTR_BASE..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_DR7) || defined(VMCS_GUEST_RSP) || defined(VMCS_GUEST_RIP) || defined(VMCS_GUEST_RFLAGS)
#error "VMCS_GUEST_DR7..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_DEBUG_EXC) || defined(VMCS_GUEST_SYSENTER_ESP) || defined(VMCS_GUEST_SYSENTER_EIP) || defined(VMCS_GUEST_IA32_S_CET)
#error "VMCS_GUEST_DEBUG_EXC..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_GUEST_SSP) || defined(VMCS_GUEST_IA32_INTR_SSP_TABLE_ADDR) || defined(VMCS_HOST_CR0) || defined(VMCS_HOST_CR3)
#error "VMCS_GUEST_SSP..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_HOST_CR4) || defined(VMCS_HOST_FS_BASE) || defined(VMCS_HOST_GS_BASE) || defined(VMCS_HOST_TR_BASE)
#error "VMCS_HOST_CR4..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_HOST_GDTR_BASE) || defined(VMCS_HOST_IDTR_BASE) || defined(VMCS_HOST_IA32_SYSENTER_ESP) || defined(VMCS_HOST_IA32_SYSENTER_EIP)
#error "VMCS_HOST_GDTR_BASE..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_HOST_RSP) || defined(VMCS_HOST_RIP) || defined(VMCS_HOST_IA32_S_CET) || defined(VMCS_HOST_SSP)
#error "VMCS_HOST_RSP..: must be enumeration constants, not macros"
#endif
#if defined(VMCS_HOST_IA32_INTR_SSP_TABLE_ADDR) || defined(VMCS_MAX) || defined(VMCS_INVALID) || defined(VMX_BASIC_TRUE_CTLS)
#error "VMCS_HOST_IA32_INTR_SSP_TABLE_ADDR..: must be enumeration constants, not macros"
#endif
#if defined(VMX_EPT_VPID_SUPPORT_EXONLY) || defined(VMX_EPT_VPID_SUPPORT_AD) || defined(VMX_EPT_VPID_ADV_VMEXIT_INFO) || defined(PIN_BASED_INTR)
#error "VMX_EPT_VPID_SUPPORT_EXONLY..: must be enumeration constants, not macros"
#endif
#if defined(PIN_BASED_NMI) || defined(PIN_BASED_VIRTUAL_NMI) || defined(PIN_BASED_PREEMPTION_TIMER) || defined(PIN_BASED_POSTED_INTR)
#error "PIN_BASED_NMI..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED_IRQ_WND) || defined(CPU_BASED_TSC_OFFSET) || defined(CPU_BASED_HLT) || defined(CPU_BASED_INVLPG)
#error "CPU_BASED_IRQ_WND..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED_MWAIT) || defined(CPU_BASED_RDPMC) || defined(CPU_BASED_RDTSC) || defined(CPU_BASED_CR3_LOAD)
#error "CPU_BASED_MWAIT..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED_CR3_STORE) || defined(CPU_BASED_CR8_LOAD) || defined(CPU_BASED_CR8_STORE) || defined(CPU_BASED_TPR_SHADOW)
#error "CPU_BASED_CR3_STORE..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED_VIRTUAL_NMI_WND) || defined(CPU_BASED_MOV_DR) || defined(CPU_BASED_UNCOND_IO) || defined(CPU_BASED_IO_BITMAPS)
#error "CPU_BASED_VIRTUAL_NMI_WND..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED_MTF) || defined(CPU_BASED_MSR_BITMAPS) || defined(CPU_BASED_MONITOR) || defined(CPU_BASED_PAUSE)
#error "CPU_BASED_MTF..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED_SECONDARY_CTLS) || defined(CPU_BASED2_VIRTUAL_APIC) || defined(CPU_BASED2_EPT) || defined(CPU_BASED2_DESC_TABLE)
#error "CPU_BASED_SECONDARY_CTLS..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED2_DESCR_TABLE_EXIT) || defined(CPU_BASED2_RDTSCP) || defined(CPU_BASED2_X2APIC) || defined(CPU_BASED2_VPID)
#error "CPU_BASED2_DESCR_TABLE_EXIT..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED2_WBINVD) || defined(CPU_BASED2_UNRESTRICTED) || defined(CPU_BASED2_APIC_REG_VIRT) || defined(CPU_BASED2_VIRT_INTR_DELIVERY)
#error "CPU_BASED2_WBINVD..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED2_PAUSE_LOOP) || defined(CPU_BASED2_RDRAND) || defined(CPU_BASED2_INVPCID) || defined(CPU_BASED2_VMFUNC)
#error "CPU_BASED2_PAUSE_LOOP..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED2_VMCS_SHADOW) || defined(CPU_BASED2_ENCLS_EXIT_MAP) || defined(CPU_BASED2_RDSEED) || defined(CPU_BASED2_PML)
#error "CPU_BASED2_VMCS_SHADOW..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED2_EPT_VE) || defined(CPU_BASED2_PT_CONCEAL_VMX) || defined(CPU_BASED2_XSAVES_XRSTORS) || defined(CPU_BASED2_EPT_MODE_BASED_EXEC)
#error "CPU_BASED2_EPT_VE..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED2_EPT_SUBPAGE_WRITE) || defined(CPU_BASED2_PT_GUEST_PHYSICAL) || defined(CPU_BASED2_TSC_SCALING) || defined(CPU_BASED2_USER_WAIT_PAUSE)
#error "CPU_BASED2_EPT_SUBPAGE_WRITE..: must be enumeration constants, not macros"
#endif
#if defined(CPU_BASED2_ENCLV_EXIT_MAP) || defined(VMEXIT_SAVE_DBG_CONTROLS) || defined(VMEXIT_HOST_IA32E) || defined(VMEXIT_LOAD_IA32_PERF_GLOBAL_CTRL)
#error "CPU_BASED2_ENCLV_EXIT_MAP..: must be enumeration constants, not macros"
#endif
#if defined(VMEXIT_ACK_INTR) || defined(VMEXIT_SAVE_IA32_PAT) || defined(VMEXIT_LOAD_IA32_PAT) || defined(VMEXIT_SAVE_EFER)
#error "VMEXIT_ACK_INTR..: must be enumeration constants, not macros"
#endif
#if defined(VMEXIT_LOAD_EFER) || defined(VMEXIT_SAVE_VMX_TIMER) || defined(VMEXIT_CLEAR_IA32_BNDCFGS) || defined(VMEXIT_PT_CONCEAL_VMX)
#error "VMEXIT_LOAD_EFER..: must be enumeration constants, not macros"
#endif
#if defined(VMEXIT_CLEAR_IA32_RTIT_CTL) || defined(VMEXIT_LOAD_CET_STATE) || defined(VMEXIT_LOAD_PKRS) || defined(VMENTRY_LOAD_DBG_CONTROLS)
#error "VMEXIT_CLEAR_IA32_RTIT_CTL..: must be enumeration constants, not macros"
#endif
#if defined(VMENTRY_GUEST_IA32E) || defined(VMENTRY_SMM) || defined(VMENTRY_DEACTIVATE_DUAL_MONITOR) || defined(VMENTRY_LOAD_IA32_PERF_GLOBAL_CTRL)
#error "VMENTRY_GUEST_IA32E..: must be enumeration constants, not macros"
#endif
#if defined(VMENTRY_LOAD_IA32_PAT) || defined(VMENTRY_LOAD_EFER) || defined(VMENTRY_LOAD_IA32_BNDCFGS) || defined(VMENTRY_PT_CONCEAL_VMX)
#error "VMENTRY_LOAD_IA32_PAT..: must be enumeration constants, not macros"
#endif
#if defined(VMENTRY_LOAD_IA32_RTIT_CTL) || defined(VMENTRY_LOAD_CET_STATE) || defined(VMENTRY_LOAD_PKRS) || defined(VMX_REASON_EXC_NMI)
#error "VMENTRY_LOAD_IA32_RTIT_CTL..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_IRQ) || defined(VMX_REASON_TRIPLE_FAULT) || defined(VMX_REASON_INIT) || defined(VMX_REASON_SIPI)
#error "VMX_REASON_IRQ..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_IO_SMI) || defined(VMX_REASON_OTHER_SMI) || defined(VMX_REASON_IRQ_WND) || defined(VMX_REASON_VIRTUAL_NMI_WND)
#error "VMX_REASON_IO_SMI..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_TASK) || defined(VMX_REASON_CPUID) || defined(VMX_REASON_GETSEC) || defined(VMX_REASON_HLT)
#error "VMX_REASON_TASK..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_INVD) || defined(VMX_REASON_INVLPG) || defined(VMX_REASON_RDPMC) || defined(VMX_REASON_RDTSC)
#error "VMX_REASON_INVD..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_RSM) || defined(VMX_REASON_VMCALL) || defined(VMX_REASON_VMCLEAR) || defined(VMX_REASON_VMLAUNCH)
#error "VMX_REASON_RSM..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_VMPTRLD) || defined(VMX_REASON_VMPTRST) || defined(VMX_REASON_VMREAD) || defined(VMX_REASON_VMRESUME)
#error "VMX_REASON_VMPTRLD..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_VMWRITE) || defined(VMX_REASON_VMOFF) || defined(VMX_REASON_VMON) || defined(VMX_REASON_MOV_CR)
#error "VMX_REASON_VMWRITE..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_MOV_DR) || defined(VMX_REASON_IO) || defined(VMX_REASON_RDMSR) || defined(VMX_REASON_WRMSR)
#error "VMX_REASON_MOV_DR..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_VMENTRY_GUEST) || defined(VMX_REASON_VMENTRY_MSR) || defined(VMX_REASON_MWAIT) || defined(VMX_REASON_MTF)
#error "VMX_REASON_VMENTRY_GUEST..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_MONITOR) || defined(VMX_REASON_PAUSE) || defined(VMX_REASON_VMENTRY_MC) || defined(VMX_REASON_TPR_THRESHOLD)
#error "VMX_REASON_MONITOR..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_APIC_ACCESS) || defined(VMX_REASON_VIRTUALIZED_EOI) || defined(VMX_REASON_GDTR_IDTR) || defined(VMX_REASON_LDTR_TR)
#error "VMX_REASON_APIC_ACCESS..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_EPT_VIOLATION) || defined(VMX_REASON_EPT_MISCONFIG) || defined(VMX_REASON_EPT_INVEPT) || defined(VMX_REASON_RDTSCP)
#error "VMX_REASON_EPT_VIOLATION..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_VMX_TIMER_EXPIRED) || defined(VMX_REASON_INVVPID) || defined(VMX_REASON_WBINVD) || defined(VMX_REASON_XSETBV)
#error "VMX_REASON_VMX_TIMER_EXPIRED..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_APIC_WRITE) || defined(VMX_REASON_RDRAND) || defined(VMX_REASON_INVPCID) || defined(VMX_REASON_VMFUNC)
#error "VMX_REASON_APIC_WRITE..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_ENCLS) || defined(VMX_REASON_RDSEED) || defined(VMX_REASON_PML_FULL) || defined(VMX_REASON_XSAVES)
#error "VMX_REASON_ENCLS..: must be enumeration constants, not macros"
#endif
#if defined(VMX_REASON_XRSTORS) || defined(VMX_REASON_SPP_EVENT) || defined(VMX_REASON_UMWAIT) || defined(VMX_REASON_TPAUSE)
#error "VMX_REASON_XRSTORS..: must be enumeration constants, not macros"
#endif
#if defined(IRQ_INFO_EXT_IRQ) || defined(IRQ_INFO_NMI) || defined(IRQ_INFO_HARD_EXC) || defined(IRQ_INFO_SOFT_IRQ)
#error "IRQ_INFO_EXT_IRQ..: must be enumeration constants, not macros"
#endif
#if defined(IRQ_INFO_PRIV_SOFT_EXC) || defined(IRQ_INFO_SOFT_EXC) || defined(IRQ_INFO_TYPE_MASK) || defined(IRQ_INFO_VECTOR_MASK)
#error "IRQ_INFO_PRIV_SOFT_EXC..: must be enumeration constants, not macros"
#endif
#if defined(IRQ_INFO_ERROR_VALID) || defined(IRQ_INFO_VALID) || defined(HV_MSR_IA32_TSC) || defined(HV_MSR_IA32_SPEC_CTRL)
#error "IRQ_INFO_ERROR_VALID..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_IA32_PRED_CMD) || defined(HV_MSR_IA32_PMC0) || defined(HV_MSR_IA32_PMC7) || defined(HV_MSR_IA32_ARCH_CAPABILITIES)
#error "HV_MSR_IA32_PRED_CMD..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_IA32_FLUSH_CMD) || defined(HV_MSR_IA32_SYSENTER_CS) || defined(HV_MSR_IA32_SYSENTER_ESP) || defined(HV_MSR_IA32_SYSENTER_EIP)
#error "HV_MSR_IA32_FLUSH_CMD..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_IA32_PERFEVNTSEL0) || defined(HV_MSR_IA32_PERFEVNTSEL7) || defined(HV_MSR_LBR_SELECT) || defined(HV_MSR_LASTBRANCH_TOS)
#error "HV_MSR_IA32_PERFEVNTSEL0..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_IA32_DEBUGCTL) || defined(HV_MSR_LASTINT_FROM_IP) || defined(HV_MSR_LASTINT_TO_IP) || defined(HV_MSR_IA32_FIXED_CTR0)
#error "HV_MSR_IA32_DEBUGCTL..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_IA32_FIXED_CTR1) || defined(HV_MSR_IA32_FIXED_CTR2) || defined(HV_MSR_IA32_FIXED_CTR3) || defined(HV_MSR_PERF_METRICS)
#error "HV_MSR_IA32_FIXED_CTR1..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_IA32_FIXED_CTR_CTRL) || defined(HV_MSR_IA32_PERF_GLOBAL_STATUS) || defined(HV_MSR_IA32_PERF_GLOBAL_CTRL) || defined(HV_MSR_IA32_PERF_GLOBAL_STATUS_RESET)
#error "HV_MSR_IA32_FIXED_CTR_CTRL..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_IA32_PERF_GLOBAL_STATUS_SET) || defined(HV_MSR_IA32_PERF_GLOBAL_INUSE) || defined(HV_MSR_IA32_A_PMC0) || defined(HV_MSR_IA32_A_PMC7)
#error "HV_MSR_IA32_PERF_GLOBAL_STATUS_SET..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_LASTBRANCH_0_FROM_IP) || defined(HV_MSR_LASTBRANCH_31_FROM_IP) || defined(HV_MSR_LASTBRANCH_0_TO_IP) || defined(HV_MSR_LASTBRANCH_31_TO_IP)
#error "HV_MSR_LASTBRANCH_0_FROM_IP..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_IA32_XSS) || defined(HV_MSR_LASTBRANCH_INFO_0) || defined(HV_MSR_LASTBRANCH_INFO_31) || defined(HV_MSR_IA32_EFER)
#error "HV_MSR_IA32_XSS..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_IA32_STAR) || defined(HV_MSR_IA32_LSTAR) || defined(HV_MSR_IA32_CSTAR) || defined(HV_MSR_IA32_FMASK)
#error "HV_MSR_IA32_STAR..: must be enumeration constants, not macros"
#endif
#if defined(HV_MSR_IA32_FS_BASE) || defined(HV_MSR_IA32_GS_BASE) || defined(HV_MSR_IA32_KERNEL_GS_BASE) || defined(HV_MSR_IA32_TSC_AUX)
#error "HV_MSR_IA32_FS_BASE..: must be enumeration constants, not macros"
#endif
#ifndef GUEST_INTRBILITY_MOVSS_BLOCKING
#error "GUEST_INTRBILITY_MOVSS_BLOCKING must be a macro"
#endif
#ifndef GUEST_INTRBILITY_NMI_BLOCKING
#error "GUEST_INTRBILITY_NMI_BLOCKING must be a macro"
#endif
#ifndef GUEST_INTRBILITY_SMI_BLOCKING
#error "GUEST_INTRBILITY_SMI_BLOCKING must be a macro"
#endif
#ifndef GUEST_INTRBILITY_STI_BLOCKING
#error "GUEST_INTRBILITY_STI_BLOCKING must be a macro"
#endif
#ifndef HV_APIC_STATE_EXT_VER
#error "HV_APIC_STATE_EXT_VER must be a macro"
#endif
#ifndef HV_ATPIC_STATE_EXT_VER
#error "HV_ATPIC_STATE_EXT_VER must be a macro"
#endif
#ifndef HV_IOAPIC_STATE_EXT_VER
#error "HV_IOAPIC_STATE_EXT_VER must be a macro"
#endif
#ifndef __VMCS_HOST_RSP
#error "__VMCS_HOST_RSP must be a macro"
#endif

#define CHECK(name, value) \
	_Static_assert((uint64_t)(name) == (uint64_t)(value), #name)
#define CHECK_RET(name, value) \
	_Static_assert((hv_return_t)(name) == (hv_return_t)(value), #name)

/* hv_return_t codes */
CHECK_RET(HV_ERROR, 0xfae94001u);
CHECK_RET(HV_SUCCESS, 0x00000000u);
CHECK_RET(HV_BUSY, 0xfae94002u);
CHECK_RET(HV_BAD_ARGUMENT, 0xfae94003u);
CHECK_RET(HV_NO_RESOURCES, 0xfae94005u);
CHECK_RET(HV_NO_DEVICE, 0xfae94006u);
CHECK_RET(HV_DENIED, 0xfae94007u);
CHECK_RET(HV_FAULT, 0xfae94008u);
CHECK_RET(HV_UNSUPPORTED, 0xfae9400fu);

/* hv_types.h */
CHECK(kHV_ION_NONE, 0u);
CHECK(kHV_ION_ANY_VALUE, 2u);
CHECK(kHV_ION_ANY_SIZE, 4u);
CHECK(kHV_ION_EXIT_FULL, 8u);
CHECK(HV_VM_SPACE_DEFAULT, 0u);
CHECK(HV_CAP_VCPUMAX, 0u);
CHECK(HV_CAP_ADDRSPACEMAX, 1u);
CHECK(HV_VM_DEFAULT, 0u);
CHECK(HV_VM_SPECIFY_MITIGATIONS, 1u);
CHECK(HV_VM_MITIGATION_A_ENABLE, 2u);
CHECK(HV_VM_MITIGATION_B_ENABLE, 4u);
CHECK(HV_VM_MITIGATION_C_ENABLE, 8u);
CHECK(HV_VM_MITIGATION_D_ENABLE, 0x10u);
CHECK(HV_VM_MITIGATION_E_ENABLE, 0x40u);
CHECK(HV_VM_ACCEL_APIC, 0x400u);
CHECK(HV_VCPU_DEFAULT, 0u);
CHECK(HV_VCPU_ACCEL_RDPMC, 1u);
CHECK(HV_VCPU_TSC_RELATIVE, 2u);
CHECK(HV_MEMORY_READ, 1u);
CHECK(HV_MEMORY_WRITE, 2u);
CHECK(HV_MEMORY_EXEC, 4u);
CHECK(HV_MEMORY_UEXEC, 8u);
CHECK(HV_MEMORY_MAXPROT, 0x10u);
CHECK(HV_MEMORY_MAXPROT_READ, 0x20u);
CHECK(HV_MEMORY_MAXPROT_WRITE, 0x40u);
CHECK(HV_MEMORY_MAXPROT_EXEC, 0x80u);
CHECK(HV_MEMORY_MAXPROT_UEXEC, 0x100u);
CHECK(HV_MSR_NONE, 0u);
CHECK(HV_MSR_READ, 1u);
CHECK(HV_MSR_WRITE, 2u);
CHECK(HV_ION_NONE, 0u);
CHECK(HV_ION_ANY_VALUE, 2u);
CHECK(HV_ION_ANY_SIZE, 4u);
CHECK(HV_ION_EXIT_FULL, 8u);
CHECK(HV_DEADLINE_FOREVER, 0xffffffffffffffffull);
CHECK(HV_VM_EXITINFO_VMX, 1u);
CHECK(HV_VM_EXITINFO_INIT_AP, 2u);
CHECK(HV_VM_EXITINFO_STARTUP_AP, 3u);
CHECK(HV_VM_EXITINFO_IOAPIC_EOI, 4u);
CHECK(HV_VM_EXITINFO_INJECT_EXCP, 5u);
CHECK(HV_VM_EXITINFO_SMI, 6u);
CHECK(HV_VM_EXITINFO_APIC_ACCESS_READ, 7u);
CHECK(HV_ALLOCATE_DEFAULT, 0u);

/* macOS 12 interrupt controller types */
CHECK(HV_APIC_CTRL_DEFAULT, 0u);
CHECK(HV_APIC_CTRL_EOI_ICR_TPR, 1u);
CHECK(HV_APIC_CTRL_GUEST_IDLE, 2u);
CHECK(HV_APIC_CTRL_NO_TIMER, 4u);
CHECK(HV_APIC_CTRL_IOAPIC_EOI, 8u);
CHECK(HV_APIC_LVT_FLAVOR_TIMER, 1u);
CHECK(HV_APIC_EDGE_TRIGGER, 0u);
CHECK(HV_APIC_EDGE_TRIGGER_AEOI, 1u);
CHECK(HV_APIC_LEVEL_TRIGGER, 2u);
CHECK(HV_BS_INIT, 0u);
CHECK(HV_BS_SIPI, 1u);
CHECK(HV_BS_RUNNING, 2u);
CHECK(HV_APIC_STATE_EXT_VER, 0x64u);
CHECK(HV_ATPIC_STATE_EXT_VER, 0x64u);
CHECK(HV_IOAPIC_STATE_EXT_VER, 0x64u);

/* hv_vmx.h */
CHECK(HV_SHADOW_VMCS_NONE, 0u);
CHECK(HV_SHADOW_VMCS_READ, 1u);
CHECK(HV_SHADOW_VMCS_WRITE, 2u);
CHECK(HV_VMX_CAP_PINBASED, 0u);
CHECK(HV_VMX_CAP_PROCBASED, 1u);
CHECK(HV_VMX_CAP_PROCBASED2, 2u);
CHECK(HV_VMX_CAP_ENTRY, 3u);
CHECK(HV_VMX_CAP_EXIT, 4u);
CHECK(HV_VMX_CAP_BASIC, 5u);
CHECK(HV_VMX_CAP_TRUE_PINBASED, 6u);
CHECK(HV_VMX_CAP_TRUE_PROCBASED, 7u);
CHECK(HV_VMX_CAP_TRUE_ENTRY, 8u);
CHECK(HV_VMX_CAP_TRUE_EXIT, 9u);
CHECK(HV_VMX_CAP_MISC, 0xau);
CHECK(HV_VMX_CAP_CR0_FIXED0, 0xbu);
CHECK(HV_VMX_CAP_CR0_FIXED1, 0xcu);
CHECK(HV_VMX_CAP_CR4_FIXED0, 0xdu);
CHECK(HV_VMX_CAP_CR4_FIXED1, 0xeu);
CHECK(HV_VMX_CAP_VMCS_ENUM, 0xfu);
CHECK(HV_VMX_CAP_EPT_VPID_CAP, 0x10u);
CHECK(HV_VMX_CAP_PREEMPTION_TIMER, 0x20u);
CHECK(HV_VMX_INFO_MSR_IA32_ARCH_CAPABILITIES, 0u);
CHECK(HV_VMX_INFO_MSR_IA32_PERF_CAPABILITIES, 1u);
CHECK(HV_VMX_VALID_MSR_IA32_PERFEVNTSEL, 2u);
CHECK(HV_VMX_VALID_MSR_IA32_FIXED_CTR_CTRL, 3u);
CHECK(HV_VMX_VALID_MSR_IA32_PERF_GLOBAL_CTRL, 4u);
CHECK(HV_VMX_VALID_MSR_IA32_PERF_GLOBAL_STATUS, 5u);
CHECK(HV_VMX_VALID_MSR_IA32_DEBUGCTL, 6u);
CHECK(HV_VMX_VALID_MSR_IA32_SPEC_CTRL, 7u);
CHECK(HV_VMX_NEED_MSR_IA32_SPEC_CTRL, 8u);

/* hv_x86_reg_t */
CHECK(HV_X86_REGISTERS_MAX, 0x33u);
CHECK(HV_X86_RIP, 0u);
CHECK(HV_X86_RFLAGS, 1u);
CHECK(HV_X86_RAX, 2u);
CHECK(HV_X86_RCX, 3u);
CHECK(HV_X86_RDX, 4u);
CHECK(HV_X86_RBX, 5u);
CHECK(HV_X86_RSI, 6u);
CHECK(HV_X86_RDI, 7u);
CHECK(HV_X86_RSP, 8u);
CHECK(HV_X86_RBP, 9u);
CHECK(HV_X86_R8, 0xau);
CHECK(HV_X86_R9, 0xbu);
CHECK(HV_X86_R10, 0xcu);
CHECK(HV_X86_R11, 0xdu);
CHECK(HV_X86_R12, 0xeu);
CHECK(HV_X86_R13, 0xfu);
CHECK(HV_X86_R14, 0x10u);
CHECK(HV_X86_R15, 0x11u);
CHECK(HV_X86_CS, 0x12u);
CHECK(HV_X86_SS, 0x13u);
CHECK(HV_X86_DS, 0x14u);
CHECK(HV_X86_ES, 0x15u);
CHECK(HV_X86_FS, 0x16u);
CHECK(HV_X86_GS, 0x17u);
CHECK(HV_X86_IDT_BASE, 0x18u);
CHECK(HV_X86_IDT_LIMIT, 0x19u);
CHECK(HV_X86_GDT_BASE, 0x1au);
CHECK(HV_X86_GDT_LIMIT, 0x1bu);
CHECK(HV_X86_LDTR, 0x1cu);
CHECK(HV_X86_LDT_BASE, 0x1du);
CHECK(HV_X86_LDT_LIMIT, 0x1eu);
CHECK(HV_X86_LDT_AR, 0x1fu);
CHECK(HV_X86_TR, 0x20u);
CHECK(HV_X86_TSS_BASE, 0x21u);
CHECK(HV_X86_TSS_LIMIT, 0x22u);
CHECK(HV_X86_TSS_AR, 0x23u);
CHECK(HV_X86_CR0, 0x24u);
CHECK(HV_X86_CR1, 0x25u);
CHECK(HV_X86_CR2, 0x26u);
CHECK(HV_X86_CR3, 0x27u);
CHECK(HV_X86_CR4, 0x28u);
CHECK(HV_X86_DR0, 0x29u);
CHECK(HV_X86_DR1, 0x2au);
CHECK(HV_X86_DR2, 0x2bu);
CHECK(HV_X86_DR3, 0x2cu);
CHECK(HV_X86_DR4, 0x2du);
CHECK(HV_X86_DR5, 0x2eu);
CHECK(HV_X86_DR6, 0x2fu);
CHECK(HV_X86_DR7, 0x30u);
CHECK(HV_X86_TPR, 0x31u);
CHECK(HV_X86_XCR0, 0x32u);

/* VMCS field encodings */
CHECK(__VMCS_HOST_RSP, 0x6c14u);
CHECK(VMCS_VPID, 0u);
CHECK(VMCS_CTRL_POSTED_INT_N_VECTOR, 2u);
CHECK(VMCS_CTRL_EPTP_INDEX, 4u);
CHECK(VMCS_GUEST_ES, 0x800u);
CHECK(VMCS_GUEST_CS, 0x802u);
CHECK(VMCS_GUEST_SS, 0x804u);
CHECK(VMCS_GUEST_DS, 0x806u);
CHECK(VMCS_GUEST_FS, 0x808u);
CHECK(VMCS_GUEST_GS, 0x80au);
CHECK(VMCS_GUEST_LDTR, 0x80cu);
CHECK(VMCS_GUEST_TR, 0x80eu);
CHECK(VMCS_GUEST_INT_STATUS, 0x810u);
CHECK(VMCS_GUESTPML_INDEX, 0x812u);
CHECK(VMCS_HOST_ES, 0xc00u);
CHECK(VMCS_HOST_CS, 0xc02u);
CHECK(VMCS_HOST_SS, 0xc04u);
CHECK(VMCS_HOST_DS, 0xc06u);
CHECK(VMCS_HOST_FS, 0xc08u);
CHECK(VMCS_HOST_GS, 0xc0au);
CHECK(VMCS_HOST_TR, 0xc0cu);
CHECK(VMCS_CTRL_IO_BITMAP_A, 0x2000u);
CHECK(VMCS_CTRL_IO_BITMAP_B, 0x2002u);
CHECK(VMCS_CTRL_MSR_BITMAPS, 0x2004u);
CHECK(VMCS_CTRL_VMEXIT_MSR_STORE_ADDR, 0x2006u);
CHECK(VMCS_CTRL_VMEXIT_MSR_LOAD_ADDR, 0x2008u);
CHECK(VMCS_CTRL_VMENTRY_MSR_LOAD_ADDR, 0x200au);
CHECK(VMCS_CTRL_EXECUTIVE_VMCS_PTR, 0x200cu);
CHECK(VMCS_CTRL_PML_ADDR, 0x200eu);
CHECK(VMCS_CTRL_TSC_OFFSET, 0x2010u);
CHECK(VMCS_CTRL_VIRTUAL_APIC, 0x2012u);
CHECK(VMCS_CTRL_APIC_ACCESS, 0x2014u);
CHECK(VMCS_CTRL_POSTED_INT_DESC_ADDR, 0x2016u);
CHECK(VMCS_CTRL_VMFUNC_CTRL, 0x2018u);
CHECK(VMCS_CTRL_EPTP, 0x201au);
CHECK(VMCS_CTRL_EOI_EXIT_BITMAP_0, 0x201cu);
CHECK(VMCS_CTRL_EOI_EXIT_BITMAP_1, 0x201eu);
CHECK(VMCS_CTRL_EOI_EXIT_BITMAP_2, 0x2020u);
CHECK(VMCS_CTRL_EOI_EXIT_BITMAP_3, 0x2022u);
CHECK(VMCS_CTRL_EPTP_LIST_ADDR, 0x2024u);
CHECK(VMCS_CTRL_VMREAD_BITMAP_ADDR, 0x2026u);
CHECK(VMCS_CTRL_VMWRITE_BITMAP_ADDR, 0x2028u);
CHECK(VMCS_CTRL_VIRT_EXC_INFO_ADDR, 0x202au);
CHECK(VMCS_CTRL_XSS_EXITING_BITMAP, 0x202cu);
CHECK(VMCS_CTRL_ENCLS_EXITING_BITMAP, 0x202eu);
CHECK(VMCS_CTRL_SPP_TABLE, 0x2030u);
CHECK(VMCS_CTRL_TSC_MULTIPLIER, 0x2032u);
CHECK(VMCS_CTRL_ENCLV_EXITING_BITMAP, 0x2036u);
CHECK(VMCS_GUEST_PHYSICAL_ADDRESS, 0x2400u);
CHECK(VMCS_GUEST_LINK_POINTER, 0x2800u);
CHECK(VMCS_GUEST_IA32_DEBUGCTL, 0x2802u);
CHECK(VMCS_GUEST_IA32_PAT, 0x2804u);
CHECK(VMCS_GUEST_IA32_EFER, 0x2806u);
CHECK(VMCS_GUEST_IA32_PERF_GLOBAL_CTRL, 0x2808u);
CHECK(VMCS_GUEST_PDPTE0, 0x280au);
CHECK(VMCS_GUEST_PDPTE1, 0x280cu);
CHECK(VMCS_GUEST_PDPTE2, 0x280eu);
CHECK(VMCS_GUEST_PDPTE3, 0x2810u);
CHECK(VMCS_GUEST_IA32_BNDCFGS, 0x2812u);
CHECK(VMCS_GUEST_IA32_RTIT_CTL, 0x2814u);
CHECK(VMCS_GUEST_IA32_PKRS, 0x2818u);
CHECK(VMCS_HOST_IA32_PAT, 0x2c00u);
CHECK(VMCS_HOST_IA32_EFER, 0x2c02u);
CHECK(VMCS_HOST_IA32_PERF_GLOBAL_CTRL, 0x2c04u);
CHECK(VMCS_HOST_IA32_PKRS, 0x2c06u);
CHECK(VMCS_CTRL_PIN_BASED, 0x4000u);
CHECK(VMCS_CTRL_CPU_BASED, 0x4002u);
CHECK(VMCS_CTRL_EXC_BITMAP, 0x4004u);
CHECK(VMCS_CTRL_PF_ERROR_MASK, 0x4006u);
CHECK(VMCS_CTRL_PF_ERROR_MATCH, 0x4008u);
CHECK(VMCS_CTRL_CR3_COUNT, 0x400au);
CHECK(VMCS_CTRL_VMEXIT_CONTROLS, 0x400cu);
CHECK(VMCS_CTRL_VMEXIT_MSR_STORE_COUNT, 0x400eu);
CHECK(VMCS_CTRL_VMEXIT_MSR_LOAD_COUNT, 0x4010u);
CHECK(VMCS_CTRL_VMENTRY_CONTROLS, 0x4012u);
CHECK(VMCS_CTRL_VMENTRY_MSR_LOAD_COUNT, 0x4014u);
CHECK(VMCS_CTRL_VMENTRY_IRQ_INFO, 0x4016u);
CHECK(VMCS_CTRL_VMENTRY_EXC_ERROR, 0x4018u);
CHECK(VMCS_CTRL_VMENTRY_INSTR_LEN, 0x401au);
CHECK(VMCS_CTRL_TPR_THRESHOLD, 0x401cu);
CHECK(VMCS_CTRL_CPU_BASED2, 0x401eu);
CHECK(VMCS_CTRL_PLE_GAP, 0x4020u);
CHECK(VMCS_CTRL_PLE_WINDOW, 0x4022u);
CHECK(VMCS_RO_INSTR_ERROR, 0x4400u);
CHECK(VMCS_RO_EXIT_REASON, 0x4402u);
CHECK(VMCS_RO_VMEXIT_IRQ_INFO, 0x4404u);
CHECK(VMCS_RO_VMEXIT_IRQ_ERROR, 0x4406u);
CHECK(VMCS_RO_IDT_VECTOR_INFO, 0x4408u);
CHECK(VMCS_RO_IDT_VECTOR_ERROR, 0x440au);
CHECK(VMCS_RO_VMEXIT_INSTR_LEN, 0x440cu);
CHECK(VMCS_RO_VMX_INSTR_INFO, 0x440eu);
CHECK(VMCS_GUEST_ES_LIMIT, 0x4800u);
CHECK(VMCS_GUEST_CS_LIMIT, 0x4802u);
CHECK(VMCS_GUEST_SS_LIMIT, 0x4804u);
CHECK(VMCS_GUEST_DS_LIMIT, 0x4806u);
CHECK(VMCS_GUEST_FS_LIMIT, 0x4808u);
CHECK(VMCS_GUEST_GS_LIMIT, 0x480au);
CHECK(VMCS_GUEST_LDTR_LIMIT, 0x480cu);
CHECK(VMCS_GUEST_TR_LIMIT, 0x480eu);
CHECK(VMCS_GUEST_GDTR_LIMIT, 0x4810u);
CHECK(VMCS_GUEST_IDTR_LIMIT, 0x4812u);
CHECK(VMCS_GUEST_ES_AR, 0x4814u);
CHECK(VMCS_GUEST_CS_AR, 0x4816u);
CHECK(VMCS_GUEST_SS_AR, 0x4818u);
CHECK(VMCS_GUEST_DS_AR, 0x481au);
CHECK(VMCS_GUEST_FS_AR, 0x481cu);
CHECK(VMCS_GUEST_GS_AR, 0x481eu);
CHECK(VMCS_GUEST_LDTR_AR, 0x4820u);
CHECK(VMCS_GUEST_TR_AR, 0x4822u);
CHECK(VMCS_GUEST_INTERRUPTIBILITY, 0x4824u);
CHECK(VMCS_GUEST_IGNORE_IRQ, 0x4824u);
CHECK(VMCS_GUEST_ACTIVITY_STATE, 0x4826u);
CHECK(VMCS_GUEST_SMBASE, 0x4828u);
CHECK(VMCS_GUEST_IA32_SYSENTER_CS, 0x482au);
CHECK(VMCS_GUEST_VMX_TIMER_VALUE, 0x482eu);
CHECK(VMCS_HOST_IA32_SYSENTER_CS, 0x4c00u);
CHECK(VMCS_CTRL_CR0_MASK, 0x6000u);
CHECK(VMCS_CTRL_CR4_MASK, 0x6002u);
CHECK(VMCS_CTRL_CR0_SHADOW, 0x6004u);
CHECK(VMCS_CTRL_CR4_SHADOW, 0x6006u);
CHECK(VMCS_CTRL_CR3_VALUE0, 0x6008u);
CHECK(VMCS_CTRL_CR3_VALUE1, 0x600au);
CHECK(VMCS_CTRL_CR3_VALUE2, 0x600cu);
CHECK(VMCS_CTRL_CR3_VALUE3, 0x600eu);
CHECK(VMCS_RO_EXIT_QUALIFIC, 0x6400u);
CHECK(VMCS_RO_IO_RCX, 0x6402u);
CHECK(VMCS_RO_IO_RSI, 0x6404u);
CHECK(VMCS_RO_IO_RDI, 0x6406u);
CHECK(VMCS_RO_IO_RIP, 0x6408u);
CHECK(VMCS_RO_GUEST_LIN_ADDR, 0x640au);
CHECK(VMCS_GUEST_CR0, 0x6800u);
CHECK(VMCS_GUEST_CR3, 0x6802u);
CHECK(VMCS_GUEST_CR4, 0x6804u);
CHECK(VMCS_GUEST_ES_BASE, 0x6806u);
CHECK(VMCS_GUEST_CS_BASE, 0x6808u);
CHECK(VMCS_GUEST_SS_BASE, 0x680au);
CHECK(VMCS_GUEST_DS_BASE, 0x680cu);
CHECK(VMCS_GUEST_FS_BASE, 0x680eu);
CHECK(VMCS_GUEST_GS_BASE, 0x6810u);
CHECK(VMCS_GUEST_LDTR_BASE, 0x6812u);
CHECK(VMCS_GUEST_TR_BASE, 0x6814u);
CHECK(VMCS_GUEST_GDTR_BASE, 0x6816u);
CHECK(VMCS_GUEST_IDTR_BASE, 0x6818u);
CHECK(VMCS_GUEST_DR7, 0x681au);
CHECK(VMCS_GUEST_RSP, 0x681cu);
CHECK(VMCS_GUEST_RIP, 0x681eu);
CHECK(VMCS_GUEST_RFLAGS, 0x6820u);
CHECK(VMCS_GUEST_DEBUG_EXC, 0x6822u);
CHECK(VMCS_GUEST_SYSENTER_ESP, 0x6824u);
CHECK(VMCS_GUEST_SYSENTER_EIP, 0x6826u);
CHECK(VMCS_GUEST_IA32_S_CET, 0x6828u);
CHECK(VMCS_GUEST_SSP, 0x682au);
CHECK(VMCS_GUEST_IA32_INTR_SSP_TABLE_ADDR, 0x682cu);
CHECK(VMCS_HOST_CR0, 0x6c00u);
CHECK(VMCS_HOST_CR3, 0x6c02u);
CHECK(VMCS_HOST_CR4, 0x6c04u);
CHECK(VMCS_HOST_FS_BASE, 0x6c06u);
CHECK(VMCS_HOST_GS_BASE, 0x6c08u);
CHECK(VMCS_HOST_TR_BASE, 0x6c0au);
CHECK(VMCS_HOST_GDTR_BASE, 0x6c0cu);
CHECK(VMCS_HOST_IDTR_BASE, 0x6c0eu);
CHECK(VMCS_HOST_IA32_SYSENTER_ESP, 0x6c10u);
CHECK(VMCS_HOST_IA32_SYSENTER_EIP, 0x6c12u);
CHECK(VMCS_HOST_RSP, 0x6c14u);
CHECK(VMCS_HOST_RIP, 0x6c16u);
CHECK(VMCS_HOST_IA32_S_CET, 0x6c18u);
CHECK(VMCS_HOST_SSP, 0x6c1au);
CHECK(VMCS_HOST_IA32_INTR_SSP_TABLE_ADDR, 0x6c1cu);
CHECK(VMCS_MAX, 0x6d00u);
CHECK(VMCS_INVALID, 0x6d00u);

/* VMX capability bits */
CHECK(VMX_BASIC_TRUE_CTLS, 0x80000000000000ull);
CHECK(VMX_EPT_VPID_SUPPORT_EXONLY, 1u);
CHECK(VMX_EPT_VPID_SUPPORT_AD, 0x200000u);
CHECK(VMX_EPT_VPID_ADV_VMEXIT_INFO, 0x400000u);

/* pin-based controls */
CHECK(PIN_BASED_INTR, 1u);
CHECK(PIN_BASED_NMI, 8u);
CHECK(PIN_BASED_VIRTUAL_NMI, 0x20u);
CHECK(PIN_BASED_PREEMPTION_TIMER, 0x40u);
CHECK(PIN_BASED_POSTED_INTR, 0x80u);

/* primary processor-based controls */
CHECK(CPU_BASED_IRQ_WND, 4u);
CHECK(CPU_BASED_TSC_OFFSET, 8u);
CHECK(CPU_BASED_HLT, 0x80u);
CHECK(CPU_BASED_INVLPG, 0x200u);
CHECK(CPU_BASED_MWAIT, 0x400u);
CHECK(CPU_BASED_RDPMC, 0x800u);
CHECK(CPU_BASED_RDTSC, 0x1000u);
CHECK(CPU_BASED_CR3_LOAD, 0x8000u);
CHECK(CPU_BASED_CR3_STORE, 0x10000u);
CHECK(CPU_BASED_CR8_LOAD, 0x80000u);
CHECK(CPU_BASED_CR8_STORE, 0x100000u);
CHECK(CPU_BASED_TPR_SHADOW, 0x200000u);
CHECK(CPU_BASED_VIRTUAL_NMI_WND, 0x400000u);
CHECK(CPU_BASED_MOV_DR, 0x800000u);
CHECK(CPU_BASED_UNCOND_IO, 0x1000000u);
CHECK(CPU_BASED_IO_BITMAPS, 0x2000000u);
CHECK(CPU_BASED_MTF, 0x8000000u);
CHECK(CPU_BASED_MSR_BITMAPS, 0x10000000u);
CHECK(CPU_BASED_MONITOR, 0x20000000u);
CHECK(CPU_BASED_PAUSE, 0x40000000u);
CHECK(CPU_BASED_SECONDARY_CTLS, 0x80000000u);

/* secondary processor-based controls */
CHECK(CPU_BASED2_VIRTUAL_APIC, 1u);
CHECK(CPU_BASED2_EPT, 2u);
CHECK(CPU_BASED2_DESC_TABLE, 4u);
CHECK(CPU_BASED2_DESCR_TABLE_EXIT, 4u);
CHECK(CPU_BASED2_RDTSCP, 8u);
CHECK(CPU_BASED2_X2APIC, 0x10u);
CHECK(CPU_BASED2_VPID, 0x20u);
CHECK(CPU_BASED2_WBINVD, 0x40u);
CHECK(CPU_BASED2_UNRESTRICTED, 0x80u);
CHECK(CPU_BASED2_APIC_REG_VIRT, 0x100u);
CHECK(CPU_BASED2_VIRT_INTR_DELIVERY, 0x200u);
CHECK(CPU_BASED2_PAUSE_LOOP, 0x400u);
CHECK(CPU_BASED2_RDRAND, 0x800u);
CHECK(CPU_BASED2_INVPCID, 0x1000u);
CHECK(CPU_BASED2_VMFUNC, 0x2000u);
CHECK(CPU_BASED2_VMCS_SHADOW, 0x4000u);
CHECK(CPU_BASED2_ENCLS_EXIT_MAP, 0x8000u);
CHECK(CPU_BASED2_RDSEED, 0x10000u);
CHECK(CPU_BASED2_PML, 0x20000u);
CHECK(CPU_BASED2_EPT_VE, 0x40000u);
CHECK(CPU_BASED2_PT_CONCEAL_VMX, 0x80000u);
CHECK(CPU_BASED2_XSAVES_XRSTORS, 0x100000u);
CHECK(CPU_BASED2_EPT_MODE_BASED_EXEC, 0x400000u);
CHECK(CPU_BASED2_EPT_SUBPAGE_WRITE, 0x800000u);
CHECK(CPU_BASED2_PT_GUEST_PHYSICAL, 0x1000000u);
CHECK(CPU_BASED2_TSC_SCALING, 0x2000000u);
CHECK(CPU_BASED2_USER_WAIT_PAUSE, 0x4000000u);
CHECK(CPU_BASED2_ENCLV_EXIT_MAP, 0x10000000u);

/* VM-exit controls */
CHECK(VMEXIT_SAVE_DBG_CONTROLS, 4u);
CHECK(VMEXIT_HOST_IA32E, 0x200u);
CHECK(VMEXIT_LOAD_IA32_PERF_GLOBAL_CTRL, 0x1000u);
CHECK(VMEXIT_ACK_INTR, 0x8000u);
CHECK(VMEXIT_SAVE_IA32_PAT, 0x40000u);
CHECK(VMEXIT_LOAD_IA32_PAT, 0x80000u);
CHECK(VMEXIT_SAVE_EFER, 0x100000u);
CHECK(VMEXIT_LOAD_EFER, 0x200000u);
CHECK(VMEXIT_SAVE_VMX_TIMER, 0x400000u);
CHECK(VMEXIT_CLEAR_IA32_BNDCFGS, 0x800000u);
CHECK(VMEXIT_PT_CONCEAL_VMX, 0x1000000u);
CHECK(VMEXIT_CLEAR_IA32_RTIT_CTL, 0x2000000u);
CHECK(VMEXIT_LOAD_CET_STATE, 0x10000000u);
CHECK(VMEXIT_LOAD_PKRS, 0x20000000u);

/* VM-entry controls */
CHECK(VMENTRY_LOAD_DBG_CONTROLS, 4u);
CHECK(VMENTRY_GUEST_IA32E, 0x200u);
CHECK(VMENTRY_SMM, 0x400u);
CHECK(VMENTRY_DEACTIVATE_DUAL_MONITOR, 0x800u);
CHECK(VMENTRY_LOAD_IA32_PERF_GLOBAL_CTRL, 0x2000u);
CHECK(VMENTRY_LOAD_IA32_PAT, 0x4000u);
CHECK(VMENTRY_LOAD_EFER, 0x8000u);
CHECK(VMENTRY_LOAD_IA32_BNDCFGS, 0x10000u);
CHECK(VMENTRY_PT_CONCEAL_VMX, 0x20000u);
CHECK(VMENTRY_LOAD_IA32_RTIT_CTL, 0x40000u);
CHECK(VMENTRY_LOAD_CET_STATE, 0x100000u);
CHECK(VMENTRY_LOAD_PKRS, 0x400000u);

/* exit reasons */
CHECK(VMX_REASON_EXC_NMI, 0u);
CHECK(VMX_REASON_IRQ, 1u);
CHECK(VMX_REASON_TRIPLE_FAULT, 2u);
CHECK(VMX_REASON_INIT, 3u);
CHECK(VMX_REASON_SIPI, 4u);
CHECK(VMX_REASON_IO_SMI, 5u);
CHECK(VMX_REASON_OTHER_SMI, 6u);
CHECK(VMX_REASON_IRQ_WND, 7u);
CHECK(VMX_REASON_VIRTUAL_NMI_WND, 8u);
CHECK(VMX_REASON_TASK, 9u);
CHECK(VMX_REASON_CPUID, 0xau);
CHECK(VMX_REASON_GETSEC, 0xbu);
CHECK(VMX_REASON_HLT, 0xcu);
CHECK(VMX_REASON_INVD, 0xdu);
CHECK(VMX_REASON_INVLPG, 0xeu);
CHECK(VMX_REASON_RDPMC, 0xfu);
CHECK(VMX_REASON_RDTSC, 0x10u);
CHECK(VMX_REASON_RSM, 0x11u);
CHECK(VMX_REASON_VMCALL, 0x12u);
CHECK(VMX_REASON_VMCLEAR, 0x13u);
CHECK(VMX_REASON_VMLAUNCH, 0x14u);
CHECK(VMX_REASON_VMPTRLD, 0x15u);
CHECK(VMX_REASON_VMPTRST, 0x16u);
CHECK(VMX_REASON_VMREAD, 0x17u);
CHECK(VMX_REASON_VMRESUME, 0x18u);
CHECK(VMX_REASON_VMWRITE, 0x19u);
CHECK(VMX_REASON_VMOFF, 0x1au);
CHECK(VMX_REASON_VMON, 0x1bu);
CHECK(VMX_REASON_MOV_CR, 0x1cu);
CHECK(VMX_REASON_MOV_DR, 0x1du);
CHECK(VMX_REASON_IO, 0x1eu);
CHECK(VMX_REASON_RDMSR, 0x1fu);
CHECK(VMX_REASON_WRMSR, 0x20u);
CHECK(VMX_REASON_VMENTRY_GUEST, 0x21u);
CHECK(VMX_REASON_VMENTRY_MSR, 0x22u);
CHECK(VMX_REASON_MWAIT, 0x24u);
CHECK(VMX_REASON_MTF, 0x25u);
CHECK(VMX_REASON_MONITOR, 0x27u);
CHECK(VMX_REASON_PAUSE, 0x28u);
CHECK(VMX_REASON_VMENTRY_MC, 0x29u);
CHECK(VMX_REASON_TPR_THRESHOLD, 0x2bu);
CHECK(VMX_REASON_APIC_ACCESS, 0x2cu);
CHECK(VMX_REASON_VIRTUALIZED_EOI, 0x2du);
CHECK(VMX_REASON_GDTR_IDTR, 0x2eu);
CHECK(VMX_REASON_LDTR_TR, 0x2fu);
CHECK(VMX_REASON_EPT_VIOLATION, 0x30u);
CHECK(VMX_REASON_EPT_MISCONFIG, 0x31u);
CHECK(VMX_REASON_EPT_INVEPT, 0x32u);
CHECK(VMX_REASON_RDTSCP, 0x33u);
CHECK(VMX_REASON_VMX_TIMER_EXPIRED, 0x34u);
CHECK(VMX_REASON_INVVPID, 0x35u);
CHECK(VMX_REASON_WBINVD, 0x36u);
CHECK(VMX_REASON_XSETBV, 0x37u);
CHECK(VMX_REASON_APIC_WRITE, 0x38u);
CHECK(VMX_REASON_RDRAND, 0x39u);
CHECK(VMX_REASON_INVPCID, 0x3au);
CHECK(VMX_REASON_VMFUNC, 0x3bu);
CHECK(VMX_REASON_ENCLS, 0x3cu);
CHECK(VMX_REASON_RDSEED, 0x3du);
CHECK(VMX_REASON_PML_FULL, 0x3eu);
CHECK(VMX_REASON_XSAVES, 0x3fu);
CHECK(VMX_REASON_XRSTORS, 0x40u);
CHECK(VMX_REASON_SPP_EVENT, 0x42u);
CHECK(VMX_REASON_UMWAIT, 0x43u);
CHECK(VMX_REASON_TPAUSE, 0x44u);

/* interruption information */
CHECK(IRQ_INFO_EXT_IRQ, 0u);
CHECK(IRQ_INFO_NMI, 0x200u);
CHECK(IRQ_INFO_HARD_EXC, 0x300u);
CHECK(IRQ_INFO_SOFT_IRQ, 0x400u);
CHECK(IRQ_INFO_PRIV_SOFT_EXC, 0x500u);
CHECK(IRQ_INFO_SOFT_EXC, 0x600u);
CHECK(IRQ_INFO_TYPE_MASK, 0x700u);
CHECK(IRQ_INFO_VECTOR_MASK, 0xffu);
CHECK(IRQ_INFO_ERROR_VALID, 0x800u);
CHECK(IRQ_INFO_VALID, 0x80000000u);

/* interruptibility state */
CHECK(GUEST_INTRBILITY_STI_BLOCKING, 1u);
CHECK(GUEST_INTRBILITY_MOVSS_BLOCKING, 2u);
CHECK(GUEST_INTRBILITY_SMI_BLOCKING, 4u);
CHECK(GUEST_INTRBILITY_NMI_BLOCKING, 8u);

/* MSRs */
CHECK(HV_MSR_IA32_TSC, 0x10u);
CHECK(HV_MSR_IA32_SPEC_CTRL, 0x48u);
CHECK(HV_MSR_IA32_PRED_CMD, 0x49u);
CHECK(HV_MSR_IA32_PMC0, 0xc1u);
CHECK(HV_MSR_IA32_PMC7, 0xc8u);
CHECK(HV_MSR_IA32_ARCH_CAPABILITIES, 0x10au);
CHECK(HV_MSR_IA32_FLUSH_CMD, 0x10bu);
CHECK(HV_MSR_IA32_SYSENTER_CS, 0x174u);
CHECK(HV_MSR_IA32_SYSENTER_ESP, 0x175u);
CHECK(HV_MSR_IA32_SYSENTER_EIP, 0x176u);
CHECK(HV_MSR_IA32_PERFEVNTSEL0, 0x186u);
CHECK(HV_MSR_IA32_PERFEVNTSEL7, 0x18du);
CHECK(HV_MSR_LBR_SELECT, 0x1c8u);
CHECK(HV_MSR_LASTBRANCH_TOS, 0x1c9u);
CHECK(HV_MSR_IA32_DEBUGCTL, 0x1d9u);
CHECK(HV_MSR_LASTINT_FROM_IP, 0x1ddu);
CHECK(HV_MSR_LASTINT_TO_IP, 0x1deu);
CHECK(HV_MSR_IA32_FIXED_CTR0, 0x309u);
CHECK(HV_MSR_IA32_FIXED_CTR1, 0x30au);
CHECK(HV_MSR_IA32_FIXED_CTR2, 0x30bu);
CHECK(HV_MSR_IA32_FIXED_CTR3, 0x30cu);
CHECK(HV_MSR_PERF_METRICS, 0x329u);
CHECK(HV_MSR_IA32_FIXED_CTR_CTRL, 0x38du);
CHECK(HV_MSR_IA32_PERF_GLOBAL_STATUS, 0x38eu);
CHECK(HV_MSR_IA32_PERF_GLOBAL_CTRL, 0x38fu);
CHECK(HV_MSR_IA32_PERF_GLOBAL_STATUS_RESET, 0x390u);
CHECK(HV_MSR_IA32_PERF_GLOBAL_STATUS_SET, 0x391u);
CHECK(HV_MSR_IA32_PERF_GLOBAL_INUSE, 0x392u);
CHECK(HV_MSR_IA32_A_PMC0, 0x4c1u);
CHECK(HV_MSR_IA32_A_PMC7, 0x4c8u);
CHECK(HV_MSR_LASTBRANCH_0_FROM_IP, 0x680u);
CHECK(HV_MSR_LASTBRANCH_31_FROM_IP, 0x69fu);
CHECK(HV_MSR_LASTBRANCH_0_TO_IP, 0x6c0u);
CHECK(HV_MSR_LASTBRANCH_31_TO_IP, 0x6dfu);
CHECK(HV_MSR_IA32_XSS, 0xda0u);
CHECK(HV_MSR_LASTBRANCH_INFO_0, 0xdc0u);
CHECK(HV_MSR_LASTBRANCH_INFO_31, 0xddfu);
CHECK(HV_MSR_IA32_EFER, 0xc0000080u);
CHECK(HV_MSR_IA32_STAR, 0xc0000081u);
CHECK(HV_MSR_IA32_LSTAR, 0xc0000082u);
CHECK(HV_MSR_IA32_CSTAR, 0xc0000083u);
CHECK(HV_MSR_IA32_FMASK, 0xc0000084u);
CHECK(HV_MSR_IA32_FS_BASE, 0xc0000100u);
CHECK(HV_MSR_IA32_GS_BASE, 0xc0000101u);
CHECK(HV_MSR_IA32_KERNEL_GS_BASE, 0xc0000102u);
CHECK(HV_MSR_IA32_TSC_AUX, 0xc0000103u);

/* Return codes are int constants, usable in a switch on an hv_return_t. */
_Static_assert(IS_TYPE(HV_ERROR, int), "HV_* codes are int constants");
_Static_assert(HV_ERROR < 0, "HV_* codes are negative ints");
_Static_assert(IS_TYPE(HV_DEADLINE_FOREVER + 0ull, unsigned long long), "deadline");
_Static_assert(HV_DEADLINE_FOREVER == UINT64_MAX, "HV_DEADLINE_FOREVER");
_Static_assert(GUEST_INTRBILITY_NMI_BLOCKING == 8ull, "GUEST_INTRBILITY_*");
_Static_assert(IS_TYPE(GUEST_INTRBILITY_STI_BLOCKING, unsigned long long), "ull literal");
_Static_assert(IS_TYPE(GUEST_INTRBILITY_MOVSS_BLOCKING, unsigned long long), "ull literal");
_Static_assert(IS_TYPE(GUEST_INTRBILITY_SMI_BLOCKING, unsigned long long), "ull literal");
_Static_assert(IS_TYPE(GUEST_INTRBILITY_NMI_BLOCKING, unsigned long long), "ull literal");

/* Out-of-line comparisons keep the checks below from being constant-folded. */
static int same(uint64_t got, uint64_t want)
{
	return got == want;
}

static int same_ret(hv_return_t got, hv_return_t want)
{
	return got == want;
}

static const char *return_name(hv_return_t ret)
{
	switch (ret) {
	case HV_SUCCESS: return "HV_SUCCESS";
	case HV_ERROR: return "HV_ERROR";
	case HV_BUSY: return "HV_BUSY";
	case HV_BAD_ARGUMENT: return "HV_BAD_ARGUMENT";
	case HV_NO_RESOURCES: return "HV_NO_RESOURCES";
	case HV_NO_DEVICE: return "HV_NO_DEVICE";
	case HV_DENIED: return "HV_DENIED";
	case HV_FAULT: return "HV_FAULT";
	case HV_UNSUPPORTED: return "HV_UNSUPPORTED";
	default: return "?";
	}
}

static const char *reason_name(uint64_t reason)
{
	switch (reason & 0xffff) {
	case VMX_REASON_EXC_NMI: return "EXC_NMI";
	case VMX_REASON_IRQ: return "IRQ";
	case VMX_REASON_HLT: return "HLT";
	case VMX_REASON_IO: return "IO";
	case VMX_REASON_EPT_VIOLATION: return "EPT_VIOLATION";
	case VMX_REASON_VMX_TIMER_EXPIRED: return "VMX_TIMER_EXPIRED";
	case VMX_REASON_TPAUSE: return "TPAUSE";
	default: return "?";
	}
}

/* ------------------------------------------------------------------------ */
/* Functions: exact prototypes (nullability qualifiers do not affect them)  */
/* ------------------------------------------------------------------------ */

static const struct hv_function_table {
	hv_return_t (*fn_hv_capability)(hv_capability_t capability, uint64_t *value);
	uint64_t (*fn_hv_tsc_clock)(void);
	hv_return_t (*fn_hv_vcpu_apic_ctrl)(hv_vcpuid_t vcpu, hv_apic_ctrl_t ctrls);
	hv_return_t (*fn_hv_vcpu_apic_get_state)(hv_vcpuid_t vcpu, hv_apic_state_ext_t *state);
	hv_return_t (*fn_hv_vcpu_apic_lsc_enter_imm32)(hv_vcpuid_t vcpu, uint64_t rip, unsigned ilen, uint16_t cs, uint32_t imm32, uint64_t uva[], unsigned count);
	hv_return_t (*fn_hv_vcpu_apic_lsc_enter_r32)(hv_vcpuid_t vcpu, bool is_load, uint64_t rip, unsigned ilen, uint16_t cs, hv_x86_reg_t reg, uint64_t uva[], unsigned count);
	hv_return_t (*fn_hv_vcpu_apic_lsc_invalidate)(hv_vcpuid_t vcpu);
	hv_return_t (*fn_hv_vcpu_apic_put_state)(hv_vcpuid_t vcpu, const hv_apic_state_ext_t *state);
	hv_return_t (*fn_hv_vcpu_apic_read)(hv_vcpuid_t vcpu, uint32_t offset, uint32_t *data);
	hv_return_t (*fn_hv_vcpu_apic_trigger_lvt)(hv_vcpuid_t vcpu, hv_apic_lvt_flavor_t flavor);
	hv_return_t (*fn_hv_vcpu_apic_write)(hv_vcpuid_t vcpu, uint32_t offset, uint32_t data, bool *no_side_effect);
	hv_return_t (*fn_hv_vcpu_create)(hv_vcpuid_t *vcpu, hv_vcpu_options_t flags);
	hv_return_t (*fn_hv_vcpu_destroy)(hv_vcpuid_t vcpu);
	hv_return_t (*fn_hv_vcpu_enable_managed_msr)(hv_vcpuid_t vcpu, uint32_t msr, bool enable);
	hv_return_t (*fn_hv_vcpu_enable_native_msr)(hv_vcpuid_t vcpu, uint32_t msr, bool enable);
	hv_return_t (*fn_hv_vcpu_exit_apic_access_read)(hv_vcpuid_t vcpu, uint32_t *value);
	hv_return_t (*fn_hv_vcpu_exit_info)(hv_vcpuid_t vcpu, hv_vm_exitinfo_t *code);
	hv_return_t (*fn_hv_vcpu_exit_init_ap)(hv_vcpuid_t vcpu, bool is_actv[], unsigned count);
	hv_return_t (*fn_hv_vcpu_exit_inject_excp)(hv_vcpuid_t vcpu, uint8_t *vec, bool *valid, uint32_t *code, bool *restart);
	hv_return_t (*fn_hv_vcpu_exit_ioapic_eoi)(hv_vcpuid_t vcpu, uint8_t *vec);
	hv_return_t (*fn_hv_vcpu_exit_startup_ap)(hv_vcpuid_t vcpu, bool is_actv[], unsigned count, uint64_t *ap_rip);
	hv_return_t (*fn_hv_vcpu_flush)(hv_vcpuid_t vcpu);
	hv_return_t (*fn_hv_vcpu_get_exec_time)(hv_vcpuid_t vcpu, uint64_t *time);
	hv_return_t (*fn_hv_vcpu_get_idle_time)(hv_vcpuid_t vcpu, uint64_t *time);
	hv_return_t (*fn_hv_vcpu_inject_extint)(hv_vcpuid_t vcpu);
	hv_return_t (*fn_hv_vcpu_interrupt)(hv_vcpuid_t *vcpus, unsigned int vcpu_count);
	hv_return_t (*fn_hv_vcpu_invalidate_tlb)(hv_vcpuid_t vcpu);
	hv_return_t (*fn_hv_vcpu_read_fpstate)(hv_vcpuid_t vcpu, void *buffer, size_t size);
	hv_return_t (*fn_hv_vcpu_read_msr)(hv_vcpuid_t vcpu, uint32_t msr, uint64_t *value);
	hv_return_t (*fn_hv_vcpu_read_register)(hv_vcpuid_t vcpu, hv_x86_reg_t reg, uint64_t *value);
	hv_return_t (*fn_hv_vcpu_run)(hv_vcpuid_t vcpu);
	hv_return_t (*fn_hv_vcpu_run_until)(hv_vcpuid_t vcpu, uint64_t deadline);
	hv_return_t (*fn_hv_vcpu_set_msr_access)(hv_vcpuid_t vcpu, uint32_t msr, hv_msr_flags_t flags);
	hv_return_t (*fn_hv_vcpu_set_space)(hv_vcpuid_t vcpu, hv_vm_space_t asid);
	hv_return_t (*fn_hv_vcpu_set_tsc_relative)(hv_vcpuid_t vcpu, int64_t offset);
	hv_return_t (*fn_hv_vcpu_vmx_status)(hv_vcpuid_t vcpu, uint32_t *status);
	hv_return_t (*fn_hv_vcpu_write_fpstate)(hv_vcpuid_t vcpu, void *buffer, size_t size);
	hv_return_t (*fn_hv_vcpu_write_msr)(hv_vcpuid_t vcpu, uint32_t msr, uint64_t value);
	hv_return_t (*fn_hv_vcpu_write_register)(hv_vcpuid_t vcpu, hv_x86_reg_t reg, uint64_t value);
	hv_return_t (*fn_hv_vm_add_pio_notifier)(uint16_t addr, size_t size, uint32_t value, mach_port_t mach_port, hv_ion_flags_t flags);
	hv_return_t (*fn_hv_vm_allocate)(void **uvap, size_t size, hv_allocate_flags_t flags);
	hv_return_t (*fn_hv_vm_atpic_assert_irq)(int irq);
	hv_return_t (*fn_hv_vm_atpic_deassert_irq)(int irq);
	hv_return_t (*fn_hv_vm_atpic_get_state)(hv_atpic_state_ext_t *state, bool is_primary);
	hv_return_t (*fn_hv_vm_atpic_port_read)(int port, uint8_t *valuep);
	hv_return_t (*fn_hv_vm_atpic_port_write)(int port, uint8_t value);
	hv_return_t (*fn_hv_vm_atpic_put_state)(const hv_atpic_state_ext_t *state, bool is_primary);
	hv_return_t (*fn_hv_vm_create)(hv_vm_options_t flags);
	hv_return_t (*fn_hv_vm_deallocate)(void *uva, size_t size);
	hv_return_t (*fn_hv_vm_destroy)(void);
	hv_return_t (*fn_hv_vm_ioapic_assert_irq)(int intin);
	hv_return_t (*fn_hv_vm_ioapic_deassert_irq)(int intin);
	hv_return_t (*fn_hv_vm_ioapic_get_state)(hv_ioapic_state_ext_t *state);
	hv_return_t (*fn_hv_vm_ioapic_pulse_irq)(int intin);
	hv_return_t (*fn_hv_vm_ioapic_put_state)(const hv_ioapic_state_ext_t *state);
	hv_return_t (*fn_hv_vm_ioapic_read)(hv_gpaddr_t gpa, uint32_t *datap);
	hv_return_t (*fn_hv_vm_ioapic_write)(hv_gpaddr_t gpa, uint32_t data);
	hv_return_t (*fn_hv_vm_lapic_msi)(uint64_t addr, uint64_t data);
	hv_return_t (*fn_hv_vm_lapic_set_intr)(hv_vcpuid_t vcpu, uint8_t vector, hv_apic_intr_trigger_t trig);
	hv_return_t (*fn_hv_vm_map)(hv_uvaddr_t uva, hv_gpaddr_t gpa, size_t size, hv_memory_flags_t flags);
	hv_return_t (*fn_hv_vm_map_space)(hv_vm_space_t asid, hv_uvaddr_t uva, hv_gpaddr_t gpa, size_t size, hv_memory_flags_t flags);
	hv_return_t (*fn_hv_vm_protect)(hv_gpaddr_t gpa, size_t size, hv_memory_flags_t flags);
	hv_return_t (*fn_hv_vm_protect_space)(hv_vm_space_t asid, hv_gpaddr_t gpa, size_t size, hv_memory_flags_t flags);
	hv_return_t (*fn_hv_vm_remove_pio_notifier)(uint16_t addr, size_t size, uint32_t value, mach_port_t mach_port, hv_ion_flags_t flags);
	hv_return_t (*fn_hv_vm_send_ioapic_intr)(uint64_t data);
	hv_return_t (*fn_hv_vm_set_apic_bus_freq)(uint64_t freq);
	hv_return_t (*fn_hv_vm_space_create)(hv_vm_space_t *asid);
	hv_return_t (*fn_hv_vm_space_destroy)(hv_vm_space_t asid);
	hv_return_t (*fn_hv_vm_sync_tsc)(uint64_t tsc);
	hv_return_t (*fn_hv_vm_unmap)(hv_gpaddr_t gpa, size_t size);
	hv_return_t (*fn_hv_vm_unmap_space)(hv_vm_space_t asid, hv_gpaddr_t gpa, size_t size);
	hv_return_t (*fn_hv_vmx_get_msr_info)(hv_vmx_msr_info_t field, uint64_t *value);
	hv_return_t (*fn_hv_vmx_read_capability)(hv_vmx_capability_t field, uint64_t *value);
	hv_return_t (*fn_hv_vmx_vcpu_get_cap_write_vmcs)(hv_vcpuid_t vcpu, uint32_t field, uint64_t *allowed_0, uint64_t *allowed_1);
	hv_return_t (*fn_hv_vmx_vcpu_read_shadow_vmcs)(hv_vcpuid_t vcpu, uint32_t field, uint64_t *value);
	hv_return_t (*fn_hv_vmx_vcpu_read_vmcs)(hv_vcpuid_t vcpu, uint32_t field, uint64_t *value);
	hv_return_t (*fn_hv_vmx_vcpu_set_apic_address)(hv_vcpuid_t vcpu, hv_gpaddr_t gpa);
	hv_return_t (*fn_hv_vmx_vcpu_set_apic_address_space)(hv_vcpuid_t vcpu, hv_vm_space_t asid, hv_gpaddr_t gpa);
	hv_return_t (*fn_hv_vmx_vcpu_set_shadow_access)(hv_vcpuid_t vcpu, uint32_t field, hv_shadow_flags_t flags);
	hv_return_t (*fn_hv_vmx_vcpu_write_shadow_vmcs)(hv_vcpuid_t vcpu, uint32_t field, uint64_t value);
	hv_return_t (*fn_hv_vmx_vcpu_write_vmcs)(hv_vcpuid_t vcpu, uint32_t field, uint64_t value);
} hv_functions = {
	.fn_hv_capability = hv_capability,
	.fn_hv_tsc_clock = hv_tsc_clock,
	.fn_hv_vcpu_apic_ctrl = hv_vcpu_apic_ctrl,
	.fn_hv_vcpu_apic_get_state = hv_vcpu_apic_get_state,
	.fn_hv_vcpu_apic_lsc_enter_imm32 = hv_vcpu_apic_lsc_enter_imm32,
	.fn_hv_vcpu_apic_lsc_enter_r32 = hv_vcpu_apic_lsc_enter_r32,
	.fn_hv_vcpu_apic_lsc_invalidate = hv_vcpu_apic_lsc_invalidate,
	.fn_hv_vcpu_apic_put_state = hv_vcpu_apic_put_state,
	.fn_hv_vcpu_apic_read = hv_vcpu_apic_read,
	.fn_hv_vcpu_apic_trigger_lvt = hv_vcpu_apic_trigger_lvt,
	.fn_hv_vcpu_apic_write = hv_vcpu_apic_write,
	.fn_hv_vcpu_create = hv_vcpu_create,
	.fn_hv_vcpu_destroy = hv_vcpu_destroy,
	.fn_hv_vcpu_enable_managed_msr = hv_vcpu_enable_managed_msr,
	.fn_hv_vcpu_enable_native_msr = hv_vcpu_enable_native_msr,
	.fn_hv_vcpu_exit_apic_access_read = hv_vcpu_exit_apic_access_read,
	.fn_hv_vcpu_exit_info = hv_vcpu_exit_info,
	.fn_hv_vcpu_exit_init_ap = hv_vcpu_exit_init_ap,
	.fn_hv_vcpu_exit_inject_excp = hv_vcpu_exit_inject_excp,
	.fn_hv_vcpu_exit_ioapic_eoi = hv_vcpu_exit_ioapic_eoi,
	.fn_hv_vcpu_exit_startup_ap = hv_vcpu_exit_startup_ap,
	.fn_hv_vcpu_flush = hv_vcpu_flush,
	.fn_hv_vcpu_get_exec_time = hv_vcpu_get_exec_time,
	.fn_hv_vcpu_get_idle_time = hv_vcpu_get_idle_time,
	.fn_hv_vcpu_inject_extint = hv_vcpu_inject_extint,
	.fn_hv_vcpu_interrupt = hv_vcpu_interrupt,
	.fn_hv_vcpu_invalidate_tlb = hv_vcpu_invalidate_tlb,
	.fn_hv_vcpu_read_fpstate = hv_vcpu_read_fpstate,
	.fn_hv_vcpu_read_msr = hv_vcpu_read_msr,
	.fn_hv_vcpu_read_register = hv_vcpu_read_register,
	.fn_hv_vcpu_run = hv_vcpu_run,
	.fn_hv_vcpu_run_until = hv_vcpu_run_until,
	.fn_hv_vcpu_set_msr_access = hv_vcpu_set_msr_access,
	.fn_hv_vcpu_set_space = hv_vcpu_set_space,
	.fn_hv_vcpu_set_tsc_relative = hv_vcpu_set_tsc_relative,
	.fn_hv_vcpu_vmx_status = hv_vcpu_vmx_status,
	.fn_hv_vcpu_write_fpstate = hv_vcpu_write_fpstate,
	.fn_hv_vcpu_write_msr = hv_vcpu_write_msr,
	.fn_hv_vcpu_write_register = hv_vcpu_write_register,
	.fn_hv_vm_add_pio_notifier = hv_vm_add_pio_notifier,
	.fn_hv_vm_allocate = hv_vm_allocate,
	.fn_hv_vm_atpic_assert_irq = hv_vm_atpic_assert_irq,
	.fn_hv_vm_atpic_deassert_irq = hv_vm_atpic_deassert_irq,
	.fn_hv_vm_atpic_get_state = hv_vm_atpic_get_state,
	.fn_hv_vm_atpic_port_read = hv_vm_atpic_port_read,
	.fn_hv_vm_atpic_port_write = hv_vm_atpic_port_write,
	.fn_hv_vm_atpic_put_state = hv_vm_atpic_put_state,
	.fn_hv_vm_create = hv_vm_create,
	.fn_hv_vm_deallocate = hv_vm_deallocate,
	.fn_hv_vm_destroy = hv_vm_destroy,
	.fn_hv_vm_ioapic_assert_irq = hv_vm_ioapic_assert_irq,
	.fn_hv_vm_ioapic_deassert_irq = hv_vm_ioapic_deassert_irq,
	.fn_hv_vm_ioapic_get_state = hv_vm_ioapic_get_state,
	.fn_hv_vm_ioapic_pulse_irq = hv_vm_ioapic_pulse_irq,
	.fn_hv_vm_ioapic_put_state = hv_vm_ioapic_put_state,
	.fn_hv_vm_ioapic_read = hv_vm_ioapic_read,
	.fn_hv_vm_ioapic_write = hv_vm_ioapic_write,
	.fn_hv_vm_lapic_msi = hv_vm_lapic_msi,
	.fn_hv_vm_lapic_set_intr = hv_vm_lapic_set_intr,
	.fn_hv_vm_map = hv_vm_map,
	.fn_hv_vm_map_space = hv_vm_map_space,
	.fn_hv_vm_protect = hv_vm_protect,
	.fn_hv_vm_protect_space = hv_vm_protect_space,
	.fn_hv_vm_remove_pio_notifier = hv_vm_remove_pio_notifier,
	.fn_hv_vm_send_ioapic_intr = hv_vm_send_ioapic_intr,
	.fn_hv_vm_set_apic_bus_freq = hv_vm_set_apic_bus_freq,
	.fn_hv_vm_space_create = hv_vm_space_create,
	.fn_hv_vm_space_destroy = hv_vm_space_destroy,
	.fn_hv_vm_sync_tsc = hv_vm_sync_tsc,
	.fn_hv_vm_unmap = hv_vm_unmap,
	.fn_hv_vm_unmap_space = hv_vm_unmap_space,
	.fn_hv_vmx_get_msr_info = hv_vmx_get_msr_info,
	.fn_hv_vmx_read_capability = hv_vmx_read_capability,
	.fn_hv_vmx_vcpu_get_cap_write_vmcs = hv_vmx_vcpu_get_cap_write_vmcs,
	.fn_hv_vmx_vcpu_read_shadow_vmcs = hv_vmx_vcpu_read_shadow_vmcs,
	.fn_hv_vmx_vcpu_read_vmcs = hv_vmx_vcpu_read_vmcs,
	.fn_hv_vmx_vcpu_set_apic_address = hv_vmx_vcpu_set_apic_address,
	.fn_hv_vmx_vcpu_set_apic_address_space = hv_vmx_vcpu_set_apic_address_space,
	.fn_hv_vmx_vcpu_set_shadow_access = hv_vmx_vcpu_set_shadow_access,
	.fn_hv_vmx_vcpu_write_shadow_vmcs = hv_vmx_vcpu_write_shadow_vmcs,
	.fn_hv_vmx_vcpu_write_vmcs = hv_vmx_vcpu_write_vmcs
};

int main(void)
{
	const struct hv_function_table *volatile t = &hv_functions;
	int missing = 0;

	if (t->fn_hv_capability == NULL)
		missing++;
	if (t->fn_hv_tsc_clock == NULL)
		missing++;
	if (t->fn_hv_vcpu_apic_ctrl == NULL)
		missing++;
	if (t->fn_hv_vcpu_apic_get_state == NULL)
		missing++;
	if (t->fn_hv_vcpu_apic_lsc_enter_imm32 == NULL)
		missing++;
	if (t->fn_hv_vcpu_apic_lsc_enter_r32 == NULL)
		missing++;
	if (t->fn_hv_vcpu_apic_lsc_invalidate == NULL)
		missing++;
	if (t->fn_hv_vcpu_apic_put_state == NULL)
		missing++;
	if (t->fn_hv_vcpu_apic_read == NULL)
		missing++;
	if (t->fn_hv_vcpu_apic_trigger_lvt == NULL)
		missing++;
	if (t->fn_hv_vcpu_apic_write == NULL)
		missing++;
	if (t->fn_hv_vcpu_create == NULL)
		missing++;
	if (t->fn_hv_vcpu_destroy == NULL)
		missing++;
	if (t->fn_hv_vcpu_enable_managed_msr == NULL)
		missing++;
	if (t->fn_hv_vcpu_enable_native_msr == NULL)
		missing++;
	if (t->fn_hv_vcpu_exit_apic_access_read == NULL)
		missing++;
	if (t->fn_hv_vcpu_exit_info == NULL)
		missing++;
	if (t->fn_hv_vcpu_exit_init_ap == NULL)
		missing++;
	if (t->fn_hv_vcpu_exit_inject_excp == NULL)
		missing++;
	if (t->fn_hv_vcpu_exit_ioapic_eoi == NULL)
		missing++;
	if (t->fn_hv_vcpu_exit_startup_ap == NULL)
		missing++;
	if (t->fn_hv_vcpu_flush == NULL)
		missing++;
	if (t->fn_hv_vcpu_get_exec_time == NULL)
		missing++;
	if (t->fn_hv_vcpu_get_idle_time == NULL)
		missing++;
	if (t->fn_hv_vcpu_inject_extint == NULL)
		missing++;
	if (t->fn_hv_vcpu_interrupt == NULL)
		missing++;
	if (t->fn_hv_vcpu_invalidate_tlb == NULL)
		missing++;
	if (t->fn_hv_vcpu_read_fpstate == NULL)
		missing++;
	if (t->fn_hv_vcpu_read_msr == NULL)
		missing++;
	if (t->fn_hv_vcpu_read_register == NULL)
		missing++;
	if (t->fn_hv_vcpu_run == NULL)
		missing++;
	if (t->fn_hv_vcpu_run_until == NULL)
		missing++;
	if (t->fn_hv_vcpu_set_msr_access == NULL)
		missing++;
	if (t->fn_hv_vcpu_set_space == NULL)
		missing++;
	if (t->fn_hv_vcpu_set_tsc_relative == NULL)
		missing++;
	if (t->fn_hv_vcpu_vmx_status == NULL)
		missing++;
	if (t->fn_hv_vcpu_write_fpstate == NULL)
		missing++;
	if (t->fn_hv_vcpu_write_msr == NULL)
		missing++;
	if (t->fn_hv_vcpu_write_register == NULL)
		missing++;
	if (t->fn_hv_vm_add_pio_notifier == NULL)
		missing++;
	if (t->fn_hv_vm_allocate == NULL)
		missing++;
	if (t->fn_hv_vm_atpic_assert_irq == NULL)
		missing++;
	if (t->fn_hv_vm_atpic_deassert_irq == NULL)
		missing++;
	if (t->fn_hv_vm_atpic_get_state == NULL)
		missing++;
	if (t->fn_hv_vm_atpic_port_read == NULL)
		missing++;
	if (t->fn_hv_vm_atpic_port_write == NULL)
		missing++;
	if (t->fn_hv_vm_atpic_put_state == NULL)
		missing++;
	if (t->fn_hv_vm_create == NULL)
		missing++;
	if (t->fn_hv_vm_deallocate == NULL)
		missing++;
	if (t->fn_hv_vm_destroy == NULL)
		missing++;
	if (t->fn_hv_vm_ioapic_assert_irq == NULL)
		missing++;
	if (t->fn_hv_vm_ioapic_deassert_irq == NULL)
		missing++;
	if (t->fn_hv_vm_ioapic_get_state == NULL)
		missing++;
	if (t->fn_hv_vm_ioapic_pulse_irq == NULL)
		missing++;
	if (t->fn_hv_vm_ioapic_put_state == NULL)
		missing++;
	if (t->fn_hv_vm_ioapic_read == NULL)
		missing++;
	if (t->fn_hv_vm_ioapic_write == NULL)
		missing++;
	if (t->fn_hv_vm_lapic_msi == NULL)
		missing++;
	if (t->fn_hv_vm_lapic_set_intr == NULL)
		missing++;
	if (t->fn_hv_vm_map == NULL)
		missing++;
	if (t->fn_hv_vm_map_space == NULL)
		missing++;
	if (t->fn_hv_vm_protect == NULL)
		missing++;
	if (t->fn_hv_vm_protect_space == NULL)
		missing++;
	if (t->fn_hv_vm_remove_pio_notifier == NULL)
		missing++;
	if (t->fn_hv_vm_send_ioapic_intr == NULL)
		missing++;
	if (t->fn_hv_vm_set_apic_bus_freq == NULL)
		missing++;
	if (t->fn_hv_vm_space_create == NULL)
		missing++;
	if (t->fn_hv_vm_space_destroy == NULL)
		missing++;
	if (t->fn_hv_vm_sync_tsc == NULL)
		missing++;
	if (t->fn_hv_vm_unmap == NULL)
		missing++;
	if (t->fn_hv_vm_unmap_space == NULL)
		missing++;
	if (t->fn_hv_vmx_get_msr_info == NULL)
		missing++;
	if (t->fn_hv_vmx_read_capability == NULL)
		missing++;
	if (t->fn_hv_vmx_vcpu_get_cap_write_vmcs == NULL)
		missing++;
	if (t->fn_hv_vmx_vcpu_read_shadow_vmcs == NULL)
		missing++;
	if (t->fn_hv_vmx_vcpu_read_vmcs == NULL)
		missing++;
	if (t->fn_hv_vmx_vcpu_set_apic_address == NULL)
		missing++;
	if (t->fn_hv_vmx_vcpu_set_apic_address_space == NULL)
		missing++;
	if (t->fn_hv_vmx_vcpu_set_shadow_access == NULL)
		missing++;
	if (t->fn_hv_vmx_vcpu_write_shadow_vmcs == NULL)
		missing++;
	if (t->fn_hv_vmx_vcpu_write_vmcs == NULL)
		missing++;
	if (missing != 0)
		return 1;

	/* A few run-time sanity checks of values and layouts. */
	if (!same_ret(HV_BAD_ARGUMENT, (hv_return_t)0xfae94003u))
		return 2;
	if (!same(sizeof(hv_ion_message_t), 56))
		return 3;
	if (!same(HV_X86_REGISTERS_MAX, 51))
		return 4;
	if (!same(VMCS_GUEST_RIP, 0x681e))
		return 5;
	if (strcmp(return_name((hv_return_t)0xfae9400fu), "HV_UNSUPPORTED") != 0)
		return 6;
	if (strcmp(reason_name(VMX_REASON_HLT), "HLT") != 0)
		return 7;
	if (!same(HV_DEADLINE_FOREVER, ~(uint64_t)0))
		return 8;
	if (!same(CPU_BASED_SECONDARY_CTLS | CPU_BASED_HLT, 0x80000080u))
		return 9;
	if (availability_annotated() != 1)
		return 10;
	return 0;
}
