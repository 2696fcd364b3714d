/* 32-bit protected mode (flat): instruction exits leave RIP on the
 * instruction with the right length, and none of it executed. */
#include "harness.h"

T_CASE(prot32_flat)
{
    h_poke(vm, GUEST_FREE + 0x10, 0x13572468, 4);
    h_expect_report(vm, 0x13572468);
    h_expect_done(vm);
}

T_CASE(prot32_out_dx_dword)
{
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "p_out_dx_dword_insn"));
    T_ASSERT_EQ(e->qual, h_io_qual(0xcf8, 4, false, false, false, false));
    T_ASSERT_EQ(e->instr_len, 1);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffffffff, 0xcafe0001);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(prot32_cpuid)
{
    h_set_reg(vm, HV_X86_RAX, 0x40000000);
    h_set_reg(vm, HV_X86_RCX, 7);
    h_set_reg(vm, HV_X86_RBX, 0xb0b0);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_CPUID);
    T_ASSERT_EQ(e->rip, h_sym(vm, "p_cpuid_insn"));
    T_ASSERT_EQ(e->instr_len, 2);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0x40000000);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX), 7);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RBX), 0xb0b0);
    static const uint32_t answer[4] = { 0x11111111, 0x22222222, 0x33333333, 0x44444444 };
    h_set_reg(vm, HV_X86_RAX, answer[0]);
    h_set_reg(vm, HV_X86_RBX, answer[1]);
    h_set_reg(vm, HV_X86_RCX, answer[2]);
    h_set_reg(vm, HV_X86_RDX, answer[3]);
    h_skip_instr(vm);
    for (int i = 0; i < 4; i++)
        h_expect_report(vm, answer[i]);
    h_expect_done(vm);
}

T_CASE(prot32_hlt)
{
    if (!h_enable_ctrl(vm, VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED, CPU_BASED_HLT))
        T_SKIP("HLT exiting not allowed by HV_VMX_CAP_PROCBASED");
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_HLT);
    T_ASSERT_EQ(e->rip, h_sym(vm, "p_hlt_insn"));
    T_ASSERT_EQ(e->instr_len, 1);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(prot32_vmcall)
{
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_VMCALL);
    T_ASSERT_EQ(e->rip, h_sym(vm, "p_vmcall_insn"));
    T_ASSERT_EQ(e->instr_len, 3);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(prot32_pop_ss_stack_size)
{
    h_set_reg(vm, HV_X86_RBX, GUEST_SEL_DATA16);
    h_set_reg(vm, HV_X86_RCX, GUEST_SEL_DATA);
    h_expect_report(vm, 0x00020000);   /* 16-bit increment: SP FFFC -> 0, upper half kept */
    h_expect_report(vm, 0x00030000);   /* 32-bit increment, although the new SS is 16-bit */
    h_expect_done(vm);
}

static const struct t_case cases[] = {
    T_ENTRY(prot32_flat, "prot32", GUEST_PROT32, "p_flat"),
    T_ENTRY(prot32_out_dx_dword, "prot32", GUEST_PROT32, "p_out_dx_dword"),
    T_ENTRY(prot32_cpuid, "prot32", GUEST_PROT32, "p_cpuid"),
    T_ENTRY(prot32_hlt, "prot32", GUEST_PROT32, "p_hlt"),
    T_ENTRY(prot32_vmcall, "prot32", GUEST_PROT32, "p_vmcall"),
    T_ENTRY(prot32_pop_ss_stack_size, "prot32", GUEST_PROT32, "p_pop_ss"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
