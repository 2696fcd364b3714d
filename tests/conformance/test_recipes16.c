/* The exit recipes in real mode and 16-bit protected mode: what differs
 * from long mode is the decoding a backend must get right without
 * executing anything (16-bit addressing that wraps at 64 KiB, operand- and
 * address-size prefixes, CX/SI/DI counting with garbage in the upper
 * register bits, which must survive).  Same checks as test_recipes.c. */
#include "recipe_regs.h"

#define GUEST "recipes16"

/* A page below 64 KiB the cases unmap: their "device". */
#define DEV_PAGE 0xe000u
#define PORT_COM1 0x3f8u
#define BUF16 0x9000u       /* GUEST_DATA: RAM, below 64 KiB */

static void unmap_device(void)
{
    T_HV(hv_vm_unmap(DEV_PAGE, 0x1000));
}

/* Replace the low 16 bits of a seeded register, keeping its upper garbage. */
static uint64_t low16(uint64_t seeded, uint64_t value)
{
    return (seeded & ~0xffffull) | (value & 0xffff);
}

static void start(struct h_vm *vm, struct regs *r, const char *entry)
{
    h_goto(vm, entry);
    regs_write(vm, r);
}

static void expect_ept_at(struct h_vm *vm, const char *entry, uint64_t gpa, uint64_t access, bool rmw,
                          const char *file, int line)
{
    const struct h_exit *e = h_run_expect_at(vm, VMX_REASON_EPT_VIOLATION, file, line);
    uint64_t ignore = (rmw ? EPTQ_READ : 0) | 0xe00;
    uint64_t want = (access | EPTQ_GLA_VALID | EPTQ_GLA_XLAT) & ~ignore;
    if (e->rip != h_sym(vm, entry))
        t_fail(true, file, line, "exit RIP 0x%llx, expected %s = 0x%llx", (unsigned long long)e->rip,
               entry, (unsigned long long)h_sym(vm, entry));
    if ((e->qual & ~ignore) != want)
        t_fail(true, file, line, "EPT qualification 0x%llx, expected 0x%llx", (unsigned long long)e->qual,
               (unsigned long long)want);
    if (e->gpa != gpa || e->gla != gpa)
        t_fail(true, file, line, "GPA 0x%llx, linear 0x%llx; expected 0x%llx", (unsigned long long)e->gpa,
               (unsigned long long)e->gla, (unsigned long long)gpa);
    if (e->instr_len != insn_len(vm, entry))
        t_fail(true, file, line, "instruction length %llu, expected %llu", (unsigned long long)e->instr_len,
               (unsigned long long)insn_len(vm, entry));
}
#define expect_ept(vm, entry, gpa, access, rmw) expect_ept_at(vm, entry, gpa, access, rmw, __FILE__, __LINE__)

/* MOV AX,[BX+SI] where BX+SI wraps at 64 KiB onto the device page. */
T_CASE(mmio16_read_wraps)
{
    unmap_device();
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = low16(r.gpr[R_RBX], 0xfff0);
    r.gpr[R_RSI] = low16(r.gpr[R_RSI], DEV_PAGE + 0x30);     /* 0xfff0 + 0xe030 = 0x1e020 -> 0xe020 */
    start(vm, &r, "g_mmio_read");
    expect_ept(vm, "g_mmio_read", DEV_PAGE + 0x20, EPTQ_READ, false);
    regs_expect(vm, &r);
    r.gpr[R_RAX] = low16(r.gpr[R_RAX], 0x1234);
    h_set_reg(vm, HV_X86_RAX, r.gpr[R_RAX]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_read");
    regs_expect(vm, &r);
}

/* 0x66 MOV EAX,[BX+0x10]: a dword access from 16-bit code. */
T_CASE(mmio16_read_opsize32)
{
    unmap_device();
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = low16(r.gpr[R_RBX], DEV_PAGE - 8);
    start(vm, &r, "g_mmio_read32");
    expect_ept(vm, "g_mmio_read32", DEV_PAGE + 8, EPTQ_READ, false);
    regs_expect(vm, &r);
    r.gpr[R_RAX] = (r.gpr[R_RAX] & ~0xffffffffull) | 0x89abcdef;
    h_set_reg(vm, HV_X86_RAX, r.gpr[R_RAX]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_read32");
    regs_expect(vm, &r);
}

/* 0x67 MOV AX,[EBX]: 32-bit addressing takes EBX, not RBX. */
T_CASE(mmio16_read_addr32)
{
    unmap_device();
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = 0xdead000000000000ull | (DEV_PAGE + 0x100);
    start(vm, &r, "g_mmio_read_a32");
    expect_ept(vm, "g_mmio_read_a32", DEV_PAGE + 0x100, EPTQ_READ, false);
    regs_expect(vm, &r);
    r.gpr[R_RAX] = low16(r.gpr[R_RAX], 0xa5a5);
    h_set_reg(vm, HV_X86_RAX, r.gpr[R_RAX]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_read_a32");
    regs_expect(vm, &r);
}

T_CASE(mmio16_write)
{
    unmap_device();
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = low16(r.gpr[R_RBX], DEV_PAGE + 0x44);
    r.gpr[R_RCX] = low16(r.gpr[R_RCX], 0x7e57);
    start(vm, &r, "g_mmio_write");
    expect_ept(vm, "g_mmio_write", DEV_PAGE + 0x44, EPTQ_WRITE, false);
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX) & 0xffff, 0x7e57);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_write");
    regs_expect(vm, &r);
}

/* ADD [BX],AX: neither flags nor registers at the exit. */
T_CASE(mmio16_rmw_add)
{
    unmap_device();
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = low16(r.gpr[R_RBX], DEV_PAGE + 0x60);
    start(vm, &r, "g_mmio_add");
    expect_ept(vm, "g_mmio_add", DEV_PAGE + 0x60, EPTQ_WRITE, true);
    regs_expect(vm, &r);
    r.rflags = RF_FIXED | RF_ZF | RF_CF | RF_PF | RF_AF;    /* the client's result: 0xffff + 1 */
    h_set_reg(vm, HV_X86_RFLAGS, r.rflags);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_add");
    regs_expect(vm, &r);
}

/* MOVSW to the device: SI/DI not advanced at the exit; the client advances
 * them with 16-bit wrap-around and keeps their upper bits. */
T_CASE(mmio16_movs_to_device)
{
    unmap_device();
    h_poke(vm, BUF16, 0x6b6a, 2);
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RSI] = low16(r.gpr[R_RSI], BUF16);
    r.gpr[R_RDI] = low16(r.gpr[R_RDI], DEV_PAGE + 0x80);
    start(vm, &r, "g_mmio_movs");
    expect_ept(vm, "g_mmio_movs", DEV_PAGE + 0x80, EPTQ_WRITE, false);
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_peek(vm, h_reg(vm, HV_X86_RSI) & 0xffff, 2), 0x6b6a);
    r.gpr[R_RSI] = low16(r.gpr[R_RSI], BUF16 + 2);
    r.gpr[R_RDI] = low16(r.gpr[R_RDI], DEV_PAGE + 0x82);
    h_set_reg(vm, HV_X86_RSI, r.gpr[R_RSI]);
    h_set_reg(vm, HV_X86_RDI, r.gpr[R_RDI]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_movs");
    regs_expect(vm, &r);
}

/* 0x66 IN EAX,DX from 16-bit code: a dword port access. */
T_CASE(io16_in_dx_eax)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RDX] = low16(r.gpr[R_RDX], PORT_COM1);
    start(vm, &r, "g_in_dx_eax");
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "g_in_dx_eax"));
    T_ASSERT_EQ(e->qual, h_io_qual(PORT_COM1, 4, true, false, false, false));
    T_ASSERT_EQ(e->instr_len, insn_len(vm, "g_in_dx_eax"));
    regs_expect(vm, &r);
    r.gpr[R_RAX] = (r.gpr[R_RAX] & ~0xffffffffull) | 0xfeedbeef;
    h_set_reg(vm, HV_X86_RAX, r.gpr[R_RAX]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_in_dx_eax");
    regs_expect(vm, &r);
}

T_CASE(io16_out_dx_ax)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RDX] = low16(r.gpr[R_RDX], PORT_COM1);
    r.gpr[R_RAX] = low16(r.gpr[R_RAX], 0x4f4b);
    start(vm, &r, "g_out_dx_ax");
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "g_out_dx_ax"));
    T_ASSERT_EQ(e->qual, h_io_qual(PORT_COM1, 2, false, false, false, false));
    T_ASSERT_EQ(e->instr_len, 1);
    regs_expect(vm, &r);
    h_skip_instr(vm);
    expect_done_after(vm, "g_out_dx_ax");
    regs_expect(vm, &r);
}

/* REP INSW with a 16-bit address size: CX counts, ES:DI is the buffer, the
 * upper bits of RCX/RDI are not part of the instruction and survive. */
T_CASE(io16_rep_insw)
{
    enum { COUNT = 9 };
    memset(h_mem(vm, BUF16, 0x40), 0xcc, 0x40);
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RDX] = low16(r.gpr[R_RDX], PORT_COM1);
    r.gpr[R_RDI] = low16(r.gpr[R_RDI], BUF16);
    r.gpr[R_RCX] = low16(r.gpr[R_RCX], COUNT);
    start(vm, &r, "g_rep_insw");
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "g_rep_insw"));
    T_ASSERT_EQ(e->qual, h_io_qual(PORT_COM1, 2, true, true, true, false));
    T_ASSERT_EQ(e->instr_len, insn_len(vm, "g_rep_insw"));
    T_ASSERT_EQ(e->gla, BUF16);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RCX), r.gpr[R_RCX]);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RDI), r.gpr[R_RDI]);
    T_ASSERT_EQ((h_vmcs(vm, VMCS_RO_VMX_INSTR_INFO) >> 7) & 7, 0);    /* 16-bit address size */
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_peek(vm, BUF16, 8), 0xccccccccccccccccull);
    for (unsigned i = 0; i < COUNT; i++)
        h_poke(vm, BUF16 + 2 * i, 0x1000 + i, 2);
    r.gpr[R_RDI] = low16(r.gpr[R_RDI], BUF16 + 2 * COUNT);
    r.gpr[R_RCX] = low16(r.gpr[R_RCX], 0);
    h_set_reg(vm, HV_X86_RDI, r.gpr[R_RDI]);
    h_set_reg(vm, HV_X86_RCX, r.gpr[R_RCX]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_rep_insw");
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_peek(vm, BUF16 + 2 * COUNT, 2), 0xcccc);
}

#define BOTH(name)                                                           \
    T_ENTRY_AS(real_##name, name, GUEST, GUEST_REAL, "_start"),              \
    T_ENTRY_AS(prot16_##name, name, GUEST, GUEST_PROT16, "_start")
static const struct t_case cases[] = {
    BOTH(mmio16_read_wraps),
    BOTH(mmio16_read_opsize32),
    BOTH(mmio16_read_addr32),
    BOTH(mmio16_write),
    BOTH(mmio16_rmw_add),
    BOTH(mmio16_movs_to_device),
    BOTH(io16_in_dx_eax),
    BOTH(io16_out_dx_ax),
    BOTH(io16_rep_insw),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
