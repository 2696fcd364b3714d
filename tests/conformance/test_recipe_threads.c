/* Recipes that involve a second thread, and run control: native MSRs are
 * per vCPU (two vCPUs on two threads, only one with LSTAR native: the other
 * exits), and a kick or an expired deadline stops the guest at an
 * instruction boundary with registers and memory consistent with each
 * other, from which it resumes.  Built for `make check-tsan` too. */
#include "recipe_regs.h"

#include <pthread.h>
#include <time.h>

#define GUEST "recipes64"

/* ---- native MSRs are per vCPU ---- */

enum { MSR_ROUNDS = 40 };

struct msr_worker {
    struct h_vm vm;                 /* RAM shared with the case's VM, own vCPU */
    int index;
    bool native;                    /* LSTAR native on this vCPU */
    pthread_barrier_t *both_created;
    hv_return_t create_result, setup_result, enable_result;
    int wrmsr_exits, rdmsr_exits;
};

static uint64_t lstar_value(int index, int round)
{
    /* Canonical kernel addresses, different per vCPU and round. */
    return 0xffff800000000000ull | ((uint64_t)(index + 1) << 32) | ((uint64_t)round << 12);
}

static bool at_done(struct h_vm *vm, const char *next)
{
    const struct h_exit *e = &vm->exit;
    return e->reason == VMX_REASON_IO && IOQ_PORT(e->qual) == PORT_DONE && e->rip == h_sym(vm, next);
}

static void msr_rounds(struct msr_worker *w)
{
    struct h_vm *vm = &w->vm;
    for (int round = 0; round < MSR_ROUNDS && !t_failed(); round++) {
        uint64_t v = lstar_value(w->index, round);
        h_goto(vm, "g_wrmsr");
        h_set_reg(vm, HV_X86_RCX, HV_MSR_IA32_LSTAR);
        h_set_reg(vm, HV_X86_RAX, v & 0xffffffff);
        h_set_reg(vm, HV_X86_RDX, v >> 32);
        const struct h_exit *e = h_run(vm);
        if (!w->native) {
            T_EXPECT_EQ(e->reason, VMX_REASON_WRMSR);
            T_EXPECT_EQ(e->rip, h_sym(vm, "g_wrmsr"));
            T_EXPECT_EQ(h_reg(vm, HV_X86_RCX), HV_MSR_IA32_LSTAR);
            T_EXPECT_EQ(h_reg(vm, HV_X86_RDX), v >> 32);
            if (e->reason != VMX_REASON_WRMSR)
                return;
            w->wrmsr_exits++;
            h_skip_instr(vm);
            h_run(vm);
        }
        T_EXPECT(at_done(vm, "g_wrmsr_next"));
        if (w->native) {
            uint64_t got = 0;
            T_EXPECT_EQ(hv_vcpu_read_msr(vm->vcpu, HV_MSR_IA32_LSTAR, &got), HV_SUCCESS);
            T_EXPECT_EQ(got, v);
        }

        h_goto(vm, "g_rdmsr");
        h_set_reg(vm, HV_X86_RCX, HV_MSR_IA32_LSTAR);
        h_set_reg(vm, HV_X86_RAX, 0);
        h_set_reg(vm, HV_X86_RDX, 0);
        e = h_run(vm);
        uint64_t want = v;
        if (!w->native) {
            T_EXPECT_EQ(e->reason, VMX_REASON_RDMSR);
            T_EXPECT_EQ(e->rip, h_sym(vm, "g_rdmsr"));
            T_EXPECT_EQ(h_reg(vm, HV_X86_RAX), 0);
            if (e->reason != VMX_REASON_RDMSR)
                return;
            w->rdmsr_exits++;
            want = 0x5eed0000u + (uint64_t)round;         /* the client's answer */
            h_set_reg(vm, HV_X86_RAX, want);
            h_set_reg(vm, HV_X86_RDX, 0);
            h_skip_instr(vm);
            h_run(vm);
        }
        T_EXPECT(at_done(vm, "g_rdmsr_next"));
        T_EXPECT_EQ((h_reg(vm, HV_X86_RDX) << 32) | (h_reg(vm, HV_X86_RAX) & 0xffffffff), want);
    }
}

static void *msr_worker_main(void *arg)
{
    struct msr_worker *w = arg;
    w->create_result = hv_vcpu_create(&w->vm.vcpu, HV_VCPU_DEFAULT);
    bool ok = w->create_result == HV_SUCCESS;
    if (ok) {
        uint64_t scratch = GUEST_SCRATCH + 0x10000ull * (uint64_t)(w->index + 1);
        struct guest_layout layout = {
            .entry = h_sym(&w->vm, "_start"),
            .stack = GUEST_FREE + 0x100000ull + 0x10000ull * (uint64_t)w->index,
            .scratch = scratch,
            .scratch_hva = w->vm.ram + scratch,
        };
        w->setup_result = guest_mode_setup(w->vm.vcpu, GUEST_LONG64, &layout);
        w->enable_result = w->native ? hv_vcpu_enable_native_msr(w->vm.vcpu, HV_MSR_IA32_LSTAR, true)
                                     : HV_SUCCESS;
        ok = w->setup_result == HV_SUCCESS && w->enable_result == HV_SUCCESS;
    }
    /* Both vCPUs exist, one with LSTAR native, before either runs. */
    pthread_barrier_wait(w->both_created);
    if (ok)
        msr_rounds(w);
    if (w->create_result == HV_SUCCESS)
        T_EXPECT_EQ(hv_vcpu_destroy(w->vm.vcpu), HV_SUCCESS);
    return NULL;
}

T_CASE(native_msr_is_per_vcpu)
{
    pthread_barrier_t barrier;
    T_ASSERT_EQ(pthread_barrier_init(&barrier, NULL, 2), 0);
    struct msr_worker w[2] = {0};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        w[i].vm.ram = vm->ram;
        w[i].vm.guest = vm->guest;
        w[i].index = i;
        w[i].native = i == 0;
        w[i].both_created = &barrier;
        T_ASSERT_EQ(pthread_create(&t[i], NULL, msr_worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < 2; i++) {
        T_EXPECT_EQ(w[i].create_result, HV_SUCCESS);
        T_EXPECT_EQ(w[i].setup_result, HV_SUCCESS);
        T_EXPECT_EQ(w[i].enable_result, HV_SUCCESS);
    }
    T_EXPECT_EQ(w[0].wrmsr_exits + w[0].rdmsr_exits, 0);
    T_EXPECT_EQ(w[1].wrmsr_exits, MSR_ROUNDS);
    T_EXPECT_EQ(w[1].rdmsr_exits, MSR_ROUNDS);
}

/* ---- kicks and deadlines stop the guest at a consistent point ---- */

#define COUNTER_GPA (GUEST_FREE + 0x7000)

/* g_count_store keeps [RBX] == RAX at every boundary except right after
 * the INC, where [RBX] == RAX - 1; every other GPR stays as seeded. */
static uint64_t check_stopped_at(struct h_vm *vm, const struct regs *seeded, uint64_t previous,
                                 const char *file, int line)
{
    uint64_t rip = h_reg(vm, HV_X86_RIP), rax = h_reg(vm, HV_X86_RAX);
    uint64_t mem = h_peek(vm, COUNTER_GPA, 8);
    uint64_t expect_mem = 0;
    if (rip == h_sym(vm, "g_count_store_mov"))
        expect_mem = rax - 1;
    else if (rip == h_sym(vm, "g_count_store") || rip == h_sym(vm, "g_count_store_jmp"))
        expect_mem = rax;
    else
        t_fail(true, file, line, "stopped at RIP 0x%llx, not an instruction boundary of g_count_store",
               (unsigned long long)rip);
    if (mem != expect_mem)
        t_fail(true, file, line, "stopped at RIP 0x%llx with RAX 0x%llx but [RBX] 0x%llx",
               (unsigned long long)rip, (unsigned long long)rax, (unsigned long long)mem);
    if (rax <= previous)
        t_fail(true, file, line, "RAX 0x%llx did not advance past 0x%llx: the guest did not run",
               (unsigned long long)rax, (unsigned long long)previous);
    for (int i = 0; i < R_COUNT; i++) {
        uint64_t v = h_reg(vm, recipe_gpr[i].id);
        if (i != R_RAX && v != seeded->gpr[i])
            t_fail(true, file, line, "%s = 0x%llx, expected 0x%llx", recipe_gpr[i].name,
                   (unsigned long long)v, (unsigned long long)seeded->gpr[i]);
    }
    return rax;
}

static void seed_counter(struct h_vm *vm, struct regs *r)
{
    regs_seed(vm, r);
    r->gpr[R_RAX] = 0;
    r->gpr[R_RBX] = COUNTER_GPA;
    h_poke(vm, COUNTER_GPA, 0, 8);
    h_goto(vm, "g_count_store");
    regs_write(vm, r);
}

T_CASE(kick_spinning_guest_consistent)
{
    struct regs r;
    seed_counter(vm, &r);
    uint64_t previous = 0;
    for (int round = 0; round < 3; round++) {
        struct h_kicker k = { vm->vcpu, 20, HV_ERROR };
        pthread_t t;
        T_ASSERT_EQ(pthread_create(&t, NULL, h_kick_later, &k), 0);
        uint64_t start = h_now_ns();
        hv_return_t ret = hv_vcpu_run_until(vm->vcpu, start + 3000000000ull);
        uint64_t took = h_now_ns() - start;
        pthread_join(t, NULL);
        T_HV(ret);
        T_HV(k.result);
        T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff, VMX_REASON_IRQ);
        T_ASSERT(took < 2000000000ull);
        previous = check_stopped_at(vm, &r, previous, __FILE__, __LINE__);
    }
}

T_CASE(deadline_expiry_consistent)
{
    struct regs r;
    seed_counter(vm, &r);
    uint64_t previous = 0;
    for (int round = 0; round < 3; round++) {
        /* A deadline that passes before the first instruction exits with
         * no progress, as a zero preemption timer does; on a loaded host
         * (sanitizers, two cores) entry itself can take 15 ms.  So a round
         * that made no progress is retried with a longer deadline, and the
         * guest must have advanced by the last try. */
        uint64_t window = 15000000, reason, took, rax;
        for (int attempt = 0;; attempt++, window *= 2) {
            uint64_t start = h_now_ns(), deadline = start + window;
            do {   /* IRQ exits (host interrupts) may come first; the deadline stays */
                T_HV(hv_vcpu_run_until(vm->vcpu, deadline));
                reason = h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff;
            } while (reason == VMX_REASON_IRQ && h_now_ns() < deadline + 1000000000ull);
            took = h_now_ns() - start;
            T_ASSERT_EQ(reason, VMX_REASON_VMX_TIMER_EXPIRED);
            T_ASSERT(took >= window);
            rax = h_reg(vm, HV_X86_RAX);
            if (rax > previous || attempt == 5)
                break;
        }
        T_ASSERT(took < window + 1000000000);
        previous = check_stopped_at(vm, &r, previous, __FILE__, __LINE__);
    }
}

#define E(name, entry) T_ENTRY(name, GUEST, GUEST_LONG64, entry)
static const struct t_case cases[] = {
    T_ENTRY(native_msr_is_per_vcpu, GUEST, GUEST_LONG64, NULL),
    E(kick_spinning_guest_consistent, "_start"),
    E(deadline_expiry_consistent, "_start"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
