/* Long mode: instruction exits, CR accesses, the interrupt window, kicks and
 * run deadlines. */
#include "harness.h"

#include <pthread.h>
#include <time.h>

T_CASE(long_in_dx_byte)
{
    h_set_reg(vm, HV_X86_RAX, 0x1122334455667788ull);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_in_dx_insn"));
    T_ASSERT_EQ(e->qual, h_io_qual(0x3f8, 1, true, false, false, false));
    T_ASSERT_EQ(e->instr_len, 1);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0x1122334455667788ull);   /* AL untouched */
    h_complete_in(vm, 0xab);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0x11223344556677abull);
    h_expect_report(vm, 0x556677ab);
    h_expect_done(vm);
}

T_CASE(long_out_imm8_word)
{
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_out_imm_word_insn"));
    T_ASSERT_EQ(e->qual, h_io_qual(0x70, 2, false, false, false, true));
    T_ASSERT_EQ(e->instr_len, 3);                    /* 66 E7 70 */
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffff, 0x5678);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(long_out_imm8_port_is_an_opcode)
{
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_out_imm_ee_insn"));
    T_ASSERT_EQ(e->qual, h_io_qual(0xee, 1, false, false, false, true));
    T_ASSERT_EQ(e->instr_len, 2);                    /* E6 EE, not the EE alone */
    T_ASSERT_EQ(h_reg(vm, HV_X86_RDX) & 0xffff, 0x3f8);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(long_cpuid)
{
    h_set_reg(vm, HV_X86_RAX, 0x80000001);
    h_set_reg(vm, HV_X86_RCX, 0x3);
    h_set_reg(vm, HV_X86_RDX, 0xd0d0);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_CPUID);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_cpuid_insn"));
    T_ASSERT_EQ(e->instr_len, 2);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0x80000001);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX), 0x3);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RDX), 0xd0d0);
    static const uint32_t answer[4] = { 0xa1, 0xb2, 0xc3, 0xd4 };
    h_set_reg(vm, HV_X86_RAX, answer[0]);
    h_set_reg(vm, HV_X86_RBX, answer[1]);
    h_set_reg(vm, HV_X86_RCX, answer[2]);
    h_set_reg(vm, HV_X86_RDX, answer[3]);
    h_skip_instr(vm);
    for (int i = 0; i < 4; i++)
        h_expect_report(vm, answer[i]);
    h_expect_done(vm);
}

T_CASE(long_hlt)
{
    if (!h_enable_ctrl(vm, VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED, CPU_BASED_HLT))
        T_SKIP("HLT exiting not allowed by HV_VMX_CAP_PROCBASED");
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_HLT);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_hlt_insn"));
    T_ASSERT_EQ(e->instr_len, 1);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(long_vmcall)
{
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_VMCALL);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_vmcall_insn"));
    T_ASSERT_EQ(e->instr_len, 3);
    h_skip_instr(vm);
    h_expect_done(vm);
}

/* The interruptibility state a client reads on every exit. */
T_CASE(exit_in_sti_shadow)
{
    h_set_reg(vm, HV_X86_RFLAGS, 0x2);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_VMCALL);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_sti_vmcall_insn"));
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY) & 3, GUEST_INTRBILITY_STI_BLOCKING);
    T_ASSERT(e->rflags & 0x200);
}

T_CASE(exit_in_movss_shadow)
{
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_VMCALL);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_movss_vmcall_insn"));
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY) & 3, GUEST_INTRBILITY_MOVSS_BLOCKING);
}

/* ---- control registers ---- */

enum { CR0_TS = 1u << 3 };

T_CASE(cr0_write_masked_bit_exits)
{
    uint64_t cr0 = h_vmcs(vm, VMCS_GUEST_CR0) & ~(uint64_t)CR0_TS;
    h_set_vmcs(vm, VMCS_GUEST_CR0, cr0);
    h_set_vmcs(vm, VMCS_CTRL_CR0_MASK, h_vmcs(vm, VMCS_CTRL_CR0_MASK) | CR0_TS);
    h_set_vmcs(vm, VMCS_CTRL_CR0_SHADOW, h_vmcs(vm, VMCS_CTRL_CR0_SHADOW) & ~(uint64_t)CR0_TS);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_MOV_CR);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_cr0_set_ts_insn"));
    /* CR 0 (bits 3:0), MOV to CR (access type 0, bits 5:4), RBX (3, bits 11:8). */
    T_ASSERT_EQ(e->qual, (3u << 8) | (0u << 4) | 0u);
    T_ASSERT_EQ(e->instr_len, 3);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_CR0), cr0);      /* not executed */
    T_ASSERT(h_reg(vm, HV_X86_RBX) & CR0_TS);
}

T_CASE(cr0_read_shows_shadow)
{
    h_set_vmcs(vm, VMCS_GUEST_CR0, h_vmcs(vm, VMCS_GUEST_CR0) & ~(uint64_t)CR0_TS);
    h_set_vmcs(vm, VMCS_CTRL_CR0_MASK, h_vmcs(vm, VMCS_CTRL_CR0_MASK) | CR0_TS);
    h_set_vmcs(vm, VMCS_CTRL_CR0_SHADOW, h_vmcs(vm, VMCS_CTRL_CR0_SHADOW) | CR0_TS);
    uint64_t mask = h_vmcs(vm, VMCS_CTRL_CR0_MASK);
    uint64_t seen = (h_vmcs(vm, VMCS_GUEST_CR0) & ~mask) | (h_vmcs(vm, VMCS_CTRL_CR0_SHADOW) & mask);
    T_ASSERT(seen & CR0_TS);
    h_expect_report(vm, seen);
    h_expect_done(vm);
}

enum { CR4_PGE = 1u << 7 };

T_CASE(cr4_write_masked_bit_exits)
{
    h_set_vmcs(vm, VMCS_CTRL_CR4_MASK, h_vmcs(vm, VMCS_CTRL_CR4_MASK) | CR4_PGE);
    uint64_t cr4 = h_vmcs(vm, VMCS_GUEST_CR4);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_MOV_CR);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_cr4_flip_pge_insn"));
    T_ASSERT_EQ(e->qual, (1u << 8) | (0u << 4) | 4u);   /* CR4, MOV to CR, RCX */
    T_ASSERT_EQ(e->instr_len, 3);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_CR4), cr4);
}

/* CLTS exits when TS is owned by the host and the shadow has TS set. */
T_CASE(clts_masked_exits)
{
    h_set_vmcs(vm, VMCS_GUEST_CR0, h_vmcs(vm, VMCS_GUEST_CR0) | CR0_TS);
    h_set_vmcs(vm, VMCS_CTRL_CR0_MASK, h_vmcs(vm, VMCS_CTRL_CR0_MASK) | CR0_TS);
    h_set_vmcs(vm, VMCS_CTRL_CR0_SHADOW, h_vmcs(vm, VMCS_CTRL_CR0_SHADOW) | CR0_TS);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_MOV_CR);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_clts_insn"));
    T_ASSERT_EQ(e->qual, (2u << 4) | 0u);               /* CR0, CLTS */
    T_ASSERT_EQ(e->instr_len, 2);
    T_ASSERT(h_vmcs(vm, VMCS_GUEST_CR0) & CR0_TS);
}

/* LMSW setting a host-owned bit: access type 3, source data in 31:16. */
T_CASE(lmsw_masked_exits)
{
    h_set_vmcs(vm, VMCS_GUEST_CR0, h_vmcs(vm, VMCS_GUEST_CR0) & ~(uint64_t)CR0_TS);
    h_set_vmcs(vm, VMCS_CTRL_CR0_MASK, h_vmcs(vm, VMCS_CTRL_CR0_MASK) | CR0_TS);
    h_set_vmcs(vm, VMCS_CTRL_CR0_SHADOW, h_vmcs(vm, VMCS_CTRL_CR0_SHADOW) & ~(uint64_t)CR0_TS);
    uint64_t mask = h_vmcs(vm, VMCS_CTRL_CR0_MASK);
    uint64_t seen = (h_vmcs(vm, VMCS_GUEST_CR0) & ~mask) | (h_vmcs(vm, VMCS_CTRL_CR0_SHADOW) & mask);
    uint64_t source = (seen | CR0_TS) & 0xffff;
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_MOV_CR);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_lmsw_set_ts_insn"));
    T_ASSERT_EQ(e->qual, (source << 16) | (3u << 4) | 0u);
    T_ASSERT_EQ(e->instr_len, 3);                        /* 0F 01 F0 */
}

T_CASE(cr8_write_exits)
{
    if (!h_enable_ctrl(vm, VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED, CPU_BASED_CR8_LOAD))
        T_SKIP("CR8-load exiting not allowed by HV_VMX_CAP_PROCBASED");
    h_set_reg(vm, HV_X86_RAX, 5);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_MOV_CR);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_cr8_write_insn"));
    T_ASSERT_EQ(e->qual, (0u << 8) | (0u << 4) | 8u);   /* CR8, MOV to CR, RAX */
    T_ASSERT_EQ(e->instr_len, 4);                        /* 44 0F 22 C0 */
}

T_CASE(cr8_read_exits)
{
    if (!h_enable_ctrl(vm, VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED, CPU_BASED_CR8_STORE))
        T_SKIP("CR8-store exiting not allowed by HV_VMX_CAP_PROCBASED");
    h_set_reg(vm, HV_X86_RBX, 0x77);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_MOV_CR);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_cr8_read_insn"));
    T_ASSERT_EQ(e->qual, (3u << 8) | (1u << 4) | 8u);   /* CR8, MOV from CR, RBX */
    T_ASSERT_EQ(e->instr_len, 4);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RBX), 0x77);
}

/* ---- interrupt window ---- */

T_CASE(irq_window_open)
{
    if (!h_enable_ctrl(vm, VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED, CPU_BASED_IRQ_WND))
        T_SKIP("interrupt-window exiting not allowed");
    h_set_reg(vm, HV_X86_RFLAGS, 0x202);
    h_set_reg(vm, HV_X86_RAX, 0);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IRQ_WND);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_irqwnd"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0);       /* before the first instruction */
    h_set_vmcs(vm, VMCS_CTRL_CPU_BASED, h_vmcs(vm, VMCS_CTRL_CPU_BASED) & ~(uint64_t)CPU_BASED_IRQ_WND);
    h_expect_done(vm);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 1);
}

T_CASE(irq_window_after_sti_shadow)
{
    if (!h_enable_ctrl(vm, VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED, CPU_BASED_IRQ_WND))
        T_SKIP("interrupt-window exiting not allowed");
    h_set_reg(vm, HV_X86_RFLAGS, 0x2);
    h_set_reg(vm, HV_X86_RAX, 0);
    h_set_reg(vm, HV_X86_RBX, 0);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IRQ_WND);
    /* STI, then the instruction in its shadow, then the window. */
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_irqwnd_sti_after"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 1);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RBX), 0);
    T_ASSERT(e->rflags & 0x200);
}

/* ---- kicks and deadlines ---- */

static bool in_spin_loop(struct h_vm *vm, uint64_t rip)
{
    return rip == h_sym(vm, "l_spin") || rip == h_sym(vm, "l_spin_jmp");
}

T_CASE(kick_before_run)
{
    h_set_reg(vm, HV_X86_RAX, 0);
    hv_vcpuid_t id = vm->vcpu;
    T_HV(hv_vcpu_interrupt(&id, 1));
    const struct h_exit *e = h_run_raw(vm, true);
    T_ASSERT_EQ(e->reason, VMX_REASON_IRQ);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_spin"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0);
    /* The kick was consumed: the next run goes into the guest. */
    T_HV(hv_vcpu_run_until(vm->vcpu, h_now_ns() + 20000000));
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff, VMX_REASON_VMX_TIMER_EXPIRED);
    T_ASSERT(h_reg(vm, HV_X86_RAX) > 0);
}

T_CASE(kick_from_other_thread)
{
    h_set_reg(vm, HV_X86_RAX, 0);
    uint64_t last = 0;
    for (int round = 0; round < 2; round++) {
        struct h_kicker k = { vm->vcpu, 30, HV_ERROR };
        pthread_t t;
        T_ASSERT_EQ(pthread_create(&t, NULL, h_kick_later, &k), 0);
        uint64_t start = h_now_ns();
        hv_return_t r = hv_vcpu_run_until(vm->vcpu, h_now_ns() + 3000000000ull);
        uint64_t took = h_now_ns() - start;
        pthread_join(t, NULL);
        T_HV(r);
        T_HV(k.result);
        T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff, VMX_REASON_IRQ);
        T_ASSERT(took < 2000000000ull);
        T_ASSERT(in_spin_loop(vm, h_reg(vm, HV_X86_RIP)));
        uint64_t count = h_reg(vm, HV_X86_RAX);
        T_ASSERT(count > last);       /* it ran, and resumed where it stopped */
        last = count;
    }
}

/* A guest halted with IF=0 (HLT not exiting) wakes only for the kick; the
 * HLT has completed: RIP after it, activity state HLT (1). */
T_CASE(kick_halted_vcpu)
{
    uint64_t cap = 0;
    T_HV(hv_vmx_read_capability(HV_VMX_CAP_PROCBASED, &cap));
    if (cap & CPU_BASED_HLT)
        T_SKIP("HLT exiting is forced on by HV_VMX_CAP_PROCBASED");
    h_set_vmcs(vm, VMCS_CTRL_CPU_BASED, h_vmcs(vm, VMCS_CTRL_CPU_BASED) & ~(uint64_t)CPU_BASED_HLT);
    struct h_kicker k = { vm->vcpu, 30, HV_ERROR };
    pthread_t t;
    T_ASSERT_EQ(pthread_create(&t, NULL, h_kick_later, &k), 0);
    const struct h_exit *e = h_run_raw(vm, true);
    pthread_join(t, NULL);
    T_HV(k.result);
    T_ASSERT_EQ(e->reason, VMX_REASON_IRQ);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_hlt_insn") + 1);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_ACTIVITY_STATE), 1);
}

T_CASE(deadline_expires)
{
    uint64_t start = h_now_ns();
    T_HV(hv_vcpu_run_until(vm->vcpu, start + 10000000));
    uint64_t took = h_now_ns() - start;
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff, VMX_REASON_VMX_TIMER_EXPIRED);
    T_ASSERT(took >= 10000000);
    T_ASSERT(took < 1000000000);
    T_ASSERT(in_spin_loop(vm, h_reg(vm, HV_X86_RIP)));
}

T_CASE(deadline_forever)
{
    h_set_reg(vm, HV_X86_RCX, 300000);
    T_HV(hv_vcpu_run_until(vm->vcpu, HV_DEADLINE_FOREVER));
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(h_vmcs(vm, VMCS_RO_EXIT_QUALIFIC)), PORT_DONE);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX), 0);
}

T_CASE(plain_run)
{
    h_set_reg(vm, HV_X86_RCX, 1000);
    hv_return_t r;
    do {
        r = hv_vcpu_run(vm->vcpu);
        T_HV(r);
    } while ((h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff) == VMX_REASON_IRQ);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff, VMX_REASON_IO);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX), 0);
}

static const struct t_case cases[] = {
    T_ENTRY(long_in_dx_byte, "long64", GUEST_LONG64, "l_in_dx"),
    T_ENTRY(long_out_imm8_word, "long64", GUEST_LONG64, "l_out_imm_word"),
    T_ENTRY(long_out_imm8_port_is_an_opcode, "long64", GUEST_LONG64, "l_out_imm_ee"),
    T_ENTRY(long_cpuid, "long64", GUEST_LONG64, "l_cpuid"),
    T_ENTRY(long_hlt, "long64", GUEST_LONG64, "l_hlt"),
    T_ENTRY(long_vmcall, "long64", GUEST_LONG64, "l_vmcall"),
    T_ENTRY(exit_in_sti_shadow, "long64", GUEST_LONG64, "l_sti_vmcall"),
    T_ENTRY(exit_in_movss_shadow, "long64", GUEST_LONG64, "l_movss_vmcall"),
    T_ENTRY(cr0_write_masked_bit_exits, "long64", GUEST_LONG64, "l_cr0_set_ts"),
    T_ENTRY(cr0_read_shows_shadow, "long64", GUEST_LONG64, "l_cr0_read"),
    T_ENTRY(cr4_write_masked_bit_exits, "long64", GUEST_LONG64, "l_cr4_flip_pge"),
    T_ENTRY(clts_masked_exits, "long64", GUEST_LONG64, "l_clts"),
    T_ENTRY(lmsw_masked_exits, "long64", GUEST_LONG64, "l_lmsw_set_ts"),
    T_ENTRY(cr8_write_exits, "long64", GUEST_LONG64, "l_cr8_write"),
    T_ENTRY(cr8_read_exits, "long64", GUEST_LONG64, "l_cr8_read"),
    T_ENTRY(irq_window_open, "long64", GUEST_LONG64, "l_irqwnd"),
    T_ENTRY(irq_window_after_sti_shadow, "long64", GUEST_LONG64, "l_irqwnd_sti"),
    T_ENTRY(kick_before_run, "long64", GUEST_LONG64, "l_spin"),
    T_ENTRY(kick_from_other_thread, "long64", GUEST_LONG64, "l_spin"),
    T_ENTRY(kick_halted_vcpu, "long64", GUEST_LONG64, "l_hlt"),
    T_ENTRY(deadline_expires, "long64", GUEST_LONG64, "l_spin"),
    T_ENTRY(deadline_forever, "long64", GUEST_LONG64, "l_count_down"),
    T_ENTRY(plain_run, "long64", GUEST_LONG64, "l_count_down"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
