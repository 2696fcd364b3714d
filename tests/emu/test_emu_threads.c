/*
 * Several vCPUs of one VM running truly concurrently on the emulator: LOCK
 * read-modify-writes on shared guest memory stay atomic, a kick reaches the
 * right vCPU, and hv_vm_protect from the host thread takes effect while they
 * run (mem_lock / mem_gen).
 */
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <pthread.h>
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
    hv_vm_unmap(0, RAM_SIZE);
    hv_vm_destroy();
    munmap(ram, RAM_SIZE);
    return failed;
}
