/* Near JMP/CALL/RET, Jcc, LOOP/JCXZ, ENTER/LEAVE, XBEGIN/XABORT. */
#include "cpu_model.h"
#include "engine_internal.h"

void branch_to(struct emu_cpu *cpu, uint64_t target)
{
    if (mode64(cpu)) {
        unsigned bits = (cpu->g->cr4 & (1u << 12)) ? 57 : 48; /* CR4.LA57 */
        if ((uint64_t)((int64_t)(target << (64 - bits)) >> (64 - bits)) != target)
            EMU_GP0(cpu);
    } else if (target > cpu->g->seg[SEG_CS].limit) {
        EMU_GP0(cpu);
    }
    cpu->next_rip = target;
}

static uint64_t rel_target(const struct emu_cpu *cpu, const struct insn *in)
{
    return (cpu->next_rip + in->imm) & size_mask(in->opsize);
}

#define JCC(cc)                                                               \
    void exec_jcc_##cc(struct emu_cpu *cpu, const struct insn *in)            \
    {                                                                         \
        if (flags_cond(cpu, cc))                                              \
            branch_to(cpu, rel_target(cpu, in));                              \
    }
JCC(0) JCC(1) JCC(2) JCC(3) JCC(4) JCC(5) JCC(6) JCC(7)
JCC(8) JCC(9) JCC(10) JCC(11) JCC(12) JCC(13) JCC(14) JCC(15)

void exec_jmp_rel(struct emu_cpu *cpu, const struct insn *in) { branch_to(cpu, rel_target(cpu, in)); }

void exec_jmp_rm(struct emu_cpu *cpu, const struct insn *in)
{
    branch_to(cpu, rm_get(cpu, in, in->opsize));
}

static void call_to(struct emu_cpu *cpu, const struct insn *in, uint64_t target)
{
    uint64_t ret = cpu->next_rip;
    branch_to(cpu, target); /* a bad target faults before anything is pushed */
    emu_push(cpu, ret, in->opsize);
}

void exec_call_rel(struct emu_cpu *cpu, const struct insn *in) { call_to(cpu, in, rel_target(cpu, in)); }

void exec_call_rm(struct emu_cpu *cpu, const struct insn *in)
{
    call_to(cpu, in, rm_get(cpu, in, in->opsize));
}

void exec_ret(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned os = in->opsize;
    uint64_t sp = cpu->g->gpr[GPR_RSP] & stack_mask(cpu);
    uint64_t target = emu_read(cpu, SEG_SS, sp, os);
    branch_to(cpu, target);
    stack_set_rsp(cpu, sp + os + (in->opcode == 0xc2 ? in->imm : 0));
}

/* LOOP family and JCXZ count in rCX of the address size. */
static uint64_t count_reg(const struct emu_cpu *cpu, const struct insn *in)
{
    return gpr_get(cpu, GPR_RCX, in->addrsize);
}

static void loop_common(struct emu_cpu *cpu, const struct insn *in, int zf_wanted)
{
    uint64_t c = (count_reg(cpu, in) - 1) & size_mask(in->addrsize);
    bool take = c != 0 && (zf_wanted < 0 || flag_zf(cpu) == (bool)zf_wanted);
    if (take)
        branch_to(cpu, rel_target(cpu, in));
    gpr_set(cpu, GPR_RCX, in->addrsize, c);
}

void exec_loop(struct emu_cpu *cpu, const struct insn *in) { loop_common(cpu, in, -1); }
void exec_loope(struct emu_cpu *cpu, const struct insn *in) { loop_common(cpu, in, 1); }
void exec_loopne(struct emu_cpu *cpu, const struct insn *in) { loop_common(cpu, in, 0); }

void exec_jcxz(struct emu_cpu *cpu, const struct insn *in)
{
    if (count_reg(cpu, in) == 0)
        branch_to(cpu, rel_target(cpu, in));
}

/* ENTER (SDM pseudo-code): FrameTemp is the whole stack-pointer register of
 * the operand size after the push of rBP (with a 16-bit stack and a 32-bit
 * operand, ESP keeps its upper half), the display copies walk rBP with the
 * stack's address size, and the instruction ends with a write check of the
 * final stack pointer (a #PF or #SS there, although nothing is written).  The
 * frame is built with a local stack pointer; RSP and RBP change only after
 * every access succeeded. */
void exec_enter(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned os = in->opsize, level = in->imm2 & 31;
    uint64_t sm = stack_mask(cpu);
    uint64_t rsp = cpu->g->gpr[GPR_RSP], bp = cpu->g->gpr[GPR_RBP];
    uint64_t sp = (rsp - os) & sm;
    emu_write(cpu, SEG_SS, sp, os, bp & size_mask(os));
    uint64_t frame = ((rsp & ~sm) | sp) & size_mask(os);
    if (level) {
        for (unsigned i = 1; i < level; i++) {
            bp = (bp - os) & sm;
            uint64_t v = emu_read(cpu, SEG_SS, bp, os);
            sp = (sp - os) & sm;
            emu_write(cpu, SEG_SS, sp, os, v);
        }
        sp = (sp - os) & sm;
        emu_write(cpu, SEG_SS, sp, os, frame);
    }
    sp = (sp - in->imm) & sm;
    (void)emu_read_rmw(cpu, SEG_SS, sp, os);
    gpr_set(cpu, GPR_RBP, os, frame);
    stack_set_rsp(cpu, sp);
}

void exec_leave(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned os = in->opsize;
    uint64_t sp = cpu->g->gpr[GPR_RBP] & stack_mask(cpu);
    uint64_t v = emu_read(cpu, SEG_SS, sp, os);
    stack_set_rsp(cpu, sp + os);
    gpr_set(cpu, GPR_RBP, os, v);
}

/*
 * RTM as cpu_model.h describes it: every transaction aborts at XBEGIN,
 * before anything runs inside it, with abort status 0 (no cause bits, no
 * retry hint), so software takes its fallback path at once.  The fallback
 * address is checked first, as XBEGIN does before starting a transaction.
 * The only encodings are C7 F8 rel and C6 F8 ib.
 */
void exec_xbegin(struct emu_cpu *cpu, const struct insn *in)
{
    if (!emu_has_rtm() || in->modrm != 0xf8)
        EMU_UD(cpu);
    uint64_t fallback = cpu->next_rip + in->imm;
    if (!mode64(cpu))
        fallback &= 0xffffffff;
    branch_to(cpu, fallback);
    /* The status goes to EAX: a 32-bit register write. */
    if (mode64(cpu))
        cpu->g->gpr[GPR_RAX] = 0;
    else
        cpu->g->gpr[GPR_RAX] &= ~0xffffffffull;
}

/* Outside a transaction, which is always, XABORT does nothing. */
void exec_xabort(struct emu_cpu *cpu, const struct insn *in)
{
    if (!emu_has_rtm() || in->modrm != 0xf8)
        EMU_UD(cpu);
}
