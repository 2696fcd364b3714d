/* Virtual-8086 mode under a 32-bit protected-mode monitor (guest v86.S):
 * IRETD into V86, real-mode style segments, exits taken from V86 (RFLAGS.VM
 * and the segment state VMX stores), INT back to the monitor through the
 * IDT, IOPL-sensitive instructions, the I/O bitmap, VME (virtual interrupt
 * flag, INT redirection through the IVT) and PVI, a gate to a non-CPL-0
 * segment, and VM entry straight into V86 with its checks. */
#include <stdlib.h>

#include "harness.h"

#define RF_IF   0x200ull
#define RF_IOPL 0x3000ull
#define RF_VM   0x20000ull
#define RF_VIF  0x80000ull
#define RF_VIP  0x100000ull
#define AR_V86  0xf3

/* A segment as VMX requires it in V86 mode: base = selector * 16. */
static void expect_v86_seg(struct h_vm *vm, uint32_t sel_field, uint32_t base_field, uint32_t limit_field,
                           uint32_t ar_field, uint16_t sel)
{
    T_ASSERT_EQ(h_vmcs(vm, sel_field), sel);
    T_ASSERT_EQ(h_vmcs(vm, base_field), (uint64_t)sel << 4);
    T_ASSERT_EQ(h_vmcs(vm, limit_field), 0xffff);
    T_ASSERT_EQ(h_vmcs(vm, ar_field), AR_V86);
}

/* The #GP(0) the monitor reports for an instruction at `sym`. */
static void expect_gp(struct h_vm *vm, uint32_t error, const char *sym)
{
    h_expect_report(vm, error);
    h_expect_report(vm, h_sym(vm, sym));
}

/* QEMU's software CPU, the L0 of the nested proof, mis-emulates V86 under
 * nested SVM (VME and PVI give wrong results, and an access through the
 * TSS aborts QEMU: "invalid tss type").  Hardware runs V86 itself. */
static void needs_hardware_v86(void)
{
    if (h_on_kvm() && getenv("OPENHV_NESTED_SOFTWARE_CPU") != NULL)
        T_SKIP("V86 under KVM nested in QEMU's software CPU: QEMU mis-emulates it (docs/compat.md)");
}

T_CASE(v86_iret_exit_and_int_to_monitor)
{
    needs_hardware_v86();
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    /* The exit from V86: RIP is the IP of the OUT, RFLAGS.VM is set, and
     * every segment is base = selector * 16, limit 0xffff, AR 0xf3. */
    T_ASSERT_EQ(e->rip, h_sym(vm, "v86a_out"));
    T_ASSERT_EQ(e->qual, h_io_qual(PORT_REPORT, 2, false, false, false, true));
    T_ASSERT_EQ(e->instr_len, 2);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RFLAGS), RF_VM | RF_IOPL | 2);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffff, 0x1234);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RSP), V86_SP);
    expect_v86_seg(vm, VMCS_GUEST_CS, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR, 0);
    expect_v86_seg(vm, VMCS_GUEST_SS, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR, V86_SS);
    expect_v86_seg(vm, VMCS_GUEST_ES, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR, V86_ES);
    expect_v86_seg(vm, VMCS_GUEST_DS, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR, 0);
    expect_v86_seg(vm, VMCS_GUEST_GS, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR, 0);
    T_ASSERT_EQ(h_peek(vm, V86_ES * 16 + 0x10, 2), 0x1234);
    h_skip_instr(vm);

    /* INT 0x30 through the IDT to the CPL-0 monitor: data segments null,
     * then the frame EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS. */
    h_expect_report(vm, 0);
    h_expect_report(vm, h_sym(vm, "v86a_int") + 2);
    h_expect_report(vm, 0);
    h_expect_report(vm, RF_VM | RF_IOPL | 2);
    h_expect_report(vm, V86_SP);
    h_expect_report(vm, V86_SS);
    h_expect_report(vm, V86_ES);
    h_expect_report(vm, 0);
    h_expect_report(vm, 0);
    h_expect_report(vm, 0);
    h_expect_report(vm, V86_SEL_CODE0);
    h_expect_done(vm);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RFLAGS) & RF_VM, 0);
}

T_CASE(v86_iopl_sensitive_and_io_bitmap)
{
    needs_hardware_v86();
    expect_gp(vm, 0, "v86b_cli");
    expect_gp(vm, 0, "v86b_sti");
    expect_gp(vm, 0, "v86b_pushf");
    expect_gp(vm, 0, "v86b_popf");
    expect_gp(vm, 0, "v86b_int");
    expect_gp(vm, 0, "v86b_iret");
    /* IOPL 0, but the I/O bitmap allows the port: a VM exit. */
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "v86b_out"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xff, 0x5a);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RFLAGS) & (RF_VM | RF_IOPL), RF_VM);
    h_skip_instr(vm);
    /* A port whose bitmap bit is set: #GP(0) before any exit. */
    expect_gp(vm, 0, "v86b_denied");
    /* INT3 is no IOPL-sensitive INT n: it reaches the monitor through the
     * IDT with the V86 frame. */
    h_expect_report(vm, 0);
    h_expect_report(vm, h_sym(vm, "v86b_int3") + 1);
    h_expect_report(vm, 0);
    h_expect_report(vm, RF_VM | 2);
    h_expect_report(vm, V86_SP);
    h_expect_report(vm, V86_SS);
    h_expect_report(vm, V86_ES);
    h_expect_report(vm, 0);
    h_expect_report(vm, 0);
    h_expect_report(vm, 0);
    h_expect_report(vm, V86_SEL_CODE0);
    h_expect_done(vm);
}

/* The same #GP through the exception bitmap: an exit taken in V86, RIP on
 * the CLI, RFLAGS.VM set; delivered to the monitor once the bit is clear. */
T_CASE(v86_exception_bitmap_exit)
{
    needs_hardware_v86();
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 1u << 13);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info, IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | IRQ_INFO_ERROR_VALID | 13);
    T_ASSERT_EQ(e->intr_error, 0);
    T_ASSERT_EQ(e->rip, h_sym(vm, "v86b_cli"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RFLAGS) & (RF_VM | RF_IOPL), RF_VM);
    expect_v86_seg(vm, VMCS_GUEST_SS, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR, V86_SS);
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 0);
    expect_gp(vm, 0, "v86b_cli");
}

T_CASE(v86_vme_virtual_if_and_redirection)
{
    needs_hardware_v86();
    /* CLI clears VIF, not IF; PUSHF shows VIF as IF and IOPL as 3. */
    h_expect_report(vm, RF_IOPL | 2);
    uint64_t f = h_reg(vm, HV_X86_RFLAGS);
    T_ASSERT_EQ(f & (RF_VM | RF_IF | RF_VIF | RF_IOPL), RF_VM | RF_IF);
    h_expect_report(vm, RF_IOPL | RF_IF | 2);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RFLAGS) & RF_VIF, RF_VIF);
    /* INT 0x42 redirected to the IVT: VIF cleared inside, the pushed image
     * has IF = the old VIF; IRET sets VIF from it. */
    h_expect_report(vm, RF_IOPL | 2);
    h_expect_report(vm, RF_IOPL | RF_IF | 2);
    h_expect_report(vm, RF_IOPL | RF_IF | 2);
    expect_gp(vm, 0, "v86c_popf_tf");
    expect_gp(vm, 0, "v86c_int_noredir");
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "v86c_report_vip"));
    h_set_reg(vm, HV_X86_RFLAGS, h_reg(vm, HV_X86_RFLAGS) | RF_VIP);
    h_skip_instr(vm);
    /* STI with a virtual interrupt pending: #GP(0) for the monitor. */
    expect_gp(vm, 0, "v86c_sti_vip");
    h_expect_done(vm);
}

T_CASE(v86_gate_to_dpl3_code)
{
    needs_hardware_v86();
    /* From V86 the handler's code segment must be DPL 0: #GP(selector). */
    expect_gp(vm, V86_SEL_CODE3 & 0xfffc, "v86d_int");
    h_expect_done(vm);
}

T_CASE(pvi_cli_sti_at_cpl3)
{
    needs_hardware_v86();
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "pvi_report"));
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_CS), V86_SEL_CODE3);
    uint64_t f = h_reg(vm, HV_X86_RFLAGS);
    T_ASSERT_EQ(f & (RF_IF | RF_VIF | RF_IOPL | RF_VM), RF_IF | RF_VIF);
    h_set_reg(vm, HV_X86_RFLAGS, f | RF_VIP);
    h_skip_instr(vm);
    expect_gp(vm, 0, "pvi_sti_vip");
    /* PUSHFD at CPL 3 is not virtualised: real IF, VIF (cleared by CLI), VIP. */
    h_expect_report(vm, RF_VIP | RF_IF | 2);
    h_expect_done(vm);
}

static void set_v86_seg(struct h_vm *vm, uint32_t sel_field, uint32_t base_field, uint32_t limit_field,
                        uint32_t ar_field, uint16_t sel)
{
    h_set_vmcs(vm, sel_field, sel);
    h_set_vmcs(vm, base_field, (uint64_t)sel << 4);
    h_set_vmcs(vm, limit_field, 0xffff);
    h_set_vmcs(vm, ar_field, AR_V86);
}

static void enter_v86_from_host(struct h_vm *vm)
{
    h_expect_done(vm);      /* the monitor's tables are in place */
    set_v86_seg(vm, VMCS_GUEST_CS, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR, 0);
    set_v86_seg(vm, VMCS_GUEST_SS, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR, V86_SS);
    set_v86_seg(vm, VMCS_GUEST_DS, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR, 0);
    set_v86_seg(vm, VMCS_GUEST_ES, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR, V86_ES);
    set_v86_seg(vm, VMCS_GUEST_FS, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR, 0);
    set_v86_seg(vm, VMCS_GUEST_GS, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR, 0);
    h_set_reg(vm, HV_X86_RFLAGS, RF_VM | RF_IOPL | 2);
    h_set_reg(vm, HV_X86_RSP, V86_SP);
    h_set_reg(vm, HV_X86_RIP, h_sym(vm, "v86e"));
}

T_CASE(v86_vm_entry)
{
    needs_hardware_v86();
    enter_v86_from_host(vm);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "v86e_out"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffff, V86_SS);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RFLAGS), RF_VM | RF_IOPL | 2);
    expect_v86_seg(vm, VMCS_GUEST_ES, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR, V86_ES);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(v86_vm_entry_checks)
{
    needs_hardware_v86();
    enter_v86_from_host(vm);
    /* V86 needs AR 0xf3 on every segment register, CS included. */
    h_set_vmcs(vm, VMCS_GUEST_CS_AR, 0xfb);
    const struct h_exit *e = h_run(vm);
    T_ASSERT_EQ(e->raw_reason, VMX_REASON_VMENTRY_GUEST | 0x80000000u);
    h_set_vmcs(vm, VMCS_GUEST_CS_AR, AR_V86);
    /* ...and base = selector * 16. */
    h_set_vmcs(vm, VMCS_GUEST_SS_BASE, 0x12340);
    e = h_run(vm);
    T_ASSERT_EQ(e->raw_reason, VMX_REASON_VMENTRY_GUEST | 0x80000000u);
    h_set_vmcs(vm, VMCS_GUEST_SS_BASE, (uint64_t)V86_SS << 4);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RIP), h_sym(vm, "v86e"));
    h_expect_report(vm, V86_SS);
    h_expect_done(vm);
}

/* An external interrupt injected at VM entry into V86 leaves V86 through
 * the IDT like any other: the monitor sees the V86 frame with the IP of
 * the first instruction. */
T_CASE(v86_vm_entry_inject)
{
    needs_hardware_v86();
    enter_v86_from_host(vm);
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_IRQ_INFO, IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | V86_VEC_MONITOR);
    h_expect_report(vm, 0);
    h_expect_report(vm, h_sym(vm, "v86e"));
    h_expect_report(vm, 0);
    h_expect_report(vm, RF_VM | RF_IOPL | 2);
    h_expect_report(vm, V86_SP);
    h_expect_report(vm, V86_SS);
    h_expect_report(vm, V86_ES);
    h_expect_report(vm, 0);
    h_expect_report(vm, 0);
    h_expect_report(vm, 0);
    h_expect_report(vm, V86_SEL_CODE0);
    h_expect_done(vm);
}

static const struct t_case cases[] = {
    T_ENTRY(v86_iret_exit_and_int_to_monitor, "v86", GUEST_PROT32, "v86_basic"),
    T_ENTRY(v86_iopl_sensitive_and_io_bitmap, "v86", GUEST_PROT32, "v86_sensitive"),
    T_ENTRY(v86_exception_bitmap_exit, "v86", GUEST_PROT32, "v86_sensitive"),
    T_ENTRY(v86_vme_virtual_if_and_redirection, "v86", GUEST_PROT32, "v86_vme"),
    T_ENTRY(v86_gate_to_dpl3_code, "v86", GUEST_PROT32, "v86_badgate"),
    T_ENTRY(pvi_cli_sti_at_cpl3, "v86", GUEST_PROT32, "v86_pvi"),
    T_ENTRY(v86_vm_entry, "v86", GUEST_PROT32, "v86_tables"),
    T_ENTRY(v86_vm_entry_checks, "v86", GUEST_PROT32, "v86_tables"),
    T_ENTRY(v86_vm_entry_inject, "v86", GUEST_PROT32, "v86_tables"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
