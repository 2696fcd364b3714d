/*
 * OpenHV - an implementation of the Intel Hypervisor.framework API for Linux.
 *
 * hv_types.h: basic types and flag values shared by the Hypervisor headers.
 */

#ifndef __HYPERVISOR_HV_TYPES__
#define __HYPERVISOR_HV_TYPES__

#include <Hypervisor/hv_base.h>

__BEGIN_DECLS

/* ------------------------------------------------------------------------ */
/* Port-IO notifier flags (Apple: <Kernel/kern/hv_io_notifier.h>)           */
/* ------------------------------------------------------------------------ */

enum {
	kHV_ION_NONE = (0u << 0),      /* match address, size and value */
	kHV_ION_ANY_VALUE = (1u << 1), /* ignore the written value */
	kHV_ION_ANY_SIZE = (1u << 2),  /* ignore the access size */
	kHV_ION_EXIT_FULL = (1u << 3)  /* fall back to a VM exit if the queue is full */
};

/* ------------------------------------------------------------------------ */
/* Basic types                                                              */
/* ------------------------------------------------------------------------ */

/* Identifier of a vCPU (Apple's comment calls it "hv_vcpu_id_t"). */
typedef unsigned hv_vcpuid_t;

/* Host (user) virtual address. */
typedef const void *hv_uvaddr_t;

/* Guest physical address. */
typedef uint64_t hv_gpaddr_t;

/* Identifier of a guest-physical address space. */
typedef unsigned hv_vm_space_t;

enum {
	/* The default address space, present in every VM. */
	HV_VM_SPACE_DEFAULT = 0ull
};

/* System capabilities queried with hv_capability(). */
typedef uint64_t hv_capability_t;

enum {
	HV_CAP_VCPUMAX = 0,     /* maximum number of vCPUs per VM */
	HV_CAP_ADDRSPACEMAX = 1 /* maximum number of address spaces per VM */
};

/* Options of hv_vm_create(). */
typedef uint64_t hv_vm_options_t;

enum {
	HV_VM_DEFAULT = (0ull << 0),
	HV_VM_SPECIFY_MITIGATIONS = (1ull << 0),
	HV_VM_MITIGATION_A_ENABLE = (1ull << 1),
	HV_VM_MITIGATION_B_ENABLE = (1ull << 2),
	HV_VM_MITIGATION_C_ENABLE = (1ull << 3),
	HV_VM_MITIGATION_D_ENABLE = (1ull << 4),
	/* bit 5 is not assigned */
	HV_VM_MITIGATION_E_ENABLE = (1ull << 6),
	/* in-kernel virtual LAPIC / IOAPIC / ATPIC (macOS 12) */
	HV_VM_ACCEL_APIC = (1ull << 10)
};

/* Options of hv_vcpu_create(). */
typedef uint64_t hv_vcpu_options_t;

enum {
	HV_VCPU_DEFAULT = (0ull << 0),
	/* RDPMC exits are handled by the hypervisor itself */
	HV_VCPU_ACCEL_RDPMC = (1ull << 0),
	/* guest TSC is hv_tsc_clock() + offset (hv_vcpu_set_tsc_relative) */
	HV_VCPU_TSC_RELATIVE = (1ull << 1)
};

/* Guest memory permissions of hv_vm_map() / hv_vm_protect(). */
typedef uint64_t hv_memory_flags_t;

enum {
	HV_MEMORY_READ = (1ull << 0),
	HV_MEMORY_WRITE = (1ull << 1),
	HV_MEMORY_EXEC = (1ull << 2),
	HV_MEMORY_UEXEC = (1ull << 3),
	HV_MEMORY_MAXPROT = (1ull << 4),
	HV_MEMORY_MAXPROT_READ = (1ull << 5),
	HV_MEMORY_MAXPROT_WRITE = (1ull << 6),
	HV_MEMORY_MAXPROT_EXEC = (1ull << 7),
	HV_MEMORY_MAXPROT_UEXEC = (1ull << 8)
};

/* Guest access permissions of a managed MSR (hv_vcpu_set_msr_access()). */
typedef uint32_t hv_msr_flags_t;

enum {
	HV_MSR_NONE = 0,
	HV_MSR_READ = (1u << 0),
	HV_MSR_WRITE = (1u << 1)
};

/* Flags of hv_vm_add_pio_notifier() / hv_vm_remove_pio_notifier(). */
typedef uint32_t hv_ion_flags_t;

enum {
	HV_ION_NONE = (0u << 0),
	HV_ION_ANY_VALUE = (1u << 1),
	HV_ION_ANY_SIZE = (1u << 2),
	HV_ION_EXIT_FULL = (1u << 3)
};

/*
 * Message delivered for a guest port-IO write that matches a notifier
 * (56 bytes: 24-byte header, three 64-bit fields, 8-byte trailer).
 */
typedef struct {
	mach_msg_header_t header;
	uint64_t addr;  /* port address written */
	uint64_t size;  /* access size in bytes */
	uint64_t value; /* value written */
	mach_msg_trailer_t trailer;
} hv_ion_message_t;

/* Deadline of hv_vcpu_run_until() meaning "no deadline". */
OPENHV_EXTENSION enum {
	HV_DEADLINE_FOREVER = (~0ull)
};

/* ------------------------------------------------------------------------ */
/* In-kernel interrupt controller support (macOS 12)                        */
/* ------------------------------------------------------------------------ */

/* Kind of additional information available for the last exit. */
OS_ENUM(hv_vm_exitinfo, uint32_t,
	HV_VM_EXITINFO_VMX = 1,
	HV_VM_EXITINFO_INIT_AP = 2,
	HV_VM_EXITINFO_STARTUP_AP = 3,
	HV_VM_EXITINFO_IOAPIC_EOI = 4,
	HV_VM_EXITINFO_INJECT_EXCP = 5,
	HV_VM_EXITINFO_SMI = 6,
	HV_VM_EXITINFO_APIC_ACCESS_READ = 7
);

/* Controls of the in-kernel local APIC (hv_vcpu_apic_ctrl()). */
OS_ENUM(hv_apic_ctrl, uint64_t,
	HV_APIC_CTRL_DEFAULT = 0,
	HV_APIC_CTRL_EOI_ICR_TPR = 1,
	HV_APIC_CTRL_GUEST_IDLE = 2,
	HV_APIC_CTRL_NO_TIMER = 4,
	HV_APIC_CTRL_IOAPIC_EOI = 8
);

/* LVT entries that hv_vcpu_apic_trigger_lvt() can fire. */
OS_ENUM(hv_apic_lvt_flavor, uint32_t,
	HV_APIC_LVT_FLAVOR_TIMER = 1
);

/* Trigger mode of hv_vm_lapic_set_intr(). */
OS_ENUM(hv_apic_intr_trigger, uint32_t,
	HV_APIC_EDGE_TRIGGER = 0,
	HV_APIC_EDGE_TRIGGER_AEOI = 1,
	HV_APIC_LEVEL_TRIGGER = 2
);

__END_DECLS

#endif /* __HYPERVISOR_HV_TYPES__ */
