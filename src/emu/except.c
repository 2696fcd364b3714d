/*
 * Exceptions and interrupts: the double-fault rules, the exception bitmap,
 * and delivery through the guest's IVT or IDT.
 */
#include <string.h>

#include "machine_internal.h"

uint32_t except_info(const struct emu_event *ev)
{
    return IRQ_INFO_VALID | ((uint32_t)ev->type << 8) | ev->vector |
           (ev->has_error ? IRQ_INFO_ERROR_VALID : 0);
}

static bool contributory(unsigned v)
{
    return v == EXC_DE || v == EXC_TS || v == EXC_NP || v == EXC_SS || v == EXC_GP;
}

/* Fault-class exceptions: VMX saves, and delivery pushes, RFLAGS.RF = 1 for
 * them so that the restarted instruction does not hit an instruction
 * breakpoint again (SDM "Saving RIP, RSP, RFLAGS"). */
static bool fault_class(const struct emu_event *ev)
{
    if (ev->type != EV_HW_EXC)
        return false;
    switch (ev->vector) {
    case EXC_DB: case EXC_NMI: case EXC_BP: case EXC_OF: case EXC_DF: case EXC_MC:
        return false;
    default:
        return true;
    }
}

static uint64_t pushed_rflags(struct emu_cpu *cpu, const struct emu_event *ev)
{
    uint64_t flags = emu_get_rflags(cpu);
    return fault_class(ev) ? flags | RF_RF : flags;
}

/* Whether the exception bitmap turns this guest-raised event into an exit. */
static bool bitmap_exits(const struct emu_cpu *cpu, const struct emu_event *ev)
{
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    if (ev->type != EV_HW_EXC && ev->type != EV_SW_EXC && ev->type != EV_PRIV_SW_EXC)
        return false;
    bool bit = (c->exc_bitmap >> ev->vector) & 1;
    if (ev->vector == EXC_PF)
        return ((ev->error & c->pf_mask) == c->pf_match) ? bit : !bit;
    return bit;
}

_Noreturn void except_raise_event(struct emu_cpu *cpu, struct emu_event ev)
{
    struct emu_vcpu *m = emu_vcpu_of(cpu);
    /* Real-mode delivery pushes no error code, and VMX reports none. */
    if (cpu->mode == MODE_REAL) {
        ev.has_error = false;
        ev.error = 0;
    }
    if (m->delivering.valid && ev.type == EV_HW_EXC) {
        const struct emu_event *first = &m->delivering;
        if (first->type == EV_HW_EXC && first->vector == EXC_DF) {
            /* The exit for a triple fault carries no vectoring information. */
            m->delivering.valid = false;
            vmexit_abort(cpu, VMX_REASON_TRIPLE_FAULT, 0, 0);
        }
        if (first->type == EV_HW_EXC) {
            bool c1 = contributory(first->vector), p1 = first->vector == EXC_PF;
            bool c2 = contributory(ev.vector), p2 = ev.vector == EXC_PF;
            if ((c1 && c2) || (p1 && (c2 || p2))) {
                struct emu_event df = { .valid = true, .vector = EXC_DF, .type = EV_HW_EXC,
                                        .has_error = true, .error = 0 };
                ev = df;
            }
        }
    }
    if (bitmap_exits(cpu, &ev)) {
        uint64_t qual = 0;
        if (ev.vector == EXC_PF && ev.type == EV_HW_EXC)
            qual = ev.cr2;
        else if (ev.vector == EXC_DB && ev.type == EV_HW_EXC)
            qual = ev.dr6;
        vmexit_begin(cpu, VMX_REASON_EXC_NMI, qual);
        if (fault_class(&ev))
            cpu->g->rflags |= RF_RF;
        struct vmcs_exit *x = &cpu->vmcs->exit;
        x->intr_info = except_info(&ev);
        x->intr_error = ev.has_error ? ev.error : 0;
        if (ev.type == EV_SW_EXC || ev.type == EV_PRIV_SW_EXC)
            x->instr_len = ev.instr_len;
        else if (!(x->idt_info & IRQ_INFO_VALID) && cpu->insn)
            x->instr_len = cpu->insn->len;
        longjmp(cpu->abort, ABORT_EXIT);
    }
    m->pending = ev;
    longjmp(cpu->abort, ABORT_EVENT);
}

_Noreturn void emu_raise(struct emu_cpu *cpu, unsigned vector, bool has_error, uint32_t error)
{
    struct emu_event ev = { .valid = true, .vector = (uint8_t)vector, .type = EV_HW_EXC,
                            .has_error = has_error, .error = error };
    /* Vectors without an error code never push one. */
    if (!(vector == EXC_DF || (vector >= EXC_TS && vector <= EXC_PF) || vector == EXC_AC ||
          vector == EXC_CP))
        ev.has_error = false;
    except_raise_event(cpu, ev);
}

/* ---- Delivery ------------------------------------------------------- */

static uint64_t return_rip(const struct emu_cpu *cpu, const struct emu_event *ev)
{
    uint64_t rip = cpu->g->rip;
    if (ev->type == EV_SW_INT || ev->type == EV_SW_EXC || ev->type == EV_PRIV_SW_EXC)
        rip += ev->instr_len;
    if (cpu->mode != MODE_LONG)
        rip &= cpu->def_opsize == 2 ? 0xffff : 0xffffffff;
    return rip;
}

void except_push_frame(struct emu_cpu *cpu, uint64_t ss_base, uint64_t sp, uint64_t sp_mask,
                       const uint64_t *items, unsigned n, unsigned width, bool supervisor)
{
    uint8_t buf[EXCEPT_FRAME_MAX * 8];
    if (n > EXCEPT_FRAME_MAX)
        n = EXCEPT_FRAME_MAX;
    unsigned total = n * width;
    for (unsigned i = 0; i < n; i++)
        memcpy(buf + total - (i + 1) * width, &items[i], width);
    uint64_t lin = ss_base + ((sp - total) & sp_mask);
    if (!(cpu->g->efer & EFER_LMA))
        lin &= 0xffffffffull;
    else if (!emu_canonical(lin) || !emu_canonical(lin + total - 1))
        emu_raise(cpu, EXC_SS, true, 0);
    mmu_lin_write(cpu, lin, buf, total, ACC_WRITE | (supervisor ? ACC_SUPERVISOR : 0));
}

static void deliver_real(struct emu_cpu *cpu, const struct emu_event *ev)
{
    struct vmcs_guest *g = cpu->g;
    uint32_t off = ev->vector * 4u;
    if (off + 3 > g->idtr_limit)
        emu_raise(cpu, EXC_GP, true, off + 2);
    uint32_t vec = (uint32_t)mmu_lin_read_u(cpu, (g->idtr_base + off) & 0xffffffff, 4, ACC_READ);
    uint64_t flags = pushed_rflags(cpu, ev);
    uint64_t sp = g->gpr[GPR_RSP];
    uint64_t mask = cpu->stack_addrsize == 2 ? 0xffff : 0xffffffff;
    uint64_t items[3] = { flags & 0xffff, g->seg[SEG_CS].sel, return_rip(cpu, ev) & 0xffff };
    /* Limit check of the stack, as for any push. */
    (void)seg_linear(cpu, SEG_SS, (sp - 6) & mask, 6, ACC_WRITE);
    except_push_frame(cpu, g->seg[SEG_SS].base, sp, mask, items, 3, 2, false);

    g->gpr[GPR_RSP] = (sp & ~mask) | ((sp - 6) & mask);
    emu_set_rflags(cpu, flags & ~(uint64_t)(RF_IF | RF_TF | RF_AC | RF_RF));
    seg_set_real(cpu, SEG_CS, (uint16_t)(vec >> 16));
    g->rip = vec & 0xffff;
}

static void tss_stack32(struct emu_cpu *cpu, unsigned dpl, uint16_t *ss, uint32_t *esp, uint32_t ext)
{
    const struct vmx_segment *tr = &cpu->g->seg[SEG_TR];
    unsigned type = tr->ar & 0xf;
    bool tss32 = type == 9 || type == 11;
    uint32_t off = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
    uint32_t sz = tss32 ? 8 : 4;
    if ((tr->ar & AR_UNUSABLE) || off + sz - 1 > tr->limit)
        emu_raise(cpu, EXC_TS, true, (tr->sel & 0xfffc) | ext);
    uint64_t lin = (tr->base + off) & 0xffffffff;
    if (tss32) {
        *esp = (uint32_t)mmu_lin_read_u(cpu, lin, 4, ACC_READ | ACC_SUPERVISOR);
        *ss = (uint16_t)mmu_lin_read_u(cpu, lin + 4, 2, ACC_READ | ACC_SUPERVISOR);
    } else {
        *esp = (uint32_t)mmu_lin_read_u(cpu, lin, 2, ACC_READ | ACC_SUPERVISOR);
        *ss = (uint16_t)mmu_lin_read_u(cpu, lin + 2, 2, ACC_READ | ACC_SUPERVISOR);
    }
}

static uint64_t tss_rsp64(struct emu_cpu *cpu, unsigned off, uint32_t ext)
{
    const struct vmx_segment *tr = &cpu->g->seg[SEG_TR];
    if ((tr->ar & AR_UNUSABLE) || off + 7 > tr->limit)
        emu_raise(cpu, EXC_TS, true, (tr->sel & 0xfffc) | ext);
    return mmu_lin_read_u(cpu, tr->base + off, 8, ACC_READ | ACC_SUPERVISOR);
}

void except_inner_stack32(struct emu_cpu *cpu, unsigned new_cpl, uint32_t ext,
                          struct vmx_segment *new_ss, uint64_t *new_sp)
{
    uint16_t nss;
    uint32_t nesp;
    tss_stack32(cpu, new_cpl, &nss, &nesp, ext);
    uint32_t ss_err = (nss & 0xfffc) | ext;
    if (!(nss & 0xfffc))
        emu_raise(cpu, EXC_TS, true, ext);
    uint64_t sdesc[2];
    seg_read_descriptor(cpu, nss, sdesc, false, EXC_TS, ext);
    uint64_t s = sdesc[0];
    unsigned stype = (s >> 40) & 0xf;
    if ((nss & 3) != new_cpl || ((s >> 45) & 3) != new_cpl || !((s >> 44) & 1) ||
        (stype & 8) || !(stype & 2))
        emu_raise(cpu, EXC_TS, true, ss_err);
    if (!((s >> 47) & 1))
        emu_raise(cpu, EXC_SS, true, ss_err);
    seg_set_accessed(cpu, nss, s);
    seg_from_descriptor(new_ss, nss, sdesc, false);
    new_ss->ar |= 1;
    *new_sp = nesp;
}

uint64_t except_inner_rsp64(struct emu_cpu *cpu, unsigned new_cpl, uint32_t ext)
{
    return tss_rsp64(cpu, 4 + new_cpl * 8, ext);
}

static void deliver_protected(struct emu_cpu *cpu, const struct emu_event *ev)
{
    struct vmcs_guest *g = cpu->g;
    bool ia32e = g->efer & EFER_LMA;
    unsigned gsz = ia32e ? 16 : 8;
    bool software = ev->type == EV_SW_INT || ev->type == EV_SW_EXC;
    uint32_t ext = software ? 0 : 1;
    uint32_t idt_err = ev->vector * 8u + 2 + ext;

    if (ev->vector * gsz + gsz - 1 > g->idtr_limit)
        emu_raise(cpu, EXC_GP, true, idt_err);
    uint64_t gate[2] = { 0, 0 };
    mmu_lin_read(cpu, (g->idtr_base + ev->vector * gsz) & mmu_lin_mask(cpu), gate, gsz,
                 ACC_READ | ACC_SUPERVISOR);
    unsigned gtype = (gate[0] >> 40) & 0x1f, gdpl = (gate[0] >> 45) & 3;
    bool gp = (gate[0] >> 47) & 1;
    bool valid = ia32e ? (gtype == 0xe || gtype == 0xf)
                       : (gtype == 0x6 || gtype == 0x7 || gtype == 0xe || gtype == 0xf);
    /* Task gates (type 5) are not supported: #GP as for an invalid gate. */
    if (!valid)
        emu_raise(cpu, EXC_GP, true, idt_err);
    if (software && gdpl < cpu->cpl)
        emu_raise(cpu, EXC_GP, true, idt_err);
    if (!gp)
        emu_raise(cpu, EXC_NP, true, idt_err);

    uint16_t sel = (uint16_t)(gate[0] >> 16);
    uint64_t target = (gate[0] & 0xffff) | ((gate[0] >> 32) & 0xffff0000ull);
    if (ia32e)
        target |= (gate[1] & 0xffffffffull) << 32;
    unsigned ist = ia32e ? (unsigned)((gate[0] >> 32) & 7) : 0;
    bool trap_gate = gtype & 1;
    bool gate16 = !ia32e && !(gtype & 8);

    if (!(sel & 0xfffc))
        emu_raise(cpu, EXC_GP, true, ext);
    uint64_t cdesc[2];
    seg_read_descriptor(cpu, sel, cdesc, false, EXC_GP, ext);
    uint64_t d = cdesc[0];
    unsigned ctype = (d >> 40) & 0xf, cdpl = (d >> 45) & 3;
    uint32_t sel_err = (sel & 0xfffc) | ext;
    if (!((d >> 44) & 1) || !(ctype & 8) || cdpl > cpu->cpl)
        emu_raise(cpu, EXC_GP, true, sel_err);
    if (!((d >> 47) & 1))
        emu_raise(cpu, EXC_NP, true, sel_err);
    if (ia32e && (!((d >> 53) & 1) || ((d >> 54) & 1)))
        emu_raise(cpu, EXC_GP, true, sel_err);
    if (cpu->mode == MODE_V86 && !v86_gate_target_ok(d))
        emu_raise(cpu, EXC_GP, true, sel_err);
    bool conforming = ctype & 4;
    unsigned new_cpl = (!conforming && cdpl < cpu->cpl) ? cdpl : cpu->cpl;
    bool priv_change = new_cpl != cpu->cpl;

    uint64_t flags = pushed_rflags(cpu, ev);
    uint64_t rip = return_rip(cpu, ev);
    uint64_t old_sp = g->gpr[GPR_RSP];
    const struct vmx_segment old_ss = g->seg[SEG_SS];
    uint64_t items[10];
    unsigned n = 0;
    struct vmx_segment new_ss = old_ss;
    uint64_t new_sp, sp_mask;
    unsigned width;

    if (ia32e) {
        width = 8;
        if (ist)
            new_sp = tss_rsp64(cpu, 0x24 + (ist - 1) * 8, ext);
        else if (priv_change)
            new_sp = except_inner_rsp64(cpu, new_cpl, ext);
        else
            new_sp = old_sp;
        new_sp &= ~0xfull;
        sp_mask = ~0ull;
        items[n++] = old_ss.sel;
        items[n++] = old_sp;
        if (priv_change) {
            new_ss.sel = (uint16_t)new_cpl;
            new_ss.base = 0;
            new_ss.limit = 0;
            new_ss.ar = AR_UNUSABLE | AR_S | AR_P | AR_DB | 3 | (new_cpl << AR_DPL_SHIFT);
        }
    } else {
        width = gate16 ? 2 : 4;
        if (priv_change) {
            except_inner_stack32(cpu, new_cpl, ext, &new_ss, &new_sp);
            if (cpu->mode == MODE_V86)
                n = v86_frame_prefix(cpu, items);
            items[n++] = old_ss.sel;
            items[n++] = old_sp;
        } else {
            new_sp = old_sp;
        }
        sp_mask = (new_ss.ar & AR_DB) ? 0xffffffffull : 0xffffull;
    }
    items[n++] = flags;
    items[n++] = g->seg[SEG_CS].sel;
    items[n++] = rip;
    if (ev->has_error)
        items[n++] = ev->error;
    if (!ia32e && !priv_change) {
        /* Stack limit check on the current SS. */
        (void)seg_linear(cpu, SEG_SS, (new_sp - n * width) & sp_mask, n * width, ACC_WRITE);
    }
    except_push_frame(cpu, new_ss.base, new_sp, sp_mask, items, n, width, new_cpl < 3);

    /* Commit: nothing above changed a register. */
    seg_set_accessed(cpu, sel, d);
    struct vmx_segment *cs = &g->seg[SEG_CS];
    seg_from_descriptor(cs, (uint16_t)((sel & 0xfffc) | new_cpl), cdesc, false);
    cs->ar |= 1;
    g->seg[SEG_SS] = new_ss;
    if (cpu->mode == MODE_V86)
        v86_null_data_segments(cpu);
    uint64_t sp_after = new_sp - n * width;
    if (sp_mask == ~0ull || priv_change)
        g->gpr[GPR_RSP] = sp_after & sp_mask;
    else
        g->gpr[GPR_RSP] = (old_sp & ~sp_mask) | (sp_after & sp_mask);
    uint64_t clear = RF_TF | RF_NT | RF_RF | RF_VM | (trap_gate ? 0 : RF_IF);
    emu_set_rflags(cpu, flags & ~clear);
    g->rip = gate16 ? (target & 0xffff) : target;
    emu_update_mode(cpu);
}

void except_deliver(struct emu_cpu *cpu, const struct emu_event *ev)
{
    struct vmcs_guest *g = cpu->g;
    if (ev->set_cr2)
        g->cr2 = ev->cr2;
    if (ev->vector == EXC_DB && ev->type == EV_HW_EXC && ev->dr6)
        g->dr[6] = (g->dr[6] & ~0x400full) | ev->dr6 | 0xffff0ff0ull;
    if (cpu->mode == MODE_REAL)
        deliver_real(cpu, ev);
    else
        deliver_protected(cpu, ev);
    if (ev->type == EV_NMI)
        g->interruptibility |= GUEST_INTRBILITY_NMI_BLOCKING;
    /* Delivery leaves the vCPU active and ends any interrupt shadow. */
    g->interruptibility &= ~(uint32_t)(GUEST_INTRBILITY_STI_BLOCKING | GUEST_INTRBILITY_MOVSS_BLOCKING);
    g->activity = 0;
}
