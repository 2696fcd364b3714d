/*
 * Real clients' vCPU configurations, each with the client's own handlers:
 * QEMU's hvf accelerator, xhyve, and hvrun.  The guest (clients.S) boots
 * from real mode into long mode by itself, as firmware does, while the
 * client handles the RDMSR/WRMSR of EFER and whatever MOV CR exits its
 * masks ask for; then it reads CR0, EFER, a native MSR and CR8 and does a
 * little work.
 *
 * Every backend must end in the state the client intends: long mode, and
 * the VMCS fields as the client's handlers leave them (VMCS_GUEST_CR0, the
 * read shadows, EFER.LMA, the IA-32e entry control).  On kvm, unless
 * OPENHV_KVM_EXACT is set, KVM keeps CR0/CR4/CR8 itself, so the MOV CR
 * exits do not happen there: the end state is checked, not the exit count
 * (docs/compat.md 8.2); and the whole run must be on KVM
 * (openhv_vcpu_stats engine times), which is the point of serving these
 * configurations.
 */
#include "recipe_regs.h"

#define GUEST "clients"
#define MSR_EFER 0xc0000080u
#define LSTAR_VALUE 0x12345678u
#define SUM_N 100000ull
#define APIC_GPA 0xfee00000ull

enum {
    CR0_PE = 1u << 0, CR0_ET = 1u << 4, CR0_NE = 1u << 5, CR0_NW = 1u << 29,
    CR0_CD = 1u << 30, CR0_PG = 1u << 31,
    CR4_PAE = 1u << 5, CR4_VMXE = 1u << 13,
    EFER_LME = 1u << 8, EFER_LMA = 1u << 10,
    AR_TYPE = 0xf, AR_L = 1u << 13,
};

/* The CR0 a processor has after reset: CD, NW, ET. */
#define CR0_RESET 0x60000010ull

enum client { QEMU_HVF, XHYVE, HVRUN };

static const uint32_t native_msrs[] = {
    HV_MSR_IA32_STAR, HV_MSR_IA32_LSTAR, HV_MSR_IA32_CSTAR, HV_MSR_IA32_FMASK,
    HV_MSR_IA32_KERNEL_GS_BASE, HV_MSR_IA32_TSC, HV_MSR_IA32_TSC_AUX,
    HV_MSR_IA32_SYSENTER_CS, HV_MSR_IA32_SYSENTER_ESP, HV_MSR_IA32_SYSENTER_EIP,
    HV_MSR_IA32_FS_BASE, HV_MSR_IA32_GS_BASE,
};

static uint64_t cap2ctrl(hv_vmx_capability_t cap, uint64_t want)
{
    return guest_cap2ctrl(cap, want);
}

/* 4-level identity map of the first GiB in 2 MiB pages at GUEST_PT_AREA. */
static void build_page_tables(struct h_vm *vm)
{
    const uint64_t pml4 = GUEST_PT_AREA, pdpt = pml4 + 0x1000, pd = pml4 + 0x2000;
    h_poke(vm, pml4, pdpt | 3, 8);
    h_poke(vm, pdpt, pd | 3, 8);
    for (uint64_t i = 0; i < 512; i++)
        h_poke(vm, pd + i * 8, (i << 21) | 0x83, 8);
}

/* ---- each client's setup (as its vCPU initialisation does it) -------- */

static void setup_common(struct h_vm *vm)
{
    build_page_tables(vm);
    for (size_t i = 0; i < sizeof native_msrs / sizeof native_msrs[0]; i++)
        T_HV(hv_vcpu_enable_native_msr(vm->vcpu, native_msrs[i], true));
    T_HV(hv_vcpu_write_msr(vm->vcpu, HV_MSR_IA32_LSTAR, LSTAR_VALUE));
}

/* QEMU's hvf_arch_init_vcpu and its reset path (macvm_set_cr0/cr4). */
static void setup_qemu(struct h_vm *vm)
{
    h_set_vmcs(vm, VMCS_CTRL_PIN_BASED,
               cap2ctrl(HV_VMX_CAP_PINBASED, PIN_BASED_INTR | PIN_BASED_NMI | PIN_BASED_VIRTUAL_NMI));
    h_set_vmcs(vm, VMCS_CTRL_CPU_BASED,
               cap2ctrl(HV_VMX_CAP_PROCBASED, CPU_BASED_HLT | CPU_BASED_MWAIT | CPU_BASED_TSC_OFFSET |
                                                  CPU_BASED_TPR_SHADOW) |
                   CPU_BASED_SECONDARY_CTLS);
    h_set_vmcs(vm, VMCS_CTRL_CPU_BASED2,
               cap2ctrl(HV_VMX_CAP_PROCBASED2, CPU_BASED2_VIRTUAL_APIC | CPU_BASED2_RDTSCP));
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_CONTROLS, cap2ctrl(HV_VMX_CAP_ENTRY, 0));
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 0);
    h_set_vmcs(vm, VMCS_CTRL_TPR_THRESHOLD, 0);
    T_HV(hv_vmx_vcpu_set_apic_address(vm->vcpu, APIC_GPA));
    h_set_vmcs(vm, VMCS_CTRL_CR0_MASK, CR0_PG | CR0_CD | CR0_NW | CR0_NE | CR0_ET);
    h_set_vmcs(vm, VMCS_CTRL_CR0_SHADOW, CR0_RESET);
    h_set_vmcs(vm, VMCS_GUEST_CR0, (CR0_RESET & ~(uint64_t)(CR0_CD | CR0_NW)) | CR0_NE | CR0_ET);
    h_set_vmcs(vm, VMCS_CTRL_CR4_MASK, CR4_VMXE);
    h_set_vmcs(vm, VMCS_CTRL_CR4_SHADOW, 0);
    h_set_vmcs(vm, VMCS_GUEST_CR4, CR4_VMXE);
    h_set_vmcs(vm, VMCS_GUEST_IA32_EFER, 0);
    /* A 16-bit busy TSS in TR, which QEMU's enter_long_mode makes a 64-bit
     * one (VM entry in IA-32e mode requires it). */
    h_set_vmcs(vm, VMCS_GUEST_TR_AR, (h_vmcs(vm, VMCS_GUEST_TR_AR) & ~(uint64_t)AR_TYPE) | 3);
}

/* xhyve's vmx_vcpu_init: CR0 mask of its ones (NE) and zeros (CD, NW),
 * #MC in the exception bitmap, unconditional I/O, CR8 and MWAIT/MONITOR
 * exiting. */
static void setup_xhyve(struct h_vm *vm)
{
    h_set_vmcs(vm, VMCS_CTRL_PIN_BASED, cap2ctrl(HV_VMX_CAP_PINBASED, PIN_BASED_INTR | PIN_BASED_NMI));
    h_set_vmcs(vm, VMCS_CTRL_CPU_BASED,
               cap2ctrl(HV_VMX_CAP_PROCBASED, CPU_BASED_HLT | CPU_BASED_MWAIT | CPU_BASED_MONITOR |
                                                  CPU_BASED_UNCOND_IO | CPU_BASED_CR8_LOAD |
                                                  CPU_BASED_CR8_STORE | CPU_BASED_SECONDARY_CTLS));
    h_set_vmcs(vm, VMCS_CTRL_CPU_BASED2,
               cap2ctrl(HV_VMX_CAP_PROCBASED2, CPU_BASED2_UNRESTRICTED | CPU_BASED2_EPT));
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_CONTROLS, cap2ctrl(HV_VMX_CAP_ENTRY, VMENTRY_LOAD_EFER));
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 1u << 18);
    h_set_vmcs(vm, VMCS_CTRL_CR0_MASK, CR0_NE | CR0_CD | CR0_NW);
    h_set_vmcs(vm, VMCS_CTRL_CR0_SHADOW, CR0_RESET);
    h_set_vmcs(vm, VMCS_GUEST_CR0, (CR0_RESET | CR0_NE) & ~(uint64_t)(CR0_CD | CR0_NW));
    h_set_vmcs(vm, VMCS_CTRL_CR4_MASK, CR4_VMXE);
    h_set_vmcs(vm, VMCS_CTRL_CR4_SHADOW, 0);
    h_set_vmcs(vm, VMCS_GUEST_CR4, CR4_VMXE);
    h_set_vmcs(vm, VMCS_GUEST_IA32_EFER, 0);
}

/* hvrun's: guest_mode_setup's real mode as is (CR0 mask NE, CR4 mask VMXE,
 * load-EFER), and the natives of tools/hvrun/msr.c. */
static void setup_hvrun(struct h_vm *vm)
{
    (void)vm;
}

/* ---- each client's handlers ------------------------------------------ */

static void set_entry_ia32e(struct h_vm *vm, bool on)
{
    uint64_t entry = h_vmcs(vm, VMCS_CTRL_VMENTRY_CONTROLS);
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_CONTROLS,
               on ? entry | VMENTRY_GUEST_IA32E : entry & ~(uint64_t)VMENTRY_GUEST_IA32E);
}

/* QEMU's macvm_set_cr0 with enter_long_mode. */
static void qemu_set_cr0(struct h_vm *vm, uint64_t cr0)
{
    uint64_t efer = h_vmcs(vm, VMCS_GUEST_IA32_EFER);
    uint64_t changed = h_vmcs(vm, VMCS_GUEST_CR0) ^ cr0;
    uint64_t mask = CR0_PG | CR0_CD | CR0_NW | CR0_NE | CR0_ET;
    h_set_vmcs(vm, VMCS_CTRL_CR0_MASK, mask);
    h_set_vmcs(vm, VMCS_CTRL_CR0_SHADOW, cr0);
    if (efer & EFER_LME) {
        if ((changed & CR0_PG) && (cr0 & CR0_PG)) {
            h_set_vmcs(vm, VMCS_GUEST_IA32_EFER, efer | EFER_LMA);
            set_entry_ia32e(vm, true);
            uint64_t tr_ar = h_vmcs(vm, VMCS_GUEST_TR_AR);
            if ((tr_ar & AR_TYPE) != 11)
                h_set_vmcs(vm, VMCS_GUEST_TR_AR, (tr_ar & ~(uint64_t)AR_TYPE) | 11);
        }
    } else {
        set_entry_ia32e(vm, false);
    }
    h_set_vmcs(vm, VMCS_GUEST_CR0, (cr0 & ~(mask & ~(uint64_t)CR0_PG)) | CR0_NE | CR0_ET);
    T_HV(hv_vcpu_invalidate_tlb(vm->vcpu));
}

/* xhyve's vmx_emulate_cr0_access. */
static void xhyve_set_cr0(struct h_vm *vm, uint64_t cr0)
{
    h_set_vmcs(vm, VMCS_CTRL_CR0_SHADOW, cr0);
    h_set_vmcs(vm, VMCS_GUEST_CR0, (cr0 | CR0_NE) & ~(uint64_t)(CR0_CD | CR0_NW));
    uint64_t efer = h_vmcs(vm, VMCS_GUEST_IA32_EFER);
    if ((cr0 & CR0_PG) && (efer & EFER_LME)) {
        h_set_vmcs(vm, VMCS_GUEST_IA32_EFER, efer | EFER_LMA);
        set_entry_ia32e(vm, true);
    }
}

/* hvrun's write_cr0 (tools/hvrun/exits.c). */
static void hvrun_set_cr0(struct h_vm *vm, uint64_t cr0)
{
    uint64_t old = h_vmcs(vm, VMCS_GUEST_CR0);
    h_set_vmcs(vm, VMCS_CTRL_CR0_SHADOW, cr0);
    h_set_vmcs(vm, VMCS_GUEST_CR0, cr0 | CR0_NE);
    if ((old ^ cr0) & CR0_PG) {
        uint64_t efer = h_vmcs(vm, VMCS_GUEST_IA32_EFER) & ~(uint64_t)EFER_LMA;
        if ((efer & EFER_LME) && (cr0 & CR0_PG))
            efer |= EFER_LMA;
        h_set_vmcs(vm, VMCS_GUEST_IA32_EFER, efer);
        set_entry_ia32e(vm, efer & EFER_LMA);
    }
}

static const hv_x86_reg_t gpr_by_number[16] = {
    HV_X86_RAX, HV_X86_RCX, HV_X86_RDX, HV_X86_RBX, HV_X86_RSP, HV_X86_RBP, HV_X86_RSI, HV_X86_RDI,
    HV_X86_R8, HV_X86_R9, HV_X86_R10, HV_X86_R11, HV_X86_R12, HV_X86_R13, HV_X86_R14, HV_X86_R15,
};

static void handle_mov_cr(struct h_vm *vm, enum client client, uint64_t qual)
{
    unsigned cr = qual & 0xf, type = (qual >> 4) & 3;
    hv_x86_reg_t gpr = gpr_by_number[(qual >> 8) & 0xf];
    if (type == 1) {            /* MOV from CR: only CR8 exits in these setups */
        T_ASSERT_EQ(cr, 8);
        h_set_reg(vm, gpr, h_reg(vm, HV_X86_TPR) >> 4);
        return;
    }
    T_ASSERT_EQ(type, 0);
    uint64_t value = h_reg(vm, gpr);
    switch (cr) {
    case 0:
        if (client == QEMU_HVF)
            qemu_set_cr0(vm, value);
        else if (client == XHYVE)
            xhyve_set_cr0(vm, value);
        else
            hvrun_set_cr0(vm, value);
        break;
    case 4:
        h_set_vmcs(vm, VMCS_CTRL_CR4_SHADOW, value);
        h_set_vmcs(vm, VMCS_GUEST_CR4, value | CR4_VMXE);
        break;
    case 8:
        h_set_reg(vm, HV_X86_TPR, (value & 0xf) << 4);
        break;
    default:
        t_fail(true, __FILE__, __LINE__, "MOV to CR%u exit", cr);
    }
}

static void handle_msr(struct h_vm *vm, bool write)
{
    uint32_t msr = (uint32_t)h_reg(vm, HV_X86_RCX);
    T_ASSERT_EQ(msr, MSR_EFER);
    if (write) {
        uint64_t value = (h_reg(vm, HV_X86_RDX) << 32) | (h_reg(vm, HV_X86_RAX) & 0xffffffffu);
        h_set_vmcs(vm, VMCS_GUEST_IA32_EFER, value);
    } else {
        uint64_t value = h_vmcs(vm, VMCS_GUEST_IA32_EFER);
        h_set_reg(vm, HV_X86_RAX, value & 0xffffffffu);
        h_set_reg(vm, HV_X86_RDX, value >> 32);
    }
}

/* Run the client's loop to PORT_DONE; the reports come back in order. */
static unsigned run_client(struct h_vm *vm, enum client client, uint64_t *reports, unsigned max,
                           unsigned *mov_cr_exits)
{
    unsigned n = 0;
    *mov_cr_exits = 0;
    for (unsigned exits = 0; exits < 1000; exits++) {
        const struct h_exit *e = h_run(vm);
        switch (e->reason) {
        case VMX_REASON_IO: {
            unsigned port = IOQ_PORT(e->qual);
            if (port == PORT_DONE)
                return n;
            T_ASSERT_EQ(port, PORT_REPORT);
            if (n < max)
                reports[n++] = h_reg(vm, HV_X86_RAX) & 0xffffffffu;
            break;
        }
        case VMX_REASON_MOV_CR:
            ++*mov_cr_exits;
            handle_mov_cr(vm, client, e->qual);
            break;
        case VMX_REASON_RDMSR:
        case VMX_REASON_WRMSR:
            handle_msr(vm, e->reason == VMX_REASON_WRMSR);
            break;
        case VMX_REASON_HLT:
            break;
        default:
            t_fail(true, __FILE__, __LINE__, "unexpected exit %llu at RIP 0x%llx, qualification 0x%llx",
                   (unsigned long long)e->reason, (unsigned long long)e->rip, (unsigned long long)e->qual);
        }
        h_skip_instr(vm);
    }
    t_fail(true, __FILE__, __LINE__, "no PORT_DONE after 1000 exits");
    return n;
}

/* The exactness mode openhv_backend_name() reports. */
static bool kvm_serves_configurations(void)
{
    return backend_is_kvm() && strstr(openhv_backend_name(), "OPENHV_KVM_EXACT=1") == NULL;
}

static void boot_client(struct h_vm *vm, enum client client)
{
    setup_common(vm);
    if (client == QEMU_HVF)
        setup_qemu(vm);
    else if (client == XHYVE)
        setup_xhyve(vm);
    else
        setup_hvrun(vm);
    uint64_t mask0 = h_vmcs(vm, VMCS_CTRL_CR0_MASK);

    uint64_t reports[8] = { 0 };
    unsigned mov_cr = 0;
    unsigned n = run_client(vm, client, reports, 8, &mov_cr);
    printf("  info: %s: %u MOV CR exits\n", openhv_backend_name(), mov_cr);
    T_ASSERT_EQ(n, 5);

    /* What the guest wrote to CR0 (the processor keeps ET set), as it
     * reads back. */
    uint64_t written = client == HVRUN ? CR0_PG | CR0_NE | CR0_ET | CR0_PE
                                       : ((CR0_RESET & ~(uint64_t)(CR0_CD | CR0_NW)) | CR0_PG | CR0_PE);
    T_EXPECT_EQ(reports[0], written);
    T_EXPECT_EQ(reports[1], EFER_LME | EFER_LMA);
    T_EXPECT_EQ(reports[2], LSTAR_VALUE);
    T_EXPECT_EQ(reports[3], 5);
    T_EXPECT_EQ(reports[4], (SUM_N * (SUM_N + 1) / 2) & 0xffffffffu);

    /* The VMCS as the client's handlers leave it. */
    T_EXPECT_EQ(h_vmcs(vm, VMCS_GUEST_CR0), written | CR0_NE | CR0_ET);
    T_EXPECT_EQ(h_vmcs(vm, VMCS_CTRL_CR0_SHADOW) & mask0, written & mask0);
    T_EXPECT_EQ(h_vmcs(vm, VMCS_CTRL_CR0_MASK), mask0);
    T_EXPECT_EQ(h_vmcs(vm, VMCS_GUEST_CR4) & (CR4_PAE | CR4_VMXE), CR4_PAE | CR4_VMXE);
    T_EXPECT_EQ(h_vmcs(vm, VMCS_CTRL_CR4_SHADOW) & CR4_VMXE, 0);
    T_EXPECT_EQ(h_vmcs(vm, VMCS_GUEST_IA32_EFER) & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
    T_EXPECT(h_vmcs(vm, VMCS_CTRL_VMENTRY_CONTROLS) & VMENTRY_GUEST_IA32E);
    T_EXPECT(h_vmcs(vm, VMCS_GUEST_CS_AR) & AR_L);
    T_EXPECT_EQ(h_vmcs(vm, VMCS_GUEST_TR_AR) & AR_TYPE, 11);
    T_EXPECT_EQ(h_reg(vm, HV_X86_TPR), 0x50);

    struct openhv_vcpu_stats s;
    T_HV(openhv_vcpu_stats(vm->vcpu, &s));
    printf("  info: %.6f s on the emulator, %.6f s on KVM\n", (double)s.engine_ns[0] * 1e-9,
           (double)s.engine_ns[1] * 1e-9);
    if (kvm_serves_configurations()) {
        /* The whole run on KVM: no stretch, not one instruction, on the emulator. */
        T_EXPECT_EQ(s.engine_ns[0], 0);
        T_EXPECT_EQ(s.instructions, 0);
        T_EXPECT(s.engine_ns[1] > 0);
    } else if (backend_is_kvm() && client != HVRUN) {
        /* Exact: masks beyond the VMX fixed bits are the emulator's, whose
         * MOV CR exits the client saw. */
        T_EXPECT(s.engine_ns[0] > 0);
        T_EXPECT(mov_cr > 0);
    }
}

T_CASE(qemu_hvf_boots_to_long_mode) { boot_client(vm, QEMU_HVF); }
T_CASE(xhyve_boots_to_long_mode) { boot_client(vm, XHYVE); }
T_CASE(hvrun_boots_to_long_mode) { boot_client(vm, HVRUN); }

/* QEMU asks for virtualize-APIC-accesses; no backend offers it
 * (docs/compat.md 3.1): cap2ctrl drops it, and an access to the APIC page
 * is an ordinary EPT violation the client decodes. */
T_CASE(qemu_hvf_apic_access_not_offered)
{
    (void)vm;
    T_ASSERT_EQ(cap2ctrl(HV_VMX_CAP_PROCBASED2, CPU_BASED2_VIRTUAL_APIC) & CPU_BASED2_VIRTUAL_APIC, 0);
}

static const struct t_case cases[] = {
    T_ENTRY(qemu_hvf_boots_to_long_mode, GUEST, GUEST_REAL, "c_boot"),
    T_ENTRY(xhyve_boots_to_long_mode, GUEST, GUEST_REAL, "c_boot"),
    T_ENTRY(hvrun_boots_to_long_mode, GUEST, GUEST_REAL, "c_boot"),
    T_ENTRY(qemu_hvf_apic_access_not_offered, GUEST, GUEST_REAL, "c_boot"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
