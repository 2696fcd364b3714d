/* vCPUs on their own threads: concurrent guests, kicks from another thread,
 * and hv_vm_unmap / hv_vm_protect while vCPUs run.  Built for
 * `make check-tsan` (every program whose name contains "thread"). */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>

#define MAX_WORKERS 4
/* A separate one-page mapping above RAM, inside guest_mode's identity map. */
#define EXTRA_GPA (GUEST_RAM_SIZE + 0x100000)

struct worker {
    struct h_vm vm;             /* shares RAM with the case's VM, own vCPU */
    int index;
    const char *entry;
    uint64_t rax, rbx, rcx, r8;
    void (*body)(struct worker *w);
    atomic_int running;         /* set just before the first run */
    /* results, read after join */
    hv_return_t create_result, setup_result;
    struct h_exit exit;
    uint64_t value;
    bool saw_report;
};

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Workers keep their vCPU until every worker has created one: a vCPU
 * destroyed early frees its id, and a later create would reuse it. */
static pthread_barrier_t all_created;
static bool all_created_live;

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->create_result = hv_vcpu_create(&w->vm.vcpu, HV_VCPU_DEFAULT);
    pthread_barrier_wait(&all_created);
    if (w->create_result != HV_SUCCESS)
        return NULL;
    /* Own scratch (GDT, page tables) and stack per vCPU. */
    uint64_t scratch = GUEST_SCRATCH + 0x10000ull * (uint64_t)(w->index + 1);
    struct guest_layout layout = {
        .entry = h_sym(&w->vm, w->entry),
        .stack = GUEST_FREE + 0x10000ull * (uint64_t)(w->index + 1),
        .scratch = scratch,
        .scratch_hva = w->vm.ram + scratch,
    };
    w->setup_result = guest_mode_setup(w->vm.vcpu, GUEST_LONG64, &layout);
    if (w->setup_result == HV_SUCCESS) {
        h_set_reg(&w->vm, HV_X86_RAX, w->rax);
        h_set_reg(&w->vm, HV_X86_RBX, w->rbx);
        h_set_reg(&w->vm, HV_X86_RCX, w->rcx);
        h_set_reg(&w->vm, HV_X86_R8, w->r8);
        w->body(w);
    }
    T_EXPECT_EQ(hv_vcpu_destroy(w->vm.vcpu), HV_SUCCESS);
    return NULL;
}

static void start_workers(struct h_vm *vm, struct worker *w, int n, pthread_t *t)
{
    if (all_created_live)
        pthread_barrier_destroy(&all_created);
    T_ASSERT_EQ(pthread_barrier_init(&all_created, NULL, (unsigned)n), 0);
    all_created_live = true;
    for (int i = 0; i < n; i++) {
        w[i].vm.ram = vm->ram;
        w[i].vm.guest = vm->guest;
        w[i].index = i;
        atomic_store(&w[i].running, 0);
        T_ASSERT_EQ(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
}

static void wait_running(struct worker *w, int n)
{
    for (int i = 0; i < n; i++)
        for (int spins = 0; !atomic_load(&w[i].running) && spins < 3000; spins++)
            sleep_ms(1);
}

static void check_created(struct worker *w, int n)
{
    for (int i = 0; i < n; i++) {
        T_EXPECT_EQ(w[i].create_result, HV_SUCCESS);
        T_EXPECT_EQ(w[i].setup_result, HV_SUCCESS);
    }
}

/* ---- several guests at once ---- */

static void sum_body(struct worker *w)
{
    atomic_store(&w->running, 1);
    const struct h_exit *e = h_run(&w->vm);
    w->exit = *e;
    if (e->reason == VMX_REASON_IO && IOQ_PORT(e->qual) == PORT_REPORT) {
        w->value = h_reg(&w->vm, HV_X86_RAX) & 0xffffffff;
        w->saw_report = true;
    }
}

T_CASE(threads_concurrent_vcpus)
{
    struct worker w[MAX_WORKERS] = {0};
    pthread_t t[MAX_WORKERS];
    for (int i = 0; i < MAX_WORKERS; i++) {
        w[i].entry = "l_sum";
        w[i].rcx = 200000 + 1000 * (uint64_t)i;
        w[i].body = sum_body;
    }
    start_workers(vm, w, MAX_WORKERS, t);
    for (int i = 0; i < MAX_WORKERS; i++)
        pthread_join(t[i], NULL);
    check_created(w, MAX_WORKERS);
    for (int i = 0; i < MAX_WORKERS; i++) {
        uint64_t n = w[i].rcx;
        uint32_t expected = (uint32_t)(n * (n + 1) / 2);
        T_EXPECT(w[i].saw_report);
        T_EXPECT_EQ(w[i].value, expected);
        for (int j = 0; j < i; j++)
            T_EXPECT(w[i].vm.vcpu != w[j].vm.vcpu);
        T_EXPECT(w[i].vm.vcpu != vm->vcpu);
    }
}

/* ---- kicks from another thread ---- */

static void spin_until_kicked(struct worker *w)
{
    atomic_store(&w->running, 1);
    w->exit = *h_run_raw(&w->vm, true);
    w->value = h_reg(&w->vm, HV_X86_RAX);
}

T_CASE(threads_kick_running_vcpus)
{
    enum { N = 3 };
    struct worker w[N] = {0};
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        w[i].entry = "l_spin";
        w[i].body = spin_until_kicked;
    }
    start_workers(vm, w, N, t);
    wait_running(w, N);
    /* Long enough for every worker to be scheduled into its guest even on
     * one loaded CPU (the nested proof runs three vCPU threads on one
     * software CPU); `running` is set just before the run starts. */
    sleep_ms(250);
    /* Worker vCPU ids are written by their threads before `running`. */
    hv_vcpuid_t ids[N];
    for (int i = 0; i < N; i++)
        ids[i] = w[i].vm.vcpu;
    uint64_t start = h_now_ns();
    hv_return_t r = hv_vcpu_interrupt(ids, N);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    uint64_t took = h_now_ns() - start;
    T_ASSERT_EQ(r, HV_SUCCESS);
    check_created(w, N);
    T_EXPECT(took < 2000000000ull);
    uint64_t loop = h_sym(vm, "l_spin"), jmp = h_sym(vm, "l_spin_jmp");
    for (int i = 0; i < N; i++) {
        T_EXPECT_EQ(w[i].exit.reason, VMX_REASON_IRQ);
        T_EXPECT(w[i].exit.rip == loop || w[i].exit.rip == jmp);
        T_EXPECT(w[i].value > 0);
    }
}

/* ---- memory changes while a vCPU runs ---- */

static void poll_until_exit(struct worker *w)
{
    atomic_store(&w->running, 1);
    for (;;) {
        const struct h_exit *e = h_run(&w->vm);
        w->exit = *e;
        if (e->reason == VMX_REASON_IO && IOQ_PORT(e->qual) == PORT_REPORT) {
            w->saw_report = true;      /* the guest saw the value written after unmap */
            h_skip_instr(&w->vm);
            continue;
        }
        return;
    }
}

static uint32_t *map_extra_page(void)
{
    void *p = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(p != MAP_FAILED);
    hv_return_t r = hv_vm_map(p, EXTRA_GPA, 0x1000, HV_MEMORY_READ | HV_MEMORY_WRITE);
    if (r != HV_SUCCESS) {
        munmap(p, 0x1000);
        T_ASSERT_EQ(r, HV_SUCCESS);
    }
    return p;
}

T_CASE(threads_unmap_while_running)
{
    enum { OLD = 0x01d01d01, NEW = 0x4e455721 };
    volatile uint32_t *page = map_extra_page();
    page[0] = OLD;
    struct worker w = {0};
    pthread_t t;
    w.entry = "l_poll";
    w.rbx = EXTRA_GPA;
    w.r8 = NEW;
    w.body = poll_until_exit;
    start_workers(vm, &w, 1, &t);
    wait_running(&w, 1);
    sleep_ms(30);
    hv_return_t r = hv_vm_unmap(EXTRA_GPA, 0x1000);
    page[0] = NEW;                     /* the guest must never see this */
    pthread_join(t, NULL);
    munmap((void *)page, 0x1000);
    T_ASSERT_EQ(r, HV_SUCCESS);
    check_created(&w, 1);
    T_EXPECT(!w.saw_report);
    T_EXPECT_EQ(w.exit.reason, VMX_REASON_EPT_VIOLATION);
    T_EXPECT_EQ(w.exit.gpa, EXTRA_GPA);
    T_EXPECT_EQ(w.exit.qual & (EPTQ_READ | EPTQ_WRITE | EPTQ_FETCH), EPTQ_READ);
}

T_CASE(threads_protect_while_running)
{
    volatile uint32_t *page = map_extra_page();
    struct worker w = {0};
    pthread_t t;
    w.entry = "l_store_loop";
    w.rax = 1;
    w.rbx = EXTRA_GPA;
    w.body = poll_until_exit;
    start_workers(vm, &w, 1, &t);
    wait_running(&w, 1);
    sleep_ms(30);
    hv_return_t r = hv_vm_protect(EXTRA_GPA, 0x1000, HV_MEMORY_READ);
    uint32_t frozen = page[0];          /* no guest store may land after this */
    sleep_ms(20);
    uint32_t later = page[0];
    pthread_join(t, NULL);
    T_EXPECT_EQ(r, HV_SUCCESS);
    check_created(&w, 1);
    T_EXPECT(frozen > 1);               /* the guest was storing */
    T_EXPECT_EQ(later, frozen);
    T_EXPECT_EQ(w.exit.reason, VMX_REASON_EPT_VIOLATION);
    T_EXPECT_EQ(w.exit.gpa, EXTRA_GPA);
    T_EXPECT_EQ(w.exit.qual & (EPTQ_READ | EPTQ_WRITE | EPTQ_FETCH | EPTQ_READABLE | EPTQ_WRITABLE),
                EPTQ_WRITE | EPTQ_READABLE);
    (void)hv_vm_unmap(EXTRA_GPA, 0x1000);
    munmap((void *)page, 0x1000);
}

static const struct t_case cases[] = {
    T_ENTRY(threads_concurrent_vcpus, "long64", GUEST_LONG64, NULL),
    T_ENTRY(threads_kick_running_vcpus, "long64", GUEST_LONG64, NULL),
    T_ENTRY(threads_unmap_while_running, "long64", GUEST_LONG64, NULL),
    T_ENTRY(threads_protect_while_running, "long64", GUEST_LONG64, NULL),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
