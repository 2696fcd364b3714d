/*
 * Control and debug registers: MOV CR/DR, CLTS, LMSW, SMSW, with VMX's
 * guest/host masks, read shadows and CR3/CR8 exiting, mode changes and TLB
 * flushes.
 */
#include "machine_internal.h"
/* After machine_internal.h: caps.h defines CR0_CD/CR0_NW as macros (same values). */
#include "../core/caps.h"
#include "cpu_model.h"

uint64_t cr4_allowed(void)
{
    uint64_t v = 0;
    if (vmx_capability(&hv_backend_emu, HV_VMX_CAP_CR4_FIXED1, &v) != HV_SUCCESS)
        v = CR4_VMXE;
    return v & ~emu_cr4_absent();
}

/* MOV-CR exit qualification access types. */
enum { CRQ_TO = 0, CRQ_FROM = 1, CRQ_CLTS = 2, CRQ_LMSW = 3 };

static uint64_t crq(unsigned cr, unsigned type, unsigned gpr)
{
    return (uint64_t)cr | ((uint64_t)type << 4) | ((uint64_t)gpr << 8);
}

/* CR0 as the guest reads it: host-owned bits come from the read shadow. */
static uint64_t cr0_guest_view(const struct emu_cpu *cpu)
{
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    return (cpu->g->cr0 & ~c->cr0_mask) | (c->cr0_shadow & c->cr0_mask);
}

static uint64_t cr4_guest_view(const struct emu_cpu *cpu)
{
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    return (cpu->g->cr4 & ~c->cr4_mask) | (c->cr4_shadow & c->cr4_mask);
}

static bool pae_legacy_paging(const struct emu_cpu *cpu)
{
    const struct vmcs_guest *g = cpu->g;
    return (g->cr0 & CR0_PG) && (g->cr4 & CR4_PAE) && !(g->efer & EFER_LMA);
}

void cr_write_cr0(struct emu_cpu *cpu, uint64_t val)
{
    struct vmcs_guest *g = cpu->g;
    if (val >> 32)
        emu_raise(cpu, EXC_GP, true, 0);
    val |= CR0_ET;
    if ((val & CR0_PG) && !(val & CR0_PE))
        emu_raise(cpu, EXC_GP, true, 0);
    if ((val & CR0_NW) && !(val & CR0_CD))
        emu_raise(cpu, EXC_GP, true, 0);
    /* VMX operation fixes NE to 1 (CR0 fixed-0 MSR). */
    if (!(val & CR0_NE))
        emu_raise(cpu, EXC_GP, true, 0);
    bool pg_on = (val & CR0_PG) && !(g->cr0 & CR0_PG);
    bool pg_off = !(val & CR0_PG) && (g->cr0 & CR0_PG);
    if (pg_on && (g->efer & EFER_LME)) {
        if (!(g->cr4 & CR4_PAE) || (g->seg[SEG_CS].ar & AR_L))
            emu_raise(cpu, EXC_GP, true, 0);
        g->efer |= EFER_LMA;
    }
    if (pg_off && (g->efer & EFER_LMA)) {
        if (cpu->mode == MODE_LONG)
            emu_raise(cpu, EXC_GP, true, 0);
        g->efer &= ~(uint64_t)EFER_LMA;
    }
    if (!(val & CR0_PE) && (g->cr4 & CR4_PCIDE))
        emu_raise(cpu, EXC_GP, true, 0);
    uint64_t changed = g->cr0 ^ val;
    uint64_t old = g->cr0;
    g->cr0 = val;
    if (pae_legacy_paging(cpu) && (changed & (CR0_PG | CR0_CD | CR0_NW)) && !mmu_load_pdptes(cpu)) {
        g->cr0 = old;
        emu_raise(cpu, EXC_GP, true, 0);
    }
    if (changed & (CR0_PG | CR0_WP | CR0_PE))
        mmu_tlb_flush(cpu->tlb);
    emu_update_mode(cpu);
}

void cr_write_cr4(struct emu_cpu *cpu, uint64_t val)
{
    struct vmcs_guest *g = cpu->g;
    if (val & ~cr4_allowed())
        emu_raise(cpu, EXC_GP, true, 0);
    /* PCIDE: only in IA-32e mode, and only with PCID 0 current. */
    if ((val & CR4_PCIDE) && !(g->cr4 & CR4_PCIDE) && (!(g->efer & EFER_LMA) || (g->cr3 & 0xfff)))
        emu_raise(cpu, EXC_GP, true, 0);
    if (!(val & CR4_VMXE))
        emu_raise(cpu, EXC_GP, true, 0);
    if ((g->efer & EFER_LMA) && !(val & CR4_PAE))
        emu_raise(cpu, EXC_GP, true, 0);
    uint64_t changed = g->cr4 ^ val;
    uint64_t old = g->cr4;
    g->cr4 = val;
    if (pae_legacy_paging(cpu) && (changed & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) &&
        !mmu_load_pdptes(cpu)) {
        g->cr4 = old;
        emu_raise(cpu, EXC_GP, true, 0);
    }
    if (changed & (CR4_PSE | CR4_PAE | CR4_PGE | CR4_SMEP | CR4_SMAP | CR4_PCIDE))
        mmu_tlb_flush(cpu->tlb);
}

void cr_write_cr3(struct emu_cpu *cpu, uint64_t val)
{
    struct vmcs_guest *g = cpu->g;
    if ((g->efer & EFER_LMA) && (val & ~EMU_PA_MASK & ~(1ull << 63)))
        emu_raise(cpu, EXC_GP, true, 0);
    if (!(g->efer & EFER_LMA))
        val &= 0xffffffffull;
    /* With PCIDE, bit 63 asks not to flush: a hint, never stored (we flush
     * anyway, which is always allowed). */
    if (g->cr4 & CR4_PCIDE)
        val &= ~(1ull << 63);
    uint64_t old = g->cr3;
    g->cr3 = val;
    if (pae_legacy_paging(cpu) && !mmu_load_pdptes(cpu)) {
        g->cr3 = old;
        emu_raise(cpu, EXC_GP, true, 0);
    }
    mmu_tlb_flush(cpu->tlb);
}

static unsigned cr_opsize(const struct emu_cpu *cpu)
{
    return cpu->mode == MODE_LONG ? 8 : 4;
}

static uint64_t gpr_read(const struct emu_cpu *cpu, unsigned reg)
{
    uint64_t v = cpu->g->gpr[reg];
    return cr_opsize(cpu) == 8 ? v : (v & 0xffffffff);
}

static void gpr_write(struct emu_cpu *cpu, unsigned reg, uint64_t v)
{
    cpu->g->gpr[reg] = cr_opsize(cpu) == 8 ? v : (v & 0xffffffff);
}

static bool cr3_is_target(const struct vmcs_ctrl *c, uint64_t val)
{
    for (uint32_t i = 0; i < c->cr3_count && i < 4; i++)
        if (c->cr3_target[i] == val)
            return true;
    return false;
}

void sys_cr(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    bool to_cr = in->opcode == 0x0f22;
    unsigned cr = in->reg, gpr = in->rm;
    if (in->lock || (cr != 0 && cr != 2 && cr != 3 && cr != 4 && cr != 8))
        EMU_UD(cpu);
    if (cpu->mode == MODE_V86 || cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);

    if (!to_cr) {
        uint64_t v;
        switch (cr) {
        case 0: v = cr0_guest_view(cpu); break;
        case 2: v = g->cr2; break;
        case 3:
            if (c->cpu & CPU_BASED_CR3_STORE)
                emu_exit_insn(cpu, VMX_REASON_MOV_CR, crq(3, CRQ_FROM, gpr));
            v = g->cr3;
            break;
        case 4: v = cr4_guest_view(cpu); break;
        default:
            /* With the in-kernel APIC, CR8 is its TPR and never exits. */
            if (cpu->vcpu->emu_lapic) {
                v = emu_irq_cr8_read(cpu);
                break;
            }
            if (c->cpu & CPU_BASED_CR8_STORE)
                emu_exit_insn(cpu, VMX_REASON_MOV_CR, crq(8, CRQ_FROM, gpr));
            v = (g->tpr >> 4) & 0xf;
            break;
        }
        gpr_write(cpu, gpr, v);
        return;
    }

    uint64_t val = gpr_read(cpu, gpr);
    switch (cr) {
    case 0:
        if ((val ^ c->cr0_shadow) & c->cr0_mask)
            emu_exit_insn(cpu, VMX_REASON_MOV_CR, crq(0, CRQ_TO, gpr));
        cr_write_cr0(cpu, (val & ~c->cr0_mask) | (g->cr0 & c->cr0_mask));
        break;
    case 2:
        g->cr2 = val;
        break;
    case 3:
        if ((c->cpu & CPU_BASED_CR3_LOAD) && !cr3_is_target(c, val))
            emu_exit_insn(cpu, VMX_REASON_MOV_CR, crq(3, CRQ_TO, gpr));
        cr_write_cr3(cpu, val);
        break;
    case 4:
        if ((val ^ c->cr4_shadow) & c->cr4_mask)
            emu_exit_insn(cpu, VMX_REASON_MOV_CR, crq(4, CRQ_TO, gpr));
        cr_write_cr4(cpu, (val & ~c->cr4_mask) | (g->cr4 & c->cr4_mask));
        break;
    default:
        if ((c->cpu & CPU_BASED_CR8_LOAD) && !cpu->vcpu->emu_lapic)
            emu_exit_insn(cpu, VMX_REASON_MOV_CR, crq(8, CRQ_TO, gpr));
        if (val & ~0xfull)
            emu_raise(cpu, EXC_GP, true, 0);
        if (cpu->vcpu->emu_lapic)
            emu_irq_cr8_write(cpu, val);
        else
            g->tpr = (g->tpr & ~0xf0ull) | (val << 4);
        break;
    }
}

void sys_clts(struct emu_cpu *cpu, const struct insn *in)
{
    (void)in;
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    if (cpu->mode == MODE_V86 || cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
    if ((c->cr0_mask & CR0_TS) && (c->cr0_shadow & CR0_TS))
        emu_exit_insn(cpu, VMX_REASON_MOV_CR, crq(0, CRQ_CLTS, 0));
    /* A host-owned TS keeps its value. */
    if (!(c->cr0_mask & CR0_TS))
        cpu->g->cr0 &= ~(uint64_t)CR0_TS;
}

void sys_lmsw(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    if (cpu->mode == MODE_V86 || cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
    uint16_t src;
    uint64_t lin = 0;
    if (in->has_mem) {
        int seg = emu_ea_seg(in);
        uint64_t off = emu_ea(cpu, in);
        src = (uint16_t)emu_read(cpu, seg, off, 2);
        lin = seg_linear(cpu, seg, off, 2, ACC_READ);
    } else {
        src = (uint16_t)g->gpr[in->rm];
    }
    uint64_t mask = c->cr0_mask & 0xf, shadow = c->cr0_shadow & 0xf;
    bool exits = ((mask & CR0_PE) && !(shadow & CR0_PE) && (src & CR0_PE)) ||
                 ((mask & 0xe) & (src ^ shadow));
    if (exits) {
        uint64_t q = crq(0, CRQ_LMSW, 0) | ((uint64_t)in->has_mem << 6) | ((uint64_t)src << 16);
        vmexit_begin(cpu, VMX_REASON_MOV_CR, q);
        cpu->vmcs->exit.instr_len = in->len;
        if (in->has_mem)
            cpu->vmcs->exit.guest_linear = lin;
        longjmp(cpu->abort, ABORT_EXIT);
    }
    /* LMSW sets PE but never clears it, and leaves host-owned bits alone. */
    uint64_t cr0 = g->cr0;
    uint64_t guest_bits = 0xe & ~mask;
    uint64_t nv = (cr0 & ~guest_bits) | (src & guest_bits);
    if (!(mask & CR0_PE))
        nv |= src & CR0_PE;
    cr_write_cr0(cpu, nv);
}

void sys_smsw(struct emu_cpu *cpu, const struct insn *in)
{
    if ((cpu->g->cr4 & CR4_UMIP) && cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
    uint64_t v = cr0_guest_view(cpu);
    if (in->has_mem)
        emu_write(cpu, emu_ea_seg(in), emu_ea(cpu, in), 2, v & 0xffff);
    else
        emu_reg_write(cpu, in, in->rm, in->opsize, v);
}

void sys_dr(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    bool to_dr = in->opcode == 0x0f23;
    unsigned dr = in->reg, gpr = in->rm;
    if (dr > 7)
        EMU_UD(cpu);
    if ((dr == 4 || dr == 5) && (g->cr4 & CR4_DE))
        EMU_UD(cpu);
    if (cpu->mode == MODE_V86 || cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
    if (c->cpu & CPU_BASED_MOV_DR)
        emu_exit_insn(cpu, VMX_REASON_MOV_DR, (uint64_t)dr | ((uint64_t)!to_dr << 4) | ((uint64_t)gpr << 8));
    if (dr == 4 || dr == 5)
        dr += 2;
    if (to_dr) {
        uint64_t v = gpr_read(cpu, gpr);
        if ((dr == 6 || dr == 7) && (v >> 32))
            emu_raise(cpu, EXC_GP, true, 0);
        if (dr == 6)
            v = (v & emu_dr6_writable()) | emu_dr6_fixed1();
        else if (dr == 7)
            v = (v & emu_dr7_writable()) | DR7_FIXED1;
        g->dr[dr] = v;
    } else {
        gpr_write(cpu, gpr, g->dr[dr]);
    }
}
