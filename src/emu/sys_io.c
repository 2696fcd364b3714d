/*
 * IN, OUT, INS, OUTS: the I/O-permission check the processor makes before
 * VMX looks at the instruction, port-IO notifiers for OUT, then the
 * (unconditional) I/O exit.
 */
#include "../core/pio.h"
#include "machine_internal.h"

/* CPL > IOPL (or virtual-8086 mode): the TSS I/O bitmap decides. */
static void io_permission(struct emu_cpu *cpu, uint16_t port, unsigned size)
{
    if (cpu->mode == MODE_REAL)
        return;
    if (cpu->mode != MODE_V86 && cpu->cpl <= RF_IOPL_OF(cpu->g->rflags))
        return;
    const struct vmx_segment *tr = &cpu->g->seg[SEG_TR];
    unsigned type = tr->ar & 0xf;
    if ((tr->ar & AR_UNUSABLE) || (type != 9 && type != 11) || tr->limit < 103)
        emu_raise(cpu, EXC_GP, true, 0);
    uint64_t mask = mmu_lin_mask(cpu);
    uint32_t iobase = (uint32_t)mmu_lin_read_u(cpu, (tr->base + 102) & mask, 2, ACC_READ | ACC_SUPERVISOR);
    uint32_t off = iobase + port / 8u;
    if ((uint64_t)off + 1 > tr->limit)
        emu_raise(cpu, EXC_GP, true, 0);
    uint32_t bits = (uint32_t)mmu_lin_read_u(cpu, (tr->base + off) & mask, 2, ACC_READ | ACC_SUPERVISOR);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        emu_raise(cpu, EXC_GP, true, 0);
}

static uint64_t addr_mask(unsigned addrsize)
{
    return addrsize == 8 ? ~0ull : addrsize == 4 ? 0xffffffffull : 0xffffull;
}

void sys_io(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    uint32_t op = in->opcode;
    bool string = op >= 0x6c && op <= 0x6f;
    bool is_in = op == 0x6c || op == 0x6d || op == 0xe4 || op == 0xe5 || op == 0xec || op == 0xed;
    bool imm = op >= 0xe4 && op <= 0xe7;
    unsigned size = in->opsize == 1 ? 1 : in->opsize == 2 ? 2 : 4;
    uint16_t port = imm ? (uint16_t)(in->imm & 0xff) : (uint16_t)g->gpr[GPR_RDX];
    bool rep = string && in->rep != REP_NONE;

    io_permission(cpu, port, size);

    if (!is_in && !string) {
        uint32_t value = (uint32_t)(g->gpr[GPR_RAX] & (size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1));
        if (pio_notify(cpu->vm, port, size, value))
            return;
    }

    uint64_t qual = (uint64_t)(size - 1) | ((uint64_t)is_in << 3) | ((uint64_t)string << 4) |
                    ((uint64_t)rep << 5) | ((uint64_t)imm << 6) | ((uint64_t)port << 16);
    vmexit_begin(cpu, VMX_REASON_IO, qual);
    struct vmcs_exit *x = &cpu->vmcs->exit;
    x->instr_len = in->len;
    x->io_rcx = g->gpr[GPR_RCX];
    x->io_rsi = g->gpr[GPR_RSI];
    x->io_rdi = g->gpr[GPR_RDI];
    x->io_rip = g->rip;
    if (string) {
        int seg = is_in ? SEG_ES : (in->seg_override >= 0 ? in->seg_override : SEG_DS);
        uint64_t off = (is_in ? g->gpr[GPR_RDI] : g->gpr[GPR_RSI]) & addr_mask(in->addrsize);
        uint64_t base = (cpu->mode == MODE_LONG && seg != SEG_FS && seg != SEG_GS) ? 0 : g->seg[seg].base;
        x->guest_linear = (base + off) & mmu_lin_mask(cpu);
        unsigned asz = in->addrsize == 2 ? 0 : in->addrsize == 4 ? 1 : 2;
        x->instr_info = (asz << 7) | ((uint32_t)seg << 15);
    }
    longjmp(cpu->abort, ABORT_EXIT);
}
