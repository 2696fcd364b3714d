/* Register, effective-address, r/m and stack access for the handlers. */
#include "engine_internal.h"

uint64_t emu_reg_read(const struct emu_cpu *cpu, const struct insn *in, unsigned reg, unsigned size)
{
    if (size == 1 && !in->rex && reg >= 4 && reg < 8)
        return (cpu->g->gpr[reg - 4] >> 8) & 0xff; /* AH, CH, DH, BH */
    return cpu->g->gpr[reg & 15] & size_mask(size);
}

void emu_reg_write(struct emu_cpu *cpu, const struct insn *in, unsigned reg, unsigned size, uint64_t val)
{
    if (size == 1 && !in->rex && reg >= 4 && reg < 8) {
        uint64_t *r = &cpu->g->gpr[reg - 4];
        *r = (*r & ~0xff00ull) | ((val & 0xff) << 8);
        return;
    }
    gpr_set(cpu, reg & 15, size, val);
}

uint64_t emu_ea(const struct emu_cpu *cpu, const struct insn *in)
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

int emu_ea_seg(const struct insn *in)
{
    if (in->seg_override >= 0)
        return in->seg_override;
    /* Only rBP and rSP as base select SS (r12/r13 keep DS). */
    return (in->base == GPR_RSP || in->base == GPR_RBP) ? SEG_SS : SEG_DS;
}

uint64_t emu_rm_read(struct emu_cpu *cpu, const struct insn *in, unsigned size)
{
    if (!in->has_mem)
        return emu_reg_read(cpu, in, in->rm, size);
    return emu_read(cpu, emu_ea_seg(in), emu_ea(cpu, in), size);
}

void emu_rm_write(struct emu_cpu *cpu, const struct insn *in, unsigned size, uint64_t val)
{
    if (!in->has_mem) {
        emu_reg_write(cpu, in, in->rm, size, val);
        return;
    }
    emu_write(cpu, emu_ea_seg(in), emu_ea(cpu, in), size, val & size_mask(size));
}

/* RSP updates honour the stack's address size: a 16-bit stack wraps SP and
 * leaves the upper bits of RSP alone. */
void stack_set_rsp(struct emu_cpu *cpu, uint64_t val)
{
    unsigned s = cpu->stack_addrsize;
    uint64_t *rsp = &cpu->g->gpr[GPR_RSP];
    if (s == 8)
        *rsp = val;
    else if (s == 4)
        *rsp = val & 0xffffffffull;
    else
        *rsp = (*rsp & ~0xffffull) | (val & 0xffff);
}

void emu_push(struct emu_cpu *cpu, uint64_t val, unsigned size)
{
    uint64_t sp = (cpu->g->gpr[GPR_RSP] - size) & size_mask(cpu->stack_addrsize);
    emu_write(cpu, SEG_SS, sp, size, val & size_mask(size));
    stack_set_rsp(cpu, sp);
}

uint64_t emu_pop(struct emu_cpu *cpu, unsigned size)
{
    uint64_t sp = cpu->g->gpr[GPR_RSP] & size_mask(cpu->stack_addrsize);
    uint64_t val = emu_read(cpu, SEG_SS, sp, size);
    stack_set_rsp(cpu, sp + size);
    return val;
}
