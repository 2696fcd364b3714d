/* API rules: VM lifecycle, capabilities, memory, address spaces, allocation. */
#include <Hypervisor/Hypervisor.h>
#include <Hypervisor/openhv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "api_test.h"

#define P 4096ull

static void test_no_vm(void)
{
    uint64_t x = 7;
    hv_vcpuid_t id;
    CHECK_RET("novm_destroy", hv_vm_destroy(), HV_NO_DEVICE);
    CHECK_RET("novm_vcpu_create", hv_vcpu_create(&id, HV_VCPU_DEFAULT), HV_NO_DEVICE);
    CHECK_RET("novm_map", hv_vm_map((void *)0x10000, 0, P, HV_MEMORY_READ), HV_NO_DEVICE);
    CHECK_RET("novm_read_vmcs", hv_vmx_vcpu_read_vmcs(0, VMCS_GUEST_RIP, &x), HV_NO_DEVICE);
    CHECK_EQ("novm_read_vmcs_value_untouched", x, 7);
    CHECK_RET("novm_sync_tsc", hv_vm_sync_tsc(0), HV_NO_DEVICE);
    CHECK_RET("novm_space_create", hv_vm_space_create(&id), HV_NO_DEVICE);
    CHECK_RET("novm_capability_works", hv_capability(HV_CAP_VCPUMAX, &x), HV_SUCCESS);
    CHECK_RET("novm_read_capability_works", hv_vmx_read_capability(HV_VMX_CAP_PINBASED, &x),
              HV_SUCCESS);
    CHECK("novm_backend_name", strncmp(openhv_backend_name(), "none", 4) == 0);
}

static void test_create_flags(void)
{
    CHECK_RET("create_unknown_flag", hv_vm_create(1ull << 5), HV_BAD_ARGUMENT);
    CHECK_RET("create_high_flag", hv_vm_create(1ull << 40), HV_BAD_ARGUMENT);
    /* The in-kernel controllers run on either backend; OPENHV_BACKEND=kvm
     * refuses the flag only where KVM lacks the split irqchip (or is absent),
     * and auto then takes the emulator. */
    const char *backend = getenv("OPENHV_BACKEND");
    if (backend != NULL && strcmp(backend, "kvm") == 0) {
        hv_return_t r = hv_vm_create(HV_VM_ACCEL_APIC);
        CHECK("create_accel_apic_kvm", r == HV_SUCCESS || r == HV_UNSUPPORTED || r == HV_NO_DEVICE);
        if (r == HV_SUCCESS) {
            CHECK("create_accel_apic_on_kvm", strncmp(openhv_backend_name(), "kvm", 3) == 0);
            CHECK_RET("destroy_accel_apic", hv_vm_destroy(), HV_SUCCESS);
        }
    } else {
        CHECK_RET("create_accel_apic", hv_vm_create(HV_VM_ACCEL_APIC), HV_SUCCESS);
        bool emu = strncmp(openhv_backend_name(), "emu", 3) == 0;
        bool kvm = strncmp(openhv_backend_name(), "kvm", 3) == 0;
        CHECK("create_accel_apic_backend", backend != NULL && strcmp(backend, "emu") == 0 ? emu : emu || kvm);
        CHECK_RET("destroy_accel_apic", hv_vm_destroy(), HV_SUCCESS);
    }
    CHECK_RET("create_failures_leave_no_vm", hv_vm_destroy(), HV_NO_DEVICE);
    CHECK_RET("create_mitigations",
              hv_vm_create(HV_VM_SPECIFY_MITIGATIONS | HV_VM_MITIGATION_A_ENABLE |
                           HV_VM_MITIGATION_B_ENABLE | HV_VM_MITIGATION_C_ENABLE |
                           HV_VM_MITIGATION_D_ENABLE | HV_VM_MITIGATION_E_ENABLE),
              HV_SUCCESS);
    CHECK_RET("create_second_vm", hv_vm_create(HV_VM_DEFAULT), HV_BUSY);
    CHECK_RET("destroy_mitigation_vm", hv_vm_destroy(), HV_SUCCESS);
}

static void test_backend_choice(void)
{
    setenv("OPENHV_BACKEND", "bogus", 1);
    CHECK_RET("backend_unknown_name", hv_vm_create(HV_VM_DEFAULT), HV_BAD_ARGUMENT);
    setenv("OPENHV_BACKEND", "kvm", 1);
    hv_return_t r = hv_vm_create(HV_VM_DEFAULT);
    CHECK("backend_kvm_works_or_no_device", r == HV_SUCCESS || r == HV_NO_DEVICE);
    if (r == HV_SUCCESS)
        hv_vm_destroy();
    setenv("OPENHV_BACKEND", "emu", 1);
    CHECK_RET("backend_emu", hv_vm_create(HV_VM_DEFAULT), HV_SUCCESS);
    CHECK("backend_emu_named", strncmp(openhv_backend_name(), "emu", 3) == 0);
    hv_vm_destroy();
    unsetenv("OPENHV_BACKEND");
}

static void test_capability(void)
{
    uint64_t x = 0;
    CHECK_RET("cap_vcpumax", hv_capability(HV_CAP_VCPUMAX, &x), HV_SUCCESS);
    CHECK("cap_vcpumax_value", x >= 8);
    CHECK_RET("cap_spaces", hv_capability(HV_CAP_ADDRSPACEMAX, &x), HV_SUCCESS);
    CHECK("cap_spaces_value", x >= 2);
    CHECK_RET("cap_unknown", hv_capability(2, &x), HV_BAD_ARGUMENT);
    CHECK_RET("cap_null", hv_capability(HV_CAP_VCPUMAX, NULL), HV_BAD_ARGUMENT);
}

static void test_lifecycle(uint8_t *mem)
{
    hv_vcpuid_t id = 99;
    CHECK_RET("vm_create", hv_vm_create(HV_VM_DEFAULT), HV_SUCCESS);
    CHECK("backend_name", strncmp(openhv_backend_name(), "none", 4) != 0);
    CHECK_RET("vcpu_create", hv_vcpu_create(&id, HV_VCPU_DEFAULT), HV_SUCCESS);
    CHECK_EQ("vcpu_first_id", id, 0);
    CHECK_RET("destroy_with_live_vcpu", hv_vm_destroy(), HV_BUSY);
    uint64_t rip;
    CHECK_RET("vm_survives_busy_destroy", hv_vcpu_read_register(id, HV_X86_RIP, &rip), HV_SUCCESS);
    CHECK_RET("vcpu_destroy", hv_vcpu_destroy(id), HV_SUCCESS);
    CHECK_RET("vcpu_destroy_twice", hv_vcpu_destroy(id), HV_BAD_ARGUMENT);
    CHECK_RET("map_before_destroy", hv_vm_map(mem, 0, 4 * P, HV_MEMORY_READ), HV_SUCCESS);
    CHECK_RET("destroy_with_mappings", hv_vm_destroy(), HV_SUCCESS);
    CHECK_RET("create_again", hv_vm_create(HV_VM_DEFAULT), HV_SUCCESS);
    CHECK_RET("new_vm_has_no_old_mappings", hv_vm_map(mem, 0, 4 * P, HV_MEMORY_READ), HV_SUCCESS);
}

static void test_map_rules(uint8_t *mem, uint8_t *hole)
{
    const uint64_t all = HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC;
    /* An unaligned uva maps the page holding it (Apple's on-demand paging). */
    CHECK_RET("map_uva_unaligned", hv_vm_map(mem + 1, 0x100000, P, all), HV_SUCCESS);
    CHECK_RET("map_uva_unaligned_covers_one_page", hv_vm_map(mem, 0x100000, P, all),
              HV_BAD_ARGUMENT);
    CHECK_RET("map_uva_unaligned_unmap", hv_vm_unmap(0x100000, P), HV_SUCCESS);
    CHECK_RET("map_uva_in_page_zero", hv_vm_map((void *)(uintptr_t)0x10, 0x100000, P, all),
              HV_BAD_ARGUMENT);
    CHECK_RET("map_uva_unaligned_host_unmapped", hv_vm_map(hole + 0x10, 0x100000, P, all),
              HV_BAD_ARGUMENT);
    CHECK_RET("map_gpa_unaligned", hv_vm_map(mem, 0x100001, P, all), HV_BAD_ARGUMENT);
    CHECK_RET("map_size_unaligned", hv_vm_map(mem, 0x100000, P + 1, all), HV_BAD_ARGUMENT);
    CHECK_RET("map_size_zero", hv_vm_map(mem, 0x100000, 0, all), HV_BAD_ARGUMENT);
    CHECK_RET("map_null_uva", hv_vm_map(NULL, 0x100000, P, all), HV_BAD_ARGUMENT);
    CHECK_RET("map_flag_uexec", hv_vm_map(mem, 0x100000, P, HV_MEMORY_UEXEC), HV_BAD_ARGUMENT);
    CHECK_RET("map_flag_unknown", hv_vm_map(mem, 0x100000, P, 1ull << 20), HV_BAD_ARGUMENT);
    CHECK_RET("map_beyond_gpa_limit", hv_vm_map(mem, 1ull << 39, P, all), HV_BAD_ARGUMENT);
    CHECK_RET("map_straddles_gpa_limit", hv_vm_map(mem, (1ull << 39) - P, 2 * P, all),
              HV_BAD_ARGUMENT);
    CHECK_RET("map_gpa_wraps", hv_vm_map(mem, UINT64_MAX & ~(P - 1), 2 * P, all),
              HV_BAD_ARGUMENT);
    CHECK_RET("map_host_unmapped", hv_vm_map(hole, 0x100000, P, all), HV_BAD_ARGUMENT);
    CHECK_RET("map_host_partly_unmapped", hv_vm_map(hole - P, 0x100000, 2 * P, all),
              HV_BAD_ARGUMENT);
    mprotect(mem + 9 * P, P, PROT_READ);
    CHECK_RET("map_host_readonly_for_write", hv_vm_map(mem + 9 * P, 0x100000, P, all),
              HV_BAD_ARGUMENT);
    CHECK_RET("map_host_readonly_for_read", hv_vm_map(mem + 9 * P, 0x100000, P,
                                                      HV_MEMORY_READ | HV_MEMORY_EXEC), HV_SUCCESS);
    CHECK_RET("protect_beyond_host_readonly", hv_vm_protect(0x100000, P, HV_MEMORY_WRITE),
              HV_BAD_ARGUMENT);
    CHECK_RET("protect_within_host_readonly", hv_vm_protect(0x100000, P, HV_MEMORY_READ),
              HV_SUCCESS);
    CHECK_RET("map_host_readonly_unmap", hv_vm_unmap(0x100000, P), HV_SUCCESS);
    mprotect(mem + 10 * P, P, PROT_NONE);
    CHECK_RET("map_host_prot_none", hv_vm_map(mem + 10 * P, 0x100000, P, HV_MEMORY_READ),
              HV_BAD_ARGUMENT);
    CHECK_RET("map_host_prot_none_flags_zero", hv_vm_map(mem + 10 * P, 0x100000, P, 0), HV_SUCCESS);
    CHECK_RET("map_host_prot_none_unmap", hv_vm_unmap(0x100000, P), HV_SUCCESS);
    CHECK_RET("map_flags_zero", hv_vm_map(mem + 8 * P, 0x200000, P, 0), HV_SUCCESS);
    /* From test_lifecycle: [0, 4P) is mapped. */
    CHECK_RET("map_overlap", hv_vm_map(mem, 3 * P, 2 * P, all), HV_BAD_ARGUMENT);
    CHECK_RET("map_overlap_same", hv_vm_map(mem, 0, 4 * P, all), HV_BAD_ARGUMENT);
    /* The failed maps above changed nothing: [4P, 8P) is still free. */
    CHECK_RET("map_failures_changed_nothing", hv_vm_map(mem + 4 * P, 4 * P, 4 * P, all),
              HV_SUCCESS);
}

/* Splits are observable only through later calls: the map is [0, 8P). */
static void test_splits(uint8_t *mem)
{
    CHECK_RET("protect_unaligned", hv_vm_protect(P + 1, P, HV_MEMORY_READ), HV_BAD_ARGUMENT);
    CHECK_RET("protect_unknown_flag", hv_vm_protect(0, P, 1ull << 9), HV_BAD_ARGUMENT);
    CHECK_RET("protect_unmapped", hv_vm_protect(16 * P, P, HV_MEMORY_READ), HV_BAD_ARGUMENT);
    CHECK_RET("protect_partly_unmapped", hv_vm_protect(6 * P, 4 * P, HV_MEMORY_READ),
              HV_BAD_ARGUMENT);
    CHECK_RET("protect_one_page", hv_vm_protect(2 * P, P, HV_MEMORY_READ | HV_MEMORY_WRITE),
              HV_SUCCESS);
    CHECK_RET("protect_across_two_ranges", hv_vm_protect(3 * P, 2 * P, HV_MEMORY_READ),
              HV_SUCCESS);
    CHECK_RET("unmap_middle_page", hv_vm_unmap(5 * P, P), HV_SUCCESS);
    CHECK_RET("unmap_hole_again", hv_vm_unmap(5 * P, P), HV_BAD_ARGUMENT);
    CHECK_RET("unmap_across_hole", hv_vm_unmap(4 * P, 2 * P), HV_BAD_ARGUMENT);
    CHECK_RET("protect_across_hole", hv_vm_protect(4 * P, 3 * P, HV_MEMORY_READ),
              HV_BAD_ARGUMENT);
    CHECK_RET("remap_hole", hv_vm_map(mem + 20 * P, 5 * P, P, HV_MEMORY_READ), HV_SUCCESS);
    CHECK_RET("unmap_all_pieces", hv_vm_unmap(0, 8 * P), HV_SUCCESS);
    CHECK_RET("unmap_all_again", hv_vm_unmap(0, P), HV_BAD_ARGUMENT);
    CHECK_RET("unmap_unaligned", hv_vm_unmap(1, P), HV_BAD_ARGUMENT);
    CHECK_RET("unmap_zero", hv_vm_unmap(0x200000, 0), HV_BAD_ARGUMENT);
    CHECK_RET("unmap_flags_zero_mapping", hv_vm_unmap(0x200000, P), HV_SUCCESS);
}

static void test_spaces(uint8_t *mem)
{
    hv_vm_space_t s1 = 0, s2 = 0, s3 = 0;
    CHECK_RET("space_create_null", hv_vm_space_create(NULL), HV_BAD_ARGUMENT);
    CHECK_RET("space_create", hv_vm_space_create(&s1), HV_SUCCESS);
    CHECK_EQ("space_first_id", s1, 1);
    CHECK_RET("space_create_2", hv_vm_space_create(&s2), HV_SUCCESS);
    CHECK_EQ("space_second_id", s2, 2);
    CHECK_RET("space_map", hv_vm_map_space(s1, mem, 0, 2 * P, HV_MEMORY_READ), HV_SUCCESS);
    CHECK_RET("space_is_separate", hv_vm_map(mem, 0, 2 * P, HV_MEMORY_READ), HV_SUCCESS);
    CHECK_RET("space_map_uva_unaligned",
              hv_vm_map_space(s1, mem + 3 * P + 0x321, 4 * P, P, HV_MEMORY_READ), HV_SUCCESS);
    CHECK_RET("space_map_uva_unaligned_unmap", hv_vm_unmap_space(s1, 4 * P, P), HV_SUCCESS);
    CHECK_RET("space_protect", hv_vm_protect_space(s1, P, P, HV_MEMORY_WRITE), HV_SUCCESS);
    CHECK_RET("space_unmap", hv_vm_unmap_space(s1, 0, P), HV_SUCCESS);
    CHECK_RET("space_unknown_map", hv_vm_map_space(5, mem, 0, P, HV_MEMORY_READ),
              HV_BAD_ARGUMENT);
    CHECK_RET("space_out_of_range_map", hv_vm_map_space(1000, mem, 0, P, HV_MEMORY_READ),
              HV_BAD_ARGUMENT);
    CHECK_RET("space_destroy_default", hv_vm_space_destroy(HV_VM_SPACE_DEFAULT),
              HV_BAD_ARGUMENT);
    CHECK_RET("space_destroy_unknown", hv_vm_space_destroy(6), HV_BAD_ARGUMENT);
    CHECK_RET("space_destroy_with_mapping", hv_vm_space_destroy(s1), HV_SUCCESS);
    CHECK_RET("space_destroyed_rejects_map", hv_vm_map_space(s1, mem, 0, P, HV_MEMORY_READ),
              HV_BAD_ARGUMENT);
    CHECK_RET("space_reuses_lowest", hv_vm_space_create(&s3), HV_SUCCESS);
    CHECK_EQ("space_reused_id", s3, 1);
    CHECK_RET("space_reused_is_empty", hv_vm_map_space(s3, mem, 0, 2 * P, HV_MEMORY_READ),
              HV_SUCCESS);

    hv_vcpuid_t v;
    CHECK_RET("space_vcpu_create", hv_vcpu_create(&v, HV_VCPU_DEFAULT), HV_SUCCESS);
    CHECK_RET("space_set_unknown", hv_vcpu_set_space(v, 6), HV_BAD_ARGUMENT);
    CHECK_RET("space_set", hv_vcpu_set_space(v, s2), HV_SUCCESS);
    CHECK_RET("space_destroy_in_use", hv_vm_space_destroy(s2), HV_BUSY);
    CHECK_RET("space_set_default", hv_vcpu_set_space(v, HV_VM_SPACE_DEFAULT), HV_SUCCESS);
    CHECK_RET("space_destroy_after_release", hv_vm_space_destroy(s2), HV_SUCCESS);
    CHECK_RET("space_apic_address_space_unknown",
              hv_vmx_vcpu_set_apic_address_space(v, s2, 0xfee00000), HV_BAD_ARGUMENT);
    CHECK_RET("space_vcpu_destroy", hv_vcpu_destroy(v), HV_SUCCESS);

    uint64_t max = 0;
    hv_capability(HV_CAP_ADDRSPACEMAX, &max);
    hv_vm_space_t s;
    unsigned created = 0;
    while (created < 64 && hv_vm_space_create(&s) == HV_SUCCESS)
        created++;
    CHECK_EQ("space_limit_matches_capability", created + 2, max); /* + default + s3 */
    CHECK_RET("space_full", hv_vm_space_create(&s), HV_NO_RESOURCES);
    hv_vm_unmap(0, 2 * P);
}

static void test_allocate(void)
{
    void *p = NULL;
    void **volatile no_out = NULL;   /* a variable: the parameter is _Nonnull */
    CHECK_RET("alloc_null", hv_vm_allocate(no_out, P, HV_ALLOCATE_DEFAULT), HV_BAD_ARGUMENT);
    CHECK_RET("alloc_unaligned", hv_vm_allocate(&p, P + 1, HV_ALLOCATE_DEFAULT), HV_BAD_ARGUMENT);
    CHECK_RET("alloc_zero", hv_vm_allocate(&p, 0, HV_ALLOCATE_DEFAULT), HV_BAD_ARGUMENT);
    CHECK_RET("alloc_flags", hv_vm_allocate(&p, P, 1), HV_BAD_ARGUMENT);
    CHECK_RET("alloc", hv_vm_allocate(&p, 4 * P, HV_ALLOCATE_DEFAULT), HV_SUCCESS);
    CHECK("alloc_aligned_and_zero", p != NULL && ((uintptr_t)p & (P - 1)) == 0 &&
                                        ((uint8_t *)p)[4 * P - 1] == 0);
    CHECK_RET("alloc_mappable", hv_vm_map(p, 0x300000, 4 * P, HV_MEMORY_READ), HV_SUCCESS);
    CHECK_RET("dealloc_while_mapped", hv_vm_deallocate(p, 4 * P), HV_BUSY);
    CHECK_RET("alloc_unmap", hv_vm_unmap(0x300000, 4 * P), HV_SUCCESS);
    CHECK_RET("dealloc_wrong_size", hv_vm_deallocate(p, P), HV_BAD_ARGUMENT);
    uint8_t foreign[1];
    CHECK_RET("dealloc_foreign", hv_vm_deallocate(foreign, P), HV_BAD_ARGUMENT);
    CHECK_RET("dealloc", hv_vm_deallocate(p, 4 * P), HV_SUCCESS);
    CHECK_RET("dealloc_twice", hv_vm_deallocate(p, 4 * P), HV_BAD_ARGUMENT);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* hv_vcpu_run_until deadlines are CLOCK_MONOTONIC ns; a halted vCPU waits
 * for the deadline and exits with the preemption-timer reason. */
static void test_run_until(void)
{
    hv_vcpuid_t v;
    uint64_t reason = 0, exec = 0;
    hv_vcpu_create(&v, HV_VCPU_DEFAULT);
    hv_vmx_vcpu_write_vmcs(v, VMCS_GUEST_ACTIVITY_STATE, 1);
    uint64_t t0 = now_ns();
    hv_return_t r = hv_vcpu_run_until(v, t0 + 2000000);
    uint64_t t1 = now_ns();
    if (r == HV_UNSUPPORTED) {
        test_skip("run_until_deadline", "the backend cannot run guests yet");
    } else {
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason);
        CHECK("run_until_deadline", r == HV_SUCCESS && reason == VMX_REASON_VMX_TIMER_EXPIRED);
        CHECK("run_until_waited", t1 - t0 >= 2000000 && t1 - t0 < 1000000000);
        hv_vcpu_get_exec_time(v, &exec);
        bool counted = exec >= 1000000 && exec <= t1 - t0 + 1000000;
        if (!counted)
            fprintf(stderr, "exec_time_counts_run: exec %llu ns, the run took %llu ns\n",
                    (unsigned long long)exec, (unsigned long long)(t1 - t0));
        CHECK("exec_time_counts_run", counted);
        reason = 0;
        r = hv_vcpu_run_until(v, t0);
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason);
        CHECK("run_until_past_deadline", r == HV_SUCCESS && reason == VMX_REASON_VMX_TIMER_EXPIRED);
    }
    CHECK_RET("run_unknown_vcpu", hv_vcpu_run(v + 1), HV_BAD_ARGUMENT);
    hv_vcpu_destroy(v);
}

int main(void)
{
    uint8_t *mem = mmap(NULL, 64 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *hole = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED || hole == MAP_FAILED)
        return 2;
    munmap(hole + P, P);
    hole += P;

    test_no_vm();
    test_create_flags();
    test_backend_choice();
    test_capability();
    test_lifecycle(mem);
    test_map_rules(mem, hole);
    test_splits(mem);
    test_spaces(mem);
    test_allocate();
    test_run_until();
    CHECK_RET("final_destroy", hv_vm_destroy(), HV_SUCCESS);
    return test_exit();
}
