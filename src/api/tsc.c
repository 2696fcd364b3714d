/* The guest TSC: host TSC + VMCS TSC offset. */
#include "api.h"

/* hv_tsc_clock's implementation constant is 0: it is the host TSC. */
uint64_t hv_tsc_clock(void)
{
    return host_tsc();
}

hv_return_t hv_vm_sync_tsc(uint64_t tsc)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    pthread_mutex_lock(&vm->lock);
    /* One offset for all: every guest TSC reads `tsc` at the same instant. */
    uint64_t offset = tsc - host_tsc();
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++) {
        struct hv_vcpu *v = vm->vcpus[i];
        if (v == NULL)
            continue;
        __atomic_store_n(&v->vmcs.ctl.tsc_offset, offset, __ATOMIC_RELAXED);
        if (vm->backend->state_dirty != NULL && pthread_equal(v->owner, pthread_self()))
            vm->backend->state_dirty(v, WRITE_ANY);
    }
    pthread_mutex_unlock(&vm->lock);
    return HV_SUCCESS;
}

/* No owning-thread note in Apple's header: any thread may call it. */
hv_return_t hv_vcpu_set_tsc_relative(hv_vcpuid_t vcpu, int64_t offset)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    if (vcpu >= HV_MAX_VCPUS)
        return HV_BAD_ARGUMENT;
    hv_return_t ret = HV_BAD_ARGUMENT;
    pthread_mutex_lock(&vm->lock);
    struct hv_vcpu *v = vm->vcpus[vcpu];
    if (v != NULL) {
        __atomic_store_n(&v->vmcs.ctl.tsc_offset, (uint64_t)offset, __ATOMIC_RELAXED);
        ret = HV_SUCCESS;
    }
    pthread_mutex_unlock(&vm->lock);
    return ret;
}
