/*
 * OpenHV - an implementation of the Intel Hypervisor.framework API for Linux.
 *
 * hv.h: virtual machine, memory and vCPU management.
 *
 * One virtual machine exists per process.  A vCPU belongs to the thread that
 * created it; unless noted otherwise, every hv_vcpu_* function must be called
 * on that owning thread.  Every function returns HV_SUCCESS or an HV_* error
 * code (see hv_error.h), except hv_tsc_clock().
 *
 * As on macOS, this header does not include hv_vmx.h: the VMCS accessors and
 * the HV_MSR_* constants are declared there.
 */

#ifndef __HYPERVISOR_HV__
#define __HYPERVISOR_HV__

#include <Hypervisor/hv_base.h>
#include <Hypervisor/hv_error.h>
#include <Hypervisor/hv_types.h>
#include <Hypervisor/hv_arch_x86.h>
#include <Hypervisor/hv_intr.h>
#include <Hypervisor/hv_vm_allocate.h>

#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wnullability-completeness"
#pragma clang diagnostic ignored "-Wnullability-extension"
#endif

__BEGIN_DECLS
OS_ASSUME_NONNULL_BEGIN

#define __HV_10_10 __API_AVAILABLE(macos(10.10))
#define __HV_10_15 __API_AVAILABLE(macos(10.15))
#define __HV_11_0 __API_AVAILABLE(macos(11.0))
#define __HV_12_0 __API_AVAILABLE(macos(12.0))

/* ------------------------------------------------------------------------ */
/* Capabilities and VM lifecycle                                            */
/* ------------------------------------------------------------------------ */

/* Stores the value of a system capability (HV_CAP_*) in *value. */
OS_EXPORT hv_return_t hv_capability(hv_capability_t capability,
	uint64_t *value) __HV_10_15;

/* Creates the virtual machine of the current process (HV_VM_* options). */
OS_EXPORT hv_return_t hv_vm_create(hv_vm_options_t flags) __HV_10_10;

/* Destroys the virtual machine of the current process. */
OS_EXPORT hv_return_t hv_vm_destroy(void) __HV_10_10;

/* ------------------------------------------------------------------------ */
/* Guest physical memory (default address space)                            */
/* ------------------------------------------------------------------------ */

/*
 * Maps [uva, uva + size) of the process into guest-physical memory at gpa
 * with the given HV_MEMORY_* permissions.  uva and gpa must be page aligned
 * and size a multiple of the page size.
 */
OS_EXPORT hv_return_t hv_vm_map(hv_uvaddr_t uva, hv_gpaddr_t gpa,
	size_t size, hv_memory_flags_t flags) __HV_10_10;

/* Unmaps a guest-physical range. */
OS_EXPORT hv_return_t hv_vm_unmap(hv_gpaddr_t gpa, size_t size) __HV_10_10;

/* Changes the permissions of a mapped guest-physical range. */
OS_EXPORT hv_return_t hv_vm_protect(hv_gpaddr_t gpa, size_t size,
	hv_memory_flags_t flags) __HV_10_10;

/* ------------------------------------------------------------------------ */
/* Additional guest-physical address spaces                                 */
/* ------------------------------------------------------------------------ */

/* Creates an address space and stores its identifier in *asid. */
OS_EXPORT hv_return_t hv_vm_space_create(hv_vm_space_t *asid) __HV_10_15;

/* Destroys an address space. */
OS_EXPORT hv_return_t hv_vm_space_destroy(hv_vm_space_t asid) __HV_10_15;

/* hv_vm_map() on a given address space. */
OS_EXPORT hv_return_t hv_vm_map_space(hv_vm_space_t asid, hv_uvaddr_t uva,
	hv_gpaddr_t gpa, size_t size, hv_memory_flags_t flags) __HV_10_15;

/* hv_vm_unmap() on a given address space. */
OS_EXPORT hv_return_t hv_vm_unmap_space(hv_vm_space_t asid, hv_gpaddr_t gpa,
	size_t size) __HV_10_15;

/* hv_vm_protect() on a given address space. */
OS_EXPORT hv_return_t hv_vm_protect_space(hv_vm_space_t asid, hv_gpaddr_t gpa,
	size_t size, hv_memory_flags_t flags) __HV_10_15;

/* ------------------------------------------------------------------------ */
/* TSC                                                                      */
/* ------------------------------------------------------------------------ */

/* Sets the guest TSC of all vCPUs to 'tsc' in a synchronized way. */
OS_EXPORT hv_return_t hv_vm_sync_tsc(uint64_t tsc) __HV_10_10;

/* ------------------------------------------------------------------------ */
/* Port-IO notifiers                                                        */
/* ------------------------------------------------------------------------ */

/*
 * Requests that guest port-IO writes matching (addr, size, value), subject to
 * the HV_ION_* flags, are reported as hv_ion_message_t messages on mach_port
 * instead of VM exits.
 */
OS_EXPORT hv_return_t hv_vm_add_pio_notifier(uint16_t addr, size_t size,
	uint32_t value, mach_port_t mach_port, hv_ion_flags_t flags) __HV_11_0;

/* Removes a notifier; the arguments must equal those used to add it. */
OS_EXPORT hv_return_t hv_vm_remove_pio_notifier(uint16_t addr, size_t size,
	uint32_t value, mach_port_t mach_port, hv_ion_flags_t flags) __HV_11_0;

/* ------------------------------------------------------------------------ */
/* vCPU lifecycle                                                           */
/* ------------------------------------------------------------------------ */

/* Creates a vCPU owned by the calling thread; stores its id in *vcpu. */
OS_EXPORT hv_return_t hv_vcpu_create(hv_vcpuid_t *vcpu,
	hv_vcpu_options_t flags) __HV_10_10;

/* Destroys a vCPU (owning thread). */
OS_EXPORT hv_return_t hv_vcpu_destroy(hv_vcpuid_t vcpu) __HV_10_10;

/* Selects the guest-physical address space the vCPU runs on. */
OS_EXPORT hv_return_t hv_vcpu_set_space(hv_vcpuid_t vcpu,
	hv_vm_space_t asid) __HV_10_15;

/* ------------------------------------------------------------------------ */
/* Registers and FPU state                                                  */
/* ------------------------------------------------------------------------ */

/* Reads an architectural register of a vCPU. */
OS_EXPORT hv_return_t hv_vcpu_read_register(hv_vcpuid_t vcpu,
	hv_x86_reg_t reg, uint64_t *value) __HV_10_10;

/* Writes an architectural register of a vCPU. */
OS_EXPORT hv_return_t hv_vcpu_write_register(hv_vcpuid_t vcpu,
	hv_x86_reg_t reg, uint64_t value) __HV_10_10;

/* Copies out the FPU/SIMD state of a vCPU (XSAVE layout of the host). */
OS_EXPORT hv_return_t hv_vcpu_read_fpstate(hv_vcpuid_t vcpu, void *buffer,
	size_t size) __HV_10_10;

/* Loads the FPU/SIMD state of a vCPU (XSAVE layout of the host). */
OS_EXPORT hv_return_t hv_vcpu_write_fpstate(hv_vcpuid_t vcpu, void *buffer,
	size_t size) __HV_10_10;

/* ------------------------------------------------------------------------ */
/* MSRs                                                                     */
/* ------------------------------------------------------------------------ */

/* Enables or disables native guest access to an MSR. */
OS_EXPORT hv_return_t hv_vcpu_enable_native_msr(hv_vcpuid_t vcpu,
	uint32_t msr, bool enable) __HV_10_10;

/* Binds (enable = true) or unbinds a managed MSR to/from the vCPU. */
OS_EXPORT hv_return_t hv_vcpu_enable_managed_msr(hv_vcpuid_t vcpu,
	uint32_t msr, bool enable) __HV_11_0;

/* Sets the guest's native access (HV_MSR_NONE/READ/WRITE) to a managed MSR. */
OS_EXPORT hv_return_t hv_vcpu_set_msr_access(hv_vcpuid_t vcpu, uint32_t msr,
	hv_msr_flags_t flags) __HV_11_0;

/* Reads the vCPU's value of an MSR. */
OS_EXPORT hv_return_t hv_vcpu_read_msr(hv_vcpuid_t vcpu, uint32_t msr,
	uint64_t *value) __HV_10_10;

/* Writes the vCPU's value of an MSR. */
OS_EXPORT hv_return_t hv_vcpu_write_msr(hv_vcpuid_t vcpu, uint32_t msr,
	uint64_t value) __HV_10_10;

/* ------------------------------------------------------------------------ */
/* Execution                                                                */
/* ------------------------------------------------------------------------ */

/* Has no effect; always returns HV_UNSUPPORTED (deprecated in macOS 11). */
OS_EXPORT hv_return_t hv_vcpu_flush(hv_vcpuid_t vcpu)
	__API_DEPRECATED("This API has no effect and always returns HV_UNSUPPORTED", macos(10.10, 11.0));

/* Invalidates the guest translations cached for the vCPU. */
OS_EXPORT hv_return_t hv_vcpu_invalidate_tlb(hv_vcpuid_t vcpu) __HV_10_10;

/*
 * Runs the vCPU until the next VM exit, including exits the hypervisor
 * already handled itself.  The exit information is read from the VMCS.
 */
OS_EXPORT hv_return_t hv_vcpu_run(hv_vcpuid_t vcpu);

/*
 * Runs the vCPU until an exit that needs the caller's attention, or at the
 * latest until 'deadline' (absolute, in mach_absolute_time units; on Linux:
 * CLOCK_MONOTONIC nanoseconds).  HV_DEADLINE_FOREVER means no deadline.
 */
OS_EXPORT hv_return_t hv_vcpu_run_until(hv_vcpuid_t vcpu,
	uint64_t deadline) __HV_10_15;

/* Forces an immediate exit of the given vCPUs; callable from any thread. */
OS_EXPORT hv_return_t hv_vcpu_interrupt(hv_vcpuid_t *vcpus,
	unsigned int vcpu_count) __HV_10_10;

/* Stores the cumulative guest execution time of the vCPU (ns) in *time. */
OS_EXPORT hv_return_t hv_vcpu_get_exec_time(hv_vcpuid_t vcpu,
	uint64_t *time) __HV_10_10;

/* Stores the cumulative time the vCPU spent idle in the kernel (ns). */
OS_EXPORT hv_return_t hv_vcpu_get_idle_time(hv_vcpuid_t vcpu,
	uint64_t *time) __HV_12_0;

/* Stores the ZF/CF flags of the last failed VM entry in *status. */
OS_EXPORT hv_return_t hv_vcpu_vmx_status(hv_vcpuid_t vcpu,
	uint32_t *status) __HV_12_0;

/* ------------------------------------------------------------------------ */
/* TSC clock                                                                */
/* ------------------------------------------------------------------------ */

/* Monotonic clock ticking at the host TSC rate, plus a constant offset. */
OS_EXPORT uint64_t hv_tsc_clock(void) __HV_11_0;

/* Makes the guest TSC of the vCPU read hv_tsc_clock() + offset. */
OS_EXPORT hv_return_t hv_vcpu_set_tsc_relative(hv_vcpuid_t vcpu,
	int64_t offset) __HV_11_0;

/* ------------------------------------------------------------------------ */
/* In-kernel interrupt controllers (HV_VM_ACCEL_APIC, macOS 12)             */
/* ------------------------------------------------------------------------ */

/* Delivers an interrupt to a vCPU's local APIC; callable from any thread. */
OS_EXPORT hv_return_t hv_vm_lapic_set_intr(hv_vcpuid_t vcpu, uint8_t vector,
	hv_apic_intr_trigger_t trig) __HV_12_0;

/* Delivers a message-signalled interrupt. */
OS_EXPORT hv_return_t hv_vm_lapic_msi(uint64_t addr, uint64_t data) __HV_12_0;

/* Raises an IOAPIC input pin. */
OS_EXPORT hv_return_t hv_vm_ioapic_assert_irq(int intin) __HV_12_0;

/* Lowers an IOAPIC input pin. */
OS_EXPORT hv_return_t hv_vm_ioapic_deassert_irq(int intin) __HV_12_0;

/* Raises, then lowers an IOAPIC input pin. */
OS_EXPORT hv_return_t hv_vm_ioapic_pulse_irq(int intin) __HV_12_0;

/* Reads a 32-bit IOAPIC register by guest-physical address. */
OS_EXPORT hv_return_t hv_vm_ioapic_read(hv_gpaddr_t gpa,
	uint32_t *datap) __HV_12_0;

/* Writes a 32-bit IOAPIC register by guest-physical address. */
OS_EXPORT hv_return_t hv_vm_ioapic_write(hv_gpaddr_t gpa,
	uint32_t data) __HV_12_0;

/* Saves the IOAPIC state (state->version = HV_IOAPIC_STATE_EXT_VER). */
OS_EXPORT hv_return_t hv_vm_ioapic_get_state(
	hv_ioapic_state_ext_t *state) __HV_12_0;

/* Validates and restores the IOAPIC state. */
OS_EXPORT hv_return_t hv_vm_ioapic_put_state(
	const hv_ioapic_state_ext_t *state) __HV_12_0;

/* Injects an interrupt described in IOAPIC redirection-entry format. */
OS_EXPORT hv_return_t hv_vm_send_ioapic_intr(uint64_t data) __HV_12_0;

/* Raises an 8259 ATPIC input pin. */
OS_EXPORT hv_return_t hv_vm_atpic_assert_irq(int irq) __HV_12_0;

/* Lowers an 8259 ATPIC input pin. */
OS_EXPORT hv_return_t hv_vm_atpic_deassert_irq(int irq) __HV_12_0;

/* Emulates an IO-port read of the ATPIC. */
OS_EXPORT hv_return_t hv_vm_atpic_port_read(int port, uint8_t *valuep);

/* Emulates an IO-port write of the ATPIC. */
OS_EXPORT hv_return_t hv_vm_atpic_port_write(int port, uint8_t value);

/* Saves the primary or secondary ATPIC state (HV_ATPIC_STATE_EXT_VER). */
OS_EXPORT hv_return_t hv_vm_atpic_get_state(hv_atpic_state_ext_t *state,
	bool is_primary) __HV_12_0;

/* Restores the primary or secondary ATPIC state. */
OS_EXPORT hv_return_t hv_vm_atpic_put_state(const hv_atpic_state_ext_t *state,
	bool is_primary) __HV_12_0;

/* Sets the APIC timer frequency in Hz (VM without vCPUs only). */
OS_EXPORT hv_return_t hv_vm_set_apic_bus_freq(uint64_t freq) __HV_12_0;

/* Injects an external interrupt through the VMCS (one at a time). */
OS_EXPORT hv_return_t hv_vcpu_inject_extint(hv_vcpuid_t vcpu) __HV_12_0;

/* Reads a local APIC register at byte offset 'offset' of the APIC page. */
OS_EXPORT hv_return_t hv_vcpu_apic_read(hv_vcpuid_t vcpu, uint32_t offset,
	uint32_t *data) __HV_12_0;

/*
 * Writes a local APIC register; *no_side_effect is false when the caller
 * must handle side effects (see hv_vcpu_exit_info()).
 */
OS_EXPORT hv_return_t hv_vcpu_apic_write(hv_vcpuid_t vcpu, uint32_t offset,
	uint32_t data, bool *no_side_effect) __HV_12_0;

/* Saves the local APIC state (state->version = HV_APIC_STATE_EXT_VER). */
OS_EXPORT hv_return_t hv_vcpu_apic_get_state(hv_vcpuid_t vcpu,
	hv_apic_state_ext_t *state) __HV_12_0;

/* Validates and restores the local APIC state. */
OS_EXPORT hv_return_t hv_vcpu_apic_put_state(hv_vcpuid_t vcpu,
	const hv_apic_state_ext_t *state) __HV_12_0;

/* Tells which HV_VM_EXITINFO_* information describes the last exit. */
OS_EXPORT hv_return_t hv_vcpu_exit_info(hv_vcpuid_t vcpu,
	hv_vm_exitinfo_t *code) __HV_12_0;

/* HV_VM_EXITINFO_INIT_AP: marks (by vCPU id) the targets of the INIT. */
OS_EXPORT hv_return_t hv_vcpu_exit_init_ap(hv_vcpuid_t vcpu,
	bool is_actv[_Nonnull], unsigned count) __HV_12_0;

/* HV_VM_EXITINFO_STARTUP_AP: targets of the startup IPI and start RIP. */
OS_EXPORT hv_return_t hv_vcpu_exit_startup_ap(hv_vcpuid_t vcpu,
	bool is_actv[_Nonnull], unsigned count, uint64_t *ap_rip) __HV_12_0;

/* HV_VM_EXITINFO_IOAPIC_EOI: vector of the EOI. */
OS_EXPORT hv_return_t hv_vcpu_exit_ioapic_eoi(hv_vcpuid_t vcpu,
	uint8_t *vec) __HV_12_0;

/* HV_VM_EXITINFO_APIC_ACCESS_READ: value of the APIC register being read. */
OS_EXPORT hv_return_t hv_vcpu_exit_apic_access_read(hv_vcpuid_t vcpu,
	uint32_t *value) __HV_12_0;

/* HV_VM_EXITINFO_INJECT_EXCP: exception to reflect into the guest. */
OS_EXPORT hv_return_t hv_vcpu_exit_inject_excp(hv_vcpuid_t vcpu, uint8_t *vec,
	bool *valid, uint32_t *code, bool *restart) __HV_12_0;

/*
 * Adds an APIC load/store cache entry: an APIC access by the instruction at
 * (cs, rip, ilen) is completed in the kernel as a 32-bit MOV to/from 'reg'.
 * uva holds 0-2 page-aligned host addresses of the instruction's pages.
 */
OS_EXPORT hv_return_t hv_vcpu_apic_lsc_enter_r32(hv_vcpuid_t vcpu,
	bool is_load, uint64_t rip, unsigned ilen, uint16_t cs, hv_x86_reg_t reg,
	uint64_t uva[_Nullable], unsigned count) __HV_12_0;

/* Same as hv_vcpu_apic_lsc_enter_r32() for a store of an immediate. */
OS_EXPORT hv_return_t hv_vcpu_apic_lsc_enter_imm32(hv_vcpuid_t vcpu,
	uint64_t rip, unsigned ilen, uint16_t cs, uint32_t imm32,
	uint64_t uva[_Nullable], unsigned count) __HV_12_0;

/* Drops all APIC load/store cache entries of the vCPU. */
OS_EXPORT hv_return_t hv_vcpu_apic_lsc_invalidate(hv_vcpuid_t vcpu) __HV_12_0;

/* Sets HV_APIC_CTRL_* options of the vCPU's local APIC. */
OS_EXPORT hv_return_t hv_vcpu_apic_ctrl(hv_vcpuid_t vcpu,
	hv_apic_ctrl_t ctrls) __HV_12_0;

/* Makes an LVT entry (HV_APIC_LVT_FLAVOR_TIMER only) raise its interrupt. */
OS_EXPORT hv_return_t hv_vcpu_apic_trigger_lvt(hv_vcpuid_t vcpu,
	hv_apic_lvt_flavor_t flavor) __HV_12_0;

#undef __HV_10_10
#undef __HV_10_15
#undef __HV_11_0
#undef __HV_12_0

OS_ASSUME_NONNULL_END
__END_DECLS

#ifdef __clang__
#pragma clang diagnostic pop
#endif

#endif /* __HYPERVISOR_HV__ */
