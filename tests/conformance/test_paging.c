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

static const struct t_case cases[] = {
    T_ENTRY(paging_32bit, "prot32", GUEST_PAGED32, "p_paging32"),
    T_ENTRY(paging_pae, "prot32", GUEST_PAE32, "p_pae"),
    T_ENTRY(paging_4level, "long64", GUEST_LONG64, "l_paging64"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
