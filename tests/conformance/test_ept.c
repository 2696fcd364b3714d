/* EPT violations: unmapped GPAs, permission violations, hv_vm_protect and
 * partial hv_vm_unmap, with the qualification bits of the Intel SDM. */
#include "harness.h"

#include <string.h>
#include <sys/mman.h>

/* Bits 9-11 exist only with "advanced VM-exit information for EPT
 * violations"; everything else of the qualification is compared exactly. */
#define EPTQ_COMPARED (~(uint64_t)0xe00)

static const struct h_exit *access_at(struct h_vm *vm, const char *entry, uint64_t addr)
{
    h_goto(vm, entry);
    h_set_reg(vm, HV_X86_RBX, addr);
    return h_run(vm);
}

static void expect_ept(struct h_vm *vm, const struct h_exit *e, uint64_t gpa, uint64_t qual, uint64_t rip)
{
    T_ASSERT_EQ(e->reason, VMX_REASON_EPT_VIOLATION);
    T_ASSERT_EQ(e->qual & EPTQ_COMPARED, qual);
    T_ASSERT_EQ(e->gpa, gpa);
    T_ASSERT_EQ(e->gla, gpa);            /* identity-mapped guest */
    T_ASSERT_EQ(e->rip, rip);
    (void)vm;
}

T_CASE(ept_unmapped_read)
{
    h_set_reg(vm, HV_X86_RAX, 0x1234);
    const struct h_exit *e = access_at(vm, "l_read", GUEST_UNMAPPED + 0x123);
    expect_ept(vm, e, GUEST_UNMAPPED + 0x123, EPTQ_READ | EPTQ_GLA_VALID | EPTQ_GLA_XLAT,
               h_sym(vm, "l_read_insn"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0x1234);
}

T_CASE(ept_unmapped_write)
{
    const struct h_exit *e = access_at(vm, "l_write", GUEST_UNMAPPED + 0x40);
    expect_ept(vm, e, GUEST_UNMAPPED + 0x40, EPTQ_WRITE | EPTQ_GLA_VALID | EPTQ_GLA_XLAT,
               h_sym(vm, "l_write_insn"));
}

T_CASE(ept_unmapped_fetch)
{
    const struct h_exit *e = access_at(vm, "l_jump", GUEST_UNMAPPED);
    expect_ept(vm, e, GUEST_UNMAPPED, EPTQ_FETCH | EPTQ_GLA_VALID | EPTQ_GLA_XLAT, GUEST_UNMAPPED);
}

/* Apple's dirty-tracking pattern: write to a READ-only page exits with
 * qual & 0x86 == 0x82 (write, linear address valid, not a fetch); the client
 * upgrades the page and re-runs the same instruction. */
T_CASE(ept_write_readonly_then_upgrade)
{
    h_poke(vm, GUEST_FREE + 0x10, 0x1111, 8);
    T_HV(hv_vm_protect(GUEST_FREE, 0x1000, HV_MEMORY_READ));
    h_set_reg(vm, HV_X86_RAX, 0xfeedface);
    const struct h_exit *e = access_at(vm, "l_write", GUEST_FREE + 0x10);
    uint64_t insn = h_sym(vm, "l_write_insn");
    T_ASSERT_EQ(e->qual & 0x86, 0x82);
    expect_ept(vm, e, GUEST_FREE + 0x10,
               EPTQ_WRITE | EPTQ_READABLE | EPTQ_GLA_VALID | EPTQ_GLA_XLAT, insn);
    T_ASSERT_EQ(h_peek(vm, GUEST_FREE + 0x10, 8), 0x1111);
    T_HV(hv_vm_protect(GUEST_FREE, 0x1000, HV_MEMORY_READ | HV_MEMORY_WRITE));
    h_expect_done(vm);
    T_ASSERT_EQ(h_peek(vm, GUEST_FREE + 0x10, 8), 0xfeedface);
}

T_CASE(ept_read_readonly_ok)
{
    h_poke(vm, GUEST_FREE + 0x18, 0x7777, 8);
    T_HV(hv_vm_protect(GUEST_FREE, 0x1000, HV_MEMORY_READ));
    h_goto(vm, "l_read");
    h_set_reg(vm, HV_X86_RBX, GUEST_FREE + 0x18);
    h_expect_report(vm, 0x7777);
    h_expect_done(vm);
}

T_CASE(ept_exec_not_executable_then_upgrade)
{
    static const uint8_t out_done[] = { 0xe6, PORT_DONE };     /* out %al, $PORT_DONE */
    memcpy(h_mem(vm, GUEST_FREE, sizeof out_done), out_done, sizeof out_done);
    T_HV(hv_vm_protect(GUEST_FREE, 0x1000, HV_MEMORY_READ | HV_MEMORY_WRITE));
    const struct h_exit *e = access_at(vm, "l_jump", GUEST_FREE);
    T_ASSERT_EQ(e->qual & 0x86, 0x84);
    expect_ept(vm, e, GUEST_FREE,
               EPTQ_FETCH | EPTQ_READABLE | EPTQ_WRITABLE | EPTQ_GLA_VALID | EPTQ_GLA_XLAT, GUEST_FREE);
    T_HV(hv_vm_protect(GUEST_FREE, 0x1000, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC));
    h_expect_done(vm);
    T_ASSERT_EQ(vm->exit.rip, GUEST_FREE);
}

T_CASE(ept_partial_unmap)
{
    uint64_t hole = GUEST_FREE + 0x1000;
    h_poke(vm, GUEST_FREE + 8, 0xaaaa, 8);
    h_poke(vm, hole + 8, 0xbbbb, 8);
    h_poke(vm, hole + 0x1008, 0xcccc, 8);
    T_HV(hv_vm_unmap(hole, 0x1000));
    /* Both neighbours still mapped. */
    h_goto(vm, "l_read");
    h_set_reg(vm, HV_X86_RBX, GUEST_FREE + 8);
    h_expect_report(vm, 0xaaaa);
    h_goto(vm, "l_read");
    h_set_reg(vm, HV_X86_RBX, hole + 0x1008);
    h_expect_report(vm, 0xcccc);
    /* The hole exits; mapped again, the same instruction completes. */
    const struct h_exit *e = access_at(vm, "l_read", hole + 8);
    expect_ept(vm, e, hole + 8, EPTQ_READ | EPTQ_GLA_VALID | EPTQ_GLA_XLAT, h_sym(vm, "l_read_insn"));
    T_HV(hv_vm_map(vm->ram + (hole), hole, 0x1000, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC));
    h_expect_report(vm, 0xbbbb);
}

/* In real mode too: an access to an unmapped page below 1 MiB. */
T_CASE(ept_real_mode_read)
{
    T_HV(hv_vm_unmap(0x12000, 0x1000));
    const struct h_exit *e = h_run(vm);
    /* r_segments first reads 0x1234:0x0010 = 0x12350. */
    T_ASSERT_EQ(e->reason, VMX_REASON_EPT_VIOLATION);
    T_ASSERT_EQ(e->gpa, 0x12350);
    T_ASSERT_EQ(e->qual & EPTQ_COMPARED, EPTQ_READ | EPTQ_GLA_VALID | EPTQ_GLA_XLAT);
}

/* The guest's page tables put the page directory of linear 1-2 GiB in
 * unmapped memory: the walk itself faults, at the entry's address, with
 * bit 8 clear (a paging-structure access).  The code stays reachable
 * through a 2 MiB page at 0. */
T_CASE(ept_during_page_walk)
{
    uint64_t pml4 = GUEST_PT_AREA, pdpt = pml4 + 0x1000, pd = pml4 + 0x2000;
    memset(h_mem(vm, pml4, 0x3000), 0, 0x3000);
    h_poke(vm, pml4, pdpt | 3, 8);
    h_poke(vm, pdpt, pd | 3, 8);
    h_poke(vm, pdpt + 8, GUEST_UNMAPPED | 3, 8);     /* PD of 1-2 GiB: unmapped */
    h_poke(vm, pd, 0x83, 8);                         /* 2 MiB page at 0: P|RW|PS */
    h_set_vmcs(vm, VMCS_GUEST_CR3, pml4);
    uint64_t lin = 0x40000000 + 3 * 0x200000 + 0x10;  /* PD index 3 */
    h_set_reg(vm, HV_X86_RBX, lin);
    const struct h_exit *e = h_run(vm);
    T_ASSERT_EQ(e->reason, VMX_REASON_EPT_VIOLATION);
    T_ASSERT_EQ(e->gpa, GUEST_UNMAPPED + 3 * 8);
    T_ASSERT_EQ(e->gla, lin);
    /* A/D updates may count as writes; the rest is exact. */
    T_ASSERT_EQ(e->qual & EPTQ_COMPARED & ~(uint64_t)EPTQ_WRITE, EPTQ_READ | EPTQ_GLA_VALID);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_read_insn"));
}

/* The guest's IDT lies in unmapped memory: the EPT violation happens while
 * delivering #UD, and the IDT-vectoring information names the #UD. */
T_CASE(ept_during_event_delivery)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 0);
    h_set_vmcs(vm, VMCS_GUEST_IDTR_BASE, GUEST_UNMAPPED);
    h_set_vmcs(vm, VMCS_GUEST_IDTR_LIMIT, 0xfff);
    const struct h_exit *e = h_run(vm);
    T_ASSERT_EQ(e->reason, VMX_REASON_EPT_VIOLATION);
    T_ASSERT_EQ(e->gpa, GUEST_UNMAPPED + 6 * 16);
    T_ASSERT_EQ(e->qual & EPTQ_COMPARED, EPTQ_READ | EPTQ_GLA_VALID | EPTQ_GLA_XLAT);
    T_ASSERT_EQ(e->idt_info, IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | 6);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_ud2_insn"));
}

/* Apple's on-demand paging passes the faulting address straight through
 * as uva (page-aligned gpa and size): the page holding uva is mapped, and
 * the guest sees that page from its start, not bytes from uva on. */
T_CASE(ept_map_unaligned_uva)
{
    uint8_t *host = mmap(NULL, 2 * 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(host != MAP_FAILED);
    memset(host, 0x11, 2 * 0x1000);
    uint64_t want = 0x5566778899aabbccull, decoy = 0x0123456789abcdefull;
    memcpy(host + 0x1000 + 0x18, &want, 8);
    memcpy(host + 0x1000 + 0x123 + 0x18, &decoy, 8);
    const struct h_exit *e = access_at(vm, "l_read", GUEST_UNMAPPED + 0x18);
    expect_ept(vm, e, GUEST_UNMAPPED + 0x18, EPTQ_READ | EPTQ_GLA_VALID | EPTQ_GLA_XLAT,
               h_sym(vm, "l_read_insn"));
    T_HV(hv_vm_map(host + 0x1000 + 0x123, GUEST_UNMAPPED, 0x1000, HV_MEMORY_READ));
    h_expect_report(vm, want);
    h_expect_done(vm);
    T_HV(hv_vm_unmap(GUEST_UNMAPPED, 0x1000));
    munmap(host, 2 * 0x1000);
}

static const struct t_case cases[] = {
    T_ENTRY(ept_unmapped_read, "long64", GUEST_LONG64, "l_read"),
    T_ENTRY(ept_unmapped_write, "long64", GUEST_LONG64, "l_write"),
    T_ENTRY(ept_unmapped_fetch, "long64", GUEST_LONG64, "l_jump"),
    T_ENTRY(ept_write_readonly_then_upgrade, "long64", GUEST_LONG64, "l_write"),
    T_ENTRY(ept_read_readonly_ok, "long64", GUEST_LONG64, "l_read"),
    T_ENTRY(ept_exec_not_executable_then_upgrade, "long64", GUEST_LONG64, "l_jump"),
    T_ENTRY(ept_partial_unmap, "long64", GUEST_LONG64, "l_read"),
    T_ENTRY(ept_map_unaligned_uva, "long64", GUEST_LONG64, "l_read"),
    T_ENTRY(ept_during_page_walk, "long64", GUEST_LONG64, "l_read"),
    T_ENTRY(ept_during_event_delivery, "long64", GUEST_LONG64, "l_ud2"),
    T_ENTRY(ept_real_mode_read, "real16", GUEST_REAL, "r_segments"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
