/*
 * RDMSR/WRMSR exits: the MSRs hvrun answers itself.  The natively switched
 * set is enabled on every vCPU (as QEMU and xhyve do) and never exits.
 * EFER lives in the VMCS; LMA and the IA-32e entry control follow it.
 */
#include "hvrun.h"

enum {
    MSR_UCODE_REV_TRIGGER = 0x79, MSR_UCODE_REV = 0x8b, MSR_PLATFORM_ID = 0x17,
    MSR_APIC_BASE = 0x1b, MSR_FEATURE_CONTROL = 0x3a, MSR_PLATFORM_INFO = 0xce,
    MSR_MTRR_CAP = 0xfe, MSR_MCG_CAP = 0x179, MSR_MCG_STATUS = 0x17a,
    MSR_MISC_ENABLE = 0x1a0, MSR_MTRR_PHYS_FIRST = 0x200, MSR_MTRR_PHYS_LAST = 0x21f,
    MSR_MTRR_FIX64K = 0x250, MSR_MTRR_FIX16K_FIRST = 0x258, MSR_MTRR_FIX16K_LAST = 0x259,
    MSR_MTRR_FIX4K_FIRST = 0x268, MSR_MTRR_FIX4K_LAST = 0x26f, MSR_PAT = 0x277,
    MSR_MTRR_DEF_TYPE = 0x2ff, MSR_TSC_DEADLINE = 0x6e0, MSR_EFER = 0xc0000080,
};

enum {
    EFER_SCE = 1u << 0, EFER_LME = 1u << 8, EFER_LMA = 1u << 10, EFER_NXE = 1u << 11,
    CR0_PG = 1u << 31,
    APIC_BASE_DEFAULT = 0xfee00000u, APIC_BASE_ENABLE = 1u << 11, APIC_BASE_BSP = 1u << 8,
    FEATURE_CONTROL_LOCKED = 1u << 0, MISC_ENABLE_FAST_STRINGS = 1u << 0,
};

static const uint32_t native_msrs[] = {
    HV_MSR_IA32_STAR, HV_MSR_IA32_LSTAR, HV_MSR_IA32_CSTAR, HV_MSR_IA32_FMASK,
    HV_MSR_IA32_KERNEL_GS_BASE, HV_MSR_IA32_TSC, HV_MSR_IA32_TSC_AUX,
    HV_MSR_IA32_SYSENTER_CS, HV_MSR_IA32_SYSENTER_ESP, HV_MSR_IA32_SYSENTER_EIP,
    HV_MSR_IA32_FS_BASE, HV_MSR_IA32_GS_BASE,
};

hv_return_t enable_native_msrs(hv_vcpuid_t vcpu)
{
    for (size_t i = 0; i < sizeof native_msrs / sizeof native_msrs[0]; i++) {
        hv_return_t r = hv_vcpu_enable_native_msr(vcpu, native_msrs[i], true);
        if (r != HV_SUCCESS)
            return r;
    }
    return HV_SUCCESS;
}

hv_return_t hvrun_set_efer(hv_vcpuid_t vcpu, uint64_t efer, uint64_t cr0)
{
    efer &= ~(uint64_t)EFER_LMA;
    if ((efer & EFER_LME) && (cr0 & CR0_PG))
        efer |= EFER_LMA;
    uint64_t entry;
    hv_return_t r = hv_vmx_vcpu_read_vmcs(vcpu, VMCS_CTRL_VMENTRY_CONTROLS, &entry);
    if (r == HV_SUCCESS)
        r = hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_IA32_EFER, efer);
    if (r == HV_SUCCESS) {
        entry = (efer & EFER_LMA) ? entry | VMENTRY_GUEST_IA32E : entry & ~(uint64_t)VMENTRY_GUEST_IA32E;
        r = hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_VMENTRY_CONTROLS, entry);
    }
    return r;
}

static bool is_mtrr_range(uint32_t index)
{
    return (index >= MSR_MTRR_PHYS_FIRST && index <= MSR_MTRR_PHYS_LAST) ||
           index == MSR_MTRR_FIX64K ||
           (index >= MSR_MTRR_FIX16K_FIRST && index <= MSR_MTRR_FIX16K_LAST) ||
           (index >= MSR_MTRR_FIX4K_FIRST && index <= MSR_MTRR_FIX4K_LAST);
}

bool hvrun_msr_read(struct machine *m, struct vcpu *v, uint32_t index, uint64_t *value)
{
    (void)m;
    switch (index) {
    case MSR_EFER: *value = hvrun_vmcs_get(v->id, VMCS_GUEST_IA32_EFER); return true;
    case MSR_PAT: *value = hvrun_vmcs_get(v->id, VMCS_GUEST_IA32_PAT); return true;
    case MSR_APIC_BASE: *value = v->apic_base; return true;
    case MSR_MTRR_DEF_TYPE: *value = v->mtrr_def_type; return true;
    case MSR_MISC_ENABLE: *value = MISC_ENABLE_FAST_STRINGS; return true;
    case MSR_FEATURE_CONTROL: *value = FEATURE_CONTROL_LOCKED; return true;
    /* No variable or fixed MTRRs, no machine-check banks, no microcode, no
     * APIC timer: all of these read as zero. */
    case MSR_MTRR_CAP:
    case MSR_MCG_CAP:
    case MSR_MCG_STATUS:
    case MSR_PLATFORM_ID:
    case MSR_PLATFORM_INFO:
    case MSR_UCODE_REV:
    case MSR_TSC_DEADLINE: *value = 0; return true;
    default:
        if (is_mtrr_range(index)) {
            *value = 0;
            return true;
        }
        return false;
    }
}

bool hvrun_msr_write(struct machine *m, struct vcpu *v, uint32_t index, uint64_t value)
{
    (void)m;
    switch (index) {
    case MSR_EFER: {
        uint64_t old = hvrun_vmcs_get(v->id, VMCS_GUEST_IA32_EFER);
        uint64_t cr0 = hvrun_vmcs_get(v->id, VMCS_GUEST_CR0);
        if (value & ~(uint64_t)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
            return false;
        /* LME may not change while paging is on (Intel SDM: #GP). */
        if ((cr0 & CR0_PG) && ((old ^ value) & EFER_LME))
            return false;
        return hvrun_set_efer(v->id, value, cr0) == HV_SUCCESS;
    }
    case MSR_PAT: hvrun_vmcs_set(v->id, VMCS_GUEST_IA32_PAT, value); return true;
    case MSR_APIC_BASE: v->apic_base = value; return true;
    case MSR_MTRR_DEF_TYPE: v->mtrr_def_type = value; return true;
    case MSR_MISC_ENABLE:
    case MSR_UCODE_REV:
    case MSR_UCODE_REV_TRIGGER:
    case MSR_MCG_STATUS:
    case MSR_TSC_DEADLINE: return true;   /* accepted and ignored */
    default: return is_mtrr_range(index);
    }
}

uint64_t msr_apic_base_reset(unsigned index)
{
    return APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (index == 0 ? APIC_BASE_BSP : 0);
}
