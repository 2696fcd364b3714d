/*
 * Segmentation: processor mode, logical-to-linear translation with limit,
 * type and canonical checks, descriptor reads and segment-register loads.
 */
#include "machine_internal.h"

void emu_update_mode(struct emu_cpu *cpu)
{
    const struct vmcs_guest *g = cpu->g;
    const struct vmx_segment *cs = &g->seg[SEG_CS], *ss = &g->seg[SEG_SS];
    bool cs_d = cs->ar & AR_DB, ss_b = ss->ar & AR_DB;

    if (!(g->cr0 & CR0_PE)) {
        cpu->mode = MODE_REAL;
        cpu->cpl = 0;
    } else if (g->rflags & RF_VM) {
        cpu->mode = MODE_V86;
        cpu->cpl = 3;
        cs_d = ss_b = false;
    } else {
        cpu->mode = (g->efer & EFER_LMA) ? ((cs->ar & AR_L) ? MODE_LONG : MODE_COMPAT) : MODE_PROT;
        /* VMX keeps the CPL in SS.DPL. */
        cpu->cpl = (uint8_t)((ss->ar >> AR_DPL_SHIFT) & 3);
    }
    if (cpu->mode == MODE_LONG) {
        cpu->def_opsize = 4;
        cpu->def_addrsize = 8;
        cpu->stack_addrsize = 8;
    } else {
        cpu->def_opsize = cs_d ? 4 : 2;
        cpu->def_addrsize = cs_d ? 4 : 2;
        cpu->stack_addrsize = ss_b ? 4 : 2;
    }
}

_Noreturn static void seg_fault(struct emu_cpu *cpu, int seg, uint32_t err)
{
    emu_raise(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, true, err);
}

uint64_t seg_linear(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size, unsigned kind)
{
    const struct vmx_segment *s = &cpu->g->seg[seg];
    unsigned acc = kind & 3u;

    if (cpu->mode == MODE_LONG) {
        uint64_t lin = off;
        if (seg == SEG_FS || seg == SEG_GS)
            lin += s->base;
        if (!emu_canonical(lin) || !emu_canonical(lin + size - 1))
            seg_fault(cpu, seg, 0);
        return lin;
    }

    uint32_t type = s->ar & AR_TYPE_MASK;
    bool code = type & 8;
    if (cpu->mode != MODE_REAL && cpu->mode != MODE_V86) {
        if (s->ar & AR_UNUSABLE)
            seg_fault(cpu, seg, 0);
        if (acc == ACC_WRITE || acc == ACC_RMW) {
            if (code || !(type & 2))
                seg_fault(cpu, seg, 0);
        } else if (acc == ACC_READ && code && !(type & 2)) {
            seg_fault(cpu, seg, 0);
        }
    }
    uint64_t last = off + size - 1;
    if (!code && (type & 4) && cpu->mode != MODE_REAL && cpu->mode != MODE_V86) {
        uint64_t upper = (s->ar & AR_DB) ? 0xffffffffull : 0xffffull;
        if (off <= s->limit || last > upper)
            seg_fault(cpu, seg, 0);
    } else if (last > s->limit) {
        seg_fault(cpu, seg, 0);
    }
    return (s->base + off) & 0xffffffffull;
}

bool seg_read_descriptor(struct emu_cpu *cpu, uint16_t sel, uint64_t desc[2], bool wide, unsigned vector,
                         uint32_t ext)
{
    const struct vmcs_guest *g = cpu->g;
    uint64_t base;
    uint32_t limit;
    if (sel & 4) {
        const struct vmx_segment *ldt = &g->seg[SEG_LDTR];
        if (ldt->ar & AR_UNUSABLE)
            emu_raise(cpu, vector, true, (sel & 0xfffc) | ext);
        base = ldt->base;
        limit = ldt->limit;
    } else {
        base = g->gdtr_base;
        limit = g->gdtr_limit;
    }
    uint32_t idx = sel & ~7u;
    if ((uint64_t)idx + (wide ? 15 : 7) > limit)
        emu_raise(cpu, vector, true, (sel & 0xfffc) | ext);
    desc[1] = 0;
    mmu_lin_read(cpu, (base + idx) & mmu_lin_mask(cpu), desc, wide ? 16 : 8, ACC_READ | ACC_SUPERVISOR);
    return true;
}

void seg_from_descriptor(struct vmx_segment *s, uint16_t sel, const uint64_t desc[2], bool wide)
{
    uint64_t d = desc[0];
    uint32_t limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
    uint32_t ar = (uint32_t)(((d >> 40) & 0xff) | (((d >> 52) & 0xf) << 12));
    if (ar & AR_G)
        limit = (limit << 12) | 0xfff;
    uint64_t base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000ull);
    if (wide)
        base |= (desc[1] & 0xffffffffull) << 32;
    s->sel = sel;
    s->base = base;
    s->limit = limit;
    s->ar = ar;
}

void seg_set_accessed(struct emu_cpu *cpu, uint16_t sel, uint64_t desc)
{
    if (desc & (1ull << 40))
        return;
    const struct vmcs_guest *g = cpu->g;
    uint64_t base = (sel & 4) ? g->seg[SEG_LDTR].base : g->gdtr_base;
    uint64_t lin = (base + (sel & ~7u) + 5) & mmu_lin_mask(cpu);
    uint8_t *p = mmu_host(cpu, lin, 1, ACC_RMW | ACC_SUPERVISOR);
    __atomic_fetch_or(p, 1, __ATOMIC_SEQ_CST);
}

void seg_set_real(struct emu_cpu *cpu, int seg, uint16_t sel)
{
    struct vmx_segment *s = &cpu->g->seg[seg];
    s->sel = sel;
    s->base = (uint64_t)sel << 4;
    if (cpu->mode == MODE_V86) {
        s->limit = 0xffff;
        s->ar = 0xf3;   /* also CS: what VMX stores and requires for V86 */
        return;
    }
    /* Real mode keeps the cached limit and size (so "unreal" segments work)
     * and makes the segment a present, accessed, DPL-0 one. */
    uint32_t keep = s->ar & (AR_DB | AR_G | AR_AVL);
    s->ar = keep | AR_P | AR_S | (seg == SEG_CS ? 0xb : 0x3);
}

void seg_load(struct emu_cpu *cpu, int seg, uint16_t sel)
{
    struct emu_vcpu *m = emu_vcpu_of(cpu);
    struct vmx_segment *s = &cpu->g->seg[seg];
    bool is_ss = seg == SEG_SS;
    unsigned cpl = cpu->cpl, rpl = sel & 3;

    if (cpu->mode == MODE_REAL || cpu->mode == MODE_V86) {
        seg_set_real(cpu, seg, sel);
    } else if ((sel & 0xfffc) == 0) {
        if (is_ss && !(cpu->mode == MODE_LONG && cpl != 3 && rpl == cpl))
            emu_raise(cpu, EXC_GP, true, 0);
        /* A null selector makes the register unusable; SS keeps the CPL. */
        s->sel = sel;
        s->base = 0;
        s->limit = 0;
        s->ar = AR_UNUSABLE | (is_ss ? (cpl << AR_DPL_SHIFT) | AR_S | 3 | AR_DB : 0);
    } else {
        uint64_t desc[2];
        seg_read_descriptor(cpu, sel, desc, false, EXC_GP, 0);
        uint64_t d = desc[0];
        unsigned type = (d >> 40) & 0xf, dpl = (d >> 45) & 3;
        bool sbit = (d >> 44) & 1, present = (d >> 47) & 1;
        uint32_t err = sel & 0xfffc;
        if (is_ss) {
            if (rpl != cpl || !sbit || (type & 8) || !(type & 2) || dpl != cpl)
                emu_raise(cpu, EXC_GP, true, err);
            if (!present)
                emu_raise(cpu, EXC_SS, true, err);
        } else {
            if (!sbit || ((type & 8) && !(type & 2)))
                emu_raise(cpu, EXC_GP, true, err);
            bool conforming_code = (type & 8) && (type & 4);
            if (!conforming_code && (dpl < cpl || dpl < rpl))
                emu_raise(cpu, EXC_GP, true, err);
            if (!present)
                emu_raise(cpu, EXC_NP, true, err);
        }
        seg_set_accessed(cpu, sel, d);
        seg_from_descriptor(s, sel, desc, false);
        s->ar |= 1;
    }
    if (is_ss) {
        m->shadow_next |= GUEST_INTRBILITY_MOVSS_BLOCKING;
        emu_update_mode(cpu);
    }
}

void seg_check_code(struct emu_cpu *cpu, uint16_t sel, uint64_t desc[2], bool is_return, unsigned *new_cpl)
{
    unsigned cpl = cpu->cpl, rpl = sel & 3;
    uint32_t err = sel & 0xfffc;
    if (!err)
        emu_raise(cpu, EXC_GP, true, 0);
    seg_read_descriptor(cpu, sel, desc, false, EXC_GP, 0);
    uint64_t d = desc[0];
    unsigned type = (d >> 40) & 0xf, dpl = (d >> 45) & 3;
    bool sbit = (d >> 44) & 1, present = (d >> 47) & 1;
    /* Only code segments here: call gates are handled by the far-transfer
     * code before this check, task gates and TSSs are not supported. */
    if (!sbit || !(type & 8))
        emu_raise(cpu, EXC_GP, true, err);
    bool conforming = type & 4;
    if (is_return) {
        if (rpl < cpl || (conforming ? dpl > rpl : dpl != rpl))
            emu_raise(cpu, EXC_GP, true, err);
        *new_cpl = rpl;
    } else {
        if (conforming ? dpl > cpl : (rpl > cpl || dpl != cpl))
            emu_raise(cpu, EXC_GP, true, err);
        *new_cpl = cpl;
    }
    if (!present)
        emu_raise(cpu, EXC_NP, true, err);
    if ((cpu->g->efer & EFER_LMA) && (d & (1ull << 53)) && (d & (1ull << 54)))
        emu_raise(cpu, EXC_GP, true, err);
}
