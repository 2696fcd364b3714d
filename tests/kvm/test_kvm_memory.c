/* The kvm backend's memory slots changing under a guest: hv_vm_protect to
 * READ (a read-only memslot: the guest's write becomes an EPT violation with
 * the write bit, the store not done) and back to RW (the same instruction
 * completes), between runs and from another thread while the vCPU runs; and
 * hv_vm_unmap of a page the guest polls, from another thread: the guest's
 * next access exits and it never sees what the host writes after the unmap.
 * Runs under OPENHV_BACKEND=auto; SKIPs unless the kvm backend is in use. */
#include "recipe_regs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define GUEST "recipes64"

#define COUNTER_PAGE (GUEST_FREE + 0x8000)
/* A one-page mapping of its own above RAM, inside guest_mode's identity map. */
#define EXTRA_GPA (GUEST_RAM_SIZE + 0x100000)
#define RWX (HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC)

static void require_kvm(void)
{
    if (!backend_is_kvm())
        T_SKIP("backend is %s, not kvm", openhv_backend_name());
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* A write to the READ page: EPT violation on the store, RAX already
 * incremented, the dword at RBX still the old count. */
static void expect_store_refused(struct h_vm *vm, const struct h_exit *e)
{
    T_ASSERT_EQ(e->reason, VMX_REASON_EPT_VIOLATION);
    T_ASSERT_EQ(e->rip, h_sym(vm, "g_count_store_mov"));
    T_ASSERT_EQ(e->gpa, COUNTER_PAGE);
    T_ASSERT_EQ(e->qual & (EPTQ_ACCESS_BITS | EPTQ_READABLE | EPTQ_WRITABLE), EPTQ_WRITE | EPTQ_READABLE);
    T_ASSERT_EQ(h_peek(vm, COUNTER_PAGE, 8), h_reg(vm, HV_X86_RAX) - 1);
}

/* Protected back to RW, the refused store completes and the loop goes on. */
static void expect_store_resumes(struct h_vm *vm)
{
    uint64_t rax = h_reg(vm, HV_X86_RAX);
    T_HV(hv_vm_protect(COUNTER_PAGE, 0x1000, RWX));
    T_HV(hv_vcpu_run_until(vm->vcpu, h_now_ns() + 10000000));
    uint64_t reason = h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff;
    T_ASSERT(reason == VMX_REASON_VMX_TIMER_EXPIRED || reason == VMX_REASON_IRQ);
    T_ASSERT(h_reg(vm, HV_X86_RAX) > rax);
    uint64_t mem = h_peek(vm, COUNTER_PAGE, 8), now = h_reg(vm, HV_X86_RAX);
    T_ASSERT(mem == now || mem == now - 1);
}

static void start_counter(struct h_vm *vm)
{
    h_poke(vm, COUNTER_PAGE, 0, 8);
    h_goto(vm, "g_count_store");
    h_set_reg(vm, HV_X86_RAX, 0);
    h_set_reg(vm, HV_X86_RBX, COUNTER_PAGE);
}

T_CASE(protect_readonly_between_runs)
{
    require_kvm();
    start_counter(vm);
    T_HV(hv_vcpu_run_until(vm->vcpu, h_now_ns() + 5000000));
    T_HV(hv_vm_protect(COUNTER_PAGE, 0x1000, HV_MEMORY_READ | HV_MEMORY_EXEC));
    expect_store_refused(vm, h_run(vm));
    /* Re-running without a change refuses again: nothing was half-done. */
    uint64_t rax = h_reg(vm, HV_X86_RAX);
    expect_store_refused(vm, h_run(vm));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), rax);
    expect_store_resumes(vm);
}

struct changer {
    atomic_int go;
    unsigned delay_ms;
    uint64_t gpa;
    bool unmap;                   /* else protect to READ|EXEC */
    volatile uint32_t *host;      /* for unmap: written right after it */
    uint32_t after_value;
    hv_return_t result;
    uint64_t frozen, later;       /* for protect: the counter right after, and 20 ms later */
};

static void *change_later(void *arg)
{
    struct changer *c = arg;
    while (!atomic_load(&c->go))
        sleep_ms(1);
    sleep_ms(c->delay_ms);
    if (c->unmap) {
        c->result = hv_vm_unmap(c->gpa, 0x1000);
        c->host[0] = c->after_value;          /* the guest must never see this */
    } else {
        c->result = hv_vm_protect(c->gpa, 0x1000, HV_MEMORY_READ | HV_MEMORY_EXEC);
        c->frozen = *(volatile uint64_t *)c->host;
        sleep_ms(20);
        c->later = *(volatile uint64_t *)c->host;
    }
    return NULL;
}

T_CASE(protect_readonly_while_running)
{
    require_kvm();
    start_counter(vm);
    struct changer c = { .delay_ms = 30, .gpa = COUNTER_PAGE, .host = h_mem(vm, COUNTER_PAGE, 8) };
    pthread_t t;
    T_ASSERT_EQ(pthread_create(&t, NULL, change_later, &c), 0);
    atomic_store(&c.go, 1);
    const struct h_exit *e = h_run(vm);
    pthread_join(t, NULL);
    T_HV(c.result);
    T_ASSERT(c.frozen > 1);                  /* the guest was storing */
    T_ASSERT_EQ(c.later, c.frozen);          /* and no store landed after the protect */
    expect_store_refused(vm, e);
    expect_store_resumes(vm);
}

T_CASE(unmap_polled_page_from_thread)
{
    require_kvm();
    enum { OLD = 0x01d01d01, NEW = 0x4e455721 };
    volatile uint32_t *page = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT((void *)page != MAP_FAILED);
    page[0] = OLD;
    hv_return_t mapped = hv_vm_map((void *)page, EXTRA_GPA, 0x1000, HV_MEMORY_READ | HV_MEMORY_WRITE);
    if (mapped != HV_SUCCESS)
        munmap((void *)page, 0x1000);
    T_HV(mapped);
    h_goto(vm, "g_poll");
    h_set_reg(vm, HV_X86_RBX, EXTRA_GPA);
    h_set_reg(vm, HV_X86_R8, NEW);
    struct changer c = { .delay_ms = 30, .gpa = EXTRA_GPA, .unmap = true, .host = page, .after_value = NEW };
    pthread_t t;
    T_ASSERT_EQ(pthread_create(&t, NULL, change_later, &c), 0);
    atomic_store(&c.go, 1);
    const struct h_exit *e = h_run(vm);
    pthread_join(t, NULL);
    T_HV(c.result);
    /* Not a report of NEW: the read exits, on the load, with RAX still OLD. */
    T_ASSERT_EQ(e->reason, VMX_REASON_EPT_VIOLATION);
    T_ASSERT_EQ(e->rip, h_sym(vm, "g_poll"));
    T_ASSERT_EQ(e->gpa, EXTRA_GPA);
    T_ASSERT_EQ(e->qual & (EPTQ_ACCESS_BITS | EPTQ_READABLE | EPTQ_WRITABLE | EPTQ_EXECUTABLE), EPTQ_READ);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), OLD);
    /* Mapped again, the same load completes and sees the new value. */
    T_HV(hv_vm_map((void *)page, EXTRA_GPA, 0x1000, HV_MEMORY_READ | HV_MEMORY_WRITE));
    h_expect_report(vm, NEW);
    T_EXPECT_EQ(hv_vm_unmap(EXTRA_GPA, 0x1000), HV_SUCCESS);
    munmap((void *)page, 0x1000);
}

static const struct t_case cases[] = {
    T_ENTRY(protect_readonly_between_runs, GUEST, GUEST_LONG64, "_start"),
    T_ENTRY(protect_readonly_while_running, GUEST, GUEST_LONG64, "_start"),
    T_ENTRY(unmap_polled_page_from_thread, GUEST, GUEST_LONG64, "_start"),
};

int main(void)
{
    setenv("OPENHV_BACKEND", "kvm+emu", 1);
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
