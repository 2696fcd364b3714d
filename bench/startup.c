/*
 * From hv_vm_create to the first exit of a guest with 1 GiB of mapped RAM,
 * and how much of that RAM the library touched: the VM is created, the whole
 * GiB mapped, a vCPU created and put in real mode, and run until the guest's
 * first instruction (an OUT) exits.  Pages of guest RAM resident afterwards
 * (mincore) show what was touched: the guest touches one.  Each sample runs
 * in a fresh child process (one VM per process); the median is printed.
 *
 * usage: startup [BACKEND...]   (default: emu kvm)
 */
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest_mode.h"

#define RAM_SIZE (1ull << 30)
#define SAMPLES 7
#define CODE_GPA 0x7c00ull

struct sample {
    int ok;
    double ms;
    unsigned long resident_pages;
};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static unsigned long resident(uint8_t *ram)
{
    static unsigned char vec[RAM_SIZE / 4096];
    if (mincore(ram, RAM_SIZE, vec) != 0)
        return ~0ul;
    unsigned long n = 0;
    for (size_t i = 0; i < sizeof vec; i++)
        n += vec[i] & 1;
    return n;
}

static struct sample one_sample(void)
{
    struct sample s = {0};
    uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED)
        return s;
    /* The client writes the guest's code, as any would: one page. */
    static const uint8_t code[] = {0xe6, 0x80, 0xf4}; /* out %al, $0x80; hlt */
    memcpy(ram + CODE_GPA, code, sizeof code);
    /* Real mode needs no scratch tables in guest RAM: nothing else is touched. */
    static uint8_t scratch[0x10000] __attribute__((aligned(4096)));
    double t0 = now_ms();
    hv_vcpuid_t vcpu;
    if (hv_vm_create(HV_VM_DEFAULT) != HV_SUCCESS)
        return s;
    if (hv_vm_map(ram, 0, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC) != HV_SUCCESS ||
        hv_vcpu_create(&vcpu, HV_VCPU_DEFAULT) != HV_SUCCESS)
        return s;
    struct guest_layout layout = {.entry = CODE_GPA, .stack = 0x7000, .scratch = 0x100000000ull, .scratch_hva = scratch};
    if (guest_mode_setup(vcpu, GUEST_REAL, &layout) != HV_SUCCESS || hv_vcpu_run(vcpu) != HV_SUCCESS)
        return s;
    double t1 = now_ms();
    uint64_t reason = 0;
    hv_vmx_vcpu_read_vmcs(vcpu, VMCS_RO_EXIT_REASON, &reason);
    s.ok = reason == VMX_REASON_IO;
    s.ms = t1 - t0;
    s.resident_pages = resident(ram);
    hv_vcpu_destroy(vcpu);
    hv_vm_unmap(0, RAM_SIZE);
    hv_vm_destroy();
    return s;
}

static int by_ms(const void *a, const void *b)
{
    double x = ((const struct sample *)a)->ms, y = ((const struct sample *)b)->ms;
    return (x > y) - (x < y);
}

static void run_backend(const char *backend)
{
    struct sample s[SAMPLES];
    int n = 0;
    for (int i = 0; i < SAMPLES; i++) {
        int fd[2];
        if (pipe(fd) != 0)
            return;
        pid_t pid = fork();
        if (pid == 0) {
            close(fd[0]);
            setenv("OPENHV_BACKEND", backend, 1);
            struct sample r = one_sample();
            ssize_t w = write(fd[1], &r, sizeof r);
            _exit(w == (ssize_t)sizeof r ? 0 : 1);
        }
        close(fd[1]);
        struct sample r = {0};
        if (read(fd[0], &r, sizeof r) == (ssize_t)sizeof r && r.ok)
            s[n++] = r;
        close(fd[0]);
        waitpid(pid, NULL, 0);
    }
    if (n == 0) {
        printf("%-8s unavailable\n", backend);
        return;
    }
    qsort(s, (size_t)n, sizeof s[0], by_ms);
    printf("%-8s %8.2f ms  (min %.2f, max %.2f; %d samples)  guest RAM pages resident: %lu of %llu  target < 5 ms: %s\n",
           backend, s[n / 2].ms, s[0].ms, s[n - 1].ms, n, s[n / 2].resident_pages, RAM_SIZE / 4096,
           s[n / 2].ms < 5.0 ? "met" : "missed");
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("hv_vm_create to the first exit, 1 GiB mapped (median of %d fresh processes)\n", SAMPLES);
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            run_backend(argv[i]);
    } else {
        run_backend("emu");
        run_backend("kvm");
    }
    return 0;
}
