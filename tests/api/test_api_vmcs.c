/* API rules: VMCS fields by class, capabilities, registers, fpstate. */
#include <Hypervisor/Hypervisor.h>
#include <string.h>

#include "api_test.h"

static hv_vcpuid_t vcpu;

static const uint32_t rw_fields[] = {
    VMCS_GUEST_ES, VMCS_GUEST_CS, VMCS_GUEST_SS, VMCS_GUEST_DS, VMCS_GUEST_FS, VMCS_GUEST_GS,
    VMCS_GUEST_LDTR, VMCS_GUEST_TR, VMCS_GUEST_IA32_EFER, VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE3,
    VMCS_GUEST_IA32_DEBUGCTL, VMCS_GUEST_IA32_PAT, VMCS_CTRL_EXC_BITMAP, VMCS_CTRL_PF_ERROR_MASK,
    VMCS_CTRL_PF_ERROR_MATCH, VMCS_CTRL_VMENTRY_IRQ_INFO, VMCS_CTRL_VMENTRY_EXC_ERROR,
    VMCS_CTRL_VMENTRY_INSTR_LEN, VMCS_CTRL_TPR_THRESHOLD, VMCS_CTRL_PLE_GAP,
    VMCS_CTRL_PLE_WINDOW, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_TR_LIMIT, VMCS_GUEST_GDTR_LIMIT,
    VMCS_GUEST_IDTR_LIMIT, VMCS_GUEST_CS_AR, VMCS_GUEST_TR_AR, VMCS_GUEST_INTERRUPTIBILITY,
    VMCS_GUEST_IA32_SYSENTER_CS, VMCS_CTRL_CR0_MASK, VMCS_CTRL_CR4_MASK, VMCS_CTRL_CR0_SHADOW,
    VMCS_CTRL_CR4_SHADOW, VMCS_CTRL_CR3_VALUE0, VMCS_CTRL_CR3_VALUE3, VMCS_GUEST_CR3,
    VMCS_GUEST_CR4, VMCS_GUEST_ES_BASE, VMCS_GUEST_GS_BASE, VMCS_GUEST_TR_BASE,
    VMCS_GUEST_GDTR_BASE, VMCS_GUEST_IDTR_BASE, VMCS_GUEST_DR7, VMCS_GUEST_RSP, VMCS_GUEST_RIP,
    VMCS_GUEST_RFLAGS, VMCS_GUEST_DEBUG_EXC, VMCS_GUEST_SYSENTER_ESP, VMCS_GUEST_SYSENTER_EIP,
    VMCS_GUEST_IA32_S_CET, VMCS_GUEST_SSP, VMCS_GUEST_IA32_INTR_SSP_TABLE_ADDR,
};

static const uint32_t ro_fields[] = {
    VMCS_CTRL_TSC_OFFSET, VMCS_CTRL_APIC_ACCESS, VMCS_GUEST_PHYSICAL_ADDRESS,
    VMCS_RO_INSTR_ERROR, VMCS_RO_EXIT_REASON, VMCS_RO_VMEXIT_IRQ_INFO, VMCS_RO_VMEXIT_IRQ_ERROR,
    VMCS_RO_IDT_VECTOR_INFO, VMCS_RO_IDT_VECTOR_ERROR, VMCS_RO_VMEXIT_INSTR_LEN,
    VMCS_RO_VMX_INSTR_INFO, VMCS_RO_EXIT_QUALIFIC, VMCS_RO_IO_RCX, VMCS_RO_IO_RSI,
    VMCS_RO_IO_RDI, VMCS_RO_IO_RIP, VMCS_RO_GUEST_LIN_ADDR,
};

static const uint32_t hidden_fields[] = {
    VMCS_VPID, VMCS_CTRL_POSTED_INT_N_VECTOR, VMCS_CTRL_EPTP_INDEX, VMCS_HOST_ES, VMCS_HOST_TR,
    VMCS_CTRL_IO_BITMAP_A, VMCS_CTRL_MSR_BITMAPS, VMCS_CTRL_VMEXIT_MSR_STORE_ADDR,
    VMCS_CTRL_VMENTRY_MSR_LOAD_ADDR, VMCS_CTRL_VIRTUAL_APIC, VMCS_CTRL_POSTED_INT_DESC_ADDR,
    VMCS_CTRL_EPTP, VMCS_CTRL_EOI_EXIT_BITMAP_0, VMCS_CTRL_VMREAD_BITMAP_ADDR,
    VMCS_CTRL_ENCLV_EXITING_BITMAP, VMCS_HOST_IA32_PAT, VMCS_HOST_IA32_EFER, VMCS_HOST_IA32_PKRS,
    VMCS_CTRL_VMEXIT_MSR_STORE_COUNT, VMCS_CTRL_VMENTRY_MSR_LOAD_COUNT,
    VMCS_HOST_IA32_SYSENTER_CS, VMCS_HOST_CR0, VMCS_HOST_RSP, VMCS_HOST_RIP, VMCS_HOST_SSP,
    VMCS_HOST_IA32_INTR_SSP_TABLE_ADDR,
};

static const uint32_t unknown_fields[] = {
    VMCS_MAX, 0x2816 /* Intel GUEST_IA32_LBR_CTL: no Apple name */, 0x6801 /* high half */,
    0x4001, 0x6c1e, 0x1000, 0xffffffff, 0x00010800,
};

static uint64_t width_mask(uint32_t field)
{
    switch ((field >> 13) & 3) {
    case 0: return 0xffff;
    case 2: return 0xffffffff;
    default: return UINT64_MAX;
    }
}

static char name_buf[128];
static const char *name_of(const char *what, uint32_t field)
{
    snprintf(name_buf, sizeof name_buf, "%s_%#x", what, field);
    return name_buf;
}

static uint64_t rd(uint32_t field)
{
    uint64_t v = 0xbadbadbad;
    hv_vmx_vcpu_read_vmcs(vcpu, field, &v);
    return v;
}

static void test_field_classes(void)
{
    const uint64_t pattern = 0x8765432187654321ull;
    for (size_t i = 0; i < sizeof rw_fields / sizeof rw_fields[0]; i++) {
        uint32_t f = rw_fields[i];
        bool ok = hv_vmx_vcpu_write_vmcs(vcpu, f, pattern) == HV_SUCCESS &&
                  rd(f) == (pattern & width_mask(f)) &&
                  hv_vmx_vcpu_write_vmcs(vcpu, f, 0) == HV_SUCCESS && rd(f) == 0;
        test_result(name_of("rw_roundtrip_truncated", f), ok, "write/read mismatch");
    }
    for (size_t i = 0; i < sizeof ro_fields / sizeof ro_fields[0]; i++) {
        uint32_t f = ro_fields[i];
        uint64_t before = rd(f), v = 1;
        bool ok = hv_vmx_vcpu_read_vmcs(vcpu, f, &v) == HV_SUCCESS &&
                  hv_vmx_vcpu_write_vmcs(vcpu, f, before + 0x1000) == HV_BAD_ARGUMENT &&
                  rd(f) == before;
        test_result(name_of("ro_readable_not_writable", f), ok, "RO rule broken");
    }
    for (size_t i = 0; i < sizeof hidden_fields / sizeof hidden_fields[0]; i++) {
        uint32_t f = hidden_fields[i];
        uint64_t v = 0x5555, a0, a1;
        bool ok = hv_vmx_vcpu_read_vmcs(vcpu, f, &v) == HV_BAD_ARGUMENT && v == 0x5555 &&
                  hv_vmx_vcpu_write_vmcs(vcpu, f, 0) == HV_BAD_ARGUMENT &&
                  hv_vmx_vcpu_get_cap_write_vmcs(vcpu, f, &a0, &a1) == HV_BAD_ARGUMENT;
        test_result(name_of("hidden_inaccessible", f), ok, "hidden field accessible");
    }
    for (size_t i = 0; i < sizeof unknown_fields / sizeof unknown_fields[0]; i++) {
        uint32_t f = unknown_fields[i];
        uint64_t v = 0x5555;
        bool ok = hv_vmx_vcpu_read_vmcs(vcpu, f, &v) == HV_BAD_ARGUMENT && v == 0x5555 &&
                  hv_vmx_vcpu_write_vmcs(vcpu, f, 0) == HV_BAD_ARGUMENT;
        test_result(name_of("unknown_rejected", f), ok, "unknown field accepted");
    }
    CHECK_RET("read_vmcs_null", hv_vmx_vcpu_read_vmcs(vcpu, VMCS_GUEST_RIP, NULL), HV_BAD_ARGUMENT);
    CHECK_EQ("alias_ignore_irq", VMCS_GUEST_IGNORE_IRQ, VMCS_GUEST_INTERRUPTIBILITY);
}

static uint64_t cap(hv_vmx_capability_t c)
{
    uint64_t v = 0;
    hv_vmx_read_capability(c, &v);
    return v;
}

static uint64_t cap2ctrl(hv_vmx_capability_t c, uint64_t want)
{
    uint64_t v = cap(c);
    return (want | (v & 0xffffffff)) & (v >> 32);
}

static void test_capabilities(void)
{
    static const hv_vmx_capability_t all[] = {
        HV_VMX_CAP_PINBASED, HV_VMX_CAP_PROCBASED, HV_VMX_CAP_PROCBASED2, HV_VMX_CAP_ENTRY,
        HV_VMX_CAP_EXIT, HV_VMX_CAP_BASIC, HV_VMX_CAP_TRUE_PINBASED, HV_VMX_CAP_TRUE_PROCBASED,
        HV_VMX_CAP_TRUE_ENTRY, HV_VMX_CAP_TRUE_EXIT, HV_VMX_CAP_MISC, HV_VMX_CAP_CR0_FIXED0,
        HV_VMX_CAP_CR0_FIXED1, HV_VMX_CAP_CR4_FIXED0, HV_VMX_CAP_CR4_FIXED1,
        HV_VMX_CAP_VMCS_ENUM, HV_VMX_CAP_EPT_VPID_CAP, HV_VMX_CAP_PREEMPTION_TIMER,
    };
    bool all_ok = true;
    uint64_t v;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        all_ok &= hv_vmx_read_capability(all[i], &v) == HV_SUCCESS;
    CHECK("cap_all_known_readable", all_ok);
    CHECK_RET("cap_unknown_17", hv_vmx_read_capability((hv_vmx_capability_t)17, &v),
              HV_BAD_ARGUMENT);
    CHECK_RET("cap_unknown_33", hv_vmx_read_capability((hv_vmx_capability_t)33, &v),
              HV_BAD_ARGUMENT);
    CHECK_RET("cap_null", hv_vmx_read_capability(HV_VMX_CAP_PINBASED, NULL), HV_BAD_ARGUMENT);

    static const hv_vmx_capability_t ctls[] = {
        HV_VMX_CAP_PINBASED, HV_VMX_CAP_PROCBASED, HV_VMX_CAP_PROCBASED2, HV_VMX_CAP_ENTRY,
        HV_VMX_CAP_EXIT,
    };
    bool subset = true;
    for (size_t i = 0; i < 5; i++)
        subset &= ((cap(ctls[i]) & 0xffffffff) & ~(cap(ctls[i]) >> 32)) == 0;
    CHECK("cap_allowed0_within_allowed1", subset);
    CHECK_EQ("cap_pin_forced", cap(HV_VMX_CAP_PINBASED) & 0xffffffff, 0x3f);
    CHECK_EQ("cap_proc_forced", cap(HV_VMX_CAP_PROCBASED) & 0xffffffff, 0xb5186dfa);
    CHECK_EQ("cap_proc2_forced", cap(HV_VMX_CAP_PROCBASED2) & 0xffffffff, 0xaa);
    CHECK("cap_proc2_unrestricted_ept",
          (cap2ctrl(HV_VMX_CAP_PROCBASED2, 0) & (CPU_BASED2_EPT | CPU_BASED2_UNRESTRICTED)) ==
              (CPU_BASED2_EPT | CPU_BASED2_UNRESTRICTED));
    CHECK("cap_no_shadow_vmcs",
          (cap(HV_VMX_CAP_PROCBASED2) & ((uint64_t)CPU_BASED2_VMCS_SHADOW << 32)) == 0);
    CHECK("cap_entry_ia32e_allowed", (cap(HV_VMX_CAP_ENTRY) >> 32) & VMENTRY_GUEST_IA32E);
    CHECK("cap_exit_host_ia32e_forced", cap(HV_VMX_CAP_EXIT) & VMEXIT_HOST_IA32E);
    CHECK("cap_true_equals_plain",
          cap(HV_VMX_CAP_TRUE_PINBASED) == cap(HV_VMX_CAP_PINBASED) &&
              cap(HV_VMX_CAP_TRUE_PROCBASED) == cap(HV_VMX_CAP_PROCBASED) &&
              cap(HV_VMX_CAP_TRUE_ENTRY) == cap(HV_VMX_CAP_ENTRY) &&
              cap(HV_VMX_CAP_TRUE_EXIT) == cap(HV_VMX_CAP_EXIT));
    CHECK("cap_basic_true_ctls", cap(HV_VMX_CAP_BASIC) & VMX_BASIC_TRUE_CTLS);
    CHECK_EQ("cap_cr0_fixed0", cap(HV_VMX_CAP_CR0_FIXED0), 0x80000021);
    CHECK_EQ("cap_cr4_fixed0", cap(HV_VMX_CAP_CR4_FIXED0), 0x2000);
    CHECK("cap_vmcs_enum_covers_fields", cap(HV_VMX_CAP_VMCS_ENUM) >= ((0x682c >> 1) & 0x1ff) << 1);
    CHECK("cap_preemption_timer_hz", cap(HV_VMX_CAP_PREEMPTION_TIMER) >= 1000000);
}

static void test_controls(void)
{
    static const struct { const char *name; uint32_t field; hv_vmx_capability_t cap; } c[] = {
        { "pin", VMCS_CTRL_PIN_BASED, HV_VMX_CAP_PINBASED },
        { "proc", VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED },
        { "proc2", VMCS_CTRL_CPU_BASED2, HV_VMX_CAP_PROCBASED2 },
        { "entry", VMCS_CTRL_VMENTRY_CONTROLS, HV_VMX_CAP_ENTRY },
        { "exit", VMCS_CTRL_VMEXIT_CONTROLS, HV_VMX_CAP_EXIT },
    };
    char name[96];
    for (size_t i = 0; i < 5; i++) {
        uint64_t word = cap(c[i].cap), a0 = word & 0xffffffff, a1 = word >> 32;
        snprintf(name, sizeof name, "ctl_%s_default_is_allowed0", c[i].name);
        CHECK_EQ(name, rd(c[i].field), a0);
        uint64_t all = cap2ctrl(c[i].cap, 0xffffffff);
        snprintf(name, sizeof name, "ctl_%s_cap2ctrl_all", c[i].name);
        CHECK(name, hv_vmx_vcpu_write_vmcs(vcpu, c[i].field, all) == HV_SUCCESS &&
                        rd(c[i].field) == all);
        uint64_t outside = ~a1 & 0xffffffff;
        if (outside) {
            uint64_t bad = all | (outside & -outside);
            snprintf(name, sizeof name, "ctl_%s_bit_outside_allowed1", c[i].name);
            CHECK(name, hv_vmx_vcpu_write_vmcs(vcpu, c[i].field, bad) == HV_BAD_ARGUMENT &&
                            rd(c[i].field) == all);
        }
        /* Clearing one forced bit other than the CR8 ones (the quirk). */
        uint64_t forced = a0 & ~(uint64_t)(CPU_BASED_CR8_LOAD | CPU_BASED_CR8_STORE);
        if (forced) {
            uint64_t bad = all & ~(forced & -forced);
            snprintf(name, sizeof name, "ctl_%s_forced_bit_cleared", c[i].name);
            CHECK(name, hv_vmx_vcpu_write_vmcs(vcpu, c[i].field, bad) == HV_BAD_ARGUMENT &&
                            rd(c[i].field) == all);
        }
        uint64_t a0_got, a1_got;
        snprintf(name, sizeof name, "ctl_%s_get_cap_write", c[i].name);
        CHECK(name, hv_vmx_vcpu_get_cap_write_vmcs(vcpu, c[i].field, &a0_got, &a1_got) ==
                            HV_SUCCESS && a0_got == a0 && a1_got == a1);
        hv_vmx_vcpu_write_vmcs(vcpu, c[i].field, a0);
    }
    /* CR8 quirk: a primary-controls write with neither CR8 exiting nor TPR
     * shadow is ignored and reported as success. */
    uint64_t before = rd(VMCS_CTRL_CPU_BASED);
    uint64_t quirk = before & ~(uint64_t)(CPU_BASED_CR8_LOAD | CPU_BASED_CR8_STORE |
                                          CPU_BASED_TPR_SHADOW);
    quirk |= CPU_BASED_RDTSC;
    CHECK_RET("cr8_quirk_success", hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_CPU_BASED, quirk),
              HV_SUCCESS);
    CHECK_EQ("cr8_quirk_value_kept", rd(VMCS_CTRL_CPU_BASED), before);
    uint64_t half = before & ~(uint64_t)CPU_BASED_CR8_STORE;
    CHECK_RET("cr8_half_rejected", hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_CPU_BASED, half),
              HV_BAD_ARGUMENT);
}

static void test_conditional_fields(void)
{
    uint64_t a0, a1;
    CHECK_RET("cr0_plain", hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_CR0, 0x80000031), HV_SUCCESS);
    CHECK_RET("cr0_cd_rejected", hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_CR0, 0x40000031),
              HV_BAD_ARGUMENT);
    CHECK_RET("cr0_nw_rejected", hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_CR0, 0x20000031),
              HV_BAD_ARGUMENT);
    CHECK_EQ("cr0_unchanged_after_reject", rd(VMCS_GUEST_CR0), 0x80000031);
    CHECK("cr0_cap_write", hv_vmx_vcpu_get_cap_write_vmcs(vcpu, VMCS_GUEST_CR0, &a0, &a1) ==
                                   HV_SUCCESS && a0 == 0 && (a1 & (3ull << 29)) == 0 &&
                                   (a1 & 0x80000031) == 0x80000031);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_CR0, 0x20);

    CHECK_RET("activity_hlt", hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_ACTIVITY_STATE, 1),
              HV_SUCCESS);
    CHECK_RET("activity_shutdown_rejected",
              hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_ACTIVITY_STATE, 2), HV_BAD_ARGUMENT);
    CHECK_RET("activity_sipi_rejected", hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_ACTIVITY_STATE, 3),
              HV_BAD_ARGUMENT);
    CHECK_EQ("activity_unchanged_after_reject", rd(VMCS_GUEST_ACTIVITY_STATE), 1);
    CHECK_RET("activity_active", hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_ACTIVITY_STATE, 0),
              HV_SUCCESS);
    CHECK_RET("cr3_count_4", hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_CR3_COUNT, 4), HV_SUCCESS);
    CHECK_RET("cr3_count_5", hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_CR3_COUNT, 5), HV_BAD_ARGUMENT);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_CTRL_CR3_COUNT, 0);

    CHECK("cap_write_rw_natural", hv_vmx_vcpu_get_cap_write_vmcs(vcpu, VMCS_GUEST_RIP, &a0, &a1) ==
                                          HV_SUCCESS && a0 == 0 && a1 == UINT64_MAX);
    CHECK("cap_write_rw_16", hv_vmx_vcpu_get_cap_write_vmcs(vcpu, VMCS_GUEST_CS, &a0, &a1) ==
                                     HV_SUCCESS && a0 == 0 && a1 == 0xffff);
    CHECK_RET("cap_write_ro", hv_vmx_vcpu_get_cap_write_vmcs(vcpu, VMCS_RO_EXIT_REASON, &a0, &a1),
              HV_BAD_ARGUMENT);
    CHECK_RET("cap_write_null", hv_vmx_vcpu_get_cap_write_vmcs(vcpu, VMCS_GUEST_RIP, NULL, &a1),
              HV_BAD_ARGUMENT);
}

static uint64_t reg(hv_x86_reg_t r)
{
    uint64_t v = 0xbadbadbad;
    hv_vcpu_read_register(vcpu, r, &v);
    return v;
}

static void test_defaults(void)
{
    CHECK_EQ("default_cs_ar", rd(VMCS_GUEST_CS_AR), 0x9b);
    CHECK_EQ("default_cs_limit", rd(VMCS_GUEST_CS_LIMIT), 0xffff);
    CHECK_EQ("default_cs_base", rd(VMCS_GUEST_CS_BASE), 0);
    CHECK_EQ("default_ds_ar", rd(VMCS_GUEST_DS_AR), 0x93);
    CHECK_EQ("default_ss_ar", rd(VMCS_GUEST_SS_AR), 0x93);
    CHECK_EQ("default_ldtr_ar", rd(VMCS_GUEST_LDTR_AR), 0x10000);
    CHECK_EQ("default_tr_ar", rd(VMCS_GUEST_TR_AR), 0x83);
    CHECK_EQ("default_gdtr_limit", rd(VMCS_GUEST_GDTR_LIMIT), 0xffff);
    CHECK_EQ("default_rflags", rd(VMCS_GUEST_RFLAGS), 2);
    CHECK_EQ("default_cr0", rd(VMCS_GUEST_CR0), 0x20);
    CHECK_EQ("default_cr4", rd(VMCS_GUEST_CR4), 0x2000);
    CHECK_EQ("default_cr0_mask", rd(VMCS_CTRL_CR0_MASK), 0);
    CHECK_EQ("default_dr7", rd(VMCS_GUEST_DR7), 0x400);
    CHECK_EQ("default_dr6", reg(HV_X86_DR6), 0xffff0ff0);
    CHECK_EQ("default_pat", rd(VMCS_GUEST_IA32_PAT), 0x0007040600070406ull);
    CHECK_EQ("default_link_pointer", rd(VMCS_GUEST_LINK_POINTER), UINT64_MAX);
    CHECK_EQ("default_xcr0", reg(HV_X86_XCR0), 1);
    CHECK_EQ("default_efer", rd(VMCS_GUEST_IA32_EFER), 0);
    CHECK_EQ("default_activity", rd(VMCS_GUEST_ACTIVITY_STATE), 0);
}

static void test_registers(void)
{
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_RIP, 0x1234);
    CHECK_EQ("reg_rip_from_vmcs", reg(HV_X86_RIP), 0x1234);
    hv_vcpu_write_register(vcpu, HV_X86_RSP, 0x7ff0);
    CHECK_EQ("reg_rsp_to_vmcs", rd(VMCS_GUEST_RSP), 0x7ff0);
    hv_vcpu_write_register(vcpu, HV_X86_RFLAGS, 0x202);
    CHECK_EQ("reg_rflags_to_vmcs", rd(VMCS_GUEST_RFLAGS), 0x202);
    hv_vcpu_write_register(vcpu, HV_X86_DS, 0x12345);
    CHECK_EQ("reg_ds_selector_16bit", rd(VMCS_GUEST_DS), 0x2345);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_GS, 0x28);
    CHECK_EQ("reg_gs_from_vmcs", reg(HV_X86_GS), 0x28);
    hv_vcpu_write_register(vcpu, HV_X86_IDT_BASE, 0xfffff000);
    hv_vcpu_write_register(vcpu, HV_X86_IDT_LIMIT, 0x1ff);
    CHECK("reg_idt_to_vmcs", rd(VMCS_GUEST_IDTR_BASE) == 0xfffff000 &&
                                 rd(VMCS_GUEST_IDTR_LIMIT) == 0x1ff);
    hv_vcpu_write_register(vcpu, HV_X86_GDT_BASE, 0x5000);
    CHECK_EQ("reg_gdt_to_vmcs", rd(VMCS_GUEST_GDTR_BASE), 0x5000);
    hv_vcpu_write_register(vcpu, HV_X86_LDT_AR, 0x82);
    hv_vcpu_write_register(vcpu, HV_X86_LDT_BASE, 0x9000);
    hv_vcpu_write_register(vcpu, HV_X86_LDT_LIMIT, 0x77);
    hv_vcpu_write_register(vcpu, HV_X86_LDTR, 0x40);
    CHECK("reg_ldt_to_vmcs", rd(VMCS_GUEST_LDTR_AR) == 0x82 && rd(VMCS_GUEST_LDTR_BASE) == 0x9000 &&
                                 rd(VMCS_GUEST_LDTR_LIMIT) == 0x77 && rd(VMCS_GUEST_LDTR) == 0x40);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_TR_AR, 0x8b);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_TR_BASE, 0x3000);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_TR_LIMIT, 0x67);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_TR, 0x30);
    CHECK("reg_tss_from_vmcs", reg(HV_X86_TSS_AR) == 0x8b && reg(HV_X86_TSS_BASE) == 0x3000 &&
                                   reg(HV_X86_TSS_LIMIT) == 0x67 && reg(HV_X86_TR) == 0x30);
    hv_vcpu_write_register(vcpu, HV_X86_CR0, 0x80000031);
    CHECK_EQ("reg_cr0_plain_write", rd(VMCS_GUEST_CR0), 0x80000031);
    hv_vcpu_write_register(vcpu, HV_X86_CR3, 0x10000);
    CHECK_EQ("reg_cr3_to_vmcs", rd(VMCS_GUEST_CR3), 0x10000);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_CR4, 0x2020);
    CHECK_EQ("reg_cr4_from_vmcs", reg(HV_X86_CR4), 0x2020);
    hv_vcpu_write_register(vcpu, HV_X86_DR7, 0x401);
    CHECK_EQ("reg_dr7_to_vmcs", rd(VMCS_GUEST_DR7), 0x401);

    static const hv_x86_reg_t gprs[] = {
        HV_X86_RAX, HV_X86_RCX, HV_X86_RDX, HV_X86_RBX, HV_X86_RSI, HV_X86_RDI, HV_X86_RBP,
        HV_X86_R8, HV_X86_R9, HV_X86_R10, HV_X86_R11, HV_X86_R12, HV_X86_R13, HV_X86_R14,
        HV_X86_R15, HV_X86_CR2, HV_X86_DR0, HV_X86_DR3, HV_X86_DR6, HV_X86_TPR,
    };
    bool distinct = true;
    for (size_t i = 0; i < sizeof gprs / sizeof gprs[0]; i++)
        hv_vcpu_write_register(vcpu, gprs[i], 0x1111111111111111ull * (i + 1));
    for (size_t i = 0; i < sizeof gprs / sizeof gprs[0]; i++)
        distinct &= reg(gprs[i]) == 0x1111111111111111ull * (i + 1);
    CHECK("reg_gprs_distinct_storage", distinct);
    CHECK_EQ("reg_rsp_not_clobbered", rd(VMCS_GUEST_RSP), 0x7ff0);

    CHECK_RET("reg_cr1_write_ignored", hv_vcpu_write_register(vcpu, HV_X86_CR1, 5), HV_SUCCESS);
    CHECK_EQ("reg_cr1_reads_0", reg(HV_X86_CR1), 0);
    uint64_t v = 9;
    CHECK_RET("reg_unknown_read", hv_vcpu_read_register(vcpu, HV_X86_REGISTERS_MAX, &v),
              HV_BAD_ARGUMENT);
    CHECK_EQ("reg_unknown_value_untouched", v, 9);
    CHECK_RET("reg_unknown_write", hv_vcpu_write_register(vcpu, (hv_x86_reg_t)1000, 0),
              HV_BAD_ARGUMENT);
    CHECK_RET("reg_read_null", hv_vcpu_read_register(vcpu, HV_X86_RAX, NULL), HV_BAD_ARGUMENT);

    CHECK_RET("xcr0_avx", hv_vcpu_write_register(vcpu, HV_X86_XCR0, 7), HV_SUCCESS);
    CHECK_EQ("xcr0_avx_value", reg(HV_X86_XCR0), 7);
    CHECK_RET("xcr0_mpx_dropped", hv_vcpu_write_register(vcpu, HV_X86_XCR0, 0x1b), HV_SUCCESS);
    CHECK_EQ("xcr0_mpx_dropped_value", reg(HV_X86_XCR0), 3);
    CHECK_RET("xcr0_no_x87", hv_vcpu_write_register(vcpu, HV_X86_XCR0, 6), HV_BAD_ARGUMENT);
    CHECK_RET("xcr0_avx_without_sse", hv_vcpu_write_register(vcpu, HV_X86_XCR0, 5),
              HV_BAD_ARGUMENT);
    CHECK_EQ("xcr0_unchanged_after_reject", reg(HV_X86_XCR0), 3);
}

static void test_fpstate(void)
{
    static _Alignas(64) uint8_t area[4096], area2[4096];
    uint16_t fcw;
    uint32_t mxcsr;
    CHECK_RET("fpstate_read", hv_vcpu_read_fpstate(vcpu, area, sizeof area), HV_SUCCESS);
    memcpy(&fcw, area, 2);
    memcpy(&mxcsr, area + 24, 4);
    CHECK("fpstate_default_fcw_mxcsr", fcw == 0x37f && mxcsr == 0x1f80);
    CHECK_RET("fpstate_read_null", hv_vcpu_read_fpstate(vcpu, NULL, 4096), HV_BAD_ARGUMENT);
    CHECK_RET("fpstate_read_small", hv_vcpu_read_fpstate(vcpu, area, 831), HV_BAD_ARGUMENT);
    CHECK_RET("fpstate_read_min", hv_vcpu_read_fpstate(vcpu, area, 832), HV_SUCCESS);
    area[32] = 0x42;                      /* ST0 byte */
    CHECK_RET("fpstate_write", hv_vcpu_write_fpstate(vcpu, area, sizeof area), HV_SUCCESS);
    hv_vcpu_read_fpstate(vcpu, area2, sizeof area2);
    CHECK("fpstate_roundtrip", memcmp(area, area2, sizeof area) == 0);
    uint32_t bad = 0x10000 | 0x1f80;
    memcpy(area + 24, &bad, 4);
    area[32] = 0x43;
    CHECK_RET("fpstate_bad_mxcsr", hv_vcpu_write_fpstate(vcpu, area, sizeof area), HV_BAD_ARGUMENT);
    memcpy(area + 24, &mxcsr, 4);
    area[512] = 0x1f;                      /* XSTATE_BV with MPX bits */
    CHECK_RET("fpstate_bad_xstate_bv", hv_vcpu_write_fpstate(vcpu, area, sizeof area),
              HV_BAD_ARGUMENT);
    hv_vcpu_read_fpstate(vcpu, area, sizeof area);
    CHECK("fpstate_unchanged_after_reject", area[32] == 0x42);
    CHECK_RET("fpstate_write_small", hv_vcpu_write_fpstate(vcpu, area, 100), HV_BAD_ARGUMENT);
}

static void test_misc(void)
{
    uint64_t v = 0, a0, a1;
    uint32_t st = 5;
    (void)a0;
    (void)a1;
    CHECK_RET("apic_address_unaligned", hv_vmx_vcpu_set_apic_address(vcpu, 0xfee00010),
              HV_BAD_ARGUMENT);
    CHECK_RET("apic_address", hv_vmx_vcpu_set_apic_address(vcpu, 0xfee00000), HV_SUCCESS);
    CHECK_EQ("apic_address_in_vmcs", rd(VMCS_CTRL_APIC_ACCESS), 0xfee00000);
    CHECK_RET("apic_address_space_default",
              hv_vmx_vcpu_set_apic_address_space(vcpu, HV_VM_SPACE_DEFAULT, 0xfec00000), HV_SUCCESS);
    CHECK_EQ("apic_address_space_in_vmcs", rd(VMCS_CTRL_APIC_ACCESS), 0xfec00000);
    CHECK_RET("shadow_read", hv_vmx_vcpu_read_shadow_vmcs(vcpu, VMCS_GUEST_RIP, &v), HV_UNSUPPORTED);
    CHECK_RET("shadow_write", hv_vmx_vcpu_write_shadow_vmcs(vcpu, VMCS_GUEST_RIP, 0), HV_UNSUPPORTED);
    CHECK_RET("shadow_access_bad_flags", hv_vmx_vcpu_set_shadow_access(vcpu, VMCS_GUEST_RIP, 4),
              HV_BAD_ARGUMENT);
    CHECK_RET("shadow_access", hv_vmx_vcpu_set_shadow_access(vcpu, VMCS_GUEST_RIP, 3),
              HV_UNSUPPORTED);
    CHECK_RET("flush_unsupported", hv_vcpu_flush(vcpu), HV_UNSUPPORTED);
    CHECK_RET("invalidate_tlb", hv_vcpu_invalidate_tlb(vcpu), HV_SUCCESS);
    CHECK_RET("vmx_status_never_failed", hv_vcpu_vmx_status(vcpu, &st), HV_ERROR);
    CHECK_EQ("vmx_status_untouched", st, 5);
    CHECK_RET("exec_time", hv_vcpu_get_exec_time(vcpu, &v), HV_SUCCESS);
    CHECK_RET("idle_time", hv_vcpu_get_idle_time(vcpu, &v), HV_SUCCESS);
    CHECK_EQ("idle_time_zero", v, 0);
    CHECK_RET("exec_time_null", hv_vcpu_get_exec_time(vcpu, NULL), HV_BAD_ARGUMENT);
    bool info_ok = true;
    for (uint64_t i = 0; i <= HV_VMX_NEED_MSR_IA32_SPEC_CTRL; i++)
        info_ok &= hv_vmx_get_msr_info(i, &v) == HV_SUCCESS;
    CHECK("msr_info_all", info_ok);
    CHECK_RET("msr_info_unknown", hv_vmx_get_msr_info(9, &v), HV_BAD_ARGUMENT);
    hv_vm_exitinfo_t info = 0;
    CHECK_RET("exit_info_vmx", hv_vcpu_exit_info(vcpu, &info), HV_SUCCESS);
    CHECK_EQ("exit_info_value", info, HV_VM_EXITINFO_VMX);
    uint32_t data;
    CHECK_RET("apic_read_unsupported", hv_vcpu_apic_read(vcpu, 0x20, &data), HV_UNSUPPORTED);
    CHECK_RET("apic_read_null", hv_vcpu_apic_read(vcpu, 0x20, NULL), HV_BAD_ARGUMENT);
    CHECK_RET("apic_bus_freq_range", hv_vm_set_apic_bus_freq(1000), HV_BAD_ARGUMENT);
    CHECK_RET("ioapic_assert_unsupported", hv_vm_ioapic_assert_irq(3), HV_UNSUPPORTED);
}

int main(void)
{
    if (hv_vm_create(HV_VM_DEFAULT) != HV_SUCCESS || hv_vcpu_create(&vcpu, HV_VCPU_DEFAULT) != HV_SUCCESS) {
        test_result("setup", false, "cannot create a VM and a vCPU");
        return test_exit();
    }
    test_defaults();
    test_capabilities();
    test_field_classes();
    test_controls();
    test_conditional_fields();
    test_registers();
    test_fpstate();
    test_misc();
    hv_vcpu_destroy(vcpu);
    hv_vm_destroy();
    return test_exit();
}
