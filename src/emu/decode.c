/*
 * Instruction decoder: prefixes, opcode, ModRM/SIB/displacement and
 * immediates, driven entirely by the rows of opcodes.h.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "engine_internal.h"

struct op_entry {
    emu_handler exec;
    uint8_t modrm, imm, size;
    uint16_t flags;
};

enum { SPACE_1B, SPACE_0F, SPACE_0F38, SPACE_0F3A, SPACE_COUNT };

/* [VEX?][mandatory prefix][64-bit mode?][space][opcode byte][ModRM.reg];
 * built once from the table.  PFX_NONE holds the rows without a mandatory
 * prefix; the order is VEX.pp's. */
enum { PFX_NONE, PFX_66, PFX_F3, PFX_F2, PFX_COUNT };
static struct op_entry op_lut_all[2][PFX_COUNT][2][SPACE_COUNT][256][8];
#define op_lut_pfx op_lut_all[0]
#define op_lut op_lut_pfx[PFX_NONE]
static pthread_once_t op_lut_once = PTHREAD_ONCE_INIT;
/* Checked before pthread_once, which is a call into libc on every decode. */
static atomic_bool op_lut_ready;

struct op_row {
    uint32_t opcode;
    int ext;
    struct op_entry e;
};

#define ROW(op, ext, modrm, imm, size, flags, handler) \
    { (op), (ext), { (handler), (modrm), (imm), (size), (flags) } },
static const struct op_row op_rows[] = { OPCODE_TABLE(ROW) };
#undef ROW

static unsigned space_of(uint32_t opcode)
{
    opcode &= ~OPC_VEX;
    if (opcode >= OPC_0F3A)
        return SPACE_0F3A;
    if (opcode >= OPC_0F38)
        return SPACE_0F38;
    return opcode >= OPC_0F ? SPACE_0F : SPACE_1B;
}

static void op_lut_build(void)
{
    for (size_t i = 0; i < sizeof op_rows / sizeof op_rows[0]; i++) {
        const struct op_row *r = &op_rows[i];
        unsigned sp = space_of(r->opcode), b = r->opcode & 0xff;
        for (unsigned m64 = 0; m64 < 2; m64++) {
            if ((r->e.flags & F_NO64) && m64)
                continue;
            if ((r->e.flags & F_ONLY64) && !m64)
                continue;
            unsigned pfx = (r->e.flags & F_F3)   ? PFX_F3
                           : (r->e.flags & F_F2) ? PFX_F2
                           : (r->e.flags & F_66) ? PFX_66
                                                 : PFX_NONE;
            struct op_entry *slot = op_lut_all[(r->opcode & OPC_VEX) != 0][pfx][m64][sp][b];
            for (unsigned ext = 0; ext < 8; ext++)
                if (r->ext == EXT_ANY || (unsigned)r->ext == ext)
                    slot[ext] = r->e;
        }
    }
    atomic_store_explicit(&op_lut_ready, true, memory_order_release);
}

/* The ModRM kind of an opcode: the same in every member of a group. */
static unsigned modrm_kind(const struct op_entry *slot)
{
    for (unsigned ext = 0; ext < 8; ext++)
        if (slot[ext].exec)
            return slot[ext].modrm;
    return MR_NONE;
}

static bool slot_used(const struct op_entry *slot)
{
    for (unsigned ext = 0; ext < 8; ext++)
        if (slot[ext].exec)
            return true;
    return false;
}

void exec_ud(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    EMU_UD(cpu);
}

void exec_gp_too_long(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    EMU_GP0(cpu);
}

enum decode_status { DEC_OK, DEC_NEED_MORE };

/* The VEX.L, VEX.vvvv and VEX.W rules of a VEX row. */
static bool vex_fits(unsigned flags, const struct insn *in)
{
    if ((flags & F_L0) && in->vex_l)
        return false;
    if ((flags & F_L1) && !in->vex_l)
        return false;
    if ((flags & F_NOV) && in->vvvv)
        return false;
    if ((flags & F_W0) && in->vex_w)
        return false;
    return !((flags & F_W1) && !in->vex_w);
}

static const int8_t modrm16_base[8] = { GPR_RBX, GPR_RBX, GPR_RBP, GPR_RBP, GPR_RSI, GPR_RDI, GPR_RBP, GPR_RBX };
static const int8_t modrm16_index[8] = { GPR_RSI, GPR_RDI, GPR_RSI, GPR_RDI, -1, -1, -1, -1 };

struct cursor {
    const uint8_t *b;
    unsigned avail, pos;
    bool too_long, short_input;
};

/* Next n bytes little-endian; flags the cursor instead of reading past. */
static uint64_t take(struct cursor *c, unsigned n)
{
    if (c->pos + n > 15) {
        c->too_long = true;
        c->pos = 15;
        return 0;
    }
    if (c->pos + n > c->avail) {
        c->short_input = true;
        c->pos = c->avail;
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)c->b[c->pos + i] << (8 * i);
    c->pos += n;
    return v;
}

static bool stopped(const struct cursor *c) { return c->too_long || c->short_input; }

static unsigned operand_size(unsigned rule, bool m64, unsigned def, bool pfx66, uint8_t rex)
{
    unsigned v = (rex & 8) ? 8 : pfx66 ? (def == 2 ? 4 : 2) : def;
    switch (rule) {
    case S_B: return 1;
    case S_W: return 2;
    case S_D64: return m64 ? (pfx66 && !(rex & 8) ? 2 : 8) : v;
    case S_F64: return m64 ? 8 : v;
    default: return v;
    }
}

static void decode_mem(struct cursor *c, struct insn *out, uint8_t rex, bool m64)
{
    out->has_mem = true;
    out->base = out->index = -1;
    out->scale = 1;
    unsigned mod = out->mod, rm = out->modrm & 7;
    if (out->addrsize == 2) {
        if (mod == 0 && rm == 6) {
            out->disp = (int16_t)take(c, 2);
            return;
        }
        out->base = modrm16_base[rm];
        out->index = modrm16_index[rm];
        if (mod == 1)
            out->disp = (int8_t)take(c, 1);
        else if (mod == 2)
            out->disp = (int16_t)take(c, 2);
        return;
    }
    if (rm == 4) {
        uint8_t sib = (uint8_t)take(c, 1);
        unsigned idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
        out->scale = (uint8_t)(1u << (sib >> 6));
        if (idx != 4)
            out->index = (int8_t)idx;
        if ((sib & 7) == 5 && mod == 0)
            out->disp = (int32_t)take(c, 4);
        else
            out->base = (int8_t)((sib & 7) | ((rex & 1) << 3));
    } else if (rm == 5 && mod == 0) {
        out->disp = (int32_t)take(c, 4);
        out->rip_relative = m64;
        return;
    } else {
        out->base = (int8_t)(rm | ((rex & 1) << 3));
    }
    if (mod == 1)
        out->disp = (int8_t)take(c, 1);
    else if (mod == 2)
        out->disp = (int32_t)take(c, 4);
}

static void decode_imm(struct cursor *c, struct insn *out, unsigned kind)
{
    unsigned z = out->opsize == 2 ? 2 : 4;
    switch (kind) {
    case I_B:
    case I_J8:
        out->imm = (uint64_t)(int64_t)(int8_t)take(c, 1);
        break;
    case I_UB:
        out->imm = take(c, 1);
        break;
    case I_W:
        out->imm = take(c, 2);
        break;
    case I_Z:
    case I_JZ:
        out->imm = sign_extend(take(c, z), z);
        break;
    case I_V:
        out->imm = take(c, out->opsize);
        break;
    case I_MOFFS:
        out->has_mem = true;
        out->base = out->index = -1;
        out->scale = 1;
        out->disp = (int64_t)take(c, out->addrsize);
        break;
    case I_ENTER:
        out->imm = take(c, 2);
        out->imm2 = take(c, 1);
        break;
    case I_FAR:
        out->imm = take(c, z);
        out->imm2 = take(c, 2);
        break;
    default:
        break;
    }
}

/* C4/C5 start a VEX prefix in 64-bit mode, and in protected and
 * compatibility mode when the next byte would be a register ModRM (LES/LDS
 * take memory only); in real and virtual-8086 mode they are LES/LDS. */
static bool vex_here(const struct cursor *c, bool m64, bool vex_ok)
{
    if (m64)
        return true;
    if (!vex_ok)
        return false;
    return c->pos < c->avail && (c->b[c->pos] & 0xc0) == 0xc0;
}

/* The VEX prefix after C4/C5 (`op`): fills rex, vex*, and returns the
 * opcode map's space and the pp prefix; the opcode byte follows.  A map
 * other than 0F, 0F38, 0F3A is SPACE_COUNT. */
static unsigned decode_vex(struct cursor *c, uint8_t op, bool m64, struct insn *out, unsigned *pp)
{
    uint8_t b1 = (uint8_t)take(c, 1), b2;
    unsigned space;
    if (op == 0xc5) {
        /* The two-byte form's bit 7 is R; its W is 0. */
        b2 = (uint8_t)(b1 & 0x7f);
        b1 = (uint8_t)((b1 & 0x80) | 0x61);  /* R from byte 1; X, B = 1; map 0F */
        space = SPACE_0F;
    } else {
        b2 = (uint8_t)take(c, 1);
        unsigned map = b1 & 0x1f;
        space = map == 1 ? SPACE_0F : map == 2 ? SPACE_0F38 : map == 3 ? SPACE_0F3A : SPACE_COUNT;
    }
    out->vex = op == 0xc5 ? 2 : 3;
    out->vex_w = (b2 & 0x80) != 0;
    out->vex_l = (b2 & 0x04) != 0;
    out->vvvv = (uint8_t)(~b2 >> 3 & 15);
    *pp = b2 & 3;
    /* R, X, B and vvvv are inverted; outside 64-bit mode only R and X
     * are 1 (they are the ModRM.mod bits of LES/LDS), B and vvvv bit 3
     * are ignored and W does not widen operands. */
    uint8_t rex = (uint8_t)(0x40 | (~b1 >> 5 & 7));
    if (m64) {
        rex |= (uint8_t)(out->vex_w << 3);
    } else {
        rex &= ~1u;
        out->vvvv &= 7;
    }
    out->rex = rex;
    return space;
}

static enum decode_status decode(bool m64, bool vex_ok, unsigned def_op, unsigned def_addr,
                                 const uint8_t *bytes, unsigned avail, struct insn *out)
{
    if (!atomic_load_explicit(&op_lut_ready, memory_order_acquire))
        pthread_once(&op_lut_once, op_lut_build);
    memset(out, 0, sizeof *out);
    out->seg_override = -1;
    out->base = out->index = -1;
    out->scale = 1;
    struct cursor c = { bytes, avail, 0, false, false };
    bool pfx67 = false;
    uint8_t rex = 0, op;

    for (;;) {
        op = (uint8_t)take(&c, 1);
        if (stopped(&c))
            goto done;
        switch (op) {
        case 0x26: case 0x2e: case 0x36: case 0x3e:
            out->seg_override = (int8_t)((op >> 3) & 3);
            break;
        case 0x64: case 0x65:
            out->seg_override = (int8_t)(SEG_FS + (op & 1));
            break;
        case 0x66: out->opsize_prefix = true; break;
        case 0x67: pfx67 = true; break;
        case 0xf0: out->lock = true; break;
        case 0xf2: case 0xf3: out->rep = op; break;
        default:
            if (m64 && (op & 0xf0) == 0x40) {
                rex = op;
                continue; /* a REX followed by a legacy prefix is ignored */
            }
            goto opcode;
        }
        rex = 0;
    }
opcode:
    out->rex = rex;
    unsigned space = SPACE_1B;
    uint32_t opcode = op;
    const struct op_entry *slot, *plain = NULL;
    uint8_t rep_given = REP_NONE;
    bool pfx_consumed = false;
    if ((op == 0xc4 || op == 0xc5) && vex_here(&c, m64, vex_ok)) {
        /* 66, F2, F3, REX or LOCK before VEX: #UD. */
        bool bad = out->opsize_prefix || out->rep || rex || out->lock;
        unsigned pp;
        space = decode_vex(&c, op, m64, out, &pp);
        rex = out->rex;
        op = (uint8_t)take(&c, 1);
        if (stopped(&c))
            goto done;
        if (bad || space == SPACE_COUNT) {
            out->opcode = OPC_VEX;
            out->exec = exec_ud;
            goto done;
        }
        opcode = OPC_VEX | (space == SPACE_0F ? OPC_0F : space == SPACE_0F38 ? OPC_0F38 : OPC_0F3A) | op;
        out->opcode = opcode;
        slot = op_lut_all[1][pp][m64][space][op];
        pfx_consumed = true;
        goto slot_found;
    }
    if (op == 0x0f) {
        op = (uint8_t)take(&c, 1);
        space = SPACE_0F;
        opcode = OPC_0F | op;
        if (op == 0x38) {
            op = (uint8_t)take(&c, 1);
            space = SPACE_0F38;
            opcode = OPC_0F38 | op;
        } else if (op == 0x3a) {
            op = (uint8_t)take(&c, 1);
            space = SPACE_0F3A;
            opcode = OPC_0F3A | op;
        }
        if (stopped(&c))
            goto done;
    }
    out->opcode = opcode;

    /* A mandatory prefix selects its rows: F3/F2 before 66 (66 F3 0F 58 is
     * ADDSS).  An F3/F2 that selected a row is no longer a REP. */
    slot = plain = op_lut[m64][space][op];
    rep_given = out->rep;
    unsigned rep_pfx = out->rep == REP_F3 ? PFX_F3 : out->rep == REP_F2 ? PFX_F2 : PFX_NONE;
    if (rep_pfx != PFX_NONE && slot_used(op_lut_pfx[rep_pfx][m64][space][op])) {
        slot = op_lut_pfx[rep_pfx][m64][space][op];
        out->rep = REP_NONE;
        pfx_consumed = true;
    } else if (out->opsize_prefix && slot_used(op_lut_pfx[PFX_66][m64][space][op])) {
        slot = op_lut_pfx[PFX_66][m64][space][op];
        pfx_consumed = true;
    }
slot_found:;
    unsigned mr = modrm_kind(slot);
    const struct op_entry *e = &slot[0];
    if (mr != MR_NONE) {
        out->has_modrm = true;
        out->modrm = (uint8_t)take(&c, 1);
        if (stopped(&c))
            goto done;
        out->mod = out->modrm >> 6;
        out->reg = (uint8_t)(((out->modrm >> 3) & 7) | ((rex & 4) << 1));
        out->rm = (uint8_t)((out->modrm & 7) | ((rex & 1) << 3));
        e = &slot[(out->modrm >> 3) & 7];
        /* An F3/F2 group member that exists only in some forms (F3 0F AE
         * /0-/3 are RDFSBASE..WRGSBASE with a register operand): in the
         * other forms the prefix selects nothing and the instruction is
         * the unprefixed one with a REP prefix, as on hardware. */
        if (plain != NULL && rep_given != REP_NONE && out->rep == REP_NONE && slot != plain &&
            (!e->exec || ((e->flags & F_REGONLY) && out->mod != 3))) {
            e = &plain[(out->modrm >> 3) & 7];
            out->rep = rep_given;
            pfx_consumed = false;
        }
    }
    if (!e->exec) {
        out->exec = exec_ud;
        goto done;
    }
    /* An SSE/MMX row reached with a 66/F2/F3 that selects nothing: the
     * encoding belongs to no instruction (#UD, docs/compat.md). */
    bool bad_pfx = (e->flags & F_MANDATORY) &&
                   (out->rep != REP_NONE || (out->opsize_prefix && !pfx_consumed && (e->flags & F_NP)));
    out->opsize = (uint8_t)operand_size(e->size, m64, def_op, out->opsize_prefix, rex);
    out->addrsize = (uint8_t)(m64 ? (pfx67 ? 4 : 8) : (pfx67 ? 6 - def_addr : def_addr));
    if (mr == MR_REG)
        out->mod = 3;
    else if (mr == MR_YES && out->mod != 3)
        decode_mem(&c, out, rex, m64);
    decode_imm(&c, out, e->imm);
    if (out->lock && (!(e->flags & F_LOCK) || !out->has_mem || e->imm == I_MOFFS))
        out->exec = exec_ud;
    else if ((e->flags & F_MEMONLY) && !out->has_mem)
        out->exec = exec_ud;
    else if ((e->flags & F_REGONLY) && out->has_mem)
        out->exec = exec_ud;
    else if (bad_pfx)
        out->exec = exec_ud;
    else if (out->vex && !vex_fits(e->flags, out))
        out->exec = exec_ud;
    else
        out->exec = e->exec;

done:
    if (c.too_long) {
        out->len = 15;
        out->exec = exec_gp_too_long;
        return DEC_OK;
    }
    if (c.short_input)
        return DEC_NEED_MORE;
    out->len = (uint8_t)c.pos;
    if (!out->opsize)
        out->opsize = (uint8_t)def_op;
    if (!out->addrsize)
        out->addrsize = (uint8_t)(m64 ? 8 : def_addr);
    return DEC_OK;
}

bool emu_decode_bytes(const struct emu_cpu *cpu, const uint8_t *bytes, unsigned avail, struct insn *out)
{
    return decode(mode64(cpu), emu_vex_mode(cpu), cpu->def_opsize, cpu->def_addrsize, bytes, avail, out) == DEC_OK;
}
