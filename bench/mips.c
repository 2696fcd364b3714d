/*
 * Benchmarks through the public API: guest MIPS on a CPU-bound loop
 * (instructions counted in the guest: iterations x instructions per
 * iteration), a memory-bound guest over 256 MiB of 4 KiB pages, and the
 * round-trip cost of an I/O exit (hv_vcpu_run and hv_vcpu_run_until) and of
 * an RDMSR exit.  The loop and the memory kernels also run natively in this
 * process, and the loop under QEMU's software CPU when QEMU is installed,
 * so that every figure is printed beside its reference as a ratio taken in
 * the same run.  Each backend runs in its own child process (one VM per
 * process).
 *
 * usage: mips [BACKEND...]   (default: emu kvm)
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

#include "bench.h"
#include "guest_mode.h"
#include "qemu_tcg.h"

/* kernels.S, linked natively too: the same bytes the guests run. */
void bench_loop(uint64_t count, uint64_t *data);
void bench_mem_copy(void *base, uint64_t passes);
uint64_t bench_mem_random(void *base, uint64_t count);

/* OpenHV's instruction counter, to cross-check the guest's own count. */
#if defined(__has_include)
#if __has_include(<Hypervisor/openhv.h>)
#include <Hypervisor/openhv.h>
#define BENCH_HAVE_OPENHV_H 1
#endif
#endif

#ifndef BENCH_GUEST_DIR
#define BENCH_GUEST_DIR "build/bench"
#endif

enum { QUAL_IN = 1u << 3 };

/* Measurements run until they take at least this long. */
#define MIN_SECONDS 0.25

struct result {
    int ok;
    char error[200];
    double mips;
    double mips_cpu;                   /* the same loop over thread CPU time */
    double mips32, mips32_cpu;         /* the loop in 32-bit protected mode */
    double mips16, mips16_cpu;         /* ... and in real mode */
    double ns_per_io_exit_run;
    double ns_per_io_exit_run_until;   /* < 0: run_until unavailable */
    double ns_per_msr_exit;
    double cpu_ns_per_io_exit, cpu_ns_per_msr_exit;   /* over thread CPU time */
    double copy_bytes_per_s;           /* mem.S, MEM_MODE_COPY: bytes copied per second */
    double random_loads_per_s;         /* mem.S, MEM_MODE_RANDOM */
    double library_count_ratio;        /* library / guest instruction count; < 0: unknown */
    char backend[96];
};

struct bench_vm {
    uint8_t *ram;
    hv_vcpuid_t vcpu;
    enum guest_mode mode;              /* of the loaded guest */
    uint64_t entry;                    /* where it was loaded */
    uint64_t arg;                      /* RSI for the guest */
    int region_pages;                  /* map MEM_REGION_GPA through 4 KiB pages */
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: on a shared host it moves much less than wall
 * time when other work competes for the cores. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(struct result *res, const char *what, hv_return_t r)
{
    snprintf(res->error, sizeof res->error, "%s: 0x%x", what, (unsigned)r);
    return -1;
}

static int load_guest(struct bench_vm *vm, const char *name, enum guest_mode mode, uint64_t at,
                      struct result *res)
{
    vm->mode = mode;
    vm->entry = at;
    char path[512];
    snprintf(path, sizeof path, "%s/%s.bin", BENCH_GUEST_DIR, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(res->error, sizeof res->error, "cannot open %.100s", path);
        return -1;
    }
    size_t n = fread(vm->ram + at, 1, 0x10000, f);
    fclose(f);
    if (n == 0) {
        snprintf(res->error, sizeof res->error, "%.100s is empty", path);
        return -1;
    }
    return 0;
}

static void put64(uint8_t *at, uint64_t value)
{
    memcpy(at, &value, sizeof value);
}

/*
 * guest_mode.c maps the first 4 GiB with 2 MiB pages; the memory benchmark
 * wants the walk and the TLB of 4 KiB pages, so the page-directory entries
 * of the region (in guest_mode's tables: the directory of the second GiB)
 * are pointed at page tables of its own.
 */
static void map_region_with_small_pages(struct bench_vm *vm)
{
    enum { PTE_P = 1, PTE_RW = 2, GUEST_MODE_PD_OFF = 0x3000 };
    uint8_t *pd = vm->ram + BENCH_SCRATCH + GUEST_MODE_PD_OFF + (MEM_REGION_GPA >> 30) * 0x1000;
    for (uint64_t table = 0; table < MEM_REGION_SIZE >> 21; table++) {
        uint64_t pt_gpa = MEM_PT_GPA + table * 0x1000;
        for (uint64_t i = 0; i < 512; i++)
            put64(vm->ram + pt_gpa + i * 8,
                  (MEM_REGION_GPA + (table << 21) + (i << 12)) | PTE_RW | PTE_P);
        put64(pd + ((MEM_REGION_GPA >> 21) & 511) * 8 + table * 8, pt_gpa | PTE_RW | PTE_P);
    }
}

/* Restart the loaded guest with RDI = count and RSI = vm->arg. */
static hv_return_t restart(struct bench_vm *vm, uint64_t count)
{
    struct guest_layout layout = {
        .entry = vm->entry, .stack = BENCH_STACK,
        .scratch = BENCH_SCRATCH, .scratch_hva = vm->ram + BENCH_SCRATCH,
    };
    hv_return_t r = guest_mode_setup(vm->vcpu, vm->mode, &layout);
    if (r == HV_SUCCESS && vm->region_pages)
        map_region_with_small_pages(vm);
    if (r == HV_SUCCESS)
        r = hv_vcpu_write_register(vm->vcpu, HV_X86_RDI, count);
    if (r == HV_SUCCESS)
        r = hv_vcpu_write_register(vm->vcpu, HV_X86_RSI, vm->arg);
    return r;
}

static hv_return_t enter(hv_vcpuid_t vcpu, int use_run_until)
{
    return use_run_until ? hv_vcpu_run_until(vcpu, HV_DEADLINE_FOREVER) : hv_vcpu_run(vcpu);
}

/*
 * Run until the guest writes the exit port, handling BENCH_IO_PORT exits
 * on the way; *io_exits counts them.  Returns 0, or -1 with res->error.
 */
static int run_guest(struct bench_vm *vm, int use_run_until, uint64_t *io_exits, struct result *res)
{
    *io_exits = 0;
    for (;;) {
        hv_return_t r = enter(vm->vcpu, use_run_until);
        if (r != HV_SUCCESS)
            return fail(res, use_run_until ? "hv_vcpu_run_until" : "hv_vcpu_run", r);
        uint64_t reason = 0, qual = 0, len = 0, rip = 0;
        hv_vmx_vcpu_read_vmcs(vm->vcpu, VMCS_RO_EXIT_REASON, &reason);
        if (reason == VMX_REASON_IRQ || reason == VMX_REASON_EPT_VIOLATION)
            continue;          /* handled by the framework; re-enter */
        if (reason == VMX_REASON_RDMSR) {
            /* As a client emulating an MSR does: a value, and RIP past RDMSR. */
            hv_vmx_vcpu_read_vmcs(vm->vcpu, VMCS_RO_VMEXIT_INSTR_LEN, &len);
            hv_vcpu_read_register(vm->vcpu, HV_X86_RIP, &rip);
            hv_vcpu_write_register(vm->vcpu, HV_X86_RAX, 0);
            hv_vcpu_write_register(vm->vcpu, HV_X86_RDX, 0);
            hv_vcpu_write_register(vm->vcpu, HV_X86_RIP, rip + len);
            ++*io_exits;
            continue;
        }
        if (reason != VMX_REASON_IO)
            return fail(res, "unexpected exit reason", (hv_return_t)reason);
        hv_vmx_vcpu_read_vmcs(vm->vcpu, VMCS_RO_EXIT_QUALIFIC, &qual);
        if ((qual >> 16) == BENCH_EXIT_PORT)
            return 0;
        hv_vmx_vcpu_read_vmcs(vm->vcpu, VMCS_RO_VMEXIT_INSTR_LEN, &len);
        hv_vcpu_read_register(vm->vcpu, HV_X86_RIP, &rip);
        hv_vcpu_write_register(vm->vcpu, HV_X86_RIP, rip + len);
        ++*io_exits;
    }
}

/* Guest instructions the library has counted so far (0: unknown). */
static uint64_t library_instructions(hv_vcpuid_t vcpu)
{
#ifdef BENCH_HAVE_OPENHV_H
    struct openhv_vcpu_stats stats;
    if (openhv_vcpu_stats(vcpu, &stats) == HV_SUCCESS)
        return stats.instructions;
#else
    (void)vcpu;
#endif
    return 0;
}

/* Time `guest` with growing counts until a run lasts MIN_SECONDS; returns
 * seconds per count unit of the last run, or -1.  *count_out is the last
 * count, *counted what the library counted during that run. */
static double last_cpu_seconds;   /* thread CPU time of calibrated()'s last run */

static double calibrated(struct bench_vm *vm, uint64_t start, int use_run_until, struct result *res,
                         uint64_t *count_out, uint64_t *counted)
{
    for (uint64_t count = start;; count *= 4) {
        hv_return_t r = restart(vm, count);
        if (r != HV_SUCCESS)
            return fail(res, "guest_mode_setup", r);
        uint64_t io_exits, before = library_instructions(vm->vcpu);
        double t0 = now(), c0 = cpu_now();
        if (run_guest(vm, use_run_until, &io_exits, res) != 0)
            return -1;
        double elapsed = now() - t0;
        last_cpu_seconds = cpu_now() - c0;
        *counted = library_instructions(vm->vcpu) - before;
        if (elapsed >= MIN_SECONDS || count >= (1ull << 34)) {
            *count_out = count;
            return elapsed / (double)count;
        }
    }
}

static int measure(struct result *res)
{
    struct bench_vm vm = {0};
    hv_return_t r = hv_vm_create(HV_VM_DEFAULT);
    if (r != HV_SUCCESS)
        return fail(res, "hv_vm_create", r);
    vm.ram = mmap(NULL, BENCH_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (vm.ram == MAP_FAILED)
        return fail(res, "mmap", HV_NO_RESOURCES);
    r = hv_vm_map(vm.ram, 0, BENCH_MEM, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC);
    if (r != HV_SUCCESS)
        return fail(res, "hv_vm_map", r);
    r = hv_vcpu_create(&vm.vcpu, HV_VCPU_DEFAULT);
    if (r != HV_SUCCESS)
        return fail(res, "hv_vcpu_create", r);

#ifdef BENCH_HAVE_OPENHV_H
    snprintf(res->backend, sizeof res->backend, "%s", openhv_backend_name());
#endif
    uint64_t count, counted;
    if (load_guest(&vm, "loop", GUEST_LONG64, BENCH_CODE, res) != 0)
        return -1;
    double per_iteration = calibrated(&vm, 1 << 16, 0, res, &count, &counted);
    if (per_iteration < 0)
        return -1;
    res->mips = LOOP_INSNS_PER_ITERATION / per_iteration / 1e6;
    res->mips_cpu = last_cpu_seconds > 0
                        ? LOOP_INSNS_PER_ITERATION * (double)count / last_cpu_seconds / 1e6 : -1;
    res->library_count_ratio =
        counted ? (double)counted / ((double)count * LOOP_INSNS_PER_ITERATION) : -1;

    /* The same loop in the legacy modes (no ratio target is judged here). */
    static const struct { const char *name; enum guest_mode mode; uint64_t at; } legacy[2] = {
        { "loop32", GUEST_PROT32, BENCH_CODE }, { "loop16", GUEST_REAL, BENCH_CODE16 },
    };
    for (unsigned i = 0; i < 2; i++) {
        double *mips = i == 0 ? &res->mips32 : &res->mips16, *cpu = i == 0 ? &res->mips32_cpu : &res->mips16_cpu;
        if (load_guest(&vm, legacy[i].name, legacy[i].mode, legacy[i].at, res) != 0)
            return -1;
        double per = calibrated(&vm, 1 << 16, 0, res, &count, &counted);
        if (per < 0)
            return -1;
        *mips = LOOP_INSNS_PER_ITERATION / per / 1e6;
        *cpu = last_cpu_seconds > 0 ? LOOP_INSNS_PER_ITERATION * (double)count / last_cpu_seconds / 1e6 : -1;
    }

    if (load_guest(&vm, "io", GUEST_LONG64, BENCH_CODE, res) != 0)
        return -1;
    double per_exit = calibrated(&vm, 1 << 10, 0, res, &count, &counted);
    if (per_exit < 0)
        return -1;
    res->ns_per_io_exit_run = per_exit * 1e9;
    res->cpu_ns_per_io_exit = last_cpu_seconds / (double)count * 1e9;
    struct result until = {0};
    per_exit = calibrated(&vm, 1 << 10, 1, &until, &count, &counted);
    res->ns_per_io_exit_run_until = per_exit < 0 ? -1 : per_exit * 1e9;

    if (load_guest(&vm, "msr", GUEST_LONG64, BENCH_CODE, res) != 0)
        return -1;
    per_exit = calibrated(&vm, 1 << 10, 0, res, &count, &counted);
    if (per_exit < 0)
        return -1;
    res->ns_per_msr_exit = per_exit * 1e9;
    res->cpu_ns_per_msr_exit = last_cpu_seconds / (double)count * 1e9;

    /* The memory-bound guest, over a region of its own. */
    void *region = mmap(NULL, MEM_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED)
        return fail(res, "mmap of the memory region", HV_NO_RESOURCES);
    /* Both sides measure resident memory, not the host's first-touch faults. */
    memset(region, 0x5a, MEM_REGION_SIZE);
    r = hv_vm_map(region, MEM_REGION_GPA, MEM_REGION_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE);
    if (r != HV_SUCCESS)
        return fail(res, "hv_vm_map of the memory region", r);
    if (load_guest(&vm, "mem", GUEST_LONG64, BENCH_CODE, res) != 0)
        return -1;
    vm.region_pages = 1;
    vm.arg = MEM_MODE_COPY;
    double per_pass = calibrated(&vm, 1, 0, res, &count, &counted);
    if (per_pass < 0)
        return -1;
    res->copy_bytes_per_s = (MEM_REGION_SIZE / 2) / per_pass;
    vm.arg = MEM_MODE_RANDOM;
    double per_load = calibrated(&vm, 1 << 16, 0, res, &count, &counted);
    if (per_load < 0)
        return -1;
    res->random_loads_per_s = 1 / per_load;
    hv_vm_unmap(MEM_REGION_GPA, MEM_REGION_SIZE);
    munmap(region, MEM_REGION_SIZE);

    hv_vcpu_destroy(vm.vcpu);
    hv_vm_unmap(0, BENCH_MEM);
    hv_vm_destroy();
    res->ok = 1;
    return 0;
}

/* The reference figures: the same kernels natively, and QEMU's software CPU. */
struct reference {
    double mips, mips_cpu, copy_bytes_per_s, random_loads_per_s;
    double qemu_mips, qemu_mips_cpu;   /* < 0: not measured, see qemu_why */
    char qemu_why[200];
};

/* Seconds per count unit of fn(count), the count growing until a call
 * takes MIN_SECONDS; *cpu_per_unit the same over thread CPU time. */
static double native_calibrated(void (*fn)(uint64_t count, void *arg), void *arg, uint64_t start,
                                double *cpu_per_unit)
{
    for (uint64_t count = start;; count *= 4) {
        double t0 = now(), c0 = cpu_now();
        fn(count, arg);
        double elapsed = now() - t0;
        if (elapsed >= MIN_SECONDS || count >= (1ull << 40)) {
            *cpu_per_unit = (cpu_now() - c0) / (double)count;
            return elapsed / (double)count;
        }
    }
}

static void native_loop(uint64_t count, void *data) { bench_loop(count, data); }
static void native_copy(uint64_t passes, void *base) { bench_mem_copy(base, passes); }
static volatile uint64_t native_sink;  /* keeps the random walk's result alive */
static void native_random(uint64_t count, void *base) { native_sink = bench_mem_random(base, count); }

static void measure_reference(struct reference *ref)
{
    static uint64_t data[2];
    double cpu;
    ref->mips = LOOP_INSNS_PER_ITERATION / native_calibrated(native_loop, data, 1 << 16, &cpu) / 1e6;
    ref->mips_cpu = LOOP_INSNS_PER_ITERATION / cpu / 1e6;
    void *region = mmap(NULL, MEM_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region != MAP_FAILED) {
        memset(region, 0x5a, MEM_REGION_SIZE);
        ref->copy_bytes_per_s = (MEM_REGION_SIZE / 2) / native_calibrated(native_copy, region, 1, &cpu);
        ref->random_loads_per_s = 1 / native_calibrated(native_random, region, 1 << 16, &cpu);
        munmap(region, MEM_REGION_SIZE);
    }
    ref->qemu_mips = qemu_tcg_mips(BENCH_GUEST_DIR "/qemu_loop.bin", &ref->qemu_mips_cpu, ref->qemu_why,
                                   sizeof ref->qemu_why);
}

/* One backend per child: the VM is process-wide. */
static void run_backend(const char *backend, struct result *res)
{
    memset(res, 0, sizeof *res);
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(res->error, sizeof res->error, "pipe failed");
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        setenv("OPENHV_BACKEND", backend, 1);
        struct result child = {0};
        measure(&child);
        ssize_t written = write(fds[1], &child, sizeof child);
        _exit(written == (ssize_t)sizeof child ? 0 : 1);
    }
    close(fds[1]);
    ssize_t got = pid > 0 ? read(fds[0], res, sizeof *res) : -1;
    close(fds[0]);
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    if (got != (ssize_t)sizeof *res) {
        memset(res, 0, sizeof *res);
        snprintf(res->error, sizeof res->error, "child failed (status 0x%x)", (unsigned)status);
    }
}

int main(int argc, char **argv)
{
    static const char *const defaults[] = {"emu", "kvm"};
    int n = argc > 1 ? argc - 1 : 2;
    const char *const *backends = argc > 1 ? (const char *const *)argv + 1 : defaults;
    struct result *results = calloc((size_t)n, sizeof *results);
    if (results == NULL)
        return 1;
    setvbuf(stdout, NULL, _IOLBF, 0);

    printf("%-8s %12s %18s %24s %10s\n", "backend", "guest MIPS", "ns/IO exit (run)",
           "ns/IO exit (run_until)", "until/run");
    for (int i = 0; i < n; i++) {
        struct result *r = &results[i];
        run_backend(backends[i], r);
        if (!r->ok) {
            printf("%-8s unavailable: %s\n", backends[i], r->error);
            continue;
        }
        char until[32] = "n/a", ratio[32] = "n/a";
        if (r->ns_per_io_exit_run_until >= 0) {
            snprintf(until, sizeof until, "%.0f", r->ns_per_io_exit_run_until);
            snprintf(ratio, sizeof ratio, "%.2f", r->ns_per_io_exit_run_until / r->ns_per_io_exit_run);
        }
        printf("%-8s %12.1f %18.0f %24s %10s\n", backends[i], r->mips, r->ns_per_io_exit_run, until, ratio);
        if (r->backend[0] != '\0')
            printf("         backend: %s\n", r->backend);
        if (r->mips_cpu > 0)
            printf("         guest MIPS over thread CPU time: %.1f\n", r->mips_cpu);
        printf("         32-bit protected mode loop: %.1f MIPS (CPU time %.1f, %.2fx the 64-bit figure)\n",
               r->mips32, r->mips32_cpu, r->mips_cpu / r->mips32_cpu);
        printf("         real-mode loop:             %.1f MIPS (CPU time %.1f, %.2fx the 64-bit figure)\n",
               r->mips16, r->mips16_cpu, r->mips_cpu / r->mips16_cpu);
        if (r->library_count_ratio >= 0)
            printf("         instructions counted by the library / by the guest: %.4f\n",
                   r->library_count_ratio);
        printf("         ns/RDMSR exit (run): %.0f; over thread CPU time: IO %.0f, RDMSR %.0f\n",
               r->ns_per_msr_exit, r->cpu_ns_per_io_exit, r->cpu_ns_per_msr_exit);
        printf("         256 MiB of 4 KiB pages: copy %.0f MB/s, random 8-byte loads %.1f M/s\n",
               r->copy_bytes_per_s / 1e6, r->random_loads_per_s / 1e6);
    }

    /* The same kernels natively and under QEMU, and each backend's ratio to them. */
    struct reference ref = {0};
    measure_reference(&ref);
    printf("native   %12.1f  (the same kernels in this process; over thread CPU time %.1f MIPS;\n"
           "                        copy %.0f MB/s, random loads %.1f M/s)\n",
           ref.mips, ref.mips_cpu, ref.copy_bytes_per_s / 1e6, ref.random_loads_per_s / 1e6);
    if (ref.qemu_mips > 0)
        printf("qemu-tcg %12.1f  (the same loop under qemu-system-x86_64 -accel tcg; over its CPU time %.1f)\n",
               ref.qemu_mips, ref.qemu_mips_cpu);
    else
        printf("qemu-tcg  not measured: %s\n", ref.qemu_why);
    for (int i = 0; i < n; i++) {
        struct result *r = &results[i];
        if (!r->ok)
            continue;
        printf("%s/native: %.4fx guest MIPS (CPU time %.4fx), %.3fx copy, %.3fx random loads\n",
               backends[i], r->mips / ref.mips, r->mips_cpu / ref.mips_cpu,
               r->copy_bytes_per_s / ref.copy_bytes_per_s,
               r->random_loads_per_s / ref.random_loads_per_s);
        if (ref.qemu_mips > 0)
            printf("%s/qemu-tcg: %.3fx guest MIPS (CPU time %.3fx)\n", backends[i], r->mips / ref.qemu_mips,
                   r->mips_cpu / ref.qemu_mips_cpu);
    }
    /* Ratios of every backend to the first that ran. */
    int base = -1;
    for (int i = 0; i < n && base < 0; i++)
        if (results[i].ok)
            base = i;
    for (int i = 0; base >= 0 && i < n; i++) {
        if (i == base || !results[i].ok)
            continue;
        printf("%s/%s: %.2fx guest MIPS, %.2fx IO exit cost\n", backends[i], backends[base],
               results[i].mips / results[base].mips,
               results[i].ns_per_io_exit_run / results[base].ns_per_io_exit_run);
    }
    int status = base >= 0 ? 0 : 1;
    free(results);
    return status;
}
