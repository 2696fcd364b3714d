/* Event injection through VMCS_CTRL_VMENTRY_IRQ_INFO, as clients do it:
 * every event is delivered through the guest's IDT exactly ONCE (the guest
 * counts deliveries per vector), with the frame the SDM defines; an exit
 * during delivery reports the event in VMCS_RO_IDT_VECTOR_INFO, and a client
 * that re-injects it (as QEMU does on every exit) gets one delivery, not two;
 * one that does not re-inject loses it, as on VMX.  Also the interrupt
 * window recipe: request the window, take the exit, inject. */
#include "recipe_regs.h"

#define GUEST "recipes64"

enum { VEC_NMI = 2, VEC_GP = 13, VEC_EXT = 0x40, VEC_SOFT = 0x41 };

/* A stack page the cases unmap to make delivery fault. */
#define FAULT_STACK_PAGE (GUEST_FREE + 0x40000)

static uint32_t count_of(struct h_vm *vm, unsigned vector)
{
    return (uint32_t)h_peek(vm, h_sym(vm, "rc_counts") + 4 * vector, 4);
}

static uint32_t total(struct h_vm *vm)
{
    return (uint32_t)h_peek(vm, h_sym(vm, "rc_total"), 4);
}

/* Guest IDT built, IF=1, stopped just before g_wait. */
static void run_to_wait(struct h_vm *vm)
{
    h_expect_report(vm, 0x5a);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RIP), h_sym(vm, "g_wait"));
    T_ASSERT_EQ(total(vm), 0);
}

static void inject(struct h_vm *vm, uint64_t info, uint64_t error, uint64_t instr_len)
{
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_IRQ_INFO, info);
    if (info & IRQ_INFO_ERROR_VALID)
        h_set_vmcs(vm, VMCS_CTRL_VMENTRY_EXC_ERROR, error);
    if (instr_len)
        h_set_vmcs(vm, VMCS_CTRL_VMENTRY_INSTR_LEN, instr_len);
}

/* The handler's report: vector in EAX at g_handler_report. */
static void expect_handler_at(struct h_vm *vm, unsigned vector, const char *file, int line)
{
    const struct h_exit *e = h_run_expect_at(vm, VMX_REASON_IO, file, line);
    if (IOQ_PORT(e->qual) != PORT_EXC || e->rip != h_sym(vm, "g_handler_report"))
        t_fail(true, file, line, "OUT to port 0x%llx at RIP 0x%llx; expected the handler's report",
               (unsigned long long)IOQ_PORT(e->qual), (unsigned long long)e->rip);
    uint64_t got = h_reg(vm, HV_X86_RAX) & 0xffffffff;
    if (got != vector)
        t_fail(true, file, line, "handler for vector 0x%llx, expected 0x%x", (unsigned long long)got, vector);
    h_skip_instr(vm);
}
#define expect_handler(vm, vector) expect_handler_at(vm, vector, __FILE__, __LINE__)

/* The guest returns from the handler to g_wait, sees the delivery, waits
 * a little for a duplicate, and reports how many deliveries it counted. */
static void expect_delivered_once_at(struct h_vm *vm, unsigned vector, const char *file, int line)
{
    h_expect_report_at(vm, 1, file, line);
    h_expect_done_at(vm, file, line);
    if (count_of(vm, vector) != 1)
        t_fail(true, file, line, "vector 0x%x delivered %u times", vector, count_of(vm, vector));
}
#define expect_delivered_once(vm, vector) expect_delivered_once_at(vm, vector, __FILE__, __LINE__)

static uint64_t last(struct h_vm *vm, const char *what)
{
    return h_peek(vm, h_sym(vm, what), 8);
}

T_CASE(inject_ext_irq_once)
{
    run_to_wait(vm);
    inject(vm, IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | VEC_EXT, 0, 0);
    expect_handler(vm, VEC_EXT);
    T_ASSERT_EQ(last(vm, "rc_last_rip"), h_sym(vm, "g_wait"));
    T_ASSERT(last(vm, "rc_last_rflags") & RF_IF);               /* IF was 1 when it arrived */
    T_ASSERT_EQ(h_reg(vm, HV_X86_RFLAGS) & RF_IF, 0);           /* the interrupt gate cleared it */
    T_ASSERT_EQ(h_vmcs(vm, VMCS_CTRL_VMENTRY_IRQ_INFO) & IRQ_INFO_VALID, 0);
    expect_delivered_once(vm, VEC_EXT);
}

T_CASE(inject_gp_error_code_once)
{
    run_to_wait(vm);
    inject(vm, IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | IRQ_INFO_ERROR_VALID | VEC_GP, 0x1234, 0);
    expect_handler(vm, VEC_GP);
    T_ASSERT_EQ(last(vm, "rc_last_error"), 0x1234);
    T_ASSERT_EQ(last(vm, "rc_last_rip"), h_sym(vm, "g_wait"));   /* a fault: the RIP of entry */
    expect_delivered_once(vm, VEC_GP);
}

/* An NMI: vector 2, NMIs blocked while its handler runs (until IRET). */
T_CASE(inject_nmi_once)
{
    run_to_wait(vm);
    inject(vm, IRQ_INFO_VALID | IRQ_INFO_NMI | VEC_NMI, 0, 0);
    expect_handler(vm, VEC_NMI);
    T_ASSERT(h_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY) & GUEST_INTRBILITY_NMI_BLOCKING);
    T_ASSERT_EQ(last(vm, "rc_last_rip"), h_sym(vm, "g_wait"));
    expect_delivered_once(vm, VEC_NMI);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY) & GUEST_INTRBILITY_NMI_BLOCKING, 0);
}

/* A software interrupt (type 4): the frame's RIP is RIP + the VM-entry
 * instruction length.  g_wait starts with two one-byte NOPs, so +2 is an
 * instruction boundary. */
T_CASE(inject_soft_int_entry_len)
{
    run_to_wait(vm);
    inject(vm, IRQ_INFO_VALID | IRQ_INFO_SOFT_IRQ | VEC_SOFT, 0, 2);
    expect_handler(vm, VEC_SOFT);
    T_ASSERT_EQ(last(vm, "rc_last_rip"), h_sym(vm, "g_wait") + 2);
    expect_delivered_once(vm, VEC_SOFT);
}

/* ---- exits during delivery, and the re-injection hazard ---- */

/* Put the guest's stack on a page, then unmap it: delivering the event
 * faults on the frame push and exits with the event in the IDT-vectoring
 * fields.  Nothing of the delivery may be visible. */
static void fault_during_delivery(struct h_vm *vm, uint64_t info, uint64_t error, uint64_t len)
{
    run_to_wait(vm);
    uint64_t rsp = FAULT_STACK_PAGE + 0x1000;
    h_set_reg(vm, HV_X86_RSP, rsp);
    uint64_t rflags = h_reg(vm, HV_X86_RFLAGS);
    T_HV(hv_vm_unmap(FAULT_STACK_PAGE, 0x1000));
    inject(vm, info, error, len);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EPT_VIOLATION);
    T_ASSERT_EQ(e->rip, h_sym(vm, "g_wait"));
    T_ASSERT_EQ(e->gpa & ~0xfffull, FAULT_STACK_PAGE);
    T_ASSERT(e->gpa >= rsp - 48);                 /* inside the 5-qword frame below RSP */
    T_ASSERT_EQ(e->qual & EPTQ_ACCESS_BITS, EPTQ_WRITE);
    /* The IDT-vectoring fields name the event as it was injected. */
    T_ASSERT_EQ(e->idt_info & ~(uint64_t)0x1000, info);          /* bit 12: NMI unblocking, undefined here */
    if (info & IRQ_INFO_ERROR_VALID)
        T_ASSERT_EQ(e->idt_error, error);
    if (len)
        T_ASSERT_EQ(e->instr_len, len);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RSP), rsp);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RFLAGS), rflags);
    T_ASSERT_EQ(total(vm), 0);
    T_HV(hv_vm_map(vm->ram + FAULT_STACK_PAGE, FAULT_STACK_PAGE, 0x1000,
                   HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC));
}

/* What QEMU's hvf code does on every exit: re-inject a valid IDT-vectoring
 * event, with its error code and (software events) instruction length. */
static void reinject_like_qemu(struct h_vm *vm)
{
    uint64_t idt = h_vmcs(vm, VMCS_RO_IDT_VECTOR_INFO);
    T_ASSERT(idt & IRQ_INFO_VALID);
    uint64_t type = idt & IRQ_INFO_TYPE_MASK;
    bool soft = type == IRQ_INFO_SOFT_IRQ || type == IRQ_INFO_PRIV_SOFT_EXC || type == IRQ_INFO_SOFT_EXC;
    inject(vm, idt & (IRQ_INFO_VALID | IRQ_INFO_TYPE_MASK | IRQ_INFO_ERROR_VALID | 0xff),
           h_vmcs(vm, VMCS_RO_IDT_VECTOR_ERROR), soft ? h_vmcs(vm, VMCS_RO_VMEXIT_INSTR_LEN) : 0);
}

T_CASE(reinject_ext_irq_delivered_once)
{
    fault_during_delivery(vm, IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | VEC_EXT, 0, 0);
    reinject_like_qemu(vm);
    expect_handler(vm, VEC_EXT);
    T_ASSERT_EQ(last(vm, "rc_last_rip"), h_sym(vm, "g_wait"));
    expect_delivered_once(vm, VEC_EXT);
}

T_CASE(reinject_gp_error_code_delivered_once)
{
    fault_during_delivery(vm, IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | IRQ_INFO_ERROR_VALID | VEC_GP, 0x1234, 0);
    reinject_like_qemu(vm);
    expect_handler(vm, VEC_GP);
    T_ASSERT_EQ(last(vm, "rc_last_error"), 0x1234);
    expect_delivered_once(vm, VEC_GP);
}

T_CASE(reinject_nmi_delivered_once)
{
    fault_during_delivery(vm, IRQ_INFO_VALID | IRQ_INFO_NMI | VEC_NMI, 0, 0);
    reinject_like_qemu(vm);
    expect_handler(vm, VEC_NMI);
    expect_delivered_once(vm, VEC_NMI);
}

T_CASE(reinject_soft_int_delivered_once)
{
    fault_during_delivery(vm, IRQ_INFO_VALID | IRQ_INFO_SOFT_IRQ | VEC_SOFT, 0, 2);
    reinject_like_qemu(vm);
    expect_handler(vm, VEC_SOFT);
    T_ASSERT_EQ(last(vm, "rc_last_rip"), h_sym(vm, "g_wait") + 2);
    expect_delivered_once(vm, VEC_SOFT);
}

/* VMX does not deliver the interrupted event again by itself: without the
 * client's re-injection it is gone, and the guest keeps waiting. */
T_CASE(no_reinject_event_is_dropped)
{
    fault_during_delivery(vm, IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | VEC_EXT, 0, 0);
    T_HV(hv_vcpu_run_until(vm->vcpu, h_now_ns() + 30000000));
    uint64_t reason = h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff;
    while (reason == VMX_REASON_IRQ) {
        T_HV(hv_vcpu_run_until(vm->vcpu, h_now_ns() + 30000000));
        reason = h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff;
    }
    T_ASSERT_EQ(reason, VMX_REASON_VMX_TIMER_EXPIRED);
    T_ASSERT_EQ(total(vm), 0);
    /* A fresh injection still works. */
    inject(vm, IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | VEC_EXT, 0, 0);
    expect_handler(vm, VEC_EXT);
    expect_delivered_once(vm, VEC_EXT);
}

/* ---- interrupt window ---- */

/* The client has an interrupt for a guest running with IF=0: it requests
 * the window, the exit comes once STI and its shadow are done, and the
 * interrupt it injects there is delivered once, returning to that RIP. */
T_CASE(irq_window_then_inject)
{
    h_expect_report(vm, 0x5b);
    if (!h_enable_ctrl(vm, VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED, CPU_BASED_IRQ_WND))
        T_SKIP("interrupt-window exiting not allowed");
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IRQ_WND);
    T_ASSERT_EQ(e->rip, h_sym(vm, "g_window_open"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX), 0);                      /* the loop before STI ran */
    T_ASSERT(e->rflags & RF_IF);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY) & 3, 0);
    T_ASSERT_EQ(total(vm), 0);
    h_set_vmcs(vm, VMCS_CTRL_CPU_BASED, h_vmcs(vm, VMCS_CTRL_CPU_BASED) & ~(uint64_t)CPU_BASED_IRQ_WND);
    inject(vm, IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | VEC_EXT, 0, 0);
    expect_handler(vm, VEC_EXT);
    T_ASSERT_EQ(last(vm, "rc_last_rip"), h_sym(vm, "g_window_open"));
    expect_delivered_once(vm, VEC_EXT);
}

/* With IF=1 already, the window exit comes before any guest instruction. */
T_CASE(irq_window_already_open)
{
    run_to_wait(vm);
    if (!h_enable_ctrl(vm, VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED, CPU_BASED_IRQ_WND))
        T_SKIP("interrupt-window exiting not allowed");
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IRQ_WND);
    T_ASSERT_EQ(e->rip, h_sym(vm, "g_wait"));
    h_set_vmcs(vm, VMCS_CTRL_CPU_BASED, h_vmcs(vm, VMCS_CTRL_CPU_BASED) & ~(uint64_t)CPU_BASED_IRQ_WND);
    inject(vm, IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | VEC_EXT, 0, 0);
    expect_handler(vm, VEC_EXT);
    expect_delivered_once(vm, VEC_EXT);
}

#define E(name, entry) T_ENTRY(name, GUEST, GUEST_LONG64, entry)
static const struct t_case cases[] = {
    E(inject_ext_irq_once, "g_idt_sti"),
    E(inject_gp_error_code_once, "g_idt_sti"),
    E(inject_nmi_once, "g_idt_sti"),
    E(inject_soft_int_entry_len, "g_idt_sti"),
    E(reinject_ext_irq_delivered_once, "g_idt_sti"),
    E(reinject_gp_error_code_delivered_once, "g_idt_sti"),
    E(reinject_nmi_delivered_once, "g_idt_sti"),
    E(reinject_soft_int_delivered_once, "g_idt_sti"),
    E(no_reinject_event_is_dropped, "g_idt_sti"),
    E(irq_window_then_inject, "g_idt_cli"),
    E(irq_window_already_open, "g_idt_sti"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
