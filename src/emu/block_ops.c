/*
 * Specialised handlers for the block engine's hottest forms.
 *
 * When a block is translated, an instruction whose form is one of those
 * below gets a handler that knows its operation, operand size, register or
 * memory operand and addressing form, so it does its work without reading
 * or switching on the decoded fields the generic handler examines.  Only
 * the copy in the block changes: the step path keeps the generic handlers.
 *
 * A memory form handles only [base + disp] and only what the inline TLB
 * path handles (a TLB hit inside one page; outside 64-bit mode a usable
 * expand-up data segment whose limit covers it); anything else calls the
 * generic handler, which redoes the instruction from the start,
 * with nothing changed yet.  The results, flags included, are those of the
 * generic handlers (the lockstep test compares them).
 */
#include "engine_internal.h"

/* ---- memory operands: [base + disp] --------------------------------- */

HOT uint64_t ea_bd(const struct emu_cpu *cpu, const struct insn *in)
{
    return (cpu->g->gpr[in->base] + (uint64_t)in->disp) & size_mask(in->addrsize);
}

#define SIZES(X) X(8, uint64_t) X(4, uint32_t)

/* MOV r, [base + disp] and MOV [base + disp], r. */
#define MOV_MEM(SZ, T)                                                                        \
    static void op_mov_load##SZ(struct emu_cpu *cpu, const struct insn *in)                   \
    {                                                                                         \
        const uint8_t *p = tlb_fast_host(cpu, ea_seg_of(in), ea_bd(cpu, in), SZ, ACC_READ);     \
        if (__builtin_expect(!p, 0)) {                                                        \
            exec_mov_r_rm(cpu, in);                                                           \
            return;                                                                           \
        }                                                                                     \
        T v;                                                                                  \
        memcpy(&v, p, SZ);                                                                    \
        cpu->g->gpr[in->reg] = v;                                                             \
    }                                                                                         \
    static void op_mov_store##SZ(struct emu_cpu *cpu, const struct insn *in)                  \
    {                                                                                         \
        uint8_t *p = tlb_fast_host(cpu, ea_seg_of(in), ea_bd(cpu, in), SZ, ACC_WRITE);          \
        if (__builtin_expect(!p, 0)) {                                                        \
            exec_mov_rm_r(cpu, in);                                                           \
            return;                                                                           \
        }                                                                                     \
        T v = (T)cpu->g->gpr[in->reg];                                                        \
        memcpy(p, &v, SZ);                                                                    \
    }
SIZES(MOV_MEM)

/* ---- register forms --------------------------------------------------- */

HOT uint64_t mask_of(unsigned sz) { return sz == 8 ? ~0ull : 0xffffffffull; }

static void op_mov_rr8(struct emu_cpu *cpu, const struct insn *in)
{
    /* 89 /r: rm <- reg; 8B /r: reg <- rm; decode puts the direction in the opcode. */
    if (in->opcode == 0x89)
        cpu->g->gpr[in->rm] = cpu->g->gpr[in->reg];
    else
        cpu->g->gpr[in->reg] = cpu->g->gpr[in->rm];
}

static void op_mov_rr4(struct emu_cpu *cpu, const struct insn *in)
{
    if (in->opcode == 0x89)
        cpu->g->gpr[in->rm] = (uint32_t)cpu->g->gpr[in->reg];
    else
        cpu->g->gpr[in->reg] = (uint32_t)cpu->g->gpr[in->rm];
}

/* ALU forms: the destination register, the source value, the operation. */
#define ALU_DO(OP, LF, WRITES, SZ, dst, src)                                                  \
    do {                                                                                      \
        uint64_t m_ = mask_of(SZ), a_ = cpu->g->gpr[dst] & m_, b_ = (src) & m_;                \
        uint64_t r_ = (a_ OP b_) & m_;                                                        \
        if (WRITES)                                                                           \
            cpu->g->gpr[dst] = r_;                                                            \
        lf_record(cpu, LF, SZ, r_, a_, b_);                                                   \
    } while (0)

/* r/m(reg) op= reg (00-3B with mod 3, direction from opcode bit 1). */
#define ALU_RR(NAME, OP, LF, WRITES, SZ)                                                      \
    static void op_##NAME##_rr##SZ(struct emu_cpu *cpu, const struct insn *in)               \
    {                                                                                         \
        if (in->opcode & 2)                                                                   \
            ALU_DO(OP, LF, WRITES, SZ, in->reg, cpu->g->gpr[in->rm]);                         \
        else                                                                                  \
            ALU_DO(OP, LF, WRITES, SZ, in->rm, cpu->g->gpr[in->reg]);                         \
    }                                                                                         \
    static void op_##NAME##_ri##SZ(struct emu_cpu *cpu, const struct insn *in)               \
    {                                                                                         \
        ALU_DO(OP, LF, WRITES, SZ, in->rm, in->imm);                                          \
    }

#define ALU_OPS(X, SZ)                                                                        \
    X(add, +, LF_ADD, 1, SZ) X(sub, -, LF_SUB, 1, SZ) X(cmp, -, LF_SUB, 0, SZ)                \
    X(and, &, LF_LOGIC, 1, SZ) X(or, |, LF_LOGIC, 1, SZ) X(xor, ^, LF_LOGIC, 1, SZ)
ALU_OPS(ALU_RR, 8)
ALU_OPS(ALU_RR, 4)

/* INC/DEC r (FF /0, /1 with mod 3): CF is kept. */
#define INCDEC(SZ)                                                                            \
    static void op_inc_r##SZ(struct emu_cpu *cpu, const struct insn *in)                      \
    {                                                                                         \
        bool cf = flag_cf(cpu);                                                               \
        uint64_t m = mask_of(SZ), a = cpu->g->gpr[in->rm] & m, r = (a + 1) & m;               \
        cpu->g->gpr[in->rm] = r;                                                              \
        lf_record(cpu, LF_INC | (cf ? LF_CARRY : 0), SZ, r, a, 1);                            \
    }                                                                                         \
    static void op_dec_r##SZ(struct emu_cpu *cpu, const struct insn *in)                      \
    {                                                                                         \
        bool cf = flag_cf(cpu);                                                               \
        uint64_t m = mask_of(SZ), a = cpu->g->gpr[in->rm] & m, r = (a - 1) & m;               \
        cpu->g->gpr[in->rm] = r;                                                              \
        lf_record(cpu, LF_DEC | (cf ? LF_CARRY : 0), SZ, r, a, 1);                            \
    }
INCDEC(8)
INCDEC(4)

/* INC/DEC r32 by the one-byte opcodes 40-4F outside 64-bit mode. */
static void op_inc_o4(struct emu_cpu *cpu, const struct insn *in)
{
    bool cf = flag_cf(cpu);
    unsigned reg = in->opcode & 7;
    uint64_t a = cpu->g->gpr[reg] & 0xffffffffull, r = (a + 1) & 0xffffffffull;
    cpu->g->gpr[reg] = r;
    lf_record(cpu, LF_INC | (cf ? LF_CARRY : 0), 4, r, a, 1);
}

static void op_dec_o4(struct emu_cpu *cpu, const struct insn *in)
{
    bool cf = flag_cf(cpu);
    unsigned reg = in->opcode & 7;
    uint64_t a = cpu->g->gpr[reg] & 0xffffffffull, r = (a - 1) & 0xffffffffull;
    cpu->g->gpr[reg] = r;
    lf_record(cpu, LF_DEC | (cf ? LF_CARRY : 0), 4, r, a, 1);
}

/* Jcc rel in 64-bit mode: the target is RIP-relative with a 64-bit operand
 * size and must be canonical. */
#define JCC64(cc)                                                                             \
    static void op_jcc64_##cc(struct emu_cpu *cpu, const struct insn *in)                     \
    {                                                                                         \
        if (flags_cond(cpu, cc))                                                              \
            branch_to(cpu, cpu->next_rip + in->imm);                                          \
    }
JCC64(0) JCC64(1) JCC64(2) JCC64(3) JCC64(4) JCC64(5) JCC64(6) JCC64(7)
JCC64(8) JCC64(9) JCC64(10) JCC64(11) JCC64(12) JCC64(13) JCC64(14) JCC64(15)

static const emu_handler jcc64[16] = {
    op_jcc64_0, op_jcc64_1, op_jcc64_2, op_jcc64_3, op_jcc64_4, op_jcc64_5, op_jcc64_6, op_jcc64_7,
    op_jcc64_8, op_jcc64_9, op_jcc64_10, op_jcc64_11, op_jcc64_12, op_jcc64_13, op_jcc64_14, op_jcc64_15,
};

/* ---- choosing ----------------------------------------------------------- */

static bool simple_mem(const struct insn *in)
{
    return in->has_mem && in->base >= 0 && in->index < 0 && !in->rip_relative && !in->lock &&
           in->rep == REP_NONE;
}

/* The ALU group of an opcode 00-3B / 81 / 83 ext: its handlers for `sz`. */
static emu_handler alu_pick(unsigned op, bool rr, unsigned sz)
{
#define PICK(NAME)                                                                            \
    return rr ? (sz == 8 ? op_##NAME##_rr8 : op_##NAME##_rr4) : (sz == 8 ? op_##NAME##_ri8 : op_##NAME##_ri4)
    switch (op) {
    case 0: PICK(add);
    case 1: PICK(or);
    case 4: PICK(and);
    case 5: PICK(sub);
    case 6: PICK(xor);
    case 7: PICK(cmp);
    default: return NULL;   /* ADC, SBB: generic */
    }
#undef PICK
}

emu_handler emu_block_specialize(const struct emu_cpu *cpu, const struct insn *in)
{
    emu_handler h = in->exec;
    unsigned sz = in->opsize;
    if ((sz != 8 && sz != 4) || in->lock || in->rep != REP_NONE)
        return h;
    uint32_t op = in->opcode;
    bool rr = in->has_modrm && !in->has_mem;

    if (!mode64(cpu) && op >= 0x40 && op <= 0x4f)
        return op < 0x48 ? op_inc_o4 : op_dec_o4;
    if ((op == 0x89 || op == 0x8b) && rr)
        return sz == 8 ? op_mov_rr8 : op_mov_rr4;
    if (op == 0x8b && simple_mem(in))
        return sz == 8 ? op_mov_load8 : op_mov_load4;
    if (op == 0x89 && simple_mem(in))
        return sz == 8 ? op_mov_store8 : op_mov_store4;
    if (op < 0x40 && (op & 7) <= 3 && (op & 1) && rr) {
        emu_handler a = alu_pick(op >> 3, true, sz);
        return a ? a : h;
    }
    if ((op == 0x81 || op == 0x83) && rr) {
        emu_handler a = alu_pick((in->modrm >> 3) & 7, false, sz);
        return a ? a : h;
    }
    if (op == 0xff && rr && ((in->modrm >> 3) & 7) <= 1)
        return ((in->modrm >> 3) & 7) == 0 ? (sz == 8 ? op_inc_r8 : op_inc_r4) : (sz == 8 ? op_dec_r8 : op_dec_r4);
    if (mode64(cpu) && sz == 8 && ((op >= 0x70 && op <= 0x7f) || (op >= 0x0f80 && op <= 0x0f8f)))
        return jcc64[op & 15];
    return h;
}
