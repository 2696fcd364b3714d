/* Entering the guest, and kicking vCPUs out of it. */
#include "../irq/irq.h"
#include "api.h"

static hv_return_t run(hv_vcpuid_t vcpu, uint64_t deadline_ns, bool report_handled)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    /* hv_vcpu_exit_info describes the run's exit; one the guest asked for
     * but that another exit preceded keeps its description for this run. */
    if (v->lapic && !v->lapic->exit_pending)
        v->lapic->exit.kind = HV_VM_EXITINFO_VMX;
    /* The backend counts runs, exits and exec_ns itself (vcpu.h): only it
     * knows which exits it handled without returning. */
    return v->vm->backend->vcpu_run(v, deadline_ns, report_handled);
}

hv_return_t hv_vcpu_run(hv_vcpuid_t vcpu)
{
    return run(vcpu, RUN_FOREVER, true);
}

hv_return_t hv_vcpu_run_until(hv_vcpuid_t vcpu, uint64_t deadline)
{
    /* mach_absolute_time units are nanoseconds on Intel Macs; here they are
     * CLOCK_MONOTONIC nanoseconds. */
    return run(vcpu, deadline == HV_DEADLINE_FOREVER ? RUN_FOREVER : deadline, false);
}

hv_return_t hv_vcpu_interrupt(hv_vcpuid_t *vcpus, unsigned int vcpu_count)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    if (vcpus == NULL && vcpu_count != 0)
        return HV_BAD_ARGUMENT;
    hv_return_t ret = HV_SUCCESS;
    pthread_mutex_lock(&vm->lock);
    for (unsigned i = 0; i < vcpu_count; i++)
        if (vcpus[i] >= HV_MAX_VCPUS || vm->vcpus[vcpus[i]] == NULL)
            ret = HV_BAD_ARGUMENT;
    /* All ids are valid before any kick goes out. */
    for (unsigned i = 0; ret == HV_SUCCESS && i < vcpu_count; i++) {
        struct hv_vcpu *v = vm->vcpus[vcpus[i]];
        atomic_store(&v->kick, true);
        vm->backend->vcpu_kick(v);
    }
    pthread_mutex_unlock(&vm->lock);
    return ret;
}
