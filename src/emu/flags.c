/* Lazy flags: evaluation of single flags and conditions, materialisation. */
#include "flags.h"

uint32_t flags_szp(uint64_t res, unsigned size)
{
    res &= lf_mask(size);
    uint32_t f = 0;
    if (res == 0)
        f |= EFL_ZF;
    if ((res >> top_shift(size)) & 1)
        f |= EFL_SF;
    if (parity_even(res))
        f |= EFL_PF;
    return f;
}

void flags_materialize(struct emu_cpu *cpu)
{
    if (cpu->lf_op == LF_NONE)
        return;
    uint32_t f = flags_szp(cpu->lf_res, cpu->lf_size);
    if (flag_cf(cpu))
        f |= EFL_CF;
    if (flag_of(cpu))
        f |= EFL_OF;
    if (flag_af(cpu))
        f |= EFL_AF;
    cpu->g->rflags = (cpu->g->rflags & ~(uint64_t)EFL_ARITH) | f;
    cpu->lf_op = LF_NONE;
}

void flags_set(struct emu_cpu *cpu, uint32_t which, uint32_t values)
{
    if ((which & EFL_ARITH) != EFL_ARITH)
        flags_materialize(cpu);
    cpu->lf_op = LF_NONE;
    cpu->g->rflags = (cpu->g->rflags & ~(uint64_t)which) | (values & which);
}

uint64_t emu_get_rflags(struct emu_cpu *cpu)
{
    flags_materialize(cpu);
    return cpu->g->rflags;
}

void emu_set_rflags(struct emu_cpu *cpu, uint64_t value)
{
    cpu->lf_op = LF_NONE;
    cpu->g->rflags = value;
}

void emu_flags_sync(struct emu_cpu *cpu)
{
    flags_materialize(cpu);
}
