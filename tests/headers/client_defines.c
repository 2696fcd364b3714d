/*
 * OpenHV header test: programs such as xhyve and QEMU include Apple's
 * headers and then their own VMX header, which #defines some of the same
 * names (VMCS field encodings, exit reasons, control bits) with the same
 * values.  That only works because the Hypervisor headers declare those
 * names as enumeration constants, not macros.  This file reproduces the
 * pattern and must compile without diagnostics:
 *
 *   gcc   -std=c17 -Wall -Wextra -Werror -Iinclude -c tests/headers/client_defines.c
 *   clang -std=c17 -Wall -Wextra -Werror -Iinclude -c tests/headers/client_defines.c
 *   g++ / clang++ -x c++ -std=c++17 -Wall -Wextra -Werror (same file)
 *
 * It is also clean under clang -Weverything with the exceptions listed in
 * use_all.c.
 */

#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>

#include <stdint.h>
#include <stdio.h>

/* --- the client's own definitions (spelled the way such clients do) --- */

/* VMCS field encodings */
#define VMCS_GUEST_RIP 0x0000681E
#define VMCS_GUEST_RSP 0x0000681C
#define VMCS_GUEST_RFLAGS 0x00006820
#define VMCS_GUEST_CR0 0x00006800
#define VMCS_GUEST_IA32_EFER 0x00002806
#define VMCS_CTRL_PIN_BASED 0x00004000
#define VMCS_CTRL_CPU_BASED 0x00004002
#define VMCS_CTRL_CPU_BASED2 0x0000401E
#define VMCS_CTRL_VMENTRY_CONTROLS 0x00004012
#define VMCS_RO_EXIT_REASON 0x00004402
#define VMCS_RO_EXIT_QUALIFIC 0x00006400
#define VMCS_RO_VMEXIT_INSTR_LEN 0x0000440C
#define VMCS_GUEST_PHYSICAL_ADDRESS 0x00002400

/* exit reasons */
#define VMX_REASON_EXC_NMI 0
#define VMX_REASON_IRQ 1
#define VMX_REASON_CPUID 10
#define VMX_REASON_HLT 12
#define VMX_REASON_IO 30
#define VMX_REASON_RDMSR 31
#define VMX_REASON_WRMSR 32
#define VMX_REASON_EPT_VIOLATION 48

/* control bits */
#define PIN_BASED_INTR (1u << 0)
#define PIN_BASED_NMI (1u << 3)
#define CPU_BASED_HLT (1u << 7)
#define CPU_BASED_CR8_LOAD (1u << 19)
#define CPU_BASED_CR8_STORE (1u << 20)
#define CPU_BASED_TPR_SHADOW (1u << 21)
#define CPU_BASED_SECONDARY_CTLS (1u << 31)
#define CPU_BASED2_EPT (1u << 1)
#define CPU_BASED2_UNRESTRICTED (1u << 7)
#define VMENTRY_GUEST_IA32E (1u << 9)
#define IRQ_INFO_VALID (1u << 31)

/* MSRs */
#define HV_MSR_IA32_EFER 0xc0000080u

/* --- code using the client's macros together with the OpenHV API --- */

#ifdef __cplusplus
#define CLIENT_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define CLIENT_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif

/* The client's macros carry the same values as the OpenHV constants. */
CLIENT_STATIC_ASSERT(VMCS_GUEST_RIP == 0x681e && VMCS_RO_EXIT_REASON == 0x4402, "VMCS");
CLIENT_STATIC_ASSERT(CPU_BASED_SECONDARY_CTLS == 0x80000000u && PIN_BASED_NMI == 8u, "controls");
CLIENT_STATIC_ASSERT(HV_BAD_ARGUMENT == (hv_return_t)0xfae94003u, "HV_BAD_ARGUMENT");

/* Fields a client dumps when it reports an unexpected exit. */
static const uint32_t dump_fields[] = {
	VMCS_GUEST_RIP, VMCS_GUEST_RSP, VMCS_GUEST_RFLAGS, VMCS_GUEST_CR0,
	VMCS_GUEST_IA32_EFER, VMCS_CTRL_PIN_BASED, VMCS_CTRL_CPU_BASED,
	VMCS_CTRL_CPU_BASED2, VMCS_CTRL_VMENTRY_CONTROLS, VMCS_RO_EXIT_REASON,
	VMCS_RO_EXIT_QUALIFIC, VMCS_RO_VMEXIT_INSTR_LEN,
	VMCS_GUEST_PHYSICAL_ADDRESS
};

static const uint32_t wanted_pin = PIN_BASED_INTR | PIN_BASED_NMI;
static const uint32_t wanted_entry = VMENTRY_GUEST_IA32E;
static const uint32_t wanted_proc_apic = CPU_BASED_TPR_SHADOW;
static const uint32_t event_valid = IRQ_INFO_VALID;

/* Legal control word from a capability: (wanted | allowed-0) & allowed-1. */
static uint32_t cap2ctrl(uint64_t cap, uint32_t wanted)
{
	return (uint32_t)((wanted | (cap & 0xffffffffu)) & (cap >> 32));
}

static const char *describe_exit(uint64_t reason)
{
	switch (reason & 0xffff) {
	case VMX_REASON_EXC_NMI: return "exception or NMI";
	case VMX_REASON_IRQ: return "external interrupt";
	case VMX_REASON_CPUID: return "CPUID";
	case VMX_REASON_HLT: return "HLT";
	case VMX_REASON_IO: return "port IO";
	case VMX_REASON_RDMSR: return "RDMSR";
	case VMX_REASON_WRMSR: return "WRMSR";
	case VMX_REASON_EPT_VIOLATION: return "EPT violation";
	default: return "other";
	}
}

/* One step of a typical run loop; only executed when asked to. */
static hv_return_t run_once(hv_vcpuid_t vcpu)
{
	uint64_t cap = 0, reason = 0, len = 0, rip = 0, rax = 0;
	hv_return_t ret;

	ret = hv_vmx_read_capability(HV_VMX_CAP_PROCBASED, &cap);
	if (ret != HV_SUCCESS)
		return ret;
	ret = hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_CPU_BASED,
		cap2ctrl(cap, CPU_BASED_HLT | CPU_BASED_CR8_LOAD |
			CPU_BASED_CR8_STORE | CPU_BASED_SECONDARY_CTLS));
	if (ret != HV_SUCCESS)
		return ret;
	ret = hv_vmx_read_capability(HV_VMX_CAP_PROCBASED2, &cap);
	if (ret != HV_SUCCESS)
		return ret;
	ret = hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_CPU_BASED2,
		cap2ctrl(cap, CPU_BASED2_EPT | CPU_BASED2_UNRESTRICTED));
	if (ret != HV_SUCCESS)
		return ret;
	ret = hv_vcpu_enable_native_msr(vcpu, HV_MSR_IA32_EFER, false);
	if (ret != HV_SUCCESS && ret != HV_BAD_ARGUMENT)
		return ret;

	ret = hv_vcpu_run_until(vcpu, HV_DEADLINE_FOREVER);
	if (ret != HV_SUCCESS)
		return ret;
	hv_vmx_vcpu_read_vmcs(vcpu, VMCS_RO_EXIT_REASON, &reason);
	hv_vmx_vcpu_read_vmcs(vcpu, VMCS_RO_VMEXIT_INSTR_LEN, &len);
	hv_vmx_vcpu_read_vmcs(vcpu, VMCS_GUEST_RIP, &rip);
	hv_vcpu_read_register(vcpu, HV_X86_RAX, &rax);
	printf("exit: %s, rax=%#llx\n", describe_exit(reason),
		(unsigned long long)rax);
	if ((reason & 0xffff) == VMX_REASON_HLT)
		return hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_RIP, rip + len);
	return HV_SUCCESS;
}

int main(int argc, char **argv)
{
	(void)argv;

	if (cap2ctrl(0xffffffff00000016ull, CPU_BASED_HLT) != 0x96u)
		return 1;
	if (describe_exit(0x8000000cull)[0] != 'H')
		return 2;
	if (dump_fields[0] != 0x681e || sizeof(dump_fields) / sizeof(dump_fields[0]) != 13)
		return 3;
	if (cap2ctrl(~0ull, wanted_pin | wanted_proc_apic) != 0xffffffffu ||
	    (wanted_entry | event_valid) != 0x80000200u)
		return 4;

	/* With an argument, exercise the API on an existing vCPU 0. */
	if (argc > 1)
		return run_once(0) == HV_SUCCESS ? 0 : 5;
	return 0;
}
