/*
 * The MSR table: the one list of MSRs a vCPU can hold.
 *
 *   M(index, name, flags, group, n, storage, check)
 *
 * flags   MF_NATIVE     accepted by hv_vcpu_enable_native_msr (hvf-api.md 5.1)
 *         MF_MANAGED    accepted by hv_vcpu_enable_managed_msr (4.11 / 5.2)
 *         MF_READ_ONLY  the guest may be granted READ only
 *         MF_WRITE_ONLY the guest may be granted WRITE only
 *         MF_NO_NATIVE_WRITE  WRITE may never be granted (client validates)
 * group   binding group of 5.2 (MG_*), with member number n
 * storage VMCS(field): the value is that guest-state field of the VMCS
 *         (vmcs_fields.h), read and written as the field, so a write keeps
 *         only the field's width: SYSENTER_CS has 32 bits, which is what an
 *         Intel VM exit leaves of a wider guest WRMSR.  NO_VMCS: in struct
 *         msr_state (or nowhere: TSC is host TSC + offset)
 * check   what Intel hardware rejects with #GP on WRMSR (SDM vol. 4 table
 *         2-2; the same rules as KVM's kvm_set_msr for an Intel guest);
 *         hv_vcpu_write_msr answers HV_BAD_ARGUMENT for the same values.
 *         MC_NONE: every 64-bit value is kept as written (TSC, STAR,
 *         FMASK: the SDM lists no reserved bits, and Apple's own test
 *         writes FMASK = 0x123456789abcdef0 natively and expects no fault).
 *         MC_CANONICAL: 48-bit canonical (FS/GS/KERNEL_GS base, LSTAR,
 *         CSTAR, SYSENTER_ESP/EIP).  MC_HIGH32_RSVD: bits 63:32 reserved
 *         (TSC_AUX).  MC_EFER, MC_PAT: reserved bits, memory types.
 *
 * Expected to be expanded in msr.c, where VMCS() and NO_VMCS are defined.
 */
#ifndef OPENHV_CORE_MSR_TABLE_H
#define OPENHV_CORE_MSR_TABLE_H

/* Numbered families: MSR_N8(ROW, M) expands ROW(M, 0) .. ROW(M, 7). */
#define MSR_N8(R, M) R(M, 0) R(M, 1) R(M, 2) R(M, 3) R(M, 4) R(M, 5) R(M, 6) R(M, 7)
#define MSR_N32(R, M)                                                                     \
    MSR_N8(R, M) R(M, 8) R(M, 9) R(M, 10) R(M, 11) R(M, 12) R(M, 13) R(M, 14) R(M, 15)    \
    R(M, 16) R(M, 17) R(M, 18) R(M, 19) R(M, 20) R(M, 21) R(M, 22) R(M, 23) R(M, 24)      \
    R(M, 25) R(M, 26) R(M, 27) R(M, 28) R(M, 29) R(M, 30) R(M, 31)

#define MSR_PMC_ROW(M, n)                                                                 \
    M(HV_MSR_IA32_PMC0 + n, "IA32_PMC" #n, MF_MANAGED, MG_PMC, n, NO_VMCS, MC_NONE)
#define MSR_EVNTSEL_ROW(M, n)                                                             \
    M(HV_MSR_IA32_PERFEVNTSEL0 + n, "IA32_PERFEVNTSEL" #n, MF_MANAGED | MF_NO_NATIVE_WRITE, \
      MG_EVNTSEL, n, NO_VMCS, MC_NONE)
#define MSR_APMC_ROW(M, n)                                                                \
    M(HV_MSR_IA32_A_PMC0 + n, "IA32_A_PMC" #n, MF_MANAGED, MG_APMC, n, NO_VMCS, MC_NONE)
#define MSR_LBR_FROM_ROW(M, n)                                                            \
    M(HV_MSR_LASTBRANCH_0_FROM_IP + n, "LASTBRANCH_" #n "_FROM_IP", MF_MANAGED, MG_LBR, 0, \
      NO_VMCS, MC_NONE)
#define MSR_LBR_TO_ROW(M, n)                                                              \
    M(HV_MSR_LASTBRANCH_0_TO_IP + n, "LASTBRANCH_" #n "_TO_IP", MF_MANAGED, MG_LBR, 0,     \
      NO_VMCS, MC_NONE)
#define MSR_LBR_INFO_ROW(M, n)                                                            \
    M(HV_MSR_LASTBRANCH_INFO_0 + n, "LASTBRANCH_INFO_" #n, MF_MANAGED, MG_LBR, 0, NO_VMCS, \
      MC_NONE)

#define MSR_SYSCALL (MF_NATIVE | MF_MANAGED)

#define MSR_TABLE(M)                                                                        \
    M(HV_MSR_IA32_TSC, "IA32_TSC", MSR_SYSCALL, MG_NONE, 0, NO_VMCS, MC_NONE)              \
    M(HV_MSR_IA32_SPEC_CTRL, "IA32_SPEC_CTRL", MF_MANAGED, MG_NONE, 0, NO_VMCS, MC_NONE)   \
    M(HV_MSR_IA32_PRED_CMD, "IA32_PRED_CMD", MF_MANAGED | MF_WRITE_ONLY, MG_NONE, 0,       \
      NO_VMCS, MC_NONE)                                                                     \
    MSR_N8(MSR_PMC_ROW, M)                                                                 \
    M(HV_MSR_IA32_ARCH_CAPABILITIES, "IA32_ARCH_CAPABILITIES", MF_MANAGED | MF_READ_ONLY,  \
      MG_NONE, 0, NO_VMCS, MC_NONE)                                                         \
    M(HV_MSR_IA32_FLUSH_CMD, "IA32_FLUSH_CMD", MF_MANAGED | MF_WRITE_ONLY, MG_NONE, 0,     \
      NO_VMCS, MC_NONE)                                                                     \
    M(HV_MSR_IA32_SYSENTER_CS, "IA32_SYSENTER_CS", MSR_SYSCALL, MG_NONE, 0,                \
      VMCS(VMCS_GUEST_IA32_SYSENTER_CS), MC_NONE)                                                     \
    M(HV_MSR_IA32_SYSENTER_ESP, "IA32_SYSENTER_ESP", MSR_SYSCALL, MG_NONE, 0,              \
      VMCS(VMCS_GUEST_SYSENTER_ESP), MC_CANONICAL)                                               \
    M(HV_MSR_IA32_SYSENTER_EIP, "IA32_SYSENTER_EIP", MSR_SYSCALL, MG_NONE, 0,              \
      VMCS(VMCS_GUEST_SYSENTER_EIP), MC_CANONICAL)                                               \
    MSR_N8(MSR_EVNTSEL_ROW, M)                                                             \
    M(HV_MSR_LBR_SELECT, "LBR_SELECT", MF_MANAGED, MG_LBR, 0, NO_VMCS, MC_NONE)            \
    M(HV_MSR_LASTBRANCH_TOS, "LASTBRANCH_TOS", MF_MANAGED, MG_LBR, 0, NO_VMCS, MC_NONE)    \
    M(HV_MSR_IA32_DEBUGCTL, "IA32_DEBUGCTL", MF_MANAGED, MG_NONE, 0, VMCS(VMCS_GUEST_IA32_DEBUGCTL), \
      MC_NONE)                                                                              \
    M(HV_MSR_LASTINT_FROM_IP, "LASTINT_FROM_IP", MF_MANAGED, MG_LBR, 0, NO_VMCS, MC_NONE)  \
    M(HV_MSR_LASTINT_TO_IP, "LASTINT_TO_IP", MF_MANAGED, MG_LBR, 0, NO_VMCS, MC_NONE)      \
    M(0x277, "IA32_PAT", 0, MG_NONE, 0, VMCS(VMCS_GUEST_IA32_PAT), MC_PAT)                            \
    M(HV_MSR_IA32_FIXED_CTR0, "IA32_FIXED_CTR0", MF_MANAGED, MG_FIXED_CTR, 0, NO_VMCS,     \
      MC_NONE)                                                                              \
    M(HV_MSR_IA32_FIXED_CTR1, "IA32_FIXED_CTR1", MF_MANAGED, MG_FIXED_CTR, 1, NO_VMCS,     \
      MC_NONE)                                                                              \
    M(HV_MSR_IA32_FIXED_CTR2, "IA32_FIXED_CTR2", MF_MANAGED, MG_FIXED_CTR, 2, NO_VMCS,     \
      MC_NONE)                                                                              \
    M(HV_MSR_IA32_FIXED_CTR3, "IA32_FIXED_CTR3", MF_MANAGED, MG_FIXED_CTR, 3, NO_VMCS,     \
      MC_NONE)                                                                              \
    M(HV_MSR_PERF_METRICS, "PERF_METRICS", MF_MANAGED, MG_NONE, 0, NO_VMCS, MC_NONE)       \
    M(HV_MSR_IA32_FIXED_CTR_CTRL, "IA32_FIXED_CTR_CTRL", MF_MANAGED | MF_NO_NATIVE_WRITE,  \
      MG_FIXED_CTRL, 0, NO_VMCS, MC_NONE)                                                   \
    M(HV_MSR_IA32_PERF_GLOBAL_STATUS, "IA32_PERF_GLOBAL_STATUS",                           \
      MF_MANAGED | MF_READ_ONLY, MG_STATUS, 0, NO_VMCS, MC_NONE)                            \
    M(HV_MSR_IA32_PERF_GLOBAL_CTRL, "IA32_PERF_GLOBAL_CTRL",                               \
      MF_MANAGED | MF_NO_NATIVE_WRITE, MG_NONE, 0, VMCS(VMCS_GUEST_IA32_PERF_GLOBAL_CTRL), MC_NONE)  \
    M(HV_MSR_IA32_PERF_GLOBAL_STATUS_RESET, "IA32_PERF_GLOBAL_STATUS_RESET",               \
      MF_MANAGED | MF_WRITE_ONLY, MG_STATUS, 1, NO_VMCS, MC_NONE)                           \
    M(HV_MSR_IA32_PERF_GLOBAL_STATUS_SET, "IA32_PERF_GLOBAL_STATUS_SET",                   \
      MF_MANAGED | MF_WRITE_ONLY, MG_STATUS, 2, NO_VMCS, MC_NONE)                           \
    M(HV_MSR_IA32_PERF_GLOBAL_INUSE, "IA32_PERF_GLOBAL_INUSE", MF_MANAGED | MF_READ_ONLY,  \
      MG_NONE, 0, NO_VMCS, MC_NONE)                                                         \
    MSR_N8(MSR_APMC_ROW, M)                                                                \
    MSR_N32(MSR_LBR_FROM_ROW, M)                                                           \
    MSR_N32(MSR_LBR_TO_ROW, M)                                                             \
    M(HV_MSR_IA32_XSS, "IA32_XSS", MF_MANAGED, MG_NONE, 0, NO_VMCS, MC_NONE)               \
    MSR_N32(MSR_LBR_INFO_ROW, M)                                                           \
    M(HV_MSR_IA32_EFER, "IA32_EFER", MF_MANAGED | MF_NO_NATIVE_WRITE, MG_NONE, 0,          \
      VMCS(VMCS_GUEST_IA32_EFER), MC_EFER)                                                            \
    M(HV_MSR_IA32_STAR, "IA32_STAR", MSR_SYSCALL, MG_NONE, 0, NO_VMCS, MC_NONE)            \
    M(HV_MSR_IA32_LSTAR, "IA32_LSTAR", MSR_SYSCALL, MG_NONE, 0, NO_VMCS, MC_CANONICAL)     \
    M(HV_MSR_IA32_CSTAR, "IA32_CSTAR", MSR_SYSCALL, MG_NONE, 0, NO_VMCS, MC_CANONICAL)     \
    M(HV_MSR_IA32_FMASK, "IA32_FMASK", MSR_SYSCALL, MG_NONE, 0, NO_VMCS, MC_NONE)          \
    M(HV_MSR_IA32_FS_BASE, "IA32_FS_BASE", MSR_SYSCALL, MG_NONE, 0,                        \
      VMCS(VMCS_GUEST_FS_BASE), MC_CANONICAL)                                           \
    M(HV_MSR_IA32_GS_BASE, "IA32_GS_BASE", MSR_SYSCALL, MG_NONE, 0,                        \
      VMCS(VMCS_GUEST_GS_BASE), MC_CANONICAL)                                           \
    M(HV_MSR_IA32_KERNEL_GS_BASE, "IA32_KERNEL_GS_BASE", MSR_SYSCALL, MG_NONE, 0, NO_VMCS, \
      MC_CANONICAL)                                                                         \
    M(HV_MSR_IA32_TSC_AUX, "IA32_TSC_AUX", MSR_SYSCALL, MG_NONE, 0, NO_VMCS, MC_HIGH32_RSVD)

#endif
