/* Real mode (and 16-bit protected mode): segment arithmetic, 16-bit addressing, and I/O exits (exit
 * qualification, instruction length, nothing executed). */
#include "harness.h"

T_CASE(real_segments)
{
    h_poke(vm, 0x12350, 0xc0de, 2);     /* 0x1234:0x0010, reached by wrap-around */
    h_poke(vm, 0x22350, 0xdead, 2);     /* where a missing 16-bit wrap would land */
    h_poke(vm, 0x12352, 0x5a5a, 2);
    h_poke(vm, 0x30004, 0x87654321, 4);
    h_expect_report(vm, 0xc0de);
    h_expect_report(vm, 0x5a5a);
    h_expect_report(vm, 0x87654321);
    h_expect_done(vm);
}

T_CASE(real_out_imm8_byte)
{
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "r_out_imm8_insn"));
    T_ASSERT_EQ(e->qual, h_io_qual(0x80, 1, false, false, false, true));
    T_ASSERT_EQ(e->instr_len, 2);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xff, 0xab);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(real_in_imm8_word)
{
    h_set_reg(vm, HV_X86_RAX, 0x1234567890abcdefull);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "r_in_imm_word_insn"));
    T_ASSERT_EQ(e->qual, h_io_qual(0x71, 2, true, false, false, true));
    T_ASSERT_EQ(e->instr_len, 2);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0x1234567890abcdefull);   /* IN not executed */
    h_complete_in(vm, 0x4242);
    h_expect_report(vm, 0x4242);
    h_expect_done(vm);
}

T_CASE(real_in_dx_dword)
{
    h_set_reg(vm, HV_X86_RAX, 0x99);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "r_in_dx_dword_insn"));
    T_ASSERT_EQ(e->qual, h_io_qual(0x3f8, 4, true, false, false, false));
    T_ASSERT_EQ(e->instr_len, 2);                   /* 66 ED */
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0x99);
    h_complete_in(vm, 0xfeedf00d);
    h_expect_report(vm, 0xfeedf00d);
    h_expect_done(vm);
}

T_CASE(real_out_dx_byte)
{
    h_set_reg(vm, HV_X86_RAX, 0x77);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "r_out_dx_byte_insn"));
    T_ASSERT_EQ(e->qual, h_io_qual(0x2f8, 1, false, false, false, false));
    T_ASSERT_EQ(e->instr_len, 1);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(real_rep_outsb)
{
    h_set_reg(vm, HV_X86_RDI, 0x1111);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    uint64_t insn = h_sym(vm, "r_rep_outsb_insn");
    T_ASSERT_EQ(e->rip, insn);
    T_ASSERT_EQ(e->qual, h_io_qual(0x3f8, 1, false, true, true, false));
    T_ASSERT_EQ(e->instr_len, 2);                   /* F3 6E */
    T_ASSERT_EQ(e->gla, 0x2000);                    /* DS base 0 + SI */
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RCX), 0x10);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RSI), 0x2000);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RDI), 0x1111);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RIP), insn);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX), 0x10);      /* no iteration done */
    T_ASSERT_EQ(h_reg(vm, HV_X86_RSI), 0x2000);
    /* The client emulates all iterations. */
    h_set_reg(vm, HV_X86_RCX, 0);
    h_set_reg(vm, HV_X86_RSI, 0x2010);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(real_rep_insb)
{
    h_set_reg(vm, HV_X86_RSI, 0x5555);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    uint64_t insn = h_sym(vm, "r_rep_insb_insn");
    T_ASSERT_EQ(e->rip, insn);
    T_ASSERT_EQ(e->qual, h_io_qual(0x60, 1, true, true, true, false));
    T_ASSERT_EQ(e->instr_len, 2);                   /* F3 6C */
    T_ASSERT_EQ(e->gla, 0x3000);                    /* ES base 0 + DI */
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RCX), 4);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RSI), 0x5555);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RDI), 0x3000);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RIP), insn);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RDI), 0x3000);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX), 4);
}

/* INT n through the IVT: CS:IP of the handler from 4*n; FLAGS, CS, IP of
 * the next instruction pushed. */
T_CASE(real_int_through_ivt)
{
    uint64_t isr = h_sym(vm, "r_isr21");
    h_poke(vm, 0x21 * 4, isr & 0xffff, 2);       /* offset */
    h_poke(vm, 0x21 * 4 + 2, 0, 2);              /* segment */
    h_expect_report(vm, 0x21);
    uint64_t sp = h_reg(vm, HV_X86_RSP) & 0xffff;
    T_ASSERT_EQ(sp, GUEST_STACK_TOP - 6);
    T_ASSERT_EQ(h_peek(vm, sp, 2), h_sym(vm, "r_int21_insn") + 2);
    T_ASSERT_EQ(h_peek(vm, sp + 2, 2), 0);      /* CS */
    h_expect_done(vm);                          /* IRET came back */
}

/* Real mode delivers no error codes, and the exit says so. */
T_CASE(real_ud_exit)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 0xffffffff);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info, IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | 6);
    T_ASSERT_EQ(e->rip, h_sym(vm, "r_ud2_insn"));
}

T_CASE(real_cpuid)
{
    h_set_reg(vm, HV_X86_RAX, 0);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_CPUID);
    T_ASSERT_EQ(e->rip, h_sym(vm, "r_cpuid_insn"));
    T_ASSERT_EQ(e->instr_len, 2);
    h_set_reg(vm, HV_X86_RAX, 0x0d15ea5e);
    h_skip_instr(vm);
    h_expect_report(vm, 0x0d15ea5e);
    h_expect_done(vm);
}

static const struct t_case cases[] = {
    T_ENTRY(real_segments, "real16", GUEST_REAL, "r_segments"),
    T_ENTRY(real_out_imm8_byte, "real16", GUEST_REAL, "r_out_imm8"),
    T_ENTRY(real_in_imm8_word, "real16", GUEST_REAL, "r_in_imm_word"),
    T_ENTRY(real_in_dx_dword, "real16", GUEST_REAL, "r_in_dx_dword"),
    T_ENTRY(real_out_dx_byte, "real16", GUEST_REAL, "r_out_dx_byte"),
    T_ENTRY(real_rep_outsb, "real16", GUEST_REAL, "r_rep_outsb"),
    T_ENTRY(real_rep_insb, "real16", GUEST_REAL, "r_rep_insb"),
    T_ENTRY(real_int_through_ivt, "real16", GUEST_REAL, "r_int21"),
    T_ENTRY(real_ud_exit, "real16", GUEST_REAL, "r_ud2"),
    T_ENTRY(real_cpuid, "real16", GUEST_REAL, "r_cpuid"),
    /* The same 16-bit code in 16-bit protected mode (flat 64 KiB segments). */
    T_ENTRY_AS(prot16_out_imm8_byte, real_out_imm8_byte, "real16", GUEST_PROT16, "r_out_imm8"),
    T_ENTRY_AS(prot16_in_dx_dword, real_in_dx_dword, "real16", GUEST_PROT16, "r_in_dx_dword"),
    T_ENTRY_AS(prot16_rep_outsb, real_rep_outsb, "real16", GUEST_PROT16, "r_rep_outsb"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
