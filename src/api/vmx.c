/* VMCS access, capabilities, shadow VMCS and the APIC-access page. */
#include "../core/caps.h"
#include "../core/vmcs.h"
#include "api.h"

hv_return_t hv_vmx_vcpu_read_vmcs(hv_vcpuid_t vcpu, uint32_t field, uint64_t *value)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    api_pull_vmcs(v, field);
    return vmcs_read(v, field, value);
}

hv_return_t hv_vmx_vcpu_write_vmcs(hv_vcpuid_t vcpu, uint32_t field, uint64_t value)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    api_pull_vmcs(v, field);
    ret = vmcs_write(v, field, value);
    if (ret == HV_SUCCESS) {
        bool gprs = field == VMCS_GUEST_RIP || field == VMCS_GUEST_RSP || field == VMCS_GUEST_RFLAGS;
        api_dirty(v, gprs ? WRITE_GPRS : WRITE_ANY);
    }
    return ret;
}

hv_return_t hv_vmx_vcpu_get_cap_write_vmcs(hv_vcpuid_t vcpu, uint32_t field, uint64_t *allowed_0,
                                           uint64_t *allowed_1)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    return vmcs_get_cap_write(v, field, allowed_0, allowed_1);
}

/* Shadow VMCS needs CPU_BASED2_VMCS_SHADOW, which is never offered: the
 * calls check their arguments and answer HV_UNSUPPORTED. */
hv_return_t hv_vmx_vcpu_read_shadow_vmcs(hv_vcpuid_t vcpu, uint32_t field, uint64_t *value)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (value == NULL || !vmcs_field_known(field))
        return HV_BAD_ARGUMENT;
    return HV_UNSUPPORTED;
}

hv_return_t hv_vmx_vcpu_write_shadow_vmcs(hv_vcpuid_t vcpu, uint32_t field, uint64_t value)
{
    (void)value;
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (!vmcs_field_known(field))
        return HV_BAD_ARGUMENT;
    return HV_UNSUPPORTED;
}

hv_return_t hv_vmx_vcpu_set_shadow_access(hv_vcpuid_t vcpu, uint32_t field,
                                          hv_shadow_flags_t flags)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (!vmcs_field_known(field) ||
        (flags & ~(hv_shadow_flags_t)(HV_SHADOW_VMCS_READ | HV_SHADOW_VMCS_WRITE)) != 0)
        return HV_BAD_ARGUMENT;
    return HV_UNSUPPORTED;
}

hv_return_t hv_vmx_read_capability(hv_vmx_capability_t field, uint64_t *value)
{
    /* Before hv_vm_create: the words of the backend hv_vm_create would pick. */
    struct hv_vm *vm = api_vm();
    const struct hv_backend *backend = NULL;
    if (vm != NULL) {
        backend = vm->backend;
    } else {
        hv_return_t err;
        const char *why;
        backend = hv_backend_select(&err, &why);
    }
    return vmx_capability(backend, field, value);
}

/* What the platform offers for the managed-MSR families of hvf-api.md 2.9.
 * No performance counters or LBRs are emulated, so their valid masks are
 * empty; speculation control is accepted and does nothing. */
#define ARCH_CAPABILITIES_VALUE                                                          \
    ((1ull << 0) /* RDCL_NO */ | (1ull << 1) /* IBRS_ALL */ |                             \
     (1ull << 3) /* SKIP_L1DFL_VMENTRY */ | (1ull << 5) /* MDS_NO */)
#define SPEC_CTRL_VALID 0x7ull /* IBRS, STIBP, SSBD */

hv_return_t hv_vmx_get_msr_info(hv_vmx_msr_info_t field, uint64_t *value)
{
    if (value == NULL)
        return HV_BAD_ARGUMENT;
    switch (field) {
    case HV_VMX_INFO_MSR_IA32_ARCH_CAPABILITIES: *value = ARCH_CAPABILITIES_VALUE; break;
    case HV_VMX_INFO_MSR_IA32_PERF_CAPABILITIES:
    case HV_VMX_VALID_MSR_IA32_PERFEVNTSEL:
    case HV_VMX_VALID_MSR_IA32_FIXED_CTR_CTRL:
    case HV_VMX_VALID_MSR_IA32_PERF_GLOBAL_CTRL:
    case HV_VMX_VALID_MSR_IA32_PERF_GLOBAL_STATUS:
    case HV_VMX_VALID_MSR_IA32_DEBUGCTL:
    case HV_VMX_NEED_MSR_IA32_SPEC_CTRL: *value = 0; break;
    case HV_VMX_VALID_MSR_IA32_SPEC_CTRL: *value = SPEC_CTRL_VALID; break;
    default: return HV_BAD_ARGUMENT;
    }
    return HV_SUCCESS;
}

static hv_return_t set_apic_address(hv_vcpuid_t vcpu, hv_vm_space_t asid, hv_gpaddr_t gpa)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if ((gpa & HV_PAGE_MASK) != 0 || gpa >= HV_GPA_LIMIT || asid >= HV_MAX_SPACES)
        return HV_BAD_ARGUMENT;
    pthread_mutex_lock(&v->vm->lock);
    bool space_ok = v->vm->space_used[asid];
    pthread_mutex_unlock(&v->vm->lock);
    if (!space_ok)
        return HV_BAD_ARGUMENT;
    api_pull(v);
    v->vmcs.ctl.apic_access = gpa;
    api_dirty(v, WRITE_ANY);
    return HV_SUCCESS;
}

hv_return_t hv_vmx_vcpu_set_apic_address(hv_vcpuid_t vcpu, hv_gpaddr_t gpa)
{
    return set_apic_address(vcpu, HV_VM_SPACE_DEFAULT, gpa);
}

hv_return_t hv_vmx_vcpu_set_apic_address_space(hv_vcpuid_t vcpu, hv_vm_space_t asid,
                                               hv_gpaddr_t gpa)
{
    return set_apic_address(vcpu, asid, gpa);
}
