/*
 * VM exits: the read-only exit-information fields, filled the way VMX
 * fills them, and the abort back to the run loop.
 */
#include "machine_internal.h"

void vmexit_begin(struct emu_cpu *cpu, uint32_t reason, uint64_t qual)
{
    struct vmcs_exit *x = &cpu->vmcs->exit;
    struct emu_vcpu *m = emu_vcpu_of(cpu);
    x->reason = reason;
    x->qualification = qual;
    x->intr_info = 0;
    x->intr_error = 0;
    x->idt_info = 0;
    x->idt_error = 0;
    x->instr_len = 0;
    x->instr_info = 0;
    if (m->delivering.valid) {
        /* The exit interrupted the delivery of an event: VMX reports it in
         * the IDT-vectoring fields so the client can re-inject it. */
        x->idt_info = except_info(&m->delivering);
        x->idt_error = m->delivering.has_error ? m->delivering.error : 0;
        if (m->delivering.type == EV_SW_INT || m->delivering.type == EV_SW_EXC ||
            m->delivering.type == EV_PRIV_SW_EXC)
            x->instr_len = m->delivering.instr_len;
    }
}

_Noreturn void vmexit_abort(struct emu_cpu *cpu, uint32_t reason, uint64_t qual, uint32_t instr_len)
{
    vmexit_begin(cpu, reason, qual);
    if (instr_len)
        cpu->vmcs->exit.instr_len = instr_len;
    longjmp(cpu->abort, ABORT_EXIT);
}

_Noreturn void emu_exit_insn(struct emu_cpu *cpu, uint32_t reason, uint64_t qualification)
{
    vmexit_abort(cpu, reason, qualification, cpu->insn ? cpu->insn->len : 0);
}

uint64_t emu_ept_qualification(unsigned kind, uint32_t prot, bool lin_valid, bool final)
{
    uint64_t q = 0;
    switch (kind & 3u) {
    case ACC_READ: q |= 1; break;
    case ACC_WRITE: q |= 2; break;
    case ACC_FETCH: q |= 4; break;
    default: q |= 3; break;
    }
    if (prot & HV_MEMORY_READ)
        q |= 1u << 3;
    if (prot & HV_MEMORY_WRITE)
        q |= 1u << 4;
    if (prot & HV_MEMORY_EXEC)
        q |= 1u << 5;
    if (lin_valid) {
        q |= 1u << 7;
        if (final)
            q |= 1u << 8;
    }
    return q;
}

_Noreturn void vmexit_ept_violation(struct emu_cpu *cpu, uint64_t gpa, uint64_t lin, bool lin_valid,
                                    bool final, unsigned kind, uint32_t prot)
{
    vmexit_begin(cpu, VMX_REASON_EPT_VIOLATION, emu_ept_qualification(kind, prot, lin_valid, final));
    struct vmcs_exit *x = &cpu->vmcs->exit;
    x->guest_physical = gpa;
    x->guest_linear = lin_valid ? lin : 0;
    if (!(x->idt_info & IRQ_INFO_VALID)) {
        /* An EPT violation during an instruction saves RF = 1, as a fault
         * would push it; one during event delivery keeps RF. */
        cpu->g->rflags |= RF_RF;
        if (cpu->insn)
            x->instr_len = cpu->insn->len;
    }
    longjmp(cpu->abort, ABORT_EXIT);
}

/* Instruction information for LGDT/LIDT/SGDT/SIDT and LLDT/LTR/SLDT/STR
 * (SDM "VM-Instruction Information Field"): the addressing form of the
 * memory (or register) operand; the identity bits are added by the caller. */
uint32_t vmexit_instr_info_mem(const struct emu_cpu *cpu, const struct insn *in)
{
    uint32_t info = 0;
    unsigned asz = in->addrsize == 2 ? 0 : in->addrsize == 4 ? 1 : 2;
    info |= asz << 7;
    if (in->opsize != 2 || cpu->mode == MODE_LONG)
        info |= 1u << 11;
    if (!in->has_mem) {
        info |= 1u << 10;
        info |= (uint32_t)(in->rm & 15) << 3;
        return info;
    }
    unsigned scale = in->scale == 8 ? 3 : in->scale == 4 ? 2 : in->scale == 2 ? 1 : 0;
    info |= scale;
    info |= (uint32_t)emu_ea_seg(in) << 15;
    if (in->index >= 0)
        info |= (uint32_t)in->index << 18;
    else
        info |= 1u << 22;
    if (in->base >= 0)
        info |= (uint32_t)in->base << 23;
    else
        info |= 1u << 27;
    return info;
}
