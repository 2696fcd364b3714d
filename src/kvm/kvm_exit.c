/*
 * KVM exits -> VMX exits.
 *
 * The framework contract: at an instruction exit RIP is on the instruction
 * and none of it has executed.  KVM instead half-executes userspace
 * accesses: a read (IN, MMIO read, RDMSR, WRMSR) stays pending with RIP on
 * the instruction and completes at the next KVM_RUN; a write (MMIO write,
 * and on some hosts OUT) is already retired, RIP after it, and a REP string
 * instruction has done `count` elements with RIP still on it.  Where RIP
 * stands on this host comes from kvm_probe.c.
 *
 * Recipe: put back the state before the instruction (a retired write is
 * found by decoding backwards from RIP and checking the candidate against
 * the exit's port or guest-physical address); finish whatever is pending
 * with immediate_exit so that KVM forgets it -- or, for IN, RDMSR and
 * WRMSR, let the next KVM_RUN finish it with the client's answer
 * (kvm_settle_pending).  I/O, MSR and HLT exits are then built here from
 * the decoded instruction; for an MMIO access that is an EPT violation the
 * emulator executes that one instruction on the vmcs, which makes the exit
 * exactly as VMX does (qualification, guest-linear address, length).
 */
#include <string.h>
#include <sys/ioctl.h>

#include "../core/pio.h"
#include "../emu/emu.h"
#include "kvm_internal.h"

#define MAX_INSN 15u

void kvm_set_exit(struct hv_vcpu *v, uint32_t reason, uint64_t qual, uint32_t instr_len)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct vmcs_exit *x = &v->vmcs.exit;
    x->reason = reason;
    x->qualification = qual;
    x->intr_info = 0;
    x->intr_error = 0;
    x->idt_info = kv->requeued_info;
    x->idt_error = kv->requeued_error;
    x->instr_len = instr_len;
    x->instr_info = 0;
}

/* ---- finding the instruction ---------------------------------------- */

static void decode_cpu(struct hv_vcpu *v, struct emu_cpu *cpu)
{
    memset(cpu, 0, sizeof *cpu);
    cpu->vcpu = v;
    cpu->vm = v->vm;
    cpu->vmcs = &v->vmcs;
    cpu->g = &v->vmcs.guest;
    emu_update_mode(cpu);
}

/* Exits stop at the same few instructions over and over: decoded once. */
static bool decode_insn(struct hv_vcpu *v, const struct emu_cpu *cpu, const uint8_t *bytes, unsigned avail,
                        struct insn *in)
{
    return emu_decode_memo(&kvm_vcpu_of(v)->decoded, cpu, bytes, avail, in);
}

static uint64_t addr_mask(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static uint64_t code_linear(const struct emu_cpu *cpu, uint64_t rip)
{
    if (cpu->mode == MODE_LONG)
        return rip;
    return (cpu->g->seg[SEG_CS].base + rip) & 0xffffffffull;
}

/* The linear address of offset `ea` in segment `seg`: in 64-bit mode only
 * FS and GS have a base, and other modes wrap at 4 GiB. */
static uint64_t data_linear(const struct emu_cpu *cpu, int seg, uint64_t ea)
{
    if (cpu->mode != MODE_LONG)
        return (cpu->g->seg[seg].base + ea) & 0xffffffffull;
    return seg == SEG_FS || seg == SEG_GS ? cpu->g->seg[seg].base + ea : ea;
}

static bool is_string_op(uint32_t op, uint32_t a, uint32_t b)
{
    return op == a || op == b;
}

static bool is_push(uint32_t op)
{
    return (op >= 0x50 && op <= 0x57) || op == 0x68 || op == 0x6a || op == 0x9c;
}

/* What the exit tells about the access, to check a candidate against. */
struct access {
    bool io;
    uint16_t port;
    uint8_t size;
    uint32_t count;
    uint64_t gpa;       /* MMIO */
};

/* Registers a string instruction advanced by `elements` elements, undone. */
static void unwind_string(struct emu_cpu *cpu, const struct insn *in, uint64_t elements, bool src, bool dst)
{
    struct vmcs_guest *g = cpu->g;
    uint64_t mask = addr_mask(in->addrsize);
    uint64_t step = elements * in->opsize;
    if (g->rflags & K_RFLAGS_DF)
        step = (uint64_t)0 - step;
    if (src)
        g->gpr[GPR_RSI] = (g->gpr[GPR_RSI] & ~mask) | ((g->gpr[GPR_RSI] - step) & mask);
    if (dst)
        g->gpr[GPR_RDI] = (g->gpr[GPR_RDI] & ~mask) | ((g->gpr[GPR_RDI] - step) & mask);
    if (in->rep != REP_NONE)
        g->gpr[GPR_RCX] = (g->gpr[GPR_RCX] & ~mask) | ((g->gpr[GPR_RCX] + elements) & mask);
}

static bool linear_is_gpa(struct hv_vcpu *v, uint64_t linear, uint64_t gpa)
{
    uint64_t got;
    return kvm_translate(v, linear, &got) && got == gpa;
}

/* Does `in`, starting at `start`, explain the exit?  The registers are
 * those after it (retired) or, for REP, after `count` elements. */
static bool explains(struct hv_vcpu *v, struct emu_cpu *cpu, const struct insn *in, uint64_t start,
                     const struct access *a)
{
    uint32_t op = in->opcode;
    if (a->io) {
        if (in->opsize != a->size)
            return false;
        if (op == 0xe6 || op == 0xe7)
            return (in->imm & 0xff) == a->port;
        /* OUT DX and OUTS leave DX as it was: it names the port.  (EE is
         * also the port byte of OUT imm8 0xee.) */
        return (op == 0xee || op == 0xef || is_string_op(op, 0x6e, 0x6f)) &&
               (uint16_t)cpu->g->gpr[GPR_RDX] == a->port;
    }
    uint64_t ea;
    int seg;
    if (is_string_op(op, 0xaa, 0xab) || is_string_op(op, 0xa4, 0xa5)) {
        /* STOS, MOVS: the destination is ES:rDI before the element. */
        uint64_t step = in->opsize;
        if (cpu->g->rflags & K_RFLAGS_DF)
            step = (uint64_t)0 - step;
        ea = (cpu->g->gpr[GPR_RDI] - step) & addr_mask(in->addrsize);
        seg = SEG_ES;
    } else if (is_push(op)) {
        /* PUSH: the store went to SS:rSP after the decrement. */
        ea = cpu->g->gpr[GPR_RSP] & addr_mask(cpu->stack_addrsize);
        seg = SEG_SS;
    } else if (in->has_mem) {
        cpu->insn_rip = start;
        ea = emu_ea(cpu, in);
        seg = emu_ea_seg(in);
    } else {
        return false;
    }
    uint64_t linear = data_linear(cpu, seg, ea);
    return linear_is_gpa(v, linear, a->gpa);
}

/* Whether `k` bytes ending at `end` can be an OUT or OUTS: the opcode is
 * the last byte, or the one before an imm8 port.  Spares the decoder the
 * candidates that cannot be. */
static bool out_can_end_here(const uint8_t *end, unsigned k)
{
    uint8_t last = end[-1];
    if (last == 0xee || last == 0xef || last == 0x6e || last == 0x6f)
        return true;
    return k >= 2 && (end[-2] == 0xe6 || end[-2] == 0xe7);
}

/* Up to MAX_INSN code bytes ending at RIP (placed at the end of buf) or
 * starting at it (at the start); how many could be read. */
static unsigned read_code(struct hv_vcpu *v, const struct emu_cpu *cpu, uint64_t rip, uint8_t *buf,
                          bool forward)
{
    uint64_t lin = code_linear(cpu, rip);
    unsigned want = forward ? MAX_INSN : (rip < MAX_INSN ? (unsigned)rip : MAX_INSN);
    uint64_t from = forward ? lin : lin - want;
    uint8_t *dst = forward ? buf : buf + MAX_INSN - want;
    if (want > 0 && kvm_read_linear(v, from, dst, want))
        return want;
    /* Near an unreadable page: byte by byte from the RIP side. */
    unsigned have = 0;
    while (have < want) {
        uint64_t at = forward ? lin + have : lin - have - 1;
        uint8_t *to = forward ? buf + have : buf + MAX_INSN - have - 1;
        if (!kvm_read_linear(v, at, to, 1))
            break;
        have++;
    }
    return have;
}

/*
 * Put the vmcs back to the state before the instruction KVM retired (or
 * partly executed, for REP) at this exit.  False when no instruction
 * explains it.
 */
static bool rewind_retired(struct hv_vcpu *v, struct emu_cpu *cpu, const struct access *a,
                           struct insn *found)
{
    struct vmcs_guest *g = &v->vmcs.guest;
    uint64_t rip = g->rip;
    uint8_t bytes[MAX_INSN];
    struct insn in;

    /* Usually the instruction ends at RIP: the shortest one that explains
     * the exit (prefixes that change nothing are left out). */
    unsigned have = read_code(v, cpu, rip, bytes, false);
    /* First pass: the operand size must match the access (a REX.W or 0x66
     * prefix is part of the instruction); second pass: any size. */
    for (unsigned k = 1, pass = 0; pass < 2; k = k < have ? k + 1 : (pass++, 1)) {
        if (k > have)
            break;
        const uint8_t *p = bytes + MAX_INSN - k;
        if (a->io && !out_can_end_here(bytes + MAX_INSN, k))
            continue;
        if (!decode_insn(v, cpu, p, k, &in) || in.len != k || in.rep != REP_NONE)
            continue;
        if (pass == 0 && in.opsize != a->size)
            continue;
        if (!explains(v, cpu, &in, rip - k, a))
            continue;
        g->rip = rip - k;
        if (cpu->mode != MODE_LONG)
            g->rip &= cpu->def_opsize == 2 ? 0xffffull : 0xffffffffull;
        if (is_push(in.opcode)) {
            uint64_t mask = addr_mask(cpu->stack_addrsize);
            uint64_t rsp = g->gpr[GPR_RSP];
            g->gpr[GPR_RSP] = (rsp & ~mask) | ((rsp + in.opsize) & mask);
        } else if (a->io && is_string_op(in.opcode, 0x6e, 0x6f))
            unwind_string(cpu, &in, 1, true, false);
        else if (is_string_op(in.opcode, 0xaa, 0xab) || is_string_op(in.opcode, 0xa4, 0xa5))
            unwind_string(cpu, &in, 1, in.opcode == 0xa4 || in.opcode == 0xa5, true);
        *found = in;
        return true;
    }

    /* A REP string instruction stays on RIP with `count` elements done. */
    have = read_code(v, cpu, rip, bytes, true);
    if (have == 0 || !decode_insn(v, cpu, bytes, have, &in) || in.rep == REP_NONE)
        return false;
    bool outs = is_string_op(in.opcode, 0x6e, 0x6f);
    bool stores = is_string_op(in.opcode, 0xaa, 0xab) || is_string_op(in.opcode, 0xa4, 0xa5);
    if (a->io ? (!outs || in.opsize != a->size) : (!stores || !explains(v, cpu, &in, rip, a)))
        return false;
    if (a->io)
        unwind_string(cpu, &in, a->count, true, false);
    else
        unwind_string(cpu, &in, 1, in.opcode == 0xa4 || in.opcode == 0xa5, true);
    *found = in;
    return true;
}

/*
 * Let KVM finish the pending operation without running guest code.  What
 * the completion would store in guest memory (REP INS elements, the RAM
 * side of a MOVS from MMIO) is given the bytes already there, so memory is
 * untouched; registers are put back by the caller.
 */
void kvm_complete_pending(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_run *run = kv->run;
    if (run->exit_reason == KVM_EXIT_X86_RDMSR || run->exit_reason == KVM_EXIT_X86_WRMSR) {
        run->msr.error = 0;     /* no #GP queued */
        run->msr.data = 0;
    } else if ((run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_IN) ||
               (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write)) {
        struct emu_cpu cpu;
        decode_cpu(v, &cpu);
        uint8_t bytes[MAX_INSN];
        struct insn in;
        unsigned have = read_code(v, &cpu, v->vmcs.guest.rip, bytes, true);
        bool io = run->exit_reason == KVM_EXIT_IO;
        uint8_t *data = io ? (uint8_t *)run + run->io.data_offset : run->mmio.data;
        unsigned size = io ? run->io.size : run->mmio.len;
        unsigned count = io ? run->io.count : 1;
        memset(data, 0, (size_t)size * count);
        if (have > 0 && decode_insn(v, &cpu, bytes, have, &in) &&
            (io ? is_string_op(in.opcode, 0x6c, 0x6d) : is_string_op(in.opcode, 0xa4, 0xa5))) {
            const struct vmcs_guest *g = &v->vmcs.guest;
            uint64_t mask = addr_mask(in.addrsize);
            for (unsigned i = 0; i < count; i++) {
                uint64_t step = (uint64_t)i * size;
                uint64_t off = (g->rflags & K_RFLAGS_DF) ? g->gpr[GPR_RDI] - step : g->gpr[GPR_RDI] + step;
                uint64_t linear = (cpu.mode == MODE_LONG ? 0 : g->seg[SEG_ES].base) + (off & mask);
                kvm_read_linear(v, linear, data + step, size);
            }
        }
    }
    struct kvm_vm *k = kvm_vm_of(v->vm);
    kvm_gate_enter(k, kv);
    kvm_set_immediate_exit(run, 1);
    /* A read-modify-write instruction comes back once more for its write. */
    for (int i = 0; i < 4; i++) {
        if (ioctl(kv->fd, KVM_RUN, 0) != 0)
            break;
        if (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write)
            memset(run->mmio.data, 0, sizeof run->mmio.data);
    }
    kvm_set_immediate_exit(run, 0);
    kvm_gate_leave(kv);
    kvm_regs_refresh(v);
}

/* ---- MMIO loads and stores KVM finishes ----------------------------- */

static uint64_t extend(uint64_t value, unsigned from_bytes, bool sign)
{
    uint64_t mask = addr_mask(from_bytes);
    value &= mask;
    if (sign && from_bytes < 8 && ((value >> (8 * from_bytes - 1)) & 1))
        value |= ~mask;
    return value;
}

/*
 * Whether the MMIO access at RIP is a MOV that KVM finishes alone -- a
 * load writes its register, a store nothing, and both advance RIP -- and
 * if so, the pending record for it.  Anything else (read-modify-write,
 * string, stack, split by KVM into pieces, an event in flight) is
 * cancelled at the exit as before.
 */
static bool mmio_mov(struct hv_vcpu *v, struct emu_cpu *cpu, struct kvm_pending *p)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_run *run = kv->run;
    if (kv->requeued_info != 0)
        return false;
    uint8_t bytes[MAX_INSN];
    struct insn in;
    unsigned have = read_code(v, cpu, v->vmcs.guest.rip, bytes, true);
    if (have == 0 || !decode_insn(v, cpu, bytes, have, &in) || in.lock || in.rep != REP_NONE ||
        !in.has_mem)
        return false;
    unsigned size = in.opsize;
    bool store = false, sign = false;
    switch (in.opcode) {
    case 0x88: case 0x89: case 0xa2: case 0xa3: store = true; break;         /* MOV m, r / rAX */
    case 0xc6: case 0xc7: store = true; if ((in.reg & 7) != 0) return false; break;   /* MOV m, imm */
    case 0x8a: case 0x8b: case 0xa0: case 0xa1: break;                      /* MOV r / rAX, m */
    case OPC_0F | 0xb6: size = 1; break;                                    /* MOVZX */
    case OPC_0F | 0xb7: size = 2; break;
    case OPC_0F | 0xbe: size = 1; sign = true; break;                       /* MOVSX */
    case OPC_0F | 0xbf: size = 2; sign = true; break;
    default: return false;
    }
    if (store != (bool)run->mmio.is_write || size != run->mmio.len)
        return false;
    *p = (struct kvm_pending){
        .valid = true, .mmio = true, .rip = v->vmcs.guest.rip, .len = in.len, .size = (uint8_t)size,
        .load = !store, .load_sign = sign,
        .load_reg = (uint8_t)((in.opcode == 0xa0 || in.opcode == 0xa1) ? GPR_RAX : in.reg), .insn = in,
    };
    return true;
}

/*
 * The EPT violation of a pending MOV, built here rather than by running
 * the emulator over it, when the memory map forbids the access (a range
 * that allows it, read-only RAM say, is for the emulator to execute) and
 * nothing else about the access needs the emulator's checks.
 */
static bool mov_ept_exit(struct hv_vcpu *v, struct emu_cpu *cpu, const struct kvm_pending *p, uint32_t prot)
{
    const struct vmcs_guest *g = &v->vmcs.guest;
    uint64_t gpa = kvm_vcpu_of(v)->run->mmio.phys_addr;
    /* Alignment checking could fault first: leave that to the emulator. */
    if ((g->cr0 & (1ull << 18)) && (g->rflags & (1ull << 18)) && cpu->cpl == 3)
        return false;
    if (prot & (p->load ? HV_MEMORY_READ : HV_MEMORY_WRITE))
        return false;
    cpu->insn_rip = p->rip;
    uint64_t linear = data_linear(cpu, emu_ea_seg(&p->insn), emu_ea(cpu, &p->insn));
    /* The same bytes and registers give KVM's linear address; a page walk
     * to prove it would cost more than the rest of the exit.  Code changed
     * under the exit (cross-modifying code without the serialisation the
     * SDM asks for) is what the offset check can catch. */
    if ((linear & HV_PAGE_MASK) != (gpa & HV_PAGE_MASK))
        return false;
    uint64_t q = emu_ept_qualification(p->load ? ACC_READ : ACC_WRITE, prot, true, true);
    kvm_set_exit(v, VMX_REASON_EPT_VIOLATION, q, p->len);
    v->vmcs.guest.rflags |= K_RFLAGS_RF;     /* a fault-like exit saves RF = 1 */
    v->vmcs.exit.guest_physical = gpa;
    v->vmcs.exit.guest_linear = linear;
    return true;
}

/* The value a client's answer to a pending MMIO load amounts to, when the
 * load with it gives exactly the client's registers; stores need none. */
static bool mmio_answer(struct hv_vcpu *v, uint64_t *data)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    const struct kvm_pending *p = &kv->pending;
    struct vmcs_guest held;
    if (!kvm_regs_held(v, &held))
        return false;
    const struct vmcs_guest *g = &v->vmcs.guest;
    if (((held.rflags ^ g->rflags) & ~K_RFLAGS_RF) != 0)
        return false;
    if (p->load) {
        struct emu_cpu cpu;
        decode_cpu(v, &cpu);
        unsigned width = p->insn.opsize;    /* the destination register's */
        *data = emu_reg_read(&cpu, &p->insn, p->load_reg, width) & addr_mask(p->size);
        cpu.g = &held;          /* the load with that value, on what KVM holds */
        emu_reg_write(&cpu, &p->insn, p->load_reg, width, extend(*data, p->size, p->load_sign));
    }
    return memcmp(held.gpr, g->gpr, sizeof held.gpr) == 0;
}

/*
 * At the next entry after an exit left pending (IN, OUT, RDMSR, WRMSR):
 * when the client did what the instruction does -- RIP past it, the result
 * in RAX (and RDX) as the instruction writes it -- KVM's own completion
 * gives the same state and is let happen (for IN and OUT, KVM sees RIP
 * moved and drops it); anything else (an injected fault, RIP elsewhere or
 * left on the instruction) cancels it first.
 */
bool kvm_settle_pending(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_run *run = kv->run;
    if (!kv->pending.valid)
        return false;
    kv->pending.valid = false;
    const struct vmcs_guest *g = &v->vmcs.guest;
    uint64_t rax = g->gpr[GPR_RAX], rdx = g->gpr[GPR_RDX];
    bool done = g->rip == kv->pending.rip + kv->pending.len &&
                !(v->vmcs.ctl.entry_irq_info & IRQ_INFO_VALID);
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        if (done && run->io.direction == KVM_EXIT_IO_OUT)
            return true;
        if (done && (kv->pending.size != 4 || (rax >> 32) == 0)) {
            memcpy((uint8_t *)run + run->io.data_offset, &rax, kv->pending.size);
            return true;
        }
        break;
    case KVM_EXIT_MMIO: {
        uint64_t data = 0;
        if (done && kv->pending.mmio && !kv->pending.other_write && mmio_answer(v, &data)) {
            if (kv->pending.load)
                memcpy(run->mmio.data, &data, kv->pending.size);
            return true;
        }
        break;
    }
    case KVM_EXIT_X86_RDMSR:
        if (done && (rax >> 32) == 0 && (rdx >> 32) == 0) {
            run->msr.error = 0;
            run->msr.data = (rdx << 32) | rax;
            return true;
        }
        break;
    case KVM_EXIT_X86_WRMSR:
        if (done) {
            run->msr.error = 0;
            return true;
        }
        break;
    default: return false;
    }
    kvm_complete_pending(v);
    return false;
}

/*
 * KVM finishes a pending RDMSR/WRMSR by skipping the instruction, and how it
 * skips differs: with SVM's next-RIP (and on this PVM host) RIP becomes the
 * saved address after the instruction, whatever RIP was written meanwhile;
 * without it KVM decodes and skips the instruction at the current RIP, so
 * the client's already-advanced RIP would skip the next instruction too.
 * With RIP back on the instruction both ways land after it.  (IN needs no
 * such care: upstream drops the completion when RIP moved, and the client's
 * RAX and RIP are then already what the IN would leave.)
 */
void kvm_rewind_for_completion(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_run *run = kv->run;
    if (run->exit_reason != KVM_EXIT_X86_RDMSR && run->exit_reason != KVM_EXIT_X86_WRMSR)
        return;
    if (!(run->kvm_dirty_regs & KVM_SYNC_X86_REGS))
        run->s.regs.regs = kv->k_regs;
    run->s.regs.regs.rip = kv->pending.rip;
    kv->k_regs.rip = kv->pending.rip;
    run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
}

/*
 * SVM has one interrupt-shadow bit, and KVM reports it as both STI and
 * MOV SS blocking; VMX has exactly one of them (VM entry refuses both).
 * The instruction that ends at RIP tells which: a MOV SS or POP SS, or an
 * STI.  STI blocking needs IF = 1.  Otherwise the vmcs keeps the kind it
 * had (a shadow the client set at entry), and STI is the default.
 * Called with the vmcs registers already current.
 */
uint32_t kvm_shadow_cause(struct hv_vcpu *v)
{
    const struct vmcs_guest *g = &v->vmcs.guest;
    const uint32_t sti = GUEST_INTRBILITY_STI_BLOCKING, movss = GUEST_INTRBILITY_MOVSS_BLOCKING;
    if (!(g->rflags & K_RFLAGS_IF))
        return movss;
    struct emu_cpu cpu;
    decode_cpu(v, &cpu);
    uint8_t bytes[MAX_INSN];
    unsigned have = read_code(v, &cpu, g->rip, bytes, false);
    for (unsigned k = 1; k <= have; k++) {
        struct insn in;
        const uint8_t *p = bytes + MAX_INSN - k;
        if (!decode_insn(v, &cpu, p, k, &in) || in.len != k)
            continue;
        if ((in.opcode == 0x8e && in.has_modrm && (in.reg & 7) == SEG_SS) || in.opcode == 0x17)
            return movss;
    }
    if (have >= 1 && bytes[MAX_INSN - 1] == 0xfb)
        return sti;
    uint32_t before = g->interruptibility & (sti | movss);
    return before == movss ? movss : sti;
}

bool kvm_first_insn_walk_slotless(struct hv_vcpu *v)
{
    struct emu_cpu cpu;
    decode_cpu(v, &cpu);
    uint64_t rip = v->vmcs.guest.rip;
    uint64_t code = code_linear(&cpu, rip);
    if (kvm_walk_slotless(v, code))
        return true;
    uint8_t bytes[MAX_INSN];
    struct insn in;
    unsigned have = read_code(v, &cpu, rip, bytes, true);
    if (have == 0 || !decode_insn(v, &cpu, bytes, have, &in))
        return have > 0 && have < MAX_INSN && kvm_walk_slotless(v, code + have);   /* cut off at the next page */
    if (kvm_walk_slotless(v, code + in.len - 1))
        return true;
    if (!in.has_mem)
        return false;
    cpu.insn_rip = rip;
    uint64_t ea = emu_ea(&cpu, &in);
    uint64_t linear = data_linear(&cpu, emu_ea_seg(&in), ea);
    return kvm_walk_slotless(v, linear) || kvm_walk_slotless(v, linear + in.opsize - 1);
}

/* ---- MMIO ------------------------------------------------------------- */

/* An access KVM sent out only because the range has no slot: done here. */
/* `r`: the range at the access's GPA or NULL; the memory lock is held. */
static bool serve_from_ram(struct hv_vcpu *v, const struct gpa_range *r)
{
    struct kvm_run *run = kvm_vcpu_of(v)->run;
    uint64_t gpa = run->mmio.phys_addr;
    uint32_t len = run->mmio.len;
    uint32_t need = run->mmio.is_write ? HV_MEMORY_WRITE : HV_MEMORY_READ;
    if (len == 0 || len > sizeof run->mmio.data)
        return false;
    /* Only from ranges that are also writable: a read from a read-only
     * range may be the first half of a read-modify-write instruction, whose
     * refused store must leave the flags untouched (kvm_mem.c). */
    uint32_t rw = HV_MEMORY_READ | HV_MEMORY_WRITE;
    if (r == NULL || !(r->prot & need) || (r->prot & rw) != rw || gpa + len > r->gpa + r->size)
        return false;
    uint8_t *host = r->hva + (gpa - r->gpa);
    if (run->mmio.is_write)
        memcpy(host, run->mmio.data, len);
    else
        memcpy(run->mmio.data, host, len);
    return true;
}

/* An EPT violation without the instruction (none explained the exit):
 * RIP stays where KVM left it.  Documented as a limitation. */
static void ept_exit_unexplained(struct hv_vcpu *v)
{
    struct kvm_run *run = kvm_vcpu_of(v)->run;
    kvm_mem_hold(v);
    const struct gpa_range *r = memmap_lookup(&v->vm->space[HV_VM_SPACE_DEFAULT], run->mmio.phys_addr);
    uint32_t prot = r ? r->prot : 0;
    kvm_mem_release(v);
    uint64_t q = emu_ept_qualification(run->mmio.is_write ? ACC_WRITE : ACC_READ, prot,
                                       false, false);
    kvm_set_exit(v, VMX_REASON_EPT_VIOLATION, q, 0);
    v->vmcs.guest.rflags |= K_RFLAGS_RF;     /* a fault-like exit saves RF = 1 */
    v->vmcs.exit.guest_physical = run->mmio.phys_addr;
    v->vmcs.exit.guest_linear = 0;
}

/* With the memory lock held: the outcome, and whether the pending access
 * must be cancelled (after the lock is released: that is a KVM_RUN). */
static enum kvm_outcome mmio_exit_held(struct hv_vcpu *v, bool *cancel)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_vm *k = kvm_vm_of(v->vm);
    struct kvm_run *run = kv->run;
    const struct gpa_range *r = memmap_lookup(&v->vm->space[HV_VM_SPACE_DEFAULT], run->mmio.phys_addr);
    if (serve_from_ram(v, r))
        return KO_REENTER;
    struct emu_cpu cpu;
    decode_cpu(v, &cpu);
    if (!run->mmio.is_write || !k->quirks.mmio_write_rip_past) {
        /* Pending with RIP on the instruction: the vmcs is the state before
         * it.  A MOV stays pending for KVM to finish with the client's
         * answer (kvm_settle_pending): cancelling it here would cost every
         * such exit a second KVM_RUN. */
        if (mmio_mov(v, &cpu, &kv->pending))
            return mov_ept_exit(v, &cpu, &kv->pending, r ? r->prot : 0) ? KO_EXIT : KO_EMULATE;
        kv->pending.valid = false;
        *cancel = true;
        return KO_EMULATE;
    }
    struct access a = { .io = false, .gpa = run->mmio.phys_addr, .size = (uint8_t)run->mmio.len };
    struct insn in;
    if (!rewind_retired(v, &cpu, &a, &in)) {
        ept_exit_unexplained(v);
        return KO_EXIT;
    }
    return KO_EMULATE;
}

static enum kvm_outcome mmio_exit(struct hv_vcpu *v)
{
    bool cancel = false;
    kvm_mem_hold(v);
    enum kvm_outcome o = mmio_exit_held(v, &cancel);
    kvm_mem_release(v);
    if (cancel) {
        struct vmcs_guest before = v->vmcs.guest;
        kvm_complete_pending(v);
        v->vmcs.guest = before;
    }
    return o;
}

/* ---- I/O ------------------------------------------------------------- */

/* The VMX I/O exit of `in`, from the vmcs as it was before it. */
static void io_exit_fields(struct hv_vcpu *v, const struct insn *in)
{
    const struct vmcs_guest *g = &v->vmcs.guest;
    struct io_access io = emu_io_access(in, g);
    kvm_set_exit(v, VMX_REASON_IO, 0, in->len);
    v->vmcs.exit.qualification = emu_io_exit_info(&io, in, g, &v->vmcs.exit);
}

static bool is_io_op(uint32_t op)
{
    return (op >= 0xe4 && op <= 0xe7) || (op >= 0xec && op <= 0xef) || (op >= 0x6c && op <= 0x6f);
}

static enum kvm_outcome io_exit(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_vm *k = kvm_vm_of(v->vm);
    struct kvm_run *run = kv->run;
    const uint8_t *data = (const uint8_t *)run + run->io.data_offset;
    uint32_t count = run->io.count;     /* the completion may reuse run->io */
    uint32_t value = 0;
    memcpy(&value, data, run->io.size <= 4 ? run->io.size : 4);
    struct emu_cpu cpu;
    decode_cpu(v, &cpu);
    struct insn in;

    if (run->io.direction == KVM_EXIT_IO_IN || !k->quirks.out_rip_past) {
        /* IN and INS (and OUT upstream) wait on RIP for the completion. */
        uint8_t bytes[MAX_INSN];
        unsigned have = read_code(v, &cpu, v->vmcs.guest.rip, bytes, true);
        if (have == 0 || !decode_insn(v, &cpu, bytes, have, &in) || !is_io_op(in.opcode)) {
            struct vmcs_guest before = v->vmcs.guest;
            kvm_complete_pending(v);
            v->vmcs.guest = before;
            return KO_EMULATE;
        }
        bool string = in.opcode >= 0x6c && in.opcode <= 0x6f;
        if (run->io.direction == KVM_EXIT_IO_OUT && !string && atomic_load(&v->vm->pio_count) > 0 &&
            pio_notify(v->vm, run->io.port, run->io.size, value))
            return KO_REENTER;
        bool outs = string && run->io.direction == KVM_EXIT_IO_OUT;
        if (!string) {
            /* Left pending: the client's answer completes an IN, and an
             * OUT needs nothing more (kvm_settle_pending): completing it
             * now would cost every OUT a second KVM_RUN. */
            kv->pending = (struct kvm_pending){ .valid = true, .rip = v->vmcs.guest.rip, .len = in.len,
                                                .size = run->io.size };
        } else {
            struct vmcs_guest before = v->vmcs.guest;
            kvm_complete_pending(v);
            v->vmcs.guest = before;
            /* Where KVM already moved past the elements it sent. */
            if (outs && k->quirks.outs_advanced)
                unwind_string(&cpu, &in, count, true, false);
        }
        io_exit_fields(v, &in);
        return KO_EXIT;
    }
    /* A retired OUT: a port notifier takes it as it is. */
    if (run->io.count == 1 && atomic_load(&v->vm->pio_count) > 0) {
        struct vmcs_guest after = v->vmcs.guest;
        struct access a = { .io = true, .port = run->io.port, .size = run->io.size, .count = 1 };
        bool found = rewind_retired(v, &cpu, &a, &in);
        v->vmcs.guest = after;
        if (found && !(in.opcode >= 0x6c && in.opcode <= 0x6f) &&
            pio_notify(v->vm, run->io.port, run->io.size, value))
            return KO_REENTER;
    }
    struct access a = { .io = true, .port = run->io.port, .size = run->io.size, .count = run->io.count };
    if (!rewind_retired(v, &cpu, &a, &in)) {
        /* Cannot happen with a sane decoder: let the guest go on. */
        return KO_REENTER;
    }
    io_exit_fields(v, &in);
    return KO_EXIT;
}

/* ---- HLT -------------------------------------------------------------- */

static enum kvm_outcome hlt_exit(struct hv_vcpu *v)
{
    struct kvm_vm *k = kvm_vm_of(v->vm);
    struct vmcs_guest *g = &v->vmcs.guest;
    if (k->quirks.hlt_rip_past) {
        struct emu_cpu cpu;
        decode_cpu(v, &cpu);
        uint8_t byte = 0;
        if (g->rip > 0 && kvm_read_linear(v, code_linear(&cpu, g->rip - 1), &byte, 1) && byte == 0xf4)
            g->rip -= 1;
    }
    kvm_set_exit(v, VMX_REASON_HLT, 0, 1);
    return KO_EXIT;
}

static enum kvm_outcome translate(struct hv_vcpu *v);

enum kvm_outcome kvm_translate_exit(struct hv_vcpu *v)
{
    enum kvm_outcome o = translate(v);
    /* An instruction exit saves RF clear (KVM's emulator sets it while it
     * restarts a string instruction); an EPT violation, fault-like, saves
     * it set (built so here), and on the emulator's way the emulator
     * decides. */
    if (o == KO_EMULATE || (o == KO_EXIT && v->vmcs.exit.reason != VMX_REASON_EPT_VIOLATION))
        v->vmcs.guest.rflags &= ~K_RFLAGS_RF;
    return o;
}

static enum kvm_outcome translate(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_run *run = kv->run;
    switch (run->exit_reason) {
    case KVM_EXIT_IO: return io_exit(v);
    case KVM_EXIT_MMIO: return kvm_irq_mmio(v) ? KO_REENTER : mmio_exit(v);
    case KVM_EXIT_IOAPIC_EOI: return kvm_irq_eoi_exit(v);
    case KVM_EXIT_HLT: return hlt_exit(v);
    case KVM_EXIT_X86_RDMSR:
    case KVM_EXIT_X86_WRMSR: {
        if (kvm_msr_resolve(v))
            return KO_REENTER;
        bool write = run->exit_reason == KVM_EXIT_X86_WRMSR;
        /* Left pending: the client's answer completes it (kvm_run.c). */
        kv->pending = (struct kvm_pending){ .valid = true, .rip = v->vmcs.guest.rip, .len = 2 };
        kvm_set_exit(v, write ? VMX_REASON_WRMSR : VMX_REASON_RDMSR, 0, 2);
        return KO_EXIT;
    }
    case KVM_EXIT_IRQ_WINDOW_OPEN:
        /* Asked for an ExtINT alone: the next entry injects it. */
        if (!(v->vmcs.ctl.cpu & CPU_BASED_IRQ_WND))
            return KO_REENTER;
        kvm_set_exit(v, VMX_REASON_IRQ_WND, 0, 0);
        return KO_EXIT;
    case KVM_EXIT_SET_TPR:
        /* The guest lowered CR8 (hardware KVM without an in-kernel APIC
         * says so); the new value is HV_X86_TPR's at the next exit, as
         * the emulator keeps it: nothing for the client. */
        return KO_REENTER;
    case KVM_EXIT_SHUTDOWN:
        kvm_set_exit(v, VMX_REASON_TRIPLE_FAULT, 0, 0);
        return KO_EXIT;
    case KVM_EXIT_INTERNAL_ERROR:
        /* Typically an instruction fetch from memory without a slot: the
         * emulator knows the permissions and faults or executes it. */
        return KO_EMULATE;
    default:
        kvm_set_exit(v, VMX_REASON_VMENTRY_GUEST | 0x80000000u, 0, 0);
        return KO_EXIT;
    }
}
