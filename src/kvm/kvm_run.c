/*
 * The run loop: entry, KVM_RUN, kicks and deadlines, and the hand-over to
 * the emulator where KVM cannot follow.
 *
 * Kicks and deadlines both arrive as one real-time signal on the vCPU
 * thread (pthread_kill from hv_vcpu_interrupt, a per-vCPU POSIX timer for
 * hv_vcpu_run_until).  Its handler sets immediate_exit in the kvm_run the
 * thread is about to enter or is in, so a signal that lands between the
 * last check and KVM_RUN is not lost.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../core/caps.h"
#include "../core/msr.h"
#include "kvm_internal.h"

/* ---- kick signal ----------------------------------------------------- */

static __attribute__((tls_model("initial-exec"))) _Thread_local struct kvm_run *volatile t_in_run;
static pthread_once_t signal_once = PTHREAD_ONCE_INIT;
static int kick_signo;

static void on_kick_signal(int signo)
{
    (void)signo;
    struct kvm_run *run = t_in_run;
    if (run != NULL)
        kvm_set_immediate_exit(run, 1);
}

static void install_handler(void)
{
    kick_signo = SIGRTMIN + 4;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_kick_signal;
    sigemptyset(&sa.sa_mask);
    /* KVM_RUN returns EINTR even with SA_RESTART; the client's own system
     * calls on the vCPU thread are restarted. */
    sa.sa_flags = SA_RESTART;
    sigaction(kick_signo, &sa, NULL);
}

int kvm_kick_signal(void)
{
    pthread_once(&signal_once, install_handler);
    return kick_signo;
}

/*
 * Make the vCPU's next or current KVM_RUN return at once.  immediate_exit
 * covers a KVM_RUN about to start; the signal one under way.  in_kvm is
 * set before KVM_RUN reads immediate_exit, so a vCPU seen outside gets the
 * flag in time (both sides sequentially consistent), and threads outside
 * KVM_RUN are not interrupted.
 */
static void kick_one(struct kvm_vcpu *kv)
{
    kvm_set_immediate_exit(kv->run, 1);
    if (atomic_load(&kv->in_kvm))
        pthread_kill(kv->thread, kvm_kick_signal());
}

void kvm_kick_internal(struct kvm_vcpu *kv)
{
    kick_one(kv);
}

void kvm_vcpu_kick(struct hv_vcpu *v)
{
    /* Whichever engine runs the vCPU: the emulator sleeps on a condition
     * variable, KVM_RUN leaves on the signal. */
    hv_backend_emu.vcpu_kick(v);
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    if (kv != NULL)
        kick_one(kv);
}

/* A flag another thread sets and this one consumes: a plain load first,
 * since the read-modify-write is dearer and the flag is almost always clear. */
static bool take_flag(atomic_bool *flag)
{
    return atomic_load_explicit(flag, memory_order_relaxed) && atomic_exchange(flag, false);
}

/* ---- the gate ------------------------------------------------------ */

void kvm_gate_enter(struct kvm_vm *k, struct kvm_vcpu *kv)
{
    for (;;) {
        /* Store, then load, both sequentially consistent: a closer that
         * counted itself before this load is seen here; one that counts
         * itself after it sees in_kvm and waits (and kicks). */
        atomic_store(&kv->in_kvm, true);
        if (atomic_load(&k->gate_closers) == 0)
            return;
        atomic_store(&kv->in_kvm, false);
        pthread_mutex_lock(&k->gate_lock);
        while (atomic_load(&k->gate_closers) != 0)
            pthread_cond_wait(&k->gate_open, &k->gate_lock);
        pthread_mutex_unlock(&k->gate_lock);
    }
}

void kvm_gate_leave(struct kvm_vcpu *kv)
{
    /* Only entering needs the store-load order; a closer just waits. */
    atomic_store_explicit(&kv->in_kvm, false, memory_order_release);
}

void kvm_gate_close(struct kvm_vm *k)
{
    pthread_mutex_lock(&k->gate_lock);
    atomic_fetch_add(&k->gate_closers, 1);
    pthread_mutex_unlock(&k->gate_lock);
    pthread_mutex_lock(&k->registry_lock);
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
        struct kvm_vcpu *kv = k->running[i];
        if (kv == NULL)
            continue;
        kick_one(kv);
        /* A kicked KVM_RUN returns within microseconds; the vCPU then
         * blocks in kvm_gate_enter. */
        while (atomic_load_explicit(&kv->in_kvm, memory_order_acquire))
            sched_yield();
    }
    pthread_mutex_unlock(&k->registry_lock);
}

void kvm_gate_open(struct kvm_vm *k)
{
    pthread_mutex_lock(&k->gate_lock);
    if (atomic_fetch_sub(&k->gate_closers, 1) == 1)
        pthread_cond_broadcast(&k->gate_open);
    pthread_mutex_unlock(&k->gate_lock);
}

static void arm_deadline(struct kvm_vcpu *kv, uint64_t deadline_ns)
{
    if (!kv->has_timer)
        return;
    struct itimerspec its = { 0 };
    if (deadline_ns != RUN_FOREVER) {
        its.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ull);
        its.it_value.tv_nsec = (long)(deadline_ns % 1000000000ull);
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
            its.it_value.tv_nsec = 1;
    }
    timer_settime(kv->timer, TIMER_ABSTIME, &its, NULL);
}

/* ---- what KVM cannot honour ------------------------------------------ */

static bool window_open(const struct vmcs_guest *g)
{
    return (g->rflags & K_RFLAGS_IF) &&
           !(g->interruptibility & (GUEST_INTRBILITY_STI_BLOCKING | GUEST_INTRBILITY_MOVSS_BLOCKING));
}

/*
 * Whether this entry needs an exit or a behaviour KVM cannot produce: an
 * exception bitmap, CR masks (MOV CR exits), any optional exiting control
 * (RDTSC, INVLPG, CR3, MOV DR, MTF, PAUSE, TPR shadow, NMI window,
 * descriptor tables, WBINVD, RDRAND, RDSEED), the preemption timer,
 * software event injection (needs the entry instruction length), a
 * non-active activity state, pending debug exceptions, virtual-8086 mode,
 * another address space, or guest state VM entry would refuse.
 *
 * Unless the VM is exact, KVM serves what it can give the client's intent
 * (docs/compat.md 8.2): it keeps CR0 and CR4 itself and the exit presents
 * them as the client's MOV-CR handler would have left them
 * (kvm_state.c), as long as the client's masked bits are what the guest
 * sees; the TPR shadow is KVM's CR8, mirrored in HV_X86_TPR as
 * the emulator keeps it; #MC never reaches a guest, so its exception
 * bit asks for nothing.
 * The interrupt-window control is handled by the caller.
 */
static bool needs_emulator(const struct hv_vcpu *v, const struct kvm_vm *k)
{
    const struct kvm_quirks *q = &k->quirks;
    const struct vmcs_ctrl *c = &v->vmcs.ctl;
    const struct vmcs_guest *g = &v->vmcs.guest;
    if (!q->legacy_paging && (g->cr0 & K_CR0_PG) && !(c->entry & VMENTRY_GUEST_IA32E))
        return true;
    /* A closed interrupt window KVM will not report when it opens. */
    if ((c->cpu & CPU_BASED_IRQ_WND) && !q->irq_window_exits)
        return true;
    uint32_t served_exc = k->exact ? 0u : 1u << 18 /* #MC */;
    if (v->space != HV_VM_SPACE_DEFAULT || (c->exc_bitmap & ~served_exc) != 0)
        return true;
    if (k->exact && ((c->cr0_mask & ~K_CR0_NE) || (c->cr4_mask & ~K_CR4_VMXE)))
        return true;
    /* KVM holds one CR0 and CR4, the guest's view: a masked bit whose real
     * value the client keeps apart from its shadow (TS for lazy FPU
     * switching, say) cannot be served, except those KVM itself keeps
     * apart (caching, NE, ET; VMXE). */
    if (((g->cr0 ^ c->cr0_shadow) & c->cr0_mask & ~KVM_CR0_HOST_KEPT) ||
        ((g->cr4 ^ c->cr4_shadow) & c->cr4_mask & ~K_CR4_VMXE))
        return true;
    uint32_t served_cpu = CPU_BASED_IRQ_WND | (k->exact ? 0u : (uint32_t)CPU_BASED_TPR_SHADOW);
    if (c->cpu & ~k->allowed0_cpu & ~served_cpu)
        return true;
    if (c->cpu2 & ~k->allowed0_cpu2)
        return true;
    if (c->pin & PIN_BASED_PREEMPTION_TIMER)
        return true;
    if (c->entry_irq_info & IRQ_INFO_VALID) {
        uint32_t type = c->entry_irq_info & IRQ_INFO_TYPE_MASK;
        if (type != IRQ_INFO_EXT_IRQ && type != IRQ_INFO_NMI && type != IRQ_INFO_HARD_EXC)
            return true;
    }
    if (g->activity != 0 || (g->pending_dbg & 0x400full) || (g->rflags & K_RFLAGS_VM))
        return true;
    if (!(g->cr0 & K_CR0_NE) || !(g->cr4 & K_CR4_VMXE))
        return true;
    return false;
}

/* ---- accounting ------------------------------------------------------- */

/* Run time in TSC ticks where their rate is known: two clock_gettime calls
 * were a measurable part of an exit's cost, an RDTSC is a fraction of one. */
static uint64_t run_clock(const struct kvm_vcpu *kv)
{
    return kv->ns_per_tick_q32 != 0 ? host_tsc() : kvm_now_ns();
}

static void account_kvm(struct hv_vcpu *v, uint64_t start)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    uint64_t elapsed = run_clock(kv) - start;
    if (kv->ns_per_tick_q32 != 0)
        elapsed = (uint64_t)(((unsigned __int128)elapsed * kv->ns_per_tick_q32) >> 32);
    v->exec_ns += elapsed;
    v->stats.ns_on_engine[1] += elapsed;
    if (kv->halt_ns_at >= 0) {
        /* KVM's clock and ours differ a little: idle time stays inside
         * execution time. */
        uint64_t halted = kvm_irq_halt_ns(kv);
        v->idle_ns += halted - kv->halt_ns_base;
        kv->halt_ns_base = halted;
        if (v->idle_ns > v->exec_ns)
            v->idle_ns = v->exec_ns;
    }
}

static hv_return_t finish_exit(struct hv_vcpu *v, uint64_t start)
{
    v->stats.exits[v->vmcs.exit.reason & 127]++;
    account_kvm(v, start);
    return HV_SUCCESS;
}

/*
 * The emulator runs on the same vmcs, with every register current.  After
 * an MMIO exit it only has to fault on one instruction: registers suffice,
 * the MSR/FPU ioctls (each as dear as an exit on a nested host) are
 * skipped, and a MOV KVM holds pending stays so if the emulator gives the
 * EPT violation of that very instruction.
 */
static hv_return_t run_emulated(struct hv_vcpu *v, uint64_t start, uint64_t deadline_ns,
                                bool report_handled, bool after_mmio_exit)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    kv->sys_current = kv->sys_from_kvm = false;     /* the emulator writes the vmcs */
    bool keep = after_mmio_exit && kv->pending.valid && kv->pending.mmio;
    if (kv->pending.valid && !keep) {
        kv->pending.valid = false;
        kvm_complete_pending(v);
    }
    if (!after_mmio_exit)
        kvm_state_pull(v);
    if (kv->requeued_info != 0)
        kvm_drop_held_event(v);
    kv->requeued_info = kv->requeued_error = 0;
    /* This backend's part of the run, state transfers included, is run
     * time too; the emulator counts its own. */
    account_kvm(v, start);
    uint64_t runs = v->stats.runs;
    hv_return_t ret = hv_backend_emu.vcpu_run(v, deadline_ns, report_handled);
    v->stats.runs = runs;       /* one client run, whichever engines served it */
    if (keep && !(ret == HV_SUCCESS && v->vmcs.exit.reason == VMX_REASON_EPT_VIOLATION &&
                  v->vmcs.guest.rip == kv->pending.rip)) {
        kv->pending.valid = false;
        kvm_complete_pending(v);
    }
    return ret;
}

/* Whether KVM stopped where the entry started, with the same registers. */
static bool nothing_ran(const struct vmcs *entry, const struct hv_vcpu *v)
{
    const struct vmcs_guest *a = &entry->guest, *b = &v->vmcs.guest;
    return a->rip == b->rip && memcmp(a->gpr, b->gpr, sizeof a->gpr) == 0;
}

/*
 * Whether the run's first instruction cannot have run under KVM: no event
 * came first, and the page walk of its fetch or memory operand reads memory
 * without a slot.  KVM's emulator then injects a #PF there (upstream), and
 * the triple fault that may follow comes with the vCPU reset (SVM), so
 * nothing_ran cannot tell; but nothing ran before that instruction, and
 * the instruction did not retire.  `entry` is the vmcs at the entry.
 */
static bool first_insn_cannot_run(struct hv_vcpu *v, const struct vmcs *entry, bool event_at_entry)
{
    if (event_at_entry)
        return false;
    struct vmcs now = v->vmcs;
    v->vmcs = *entry;
    bool cannot = kvm_first_insn_walk_slotless(v);
    v->vmcs = now;
    return cannot;
}

/* ---- the loop ----------------------------------------------------------- */

hv_return_t kvm_vcpu_run(struct hv_vcpu *v, uint64_t deadline_ns, bool report_handled)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_vm *k = kvm_vm_of(v->vm);
    if (kv == NULL || k == NULL)
        return HV_BAD_ARGUMENT;
    uint64_t start = run_clock(kv);
    v->stats.runs++;
    struct vmcs_ctrl *c = &v->vmcs.ctl;

    if (take_flag(&v->kick)) {
        /* The kick's immediate_exit is consumed with it. */
        kvm_set_immediate_exit(kv->run, 0);
        kv->requeued_info = kv->requeued_error = 0;
        kvm_set_exit(v, VMX_REASON_IRQ, 0, 0);
        return finish_exit(v, start);
    }
    bool irq_window = c->cpu & CPU_BASED_IRQ_WND;
    if (irq_window && window_open(&v->vmcs.guest) && !(c->entry_irq_info & IRQ_INFO_VALID)) {
        kv->requeued_info = kv->requeued_error = 0;
        kvm_set_exit(v, VMX_REASON_IRQ_WND, 0, 0);
        return finish_exit(v, start);
    }
    if (needs_emulator(v, k) ||
        ((c->entry_irq_info & IRQ_INFO_VALID) && !kvm_delivery_in_slots(v, c->entry_irq_info))) {
        if (!k->fallback) {
            v->stats.runs--;
            return HV_UNSUPPORTED;
        }
        return run_emulated(v, start, deadline_ns, report_handled, false);
    }

    bool completion_armed = kvm_settle_pending(v);
    if (take_flag(&v->tlb_flush_request))
        kv->k_valid = false;            /* rewriting CR3 makes KVM flush */
    kvm_filter_check(v);
    struct kvm_run *run = kv->run;
    if (!kvm_state_push(v)) {
        kvm_set_exit(v, VMX_REASON_VMENTRY_GUEST | 0x80000000u, 0, 0);
        kv->k_valid = false;
        return finish_exit(v, start);
    }
    if (completion_armed)
        kvm_rewind_for_completion(v);
    /* The vmcs as this entry found it, event included: if KVM shuts down
     * before the guest got anywhere, the emulator replays the entry. */
    struct vmcs entry_state = v->vmcs;
    bool event_at_entry = (c->entry_irq_info & IRQ_INFO_VALID) || kv->requeued_info != 0;
    kvm_inject_entry_event(v);
    if (deadline_ns != RUN_FOREVER)
        arm_deadline(kv, deadline_ns);

    enum kvm_outcome outcome = KO_EXIT;
    uint32_t kvm_exit_reason = KVM_EXIT_UNKNOWN;
    for (;;) {
        t_in_run = run;
        uint32_t stop = 0;
        if (take_flag(&v->kick))
            stop = VMX_REASON_IRQ;
        else if (deadline_ns != RUN_FOREVER && kvm_now_ns() >= deadline_ns)
            stop = VMX_REASON_VMX_TIMER_EXPIRED;
        if (stop != 0) {
            t_in_run = NULL;
            /* A completion meant for this entry must not wait for a later
             * one, after the client may have moved RIP again. */
            if (completion_armed)
                kvm_complete_pending(v);
            kvm_set_exit(v, stop, 0, 0);
            break;
        }
        completion_armed = false;
        /* Under HV_VM_ACCEL_APIC an ExtINT may want KVM's window too. */
        bool extint_window = kvm_irq_before_entry(v);
        run->request_interrupt_window = irq_window || extint_window;
        kvm_gate_enter(k, kv);
        int rc = ioctl(kv->fd, KVM_RUN, 0);
        int err = errno;
        kvm_gate_leave(kv);
        t_in_run = NULL;
        bool flagged = __atomic_load_n(&run->immediate_exit, __ATOMIC_SEQ_CST) != 0;
        if (flagged)
            kvm_set_immediate_exit(run, 0);   /* one set after the load: the next KVM_RUN returns EINTR */
        run->kvm_dirty_regs = 0;
        if (rc < 0 && (err == EINTR || err == EAGAIN)) {
            /* A kick or the deadline: the checks at the top of the loop
             * decide; so does our own immediate_exit (a memory-map change,
             * a kick already consumed).  Any other signal is a host
             * interrupt: hv_vcpu_run reports it as VMX_REASON_IRQ, as an
             * external-interrupt exit is on a Mac; hv_vcpu_run_until goes
             * on. */
            kvm_state_from_exit(v);
            bool expected = flagged || atomic_load(&v->kick) ||
                            (deadline_ns != RUN_FOREVER && kvm_now_ns() >= deadline_ns);
            if (report_handled && !expected) {
                kvm_set_exit(v, VMX_REASON_IRQ, 0, 0);
                break;
            }
            continue;
        }
        if (rc < 0) {
            kv->k_valid = false;
            kvm_set_exit(v, VMX_REASON_VMENTRY_GUEST | 0x80000000u, 0, 0);
            break;
        }
        kvm_state_from_exit(v);
        kvm_exit_reason = run->exit_reason;     /* translation may run KVM again */
        outcome = kvm_translate_exit(v);
        if (outcome != KO_REENTER)
            break;
        if (!kvm_state_push(v)) {
            kv->k_valid = false;
            kvm_set_exit(v, VMX_REASON_VMENTRY_GUEST | 0x80000000u, 0, 0);
            outcome = KO_EXIT;
            break;
        }
    }
    if (deadline_ns != RUN_FOREVER)
        arm_deadline(kv, RUN_FOREVER);
    if (outcome == KO_EXIT && v->vmcs.exit.reason == VMX_REASON_TRIPLE_FAULT &&
        (nothing_ran(&entry_state, v) || first_insn_cannot_run(v, &entry_state, event_at_entry))) {
        /* KVM could not deliver an event or walk a page table through
         * memory without a slot and gave up with a triple fault; VMX
         * would exit with an EPT violation there, and so does the emulator.
         * Without one, the entry is refused with the state untouched. */
        v->vmcs = entry_state;
        kv->k_valid = false;
        if (!k->fallback) {
            account_kvm(v, start);
            return HV_UNSUPPORTED;
        }
        outcome = KO_EMULATE;
    }
    if (outcome == KO_EMULATE) {
        return run_emulated(v, start, deadline_ns, report_handled, kvm_exit_reason == KVM_EXIT_MMIO);
    }
    return finish_exit(v, start);
}
