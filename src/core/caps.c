/*
 * Capability words.  The control words are what a real Mac reports for the
 * bits it forces (client-requirements.md), narrowed on the allowed-1 side to
 * what the emulator honours.  Every other word is a plausible IA32_VMX_* MSR
 * value consistent with those controls.
 */
#include "caps.h"

#include "vcpu.h"
#include "vm.h"
#include "vmcs_fields.h"

/* Primary controls a real Mac forces, including the default-1 bits
 * (HLT, MWAIT, RDPMC, CR8 load/store, unconditional I/O, MSR bitmaps,
 * MONITOR, secondary controls, TSC offsetting). */
#define PROCBASED_ALLOWED0 0xb5186dfau

#define PIN_ALLOWED0 0x3fu
#define PIN_ALLOWED1 (PIN_ALLOWED0 | PIN_BASED_PREEMPTION_TIMER)

#define PROCBASED_ALLOWED1                                                               \
    (PROCBASED_ALLOWED0 | CPU_BASED_IRQ_WND | CPU_BASED_INVLPG | CPU_BASED_RDTSC |       \
     CPU_BASED_CR3_LOAD | CPU_BASED_CR3_STORE | CPU_BASED_TPR_SHADOW |                   \
     CPU_BASED_VIRTUAL_NMI_WND | CPU_BASED_MOV_DR | CPU_BASED_MTF | CPU_BASED_PAUSE)

/* EPT, RDTSCP, VPID and unrestricted guest are forced on. */
#define PROCBASED2_ALLOWED0 0xaau
#define PROCBASED2_ALLOWED1                                                              \
    (PROCBASED2_ALLOWED0 | CPU_BASED2_DESC_TABLE | CPU_BASED2_WBINVD | CPU_BASED2_RDRAND | \
     CPU_BASED2_RDSEED)

#define ENTRY_ALLOWED0 0x11ffu
#define ENTRY_ALLOWED1                                                                   \
    (ENTRY_ALLOWED0 | VMENTRY_GUEST_IA32E | VMENTRY_LOAD_EFER | VMENTRY_LOAD_IA32_PAT |  \
     VMENTRY_LOAD_IA32_PERF_GLOBAL_CTRL)

#define EXIT_ALLOWED0 (0x36dffu | VMEXIT_HOST_IA32E)
#define EXIT_ALLOWED1                                                                    \
    (EXIT_ALLOWED0 | VMEXIT_ACK_INTR | VMEXIT_SAVE_IA32_PAT | VMEXIT_LOAD_IA32_PAT |     \
     VMEXIT_SAVE_EFER | VMEXIT_LOAD_EFER | VMEXIT_SAVE_VMX_TIMER |                       \
     VMEXIT_LOAD_IA32_PERF_GLOBAL_CTRL)

#define CTLS(a0, a1) (((uint64_t)(a1) << 32) | (uint64_t)(a0))

/* IA32_VMX_BASIC: revision 1, 4 KiB VMCS region, write-back VMCS memory,
 * INS/OUTS exit information, TRUE_*_CTLS available. */
#define BASIC_VALUE                                                                      \
    (1ull | (0x1000ull << 32) | (6ull << 50) | (1ull << 54) | VMX_BASIC_TRUE_CTLS)

/* IA32_VMX_MISC: timer rate TSC>>5 (nominal, see VMX_TIMER_HZ), EFER.LMA
 * saved to the IA-32e entry control, HLT activity state, 4 CR3 targets. */
#define MISC_VALUE (5ull | (1ull << 5) | (1ull << 6) | (4ull << 16))

/* Unrestricted guest exempts PE and PG from CR0_FIXED0 (Intel SDM). */
#define CR0_FIXED0_VALUE 0x80000021ull
#define CR0_FIXED1_VALUE 0xffffffffull
#define CR4_FIXED0_VALUE 0x2000ull
#define CR4_FIXED1_VALUE 0x3727ffull

/* Execute-only, 4-level walk, UC and WB, 2 MiB pages, INVEPT, A/D bits,
 * single/all-context INVEPT, INVVPID with all four types. */
#define EPT_VPID_VALUE                                                                   \
    (VMX_EPT_VPID_SUPPORT_EXONLY | (1ull << 6) | (1ull << 8) | (1ull << 14) |            \
     (1ull << 16) | (1ull << 20) | VMX_EPT_VPID_SUPPORT_AD | (1ull << 25) | (1ull << 26) | \
     (1ull << 32) | (0xfull << 40))

/* IA32_VMX_VMCS_ENUM: the highest field index (bits 9:1) of any encoding
 * in the field table. */
static uint64_t vmcs_enum_value(void)
{
    static const uint32_t encodings[] = {
#define ENC_F(name, access, cond, member) name,
#define ENC_H(name) name,
        VMCS_FIELDS(ENC_F, ENC_H)
#undef ENC_F
#undef ENC_H
    };
    uint64_t highest = 0;
    for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++) {
        uint64_t index = (encodings[i] >> 1) & 0x1ff;
        if (index > highest)
            highest = index;
    }
    return highest << 1;
}

static bool raw_capability(hv_vmx_capability_t cap, uint64_t *value)
{
    switch (cap) {
    case HV_VMX_CAP_PINBASED:
    case HV_VMX_CAP_TRUE_PINBASED: *value = CTLS(PIN_ALLOWED0, PIN_ALLOWED1); return true;
    case HV_VMX_CAP_PROCBASED:
    case HV_VMX_CAP_TRUE_PROCBASED:
        *value = CTLS(PROCBASED_ALLOWED0, PROCBASED_ALLOWED1);
        return true;
    case HV_VMX_CAP_PROCBASED2:
        *value = CTLS(PROCBASED2_ALLOWED0, PROCBASED2_ALLOWED1);
        return true;
    case HV_VMX_CAP_ENTRY:
    case HV_VMX_CAP_TRUE_ENTRY: *value = CTLS(ENTRY_ALLOWED0, ENTRY_ALLOWED1); return true;
    case HV_VMX_CAP_EXIT:
    case HV_VMX_CAP_TRUE_EXIT: *value = CTLS(EXIT_ALLOWED0, EXIT_ALLOWED1); return true;
    case HV_VMX_CAP_BASIC: *value = BASIC_VALUE; return true;
    case HV_VMX_CAP_MISC: *value = MISC_VALUE; return true;
    case HV_VMX_CAP_CR0_FIXED0: *value = CR0_FIXED0_VALUE; return true;
    case HV_VMX_CAP_CR0_FIXED1: *value = CR0_FIXED1_VALUE; return true;
    case HV_VMX_CAP_CR4_FIXED0: *value = CR4_FIXED0_VALUE; return true;
    case HV_VMX_CAP_CR4_FIXED1: *value = CR4_FIXED1_VALUE; return true;
    case HV_VMX_CAP_VMCS_ENUM: *value = vmcs_enum_value(); return true;
    case HV_VMX_CAP_EPT_VPID_CAP: *value = EPT_VPID_VALUE; return true;
    case HV_VMX_CAP_PREEMPTION_TIMER: *value = VMX_TIMER_HZ; return true;
    }
    return false;
}

hv_return_t vmx_capability(const struct hv_backend *backend, hv_vmx_capability_t cap,
                           uint64_t *value)
{
    uint64_t word;
    if (value == NULL || !raw_capability(cap, &word))
        return HV_BAD_ARGUMENT;
    if (backend != NULL && backend->filter_capability != NULL)
        backend->filter_capability(cap, &word);
    *value = word;
    return HV_SUCCESS;
}
