/*
 * The VMCS field table: every field encoding of hvf-api.md 4.1, its
 * client accessibility and the struct vmcs member that stores it.
 *
 * One X-macro, expanded by vmcs.c into the lookup index, the read/write
 * code and the answers of hv_vmx_vcpu_get_cap_write_vmcs.  The width of a
 * field is not a column: Intel encodes it in bits 14:13 of the encoding,
 * so it is derived (vmcs_field_width()) rather than repeated.
 *
 * Columns:
 *   F(name, access, cond, member)  a field with storage
 *   H(name)                        a framework-owned field: no storage,
 *                                  read and write fail with HV_BAD_ARGUMENT
 * access: VA_RW      client reads and writes any value of the field's width
 *         VA_RW_COND client writes are checked against (allowed0, allowed1)
 *                    computed for `cond` (vmcs.c: vmcs_write_caps)
 *         VA_RO      client reads only (exit information, TSC offset, APIC
 *                    access address)
 * Aliases (VMCS_GUEST_IGNORE_IRQ == VMCS_GUEST_INTERRUPTIBILITY) appear once.
 */
#ifndef OPENHV_CORE_VMCS_FIELDS_H
#define OPENHV_CORE_VMCS_FIELDS_H

#define VMCS_FIELDS(F, H)                                                        \
    /* 16-bit control */                                                        \
    H(VMCS_VPID)                                                                \
    H(VMCS_CTRL_POSTED_INT_N_VECTOR)                                            \
    H(VMCS_CTRL_EPTP_INDEX)                                                     \
    /* 16-bit guest state */                                                    \
    F(VMCS_GUEST_ES, VA_RW, VC_NONE, guest.seg[SEG_ES].sel)                     \
    F(VMCS_GUEST_CS, VA_RW, VC_NONE, guest.seg[SEG_CS].sel)                     \
    F(VMCS_GUEST_SS, VA_RW, VC_NONE, guest.seg[SEG_SS].sel)                     \
    F(VMCS_GUEST_DS, VA_RW, VC_NONE, guest.seg[SEG_DS].sel)                     \
    F(VMCS_GUEST_FS, VA_RW, VC_NONE, guest.seg[SEG_FS].sel)                     \
    F(VMCS_GUEST_GS, VA_RW, VC_NONE, guest.seg[SEG_GS].sel)                     \
    F(VMCS_GUEST_LDTR, VA_RW, VC_NONE, guest.seg[SEG_LDTR].sel)                 \
    F(VMCS_GUEST_TR, VA_RW, VC_NONE, guest.seg[SEG_TR].sel)                     \
    F(VMCS_GUEST_INT_STATUS, VA_RW, VC_NONE, guest.int_status)                  \
    F(VMCS_GUESTPML_INDEX, VA_RW, VC_NONE, guest.pml_index)                     \
    /* 16-bit host state */                                                     \
    H(VMCS_HOST_ES) H(VMCS_HOST_CS) H(VMCS_HOST_SS) H(VMCS_HOST_DS)             \
    H(VMCS_HOST_FS) H(VMCS_HOST_GS) H(VMCS_HOST_TR)                             \
    /* 64-bit control */                                                        \
    H(VMCS_CTRL_IO_BITMAP_A) H(VMCS_CTRL_IO_BITMAP_B)                           \
    H(VMCS_CTRL_MSR_BITMAPS)                                                    \
    H(VMCS_CTRL_VMEXIT_MSR_STORE_ADDR) H(VMCS_CTRL_VMEXIT_MSR_LOAD_ADDR)        \
    H(VMCS_CTRL_VMENTRY_MSR_LOAD_ADDR)                                          \
    H(VMCS_CTRL_EXECUTIVE_VMCS_PTR) H(VMCS_CTRL_PML_ADDR)                       \
    F(VMCS_CTRL_TSC_OFFSET, VA_RO, VC_NONE, ctl.tsc_offset)                     \
    H(VMCS_CTRL_VIRTUAL_APIC)                                                   \
    F(VMCS_CTRL_APIC_ACCESS, VA_RO, VC_NONE, ctl.apic_access)                   \
    H(VMCS_CTRL_POSTED_INT_DESC_ADDR) H(VMCS_CTRL_VMFUNC_CTRL)                  \
    H(VMCS_CTRL_EPTP)                                                           \
    H(VMCS_CTRL_EOI_EXIT_BITMAP_0) H(VMCS_CTRL_EOI_EXIT_BITMAP_1)               \
    H(VMCS_CTRL_EOI_EXIT_BITMAP_2) H(VMCS_CTRL_EOI_EXIT_BITMAP_3)               \
    H(VMCS_CTRL_EPTP_LIST_ADDR)                                                 \
    H(VMCS_CTRL_VMREAD_BITMAP_ADDR) H(VMCS_CTRL_VMWRITE_BITMAP_ADDR)            \
    H(VMCS_CTRL_VIRT_EXC_INFO_ADDR)                                             \
    F(VMCS_CTRL_XSS_EXITING_BITMAP, VA_RW, VC_NONE, ctl.xss_exiting_bitmap)     \
    H(VMCS_CTRL_ENCLS_EXITING_BITMAP) H(VMCS_CTRL_SPP_TABLE)                    \
    F(VMCS_CTRL_TSC_MULTIPLIER, VA_RO, VC_NONE, ctl.tsc_multiplier)             \
    H(VMCS_CTRL_ENCLV_EXITING_BITMAP)                                           \
    /* 64-bit read-only data */                                                 \
    F(VMCS_GUEST_PHYSICAL_ADDRESS, VA_RO, VC_NONE, exit.guest_physical)         \
    /* 64-bit guest state */                                                    \
    F(VMCS_GUEST_LINK_POINTER, VA_RW, VC_NONE, guest.link_pointer)              \
    F(VMCS_GUEST_IA32_DEBUGCTL, VA_RW, VC_NONE, guest.debugctl)                 \
    F(VMCS_GUEST_IA32_PAT, VA_RW, VC_NONE, guest.pat)                           \
    F(VMCS_GUEST_IA32_EFER, VA_RW, VC_NONE, guest.efer)                         \
    F(VMCS_GUEST_IA32_PERF_GLOBAL_CTRL, VA_RW, VC_NONE, guest.perf_global_ctrl) \
    F(VMCS_GUEST_PDPTE0, VA_RW, VC_NONE, guest.pdpte[0])                        \
    F(VMCS_GUEST_PDPTE1, VA_RW, VC_NONE, guest.pdpte[1])                        \
    F(VMCS_GUEST_PDPTE2, VA_RW, VC_NONE, guest.pdpte[2])                        \
    F(VMCS_GUEST_PDPTE3, VA_RW, VC_NONE, guest.pdpte[3])                        \
    F(VMCS_GUEST_IA32_BNDCFGS, VA_RW, VC_NONE, guest.bndcfgs)                   \
    F(VMCS_GUEST_IA32_RTIT_CTL, VA_RW, VC_NONE, guest.rtit_ctl)                 \
    F(VMCS_GUEST_IA32_PKRS, VA_RW, VC_NONE, guest.pkrs)                         \
    /* 64-bit host state */                                                     \
    H(VMCS_HOST_IA32_PAT) H(VMCS_HOST_IA32_EFER)                                \
    H(VMCS_HOST_IA32_PERF_GLOBAL_CTRL) H(VMCS_HOST_IA32_PKRS)                   \
    /* 32-bit control */                                                        \
    F(VMCS_CTRL_PIN_BASED, VA_RW_COND, VC_PIN, ctl.pin)                         \
    F(VMCS_CTRL_CPU_BASED, VA_RW_COND, VC_CPU, ctl.cpu)                         \
    F(VMCS_CTRL_EXC_BITMAP, VA_RW, VC_NONE, ctl.exc_bitmap)                     \
    F(VMCS_CTRL_PF_ERROR_MASK, VA_RW, VC_NONE, ctl.pf_mask)                     \
    F(VMCS_CTRL_PF_ERROR_MATCH, VA_RW, VC_NONE, ctl.pf_match)                   \
    F(VMCS_CTRL_CR3_COUNT, VA_RW_COND, VC_CR3_COUNT, ctl.cr3_count)             \
    F(VMCS_CTRL_VMEXIT_CONTROLS, VA_RW_COND, VC_EXIT, ctl.exit)                 \
    H(VMCS_CTRL_VMEXIT_MSR_STORE_COUNT) H(VMCS_CTRL_VMEXIT_MSR_LOAD_COUNT)      \
    F(VMCS_CTRL_VMENTRY_CONTROLS, VA_RW_COND, VC_ENTRY, ctl.entry)              \
    H(VMCS_CTRL_VMENTRY_MSR_LOAD_COUNT)                                         \
    F(VMCS_CTRL_VMENTRY_IRQ_INFO, VA_RW, VC_NONE, ctl.entry_irq_info)           \
    F(VMCS_CTRL_VMENTRY_EXC_ERROR, VA_RW, VC_NONE, ctl.entry_exc_error)         \
    F(VMCS_CTRL_VMENTRY_INSTR_LEN, VA_RW, VC_NONE, ctl.entry_instr_len)         \
    F(VMCS_CTRL_TPR_THRESHOLD, VA_RW, VC_NONE, ctl.tpr_threshold)               \
    F(VMCS_CTRL_CPU_BASED2, VA_RW_COND, VC_CPU2, ctl.cpu2)                      \
    F(VMCS_CTRL_PLE_GAP, VA_RW, VC_NONE, ctl.ple_gap)                           \
    F(VMCS_CTRL_PLE_WINDOW, VA_RW, VC_NONE, ctl.ple_window)                     \
    /* 32-bit read-only data */                                                 \
    F(VMCS_RO_INSTR_ERROR, VA_RO, VC_NONE, exit.instr_error)                    \
    F(VMCS_RO_EXIT_REASON, VA_RO, VC_NONE, exit.reason)                         \
    F(VMCS_RO_VMEXIT_IRQ_INFO, VA_RO, VC_NONE, exit.intr_info)                  \
    F(VMCS_RO_VMEXIT_IRQ_ERROR, VA_RO, VC_NONE, exit.intr_error)                \
    F(VMCS_RO_IDT_VECTOR_INFO, VA_RO, VC_NONE, exit.idt_info)                   \
    F(VMCS_RO_IDT_VECTOR_ERROR, VA_RO, VC_NONE, exit.idt_error)                 \
    F(VMCS_RO_VMEXIT_INSTR_LEN, VA_RO, VC_NONE, exit.instr_len)                 \
    F(VMCS_RO_VMX_INSTR_INFO, VA_RO, VC_NONE, exit.instr_info)                  \
    /* 32-bit guest state */                                                    \
    F(VMCS_GUEST_ES_LIMIT, VA_RW, VC_NONE, guest.seg[SEG_ES].limit)             \
    F(VMCS_GUEST_CS_LIMIT, VA_RW, VC_NONE, guest.seg[SEG_CS].limit)             \
    F(VMCS_GUEST_SS_LIMIT, VA_RW, VC_NONE, guest.seg[SEG_SS].limit)             \
    F(VMCS_GUEST_DS_LIMIT, VA_RW, VC_NONE, guest.seg[SEG_DS].limit)             \
    F(VMCS_GUEST_FS_LIMIT, VA_RW, VC_NONE, guest.seg[SEG_FS].limit)             \
    F(VMCS_GUEST_GS_LIMIT, VA_RW, VC_NONE, guest.seg[SEG_GS].limit)             \
    F(VMCS_GUEST_LDTR_LIMIT, VA_RW, VC_NONE, guest.seg[SEG_LDTR].limit)         \
    F(VMCS_GUEST_TR_LIMIT, VA_RW, VC_NONE, guest.seg[SEG_TR].limit)             \
    F(VMCS_GUEST_GDTR_LIMIT, VA_RW, VC_NONE, guest.gdtr_limit)                  \
    F(VMCS_GUEST_IDTR_LIMIT, VA_RW, VC_NONE, guest.idtr_limit)                  \
    F(VMCS_GUEST_ES_AR, VA_RW, VC_NONE, guest.seg[SEG_ES].ar)                   \
    F(VMCS_GUEST_CS_AR, VA_RW, VC_NONE, guest.seg[SEG_CS].ar)                   \
    F(VMCS_GUEST_SS_AR, VA_RW, VC_NONE, guest.seg[SEG_SS].ar)                   \
    F(VMCS_GUEST_DS_AR, VA_RW, VC_NONE, guest.seg[SEG_DS].ar)                   \
    F(VMCS_GUEST_FS_AR, VA_RW, VC_NONE, guest.seg[SEG_FS].ar)                   \
    F(VMCS_GUEST_GS_AR, VA_RW, VC_NONE, guest.seg[SEG_GS].ar)                   \
    F(VMCS_GUEST_LDTR_AR, VA_RW, VC_NONE, guest.seg[SEG_LDTR].ar)               \
    F(VMCS_GUEST_TR_AR, VA_RW, VC_NONE, guest.seg[SEG_TR].ar)                   \
    F(VMCS_GUEST_INTERRUPTIBILITY, VA_RW, VC_NONE, guest.interruptibility)      \
    F(VMCS_GUEST_ACTIVITY_STATE, VA_RW_COND, VC_ACTIVITY, guest.activity)       \
    F(VMCS_GUEST_SMBASE, VA_RW, VC_NONE, guest.smbase)                          \
    F(VMCS_GUEST_IA32_SYSENTER_CS, VA_RW, VC_NONE, guest.sysenter_cs)           \
    F(VMCS_GUEST_VMX_TIMER_VALUE, VA_RW, VC_NONE, guest.vmx_timer)              \
    /* 32-bit host state */                                                     \
    H(VMCS_HOST_IA32_SYSENTER_CS)                                               \
    /* natural-width control */                                                 \
    F(VMCS_CTRL_CR0_MASK, VA_RW, VC_NONE, ctl.cr0_mask)                         \
    F(VMCS_CTRL_CR4_MASK, VA_RW, VC_NONE, ctl.cr4_mask)                         \
    F(VMCS_CTRL_CR0_SHADOW, VA_RW, VC_NONE, ctl.cr0_shadow)                     \
    F(VMCS_CTRL_CR4_SHADOW, VA_RW, VC_NONE, ctl.cr4_shadow)                     \
    F(VMCS_CTRL_CR3_VALUE0, VA_RW, VC_NONE, ctl.cr3_target[0])                  \
    F(VMCS_CTRL_CR3_VALUE1, VA_RW, VC_NONE, ctl.cr3_target[1])                  \
    F(VMCS_CTRL_CR3_VALUE2, VA_RW, VC_NONE, ctl.cr3_target[2])                  \
    F(VMCS_CTRL_CR3_VALUE3, VA_RW, VC_NONE, ctl.cr3_target[3])                  \
    /* natural-width read-only data */                                          \
    F(VMCS_RO_EXIT_QUALIFIC, VA_RO, VC_NONE, exit.qualification)                \
    F(VMCS_RO_IO_RCX, VA_RO, VC_NONE, exit.io_rcx)                              \
    F(VMCS_RO_IO_RSI, VA_RO, VC_NONE, exit.io_rsi)                              \
    F(VMCS_RO_IO_RDI, VA_RO, VC_NONE, exit.io_rdi)                              \
    F(VMCS_RO_IO_RIP, VA_RO, VC_NONE, exit.io_rip)                              \
    F(VMCS_RO_GUEST_LIN_ADDR, VA_RO, VC_NONE, exit.guest_linear)                \
    /* natural-width guest state */                                             \
    F(VMCS_GUEST_CR0, VA_RW_COND, VC_CR0, guest.cr0)                            \
    F(VMCS_GUEST_CR3, VA_RW, VC_NONE, guest.cr3)                                \
    F(VMCS_GUEST_CR4, VA_RW, VC_NONE, guest.cr4)                                \
    F(VMCS_GUEST_ES_BASE, VA_RW, VC_NONE, guest.seg[SEG_ES].base)               \
    F(VMCS_GUEST_CS_BASE, VA_RW, VC_NONE, guest.seg[SEG_CS].base)               \
    F(VMCS_GUEST_SS_BASE, VA_RW, VC_NONE, guest.seg[SEG_SS].base)               \
    F(VMCS_GUEST_DS_BASE, VA_RW, VC_NONE, guest.seg[SEG_DS].base)               \
    F(VMCS_GUEST_FS_BASE, VA_RW, VC_NONE, guest.seg[SEG_FS].base)               \
    F(VMCS_GUEST_GS_BASE, VA_RW, VC_NONE, guest.seg[SEG_GS].base)               \
    F(VMCS_GUEST_LDTR_BASE, VA_RW, VC_NONE, guest.seg[SEG_LDTR].base)           \
    F(VMCS_GUEST_TR_BASE, VA_RW, VC_NONE, guest.seg[SEG_TR].base)               \
    F(VMCS_GUEST_GDTR_BASE, VA_RW, VC_NONE, guest.gdtr_base)                    \
    F(VMCS_GUEST_IDTR_BASE, VA_RW, VC_NONE, guest.idtr_base)                    \
    F(VMCS_GUEST_DR7, VA_RW, VC_NONE, guest.dr[7])                              \
    F(VMCS_GUEST_RSP, VA_RW, VC_NONE, guest.gpr[GPR_RSP])                       \
    F(VMCS_GUEST_RIP, VA_RW, VC_NONE, guest.rip)                                \
    F(VMCS_GUEST_RFLAGS, VA_RW, VC_NONE, guest.rflags)                          \
    F(VMCS_GUEST_DEBUG_EXC, VA_RW, VC_NONE, guest.pending_dbg)                  \
    F(VMCS_GUEST_SYSENTER_ESP, VA_RW, VC_NONE, guest.sysenter_esp)              \
    F(VMCS_GUEST_SYSENTER_EIP, VA_RW, VC_NONE, guest.sysenter_eip)              \
    F(VMCS_GUEST_IA32_S_CET, VA_RW, VC_NONE, guest.s_cet)                       \
    F(VMCS_GUEST_SSP, VA_RW, VC_NONE, guest.ssp)                                \
    F(VMCS_GUEST_IA32_INTR_SSP_TABLE_ADDR, VA_RW, VC_NONE, guest.intr_ssp_table) \
    /* natural-width host state */                                              \
    H(VMCS_HOST_CR0) H(VMCS_HOST_CR3) H(VMCS_HOST_CR4)                          \
    H(VMCS_HOST_FS_BASE) H(VMCS_HOST_GS_BASE) H(VMCS_HOST_TR_BASE)              \
    H(VMCS_HOST_GDTR_BASE) H(VMCS_HOST_IDTR_BASE)                               \
    H(VMCS_HOST_IA32_SYSENTER_ESP) H(VMCS_HOST_IA32_SYSENTER_EIP)               \
    H(VMCS_HOST_RSP) H(VMCS_HOST_RIP)                                           \
    H(VMCS_HOST_IA32_S_CET) H(VMCS_HOST_SSP) H(VMCS_HOST_IA32_INTR_SSP_TABLE_ADDR)

#endif
