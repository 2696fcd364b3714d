/* Shared by the instruction engine's files only. */
#ifndef OPENHV_EMU_ENGINE_INTERNAL_H
#define OPENHV_EMU_ENGINE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "emu.h"
#include "flags.h"
#include "opcodes.h"
#include "tlb.h"

/* The handlers' helpers are inlined into each handler, so that a handler
 * made for one operation does no run-time work for the others. */
#define HOT static inline __attribute__((always_inline))

/* Every handler named in the opcode table. */
#define DECLARE_HANDLER(op, ext, modrm, imm, size, flags, handler) \
    void handler(struct emu_cpu *cpu, const struct insn *in);
OPCODE_TABLE(DECLARE_HANDLER)
#undef DECLARE_HANDLER

/* The handler a block uses for `in`: a specialised one for the hottest
 * forms (block_ops.c), else in->exec. */
emu_handler emu_block_specialize(const struct emu_cpu *cpu, const struct insn *in);

/* Raises #UD: the handler of rows the decoder rejects. */
void exec_ud(struct emu_cpu *cpu, const struct insn *in);
/* Raises #GP(0): instructions longer than 15 bytes. */
void exec_gp_too_long(struct emu_cpu *cpu, const struct insn *in);

enum { VEC_DE = 0, VEC_BR = 5, VEC_UD = 6, VEC_SS = 12, VEC_GP = 13 };

HOT uint64_t size_mask(unsigned size) { return lf_mask(size); }

static inline uint64_t sign_extend(uint64_t v, unsigned size)
{
    unsigned sh = 64 - size * 8;
    return sh ? (uint64_t)((int64_t)(v << sh) >> sh) : v;
}

static inline bool msb(uint64_t v, unsigned size) { return (v >> (size * 8 - 1)) & 1; }

static inline bool mode64(const struct emu_cpu *cpu) { return cpu->mode == MODE_LONG; }

/* Whether C4/C5 can be VEX prefixes: not in real or virtual-8086 mode. */
static inline bool emu_vex_mode(const struct emu_cpu *cpu)
{
    return cpu->mode != MODE_REAL && cpu->mode != MODE_V86;
}

/* Everything besides the bytes that decoding depends on, for the caches
 * of decoded instructions and blocks. */
static inline uint8_t emu_mode_key(const struct emu_cpu *cpu)
{
    return (uint8_t)((emu_vex_mode(cpu) << 5) | (mode64(cpu) << 4) | (cpu->def_opsize << 2) |
                     (cpu->def_addrsize >> 1));
}

/* Register access by number in the full 16-register file, 16/32/64-bit
 * sizes (no AH..BH): used for implicit operands such as RCX of REP. */
HOT uint64_t gpr_get(const struct emu_cpu *cpu, unsigned reg, unsigned size)
{
    return cpu->g->gpr[reg] & size_mask(size);
}

HOT void gpr_set(struct emu_cpu *cpu, unsigned reg, unsigned size, uint64_t val)
{
    uint64_t *r = &cpu->g->gpr[reg];
    if (size >= 4)
        *r = val & size_mask(size);
    else
        *r = (*r & ~size_mask(size)) | (val & size_mask(size));
}

/* Inline forms of emu_reg_read/emu_reg_write/emu_ea/emu_rm_read/emu_rm_write
 * (regs.c exports them for the machine) for the handlers' hot paths. */
HOT uint64_t reg_get(const struct emu_cpu *cpu, const struct insn *in, unsigned reg, unsigned size)
{
    if (size == 1 && !in->rex && reg >= 4 && reg < 8)
        return (cpu->g->gpr[reg - 4] >> 8) & 0xff; /* AH, CH, DH, BH */
    return cpu->g->gpr[reg & 15] & size_mask(size);
}

HOT void reg_put(struct emu_cpu *cpu, const struct insn *in, unsigned reg, unsigned size, uint64_t val)
{
    if (size == 1 && !in->rex && reg >= 4 && reg < 8) {
        uint64_t *r = &cpu->g->gpr[reg - 4];
        *r = (*r & ~0xff00ull) | ((val & 0xff) << 8);
        return;
    }
    gpr_set(cpu, reg & 15, size, val);
}

HOT uint64_t ea_of(const struct emu_cpu *cpu, const struct insn *in)
{
    uint64_t ea = (uint64_t)in->disp;
    if (in->base >= 0)
        ea += cpu->g->gpr[in->base];
    if (in->index >= 0)
        ea += cpu->g->gpr[in->index] * in->scale;
    if (in->rip_relative)
        ea += cpu->insn_rip + in->len;
    return ea & size_mask(in->addrsize);
}

HOT int ea_seg_of(const struct insn *in)
{
    if (in->seg_override >= 0)
        return in->seg_override;
    /* Only rBP and rSP as base select SS (r12/r13 keep DS). */
    return (in->base == GPR_RSP || in->base == GPR_RBP) ? SEG_SS : SEG_DS;
}

HOT uint64_t load_sized(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

HOT void store_sized(uint8_t *p, unsigned size, uint64_t val)
{
    switch (size) {
    case 1: *p = (uint8_t)val; break;
    case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); break; }
    default: memcpy(p, &val, 8); break;
    }
}

/* emu_read/emu_read_rmw/emu_write with the TLB hit path inline (tlb.h);
 * the rest goes through the machine as before. */
HOT uint64_t mem_get(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    const uint8_t *p = tlb_fast_host(cpu, seg, off, size, ACC_READ);
    if (__builtin_expect(p != NULL, 1))
        return load_sized(p, size);
    return emu_read(cpu, seg, off, size);
}

HOT uint64_t mem_get_rmw(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    const uint8_t *p = tlb_fast_host(cpu, seg, off, size, ACC_RMW);
    if (__builtin_expect(p != NULL, 1))
        return load_sized(p, size);
    return emu_read_rmw(cpu, seg, off, size);
}

HOT void mem_put(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size, uint64_t val)
{
    uint8_t *p = tlb_fast_host(cpu, seg, off, size, ACC_WRITE);
    if (__builtin_expect(p != NULL, 1))
        store_sized(p, size, val);
    else
        emu_write(cpu, seg, off, size, val);
}

HOT uint64_t rm_get(struct emu_cpu *cpu, const struct insn *in, unsigned size)
{
    if (!in->has_mem)
        return reg_get(cpu, in, in->rm, size);
    return mem_get(cpu, ea_seg_of(in), ea_of(cpu, in), size);
}

HOT void rm_put(struct emu_cpu *cpu, const struct insn *in, unsigned size, uint64_t val)
{
    if (!in->has_mem)
        reg_put(cpu, in, in->rm, size, val);
    else
        mem_put(cpu, ea_seg_of(in), ea_of(cpu, in), size, val & size_mask(size));
}

/* Set RSP to `val` as a stack of cpu->stack_addrsize does (SP wraps). */
void stack_set_rsp(struct emu_cpu *cpu, uint64_t val);

static inline uint64_t stack_mask(const struct emu_cpu *cpu) { return size_mask(cpu->stack_addrsize); }

/* The GPR named by the low 3 opcode bits and REX.B (PUSH r, MOV r,imm...). */
static inline unsigned opcode_reg(const struct insn *in) { return (in->opcode & 7) | ((in->rex & 1u) << 3); }

/* Linear address of seg:off as the machine forms it, for overlap checks only. */
static inline uint64_t linear_of(const struct emu_cpu *cpu, int seg, uint64_t off)
{
    if (mode64(cpu) && seg < SEG_FS)
        return off;
    return cpu->g->seg[seg].base + off;
}

/* A near branch to `target` (already truncated to the operand size): #GP if
 * it leaves the code segment or, in 64-bit mode, is not canonical. */
void branch_to(struct emu_cpu *cpu, uint64_t target);

/* PUSHF/POPF in virtual-8086 mode with IOPL < 3 (exec_v86.c). */
void v86_pushf(struct emu_cpu *cpu, const struct insn *in);
void v86_popf(struct emu_cpu *cpu, const struct insn *in);

/* Whether the run loop should stop a long-running instruction (REP). */
static inline bool kick_pending(const struct emu_cpu *cpu)
{
    return atomic_load_explicit(&cpu->vcpu->kick, memory_order_relaxed);
}

/* Atomic read-modify-write helpers (exec_atomic.c): a host pointer for a
 * locked access, or NULL to fall back to separate read and write. */
void *locked_ptr(struct emu_cpu *cpu, const struct insn *in, unsigned size);
uint64_t atomic_load_sized(const void *p, unsigned size);
bool atomic_cas_sized(void *p, unsigned size, uint64_t *expected, uint64_t desired);

#endif
