/*
 * x87 instructions with exact results: FLD m32/m64/m80/ST(i), FILD, FSTP
 * m80, FST/FSTP ST(i), FXCH, FCHS, FABS, FLD1, FLDZ, FTST, FXAM, the
 * FCOM/FUCOM/FCOMI/FUCOMI family, FCMOVcc.  Stack faults, invalid and
 * denormal operands follow the SDM's masked responses (where it is silent,
 * what the engine test's host does); an unmasked exception sets ES and B
 * and stores nothing, for the next waiting instruction's #MF.  The
 * rounding instructions are in exec_x87_arith.c.
 */
#include "x87.h"

/* ---- loads and stores */

/* A stack overflow is detected first; the operand's own exceptions
 * (invalid, denormal) only when there is room. */
static void fld_value(struct emu_cpu *cpu, struct f80 v, unsigned flags)
{
    if (empty(cpu, 7) && flags && x87_raise(cpu, flags))
        return;
    push(cpu, v);
}

/* FLD ST(i) from an empty register is an underflow; its masked response
 * pushes the indefinite without checking for overflow. */
static void fld_st(struct emu_cpu *cpu, unsigned i)
{
    if (empty(cpu, i)) {
        if (stack_fault(cpu, false))
            return;
        top_move(cpu, -1);
        st_set(cpu, 0, F80_INDEFINITE);
        return;
    }
    push(cpu, st_get(cpu, i));
}

static void fst_st(struct emu_cpu *cpu, unsigned i, bool do_pop)
{
    struct f80 v = st_get(cpu, 0);
    if (empty(cpu, 0)) {
        if (stack_fault(cpu, false))
            return;
        v = F80_INDEFINITE;
    } else {
        set_c1(cpu, false);
    }
    st_set(cpu, i, v);
    if (do_pop)
        pop(cpu);
}

static void fstp_m80(struct emu_cpu *cpu, const struct insn *in)
{
    struct f80 v = st_get(cpu, 0);
    if (empty(cpu, 0)) {
        if (stack_fault(cpu, false))
            return;
        v = F80_INDEFINITE;
    } else {
        set_c1(cpu, false);
    }
    uint8_t b[10];
    st64(b, v.man);
    st16(b + 8, v.se);
    emu_write_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), b, 10);
    pop(cpu);
}

static void fxch(struct emu_cpu *cpu, unsigned i)
{
    struct f80 a = st_get(cpu, 0), b = st_get(cpu, i);
    if (empty(cpu, 0) || empty(cpu, i)) {
        if (stack_fault(cpu, false))
            return;
        if (empty(cpu, 0))
            a = F80_INDEFINITE;
        if (empty(cpu, i))
            b = F80_INDEFINITE;
    } else {
        set_c1(cpu, false);
    }
    st_set(cpu, 0, b);
    st_set(cpu, i, a);
}

/* FCHS, FABS: sign only. */
static void fsign(struct emu_cpu *cpu, bool abs)
{
    if (empty(cpu, 0)) {
        if (stack_fault(cpu, false))
            return;
        st_set(cpu, 0, F80_INDEFINITE);
        return;
    }
    set_c1(cpu, false);
    struct f80 v = st_get(cpu, 0);
    v.se = (uint16_t)(abs ? v.se & 0x7fff : v.se ^ 0x8000);
    st_set(cpu, 0, v);
}

/* ---- comparisons: -1, 0, 1, or 2 for unordered */

static int compare(struct f80 a, struct f80 b)
{
    bool za = classify(a) == C_ZERO, zb = classify(b) == C_ZERO;
    if (za && zb)
        return 0;
    bool sa = a.se >> 15, sb = b.se >> 15;
    if (sa != sb)
        return sa ? -1 : 1;
    unsigned ea = a.se & 0x7fff, eb = b.se & 0x7fff;
    ea = ea ? ea : 1;
    eb = eb ? eb : 1;
    if (za)
        ea = 0;
    if (zb)
        eb = 0;
    int mag = ea != eb ? (ea < eb ? -1 : 1) : a.man != b.man ? (a.man < b.man ? -1 : 1) : 0;
    return sa ? -mag : mag;
}

/* Flags of comparing a with b; `quiet`: only signalling NaNs are invalid.
 * Returns 2 (unordered) also for an unmasked invalid/denormal. */
static int fcompare(struct emu_cpu *cpu, struct f80 a, struct f80 b, bool quiet, unsigned mem_flags,
                    bool *suppress)
{
    enum cls ca = classify(a), cb = classify(b);
    unsigned flags = 0;
    bool nan = ca == C_QNAN || ca == C_SNAN || cb == C_QNAN || cb == C_SNAN;
    if (ca == C_UNSUPPORTED || cb == C_UNSUPPORTED || ca == C_SNAN || cb == C_SNAN || (nan && !quiet))
        flags |= FSW_IE;
    else if (!nan && (ca == C_DENORMAL || cb == C_DENORMAL || (mem_flags & FSW_DE)))
        flags |= FSW_DE;
    *suppress = flags && x87_raise(cpu, flags);
    if (nan || ca == C_UNSUPPORTED || cb == C_UNSUPPORTED)
        return 2;
    return compare(a, b);
}

static void set_cc(struct emu_cpu *cpu, int r)
{
    uint16_t s = fsw(cpu) & (uint16_t)~(FSW_C0 | FSW_C1_BIT | FSW_C2 | FSW_C3);
    if (r == 2)
        s |= FSW_C0 | FSW_C2 | FSW_C3;
    else if (r < 0)
        s |= FSW_C0;
    else if (r == 0)
        s |= FSW_C3;
    fsw_set(cpu, s);
}

/* FCOM/FUCOM family into C3/C2/C0; pops: 0, 1 or 2. */
void x87_fcom(struct emu_cpu *cpu, struct f80 b, bool b_empty, bool quiet, unsigned pops, unsigned mem_flags)
{
    if (empty(cpu, 0) || b_empty) {
        if (!stack_fault(cpu, false))
            set_cc(cpu, 2);
    } else {
        bool suppress;
        int r = fcompare(cpu, st_get(cpu, 0), b, quiet, mem_flags, &suppress);
        if (suppress)
            return;
        set_cc(cpu, r);
    }
    while (pops--)
        pop(cpu);
}

/* FCOMI/FUCOMI: ZF, PF, CF; OF, SF, AF cleared. */
static void fcomi(struct emu_cpu *cpu, unsigned i, bool quiet, bool do_pop)
{
    int r;
    if (empty(cpu, 0) || empty(cpu, i)) {
        if (stack_fault(cpu, false))
            return;
        r = 2;
    } else {
        bool suppress;
        r = fcompare(cpu, st_get(cpu, 0), st_get(cpu, i), quiet, 0, &suppress);
        if (suppress)
            return;
    }
    uint64_t f = emu_get_rflags(cpu) & ~(uint64_t)0x8d5;
    f |= r == 2 ? 0x45u : r < 0 ? 0x01u : r == 0 ? 0x40u : 0;
    emu_set_rflags(cpu, f);
    if (do_pop)
        pop(cpu);
}

static void fxam(struct emu_cpu *cpu)
{
    struct f80 v = st_get(cpu, 0);
    unsigned c;
    if (empty(cpu, 0)) {
        c = FSW_C3 | FSW_C0;
    } else {
        switch (classify(v)) {
        case C_ZERO: c = FSW_C3; break;
        case C_DENORMAL: c = FSW_C3 | FSW_C2; break;
        case C_NORMAL: c = FSW_C2; break;
        case C_INF: c = FSW_C2 | FSW_C0; break;
        case C_QNAN:
        case C_SNAN: c = FSW_C0; break;
        default: c = 0; break;
        }
    }
    uint16_t s = fsw(cpu) & (uint16_t)~(FSW_C0 | FSW_C1_BIT | FSW_C2 | FSW_C3);
    fsw_set(cpu, (uint16_t)(s | c | ((v.se >> 15) ? FSW_C1_BIT : 0)));
}

static bool fcmov_cond(struct emu_cpu *cpu, unsigned op, unsigned modrm)
{
    uint64_t f = emu_get_rflags(cpu);
    bool cf = f & 1, zf = f & 0x40, pf = f & 4;
    bool c;
    switch ((modrm >> 3) & 3) {
    case 0: c = cf; break;
    case 1: c = zf; break;
    case 2: c = cf || zf; break;
    default: c = pf; break;
    }
    return op == 0xdb ? !c : c;
}

/* FCMOVcc: C1 is left alone unless the stack underflows; the masked
 * underflow response writes the indefinite whatever the condition. */
static void fcmov(struct emu_cpu *cpu, unsigned op, unsigned modrm)
{
    unsigned i = modrm & 7;
    if (empty(cpu, 0) || empty(cpu, i)) {
        if (stack_fault(cpu, false))
            return;
        st_set(cpu, 0, F80_INDEFINITE);
        return;
    }
    if (fcmov_cond(cpu, op, modrm))
        st_set(cpu, 0, st_get(cpu, i));
}

bool x87_data(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned op = in->opcode & 0xff, reg = (in->modrm >> 3) & 7, i = in->modrm & 7;
    if (in->has_mem) {
        unsigned flags = 0;
        struct f80 v;
        switch (op << 4 | reg) {
        case 0xd90: case 0xdd0:
            v = mem_real(cpu, in, op == 0xd9 ? 4 : 8, &flags);
            if (flags & FSW_IE)
                v.man |= 1ull << 62; /* a signalling NaN is loaded quiet */
            note(cpu, in);
            fld_value(cpu, v, flags);
            return true;
        case 0xdb5: {
            uint8_t b[10];
            emu_read_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), b, 10);
            note(cpu, in);
            struct f80 x = { ld64(b), ld16(b + 8) };
            fld_value(cpu, x, 0);
            return true;
        }
        case 0xdf0: case 0xdb0: case 0xdf5: {
            unsigned n = op == 0xdb ? 4 : reg == 5 ? 8 : 2;
            int64_t x = (int64_t)sign_extend(emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), n), n);
            note(cpu, in);
            fld_value(cpu, from_int(x), 0);
            return true;
        }
        case 0xdb7:
            note(cpu, in);
            fstp_m80(cpu, in);
            return true;
        case 0xd82: case 0xd83: case 0xdc2: case 0xdc3: {
            v = mem_real(cpu, in, op == 0xd8 ? 4 : 8, &flags);
            note(cpu, in);
            x87_fcom(cpu, v, false, false, reg == 3, flags);
            return true;
        }
        default:
            return false;
        }
    }
    switch (op << 8 | in->modrm) {
    case 0xd9e0: case 0xd9e1: case 0xd9e4: case 0xd9e5: case 0xd9e8: case 0xd9ee: case 0xded9: case 0xdae9:
        note(cpu, in);
        break;
    default:
        switch (op << 4 | reg) {
        case 0xd90: case 0xd91: case 0xdd2: case 0xdd3: case 0xd82: case 0xd83: case 0xdd4: case 0xdd5:
        case 0xdb6: case 0xdf6: case 0xdb5: case 0xdf5: case 0xda0: case 0xda1: case 0xda2: case 0xda3:
        case 0xdb0: case 0xdb1: case 0xdb2: case 0xdb3:
            note(cpu, in);
            break;
        default:
            return false;
        }
    }
    switch (op << 8 | in->modrm) {
    case 0xd9e0: fsign(cpu, false); return true;
    case 0xd9e1: fsign(cpu, true); return true;
    case 0xd9e4: {
        struct f80 zero = { 0, 0 };
        x87_fcom(cpu, zero, false, false, 0, 0);
        return true;
    }
    case 0xd9e5: fxam(cpu); return true;
    case 0xd9e8: {
        struct f80 one = { 1ull << 63, 0x3fff };
        push(cpu, one);
        return true;
    }
    case 0xd9ee: {
        struct f80 zero = { 0, 0 };
        push(cpu, zero);
        return true;
    }
    case 0xded9: x87_fcom(cpu, st_get(cpu, 1), empty(cpu, 1), false, 2, 0); return true;
    case 0xdae9: x87_fcom(cpu, st_get(cpu, 1), empty(cpu, 1), true, 2, 0); return true;
    default: break;
    }
    switch (op << 4 | reg) {
    case 0xd90: fld_st(cpu, i); return true;
    case 0xd91: fxch(cpu, i); return true;
    case 0xdd2: fst_st(cpu, i, false); return true;
    case 0xdd3: fst_st(cpu, i, true); return true;
    case 0xd82: x87_fcom(cpu, st_get(cpu, i), empty(cpu, i), false, 0, 0); return true;
    case 0xd83: x87_fcom(cpu, st_get(cpu, i), empty(cpu, i), false, 1, 0); return true;
    case 0xdd4: x87_fcom(cpu, st_get(cpu, i), empty(cpu, i), true, 0, 0); return true;
    case 0xdd5: x87_fcom(cpu, st_get(cpu, i), empty(cpu, i), true, 1, 0); return true;
    case 0xdb6: fcomi(cpu, i, false, false); return true;
    case 0xdf6: fcomi(cpu, i, false, true); return true;
    case 0xdb5: fcomi(cpu, i, true, false); return true;
    case 0xdf5: fcomi(cpu, i, true, true); return true;
    case 0xda0: case 0xda1: case 0xda2: case 0xda3:
    case 0xdb0: case 0xdb1: case 0xdb2: case 0xdb3:
        fcmov(cpu, op, in->modrm);
        return true;
    default:
        return false;
    }
}

