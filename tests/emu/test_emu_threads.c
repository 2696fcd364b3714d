/*
 * Several vCPUs of one VM running truly concurrently on the emulator: LOCK
 * read-modify-writes on shared guest memory stay atomic, a kick reaches the
 * right vCPU, and hv_vm_protect from the host thread takes effect while they
 * run (mem_lock / mem_gen).  A vCPU that spins on PAUSE for another lets
 * that one have the host processor they share.
 */
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "guest_mode.h"

#define RAM_SIZE (4u << 20)
#define COUNTER 0x200000u
#define ITERATIONS 200000u
#define NCPU 2

static uint8_t *ram;

struct worker {
    unsigned index;
    uint64_t reason;
    uint64_t rip;
    hv_return_t err;
};

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    hv_vcpuid_t vcpu;
    w->err = hv_vcpu_create(&vcpu, HV_VCPU_DEFAULT);
    if (w->err != HV_SUCCESS)
        return NULL;
    struct guest_layout layout = {
        .entry = 0x1000, .stack = 0x8000 - w->index * 0x1000,
        .scratch = 0x100000 + w->index * 0x10000, .scratch_hva = ram + 0x100000 + w->index * 0x10000,
    };
    w->err = guest_mode_setup(vcpu, GUEST_LONG64, &layout);
    if (w->err == HV_SUCCESS)
        w->err = hv_vcpu_write_register(vcpu, HV_X86_RBX, COUNTER);
    for (int i = 0; i < 1000 && w->err == HV_SUCCESS; i++) {
        w->err = hv_vcpu_run_until(vcpu, HV_DEADLINE_FOREVER);
        hv_vmx_vcpu_read_vmcs(vcpu, VMCS_RO_EXIT_REASON, &w->reason);
        if (w->reason != VMX_REASON_IRQ)
            break;
    }
    hv_vcpu_read_register(vcpu, HV_X86_RIP, &w->rip);
    hv_vcpu_destroy(vcpu);
    return NULL;
}

/* A vCPU storing to a page in a loop; the host makes the page read-only
 * while it runs: hv_vm_protect must not starve, and the vCPU must see it. */
struct spinner {
    hv_return_t err;
    uint64_t reason, qual, gpa;
};

static void *run_spinner(void *arg)
{
    struct spinner *sp = arg;
    hv_vcpuid_t vcpu;
    sp->err = hv_vcpu_create(&vcpu, HV_VCPU_DEFAULT);
    if (sp->err != HV_SUCCESS)
        return NULL;
    struct guest_layout layout = { .entry = 0x3000, .stack = 0x5000, .scratch = 0x120000,
                                   .scratch_hva = ram + 0x120000 };
    sp->err = guest_mode_setup(vcpu, GUEST_LONG64, &layout);
    if (sp->err == HV_SUCCESS)
        sp->err = hv_vcpu_write_register(vcpu, HV_X86_RBX, 0x300000);
    for (int i = 0; i < 100000 && sp->err == HV_SUCCESS; i++) {
        sp->err = hv_vcpu_run_until(vcpu, HV_DEADLINE_FOREVER);
        hv_vmx_vcpu_read_vmcs(vcpu, VMCS_RO_EXIT_REASON, &sp->reason);
        if (sp->reason != VMX_REASON_IRQ)
            break;
    }
    hv_vmx_vcpu_read_vmcs(vcpu, VMCS_RO_EXIT_QUALIFIC, &sp->qual);
    hv_vmx_vcpu_read_vmcs(vcpu, VMCS_GUEST_PHYSICAL_ADDRESS, &sp->gpa);
    hv_vcpu_destroy(vcpu);
    return NULL;
}

static int protect_while_running(void)
{
    static const uint8_t loop[] = { 0x89, 0x03, 0xeb, 0xfc };   /* 1: mov [rbx],eax; jmp 1b */
    memcpy(ram + 0x3000, loop, sizeof loop);
    struct spinner sp = { 0 };
    pthread_t t;
    pthread_create(&t, NULL, run_spinner, &sp);
    usleep(20000);
    hv_return_t r = hv_vm_protect(0x300000, 0x1000, HV_MEMORY_READ);
    pthread_join(t, NULL);
    hv_vm_protect(0x300000, 0x1000, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC);
    if (r != HV_SUCCESS || sp.err != HV_SUCCESS || sp.reason != VMX_REASON_EPT_VIOLATION ||
        sp.qual != 0x18a || sp.gpa != 0x300000) {
        printf("FAIL emu_threads_protect_while_running: protect 0x%x err 0x%x reason %llu qual 0x%llx gpa 0x%llx\n",
               (unsigned)r, (unsigned)sp.err, (unsigned long long)sp.reason,
               (unsigned long long)sp.qual, (unsigned long long)sp.gpa);
        return 1;
    }
    printf("PASS emu_threads_protect_while_running\n");
    return 0;
}

/* Two vCPUs whose threads share one host processor: a waiter that spins
 * on PAUSE (counting its turns in RCX) until a flag is set, and a worker
 * that sets it after a long loop.  The waiter must yield the processor to
 * the worker: without that, each of its time slices (milliseconds) spins
 * hundreds of thousands of turns; with it, 64 turns each time it runs. */
#define SPIN_FLAG 0x310000u
#define SPIN_LIMIT 250000u

struct pause_vcpu {
    uint64_t entry;
    unsigned cpu;
    pthread_barrier_t *start;
    bool pinned;
    hv_return_t err;
    uint64_t reason, rcx;
};

static void *run_pause_vcpu(void *arg)
{
    struct pause_vcpu *pv = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(pv->cpu, &set);
    pv->pinned = pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
    hv_vcpuid_t vcpu;
    pv->err = hv_vcpu_create(&vcpu, HV_VCPU_DEFAULT);
    if (pv->err == HV_SUCCESS) {
        struct guest_layout layout = { .entry = pv->entry, .stack = pv->entry + 0x800,
                                       .scratch = 0x140000 + (pv->entry & 0xf000) * 0x10,
                                       .scratch_hva = ram + 0x140000 + (pv->entry & 0xf000) * 0x10 };
        pv->err = guest_mode_setup(vcpu, GUEST_LONG64, &layout);
        if (pv->err == HV_SUCCESS)
            pv->err = hv_vcpu_write_register(vcpu, HV_X86_RBX, SPIN_FLAG);
    }
    pthread_barrier_wait(pv->start);
    for (int i = 0; i < 100000 && pv->err == HV_SUCCESS; i++) {
        pv->err = hv_vcpu_run_until(vcpu, HV_DEADLINE_FOREVER);
        hv_vmx_vcpu_read_vmcs(vcpu, VMCS_RO_EXIT_REASON, &pv->reason);
        if (pv->reason != VMX_REASON_IRQ)
            break;
    }
    if (pv->err == HV_SUCCESS) {
        hv_vcpu_read_register(vcpu, HV_X86_RCX, &pv->rcx);
        hv_vcpu_destroy(vcpu);
    }
    return NULL;
}

static int pause_spin_yields(void)
{
    /* The flag is read and set with LOCK OR, so that the guest's own
     * accesses race with nothing (ThreadSanitizer watches guest memory).
     * waiter: xor ecx,ecx; 1: pause; inc rcx; lock or dword [rbx],0; je 1b; hlt */
    static const uint8_t waiter[] = { 0x31, 0xc9, 0xf3, 0x90, 0x48, 0xff, 0xc1, 0xf0, 0x83, 0x0b, 0x00, 0x74, 0xf5, 0xf4 };
    /* worker: mov ecx,N; 1: dec ecx; jnz 1b; lock or dword [rbx],1; hlt */
    uint8_t worker[] = { 0xb9, 0, 0, 0, 0, 0xff, 0xc9, 0x75, 0xfc, 0xf0, 0x83, 0x0b, 0x01, 0xf4 };
    uint32_t turns = 40000000;
    memcpy(worker + 1, &turns, 4);
    memcpy(ram + 0x4000, waiter, sizeof waiter);
    memcpy(ram + 0x6000, worker, sizeof worker);
    memset(ram + SPIN_FLAG, 0, 4);
    cpu_set_t mine;
    int cpu = sched_getcpu();
    if (cpu < 0 || pthread_getaffinity_np(pthread_self(), sizeof mine, &mine) != 0 || !CPU_ISSET(cpu, &mine)) {
        printf("SKIP emu_threads_pause_spin_yields: no processor to pin both vCPU threads to\n");
        return 0;
    }
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    struct pause_vcpu pv[2] = { { .entry = 0x4000, .cpu = (unsigned)cpu, .start = &start },
                                { .entry = 0x6000, .cpu = (unsigned)cpu, .start = &start } };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, run_pause_vcpu, &pv[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    if (!pv[0].pinned || !pv[1].pinned) {
        printf("SKIP emu_threads_pause_spin_yields: the vCPU threads could not be pinned to processor %d\n", cpu);
        return 0;
    }
    if (pv[0].err != HV_SUCCESS || pv[1].err != HV_SUCCESS || pv[0].reason != VMX_REASON_HLT ||
        pv[1].reason != VMX_REASON_HLT || pv[0].rcx == 0 || pv[0].rcx > SPIN_LIMIT) {
        printf("FAIL emu_threads_pause_spin_yields: err 0x%x 0x%x, reasons %llu %llu, "
               "%llu turns of the spin loop (1 to %u expected)\n",
               (unsigned)pv[0].err, (unsigned)pv[1].err, (unsigned long long)pv[0].reason,
               (unsigned long long)pv[1].reason, (unsigned long long)pv[0].rcx, SPIN_LIMIT);
        return 1;
    }
    printf("PASS emu_threads_pause_spin_yields (%llu turns of the spin loop)\n", (unsigned long long)pv[0].rcx);
    return 0;
}

int main(void)
{
    setenv("OPENHV_BACKEND", "emu", 0);
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ram == MAP_FAILED || hv_vm_create(HV_VM_DEFAULT) != HV_SUCCESS ||
        hv_vm_map(ram, 0, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC) != HV_SUCCESS) {
        printf("FAIL emu_threads_setup: VM\n");
        return 1;
    }
    /* mov ecx,N; 1: lock inc dword [rbx]; dec ecx; jnz 1b; hlt */
    uint8_t code[] = { 0xb9, 0, 0, 0, 0, 0xf0, 0xff, 0x03, 0xff, 0xc9, 0x75, 0xf9, 0xf4 };
    uint32_t n = ITERATIONS;
    memcpy(code + 1, &n, 4);
    memcpy(ram + 0x1000, code, sizeof code);

    struct worker w[NCPU];
    pthread_t t[NCPU];
    for (unsigned i = 0; i < NCPU; i++) {
        w[i] = (struct worker){ .index = i };
        pthread_create(&t[i], NULL, run_worker, &w[i]);
    }
    for (unsigned i = 0; i < NCPU; i++)
        pthread_join(t[i], NULL);

    int failed = 0;
    uint32_t total;
    memcpy(&total, ram + COUNTER, 4);
    for (unsigned i = 0; i < NCPU; i++) {
        if (w[i].err != HV_SUCCESS || w[i].reason != VMX_REASON_HLT || w[i].rip != 0x100c) {
            printf("FAIL emu_threads_run_%u: err 0x%x reason %llu rip 0x%llx\n", i, (unsigned)w[i].err,
                   (unsigned long long)w[i].reason, (unsigned long long)w[i].rip);
            failed = 1;
        }
    }
    if (!failed)
        printf("PASS emu_threads_run\n");
    if (total != NCPU * ITERATIONS) {
        printf("FAIL emu_threads_lock_inc: counter %u, expected %u\n", total, NCPU * ITERATIONS);
        failed = 1;
    } else {
        printf("PASS emu_threads_lock_inc\n");
    }
    failed |= protect_while_running();
    failed |= pause_spin_yields();
    hv_vm_unmap(0, RAM_SIZE);
    hv_vm_destroy();
    munmap(ram, RAM_SIZE);
    return failed;
}
