/* VM lifecycle, system capabilities and the OpenHV extensions. */
#include <Hypervisor/openhv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/pio.h"
#include "../irq/irq.h"
#include "api.h"

/* Serialises hv_vm_create and hv_vm_destroy against each other. */
static pthread_mutex_t lifecycle = PTHREAD_MUTEX_INITIALIZER;

#define KNOWN_VM_FLAGS                                                                   \
    (HV_VM_SPECIFY_MITIGATIONS | HV_VM_MITIGATION_A_ENABLE | HV_VM_MITIGATION_B_ENABLE |  \
     HV_VM_MITIGATION_C_ENABLE | HV_VM_MITIGATION_D_ENABLE | HV_VM_MITIGATION_E_ENABLE |  \
     HV_VM_ACCEL_APIC)

__attribute__((tls_model("initial-exec"))) _Thread_local struct hv_vcpu *api_thread_vcpu;

hv_return_t api_vcpu(hv_vcpuid_t id, struct hv_vcpu **out)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    /* A thread owns at most one vCPU and only the owner may use or destroy
     * it, so the thread's own pointer answers without touching the VM's
     * lock: every per-vCPU call of every vCPU thread passes here. */
    struct hv_vcpu *v = api_thread_vcpu;
    if (v == NULL || v->id != id)
        return HV_BAD_ARGUMENT;
    *out = v;
    return HV_SUCCESS;
}

static void vm_free(struct hv_vm *vm)
{
    for (int s = 0; s < HV_MAX_SPACES; s++)
        memmap_free(&vm->space[s]);
    pio_free(vm);
    irq_chip_destroy(vm->irq);
    free(vm->allocations);
    pthread_rwlock_destroy(&vm->mem_lock);
    pthread_mutex_destroy(&vm->pio_lock);
    pthread_mutex_destroy(&vm->lock);
    free(vm);
}

static struct hv_vm *vm_alloc(void)
{
    struct hv_vm *vm = calloc(1, sizeof *vm);
    if (vm == NULL)
        return NULL;
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&vm->mem_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    pthread_mutex_init(&vm->lock, NULL);
    pthread_mutex_init(&vm->pio_lock, NULL);
    for (int s = 0; s < HV_MAX_SPACES; s++)
        memmap_init(&vm->space[s]);
    vm->space_used[HV_VM_SPACE_DEFAULT] = true;
    return vm;
}

/* Where HV_VM_ACCEL_APIC runs: on the chosen backend if it can serve the
 * controllers (kvm: KVM's split irqchip); otherwise OPENHV_BACKEND=auto
 * takes the emulator and an explicit backend refuses (docs/compat.md). */
static bool accel_apic_backend(const struct hv_backend **backend, char *reason, size_t size)
{
    const char *why = "no in-kernel interrupt controllers";
    if ((*backend)->irqchip_usable == NULL || (*backend)->irqchip_usable(&why))
        return true;
    const char *env = getenv("OPENHV_BACKEND");
    if (env != NULL && *env != '\0' && strcmp(env, "auto") != 0)
        return false;
    *backend = &hv_backend_emu;
    snprintf(reason, size, "auto: HV_VM_ACCEL_APIC on the emulator: %s", why);
    return true;
}

hv_return_t hv_vm_create(hv_vm_options_t flags)
{
    if (flags & ~(hv_vm_options_t)KNOWN_VM_FLAGS)
        return HV_BAD_ARGUMENT;
    pthread_mutex_lock(&lifecycle);
    hv_return_t ret = HV_SUCCESS;
    struct hv_vm *vm = NULL;
    char reason[sizeof vm->backend_reason - 32];
    const struct hv_backend *backend = NULL;
    if (api_vm() != NULL) {
        ret = HV_BUSY;
    } else if ((backend = hv_backend_choose(&ret, reason, sizeof reason)) == NULL) {
        /* ret set by the selection */
    } else if ((flags & HV_VM_ACCEL_APIC) && backend != &hv_backend_emu &&
               !accel_apic_backend(&backend, reason, sizeof reason)) {
        ret = HV_UNSUPPORTED;
    } else if ((vm = vm_alloc()) == NULL) {
        ret = HV_NO_RESOURCES;
    } else if ((flags & HV_VM_ACCEL_APIC) && (vm->irq = irq_chip_create()) == NULL) {
        vm_free(vm);
        ret = HV_NO_RESOURCES;
    } else {
        vm->backend = backend;
        vm->options = flags;
        snprintf(vm->backend_reason, sizeof vm->backend_reason, "%.24s (%s)", backend->name,
                 reason);
        ret = backend->vm_create(vm);
        if (ret == HV_SUCCESS)
            __atomic_store_n(&hv_current_vm, vm, __ATOMIC_RELEASE);
        else
            vm_free(vm);
    }
    pthread_mutex_unlock(&lifecycle);
    return ret;
}

hv_return_t hv_vm_destroy(void)
{
    pthread_mutex_lock(&lifecycle);
    hv_return_t ret = HV_SUCCESS;
    struct hv_vm *vm = api_vm();
    if (vm == NULL) {
        ret = HV_NO_DEVICE;
    } else {
        pthread_mutex_lock(&vm->lock);
        bool busy = __atomic_load_n(&vm->vcpu_count, __ATOMIC_RELAXED) != 0;
        pthread_mutex_unlock(&vm->lock);
        if (busy) {
            ret = HV_BUSY;
        } else {
            __atomic_store_n(&hv_current_vm, NULL, __ATOMIC_RELEASE);
            vm->backend->vm_destroy(vm);
            vm_free(vm);
        }
    }
    pthread_mutex_unlock(&lifecycle);
    return ret;
}

hv_return_t hv_capability(hv_capability_t capability, uint64_t *value)
{
    if (value == NULL)
        return HV_BAD_ARGUMENT;
    switch (capability) {
    case HV_CAP_VCPUMAX: *value = HV_MAX_VCPUS; return HV_SUCCESS;
    case HV_CAP_ADDRSPACEMAX: *value = HV_MAX_SPACES; return HV_SUCCESS;
    default: return HV_BAD_ARGUMENT;
    }
}

const char *openhv_backend_name(void)
{
    struct hv_vm *vm = api_vm();
    return vm ? vm->backend_reason : "none (no VM)";
}

hv_return_t openhv_vcpu_stats(hv_vcpuid_t vcpu, struct openhv_vcpu_stats *stats)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (stats == NULL)
        return HV_BAD_ARGUMENT;
    _Static_assert(sizeof stats->exits == sizeof v->stats.exits, "exit counters differ");
    memcpy(stats->exits, v->stats.exits, sizeof stats->exits);
    stats->runs = v->stats.runs;
    stats->instructions = v->stats.instructions;
    stats->exec_ns = v->exec_ns;
    _Static_assert(sizeof stats->engine_ns == sizeof v->stats.ns_on_engine, "engine times differ");
    memcpy(stats->engine_ns, v->stats.ns_on_engine, sizeof stats->engine_ns);
    stats->blocks_decoded = v->stats.blocks_decoded;
    stats->block_lookups = v->stats.block_lookups;
    stats->translated_returns = v->stats.translated_returns;
    return HV_SUCCESS;
}

hv_return_t openhv_vcpu_cpuid(hv_vcpuid_t vcpu, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (regs == NULL)
        return HV_BAD_ARGUMENT;
    if (v->vm->backend->vcpu_cpuid == NULL)
        return HV_UNSUPPORTED;
    /* The answers that follow the vCPU's state read CR4 and XCR0. */
    api_pull_reg(v, HV_X86_CR4);
    api_pull_reg(v, HV_X86_XCR0);
    return v->vm->backend->vcpu_cpuid(v, leaf, subleaf, regs);
}
