/*
 * Unit tests of the VMCS field table (src/core/vmcs.c): every row is found
 * by its encoding, no two fields share storage, widths follow Intel's
 * encoding, and nothing outside the table is found.
 */
#include <Hypervisor/hv_vmx.h>
#include <string.h>

#include "../api/api_test.h"
#include "core/caps.h"
#include "core/vcpu.h"
#include "core/vmcs.h"
#include "core/vmcs_fields.h"

struct row {
    uint32_t field;
    enum vmcs_access access;
};

static const struct row rows[] = {
#define ROW_F(name, acc, cond, member) { name, acc },
#define ROW_H(name) { name, VA_HIDDEN },
    VMCS_FIELDS(ROW_F, ROW_H)
#undef ROW_F
#undef ROW_H
};
#define ROWS (sizeof rows / sizeof rows[0])

static struct hv_vcpu vcpu;   /* vm == NULL: unfiltered capabilities */

static bool in_table(uint32_t field)
{
    for (size_t i = 0; i < ROWS; i++)
        if (rows[i].field == field)
            return true;
    return false;
}

int main(void)
{
    bool ok = true;
    for (size_t i = 0; i < ROWS; i++)
        ok &= vmcs_field_known(rows[i].field) && vmcs_field_access(rows[i].field) == rows[i].access;
    CHECK("every_row_found_with_its_access", ok);

    /* Exhaustive over the 15-bit encoding space plus a few wide values. */
    size_t found = 0;
    bool only_table = true;
    for (uint32_t f = 0; f < 0x8000; f++) {
        if (vmcs_field_known(f)) {
            found++;
            only_table &= in_table(f);
        }
    }
    CHECK_EQ("found_count_equals_rows", found, ROWS);
    CHECK("nothing_outside_table", only_table);
    CHECK("wide_encodings_unknown", !vmcs_field_known(0x10000 | VMCS_GUEST_RIP) &&
                                        !vmcs_field_known(0x80000000u | VMCS_GUEST_RIP));

    CHECK("width_16", vmcs_field_width(VMCS_GUEST_CS) == 16 && vmcs_field_width(VMCS_VPID) == 16);
    CHECK("width_32", vmcs_field_width(VMCS_CTRL_PIN_BASED) == 32 &&
                          vmcs_field_width(VMCS_GUEST_CS_AR) == 32);
    CHECK("width_64", vmcs_field_width(VMCS_GUEST_IA32_EFER) == 64 &&
                          vmcs_field_width(VMCS_CTRL_EPTP) == 64);
    CHECK("width_natural", vmcs_field_width(VMCS_GUEST_RIP) == 64);

    /* Storage: each plain RW field holds a full-width value of its own. */
    vcpu_init_state(&vcpu, NULL);
    uint64_t seed = 0x0123456789abcdefull;
    size_t rw = 0;
    for (size_t i = 0; i < ROWS; i++) {
        if (rows[i].access != VA_RW)
            continue;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        ok = vmcs_write(&vcpu, rows[i].field, seed ^ i) == HV_SUCCESS;
        if (!ok)
            break;
        rw++;
    }
    CHECK("rw_writes", ok && rw > 60);
    seed = 0x0123456789abcdefull;
    bool no_alias = true;
    for (size_t i = 0; i < ROWS; i++) {
        if (rows[i].access != VA_RW)
            continue;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        unsigned w = vmcs_field_width(rows[i].field);
        uint64_t mask = w == 64 ? UINT64_MAX : (1ull << w) - 1, v = 0;
        vmcs_read(&vcpu, rows[i].field, &v);
        if (v != ((seed ^ i) & mask)) {
            char name[64];
            snprintf(name, sizeof name, "storage_of_%#x", rows[i].field);
            test_result(name, false, "value overwritten or truncated below the field width");
            no_alias = false;
        }
    }
    CHECK("no_two_fields_share_storage", no_alias);

    /* The register views coincide with the VMCS fields they name. */
    vmcs_write(&vcpu, VMCS_GUEST_RSP, 0x1122);
    CHECK_EQ("rsp_is_gpr", vcpu.vmcs.guest.gpr[GPR_RSP], 0x1122);
    vmcs_write(&vcpu, VMCS_GUEST_FS_BASE, 0x3344);
    CHECK_EQ("fs_base_is_segment", vcpu.vmcs.guest.seg[SEG_FS].base, 0x3344);

    /* Conditional fields: the control words against the capabilities. */
    uint64_t cap = 0, a0 = 0, a1 = 0;
    vmx_capability(NULL, HV_VMX_CAP_PROCBASED2, &cap);
    CHECK("cap_write_matches_capability",
          vmcs_get_cap_write(&vcpu, VMCS_CTRL_CPU_BASED2, &a0, &a1) == HV_SUCCESS &&
              a0 == (cap & 0xffffffff) && a1 == cap >> 32);
    CHECK_RET("hidden_cap_write", vmcs_get_cap_write(&vcpu, VMCS_CTRL_EPTP, &a0, &a1),
              HV_BAD_ARGUMENT);
    CHECK_RET("write_ro", vmcs_write(&vcpu, VMCS_RO_EXIT_REASON, 1), HV_BAD_ARGUMENT);
    vcpu.vmcs.exit.reason = 48;
    uint64_t reason = 0;
    CHECK("read_ro", vmcs_read(&vcpu, VMCS_RO_EXIT_REASON, &reason) == HV_SUCCESS && reason == 48);
    return test_exit();
}
