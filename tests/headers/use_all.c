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

#define CHECK(name, value) \
	_Static_assert((uint64_t)(name) == (uint64_t)(value), #name)
#define CHECK_RET(name, value) \
	_Static_assert((hv_return_t)(name) == (hv_return_t)(value), #name)
#include "constants.inc"

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
