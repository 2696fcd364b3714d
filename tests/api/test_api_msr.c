/* API rules: MSRs (native, managed, values), TSC, port-IO notifiers. */
#include <Hypervisor/Hypervisor.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "api_test.h"
#include "core/msr.h"
#include "core/pio.h"
#include "core/vm.h"

static hv_vcpuid_t vcpu;

static const uint32_t native12[] = {
    HV_MSR_IA32_STAR, HV_MSR_IA32_LSTAR, HV_MSR_IA32_CSTAR, HV_MSR_IA32_FMASK,
    HV_MSR_IA32_KERNEL_GS_BASE, HV_MSR_IA32_TSC, HV_MSR_IA32_TSC_AUX, HV_MSR_IA32_SYSENTER_CS,
    HV_MSR_IA32_SYSENTER_ESP, HV_MSR_IA32_SYSENTER_EIP, HV_MSR_IA32_FS_BASE, HV_MSR_IA32_GS_BASE,
};

static uint64_t rd_vmcs(uint32_t field)
{
    uint64_t v = 0;
    hv_vmx_vcpu_read_vmcs(vcpu, field, &v);
    return v;
}

static uint64_t rd_msr(uint32_t msr)
{
    uint64_t v = 0xbad;
    hv_vcpu_read_msr(vcpu, msr, &v);
    return v;
}

static void test_native(void)
{
    bool ok = true;
    for (size_t i = 0; i < 12; i++)
        ok &= hv_vcpu_enable_native_msr(vcpu, native12[i], true) == HV_SUCCESS;
    CHECK("native_the_12", ok);
    CHECK_RET("native_efer", hv_vcpu_enable_native_msr(vcpu, HV_MSR_IA32_EFER, true),
              HV_BAD_ARGUMENT);
    CHECK_RET("native_apic_base", hv_vcpu_enable_native_msr(vcpu, 0x1b, true), HV_BAD_ARGUMENT);
    CHECK_RET("native_pmc0", hv_vcpu_enable_native_msr(vcpu, HV_MSR_IA32_PMC0, true),
              HV_BAD_ARGUMENT);
    CHECK_RET("native_unknown", hv_vcpu_enable_native_msr(vcpu, 0x12345678, true),
              HV_BAD_ARGUMENT);
    CHECK_RET("native_disable", hv_vcpu_enable_native_msr(vcpu, HV_MSR_IA32_STAR, false),
              HV_SUCCESS);
    CHECK_RET("native_disabled_star_not_held", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_STAR, 1),
              HV_BAD_ARGUMENT);
    hv_vcpu_enable_native_msr(vcpu, HV_MSR_IA32_STAR, true);
}

static void test_values(void)
{
    CHECK_RET("star_write", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_STAR, 0x0023001000000000ull),
              HV_SUCCESS);
    CHECK_EQ("star_read", rd_msr(HV_MSR_IA32_STAR), 0x0023001000000000ull);
    CHECK_RET("lstar_canonical", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_LSTAR, 0xffff800000001000ull),
              HV_SUCCESS);
    CHECK_RET("lstar_noncanonical", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_LSTAR, 0x0000800000000000ull),
              HV_BAD_ARGUMENT);
    CHECK_EQ("lstar_unchanged", rd_msr(HV_MSR_IA32_LSTAR), 0xffff800000001000ull);
    CHECK_RET("kgs_noncanonical", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_KERNEL_GS_BASE, 1ull << 60),
              HV_BAD_ARGUMENT);
    CHECK_RET("tsc_aux_upper", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_TSC_AUX, 1ull << 32),
              HV_BAD_ARGUMENT);
    CHECK_RET("tsc_aux", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_TSC_AUX, 7), HV_SUCCESS);
    /* FMASK has no reserved bits (SDM): all 64 are kept. */
    CHECK_RET("fmask_64", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_FMASK, 0x123456789abcdef0ull),
              HV_SUCCESS);
    CHECK_EQ("fmask_64_read", rd_msr(HV_MSR_IA32_FMASK), 0x123456789abcdef0ull);
    /* SYSENTER_CS is a 32-bit VMCS field: bits 63:32 are dropped, no error. */
    CHECK_RET("sysenter_cs_wide", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_SYSENTER_CS, 0x500000008ull),
              HV_SUCCESS);
    CHECK_EQ("sysenter_cs_wide_read", rd_msr(HV_MSR_IA32_SYSENTER_CS), 8);
    CHECK_RET("sysenter_esp_noncanonical",
              hv_vcpu_write_msr(vcpu, HV_MSR_IA32_SYSENTER_ESP, 0x0000800000000000ull), HV_BAD_ARGUMENT);
    CHECK_EQ("tsc_aux_read", rd_msr(HV_MSR_IA32_TSC_AUX), 7);

    /* VMCS-backed MSRs are one storage with their VMCS fields. */
    hv_vcpu_write_msr(vcpu, HV_MSR_IA32_FS_BASE, 0x7000);
    CHECK_EQ("fs_base_msr_to_vmcs", rd_vmcs(VMCS_GUEST_FS_BASE), 0x7000);
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_GS_BASE, 0xffffff8000000000ull);
    CHECK_EQ("gs_base_vmcs_to_msr", rd_msr(HV_MSR_IA32_GS_BASE), 0xffffff8000000000ull);
    CHECK_RET("fs_base_noncanonical", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_FS_BASE, 1ull << 50),
              HV_BAD_ARGUMENT);
    hv_vcpu_write_msr(vcpu, HV_MSR_IA32_SYSENTER_CS, 0x10);
    hv_vcpu_write_msr(vcpu, HV_MSR_IA32_SYSENTER_EIP, 0x401000);
    CHECK("sysenter_msr_to_vmcs", rd_vmcs(VMCS_GUEST_IA32_SYSENTER_CS) == 0x10 &&
                                      rd_vmcs(VMCS_GUEST_SYSENTER_EIP) == 0x401000);

    /* EFER is VMCS-backed though not native-enabled. */
    hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_IA32_EFER, 0x500);
    CHECK_EQ("efer_vmcs_to_msr", rd_msr(HV_MSR_IA32_EFER), 0x500);
    CHECK_RET("efer_msr_write", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_EFER, 0xd01), HV_SUCCESS);
    CHECK_EQ("efer_msr_to_vmcs", rd_vmcs(VMCS_GUEST_IA32_EFER), 0xd01);
    CHECK_RET("efer_reserved_bit", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_EFER, 0x1000),
              HV_BAD_ARGUMENT);
    CHECK_EQ("efer_unchanged", rd_vmcs(VMCS_GUEST_IA32_EFER), 0xd01);
    CHECK_RET("pat_valid", hv_vcpu_write_msr(vcpu, 0x277, 0x0007050600070106ull), HV_SUCCESS);
    CHECK_EQ("pat_in_vmcs", rd_vmcs(VMCS_GUEST_IA32_PAT), 0x0007050600070106ull);
    CHECK_RET("pat_type_2", hv_vcpu_write_msr(vcpu, 0x277, 0x0007040600070402ull), HV_BAD_ARGUMENT);
    CHECK_RET("pat_type_8", hv_vcpu_write_msr(vcpu, 0x277, 0x08ull), HV_BAD_ARGUMENT);

    uint64_t v = 0x5a5a;
    CHECK_RET("unheld_apic_base_read", hv_vcpu_read_msr(vcpu, 0x1b, &v), HV_BAD_ARGUMENT);
    CHECK_EQ("unheld_value_untouched", v, 0x5a5a);
    CHECK_RET("unheld_spec_ctrl_read", hv_vcpu_read_msr(vcpu, HV_MSR_IA32_SPEC_CTRL, &v),
              HV_BAD_ARGUMENT);
    CHECK_RET("unheld_write", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_XSS, 0), HV_BAD_ARGUMENT);
    CHECK_RET("read_msr_null", hv_vcpu_read_msr(vcpu, HV_MSR_IA32_STAR, NULL), HV_BAD_ARGUMENT);
}

static void test_tsc(void)
{
    uint64_t t0 = rd_msr(HV_MSR_IA32_TSC);
    CHECK_RET("tsc_write", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_TSC, 1ull << 50), HV_SUCCESS);
    uint64_t t1 = rd_msr(HV_MSR_IA32_TSC);
    CHECK("tsc_write_sets_guest_tsc", t1 >= (1ull << 50) && t1 - (1ull << 50) < (1ull << 40));
    uint64_t off = rd_vmcs(VMCS_CTRL_TSC_OFFSET);
    uint64_t clock = hv_tsc_clock();
    uint64_t t2 = rd_msr(HV_MSR_IA32_TSC);
    CHECK("tsc_is_clock_plus_offset", t2 - (clock + off) < (1ull << 40));
    CHECK_RET("tsc_relative", hv_vcpu_set_tsc_relative(vcpu, -(int64_t)hv_tsc_clock()), HV_SUCCESS);
    CHECK("tsc_relative_near_zero", rd_msr(HV_MSR_IA32_TSC) < (1ull << 40));
    CHECK_RET("tsc_relative_unknown_vcpu", hv_vcpu_set_tsc_relative(50, 0), HV_BAD_ARGUMENT);
    CHECK_RET("sync_tsc", hv_vm_sync_tsc(1ull << 55), HV_SUCCESS);
    uint64_t t3 = rd_msr(HV_MSR_IA32_TSC);
    CHECK("sync_tsc_sets_guest_tsc", t3 >= (1ull << 55) && t3 - (1ull << 55) < (1ull << 40));
    CHECK("tsc_monotonic_clock", hv_tsc_clock() >= clock && t0 != 0);
}

static void test_managed(void)
{
    CHECK_RET("managed_non_candidate", hv_vcpu_enable_managed_msr(vcpu, 0x1b, true),
              HV_BAD_ARGUMENT);
    CHECK_RET("access_unbound", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_SPEC_CTRL, HV_MSR_READ),
              HV_BAD_ARGUMENT);
    CHECK_RET("bind_spec_ctrl", hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_SPEC_CTRL, true),
              HV_SUCCESS);
    CHECK_RET("bound_spec_ctrl_write", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_SPEC_CTRL, 1),
              HV_SUCCESS);
    CHECK_EQ("bound_spec_ctrl_read", rd_msr(HV_MSR_IA32_SPEC_CTRL), 1);
    CHECK_RET("access_rw", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_SPEC_CTRL,
                                                  HV_MSR_READ | HV_MSR_WRITE), HV_SUCCESS);
    CHECK_RET("access_bad_flags", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_SPEC_CTRL, 4),
              HV_BAD_ARGUMENT);
    CHECK_RET("unbind_spec_ctrl", hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_SPEC_CTRL, false),
              HV_SUCCESS);
    CHECK_RET("unbound_not_held", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_SPEC_CTRL, 0),
              HV_BAD_ARGUMENT);
    CHECK_RET("unbound_access_rejected",
              hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_SPEC_CTRL, HV_MSR_READ), HV_BAD_ARGUMENT);

    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_ARCH_CAPABILITIES, true);
    CHECK_RET("read_only_read", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_ARCH_CAPABILITIES,
                                                       HV_MSR_READ), HV_SUCCESS);
    CHECK_RET("read_only_write", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_ARCH_CAPABILITIES,
                                                        HV_MSR_WRITE), HV_BAD_ARGUMENT);
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_PRED_CMD, true);
    CHECK_RET("write_only_write", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_PRED_CMD,
                                                         HV_MSR_WRITE), HV_SUCCESS);
    CHECK_RET("write_only_read", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_PRED_CMD,
                                                        HV_MSR_READ), HV_BAD_ARGUMENT);

    /* PERFEVNTSELn needs PMCn or A_PMCn, never native write. */
    CHECK_RET("bind_evntsel0", hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_PERFEVNTSEL0, true),
              HV_SUCCESS);
    CHECK_RET("evntsel_without_pmc", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_PERFEVNTSEL0,
                                                            HV_MSR_READ), HV_BAD_ARGUMENT);
    CHECK_RET("bind_a_pmc0", hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_A_PMC0, true),
              HV_SUCCESS);
    CHECK_RET("bind_pmc0_with_a_pmc0", hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_PMC0, true),
              HV_BAD_ARGUMENT);
    CHECK_RET("evntsel_with_a_pmc", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_PERFEVNTSEL0,
                                                           HV_MSR_READ), HV_SUCCESS);
    CHECK_RET("evntsel_native_write", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_PERFEVNTSEL0,
                                                             HV_MSR_READ | HV_MSR_WRITE),
              HV_BAD_ARGUMENT);
    CHECK_RET("evntsel1_other_counter", hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_PERFEVNTSEL0 + 1, true),
              HV_SUCCESS);
    CHECK_RET("evntsel1_needs_pmc1", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_PERFEVNTSEL0 + 1,
                                                            HV_MSR_READ), HV_BAD_ARGUMENT);
    /* Either binding makes both views accessible: one counter. */
    CHECK_RET("a_pmc0_write", hv_vcpu_write_msr(vcpu, HV_MSR_IA32_A_PMC0, 0x123456789ull),
              HV_SUCCESS);
    CHECK_EQ("pmc0_same_counter", rd_msr(HV_MSR_IA32_PMC0), 0x123456789ull);
    CHECK_RET("perf_global_ctrl_native_write",
              (hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_PERF_GLOBAL_CTRL, true),
               hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_PERF_GLOBAL_CTRL, HV_MSR_WRITE)),
              HV_BAD_ARGUMENT);

    /* FIXED_CTR_CTRL needs every FIXED_CTRn. */
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_FIXED_CTR_CTRL, true);
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_FIXED_CTR0, true);
    CHECK_RET("fixed_ctrl_incomplete", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_FIXED_CTR_CTRL,
                                                              HV_MSR_READ), HV_BAD_ARGUMENT);
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_FIXED_CTR1, true);
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_FIXED_CTR2, true);
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_FIXED_CTR3, true);
    CHECK_RET("fixed_ctrl_complete", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_FIXED_CTR_CTRL,
                                                            HV_MSR_READ), HV_SUCCESS);

    /* PERF_GLOBAL_STATUS, _RESET and _SET together. */
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_PERF_GLOBAL_STATUS, true);
    CHECK_RET("status_group_incomplete",
              hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_PERF_GLOBAL_STATUS, HV_MSR_READ),
              HV_BAD_ARGUMENT);
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_PERF_GLOBAL_STATUS_RESET, true);
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_PERF_GLOBAL_STATUS_SET, true);
    CHECK_RET("status_group_complete",
              hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_PERF_GLOBAL_STATUS, HV_MSR_READ), HV_SUCCESS);

    /* LBRs: all or none. */
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_LBR_SELECT, true);
    CHECK_RET("lbr_incomplete", hv_vcpu_set_msr_access(vcpu, HV_MSR_LBR_SELECT, HV_MSR_READ),
              HV_BAD_ARGUMENT);
    bool bound = true;
    for (uint32_t i = 0; i < 32; i++) {
        bound &= hv_vcpu_enable_managed_msr(vcpu, HV_MSR_LASTBRANCH_0_FROM_IP + i, true) == HV_SUCCESS;
        bound &= hv_vcpu_enable_managed_msr(vcpu, HV_MSR_LASTBRANCH_0_TO_IP + i, true) == HV_SUCCESS;
        bound &= hv_vcpu_enable_managed_msr(vcpu, HV_MSR_LASTBRANCH_INFO_0 + i, true) == HV_SUCCESS;
    }
    bound &= hv_vcpu_enable_managed_msr(vcpu, HV_MSR_LASTBRANCH_TOS, true) == HV_SUCCESS;
    bound &= hv_vcpu_enable_managed_msr(vcpu, HV_MSR_LASTINT_FROM_IP, true) == HV_SUCCESS;
    CHECK("lbr_bind_all_but_one", bound);
    CHECK_RET("lbr_still_incomplete", hv_vcpu_set_msr_access(vcpu, HV_MSR_LBR_SELECT, HV_MSR_READ),
              HV_BAD_ARGUMENT);
    hv_vcpu_enable_managed_msr(vcpu, HV_MSR_LASTINT_TO_IP, true);
    CHECK_RET("lbr_complete", hv_vcpu_set_msr_access(vcpu, HV_MSR_LASTBRANCH_31_TO_IP,
                                                     HV_MSR_READ | HV_MSR_WRITE), HV_SUCCESS);

    /* EFER: bindable (Apple lists it), readable natively, never writable. */
    CHECK_RET("efer_managed", hv_vcpu_enable_managed_msr(vcpu, HV_MSR_IA32_EFER, true), HV_SUCCESS);
    CHECK_RET("efer_native_read", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_EFER, HV_MSR_READ),
              HV_SUCCESS);
    CHECK_RET("efer_native_write", hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_EFER, HV_MSR_WRITE),
              HV_BAD_ARGUMENT);
}

static void test_pio(void)
{
    int fds[2];
    if (pipe(fds) != 0) {
        test_skip("pio", "no pipe");
        return;
    }
    /* Keep fd numbers away from 0 (MACH_PORT_NULL). */
    mach_port_t port = (mach_port_t)fds[1];
    CHECK_RET("pio_add", hv_vm_add_pio_notifier(0x80, 1, 0x12, port, HV_ION_NONE), HV_SUCCESS);
    CHECK_RET("pio_add_duplicate", hv_vm_add_pio_notifier(0x80, 1, 0x12, port, HV_ION_NONE),
              HV_BAD_ARGUMENT);
    CHECK_RET("pio_add_other_size", hv_vm_add_pio_notifier(0x80, 2, 0x12, port, HV_ION_NONE),
              HV_SUCCESS);
    CHECK_RET("pio_size_7", hv_vm_add_pio_notifier(0x80, 7, 0, port, HV_ION_NONE), HV_BAD_ARGUMENT);
    CHECK_RET("pio_value_too_wide", hv_vm_add_pio_notifier(0x80, 1, 0xffff, port, HV_ION_NONE),
              HV_BAD_ARGUMENT);
    CHECK_RET("pio_port_null", hv_vm_add_pio_notifier(0x80, 1, 0, MACH_PORT_NULL, HV_ION_NONE),
              HV_BAD_ARGUMENT);
    CHECK_RET("pio_unknown_flags", hv_vm_add_pio_notifier(0x80, 1, 0, port, 0xffff),
              HV_BAD_ARGUMENT);
    CHECK_RET("pio_closed_fd", hv_vm_add_pio_notifier(0x80, 1, 0, 1000, HV_ION_NONE),
              HV_BAD_ARGUMENT);
    CHECK_RET("pio_any_size", hv_vm_add_pio_notifier(0x90, 0, 0, port, HV_ION_ANY_SIZE | HV_ION_ANY_VALUE),
              HV_SUCCESS);
    CHECK_RET("pio_remove_missing", hv_vm_remove_pio_notifier(0x81, 1, 0x12, port, HV_ION_NONE),
              HV_BAD_ARGUMENT);
    CHECK_RET("pio_remove_flags_differ",
              hv_vm_remove_pio_notifier(0x80, 1, 0x12, port, HV_ION_EXIT_FULL), HV_BAD_ARGUMENT);
    CHECK_RET("pio_remove_first", hv_vm_remove_pio_notifier(0x80, 1, 0x12, port, HV_ION_NONE),
              HV_SUCCESS);
    CHECK_RET("pio_remove_first_again", hv_vm_remove_pio_notifier(0x80, 1, 0x12, port, HV_ION_NONE),
              HV_BAD_ARGUMENT);
    CHECK_RET("pio_remove_second", hv_vm_remove_pio_notifier(0x80, 2, 0x12, port, HV_ION_NONE),
              HV_SUCCESS);
    CHECK_RET("pio_remove_any", hv_vm_remove_pio_notifier(0x90, 0, 0, port, HV_ION_ANY_SIZE | HV_ION_ANY_VALUE),
              HV_SUCCESS);

    /* Delivery (the backend's side, pio_notify). */
    struct hv_vm *vm = hv_current_vm;
    hv_vm_add_pio_notifier(0x80, 1, 0x12, port, HV_ION_NONE);
    hv_vm_add_pio_notifier(0x80, 0, 0, port, HV_ION_ANY_SIZE | HV_ION_ANY_VALUE);
    CHECK("pio_notify_nomatch", !pio_notify(vm, 0x81, 1, 0x12));
    CHECK("pio_notify_match", pio_notify(vm, 0x80, 1, 0x12));
    hv_ion_message_t msg[2];
    ssize_t got = read(fds[0], msg, sizeof msg);
    CHECK("pio_all_matching_fire", got == (ssize_t)sizeof msg);
    CHECK("pio_message_fields", msg[0].addr == 0x80 && msg[0].size == 1 && msg[0].value == 0x12);
    CHECK("pio_notify_any", pio_notify(vm, 0x80, 4, 0xdeadbeef));
    got = read(fds[0], msg, sizeof msg);
    CHECK("pio_any_message", got == (ssize_t)sizeof msg[0] && msg[0].size == 4 &&
                                 msg[0].value == 0xdeadbeef);
    /* A full pipe drops the message (no EXIT_FULL), never blocks. */
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    char junk[4096] = { 0 };
    while (write(fds[1], junk, sizeof junk) > 0) {
    }
    fcntl(fds[1], F_SETFL, 0);
    CHECK("pio_full_dropped", pio_notify(vm, 0x80, 1, 0x12));
    hv_vm_add_pio_notifier(0x80, 1, 0x12, port, HV_ION_EXIT_FULL);
    CHECK("pio_full_exit", !pio_notify(vm, 0x80, 1, 0x12));
    close(fds[0]);
    close(fds[1]);
}

/* The MSR table itself: every Apple constant has a row and a name. */
static void test_table(void)
{
    static const uint32_t named[] = {
        HV_MSR_IA32_TSC, HV_MSR_IA32_SPEC_CTRL, HV_MSR_IA32_PRED_CMD, HV_MSR_IA32_PMC0,
        HV_MSR_IA32_PMC7, HV_MSR_IA32_ARCH_CAPABILITIES, HV_MSR_IA32_FLUSH_CMD,
        HV_MSR_IA32_PERFEVNTSEL7, HV_MSR_LBR_SELECT, HV_MSR_IA32_DEBUGCTL, HV_MSR_PERF_METRICS,
        HV_MSR_IA32_PERF_GLOBAL_INUSE, HV_MSR_IA32_A_PMC7, HV_MSR_LASTBRANCH_31_FROM_IP,
        HV_MSR_LASTBRANCH_31_TO_IP, HV_MSR_IA32_XSS, HV_MSR_LASTBRANCH_INFO_31, HV_MSR_IA32_EFER,
        HV_MSR_IA32_TSC_AUX,
    };
    bool ok = true;
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        ok &= msr_row(named[i]) >= 0 && msr_name(named[i]) != NULL;
    CHECK("table_has_apple_msrs", ok);
    CHECK("table_names_expand", msr_name(HV_MSR_LASTBRANCH_0_FROM_IP + 17) != NULL &&
                                    strcmp(msr_name(HV_MSR_LASTBRANCH_0_FROM_IP + 17),
                                           "LASTBRANCH_17_FROM_IP") == 0);
    CHECK("table_unknown", msr_row(0x1b) < 0 && msr_name(0xc0000104) == NULL);
    int rows = 0;
    bool distinct = true;
    for (uint32_t m = 0; m < 0x1000; m++)
        rows += msr_row(m) >= 0;
    for (uint32_t m = 0xc0000000; m < 0xc0001000; m++)
        rows += msr_row(m) >= 0;
    for (uint32_t a = 0x680; a < 0x6a0; a++)
        distinct &= msr_row(a) != msr_row(a + 0x40);
    CHECK_EQ("table_rows", rows, 155);
    CHECK("table_rows_distinct", distinct);
    /* Native guest access as the emulator asks for it. */
    struct hv_vcpu *v = hv_current_vm->vcpus[vcpu];
    CHECK("guest_native_star", msr_guest_native(v, HV_MSR_IA32_STAR, true) &&
                                   msr_guest_native(v, HV_MSR_IA32_STAR, false));
    CHECK("guest_native_efer_read_only", msr_guest_native(v, HV_MSR_IA32_EFER, false) &&
                                             !msr_guest_native(v, HV_MSR_IA32_EFER, true));
    CHECK("guest_native_pmc_unset", !msr_guest_native(v, HV_MSR_IA32_PMC0, false));
    hv_vcpu_set_msr_access(vcpu, HV_MSR_IA32_A_PMC0, HV_MSR_READ);
    CHECK("guest_native_pmc_via_alias", msr_guest_native(v, HV_MSR_IA32_PMC0, false) &&
                                            !msr_guest_native(v, HV_MSR_IA32_PMC0, true));
    CHECK("guest_native_apic_base", !msr_guest_native(v, 0x1b, false));
    CHECK("guest_native_arch_caps", msr_guest_native(v, HV_MSR_IA32_ARCH_CAPABILITIES, false) &&
                                        !msr_guest_native(v, HV_MSR_IA32_ARCH_CAPABILITIES, true));
}

int main(void)
{
    if (hv_vm_create(HV_VM_DEFAULT) != HV_SUCCESS || hv_vcpu_create(&vcpu, HV_VCPU_DEFAULT) != HV_SUCCESS) {
        test_result("setup", false, "cannot create a VM and a vCPU");
        return test_exit();
    }
    test_native();
    test_values();
    test_tsc();
    test_managed();
    test_pio();
    test_table();
    hv_vcpu_destroy(vcpu);
    hv_vm_destroy();
    return test_exit();
}
