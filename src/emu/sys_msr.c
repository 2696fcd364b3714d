/*
 * RDMSR/WRMSR, RDTSC/RDTSCP, SYSCALL/SYSRET, SYSENTER/SYSEXIT and SWAPGS:
 * the instructions whose state lives in MSRs.  MSR values come from the
 * core's MSR store (msr_read/msr_write); an MSR the vCPU does not hold
 * reads as 0 for the fast system-call instructions.
 */
#include "machine_internal.h"

/* Flat 4 GiB code/data access rights used by the fast system calls. */
enum {
    AR_CODE64_DPL0 = 0xa09b, AR_CODE32_DPL0 = 0xc09b, AR_DATA_DPL0 = 0xc093,
    AR_CODE64_DPL3 = 0xa0fb, AR_CODE32_DPL3 = 0xc0fb, AR_DATA_DPL3 = 0xc0f3,
};

static uint64_t msr_or_zero(struct emu_cpu *cpu, uint32_t msr)
{
    uint64_t v = 0;
    if (msr_read(cpu->vcpu, msr, &v) != HV_SUCCESS)
        v = 0;
    return v;
}

static void set_flat(struct emu_cpu *cpu, int seg, uint16_t sel, uint32_t ar)
{
    struct vmx_segment *s = &cpu->g->seg[seg];
    s->sel = sel;
    s->base = 0;
    s->limit = 0xffffffff;
    s->ar = ar;
}

void sys_msr(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    bool write = in->opcode == 0x0f30;
    if (cpu->mode == MODE_V86 || cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
    uint32_t idx = (uint32_t)g->gpr[GPR_RCX];
    if (cpu->vcpu->emu_lapic && emu_irq_msr(cpu, idx, write))
        return;
    if (!msr_guest_native(cpu->vcpu, idx, write))
        emu_exit_insn(cpu, write ? VMX_REASON_WRMSR : VMX_REASON_RDMSR, 0);
    if (write) {
        uint64_t v = (g->gpr[GPR_RAX] & 0xffffffff) | (g->gpr[GPR_RDX] << 32);
        if (msr_write(cpu->vcpu, idx, v) != HV_SUCCESS)
            emu_raise(cpu, EXC_GP, true, 0);
    } else {
        uint64_t v;
        if (msr_read(cpu->vcpu, idx, &v) != HV_SUCCESS)
            emu_raise(cpu, EXC_GP, true, 0);
        g->gpr[GPR_RAX] = v & 0xffffffff;
        g->gpr[GPR_RDX] = v >> 32;
    }
}

void sys_rdtsc(struct emu_cpu *cpu, const struct insn *in, bool rdtscp)
{
    (void)in;
    struct vmcs_guest *g = cpu->g;
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    if (rdtscp && !(c->cpu2 & CPU_BASED2_RDTSCP))
        EMU_UD(cpu);
    if ((g->cr4 & CR4_TSD) && cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
    if (c->cpu & CPU_BASED_RDTSC)
        emu_exit_insn(cpu, rdtscp ? VMX_REASON_RDTSCP : VMX_REASON_RDTSC, 0);
    uint64_t tsc = host_tsc() + c->tsc_offset;
    g->gpr[GPR_RAX] = tsc & 0xffffffff;
    g->gpr[GPR_RDX] = tsc >> 32;
    if (rdtscp)
        g->gpr[GPR_RCX] = msr_or_zero(cpu, HV_MSR_IA32_TSC_AUX) & 0xffffffff;
}

void sys_syscall(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    struct vmcs_guest *g = cpu->g;
    if (!(g->efer & EFER_SCE) || cpu->mode != MODE_LONG)
        EMU_UD(cpu);
    uint64_t star = msr_or_zero(cpu, HV_MSR_IA32_STAR);
    uint64_t lstar = msr_or_zero(cpu, HV_MSR_IA32_LSTAR);
    uint64_t fmask = msr_or_zero(cpu, HV_MSR_IA32_FMASK);
    uint64_t flags = emu_get_rflags(cpu);
    g->gpr[GPR_RCX] = cpu->next_rip;
    g->gpr[GPR_R11] = flags & ~(uint64_t)RF_RF;
    emu_set_rflags(cpu, (flags & ~fmask & ~(uint64_t)RF_RF) | RF_FIXED1);
    uint16_t sel = (uint16_t)(star >> 32);
    set_flat(cpu, SEG_CS, sel & 0xfffc, AR_CODE64_DPL0);
    set_flat(cpu, SEG_SS, (uint16_t)((sel + 8) & 0xfffc), AR_DATA_DPL0);
    cpu->next_rip = lstar;
    emu_update_mode(cpu);
}

void sys_sysret(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    if (!(g->efer & EFER_SCE) || cpu->mode != MODE_LONG)
        EMU_UD(cpu);
    if (cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
    uint64_t star = msr_or_zero(cpu, HV_MSR_IA32_STAR);
    uint16_t sel = (uint16_t)(star >> 48);
    uint64_t target;
    if (in->opsize == 8) {
        target = g->gpr[GPR_RCX];
        if (!emu_canonical(target))
            emu_raise(cpu, EXC_GP, true, 0);
        set_flat(cpu, SEG_CS, (uint16_t)((sel + 16) | 3), AR_CODE64_DPL3);
    } else {
        target = g->gpr[GPR_RCX] & 0xffffffff;
        set_flat(cpu, SEG_CS, (uint16_t)(sel | 3), AR_CODE32_DPL3);
    }
    set_flat(cpu, SEG_SS, (uint16_t)((sel + 8) | 3), AR_DATA_DPL3);
    emu_set_rflags(cpu, (g->gpr[GPR_R11] & 0x3c7fd7ull) | RF_FIXED1);
    cpu->next_rip = target;
    emu_update_mode(cpu);
}

void sys_sysenter(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    struct vmcs_guest *g = cpu->g;
    uint16_t cs = (uint16_t)g->sysenter_cs;
    if (cpu->mode == MODE_REAL || !(cs & 0xfffc))
        emu_raise(cpu, EXC_GP, true, 0);
    bool lma = g->efer & EFER_LMA;
    emu_set_rflags(cpu, emu_get_rflags(cpu) & ~(uint64_t)(RF_VM | RF_IF | RF_RF));
    set_flat(cpu, SEG_CS, cs & 0xfffc, lma ? AR_CODE64_DPL0 : AR_CODE32_DPL0);
    set_flat(cpu, SEG_SS, (uint16_t)((cs + 8) & 0xfffc), AR_DATA_DPL0);
    g->gpr[GPR_RSP] = lma ? g->sysenter_esp : (g->sysenter_esp & 0xffffffff);
    cpu->next_rip = lma ? g->sysenter_eip : (g->sysenter_eip & 0xffffffff);
    emu_update_mode(cpu);
}

void sys_sysexit(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    uint16_t cs = (uint16_t)g->sysenter_cs;
    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86 || cpu->cpl != 0 || !(cs & 0xfffc))
        emu_raise(cpu, EXC_GP, true, 0);
    uint64_t rip, rsp;
    if (in->opsize == 8) {
        rip = g->gpr[GPR_RDX];
        rsp = g->gpr[GPR_RCX];
        if (!emu_canonical(rip) || !emu_canonical(rsp))
            emu_raise(cpu, EXC_GP, true, 0);
        set_flat(cpu, SEG_CS, (uint16_t)((cs + 32) | 3), AR_CODE64_DPL3);
        set_flat(cpu, SEG_SS, (uint16_t)((cs + 40) | 3), AR_DATA_DPL3);
    } else {
        rip = g->gpr[GPR_RDX] & 0xffffffff;
        rsp = g->gpr[GPR_RCX] & 0xffffffff;
        set_flat(cpu, SEG_CS, (uint16_t)((cs + 16) | 3), AR_CODE32_DPL3);
        set_flat(cpu, SEG_SS, (uint16_t)((cs + 24) | 3), AR_DATA_DPL3);
    }
    g->gpr[GPR_RSP] = rsp;
    cpu->next_rip = rip;
    emu_update_mode(cpu);
}

void sys_swapgs(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    if (cpu->mode != MODE_LONG)
        EMU_UD(cpu);
    if (cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
    struct vmx_segment *gs = &cpu->g->seg[SEG_GS];
    uint64_t kernel = msr_or_zero(cpu, HV_MSR_IA32_KERNEL_GS_BASE);
    uint64_t old = gs->base;
    (void)msr_write(cpu->vcpu, HV_MSR_IA32_KERNEL_GS_BASE, old);
    gs->base = kernel;
}
