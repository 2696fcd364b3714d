/* Exits selected by execution controls (and XSETBV, which always exits):
 * reason, RIP on the instruction, instruction length, qualification. */
#include "harness.h"

struct ctl_exit {
    uint32_t field;                 /* VMCS_CTRL_CPU_BASED or _CPU_BASED2 */
    uint64_t bits;
    uint64_t reason;
    const char *insn;
    uint64_t len;
};

static const struct h_exit *controlled_exit(struct h_vm *vm, const struct ctl_exit *c)
{
    hv_vmx_capability_t cap = c->field == VMCS_CTRL_CPU_BASED ? HV_VMX_CAP_PROCBASED : HV_VMX_CAP_PROCBASED2;
    if (c->bits && !h_enable_ctrl(vm, c->field, cap, c->bits))
        T_SKIP("control 0x%llx not allowed by the capability", (unsigned long long)c->bits);
    const struct h_exit *e = h_run_expect(vm, c->reason);
    T_ASSERT_EQ(e->rip, h_sym(vm, c->insn));
    T_ASSERT_EQ(e->instr_len, c->len);
    return e;
}

static void finish(struct h_vm *vm)
{
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(rdtsc_exiting)
{
    static const struct ctl_exit c = { VMCS_CTRL_CPU_BASED, CPU_BASED_RDTSC, VMX_REASON_RDTSC, "l_rdtsc_insn", 2 };
    h_set_reg(vm, HV_X86_RAX, 0xaa);
    h_set_reg(vm, HV_X86_RDX, 0xdd);
    controlled_exit(vm, &c);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0xaa);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RDX), 0xdd);
    finish(vm);
}

T_CASE(invlpg_exiting)
{
    static const struct ctl_exit c = { VMCS_CTRL_CPU_BASED, CPU_BASED_INVLPG, VMX_REASON_INVLPG, "l_invlpg_insn", 3 };
    h_set_reg(vm, HV_X86_RBX, 0x12345678);
    const struct h_exit *e = controlled_exit(vm, &c);
    T_ASSERT_EQ(e->qual, 0x12345678);          /* the linear-address operand */
    finish(vm);
}

T_CASE(mov_to_dr_exiting)
{
    static const struct ctl_exit c = { VMCS_CTRL_CPU_BASED, CPU_BASED_MOV_DR, VMX_REASON_MOV_DR, "l_dr7_write_insn", 3 };
    h_set_reg(vm, HV_X86_RAX, 0x400);
    const struct h_exit *e = controlled_exit(vm, &c);
    T_ASSERT_EQ(e->qual, (0u << 8) | (0u << 4) | 7u);   /* DR7, MOV to DR, RAX */
    finish(vm);
}

T_CASE(mov_from_dr_exiting)
{
    static const struct ctl_exit c = { VMCS_CTRL_CPU_BASED, CPU_BASED_MOV_DR, VMX_REASON_MOV_DR, "l_dr7_read_insn", 3 };
    h_set_reg(vm, HV_X86_RCX, 0x5a5a);
    const struct h_exit *e = controlled_exit(vm, &c);
    T_ASSERT_EQ(e->qual, (1u << 8) | (1u << 4) | 7u);   /* DR7, MOV from DR, RCX */
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX), 0x5a5a);
    finish(vm);
}

T_CASE(pause_exiting)
{
    static const struct ctl_exit c = { VMCS_CTRL_CPU_BASED, CPU_BASED_PAUSE, VMX_REASON_PAUSE, "l_pause_insn", 2 };
    controlled_exit(vm, &c);
    finish(vm);
}

T_CASE(wbinvd_exiting)
{
    static const struct ctl_exit c = { VMCS_CTRL_CPU_BASED2, CPU_BASED2_WBINVD, VMX_REASON_WBINVD, "l_wbinvd_insn", 2 };
    controlled_exit(vm, &c);
    finish(vm);
}

T_CASE(xsetbv_always_exits)
{
    enum { CR4_OSXSAVE = 1u << 18 };
    if (hv_vmx_vcpu_write_vmcs(vm->vcpu, VMCS_GUEST_CR4, h_vmcs(vm, VMCS_GUEST_CR4) | CR4_OSXSAVE) != HV_SUCCESS)
        T_SKIP("CR4.OSXSAVE cannot be set");
    h_set_vmcs(vm, VMCS_CTRL_CR4_SHADOW, h_vmcs(vm, VMCS_CTRL_CR4_SHADOW) | CR4_OSXSAVE);
    h_set_reg(vm, HV_X86_RCX, 0);
    h_set_reg(vm, HV_X86_RAX, 3);
    h_set_reg(vm, HV_X86_RDX, 0);
    static const struct ctl_exit c = { VMCS_CTRL_CPU_BASED, 0, VMX_REASON_XSETBV, "l_xsetbv_insn", 3 };
    controlled_exit(vm, &c);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 3);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX), 0);
    finish(vm);
}

static const struct t_case cases[] = {
    T_ENTRY(rdtsc_exiting, "long64", GUEST_LONG64, "l_rdtsc"),
    T_ENTRY(invlpg_exiting, "long64", GUEST_LONG64, "l_invlpg"),
    T_ENTRY(mov_to_dr_exiting, "long64", GUEST_LONG64, "l_dr7_write"),
    T_ENTRY(mov_from_dr_exiting, "long64", GUEST_LONG64, "l_dr7_read"),
    T_ENTRY(pause_exiting, "long64", GUEST_LONG64, "l_pause"),
    T_ENTRY(wbinvd_exiting, "long64", GUEST_LONG64, "l_wbinvd"),
    T_ENTRY(xsetbv_always_exits, "long64", GUEST_LONG64, "l_xsetbv"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
