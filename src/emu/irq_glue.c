/*
 * The emulator's side of the in-kernel interrupt controllers (src/irq),
 * for VMs created with HV_VM_ACCEL_APIC: interrupt delivery at instruction
 * boundaries as VMX does it (NMI blocking, RFLAGS.IF, STI/MOV-SS shadows,
 * PPR), HLT handled here rather than exiting, the APIC timer, xAPIC and
 * IOAPIC MMIO, the x2APIC MSRs, IA32_APIC_BASE, TSC_DEADLINE and CR8.
 */
#include <string.h>
#include <time.h>

#include "machine_internal.h"
#include "../irq/irq.h"

#define MSR_APIC_BASE 0x1bu
#define MSR_TSC_DEADLINE 0x6e0u
#define MSR_X2APIC_FIRST 0x800u
#define MSR_X2APIC_LAST 0x8ffu

/* Run-loop turns between two looks at the APIC timer's clock (the run
 * loop's poll asks for one as well: a turn may be a whole poll interval
 * of translated code). */
#define TIMER_POLL_MASK 63u

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t guest_tsc(const struct emu_cpu *cpu)
{
    return host_tsc() + cpu->vmcs->ctl.tsc_offset;
}

static void wake(void *ctx)
{
    struct emu_vcpu *m = ctx;
    pthread_mutex_lock(&m->sleep_lock);
    pthread_cond_broadcast(&m->sleep_cond);
    pthread_mutex_unlock(&m->sleep_lock);
}

static void deliver(struct emu_vcpu *m, uint8_t vector, uint8_t type)
{
    struct emu_event ev = { .valid = true, .vector = vector, .type = type };
    m->delivering = ev;
    except_deliver(&m->cpu, &ev);
    m->delivering.valid = false;
    m->mtf_pending = true;
}

/* Keep the APIC's TPR and the VMCS TPR register (HV_X86_TPR) one value:
 * whichever changed since the last look wins. */
static void sync_tpr(struct emu_cpu *cpu, struct lapic *l)
{
    uint32_t reg = (uint32_t)(cpu->g->tpr & 0xff);
    if (reg != l->tpr_mirror) {
        pthread_mutex_lock(&l->chip->lock);
        lapic_set_tpr(l, reg);
        pthread_mutex_unlock(&l->chip->lock);
    } else if (l->tpr != l->tpr_mirror) {
        cpu->g->tpr = l->tpr;
    }
    l->tpr_mirror = l->tpr;
}

static void timer_poll(struct emu_cpu *cpu, struct lapic *l)
{
    if (!l->timer_deadline_ns && !l->tsc_deadline)
        return;
    pthread_mutex_lock(&l->chip->lock);
    lapic_timer_poll(l, mono_ns(), guest_tsc(cpu));
    pthread_mutex_unlock(&l->chip->lock);
}

/* Whether an event waits that the guest would take now. */
static bool takes_event(const struct emu_cpu *cpu, const struct lapic *l)
{
    if (!atomic_load_explicit(&l->ready, memory_order_acquire))
        return false;
    uint32_t intr = cpu->g->interruptibility;
    if (intr & GUEST_INTRBILITY_MOVSS_BLOCKING)
        return false;
    if (!(intr & GUEST_INTRBILITY_NMI_BLOCKING) && atomic_load_explicit(&l->nmi_pending, memory_order_relaxed))
        return true;
    return (cpu->g->rflags & RF_IF) && !(intr & GUEST_INTRBILITY_STI_BLOCKING);
}

/* Acknowledge and deliver the highest-priority event the guest takes now. */
static void take_event(struct emu_vcpu *m, struct lapic *l)
{
    struct emu_cpu *cpu = &m->cpu;
    uint32_t intr = cpu->g->interruptibility;
    int vec = -1;
    uint8_t type = EV_EXT_INT;
    pthread_mutex_lock(&l->chip->lock);
    if (l->nmi_pending && !(intr & GUEST_INTRBILITY_NMI_BLOCKING)) {
        l->nmi_pending--;
        vec = EXC_NMI;
        type = EV_NMI;
    } else if ((cpu->g->rflags & RF_IF) && !(intr & GUEST_INTRBILITY_STI_BLOCKING)) {
        if (l->extint_pending) {
            l->extint_pending = false;
            vec = pic_intack(l->chip);
        } else if (lapic_pic_reaches(l)) {
            vec = pic_intack(l->chip);
        } else {
            vec = lapic_accept(l);
        }
    }
    lapic_update_ready(l);
    pthread_mutex_unlock(&l->chip->lock);
    if (vec >= 0)
        deliver(m, (uint8_t)vec, type);
}

static void mem_resync(struct emu_cpu *cpu)
{
    uint64_t gen = atomic_load(&cpu->vm->mem_gen);
    if (gen != cpu->mem_gen_seen) {
        cpu->mem_gen_seen = gen;
        mmu_tlb_flush(cpu->tlb);
        emu_icache_flush(cpu->icache);
    }
}

/* HLT with the APIC in the library: sleep until the guest takes an event,
 * a kick, or the run's deadline; the APIC timer keeps running meanwhile.
 * The time asleep is the vCPU's idle time. */
static void halt(struct emu_vcpu *m, struct lapic *l)
{
    struct emu_cpu *cpu = &m->cpu;
    struct hv_vcpu *v = cpu->vcpu;
    vm_mem_read_unlock(cpu->vm);
    m->mem_locked = false;
    uint64_t start = mono_ns(), now = start;
    bool expired = false;
    for (;;) {
        timer_poll(cpu, l);
        if (takes_event(cpu, l) || atomic_load(&v->kick))
            break;
        now = mono_ns();
        if (m->deadline_ns != RUN_FOREVER && now >= m->deadline_ns) {
            expired = true;
            break;
        }
        uint64_t until = lapic_timer_next_ns(l, now, guest_tsc(cpu));
        if (m->deadline_ns < until)
            until = m->deadline_ns;
        pthread_mutex_lock(&m->sleep_lock);
        /* Checked again under the lock the wakers take: no lost wake-up. */
        if (!takes_event(cpu, l) && !atomic_load(&v->kick)) {
            if (until == UINT64_MAX) {
                pthread_cond_wait(&m->sleep_cond, &m->sleep_lock);
            } else {
                struct timespec ts = { .tv_sec = (time_t)(until / 1000000000ull),
                                       .tv_nsec = (long)(until % 1000000000ull) };
                pthread_cond_timedwait(&m->sleep_cond, &m->sleep_lock, &ts);
            }
        }
        pthread_mutex_unlock(&m->sleep_lock);
    }
    v->idle_ns += mono_ns() - start;
    vm_mem_read_lock(cpu->vm);
    m->mem_locked = true;
    mem_resync(cpu);
    if (atomic_exchange(&v->kick, false))
        vmexit_abort(cpu, VMX_REASON_IRQ, 0, 0);
    if (expired)
        vmexit_abort(cpu, VMX_REASON_VMX_TIMER_EXPIRED, 0, 0);
}

void emu_irq_boundary(struct emu_vcpu *m)
{
    struct emu_cpu *cpu = &m->cpu;
    struct lapic *l = cpu->vcpu->emu_lapic;
    if (!l)
        return;
    if (__builtin_expect(l->wake == NULL, 0)) {
        pthread_mutex_lock(&l->chip->lock);
        l->wake_ctx = m;
        l->wake = wake;
        pthread_mutex_unlock(&l->chip->lock);
    }
    m->mmio_write = false;
    if (l->exit_pending) {
        /* A trap-like exit: the instruction that asked for it completed. */
        l->exit_pending = false;
        vmexit_abort(cpu, l->exit_reason, l->exit_qual, 0);
    }
    sync_tpr(cpu, l);
    if ((++l->poll & TIMER_POLL_MASK) == 0 || m->timer_due) {
        m->timer_due = false;
        timer_poll(cpu, l);
    }
    if (cpu->g->activity == 1 && !takes_event(cpu, l))
        halt(m, l);
    if (takes_event(cpu, l))
        take_event(m, l);
}

/* ---- Registers reached by the guest ----------------------------------- */

/* A write with side effects the client must see: the exit follows the
 * instruction (APIC-write and EOI-induced exits are trap-like in VMX). */
static void want_exit(struct lapic *l, uint32_t offset)
{
    l->exit_pending = true;
    if (l->exit.kind == HV_VM_EXITINFO_IOAPIC_EOI) {
        l->exit_reason = VMX_REASON_VIRTUALIZED_EOI;
        l->exit_qual = l->exit.vector;
    } else {
        l->exit_reason = VMX_REASON_APIC_WRITE;
        l->exit_qual = offset;
    }
}

static bool apic_page(const struct lapic *l, uint64_t page)
{
    return (l->base & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EN &&
           page == (l->base & APIC_BASE_ADDR_MASK);
}

uint8_t *emu_irq_mmio(struct emu_cpu *cpu, uint64_t gpa, unsigned size, unsigned kind)
{
    struct lapic *l = cpu->vcpu->emu_lapic;
    (void)size;
    if (!l || (kind & 3u) == ACC_FETCH)
        return NULL;
    uint64_t page = gpa & ~0xfffull;
    bool apic = apic_page(l, page);
    if (!apic && page != IOAPIC_GPA)
        return NULL;
    struct emu_vcpu *m = emu_vcpu_of(cpu);
    uint32_t off = (uint32_t)(gpa & 0xff0);
    uint32_t val = 0;
    pthread_mutex_lock(&l->chip->lock);
    if (apic) {
        if (!lapic_read(l, off, &val))
            val = 0;
    } else {
        val = ioapic_mmio_read(l->chip, off);
    }
    pthread_mutex_unlock(&l->chip->lock);
    memset(m->mmio_buf, 0, sizeof m->mmio_buf);
    memcpy(m->mmio_buf, &val, sizeof val);
    m->mmio_hit = true;
    if ((kind & 3u) == ACC_WRITE) {
        m->mmio_write = true;
        m->mmio_gpa = gpa & ~0xfull;
    }
    return m->mmio_buf + (gpa & 0xf);
}

void emu_irq_mmio_done(struct emu_cpu *cpu)
{
    struct emu_vcpu *m = emu_vcpu_of(cpu);
    struct lapic *l = cpu->vcpu->emu_lapic;
    m->mmio_write = false;
    uint32_t val;
    memcpy(&val, m->mmio_buf, sizeof val);
    uint64_t page = m->mmio_gpa & ~0xfffull;
    uint32_t off = (uint32_t)(m->mmio_gpa & 0xff0);
    bool side = false;
    pthread_mutex_lock(&l->chip->lock);
    if (apic_page(l, page)) {
        l->exit.kind = HV_VM_EXITINFO_VMX;
        /* A write to no register is dropped (ESR bit 7: illegal register). */
        if (!lapic_write(l, off, val, &side))
            l->esr_pending |= 1u << 7;
    } else {
        ioapic_mmio_write(l->chip, off, val);
    }
    pthread_mutex_unlock(&l->chip->lock);
    if (side)
        want_exit(l, off);
    /* A write may ask for an exit or change what is deliverable (EOI, TPR,
     * ICR): leave the block engine after this instruction so the run
     * loop's boundary sees it there, as the per-instruction path does. */
    cpu->block_leave = true;
}

uint64_t emu_irq_cr8_read(struct emu_cpu *cpu)
{
    struct lapic *l = cpu->vcpu->emu_lapic;
    sync_tpr(cpu, l);
    return (l->tpr >> 4) & 0xf;
}

void emu_irq_cr8_write(struct emu_cpu *cpu, uint64_t val)
{
    struct lapic *l = cpu->vcpu->emu_lapic;
    pthread_mutex_lock(&l->chip->lock);
    lapic_set_tpr(l, (uint32_t)val << 4);
    pthread_mutex_unlock(&l->chip->lock);
    cpu->g->tpr = l->tpr;
    l->tpr_mirror = l->tpr;
}

/* x2APIC MSR numbers of registers that do not exist in x2APIC mode, or
 * exist only in one direction (SDM table 11-6). */
static bool x2apic_msr_ok(uint32_t off, bool write)
{
    switch (off) {
    case 0x90: case 0xc0: case 0xe0: case 0x310:
        return false;                   /* APR, RRD, DFR, ICR high */
    case 0xb0: case 0x3f0:
        return write;                   /* EOI, SELF IPI */
    case 0x20: case 0x30: case 0xa0: case 0xd0: case 0x390:
        return !write;                  /* ID, version, PPR, LDR, current count */
    default:
        if (off >= 0x100 && off < 0x280)
            return !write;              /* ISR, TMR, IRR */
        return true;
    }
}

bool emu_irq_msr(struct emu_cpu *cpu, uint32_t msr, bool write)
{
    struct lapic *l = cpu->vcpu->emu_lapic;
    struct vmcs_guest *g = cpu->g;
    uint64_t in = (g->gpr[GPR_RAX] & 0xffffffff) | (g->gpr[GPR_RDX] << 32);
    uint64_t out = 0;
    bool gp = false, side = false;
    uint32_t off = (msr - MSR_X2APIC_FIRST) << 4;

    if (msr == MSR_APIC_BASE) {
        pthread_mutex_lock(&l->chip->lock);
        if (write)
            gp = !lapic_set_base(l, in);
        else
            out = l->base;
        pthread_mutex_unlock(&l->chip->lock);
        /* The APIC page may have moved: no translation may keep it. */
        if (write && !gp) {
            mmu_tlb_flush(cpu->tlb);
            sync_tpr(cpu, l);
        }
    } else if (msr == MSR_TSC_DEADLINE) {
        if (write) {
            if (l->controls & HV_APIC_CTRL_NO_TIMER) {
                l->tsc_deadline = in;
            } else {
                pthread_mutex_lock(&l->chip->lock);
                lapic_set_tsc_deadline(l, in);
                pthread_mutex_unlock(&l->chip->lock);
            }
        } else {
            out = l->tsc_deadline;
        }
    } else if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST) {
        bool x2 = lapic_x2apic(l);
        /* HV_APIC_CTRL_EOI_ICR_TPR opens EOI, ICR and TPR to the MSR
         * interface in xAPIC mode too. */
        bool open = x2 || ((l->controls & HV_APIC_CTRL_EOI_ICR_TPR) &&
                           (off == 0x80 || off == 0xb0 || off == 0x300));
        if (!open || !x2apic_msr_ok(off, write))
            emu_raise(cpu, EXC_GP, true, 0);
        pthread_mutex_lock(&l->chip->lock);
        l->exit.kind = HV_VM_EXITINFO_VMX;
        if (write) {
            if (off == 0x300) {
                side = lapic_write_icr(l, in);
            } else if ((in >> 32) || (off == 0xb0 && in != 0) ||
                       (off == 0x3f0 && (in & ~0xffull))) {
                gp = true;
            } else {
                uint32_t v = (uint32_t)in;
                if (!x2 && off == 0x80)
                    v &= 0xff;
                gp = !lapic_write(l, off, v, &side);
            }
        } else {
            uint32_t v = 0;
            if (off == 0x300) {
                out = l->icr[0] | ((uint64_t)l->icr[1] << 32);
            } else if (lapic_read(l, off, &v)) {
                out = v;
            } else {
                gp = true;
            }
        }
        pthread_mutex_unlock(&l->chip->lock);
        if (side)
            want_exit(l, off);
        if (!gp && write && off == 0x80)
            sync_tpr(cpu, l);
    } else {
        return false;
    }
    if (gp)
        emu_raise(cpu, EXC_GP, true, 0);
    if (!write) {
        g->gpr[GPR_RAX] = out & 0xffffffff;
        g->gpr[GPR_RDX] = out >> 32;
    }
    return true;
}
