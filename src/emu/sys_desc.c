/*
 * Instructions that work on descriptors and segment registers: LGDT/LIDT/
 * SGDT/SIDT, LLDT/LTR/SLDT/STR/VERR/VERW, LAR/LSL, MOV/PUSH/POP Sreg,
 * LDS/LES/LSS/LFS/LGS, far JMP/CALL/RET and IRET.
 *
 * Not supported (documented in docs/notes/emu-machine.md): task gates and
 * task switches (#GP), IRET with NT=1 (#GP).  IRET into and inside
 * virtual-8086 mode is in sys_v86.c.
 */
#include "machine_internal.h"

static uint64_t opmask(unsigned size)
{
    return size == 8 ? ~0ull : size == 4 ? 0xffffffffull : size == 2 ? 0xffffull : 0xffull;
}

static uint64_t stack_mask(const struct emu_cpu *cpu)
{
    return opmask(cpu->stack_addrsize);
}

/* Read the stack at RSP + `off` without moving RSP, so a fault later in
 * the instruction leaves RSP untouched. */
static uint64_t stack_peek(struct emu_cpu *cpu, uint64_t off, unsigned size)
{
    uint64_t sp = (cpu->g->gpr[GPR_RSP] + off) & stack_mask(cpu);
    return emu_read(cpu, SEG_SS, sp, size);
}

static void stack_set(struct emu_cpu *cpu, uint64_t new_sp)
{
    uint64_t m = stack_mask(cpu);
    cpu->g->gpr[GPR_RSP] = (cpu->g->gpr[GPR_RSP] & ~m) | (new_sp & m);
}

static void set_zf(struct emu_cpu *cpu, bool zf)
{
    uint64_t f = emu_get_rflags(cpu);
    emu_set_rflags(cpu, zf ? (f | RF_ZF) : (f & ~(uint64_t)RF_ZF));
}

static bool real_or_v86(const struct emu_cpu *cpu)
{
    return cpu->mode == MODE_REAL || cpu->mode == MODE_V86;
}

/* ---- Descriptor tables --------------------------------------------- */

_Noreturn static void desc_exit(struct emu_cpu *cpu, const struct insn *in, uint32_t reason, unsigned identity)
{
    vmexit_begin(cpu, reason, in->has_mem ? (uint64_t)in->disp : 0);
    struct vmcs_exit *x = &cpu->vmcs->exit;
    x->instr_len = in->len;
    x->instr_info = vmexit_instr_info_mem(cpu, in) | ((uint32_t)identity << 28);
    longjmp(cpu->abort, ABORT_EXIT);
}

void sys_desc_table(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    unsigned reg = (in->modrm >> 3) & 7;   /* 0 SGDT, 1 SIDT, 2 LGDT, 3 LIDT */
    bool load = reg >= 2;
    if (load && cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
    if (!load && (g->cr4 & CR4_UMIP) && cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
    if (cpu->vmcs->ctl.cpu2 & CPU_BASED2_DESC_TABLE)
        desc_exit(cpu, in, VMX_REASON_GDTR_IDTR, reg);
    int seg = emu_ea_seg(in);
    uint64_t off = emu_ea(cpu, in);
    uint64_t amask = opmask(in->addrsize);
    unsigned bsize = cpu->mode == MODE_LONG ? 8 : 4;
    bool idt = reg & 1;
    if (load) {
        uint32_t limit = (uint32_t)emu_read(cpu, seg, off, 2);
        uint64_t base = emu_read(cpu, seg, (off + 2) & amask, bsize);
        if (bsize == 4 && in->opsize == 2)
            base &= 0xffffff;
        if (bsize == 8 && !emu_canonical(base))
            emu_raise(cpu, EXC_GP, true, 0);
        if (idt) {
            g->idtr_base = base;
            g->idtr_limit = limit;
        } else {
            g->gdtr_base = base;
            g->gdtr_limit = limit;
        }
    } else {
        uint8_t buf[10];
        uint16_t limit = (uint16_t)(idt ? g->idtr_limit : g->gdtr_limit);
        uint64_t base = idt ? g->idtr_base : g->gdtr_base;
        buf[0] = (uint8_t)limit;
        buf[1] = (uint8_t)(limit >> 8);
        for (unsigned i = 0; i < 8; i++)
            buf[2 + i] = (uint8_t)(base >> (8 * i));
        emu_write_bytes(cpu, seg, off, buf, 2 + bsize);
    }
}

static void load_ldt(struct emu_cpu *cpu, uint16_t sel)
{
    struct vmx_segment *ldt = &cpu->g->seg[SEG_LDTR];
    if (!(sel & 0xfffc)) {
        ldt->sel = sel;
        ldt->ar = AR_UNUSABLE;
        return;
    }
    if (sel & 4)
        emu_raise(cpu, EXC_GP, true, sel & 0xfffc);
    bool wide = cpu->g->efer & EFER_LMA;
    uint64_t desc[2];
    seg_read_descriptor(cpu, sel, desc, wide, EXC_GP, 0);
    unsigned type = (desc[0] >> 40) & 0x1f;
    if (type != 2)
        emu_raise(cpu, EXC_GP, true, sel & 0xfffc);
    if (!((desc[0] >> 47) & 1))
        emu_raise(cpu, EXC_NP, true, sel & 0xfffc);
    seg_from_descriptor(ldt, sel, desc, wide);
}

static void load_tr(struct emu_cpu *cpu, uint16_t sel)
{
    if (!(sel & 0xfffc))
        emu_raise(cpu, EXC_GP, true, 0);
    if (sel & 4)
        emu_raise(cpu, EXC_GP, true, sel & 0xfffc);
    bool wide = cpu->g->efer & EFER_LMA;
    uint64_t desc[2];
    seg_read_descriptor(cpu, sel, desc, wide, EXC_GP, 0);
    unsigned type = (desc[0] >> 40) & 0x1f;
    if (!(type == 9 || (type == 1 && !wide)))
        emu_raise(cpu, EXC_GP, true, sel & 0xfffc);
    if (!((desc[0] >> 47) & 1))
        emu_raise(cpu, EXC_NP, true, sel & 0xfffc);
    /* Mark the TSS busy in the GDT, as the processor does (locked). */
    uint64_t lin = (cpu->g->gdtr_base + (sel & ~7u) + 5) & mmu_lin_mask(cpu);
    uint8_t *p = mmu_host(cpu, lin, 1, ACC_RMW | ACC_SUPERVISOR);
    __atomic_fetch_or(p, 2, __ATOMIC_SEQ_CST);
    struct vmx_segment *tr = &cpu->g->seg[SEG_TR];
    seg_from_descriptor(tr, sel, desc, wide);
    tr->ar |= 2;
}

/* VERR/VERW/LAR/LSL: whether `sel` names a descriptor visible at this
 * privilege; no fault for a bad selector. */
static bool probe_descriptor(struct emu_cpu *cpu, uint16_t sel, uint64_t desc[2])
{
    const struct vmcs_guest *g = cpu->g;
    if (!(sel & 0xfffc))
        return false;
    uint32_t limit = (sel & 4) ? g->seg[SEG_LDTR].limit : g->gdtr_limit;
    if ((sel & 4) && (g->seg[SEG_LDTR].ar & AR_UNUSABLE))
        return false;
    if ((uint64_t)(sel & ~7u) + 7 > limit)
        return false;
    seg_read_descriptor(cpu, sel, desc, false, EXC_GP, 0);
    unsigned type = (desc[0] >> 40) & 0xf, dpl = (desc[0] >> 45) & 3;
    bool sbit = (desc[0] >> 44) & 1;
    bool conforming_code = sbit && (type & 8) && (type & 4);
    if (!conforming_code && (dpl < cpu->cpl || dpl < (sel & 3u)))
        return false;
    return true;
}

void sys_desc_0f00(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    unsigned reg = (in->modrm >> 3) & 7;
    if (real_or_v86(cpu) || reg > 5)
        EMU_UD(cpu);
    if (reg <= 3) {
        bool load = reg >= 2;
        if (load && cpu->cpl != 0)
            emu_raise(cpu, EXC_GP, true, 0);
        if (!load && (g->cr4 & CR4_UMIP) && cpu->cpl != 0)
            emu_raise(cpu, EXC_GP, true, 0);
        if (cpu->vmcs->ctl.cpu2 & CPU_BASED2_DESC_TABLE)
            desc_exit(cpu, in, VMX_REASON_LDTR_TR, reg);
    }
    switch (reg) {
    case 0:
    case 1: {
        uint16_t sel = g->seg[reg == 0 ? SEG_LDTR : SEG_TR].sel;
        if (in->has_mem)
            emu_write(cpu, emu_ea_seg(in), emu_ea(cpu, in), 2, sel);
        else
            emu_reg_write(cpu, in, in->rm, in->opsize, sel);
        return;
    }
    case 2: load_ldt(cpu, (uint16_t)emu_rm_read(cpu, in, 2)); return;
    case 3: load_tr(cpu, (uint16_t)emu_rm_read(cpu, in, 2)); return;
    default: {
        uint16_t sel = (uint16_t)emu_rm_read(cpu, in, 2);
        uint64_t desc[2];
        bool ok = probe_descriptor(cpu, sel, desc);
        if (ok) {
            unsigned type = (desc[0] >> 40) & 0xf;
            bool sbit = (desc[0] >> 44) & 1;
            if (!sbit)
                ok = false;
            else if (reg == 4)
                ok = !(type & 8) || (type & 2);
            else
                ok = !(type & 8) && (type & 2);
        }
        set_zf(cpu, ok);
        return;
    }
    }
}

void sys_lar_lsl(struct emu_cpu *cpu, const struct insn *in)
{
    if (real_or_v86(cpu))
        EMU_UD(cpu);
    bool lar = in->opcode == 0x0f02;
    uint16_t sel = (uint16_t)emu_rm_read(cpu, in, 2);
    uint64_t desc[2];
    bool ok = probe_descriptor(cpu, sel, desc);
    if (ok && !((desc[0] >> 44) & 1)) {
        unsigned type = (desc[0] >> 40) & 0xf;
        bool lma = cpu->g->efer & EFER_LMA;
        if (lar)
            ok = lma ? (type == 2 || type == 9 || type == 11 || type == 12)
                     : (type == 1 || type == 2 || type == 3 || type == 9 || type == 11 || type == 12);
        else
            ok = lma ? (type == 2 || type == 9 || type == 11)
                     : (type == 1 || type == 2 || type == 3 || type == 9 || type == 11);
    }
    set_zf(cpu, ok);
    if (!ok)
        return;
    uint64_t v;
    if (lar) {
        v = (desc[0] >> 32) & 0x00f0ff00ull;
    } else {
        struct vmx_segment s;
        seg_from_descriptor(&s, sel, desc, false);
        v = s.limit;
    }
    unsigned size = in->opsize == 2 ? 2 : 4;
    emu_reg_write(cpu, in, in->reg, size, v & opmask(size));
}

/* ---- Segment-register instructions --------------------------------- */

static int sreg_of_push_pop(uint32_t op)
{
    switch (op) {
    case 0x06: case 0x07: return SEG_ES;
    case 0x0e: return SEG_CS;
    case 0x16: case 0x17: return SEG_SS;
    case 0x1e: case 0x1f: return SEG_DS;
    case 0x0fa0: case 0x0fa1: return SEG_FS;
    default: return SEG_GS;
    }
}

static void load_far_pointer(struct emu_cpu *cpu, const struct insn *in, int seg)
{
    if (!in->has_mem)
        EMU_UD(cpu);
    int ms = emu_ea_seg(in);
    uint64_t off = emu_ea(cpu, in);
    unsigned size = in->opsize;
    uint64_t v = emu_read(cpu, ms, off, size);
    uint16_t sel = (uint16_t)emu_read(cpu, ms, (off + size) & opmask(in->addrsize), 2);
    seg_load(cpu, seg, sel);
    emu_reg_write(cpu, in, in->reg, size, v);
}

void sys_seg_insn(struct emu_cpu *cpu, const struct insn *in)
{
    uint32_t op = in->opcode;
    switch (op) {
    case 0x06: case 0x0e: case 0x16: case 0x1e: case 0x0fa0: case 0x0fa8:
        emu_push(cpu, cpu->g->seg[sreg_of_push_pop(op)].sel, in->opsize);
        return;
    case 0x07: case 0x17: case 0x1f: case 0x0fa1: case 0x0fa9: {
        /* The increment uses the address size of the stack the selector
         * was read from: POP SS into a segment of the other size must not
         * apply the new SS.B (SDM: POP, "the stack-address size ... of
         * the old stack"). */
        int seg = sreg_of_push_pop(op);
        uint64_t mask = stack_mask(cpu), rsp = cpu->g->gpr[GPR_RSP];
        uint16_t sel = (uint16_t)stack_peek(cpu, 0, in->opsize);
        seg_load(cpu, seg, sel);
        cpu->g->gpr[GPR_RSP] = (rsp & ~mask) | ((rsp + in->opsize) & mask);
        return;
    }
    case 0x8c: {
        unsigned sreg = (in->modrm >> 3) & 7;
        if (sreg > SEG_GS)
            EMU_UD(cpu);
        uint16_t sel = cpu->g->seg[sreg].sel;
        if (in->has_mem)
            emu_write(cpu, emu_ea_seg(in), emu_ea(cpu, in), 2, sel);
        else
            emu_reg_write(cpu, in, in->rm, in->opsize, sel);
        return;
    }
    case 0x8e: {
        unsigned sreg = (in->modrm >> 3) & 7;
        if (sreg > SEG_GS || sreg == SEG_CS)
            EMU_UD(cpu);
        seg_load(cpu, (int)sreg, (uint16_t)emu_rm_read(cpu, in, 2));
        return;
    }
    case 0xc4: load_far_pointer(cpu, in, SEG_ES); return;
    case 0xc5: load_far_pointer(cpu, in, SEG_DS); return;
    case 0x0fb2: load_far_pointer(cpu, in, SEG_SS); return;
    case 0x0fb4: load_far_pointer(cpu, in, SEG_FS); return;
    default: load_far_pointer(cpu, in, SEG_GS); return;
    }
}

/* ---- Far transfers ---------------------------------------------------- */

/* Load CS from a checked descriptor at privilege `cpl`. */
static void commit_cs(struct emu_cpu *cpu, uint16_t sel, const uint64_t desc[2], unsigned cpl)
{
    seg_set_accessed(cpu, sel, desc[0]);
    struct vmx_segment *cs = &cpu->g->seg[SEG_CS];
    seg_from_descriptor(cs, (uint16_t)((sel & 0xfffc) | cpl), desc, false);
    cs->ar |= 1;
}

static void check_target(struct emu_cpu *cpu, const uint64_t desc[2], uint64_t target)
{
    bool to64 = (cpu->g->efer & EFER_LMA) && ((desc[0] >> 53) & 1);
    if (to64) {
        if (!emu_canonical(target))
            emu_raise(cpu, EXC_GP, true, 0);
        return;
    }
    struct vmx_segment s;
    seg_from_descriptor(&s, 0, desc, false);
    if (target > s.limit)
        emu_raise(cpu, EXC_GP, true, 0);
}

/* SS for a return to an outer privilege level `cpl`. */
static void load_outer_ss(struct emu_cpu *cpu, uint16_t sel, unsigned cpl, struct vmx_segment *out)
{
    bool to64 = cpu->mode == MODE_LONG;
    if (!(sel & 0xfffc)) {
        if (!(to64 && cpl != 3))
            emu_raise(cpu, EXC_GP, true, 0);
        out->sel = sel;
        out->base = 0;
        out->limit = 0;
        out->ar = AR_UNUSABLE | AR_S | AR_P | AR_DB | 3 | (cpl << AR_DPL_SHIFT);
        return;
    }
    uint64_t desc[2];
    seg_read_descriptor(cpu, sel, desc, false, EXC_GP, 0);
    uint64_t d = desc[0];
    unsigned type = (d >> 40) & 0xf;
    if ((sel & 3) != cpl || ((d >> 45) & 3) != cpl || !((d >> 44) & 1) || (type & 8) || !(type & 2))
        emu_raise(cpu, EXC_GP, true, sel & 0xfffc);
    if (!((d >> 47) & 1))
        emu_raise(cpu, EXC_SS, true, sel & 0xfffc);
    seg_set_accessed(cpu, sel, d);
    seg_from_descriptor(out, sel, desc, false);
    out->ar |= 1;
}

/* After a return to an outer level, data segments the new level may not
 * use become null. */
static void drop_inner_segments(struct emu_cpu *cpu, unsigned cpl)
{
    static const int segs[] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
    for (unsigned i = 0; i < 4; i++) {
        struct vmx_segment *s = &cpu->g->seg[segs[i]];
        unsigned type = s->ar & 0xf, dpl = (s->ar >> AR_DPL_SHIFT) & 3;
        bool conforming_code = (type & 8) && (type & 4);
        if (!(s->ar & AR_UNUSABLE) && !conforming_code && dpl < cpl) {
            s->sel = 0;
            s->ar = AR_UNUSABLE;
        }
    }
}

/* Far JMP/CALL through a call gate: type 4 (16-bit) or 0xC (32-bit; 64-bit
 * in IA-32e mode, where the descriptor is 16 bytes).  A CALL to a more
 * privileged non-conforming segment switches to the TSS stack and copies
 * the gate's parameter count of stack items (legacy gates only). */
static void far_via_gate(struct emu_cpu *cpu, uint16_t gsel, bool call)
{
    struct vmcs_guest *g = cpu->g;
    bool ia32e = g->efer & EFER_LMA;
    uint64_t gate[2];
    uint32_t gerr = gsel & 0xfffc;
    seg_read_descriptor(cpu, gsel, gate, ia32e, EXC_GP, 0);
    unsigned gtype = (gate[0] >> 40) & 0x1f, gdpl = (gate[0] >> 45) & 3;
    /* Task gates and TSSs (task switches) are not supported: #GP. */
    if (!(gtype == 0x0c || (!ia32e && gtype == 0x04)))
        emu_raise(cpu, EXC_GP, true, gerr);
    if (ia32e && ((gate[1] >> 40) & 0x1f) != 0)
        emu_raise(cpu, EXC_GP, true, gerr);
    if (gdpl < cpu->cpl || gdpl < (gsel & 3u))
        emu_raise(cpu, EXC_GP, true, gerr);
    if (!((gate[0] >> 47) & 1))
        emu_raise(cpu, EXC_NP, true, gerr);

    uint16_t csel = (uint16_t)(gate[0] >> 16);
    bool gate16 = gtype == 0x04;
    uint64_t target = (gate[0] & 0xffff) | (gate16 ? 0 : ((gate[0] >> 32) & 0xffff0000ull));
    if (ia32e)
        target |= (gate[1] & 0xffffffffull) << 32;
    unsigned params = ia32e ? 0 : (unsigned)((gate[0] >> 32) & 0x1f);
    unsigned width = ia32e ? 8 : gate16 ? 2 : 4;

    if (!(csel & 0xfffc))
        emu_raise(cpu, EXC_GP, true, 0);
    uint64_t cdesc[2];
    seg_read_descriptor(cpu, csel, cdesc, false, EXC_GP, 0);
    uint64_t d = cdesc[0];
    unsigned ctype = (d >> 40) & 0xf, cdpl = (d >> 45) & 3;
    uint32_t cerr = csel & 0xfffc;
    bool conforming = ctype & 4;
    if (!((d >> 44) & 1) || !(ctype & 8) || cdpl > cpu->cpl)
        emu_raise(cpu, EXC_GP, true, cerr);
    if (!call && !conforming && cdpl != cpu->cpl)
        emu_raise(cpu, EXC_GP, true, cerr);
    if (!((d >> 47) & 1))
        emu_raise(cpu, EXC_NP, true, cerr);
    if (ia32e && (!((d >> 53) & 1) || ((d >> 54) & 1)))
        emu_raise(cpu, EXC_GP, true, cerr);
    unsigned new_cpl = (call && !conforming && cdpl < cpu->cpl) ? cdpl : cpu->cpl;
    check_target(cpu, cdesc, target);
    seg_set_accessed(cpu, csel, d);

    if (!call) {
        commit_cs(cpu, csel, cdesc, new_cpl);
        cpu->next_rip = target;
        emu_update_mode(cpu);
        return;
    }
    uint64_t items[EXCEPT_FRAME_MAX];
    unsigned n = 0;
    uint64_t old_sp = g->gpr[GPR_RSP];
    struct vmx_segment new_ss = g->seg[SEG_SS];
    uint64_t new_sp = old_sp, sp_mask = stack_mask(cpu);
    if (new_cpl != cpu->cpl) {
        if (ia32e) {
            new_sp = except_inner_rsp64(cpu, new_cpl, 0);
            new_ss.sel = (uint16_t)new_cpl;
            new_ss.base = 0;
            new_ss.limit = 0;
            new_ss.ar = AR_UNUSABLE | AR_S | AR_P | AR_DB | 3 | (new_cpl << AR_DPL_SHIFT);
            sp_mask = ~0ull;
        } else {
            except_inner_stack32(cpu, new_cpl, 0, &new_ss, &new_sp);
            sp_mask = (new_ss.ar & AR_DB) ? 0xffffffffull : 0xffffull;
        }
        items[n++] = g->seg[SEG_SS].sel;
        items[n++] = old_sp;
        /* The parameters keep their order: the deepest one goes first. */
        for (unsigned i = params; i-- > 0;)
            items[n++] = stack_peek(cpu, (uint64_t)i * width, width);
    }
    items[n++] = g->seg[SEG_CS].sel;
    items[n++] = cpu->next_rip;
    except_push_frame(cpu, new_ss.base, new_sp, sp_mask, items, n, width, new_cpl < 3);

    commit_cs(cpu, csel, cdesc, new_cpl);
    g->seg[SEG_SS] = new_ss;
    uint64_t sp_after = new_sp - (uint64_t)n * width;
    if (sp_mask == ~0ull || new_cpl != cpu->cpl)
        g->gpr[GPR_RSP] = sp_after & sp_mask;
    else
        g->gpr[GPR_RSP] = (old_sp & ~sp_mask) | (sp_after & sp_mask);
    cpu->next_rip = gate16 ? (target & 0xffff) : target;
    emu_update_mode(cpu);
}

static void far_jump_or_call(struct emu_cpu *cpu, const struct insn *in, uint16_t sel, uint64_t off, bool call)
{
    struct vmcs_guest *g = cpu->g;
    unsigned size = in->opsize;
    uint64_t target = off & opmask(size);
    if (real_or_v86(cpu)) {
        if (target > g->seg[SEG_CS].limit)
            emu_raise(cpu, EXC_GP, true, 0);
        if (call) {
            uint64_t sp = g->gpr[GPR_RSP];
            uint64_t m = stack_mask(cpu);
            emu_write(cpu, SEG_SS, (sp - size) & m, size, g->seg[SEG_CS].sel);
            emu_write(cpu, SEG_SS, (sp - 2 * size) & m, size, cpu->next_rip);
            stack_set(cpu, sp - 2 * size);
        }
        seg_set_real(cpu, SEG_CS, sel);
        cpu->next_rip = target;
        return;
    }
    uint64_t desc[2];
    unsigned new_cpl;
    if (sel & 0xfffc) {
        seg_read_descriptor(cpu, sel, desc, false, EXC_GP, 0);
        if (!((desc[0] >> 44) & 1)) {
            far_via_gate(cpu, sel, call);
            return;
        }
    }
    seg_check_code(cpu, sel, desc, false, &new_cpl);
    check_target(cpu, desc, target);
    /* Every access that can fault comes before the first register change. */
    seg_set_accessed(cpu, sel, desc[0]);
    if (call) {
        uint64_t sp = g->gpr[GPR_RSP];
        uint64_t m = stack_mask(cpu);
        emu_write(cpu, SEG_SS, (sp - size) & m, size, g->seg[SEG_CS].sel);
        emu_write(cpu, SEG_SS, (sp - 2 * size) & m, size, cpu->next_rip);
        stack_set(cpu, sp - 2 * size);
    }
    commit_cs(cpu, sel, desc, new_cpl);
    cpu->next_rip = target;
    emu_update_mode(cpu);
}

static void far_return(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    unsigned size = in->opsize;
    uint64_t imm = in->opcode == 0xca ? (in->imm & 0xffff) : 0;
    uint64_t target = stack_peek(cpu, 0, size);
    uint16_t sel = (uint16_t)stack_peek(cpu, size, size);
    uint64_t sp = g->gpr[GPR_RSP];
    if (real_or_v86(cpu)) {
        if (target > g->seg[SEG_CS].limit)
            emu_raise(cpu, EXC_GP, true, 0);
        seg_set_real(cpu, SEG_CS, sel);
        stack_set(cpu, sp + 2 * size + imm);
        cpu->next_rip = target;
        return;
    }
    uint64_t desc[2];
    unsigned new_cpl;
    seg_check_code(cpu, sel, desc, true, &new_cpl);
    check_target(cpu, desc, target);
    if (new_cpl == cpu->cpl) {
        commit_cs(cpu, sel, desc, new_cpl);
        stack_set(cpu, sp + 2 * size + imm);
    } else {
        uint64_t new_sp = stack_peek(cpu, 2 * size + imm, size);
        uint16_t ss_sel = (uint16_t)stack_peek(cpu, 3 * size + imm, size);
        struct vmx_segment ss;
        load_outer_ss(cpu, ss_sel, new_cpl, &ss);
        commit_cs(cpu, sel, desc, new_cpl);
        g->seg[SEG_SS] = ss;
        emu_update_mode(cpu);
        uint64_t m = stack_mask(cpu);
        g->gpr[GPR_RSP] = (new_sp + imm) & (m == ~0ull ? ~0ull : m);
        drop_inner_segments(cpu, new_cpl);
    }
    cpu->next_rip = target;
    emu_update_mode(cpu);
}

void sys_far(struct emu_cpu *cpu, const struct insn *in)
{
    switch (in->opcode) {
    case 0xea:
    case 0x9a:
        far_jump_or_call(cpu, in, (uint16_t)in->imm2, in->imm, in->opcode == 0x9a);
        return;
    case 0xca:
    case 0xcb:
        far_return(cpu, in);
        return;
    default: {
        /* FF /3 (CALL m16:xx), FF /5 (JMP m16:xx) */
        if (!in->has_mem)
            EMU_UD(cpu);
        int seg = emu_ea_seg(in);
        uint64_t off = emu_ea(cpu, in);
        uint64_t target = emu_read(cpu, seg, off, in->opsize);
        uint16_t sel = (uint16_t)emu_read(cpu, seg, (off + in->opsize) & opmask(in->addrsize), 2);
        far_jump_or_call(cpu, in, sel, target, ((in->modrm >> 3) & 7) == 3);
        return;
    }
    }
}

/* ---- IRET ----------------------------------------------------------- */

void sys_iret(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    unsigned size = in->opsize;
    uint64_t old = emu_get_rflags(cpu);
    uint64_t target = stack_peek(cpu, 0, size);
    uint16_t sel = (uint16_t)stack_peek(cpu, size, size);
    uint64_t flags = stack_peek(cpu, 2 * size, size);
    uint64_t sp = g->gpr[GPR_RSP];

    /* IRET ends NMI blocking, whatever it returns to. */
    if (cpu->mode == MODE_V86) {
        v86_iret(cpu, in);
        return;
    }
    if (real_or_v86(cpu)) {
        if (target > g->seg[SEG_CS].limit)
            emu_raise(cpu, EXC_GP, true, 0);
        uint64_t keep = size == 2 ? ~0xffffull : (RF_VM | RF_VIF | RF_VIP);
        uint64_t nf = (old & keep) | (flags & ~keep);
        seg_set_real(cpu, SEG_CS, sel);
        stack_set(cpu, sp + 3 * size);
        emu_set_rflags(cpu, (nf & 0x3f7fd7ull) | RF_FIXED1);
        cpu->next_rip = target;
        g->interruptibility &= ~(uint32_t)GUEST_INTRBILITY_NMI_BLOCKING;
        return;
    }
    if (old & RF_NT)
        emu_raise(cpu, EXC_GP, true, 0);      /* task return: not supported */
    if (size != 8)
        flags &= opmask(size);
    if ((flags & RF_VM) && size == 4 && cpu->cpl == 0 && cpu->mode == MODE_PROT) {
        v86_iret_enter(cpu, target, sel, flags);
        return;
    }

    uint64_t desc[2];
    unsigned new_cpl;
    seg_check_code(cpu, sel, desc, true, &new_cpl);
    check_target(cpu, desc, target & opmask(size));
    bool outer = new_cpl != cpu->cpl || cpu->mode == MODE_LONG;
    struct vmx_segment ss = g->seg[SEG_SS];
    uint64_t new_sp = 0;
    if (outer) {
        new_sp = stack_peek(cpu, 3 * size, size);
        uint16_t ss_sel = (uint16_t)stack_peek(cpu, 4 * size, size);
        if (new_cpl == cpu->cpl && cpu->mode == MODE_LONG && !(ss_sel & 0xfffc) && new_cpl != 3) {
            ss.sel = ss_sel;
            ss.ar = AR_UNUSABLE | AR_S | AR_P | AR_DB | 3 | (new_cpl << AR_DPL_SHIFT);
        } else {
            load_outer_ss(cpu, ss_sel, new_cpl, &ss);
        }
    }

    /* Which flags IRET may change depends on the old CPL and IOPL. */
    uint64_t changeable = RF_CF | RF_PF | RF_AF | RF_ZF | RF_SF | RF_TF | RF_DF | RF_OF | RF_NT |
                          RF_RF | RF_AC | RF_ID;
    if (cpu->cpl <= RF_IOPL_OF(old))
        changeable |= RF_IF;
    if (cpu->cpl == 0)
        changeable |= RF_IOPL | RF_VIF | RF_VIP;
    if (size == 2)
        changeable &= 0xffff;
    uint64_t nf = (old & ~changeable) | (flags & changeable) | RF_FIXED1;

    unsigned old_cpl = cpu->cpl;
    commit_cs(cpu, sel, desc, new_cpl);
    if (outer) {
        g->seg[SEG_SS] = ss;
        emu_update_mode(cpu);
        g->gpr[GPR_RSP] = cpu->mode == MODE_LONG ? new_sp
                          : (ss.ar & AR_DB) ? (new_sp & 0xffffffff)
                                            : ((g->gpr[GPR_RSP] & ~0xffffull) | (new_sp & 0xffff));
        if (new_cpl > old_cpl)
            drop_inner_segments(cpu, new_cpl);
    } else {
        stack_set(cpu, sp + 3 * size);
    }
    emu_set_rflags(cpu, nf);
    cpu->next_rip = target & opmask(size);
    g->interruptibility &= ~(uint32_t)GUEST_INTRBILITY_NMI_BLOCKING;
    emu_update_mode(cpu);
}
