/*
 * A small x86-64 assembler for the translator (jit.c): just the
 * instruction forms the translator emits, each with the operand size of
 * the guest instruction it stands for (1, 2, 4 or 8 bytes).
 *
 * Memory operands are [base + index * scale + disp32]; base -1 means none
 * (an absolute disp32 through a SIB byte).  Byte-register operands always
 * get a REX prefix when they name registers 4-7, so they mean SPL..DIL,
 * never AH..BH.
 */
#ifndef OPENHV_EMU_X64_EMIT_H
#define OPENHV_EMU_X64_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum { H_RAX, H_RCX, H_RDX, H_RBX, H_RSP, H_RBP, H_RSI, H_RDI,
       H_R8, H_R9, H_R10, H_R11, H_R12, H_R13, H_R14, H_R15 };

/* Host condition codes, as in Jcc/SETcc/CMOVcc. */
enum { HCC_B = 2, HCC_Z = 4, HCC_NZ = 5, HCC_GE = 0xd };

struct x64 {
    uint8_t *p, *end;
    bool full;                /* ran out of room: the code is discarded */
};

struct x64_mem {
    int base, index;          /* host registers, or -1 */
    unsigned scale;           /* 1, 2, 4, 8 */
    int32_t disp;
};

static inline struct x64_mem xm(int base, int32_t disp)
{
    return (struct x64_mem){ .base = base, .index = -1, .scale = 1, .disp = disp };
}

static inline void x_byte(struct x64 *a, uint8_t b)
{
    if (a->p < a->end)
        *a->p++ = b;
    else
        a->full = true;
}

static inline void x_u32(struct x64 *a, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        x_byte(a, (uint8_t)(v >> (8 * i)));
}

static inline void x_u64(struct x64 *a, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        x_byte(a, (uint8_t)(v >> (8 * i)));
}

/* Operand-size prefix and REX for an instruction of `size` whose ModRM reg
 * field is `reg` and whose r/m names `rm` (register form) or base/index. */
static inline void x_prefix(struct x64 *a, unsigned size, int reg, int index, int base, bool byte_regs)
{
    if (size == 2)
        x_byte(a, 0x66);
    uint8_t rex = (uint8_t)((size == 8 ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((index >= 0 ? index >> 3 : 0) & 1) << 1 |
                            ((base >= 0 ? base >> 3 : 0) & 1));
    bool need = rex != 0 || (byte_regs && ((reg >= 4 && reg < 8) || (index < 0 && base >= 4 && base < 8)));
    if (need)
        x_byte(a, 0x40 | rex);
}

static inline void x_op(struct x64 *a, uint32_t op)
{
    if (op > 0xffff)
        x_byte(a, (uint8_t)(op >> 16));
    if (op > 0xff)
        x_byte(a, (uint8_t)(op >> 8));
    x_byte(a, (uint8_t)op);
}

static inline void x_modrm_mem(struct x64 *a, int reg, struct x64_mem m)
{
    unsigned r = (unsigned)reg & 7;
    if (m.base < 0) {
        /* No base: SIB with base 101, mod 00, disp32. */
        x_byte(a, (uint8_t)(0x04 | r << 3));
        unsigned ss = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
        unsigned idx = m.index >= 0 ? (unsigned)m.index & 7 : 4;
        x_byte(a, (uint8_t)(ss << 6 | idx << 3 | 5));
        x_u32(a, (uint32_t)m.disp);
        return;
    }
    unsigned b = (unsigned)m.base & 7;
    unsigned mod = (m.disp == 0 && b != 5) ? 0 : (m.disp >= -128 && m.disp <= 127) ? 1 : 2;
    if (m.index >= 0 || b == 4) {
        unsigned ss = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
        unsigned idx = m.index >= 0 ? (unsigned)m.index & 7 : 4;
        x_byte(a, (uint8_t)(mod << 6 | r << 3 | 4));
        x_byte(a, (uint8_t)(ss << 6 | idx << 3 | b));
    } else {
        x_byte(a, (uint8_t)(mod << 6 | r << 3 | b));
    }
    if (mod == 1)
        x_byte(a, (uint8_t)m.disp);
    else if (mod == 2)
        x_u32(a, (uint32_t)m.disp);
}

/* op reg, [mem] / op [mem], reg (the direction is the opcode's). */
static inline void x_rm(struct x64 *a, unsigned size, uint32_t op, int reg, struct x64_mem m)
{
    x_prefix(a, size, reg, m.index, m.base, size == 1);
    x_op(a, op);
    x_modrm_mem(a, reg, m);
}

/* op reg, rm (register form).  MOVZX and MOVSX from a byte register need
 * a REX prefix to name SPL, BPL, SIL or DIL rather than AH..BH. */
static inline void x_rr(struct x64 *a, unsigned size, uint32_t op, int reg, int rm)
{
    x_prefix(a, size, reg, -1, rm, size == 1 || op == 0x0fb6 || op == 0x0fbe);
    x_op(a, op);
    x_byte(a, (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7)));
}

/* A load of `size` bytes into a register: zero-extended into the 32-bit
 * register (so into the 64-bit one), or sign-extended into the 64-bit
 * register. */
static inline void x_load_ext(struct x64 *a, unsigned size, bool sign, int reg, struct x64_mem m)
{
    static const uint32_t zero_ext[4] = { 0x0fb6, 0x0fb7, 0x8b, 0x8b };
    static const uint32_t sign_ext[4] = { 0x0fbe, 0x0fbf, 0x63, 0x8b };
    unsigned i = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    x_rm(a, sign || size == 8 ? 8 : 4, sign ? sign_ext[i] : zero_ext[i], reg, m);
}

static inline void x_load(struct x64 *a, unsigned size, int reg, struct x64_mem m)
{
    x_load_ext(a, size, false, reg, m);
}

static inline void x_store(struct x64 *a, unsigned size, int reg, struct x64_mem m)
{
    x_rm(a, size, size == 1 ? 0x88 : 0x89, reg, m);
}

static inline void x_mov_rr(struct x64 *a, unsigned size, int dst, int src)
{
    x_rr(a, size, 0x89, src, dst);
}

static inline void x_lea(struct x64 *a, int reg, struct x64_mem m)
{
    x_rm(a, 8, 0x8d, reg, m);
}

/* mov reg, imm: 32-bit zero-extending, or 64-bit. */
static inline void x_mov_imm(struct x64 *a, int reg, uint64_t imm)
{
    if (imm <= 0xffffffffull) {
        x_prefix(a, 4, 0, -1, reg, false);
        x_byte(a, (uint8_t)(0xb8 | (reg & 7)));
        x_u32(a, (uint32_t)imm);
    } else if ((int64_t)imm == (int32_t)imm) {
        x_prefix(a, 8, 0, -1, reg, false);
        x_byte(a, 0xc7);
        x_byte(a, (uint8_t)(0xc0 | (reg & 7)));
        x_u32(a, (uint32_t)imm);
    } else {
        x_prefix(a, 8, 0, -1, reg, false);
        x_byte(a, (uint8_t)(0xb8 | (reg & 7)));
        x_u64(a, imm);
    }
}

/* Group-1 ALU op (/n: 0 add, 1 or, 4 and, 5 sub, 6 xor, 7 cmp) of a
 * register with a sign-extended imm32 (imm8 when it fits), or on memory. */
/* The immediate of a group-1 operation: imm8 when the operation is on
 * bytes or the value fits (83 /n), else the operand size's. */
static inline void x_alu_imm(struct x64 *a, unsigned size, bool small, int32_t imm)
{
    if (size == 1 || small)
        x_byte(a, (uint8_t)imm);
    else if (size == 2)
        x_byte(a, (uint8_t)imm), x_byte(a, (uint8_t)(imm >> 8));
    else
        x_u32(a, (uint32_t)imm);
}

static inline void x_alu_ri(struct x64 *a, unsigned size, unsigned n, int rm, int32_t imm)
{
    bool small = imm >= -128 && imm <= 127;
    x_prefix(a, size, 0, -1, rm, size == 1);
    x_byte(a, size == 1 ? 0x80 : small ? 0x83 : 0x81);
    x_byte(a, (uint8_t)(0xc0 | n << 3 | (rm & 7)));
    x_alu_imm(a, size, small, imm);
}

static inline void x_alu_mi(struct x64 *a, unsigned size, unsigned n, struct x64_mem m, int32_t imm)
{
    bool small = imm >= -128 && imm <= 127;
    x_prefix(a, size, 0, m.index, m.base, size == 1);
    x_byte(a, size == 1 ? 0x80 : small ? 0x83 : 0x81);
    x_modrm_mem(a, (int)n, m);
    x_alu_imm(a, size, small, imm);
}

/* Store an immediate (sign-extended imm32 for 8) to memory. */
static inline void x_store_imm(struct x64 *a, unsigned size, struct x64_mem m, uint32_t imm)
{
    x_prefix(a, size, 0, m.index, m.base, false);
    x_byte(a, size == 1 ? 0xc6 : 0xc7);
    x_modrm_mem(a, 0, m);
    if (size == 1)
        x_byte(a, (uint8_t)imm);
    else if (size == 2)
        x_byte(a, (uint8_t)imm), x_byte(a, (uint8_t)(imm >> 8));
    else
        x_u32(a, imm);
}

/* Shift group (/4 shl, /5 shr, /7 sar) of a register by an immediate. */
static inline void x_shift_ri(struct x64 *a, unsigned size, unsigned n, int rm, uint8_t count)
{
    x_prefix(a, size, 0, -1, rm, size == 1);
    x_byte(a, size == 1 ? 0xc0 : 0xc1);
    x_byte(a, (uint8_t)(0xc0 | n << 3 | (rm & 7)));
    x_byte(a, count);
}

static inline void x_setcc(struct x64 *a, unsigned cc, int reg)
{
    x_prefix(a, 1, 0, -1, reg, true);
    x_byte(a, 0x0f);
    x_byte(a, (uint8_t)(0x90 | cc));
    x_byte(a, (uint8_t)(0xc0 | (reg & 7)));
}

/* Forward branches: return the address of the rel32 to patch. */
static inline uint8_t *x_jcc32(struct x64 *a, unsigned cc)
{
    x_byte(a, 0x0f);
    x_byte(a, (uint8_t)(0x80 | cc));
    uint8_t *at = a->p;
    x_u32(a, 0);
    return at;
}

static inline uint8_t *x_jmp32(struct x64 *a)
{
    x_byte(a, 0xe9);
    uint8_t *at = a->p;
    x_u32(a, 0);
    return at;
}

/* Point the rel32 at `at` (from x_jcc32/x_jmp32) to `target`. */
static inline void x_patch(struct x64 *a, uint8_t *at, const uint8_t *target)
{
    if (a->full || !at || at + 4 > a->end)
        return;
    int32_t rel = (int32_t)(target - (at + 4));
    memcpy(at, &rel, 4);
}

static inline void x_jmp_to(struct x64 *a, const uint8_t *target)
{
    x_patch(a, x_jmp32(a), target);
}

/* An indirect-branch target on hosts that enforce CET (a NOP elsewhere). */
static inline void x_endbr64(struct x64 *a)
{
    x_byte(a, 0xf3), x_byte(a, 0x0f), x_byte(a, 0x1e), x_byte(a, 0xfa);
}

static inline void x_call_abs(struct x64 *a, const void *fn)
{
    x_mov_imm(a, H_RAX, (uint64_t)(uintptr_t)fn);
    x_byte(a, 0xff);
    x_byte(a, 0xd0);          /* call rax */
}

#endif
