/*
 * The KVM backend: selection, the VM and its vCPUs, capability words.
 * The run loop is in kvm_run.c, state conversion in kvm_state.c, exits in
 * kvm_exit.c, memory slots in kvm_mem.c, the MSR filter in kvm_msr.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../core/caps.h"
#include "../core/regs.h"
#include "kvm_internal.h"
#include "kvm_native.h"

/* Capabilities the backend cannot work without. */
static const struct {
    long cap;
    int min;
    const char *name;
} required_caps[] = {
    { KVM_CAP_X86_USER_SPACE_MSR, 1, "KVM_CAP_X86_USER_SPACE_MSR" },
    { KVM_CAP_X86_MSR_FILTER, 1, "KVM_CAP_X86_MSR_FILTER" },
    { KVM_CAP_IMMEDIATE_EXIT, 1, "KVM_CAP_IMMEDIATE_EXIT" },
    { KVM_CAP_SYNC_REGS, KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS,
      "KVM_CAP_SYNC_REGS" },
    { KVM_CAP_XSAVE, 1, "KVM_CAP_XSAVE" },
    { KVM_CAP_XCRS, 1, "KVM_CAP_XCRS" },
};

static int open_kvm(const char **why)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd >= 0)
        return fd;
    if (errno == ENOENT)
        *why = "/dev/kvm: No such file or directory - load kvm_intel/kvm_amd or use "
               "OPENHV_BACKEND=emu";
    else if (errno == EACCES || errno == EPERM)
        *why = "/dev/kvm: Permission denied - add your user to group kvm or use "
               "OPENHV_BACKEND=emu";
    else
        *why = "/dev/kvm cannot be opened - use OPENHV_BACKEND=emu";
    return -1;
}

static bool kvm_usable(const char **why)
{
    const char *ignored;
    if (why == NULL)
        why = &ignored;
    int fd = open_kvm(why);
    if (fd < 0)
        return false;
    bool ok = true;
    if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        *why = "/dev/kvm has an unexpected KVM API version - use OPENHV_BACKEND=emu";
        ok = false;
    }
    for (size_t i = 0; ok && i < sizeof required_caps / sizeof required_caps[0]; i++) {
        int have = ioctl(fd, KVM_CHECK_EXTENSION, required_caps[i].cap);
        if (have < 0 || (have & required_caps[i].min) != required_caps[i].min) {
            static _Thread_local char msg[128];
            snprintf(msg, sizeof msg, "KVM lacks %s - use OPENHV_BACKEND=emu", required_caps[i].name);
            *why = msg;
            ok = false;
        }
    }
    close(fd);
    if (ok)
        *why = NULL;
    return ok;
}

/* OPENHV_BACKEND=kvm asks for KVM alone; auto and kvm+emu let the
 * emulator help. */
static bool fallback_wanted(void)
{
    const char *env = getenv("OPENHV_BACKEND");
    return env == NULL || strcmp(env, "kvm") != 0;
}

/* OPENHV_KVM_EXACT=1: every exit the client's controls ask for, as VMX
 * gives it, the emulator running what KVM cannot produce; otherwise KVM
 * serves configurations whose intent it meets (kvm_run.c). */
bool kvm_exact_wanted(void)
{
    const char *env = getenv("OPENHV_KVM_EXACT");
    return env != NULL && *env != '\0' && strcmp(env, "0") != 0;
}

static bool kvm_irqchip_ok(const char **why)
{
    int fd = open_kvm(why);
    if (fd < 0)
        return false;
    bool ok = kvm_irqchip_usable(fd, why);
    close(fd);
    return ok;
}

static bool kvm_auto_ok(const char **why)
{
    struct kvm_host_facts facts;
    kvm_host_facts_read("", &facts);
    return kvm_host_native(&facts, why);
}

uint64_t kvm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The hypervisor leaf a guest sees: ours, never KVM's (its paravirtual
 * interface would tell the guest, and the client, where it runs). */
#define HV_LEAF 0x40000000u
static const char hv_signature[12] = { 'O', 'p', 'e', 'n', 'H', 'V', 'O', 'p', 'e', 'n', 'H', 'V' };

/*
 * The guest's vendor is Intel on every host, as on the Macs the framework
 * runs on.  On an AMD host this is also what makes KVM keep all 64 bits of
 * SYSENTER_ESP/EIP (AMD's hardware holds 32; KVM keeps the high halves for
 * guests that claim Intel, for cross-vendor migration).
 */
static void set_intel_vendor(struct kvm_cpuid_entry2 *leaf0)
{
    static const char vendor[12] = { 'G', 'e', 'n', 'u', 'i', 'n', 'e', 'I', 'n', 't', 'e', 'l' };
    memcpy(&leaf0->ebx, vendor, 4);
    memcpy(&leaf0->edx, vendor + 4, 4);
    memcpy(&leaf0->ecx, vendor + 8, 4);
}

/* The host's CPUID as KVM supports it, with the hypervisor bit, and our
 * hypervisor leaf instead of KVM's 0x40000000-0x400000ff. */
static struct kvm_cpuid2 *guest_cpuid(int sys_fd)
{
    for (unsigned n = 128; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = calloc(1, sizeof *c + (n + 1) * sizeof c->entries[0]);
        if (c == NULL)
            return NULL;
        c->nent = n;
        if (ioctl(sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            unsigned kept = 0;
            for (unsigned i = 0; i < c->nent; i++) {
                struct kvm_cpuid_entry2 e = c->entries[i];
                if (e.function >= HV_LEAF && e.function <= HV_LEAF + 0xff)
                    continue;
                if (e.function == 1)
                    e.ecx |= 1u << 31;
                if (e.function == 0)
                    set_intel_vendor(&e);
                c->entries[kept++] = e;
            }
            struct kvm_cpuid_entry2 hv = { .function = HV_LEAF, .eax = HV_LEAF };
            memcpy(&hv.ebx, hv_signature, 4);
            memcpy(&hv.ecx, hv_signature + 4, 4);
            memcpy(&hv.edx, hv_signature + 8, 4);
            c->entries[kept++] = hv;
            c->nent = kept;
            return c;
        }
        free(c);
        if (errno != E2BIG)
            return NULL;
    }
    return NULL;
}

static void free_vm(struct kvm_vm *k)
{
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
        if (k->parked[i].fd < 0)
            continue;
        munmap(k->parked[i].run, (size_t)k->run_size);
        close(k->parked[i].fd);
    }
    if (k->vm_fd >= 0)
        close(k->vm_fd);
    if (k->sys_fd >= 0)
        close(k->sys_fd);
    free(k->cpuid);
    free(k->slots);
    free(k->fresh_lapic);
    pthread_mutex_destroy(&k->filter_lock);
    pthread_mutex_destroy(&k->gate_lock);
    pthread_cond_destroy(&k->gate_open);
    pthread_mutex_destroy(&k->registry_lock);
    free(k);
}

/* Whether the host kernel keeps time with the TSC: only then is its rate
 * steady and known (a software CPU, such as QEMU's TCG, lets it drift). */
static bool tsc_is_clocksource(void)
{
    char name[32] = "";
    FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
    if (f == NULL)
        return false;
    bool ok = fgets(name, sizeof name, f) != NULL && strcmp(name, "tsc\n") == 0;
    fclose(f);
    return ok;
}

/* openhv_backend_name() says so: "kvm (OPENHV_BACKEND=kvm; OPENHV_KVM_EXACT=1)". */
static void note_exact(struct hv_vm *vm)
{
    char *end = strrchr(vm->backend_reason, ')');
    if (end != NULL)
        snprintf(end, sizeof vm->backend_reason - (size_t)(end - vm->backend_reason),
                 "; OPENHV_KVM_EXACT=1)");
}

static hv_return_t kvm_vm_create(struct hv_vm *vm)
{
    const char *why = NULL;
    struct kvm_vm *k = calloc(1, sizeof *k);
    if (k == NULL)
        return HV_NO_RESOURCES;
    k->vm_fd = -1;
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
        k->parked[i].fd = -1;
    pthread_mutex_init(&k->filter_lock, NULL);
    pthread_mutex_init(&k->registry_lock, NULL);
    pthread_mutex_init(&k->gate_lock, NULL);
    pthread_cond_init(&k->gate_open, NULL);
    uint64_t word = 0;
    vmx_capability(NULL, HV_VMX_CAP_PROCBASED, &word);
    k->allowed0_cpu = cap_allowed0(word);
    vmx_capability(NULL, HV_VMX_CAP_PROCBASED2, &word);
    k->allowed0_cpu2 = cap_allowed0(word);
    k->tsc_is_clock = tsc_is_clocksource();
    k->sys_fd = open_kvm(&why);
    if (k->sys_fd < 0) {
        free_vm(k);
        return HV_NO_DEVICE;
    }
    k->vm_fd = ioctl(k->sys_fd, KVM_CREATE_VM, 0);
    k->run_size = ioctl(k->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    int slots = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
    k->slot_max = slots > 0 ? (unsigned)slots : 32;
    k->slots = calloc(k->slot_max, sizeof k->slots[0]);
    k->cpuid = guest_cpuid(k->sys_fd);
    struct kvm_enable_cap msr_exits = {
        .cap = KVM_CAP_X86_USER_SPACE_MSR,
        .args = { KVM_MSR_EXIT_REASON_INVAL | KVM_MSR_EXIT_REASON_UNKNOWN | KVM_MSR_EXIT_REASON_FILTER },
    };
    if (k->vm_fd < 0 || k->run_size <= 0 || k->slots == NULL || k->cpuid == NULL ||
        ioctl(k->vm_fd, KVM_ENABLE_CAP, &msr_exits) != 0) {
        free_vm(k);
        return HV_NO_RESOURCES;
    }
    k->fallback = fallback_wanted();
    k->exact = kvm_exact_wanted();
    if (k->exact)
        note_exact(vm);
    kvm_probe_quirks(k->sys_fd, &k->quirks);
    vm->backend_state = k;
    if (vm->irq != NULL) {
        hv_return_t ret = HV_NO_RESOURCES;
        k->fresh_lapic = calloc(HV_MAX_VCPUS, sizeof k->fresh_lapic[0]);
        if (k->fresh_lapic == NULL || (ret = kvm_irq_vm_create(vm)) != HV_SUCCESS) {
            vm->backend_state = NULL;
            free_vm(k);
            return ret;
        }
    }
    if (kvm_filter_install(vm) != HV_SUCCESS) {
        vm->backend_state = NULL;
        free_vm(k);
        return HV_NO_RESOURCES;
    }
    return HV_SUCCESS;
}

static void kvm_vm_destroy(struct hv_vm *vm)
{
    struct kvm_vm *k = kvm_vm_of(vm);
    if (k == NULL)
        return;
    free_vm(k);
    vm->backend_state = NULL;
}

static void destroy_kvm_vcpu(struct kvm_vcpu *kv, int run_size)
{
    if (kv->has_timer)
        timer_delete(kv->timer);
    if (kv->stats_fd >= 0)
        close(kv->stats_fd);
    if (kv->run != NULL && kv->run != MAP_FAILED)
        munmap(kv->run, (size_t)run_size);
    if (kv->fd >= 0)
        close(kv->fd);
    free(kv);
}

static void kvm_vcpu_destroy(struct hv_vcpu *v);

/* A leaf of the VM's CPUID as this vCPU has it: with HV_VM_ACCEL_APIC the
 * initial APIC ID (leaf 1 EBX 31:24, leaves 0xb and 0x1f EDX) is the
 * vCPU's, as KVM's APIC has it. */
static void vcpu_entry(const struct hv_vcpu *v, struct kvm_cpuid_entry2 *e)
{
    if (v->vm->irq == NULL)
        return;
    if (e->function == 1)
        e->ebx = (e->ebx & 0x00ffffffu) | ((uint32_t)v->id << 24);
    else if (e->function == 0xb || e->function == 0x1f)
        e->edx = v->id;
}

static int set_cpuid(struct kvm_vm *k, struct hv_vcpu *v, int fd)
{
    if (v->vm->irq == NULL)
        return ioctl(fd, KVM_SET_CPUID2, k->cpuid);
    size_t size = sizeof *k->cpuid + k->cpuid->nent * sizeof k->cpuid->entries[0];
    struct kvm_cpuid2 *c = malloc(size);
    if (c == NULL)
        return -1;
    memcpy(c, k->cpuid, size);
    for (unsigned i = 0; i < c->nent; i++)
        vcpu_entry(v, &c->entries[i]);
    int rc = ioctl(fd, KVM_SET_CPUID2, c);
    free(c);
    return rc;
}

/* The XSAVE area size for the components of `xcr0`, from the table's leaf
 * 0Dh subleaves (size in EAX, offset in EBX, ECX bit 1: 64-byte aligned
 * when compacted), as KVM recomputes leaf 0Dh's EBX when XCR0 changes. */
static uint32_t xsave_size(const struct kvm_cpuid2 *c, uint64_t xcr0, bool compacted)
{
    uint32_t size = 576;   /* legacy region and header */
    for (unsigned bit = 2; bit < 64; bit++) {
        if (!(xcr0 & (1ull << bit)))
            continue;
        for (unsigned i = 0; i < c->nent; i++) {
            const struct kvm_cpuid_entry2 *e = &c->entries[i];
            if (e->function != 0xd || e->index != bit)
                continue;
            if (!compacted) {
                if (e->ebx + e->eax > size)
                    size = e->ebx + e->eax;
            } else {
                if (e->ecx & 2)
                    size = (size + 63) & ~63u;
                size += e->eax;
            }
        }
    }
    return size;
}

/* What KVM answers the vCPU's CPUID with: the table set at creation, with
 * OSXSAVE following CR4 and leaf 0Dh's sizes following XCR0 as KVM updates
 * them.  A leaf the table lacks reads as zero. */
static hv_return_t kvm_vcpu_cpuid(struct hv_vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    const struct kvm_cpuid2 *c = kvm_vm_of(v->vm)->cpuid;
    memset(r, 0, 4 * sizeof r[0]);
    for (unsigned i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 e = c->entries[i];
        if (e.function != leaf || ((e.flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e.index != subleaf))
            continue;
        vcpu_entry(v, &e);
        if (leaf == 1) {
            uint64_t cr4 = 0;
            (void)reg_read(v, HV_X86_CR4, &cr4);
            e.ecx = (e.ecx & ~(1u << 27)) | ((e.ecx & (1u << 26)) && (cr4 & (1u << 18)) ? 1u << 27 : 0);
        } else if (leaf == 0xd && subleaf <= 1) {
            uint64_t xcr0 = 1;
            (void)reg_read(v, HV_X86_XCR0, &xcr0);
            /* Subleaf 1: the compacted size, where XSAVEC or XSAVES exists,
             * for XCR0 alone (KVM adds the guest's IA32_XSS, which the
             * framework's MSR calls do not reach). */
            if (subleaf == 0)
                e.ebx = xsave_size(c, xcr0, false);
            else if (e.eax & ((1u << 1) | (1u << 3)))
                e.ebx = xsave_size(c, xcr0, true);
        }
        r[0] = e.eax, r[1] = e.ebx, r[2] = e.ecx, r[3] = e.edx;
        break;
    }
    return HV_SUCCESS;
}

static hv_return_t kvm_vcpu_create(struct hv_vcpu *v)
{
    struct kvm_vm *k = kvm_vm_of(v->vm);
    hv_return_t ret = hv_backend_emu.vcpu_create(v);
    if (ret != HV_SUCCESS)
        return ret;
    struct kvm_vcpu *kv = aligned_alloc(64, (sizeof *kv + 63) & ~(size_t)63);
    if (kv == NULL) {
        hv_backend_emu.vcpu_destroy(v);
        return HV_NO_RESOURCES;
    }
    memset(kv, 0, sizeof *kv);
    kv->stats_fd = -1;
    kv->halt_ns_at = -1;
    bool reused = k->parked[v->id].fd >= 0;
    if (reused) {
        /* Every register is written before its first run (k_valid and
         * k_extras_valid are false), so nothing of the old vCPU shows. */
        kv->fd = k->parked[v->id].fd;
        kv->run = k->parked[v->id].run;
        k->parked[v->id].fd = -1;
    } else {
        kv->fd = ioctl(k->vm_fd, KVM_CREATE_VCPU, (unsigned long)v->id);
        if (kv->fd >= 0)
            kv->run = mmap(NULL, (size_t)k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, kv->fd, 0);
    }
    if (kv->fd < 0 || kv->run == MAP_FAILED ||
        (!reused && set_cpuid(k, v, kv->fd) != 0)) {
        destroy_kvm_vcpu(kv, k->run_size);
        hv_backend_emu.vcpu_destroy(v);
        return HV_NO_RESOURCES;
    }
    kv->tid = gettid();
    kv->thread = pthread_self();
    struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = kvm_kick_signal() };
    sev._sigev_un._tid = kv->tid;   /* sigev_notify_thread_id */
    kv->has_timer = timer_create(CLOCK_MONOTONIC, &sev, &kv->timer) == 0;
    kv->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS;
    /* The guest TSC runs at the host rate (no scaling is asked for). */
    int tsc_khz = k->tsc_is_clock ? ioctl(kv->fd, KVM_GET_TSC_KHZ, 0) : 0;
    if (tsc_khz > 0)
        kv->ns_per_tick_q32 = (1000000ull << 32) / (uint64_t)tsc_khz;
    /* No filter built with this vCPU yet: its first run installs one
     * (vm->lock is held here, and the filter build takes it). */
    kv->native_sig = UINT32_MAX;
    v->backend_aux = kv;
    pthread_mutex_lock(&k->registry_lock);
    k->running[v->id] = kv;
    pthread_mutex_unlock(&k->registry_lock);
    if (v->vm->irq != NULL && (ret = kvm_irq_vcpu_create(v, reused)) != HV_SUCCESS) {
        kvm_vcpu_destroy(v);
        return ret;
    }
    return HV_SUCCESS;
}

static void kvm_vcpu_destroy(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_vm *k = kvm_vm_of(v->vm);
    if (kv != NULL) {
        /* Nothing the last exit left pending may complete in the next
         * vCPU that gets this fd.  Still registered: a gate closer waits
         * for this KVM_RUN too. */
        kvm_gate_enter(k, kv);
        kvm_set_immediate_exit(kv->run, 1);
        ioctl(kv->fd, KVM_RUN, 0);
        kvm_set_immediate_exit(kv->run, 0);
        kvm_gate_leave(kv);
        pthread_mutex_lock(&k->registry_lock);
        k->running[v->id] = NULL;
        pthread_mutex_unlock(&k->registry_lock);
        k->parked[v->id].fd = kv->fd;
        k->parked[v->id].run = kv->run;
        kv->fd = -1;
        kv->run = NULL;
        destroy_kvm_vcpu(kv, k->run_size);
        v->backend_aux = NULL;
    }
    hv_backend_emu.vcpu_destroy(v);
}

/*
 * With OPENHV_BACKEND=kvm there is no emulator to honour the optional
 * exiting controls KVM cannot select, so they are not offered; the
 * interrupt-window exit stays (kvm_run.c synthesises it), and so does the
 * TPR shadow, which KVM's CR8 serves, unless OPENHV_KVM_EXACT asks for
 * exits as VMX gives them.  With auto the words are the emulator's, which
 * honours them all.
 */
static void kvm_filter_capability(hv_vmx_capability_t cap, uint64_t *value)
{
    if (fallback_wanted())
        return;
    uint32_t a0 = cap_allowed0(*value), a1 = cap_allowed1(*value);
    switch (cap) {
    case HV_VMX_CAP_PROCBASED:
    case HV_VMX_CAP_TRUE_PROCBASED:
        a1 &= a0 | CPU_BASED_IRQ_WND | (kvm_exact_wanted() ? 0u : (uint32_t)CPU_BASED_TPR_SHADOW);
        break;
    case HV_VMX_CAP_PROCBASED2: a1 = a0; break;
    case HV_VMX_CAP_PINBASED:
    case HV_VMX_CAP_TRUE_PINBASED: a1 = a0; break;
    default: return;
    }
    *value = ((uint64_t)a1 << 32) | a0;
}


static void kvm_invalidate_tlb(struct hv_vcpu *v)
{
    /* KVM flushes its own translations when CR3 is written back; the
     * emulator flushes at every entry.  The flag is consumed here. */
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    atomic_store(&v->tlb_flush_request, false);
    if (kv != NULL)
        kv->k_valid = false;
}

const struct hv_backend hv_backend_kvm = {
    .name = "kvm",
    .usable = kvm_usable,
    .auto_ok = kvm_auto_ok,
    .irqchip_usable = kvm_irqchip_ok,
    .vm_create = kvm_vm_create,
    .vm_destroy = kvm_vm_destroy,
    .vcpu_create = kvm_vcpu_create,
    .vcpu_destroy = kvm_vcpu_destroy,
    .vcpu_run = kvm_vcpu_run,
    .vcpu_kick = kvm_vcpu_kick,
    .memory_changed = kvm_memory_changed,
    .state_pull = kvm_state_pull,
    .state_pull_reg = kvm_state_pull_reg,
    .state_pull_vmcs = kvm_state_pull_vmcs,
    .state_pull_msr = kvm_state_pull_msr,
    .state_pull_fpstate = kvm_state_pull_fpstate,
    .state_dirty = kvm_state_dirty,
    .vcpu_cpuid = kvm_vcpu_cpuid,
    .filter_capability = kvm_filter_capability,
    .vcpu_invalidate_tlb = kvm_invalidate_tlb,
};
