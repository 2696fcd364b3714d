/* BT/BTS/BTR/BTC, BSF/BSR, POPCNT/LZCNT/TZCNT, BSWAP, MOVBE. */
#include "engine_internal.h"

enum bit_op { B_TEST, B_SET, B_RESET, B_COMPLEMENT };

static uint64_t bit_apply(enum bit_op op, uint64_t v, uint64_t mask)
{
    switch (op) {
    case B_SET: return v | mask;
    case B_RESET: return v & ~mask;
    case B_COMPLEMENT: return v ^ mask;
    default: return v;
    }
}

/* CF gets the old bit; the other arithmetic flags stay as they were, which is
 * what Intel parts do with the ones the SDM calls undefined. */
static void bit_op(struct emu_cpu *cpu, const struct insn *in, enum bit_op op, uint64_t offset, bool from_reg)
{
    unsigned sz = in->opsize, w = sz * 8;
    uint64_t v;
    bool old;
    if (!in->has_mem) {
        uint64_t mask = 1ull << (offset & (w - 1));
        v = reg_get(cpu, in, in->rm, sz);
        old = v & mask;
        if (op != B_TEST)
            reg_put(cpu, in, in->rm, sz, bit_apply(op, v, mask));
    } else {
        uint64_t off = ea_of(cpu, in);
        if (from_reg) {
            /* A register bit offset is signed and may address outside the operand. */
            int64_t s = (int64_t)sign_extend(offset & size_mask(sz), sz);
            off = (off + (uint64_t)((s >> (w == 64 ? 6 : w == 32 ? 5 : 4)) * (int64_t)sz)) & size_mask(in->addrsize);
        }
        uint64_t mask = 1ull << (offset & (w - 1));
        int seg = emu_ea_seg(in);
        void *p = (in->lock && op != B_TEST) ? emu_rmw_ptr(cpu, seg, off, sz) : NULL;
        if (p) {
            v = atomic_load_sized(p, sz);
            while (!atomic_cas_sized(p, sz, &v, bit_apply(op, v, mask)))
                ;
        } else {
            v = op != B_TEST ? emu_read_rmw(cpu, seg, off, sz) : emu_read(cpu, seg, off, sz);
            if (op != B_TEST)
                emu_write(cpu, seg, off, sz, bit_apply(op, v, mask));
        }
        old = v & mask;
    }
    flags_set(cpu, EFL_CF, old ? EFL_CF : 0);
}

#define BIT_HANDLERS(name, OP)                                                                          \
    void exec_##name##_r(struct emu_cpu *cpu, const struct insn *in)                                    \
    {                                                                                                   \
        bit_op(cpu, in, OP, reg_get(cpu, in, in->reg, in->opsize), true);                          \
    }                                                                                                   \
    void exec_##name##_i(struct emu_cpu *cpu, const struct insn *in) { bit_op(cpu, in, OP, in->imm, false); }

BIT_HANDLERS(bt, B_TEST)
BIT_HANDLERS(bts, B_SET)
BIT_HANDLERS(btr, B_RESET)
BIT_HANDLERS(btc, B_COMPLEMENT)

/* BSF/BSR: a zero source sets ZF and leaves the destination unchanged (as
 * Intel and AMD parts do); the undefined CF/OF/SF/AF/PF follow the host. */
static void bit_scan(struct emu_cpu *cpu, const struct insn *in, bool reverse)
{
    unsigned sz = in->opsize;
    uint64_t src = rm_get(cpu, in, sz);
    if (!src) {
        flags_set(cpu, EFL_ARITH, EFL_ZF | EFL_PF);
        return;
    }
    uint64_t r = reverse ? 63u - (unsigned)__builtin_clzll(src) : (unsigned)__builtin_ctzll(src);
    reg_put(cpu, in, in->reg, sz, r);
    flags_set(cpu, EFL_ARITH, flags_szp(r, 1) & EFL_PF);
}

void exec_bsf(struct emu_cpu *cpu, const struct insn *in) { bit_scan(cpu, in, false); }
void exec_bsr(struct emu_cpu *cpu, const struct insn *in) { bit_scan(cpu, in, true); }

void exec_popcnt(struct emu_cpu *cpu, const struct insn *in)
{
    uint64_t src = rm_get(cpu, in, in->opsize);
    reg_put(cpu, in, in->reg, in->opsize, (uint64_t)__builtin_popcountll(src));
    flags_set(cpu, EFL_ARITH, src ? 0 : EFL_ZF);
}

static void count_zeros(struct emu_cpu *cpu, const struct insn *in, bool leading)
{
    unsigned sz = in->opsize, w = sz * 8;
    uint64_t src = rm_get(cpu, in, sz);
    uint64_t r;
    if (!src)
        r = w;
    else if (leading)
        r = (unsigned)__builtin_clzll(src) - (64 - w);
    else
        r = (unsigned)__builtin_ctzll(src);
    reg_put(cpu, in, in->reg, sz, r);
    /* CF: source was zero; ZF: result is zero; the undefined OF/SF/AF/PF
     * are cleared, as Intel parts do. */
    flags_set(cpu, EFL_ARITH, (src ? 0 : EFL_CF) | (r ? 0 : EFL_ZF));
}

void exec_lzcnt(struct emu_cpu *cpu, const struct insn *in) { count_zeros(cpu, in, true); }
void exec_tzcnt(struct emu_cpu *cpu, const struct insn *in) { count_zeros(cpu, in, false); }

static uint64_t byte_swap(uint64_t v, unsigned size)
{
    switch (size) {
    case 8: return __builtin_bswap64(v);
    case 4: return __builtin_bswap32((uint32_t)v);
    default: return __builtin_bswap16((uint16_t)v);
    }
}

/* BSWAP of a 16-bit register is undefined; Intel parts write zero. */
void exec_bswap(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned reg = (in->opcode & 7) | ((in->rex & 1) << 3), sz = in->opsize;
    uint64_t v = gpr_get(cpu, reg, sz);
    gpr_set(cpu, reg, sz, sz == 2 ? 0 : byte_swap(v, sz));
}

void exec_movbe_load(struct emu_cpu *cpu, const struct insn *in)
{
    if (!in->has_mem || in->rep == REP_F2)
        EMU_UD(cpu);
    uint64_t v = rm_get(cpu, in, in->opsize);
    reg_put(cpu, in, in->reg, in->opsize, byte_swap(v, in->opsize));
}

void exec_movbe_store(struct emu_cpu *cpu, const struct insn *in)
{
    if (!in->has_mem || in->rep == REP_F2)
        EMU_UD(cpu);
    uint64_t v = reg_get(cpu, in, in->reg, in->opsize);
    rm_put(cpu, in, in->opsize, byte_swap(v, in->opsize));
}
