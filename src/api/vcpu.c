/* vCPU lifecycle and per-vCPU housekeeping calls. */
#include <stdlib.h>
#include <string.h>

#include "../irq/irq.h"
#include "api.h"

#define KNOWN_VCPU_FLAGS (HV_VCPU_ACCEL_RDPMC | HV_VCPU_TSC_RELATIVE)

hv_return_t hv_vcpu_create(hv_vcpuid_t *vcpu, hv_vcpu_options_t flags)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    if (vcpu == NULL || (flags & ~(hv_vcpu_options_t)KNOWN_VCPU_FLAGS) != 0)
        return HV_BAD_ARGUMENT;
    struct hv_vcpu *v = aligned_alloc(64, (sizeof *v + 63) & ~(size_t)63);
    if (v == NULL)
        return HV_NO_RESOURCES;
    memset(v, 0, sizeof *v);

    hv_return_t ret = HV_NO_RESOURCES;
    pthread_mutex_lock(&vm->lock);
    if (api_thread_vcpu != NULL) {
        ret = HV_BUSY;
    } else {
        for (hv_vcpuid_t id = 0; id < HV_MAX_VCPUS; id++) {
            if (vm->vcpus[id] != NULL)
                continue;
            v->vm = vm;
            v->id = id;
            v->owner = pthread_self();
            v->options = flags;
            v->space = HV_VM_SPACE_DEFAULT;
            vcpu_init_state(v, vm->backend);
            /* With vm->lock held: the id stays reserved while the backend
             * builds its state, and no one can kick a half-made vCPU. */
            ret = vm->backend->vcpu_create(v);
            if (ret == HV_SUCCESS && vm->irq != NULL &&
                (v->lapic = irq_lapic_create(vm->irq, id)) == NULL) {
                vm->backend->vcpu_destroy(v);
                ret = HV_NO_RESOURCES;
            }
            if (ret == HV_SUCCESS && vm->irq != NULL && vm->irq->kernel == NULL)
                v->emu_lapic = v->lapic;
            if (ret == HV_SUCCESS) {
                vm->vcpus[id] = v;
                __atomic_fetch_add(&vm->vcpu_count, 1u, __ATOMIC_RELAXED);
                api_thread_vcpu = v;
                *vcpu = id;
            }
            break;
        }
    }
    pthread_mutex_unlock(&vm->lock);
    if (ret != HV_SUCCESS)
        free(v);
    return ret;
}

hv_return_t hv_vcpu_destroy(hv_vcpuid_t vcpu)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    struct hv_vm *vm = v->vm;
    pthread_mutex_lock(&vm->lock);
    /* The APIC leaves the bus first: no IPI may wake a vCPU being freed. */
    irq_lapic_destroy(v->lapic);
    vm->backend->vcpu_destroy(v);
    vm->vcpus[vcpu] = NULL;
    __atomic_fetch_sub(&vm->vcpu_count, 1u, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&vm->lock);
    api_thread_vcpu = NULL;
    free(v);
    return HV_SUCCESS;
}

hv_return_t hv_vcpu_set_space(hv_vcpuid_t vcpu, hv_vm_space_t asid)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (asid >= HV_MAX_SPACES)
        return HV_BAD_ARGUMENT;
    pthread_mutex_lock(&v->vm->lock);
    if (v->vm->space_used[asid]) {
        v->space = asid;
        /* Translations cached for the old space are stale now. */
        atomic_store(&v->tlb_flush_request, true);
    } else {
        ret = HV_BAD_ARGUMENT;
    }
    pthread_mutex_unlock(&v->vm->lock);
    return ret;
}

hv_return_t hv_vcpu_flush(hv_vcpuid_t vcpu)
{
    (void)vcpu;
    return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_invalidate_tlb(hv_vcpuid_t vcpu)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    atomic_store(&v->tlb_flush_request, true);
    if (v->vm->backend->vcpu_invalidate_tlb != NULL)
        v->vm->backend->vcpu_invalidate_tlb(v);
    return HV_SUCCESS;
}

hv_return_t hv_vcpu_vmx_status(hv_vcpuid_t vcpu, uint32_t *status)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (status == NULL)
        return HV_BAD_ARGUMENT;
    if (!v->vmx_status_valid)
        return HV_ERROR;
    *status = v->vmx_status;
    return HV_SUCCESS;
}

hv_return_t hv_vcpu_get_exec_time(hv_vcpuid_t vcpu, uint64_t *time)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (time == NULL)
        return HV_BAD_ARGUMENT;
    *time = v->exec_ns;
    return HV_SUCCESS;
}

hv_return_t hv_vcpu_get_idle_time(hv_vcpuid_t vcpu, uint64_t *time)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (time == NULL)
        return HV_BAD_ARGUMENT;
    *time = v->idle_ns;
    return HV_SUCCESS;
}
