/* ADD/OR/ADC/SBB/AND/SUB/XOR/CMP, TEST, INC/DEC, NOT/NEG, BCD adjusts, ADCX/ADOX. */
#include "engine_internal.h"

enum alu_op { A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_CMP, A_TEST, A_INC, A_DEC, A_NOT, A_NEG };

HOT uint64_t alu_compute(enum alu_op op, uint64_t a, uint64_t b, bool cin)
{
    switch (op) {
    case A_ADD: return a + b;
    case A_OR: return a | b;
    case A_ADC: return a + b + cin;
    case A_SBB: return a - b - cin;
    case A_AND: case A_TEST: return a & b;
    case A_SUB: case A_CMP: return a - b;
    case A_XOR: return a ^ b;
    case A_INC: return a + 1;
    case A_DEC: return a - 1;
    case A_NOT: return ~a;
    default: return -a; /* A_NEG */
    }
}

HOT void alu_flags(struct emu_cpu *cpu, enum alu_op op, unsigned size, uint64_t a, uint64_t b,
                             uint64_t r, bool cin)
{
    switch (op) {
    case A_ADD: case A_ADC: lf_record(cpu, LF_ADD, size, r, a, b); break;
    case A_SUB: case A_SBB: case A_CMP: lf_record(cpu, LF_SUB, size, r, a, b); break;
    case A_OR: case A_AND: case A_XOR: case A_TEST: lf_record(cpu, LF_LOGIC, size, r, a, b); break;
    case A_INC: lf_record(cpu, LF_INC | (cin ? LF_CARRY : 0), size, r, a, 1); break;
    case A_DEC: lf_record(cpu, LF_DEC | (cin ? LF_CARRY : 0), size, r, a, 1); break;
    case A_NEG: lf_record(cpu, LF_SUB, size, r, 0, a); break;
    default: break; /* NOT leaves the flags alone */
    }
}

static inline bool alu_writes(enum alu_op op) { return op != A_CMP && op != A_TEST; }

static inline bool alu_needs_cf(enum alu_op op)
{
    return op == A_ADC || op == A_SBB || op == A_INC || op == A_DEC;
}

/* dst (r/m operand) op= src, with LOCK done atomically. */
HOT void alu_rm(struct emu_cpu *cpu, const struct insn *in, enum alu_op op, uint64_t src)
{
    unsigned sz = in->opsize;
    uint64_t m = size_mask(sz), a, r;
    bool cin = alu_needs_cf(op) && flag_cf(cpu);
    src &= m;
    if (!in->has_mem) {
        a = reg_get(cpu, in, in->rm, sz);
        r = alu_compute(op, a, src, cin) & m;
        if (alu_writes(op))
            reg_put(cpu, in, in->rm, sz, r);
    } else {
        void *p = in->lock ? locked_ptr(cpu, in, sz) : NULL;
        if (p) {
            a = atomic_load_sized(p, sz);
            do
                r = alu_compute(op, a, src, cin) & m;
            while (!atomic_cas_sized(p, sz, &a, r));
        } else {
            int seg = ea_seg_of(in);
            uint64_t off = ea_of(cpu, in);
            a = alu_writes(op) ? mem_get_rmw(cpu, seg, off, sz) : mem_get(cpu, seg, off, sz);
            r = alu_compute(op, a, src, cin) & m;
            if (alu_writes(op))
                mem_put(cpu, seg, off, sz, r);
        }
    }
    alu_flags(cpu, op, sz, a, src, r, cin);
}

/* Register destination: reg op= src. */
HOT void alu_reg(struct emu_cpu *cpu, const struct insn *in, enum alu_op op, unsigned reg, uint64_t src)
{
    unsigned sz = in->opsize;
    uint64_t m = size_mask(sz);
    bool cin = alu_needs_cf(op) && flag_cf(cpu);
    src &= m;
    uint64_t a = reg_get(cpu, in, reg, sz);
    uint64_t r = alu_compute(op, a, src, cin) & m;
    if (alu_writes(op))
        reg_put(cpu, in, reg, sz, r);
    alu_flags(cpu, op, sz, a, src, r, cin);
}

#define ALU_HANDLERS(name, OP)                                                        \
    void exec_##name##_rm_r(struct emu_cpu *cpu, const struct insn *in)               \
    {                                                                                 \
        alu_rm(cpu, in, OP, reg_get(cpu, in, in->reg, in->opsize));              \
    }                                                                                 \
    void exec_##name##_r_rm(struct emu_cpu *cpu, const struct insn *in)               \
    {                                                                                 \
        alu_reg(cpu, in, OP, in->reg, rm_get(cpu, in, in->opsize));             \
    }                                                                                 \
    void exec_##name##_a_i(struct emu_cpu *cpu, const struct insn *in)                \
    {                                                                                 \
        alu_reg(cpu, in, OP, GPR_RAX, in->imm);                                       \
    }                                                                                 \
    void exec_##name##_rm_i(struct emu_cpu *cpu, const struct insn *in)               \
    {                                                                                 \
        alu_rm(cpu, in, OP, in->imm);                                                 \
    }

ALU_HANDLERS(add, A_ADD)
ALU_HANDLERS(or, A_OR)
ALU_HANDLERS(adc, A_ADC)
ALU_HANDLERS(sbb, A_SBB)
ALU_HANDLERS(and, A_AND)
ALU_HANDLERS(sub, A_SUB)
ALU_HANDLERS(xor, A_XOR)
ALU_HANDLERS(cmp, A_CMP)

void exec_test_rm_r(struct emu_cpu *cpu, const struct insn *in)
{
    alu_rm(cpu, in, A_TEST, reg_get(cpu, in, in->reg, in->opsize));
}

void exec_test_rm_i(struct emu_cpu *cpu, const struct insn *in) { alu_rm(cpu, in, A_TEST, in->imm); }
void exec_test_a_i(struct emu_cpu *cpu, const struct insn *in) { alu_reg(cpu, in, A_TEST, GPR_RAX, in->imm); }
void exec_inc_rm(struct emu_cpu *cpu, const struct insn *in) { alu_rm(cpu, in, A_INC, 1); }
void exec_dec_rm(struct emu_cpu *cpu, const struct insn *in) { alu_rm(cpu, in, A_DEC, 1); }
void exec_not(struct emu_cpu *cpu, const struct insn *in) { alu_rm(cpu, in, A_NOT, 0); }
void exec_neg(struct emu_cpu *cpu, const struct insn *in) { alu_rm(cpu, in, A_NEG, 0); }
void exec_inc_r(struct emu_cpu *cpu, const struct insn *in) { alu_reg(cpu, in, A_INC, in->opcode & 7, 1); }
void exec_dec_r(struct emu_cpu *cpu, const struct insn *in) { alu_reg(cpu, in, A_DEC, in->opcode & 7, 1); }

/* ---- BCD adjusts (legacy modes only; the table rejects them in 64-bit). */

static uint64_t al_get(const struct emu_cpu *cpu) { return cpu->g->gpr[GPR_RAX] & 0xff; }
static void al_set(struct emu_cpu *cpu, uint64_t v) { gpr_set(cpu, GPR_RAX, 1, v); }

static bool flag_af_now(struct emu_cpu *cpu)
{
    flags_materialize(cpu);
    return cpu->g->rflags & EFL_AF;
}

void exec_daa(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    uint64_t al = al_get(cpu), old = al;
    bool cf = flag_cf(cpu), af = flag_af_now(cpu), ncf = false, naf = false;
    if ((al & 0xf) > 9 || af) {
        al += 6;
        ncf = cf || al > 0xff; /* the carry out of AL + 6 counts too */
        naf = true;
    }
    if (old > 0x99 || cf) {
        al += 0x60;
        ncf = true;
    }
    al &= 0xff;
    al_set(cpu, al);
    /* OF is undefined: Intel parts clear it (checked against the host). */
    flags_set(cpu, EFL_ARITH, flags_szp(al, 1) | (ncf ? EFL_CF : 0) | (naf ? EFL_AF : 0));
}

void exec_das(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    uint64_t al = al_get(cpu), old = al;
    bool cf = flag_cf(cpu), af = flag_af_now(cpu), ncf = false, naf = false;
    if ((al & 0xf) > 9 || af) {
        ncf = cf || al < 6; /* the borrow of AL - 6 counts too */
        al -= 6;
        naf = true;
    }
    if (old > 0x99 || cf) {
        al -= 0x60;
        ncf = true;
    }
    al &= 0xff;
    al_set(cpu, al);
    flags_set(cpu, EFL_ARITH, flags_szp(al, 1) | (ncf ? EFL_CF : 0) | (naf ? EFL_AF : 0));
}

/* AAA/AAS: the undefined OF/SF/ZF/PF are, on Intel parts (checked against
 * the host), OF clear and SF/ZF/PF from the final AL. */
static void ascii_adjust(struct emu_cpu *cpu, bool add)
{
    uint64_t ax = cpu->g->gpr[GPR_RAX] & 0xffff;
    bool adjust = (ax & 0xf) > 9 || flag_af_now(cpu);
    if (adjust)
        /* AAA adds 106h to AX (a carry out of AL reaches AH); AAS subtracts
         * 6 from AX and 1 from AH. */
        ax = add ? ax + 0x106 : ax - 6 - 0x100;
    ax &= 0xff0f;
    gpr_set(cpu, GPR_RAX, 2, ax);
    flags_set(cpu, EFL_ARITH, flags_szp(ax & 0xff, 1) | (adjust ? EFL_CF | EFL_AF : 0));
}

void exec_aaa(struct emu_cpu *cpu, const struct insn *in) { (void)in; ascii_adjust(cpu, true); }
void exec_aas(struct emu_cpu *cpu, const struct insn *in) { (void)in; ascii_adjust(cpu, false); }

void exec_aam(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned base = in->imm & 0xff;
    if (!base)
        emu_raise(cpu, VEC_DE, false, 0);
    uint64_t al = al_get(cpu);
    uint64_t res = ((al / base) << 8) | (al % base);
    gpr_set(cpu, GPR_RAX, 2, res);
    /* SF/ZF/PF from AL; OF, AF, CF undefined: cleared, as Intel parts do. */
    flags_set(cpu, EFL_ARITH, flags_szp(res & 0xff, 1));
}

void exec_aad(struct emu_cpu *cpu, const struct insn *in)
{
    uint64_t ax = cpu->g->gpr[GPR_RAX];
    uint64_t al = ax & 0xff, prod = ((ax >> 8) & 0xff) * (in->imm & 0xff);
    uint64_t r = (al + prod) & 0xff;
    gpr_set(cpu, GPR_RAX, 2, r);
    /* Undefined OF/AF/CF: those of the 8-bit addition AL + AH*imm8. */
    uint64_t p8 = prod & 0xff;
    lf_record(cpu, LF_ADD, 1, r, al, p8);
}

/* ADCX/ADOX: an add with carry through one flag only (CF resp. OF), so two
 * carry chains can interleave.  The operand size is 32 or 64 (REX.W): the
 * 66 of ADCX is its mandatory prefix, and a further 66 changes nothing. */
static void add_carry_chain(struct emu_cpu *cpu, const struct insn *in, uint32_t flag)
{
    unsigned sz = (in->rex & 8) ? 8 : 4;
    uint64_t a = reg_get(cpu, in, in->reg, sz), b = rm_get(cpu, in, sz);
    bool cin = flag == EFL_CF ? flag_cf(cpu) : flag_of(cpu);
    uint64_t r = (a + b + cin) & size_mask(sz);
    bool cout = sz == 8 ? (r < a || (cin && r == a)) : ((a + b + cin) >> 32) != 0;
    reg_put(cpu, in, in->reg, sz, r);
    flags_set(cpu, flag, cout ? flag : 0);
}

void exec_adcx(struct emu_cpu *cpu, const struct insn *in) { add_carry_chain(cpu, in, EFL_CF); }
void exec_adox(struct emu_cpu *cpu, const struct insn *in) { add_carry_chain(cpu, in, EFL_OF); }
