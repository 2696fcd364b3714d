/*
 * Shifts and rotates.  Flags are set eagerly.  Where the SDM leaves a flag
 * undefined we reproduce what Intel parts do (tests/engine compares with the
 * host CPU): OF of a multi-bit shift or rotate is the OF of its first 1-bit
 * step; shifts clear AF, rotates leave it; an RCL/RCR of a whole turn
 * (count a multiple of width+1) keeps CF and OF; and ROL/ROR with an
 * immediate count other than 1 and a register operand leave OF unchanged
 * (the CL and memory forms compute it).
 */
#include "engine_internal.h"

enum shift_op { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAR };

static unsigned count_mask(unsigned size) { return size == 8 ? 0x3f : 0x1f; }

static uint32_t of_bit(bool of) { return of ? EFL_OF : 0; }
static uint32_t cf_bit(bool cf) { return cf ? EFL_CF : 0; }

/* Returns the result and sets *which / *fl to the flags it defines. */
static uint64_t shift_compute(struct emu_cpu *cpu, enum shift_op op, unsigned size, uint64_t a, unsigned cnt,
                              bool imm_form, uint32_t *which, uint32_t *fl)
{
    unsigned w = size * 8;
    uint64_t m = size_mask(size), r;
    bool cf, of;
    switch (op) {
    case SH_ROL: {
        unsigned c = cnt % w;
        r = c ? ((a << c) | (a >> (w - c))) & m : a;
        cf = r & 1;
        *which = imm_form && cnt != 1 ? EFL_CF : EFL_CF | EFL_OF; /* see top */
        *fl = cf_bit(cf) | of_bit(msb(a, size) ^ ((a >> (w - 2)) & 1));
        return r;
    }
    case SH_ROR: {
        unsigned c = cnt % w;
        r = c ? ((a >> c) | (a << (w - c))) & m : a;
        cf = msb(r, size);
        *which = imm_form && cnt != 1 ? EFL_CF : EFL_CF | EFL_OF; /* see top */
        *fl = cf_bit(cf) | of_bit((a & 1) ^ msb(a, size));
        return r;
    }
    case SH_RCL:
    case SH_RCR: {
        unsigned c = size < 4 ? cnt % (w + 1) : cnt;
        cf = flag_cf(cpu);
        bool cf_in = cf;
        r = a;
        *which = EFL_CF | EFL_OF;
        if (!c) {
            *fl = flag_of(cpu) ? EFL_OF : 0; /* a whole turn: flags kept */
            *fl |= cf_bit(cf);
            return r;
        }
        for (unsigned i = 0; i < c; i++) {
            bool out;
            if (op == SH_RCL) {
                out = msb(r, size);
                r = ((r << 1) | cf) & m;
            } else {
                out = r & 1;
                r = (r >> 1) | ((uint64_t)cf << (w - 1));
            }
            cf = out;
        }
        if (op == SH_RCL)
            *fl = cf_bit(cf) | of_bit(msb(a, size) ^ ((a >> (w - 2)) & 1));
        else
            *fl = cf_bit(cf) | of_bit(cf_in ^ msb(a, size));
        return r;
    }
    case SH_SHL:
        r = cnt < 64 ? (a << cnt) & m : 0;
        cf = cnt <= w ? (a >> (w - cnt)) & 1 : 0;
        of = msb(a, size) ^ ((a >> (w - 2)) & 1);
        break;
    case SH_SHR:
        r = cnt < 64 ? a >> cnt : 0;
        cf = (a >> (cnt - 1)) & 1;
        of = msb(a, size);
        if (cnt > w)
            cf = 0;
        break;
    default: { /* SAR */
        int64_t sa = (int64_t)sign_extend(a, size);
        r = (uint64_t)(sa >> (cnt < 64 ? cnt : 63)) & m;
        cf = (sa >> ((cnt - 1) < 63 ? cnt - 1 : 63)) & 1;
        of = false;
        break;
    }
    }
    *which = EFL_ARITH;
    *fl = flags_szp(r, size) | cf_bit(cf) | of_bit(of);
    return r;
}

/* Shifts are not lockable, so a plain read then write is exact. */
static void shift_rm(struct emu_cpu *cpu, const struct insn *in, enum shift_op op, unsigned raw_count, bool imm_form)
{
    unsigned sz = in->opsize;
    unsigned cnt = raw_count & count_mask(sz);
    int seg = 0;
    uint64_t off = 0, a;
    if (in->has_mem) {
        seg = emu_ea_seg(in);
        off = ea_of(cpu, in);
        a = emu_read_rmw(cpu, seg, off, sz);
    } else {
        a = reg_get(cpu, in, in->rm, sz);
    }
    if (!cnt) {
        /* Nothing changes, but a 32-bit register destination is still written. */
        if (!in->has_mem && sz == 4)
            reg_put(cpu, in, in->rm, sz, a);
        return;
    }
    uint32_t which, fl;
    uint64_t r = shift_compute(cpu, op, sz, a, cnt, imm_form && !in->has_mem, &which, &fl);
    if (in->has_mem)
        emu_write(cpu, seg, off, sz, r);
    else
        reg_put(cpu, in, in->rm, sz, r);
    flags_set(cpu, which, fl);
}

static unsigned cl_of(const struct emu_cpu *cpu) { return cpu->g->gpr[GPR_RCX] & 0xff; }

#define SHIFT_HANDLERS(name, OP)                                                                   \
    void exec_##name##_i(struct emu_cpu *cpu, const struct insn *in) { shift_rm(cpu, in, OP, (unsigned)in->imm, true); } \
    void exec_##name##_1(struct emu_cpu *cpu, const struct insn *in) { shift_rm(cpu, in, OP, 1, false); } \
    void exec_##name##_cl(struct emu_cpu *cpu, const struct insn *in) { shift_rm(cpu, in, OP, cl_of(cpu), false); }

SHIFT_HANDLERS(rol, SH_ROL)
SHIFT_HANDLERS(ror, SH_ROR)
SHIFT_HANDLERS(rcl, SH_RCL)
SHIFT_HANDLERS(rcr, SH_RCR)
SHIFT_HANDLERS(shl, SH_SHL)
SHIFT_HANDLERS(shr, SH_SHR)
SHIFT_HANDLERS(sar, SH_SAR)

/* SHLD/SHRD: dst r/m, src reg.  For 16-bit operands a count above 16 is
 * undefined; we shift through the 32-bit concatenation dst:src:dst as
 * Intel parts do. */
static void double_shift(struct emu_cpu *cpu, const struct insn *in, bool left, unsigned raw_count)
{
    unsigned sz = in->opsize, w = sz * 8;
    unsigned cnt = raw_count & count_mask(sz);
    int seg = 0;
    uint64_t off = 0, a;
    if (in->has_mem) {
        seg = emu_ea_seg(in);
        off = ea_of(cpu, in);
        a = emu_read_rmw(cpu, seg, off, sz);
    } else {
        a = reg_get(cpu, in, in->rm, sz);
    }
    uint64_t src = reg_get(cpu, in, in->reg, sz);
    if (!cnt) {
        if (!in->has_mem && sz == 4)
            reg_put(cpu, in, in->rm, sz, a);
        return;
    }
    uint64_t r;
    bool cf;
    if (sz == 2) {
        /* Counts 17..31 shift through the pattern dst:src:dst. */
        unsigned __int128 pat = ((unsigned __int128)a << 32) | (src << 16) | a;
        if (left) {
            unsigned __int128 sh = pat << cnt;
            r = (uint64_t)(sh >> 32) & 0xffff;
            cf = (uint64_t)(sh >> 48) & 1;
        } else {
            r = (uint64_t)(pat >> cnt) & 0xffff;
            cf = (uint64_t)(pat >> (cnt - 1)) & 1;
        }
    } else if (left) {
        r = ((a << cnt) | (cnt ? src >> (w - cnt) : 0)) & size_mask(sz);
        cf = (a >> (w - cnt)) & 1;
    } else {
        r = ((a >> cnt) | (src << (w - cnt))) & size_mask(sz);
        cf = (a >> (cnt - 1)) & 1;
    }
    /* OF of the first 1-bit step, whatever the count (as Intel parts do). */
    bool of = msb(a, sz) ^ (left ? (a >> (w - 2)) & 1 : src & 1);
    if (in->has_mem)
        emu_write(cpu, seg, off, sz, r);
    else
        reg_put(cpu, in, in->rm, sz, r);
    flags_set(cpu, EFL_ARITH, flags_szp(r, sz) | cf_bit(cf) | of_bit(of));
}

void exec_shld_i(struct emu_cpu *cpu, const struct insn *in) { double_shift(cpu, in, true, (unsigned)in->imm); }
void exec_shld_cl(struct emu_cpu *cpu, const struct insn *in) { double_shift(cpu, in, true, cl_of(cpu)); }
void exec_shrd_i(struct emu_cpu *cpu, const struct insn *in) { double_shift(cpu, in, false, (unsigned)in->imm); }
void exec_shrd_cl(struct emu_cpu *cpu, const struct insn *in) { double_shift(cpu, in, false, cl_of(cpu)); }
