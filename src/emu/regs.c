/* Register, effective-address, r/m and stack access for the handlers. */
#include "engine_internal.h"

uint64_t emu_reg_read(const struct emu_cpu *cpu, const struct insn *in, unsigned reg, unsigned size)
{
    return reg_get(cpu, in, reg, size);
}

void emu_reg_write(struct emu_cpu *cpu, const struct insn *in, unsigned reg, unsigned size, uint64_t val)
{
    reg_put(cpu, in, reg, size, val);
}

uint64_t emu_ea(const struct emu_cpu *cpu, const struct insn *in)
{
    return ea_of(cpu, in);
}

int emu_ea_seg(const struct insn *in)
{
    return ea_seg_of(in);
}

uint64_t emu_rm_read(struct emu_cpu *cpu, const struct insn *in, unsigned size)
{
    return rm_get(cpu, in, size);
}

void emu_rm_write(struct emu_cpu *cpu, const struct insn *in, unsigned size, uint64_t val)
{
    rm_put(cpu, in, size, val);
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
    mem_put(cpu, SEG_SS, sp, size, val & size_mask(size));
    stack_set_rsp(cpu, sp);
}

uint64_t emu_pop(struct emu_cpu *cpu, unsigned size)
{
    uint64_t sp = cpu->g->gpr[GPR_RSP] & size_mask(cpu->stack_addrsize);
    uint64_t val = mem_get(cpu, SEG_SS, sp, size);
    stack_set_rsp(cpu, sp + size);
    return val;
}
