/*
 * Data movement and the small register/flag instructions: MOV forms,
 * MOVZX/MOVSX/MOVSXD, LEA, XCHG rAX, CMOVcc, SETcc, CBW/CWD families, XLAT,
 * LAHF/SAHF, PUSH/POP (GPR, immediate, r/m, PUSHA/POPA), PUSHF/POPF, the flag
 * bit instructions, NOPs, BOUND and ARPL.
 */
#include "engine_internal.h"

void exec_nop(struct emu_cpu *cpu, const struct insn *in)
{
    (void)cpu;
    (void)in;
}

void exec_mov_rm_r(struct emu_cpu *cpu, const struct insn *in)
{
    rm_put(cpu, in, in->opsize, reg_get(cpu, in, in->reg, in->opsize));
}

void exec_mov_r_rm(struct emu_cpu *cpu, const struct insn *in)
{
    reg_put(cpu, in, in->reg, in->opsize, rm_get(cpu, in, in->opsize));
}

void exec_mov_rm_i(struct emu_cpu *cpu, const struct insn *in) { rm_put(cpu, in, in->opsize, in->imm); }

void exec_mov_r_i(struct emu_cpu *cpu, const struct insn *in)
{
    /* Byte forms B0..B7 name AL..BH without REX, like any byte register. */
    reg_put(cpu, in, opcode_reg(in), in->opsize, in->imm);
}

void exec_movzx_b(struct emu_cpu *cpu, const struct insn *in)
{
    reg_put(cpu, in, in->reg, in->opsize, rm_get(cpu, in, 1));
}

void exec_movzx_w(struct emu_cpu *cpu, const struct insn *in)
{
    reg_put(cpu, in, in->reg, in->opsize, rm_get(cpu, in, 2));
}

void exec_movsx_b(struct emu_cpu *cpu, const struct insn *in)
{
    reg_put(cpu, in, in->reg, in->opsize, sign_extend(rm_get(cpu, in, 1), 1));
}

void exec_movsx_w(struct emu_cpu *cpu, const struct insn *in)
{
    reg_put(cpu, in, in->reg, in->opsize, sign_extend(rm_get(cpu, in, 2), 2));
}

void exec_movsxd(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned src = in->opsize < 4 ? in->opsize : 4;
    reg_put(cpu, in, in->reg, in->opsize, sign_extend(rm_get(cpu, in, src), src));
}

void exec_lea(struct emu_cpu *cpu, const struct insn *in)
{
    if (!in->has_mem)
        EMU_UD(cpu);
    reg_put(cpu, in, in->reg, in->opsize, ea_of(cpu, in));
}

/* 90 without REX.B is NOP even in 64-bit mode (no zero-extension of EAX). */
void exec_xchg_a_r(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned reg = opcode_reg(in), sz = in->opsize;
    if (reg == GPR_RAX)
        return;
    uint64_t a = gpr_get(cpu, GPR_RAX, sz), b = gpr_get(cpu, reg, sz);
    gpr_set(cpu, GPR_RAX, sz, b);
    gpr_set(cpu, reg, sz, a);
}

/* CMOVcc reads its source and, with a 32-bit operand, writes the destination
 * (zero-extending it) whether or not the condition holds. */
static void cmov(struct emu_cpu *cpu, const struct insn *in, unsigned cc)
{
    uint64_t v = rm_get(cpu, in, in->opsize);
    if (flags_cond(cpu, cc))
        reg_put(cpu, in, in->reg, in->opsize, v);
    else if (in->opsize == 4)
        gpr_set(cpu, in->reg, 4, cpu->g->gpr[in->reg]);
}

static void setcc(struct emu_cpu *cpu, const struct insn *in, unsigned cc)
{
    rm_put(cpu, in, 1, flags_cond(cpu, cc));
}

#define CC_HANDLERS(cc)                                                                             \
    void exec_cmov_##cc(struct emu_cpu *cpu, const struct insn *in) { cmov(cpu, in, cc); }           \
    void exec_setcc_##cc(struct emu_cpu *cpu, const struct insn *in) { setcc(cpu, in, cc); }
CC_HANDLERS(0) CC_HANDLERS(1) CC_HANDLERS(2) CC_HANDLERS(3) CC_HANDLERS(4) CC_HANDLERS(5)
CC_HANDLERS(6) CC_HANDLERS(7) CC_HANDLERS(8) CC_HANDLERS(9) CC_HANDLERS(10) CC_HANDLERS(11)
CC_HANDLERS(12) CC_HANDLERS(13) CC_HANDLERS(14) CC_HANDLERS(15)

void exec_cbw(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned sz = in->opsize, half = sz / 2;
    gpr_set(cpu, GPR_RAX, sz, sign_extend(gpr_get(cpu, GPR_RAX, half), half));
}

void exec_cwd(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned sz = in->opsize;
    gpr_set(cpu, GPR_RDX, sz, msb(gpr_get(cpu, GPR_RAX, sz), sz) ? ~0ull : 0);
}

void exec_xlat(struct emu_cpu *cpu, const struct insn *in)
{
    uint64_t off = (gpr_get(cpu, GPR_RBX, in->addrsize) + (cpu->g->gpr[GPR_RAX] & 0xff)) & size_mask(in->addrsize);
    int seg = in->seg_override >= 0 ? in->seg_override : SEG_DS;
    gpr_set(cpu, GPR_RAX, 1, emu_read(cpu, seg, off, 1));
}

/* SALC (undocumented, legacy modes): AL = CF ? FFh : 0, as Intel parts do. */
void exec_salc(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    gpr_set(cpu, GPR_RAX, 1, flag_cf(cpu) ? 0xff : 0);
}

void exec_lahf(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    uint64_t f = (emu_get_rflags(cpu) & (EFL_SF | EFL_ZF | EFL_AF | EFL_PF | EFL_CF)) | EFL_FIXED1;
    uint64_t *rax = &cpu->g->gpr[GPR_RAX];
    *rax = (*rax & ~0xff00ull) | (f << 8);
}

void exec_sahf(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    uint32_t ah = (cpu->g->gpr[GPR_RAX] >> 8) & 0xff;
    flags_set(cpu, EFL_SF | EFL_ZF | EFL_AF | EFL_PF | EFL_CF, ah);
}

void exec_clc(struct emu_cpu *cpu, const struct insn *in) { (void)in; flags_set(cpu, EFL_CF, 0); }
void exec_stc(struct emu_cpu *cpu, const struct insn *in) { (void)in; flags_set(cpu, EFL_CF, EFL_CF); }
void exec_cmc(struct emu_cpu *cpu, const struct insn *in) { (void)in; flags_set(cpu, EFL_CF, flag_cf(cpu) ? 0 : EFL_CF); }
void exec_cld(struct emu_cpu *cpu, const struct insn *in) { (void)in; cpu->g->rflags &= ~(uint64_t)EFL_DF; }
void exec_std(struct emu_cpu *cpu, const struct insn *in) { (void)in; cpu->g->rflags |= EFL_DF; }

/* ---- stack */

void exec_push_r(struct emu_cpu *cpu, const struct insn *in)
{
    emu_push(cpu, gpr_get(cpu, opcode_reg(in), in->opsize), in->opsize);
}

void exec_pop_r(struct emu_cpu *cpu, const struct insn *in)
{
    uint64_t v = emu_pop(cpu, in->opsize);
    gpr_set(cpu, opcode_reg(in), in->opsize, v);
}

void exec_push_i(struct emu_cpu *cpu, const struct insn *in) { emu_push(cpu, in->imm, in->opsize); }

void exec_push_rm(struct emu_cpu *cpu, const struct insn *in)
{
    emu_push(cpu, rm_get(cpu, in, in->opsize), in->opsize);
}

/* POP r/m: an RSP-based destination address uses RSP after the pop, and a
 * faulting destination leaves RSP unchanged. */
void exec_pop_rm(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned os = in->opsize;
    uint64_t old = cpu->g->gpr[GPR_RSP], sp = old & stack_mask(cpu);
    uint64_t v = emu_read(cpu, SEG_SS, sp, os);
    if (!in->has_mem) {
        stack_set_rsp(cpu, sp + os);
        reg_put(cpu, in, in->rm, os, v);
        return;
    }
    stack_set_rsp(cpu, sp + os);
    uint64_t off = ea_of(cpu, in);
    cpu->g->gpr[GPR_RSP] = old;
    emu_write(cpu, emu_ea_seg(in), off, os, v);
    stack_set_rsp(cpu, sp + os);
}

void exec_pusha(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned os = in->opsize;
    uint64_t sm = stack_mask(cpu), sp = cpu->g->gpr[GPR_RSP];
    for (unsigned r = GPR_RAX; r <= GPR_RDI; r++) {
        sp = (sp - os) & sm;
        emu_write(cpu, SEG_SS, sp, os, gpr_get(cpu, r, os)); /* RSP: the value before PUSHA */
    }
    stack_set_rsp(cpu, sp);
}

void exec_popa(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned os = in->opsize;
    uint64_t sm = stack_mask(cpu), sp = cpu->g->gpr[GPR_RSP] & sm, v[8];
    for (int r = GPR_RDI; r >= GPR_RAX; r--) {
        v[r] = emu_read(cpu, SEG_SS, sp, os);
        sp = (sp + os) & sm;
    }
    for (unsigned r = GPR_RAX; r <= GPR_RDI; r++)
        if (r != GPR_RSP)
            gpr_set(cpu, r, os, v[r]);
    stack_set_rsp(cpu, sp);
}

static unsigned iopl_of(const struct emu_cpu *cpu) { return (cpu->g->rflags >> 12) & 3; }

/* PUSHF/POPF: in virtual-8086 mode with IOPL < 3 they are exec_v86.c's. */
void exec_pushf(struct emu_cpu *cpu, const struct insn *in)
{
    if (cpu->mode == MODE_V86 && iopl_of(cpu) < 3) {
        v86_pushf(cpu, in);
        return;
    }
    uint64_t f = emu_get_rflags(cpu) & ~(uint64_t)(EFL_VM | EFL_RF);
    emu_push(cpu, f, in->opsize);
}

void exec_popf(struct emu_cpu *cpu, const struct insn *in)
{
    if (cpu->mode == MODE_V86 && iopl_of(cpu) < 3) {
        v86_popf(cpu, in);
        return;
    }
    unsigned os = in->opsize;
    uint64_t v = emu_pop(cpu, os);
    uint64_t old = emu_get_rflags(cpu);
    uint64_t changeable = EFL_ARITH | EFL_TF | EFL_DF | EFL_NT;
    if (os > 2)
        changeable |= EFL_AC | EFL_ID;
    bool real = cpu->mode == MODE_REAL;
    if (real || (cpu->mode != MODE_V86 && cpu->cpl == 0))
        changeable |= EFL_IOPL;
    if (real || cpu->mode == MODE_V86 || cpu->cpl <= iopl_of(cpu))
        changeable |= EFL_IF;
    uint64_t f = (old & ~changeable) | (v & changeable);
    f = (f & ~(uint64_t)EFL_RF) | EFL_FIXED1;
    emu_set_rflags(cpu, f);
    /* The trap after the next instruction is the step path's: POPF ends
     * its block, but translated code would chain on to the next one. */
    if (f & EFL_TF)
        cpu->block_leave = true;
}

/* ---- legacy-mode checks */

void exec_bound(struct emu_cpu *cpu, const struct insn *in)
{
    if (!in->has_mem)
        EMU_UD(cpu);
    unsigned os = in->opsize;
    int seg = emu_ea_seg(in);
    uint64_t off = ea_of(cpu, in);
    int64_t lo = (int64_t)sign_extend(emu_read(cpu, seg, off, os), os);
    int64_t hi = (int64_t)sign_extend(emu_read(cpu, seg, (off + os) & size_mask(in->addrsize), os), os);
    int64_t idx = (int64_t)sign_extend(reg_get(cpu, in, in->reg, os), os);
    if (idx < lo || idx > hi)
        emu_raise(cpu, VEC_BR, false, 0);
}

void exec_arpl(struct emu_cpu *cpu, const struct insn *in)
{
    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86)
        EMU_UD(cpu);
    uint64_t dst = rm_get(cpu, in, 2), src = reg_get(cpu, in, in->reg, 2);
    if ((dst & 3) < (src & 3)) {
        rm_put(cpu, in, 2, (dst & ~3ull) | (src & 3));
        flags_set(cpu, EFL_ZF, EFL_ZF);
    } else {
        flags_set(cpu, EFL_ZF, 0);
    }
}
