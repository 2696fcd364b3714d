/*
 * OpenHV - an implementation of the Intel Hypervisor.framework API for Linux.
 *
 * hv_arch_x86.h: x86 architectural registers of a vCPU, as used by
 * hv_vcpu_read_register() / hv_vcpu_write_register().
 */

#ifndef __HYPERVISOR_HV_ARCH_X86__
#define __HYPERVISOR_HV_ARCH_X86__

/*
 * The numbering is part of the ABI: programs store these values and index
 * tables with them.  Segment selectors only (no segment bases, limits or
 * access rights other than those of LDTR and TR); descriptor tables as base
 * and limit; HV_X86_REGISTERS_MAX counts the registers.
 */
typedef enum {
	HV_X86_RIP = 0,
	HV_X86_RFLAGS = 1,
	HV_X86_RAX = 2,
	HV_X86_RCX = 3,
	HV_X86_RDX = 4,
	HV_X86_RBX = 5,
	HV_X86_RSI = 6,
	HV_X86_RDI = 7,
	HV_X86_RSP = 8,
	HV_X86_RBP = 9,
	HV_X86_R8 = 10,
	HV_X86_R9 = 11,
	HV_X86_R10 = 12,
	HV_X86_R11 = 13,
	HV_X86_R12 = 14,
	HV_X86_R13 = 15,
	HV_X86_R14 = 16,
	HV_X86_R15 = 17,
	HV_X86_CS = 18,
	HV_X86_SS = 19,
	HV_X86_DS = 20,
	HV_X86_ES = 21,
	HV_X86_FS = 22,
	HV_X86_GS = 23,
	HV_X86_IDT_BASE = 24,
	HV_X86_IDT_LIMIT = 25,
	HV_X86_GDT_BASE = 26,
	HV_X86_GDT_LIMIT = 27,
	HV_X86_LDTR = 28,
	HV_X86_LDT_BASE = 29,
	HV_X86_LDT_LIMIT = 30,
	HV_X86_LDT_AR = 31,
	HV_X86_TR = 32,
	HV_X86_TSS_BASE = 33,
	HV_X86_TSS_LIMIT = 34,
	HV_X86_TSS_AR = 35,
	HV_X86_CR0 = 36,
	HV_X86_CR1 = 37,
	HV_X86_CR2 = 38,
	HV_X86_CR3 = 39,
	HV_X86_CR4 = 40,
	HV_X86_DR0 = 41,
	HV_X86_DR1 = 42,
	HV_X86_DR2 = 43,
	HV_X86_DR3 = 44,
	HV_X86_DR4 = 45,
	HV_X86_DR5 = 46,
	HV_X86_DR6 = 47,
	HV_X86_DR7 = 48,
	HV_X86_TPR = 49,
	HV_X86_XCR0 = 50,
	HV_X86_REGISTERS_MAX = 51
} hv_x86_reg_t;

#endif /* __HYPERVISOR_HV_ARCH_X86__ */
