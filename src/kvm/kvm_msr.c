/*
 * MSRs: KVM's filter is per VM, Hypervisor.framework's native MSRs are per
 * vCPU.  The filter (DEFAULT_DENY) lets through, without an exit, only the
 * MSRs KVM itself holds that are native on EVERY vCPU; all other accesses
 * exit to userspace, where an MSR native on this vCPU is answered here and
 * the rest become VMX RDMSR/WRMSR exits.  Writes of IA32_TSC always come
 * here: the TSC offset in the vmcs stays the truth.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_internal.h"

/* MSRs the filter may let through: those KVM holds and keeps current. */
static const uint32_t *candidates(size_t *count)
{
    static uint32_t list[KVM_SYNCED_MSR_COUNT + 3];
    static size_t n;
    if (n == 0) {
        size_t i = 0;
        for (; i < KVM_SYNCED_MSR_COUNT; i++)
            list[i] = kvm_synced_msrs[i];
        list[i++] = HV_MSR_IA32_FS_BASE;   /* in kvm_sregs, synced at every exit */
        list[i++] = HV_MSR_IA32_GS_BASE;
        list[i++] = HV_MSR_IA32_TSC;
        n = i;
    }
    *count = n;
    return list;
}

static bool may_pass(uint32_t msr, bool write)
{
    return !(write && msr == HV_MSR_IA32_TSC);
}

/* This vCPU's native set over the candidates, as a bit mask (r, w pairs). */
static uint32_t native_sig(const struct hv_vcpu *v)
{
    size_t n;
    const uint32_t *list = candidates(&n);
    uint32_t sig = 0;
    for (size_t i = 0; i < n; i++) {
        if (msr_guest_native(v, list[i], false))
            sig |= 1u << (2 * i);
        if (msr_guest_native(v, list[i], true))
            sig |= 2u << (2 * i);
    }
    return sig;
}

#define FILTER_SPAN 0x2000u          /* MSRs per range: 0x0.. and 0xc0000000.. */

static void allow(uint8_t *bitmap, uint32_t base, uint32_t msr)
{
    if (msr >= base && msr - base < FILTER_SPAN)
        bitmap[(msr - base) / 8] |= (uint8_t)(1u << ((msr - base) % 8));
}

hv_return_t kvm_filter_install(struct hv_vm *vm)
{
    struct kvm_vm *k = kvm_vm_of(vm);
    static const uint32_t bases[2] = { 0x0, 0xc0000000u };
    uint8_t maps[2][2][FILTER_SPAN / 8];   /* [base][read, write] */
    memset(maps, 0, sizeof maps);
    size_t n;
    const uint32_t *list = candidates(&n);

    pthread_mutex_lock(&k->filter_lock);
    pthread_mutex_lock(&vm->lock);
    bool any = false;
    uint32_t common = ~0u;
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
        if (vm->vcpus[i] != NULL) {
            common &= native_sig(vm->vcpus[i]);
            any = true;
        }
    }
    pthread_mutex_unlock(&vm->lock);
    if (!any)
        common = 0;
    /* Installing a filter waits for every vCPU to leave KVM (SRCU), which
     * a spinning guest may not do for a long time: skip it when nothing
     * changes, and otherwise kick them out first. */
    if (k->filter_installed && common == k->filter_common) {
        pthread_mutex_unlock(&k->filter_lock);
        return HV_SUCCESS;
    }
    for (size_t i = 0; i < n; i++) {
        for (unsigned dir = 0; dir < 2; dir++) {
            if (!(common & ((1u << dir) << (2 * i))) || !may_pass(list[i], dir == 1))
                continue;
            for (unsigned b = 0; b < 2; b++)
                allow(maps[b][dir], bases[b], list[i]);
        }
    }
    /* The in-kernel APIC's own MSRs (KVM never filters the x2APIC range). */
    if (vm->irq != NULL) {
        for (unsigned dir = 0; dir < 2; dir++) {
            allow(maps[0][dir], 0, 0x1bu);      /* IA32_APIC_BASE */
            allow(maps[0][dir], 0, 0x6e0u);     /* IA32_TSC_DEADLINE */
        }
    }
    struct kvm_msr_filter f = { .flags = KVM_MSR_FILTER_DEFAULT_DENY };
    unsigned r = 0;
    for (unsigned b = 0; b < 2; b++) {
        for (unsigned dir = 0; dir < 2; dir++) {
            f.ranges[r++] = (struct kvm_msr_filter_range){
                .flags = dir ? KVM_MSR_FILTER_WRITE : KVM_MSR_FILTER_READ,
                .nmsrs = FILTER_SPAN, .base = bases[b], .bitmap = maps[b][dir],
            };
        }
    }
    kvm_gate_close(k);
    int rc = ioctl(k->vm_fd, KVM_X86_SET_MSR_FILTER, &f);
    kvm_gate_open(k);
    if (rc == 0) {
        k->filter_installed = true;
        k->filter_common = common;
    }
    pthread_mutex_unlock(&k->filter_lock);
    return rc == 0 ? HV_SUCCESS : HV_ERROR;
}

void kvm_filter_check(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    /* The MSR configuration changes only through the API (state_dirty). */
    if (kv->native_sig != UINT32_MAX && !kv->msr_config_written)
        return;
    kv->msr_config_written = false;
    if (kv->native_sig != UINT32_MAX &&
        memcmp(kv->seen_native, v->msr.native, sizeof kv->seen_native) == 0 &&
        memcmp(kv->seen_access, v->msr.access, sizeof kv->seen_access) == 0)
        return;
    memcpy(kv->seen_native, v->msr.native, sizeof kv->seen_native);
    memcpy(kv->seen_access, v->msr.access, sizeof kv->seen_access);
    uint32_t sig = native_sig(v);
    if (sig == kv->native_sig)
        return;
    kv->native_sig = sig;
    kvm_filter_install(v->vm);
}

static bool kvm_knows(uint32_t msr)
{
    size_t n;
    const uint32_t *list = candidates(&n);
    for (size_t i = 0; i < n; i++)
        if (list[i] == msr)
            return msr != HV_MSR_IA32_TSC;
    return false;
}

bool kvm_msr_resolve(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_run *run = kv->run;
    bool write = run->exit_reason == KVM_EXIT_X86_WRMSR;
    uint32_t msr = run->msr.index;
    if (!msr_guest_native(v, msr, write))
        return false;
    struct {
        struct kvm_msrs head;
        struct kvm_msr_entry e;
    } one = { .head.nmsrs = 1, .e = { .index = msr, .data = run->msr.data } };
    if (kvm_knows(msr)) {
        /* KVM holds the value: let it check and store it. */
        int rc = ioctl(kv->fd, write ? KVM_SET_MSRS : KVM_GET_MSRS, &one);
        run->msr.error = rc == 1 ? 0 : 1;
        if (!write && rc == 1)
            run->msr.data = one.e.data;
        kv->stale |= X_MSRS;
        return true;
    }
    /* The value lives in the vmcs or the vCPU's MSR state. */
    if (write) {
        run->msr.error = msr_write(v, msr, run->msr.data) == HV_SUCCESS ? 0 : 1;
        kv->sys_current = kv->sys_from_kvm = false;     /* FS/GS base and EFER live in the sregs */
    } else {
        uint64_t value = 0;
        run->msr.error = msr_read(v, msr, &value) == HV_SUCCESS ? 0 : 1;
        run->msr.data = value;
    }
    return true;
}
