/* Paging modes: the guest edits its own page tables to map linear
 * 0x40000000 onto GUEST_FREE+0x200000, then reads and writes through that
 * non-identity mapping. */
#include "harness.h"

#define TARGET (GUEST_FREE + 0x200000)

static void through_mapping(struct h_vm *vm)
{
    h_poke(vm, TARGET + 0x10, 0x31415926, 4);
    h_poke(vm, 0x40000010 & (GUEST_RAM_SIZE - 1), 0xbad0bad0, 4);   /* not what must be read */
    h_expect_report(vm, 0x31415926);
    h_expect_done(vm);
    T_ASSERT_EQ(h_peek(vm, TARGET + 0x20, 4), 0x600dcafe);
}

T_CASE(paging_32bit) { through_mapping(vm); }
T_CASE(paging_pae) { through_mapping(vm); }
T_CASE(paging_4level) { through_mapping(vm); }

/* ENTER ends with a write check of its final stack pointer: with the
 * pushes on a writable page and the final ESP on a read-only one, #PF
 * (present, write, supervisor) at the final address, ESP and EBP
 * unchanged.  Once the page is writable ENTER completes. */
T_CASE(paging_enter_final_write_check)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 1u << 14);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info, IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | IRQ_INFO_ERROR_VALID | 14);
    T_ASSERT_EQ(e->intr_error, 3);
    T_ASSERT_EQ(e->qual, 0x40000fff);
    T_ASSERT_EQ(e->rip, h_sym(vm, "p_enter_pf_insn"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_RSP), 0x40001004);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RBP), 0x11223344);
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 0);
    h_poke(vm, GUEST_PT_AREA, TARGET + 3, 4);
    h_expect_report(vm, 0x40000fff);
    h_expect_report(vm, 0x40001000);
    h_expect_done(vm);
    T_ASSERT_EQ(h_peek(vm, TARGET + 0x1000, 4), 0x11223344);
}

static const struct t_case cases[] = {
    T_ENTRY(paging_32bit, "prot32", GUEST_PAGED32, "p_paging32"),
    T_ENTRY(paging_pae, "prot32", GUEST_PAE32, "p_pae"),
    T_ENTRY(paging_4level, "long64", GUEST_LONG64, "l_paging64"),
    T_ENTRY(paging_enter_final_write_check, "prot32", GUEST_PAGED32, "p_enter_pf"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
