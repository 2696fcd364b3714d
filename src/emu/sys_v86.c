/*
 * Virtual-8086 mode: the way in (IRETD at CPL 0 to a frame with
 * EFLAGS.VM = 1), the way out (an interrupt or exception through a gate to
 * a CPL-0 code segment, which also saves and nulls the data segments), the
 * IOPL-sensitive instructions that are not plain engine handlers (INT n with
 * CR4.VME redirection through the TSS, IRET, CLI/STI and their virtual-
 * interrupt forms under CR4.VME and CR4.PVI), and the VM-entry checks of a
 * virtual-8086 guest.
 *
 * Segment registers in virtual-8086 mode are what VMX requires of such a
 * guest at entry and stores at exit: base = selector * 16, limit 0xffff,
 * access rights 0xf3 for all six (seg_set_real), and CPL 3.
 */
#include "machine_internal.h"

static const int v86_data_segs[4] = { SEG_GS, SEG_FS, SEG_DS, SEG_ES };

static uint64_t sp_peek(struct emu_cpu *cpu, uint64_t off, unsigned size)
{
    uint64_t mask = cpu->stack_addrsize == 2 ? 0xffffull : 0xffffffffull;
    return emu_read(cpu, SEG_SS, (cpu->g->gpr[GPR_RSP] + off) & mask, size);
}

/* ---- Entering virtual-8086 mode ----------------------------------- */

void v86_iret_enter(struct emu_cpu *cpu, uint64_t eip, uint16_t cs, uint64_t eflags)
{
    struct vmcs_guest *g = cpu->g;
    /* The frame beyond EIP, CS and EFLAGS: ESP, SS, ES, DS, FS, GS, each a
     * doubleword (selectors in the low word). */
    uint32_t esp = (uint32_t)sp_peek(cpu, 12, 4);
    uint16_t sel[5];
    for (unsigned i = 0; i < 5; i++)
        sel[i] = (uint16_t)sp_peek(cpu, 16 + 4 * i, 2);
    /* The new CS limit is 0xffff. */
    if (eip > 0xffff)
        emu_raise(cpu, EXC_GP, true, 0);

    emu_set_rflags(cpu, (eflags & 0x3f7fd7ull) | RF_FIXED1 | RF_VM);
    emu_update_mode(cpu);
    seg_set_real(cpu, SEG_CS, cs);
    seg_set_real(cpu, SEG_SS, sel[0]);
    seg_set_real(cpu, SEG_ES, sel[1]);
    seg_set_real(cpu, SEG_DS, sel[2]);
    seg_set_real(cpu, SEG_FS, sel[3]);
    seg_set_real(cpu, SEG_GS, sel[4]);
    g->gpr[GPR_RSP] = esp;
    cpu->next_rip = eip;
    g->interruptibility &= ~(uint32_t)GUEST_INTRBILITY_NMI_BLOCKING;
    emu_update_mode(cpu);
}

/* ---- Leaving it: event delivery ------------------------------------ */

bool v86_gate_target_ok(uint64_t code_desc)
{
    unsigned type = (code_desc >> 40) & 0xf, dpl = (code_desc >> 45) & 3;
    return !(type & 4) && dpl == 0;
}

unsigned v86_frame_prefix(const struct emu_cpu *cpu, uint64_t *items)
{
    for (unsigned i = 0; i < 4; i++)
        items[i] = cpu->g->seg[v86_data_segs[i]].sel;
    return 4;
}

void v86_null_data_segments(struct emu_cpu *cpu)
{
    for (unsigned i = 0; i < 4; i++) {
        struct vmx_segment *s = &cpu->g->seg[v86_data_segs[i]];
        s->sel = 0;
        s->base = 0;
        s->limit = 0;
        s->ar = AR_UNUSABLE;
    }
}

/* ---- INT n ------------------------------------------------------------ */

/* Bit `vector` of the TSS's interrupt-redirection bitmap (the 32 bytes
 * below the I/O-map base): set means "through the IDT". */
static bool redirection_bit(struct emu_cpu *cpu, unsigned vector)
{
    const struct vmx_segment *tr = &cpu->g->seg[SEG_TR];
    unsigned type = tr->ar & 0xf;
    if ((tr->ar & AR_UNUSABLE) || (type != 9 && type != 11) || tr->limit < 103)
        emu_raise(cpu, EXC_GP, true, 0);
    uint64_t mask = mmu_lin_mask(cpu);
    uint32_t iobase = (uint32_t)mmu_lin_read_u(cpu, (tr->base + 102) & mask, 2, ACC_READ | ACC_SUPERVISOR);
    uint32_t off = iobase - 32 + vector / 8;
    if (iobase < 32 || off > tr->limit)
        emu_raise(cpu, EXC_GP, true, 0);
    uint8_t byte = (uint8_t)mmu_lin_read_u(cpu, (tr->base + off) & mask, 1, ACC_READ | ACC_SUPERVISOR);
    return (byte >> (vector & 7)) & 1;
}

/* The 8086 program's own handler from the IVT at linear 0, as real mode
 * delivers it; with IOPL < 3 the pushed image carries VIF as IF and IOPL
 * 3, and VIF is what gets cleared. */
static void redirect_to_ivt(struct emu_cpu *cpu, unsigned vector, unsigned iopl)
{
    struct vmcs_guest *g = cpu->g;
    uint32_t vec = (uint32_t)mmu_lin_read_u(cpu, vector * 4u, 4, ACC_READ | ACC_SUPERVISOR);
    uint64_t f = emu_get_rflags(cpu);
    uint16_t image = (uint16_t)f;
    if (iopl < 3) {
        image |= RF_IOPL;
        image = (f & RF_VIF) ? (image | RF_IF) : (image & ~RF_IF);
    }
    uint64_t sp = g->gpr[GPR_RSP];
    emu_write(cpu, SEG_SS, (sp - 2) & 0xffff, 2, image);
    emu_write(cpu, SEG_SS, (sp - 4) & 0xffff, 2, g->seg[SEG_CS].sel);
    emu_write(cpu, SEG_SS, (sp - 6) & 0xffff, 2, cpu->next_rip & 0xffff);
    g->gpr[GPR_RSP] = (sp & ~0xffffull) | ((sp - 6) & 0xffff);
    f &= ~(uint64_t)(RF_TF | RF_RF | (iopl == 3 ? RF_IF : RF_VIF));
    emu_set_rflags(cpu, f);
    seg_set_real(cpu, SEG_CS, (uint16_t)(vec >> 16));
    cpu->next_rip = vec & 0xffff;
}

bool v86_int_n(struct emu_cpu *cpu, unsigned vector)
{
    unsigned iopl = RF_IOPL_OF(cpu->g->rflags);
    if ((cpu->g->cr4 & CR4_VME) && !redirection_bit(cpu, vector)) {
        redirect_to_ivt(cpu, vector, iopl);
        return true;
    }
    if (iopl < 3)
        emu_raise(cpu, EXC_GP, true, 0);
    return false;
}

/* ---- CLI/STI, IRET ---------------------------------------------------- */

static bool virtual_if(const struct emu_cpu *cpu)
{
    uint64_t cr4 = cpu->g->cr4;
    if (cpu->mode == MODE_V86)
        return cr4 & CR4_VME;
    return cpu->mode != MODE_REAL && cpu->cpl == 3 && (cr4 & CR4_PVI);
}

void v86_cli_sti(struct emu_cpu *cpu, bool sti)
{
    uint64_t f = emu_get_rflags(cpu);
    if (!virtual_if(cpu))
        emu_raise(cpu, EXC_GP, true, 0);
    if (sti && (f & RF_VIP))
        emu_raise(cpu, EXC_GP, true, 0);
    emu_set_rflags(cpu, sti ? (f | RF_VIF) : (f & ~(uint64_t)RF_VIF));
}

void v86_iret(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    unsigned size = in->opsize;
    uint64_t old = emu_get_rflags(cpu);
    bool iopl3 = RF_IOPL_OF(old) == 3;
    /* IOPL < 3: only the 16-bit form, and only with VME, stays in the task. */
    if (!iopl3 && (size != 2 || !(g->cr4 & CR4_VME)))
        emu_raise(cpu, EXC_GP, true, 0);
    uint64_t target = sp_peek(cpu, 0, size);
    uint16_t sel = (uint16_t)sp_peek(cpu, size, 2);
    uint64_t flags = sp_peek(cpu, 2 * size, size);
    if (target > g->seg[SEG_CS].limit)
        emu_raise(cpu, EXC_GP, true, 0);
    uint64_t change;
    if (iopl3) {
        change = 0x3f7fd7ull & ~(uint64_t)(RF_IOPL | RF_VM | RF_VIF | RF_VIP);
        if (size == 2)
            change &= 0xffff;
    } else {
        if ((flags & RF_TF) || ((flags & RF_IF) && (old & RF_VIP)))
            emu_raise(cpu, EXC_GP, true, 0);
        change = (0xffff & ~(uint64_t)(RF_IF | RF_IOPL)) | RF_VIF;
        flags = (flags & RF_IF) ? (flags | RF_VIF) : (flags & ~(uint64_t)RF_VIF);
    }
    seg_set_real(cpu, SEG_CS, sel);
    g->gpr[GPR_RSP] = (g->gpr[GPR_RSP] & ~0xffffull) | ((g->gpr[GPR_RSP] + 3 * size) & 0xffff);
    emu_set_rflags(cpu, (old & ~change) | (flags & change) | RF_FIXED1);
    cpu->next_rip = target;
    g->interruptibility &= ~(uint32_t)GUEST_INTRBILITY_NMI_BLOCKING;
}

/* ---- VM entry ---------------------------------------------------------- */

bool v86_entry_ok(const struct vmcs_guest *g, bool ia32e)
{
    static const int segs[] = { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };
    if (ia32e || !(g->cr0 & CR0_PE))
        return false;
    for (unsigned i = 0; i < 6; i++) {
        const struct vmx_segment *s = &g->seg[segs[i]];
        if (s->base != (uint64_t)s->sel << 4 || s->limit != 0xffff || s->ar != 0xf3)
            return false;
    }
    return true;
}
