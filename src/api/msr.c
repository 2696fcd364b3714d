/* MSR configuration and access. */
#include "api.h"

hv_return_t hv_vcpu_enable_native_msr(hv_vcpuid_t vcpu, uint32_t msr, bool enable)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    api_pull(v);
    ret = msr_enable_native(v, msr, enable);
    if (ret == HV_SUCCESS)
        api_dirty(v, WRITE_ANY);
    return ret;
}

hv_return_t hv_vcpu_enable_managed_msr(hv_vcpuid_t vcpu, uint32_t msr, bool enable)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    api_pull(v);
    ret = msr_enable_managed(v, msr, enable);
    if (ret == HV_SUCCESS)
        api_dirty(v, WRITE_ANY);
    return ret;
}

hv_return_t hv_vcpu_set_msr_access(hv_vcpuid_t vcpu, uint32_t msr, hv_msr_flags_t flags)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    api_pull(v);
    ret = msr_set_access(v, msr, flags);
    if (ret == HV_SUCCESS)
        api_dirty(v, WRITE_ANY);
    return ret;
}

hv_return_t hv_vcpu_read_msr(hv_vcpuid_t vcpu, uint32_t msr, uint64_t *value)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    api_pull_msr(v, msr);
    return msr_read(v, msr, value);
}

hv_return_t hv_vcpu_write_msr(hv_vcpuid_t vcpu, uint32_t msr, uint64_t value)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    api_pull_msr(v, msr);
    ret = msr_write(v, msr, value);
    if (ret == HV_SUCCESS)
        api_dirty(v, WRITE_ANY);
    /* For the client an invalid value is a bad argument; HV_ERROR (the
     * guest's #GP) is the emulator's view. */
    return ret == HV_ERROR ? HV_BAD_ARGUMENT : ret;
}
