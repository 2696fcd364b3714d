/*
 * The emulator's internal interface.
 *
 * Two halves meet here, in the manner of KVM's emulate.c:
 *   - the instruction engine (decode.c, icache.c, flags.c, the exec_*.c
 *     files): decoding, the decoded-instruction cache, lazy flags and the
 *     general-purpose instruction set;
 *   - the machine (mmu.c, seg.c, except.c, sys_*.c, vmexit.c, run.c):
 *     segmentation, paging, the software TLB, guest-physical access through
 *     the memory map, exceptions and event delivery, system instructions,
 *     VM exits and the run loop.
 * The engine reaches memory, exceptions and VMX policy only through the
 * functions declared under "machine" below, so it never sees host pointers
 * it did not get from the machine, and never decides an exit itself.
 *
 * Control flow: an instruction either completes (the run loop then commits
 * cpu->next_rip to RIP) or aborts with a longjmp to cpu->abort (exception or
 * VM exit), leaving RIP on the instruction.  Handlers therefore perform every
 * access that can fault before they change architectural state.
 */
#ifndef OPENHV_EMU_H
#define OPENHV_EMU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "../core/vcpu.h"
#include "../core/vm.h"

struct emu_cpu;
struct insn;

typedef void (*emu_handler)(struct emu_cpu *cpu, const struct insn *in);

/* Opcode spaces of insn.opcode: one-byte 0x00XX, 0x0FXX, 0x0F38XX, 0x0F3AXX. */
#define OPC_0F   0x0f00u
#define OPC_0F38 0x0f3800u
#define OPC_0F3A 0x0f3a00u
/* Added to the three map values above for a VEX-encoded opcode: VEX.0F 58
 * (VADDPS...) is OPC_VEX | 0x0f58. */
#define OPC_VEX  0x1000000u

enum { REP_NONE = 0, REP_F3 = 0xf3, REP_F2 = 0xf2 };

struct insn {
    uint32_t opcode;          /* see OPC_*; e.g. 0x0fa2 is CPUID */
    uint8_t len;              /* 1..15 */
    uint8_t opsize;           /* 1 for byte forms, else 2, 4 or 8 */
    uint8_t addrsize;         /* 2, 4 or 8 */
    int8_t seg_override;      /* SEG_ES..SEG_GS, or -1 */
    uint8_t rep;              /* REP_* */
    bool lock;
    bool opsize_prefix;       /* 0x66 was present */
    uint8_t rex;              /* REX byte, 0 if none; a VEX prefix sets its
                                 R/X/B (and W in 64-bit mode) here too */
    uint8_t vex;              /* length of the VEX prefix (2 or 3), 0 if none */
    uint8_t vvvv;             /* VEX.vvvv as a register number, 0 without VEX */
    bool vex_l;               /* VEX.L: 256-bit vectors */
    bool vex_w;               /* VEX.W (an opcode extension in every mode) */

    bool has_modrm;
    uint8_t modrm;
    uint8_t mod;              /* modrm 7:6 */
    uint8_t reg;              /* modrm 5:3 extended by REX.R: 0..15 */
    uint8_t rm;               /* modrm 2:0 extended by REX.B (register form) */

    /* Memory operand, valid when has_modrm && mod != 3 (or moffs forms). */
    bool has_mem;
    int8_t base;              /* GPR or -1 */
    int8_t index;             /* GPR or -1 */
    uint8_t scale;            /* 1, 2, 4, 8 */
    bool rip_relative;
    int64_t disp;

    uint64_t imm;             /* first immediate, sign- or zero-extended as the opcode says */
    uint64_t imm2;            /* second immediate (ENTER level, far-pointer selector) */

    emu_handler exec;         /* resolved at decode time */
};

/* Processor modes, from CR0.PE, RFLAGS.VM, EFER.LMA and CS.L. */
enum emu_mode { MODE_REAL, MODE_PROT, MODE_V86, MODE_COMPAT, MODE_LONG };

struct emu_tlb;               /* mmu.c */
struct emu_icache;            /* icache.c */
struct emu_blocks;            /* block.c */

/* One bit per page of the first 4 GiB of guest-physical memory (pages
 * above alias): a false positive ends the running block, cuts every chain
 * link and sends the store through the slow path, so with a smaller filter
 * a guest whose code is spread over many pages (a kernel) would take that
 * path on most of its stores. */
#define EMU_CODE_FILTER_BITS (1u << 20)

struct emu_cpu {
    struct hv_vcpu *vcpu;
    struct hv_vm *vm;
    struct vmcs *vmcs;
    struct vmcs_guest *g;     /* == &vcpu->vmcs.guest: registers live here */

    /* Mode cache, refreshed by emu_update_mode() after CS, CR0, CR4, EFER or
     * RFLAGS.VM change. */
    enum emu_mode mode;
    uint8_t cpl;
    uint8_t def_opsize;       /* 2 or 4 (4 in 64-bit mode) */
    uint8_t def_addrsize;     /* 2, 4 or 8 */
    uint8_t stack_addrsize;   /* 2, 4 or 8, from SS.B / mode */

    /* Lazy flags (flags.c).  When lf_op is LF_NONE the arithmetic flags in
     * g->rflags are current. */
    uint16_t lf_op;
    uint8_t lf_size;          /* right after lf_op: translated code writes both at once */
    uint64_t lf_res, lf_src1, lf_src2;

    /* The instruction in flight. */
    const struct insn *insn;
    uint64_t insn_rip;        /* RIP of the instruction in flight */
    uint64_t next_rip;        /* committed to g->rip when it completes */

    struct emu_tlb *tlb;
    struct emu_icache *icache;
    struct emu_blocks *blocks;    /* NULL: the reference engine alone */
    /* == tlb where engine accesses may take the inline TLB hit path
     * (tlb.h); NULL on the reference engine, which then checks every
     * access through the machine, so the lockstep test compares the two. */
    struct emu_tlb *fast_tlb;

    /* Guest-physical pages holding blocks that a link or the jump cache
     * may reach, as a bit per page number modulo EMU_CODE_FILTER_BITS.  A
     * store by this vCPU to such a page sets block_stop: the running block
     * ends after the storing instruction, and no chain link is followed
     * before the blocks were compared with memory again.  The store also
     * clears the page's bit (tlb_note_store), so a page that once held code
     * and now holds data (a decompressor's output, freed init memory) is
     * not a code page forever: comparing a block with memory (lookup in
     * block.c) sets its page's bit again. */
    uint64_t code_filter[EMU_CODE_FILTER_BITS / 64];
    bool block_stop;
    /* Instructions translated code completed in this run, added to the
     * vCPU's statistics at its end (emu_jit_fold_count): one add to the
     * emu_cpu, so that the translator keeps no register for the counter. */
    uint64_t jit_instructions;
    /* Set by the machine (an interrupt-controller write) or by POPF
     * setting TF: leave the block engine after this instruction, so the
     * run loop's boundary sees it. */
    bool block_leave;
    /* System instructions begun (emu_sys) that may change what block
     * links depend on or ask to see cross-modified code: links made before
     * one are not followed after it (block.c). */
    uint64_t sys_insns;
    uint32_t pauses;          /* PAUSEs run (sys_ctl.c yields every so many) */

    jmp_buf abort;            /* exceptions and VM exits longjmp here */
    uint64_t mem_gen_seen;    /* vm->mem_gen when TLB/icache were last valid */
    bool interrupt_shadow_next; /* STI / MOV SS: block events after the next instruction */
};

/* ------------------------------------------------------------------ */
/* Instruction engine (decode.c, icache.c, flags.c, exec_*.c)          */

/* Decode the instruction at CS:RIP, through the decoded-instruction cache.
 * Faults (#PF, #GP, #UD, EPT violation on fetch) abort through cpu->abort. */
const struct insn *emu_decode_at_rip(struct emu_cpu *cpu);

/* Decode bytes without the cache (tests, and the run loop's fallback). */
bool emu_decode_bytes(const struct emu_cpu *cpu, const uint8_t *bytes, unsigned avail,
                      struct insn *out);

/* A few instructions decoded lately, for callers outside the run loop
 * that decode from a byte buffer again and again (the kvm backend, at
 * every exit).  Decoding depends on the bytes and the mode alone, so a hit
 * needs no validation beyond comparing them. */
#define EMU_DECODE_MEMO_ENTRIES 4
struct emu_decode_memo_entry {
    uint8_t mode_key, len;       /* len 0: empty */
    uint8_t bytes[16];
    struct insn insn;
};
struct emu_decode_memo {
    struct emu_decode_memo_entry e[EMU_DECODE_MEMO_ENTRIES];
    unsigned next;
};
/* emu_decode_bytes through `memo` (avail at most 15). */
bool emu_decode_memo(struct emu_decode_memo *memo, const struct emu_cpu *cpu, const uint8_t *bytes,
                     unsigned avail, struct insn *out);

struct emu_icache *emu_icache_create(void);
void emu_icache_destroy(struct emu_icache *ic);
void emu_icache_flush(struct emu_icache *ic);

/* The block engine (block.c).  emu_block_run runs blocks from CS:RIP
 * while *count < limit, adding each block's length to *count before
 * running it; it stops at a kick or when RFLAGS.TF is set.  Returns the
 * instructions completed: 0 when the instruction at RIP needs the step
 * path.  Faults and exits abort through cpu->abort as in the step path,
 * with RIP on the faulting instruction. */
struct emu_blocks *emu_blocks_create(void);
void emu_blocks_destroy(struct emu_blocks *bc);
void emu_blocks_flush(struct emu_cpu *cpu);
/* Whether block links or the jump cache may lead to code in the same
 * 1 GiB of linear addresses as lin (no page is larger): an INVLPG of lin
 * may change what such a link stands for, and must cut the links. */
bool emu_blocks_code_near(struct emu_cpu *cpu, uint64_t lin);

static inline void emu_code_filter_add(struct emu_cpu *cpu, uint64_t gpa)
{
    uint64_t page = (gpa >> 12) % EMU_CODE_FILTER_BITS;
    cpu->code_filter[page / 64] |= 1ull << (page % 64);
}

static inline bool emu_code_filter_has(const struct emu_cpu *cpu, uint64_t gpa)
{
    uint64_t page = (gpa >> 12) % EMU_CODE_FILTER_BITS;
    return (cpu->code_filter[page / 64] >> (page % 64)) & 1;
}

static inline void emu_code_filter_del(struct emu_cpu *cpu, uint64_t gpa)
{
    uint64_t page = (gpa >> 12) % EMU_CODE_FILTER_BITS;
    cpu->code_filter[page / 64] &= ~(1ull << (page % 64));
}
unsigned emu_block_run(struct emu_cpu *cpu, uint32_t *count, uint32_t limit);
void emu_jit_fold_count(struct emu_cpu *cpu);

/* Lazy flags. */
uint64_t emu_get_rflags(struct emu_cpu *cpu);             /* materialises */
void emu_set_rflags(struct emu_cpu *cpu, uint64_t value); /* writes all bits as given */
void emu_flags_sync(struct emu_cpu *cpu);                 /* before an exit */

/* Registers: size 1 honours the AH..BH encoding when no REX is present. */
uint64_t emu_reg_read(const struct emu_cpu *cpu, const struct insn *in, unsigned reg, unsigned size);
void emu_reg_write(struct emu_cpu *cpu, const struct insn *in, unsigned reg, unsigned size, uint64_t val);

/* Memory operand: effective address (offset), and its segment. */
uint64_t emu_ea(const struct emu_cpu *cpu, const struct insn *in);
int emu_ea_seg(const struct insn *in);

/* r/m operand of size `size`, register or memory. */
uint64_t emu_rm_read(struct emu_cpu *cpu, const struct insn *in, unsigned size);
void emu_rm_write(struct emu_cpu *cpu, const struct insn *in, unsigned size, uint64_t val);

/* Stack, honouring SS's address size; size 2, 4 or 8. */
void emu_push(struct emu_cpu *cpu, uint64_t val, unsigned size);
uint64_t emu_pop(struct emu_cpu *cpu, unsigned size);

/* ------------------------------------------------------------------ */
/* Machine (mmu.c, seg.c, except.c, sys_*.c, vmexit.c, run.c)          */

/* Logical (segment:offset) accesses; size 1, 2, 4, 8.  Segment limit and
 * canonical checks, paging, EPT; faults and exits abort. */
uint64_t emu_read(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size);
void emu_write(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size, uint64_t val);
void emu_read_bytes(struct emu_cpu *cpu, int seg, uint64_t off, void *buf, unsigned size);
void emu_write_bytes(struct emu_cpu *cpu, int seg, uint64_t off, const void *buf, unsigned size);

/* The read half of a non-atomic read-modify-write (ADD [mem],r without LOCK,
 * or when emu_rmw_ptr returned NULL): checked as a write-intent access, so a
 * #PF has W=1 and an EPT violation reports read and write, as VMX does for
 * RMW instructions.  Added by the machine (E2). */
uint64_t emu_read_rmw(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size);

/* Host pointer for an atomic read-modify-write of guest RAM; checks read and
 * write permission at every level first (faults abort; an EPT violation is
 * reported with both read and write bits).  NULL if the access crosses a
 * page: the caller then falls back to emu_read + emu_write. */
void *emu_rmw_ptr(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size);

/* Instruction fetch: copies up to `want` bytes at CS:rip that can be fetched
 * without a fault and returns how many (at least 1, or it aborts with the
 * fault of the first byte).  *gpa gets the guest-physical address of the
 * first byte and *hva its host address (valid until the next TLB flush). */
unsigned emu_fetch(struct emu_cpu *cpu, uint64_t rip, uint8_t *buf, unsigned want,
                   uint64_t *gpa, const uint8_t **hva);
/* Host address of the code byte at CS:rip, with the fetch checks of its
 * first byte (faults abort); *gpa gets its guest-physical address and
 * *room how many bytes from it lie in the same page, inside the CS limit
 * and before the 16/32-bit IP wrap (at least 1 fewer than the wrap). */
const uint8_t *emu_fetch_block(struct emu_cpu *cpu, uint64_t rip, uint64_t *gpa, unsigned *room);
/* Abort with the fault of fetching CS:rip (used when an instruction runs
 * into a page that emu_fetch stopped before). */
_Noreturn void emu_fetch_fault(struct emu_cpu *cpu, uint64_t rip);

/* Raise an exception in the guest (vector 0..31); goes through the exception
 * bitmap, so it may become a VMX_REASON_EXC_NMI exit. */
_Noreturn void emu_raise(struct emu_cpu *cpu, unsigned vector, bool has_error, uint32_t error);
/* Whether a linear address is canonical (48-bit: CR4.LA57 is never set). */
static inline bool emu_canonical(uint64_t lin)
{
    return (uint64_t)((int64_t)(lin << 16) >> 16) == lin;
}

#define EMU_UD(cpu) emu_raise((cpu), 6, false, 0)
#define EMU_GP0(cpu) emu_raise((cpu), 13, true, 0)

/* An instruction-caused VM exit of the instruction in flight, with the
 * instruction length filled in and RIP left on the instruction. */
_Noreturn void emu_exit_insn(struct emu_cpu *cpu, uint32_t reason, uint64_t qualification);

/* System instructions: every opcode the engine's table marks "system"
 * (I/O, CPUID, MSRs, control/debug registers, descriptor tables, segment
 * loads, far transfers, INT/IRET, HLT, VMX instructions, ...). */
void emu_sys(struct emu_cpu *cpu, const struct insn *in);
/* The few a kernel runs in its hot paths (RDTSC, PAUSE, CLI, MOV from a
 * segment register) that need nothing of the step path: no interrupt
 * shadow, no mode, paging or RIP change, nothing serialising.  They may
 * fault or exit like any instruction, and so may run inside a block. */
void emu_sys_inline(struct emu_cpu *cpu, const struct insn *in);

/* An I/O instruction (IN, OUT, INS, OUTS) as VMX describes it.  One
 * definition for the emulator and for the kvm backend, which reports KVM's
 * I/O exits in VMX terms. */
struct io_access {
    uint16_t port;
    uint8_t size;             /* 1, 2 or 4 */
    bool in, string, rep, imm;
};
struct io_access emu_io_access(const struct insn *in, const struct vmcs_guest *g);
/* Kinds of memory access, as the MMU and the EPT-violation exit know them. */
enum acc_kind { ACC_READ = 0, ACC_WRITE = 1, ACC_FETCH = 2, ACC_RMW = 3 };

/* The qualification of an EPT violation (SDM "Exit Qualification for EPT
 * Violations") for an access of kind `kind` to memory the map gives
 * `prot`; `lin_valid`: the guest-linear address is reported, `final`: the
 * access is to the translation's result, not to a paging structure. */
uint64_t emu_ept_qualification(unsigned kind, uint32_t prot, bool lin_valid, bool final);

/* The exit qualification of `io`; fills the I/O registers, the guest-linear
 * address and the instruction information of `x` from the state `g` before
 * the instruction. */
uint64_t emu_io_exit_info(const struct io_access *io, const struct insn *in, const struct vmcs_guest *g,
                          struct vmcs_exit *x);

/* Recompute mode, CPL and default sizes from the guest state. */
void emu_update_mode(struct emu_cpu *cpu);

/* The backend object, hv_backend_emu, is defined in run.c. */

#endif
