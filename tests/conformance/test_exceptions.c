/* Exceptions: exits through the exception bitmap, delivery through the
 * guest's own IDT, IDT-vectoring information, event injection, triple
 * fault, and #PF error codes. */
#include "harness.h"

enum {
    VEC_DE = 0, VEC_BP = 3, VEC_UD = 6, VEC_NP = 11, VEC_GP = 13, VEC_PF = 14,
};
#define ADDR_NONCANONICAL 0x8000000000000000ull
#define ADDR_NOT_PRESENT  0x100000123ull     /* above guest_mode's 4 GiB identity map */

static uint64_t hard_exc(unsigned vector, bool error)
{
    return IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | (error ? IRQ_INFO_ERROR_VALID : 0) | vector;
}

static const struct h_exit *exc_exit(struct h_vm *vm)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 0xffffffff);
    return h_run_expect(vm, VMX_REASON_EXC_NMI);
}

T_CASE(exc_bitmap_ud)
{
    const struct h_exit *e = exc_exit(vm);
    T_ASSERT_EQ(e->intr_info, 0x80000306);
    T_ASSERT_EQ(e->intr_info, hard_exc(VEC_UD, false));
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_ud2_insn"));
    T_ASSERT_EQ(e->idt_info & IRQ_INFO_VALID, 0);
}

T_CASE(exc_bitmap_pf)
{
    h_set_reg(vm, HV_X86_CR2, 0x5555);
    h_set_reg(vm, HV_X86_RBX, ADDR_NOT_PRESENT);
    const struct h_exit *e = exc_exit(vm);
    T_ASSERT_EQ(e->intr_info & 0x800003ff, 0x8000030e);
    T_ASSERT_EQ(e->intr_info, hard_exc(VEC_PF, true));
    T_ASSERT_EQ(e->intr_error, 0);                 /* read, not present, supervisor */
    T_ASSERT_EQ(e->qual, ADDR_NOT_PRESENT);        /* the faulting linear address */
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_read_insn"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_CR2), 0x5555);    /* CR2 is not written on the exit */
}

T_CASE(exc_bitmap_gp)
{
    h_set_reg(vm, HV_X86_RBX, ADDR_NONCANONICAL);
    const struct h_exit *e = exc_exit(vm);
    T_ASSERT_EQ(e->intr_info, hard_exc(VEC_GP, true));
    T_ASSERT_EQ(e->intr_error, 0);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_read_insn"));
}

T_CASE(exc_bitmap_de)
{
    const struct h_exit *e = exc_exit(vm);
    T_ASSERT_EQ(e->intr_info, hard_exc(VEC_DE, false));
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_div0_insn"));
}

T_CASE(exc_bitmap_int3)
{
    const struct h_exit *e = exc_exit(vm);
    T_ASSERT_EQ(e->intr_info, IRQ_INFO_VALID | IRQ_INFO_SOFT_EXC | VEC_BP);
    T_ASSERT_EQ(e->instr_len, 1);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_int3_insn"));
}

/* ---- delivery through the guest's IDT (no exception bitmap) ---- */

/* Run the body at `entry` after the guest built its IDT; expect the handler
 * of `vector`; check the frame: error code (if any) then the return RIP. */
static void guest_handles(struct h_vm *vm, const char *entry, unsigned vector,
                          bool has_error, uint64_t error, uint64_t return_rip)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 0);
    h_set_reg(vm, HV_X86_R15, h_sym(vm, entry));
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_EXC);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffffffff, vector);
    uint64_t rsp = h_reg(vm, HV_X86_RSP);
    if (has_error) {
        T_ASSERT_EQ(h_peek(vm, rsp, 8), error);
        rsp += 8;
    }
    T_ASSERT_EQ(h_peek(vm, rsp, 8), return_rip);
    T_ASSERT_EQ(h_peek(vm, rsp + 8, 8), h_reg(vm, HV_X86_CS));
}

T_CASE(idt_guest_ud)
{
    guest_handles(vm, "l_ud2", VEC_UD, false, 0, h_sym(vm, "l_ud2_insn"));
}

T_CASE(idt_guest_pf)
{
    h_set_reg(vm, HV_X86_RBX, ADDR_NOT_PRESENT);
    guest_handles(vm, "l_read", VEC_PF, true, 0, h_sym(vm, "l_read_insn"));
    T_ASSERT_EQ(h_reg(vm, HV_X86_CR2), ADDR_NOT_PRESENT);
}

T_CASE(idt_guest_gp)
{
    h_set_reg(vm, HV_X86_RBX, ADDR_NONCANONICAL);
    guest_handles(vm, "l_read", VEC_GP, true, 0, h_sym(vm, "l_read_insn"));
}

T_CASE(idt_guest_de)
{
    guest_handles(vm, "l_div0", VEC_DE, false, 0, h_sym(vm, "l_div0_insn"));
}

T_CASE(idt_guest_int3)
{
    /* A trap: the frame holds the address after INT3. */
    guest_handles(vm, "l_int3", VEC_BP, false, 0, h_sym(vm, "l_int3_insn") + 1);
}

/* INT 0x80 through a not-present gate: the exit is for the #NP, and the
 * IDT-vectoring information names the software interrupt. */
T_CASE(idt_vectoring_int_not_present)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, (1u << VEC_NP) | (1u << VEC_GP));
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info, hard_exc(VEC_NP, true));
    T_ASSERT_EQ(e->intr_error, 0x80 * 8 + 2);        /* IDT bit, vector 0x80, EXT 0 */
    T_ASSERT_EQ(e->idt_info, IRQ_INFO_VALID | IRQ_INFO_SOFT_IRQ | 0x80);
    T_ASSERT_EQ(e->instr_len, 2);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_int80_np_insn"));
}

/* ---- event injection ---- */

static void run_to_spin(struct h_vm *vm)
{
    h_expect_report(vm, 0x5a);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RIP), h_sym(vm, "l_idt_ready_spin"));
}

T_CASE(inject_external_interrupt)
{
    run_to_spin(vm);
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_IRQ_INFO, IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | 0x40);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_EXC);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffffffff, 0x40);
    uint64_t rsp = h_reg(vm, HV_X86_RSP);
    T_ASSERT_EQ(h_peek(vm, rsp, 8), h_sym(vm, "l_idt_ready_spin"));
    T_ASSERT(h_peek(vm, rsp + 16, 8) & 0x200);              /* IF was set */
    T_ASSERT_EQ(h_reg(vm, HV_X86_RFLAGS) & 0x200, 0);       /* interrupt gate cleared it */
    /* The valid bit of the entry field is cleared by the exit. */
    T_ASSERT_EQ(h_vmcs(vm, VMCS_CTRL_VMENTRY_IRQ_INFO) & IRQ_INFO_VALID, 0);
}

T_CASE(inject_exception_with_error_code)
{
    run_to_spin(vm);
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_IRQ_INFO, hard_exc(VEC_GP, true));
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_EXC_ERROR, 0x1234);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_EXC);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffffffff, VEC_GP);
    uint64_t rsp = h_reg(vm, HV_X86_RSP);
    T_ASSERT_EQ(h_peek(vm, rsp, 8), 0x1234);
    T_ASSERT_EQ(h_peek(vm, rsp + 8, 8), h_sym(vm, "l_idt_ready_spin"));
}

/* A software interrupt (type 4) needs the VM-entry instruction length: the
 * return address pushed is RIP + that length. */
T_CASE(inject_software_interrupt)
{
    run_to_spin(vm);
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_IRQ_INFO, IRQ_INFO_VALID | IRQ_INFO_SOFT_IRQ | 0x41);
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_INSTR_LEN, 2);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_EXC);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffffffff, 0x41);
    T_ASSERT_EQ(h_peek(vm, h_reg(vm, HV_X86_RSP), 8), h_sym(vm, "l_idt_ready_spin") + 2);
}

/* An injected NMI runs the vector-2 handler with NMIs blocked until IRET. */
T_CASE(inject_nmi)
{
    run_to_spin(vm);
    h_set_vmcs(vm, VMCS_CTRL_VMENTRY_IRQ_INFO, IRQ_INFO_VALID | IRQ_INFO_NMI | 2);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_EXC);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffffffff, 2);
    T_ASSERT_EQ(h_peek(vm, h_reg(vm, HV_X86_RSP), 8), h_sym(vm, "l_idt_ready_spin"));
    T_ASSERT(h_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY) & GUEST_INTRBILITY_NMI_BLOCKING);
}

/* IDT limit 0: #UD cannot be delivered, nor #GP, nor #DF. */
T_CASE(triple_fault)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 0);
    h_set_vmcs(vm, VMCS_GUEST_IDTR_LIMIT, 0);
    h_run_expect(vm, VMX_REASON_TRIPLE_FAULT);
}

/* ---- #PF error codes, with page tables the test builds ---- */

enum { PTE_P = 1, PTE_W = 2, PTE_U = 4, PTE_PS = 0x80 };
enum { PF_P = 1, PF_W = 2, PF_U = 4 };
#define PF_RO_PAGE   0x200000ull     /* PD[1]: present, read-only, supervisor */
#define PF_SUPV_PAGE 0x400000ull     /* PD[2]: present, writable, supervisor */
#define PF_ABSENT    0x40000000ull   /* PDPT[1]: not present */

static void build_pf_tables(struct h_vm *vm)
{
    uint64_t pml4 = GUEST_PT_AREA, pdpt = pml4 + 0x1000, pd = pml4 + 0x2000;
    for (uint64_t a = pml4; a < pd + 0x1000; a += 8)
        h_poke(vm, a, 0, 8);
    h_poke(vm, pml4, pdpt | PTE_P | PTE_W | PTE_U, 8);
    h_poke(vm, pdpt, pd | PTE_P | PTE_W | PTE_U, 8);
    h_poke(vm, pd + 0, 0 | PTE_PS | PTE_P | PTE_W | PTE_U, 8);   /* code, stack, tables */
    h_poke(vm, pd + 8, PF_RO_PAGE | PTE_PS | PTE_P, 8);
    h_poke(vm, pd + 16, PF_SUPV_PAGE | PTE_PS | PTE_P | PTE_W, 8);
    h_set_vmcs(vm, VMCS_GUEST_CR3, pml4);
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 1u << VEC_PF);
}

static void expect_pf(struct h_vm *vm, const char *insn, uint64_t addr, uint64_t error)
{
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info, hard_exc(VEC_PF, true));
    T_ASSERT_EQ(e->intr_error, error);
    T_ASSERT_EQ(e->qual, addr);
    T_ASSERT_EQ(e->rip, h_sym(vm, insn));
}

T_CASE(pf_not_present_read)
{
    build_pf_tables(vm);
    h_set_reg(vm, HV_X86_RBX, PF_ABSENT + 0x10);
    expect_pf(vm, "l_read_insn", PF_ABSENT + 0x10, 0);
}

T_CASE(pf_not_present_write)
{
    build_pf_tables(vm);
    h_set_reg(vm, HV_X86_RBX, PF_ABSENT + 0x20);
    expect_pf(vm, "l_write_insn", PF_ABSENT + 0x20, PF_W);
}

T_CASE(pf_write_read_only_with_wp)
{
    build_pf_tables(vm);
    h_set_vmcs(vm, VMCS_GUEST_CR0, h_vmcs(vm, VMCS_GUEST_CR0) | (1u << 16));
    h_set_vmcs(vm, VMCS_CTRL_CR0_SHADOW, h_vmcs(vm, VMCS_CTRL_CR0_SHADOW) | (1u << 16));
    h_set_reg(vm, HV_X86_RBX, PF_RO_PAGE + 0x30);
    expect_pf(vm, "l_write_insn", PF_RO_PAGE + 0x30, PF_P | PF_W);
}

/* Without CR0.WP, supervisor writes ignore the R/W bit. */
T_CASE(pf_write_read_only_without_wp)
{
    build_pf_tables(vm);
    h_set_vmcs(vm, VMCS_GUEST_CR0, h_vmcs(vm, VMCS_GUEST_CR0) & ~(uint64_t)(1u << 16));
    h_set_reg(vm, HV_X86_RBX, PF_RO_PAGE + 0x30);
    h_set_reg(vm, HV_X86_RAX, 0xabcdef);
    h_expect_done(vm);
    T_ASSERT_EQ(h_peek(vm, PF_RO_PAGE + 0x30, 8), 0xabcdef);
}

T_CASE(pf_user_reads_supervisor_page)
{
    build_pf_tables(vm);
    /* CPL 3 = SS.DPL 3; 64-bit user code segment. */
    h_set_vmcs(vm, VMCS_GUEST_CS, 0x1b);
    h_set_vmcs(vm, VMCS_GUEST_CS_AR, 0xa0fb);
    static const uint32_t data[][2] = {
        { VMCS_GUEST_SS, VMCS_GUEST_SS_AR }, { VMCS_GUEST_DS, VMCS_GUEST_DS_AR },
        { VMCS_GUEST_ES, VMCS_GUEST_ES_AR },
    };
    for (size_t i = 0; i < sizeof data / sizeof data[0]; i++) {
        h_set_vmcs(vm, data[i][0], 0x23);
        h_set_vmcs(vm, data[i][1], 0xc0f3);
    }
    h_set_reg(vm, HV_X86_RBX, PF_SUPV_PAGE + 0x40);
    expect_pf(vm, "l_read_insn", PF_SUPV_PAGE + 0x40, PF_P | PF_U);
}

static const struct t_case cases[] = {
    T_ENTRY(exc_bitmap_ud, "long64", GUEST_LONG64, "l_ud2"),
    T_ENTRY(exc_bitmap_pf, "long64", GUEST_LONG64, "l_read"),
    T_ENTRY(exc_bitmap_gp, "long64", GUEST_LONG64, "l_read"),
    T_ENTRY(exc_bitmap_de, "long64", GUEST_LONG64, "l_div0"),
    T_ENTRY(exc_bitmap_int3, "long64", GUEST_LONG64, "l_int3"),
    T_ENTRY(idt_guest_ud, "long64", GUEST_LONG64, "l_with_idt"),
    T_ENTRY(idt_guest_pf, "long64", GUEST_LONG64, "l_with_idt"),
    T_ENTRY(idt_guest_gp, "long64", GUEST_LONG64, "l_with_idt"),
    T_ENTRY(idt_guest_de, "long64", GUEST_LONG64, "l_with_idt"),
    T_ENTRY(idt_guest_int3, "long64", GUEST_LONG64, "l_with_idt"),
    T_ENTRY(idt_vectoring_int_not_present, "long64", GUEST_LONG64, "l_int80_np"),
    T_ENTRY(inject_external_interrupt, "long64", GUEST_LONG64, "l_idt_ready"),
    T_ENTRY(inject_exception_with_error_code, "long64", GUEST_LONG64, "l_idt_ready"),
    T_ENTRY(inject_software_interrupt, "long64", GUEST_LONG64, "l_idt_ready"),
    T_ENTRY(inject_nmi, "long64", GUEST_LONG64, "l_idt_ready"),
    T_ENTRY(triple_fault, "long64", GUEST_LONG64, "l_ud2"),
    T_ENTRY(pf_not_present_read, "long64", GUEST_LONG64, "l_read"),
    T_ENTRY(pf_not_present_write, "long64", GUEST_LONG64, "l_write"),
    T_ENTRY(pf_write_read_only_with_wp, "long64", GUEST_LONG64, "l_write"),
    T_ENTRY(pf_write_read_only_without_wp, "long64", GUEST_LONG64, "l_write"),
    T_ENTRY(pf_user_reads_supervisor_page, "long64", GUEST_LONG64, "l_read"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
