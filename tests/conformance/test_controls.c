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

/* Without exiting: CF = 1 and the other arithmetic flags cleared, and two
 * values in a row differ (a chance of 2^-64 resp. 2^-32 to fail). */
T_CASE(rdrand_rdseed_values)
{
    h_set_reg(vm, HV_X86_RFLAGS, 0x2 | 0x8d4);
    h_expect_report(vm, 0x3);
    h_expect_report(vm, 1);
    h_expect_report(vm, 0x3);
    h_expect_report(vm, 1);
    h_expect_done(vm);
}

/* RDRAND/RDSEED exiting: reason 57/61, RIP on the instruction, nothing
 * written, and the instruction information naming the destination and the
 * operand size (r9, 64-bit; cx, 16-bit). */
T_CASE(rdrand_rdseed_exiting)
{
    h_set_reg(vm, HV_X86_RFLAGS, 0x2);
    static const struct ctl_exit c = { VMCS_CTRL_CPU_BASED2, CPU_BASED2_RDRAND, VMX_REASON_RDRAND, "l_rdrand_insn", 4 };
    controlled_exit(vm, &c);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_VMX_INSTR_INFO), (9u << 3) | (2u << 11));
    T_ASSERT_EQ(h_reg(vm, HV_X86_R9), 0);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RFLAGS) & 1, 1);   /* the STC before it, untouched */
    h_set_reg(vm, HV_X86_R9, 0x1234);
    h_skip_instr(vm);
    h_expect_report(vm, 0x47);                   /* the flags of XOR and STC before it */
    /* The second RDRAND exits too: the client answers it with a copy. */
    h_run_expect(vm, VMX_REASON_RDRAND);
    h_skip_instr(vm);
    h_expect_report(vm, 0);
    h_set_reg(vm, HV_X86_RFLAGS, 0x2 | 1);
    static const struct ctl_exit s = { VMCS_CTRL_CPU_BASED2, CPU_BASED2_RDSEED, VMX_REASON_RDSEED, "l_rdseed_insn", 4 };
    controlled_exit(vm, &s);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_VMX_INSTR_INFO), (1u << 3) | (0u << 11));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX) & 0xffff, 0x5555);
    h_skip_instr(vm);
    h_expect_report(vm, 0x3);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_RDSEED);
    T_ASSERT_EQ(e->instr_len, 3);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_VMX_INSTR_INFO), (1u << 3) | (1u << 11));
    h_skip_instr(vm);
    e = h_run_expect(vm, VMX_REASON_RDSEED);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_VMX_INSTR_INFO), (2u << 3) | (1u << 11));
    h_set_reg(vm, HV_X86_RDX, h_reg(vm, HV_X86_RCX));
    h_skip_instr(vm);
    h_expect_report(vm, 0);
    h_expect_done(vm);
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

/* DR7 bit 11 (RTM debug) is writable on a processor with RTM, and Apple's
 * own test writes DR7 = 0xaaaa0eaa and expects it back unchanged; DR6
 * likewise with its value 0xffffaffa (bit 16, RTM, written 1). */
T_CASE(dr7_dr6_round_trip)
{
    h_set_reg(vm, HV_X86_RAX, 0xaaaa0eaa);
    h_set_reg(vm, HV_X86_RBX, 0xffffaffa);
    h_expect_report(vm, 0xaaaa0eaa);
    h_expect_report(vm, 0xffffaffa);
    h_expect_done(vm);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_DR7), 0xaaaa0eaa);
    T_ASSERT_EQ(h_reg(vm, HV_X86_DR7), 0xaaaa0eaa);
    T_ASSERT_EQ(h_reg(vm, HV_X86_DR6), 0xffffaffa);
}

/* Reserved DR7 bits 12, 14, 15 read 0 and bit 10 reads 1; DR6's fixed
 * bits read as Intel defines them (the host CPU decides under KVM). */
T_CASE(dr7_dr6_reserved_bits)
{
    if (h_on_kvm())
        T_SKIP("reserved debug-register bits are the host CPU's under KVM (docs/compat.md 7.2)");
    h_set_reg(vm, HV_X86_RAX, 0x0000d000);
    h_set_reg(vm, HV_X86_RBX, 0x00011000);     /* bit 12 reads 0, bits 4-11 and 17-31 read 1 */
    h_expect_report(vm, 0x400);
    h_expect_report(vm, 0xffff0ff0);
    h_expect_done(vm);
}

/* Bits 63:32 of DR7 are reserved: #GP, DR7 unchanged. */
T_CASE(dr7_upper_bits_gp)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 1u << 13);
    h_set_reg(vm, HV_X86_RAX, 0x100000400ull);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info, IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 13);
    T_ASSERT_EQ(e->intr_error, 0);
    T_ASSERT_EQ(e->idt_info, 0);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_dr7_round_trip"));
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_DR7), 0x400);
}

/* The RTM instructions are the host CPU's on kvm. */
static void need_emulated_rtm(void)
{
    if (h_on_kvm())
        T_SKIP("RTM is the host CPU's under KVM (docs/compat.md 7.2)");
}

/* The emulator's RTM: XBEGIN aborts at once to its fallback with status 0,
 * XTEST finds no transaction (ZF = 1, CF cleared), XABORT does nothing. */
T_CASE(rtm_xbegin_aborts)
{
    need_emulated_rtm();
    h_expect_report(vm, 0);
    T_ASSERT_EQ(vm->exit.rip, h_sym(vm, "l_xbegin_fallback"));
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0x8d5, 0x40);
    (void)e;
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(rtm_xend_outside_gp)
{
    need_emulated_rtm();
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 1u << 13);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info, IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 13);
    T_ASSERT_EQ(e->intr_error, 0);
    T_ASSERT_EQ(e->idt_info, 0);              /* raised by XEND, not while delivering #UD */
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_xend_insn"));
}

static const struct t_case cases[] = {
    T_ENTRY(rdtsc_exiting, "long64", GUEST_LONG64, "l_rdtsc"),
    T_ENTRY(invlpg_exiting, "long64", GUEST_LONG64, "l_invlpg"),
    T_ENTRY(mov_to_dr_exiting, "long64", GUEST_LONG64, "l_dr7_write"),
    T_ENTRY(mov_from_dr_exiting, "long64", GUEST_LONG64, "l_dr7_read"),
    T_ENTRY(dr7_dr6_round_trip, "long64", GUEST_LONG64, "l_dr7_round_trip"),
    T_ENTRY(dr7_dr6_reserved_bits, "long64", GUEST_LONG64, "l_dr7_round_trip"),
    T_ENTRY(dr7_upper_bits_gp, "long64", GUEST_LONG64, "l_dr7_round_trip"),
    T_ENTRY(rtm_xbegin_aborts, "long64", GUEST_LONG64, "l_xbegin"),
    T_ENTRY(rtm_xend_outside_gp, "long64", GUEST_LONG64, "l_xend"),
    T_ENTRY(pause_exiting, "long64", GUEST_LONG64, "l_pause"),
    T_ENTRY(wbinvd_exiting, "long64", GUEST_LONG64, "l_wbinvd"),
    T_ENTRY(xsetbv_always_exits, "long64", GUEST_LONG64, "l_xsetbv"),
    T_ENTRY(rdrand_rdseed_values, "long64", GUEST_LONG64, "l_rdrand"),
    T_ENTRY(rdrand_rdseed_exiting, "long64", GUEST_LONG64, "l_rdrand"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
