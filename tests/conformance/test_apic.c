/* The in-kernel interrupt controllers of a VM created with HV_VM_ACCEL_APIC,
 * on one vCPU: local APIC registers, MMIO and x2APIC, the timer in its three
 * modes against hv_vcpu_get_exec_time, IPIs to self, TPR masking, HLT and
 * idle time, MSI, the IOAPIC with level interrupts and EOI, the 8259 in
 * real mode, state save/restore, and the API's rules. */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../guests/apic.h"

/* KVM nested in QEMU's software CPU (check-kvm-nested): an entry or a
 * timer interrupt can take milliseconds there. */
static bool nested_slow(void)
{
    return h_on_kvm() && getenv("OPENHV_NESTED_SOFTWARE_CPU") != NULL;
}

static uint64_t exec_ns(struct h_vm *vm)
{
    uint64_t t = 0;
    T_HV(hv_vcpu_get_exec_time(vm->vcpu, &t));
    return t;
}

static uint64_t idle_ns(struct h_vm *vm)
{
    uint64_t t = 0;
    T_HV(hv_vcpu_get_idle_time(vm->vcpu, &t));
    return t;
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint32_t apic_rd(struct h_vm *vm, uint32_t off)
{
    uint32_t v = 0;
    T_HV(hv_vcpu_apic_read(vm->vcpu, off, &v));
    return v;
}

static bool apic_wr(struct h_vm *vm, uint32_t off, uint32_t val)
{
    bool no_side = false;
    T_HV(hv_vcpu_apic_write(vm->vcpu, off, val, &no_side));
    return no_side;
}

static uint32_t count(struct h_vm *vm, unsigned vector)
{
    return (uint32_t)h_peek(vm, IRQ_COUNTS + 4 * vector, 4);
}

/* Run for `ns` of wall time: the guest must not exit before (or only with
 * exits `ok_port` names, which are skipped). */
static void run_for(struct h_vm *vm, uint64_t ns)
{
    uint64_t end = h_now_ns() + ns;
    for (;;) {
        T_HV(hv_vcpu_run_until(vm->vcpu, end));
        uint64_t reason = h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff;
        if (reason == VMX_REASON_VMX_TIMER_EXPIRED)
            return;
        if (reason == VMX_REASON_IRQ && h_now_ns() < end)
            continue;
        t_fail(true, __FILE__, __LINE__, "exit reason %llu at RIP 0x%llx while running for %llu ns",
               (unsigned long long)reason, (unsigned long long)h_reg(vm, HV_X86_RIP),
               (unsigned long long)ns);
    }
}

/* Run to the handler's OUT to PORT_ACK; returns the vector. */
static unsigned run_to_ack(struct h_vm *vm)
{
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_ACK);
    unsigned vec = (unsigned)(h_reg(vm, HV_X86_RAX) & 0xff);
    h_skip_instr(vm);
    return vec;
}

/* ---- registers ---- */

T_CASE(apic_reset_state)
{
    T_ASSERT_EQ(apic_rd(vm, 0x20), 0);                  /* APIC ID = vCPU id 0 */
    /* Version 0x14, 7 LVT entries; KVM's APIC has its own LVT count and
     * directed EOI (docs/compat.md). */
    T_ASSERT_EQ(apic_rd(vm, 0x30) & (h_on_kvm() ? 0xffu : ~0u), h_on_kvm() ? 0x14u : 0x00060014u);
    T_ASSERT_EQ(apic_rd(vm, 0xf0), 0xff);                /* software-disabled */
    T_ASSERT_EQ(apic_rd(vm, 0xe0), 0xffffffff);          /* flat model */
    for (uint32_t off = 0x320; off <= 0x370; off += 0x10)
        T_ASSERT_EQ(apic_rd(vm, off), 0x10000);         /* every LVT masked */
    hv_apic_state_ext_t st = { .version = HV_APIC_STATE_EXT_VER };
    T_HV(hv_vcpu_apic_get_state(vm->vcpu, &st));
    T_ASSERT_EQ(st.state.apic_gpa, 0xfee00000ull | (1u << 11) | (1u << 8));   /* EN, BSP */
    T_ASSERT_EQ(st.state.boot_state, HV_BS_RUNNING);
    hv_vm_exitinfo_t info = 0;
    T_HV(hv_vcpu_exit_info(vm->vcpu, &info));
    T_ASSERT_EQ(info, HV_VM_EXITINFO_VMX);
}

T_CASE(apic_write_rules)
{
    /* LVT entries cannot be unmasked while the APIC is software-disabled. */
    T_ASSERT(apic_wr(vm, 0x320, 0x40));
    T_ASSERT_EQ(apic_rd(vm, 0x320), 0x10040);
    T_ASSERT(apic_wr(vm, 0xf0, 0x1ff));
    T_ASSERT(apic_wr(vm, 0x320, 0xffffffff));
    T_ASSERT_EQ(apic_rd(vm, 0x320), 0x700ff);            /* only vector, mask, mode bits */
    /* TPR through the API is the VMCS TPR register. */
    T_ASSERT(apic_wr(vm, 0x80, 0x35));
    T_ASSERT_EQ(apic_rd(vm, 0xa0), 0x35);                /* PPR = TPR with nothing in service */
    T_ASSERT_EQ(h_reg(vm, HV_X86_TPR), 0x35);
    h_set_reg(vm, HV_X86_TPR, 0x20);
    T_ASSERT_EQ(apic_rd(vm, 0x80), 0x20);
}

/* ---- timer ---- */

T_CASE(apic_timer_oneshot_mmio)
{
    /* 20 ms at the default 1 GHz bus (nested: 200 ms, longer than the
     * round trip of the report's exit, so that the guest still halts). */
    uint32_t initial = nested_slow() ? 200000000 : 20000000;
    h_set_reg(vm, HV_X86_RBX, initial);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_REPORT);
    uint64_t cur = h_reg(vm, HV_X86_RAX) & 0xffffffff;
    T_ASSERT(cur > 0 && cur <= initial);
    h_skip_instr(vm);
    h_expect_report(vm, 0);                              /* expired: current count 0 */
    h_expect_done(vm);
    T_ASSERT_EQ(count(vm, 0x40), 1);
    T_ASSERT(exec_ns(vm) >= 20000000);
    /* The guest halted while it waited: idle time, inside exec time. */
    T_ASSERT(idle_ns(vm) > 0 && idle_ns(vm) <= exec_ns(vm));
}

/* Periodic: 500 us (count 250000, divide by 2); the ticks taken match the
 * execution time. */
T_CASE(apic_timer_periodic_vs_exec_time)
{
    h_set_reg(vm, HV_X86_RBX, 250000);
    h_set_reg(vm, HV_X86_RCX, 0);                        /* divide by 2 */
    uint64_t cpu0 = thread_cpu_ns();
    run_for(vm, 100000000);
    uint64_t cpu = thread_cpu_ns() - cpu0;
    uint64_t t = exec_ns(vm), ticks = count(vm, 0x41);
    /* Never faster than the period; and while the thread had the CPU,
     * every period ticked (periods that pass while the host runs someone
     * else coalesce into one interrupt, as one IRR bit would).  The lower
     * bound allows half: under a sanitizer on a loaded host the timer is
     * polled less often than its period.  (The emulator looks at it at
     * every poll of its run loop; when it looked only every 64 turns of
     * the loop, a spinning guest in translated code took a quarter of
     * its ticks.) */
    T_ASSERT(ticks <= t / 500000 + 1);
    /* Nested in a software CPU, guest time is not the thread's CPU time's
     * measure: there every tick still counts, at least one. */
    T_ASSERT(ticks >= (nested_slow() ? 1 : cpu / 500000 / 2));
    T_ASSERT_EQ(apic_rd(vm, 0x3e0), 0);
    uint32_t ccr = apic_rd(vm, 0x390);
    T_ASSERT(ccr <= 250000);
}

T_CASE(apic_timer_periodic_halt_idle)
{
    h_set_reg(vm, HV_X86_RBX, 1000000);                  /* 1 ms */
    h_set_reg(vm, HV_X86_RCX, 0xb);                      /* divide by 1 */
    run_for(vm, nested_slow() ? 200000000 : 40000000);
    uint64_t t = exec_ns(vm), ticks = count(vm, 0x41);
    T_ASSERT(ticks <= t / 1000000 + 1);
    /* Each expiry wakes the HLT; a loaded host may merge a few. */
    T_ASSERT(ticks >= 5);
    /* Between ticks the vCPU sleeps in HLT (apic_hlt_idle_time bounds the
     * share; here the host's load decides how much of each tick runs). */
    T_ASSERT(idle_ns(vm) > 0);
    T_ASSERT(idle_ns(vm) <= t);
}

T_CASE(apic_timer_tsc_deadline)
{
    h_set_reg(vm, HV_X86_RBX, 3000000);                  /* TSC ticks */
    uint64_t tsc0 = hv_tsc_clock();
    h_expect_report(vm, 1);                              /* one interrupt */
    uint64_t tsc1 = hv_tsc_clock();
    h_expect_report(vm, 0);                              /* IA32_TSC_DEADLINE disarmed */
    h_expect_done(vm);
    T_ASSERT(tsc1 - tsc0 >= 3000000);
    T_ASSERT_EQ(count(vm, 0x42), 1);
}

T_CASE(apic_bus_freq)
{
    T_ASSERT_EQ(hv_vm_set_apic_bus_freq(100000000), HV_BUSY);   /* a vCPU exists */
    T_ASSERT_EQ(hv_vm_set_apic_bus_freq(15999999), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_set_apic_bus_freq(2000000001), HV_BAD_ARGUMENT);
    T_HV(hv_vcpu_destroy(vm->vcpu));
    hv_return_t r = hv_vm_set_apic_bus_freq(16000000);  /* 16 MHz: 62.5 ns a tick */
    if (r == HV_UNSUPPORTED && h_on_kvm()) {
        T_HV(hv_vcpu_create(&vm->vcpu, HV_VCPU_DEFAULT));
        T_SKIP("this KVM lacks KVM_CAP_X86_APIC_BUS_CYCLES_NS (Linux 6.11+): 1 GHz only (docs/compat.md)");
    }
    T_HV(r);
    T_HV(hv_vcpu_create(&vm->vcpu, HV_VCPU_DEFAULT));
    h_setup_mode(vm, GUEST_LONG64, "a_oneshot");
    h_set_reg(vm, HV_X86_RBX, 32000);                    /* 2 ms at 16 MHz */
    h_run_expect(vm, VMX_REASON_IO);
    h_skip_instr(vm);
    h_expect_report(vm, 0);
    h_expect_done(vm);
    T_ASSERT(exec_ns(vm) >= 2000000);
}

T_CASE(apic_no_timer_exits)
{
    if (h_on_kvm()) {
        /* KVM's timer cannot be handed to the client. */
        T_ASSERT_EQ(hv_vcpu_apic_ctrl(vm->vcpu, HV_APIC_CTRL_NO_TIMER), HV_UNSUPPORTED);
        T_SKIP("HV_APIC_CTRL_NO_TIMER is refused on kvm (docs/compat.md)");
    }
    T_HV(hv_vcpu_apic_ctrl(vm->vcpu, HV_APIC_CTRL_NO_TIMER));
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_APIC_WRITE);
    T_ASSERT_EQ(e->qual, 0x3e0);                        /* the divide register */
    T_ASSERT_EQ(e->rip, h_sym(vm, "a_oneshot") + 5 + 5 + 10);  /* after the MOV */
    hv_vm_exitinfo_t info = 0;
    T_HV(hv_vcpu_exit_info(vm->vcpu, &info));
    T_ASSERT_EQ(info, HV_VM_EXITINFO_VMX);
    /* The client runs the timer: hv_vcpu_apic_trigger_lvt raises it. */
    e = h_run_expect(vm, VMX_REASON_APIC_WRITE);
    T_ASSERT_EQ(e->qual, 0x320);
    e = h_run_expect(vm, VMX_REASON_APIC_WRITE);
    T_ASSERT_EQ(e->qual, 0x380);
    h_expect_report(vm, 0);                              /* our timer does not run */
    T_HV(hv_vcpu_apic_trigger_lvt(vm->vcpu, HV_APIC_LVT_FLAVOR_TIMER));
    h_expect_report(vm, 0);
    h_expect_done(vm);
    T_ASSERT_EQ(count(vm, 0x40), 1);
}

/* ---- x2APIC, IPIs, TPR ---- */

T_CASE(apic_x2apic_self_ipi)
{
    h_poke(vm, IRQ_EOI_MODE, 1, 4);
    h_expect_report(vm, 0);                              /* x2APIC ID of vCPU 0 */
    h_expect_report(vm, 1);                              /* the self IPI arrived */
    if (h_on_kvm()) {                                    /* version by RDMSR: KVM's (see apic_reset_state) */
        h_run_expect(vm, VMX_REASON_IO);
        T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xff, 0x14);
        h_skip_instr(vm);
    } else {
        h_expect_report(vm, 0x00060014);                 /* version by RDMSR */
    }
    h_expect_done(vm);
    hv_apic_state_ext_t st = { .version = HV_APIC_STATE_EXT_VER };
    T_HV(hv_vcpu_apic_get_state(vm->vcpu, &st));
    T_ASSERT(st.state.apic_gpa & (1u << 10));            /* EXTD */
    T_ASSERT_EQ(st.state.ldr, 1);                        /* cluster 0, bit 0 */
    T_ASSERT_EQ(st.state.isr[0x50 / 32], 0);             /* EOI'd by MSR */
}

T_CASE(apic_mmio_rmw_and_narrow)
{
    /* KVM ignores a store narrower than 32 bits (the SDM leaves it
     * undefined; docs/compat.md). */
    uint32_t tpr = h_on_kvm() ? 0 : 0x5a;
    h_expect_report(vm, 0x1ff);
    h_expect_report(vm, tpr);
    h_expect_done(vm);
    T_ASSERT_EQ(h_reg(vm, HV_X86_TPR), tpr);
}

T_CASE(apic_ipi_self_physical)
{
    h_set_reg(vm, HV_X86_RCX, 0);                        /* destination APIC 0 */
    h_set_reg(vm, HV_X86_RBX, 0x4051);                   /* fixed, vector 0x51 */
    h_expect_report(vm, 1);
    h_expect_done(vm);
    T_ASSERT_EQ(h_peek(vm, IRQ_LOG, 1), 0x51);
    T_ASSERT_EQ(apic_rd(vm, 0x300), 0x4051);             /* delivery status idle */
}

T_CASE(apic_ipi_logical)
{
    T_ASSERT(apic_wr(vm, 0xd0, 0x02000000));             /* logical ID bit 1 */
    h_set_reg(vm, HV_X86_RCX, 0x04000000);               /* names bit 2: not us */
    h_set_reg(vm, HV_X86_RBX, 0x4852);                   /* logical, fixed, 0x52 */
    h_expect_report(vm, 0);
    h_expect_done(vm);
    h_goto(vm, "a_ipi");
    h_set_reg(vm, HV_X86_RCX, 0x06000000);               /* bits 1|2: us */
    h_set_reg(vm, HV_X86_RBX, 0x4952);                   /* logical, lowest priority */
    h_expect_report(vm, 1);
    h_expect_done(vm);
    T_ASSERT_EQ(count(vm, 0x52), 1);
}

T_CASE(apic_ipi_nmi_self)
{
    h_set_reg(vm, HV_X86_RCX, 0);
    h_set_reg(vm, HV_X86_RBX, 0x44400);                  /* NMI, shorthand self */
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_EXC);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xff, 2);       /* through IDT vector 2 */
}

T_CASE(apic_tpr_masks)
{
    /* The guest lowers CR8 with interrupts pending: under nested SVM that
     * is a V_TPR write with V_IRQ set, where QEMU's TCG (7.2) raises an
     * interrupt without its lock and aborts. */
    if (nested_slow())
        T_SKIP("CR8 below a pending interrupt under KVM nested in QEMU's software CPU aborts QEMU (docs/compat.md)");
    if (h_on_kvm())
        T_ASSERT(apic_wr(vm, 0xf0, 0x1ff));              /* KVM's APIC drops them while disabled */
    T_HV(hv_vm_lapic_set_intr(vm->vcpu, 0x45, HV_APIC_EDGE_TRIGGER));
    T_HV(hv_vm_lapic_set_intr(vm->vcpu, 0x65, HV_APIC_EDGE_TRIGGER));
    h_set_reg(vm, HV_X86_RBX, 5);                        /* CR8 5: class 4 masked */
    h_expect_report(vm, 1);
    h_expect_report(vm, 2);
    h_expect_report(vm, 0);                              /* TPR after CR8 = 0 */
    h_expect_done(vm);
    T_ASSERT_EQ(h_peek(vm, IRQ_LOG, 1), 0x65);
    T_ASSERT_EQ(h_peek(vm, IRQ_LOG + 1, 1), 0x45);
    T_ASSERT_EQ(h_reg(vm, HV_X86_TPR), 0);
}

/* TPR written through the API between runs, no MOV CR8 in the guest (so
 * this runs nested in a software CPU too): a vector whose class is not
 * above the TPR waits in IRR, a higher one is taken; lowering the TPR
 * releases them class by class. */
T_CASE(apic_tpr_masks_api)
{
    T_ASSERT(apic_wr(vm, 0xf0, 0x1ff));
    T_ASSERT(apic_wr(vm, 0x80, 0x50));
    h_poke(vm, IRQ_ACK, 1, 4);
    T_HV(hv_vm_lapic_set_intr(vm->vcpu, 0x45, HV_APIC_EDGE_TRIGGER));
    T_HV(hv_vm_lapic_set_intr(vm->vcpu, 0x55, HV_APIC_EDGE_TRIGGER));
    T_HV(hv_vm_lapic_set_intr(vm->vcpu, 0x65, HV_APIC_EDGE_TRIGGER));
    T_ASSERT_EQ(run_to_ack(vm), 0x65);
    run_for(vm, nested_slow() ? 50000000 : 2000000);     /* nothing else comes */
    T_ASSERT_EQ(count(vm, 0x45) + count(vm, 0x55), 0);
    T_ASSERT_EQ(apic_rd(vm, 0x220), (1u << (0x45 % 32)) | (1u << (0x55 % 32)));   /* both in IRR */
    T_ASSERT(apic_wr(vm, 0x80, 0x40));
    T_ASSERT_EQ(run_to_ack(vm), 0x55);
    T_ASSERT_EQ(h_reg(vm, HV_X86_TPR), 0x40);
    T_ASSERT(apic_wr(vm, 0x80, 0));
    T_ASSERT_EQ(run_to_ack(vm), 0x45);
    run_for(vm, nested_slow() ? 50000000 : 2000000);     /* its handler's EOI */
    T_ASSERT_EQ(count(vm, 0x45) + count(vm, 0x55) + count(vm, 0x65), 3);
    T_ASSERT_EQ(apic_rd(vm, 0x220), 0);
}

/* ---- HLT, MSI ---- */

T_CASE(apic_hlt_idle_time)
{
    run_for(vm, 10000000);                               /* the guest reaches its HLT */
    uint64_t exec0 = exec_ns(vm), idle0 = idle_ns(vm);
    run_for(vm, 30000000);                               /* ...and sleeps there */
    uint64_t exec1 = exec_ns(vm), idle1 = idle_ns(vm);
    T_ASSERT(idle1 <= exec1);
    T_ASSERT(idle1 - idle0 >= (exec1 - exec0) / 2);
    T_ASSERT(exec1 - exec0 >= 30000000);
    /* An interrupt set while the vCPU is out of the guest wakes the HLT;
     * with automatic EOI it never enters ISR. */
    T_ASSERT(apic_wr(vm, 0xf0, 0x1ff));
    h_poke(vm, IRQ_ACK, 1, 4);
    T_HV(hv_vm_lapic_set_intr(vm->vcpu, 0x44, HV_APIC_EDGE_TRIGGER_AEOI));
    T_ASSERT_EQ(run_to_ack(vm), 0x44);
    /* KVM's APIC has no automatic EOI: there the vector is in service. */
    T_ASSERT_EQ(apic_rd(vm, 0x100 + 0x10 * (0x44 / 32)) != 0, h_on_kvm());
}

T_CASE(apic_msi)
{
    T_ASSERT(apic_wr(vm, 0xf0, 0x1ff));
    h_poke(vm, IRQ_ACK, 1, 4);
    T_HV(hv_vm_lapic_msi(0xfee00000, 0x59));             /* APIC 0, fixed, 0x59 */
    T_HV(hv_vm_lapic_msi(0xfee01000, 0x5a));             /* APIC 1: nobody */
    T_ASSERT_EQ(hv_vm_lapic_msi(0xfed00000, 0x5b), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(run_to_ack(vm), 0x59);
    run_for(vm, 2000000);
    T_ASSERT_EQ(count(vm, 0x59), 1);
    T_ASSERT_EQ(count(vm, 0x5a), 0);
}

/* ---- IOAPIC ---- */

static uint32_t ioapic_reg(uint32_t sel)
{
    uint32_t v = 0;
    T_HV(hv_vm_ioapic_write(IOAPIC_MMIO, sel));
    T_HV(hv_vm_ioapic_read(IOAPIC_MMIO + 0x10, &v));
    return v;
}

T_CASE(ioapic_level_remote_irr_eoi)
{
    h_poke(vm, IRQ_ACK, 1, 4);
    h_set_reg(vm, HV_X86_RBX, 5);
    h_set_reg(vm, HV_X86_RCX, 0x8055);                   /* level, fixed, 0x55 */
    h_expect_report(vm, 0x8055);
    T_HV(hv_vm_ioapic_assert_irq(5));
    T_ASSERT_EQ(run_to_ack(vm), 0x55);
    T_ASSERT(ioapic_reg(0x10 + 2 * 5) & (1u << 14));     /* remote IRR until EOI */
    /* Still asserted at the EOI: delivered again. */
    T_ASSERT_EQ(run_to_ack(vm), 0x55);
    T_HV(hv_vm_ioapic_deassert_irq(5));
    run_for(vm, nested_slow() ? 50000000 : 2000000);
    T_ASSERT_EQ(count(vm, 0x55), 2);
    T_ASSERT_EQ(ioapic_reg(0x10 + 2 * 5) & (1u << 14), 0);
    T_ASSERT_EQ(ioapic_reg(1), 0x001f0011);              /* 32 pins, version 0x11 */
}

T_CASE(ioapic_eoi_exit)
{
    T_HV(hv_vcpu_apic_ctrl(vm->vcpu, HV_APIC_CTRL_IOAPIC_EOI));
    h_poke(vm, IRQ_ACK, 1, 4);
    h_set_reg(vm, HV_X86_RBX, 7);
    h_set_reg(vm, HV_X86_RCX, 0x8057);
    h_expect_report(vm, 0x8057);
    T_HV(hv_vm_ioapic_assert_irq(7));
    T_ASSERT_EQ(run_to_ack(vm), 0x57);
    T_HV(hv_vm_ioapic_deassert_irq(7));
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_VIRTUALIZED_EOI);
    T_ASSERT_EQ(e->qual, 0x57);
    hv_vm_exitinfo_t info = 0;
    T_HV(hv_vcpu_exit_info(vm->vcpu, &info));
    T_ASSERT_EQ(info, HV_VM_EXITINFO_IOAPIC_EOI);
    uint8_t vec = 0;
    T_HV(hv_vcpu_exit_ioapic_eoi(vm->vcpu, &vec));
    T_ASSERT_EQ(vec, 0x57);
    /* The EOI went to the client, not to our IOAPIC. */
    T_ASSERT(ioapic_reg(0x10 + 2 * 7) & (1u << 14));
    run_for(vm, 1000000);
    T_HV(hv_vcpu_exit_info(vm->vcpu, &info));
    T_ASSERT_EQ(info, HV_VM_EXITINFO_VMX);
    T_ASSERT_EQ(hv_vcpu_exit_ioapic_eoi(vm->vcpu, &vec), HV_BAD_ARGUMENT);
}

T_CASE(ioapic_edge_mask)
{
    T_ASSERT(apic_wr(vm, 0xf0, 0x1ff));
    T_HV(hv_vm_ioapic_write(IOAPIC_MMIO, 0x10 + 2 * 3));
    T_HV(hv_vm_ioapic_write(IOAPIC_MMIO + 0x10, 0x10053));      /* edge, masked, 0x53 */
    T_HV(hv_vm_ioapic_pulse_irq(3));
    run_for(vm, 1000000);
    T_ASSERT_EQ(count(vm, 0x53), 0);
    T_HV(hv_vm_ioapic_write(IOAPIC_MMIO + 0x10, 0x53));         /* unmask: the edge is gone */
    run_for(vm, 1000000);
    T_ASSERT_EQ(count(vm, 0x53), 0);
    h_poke(vm, IRQ_ACK, 1, 4);
    T_HV(hv_vm_ioapic_pulse_irq(3));
    T_HV(hv_vm_send_ioapic_intr(0x54));                  /* a message in RTE format */
    T_ASSERT_EQ(run_to_ack(vm), 0x54);                   /* same class: higher vector first */
    T_ASSERT_EQ(run_to_ack(vm), 0x53);
    T_ASSERT_EQ(count(vm, 0x53), 1);
    T_ASSERT_EQ(count(vm, 0x54), 1);
}

/* ---- 8259 in real mode ---- */

/* The client's port decoder: PIC ports go to the in-kernel 8259 pair. */
static bool forward_pic_io(struct h_vm *vm, const struct h_exit *e)
{
    unsigned port = IOQ_PORT(e->qual);
    if (port != 0x20 && port != 0x21 && port != 0xa0 && port != 0xa1)
        return false;
    if (e->qual & IOQ_IN) {
        uint8_t v = 0;
        T_HV(hv_vm_atpic_port_read((int)port, &v));
        h_complete_in(vm, v);
    } else {
        T_HV(hv_vm_atpic_port_write((int)port, (uint8_t)h_reg(vm, HV_X86_RAX)));
        h_skip_instr(vm);
    }
    return true;
}

/* Ticks IRQ0 every 1 ms of run time until the guest reports. */
static void pic_timer_loop(struct h_vm *vm, bool extint)
{
    unsigned pulses = 0;
    for (int i = 0; i < 10000; i++) {
        T_HV(hv_vcpu_run_until(vm->vcpu, h_now_ns() + 1000000));
        struct h_exit e = {
            .reason = h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff,
            .qual = h_vmcs(vm, VMCS_RO_EXIT_QUALIFIC),
            .instr_len = h_vmcs(vm, VMCS_RO_VMEXIT_INSTR_LEN),
        };
        vm->exit = e;
        if (e.reason == VMX_REASON_VMX_TIMER_EXPIRED) {
            T_HV(hv_vm_atpic_deassert_irq(0));
            T_HV(hv_vm_atpic_assert_irq(0));
            hv_atpic_state_ext_t p = { .version = HV_ATPIC_STATE_EXT_VER };
            T_HV(hv_vm_atpic_get_state(&p, true));
            /* A client injects an ExtINT only once its 8259 is set up. */
            if (extint && p.state.ready) {
                /* Nested in a software CPU an entry can outlast the tick:
                 * the last ExtINT may still wait for its window. */
                hv_return_t r = hv_vcpu_inject_extint(vm->vcpu);
                if (!(r == HV_BUSY && nested_slow()))
                    T_HV(r);
                /* One at a time. */
                T_ASSERT_EQ(hv_vcpu_inject_extint(vm->vcpu), HV_BUSY);
            }
            pulses++;
            continue;
        }
        T_ASSERT_EQ(e.reason, VMX_REASON_IO);
        if (forward_pic_io(vm, &e))
            continue;
        T_ASSERT_EQ(IOQ_PORT(e.qual), PORT_REPORT);
        /* Five ticks at least; one more may come before the guest compares
         * (the vCPU's entry can take longer than a tick where KVM is nested
         * in a software CPU), never more than the pulses. */
        uint64_t ticks = h_reg(vm, HV_X86_RAX) & 0xffffffff;
        T_ASSERT(ticks >= 5 && ticks <= pulses);
        h_skip_instr(vm);
        h_expect_done(vm);
        return;
    }
    T_ASSERT(!"the guest never counted five ticks");
}

T_CASE(pic_real_mode_tick_lint0)
{
    /* What a BIOS does: APIC on, LINT0 in ExtINT mode. */
    T_ASSERT(apic_wr(vm, 0xf0, 0x1ff));
    T_ASSERT(apic_wr(vm, 0x350, 0x700));
    pic_timer_loop(vm, false);
    hv_atpic_state_ext_t p = { .version = HV_ATPIC_STATE_EXT_VER };
    T_HV(hv_vm_atpic_get_state(&p, true));
    T_ASSERT_EQ(p.state.irq_base, 0x08);
    T_ASSERT_EQ(p.state.mask, 0xfe);
    T_ASSERT_EQ(p.state.service, 0);                     /* every tick EOI'd */
    T_HV(hv_vm_atpic_get_state(&p, false));
    T_ASSERT_EQ(p.state.irq_base, 0x70);
}

T_CASE(pic_real_mode_tick_apic_disabled)
{
    /* With the BSP's APIC hardware-disabled, the 8259's INTR reaches the
     * CPU directly. */
    hv_apic_state_ext_t st = { .version = HV_APIC_STATE_EXT_VER };
    T_HV(hv_vcpu_apic_get_state(vm->vcpu, &st));
    st.state.apic_gpa &= ~(uint64_t)(1u << 11);
    T_HV(hv_vcpu_apic_put_state(vm->vcpu, &st));
    pic_timer_loop(vm, false);
}

T_CASE(pic_real_mode_tick_inject_extint)
{
    /* LINT0 masked (reset state): the client injects each ExtINT. */
    pic_timer_loop(vm, true);
}

/* ---- state ---- */

T_CASE(apic_state_round_trip)
{
    h_set_reg(vm, HV_X86_RBX, 50000);                    /* 50 us */
    h_set_reg(vm, HV_X86_RCX, 0xb);
    T_HV(hv_vm_ioapic_write(IOAPIC_MMIO, 0x10 + 2 * 9));
    T_HV(hv_vm_ioapic_write(IOAPIC_MMIO + 0x10, 0x8066));
    T_HV(hv_vm_atpic_port_write(0x20, 0x11));
    T_HV(hv_vm_atpic_port_write(0x21, 0x20));
    run_for(vm, 5000000);
    hv_apic_state_ext_t a = { .version = HV_APIC_STATE_EXT_VER }, b = a;
    T_HV(hv_vcpu_apic_get_state(vm->vcpu, &a));
    T_HV(hv_vcpu_apic_put_state(vm->vcpu, &a));
    T_HV(hv_vcpu_apic_get_state(vm->vcpu, &b));
    /* The count moved on, and may have expired once more meanwhile. */
    b.state.ccr_timer = a.state.ccr_timer;
    b.state.irr[0x41 / 32] = a.state.irr[0x41 / 32];
    T_ASSERT(memcmp(&a, &b, sizeof a) == 0);
    hv_ioapic_state_ext_t io = { .version = HV_IOAPIC_STATE_EXT_VER }, io2 = io;
    T_HV(hv_vm_ioapic_get_state(&io));
    T_ASSERT_EQ(io.state.rtbl[9], 0x8066);
    T_HV(hv_vm_ioapic_put_state(&io));
    T_HV(hv_vm_ioapic_get_state(&io2));
    T_ASSERT(memcmp(&io, &io2, sizeof io) == 0);
    hv_atpic_state_ext_t p = { .version = HV_ATPIC_STATE_EXT_VER }, p2 = p;
    T_HV(hv_vm_atpic_get_state(&p, true));
    T_ASSERT_EQ(p.state.icw_num, 3);                     /* in the middle of ICWs */
    T_HV(hv_vm_atpic_put_state(&p, true));
    T_HV(hv_vm_atpic_get_state(&p2, true));
    T_ASSERT(memcmp(&p, &p2, sizeof p) == 0);
    /* Versions other than 100 are refused. */
    a.version = 99;
    T_ASSERT_EQ(hv_vcpu_apic_put_state(vm->vcpu, &a), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vcpu_apic_get_state(vm->vcpu, &a), HV_BAD_ARGUMENT);
    io.version = 101;
    T_ASSERT_EQ(hv_vm_ioapic_get_state(&io), HV_BAD_ARGUMENT);
    p.version = 0;
    T_ASSERT_EQ(hv_vm_atpic_put_state(&p, false), HV_BAD_ARGUMENT);
    /* Values no 8259 can hold are refused, and change nothing. */
    p.version = HV_ATPIC_STATE_EXT_VER;
    p.state.irq_base = 0x21;
    T_ASSERT_EQ(hv_vm_atpic_put_state(&p, true), HV_BAD_ARGUMENT);
    p.state.irq_base = 0x20;
    memset(&p.state.ready, 2, 1);
    T_ASSERT_EQ(hv_vm_atpic_put_state(&p, true), HV_BAD_ARGUMENT);
    T_HV(hv_vm_atpic_get_state(&p2, true));
    T_ASSERT_EQ(p2.state.icw_num, 3);
    a.version = HV_APIC_STATE_EXT_VER;
    T_HV(hv_vcpu_apic_get_state(vm->vcpu, &a));
    a.state.ver = 0x15;
    T_ASSERT_EQ(hv_vcpu_apic_put_state(vm->vcpu, &a), HV_BAD_ARGUMENT);
    a.state.ver = 0x00060014;
    a.state.apic_gpa |= 1u << 10;
    a.state.apic_gpa &= ~(uint64_t)(1u << 11);                  /* EXTD without EN */
    T_ASSERT_EQ(hv_vcpu_apic_put_state(vm->vcpu, &a), HV_BAD_ARGUMENT);
    io.version = HV_IOAPIC_STATE_EXT_VER;
    io.state.rtbl[0] = 1ull << 20;                              /* reserved bit */
    T_ASSERT_EQ(hv_vm_ioapic_put_state(&io), HV_BAD_ARGUMENT);
}

/* Save everything in the middle of a periodic-interrupt storm, destroy the
 * VM, make a new one, restore: the guest carries on counting. */
T_CASE(apic_state_restore_in_new_vm)
{
    h_set_reg(vm, HV_X86_RBX, 200000);                   /* 200 us */
    h_set_reg(vm, HV_X86_RCX, 0xb);
    run_for(vm, nested_slow() ? 200000000 : 30000000);
    static const hv_x86_reg_t regs[] = {
        HV_X86_RIP, HV_X86_RFLAGS, HV_X86_RAX, HV_X86_RCX, HV_X86_RDX, HV_X86_RBX, HV_X86_RSP,
        HV_X86_RBP, HV_X86_RSI, HV_X86_RDI, HV_X86_R12,
    };
    uint64_t saved[sizeof regs / sizeof regs[0]];
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        saved[i] = h_reg(vm, regs[i]);
    uint64_t intr = h_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY);
    uint64_t idt_base = h_vmcs(vm, VMCS_GUEST_IDTR_BASE), idt_limit = h_vmcs(vm, VMCS_GUEST_IDTR_LIMIT);
    hv_apic_state_ext_t a = { .version = HV_APIC_STATE_EXT_VER };
    T_HV(hv_vcpu_apic_get_state(vm->vcpu, &a));
    hv_ioapic_state_ext_t io = { .version = HV_IOAPIC_STATE_EXT_VER };
    T_HV(hv_vm_ioapic_get_state(&io));
    hv_atpic_state_ext_t p0 = { .version = HV_ATPIC_STATE_EXT_VER }, p1 = p0;
    T_HV(hv_vm_atpic_get_state(&p0, true));
    T_HV(hv_vm_atpic_get_state(&p1, false));
    uint32_t ticks = count(vm, 0x41);
    T_ASSERT(ticks > 5);

    T_HV(hv_vcpu_destroy(vm->vcpu));
    T_HV(hv_vm_unmap(0, GUEST_RAM_SIZE));
    T_HV(hv_vm_destroy());
    T_HV(hv_vm_create(HV_VM_ACCEL_APIC));
    T_HV(hv_vm_map(vm->ram, 0, GUEST_RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC));
    T_HV(hv_vcpu_create(&vm->vcpu, HV_VCPU_DEFAULT));
    h_setup_mode(vm, GUEST_LONG64, "a_spin");
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        h_set_reg(vm, regs[i], saved[i]);
    h_set_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY, intr);
    h_set_vmcs(vm, VMCS_GUEST_IDTR_BASE, idt_base);
    h_set_vmcs(vm, VMCS_GUEST_IDTR_LIMIT, idt_limit);
    T_HV(hv_vcpu_apic_put_state(vm->vcpu, &a));
    T_HV(hv_vm_ioapic_put_state(&io));
    T_HV(hv_vm_atpic_put_state(&p0, true));
    T_HV(hv_vm_atpic_put_state(&p1, false));
    hv_apic_state_ext_t b = { .version = HV_APIC_STATE_EXT_VER };
    T_HV(hv_vcpu_apic_get_state(vm->vcpu, &b));
    b.state.ccr_timer = a.state.ccr_timer;
    b.state.irr[0x41 / 32] = a.state.irr[0x41 / 32];
    T_ASSERT(memcmp(&a, &b, sizeof a) == 0);

    /* Under KVM nested in QEMU's software CPU on a busy host a new VM's
     * first runs can take a while to get going: wait up to ten times the
     * first interval for the ticks. */
    for (int tries = 0; tries < 10 && count(vm, 0x41) <= ticks + 5; tries++)
        run_for(vm, nested_slow() ? 200000000 : 30000000);
    /* Nested only, and only when it happens: reported, not passed. */
    if (nested_slow() && count(vm, 0x41) <= ticks + 5)
        T_SKIP("the restored periodic timer did not resume within 2 s under KVM nested in QEMU's "
               "software CPU: intermittent, cause not found yet (docs/compat.md)");
    T_ASSERT(count(vm, 0x41) > ticks + 5);
    T_ASSERT(h_reg(vm, HV_X86_R12) > saved[10]);         /* the loop went on */
    /* Whatever was in service at the save was EOI'd by its handler. */
    hv_apic_state_ext_t c = { .version = HV_APIC_STATE_EXT_VER };
    T_HV(hv_vcpu_apic_get_state(vm->vcpu, &c));
    T_ASSERT(c.state.lvt[0] == 0x20041);                 /* still periodic, vector 0x41 */
}

/* ---- API rules ---- */

struct other_thread { hv_vcpuid_t vcpu; hv_return_t read, set_intr; };

static void *from_other_thread(void *arg)
{
    struct other_thread *o = arg;
    uint32_t v;
    o->read = hv_vcpu_apic_read(o->vcpu, 0x20, &v);
    o->set_intr = hv_vm_lapic_set_intr(o->vcpu, 0x70, HV_APIC_EDGE_TRIGGER);
    return NULL;
}

T_CASE(apic_api_rules)
{
    uint32_t v;
    bool ns;
    hv_vcpuid_t c = vm->vcpu;
    T_ASSERT_EQ(hv_vcpu_apic_read(c, 0x22, &v), HV_BAD_ARGUMENT);        /* unaligned */
    T_ASSERT_EQ(hv_vcpu_apic_read(c, 0x400, &v), HV_BAD_ARGUMENT);       /* beyond the page */
    T_ASSERT_EQ(hv_vcpu_apic_read(c, 0x50, &v), HV_BAD_ARGUMENT);        /* no register */
    T_ASSERT_EQ(hv_vcpu_apic_write(c, 0x50, 0, &ns), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vcpu_apic_write(c, 0x80, 0, NULL), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vcpu_apic_read(c + 1, 0x20, &v), HV_BAD_ARGUMENT);    /* no such vCPU */
    T_ASSERT_EQ(hv_vcpu_apic_ctrl(c, 1u << 4), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vcpu_apic_trigger_lvt(c, 2), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_lapic_set_intr(5, 0x40, HV_APIC_EDGE_TRIGGER), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_lapic_set_intr(c, 0x40, 3), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_lapic_set_intr(c, 3, HV_APIC_EDGE_TRIGGER), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_ioapic_assert_irq(32), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_ioapic_pulse_irq(-1), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_ioapic_read(IOAPIC_MMIO + 0x1000, &v), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_ioapic_read(IOAPIC_MMIO + 2, &v), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_ioapic_read(IOAPIC_MMIO, NULL), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_atpic_assert_irq(16), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_atpic_assert_irq(2), HV_BAD_ARGUMENT);              /* the cascade */
    uint8_t b;
    T_ASSERT_EQ(hv_vm_atpic_port_read(0x60, &b), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vm_atpic_port_write(0x22, 0), HV_BAD_ARGUMENT);
    T_HV(hv_vm_atpic_port_read(0x4d0, &b));                               /* ELCR */
    T_ASSERT_EQ(hv_vm_send_ioapic_intr(0x300), HV_BAD_ARGUMENT);          /* mode 3 */
    T_ASSERT_EQ(hv_vm_lapic_msi(0xfee00000, 1ull << 16), HV_BAD_ARGUMENT);
    bool act[4];
    uint64_t rip;
    T_ASSERT_EQ(hv_vcpu_exit_init_ap(c, act, 4), HV_BAD_ARGUMENT);       /* no such exit */
    T_ASSERT_EQ(hv_vcpu_exit_startup_ap(c, act, 4, &rip), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vcpu_exit_apic_access_read(c, &v), HV_BAD_ARGUMENT);
    uint8_t vec; bool valid, restart; uint32_t code;
    T_ASSERT_EQ(hv_vcpu_exit_inject_excp(c, &vec, &valid, &code, &restart), HV_BAD_ARGUMENT);
    uint64_t uva[2] = { 0x1000, 0x2000 }, bad[1] = { 0x1001 };
    T_HV(hv_vcpu_apic_lsc_enter_r32(c, true, 0x1000, 6, 8, HV_X86_RAX, uva, 2));
    T_ASSERT_EQ(hv_vcpu_apic_lsc_enter_r32(c, true, 0x1000, 0, 8, HV_X86_RAX, uva, 2), HV_BAD_ARGUMENT);
    T_ASSERT_EQ(hv_vcpu_apic_lsc_enter_imm32(c, 0x1000, 10, 8, 0, bad, 1), HV_BAD_ARGUMENT);
    T_HV(hv_vcpu_apic_lsc_invalidate(c));
    T_HV(hv_vcpu_inject_extint(c));
    T_ASSERT_EQ(hv_vcpu_inject_extint(c), HV_BUSY);
    /* Per-vCPU calls belong to the owning thread; set_intr does not.  KVM's
     * APIC discards a fixed interrupt while software-disabled. */
    if (h_on_kvm())
        T_ASSERT(apic_wr(vm, 0xf0, 0x1ff));
    struct other_thread o = { .vcpu = c };
    pthread_t t;
    T_ASSERT_EQ(pthread_create(&t, NULL, from_other_thread, &o), 0);
    pthread_join(t, NULL);
    T_ASSERT_EQ(o.read, HV_BAD_ARGUMENT);
    T_ASSERT_EQ(o.set_intr, HV_SUCCESS);
    T_ASSERT(apic_rd(vm, 0x200 + 0x10 * (0x70 / 32)) & (1u << (0x70 % 32)));   /* in IRR */
}

/* Random register writes, states, pins, ports and messages from the
 * client, with the guest running in between: every call answers a
 * documented code and every run an exit, whatever the values. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static bool documented(hv_return_t r)
{
    /* kvm refuses HV_APIC_CTRL_NO_TIMER (docs/compat.md). */
    return r == HV_SUCCESS || r == HV_BAD_ARGUMENT || r == HV_BUSY || (r == HV_UNSUPPORTED && h_on_kvm());
}

T_CASE(apic_random_client_calls)
{
    static const int ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
    bool ns;
    for (int i = 0; i < 3000; i++) {
        uint64_t r = rnd(), v = rnd();
        hv_return_t ret;
        switch (r % 11) {
        case 0: ret = hv_vcpu_apic_write(vm->vcpu, (uint32_t)(v >> 32) % 0x440 & ~0xfu, (uint32_t)v, &ns); break;
        case 1: {
            hv_apic_state_ext_t st = { .version = HV_APIC_STATE_EXT_VER };
            T_HV(hv_vcpu_apic_get_state(vm->vcpu, &st));
            uint8_t *b = (uint8_t *)&st.state;
            b[(r >> 8) % sizeof st.state] = (uint8_t)v;
            ret = hv_vcpu_apic_put_state(vm->vcpu, &st);
            break;
        }
        case 2: ret = hv_vm_ioapic_write(IOAPIC_MMIO + ((r >> 8) & 0x1c), (uint32_t)v); break;
        case 3: ret = (r & 0x100) ? hv_vm_ioapic_assert_irq((int)(v % 34) - 1) : hv_vm_ioapic_deassert_irq((int)(v % 34) - 1); break;
        case 4: ret = hv_vm_atpic_port_write(ports[(r >> 8) % 6], (uint8_t)v); break;
        case 5: {
            hv_atpic_state_ext_t st = { .version = HV_ATPIC_STATE_EXT_VER };
            T_HV(hv_vm_atpic_get_state(&st, r & 0x100));
            ((uint8_t *)&st.state)[(r >> 16) % sizeof st.state] = (uint8_t)v;
            ret = hv_vm_atpic_put_state(&st, r & 0x100);
            break;
        }
        case 6: ret = hv_vm_lapic_set_intr(vm->vcpu, (uint8_t)v, (hv_apic_intr_trigger_t)((r >> 8) % 4)); break;
        case 7: ret = hv_vm_lapic_msi(0xfee00000 | (v & 0xff00c), (v >> 32) & 0x1ffff); break;
        case 8: ret = hv_vm_send_ioapic_intr(v); break;
        case 9: ret = (r & 0x100) ? hv_vm_atpic_assert_irq((int)(v % 18) - 1) : hv_vcpu_inject_extint(vm->vcpu); break;
        default: ret = hv_vcpu_apic_ctrl(vm->vcpu, v & 0x1f); break;
        }
        if (!documented(ret))
            t_fail(true, __FILE__, __LINE__, "iteration %d (op %llu) returned 0x%x", i,
                   (unsigned long long)(r % 11), (unsigned)ret);
        if (i % 100 == 99) {
            T_HV(hv_vcpu_run_until(vm->vcpu, h_now_ns() + 300000));
            if ((h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff) == VMX_REASON_IO)
                h_set_reg(vm, HV_X86_RIP, h_reg(vm, HV_X86_RIP) + h_vmcs(vm, VMCS_RO_VMEXIT_INSTR_LEN));
        }
    }
}

static const struct t_case cases[] = {
    T_ENTRY(apic_reset_state, "apic", GUEST_LONG64, "a_idle"),
    T_ENTRY(apic_write_rules, "apic", GUEST_LONG64, "a_idle"),
    T_ENTRY(apic_timer_oneshot_mmio, "apic", GUEST_LONG64, "a_oneshot"),
    T_ENTRY(apic_timer_periodic_vs_exec_time, "apic", GUEST_LONG64, "a_periodic_spin"),
    T_ENTRY(apic_timer_periodic_halt_idle, "apic", GUEST_LONG64, "a_periodic_halt"),
    T_ENTRY(apic_timer_tsc_deadline, "apic", GUEST_LONG64, "a_tscdl"),
    T_ENTRY(apic_bus_freq, "apic", GUEST_LONG64, "a_oneshot"),
    T_ENTRY(apic_no_timer_exits, "apic", GUEST_LONG64, "a_oneshot"),
    T_ENTRY(apic_x2apic_self_ipi, "apic", GUEST_LONG64, "a_x2apic"),
    T_ENTRY(apic_mmio_rmw_and_narrow, "apic", GUEST_LONG64, "a_rmw"),
    T_ENTRY(apic_ipi_self_physical, "apic", GUEST_LONG64, "a_ipi"),
    T_ENTRY(apic_ipi_logical, "apic", GUEST_LONG64, "a_ipi"),
    T_ENTRY(apic_ipi_nmi_self, "apic", GUEST_LONG64, "a_ipi"),
    T_ENTRY(apic_tpr_masks, "apic", GUEST_LONG64, "a_tpr"),
    T_ENTRY(apic_tpr_masks_api, "apic", GUEST_LONG64, "a_idle"),
    T_ENTRY(apic_hlt_idle_time, "apic", GUEST_LONG64, "a_idle"),
    T_ENTRY(apic_msi, "apic", GUEST_LONG64, "a_idle"),
    T_ENTRY(ioapic_level_remote_irr_eoi, "apic", GUEST_LONG64, "a_ioapic"),
    T_ENTRY(ioapic_eoi_exit, "apic", GUEST_LONG64, "a_ioapic"),
    T_ENTRY(ioapic_edge_mask, "apic", GUEST_LONG64, "a_idle"),
    T_ENTRY(pic_real_mode_tick_lint0, "apic", GUEST_REAL, "r_pic"),
    T_ENTRY(pic_real_mode_tick_apic_disabled, "apic", GUEST_REAL, "r_pic"),
    T_ENTRY(pic_real_mode_tick_inject_extint, "apic", GUEST_REAL, "r_pic"),
    T_ENTRY(apic_state_round_trip, "apic", GUEST_LONG64, "a_periodic_spin"),
    T_ENTRY(apic_state_restore_in_new_vm, "apic", GUEST_LONG64, "a_periodic_spin"),
    T_ENTRY(apic_api_rules, "apic", GUEST_LONG64, "a_idle"),
    T_ENTRY(apic_random_client_calls, "apic", GUEST_LONG64, "a_idle"),
};

int main(void)
{
    h_vm_flags = HV_VM_ACCEL_APIC;
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
