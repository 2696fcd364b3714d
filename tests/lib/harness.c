/*
 * The conformance-test harness (see harness.h for the protocol).
 */
#include "harness.h"
#include "../../tools/common/hv_names.h"

#include <Hypervisor/openhv.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#ifndef GUEST_DIR
#define GUEST_DIR "build/guests"
#endif

enum { CASE_RUNNING, CASE_FAILED, CASE_SKIPPED };

/* State of the case being run.  Threads of a case report through it. */

hv_vm_options_t h_vm_flags = HV_VM_DEFAULT;

static struct {
    const char *name;
    pthread_mutex_t lock;
    int status;
    bool printed;
} t_cur = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Only the main thread may abandon a case; helper threads have no jump. */
static _Thread_local jmp_buf *t_jump;

struct guest_sym { char name[64]; uint64_t addr; };
static struct { struct guest_sym *syms; size_t count; } t_syms;

/* Only the first report of a case is its FAIL/SKIP line; later failures of
 * the same case are printed as context and not counted again. */
static void t_report(const char *kind, const char *msg)
{
    pthread_mutex_lock(&t_cur.lock);
    if (!t_cur.printed) {
        printf("%s %s: %s\n", kind, t_cur.name, msg);
        t_cur.printed = true;
    } else {
        printf("  also: %s\n", msg);
    }
    fflush(stdout);
    pthread_mutex_unlock(&t_cur.lock);
}

void t_fail(bool fatal, const char *file, int line, const char *fmt, ...)
{
    char what[400], msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof msg, "%s:%d: %s", file, line, what);
    pthread_mutex_lock(&t_cur.lock);
    t_cur.status = CASE_FAILED;
    pthread_mutex_unlock(&t_cur.lock);
    t_report("FAIL", msg);
    if (fatal && t_jump)
        longjmp(*t_jump, 1);
}

void t_skip(const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&t_cur.lock);
    if (t_cur.status == CASE_RUNNING)
        t_cur.status = CASE_SKIPPED;
    pthread_mutex_unlock(&t_cur.lock);
    t_report("SKIP", msg);
    if (!t_jump) {
        fprintf(stderr, "T_SKIP outside the main thread of a case\n");
        abort();
    }
    longjmp(*t_jump, 1);
}

bool t_failed(void)
{
    pthread_mutex_lock(&t_cur.lock);
    bool failed = t_cur.status == CASE_FAILED;
    pthread_mutex_unlock(&t_cur.lock);
    return failed;
}

uint64_t h_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- guest blobs ---- */

static const char *guest_dir(void)
{
    const char *dir = getenv("OPENHV_GUEST_DIR");
    return dir && *dir ? dir : GUEST_DIR;
}

static void load_symbols(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.sym", guest_dir(), name);
    FILE *f = fopen(path, "r");
    if (!f)
        t_fail(true, __FILE__, __LINE__, "cannot open %s: %s", path, strerror(errno));
    free(t_syms.syms);
    t_syms.syms = NULL;
    t_syms.count = 0;
    size_t cap = 0;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        uint64_t addr;
        char type, sym[64];
        if (sscanf(line, "%" SCNx64 " %c %63s", &addr, &type, sym) != 3)
            continue;
        if (t_syms.count == cap) {
            cap = cap ? cap * 2 : 64;
            struct guest_sym *grown = realloc(t_syms.syms, cap * sizeof *grown);
            if (!grown) {
                fclose(f);
                t_fail(true, __FILE__, __LINE__, "out of memory");
            }
            t_syms.syms = grown;
        }
        snprintf(t_syms.syms[t_syms.count].name, sizeof t_syms.syms[0].name, "%s", sym);
        t_syms.syms[t_syms.count].addr = addr;
        t_syms.count++;
    }
    fclose(f);
}

uint64_t h_sym(struct h_vm *vm, const char *symbol)
{
    for (size_t i = 0; i < t_syms.count; i++)
        if (strcmp(t_syms.syms[i].name, symbol) == 0)
            return t_syms.syms[i].addr;
    t_fail(true, __FILE__, __LINE__, "guest %s has no symbol %s", vm->guest ? vm->guest : "?", symbol);
    return 0;
}

void h_load_guest(struct h_vm *vm, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.bin", guest_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f)
        t_fail(true, __FILE__, __LINE__, "cannot open %s: %s", path, strerror(errno));
    size_t room = GUEST_CODE_END - GUEST_LOAD;
    size_t n = fread(vm->ram + GUEST_LOAD, 1, room, f);
    bool too_big = n == room && fgetc(f) != EOF;
    fclose(f);
    if (n == 0 || too_big)
        t_fail(true, __FILE__, __LINE__, "%s: size must be 1..%zu bytes", path, room);
    vm->guest = name;
    load_symbols(name);
}

void h_setup_mode(struct h_vm *vm, enum guest_mode mode, const char *entry)
{
    struct guest_layout layout = {
        .entry = h_sym(vm, entry),
        .stack = GUEST_STACK_TOP,
        .scratch = GUEST_SCRATCH,
        .scratch_hva = vm->ram + GUEST_SCRATCH,
    };
    vm->mode = mode;
    hv_return_t r = guest_mode_setup(vm->vcpu, mode, &layout);
    if (r != HV_SUCCESS)
        t_fail(true, __FILE__, __LINE__, "guest_mode_setup(%s) returned 0x%x", guest_mode_name(mode), (unsigned)r);
}

void h_goto(struct h_vm *vm, const char *symbol)
{
    h_set_reg(vm, HV_X86_RIP, h_sym(vm, symbol));
}

/* ---- registers, VMCS, memory ---- */

uint64_t h_reg(struct h_vm *vm, hv_x86_reg_t reg)
{
    uint64_t v = 0;
    hv_return_t r = hv_vcpu_read_register(vm->vcpu, reg, &v);
    if (r != HV_SUCCESS)
        t_fail(true, __FILE__, __LINE__, "hv_vcpu_read_register(%d) returned 0x%x", (int)reg, (unsigned)r);
    return v;
}

void h_set_reg(struct h_vm *vm, hv_x86_reg_t reg, uint64_t value)
{
    hv_return_t r = hv_vcpu_write_register(vm->vcpu, reg, value);
    if (r != HV_SUCCESS)
        t_fail(true, __FILE__, __LINE__, "hv_vcpu_write_register(%d) returned 0x%x", (int)reg, (unsigned)r);
}

uint64_t h_vmcs(struct h_vm *vm, uint32_t field)
{
    uint64_t v = 0;
    hv_return_t r = hv_vmx_vcpu_read_vmcs(vm->vcpu, field, &v);
    if (r != HV_SUCCESS)
        t_fail(true, __FILE__, __LINE__, "hv_vmx_vcpu_read_vmcs(0x%x) returned 0x%x", field, (unsigned)r);
    return v;
}

void h_set_vmcs(struct h_vm *vm, uint32_t field, uint64_t value)
{
    hv_return_t r = hv_vmx_vcpu_write_vmcs(vm->vcpu, field, value);
    if (r != HV_SUCCESS)
        t_fail(true, __FILE__, __LINE__, "hv_vmx_vcpu_write_vmcs(0x%x, 0x%llx) returned 0x%x",
               field, (unsigned long long)value, (unsigned)r);
}

bool h_enable_ctrl(struct h_vm *vm, uint32_t field, hv_vmx_capability_t cap, uint64_t bits)
{
    uint64_t c = 0;
    if (hv_vmx_read_capability(cap, &c) != HV_SUCCESS)
        return false;
    if (bits & ~(c >> 32))
        return false;
    h_set_vmcs(vm, field, h_vmcs(vm, field) | bits);
    return true;
}

void *h_mem(struct h_vm *vm, uint64_t gpa, size_t len)
{
    if (gpa >= GUEST_RAM_SIZE || len > GUEST_RAM_SIZE - gpa)
        t_fail(true, __FILE__, __LINE__, "GPA 0x%llx+0x%zx is outside guest RAM", (unsigned long long)gpa, len);
    return vm->ram + gpa;
}

/* ---- running ---- */

static void read_exit(struct h_vm *vm)
{
    struct h_exit *e = &vm->exit;
    e->raw_reason = h_vmcs(vm, VMCS_RO_EXIT_REASON);
    e->reason = e->raw_reason & 0xffff;
    e->qual = h_vmcs(vm, VMCS_RO_EXIT_QUALIFIC);
    e->instr_len = h_vmcs(vm, VMCS_RO_VMEXIT_INSTR_LEN);
    e->gpa = h_vmcs(vm, VMCS_GUEST_PHYSICAL_ADDRESS);
    e->gla = h_vmcs(vm, VMCS_RO_GUEST_LIN_ADDR);
    e->intr_info = h_vmcs(vm, VMCS_RO_VMEXIT_IRQ_INFO);
    e->intr_error = h_vmcs(vm, VMCS_RO_VMEXIT_IRQ_ERROR);
    e->idt_info = h_vmcs(vm, VMCS_RO_IDT_VECTOR_INFO);
    e->idt_error = h_vmcs(vm, VMCS_RO_IDT_VECTOR_ERROR);
    e->rip = h_reg(vm, HV_X86_RIP);
    e->rflags = h_reg(vm, HV_X86_RFLAGS);
}

bool h_on_kvm(void)
{
    return strncmp(openhv_backend_name(), "kvm", 3) == 0;
}

/* KVM serves CR masks and the TPR shadow itself unless OPENHV_KVM_EXACT
 * is set, which openhv_backend_name() reports. */
static bool kvm_exact(void)
{
    return strstr(openhv_backend_name(), "OPENHV_KVM_EXACT=1") != NULL;
}

/*
 * Exits KVM never gives userspace, whatever the configuration: CPUID,
 * VMCALL and XSETBV are handled inside KVM, and so are MOV CR8 (no in-kernel
 * APIC: KVM keeps CR8 itself) once the CR0/CR4 masks cover only the VMX
 * fixed bits, as then no other MOV CR exit is possible.  Unless the VM is
 * exact, KVM keeps CR0 and CR4 too, whatever the masks, as long as the
 * masked bits are the guest's view (the rule of src/kvm/kvm_run.c) and
 * CR3 exiting is off.  docs/compat.md.
 */
static const char *kvm_never_exits(struct h_vm *vm, uint64_t reason)
{
    if (!h_on_kvm())
        return NULL;
    switch (reason) {
    case VMX_REASON_CPUID: return "CPUID";
    case VMX_REASON_VMCALL: return "VMCALL";
    case VMX_REASON_XSETBV: return "XSETBV";
    case VMX_REASON_MOV_CR: {
        const uint64_t cr0_kept = 0x60000030, cr4_vmxe = 0x2000;    /* CD, NW, NE, ET; VMXE */
        uint64_t cr0_mask = h_vmcs(vm, VMCS_CTRL_CR0_MASK), cr4_mask = h_vmcs(vm, VMCS_CTRL_CR4_MASK);
        uint64_t cpu = h_vmcs(vm, VMCS_CTRL_CPU_BASED);
        if (cpu & (CPU_BASED_CR3_LOAD | CPU_BASED_CR3_STORE))
            return NULL;
        if ((cr0_mask & ~(uint64_t)0x20) == 0 && (cr4_mask & ~cr4_vmxe) == 0)
            return "MOV CR8";
        bool guest_view = ((h_vmcs(vm, VMCS_GUEST_CR0) ^ h_vmcs(vm, VMCS_CTRL_CR0_SHADOW)) & cr0_mask & ~cr0_kept) == 0 &&
                          ((h_vmcs(vm, VMCS_GUEST_CR4) ^ h_vmcs(vm, VMCS_CTRL_CR4_SHADOW)) & cr4_mask & ~cr4_vmxe) == 0;
        if (!kvm_exact() && guest_view)
            return "MOV CR0/CR4";
        return NULL;
    }
    default: return NULL;
    }
}

const struct h_exit *h_run_raw(struct h_vm *vm, bool keep_irq)
{
    for (int spins = 0; spins < 100000; spins++) {
        hv_return_t r = hv_vcpu_run_until(vm->vcpu, h_now_ns() + H_RUN_LIMIT_NS);
        if (r == HV_UNSUPPORTED && h_on_kvm())
            T_SKIP("kvm cannot honour this configuration without the emulator (docs/compat.md)");
        if (r != HV_SUCCESS)
            t_fail(true, __FILE__, __LINE__, "hv_vcpu_run_until returned 0x%x", (unsigned)r);
        read_exit(vm);
        if (vm->exit.reason == VMX_REASON_VMX_TIMER_EXPIRED)
            t_fail(true, __FILE__, __LINE__, "guest made no exit within %llu s (RIP 0x%llx)",
                   H_RUN_LIMIT_NS / 1000000000ull, (unsigned long long)vm->exit.rip);
        if (vm->exit.reason != VMX_REASON_IRQ || keep_irq)
            return &vm->exit;
    }
    t_fail(true, __FILE__, __LINE__, "endless VMX_REASON_IRQ exits");
    return &vm->exit;
}

const struct h_exit *h_run(struct h_vm *vm)
{
    return h_run_raw(vm, false);
}

const struct h_exit *h_run_expect_at(struct h_vm *vm, uint64_t reason, const char *file, int line)
{
    const char *never = kvm_never_exits(vm, reason);
    if (never != NULL)
        T_SKIP("KVM handles %s itself: no exit on kvm (docs/compat.md)", never);
    const struct h_exit *e = h_run(vm);
    if (e->reason != reason) {
        char extra[128] = "";
        if (e->reason == VMX_REASON_IO)
            snprintf(extra, sizeof extra, " (port 0x%llx, RAX 0x%llx)",
                     (unsigned long long)IOQ_PORT(e->qual), (unsigned long long)h_reg(vm, HV_X86_RAX));
        else if (e->reason == VMX_REASON_EXC_NMI)
            snprintf(extra, sizeof extra, " (interruption info 0x%llx)", (unsigned long long)e->intr_info);
        t_fail(true, file, line, "exit reason %llu at RIP 0x%llx, qualification 0x%llx%s; expected reason %llu",
               (unsigned long long)e->reason, (unsigned long long)e->rip,
               (unsigned long long)e->qual, extra, (unsigned long long)reason);
    }
    return e;
}

void *h_kick_later(void *arg)
{
    struct h_kicker *k = arg;
    struct timespec ts = { (time_t)(k->delay_ms / 1000), (long)(k->delay_ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    k->result = hv_vcpu_interrupt(&k->vcpu, 1);
    return NULL;
}

void h_skip_instr(struct h_vm *vm)
{
    h_set_reg(vm, HV_X86_RIP, h_reg(vm, HV_X86_RIP) + vm->exit.instr_len);
}

static uint64_t size_mask(uint64_t qual)
{
    unsigned bytes = IOQ_SIZE(qual);
    return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

void h_expect_report_at(struct h_vm *vm, uint64_t value, const char *file, int line)
{
    const struct h_exit *e = h_run_expect_at(vm, VMX_REASON_IO, file, line);
    if (IOQ_PORT(e->qual) != PORT_REPORT || (e->qual & (IOQ_IN | IOQ_STRING)))
        t_fail(true, file, line, "I/O exit qualification 0x%llx at RIP 0x%llx; expected OUT to port 0x%x",
               (unsigned long long)e->qual, (unsigned long long)e->rip, PORT_REPORT);
    uint64_t mask = size_mask(e->qual);
    uint64_t got = h_reg(vm, HV_X86_RAX) & mask;
    if (got != (value & mask))
        t_fail(true, file, line, "guest reported 0x%llx at RIP 0x%llx, expected 0x%llx",
               (unsigned long long)got, (unsigned long long)e->rip, (unsigned long long)(value & mask));
    h_skip_instr(vm);
}

void h_expect_done_at(struct h_vm *vm, const char *file, int line)
{
    const struct h_exit *e = h_run_expect_at(vm, VMX_REASON_IO, file, line);
    if (IOQ_PORT(e->qual) != PORT_DONE)
        t_fail(true, file, line, "OUT to port 0x%llx (RAX 0x%llx) at RIP 0x%llx; expected port 0x%x (done)",
               (unsigned long long)IOQ_PORT(e->qual), (unsigned long long)h_reg(vm, HV_X86_RAX),
               (unsigned long long)e->rip, PORT_DONE);
}

void h_complete_in(struct h_vm *vm, uint64_t value)
{
    uint64_t mask = size_mask(vm->exit.qual);
    uint64_t rax = h_reg(vm, HV_X86_RAX);
    /* A 32-bit IN zero-extends into RAX, as a 32-bit register write does. */
    if (IOQ_SIZE(vm->exit.qual) == 4)
        rax = value & mask;
    else
        rax = (rax & ~mask) | (value & mask);
    h_set_reg(vm, HV_X86_RAX, rax);
    h_skip_instr(vm);
}

/* ---- case lifecycle ---- */

/* Returns false when the VM cannot be torn down: later cases could not run. */
static bool run_one(const struct t_case *c, const char **unavailable)
{
    /* Static, not automatic: these change between setjmp and longjmp. */
    static struct h_vm vm;
    static bool vm_created, mapped, vcpu_created;
    static jmp_buf jump;
    memset(&vm, 0, sizeof vm);
    vm.vcpu = ~0u;
    vm_created = mapped = vcpu_created = false;

    pthread_mutex_lock(&t_cur.lock);
    t_cur.name = c->name;
    t_cur.status = CASE_RUNNING;
    t_cur.printed = false;
    pthread_mutex_unlock(&t_cur.lock);

    if (*unavailable) {
        printf("SKIP %s: %s\n", c->name, *unavailable);
        return true;
    }
    /* Names the case in the runner's report if the process dies in it. */
    printf("RUN %s\n", c->name);

    t_jump = &jump;
    if (setjmp(jump) == 0) {
        hv_return_t r = hv_vm_create(h_vm_flags);
        if (r != HV_SUCCESS) {
            const char *backend = getenv("OPENHV_BACKEND");
            if (backend && strncmp(backend, "kvm", 3) == 0 &&
                (r == HV_NO_DEVICE || r == HV_UNSUPPORTED)) {
                static char why[160];
                snprintf(why, sizeof why, "kvm backend unavailable%s: hv_vm_create returned %s (0x%x)",
                         h_vm_flags & HV_VM_ACCEL_APIC ? " for HV_VM_ACCEL_APIC" : "",
                         hv_return_name(r), (unsigned)r);
                *unavailable = why;
                T_SKIP("%s", why);
            }
            t_fail(true, __FILE__, __LINE__, "hv_vm_create returned %s (0x%x)", hv_return_name(r), (unsigned)r);
        }
        vm_created = true;
        vm.ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (vm.ram == MAP_FAILED) {
            vm.ram = NULL;
            t_fail(true, __FILE__, __LINE__, "mmap of guest RAM failed");
        }
        T_HV(hv_vm_map(vm.ram, 0, GUEST_RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC));
        mapped = true;
        T_HV(hv_vcpu_create(&vm.vcpu, HV_VCPU_DEFAULT));
        vcpu_created = true;
        if (c->guest) {
            h_load_guest(&vm, c->guest);
            if (c->entry)
                h_setup_mode(&vm, c->mode, c->entry);
        }
        c->fn(&vm);
    }
    t_jump = NULL;
    bool torn_down = true;

    /* Teardown in Apple's order: vCPU, memory, VM.  The case may have
     * unmapped parts of RAM itself, so unmap failures are not errors. */
    if (vcpu_created && hv_vcpu_destroy(vm.vcpu) != HV_SUCCESS) {
        t_fail(false, __FILE__, __LINE__, "hv_vcpu_destroy failed");
    }
    if (mapped)
        for (uint64_t gpa = 0; gpa < GUEST_RAM_SIZE; gpa += 0x100000)
            (void)hv_vm_unmap(gpa, 0x100000);
    if (vm_created && hv_vm_destroy() != HV_SUCCESS) {
        t_fail(false, __FILE__, __LINE__, "hv_vm_destroy failed; later cases cannot run");
        torn_down = false;
    }
    if (vm.ram)
        munmap(vm.ram, GUEST_RAM_SIZE);

    pthread_mutex_lock(&t_cur.lock);
    if (t_cur.status == CASE_RUNNING)
        printf("PASS %s\n", c->name);
    fflush(stdout);
    pthread_mutex_unlock(&t_cur.lock);
    return torn_down;
}

/* Exit codes of a case's child process: the result line is already printed. */
enum { CHILD_PASS = 0, CHILD_FAIL = 10, CHILD_SKIP = 11 };

static int child_status(bool torn_down)
{
    if (!torn_down)
        return CHILD_FAIL;       /* run_one printed why */
    pthread_mutex_lock(&t_cur.lock);
    int status = t_cur.status;
    pthread_mutex_unlock(&t_cur.lock);
    return status == CASE_FAILED ? CHILD_FAIL : status == CASE_SKIPPED ? CHILD_SKIP : CHILD_PASS;
}

/* Each case runs in its own process (one VM per process, as on macOS): a
 * crash or a sanitizer report fails that case only, and the rest still run.
 * T_NOFORK=1 runs the cases in-process, for debuggers. */
static int run_forked(const struct t_case *c)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        printf("FAIL %s: fork failed: %s\n", c->name, strerror(errno));
        return CHILD_FAIL;
    }
    if (pid == 0) {
        const char *unavailable = NULL;
        bool torn_down = run_one(c, &unavailable);
        int code = child_status(torn_down);
        free(t_syms.syms);
        fflush(stdout);
        exit(code);
    }
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(wstatus)) {
        int code = WEXITSTATUS(wstatus);
        if (code == CHILD_PASS || code == CHILD_FAIL || code == CHILD_SKIP)
            return code;
        printf("FAIL %s: exited with status %d before reporting (sanitizer or exit() in the library?)\n",
               c->name, code);
    } else if (WIFSIGNALED(wstatus)) {
        printf("FAIL %s: killed by signal %d (%s)\n", c->name, WTERMSIG(wstatus),
               strsignal(WTERMSIG(wstatus)));
    } else {
        printf("FAIL %s: child ended abnormally (status 0x%x)\n", c->name, (unsigned)wstatus);
    }
    fflush(stdout);
    return CHILD_FAIL;
}

int t_run_cases(const struct t_case *cases, size_t count)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *unavailable = NULL;
    const char *only = getenv("T_CASE");   /* run a single case when debugging */
    const char *nofork = getenv("T_NOFORK");
    bool forking = !(nofork && *nofork && strcmp(nofork, "0") != 0);
    int failures = 0;
    for (size_t i = 0; i < count; i++) {
        if (only && *only && strcmp(only, cases[i].name) != 0)
            continue;
        if (forking) {
            if (run_forked(&cases[i]) == CHILD_FAIL)
                failures++;
            continue;
        }
        bool ok = run_one(&cases[i], &unavailable);
        if (t_failed())
            failures++;
        if (!ok) {
            for (size_t j = i + 1; j < count; j++)
                printf("FAIL %s: not run: the VM of an earlier case could not be destroyed\n", cases[j].name);
            return 1;
        }
    }
    /* A program may run its cases twice (once per backend mode). */
    free(t_syms.syms);
    t_syms.syms = NULL;
    t_syms.count = 0;
    return failures ? 1 : 0;
}
