/* PUSHF/POPF in virtual-8086 mode with IOPL < 3: with CR4.VME the 16-bit
 * forms work on a flags image whose IF is VIF and whose IOPL reads as 3;
 * everything else is #GP(0), for the monitor to emulate. */
#include "engine_internal.h"

enum { CR4_VME_BIT = 1u << 0 };

static void require_vme16(struct emu_cpu *cpu, const struct insn *in)
{
    if (!(cpu->g->cr4 & CR4_VME_BIT) || in->opsize != 2)
        EMU_GP0(cpu);
}

void v86_pushf(struct emu_cpu *cpu, const struct insn *in)
{
    require_vme16(cpu, in);
    uint64_t f = emu_get_rflags(cpu);
    uint64_t image = (f & 0xffff & ~(uint64_t)EFL_IF) | EFL_IOPL | ((f & EFL_VIF) ? EFL_IF : 0);
    emu_push(cpu, image, 2);
}

void v86_popf(struct emu_cpu *cpu, const struct insn *in)
{
    require_vme16(cpu, in);
    uint64_t sp = cpu->g->gpr[GPR_RSP] & 0xffff;
    uint64_t v = emu_read(cpu, SEG_SS, sp, 2);
    uint64_t old = emu_get_rflags(cpu);
    /* Setting TF, or enabling virtual interrupts while one is pending,
     * needs the monitor. */
    if ((v & EFL_TF) || ((v & EFL_IF) && (old & EFL_VIP)))
        EMU_GP0(cpu);
    stack_set_rsp(cpu, sp + 2);
    uint64_t change = EFL_ARITH | EFL_DF | EFL_NT | EFL_VIF;
    uint64_t nf = (v & EFL_IF) ? (v | EFL_VIF) : (v & ~(uint64_t)EFL_VIF);
    emu_set_rflags(cpu, (old & ~change) | (nf & change));
}
