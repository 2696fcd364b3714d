/*
 * The exit handlers: what a VMM does after hv_vcpu_run returns.  RIP is on
 * the exiting instruction; we advance it by the exit's instruction length
 * when an instruction was emulated, and leave it when an exception is
 * injected instead (the instruction faults and is not retired).
 */
#include "hvrun.h"

#include <stdio.h>

enum {
    RFLAGS_IF = 1u << 9, CR0_PE = 1u << 0, CR0_TS = 1u << 3, CR0_NE = 1u << 5,
    CR0_PG = 1u << 31, CR4_PAE = 1u << 5, CR4_VMXE = 1u << 13, EFER_LMA = 1u << 10,
    EXIT_REASON_ENTRY_FAILURE = 1u << 31, VECTOR_GP = 13, XCR0_X87_SSE_AVX = 7, XCR0_SSE = 2, XCR0_AVX = 4,
};

#define REASON_NAME(name) [VMX_REASON_##name] = #name,
static const char *const reason_names[EXIT_REASON_COUNT] = {
    REASON_NAME(EXC_NMI) REASON_NAME(IRQ) REASON_NAME(TRIPLE_FAULT) REASON_NAME(INIT)
    REASON_NAME(SIPI) REASON_NAME(IO_SMI) REASON_NAME(OTHER_SMI) REASON_NAME(IRQ_WND)
    REASON_NAME(VIRTUAL_NMI_WND) REASON_NAME(TASK) REASON_NAME(CPUID) REASON_NAME(GETSEC)
    REASON_NAME(HLT) REASON_NAME(INVD) REASON_NAME(INVLPG) REASON_NAME(RDPMC)
    REASON_NAME(RDTSC) REASON_NAME(RSM) REASON_NAME(VMCALL) REASON_NAME(VMCLEAR)
    REASON_NAME(VMLAUNCH) REASON_NAME(VMPTRLD) REASON_NAME(VMPTRST) REASON_NAME(VMREAD)
    REASON_NAME(VMRESUME) REASON_NAME(VMWRITE) REASON_NAME(VMOFF) REASON_NAME(VMON)
    REASON_NAME(MOV_CR) REASON_NAME(MOV_DR) REASON_NAME(IO) REASON_NAME(RDMSR)
    REASON_NAME(WRMSR) REASON_NAME(VMENTRY_GUEST) REASON_NAME(VMENTRY_MSR)
    REASON_NAME(MWAIT) REASON_NAME(MTF) REASON_NAME(MONITOR) REASON_NAME(PAUSE)
    REASON_NAME(VMENTRY_MC) REASON_NAME(TPR_THRESHOLD) REASON_NAME(APIC_ACCESS)
    REASON_NAME(VIRTUALIZED_EOI) REASON_NAME(GDTR_IDTR) REASON_NAME(LDTR_TR)
    REASON_NAME(EPT_VIOLATION) REASON_NAME(EPT_MISCONFIG) REASON_NAME(EPT_INVEPT)
    REASON_NAME(RDTSCP) REASON_NAME(VMX_TIMER_EXPIRED) REASON_NAME(INVVPID)
    REASON_NAME(WBINVD) REASON_NAME(XSETBV) REASON_NAME(APIC_WRITE) REASON_NAME(RDRAND)
    REASON_NAME(INVPCID) REASON_NAME(VMFUNC) REASON_NAME(ENCLS) REASON_NAME(RDSEED)
    REASON_NAME(PML_FULL) REASON_NAME(XSAVES) REASON_NAME(XRSTORS) REASON_NAME(SPP_EVENT)
    REASON_NAME(UMWAIT) REASON_NAME(TPAUSE)
};

const char *exit_reason_name(uint32_t reason)
{
    if (reason < EXIT_REASON_COUNT && reason_names[reason] != NULL)
        return reason_names[reason];
    return "UNKNOWN";
}

uint64_t hvrun_reg_get(hv_vcpuid_t vcpu, hv_x86_reg_t reg)
{
    uint64_t value = 0;
    hv_return_t r = hv_vcpu_read_register(vcpu, reg, &value);
    if (r != HV_SUCCESS)
        fprintf(stderr, "hvrun: hv_vcpu_read_register(%u, %d) failed: 0x%x\n", vcpu, (int)reg, (unsigned)r);
    return value;
}

void hvrun_reg_set(hv_vcpuid_t vcpu, hv_x86_reg_t reg, uint64_t value)
{
    hv_return_t r = hv_vcpu_write_register(vcpu, reg, value);
    if (r != HV_SUCCESS)
        fprintf(stderr, "hvrun: hv_vcpu_write_register(%u, %d) failed: 0x%x\n", vcpu, (int)reg, (unsigned)r);
}

uint64_t hvrun_vmcs_get(hv_vcpuid_t vcpu, uint32_t field)
{
    uint64_t value = 0;
    hv_return_t r = hv_vmx_vcpu_read_vmcs(vcpu, field, &value);
    if (r != HV_SUCCESS)
        fprintf(stderr, "hvrun: hv_vmx_vcpu_read_vmcs(%u, 0x%x) failed: 0x%x\n", vcpu, field, (unsigned)r);
    return value;
}

void hvrun_vmcs_set(hv_vcpuid_t vcpu, uint32_t field, uint64_t value)
{
    hv_return_t r = hv_vmx_vcpu_write_vmcs(vcpu, field, value);
    if (r != HV_SUCCESS)
        fprintf(stderr, "hvrun: hv_vmx_vcpu_write_vmcs(%u, 0x%x, 0x%llx) failed: 0x%x\n", vcpu, field,
                (unsigned long long)value, (unsigned)r);
}

void hvrun_advance_rip(hv_vcpuid_t vcpu)
{
    hvrun_reg_set(vcpu, HV_X86_RIP, hvrun_reg_get(vcpu, HV_X86_RIP) + hvrun_vmcs_get(vcpu, VMCS_RO_VMEXIT_INSTR_LEN));
}

void hvrun_inject_gp(hv_vcpuid_t vcpu)
{
    /* Real mode delivers no error code (and VM entry rejects one). */
    bool protected_mode = hvrun_vmcs_get(vcpu, VMCS_GUEST_CR0) & CR0_PE;
    uint64_t info = VECTOR_GP | IRQ_INFO_HARD_EXC | IRQ_INFO_VALID |
                    (protected_mode ? IRQ_INFO_ERROR_VALID : 0);
    hvrun_vmcs_set(vcpu, VMCS_CTRL_VMENTRY_EXC_ERROR, 0);
    hvrun_vmcs_set(vcpu, VMCS_CTRL_VMENTRY_IRQ_INFO, info);
}

/* General-purpose registers in instruction-encoding order. */
static const hv_x86_reg_t gpr_by_number[16] = {
    HV_X86_RAX, HV_X86_RCX, HV_X86_RDX, HV_X86_RBX, HV_X86_RSP, HV_X86_RBP, HV_X86_RSI, HV_X86_RDI,
    HV_X86_R8, HV_X86_R9, HV_X86_R10, HV_X86_R11, HV_X86_R12, HV_X86_R13, HV_X86_R14, HV_X86_R15,
};

static uint64_t edx_eax(hv_vcpuid_t id)
{
    return (hvrun_reg_get(id, HV_X86_RDX) << 32) | (hvrun_reg_get(id, HV_X86_RAX) & 0xffffffffu);
}

static void set_edx_eax(hv_vcpuid_t id, uint64_t value)
{
    hvrun_reg_set(id, HV_X86_RAX, value & 0xffffffffu);
    hvrun_reg_set(id, HV_X86_RDX, value >> 32);
}

/* With EPT, PAE paging outside long mode takes its PDPTEs from the VMCS;
 * a VMM that emulates a CR write must reload them from guest memory. */
static void reload_pdptes(struct machine *m, hv_vcpuid_t id)
{
    uint64_t cr0 = hvrun_vmcs_get(id, VMCS_GUEST_CR0), cr4 = hvrun_vmcs_get(id, VMCS_GUEST_CR4);
    if (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE) || (hvrun_vmcs_get(id, VMCS_GUEST_IA32_EFER) & EFER_LMA))
        return;
    const uint64_t *pdpt = hvrun_gpa_ptr(&m->mem, hvrun_vmcs_get(id, VMCS_GUEST_CR3) & 0xffffffe0u, 32);
    for (uint32_t i = 0; i < 4 && pdpt != NULL; i++)
        hvrun_vmcs_set(id, VMCS_GUEST_PDPTE0 + 2 * i, pdpt[i]);
}

static void write_cr0(struct machine *m, hv_vcpuid_t id, uint64_t value)
{
    uint64_t old = hvrun_vmcs_get(id, VMCS_GUEST_CR0);
    uint64_t cr0 = value | CR0_NE;       /* VMX fixed bit, hidden by the shadow */
    hvrun_vmcs_set(id, VMCS_CTRL_CR0_SHADOW, value);
    hvrun_vmcs_set(id, VMCS_GUEST_CR0, cr0);
    if ((old ^ cr0) & CR0_PG)
        hvrun_set_efer(id, hvrun_vmcs_get(id, VMCS_GUEST_IA32_EFER), cr0);
    reload_pdptes(m, id);
}

static void handle_mov_cr(struct machine *m, struct vcpu *v, uint64_t qual)
{
    hv_vcpuid_t id = v->id;
    unsigned cr = qual & 0xf, type = (qual >> 4) & 3;
    hv_x86_reg_t gpr = gpr_by_number[(qual >> 8) & 0xf];
    uint64_t shadow0 = hvrun_vmcs_get(id, VMCS_CTRL_CR0_SHADOW);
    switch (type) {
    case 0:                     /* MOV to CR */
        if (cr == 0) {
            write_cr0(m, id, hvrun_reg_get(id, gpr));
        } else if (cr == 3) {
            hvrun_vmcs_set(id, VMCS_GUEST_CR3, hvrun_reg_get(id, gpr));
            reload_pdptes(m, id);
        } else if (cr == 4) {
            uint64_t value = hvrun_reg_get(id, gpr);
            hvrun_vmcs_set(id, VMCS_CTRL_CR4_SHADOW, value);
            hvrun_vmcs_set(id, VMCS_GUEST_CR4, value | CR4_VMXE);
            reload_pdptes(m, id);
        } else if (cr == 8) {
            hvrun_reg_set(id, HV_X86_TPR, (hvrun_reg_get(id, gpr) & 0xf) << 4);
        }
        break;
    case 1:                     /* MOV from CR (only CR3 and CR8 can exit) */
        hvrun_reg_set(id, gpr, cr == 8 ? hvrun_reg_get(id, HV_X86_TPR) >> 4 : hvrun_vmcs_get(id, VMCS_GUEST_CR3));
        break;
    case 2:                     /* CLTS */
        write_cr0(m, id, shadow0 & ~(uint64_t)CR0_TS);
        break;
    case 3: {                   /* LMSW: loads MP/EM/TS, can set but not clear PE */
        uint64_t source = (qual >> 16) & 0xf;
        write_cr0(m, id, (shadow0 & ~0xeull) | source | (shadow0 & CR0_PE));
        break;
    }
    }
    hvrun_advance_rip(id);
}

static bool unhandled_msr(struct machine *m, struct vcpu *v, bool write, uint32_t index, uint64_t value)
{
    unsigned long long rip = hvrun_reg_get(v->id, HV_X86_RIP);
    if (cpuid_msr_of_other_vendor(v, index)) {
        hvrun_inject_gp(v->id);
        return true;
    }
    if (write)
        fprintf(stderr, "hvrun: unhandled WRMSR 0x%x value 0x%llx at RIP 0x%llx\n", index,
                (unsigned long long)value, rip);
    else
        fprintf(stderr, "hvrun: unhandled RDMSR 0x%x at RIP 0x%llx\n", index, rip);
    if (m->opt.msr_policy == MSR_POLICY_STOP) {
        machine_stop(m, STATUS_MSR_STOP);
        return false;
    }
    hvrun_inject_gp(v->id);
    return true;
}

static bool fatal(struct machine *m, int status)
{
    machine_stop(m, status);
    return false;
}

static bool dispatch_exit(struct machine *m, struct vcpu *v, uint32_t reason, uint64_t qual, uint64_t rip)
{
    hv_vcpuid_t id = v->id;

    switch (reason) {
    case VMX_REASON_IRQ:
    case VMX_REASON_VMX_TIMER_EXPIRED:
        return true;
    case VMX_REASON_IO:
        if (!hvrun_handle_io(m, v, qual))
            return fatal(m, STATUS_ERROR);
        return true;
    case VMX_REASON_CPUID: {
        uint32_t out[4], leaf = (uint32_t)hvrun_reg_get(id, HV_X86_RAX);
        uint32_t subleaf = (uint32_t)hvrun_reg_get(id, HV_X86_RCX);
        cpuid_answer(m, v, leaf, subleaf, out);
        if (m->opt.trace)
            snprintf(v->trace, sizeof v->trace, "leaf 0x%x.%u -> %08x %08x %08x %08x", leaf, subleaf,
                     out[0], out[1], out[2], out[3]);
        hvrun_reg_set(id, HV_X86_RAX, out[0]);
        hvrun_reg_set(id, HV_X86_RBX, out[1]);
        hvrun_reg_set(id, HV_X86_RCX, out[2]);
        hvrun_reg_set(id, HV_X86_RDX, out[3]);
        hvrun_advance_rip(id);
        return true;
    }
    case VMX_REASON_RDMSR: {
        uint32_t index = (uint32_t)hvrun_reg_get(id, HV_X86_RCX);
        uint64_t value;
        if (!hvrun_msr_read(m, v, index, &value))
            return unhandled_msr(m, v, false, index, 0);
        if (m->opt.trace)
            snprintf(v->trace, sizeof v->trace, "msr 0x%x -> 0x%llx", index, (unsigned long long)value);
        set_edx_eax(id, value);
        hvrun_advance_rip(id);
        return true;
    }
    case VMX_REASON_WRMSR: {
        uint32_t index = (uint32_t)hvrun_reg_get(id, HV_X86_RCX);
        uint64_t value = edx_eax(id);
        if (m->opt.trace)
            snprintf(v->trace, sizeof v->trace, "msr 0x%x <- 0x%llx", index, (unsigned long long)value);
        if (!hvrun_msr_write(m, v, index, value))
            return unhandled_msr(m, v, true, index, value);
        hvrun_advance_rip(id);
        return true;
    }
    case VMX_REASON_HLT:
        /* No interrupt controller: nothing can ever wake a halted vCPU. */
        if (m->opt.trace)
            snprintf(v->trace, sizeof v->trace, "halted, IF=%d",
                     (hvrun_reg_get(id, HV_X86_RFLAGS) & RFLAGS_IF) != 0);
        return false;
    case VMX_REASON_MOV_CR:
        handle_mov_cr(m, v, qual);
        return true;
    case VMX_REASON_XSETBV: {
        uint64_t value = edx_eax(id);
        /* x87 always; AVX only with SSE (SDM XSETBV). */
        if ((uint32_t)hvrun_reg_get(id, HV_X86_RCX) != 0 || !(value & 1) || (value & ~(uint64_t)XCR0_X87_SSE_AVX) ||
            ((value & XCR0_AVX) && !(value & XCR0_SSE))) {
            hvrun_inject_gp(id);
            return true;
        }
        hvrun_reg_set(id, HV_X86_XCR0, value);
        hvrun_advance_rip(id);
        return true;
    }
    case VMX_REASON_MONITOR:
    case VMX_REASON_MWAIT:
    case VMX_REASON_PAUSE:
    case VMX_REASON_WBINVD:
    case VMX_REASON_INVD:
        hvrun_advance_rip(id);       /* no caches or monitors to model */
        return true;
    case VMX_REASON_RDPMC:
        hvrun_inject_gp(id);         /* no performance counters */
        return true;
    case VMX_REASON_VMCALL:
        fprintf(stderr, "hvrun: [cpu%u] VMCALL at RIP 0x%llx (RAX 0x%llx)\n", v->index,
                (unsigned long long)rip, (unsigned long long)hvrun_reg_get(id, HV_X86_RAX));
        return fatal(m, STATUS_ERROR);
    case VMX_REASON_EPT_VIOLATION:
        fprintf(stderr, "hvrun: [cpu%u] EPT violation at GPA 0x%llx (linear 0x%llx), qualification 0x%llx, RIP 0x%llx\n",
                v->index, (unsigned long long)hvrun_vmcs_get(id, VMCS_GUEST_PHYSICAL_ADDRESS),
                (unsigned long long)hvrun_vmcs_get(id, VMCS_RO_GUEST_LIN_ADDR), (unsigned long long)qual,
                (unsigned long long)rip);
        return fatal(m, STATUS_EPT_VIOLATION);
    case VMX_REASON_EXC_NMI: {
        uint64_t info = hvrun_vmcs_get(id, VMCS_RO_VMEXIT_IRQ_INFO);
        fprintf(stderr, "hvrun: [cpu%u] exception vector %llu error 0x%llx at RIP 0x%llx\n", v->index,
                (unsigned long long)(info & IRQ_INFO_VECTOR_MASK),
                (unsigned long long)((info & IRQ_INFO_ERROR_VALID) ? hvrun_vmcs_get(id, VMCS_RO_VMEXIT_IRQ_ERROR) : 0),
                (unsigned long long)rip);
        return fatal(m, STATUS_ERROR);
    }
    case VMX_REASON_TRIPLE_FAULT: {
        /* The bytes at RIP usually name the culprit (an instruction the
         * backend does not execute, before the guest has an IDT). */
        uint8_t bytes[16];
        char hex[3 * sizeof bytes + 1] = "unreadable";
        if (guest_read_linear(&m->mem, v->id, rip, bytes, sizeof bytes))
            for (size_t i = 0; i < sizeof bytes; i++)
                snprintf(hex + 3 * i, 4, "%02x ", bytes[i]);
        fprintf(stderr, "hvrun: [cpu%u] triple fault at RIP 0x%llx (bytes %s)\n", v->index, (unsigned long long)rip,
                hex);
        return fatal(m, STATUS_TRIPLE_FAULT);
    }
    default:
        fprintf(stderr, "hvrun: [cpu%u] unhandled exit reason %u (%s) at RIP 0x%llx, qualification 0x%llx\n",
                v->index, reason, exit_reason_name(reason), (unsigned long long)rip, (unsigned long long)qual);
        return fatal(m, STATUS_ERROR);
    }
}

bool hvrun_handle_exit(struct machine *m, struct vcpu *v)
{
    hv_vcpuid_t id = v->id;
    uint64_t raw = hvrun_vmcs_get(id, VMCS_RO_EXIT_REASON);
    uint32_t reason = (uint32_t)raw & 0xffff;
    uint64_t qual = hvrun_vmcs_get(id, VMCS_RO_EXIT_QUALIFIC);
    uint64_t rip = hvrun_reg_get(id, HV_X86_RIP);
    v->exits[reason < EXIT_REASON_COUNT ? reason : EXIT_REASON_COUNT]++;

    if (raw & EXIT_REASON_ENTRY_FAILURE) {
        fprintf(stderr, "hvrun: [cpu%u] VM entry failed: reason %u (%s), qualification 0x%llx, RIP 0x%llx\n",
                v->index, reason, exit_reason_name(reason), (unsigned long long)qual,
                (unsigned long long)rip);
        return fatal(m, STATUS_ERROR);
    }
    v->trace[0] = '\0';
    bool keep_running = dispatch_exit(m, v, reason, qual, rip);
    /* One line per exit, written whole so that vCPUs do not interleave. */
    if (m->opt.trace)
        fprintf(stderr, "hvrun: [cpu%u] %s rip 0x%llx qual 0x%llx%s%s\n", v->index, exit_reason_name(reason),
                (unsigned long long)rip, (unsigned long long)qual, v->trace[0] ? ": " : "", v->trace);
    return keep_running;
}
