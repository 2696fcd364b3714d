/*
 * RDFSBASE, RDGSBASE, WRFSBASE, WRGSBASE (SDM vol. 2: F3 0F AE /0-/3 with a
 * register operand).  The decoder only reaches these in 64-bit mode; here
 * CR4.FSGSBASE gates them (#UD when clear).  With a 32-bit operand a read
 * zero-extends the base's low half into the register and a write clears the
 * base's high half, so only a 64-bit write can be non-canonical (#GP(0)).
 * A 66 prefix does not narrow them further: they have no 16-bit form.
 */
#include "cpu_model.h"
#include "engine_internal.h"

static unsigned fsgs_size(const struct insn *in) { return in->opsize == 8 ? 8 : 4; }

static void fsgs_check(struct emu_cpu *cpu)
{
    if (!(cpu->g->cr4 & CR4_FSGSBASE_BIT))
        EMU_UD(cpu);
}

static void rd_base(struct emu_cpu *cpu, const struct insn *in, unsigned seg)
{
    fsgs_check(cpu);
    unsigned n = fsgs_size(in);
    gpr_set(cpu, in->rm, n, cpu->g->seg[seg].base & size_mask(n));
}

static void wr_base(struct emu_cpu *cpu, const struct insn *in, unsigned seg)
{
    fsgs_check(cpu);
    unsigned n = fsgs_size(in);
    uint64_t base = gpr_get(cpu, in->rm, n);
    if (!emu_canonical(base))
        EMU_GP0(cpu);
    cpu->g->seg[seg].base = base;
}

void exec_rdfsbase(struct emu_cpu *cpu, const struct insn *in) { rd_base(cpu, in, SEG_FS); }
void exec_rdgsbase(struct emu_cpu *cpu, const struct insn *in) { rd_base(cpu, in, SEG_GS); }
void exec_wrfsbase(struct emu_cpu *cpu, const struct insn *in) { wr_base(cpu, in, SEG_FS); }
void exec_wrgsbase(struct emu_cpu *cpu, const struct insn *in) { wr_base(cpu, in, SEG_GS); }
