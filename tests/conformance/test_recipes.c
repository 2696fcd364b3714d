/* The exit recipes of the HVF contract, one case per exit kind: at the exit
 * the guest is exactly where VMX leaves it (RIP on the instruction, no part
 * of it executed: every GPR, RFLAGS and the memory it would touch as before),
 * the read-only fields describe it, and once the client emulates it and
 * advances RIP by VMCS_RO_VMEXIT_INSTR_LEN the guest runs on with the
 * client's result.  Every expected value is computed here from the guest
 * source (symbols) and the Intel SDM, never taken from the library. */
#include "recipe_regs.h"

#include <stdlib.h>
#include <sys/mman.h>

#define GUEST "recipes64"

/* A port whose DX has garbage above bit 15: only DX names the port. */
#define PORT_COM1 0x3f8u
#define RDX_COM1  (0x5eed0000dead0000ull | PORT_COM1)

/* Bits of the EPT qualification compared exactly: all but 9-11, which exist
 * only with "advanced VM-exit information for EPT violations". */
#define EPTQ_COMPARED (~(uint64_t)0xe00)

/* VMCS_RO_VMX_INSTR_INFO for INS/OUTS (SDM "VM-Instruction Information"):
 * address size in bits 9:7 (0 16-bit, 1 32-bit, 2 64-bit), segment of
 * OUTS in bits 17:15 (3 = DS). */
#define IIO_ASZ(info) (((info) >> 7) & 7)
#define IIO_SEG(info) (((info) >> 15) & 7)
enum { SEG_ENC_DS = 3 };

static void start(struct h_vm *vm, struct regs *r, const char *entry)
{
    h_goto(vm, entry);
    regs_write(vm, r);
}

/* The exit every recipe starts from: reason, RIP on g_<entry>, and the
 * instruction length the assembler gave it. */
static const struct h_exit *expect_exit_at(struct h_vm *vm, const char *entry, uint64_t reason,
                                           const char *file, int line)
{
    const struct h_exit *e = h_run_expect_at(vm, reason, file, line);
    if (e->rip != h_sym(vm, entry))
        t_fail(true, file, line, "exit RIP 0x%llx, expected %s = 0x%llx", (unsigned long long)e->rip,
               entry, (unsigned long long)h_sym(vm, entry));
    return e;
}
#define expect_exit(vm, entry, reason) expect_exit_at(vm, entry, reason, __FILE__, __LINE__)

/* ---------------------------------------------------------------- port I/O */

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* IN: AL/AX/EAX untouched at the exit; the client's value arrives (a 32-bit
 * IN zero-extends into RAX, as every 32-bit register write does). */
static void in_recipe(struct h_vm *vm, const char *entry, unsigned port, unsigned size, bool imm,
                      uint64_t value)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RDX] = imm ? r.gpr[R_RDX] : RDX_COM1;
    start(vm, &r, entry);
    const struct h_exit *e = expect_exit(vm, entry, VMX_REASON_IO);
    T_ASSERT_EQ(e->qual, h_io_qual(port, size, true, false, false, imm));
    T_ASSERT_EQ(e->instr_len, insn_len(vm, entry));
    regs_expect(vm, &r);
    h_complete_in(vm, value);
    if (size == 4)
        r.gpr[R_RAX] = value & size_mask(size);
    else
        r.gpr[R_RAX] = (r.gpr[R_RAX] & ~size_mask(size)) | (value & size_mask(size));
    expect_done_after(vm, entry);
    regs_expect(vm, &r);
}

T_CASE(io_in_dx_al) { in_recipe(vm, "g_in_dx_al", PORT_COM1, 1, false, 0x5c); }
T_CASE(io_in_dx_ax) { in_recipe(vm, "g_in_dx_ax", PORT_COM1, 2, false, 0xbeef); }
T_CASE(io_in_dx_eax) { in_recipe(vm, "g_in_dx_eax", PORT_COM1, 4, false, 0xc001d00d); }
T_CASE(io_in_imm_al) { in_recipe(vm, "g_in_imm_al", 0x71, 1, true, 0xa7); }

/* OUT: the data is in AL/AX/EAX at the exit; nothing else moves. */
static void out_recipe(struct h_vm *vm, const char *entry, unsigned port, unsigned size, bool imm)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RDX] = imm ? r.gpr[R_RDX] : RDX_COM1;
    r.gpr[R_RAX] = 0x0123456789abcdefull;
    start(vm, &r, entry);
    const struct h_exit *e = expect_exit(vm, entry, VMX_REASON_IO);
    T_ASSERT_EQ(e->qual, h_io_qual(port, size, false, false, false, imm));
    T_ASSERT_EQ(e->instr_len, insn_len(vm, entry));
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & size_mask(size), 0x0123456789abcdefull & size_mask(size));
    h_skip_instr(vm);
    expect_done_after(vm, entry);
    regs_expect(vm, &r);
}

T_CASE(io_out_dx_al) { out_recipe(vm, "g_out_dx_al", PORT_COM1, 1, false); }
T_CASE(io_out_dx_ax_opsize) { out_recipe(vm, "g_out_dx_ax", PORT_COM1, 2, false); }
T_CASE(io_out_imm_eax) { out_recipe(vm, "g_out_imm_eax", 0x80, 4, true); }
T_CASE(io_out_imm_ax_opsize) { out_recipe(vm, "g_out_imm_ax", 0x80, 2, true); }

/* ------------------------------------------------------------ string I/O */

#define STR_BUF (GUEST_FREE + 0x2000)

static void check_string_fields(struct h_vm *vm, const struct regs *r, const char *entry,
                                uint64_t linear, unsigned asz_enc)
{
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RCX), r->gpr[R_RCX]);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RSI), r->gpr[R_RSI]);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RDI), r->gpr[R_RDI]);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_IO_RIP), h_sym(vm, entry));
    T_ASSERT_EQ(vm->exit.gla, linear);
    T_ASSERT_EQ(IIO_ASZ(h_vmcs(vm, VMCS_RO_VMX_INSTR_INFO)), asz_enc);
}

/* REP OUTS: the client reads the whole string through its host pointer,
 * then writes back the registers the REP leaves (RSI advanced, RCX 0). */
static void rep_outs_recipe(struct h_vm *vm, const char *entry, unsigned size)
{
    enum { COUNT = 37 };
    uint8_t *buf = h_mem(vm, STR_BUF, COUNT * size);
    for (unsigned i = 0; i < COUNT * size; i++)
        buf[i] = (uint8_t)(0x30 + i * 7);
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RDX] = RDX_COM1;
    r.gpr[R_RSI] = STR_BUF;
    r.gpr[R_RCX] = COUNT;
    start(vm, &r, entry);
    const struct h_exit *e = expect_exit(vm, entry, VMX_REASON_IO);
    T_ASSERT_EQ(e->qual, h_io_qual(PORT_COM1, size, false, true, true, false));
    T_ASSERT_EQ(e->instr_len, insn_len(vm, entry));
    regs_expect(vm, &r);
    check_string_fields(vm, &r, entry, STR_BUF, 2);
    T_ASSERT_EQ(IIO_SEG(h_vmcs(vm, VMCS_RO_VMX_INSTR_INFO)), SEG_ENC_DS);

    /* The client's emulation: the device receives the bytes at RSI. */
    const uint8_t *src = h_mem(vm, h_reg(vm, HV_X86_RSI), COUNT * size);
    for (unsigned i = 0; i < COUNT * size; i++)
        T_ASSERT_EQ(src[i], (uint8_t)(0x30 + i * 7));
    r.gpr[R_RSI] += COUNT * size;
    r.gpr[R_RCX] = 0;
    h_set_reg(vm, HV_X86_RSI, r.gpr[R_RSI]);
    h_set_reg(vm, HV_X86_RCX, 0);
    h_skip_instr(vm);
    expect_done_after(vm, entry);
    regs_expect(vm, &r);
}

T_CASE(io_rep_outsb) { rep_outs_recipe(vm, "g_rep_outsb", 1); }
T_CASE(io_rep_outsw) { rep_outs_recipe(vm, "g_rep_outsw", 2); }

static uint8_t device_byte(unsigned i)
{
    return (uint8_t)(0xe1 ^ (i * 13));
}

/* REP INS: the destination is untouched at the exit; the client writes the
 * whole string through its host pointer, updates RDI/RCX, advances RIP, and
 * the guest's own sum of the buffer matches the client's data. */
static void rep_ins_recipe(struct h_vm *vm, const char *entry, bool addr32)
{
    enum { COUNT = 53 };
    memset(h_mem(vm, STR_BUF, 0x100), 0xcc, 0x100);
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RDX] = RDX_COM1;
    /* With a 32-bit address size only EDI and ECX count. */
    r.gpr[R_RDI] = (addr32 ? 0x7777777700000000ull : 0) | STR_BUF;
    r.gpr[R_RCX] = (addr32 ? 0x0000abcd00000000ull : 0) | COUNT;
    start(vm, &r, entry);
    const struct h_exit *e = expect_exit(vm, entry, VMX_REASON_IO);
    T_ASSERT_EQ(e->qual, h_io_qual(PORT_COM1, 1, true, true, true, false));
    T_ASSERT_EQ(e->instr_len, insn_len(vm, entry));
    regs_expect(vm, &r);
    check_string_fields(vm, &r, entry, STR_BUF, addr32 ? 1 : 2);
    const uint8_t *dst = h_mem(vm, STR_BUF, 0x100);
    for (unsigned i = 0; i < 0x100; i++)
        T_ASSERT_EQ(dst[i], 0xcc);

    uint64_t mask = addr32 ? 0xffffffffull : ~0ull;
    uint8_t *out = h_mem(vm, h_reg(vm, HV_X86_RDI) & mask, COUNT);
    uint32_t sum = 0;
    for (unsigned i = 0; i < COUNT; i++) {
        out[i] = device_byte(i);
        sum += device_byte(i);
    }
    r.gpr[R_RDI] = (r.gpr[R_RDI] & ~mask) | ((r.gpr[R_RDI] + COUNT) & mask);
    r.gpr[R_RCX] &= ~mask;
    h_set_reg(vm, HV_X86_RDI, r.gpr[R_RDI]);
    h_set_reg(vm, HV_X86_RCX, r.gpr[R_RCX]);
    h_skip_instr(vm);
    expect_done_after(vm, entry);
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_peek(vm, STR_BUF + COUNT, 1), 0xcc);     /* nothing beyond */

    h_goto(vm, "g_sum_bytes");
    h_set_reg(vm, HV_X86_R8, STR_BUF);
    h_set_reg(vm, HV_X86_R9, COUNT);
    h_expect_report(vm, sum);
    h_expect_done(vm);
}

T_CASE(io_rep_insb) { rep_ins_recipe(vm, "g_rep_insb", false); }
T_CASE(io_rep_insb_addr32) { rep_ins_recipe(vm, "g_rep_insb_a32", true); }

/* A client that serves a REP in chunks (as hvrun does): it consumes part,
 * updates RSI/RCX, leaves RIP on the instruction, and the re-run exits
 * again for the rest with the updated registers. */
T_CASE(io_rep_outsb_in_chunks)
{
    enum { COUNT = 37, FIRST = 10 };
    uint8_t *buf = h_mem(vm, STR_BUF, COUNT);
    for (unsigned i = 0; i < COUNT; i++)
        buf[i] = (uint8_t)(0x61 + i);
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RDX] = RDX_COM1;
    r.gpr[R_RSI] = STR_BUF;
    r.gpr[R_RCX] = COUNT;
    start(vm, &r, "g_rep_outsb");
    uint64_t done = 0;
    for (unsigned chunk = FIRST; r.gpr[R_RCX] != 0; chunk = (unsigned)r.gpr[R_RCX]) {
        const struct h_exit *e = expect_exit(vm, "g_rep_outsb", VMX_REASON_IO);
        T_ASSERT_EQ(e->qual, h_io_qual(PORT_COM1, 1, false, true, true, false));
        regs_expect(vm, &r);
        check_string_fields(vm, &r, "g_rep_outsb", STR_BUF + done, 2);
        const uint8_t *src = h_mem(vm, h_reg(vm, HV_X86_RSI), chunk);
        for (unsigned i = 0; i < chunk; i++)
            T_ASSERT_EQ(src[i], (uint8_t)(0x61 + done + i));
        done += chunk;
        r.gpr[R_RSI] += chunk;
        r.gpr[R_RCX] -= chunk;
        h_set_reg(vm, HV_X86_RSI, r.gpr[R_RSI]);
        h_set_reg(vm, HV_X86_RCX, r.gpr[R_RCX]);
        if (r.gpr[R_RCX] == 0)
            h_skip_instr(vm);
    }
    T_ASSERT_EQ(done, COUNT);
    expect_done_after(vm, "g_rep_outsb");
    regs_expect(vm, &r);
}

/* REP INSB with DF=1: the string runs downwards from RDI; the client fills
 * it that way and the guest's sum sees it. */
T_CASE(io_rep_insb_backward)
{
    enum { COUNT = 19 };
    uint64_t last = STR_BUF + 0x80;
    memset(h_mem(vm, STR_BUF, 0x100), 0xcc, 0x100);
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RDX] = RDX_COM1;
    r.gpr[R_RDI] = last;
    r.gpr[R_RCX] = COUNT;
    r.rflags |= RF_DF;
    start(vm, &r, "g_rep_insb");
    expect_exit(vm, "g_rep_insb", VMX_REASON_IO);
    regs_expect(vm, &r);
    check_string_fields(vm, &r, "g_rep_insb", last, 2);
    T_ASSERT_EQ(h_peek(vm, last, 1), 0xcc);
    uint32_t sum = 0;
    for (unsigned i = 0; i < COUNT; i++) {
        h_poke(vm, last - i, device_byte(i), 1);
        sum += device_byte(i);
    }
    r.gpr[R_RDI] -= COUNT;
    r.gpr[R_RCX] = 0;
    h_set_reg(vm, HV_X86_RDI, r.gpr[R_RDI]);
    h_set_reg(vm, HV_X86_RCX, 0);
    h_skip_instr(vm);
    expect_done_after(vm, "g_rep_insb");
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_peek(vm, last - COUNT, 1), 0xcc);          /* nothing beyond */
    h_goto(vm, "g_sum_bytes");
    h_set_reg(vm, HV_X86_R8, last - COUNT + 1);
    h_set_reg(vm, HV_X86_R9, COUNT);
    h_expect_report(vm, sum);
}

/* ------------------------------------------------------------------ MMIO */

#define MMIO_GPA (GUEST_UNMAPPED + 0x104)
#define RO_PAGE  (GUEST_FREE + 0x5000)

/* `rmw`: a read-modify-write access, for which the SDM leaves bit 0 (read)
 * to the implementation; bit 1 (write) is always set. */
static void expect_ept_at(struct h_vm *vm, const char *entry, uint64_t gpa, uint64_t access,
                          uint64_t prot_bits, bool rmw, const char *file, int line)
{
    const struct h_exit *e = expect_exit_at(vm, entry, VMX_REASON_EPT_VIOLATION, file, line);
    uint64_t ignore = rmw ? EPTQ_READ : 0;
    uint64_t want = (access | prot_bits | EPTQ_GLA_VALID | EPTQ_GLA_XLAT) & ~ignore;
    uint64_t got = e->qual & EPTQ_COMPARED & ~ignore;
    if (got != want)
        t_fail(true, file, line, "EPT qualification 0x%llx, expected 0x%llx (bits 9-11%s ignored)",
               (unsigned long long)e->qual, (unsigned long long)want, rmw ? " and 0" : "");
    if (e->gpa != gpa || e->gla != gpa)
        t_fail(true, file, line, "GPA 0x%llx, linear 0x%llx; expected both 0x%llx (identity map)",
               (unsigned long long)e->gpa, (unsigned long long)e->gla, (unsigned long long)gpa);
    if (e->instr_len != insn_len(vm, entry))
        t_fail(true, file, line, "instruction length %llu, expected %llu",
               (unsigned long long)e->instr_len, (unsigned long long)insn_len(vm, entry));
    if (e->idt_info & IRQ_INFO_VALID)
        t_fail(true, file, line, "IDT-vectoring information 0x%llx is valid", (unsigned long long)e->idt_info);
}
#define expect_ept(vm, entry, gpa, access, prot, rmw) \
    expect_ept_at(vm, entry, gpa, access, prot, rmw, __FILE__, __LINE__)

/* A dword read whose last two bytes lie past the end of RAM: the exit is
 * for the first unmapped byte; the client assembles RAM and device bytes. */
T_CASE(mmio_read_split_page)
{
    uint64_t addr = GUEST_RAM_SIZE - 2;
    h_poke(vm, addr, 0xbbaa, 2);
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = addr;
    start(vm, &r, "g_mmio_read");
    expect_ept(vm, "g_mmio_read", GUEST_RAM_SIZE, EPTQ_READ, 0, false);
    regs_expect(vm, &r);
    r.gpr[R_RAX] = h_peek(vm, addr, 2) | (0xddccull << 16);
    T_ASSERT_EQ(r.gpr[R_RAX], 0xddccbbaa);
    h_set_reg(vm, HV_X86_RAX, r.gpr[R_RAX]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_read");
    regs_expect(vm, &r);
}

/* The flags of an ADD of `size` bytes, computed as the SDM defines them. */
static uint64_t add_flags(uint64_t a, uint64_t b, unsigned size)
{
    uint64_t mask = size_mask(size), sign = 1ull << (8 * size - 1);
    a &= mask;
    b &= mask;
    uint64_t res = (a + b) & mask, f = 0;
    if (a + b > mask)
        f |= RF_CF;
    if (res == 0)
        f |= RF_ZF;
    if (res & sign)
        f |= RF_SF;
    if ((a ^ res) & (b ^ res) & sign)
        f |= RF_OF;
    if ((a ^ b ^ res) & 0x10)
        f |= RF_AF;
    if (!(__builtin_popcountll(res & 0xff) & 1))
        f |= RF_PF;
    return f;
}

T_CASE(mmio_read)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = MMIO_GPA;
    start(vm, &r, "g_mmio_read");
    expect_ept(vm, "g_mmio_read", MMIO_GPA, EPTQ_READ, 0, false);
    regs_expect(vm, &r);
    /* The client's device answers; a 32-bit load zero-extends. */
    r.gpr[R_RAX] = 0xcafef00d;
    h_set_reg(vm, HV_X86_RAX, r.gpr[R_RAX]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_read");
    regs_expect(vm, &r);
}

/* A load the client answers: the register as the client leaves it, how
 * ever the instruction would have extended the value (the client is the
 * device and the CPU here). */
static void mmio_load_recipe(struct h_vm *vm, const char *entry, int reg, uint64_t keep, uint64_t answer)
{
    static const hv_x86_reg_t hv_reg[] = {
        [R_RAX] = HV_X86_RAX, [R_RDX] = HV_X86_RDX, [R_RSI] = HV_X86_RSI,
        [R_RDI] = HV_X86_RDI, [R_R10] = HV_X86_R10,
    };
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = MMIO_GPA;
    start(vm, &r, entry);
    expect_ept(vm, entry, MMIO_GPA, EPTQ_READ, 0, false);
    regs_expect(vm, &r);
    r.gpr[reg] = (r.gpr[reg] & keep) | answer;
    h_set_reg(vm, hv_reg[reg], r.gpr[reg]);
    h_skip_instr(vm);
    expect_done_after(vm, entry);
    regs_expect(vm, &r);
}

/* An 8-bit load into AH and a 16-bit one keep the rest of the register. */
T_CASE(mmio_read_high_byte) { mmio_load_recipe(vm, "g_mmio_read_ah", R_RAX, ~0xff00ull, 0x5a00); }
T_CASE(mmio_read_word_keeps_upper) { mmio_load_recipe(vm, "g_mmio_read_r10w", R_R10, ~0xffffull, 0xbeef); }
T_CASE(mmio_read_qword) { mmio_load_recipe(vm, "g_mmio_read_rdx", R_RDX, 0, 0x0123456789abcdefull); }
T_CASE(mmio_movzx_byte) { mmio_load_recipe(vm, "g_mmio_movzx_byte", R_RSI, 0, 0xa5); }
T_CASE(mmio_movsx_word) { mmio_load_recipe(vm, "g_mmio_movsx_word", R_RDI, 0, 0xffffffffffff8001ull); }
/* Answers no load of that width could give: the client's word is final. */
T_CASE(mmio_read_answer_wider_than_load)
{
    mmio_load_recipe(vm, "g_mmio_read", R_RAX, 0, 0x12345678cafef00dull);
}
T_CASE(mmio_movzx_answer_not_zero_extended) { mmio_load_recipe(vm, "g_mmio_movzx_byte", R_RSI, 0, 0x1a5); }
T_CASE(mmio_read_high_byte_and_low) { mmio_load_recipe(vm, "g_mmio_read_ah", R_RAX, ~0xffffull, 0x5a77); }

/* The client answers the load and changes another register too. */
T_CASE(mmio_read_and_another_register)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = MMIO_GPA;
    start(vm, &r, "g_mmio_read");
    expect_ept(vm, "g_mmio_read", MMIO_GPA, EPTQ_READ, 0, false);
    r.gpr[R_RAX] = 0xcafef00d;
    r.gpr[R_RCX] = 0x5151;
    h_set_reg(vm, HV_X86_RAX, r.gpr[R_RAX]);
    h_set_reg(vm, HV_X86_RCX, r.gpr[R_RCX]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_read");
    regs_expect(vm, &r);
}

T_CASE(mmio_store_imm)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = MMIO_GPA;
    start(vm, &r, "g_mmio_store_imm");
    expect_ept(vm, "g_mmio_store_imm", MMIO_GPA, EPTQ_WRITE, 0, false);
    regs_expect(vm, &r);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_store_imm");
    regs_expect(vm, &r);
}

T_CASE(mmio_write)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = MMIO_GPA;
    r.gpr[R_RCX] = 0x1111222233334444ull;
    start(vm, &r, "g_mmio_write");
    expect_ept(vm, "g_mmio_write", MMIO_GPA, EPTQ_WRITE, 0, false);
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX) & 0xffffffff, 0x33334444);   /* what the device gets */
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_write");
    regs_expect(vm, &r);
}

/* The guest sees the flags the client computed. */
static void guest_reports_flags(struct h_vm *vm, uint64_t rflags)
{
    h_goto(vm, "g_report_flags");
    h_expect_report(vm, rflags);
    h_expect_done(vm);
}

/* ADD to MMIO: nothing of the instruction at the exit (flags included);
 * the client does the read, the add and the write, and sets the flags. */
T_CASE(mmio_rmw_add)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = MMIO_GPA;
    r.gpr[R_RAX] = 0x7700000005ull;
    r.rflags = RF_FIXED | RF_ZF | RF_OF;
    start(vm, &r, "g_mmio_add");
    expect_ept(vm, "g_mmio_add", MMIO_GPA, EPTQ_WRITE, 0, true);
    regs_expect(vm, &r);
    uint64_t device = 0xfffffffeull;
    uint64_t flags = add_flags(device, 5, 4);
    T_ASSERT_EQ(flags, RF_CF | RF_AF | RF_PF);    /* 0xfffffffe + 5 = 3: carry out of bits 31 and 3 */
    r.rflags = (r.rflags & ~(uint64_t)RF_ARITH) | flags;
    h_set_reg(vm, HV_X86_RFLAGS, r.rflags);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_add");
    regs_expect(vm, &r);
    guest_reports_flags(vm, r.rflags);
}

/* LOCK XADD to MMIO: EAX not yet exchanged at the exit. */
T_CASE(mmio_rmw_lock_xadd)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = MMIO_GPA;
    r.gpr[R_RAX] = 0xffff000080000000ull;
    start(vm, &r, "g_mmio_xadd");
    expect_ept(vm, "g_mmio_xadd", MMIO_GPA, EPTQ_WRITE, 0, true);
    regs_expect(vm, &r);
    uint64_t device = 0x80000000ull;
    r.gpr[R_RAX] = device;                         /* the old value, zero-extended */
    r.rflags = (r.rflags & ~(uint64_t)RF_ARITH) | add_flags(device, 0x80000000ull, 4);
    T_ASSERT_EQ(r.rflags & RF_ARITH, RF_CF | RF_ZF | RF_OF | RF_PF);
    h_set_reg(vm, HV_X86_RAX, r.gpr[R_RAX]);
    h_set_reg(vm, HV_X86_RFLAGS, r.rflags);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_xadd");
    regs_expect(vm, &r);
}

/* INC byte: CF is not an INC output, so it stays as the client leaves it. */
T_CASE(mmio_rmw_inc_byte)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = MMIO_GPA;
    r.rflags = RF_FIXED | RF_CF;
    start(vm, &r, "g_mmio_incb");
    expect_ept(vm, "g_mmio_incb", MMIO_GPA, EPTQ_WRITE, 0, true);
    regs_expect(vm, &r);
    uint64_t flags = add_flags(0x7f, 1, 1) & ~(uint64_t)RF_CF;
    T_ASSERT_EQ(flags, RF_SF | RF_OF | RF_AF);     /* 0x7f + 1 = 0x80 */
    r.rflags = (r.rflags & ~(uint64_t)RF_ARITH) | RF_CF | flags;
    h_set_reg(vm, HV_X86_RFLAGS, r.rflags);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_incb");
    regs_expect(vm, &r);
    guest_reports_flags(vm, r.rflags);
}

/* ADD to a READ|EXEC page: the read part may happen inside the CPU, but
 * neither memory nor flags change before the exit. */
T_CASE(mmio_rmw_add_readonly_page)
{
    h_poke(vm, RO_PAGE + 0x40, 0x10000000, 4);
    T_HV(hv_vm_protect(RO_PAGE, 0x1000, HV_MEMORY_READ | HV_MEMORY_EXEC));
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = RO_PAGE + 0x40;
    r.gpr[R_RAX] = 0x234;
    start(vm, &r, "g_mmio_add");
    expect_ept(vm, "g_mmio_add", RO_PAGE + 0x40, EPTQ_WRITE, EPTQ_READABLE | EPTQ_EXECUTABLE, true);
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_peek(vm, RO_PAGE + 0x40, 4), 0x10000000);
    /* The client emulates it on its own view of the page. */
    h_poke(vm, RO_PAGE + 0x40, 0x10000234, 4);
    r.rflags = (r.rflags & ~(uint64_t)RF_ARITH) | add_flags(0x10000000, 0x234, 4);
    h_set_reg(vm, HV_X86_RFLAGS, r.rflags);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_add");
    regs_expect(vm, &r);
    h_goto(vm, "g_report_mem");
    h_expect_report(vm, 0x10000234);
}

/* A write to a read-only mapping: write bit, readable and executable bits
 * from the mapping, memory unchanged; the client's write is what the guest
 * then reads. */
T_CASE(write_to_readonly_mapping)
{
    h_poke(vm, RO_PAGE + 0x80, 0x0badf00d, 4);
    T_HV(hv_vm_protect(RO_PAGE, 0x1000, HV_MEMORY_READ | HV_MEMORY_EXEC));
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = RO_PAGE + 0x80;
    r.gpr[R_RCX] = 0x5555666677778888ull;
    start(vm, &r, "g_mmio_write");
    expect_ept(vm, "g_mmio_write", RO_PAGE + 0x80, EPTQ_WRITE, EPTQ_READABLE | EPTQ_EXECUTABLE, false);
    T_ASSERT_EQ(vm->exit.qual & 0x86, 0x82);          /* Apple's dirty-tracking test */
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_peek(vm, RO_PAGE + 0x80, 4), 0x0badf00d);
    h_poke(vm, RO_PAGE + 0x80, h_reg(vm, HV_X86_RCX), 4);
    h_skip_instr(vm);
    expect_done_after(vm, "g_mmio_write");
    regs_expect(vm, &r);
    h_goto(vm, "g_report_mem");
    h_expect_report(vm, 0x77778888);
}

/* MOVSQ from RAM to MMIO: the read of the source is invisible, the write
 * exits; RSI/RDI not advanced. */
T_CASE(mmio_movs_to_device)
{
    uint64_t src = GUEST_FREE + 0x6000;
    h_poke(vm, src, 0x0102030405060708ull, 8);
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RSI] = src;
    r.gpr[R_RDI] = MMIO_GPA + 4;
    start(vm, &r, "g_movsq");
    expect_ept(vm, "g_movsq", MMIO_GPA + 4, EPTQ_WRITE, 0, false);
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_peek(vm, h_reg(vm, HV_X86_RSI), 8), 0x0102030405060708ull);
    r.gpr[R_RSI] += 8;
    r.gpr[R_RDI] += 8;
    h_set_reg(vm, HV_X86_RSI, r.gpr[R_RSI]);
    h_set_reg(vm, HV_X86_RDI, r.gpr[R_RDI]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_movsq");
    regs_expect(vm, &r);
}

/* MOVSQ from MMIO to RAM: the destination is untouched at the exit. */
T_CASE(mmio_movs_from_device)
{
    uint64_t dst = GUEST_FREE + 0x6100;
    h_poke(vm, dst, 0x1111111111111111ull, 8);
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RSI] = MMIO_GPA + 0x20;
    r.gpr[R_RDI] = dst;
    start(vm, &r, "g_movsq");
    expect_ept(vm, "g_movsq", MMIO_GPA + 0x20, EPTQ_READ, 0, false);
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_peek(vm, dst, 8), 0x1111111111111111ull);
    h_poke(vm, h_reg(vm, HV_X86_RDI), 0xfedcba9876543210ull, 8);
    r.gpr[R_RSI] += 8;
    r.gpr[R_RDI] += 8;
    h_set_reg(vm, HV_X86_RSI, r.gpr[R_RSI]);
    h_set_reg(vm, HV_X86_RDI, r.gpr[R_RDI]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_movsq");
    regs_expect(vm, &r);
    h_goto(vm, "g_report_mem");
    h_set_reg(vm, HV_X86_RBX, dst + 4);
    h_expect_report(vm, 0xfedcba98);
}

/* PUSH onto an unmapped stack page: RSP not decremented.  The recipe here is
 * the other one: the client maps the page and re-runs the same instruction. */
T_CASE(push_unmapped_stack_then_map)
{
    uint64_t page = GUEST_UNMAPPED + 0x10000;
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RSP] = page + 0x1000;
    r.gpr[R_RCX] = 0x5151515151515151ull;
    start(vm, &r, "g_push");
    expect_ept(vm, "g_push", page + 0xff8, EPTQ_WRITE, 0, false);
    regs_expect(vm, &r);
    uint8_t *host = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    T_ASSERT(host != MAP_FAILED);
    hv_return_t mapped = hv_vm_map(host, page, 0x1000, HV_MEMORY_READ | HV_MEMORY_WRITE);
    if (mapped != HV_SUCCESS)
        munmap(host, 0x1000);
    T_HV(mapped);
    expect_done_after(vm, "g_push");
    uint64_t pushed = 0;
    memcpy(&pushed, host + 0xff8, 8);
    T_EXPECT_EQ(pushed, 0x5151515151515151ull);
    r.gpr[R_RSP] -= 8;
    regs_expect(vm, &r);
    T_EXPECT_EQ(hv_vm_unmap(page, 0x1000), HV_SUCCESS);
    munmap(host, 0x1000);
}

/* POP from an unmapped stack page: neither RSP nor the destination change;
 * the client supplies the value and does the pop. */
T_CASE(pop_unmapped_stack)
{
    uint64_t top = GUEST_UNMAPPED + 0x20100;
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RSP] = top;
    start(vm, &r, "g_pop");
    expect_ept(vm, "g_pop", top, EPTQ_READ, 0, false);
    regs_expect(vm, &r);
    r.gpr[R_RCX] = 0x600d600d600d600dull;
    r.gpr[R_RSP] += 8;
    h_set_reg(vm, HV_X86_RCX, r.gpr[R_RCX]);
    h_set_reg(vm, HV_X86_RSP, r.gpr[R_RSP]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_pop");
    regs_expect(vm, &r);
}

/* ------------------------------------------- exits in interrupt shadows */

/* An MMIO read right after STI: at the exit IF is 1 and the STI shadow is
 * still in the interruptibility state (the instruction has not run). */
T_CASE(mmio_in_sti_shadow)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RBX] = MMIO_GPA;
    start(vm, &r, "g_sti_mmio");
    expect_ept(vm, "g_sti_mmio_insn", MMIO_GPA, EPTQ_READ, 0, false);
    r.rflags |= RF_IF;
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY) & 3, GUEST_INTRBILITY_STI_BLOCKING);
    r.gpr[R_RAX] = 0x51;
    h_set_reg(vm, HV_X86_RAX, r.gpr[R_RAX]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_sti_mmio_insn");
    regs_expect(vm, &r);
}

/* IN right after MOV SS: the MOV-SS shadow is there at the exit. */
T_CASE(io_in_movss_shadow)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RDX] = RDX_COM1;
    start(vm, &r, "g_movss_in");
    expect_exit(vm, "g_movss_in_insn", VMX_REASON_IO);
    T_ASSERT_EQ(vm->exit.instr_len, insn_len(vm, "g_movss_in_insn"));
    r.gpr[R_RCX] = (r.gpr[R_RCX] & ~0xffffull) | (h_reg(vm, HV_X86_SS) & 0xffff);
    regs_expect(vm, &r);
    /* Under KVM nested in QEMU's software CPU the SVM shadow was once
     * missing at this exit (one CI run in several); everywhere else a
     * missing shadow fails. */
    if ((h_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY) & 3) == 0 && h_on_kvm() &&
        getenv("OPENHV_NESTED_SOFTWARE_CPU") != NULL)
        T_SKIP("no MOV-SS shadow reported at the IN exit under KVM nested in QEMU's software CPU: "
               "intermittent, cause not found yet (docs/compat.md)");
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_INTERRUPTIBILITY) & 3, GUEST_INTRBILITY_MOVSS_BLOCKING);
    h_complete_in(vm, 0x3c);
    r.gpr[R_RAX] = (r.gpr[R_RAX] & ~0xffull) | 0x3c;
    expect_done_after(vm, "g_movss_in_insn");
    regs_expect(vm, &r);
}

/* ------------------------------------------------------------------ MSRs */

#define MSR_UNKNOWN 0x4f70656eu

/* RDMSR of an MSR nobody implements: EDX:EAX untouched at the exit; the
 * client's answer arrives (upper halves cleared, as RDMSR does). */
T_CASE(rdmsr_unknown)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RCX] = 0xffffffff00000000ull | MSR_UNKNOWN;   /* only ECX names the MSR */
    start(vm, &r, "g_rdmsr");
    expect_exit(vm, "g_rdmsr", VMX_REASON_RDMSR);
    T_ASSERT_EQ(vm->exit.instr_len, insn_len(vm, "g_rdmsr"));
    regs_expect(vm, &r);
    r.gpr[R_RAX] = 0x89abcdef;
    r.gpr[R_RDX] = 0x01234567;
    h_set_reg(vm, HV_X86_RAX, r.gpr[R_RAX]);
    h_set_reg(vm, HV_X86_RDX, r.gpr[R_RDX]);
    h_skip_instr(vm);
    expect_done_after(vm, "g_rdmsr");
    regs_expect(vm, &r);
}

T_CASE(wrmsr_unknown)
{
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RCX] = MSR_UNKNOWN;
    start(vm, &r, "g_wrmsr");
    expect_exit(vm, "g_wrmsr", VMX_REASON_WRMSR);
    T_ASSERT_EQ(vm->exit.instr_len, insn_len(vm, "g_wrmsr"));
    regs_expect(vm, &r);
    h_skip_instr(vm);
    expect_done_after(vm, "g_wrmsr");
    regs_expect(vm, &r);
}

/* ------------------------------------------------------ HLT, CPUID, VMCALL */

T_CASE(hlt_exit)
{
    if (!h_enable_ctrl(vm, VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED, CPU_BASED_HLT))
        T_SKIP("HLT exiting not allowed by HV_VMX_CAP_PROCBASED");
    struct regs r;
    regs_seed(vm, &r);
    r.rflags |= RF_IF;
    start(vm, &r, "g_hlt");
    expect_exit(vm, "g_hlt", VMX_REASON_HLT);
    T_ASSERT_EQ(vm->exit.instr_len, 1);
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_ACTIVITY_STATE), 0);   /* not halted: HLT did not run */
    h_skip_instr(vm);
    expect_done_after(vm, "g_hlt");
    regs_expect(vm, &r);
}

static void kernel_handled_skip(void)
{
    if (backend_is_kvm())
        T_SKIP("kvm: CPUID/VMCALL are handled in the kernel (docs/compat.md)");
}

T_CASE(cpuid_exit)
{
    kernel_handled_skip();
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RAX] = 0x40000000;
    r.gpr[R_RCX] = 0;
    start(vm, &r, "g_cpuid");
    expect_exit(vm, "g_cpuid", VMX_REASON_CPUID);
    T_ASSERT_EQ(vm->exit.instr_len, insn_len(vm, "g_cpuid"));
    regs_expect(vm, &r);
    static const uint64_t answer[4] = { 0x40000001, 0x4f70656e, 0x4856484f, 0x21212121 };
    static const int regs_of[4] = { R_RAX, R_RBX, R_RCX, R_RDX };
    for (int i = 0; i < 4; i++) {
        r.gpr[regs_of[i]] = answer[i];
        h_set_reg(vm, recipe_gpr[regs_of[i]].id, answer[i]);
    }
    h_skip_instr(vm);
    expect_done_after(vm, "g_cpuid");
    regs_expect(vm, &r);
}

T_CASE(vmcall_exit)
{
    kernel_handled_skip();
    struct regs r;
    regs_seed(vm, &r);
    start(vm, &r, "g_vmcall");
    expect_exit(vm, "g_vmcall", VMX_REASON_VMCALL);
    T_ASSERT_EQ(vm->exit.instr_len, 3);
    T_ASSERT_EQ(insn_len(vm, "g_vmcall"), 3);
    regs_expect(vm, &r);
    r.gpr[R_RAX] = 0;                      /* the client's hypercall status */
    h_set_reg(vm, HV_X86_RAX, 0);
    h_skip_instr(vm);
    expect_done_after(vm, "g_vmcall");
    regs_expect(vm, &r);
}

/* ------------------------------------- the client does not advance RIP */

/* One register file serves every exiting entry: DX names COM1, RBX an
 * unmapped GPA, ECX an unknown MSR, RSI/RDI a RAM buffer. */
static void seed_any_exit(struct h_vm *vm, struct regs *r)
{
    regs_seed(vm, r);
    r->gpr[R_RDX] = RDX_COM1;
    r->gpr[R_RBX] = MMIO_GPA;
    r->gpr[R_RCX] = MSR_UNKNOWN;
    r->gpr[R_RSI] = STR_BUF;
    r->gpr[R_RDI] = STR_BUF;
}

/* Re-entering without touching anything runs the same instruction again:
 * the same exit, nothing completed in between (a backend that finishes the
 * access behind the client's back would show it in the registers). */
static void rerun_recipe(struct h_vm *vm, const char *entry, uint64_t reason)
{
    struct regs r;
    seed_any_exit(vm, &r);
    memset(h_mem(vm, STR_BUF, 0x100), 0xcc, 0x100);
    start(vm, &r, entry);
    uint64_t qual = expect_exit(vm, entry, reason)->qual;
    regs_expect(vm, &r);
    for (int i = 0; i < 3; i++) {
        const struct h_exit *e = expect_exit(vm, entry, reason);
        T_ASSERT_EQ(e->qual, qual);
        regs_expect(vm, &r);
    }
    T_ASSERT_EQ(h_peek(vm, STR_BUF, 8), 0xccccccccccccccccull);
}

/* The client sends the guest elsewhere instead of completing the
 * instruction (a debugger, an injected fault's handler): the guest starts
 * there with exactly the client's registers. */
static void redirect_recipe(struct h_vm *vm, const char *entry, uint64_t reason)
{
    struct regs r;
    seed_any_exit(vm, &r);
    memset(h_mem(vm, STR_BUF, 0x100), 0xcc, 0x100);
    start(vm, &r, entry);
    expect_exit(vm, entry, reason);
    h_goto(vm, "_start");
    h_expect_done(vm);
    T_ASSERT_EQ(vm->exit.rip, h_sym(vm, "_start"));
    regs_expect(vm, &r);
    T_ASSERT_EQ(h_peek(vm, STR_BUF, 8), 0xccccccccccccccccull);
}

T_CASE(rerun_in) { rerun_recipe(vm, "g_in_dx_eax", VMX_REASON_IO); }
T_CASE(rerun_out) { rerun_recipe(vm, "g_out_dx_al", VMX_REASON_IO); }
T_CASE(rerun_out_imm) { rerun_recipe(vm, "g_out_imm_eax", VMX_REASON_IO); }
T_CASE(rerun_rep_insb) { rerun_recipe(vm, "g_rep_insb", VMX_REASON_IO); }
T_CASE(rerun_mmio_read) { rerun_recipe(vm, "g_mmio_read", VMX_REASON_EPT_VIOLATION); }
T_CASE(rerun_mmio_add) { rerun_recipe(vm, "g_mmio_add", VMX_REASON_EPT_VIOLATION); }
T_CASE(rerun_rdmsr) { rerun_recipe(vm, "g_rdmsr", VMX_REASON_RDMSR); }
T_CASE(redirect_in) { redirect_recipe(vm, "g_in_dx_eax", VMX_REASON_IO); }
T_CASE(redirect_out) { redirect_recipe(vm, "g_out_dx_al", VMX_REASON_IO); }
T_CASE(redirect_out_imm) { redirect_recipe(vm, "g_out_imm_eax", VMX_REASON_IO); }
T_CASE(redirect_rep_insb) { redirect_recipe(vm, "g_rep_insb", VMX_REASON_IO); }
T_CASE(redirect_mmio_read) { redirect_recipe(vm, "g_mmio_read", VMX_REASON_EPT_VIOLATION); }
T_CASE(redirect_mmio_xadd) { redirect_recipe(vm, "g_mmio_xadd", VMX_REASON_EPT_VIOLATION); }
T_CASE(redirect_rdmsr) { redirect_recipe(vm, "g_rdmsr", VMX_REASON_RDMSR); }
T_CASE(redirect_wrmsr) { redirect_recipe(vm, "g_wrmsr", VMX_REASON_WRMSR); }

/* ------------------------------------------ RFLAGS.RF at the exit */

/* VMX saves RF by the kind of exit (SDM 27.3.3), not as the guest had it:
 * 1 for an EPT violation outside event delivery (so that the re-executed
 * instruction does not hit its instruction breakpoint again), 0 for an
 * instruction that exits unconditionally or by an exiting control, and for
 * an exception exit the RF of the frame it would have pushed (1 for a
 * fault). */
static uint64_t rf_at_exit(struct h_vm *vm, const char *entry, uint64_t reason, bool rf_before)
{
    struct regs r;
    seed_any_exit(vm, &r);
    r.gpr[R_RCX] = strcmp(entry, "g_rep_outsb") == 0 ? 37 : r.gpr[R_RCX];   /* a short REP */
    if (rf_before)
        r.rflags |= RF_RF;
    start(vm, &r, entry);
    expect_exit(vm, entry, reason);
    regs_expect(vm, &r);
    return h_reg(vm, HV_X86_RFLAGS) & RF_RF;
}

T_CASE(rf_saved_1_on_ept_violation)
{
    T_ASSERT_EQ(rf_at_exit(vm, "g_mmio_read", VMX_REASON_EPT_VIOLATION, false), RF_RF);
}

T_CASE(rf_saved_0_on_io_exit)
{
    T_ASSERT_EQ(rf_at_exit(vm, "g_in_dx_eax", VMX_REASON_IO, true), 0);
}

T_CASE(rf_saved_0_on_rep_outs_exit)
{
    T_ASSERT_EQ(rf_at_exit(vm, "g_rep_outsb", VMX_REASON_IO, false), 0);
}

T_CASE(rf_saved_0_on_rdmsr_exit)
{
    T_ASSERT_EQ(rf_at_exit(vm, "g_rdmsr", VMX_REASON_RDMSR, true), 0);
}

T_CASE(rf_saved_1_on_fault_exit)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, h_vmcs(vm, VMCS_CTRL_EXC_BITMAP) | (1u << 6));
    T_ASSERT_EQ(rf_at_exit(vm, "g_ud2", VMX_REASON_EXC_NMI, false), RF_RF);
    T_ASSERT_EQ(vm->exit.intr_info, IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | 6);
}

/* The same fault delivered to the guest: RF=1 in the frame it pushes. */
T_CASE(rf_pushed_1_for_guest_fault)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 0);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_EXC);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffffffff, 6);
    T_ASSERT_EQ(h_peek(vm, h_sym(vm, "rc_last_rip"), 8), h_sym(vm, "g_idt_ud2_insn"));
    T_ASSERT_EQ(h_peek(vm, h_sym(vm, "rc_last_rflags"), 8) & RF_RF, RF_RF);
}

#define E(name, entry) T_ENTRY(name, GUEST, GUEST_LONG64, entry)
static const struct t_case cases[] = {
    E(io_in_dx_al, "_start"),
    E(io_in_dx_ax, "_start"),
    E(io_in_dx_eax, "_start"),
    E(io_in_imm_al, "_start"),
    E(io_out_dx_al, "_start"),
    E(io_out_dx_ax_opsize, "_start"),
    E(io_out_imm_eax, "_start"),
    E(io_out_imm_ax_opsize, "_start"),
    E(io_rep_outsb, "_start"),
    E(io_rep_outsw, "_start"),
    E(io_rep_insb, "_start"),
    E(io_rep_insb_addr32, "_start"),
    E(io_rep_outsb_in_chunks, "_start"),
    E(io_rep_insb_backward, "_start"),
    E(mmio_read, "_start"),
    E(mmio_write, "_start"),
    E(mmio_read_high_byte, "_start"),
    E(mmio_read_word_keeps_upper, "_start"),
    E(mmio_read_qword, "_start"),
    E(mmio_movzx_byte, "_start"),
    E(mmio_movsx_word, "_start"),
    E(mmio_read_answer_wider_than_load, "_start"),
    E(mmio_movzx_answer_not_zero_extended, "_start"),
    E(mmio_read_high_byte_and_low, "_start"),
    E(mmio_read_and_another_register, "_start"),
    E(mmio_store_imm, "_start"),
    E(mmio_read_split_page, "_start"),
    E(mmio_rmw_add, "_start"),
    E(mmio_rmw_lock_xadd, "_start"),
    E(mmio_rmw_inc_byte, "_start"),
    E(mmio_rmw_add_readonly_page, "_start"),
    E(write_to_readonly_mapping, "_start"),
    E(mmio_movs_to_device, "_start"),
    E(mmio_movs_from_device, "_start"),
    E(push_unmapped_stack_then_map, "_start"),
    E(pop_unmapped_stack, "_start"),
    E(mmio_in_sti_shadow, "_start"),
    E(io_in_movss_shadow, "_start"),
    E(rdmsr_unknown, "_start"),
    E(wrmsr_unknown, "_start"),
    E(hlt_exit, "_start"),
    E(cpuid_exit, "_start"),
    E(vmcall_exit, "_start"),
    E(rerun_in, "_start"),
    E(rerun_out, "_start"),
    E(rerun_out_imm, "_start"),
    E(rerun_rep_insb, "_start"),
    E(rerun_mmio_read, "_start"),
    E(rerun_mmio_add, "_start"),
    E(rerun_rdmsr, "_start"),
    E(redirect_in, "_start"),
    E(redirect_out, "_start"),
    E(redirect_out_imm, "_start"),
    E(redirect_rep_insb, "_start"),
    E(redirect_mmio_read, "_start"),
    E(redirect_mmio_xadd, "_start"),
    E(redirect_rdmsr, "_start"),
    E(redirect_wrmsr, "_start"),
    E(rf_saved_1_on_ept_violation, "_start"),
    E(rf_saved_0_on_io_exit, "_start"),
    E(rf_saved_0_on_rep_outs_exit, "_start"),
    E(rf_saved_0_on_rdmsr_exit, "_start"),
    E(rf_saved_1_on_fault_exit, "_start"),
    E(rf_pushed_1_for_guest_fault, "g_idt_ud2"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
