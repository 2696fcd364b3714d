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

struct io_access emu_io_access(const struct insn *in, const struct vmcs_guest *g)
{
    uint32_t op = in->opcode;
    struct io_access io = {
        .string = op >= 0x6c && op <= 0x6f,
        .in = op == 0x6c || op == 0x6d || op == 0xe4 || op == 0xe5 || op == 0xec || op == 0xed,
        .imm = op >= 0xe4 && op <= 0xe7,
        .size = in->opsize == 1 ? 1 : in->opsize == 2 ? 2 : 4,
    };
    io.port = io.imm ? (uint16_t)(in->imm & 0xff) : (uint16_t)g->gpr[GPR_RDX];
    io.rep = io.string && in->rep != REP_NONE;
    return io;
}

uint64_t emu_io_exit_info(const struct io_access *io, const struct insn *in, const struct vmcs_guest *g,
                          struct vmcs_exit *x)
{
    x->io_rcx = g->gpr[GPR_RCX];
    x->io_rsi = g->gpr[GPR_RSI];
    x->io_rdi = g->gpr[GPR_RDI];
    x->io_rip = g->rip;
    if (io->string) {
        int seg = io->in ? SEG_ES : (in->seg_override >= 0 ? in->seg_override : SEG_DS);
        uint64_t off = (io->in ? g->gpr[GPR_RDI] : g->gpr[GPR_RSI]) & addr_mask(in->addrsize);
        bool lma = g->efer & EFER_LMA;
        bool flat = lma && (g->seg[SEG_CS].ar & AR_L) && seg != SEG_FS && seg != SEG_GS;
        uint64_t linear = (flat ? 0 : g->seg[seg].base) + off;
        x->guest_linear = lma ? linear : linear & 0xffffffffull;
        unsigned asz = in->addrsize == 2 ? 0 : in->addrsize == 4 ? 1 : 2;
        x->instr_info = (asz << 7) | ((uint32_t)seg << 15);
    }
    return (uint64_t)(io->size - 1) | ((uint64_t)io->in << 3) | ((uint64_t)io->string << 4) |
           ((uint64_t)io->rep << 5) | ((uint64_t)io->imm << 6) | ((uint64_t)io->port << 16);
}

void sys_io(struct emu_cpu *cpu, const struct insn *in)
{
    struct vmcs_guest *g = cpu->g;
    struct io_access io = emu_io_access(in, g);

    io_permission(cpu, io.port, io.size);

    if (!io.in && !io.string) {
        uint32_t value = (uint32_t)(g->gpr[GPR_RAX] & (io.size == 4 ? 0xffffffffu : (1u << (io.size * 8)) - 1));
        if (pio_notify(cpu->vm, io.port, io.size, value))
            return;
    }

    vmexit_begin(cpu, VMX_REASON_IO, 0);
    struct vmcs_exit *x = &cpu->vmcs->exit;
    x->instr_len = in->len;
    x->qualification = emu_io_exit_info(&io, in, g, x);
    longjmp(cpu->abort, ABORT_EXIT);
}
