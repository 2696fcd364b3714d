/*
 * The kvm backend's exit cost against the floor KVM itself sets, in one
 * run on one host: an I/O exit (OUT) and an MSR exit (RDMSR of an MSR
 * nobody implements, answered by the host), once through raw /dev/kvm
 * ioctls and once through hv_vcpu_run, in interleaved rounds so that both
 * see the same machine load (which half goes first alternates); the ratio
 * reported is the median of the rounds' ratios, each taken from two
 * measurements made back to back (target OpenHV/raw <= 1.10), with their
 * range beside it.  Then the per-call cost of the state accessors a client calls on
 * every exit.
 *
 * Both halves run the same guests (bench/guests/exit_*.S) at the same
 * addresses, in real mode and in 64-bit mode with 4-level paging (where a
 * backend that decodes the exiting instruction walks the page tables).  Each half does what its kind of client must do per exit:
 * the raw loop checks the exit and, for RDMSR, fills in the value (KVM then
 * completes the instruction); the HVF loop reads the exit reason,
 * qualification or RCX and the instruction length, writes the result
 * registers and advances RIP itself.
 *
 * usage: kvm_exit [BACKEND [--no-target]]
 *   BACKEND      default kvm; "emu" exercises the HVF half where KVM is
 *                absent, the ratio then means nothing
 *   --no-target  the ratio is printed but not judged (a host where timings
 *                mean nothing, such as KVM nested under a software CPU)
 * OPENHV_BENCH_DIR overrides where the guest binaries are read from.
 */
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <Hypervisor/openhv.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "guest_mode.h"
#include "hv_names.h"
#include "kvm_exit.h"

#ifndef BENCH_GUEST_DIR
#define BENCH_GUEST_DIR "build/bench"
#endif

enum {
    ROUNDS = 11,
    GUEST_MEM = 1 << 20,
    GUEST_SLOT = 0x100,                  /* each guest is a few bytes: one slot each from KVM_EXIT_LOAD */
    SCRATCH = 0x10000,                   /* guest_mode's GDT and page tables (OpenHV half) */
    RAW_PAGE_TABLES = 0x20000,           /* PML4, PDPT, PD of the raw half's 64-bit VMs */
    STACK = 0x8000,
    ACCESSOR_CALLS = 200000,
    FIRST_CALL_SAMPLES = 2001,
};
#define MIN_MEASURE_SECONDS 0.05
#define TARGET_RATIO 1.10
/* The answers the host gives to every RDMSR and MMIO read; the guest
 * ignores them. */
#define MSR_ANSWER 0x1122334455667788ull
#define MMIO_ANSWER 0x5a

/* Each access in real mode, then each in 64-bit mode. */
enum access { ACCESS_IO, ACCESS_MSR, ACCESS_MMIO, ACCESSES };
enum exit_kind { EXIT_IO, EXIT_MSR, EXIT_MMIO, EXIT_IO64, EXIT_MSR64, EXIT_MMIO64, EXIT_KINDS };
static const char *const exit_names[EXIT_KINDS] = {
    "I/O exit (OUT imm8), real mode", "MSR exit (RDMSR), real mode", "MMIO read (MOV), real mode",
    "I/O exit (OUT imm8), 64-bit", "MSR exit (RDMSR), 64-bit", "MMIO read (MOV), 64-bit",
};
static const char *const guest_files[EXIT_KINDS] = {
    "exit_io16", "exit_msr16", "exit_mmio16", "exit_io64", "exit_msr64", "exit_mmio64",
};

static enum access access_of(enum exit_kind kind) { return (enum access)(kind % ACCESSES); }
static bool is_64bit(enum exit_kind kind) { return kind >= EXIT_IO64; }
static uint64_t guest_entry(enum exit_kind kind) { return KVM_EXIT_LOAD + (uint64_t)kind * GUEST_SLOT; }

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Loads both guests into `ram` at their entries; 0 or -1 with `why`. */
static int load_guests(uint8_t *ram, char *why, size_t why_len)
{
    const char *dir = getenv("OPENHV_BENCH_DIR");
    if (dir == NULL || *dir == '\0')
        dir = BENCH_GUEST_DIR;
    for (int k = 0; k < EXIT_KINDS; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s.bin", dir, guest_files[k]);
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            snprintf(why, why_len, "cannot open %.400s: %s", path, strerror(errno));
            return -1;
        }
        size_t room = GUEST_SLOT;
        size_t n = fread(ram + guest_entry((enum exit_kind)k), 1, room, f);
        int too_big = !feof(f);
        fclose(f);
        if (n == 0 || too_big) {
            snprintf(why, why_len, "%.400s: empty or larger than %zu bytes", path, room);
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- raw KVM */

struct raw_vcpu {
    int vm, vcpu;
    struct kvm_run *run;
    uint8_t *ram;
};

struct raw {
    int kvm;
    size_t run_size;
    struct raw_vcpu guest[EXIT_KINDS];   /* one VM per guest: nothing to reset between rounds */
    char why[600];
};

static int raw_fail(struct raw *raw, const char *what)
{
    snprintf(raw->why, sizeof raw->why, "%s: %s", what, strerror(errno));
    return -1;
}

/* The filter denies BENCH_UNKNOWN_MSR (bitmap bit 0 = 0) and allows the
 * rest, so a read of it reaches userspace with reason FILTER. */
static int raw_deny_unknown_msr(struct raw *raw, int vm)
{
    struct kvm_enable_cap cap = {.cap = KVM_CAP_X86_USER_SPACE_MSR,
                                 .args = {KVM_MSR_EXIT_REASON_FILTER}};
    if (ioctl(vm, KVM_ENABLE_CAP, &cap) != 0)
        return raw_fail(raw, "KVM_ENABLE_CAP(X86_USER_SPACE_MSR)");
    static uint8_t deny_one[1] = {0};
    struct kvm_msr_filter filter = {
        .flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
        .ranges = {{.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE, .nmsrs = 1,
                    .base = BENCH_UNKNOWN_MSR, .bitmap = deny_one}},
    };
    if (ioctl(vm, KVM_X86_SET_MSR_FILTER, &filter) != 0)
        return raw_fail(raw, "KVM_X86_SET_MSR_FILTER");
    return 0;
}

/* 64-bit mode for a raw VM: one 2 MiB identity page through a 4-level
 * walk, flat code and data segments. */
static void raw_long_mode(uint8_t *ram, struct kvm_sregs *sregs)
{
    uint64_t pml4 = RAW_PAGE_TABLES, pdpt = pml4 + 0x1000, pd = pdpt + 0x1000;
    const uint64_t present_rw = 3, large = 0x80;
    uint64_t entries[3] = {pdpt | present_rw, pd | present_rw, 0 | present_rw | large};
    memcpy(ram + pml4, &entries[0], 8);
    memcpy(ram + pdpt, &entries[1], 8);
    memcpy(ram + pd, &entries[2], 8);
    struct kvm_segment code = {.base = 0, .limit = 0xffffffff, .selector = 8, .type = 11,
                               .present = 1, .s = 1, .l = 1, .g = 1};
    struct kvm_segment data = {.base = 0, .limit = 0xffffffff, .selector = 16, .type = 3,
                               .present = 1, .s = 1, .db = 1, .g = 1};
    sregs->cs = code;
    sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
    sregs->cr3 = pml4;
    sregs->cr4 = 1u << 5;                            /* PAE */
    sregs->efer = (1u << 8) | (1u << 10);            /* LME, LMA */
    sregs->cr0 = 1u | (1u << 4) | (1u << 5) | (1u << 31);   /* PE, ET, NE, PG */
}

static int raw_open_guest(struct raw *raw, enum exit_kind kind, int mmap_size)
{
    struct raw_vcpu *g = &raw->guest[kind];
    g->vm = ioctl(raw->kvm, KVM_CREATE_VM, 0);
    if (g->vm < 0)
        return raw_fail(raw, "KVM_CREATE_VM");
    if (access_of(kind) == ACCESS_MSR && raw_deny_unknown_msr(raw, g->vm) != 0)
        return -1;
    g->ram = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (g->ram == MAP_FAILED)
        return raw_fail(raw, "mmap guest memory");
    if (load_guests(g->ram, raw->why, sizeof raw->why) != 0)
        return -1;
    /* RAM everywhere but the device page at BENCH_MMIO_GPA. */
    struct kvm_userspace_memory_region below = {
        .slot = 0, .guest_phys_addr = 0, .memory_size = BENCH_MMIO_GPA, .userspace_addr = (uintptr_t)g->ram,
    };
    struct kvm_userspace_memory_region above = {
        .slot = 1, .guest_phys_addr = BENCH_MMIO_GPA + 0x1000, .memory_size = GUEST_MEM - BENCH_MMIO_GPA - 0x1000,
        .userspace_addr = (uintptr_t)g->ram + BENCH_MMIO_GPA + 0x1000,
    };
    if (ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &below) != 0 ||
        ioctl(g->vm, KVM_SET_USER_MEMORY_REGION, &above) != 0)
        return raw_fail(raw, "KVM_SET_USER_MEMORY_REGION");
    g->vcpu = ioctl(g->vm, KVM_CREATE_VCPU, 0);
    if (g->vcpu < 0)
        return raw_fail(raw, "KVM_CREATE_VCPU");
    g->run = mmap(NULL, (size_t)mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu, 0);
    if (g->run == MAP_FAILED)
        return raw_fail(raw, "mmap kvm_run");
    struct kvm_sregs sregs;
    if (ioctl(g->vcpu, KVM_GET_SREGS, &sregs) != 0)
        return raw_fail(raw, "KVM_GET_SREGS");
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    if (is_64bit(kind))
        raw_long_mode(g->ram, &sregs);
    if (ioctl(g->vcpu, KVM_SET_SREGS, &sregs) != 0)
        return raw_fail(raw, "KVM_SET_SREGS");
    struct kvm_regs regs = {.rip = guest_entry(kind), .rsp = STACK, .rflags = 2};
    if (ioctl(g->vcpu, KVM_SET_REGS, &regs) != 0)
        return raw_fail(raw, "KVM_SET_REGS");
    if (is_64bit(kind)) {
        /* KVM takes a bad long-mode setup without complaint: check the
         * mode the guest actually runs in. */
        if (ioctl(g->vcpu, KVM_RUN, 0) != 0 || ioctl(g->vcpu, KVM_GET_SREGS, &sregs) != 0)
            return raw_fail(raw, "first KVM_RUN of a 64-bit guest");
        if (!(sregs.efer & (1u << 10)) || !sregs.cs.l) {
            snprintf(raw->why, sizeof raw->why, "the raw 64-bit guest is not in 64-bit mode");
            return -1;
        }
    }
    return 0;
}

static int raw_open(struct raw *raw)
{
    for (int k = 0; k < EXIT_KINDS; k++)
        raw->guest[k].vm = raw->guest[k].vcpu = -1;
    raw->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (raw->kvm < 0)
        return raw_fail(raw, "open /dev/kvm");
    if (ioctl(raw->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        snprintf(raw->why, sizeof raw->why, "unexpected KVM API version");
        return -1;
    }
    if (ioctl(raw->kvm, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0 ||
        ioctl(raw->kvm, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER) <= 0) {
        snprintf(raw->why, sizeof raw->why, "KVM lacks X86_USER_SPACE_MSR or X86_MSR_FILTER");
        return -1;
    }
    int mmap_size = ioctl(raw->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (mmap_size <= 0)
        return raw_fail(raw, "KVM_GET_VCPU_MMAP_SIZE");
    raw->run_size = (size_t)mmap_size;
    for (int k = 0; k < EXIT_KINDS; k++)
        if (raw_open_guest(raw, (enum exit_kind)k, mmap_size) != 0)
            return -1;
    return 0;
}

static void raw_close(struct raw *raw)
{
    for (int k = 0; k < EXIT_KINDS; k++) {
        struct raw_vcpu *g = &raw->guest[k];
        if (g->run != NULL && g->run != MAP_FAILED)
            munmap(g->run, raw->run_size);
        if (g->vcpu >= 0)
            close(g->vcpu);
        if (g->vm >= 0)
            close(g->vm);
        if (g->ram != NULL && g->ram != MAP_FAILED)
            munmap(g->ram, GUEST_MEM);
    }
    if (raw->kvm >= 0)
        close(raw->kvm);
}

/* `exits` exits of `kind`; seconds per exit, or -1 with raw->why. */
static double raw_measure(struct raw *raw, enum exit_kind kind, long exits)
{
    struct raw_vcpu *g = &raw->guest[kind];
    double t0 = now();
    for (long i = 0; i < exits; i++) {
        if (ioctl(g->vcpu, KVM_RUN, 0) != 0) {
            if (errno == EINTR || errno == EAGAIN) {
                i--;
                continue;
            }
            raw_fail(raw, "KVM_RUN");
            return -1;
        }
        struct kvm_run *run = g->run;
        enum access a = access_of(kind);
        if (a == ACCESS_IO && run->exit_reason == KVM_EXIT_IO && run->io.port == BENCH_IO_PORT)
            continue;
        if (a == ACCESS_MMIO && run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write &&
            run->mmio.phys_addr == BENCH_MMIO_GPA) {
            run->mmio.data[0] = MMIO_ANSWER;
            continue;
        }
        if (a == ACCESS_MSR && run->exit_reason == KVM_EXIT_X86_RDMSR &&
            run->msr.index == BENCH_UNKNOWN_MSR) {
            run->msr.data = MSR_ANSWER;
            run->msr.error = 0;
            continue;
        }
        snprintf(raw->why, sizeof raw->why, "unexpected KVM exit %u", run->exit_reason);
        return -1;
    }
    return (now() - t0) / (double)exits;
}

/* What one state ioctl costs on a vCPU that has run: the budget a backend
 * spends with every KVM_GET_* / KVM_SET_* it adds to an exit. */
static double raw_ioctl_ns(struct raw *raw)
{
    struct kvm_regs regs;
    int vcpu = raw->guest[EXIT_IO].vcpu;
    double t0 = now();
    for (int i = 0; i < 2000; i++)
        if (ioctl(vcpu, KVM_GET_REGS, &regs) != 0)
            return -1;
    return (now() - t0) / 2000 * 1e9;
}

/* ------------------------------------------------------- OpenHV (hv_*) */

/* A backend whose exits never reach the client would hang hv_vcpu_run
 * forever; this watchdog kicks the vCPU when no exit has arrived for
 * STALL_SECONDS, and the run loop then reports the stall. */
#define STALL_SECONDS 5
struct watchdog {
    pthread_t thread;
    int started;
    hv_vcpuid_t vcpu;
    atomic_ulong exits;      /* bumped by the run loop */
    atomic_int armed;        /* 1 while the run loop waits for exits */
    atomic_int stalled;      /* set by the watchdog before it kicks */
    atomic_int stop;
};

static void *watchdog_main(void *arg)
{
    struct watchdog *w = arg;
    unsigned long seen = atomic_load(&w->exits);
    int quiet_seconds = 0;
    while (!atomic_load(&w->stop)) {
        sleep(1);
        unsigned long now_exits = atomic_load(&w->exits);
        quiet_seconds = now_exits == seen && atomic_load(&w->armed) ? quiet_seconds + 1 : 0;
        seen = now_exits;
        if (quiet_seconds >= STALL_SECONDS) {
            atomic_store(&w->stalled, 1);
            hv_vcpu_interrupt(&w->vcpu, 1);
            quiet_seconds = 0;
        }
    }
    return NULL;
}

struct hvf {
    int vm_created;
    hv_vcpuid_t vcpu;
    int vcpu_created;
    uint8_t *ram;
    bool long_mode;          /* the vCPU's mode: set up when a measurement's kind needs the other */
    char why[600];
    char backend[200];
    struct watchdog watchdog;
};

static int hvf_fail(struct hvf *h, const char *what, hv_return_t r)
{
    snprintf(h->why, sizeof h->why, "%s returned 0x%x (%s)", what, (unsigned)r, hv_return_name(r));
    return -1;
}

static int hvf_open(struct hvf *h, const char *backend)
{
    setenv("OPENHV_BACKEND", backend, 1);
    hv_return_t r = hv_vm_create(HV_VM_DEFAULT);
    if (r != HV_SUCCESS)
        return hvf_fail(h, "hv_vm_create", r);
    h->vm_created = 1;
    snprintf(h->backend, sizeof h->backend, "%s", openhv_backend_name());
    h->ram = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (h->ram == MAP_FAILED) {
        h->ram = NULL;
        return hvf_fail(h, "mmap", HV_NO_RESOURCES);
    }
    if (load_guests(h->ram, h->why, sizeof h->why) != 0)
        return -1;
    const hv_memory_flags_t rwx = HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC;
    const uint64_t above = BENCH_MMIO_GPA + 0x1000;
    r = hv_vm_map(h->ram, 0, BENCH_MMIO_GPA, rwx);
    if (r == HV_SUCCESS)
        r = hv_vm_map(h->ram + above, above, GUEST_MEM - above, rwx);
    if (r != HV_SUCCESS)
        return hvf_fail(h, "hv_vm_map", r);
    r = hv_vcpu_create(&h->vcpu, HV_VCPU_DEFAULT);
    if (r != HV_SUCCESS)
        return hvf_fail(h, "hv_vcpu_create", r);
    h->vcpu_created = 1;
    struct guest_layout layout = {
        .entry = guest_entry(EXIT_IO), .stack = STACK, .scratch = SCRATCH, .scratch_hva = h->ram + SCRATCH,
    };
    r = guest_mode_setup(h->vcpu, GUEST_REAL, &layout);
    if (r != HV_SUCCESS)
        return hvf_fail(h, "guest_mode_setup(real)", r);
    h->long_mode = false;
    h->watchdog.vcpu = h->vcpu;
    if (pthread_create(&h->watchdog.thread, NULL, watchdog_main, &h->watchdog) != 0)
        return hvf_fail(h, "pthread_create(watchdog)", HV_NO_RESOURCES);
    h->watchdog.started = 1;
    return 0;
}

static void hvf_close(struct hvf *h)
{
    if (h->watchdog.started) {
        atomic_store(&h->watchdog.stop, 1);
        pthread_join(h->watchdog.thread, NULL);
    }
    if (h->vcpu_created)
        hv_vcpu_destroy(h->vcpu);
    if (h->vm_created) {
        hv_vm_unmap(0, BENCH_MMIO_GPA);
        hv_vm_unmap(BENCH_MMIO_GPA + 0x1000, GUEST_MEM - BENCH_MMIO_GPA - 0x1000);
        hv_vm_destroy();
    }
    if (h->ram != NULL)
        munmap(h->ram, GUEST_MEM);
}

static int hvf_expect(struct hvf *h, int ok, const char *what, uint64_t value)
{
    if (!ok)
        snprintf(h->why, sizeof h->why, "%s: unexpected 0x%llx", what, (unsigned long long)value);
    return ok ? 0 : -1;
}

/* One exit of `kind` handled the way a Hypervisor.framework client does. */
static int hvf_one_exit(struct hvf *h, enum exit_kind kind)
{
    hv_vcpuid_t v = h->vcpu;
    hv_return_t r;
    uint64_t reason = 0, value = 0, len = 0, rip = 0;
    /* Relaxed: the watchdog looks once a second, and the raw loop it is
     * compared with pays for no fences. */
    atomic_store_explicit(&h->watchdog.armed, 1, memory_order_relaxed);
    do {
        r = hv_vcpu_run(v);
        if (r != HV_SUCCESS) {
            atomic_store_explicit(&h->watchdog.armed, 0, memory_order_relaxed);
            return hvf_fail(h, "hv_vcpu_run", r);
        }
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason);
        if (reason == VMX_REASON_IRQ && atomic_load(&h->watchdog.stalled)) {
            atomic_store_explicit(&h->watchdog.armed, 0, memory_order_relaxed);
            snprintf(h->why, sizeof h->why, "no %s reached the client within %d s",
                     exit_names[kind], STALL_SECONDS);
            return -1;
        }
    } while (reason == VMX_REASON_IRQ);   /* a host interrupt: simply re-enter */
    atomic_store_explicit(&h->watchdog.armed, 0, memory_order_relaxed);
    /* One writer: a plain increment, published without a locked add. */
    unsigned long exits = atomic_load_explicit(&h->watchdog.exits, memory_order_relaxed);
    atomic_store_explicit(&h->watchdog.exits, exits + 1, memory_order_relaxed);

    if (access_of(kind) == ACCESS_IO) {
        if (hvf_expect(h, reason == VMX_REASON_IO, "exit reason", reason) != 0)
            return -1;
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_QUALIFIC, &value);
        if (hvf_expect(h, (value >> 16) == BENCH_IO_PORT, "I/O qualification", value) != 0)
            return -1;
    } else if (access_of(kind) == ACCESS_MMIO) {
        /* The device answers the byte load into AL. */
        if (hvf_expect(h, reason == VMX_REASON_EPT_VIOLATION, "exit reason", reason) != 0)
            return -1;
        hv_vmx_vcpu_read_vmcs(v, VMCS_GUEST_PHYSICAL_ADDRESS, &value);
        if (hvf_expect(h, value == BENCH_MMIO_GPA, "EPT-violation GPA", value) != 0)
            return -1;
        hv_vcpu_read_register(v, HV_X86_RAX, &value);
        hv_vcpu_write_register(v, HV_X86_RAX, (value & ~0xffull) | MMIO_ANSWER);
    } else {
        if (hvf_expect(h, reason == VMX_REASON_RDMSR, "exit reason", reason) != 0)
            return -1;
        hv_vcpu_read_register(v, HV_X86_RCX, &value);
        if (hvf_expect(h, value == BENCH_UNKNOWN_MSR, "RCX at RDMSR", value) != 0)
            return -1;
        hv_vcpu_write_register(v, HV_X86_RAX, MSR_ANSWER & 0xffffffffu);
        hv_vcpu_write_register(v, HV_X86_RDX, MSR_ANSWER >> 32);
    }
    hv_vmx_vcpu_read_vmcs(v, VMCS_RO_VMEXIT_INSTR_LEN, &len);
    hv_vcpu_read_register(v, HV_X86_RIP, &rip);
    r = hv_vcpu_write_register(v, HV_X86_RIP, rip + len);
    return r == HV_SUCCESS ? 0 : hvf_fail(h, "hv_vcpu_write_register(RIP)", r);
}

static double hvf_measure(struct hvf *h, enum exit_kind kind, long exits)
{
    hv_return_t r;
    if (h->long_mode != is_64bit(kind)) {
        struct guest_layout layout = {
            .entry = guest_entry(kind), .stack = STACK, .scratch = SCRATCH, .scratch_hva = h->ram + SCRATCH,
        };
        r = guest_mode_setup(h->vcpu, is_64bit(kind) ? GUEST_LONG64 : GUEST_REAL, &layout);
        if (r != HV_SUCCESS)
            return hvf_fail(h, "guest_mode_setup", r);
        h->long_mode = is_64bit(kind);
    }
    r = hv_vcpu_write_register(h->vcpu, HV_X86_RIP, guest_entry(kind));
    if (r != HV_SUCCESS)
        return hvf_fail(h, "hv_vcpu_write_register(RIP)", r);
    /* The first exit of an MSR guest follows its MOV to ECX: warm up
     * outside the clock so every guest is in its loop. */
    if (hvf_one_exit(h, kind) != 0)
        return -1;
    double t0 = now();
    for (long i = 0; i < exits; i++)
        if (hvf_one_exit(h, kind) != 0)
            return -1;
    return (now() - t0) / (double)exits;
}

/* ------------------------------------------------ state accessors */

enum accessor { ACC_REGISTER, ACC_MSR, ACC_VMCS, ACCESSORS };
static const char *const accessor_names[ACCESSORS] = {
    "hv_vcpu_read_register(RAX)", "hv_vcpu_read_msr(IA32_STAR)", "hv_vmx_vcpu_read_vmcs(GUEST_RIP)",
};

static hv_return_t call_accessor(hv_vcpuid_t v, enum accessor a, uint64_t *out)
{
    switch (a) {
    case ACC_REGISTER: return hv_vcpu_read_register(v, HV_X86_RAX, out);
    case ACC_MSR: return hv_vcpu_read_msr(v, HV_MSR_IA32_STAR, out);
    case ACC_VMCS: return hv_vmx_vcpu_read_vmcs(v, VMCS_GUEST_RIP, out);
    case ACCESSORS: break;
    }
    return HV_BAD_ARGUMENT;
}

/* Back-to-back calls (state already in hand) and the first call after an
 * exit (where a backend that syncs lazily pays for fetching it), in ns. */
static int measure_accessor(struct hvf *h, enum accessor a, double *warm_ns, double *first_ns)
{
    uint64_t value;
    hv_return_t r = call_accessor(h->vcpu, a, &value);
    if (r != HV_SUCCESS)
        return hvf_fail(h, accessor_names[a], r);
    double t0 = now();
    for (int i = 0; i < ACCESSOR_CALLS; i++)
        call_accessor(h->vcpu, a, &value);
    *warm_ns = (now() - t0) / ACCESSOR_CALLS * 1e9;

    static double samples[FIRST_CALL_SAMPLES], clock_cost[FIRST_CALL_SAMPLES];
    enum exit_kind io = h->long_mode ? EXIT_IO64 : EXIT_IO;     /* whichever mode the vCPU is in */
    hv_vcpu_write_register(h->vcpu, HV_X86_RIP, guest_entry(io));
    for (int i = 0; i < FIRST_CALL_SAMPLES; i++) {
        if (hvf_one_exit(h, io) != 0)
            return -1;
        double t1 = now();
        call_accessor(h->vcpu, a, &value);
        double t2 = now();
        double t3 = now();
        samples[i] = t2 - t1;
        clock_cost[i] = t3 - t2;
    }
    *first_ns = (median(samples, FIRST_CALL_SAMPLES) - median(clock_cost, FIRST_CALL_SAMPLES)) * 1e9;
    return 0;
}

/* ------------------------------------------------------------------ main */

/* Which machine the numbers belong to: kernel release and CPU model. */
static void print_host(void)
{
    struct utsname u;
    char model[160] = "unknown CPU", line[256];
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            snprintf(model, sizeof model, "%s", colon + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (f != NULL)
        fclose(f);
    printf("host: Linux %s, %s\n", uname(&u) == 0 ? u.release : "?", model);
}

/* Exits per measurement: enough for MIN_MEASURE_SECONDS of raw I/O exits
 * (or of OpenHV ones when raw KVM is unavailable). */
static long calibrate(struct raw *raw, int raw_ok, struct hvf *h, int hvf_ok)
{
    for (long exits = 256;; exits *= 2) {
        double per_exit = raw_ok ? raw_measure(raw, EXIT_IO, exits)
                        : hvf_ok ? hvf_measure(h, EXIT_IO, exits) : -1;
        if (per_exit < 0)
            return -1;
        if (per_exit * (double)exits >= MIN_MEASURE_SECONDS || exits >= (1L << 22))
            return exits;
    }
}

int main(int argc, char **argv)
{
    const char *backend = argc > 1 ? argv[1] : "kvm";
    bool judge = !(argc > 2 && strcmp(argv[2], "--no-target") == 0);
    setvbuf(stdout, NULL, _IOLBF, 0);

    static struct raw raw;
    static struct hvf hvf;
    int raw_ok = raw_open(&raw) == 0;
    int hvf_ok = hvf_open(&hvf, backend) == 0;
    if (hvf_ok)
        hv_vcpu_enable_native_msr(hvf.vcpu, HV_MSR_IA32_STAR, true);

    printf("kvm_exit: raw KVM ioctls vs OpenHV hv_vcpu_run (OPENHV_BACKEND=%s), real-mode and 64-bit guests\n",
           backend);
    print_host();
    if (!raw_ok)
        printf("raw KVM: unavailable: %s\n", raw.why);
    if (hvf_ok)
        printf("OpenHV backend: %s\n", hvf.backend);
    else
        printf("OpenHV: unavailable: %s\n", hvf.why);

    long exits = raw_ok || hvf_ok ? calibrate(&raw, raw_ok, &hvf, hvf_ok) : 0;
    if (exits < 0) {
        printf("calibration failed: %s\n", raw_ok ? raw.why : hvf.why);
        raw_ok = hvf_ok = 0;
    }

    /* Interleaved rounds: raw and OpenHV alternate for each kind of exit,
     * and which of them goes first alternates from round to round, so that
     * neither always inherits the other's cache and branch state. */
    double raw_s[EXIT_KINDS][ROUNDS], hvf_s[EXIT_KINDS][ROUNDS], ratio[EXIT_KINDS][ROUNDS];
    for (int round = 0; round < ROUNDS && (raw_ok || hvf_ok); round++) {
        for (int k = 0; k < EXIT_KINDS; k++) {
            for (int half = 0; half < 2; half++) {
                if ((half == round % 2) && raw_ok &&
                    (raw_s[k][round] = raw_measure(&raw, (enum exit_kind)k, exits)) < 0) {
                    printf("raw KVM: failed: %s\n", raw.why);
                    raw_ok = 0;
                }
                if ((half != round % 2) && hvf_ok &&
                    (hvf_s[k][round] = hvf_measure(&hvf, (enum exit_kind)k, exits)) < 0) {
                    printf("OpenHV: failed: %s\n", hvf.why);
                    hvf_ok = 0;
                }
            }
            if (raw_ok && hvf_ok)
                ratio[k][round] = hvf_s[k][round] / raw_s[k][round];
        }
    }

    if (raw_ok || hvf_ok) {
        printf("%d interleaved rounds of %ld exits each; ns: medians; ratio: median of the rounds' ratios [range]\n",
               ROUNDS, exits);
        printf("%-32s %14s %17s %11s %14s\n", "exit", "raw ns/exit", "OpenHV ns/exit", "OpenHV/raw",
               "[round range]");
    }
    int met = 1;
    for (int k = 0; k < EXIT_KINDS && (raw_ok || hvf_ok); k++) {
        double raw_ns = raw_ok ? median(raw_s[k], ROUNDS) * 1e9 : 0;
        double hvf_ns = hvf_ok ? median(hvf_s[k], ROUNDS) * 1e9 : 0;
        char raw_col[32] = "n/a", hvf_col[32] = "n/a", ratio_col[32] = "n/a", range_col[40] = "";
        if (raw_ok)
            snprintf(raw_col, sizeof raw_col, "%.0f", raw_ns);
        if (hvf_ok)
            snprintf(hvf_col, sizeof hvf_col, "%.0f", hvf_ns);
        if (raw_ok && hvf_ok) {
            double r = median(ratio[k], ROUNDS);    /* sorts ratio[k] */
            snprintf(ratio_col, sizeof ratio_col, "%.2f", r);
            snprintf(range_col, sizeof range_col, "[%.2f-%.2f]", ratio[k][0], ratio[k][ROUNDS - 1]);
            met &= r <= TARGET_RATIO;
        }
        printf("%-32s %14s %17s %11s %14s\n", exit_names[k], raw_col, hvf_col, ratio_col, range_col);
    }
    if (raw_ok)
        printf("%-32s %14.0f   (one vCPU state ioctl, for scale)\n", "raw KVM_GET_REGS", raw_ioctl_ns(&raw));
    if (raw_ok && hvf_ok && strcmp(backend, "emu") != 0) {
        if (judge)
            printf("target OpenHV/raw <= %.2f: %s\n", TARGET_RATIO, met ? "met" : "NOT met");
        else
            printf("target OpenHV/raw <= %.2f: not judged on this host (--no-target)\n", TARGET_RATIO);
    }

    if (hvf_ok) {
        printf("%-36s %16s %28s\n", "accessor", "ns/call (warm)", "ns/call (first after exit)");
        for (int a = 0; a < ACCESSORS; a++) {
            double warm = 0, first = 0;
            if (measure_accessor(&hvf, (enum accessor)a, &warm, &first) != 0) {
                printf("%-36s unavailable: %s\n", accessor_names[a], hvf.why);
                continue;
            }
            printf("%-36s %16.1f %28.1f\n", accessor_names[a], warm, first);
        }
    }
    hvf_close(&hvf);
    raw_close(&raw);
    return 0;
}
