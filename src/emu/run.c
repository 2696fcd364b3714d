/*
 * The emulator backend: VM entry checks, event injection, the
 * instruction loop, HLT sleep, kicks and deadlines.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machine_internal.h"
/* After machine_internal.h: caps.h defines CR0_CD/CR0_NW as macros (same values). */
#include "../core/caps.h"
#include "cpu_model.h"

/* B0-B3 and BS of the pending-debug-exceptions field. */
#define PENDING_DBG_BITS 0x400full

/* How many instructions run between deadline checks and mem_lock turns:
 * each is a return from translated code (16,384 instead of 4,096 was 4%
 * of a Linux boot), and each bounds how late a deadline, a kick of
 * translated code or a waiting map change is seen (about 10 us). */
#define POLL_INTERVAL 16384u

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool emu_usable(const char **why)
{
    if (why)
        *why = NULL;
    return true;
}

static hv_return_t emu_vm_create(struct hv_vm *vm)
{
    (void)vm;
    return HV_SUCCESS;
}

static void emu_vm_destroy(struct hv_vm *vm)
{
    (void)vm;
}

static hv_return_t emu_vcpu_create(struct hv_vcpu *v)
{
    struct emu_vcpu *m = calloc(1, sizeof(*m));
    if (!m)
        return HV_NO_RESOURCES;
    m->cpu.vcpu = v;
    m->cpu.vm = v->vm;
    m->cpu.vmcs = &v->vmcs;
    m->cpu.g = &v->vmcs.guest;
    m->cpu.tlb = mmu_tlb_create();
    m->cpu.icache = emu_icache_create();
    /* OPENHV_EMU_ENGINE=step runs every instruction on the reference path
     * (the lockstep tests compare the two engines this way). */
    const char *engine = getenv("OPENHV_EMU_ENGINE");
    bool blocks = !(engine && strcmp(engine, "step") == 0);
    m->cpu.blocks = blocks ? emu_blocks_create() : NULL;
    m->cpu.fast_tlb = blocks ? m->cpu.tlb : NULL;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->sleep_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&m->sleep_lock, NULL);
    if (!m->cpu.tlb || !m->cpu.icache || (blocks && !m->cpu.blocks)) {
        mmu_tlb_destroy(m->cpu.tlb);
        if (m->cpu.icache)
            emu_icache_destroy(m->cpu.icache);
        emu_blocks_destroy(m->cpu.blocks);
        free(m);
        return HV_NO_RESOURCES;
    }
    v->backend = m;
    return HV_SUCCESS;
}

static void emu_vcpu_destroy(struct hv_vcpu *v)
{
    struct emu_vcpu *m = v->backend;
    if (!m)
        return;
    mmu_tlb_destroy(m->cpu.tlb);
    emu_icache_destroy(m->cpu.icache);
    emu_blocks_destroy(m->cpu.blocks);
    pthread_cond_destroy(&m->sleep_cond);
    pthread_mutex_destroy(&m->sleep_lock);
    free(m);
    v->backend = NULL;
}

static void emu_vcpu_kick(struct hv_vcpu *v)
{
    struct emu_vcpu *m = v->backend;
    if (!m)
        return;
    pthread_mutex_lock(&m->sleep_lock);
    pthread_cond_broadcast(&m->sleep_cond);
    pthread_mutex_unlock(&m->sleep_lock);
}

/* ---- VM entry ------------------------------------------------------- */

/* The guest-state checks of VM entry that matter to the emulator; false
 * makes the run report VMX_REASON_VMENTRY_GUEST with bit 31 set. */
static bool entry_checks(struct emu_cpu *cpu)
{
    struct vmcs_guest *g = cpu->g;
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    bool ia32e = c->entry & VMENTRY_GUEST_IA32E;

    if ((g->cr0 >> 32) || !(g->cr0 & CR0_NE))
        return false;
    if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
        return false;
    if ((g->cr0 & CR0_NW) && !(g->cr0 & CR0_CD))
        return false;
    if (!(g->cr4 & CR4_VMXE) || (g->cr4 & ~cr4_allowed()))
        return false;
    if (ia32e && (!(g->cr0 & CR0_PG) || !(g->cr4 & CR4_PAE)))
        return false;
    if (!ia32e && (g->cr4 & CR4_PCIDE))
        return false;
    if (ia32e && (g->seg[SEG_CS].ar & AR_L) && (g->seg[SEG_CS].ar & AR_DB))
        return false;
    if (!(g->rflags & RF_FIXED1) || (g->rflags & ~0x3f7fd7ull))
        return false;
    if ((g->rflags & RF_VM) && !v86_entry_ok(g, ia32e))
        return false;
    if (g->activity > 3)
        return false;
    uint32_t intr = g->interruptibility;
    if ((intr & GUEST_INTRBILITY_STI_BLOCKING) && (intr & GUEST_INTRBILITY_MOVSS_BLOCKING))
        return false;
    if ((intr & GUEST_INTRBILITY_STI_BLOCKING) && !(g->rflags & RF_IF))
        return false;
    if (c->entry & VMENTRY_LOAD_EFER) {
        if (!!(g->efer & EFER_LMA) != ia32e)
            return false;
        if ((g->cr0 & CR0_PG) && !!(g->efer & EFER_LME) != ia32e)
            return false;
    }
    uint32_t info = c->entry_irq_info;
    if (info & IRQ_INFO_VALID) {
        unsigned type = (info >> 8) & 7, vec = info & 0xff;
        if (type == 1 || type == 7)
            return false;
        if (type == EV_NMI && vec != EXC_NMI)
            return false;
        if (type == EV_HW_EXC && vec > 31)
            return false;
        if ((info & IRQ_INFO_ERROR_VALID) &&
            (type != EV_HW_EXC || !(g->cr0 & CR0_PE)))
            return false;
        if ((info & 0x7ffff000u) != 0)
            return false;
    }
    return true;
}

static void entry_load(struct emu_cpu *cpu)
{
    struct vmcs_guest *g = cpu->g;
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    if (!(c->entry & VMENTRY_LOAD_EFER)) {
        /* As VMX does without "load IA32_EFER": LMA follows the IA-32e
         * control, and so does LME when paging is on. */
        bool ia32e = c->entry & VMENTRY_GUEST_IA32E;
        g->efer = ia32e ? (g->efer | EFER_LMA) : (g->efer & ~(uint64_t)EFER_LMA);
        if (g->cr0 & CR0_PG)
            g->efer = ia32e ? (g->efer | EFER_LME) : (g->efer & ~(uint64_t)EFER_LME);
    }
    emu_update_mode(cpu);
}

static void exit_save(struct emu_cpu *cpu)
{
    struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    emu_flags_sync(cpu);
    if (cpu->g->efer & EFER_LMA)
        c->entry |= VMENTRY_GUEST_IA32E;
    else
        c->entry &= ~(uint32_t)VMENTRY_GUEST_IA32E;
}

/* ---- The loop ------------------------------------------------------- */

static void mem_sync(struct emu_cpu *cpu)
{
    uint64_t gen = atomic_load(&cpu->vm->mem_gen);
    if (gen != cpu->mem_gen_seen) {
        cpu->mem_gen_seen = gen;
        mmu_tlb_flush(cpu->tlb);
        emu_icache_flush(cpu->icache);
        emu_blocks_flush(cpu);
    }
}

/* Let map/unmap/protect through, then pick up their changes. */
static void mem_turn(struct emu_vcpu *m)
{
    if (vm_mem_writer_waiting(m->cpu.vm)) {
        vm_mem_read_unlock(m->cpu.vm);
        vm_mem_read_lock(m->cpu.vm);
    }
    mem_sync(&m->cpu);
}

/* Sleep in the HLT (or shutdown / wait-for-SIPI) activity state until a
 * kick or the deadline; the emulator has no other wake-up source. */
_Noreturn static void sleep_until_event(struct emu_vcpu *m)
{
    struct emu_cpu *cpu = &m->cpu;
    struct hv_vcpu *v = cpu->vcpu;
    vm_mem_read_unlock(cpu->vm);
    m->mem_locked = false;
    uint64_t start = now_ns();
    pthread_mutex_lock(&m->sleep_lock);
    for (;;) {
        if (atomic_load(&v->kick))
            break;
        if (m->deadline_ns != RUN_FOREVER && now_ns() >= m->deadline_ns)
            break;
        if (m->deadline_ns == RUN_FOREVER) {
            pthread_cond_wait(&m->sleep_cond, &m->sleep_lock);
        } else {
            struct timespec ts = { .tv_sec = (time_t)(m->deadline_ns / 1000000000ull),
                                   .tv_nsec = (long)(m->deadline_ns % 1000000000ull) };
            pthread_cond_timedwait(&m->sleep_cond, &m->sleep_lock, &ts);
        }
    }
    pthread_mutex_unlock(&m->sleep_lock);
    v->idle_ns += now_ns() - start;
    vm_mem_read_lock(cpu->vm);
    m->mem_locked = true;
    mem_sync(cpu);
    if (atomic_exchange(&v->kick, false))
        vmexit_abort(cpu, VMX_REASON_IRQ, 0, 0);
    vmexit_abort(cpu, VMX_REASON_VMX_TIMER_EXPIRED, 0, 0);
}

static struct emu_event entry_event(const struct vmcs_ctrl *c)
{
    uint32_t info = c->entry_irq_info;
    struct emu_event ev = {
        .valid = true, .vector = (uint8_t)(info & 0xff), .type = (uint8_t)((info >> 8) & 7),
        .has_error = info & IRQ_INFO_ERROR_VALID, .error = c->entry_exc_error,
        .instr_len = (uint8_t)c->entry_instr_len,
    };
    return ev;
}

static void deliver(struct emu_vcpu *m, struct emu_event ev)
{
    m->delivering = ev;
    except_deliver(&m->cpu, &ev);
    m->delivering.valid = false;
    m->mtf_pending = true;
}

/* Exits that happen on an instruction boundary, also in the HLT state. */
static void boundary_exits(struct emu_vcpu *m)
{
    struct emu_cpu *cpu = &m->cpu;
    const struct vmcs_guest *g = cpu->g;
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    uint32_t intr = g->interruptibility;

    if (m->mtf_pending) {
        m->mtf_pending = false;
        if (c->cpu & CPU_BASED_MTF)
            vmexit_abort(cpu, VMX_REASON_MTF, 0, 0);
    }
    if ((c->cpu & CPU_BASED_IRQ_WND) && (g->rflags & RF_IF) &&
        !(intr & (GUEST_INTRBILITY_STI_BLOCKING | GUEST_INTRBILITY_MOVSS_BLOCKING)))
        vmexit_abort(cpu, VMX_REASON_IRQ_WND, 0, 0);
    if ((c->cpu & CPU_BASED_VIRTUAL_NMI_WND) &&
        !(intr & (GUEST_INTRBILITY_NMI_BLOCKING | GUEST_INTRBILITY_MOVSS_BLOCKING)))
        vmexit_abort(cpu, VMX_REASON_VIRTUAL_NMI_WND, 0, 0);
}

static void step(struct emu_vcpu *m)
{
    struct emu_cpu *cpu = &m->cpu;
    struct vmcs_guest *g = cpu->g;
    uint32_t intr = g->interruptibility;

    bool single_step = g->rflags & RF_TF;
    m->shadow_next = 0;
    cpu->interrupt_shadow_next = false;

    const struct insn *in = emu_decode_at_rip(cpu);
    /* RF suppresses instruction breakpoints for one instruction and is
     * cleared as it executes; an exit caused by the instruction saves RF = 0
     * (faults and EPT violations set it again). */
    g->rflags &= ~(uint64_t)RF_RF;
    cpu->insn = in;
    cpu->insn_rip = g->rip;
    uint64_t next = g->rip + in->len;
    if (cpu->mode != MODE_LONG)
        next &= cpu->def_opsize == 2 ? 0xffffull : 0xffffffffull;
    cpu->next_rip = next;
    in->exec(cpu, in);
    g->rip = cpu->next_rip;
    cpu->insn = NULL;
    cpu->vcpu->stats.instructions++;
    m->mtf_pending = true;

    uint32_t shadow = m->shadow_next;
    if (cpu->interrupt_shadow_next)
        shadow |= GUEST_INTRBILITY_STI_BLOCKING;
    /* A shadow lasts one instruction and is not renewed by a second STI. */
    if (intr & shadow & (GUEST_INTRBILITY_STI_BLOCKING | GUEST_INTRBILITY_MOVSS_BLOCKING))
        shadow = 0;
    g->interruptibility = (g->interruptibility & ~3u) | shadow;

    if (single_step && !(intr & GUEST_INTRBILITY_MOVSS_BLOCKING)) {
        struct emu_event ev = { .valid = true, .vector = EXC_DB, .type = EV_HW_EXC,
                                .dr6 = 1u << 14 };
        except_raise_event(cpu, ev);
    }
}

/* Whether the next instructions may run as blocks: no boundary between two
 * of them may need the per-instruction checks (single-step trap, an
 * interrupt shadow running out, MTF, interrupt/NMI windows). */
static bool blocks_allowed(const struct emu_vcpu *m)
{
    const struct emu_cpu *cpu = &m->cpu;
    return cpu->blocks && !(cpu->g->rflags & RF_TF) &&
           !(cpu->g->interruptibility & (GUEST_INTRBILITY_STI_BLOCKING | GUEST_INTRBILITY_MOVSS_BLOCKING)) &&
           !(cpu->vmcs->ctl.cpu & (CPU_BASED_MTF | CPU_BASED_IRQ_WND | CPU_BASED_VIRTUAL_NMI_WND));
}

static void run_loop(struct emu_vcpu *m)
{
    struct emu_cpu *cpu = &m->cpu;
    struct hv_vcpu *v = cpu->vcpu;
    struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    /* With a deadline, start at the poll point: one already past exits
     * before the first instruction, like a zero preemption timer.  The
     * count lives in memory (m->poll_count): it must survive the longjmp. */
    m->poll_count = m->deadline_ns != RUN_FOREVER ? POLL_INTERVAL - 1 : 0;

    int r = setjmp(cpu->abort);
    if (r == ABORT_EXIT)
        return;
    cpu->insn = NULL;
    if (r == ABORT_NONE && (c->entry_irq_info & IRQ_INFO_VALID)) {
        struct emu_event ev = entry_event(c);
        /* VMX clears the valid bit as part of the entry. */
        c->entry_irq_info &= ~(uint32_t)IRQ_INFO_VALID;
        deliver(m, ev);
    } else if (r == ABORT_NONE && (cpu->g->pending_dbg & PENDING_DBG_BITS) &&
               !(cpu->g->interruptibility & GUEST_INTRBILITY_MOVSS_BLOCKING)) {
        /* Pending debug exceptions (e.g. a single-step trap the client
         * left pending) are delivered right after VM entry. */
        struct emu_event ev = { .valid = true, .vector = EXC_DB, .type = EV_HW_EXC,
                                .dr6 = cpu->g->pending_dbg & PENDING_DBG_BITS };
        cpu->g->pending_dbg = 0;
        except_raise_event(cpu, ev);
    }
    for (;;) {
        if (m->pending.valid) {
            struct emu_event ev = m->pending;
            m->pending.valid = false;
            deliver(m, ev);
        }
        if (atomic_load_explicit(&v->kick, memory_order_relaxed)) {
            atomic_store(&v->kick, false);
            vmexit_abort(cpu, VMX_REASON_IRQ, 0, 0);
        }
        boundary_exits(m);
        if (cpu->vcpu->emu_lapic)
            emu_irq_boundary(m);
        if (cpu->g->activity != 0)
            sleep_until_event(m);
        if (++m->poll_count >= POLL_INTERVAL) {
            m->poll_count = 0;
            if (m->deadline_ns != RUN_FOREVER && now_ns() >= m->deadline_ns)
                vmexit_abort(cpu, VMX_REASON_VMX_TIMER_EXPIRED, 0, 0);
            mem_turn(m);
            if (cpu->vcpu->emu_lapic) {
                /* Translated code may run a whole poll interval per turn
                 * of this loop: the APIC timer is looked at every poll
                 * too, and what it raised is taken at the boundary. */
                m->timer_due = true;
                continue;
            }
        }
        if (blocks_allowed(m) && emu_block_run(cpu, &m->poll_count, POLL_INTERVAL) != 0) {
            m->mtf_pending = true;
            continue;
        }
        step(m);
    }
}

static hv_return_t emu_vcpu_run(struct hv_vcpu *v, uint64_t deadline_ns, bool report_handled)
{
    (void)report_handled;   /* the emulator handles no exit itself */
    struct emu_vcpu *m = v->backend;
    if (!m)
        return HV_BAD_ARGUMENT;
    struct emu_cpu *cpu = &m->cpu;
    uint64_t start = now_ns();
    v->stats.runs++;
    /* The VMX-preemption timer, when enabled, is one more deadline. */
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    bool timer = c->pin & PIN_BASED_PREEMPTION_TIMER;
    uint64_t timer_deadline = start + (uint64_t)cpu->g->vmx_timer * VMX_TIMER_NS_PER_TICK;
    m->deadline_ns = (timer && timer_deadline < deadline_ns) ? timer_deadline : deadline_ns;
    m->pending.valid = false;
    m->delivering.valid = false;
    m->mtf_pending = false;

    if (atomic_exchange(&v->kick, false)) {
        vmexit_begin(cpu, VMX_REASON_IRQ, 0);
    } else if (!entry_checks(cpu)) {
        vmexit_begin(cpu, VMX_REASON_VMENTRY_GUEST | 0x80000000u, 0);
        v->stats.exits[VMX_REASON_VMENTRY_GUEST]++;
        return HV_SUCCESS;
    } else {
        entry_load(cpu);
        /* The client may have rewritten page tables or control registers
         * through the API since the last run, or asked for a flush
         * (hv_vcpu_invalidate_tlb, a new address space): flushing at every
         * entry covers all of them, and costs one increment. */
        atomic_store(&v->tlb_flush_request, false);
        mmu_tlb_flush(cpu->tlb);
        vm_mem_read_lock(v->vm);
        m->mem_locked = true;
        mem_sync(cpu);
        run_loop(m);
        emu_jit_fold_count(cpu);      /* what translated code ran before an abort */
        if (m->mem_locked)
            vm_mem_read_unlock(v->vm);
        m->mem_locked = false;
    }
    exit_save(cpu);
    if (timer && (c->exit & VMEXIT_SAVE_VMX_TIMER)) {
        uint64_t now = now_ns();
        cpu->g->vmx_timer = now >= timer_deadline ? 0
                            : (uint32_t)((timer_deadline - now) / VMX_TIMER_NS_PER_TICK);
    }
    v->stats.exits[cpu->vmcs->exit.reason & 127]++;
    /* Execution time is the time spent in the run, HLT sleep included
     * (that part is also counted as idle time). */
    uint64_t elapsed = now_ns() - start;
    v->exec_ns += elapsed;
    v->stats.ns_on_engine[0] += elapsed;
    return HV_SUCCESS;
}

static hv_return_t emu_memory_changed(struct hv_vm *vm, hv_vm_space_t space, uint64_t gpa, uint64_t size)
{
    /* mem_gen, bumped by the core, makes every vCPU flush before it touches
     * guest memory again. */
    (void)vm;
    (void)space;
    (void)gpa;
    (void)size;
    return HV_SUCCESS;
}

/* CR4 bits whose feature the emulated processor lacks are not offered. */
static void emu_filter_capability(hv_vmx_capability_t cap, uint64_t *value)
{
    if (cap == HV_VMX_CAP_CR4_FIXED1)
        *value &= ~emu_cr4_absent();
}

const struct hv_backend hv_backend_emu = {
    .name = "emu",
    .usable = emu_usable,
    .vm_create = emu_vm_create,
    .vm_destroy = emu_vm_destroy,
    .vcpu_create = emu_vcpu_create,
    .vcpu_destroy = emu_vcpu_destroy,
    .vcpu_run = emu_vcpu_run,
    .vcpu_kick = emu_vcpu_kick,
    .memory_changed = emu_memory_changed,
    .state_pull = NULL,
    .state_dirty = NULL,
    .vcpu_cpuid = emu_vcpu_cpuid,
    .filter_capability = emu_filter_capability,
};
