/*
 * x87 state management without arithmetic: FNINIT, FNCLEX, FLDCW, FNSTCW,
 * FNSTSW, FLDENV, FNSTENV, FRSTOR, FNSAVE, FFREE, FINCSTP, FDECSTP, FNOP.
 * The other x87 instructions are in exec_x87*.c (exec_x87 in
 * exec_fpu_state.c dispatches them after the #NM and #MF checks).
 *
 * The XSAVE area keeps ST(i) in slot i (stack order) and the abridged tag
 * (one bit per physical register); a change of TOP without a load renumbers
 * the slots so every physical register keeps its value.
 */
#include "fpu.h"

enum { FSW_B = 1u << 15, FSW_C1 = 1u << 9, FSW_TOP_MASK = 7u << FSW_TOP_SHIFT };
/* FCW bit 6 is reserved and reads as 1 whatever was loaded. */
enum { FCW_RESERVED_ONE = 1u << 6 };

/* #NM first, then (for the waiting forms) a pending unmasked exception. */
static void x87_check(struct emu_cpu *cpu, bool waiting)
{
    uint64_t cr0 = cpu->g->cr0;
    if (cr0 & (CR0_EM_BIT | CR0_TS_BIT))
        emu_raise(cpu, VEC_NM, false, 0);
    fpu_explicit(cpu);
    if (waiting && (ld16(fpu_area(cpu) + FX_FSW) & FSW_ES) && (cr0 & CR0_NE_BIT))
        emu_raise(cpu, VEC_MF, false, 0);
}

static void set_top(struct emu_cpu *cpu, unsigned top)
{
    uint8_t *a = fpu_area(cpu);
    unsigned old = fpu_top(cpu);
    if (top != old) {
        uint8_t st[8][16];
        for (unsigned j = 0; j < 8; j++)
            memcpy(st[j], a + FX_ST0 + 16 * ((top + j - old) & 7), 16);
        memcpy(a + FX_ST0, st, sizeof st);
    }
    st16(a + FX_FSW, (uint16_t)((ld16(a + FX_FSW) & ~FSW_TOP_MASK) | (top << FSW_TOP_SHIFT)));
}

/* The last non-control instruction: FIP and FOP (FDP unchanged when the
 * instruction has no memory operand). */
static void note_insn(struct emu_cpu *cpu, const struct insn *in)
{
    uint8_t *a = fpu_area(cpu);
    st64(a + FX_FIP, cpu->insn_rip);
    st16(a + FX_FOP, (uint16_t)(((in->opcode & 7) << 8) | in->modrm));
}

static void fninit(struct emu_cpu *cpu)
{
    uint8_t *a = fpu_area(cpu);
    set_top(cpu, 0);
    st16(a + FX_FCW, FCW_DEFAULT);
    st16(a + FX_FSW, 0);
    a[FX_FTW] = 0;
    st16(a + FX_FOP, 0);
    st64(a + FX_FIP, 0);
    st64(a + FX_FDP, 0);
}

/* The full tag of physical register r (00 valid, 01 zero, 10 special, 11 empty). */
static unsigned full_tag(const struct emu_cpu *cpu, unsigned r)
{
    const uint8_t *a = fpu_area(cpu);
    if (!(a[FX_FTW] & (1u << r)))
        return 3;
    const uint8_t *st = a + FX_ST0 + 16 * ((r - fpu_top(cpu)) & 7);
    uint64_t man = ld64(st);
    unsigned exp = ld16(st + 8) & 0x7fff;
    if (exp == 0x7fff)
        return 2;
    if (exp == 0)
        return man ? 2 : 1;
    return (man >> 63) ? 0 : 2;
}

static uint16_t full_tag_word(const struct emu_cpu *cpu)
{
    uint16_t t = 0;
    for (unsigned r = 0; r < 8; r++)
        t |= (uint16_t)(full_tag(cpu, r) << (2 * r));
    return t;
}

/* Environment formats (SDM vol. 1, 8.1.10): 28 bytes with a 32-bit operand
 * size, 14 with 16; real mode keeps linear pointers split around FOP. */
static unsigned env_size(const struct insn *in) { return in->opsize == 2 ? 14 : 28; }

static void env_store(struct emu_cpu *cpu, const struct insn *in, uint8_t *img)
{
    const uint8_t *a = fpu_area(cpu);
    bool real = cpu->mode == MODE_REAL || cpu->mode == MODE_V86;
    uint32_t fip = (uint32_t)ld64(a + FX_FIP), fdp = (uint32_t)ld64(a + FX_FDP);
    uint32_t fop = ld16(a + FX_FOP) & 0x7ff;
    uint32_t w[7] = { ld16(a + FX_FCW), ld16(a + FX_FSW), full_tag_word(cpu), 0, 0, 0, 0 };
    if (real) {
        w[3] = fip & 0xffff;
        w[4] = fop | ((fip >> 16) << 12);
        w[5] = fdp & 0xffff;
        w[6] = (fdp >> 16) << 12;
    } else {
        w[3] = fip;
        w[4] = fop << 16; /* FCS: not kept (0) */
        w[5] = fdp;
        w[6] = 0;         /* FDS */
    }
    if (in->opsize == 2) {
        for (unsigned i = 0; i < 7; i++)
            st16(img + 2 * i, (uint16_t)(real || i != 4 ? w[i] : 0));
        return;
    }
    /* The upper halves of the control, status and tag words are stored as
     * ones, as the hardware the engine test compares with does. */
    for (unsigned i = 0; i < 7; i++)
        st32(img + 4 * i, i < 3 ? (w[i] | 0xffff0000u) : w[i]);
}

static void env_load(struct emu_cpu *cpu, const struct insn *in, const uint8_t *img)
{
    uint8_t *a = fpu_area(cpu);
    bool real = cpu->mode == MODE_REAL || cpu->mode == MODE_V86;
    unsigned step = in->opsize == 2 ? 2 : 4;
    uint32_t w[7];
    for (unsigned i = 0; i < 7; i++)
        w[i] = step == 2 ? ld16(img + 2 * i) : ld32(img + 4 * i);
    uint16_t fsw = (uint16_t)w[1], ftw = (uint16_t)w[2];
    st16(a + FX_FCW, (uint16_t)(w[0] | FCW_RESERVED_ONE));
    set_top(cpu, (fsw >> FSW_TOP_SHIFT) & 7);
    st16(a + FX_FSW, fsw);
    uint8_t abridged = 0;
    for (unsigned r = 0; r < 8; r++)
        if (((ftw >> (2 * r)) & 3) != 3)
            abridged |= (uint8_t)(1u << r);
    a[FX_FTW] = abridged;
    if (real) {
        uint32_t hi_ip = step == 2 ? (w[4] >> 12) & 0xf : (w[4] >> 12) & 0xffff;
        uint32_t hi_dp = step == 2 ? (w[6] >> 12) & 0xf : (w[6] >> 12) & 0xffff;
        st64(a + FX_FIP, (w[3] & 0xffff) | (hi_ip << 16));
        st16(a + FX_FOP, (uint16_t)(w[4] & 0x7ff));
        st64(a + FX_FDP, (w[5] & 0xffff) | (hi_dp << 16));
    } else {
        st64(a + FX_FIP, step == 2 ? (w[3] & 0xffff) : w[3]);
        st16(a + FX_FOP, (uint16_t)(step == 2 ? 0 : (w[4] >> 16) & 0x7ff));
        st64(a + FX_FDP, step == 2 ? (w[5] & 0xffff) : w[5]);
    }
}

static void fnstenv(struct emu_cpu *cpu, const struct insn *in)
{
    uint8_t img[28];
    env_store(cpu, in, img);
    emu_write_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), img, env_size(in));
    st16(fpu_area(cpu) + FX_FCW, (uint16_t)(ld16(fpu_area(cpu) + FX_FCW) | 0x3f));
}

static void fldenv(struct emu_cpu *cpu, const struct insn *in)
{
    uint8_t img[28];
    emu_read_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), img, env_size(in));
    env_load(cpu, in, img);
}

static void fnsave(struct emu_cpu *cpu, const struct insn *in)
{
    uint8_t img[108];
    unsigned e = env_size(in);
    env_store(cpu, in, img);
    for (unsigned j = 0; j < 8; j++)
        memcpy(img + e + 10 * j, fpu_area(cpu) + FX_ST0 + 16 * j, 10);
    emu_write_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), img, e + 80);
    fninit(cpu);
}

static void frstor(struct emu_cpu *cpu, const struct insn *in)
{
    uint8_t img[108];
    unsigned e = env_size(in);
    emu_read_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), img, e + 80);
    env_load(cpu, in, img);
    uint8_t *a = fpu_area(cpu);
    for (unsigned j = 0; j < 8; j++) {
        memcpy(a + FX_ST0 + 16 * j, img + e + 10 * j, 10);
        memset(a + FX_ST0 + 16 * j + 10, 0, 6);
    }
}

void exec_x87_d9(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned reg = (in->modrm >> 3) & 7;
    if (in->has_mem) {
        switch (reg) {
        case 4: x87_check(cpu, true); fldenv(cpu, in); return;
        case 5: {
            x87_check(cpu, true);
            uint16_t cw = (uint16_t)emu_read(cpu, emu_ea_seg(in), ea_of(cpu, in), 2);
            st16(fpu_area(cpu) + FX_FCW, (uint16_t)(cw | FCW_RESERVED_ONE));
            return;
        }
        case 6: x87_check(cpu, false); fnstenv(cpu, in); return;
        case 7:
            x87_check(cpu, false);
            emu_write(cpu, emu_ea_seg(in), ea_of(cpu, in), 2, ld16(fpu_area(cpu) + FX_FCW));
            return;
        default: break;
        }
    } else if (in->modrm == 0xd0 || in->modrm == 0xf6 || in->modrm == 0xf7) {
        x87_check(cpu, true);
        if (in->modrm != 0xd0) {
            uint8_t *a = fpu_area(cpu);
            set_top(cpu, (fpu_top(cpu) + (in->modrm == 0xf7 ? 1 : 7)) & 7);
            st16(a + FX_FSW, (uint16_t)(ld16(a + FX_FSW) & ~FSW_C1));
        }
        note_insn(cpu, in);
        return;
    }
    exec_x87(cpu, in);
}

void exec_x87_db(struct emu_cpu *cpu, const struct insn *in)
{
    if (in->modrm == 0xe2 || in->modrm == 0xe3) {
        x87_check(cpu, false);
        if (in->modrm == 0xe3) {
            fninit(cpu);
        } else {
            uint8_t *a = fpu_area(cpu);
            st16(a + FX_FSW, (uint16_t)(ld16(a + FX_FSW) & ~(FSW_B | 0xffu)));
        }
        return;
    }
    exec_x87(cpu, in);
}

void exec_x87_dd(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned reg = (in->modrm >> 3) & 7;
    if (in->has_mem) {
        switch (reg) {
        case 4: x87_check(cpu, true); frstor(cpu, in); return;
        case 6: x87_check(cpu, false); fnsave(cpu, in); return;
        case 7:
            x87_check(cpu, false);
            emu_write(cpu, emu_ea_seg(in), ea_of(cpu, in), 2, ld16(fpu_area(cpu) + FX_FSW));
            return;
        default: break;
        }
    } else if (reg == 0) {
        /* FFREE ST(i): the tag of physical register TOP + i. */
        x87_check(cpu, true);
        fpu_area(cpu)[FX_FTW] &= (uint8_t)~(1u << ((fpu_top(cpu) + (in->modrm & 7)) & 7));
        note_insn(cpu, in);
        return;
    }
    exec_x87(cpu, in);
}

void exec_x87_df(struct emu_cpu *cpu, const struct insn *in)
{
    if (in->modrm == 0xe0) {
        x87_check(cpu, false);
        gpr_set(cpu, GPR_RAX, 2, ld16(fpu_area(cpu) + FX_FSW));
        return;
    }
    exec_x87(cpu, in);
}
