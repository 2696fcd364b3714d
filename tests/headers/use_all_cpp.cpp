/*
 * OpenHV header test (C++): the public headers compile as C++ (extern "C"
 * linkage, no C-only constructs) and expose every function with its exact
 * prototype, every constant with Apple's value, and the documented types and
 * structure layouts.
 *
 * Compile checks (each must pass with no diagnostics):
 *
 *   g++     -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude -c tests/headers/use_all_cpp.cpp
 *   clang++ -std=c++17 -Wall -Wextra -Werror -pedantic -Iinclude -c tests/headers/use_all_cpp.cpp
 *   clang++ -std=c++17 -Werror -Weverything \
 *           -Wno-padded -Wno-reserved-id-macro -Wno-reserved-identifier \
 *           -Wno-c++98-compat -Wno-c++98-compat-pedantic \
 *           -Wno-unsafe-buffer-usage -Wno-unknown-warning-option \
 *           -Iinclude -c tests/headers/use_all_cpp.cpp
 *
 * (See use_all.c for why those warnings are disabled.)
 */

#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <Hypervisor/Hypervisor.h>
#include <Hypervisor/hv_arch_vmx.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

static_assert(std::is_same<kern_return_t, int>::value, "kern_return_t");
static_assert(std::is_same<mach_error_t, int>::value, "mach_error_t");
static_assert(std::is_same<hv_return_t, int>::value, "hv_return_t");
static_assert(std::is_same<mach_port_t, unsigned int>::value, "mach_port_t");
static_assert(std::is_same<hv_vcpuid_t, unsigned>::value, "hv_vcpuid_t");
static_assert(std::is_same<hv_uvaddr_t, const void *>::value, "hv_uvaddr_t");
static_assert(std::is_same<hv_gpaddr_t, uint64_t>::value, "hv_gpaddr_t");
static_assert(std::is_same<hv_vm_space_t, unsigned>::value, "hv_vm_space_t");
static_assert(std::is_same<hv_capability_t, uint64_t>::value, "hv_capability_t");
static_assert(std::is_same<hv_vm_options_t, uint64_t>::value, "hv_vm_options_t");
static_assert(std::is_same<hv_vcpu_options_t, uint64_t>::value, "hv_vcpu_options_t");
static_assert(std::is_same<hv_memory_flags_t, uint64_t>::value, "hv_memory_flags_t");
static_assert(std::is_same<hv_msr_flags_t, uint32_t>::value, "hv_msr_flags_t");
static_assert(std::is_same<hv_ion_flags_t, uint32_t>::value, "hv_ion_flags_t");
static_assert(std::is_same<hv_shadow_flags_t, uint64_t>::value, "hv_shadow_flags_t");
static_assert(std::is_same<hv_vmx_msr_info_t, uint64_t>::value, "hv_vmx_msr_info_t");
static_assert(std::is_same<hv_allocate_flags_t, uint64_t>::value, "hv_allocate_flags_t");
static_assert(std::is_same<hv_vm_exitinfo_t, uint32_t>::value, "hv_vm_exitinfo_t");
static_assert(std::is_same<hv_apic_ctrl_t, uint64_t>::value, "hv_apic_ctrl_t");
static_assert(std::is_same<hv_apic_lvt_flavor_t, uint32_t>::value, "hv_apic_lvt_flavor_t");
static_assert(std::is_same<hv_apic_intr_trigger_t, uint32_t>::value, "hv_apic_intr_trigger_t");
static_assert(std::is_enum<hv_x86_reg_t>::value && sizeof(hv_x86_reg_t) == 4, "hv_x86_reg_t");
static_assert(std::is_enum<hv_vmx_capability_t>::value && sizeof(hv_vmx_capability_t) == 4,
	"hv_vmx_capability_t");
static_assert(std::is_same<std::underlying_type<hv_boot_state>::type, uint32_t>::value,
	"enum hv_boot_state : uint32_t");

static_assert(sizeof(mach_msg_header_t) == 24, "mach_msg_header_t");
static_assert(sizeof(mach_msg_trailer_t) == 8, "mach_msg_trailer_t");
static_assert(std::is_same<decltype(mach_msg_header_t::msgh_id), int32_t>::value, "msgh_id");
static_assert(sizeof(hv_ion_message_t) == 56, "hv_ion_message_t");
static_assert(offsetof(hv_ion_message_t, addr) == 24, "addr");
static_assert(offsetof(hv_ion_message_t, size) == 32, "size");
static_assert(offsetof(hv_ion_message_t, value) == 40, "value");
static_assert(offsetof(hv_ion_message_t, trailer) == 48, "trailer");

static_assert(offsetof(hv_apic_state, boot_state) == 204, "boot_state");
static_assert(offsetof(hv_apic_state, aeoi) == 208, "aeoi");
static_assert(sizeof(hv_apic_state) == 240, "hv_apic_state");
static_assert(offsetof(hv_apic_state_ext_t, state) == 8, "apic state");
static_assert(sizeof(hv_apic_state_ext_t) == 248, "hv_apic_state_ext_t");
static_assert(sizeof(hv_atpic_state) == 16, "hv_atpic_state");
static_assert(offsetof(hv_atpic_state, elc) == 15, "elc");
static_assert(offsetof(hv_atpic_state_ext_t, state) == 4, "atpic state");
static_assert(sizeof(hv_atpic_state_ext_t) == 20, "hv_atpic_state_ext_t");
static_assert(offsetof(hv_ioapic_state, ioregsel) == 264, "ioregsel");
static_assert(sizeof(hv_ioapic_state) == 272, "hv_ioapic_state");
static_assert(sizeof(hv_ioapic_state_ext_t) == 280, "hv_ioapic_state_ext_t");

/* ------------------------------------------------------------------------ */
/* Constants: names and values                                              */
/* ------------------------------------------------------------------------ */


#define CHECK(name, value) \
	static_assert(static_cast<uint64_t>(name) == static_cast<uint64_t>(value), #name)
#define CHECK_RET(name, value) \
	static_assert(static_cast<hv_return_t>(name) == static_cast<hv_return_t>(value), #name)
#include "constants.inc"

static_assert(std::is_same<decltype(GUEST_INTRBILITY_STI_BLOCKING), unsigned long long>::value,
	"GUEST_INTRBILITY_* are unsigned long long");
static_assert(HV_DEADLINE_FOREVER == UINT64_MAX, "HV_DEADLINE_FOREVER");

/* Flag values combine into their typedefs without casts. */
static const hv_memory_flags_t rwx = HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC;
static const hv_vm_options_t vm_options = HV_VM_SPECIFY_MITIGATIONS | HV_VM_MITIGATION_E_ENABLE;
static const hv_apic_ctrl_t apic_ctrls = HV_APIC_CTRL_EOI_ICR_TPR | HV_APIC_CTRL_NO_TIMER;
static const hv_ion_flags_t ion_flags = HV_ION_ANY_VALUE | HV_ION_EXIT_FULL;
static const hv_msr_flags_t msr_flags = HV_MSR_READ | HV_MSR_WRITE;
static const hv_shadow_flags_t shadow_flags = HV_SHADOW_VMCS_READ | HV_SHADOW_VMCS_WRITE;
static const uint32_t proc_ctls = CPU_BASED_HLT | CPU_BASED_SECONDARY_CTLS;

/* ------------------------------------------------------------------------ */
/* Functions: exact prototypes                                              */
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
	hv_capability,
	hv_tsc_clock,
	hv_vcpu_apic_ctrl,
	hv_vcpu_apic_get_state,
	hv_vcpu_apic_lsc_enter_imm32,
	hv_vcpu_apic_lsc_enter_r32,
	hv_vcpu_apic_lsc_invalidate,
	hv_vcpu_apic_put_state,
	hv_vcpu_apic_read,
	hv_vcpu_apic_trigger_lvt,
	hv_vcpu_apic_write,
	hv_vcpu_create,
	hv_vcpu_destroy,
	hv_vcpu_enable_managed_msr,
	hv_vcpu_enable_native_msr,
	hv_vcpu_exit_apic_access_read,
	hv_vcpu_exit_info,
	hv_vcpu_exit_init_ap,
	hv_vcpu_exit_inject_excp,
	hv_vcpu_exit_ioapic_eoi,
	hv_vcpu_exit_startup_ap,
	hv_vcpu_flush,
	hv_vcpu_get_exec_time,
	hv_vcpu_get_idle_time,
	hv_vcpu_inject_extint,
	hv_vcpu_interrupt,
	hv_vcpu_invalidate_tlb,
	hv_vcpu_read_fpstate,
	hv_vcpu_read_msr,
	hv_vcpu_read_register,
	hv_vcpu_run,
	hv_vcpu_run_until,
	hv_vcpu_set_msr_access,
	hv_vcpu_set_space,
	hv_vcpu_set_tsc_relative,
	hv_vcpu_vmx_status,
	hv_vcpu_write_fpstate,
	hv_vcpu_write_msr,
	hv_vcpu_write_register,
	hv_vm_add_pio_notifier,
	hv_vm_allocate,
	hv_vm_atpic_assert_irq,
	hv_vm_atpic_deassert_irq,
	hv_vm_atpic_get_state,
	hv_vm_atpic_port_read,
	hv_vm_atpic_port_write,
	hv_vm_atpic_put_state,
	hv_vm_create,
	hv_vm_deallocate,
	hv_vm_destroy,
	hv_vm_ioapic_assert_irq,
	hv_vm_ioapic_deassert_irq,
	hv_vm_ioapic_get_state,
	hv_vm_ioapic_pulse_irq,
	hv_vm_ioapic_put_state,
	hv_vm_ioapic_read,
	hv_vm_ioapic_write,
	hv_vm_lapic_msi,
	hv_vm_lapic_set_intr,
	hv_vm_map,
	hv_vm_map_space,
	hv_vm_protect,
	hv_vm_protect_space,
	hv_vm_remove_pio_notifier,
	hv_vm_send_ioapic_intr,
	hv_vm_set_apic_bus_freq,
	hv_vm_space_create,
	hv_vm_space_destroy,
	hv_vm_sync_tsc,
	hv_vm_unmap,
	hv_vm_unmap_space,
	hv_vmx_get_msr_info,
	hv_vmx_read_capability,
	hv_vmx_vcpu_get_cap_write_vmcs,
	hv_vmx_vcpu_read_shadow_vmcs,
	hv_vmx_vcpu_read_vmcs,
	hv_vmx_vcpu_set_apic_address,
	hv_vmx_vcpu_set_apic_address_space,
	hv_vmx_vcpu_set_shadow_access,
	hv_vmx_vcpu_write_shadow_vmcs,
	hv_vmx_vcpu_write_vmcs
};

static bool same(uint64_t got, uint64_t want)
{
	return got == want;
}

static const char *reason_name(uint64_t reason)
{
	switch (reason & 0xffff) {
	case VMX_REASON_HLT: return "HLT";
	case VMX_REASON_IO: return "IO";
	case VMX_REASON_EPT_VIOLATION: return "EPT_VIOLATION";
	default: return "?";
	}
}

int main()
{
	const hv_function_table *volatile t = &hv_functions;
	int missing = 0;

	if (t->fn_hv_capability == nullptr)
		missing++;
	if (t->fn_hv_tsc_clock == nullptr)
		missing++;
	if (t->fn_hv_vcpu_apic_ctrl == nullptr)
		missing++;
	if (t->fn_hv_vcpu_apic_get_state == nullptr)
		missing++;
	if (t->fn_hv_vcpu_apic_lsc_enter_imm32 == nullptr)
		missing++;
	if (t->fn_hv_vcpu_apic_lsc_enter_r32 == nullptr)
		missing++;
	if (t->fn_hv_vcpu_apic_lsc_invalidate == nullptr)
		missing++;
	if (t->fn_hv_vcpu_apic_put_state == nullptr)
		missing++;
	if (t->fn_hv_vcpu_apic_read == nullptr)
		missing++;
	if (t->fn_hv_vcpu_apic_trigger_lvt == nullptr)
		missing++;
	if (t->fn_hv_vcpu_apic_write == nullptr)
		missing++;
	if (t->fn_hv_vcpu_create == nullptr)
		missing++;
	if (t->fn_hv_vcpu_destroy == nullptr)
		missing++;
	if (t->fn_hv_vcpu_enable_managed_msr == nullptr)
		missing++;
	if (t->fn_hv_vcpu_enable_native_msr == nullptr)
		missing++;
	if (t->fn_hv_vcpu_exit_apic_access_read == nullptr)
		missing++;
	if (t->fn_hv_vcpu_exit_info == nullptr)
		missing++;
	if (t->fn_hv_vcpu_exit_init_ap == nullptr)
		missing++;
	if (t->fn_hv_vcpu_exit_inject_excp == nullptr)
		missing++;
	if (t->fn_hv_vcpu_exit_ioapic_eoi == nullptr)
		missing++;
	if (t->fn_hv_vcpu_exit_startup_ap == nullptr)
		missing++;
	if (t->fn_hv_vcpu_flush == nullptr)
		missing++;
	if (t->fn_hv_vcpu_get_exec_time == nullptr)
		missing++;
	if (t->fn_hv_vcpu_get_idle_time == nullptr)
		missing++;
	if (t->fn_hv_vcpu_inject_extint == nullptr)
		missing++;
	if (t->fn_hv_vcpu_interrupt == nullptr)
		missing++;
	if (t->fn_hv_vcpu_invalidate_tlb == nullptr)
		missing++;
	if (t->fn_hv_vcpu_read_fpstate == nullptr)
		missing++;
	if (t->fn_hv_vcpu_read_msr == nullptr)
		missing++;
	if (t->fn_hv_vcpu_read_register == nullptr)
		missing++;
	if (t->fn_hv_vcpu_run == nullptr)
		missing++;
	if (t->fn_hv_vcpu_run_until == nullptr)
		missing++;
	if (t->fn_hv_vcpu_set_msr_access == nullptr)
		missing++;
	if (t->fn_hv_vcpu_set_space == nullptr)
		missing++;
	if (t->fn_hv_vcpu_set_tsc_relative == nullptr)
		missing++;
	if (t->fn_hv_vcpu_vmx_status == nullptr)
		missing++;
	if (t->fn_hv_vcpu_write_fpstate == nullptr)
		missing++;
	if (t->fn_hv_vcpu_write_msr == nullptr)
		missing++;
	if (t->fn_hv_vcpu_write_register == nullptr)
		missing++;
	if (t->fn_hv_vm_add_pio_notifier == nullptr)
		missing++;
	if (t->fn_hv_vm_allocate == nullptr)
		missing++;
	if (t->fn_hv_vm_atpic_assert_irq == nullptr)
		missing++;
	if (t->fn_hv_vm_atpic_deassert_irq == nullptr)
		missing++;
	if (t->fn_hv_vm_atpic_get_state == nullptr)
		missing++;
	if (t->fn_hv_vm_atpic_port_read == nullptr)
		missing++;
	if (t->fn_hv_vm_atpic_port_write == nullptr)
		missing++;
	if (t->fn_hv_vm_atpic_put_state == nullptr)
		missing++;
	if (t->fn_hv_vm_create == nullptr)
		missing++;
	if (t->fn_hv_vm_deallocate == nullptr)
		missing++;
	if (t->fn_hv_vm_destroy == nullptr)
		missing++;
	if (t->fn_hv_vm_ioapic_assert_irq == nullptr)
		missing++;
	if (t->fn_hv_vm_ioapic_deassert_irq == nullptr)
		missing++;
	if (t->fn_hv_vm_ioapic_get_state == nullptr)
		missing++;
	if (t->fn_hv_vm_ioapic_pulse_irq == nullptr)
		missing++;
	if (t->fn_hv_vm_ioapic_put_state == nullptr)
		missing++;
	if (t->fn_hv_vm_ioapic_read == nullptr)
		missing++;
	if (t->fn_hv_vm_ioapic_write == nullptr)
		missing++;
	if (t->fn_hv_vm_lapic_msi == nullptr)
		missing++;
	if (t->fn_hv_vm_lapic_set_intr == nullptr)
		missing++;
	if (t->fn_hv_vm_map == nullptr)
		missing++;
	if (t->fn_hv_vm_map_space == nullptr)
		missing++;
	if (t->fn_hv_vm_protect == nullptr)
		missing++;
	if (t->fn_hv_vm_protect_space == nullptr)
		missing++;
	if (t->fn_hv_vm_remove_pio_notifier == nullptr)
		missing++;
	if (t->fn_hv_vm_send_ioapic_intr == nullptr)
		missing++;
	if (t->fn_hv_vm_set_apic_bus_freq == nullptr)
		missing++;
	if (t->fn_hv_vm_space_create == nullptr)
		missing++;
	if (t->fn_hv_vm_space_destroy == nullptr)
		missing++;
	if (t->fn_hv_vm_sync_tsc == nullptr)
		missing++;
	if (t->fn_hv_vm_unmap == nullptr)
		missing++;
	if (t->fn_hv_vm_unmap_space == nullptr)
		missing++;
	if (t->fn_hv_vmx_get_msr_info == nullptr)
		missing++;
	if (t->fn_hv_vmx_read_capability == nullptr)
		missing++;
	if (t->fn_hv_vmx_vcpu_get_cap_write_vmcs == nullptr)
		missing++;
	if (t->fn_hv_vmx_vcpu_read_shadow_vmcs == nullptr)
		missing++;
	if (t->fn_hv_vmx_vcpu_read_vmcs == nullptr)
		missing++;
	if (t->fn_hv_vmx_vcpu_set_apic_address == nullptr)
		missing++;
	if (t->fn_hv_vmx_vcpu_set_apic_address_space == nullptr)
		missing++;
	if (t->fn_hv_vmx_vcpu_set_shadow_access == nullptr)
		missing++;
	if (t->fn_hv_vmx_vcpu_write_shadow_vmcs == nullptr)
		missing++;
	if (t->fn_hv_vmx_vcpu_write_vmcs == nullptr)
		missing++;
	if (missing != 0)
		return 1;

	hv_return_t ret = static_cast<hv_return_t>(0xfae94003u);
	if (ret != HV_BAD_ARGUMENT)
		return 2;
	if (!same(sizeof(hv_ion_message_t), 56))
		return 3;
	if (!same(HV_X86_REGISTERS_MAX, 51))
		return 4;
	if (!same(VMCS_GUEST_RIP, 0x681e))
		return 5;
	if (std::strcmp(reason_name(VMX_REASON_HLT), "HLT") != 0)
		return 6;
	if (!same(rwx, 7) || !same(vm_options, 0x41) || !same(apic_ctrls, 5) ||
	    !same(ion_flags, 10) || !same(msr_flags, 3) || !same(shadow_flags, 3) ||
	    !same(proc_ctls, 0x80000080u))
		return 7;

	hv_apic_state_ext_t apic = {};
	apic.version = HV_APIC_STATE_EXT_VER;
	apic.state.boot_state = HV_BS_RUNNING;
	if (!same(apic.state.boot_state, 2))
		return 8;
	return 0;
}
