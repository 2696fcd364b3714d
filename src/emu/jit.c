/*
 * The translator: 64-bit-mode blocks to x86-64 host code.
 *
 * A translated block does what the block engine's loop (block.c) does
 * with the same decoded instructions, without the loop's per-instruction
 * bookkeeping and indirect calls:
 *
 * - Guest registers stay in vmcs.guest (rbp points at it), so the guest
 *   state is exact at every point where anything can look at it.
 * - The common integer forms (MOV, ALU, TEST, LEA, MOVZX/MOVSX, INC/DEC,
 *   SETcc, CMOVcc, PUSH/POP, Jcc, JMP, CALL, RET, NOP) are host
 *   instructions.  Their memory operands take the software TLB's hit path
 *   inline (the checks of tlb.h, with the page-crossing test folded into
 *   the tag compare); a miss, a store to a page that holds blocks, or a
 *   non-canonical branch target jumps to an out-of-line stub that runs the
 *   whole instruction through its handler, which faults or exits exactly
 *   as the loop would, nothing of the instruction having been done.
 * - Every other instruction calls its handler through jit_exec_insn, which
 *   sets cpu->insn, insn_rip and next_rip and commits RIP as the loop does.
 * - Arithmetic flags keep the lazy record of flags.h.  The record of an
 *   instruction is stored only when something may read it before the next
 *   instruction that replaces it (an instruction that can fault or exit
 *   counts as a reader: the flags are part of what it leaves behind).  A
 *   condition is taken from the host's own flags when the instruction that
 *   set them was translated just before, else recomputed from the record
 *   (one compare) when the translator knows which operation made it, else
 *   evaluated by flags_cond.
 * - RIP is computed from the block's entry RIP (r12), because one block
 *   (keyed by guest-physical address) may run at several linear addresses.
 * - The instruction count (r15) is added in batches and stored before
 *   anything that can fault, so an abort leaves exactly the count of
 *   completed instructions.
 *
 * Host registers: rbx = the emu_cpu, rbp = vmcs.guest, r12 = RIP at block
 * entry, r13 = the TLB entries of this CPL, r15 = the instruction count;
 * r10, r11, r14, rdx and r9 cache guest registers (ld/st).  Scratch: rax,
 * rcx, rsi, rdi, r8.
 */
#include "jit.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "block.h"
#include "engine_internal.h"

#if defined(__x86_64__) && !defined(OPENHV_NO_JIT)

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "x64_emit.h"

#define JIT_BUFFER_BYTES (64u << 20)
/* Room one block may need at most: 32 instructions of at most ~200 bytes
 * of mainline and stub each. */
#define JIT_BLOCK_ROOM (32u * 1024u)
#define JIT_MAX_INSNS 64u

enum { R_CPU = H_RBX, R_G = H_RBP, R_RIP = H_R12, R_TLB = H_R13, R_COUNT = H_R15 };

/* What the trampoline loads into registers, what a block's exit needs to
 * follow a link itself (the block engine loop's own checks), and where the
 * chain ended.  The trampoline keeps its address at [rsp]. */
struct jit_frame {
    void *tlb_row;
    struct jcache_entry *jcache;
    uint32_t chain_gen;
    int32_t budget;           /* instructions the call may still start */
    struct block *last;       /* NULL: none to link from */
    uint64_t last_rip;
};

/* The trampoline's stack: the frame's address, copies of what every
 * block's entry and exit read, one load away, and the guest's CF for ADC
 * and SBB (emit_alu). */
enum { STK_FRAME = 0, STK_CHAIN_GEN = 8, STK_CARRY = 12, STK_LIMIT = 16, STK_SIZE = 24 };

struct emu_jit {
    uint8_t *base, *next, *end;
    uint8_t *enter, *leave, *chain, *leave_from, *dead, *after_handler;
    uint32_t epoch;
    FILE *perf_map;           /* OPENHV_PERF_MAP: /tmp/perf-PID.map for perf */
};

#define OFF_CPU(f) ((int32_t)offsetof(struct emu_cpu, f))
#define OFF_G(f) ((int32_t)offsetof(struct vmcs_guest, f))
#define TLB_KIND_STRIDE ((int32_t)sizeof(((struct emu_tlb *)0)->e[0][0]))

_Static_assert(sizeof(struct tlb_entry) == 32, "the inline TLB lookup scales the page number by 32");
_Static_assert(offsetof(struct tlb_entry, addend) == 8, "the inline TLB lookup adds the entry's second word");
_Static_assert(offsetof(struct vmcs_guest, gpr) == 0, "guest registers are at rbp + 8 * n");

/* ---- helpers the translated code calls ------------------------------- */

/* One instruction through its handler, as the block engine's loop runs it.
 * Returns nonzero when the block must end after it (a taken branch, a
 * store to a code page, a request to leave). */
static uint32_t jit_exec_insn(struct emu_cpu *cpu, const struct insn *in, uint64_t rip)
{
    uint64_t next = rip + in->len;
    cpu->insn = in;
    cpu->insn_rip = rip;
    cpu->next_rip = next;
    cpu->g->rip = rip;
    in->exec(cpu, in);
    cpu->g->rip = cpu->next_rip;
    cpu->insn = NULL;
    return cpu->next_rip != next || cpu->block_stop || cpu->block_leave;
}

static uint32_t jit_cond(struct emu_cpu *cpu, uint32_t cc)
{
    return flags_cond(cpu, cc);
}

static uint32_t jit_carry(struct emu_cpu *cpu)
{
    return flag_cf(cpu) ? LF_CARRY : 0;
}

/* ---- what the translator knows about an instruction ------------------- */

enum form {
    F_HELPER,                 /* the handler does it */
    F_NOP,
    F_MOV_RM_R,               /* 88/89: r/m <- reg */
    F_MOV_R_RM,               /* 8A/8B: reg <- r/m */
    F_MOV_RM_I,               /* C6/C7 /0 */
    F_MOV_R_I,                /* B0-BF */
    F_ALU_RM_R,               /* op r/m, reg */
    F_ALU_R_RM,               /* op reg, r/m */
    F_ALU_RM_I,               /* op r/m, imm (80/81/83, F6/F7 /0, 04/05.. via rm = rAX) */
    F_INCDEC,                 /* FE/FF /0 /1, register */
    F_NOT,                    /* F6/F7 /2 */
    F_NEG,                    /* F6/F7 /3 */
    F_SHIFT,                  /* SHL/SHR/SAR of a register by 1 or imm8 (1..width-1) */
    F_SHIFT_CL,               /* SHL/SHR/SAR of a register by CL, its flags unread */
    F_IMUL,                   /* IMUL r, r/m (0F AF) and IMUL r, r/m, imm (69, 6B) */
    F_LEA,
    F_MOVX,                   /* MOVZX, MOVSX, MOVSXD */
    F_SETCC,
    F_CMOV,                   /* register source */
    F_PUSH,                   /* 50-57, 68, 6A */
    F_POP,                    /* 58-5F */
    F_JCC,
    F_JMP,
    F_CALL,
    F_RET,
};

/* ALU operation numbers as in the group-1 ModRM.reg field; 8 is TEST. */
enum { ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6,
       ALU_CMP = 7, ALU_TEST = 8 };

struct plan {
    enum form form;
    unsigned alu;             /* ALU_* */
    unsigned cc;              /* condition of Jcc/SETcc/CMOVcc */
    unsigned size;            /* operand size */
    unsigned srcsize;         /* MOVX source */
    bool sx;                  /* MOVX sign-extends */
    uint64_t imm;
    bool mem;                 /* has a memory operand (may take the slow path) */
};

/* A memory operand the inline path can form: no 64-bit moffs, a rip-
 * relative displacement the host can add. */
static bool mem_ok(const struct insn *in)
{
    if (!in->has_mem)
        return true;
    if (!in->has_modrm || in->addrsize == 2)
        return false;
    return true;
}

static struct plan plan_of(const struct insn *in)
{
    struct plan p = { .form = F_HELPER, .size = in->opsize, .imm = in->imm, .mem = in->has_mem };
    uint32_t op = in->opcode;
    unsigned ext = (in->modrm >> 3) & 7;
    bool rr = in->has_modrm && !in->has_mem;
    if (in->lock || in->rep != REP_NONE || in->vex || !mem_ok(in))
        return p;
    if (op < 0x40 && (op & 7) <= 5) {
        p.alu = op >> 3;
        switch (op & 7) {
        case 0: case 1: p.form = F_ALU_RM_R; break;
        case 2: case 3: p.form = F_ALU_R_RM; break;
        default: p.form = F_ALU_RM_I; p.mem = false; break;   /* AL/eAX, imm */
        }
        return p;
    }
    switch (op) {
    case 0x80: case 0x81: case 0x83:
        p.form = F_ALU_RM_I;
        p.alu = ext;
        return p;
    case 0x84: case 0x85:
        p.form = F_ALU_RM_R;
        p.alu = ALU_TEST;
        return p;
    case 0xa8: case 0xa9:
        p.form = F_ALU_RM_I;
        p.alu = ALU_TEST;
        p.mem = false;
        return p;
    case 0xf6: case 0xf7:
        if (ext == 2 || ext == 3) {
            p.form = ext == 2 ? F_NOT : F_NEG;
            return p;
        }
        if (ext != 0)
            return p;
        p.form = F_ALU_RM_I;
        p.alu = ALU_TEST;
        return p;
    case 0x88: case 0x89: p.form = F_MOV_RM_R; return p;
    case 0x8a: case 0x8b: p.form = F_MOV_R_RM; return p;
    case 0xc6: case 0xc7:
        if (ext == 0)
            p.form = F_MOV_RM_I;
        return p;
    case 0x8d:
        if (in->has_mem)
            p.form = F_LEA, p.mem = false;
        return p;
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: {
        unsigned cnt = (op >= 0xd0 ? 1u : (unsigned)in->imm) & (in->opsize == 8 ? 0x3fu : 0x1fu);
        if (rr && ext >= 4 && cnt >= 1 && cnt < in->opsize * 8u) {
            p.form = F_SHIFT;
            p.alu = ext == 6 ? 4 : ext;
            p.imm = cnt;
        }
        return p;
    }
    case 0xd2: case 0xd3:
        if (rr && ext >= 4) {
            p.form = F_SHIFT_CL;
            p.alu = ext == 6 ? 4 : ext;
        }
        return p;
    case 0x0faf: case 0x69: case 0x6b:
        if (in->opsize >= 2)
            p.form = F_IMUL;
        return p;
    case 0xfe: case 0xff:
        if (rr && ext <= 1)
            p.form = F_INCDEC, p.alu = ext;
        return p;
    case 0x0fb6: case 0x0fb7: case 0x0fbe: case 0x0fbf:
        p.form = F_MOVX;
        p.srcsize = (op & 1) ? 2 : 1;
        p.sx = op >= 0x0fbe;
        return p;
    case 0x63:
        if (in->opsize == 8)
            p.form = F_MOVX, p.srcsize = 4, p.sx = true;
        return p;
    case 0x90:   /* F3 90 (PAUSE) is the machine's, and may exit */
        if (!(in->rex & 1) && in->exec != emu_sys_inline)
            p.form = F_NOP;
        return p;
    case 0x0f1f:
        p.form = F_NOP;
        p.mem = false;
        return p;
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
    case 0x68: case 0x6a:
        if (in->opsize == 8)
            p.form = F_PUSH, p.mem = true;
        return p;
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
        if (in->opsize == 8)
            p.form = F_POP, p.mem = true;
        return p;
    case 0xeb: case 0xe9:
        if (in->opsize == 8)
            p.form = F_JMP;
        return p;
    case 0xe8:
        if (in->opsize == 8)
            p.form = F_CALL, p.mem = true;
        return p;
    case 0xc3:
        if (in->opsize == 8)
            p.form = F_RET, p.mem = true;
        return p;
    default:
        break;
    }
    if (op >= 0xb0 && op <= 0xbf) {
        p.form = F_MOV_R_I;
        return p;
    }
    if ((op >= 0x70 && op <= 0x7f) || (op >= 0x0f80 && op <= 0x0f8f)) {
        if (in->opsize == 8)
            p.form = F_JCC, p.cc = op & 15;
        return p;
    }
    if (op >= 0x0f90 && op <= 0x0f9f) {
        p.form = F_SETCC;
        p.cc = op & 15;
        p.size = 1;
        return p;
    }
    if (op >= 0x0f40 && op <= 0x0f4f && rr) {
        p.form = F_CMOV;
        p.cc = op & 15;
        return p;
    }
    return p;
}

static bool alu_writes_flags(const struct plan *p)
{
    return p->form == F_ALU_RM_R || p->form == F_ALU_R_RM || p->form == F_ALU_RM_I || p->form == F_SHIFT ||
           p->form == F_IMUL || p->form == F_NEG;
}

static bool is_alu(const struct plan *p)
{
    return p->form == F_ALU_RM_R || p->form == F_ALU_R_RM || p->form == F_ALU_RM_I;
}

/* Whether the instruction reads the lazy record when it runs on the
 * mainline: a condition, the old CF, or a handler (which may read or
 * expose anything). */
static bool uses_flags(const struct plan *p)
{
    switch (p->form) {
    case F_HELPER: case F_INCDEC: case F_SETCC: case F_CMOV: case F_JCC:
        return true;
    default:
        return is_alu(p) && (p->alu == ALU_ADC || p->alu == ALU_SBB);
    }
}

/* Whether the instruction may read the lazy record: it uses it, or its
 * stub's handler may fault or exit, which exposes the flags. */
static bool reads_flags(const struct plan *p)
{
    return uses_flags(p) || p->mem;
}

/* ---- the translation context ------------------------------------------ */

/* Guest registers read often in a block are cached in r10, r11, r14, rdx
 * and r9, which nothing else in a block uses (a block's exit may: nothing
 * is cached across one).  The cache is write-through: guest registers in
 * vmcs.guest stay exact at every point (faults, exits and handlers see
 * them there), and reads that hit take the host register instead of a
 * load that waits on the store before it.  After a call none holds its
 * register (most are clobbered, and the handler may have written any
 * guest register), so a stub reloads what its resume point expects. */
#define NCACHE 5
static const int cache_host[NCACHE] = { H_R10, H_R11, H_R14, H_RDX, H_R9 };

enum setter { S_UNKNOWN, S_ADD, S_SUB, S_LOGIC, S_INC, S_DEC };
enum hostflags { HF_NONE, HF_ALL, HF_NOCF, HF_NOOF };

struct tctx {
    struct x64 a;
    struct emu_jit *j;
    struct block *self;
    const struct insn *insn;
    unsigned n;
    uint32_t off[JIT_MAX_INSNS + 1];  /* byte offset of each instruction */
    bool live[JIT_MAX_INSNS];         /* the record after it may be read */
    unsigned pend;                    /* instructions not yet counted */
    enum hostflags hf;
    enum setter setter;
    unsigned setter_size;
    /* Jumps to each instruction's slow-path stub. */
    uint8_t *slow[JIT_MAX_INSNS][6];
    unsigned nslow[JIT_MAX_INSNS];
    unsigned pend_at[JIT_MAX_INSNS];
    uint8_t *resume[JIT_MAX_INSNS + 1];
    uint8_t *body;                    /* after the entry's RIP move: where a self-loop goes */
    uint8_t *plus1[JIT_MAX_INSNS * 2];
    unsigned nplus1;
    unsigned cur;
    /* The register cache (ld/st): the guest register each cache register
     * holds (-1: none), whether it holds it at this point of the mainline,
     * and which ones do at the start of each instruction (for the stubs
     * that resume there). */
    int cache_reg[NCACHE];
    bool cache_valid[NCACHE];
    uint8_t valid_at[JIT_MAX_INSNS + 1];
    /* The host flags the mainline has at the start of each instruction,
     * which a stub that resumes there redoes. */
    enum hostflags hf_at[JIT_MAX_INSNS + 1];
    enum setter setter_at[JIT_MAX_INSNS + 1];
    unsigned setter_size_at[JIT_MAX_INSNS + 1];
    const struct plan *plans;
    /* By instruction: the one whose record the mainline leaves unstored
     * and this instruction's stub rebuilds before its handler (-1: none;
     * defer_record). */
    int8_t rebuild[JIT_MAX_INSNS];
};

/* Whether the record of instruction i is left to the stubs after it. */
static bool deferred(const struct tctx *t, unsigned i)
{
    return i + 1 < t->n && t->rebuild[i + 1] == (int8_t)i;
}

static void to_slow(struct tctx *t, uint8_t *patch)
{
    unsigned i = t->cur;
    if (t->nslow[i] < 6)
        t->slow[i][t->nslow[i]++] = patch;
    else
        t->a.full = true;
}

static void to_plus1(struct tctx *t, uint8_t *patch)
{
    if (t->nplus1 < JIT_MAX_INSNS * 2)
        t->plus1[t->nplus1++] = patch;
    else
        t->a.full = true;
}

static void count_add(struct tctx *t, unsigned k)
{
    if (k)
        x_lea(&t->a, R_COUNT, xm(R_COUNT, (int32_t)k));
}

/* The count plus `k` into the emu_cpu, before a call that may abort (a
 * fault or an exit leaves the translated code without returning). */
static void count_sync(struct tctx *t, unsigned k)
{
    int h = R_COUNT;
    if (k) {
        x_lea(&t->a, H_RAX, xm(R_COUNT, (int32_t)k));
        h = H_RAX;
    }
    x_store(&t->a, 8, h, xm(R_CPU, OFF_CPU(jit_instructions)));
}

/* rflags = whether the call's budget is spent (jge). */
static void budget_test(struct x64 *a)
{
    x_rm(a, 8, 0x3b, R_COUNT, xm(H_RSP, STK_LIMIT));
}

/* The guest register a memory operand names (-1: none), and whether it
 * names all 8 bytes of it. */
static int gpr_of(struct x64_mem m, bool *whole)
{
    if (m.base != R_G || m.index >= 0 || m.disp < 0 || m.disp >= 16 * 8)
        return -1;
    *whole = (m.disp & 7) == 0;
    return m.disp / 8;
}

static int cache_slot(const struct tctx *t, int reg)
{
    for (int k = 0; k < NCACHE; k++)
        if (reg >= 0 && t->cache_reg[k] == reg)
            return k;
    return -1;
}

/* x_load_ext through the register cache. */
static void ld_ext(struct tctx *t, unsigned size, bool sign, int h, struct x64_mem m)
{
    bool whole;
    int k = cache_slot(t, gpr_of(m, &whole));
    if (k < 0 || !whole) {
        x_load_ext(&t->a, size, sign, h, m);
        return;
    }
    int c = cache_host[k];
    if (!t->cache_valid[k]) {
        x_load(&t->a, 8, c, m);
        t->cache_valid[k] = true;
    }
    if (size == 8)
        x_mov_rr(&t->a, 8, h, c);
    else if (size == 4 && !sign)
        x_mov_rr(&t->a, 4, h, c);
    else if (sign)
        x_rr(&t->a, 8, size == 1 ? 0x0fbe : size == 2 ? 0x0fbf : 0x63, h, c);
    else
        x_rr(&t->a, 4, size == 1 ? 0x0fb6 : 0x0fb7, h, c);
}

/* A host register holding all 8 bytes of guest register `reg`: its cache
 * register, or `scratch` loaded from vmcs.guest. */
static int gpr64(struct tctx *t, int reg, int scratch)
{
    int k = cache_slot(t, reg);
    if (k < 0) {
        x_load(&t->a, 8, scratch, xm(R_G, reg * 8));
        return scratch;
    }
    if (!t->cache_valid[k]) {
        x_load(&t->a, 8, cache_host[k], xm(R_G, reg * 8));
        t->cache_valid[k] = true;
    }
    return cache_host[k];
}

static void ld(struct tctx *t, unsigned size, int h, struct x64_mem m)
{
    ld_ext(t, size, false, h, m);
}

/* x_store, keeping the register cache current. */
static void st(struct tctx *t, unsigned size, int h, struct x64_mem m)
{
    x_store(&t->a, size, h, m);
    bool whole;
    int k = cache_slot(t, gpr_of(m, &whole));
    if (k < 0)
        return;
    if (size == 8 && whole) {
        x_mov_rr(&t->a, 8, cache_host[k], h);
        t->cache_valid[k] = true;
    } else {
        t->cache_valid[k] = false;      /* a part written: read it from memory */
    }
}

static uint8_t cache_valid_mask(const struct tctx *t)
{
    uint8_t m = 0;
    for (int k = 0; k < NCACHE; k++)
        m |= (uint8_t)(t->cache_valid[k] << k);
    return m;
}

static void note_resume(struct tctx *t, unsigned i)
{
    t->resume[i] = t->a.p;
    t->valid_at[i] = cache_valid_mask(t);
    t->hf_at[i] = t->hf;
    t->setter_at[i] = t->setter;
    t->setter_size_at[i] = t->setter_size;
}

/* The guest register `reg` of `size` bytes as a memory operand (AH..BH
 * for byte registers 4-7 without REX). */
static struct x64_mem gpr_mem(const struct insn *in, unsigned reg, unsigned size)
{
    if (size == 1 && !in->rex && reg >= 4 && reg < 8)
        return xm(R_G, (int32_t)((reg - 4) * 8 + 1));
    return xm(R_G, (int32_t)(reg * 8));
}

/* Store host register `h` (zero-extended at `size`) to a guest register:
 * 32-bit writes clear the upper half, narrower ones merge. */
static void gpr_store(struct tctx *t, const struct insn *in, unsigned reg, unsigned size, int h)
{
    st(t, size == 4 ? 8 : size, h, gpr_mem(in, reg, size));
}

static void emit_ea(struct tctx *t, const struct insn *in, bool segbase);
static void emit_tlb(struct tctx *t, unsigned kind, unsigned size);

/* The r/m operand of `size` bytes as a host operand: the guest register,
 * or the guest memory at [rsi] after the TLB hit path for `kind` (whose
 * stub's handler rejoins without the host flags). */
static struct x64_mem rm_operand(struct tctx *t, const struct insn *in, unsigned kind, unsigned size)
{
    if (!in->has_mem)
        return gpr_mem(in, in->rm, size);
    emit_ea(t, in, true);
    emit_tlb(t, kind, size);
    t->hf = HF_NONE;
    return xm(H_RSI, 0);
}

/* Write host register `h` to the r/m operand `dst` from rm_operand. */
static void rm_store(struct tctx *t, const struct insn *in, struct x64_mem dst, unsigned size, int h)
{
    if (in->has_mem)
        st(t, size, h, dst);
    else
        gpr_store(t, in, in->rm, size, h);
}

static void helper_call(struct tctx *t, const void *fn)
{
    x_call_abs(&t->a, fn);
    for (int k = 0; k < NCACHE; k++)
        t->cache_valid[k] = false;
}

/* Effective address (offset) of the memory operand into rsi; with
 * `segbase`, the FS/GS base is added (the linear address). */
static void emit_ea(struct tctx *t, const struct insn *in, bool segbase)
{
    struct x64 *a = &t->a;
    int32_t disp = (int32_t)in->disp;
    if (in->rip_relative) {
        int64_t d = (int64_t)t->off[t->cur] + in->len + in->disp;
        if (d == (int32_t)d) {
            x_lea(a, H_RSI, xm(R_RIP, (int32_t)d));
        } else {
            x_mov_imm(a, H_RSI, (uint64_t)d);
            x_rr(a, 8, 0x01, R_RIP, H_RSI);
        }
    } else if (in->base >= 0) {
        int base = gpr64(t, in->base, H_RSI);
        if (in->index >= 0) {
            int index = gpr64(t, in->index, H_RDI);
            x_lea(a, H_RSI, (struct x64_mem){ .base = base, .index = index, .scale = in->scale, .disp = disp });
        } else if (disp) {
            x_lea(a, H_RSI, xm(base, disp));
        } else if (base != H_RSI) {
            x_mov_rr(a, 8, H_RSI, base);
        }
    } else if (in->index >= 0) {
        int index = gpr64(t, in->index, H_RDI);
        x_lea(a, H_RSI, (struct x64_mem){ .base = -1, .index = index, .scale = in->scale, .disp = disp });
    } else {
        x_mov_imm(a, H_RSI, (uint64_t)(int64_t)disp);
    }
    if (in->addrsize == 4)
        x_mov_rr(a, 4, H_RSI, H_RSI);
    int s = ea_seg_of(in);
    if (segbase && s >= SEG_FS) {
        int32_t base = OFF_G(seg) + (int32_t)((size_t)s * sizeof(struct vmx_segment) + offsetof(struct vmx_segment, base));
        x_rm(a, 8, 0x03, H_RSI, xm(R_G, base));
    }
}

/* The TLB hit path for an access of `kind` and `size` at the linear
 * address in rsi: the host address into rsi, or a jump to the stub.
 * Uses rsi, rdi and r8 only. */
static void emit_tlb(struct tctx *t, unsigned kind, unsigned size)
{
    struct x64 *a = &t->a;
    int32_t row = (int32_t)kind * TLB_KIND_STRIDE;
    x_mov_rr(a, 8, H_RDI, H_RSI);
    x_shift_ri(a, 8, 5, H_RDI, 12 - 5);
    x_alu_ri(a, 4, 4, H_RDI, (int32_t)((TLB_SIZE - 1) << 5));   /* the entry's offset in its row */
    /* The tag of the access's last byte: a page-crossing access cannot
     * match the entry of its first byte's page. */
    x_lea(a, H_R8, xm(H_RSI, (int32_t)size - 1));
    x_alu_ri(a, 8, 4, H_R8, -4096);
    x_rm(a, 8, 0x3b, H_R8, (struct x64_mem){ .base = R_TLB, .index = H_RDI, .scale = 1, .disp = row });
    /* A store entry never maps a page that holds blocks (tlb.h): a store
     * to one misses and its stub's handler sets block_stop. */
    to_slow(t, x_jcc32(a, HCC_NZ));
    x_rm(a, 8, 0x03, H_RSI, (struct x64_mem){ .base = R_TLB, .index = H_RDI, .scale = 1, .disp = row + 8 });
}

/* A jump, returned to be patched, taken when the branch target in `h` is
 * not canonical; clobbers rdi. */
static uint8_t *emit_noncanonical_jump(struct x64 *a, int h)
{
    x_mov_rr(a, 8, H_RDI, h);
    x_shift_ri(a, 8, 4, H_RDI, 16);
    x_shift_ri(a, 8, 7, H_RDI, 16);
    x_rr(a, 8, 0x39, h, H_RDI);
    return x_jcc32(a, HCC_NZ);
}

/* To the stub (whose handler raises #GP) when the branch target in `h` is
 * not canonical. */
static void emit_canonical(struct tctx *t, int h)
{
    to_slow(t, emit_noncanonical_jump(&t->a, h));
}

/* ---- flags ------------------------------------------------------------ */

static unsigned host_alu_op(unsigned alu, unsigned size)
{
    static const uint8_t ops[9] = { 0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x29, 0x21 };
    return ops[alu] - (size == 1);
}

/* The record's operation and size are one 32-bit store. */
_Static_assert(sizeof(((struct emu_cpu *)0)->lf_op) == 2 &&
               offsetof(struct emu_cpu, lf_size) == offsetof(struct emu_cpu, lf_op) + 2,
               "lf_op and lf_size are written together");

static uint32_t op_and_size(uint32_t lf, unsigned size)
{
    return lf | size << 16;
}

static void record(struct tctx *t, uint32_t lf, unsigned size)
{
    x_store_imm(&t->a, 4, xm(R_CPU, OFF_CPU(lf_op)), op_and_size(lf, size));
}

static bool uses_cf(unsigned cc)
{
    return (cc >> 1) == 1 || (cc >> 1) == 3;
}

static bool uses_of(unsigned cc)
{
    return (cc >> 1) == 0 || (cc >> 1) == 6 || (cc >> 1) == 7;
}

/* Whether one host instruction on the record redoes all the flags of the
 * operation that wrote it (emit_record_flags). */
static bool redoable(enum setter s)
{
    return s == S_SUB || s == S_ADD || s == S_LOGIC;
}

/* The host flags of a redoable operation of `size`, from its record;
 * clobbers rax. */
static void emit_record_flags(struct tctx *t, enum setter s, unsigned sz)
{
    struct x64 *a = &t->a;
    if (s == S_LOGIC) {
        x_load(a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_res)));
        x_rr(a, sz, sz == 1 ? 0x84 : 0x85, H_RAX, H_RAX);
    } else {
        x_load(a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_src1)));
        x_rm(a, sz, (s == S_SUB ? 0x3b : 0x03) - (sz == 1), H_RAX, xm(R_CPU, OFF_CPU(lf_src2)));
    }
}

/* After an operation with a memory operand: its stub's handler rejoins
 * the mainline without the host's flags, and redoes them from the record
 * the handler wrote where it can (emit_stub); else the mainline has none. */
static void rejoin_flags(struct tctx *t)
{
    if (!redoable(t->setter))
        t->hf = HF_NONE;
}

/* Make the host flags those of the guest for condition `cc`; returns the
 * host condition to test. */
static unsigned emit_cond(struct tctx *t, unsigned cc)
{
    struct x64 *a = &t->a;
    unsigned sz = t->setter_size;
    if (t->hf == HF_ALL || (t->hf == HF_NOCF && !uses_cf(cc)) || (t->hf == HF_NOOF && !uses_of(cc)))
        return cc;
    switch (t->setter) {
    case S_SUB:
    case S_ADD:
    case S_LOGIC:
        emit_record_flags(t, t->setter, sz);
        return cc;
    case S_INC:
    case S_DEC:
        if (uses_cf(cc))
            break;
        x_load(&t->a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_src1)));
        x_rr(a, sz, sz == 1 ? 0xfe : 0xff, t->setter == S_DEC, H_RAX);
        return cc;
    default:
        break;
    }
    x_mov_rr(a, 8, H_RDI, R_CPU);
    x_mov_imm(a, H_RSI, cc);
    helper_call(t, (const void *)jit_cond);
    x_rr(a, 4, 0x85, H_RAX, H_RAX);
    t->hf = HF_NONE;
    return HCC_NZ;
}

/* ---- instructions ------------------------------------------------------ */

/* op rax(a), rcx(b) at `size` (rcx: the immediate `imm` itself where
 * `imm_direct`), and the record. */
static void emit_alu_core(struct tctx *t, const struct plan *p, bool live, bool imm_direct, int32_t imm)
{
    struct x64 *a = &t->a;
    bool logic = p->alu == ALU_AND || p->alu == ALU_OR || p->alu == ALU_XOR || p->alu == ALU_TEST;
    if (live && !logic) {
        x_store(&t->a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_src1)));
        x_store(&t->a, 8, H_RCX, xm(R_CPU, OFF_CPU(lf_src2)));
    }
    bool carry_in = p->alu == ALU_ADC || p->alu == ALU_SBB;
    bool add = p->alu == ALU_ADD || p->alu == ALU_ADC;
    if (carry_in)
        x_alu_mi(a, 1, 0, xm(H_RSP, STK_CARRY), -1);    /* CF = the guest's (emit_alu) */
    if (imm_direct)
        x_alu_ri(a, p->size, p->alu, H_RAX, imm);
    else
        x_rr(a, p->size, host_alu_op(p->alu, p->size), H_RCX, H_RAX);
    if (live) {
        x_store(&t->a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_res)));
        record(t, logic ? LF_LOGIC : add ? LF_ADD : LF_SUB, p->size);
    }
    /* One host ADD or CMP of the record's sources cannot redo ADC/SBB
     * (the carry-in). */
    t->setter = logic ? S_LOGIC : carry_in ? S_UNKNOWN : add ? S_ADD : S_SUB;
    t->setter_size = p->size;
    t->hf = HF_ALL;
}

static bool alu_writes(unsigned alu)
{
    return alu != ALU_CMP && alu != ALU_TEST;
}

static void emit_alu(struct tctx *t, const struct insn *in, const struct plan *p, bool live)
{
    struct x64 *a = &t->a;
    unsigned sz = p->size;
    uint64_t m = size_mask(sz);
    bool imm_form = p->form == F_ALU_RM_I;
    /* The r/m operand: AL/eAX forms (04/05, A8/A9) name rAX. */
    bool acc = imm_form && !in->has_modrm;
    if (p->alu == ALU_ADC || p->alu == ALU_SBB) {
        /* The guest's CF onto the stack first: the TLB path below
         * clobbers the host's flags, and a condition helper the scratch
         * registers. */
        unsigned hcc = emit_cond(t, 2);
        x_rm(a, 1, 0x0f90 | hcc, 0, xm(H_RSP, STK_CARRY));     /* setcc [rsp + STK_CARRY] */
    }
    if (in->has_mem) {
        emit_ea(t, in, true);
        emit_tlb(t, p->form == F_ALU_R_RM ? ACC_READ : alu_writes(p->alu) ? ACC_RMW : ACC_READ, sz);
    }
    struct x64_mem rm = in->has_mem ? xm(H_RSI, 0) : gpr_mem(in, acc ? 0 : in->rm, sz);
    /* Without a record to keep, the immediate goes into the host's
     * instruction (TEST has no group-1 form, ADC and SBB keep theirs). */
    bool imm_direct = imm_form && !live && p->alu <= ALU_CMP && p->alu != ALU_ADC && p->alu != ALU_SBB;
    switch (p->form) {
    case F_ALU_RM_R:
        ld(t, sz, H_RAX, rm);
        ld(t, sz, H_RCX, gpr_mem(in, in->reg, sz));
        break;
    case F_ALU_R_RM:
        ld(t, sz, H_RAX, gpr_mem(in, in->reg, sz));
        ld(t, sz, H_RCX, rm);
        break;
    default:
        ld(t, sz, H_RAX, rm);
        if (!imm_direct)
            x_mov_imm(a, H_RCX, sz == 8 ? p->imm : p->imm & m);
        break;
    }
    emit_alu_core(t, p, live, imm_direct, (int32_t)(sz == 8 ? p->imm : p->imm & m));
    if (alu_writes(p->alu)) {
        if (p->form == F_ALU_R_RM)
            gpr_store(t, in, in->reg, sz, H_RAX);
        else if (in->has_mem)
            st(t, sz, H_RAX, rm);
        else
            gpr_store(t, in, acc ? 0 : in->rm, sz, H_RAX);
    }
    if (in->has_mem)
        rejoin_flags(t);
}

/* NOT leaves the flags alone. */
static void emit_not(struct tctx *t, const struct insn *in, const struct plan *p)
{
    unsigned sz = p->size;
    struct x64_mem dst = rm_operand(t, in, ACC_RMW, sz);
    ld(t, sz, H_RAX, dst);
    x_rr(&t->a, sz, sz == 1 ? 0xf6 : 0xf7, 2, H_RAX);
    rm_store(t, in, dst, sz, H_RAX);
}

/* NEG sets the flags of 0 - x: the record of a SUB. */
static void emit_neg(struct tctx *t, const struct insn *in, const struct plan *p, bool live)
{
    unsigned sz = p->size;
    struct x64_mem dst = rm_operand(t, in, ACC_RMW, sz);
    ld(t, sz, H_RCX, dst);
    x_mov_imm(&t->a, H_RAX, 0);
    struct plan q = *p;
    q.alu = ALU_SUB;
    emit_alu_core(t, &q, live, false, 0);
    rm_store(t, in, dst, sz, H_RAX);
    if (in->has_mem)
        rejoin_flags(t);
}

static void emit_incdec(struct tctx *t, const struct insn *in, const struct plan *p, bool live)
{
    struct x64 *a = &t->a;
    unsigned sz = p->size;
    /* The old CF (LF_CARRY or 0) into edi. */
    if (t->setter == S_LOGIC) {
        x_mov_imm(a, H_RDI, 0);
    } else if (t->setter == S_INC || t->setter == S_DEC) {
        x_load(&t->a, 4, H_RDI, xm(R_CPU, OFF_CPU(lf_op)));
        x_alu_ri(a, 4, 4, H_RDI, LF_CARRY);
    } else if (t->setter == S_ADD || t->setter == S_SUB || t->hf == HF_ALL || t->hf == HF_NOOF) {
        emit_cond(t, 2);
        x_setcc(a, 2, H_RDI);
        x_rr(a, 4, 0x0fb6, H_RDI, H_RDI);
        x_shift_ri(a, 4, 4, H_RDI, 8);
    } else {
        x_mov_rr(a, 8, H_RDI, R_CPU);
        helper_call(t, (const void *)jit_carry);
        x_mov_rr(a, 4, H_RDI, H_RAX);
    }
    /* The record's operation, before the host's INC/DEC sets the flags a
     * condition may use. */
    x_alu_ri(a, 4, 1, H_RDI, (int32_t)op_and_size(p->alu ? LF_DEC : LF_INC, sz));
    ld(t, sz, H_RAX, gpr_mem(in, in->rm, sz));
    if (live)
        x_store(&t->a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_src1)));
    x_rr(a, sz, sz == 1 ? 0xfe : 0xff, (int)p->alu, H_RAX);
    gpr_store(t, in, in->rm, sz, H_RAX);
    if (live) {
        x_store(&t->a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_res)));
        x_store_imm(a, 8, xm(R_CPU, OFF_CPU(lf_src2)), 1);
        x_store(&t->a, 4, H_RDI, xm(R_CPU, OFF_CPU(lf_op)));
    }
    t->setter = p->alu ? S_DEC : S_INC;
    t->setter_size = sz;
    t->hf = HF_NOCF;
}

/* The lazy record of a shift, by its group-2 ModRM.reg (4 SHL, 5 SHR, 7 SAR). */
static const uint32_t shift_lf[8] = { [4] = LF_SHL, [5] = LF_SHR, [7] = LF_SAR };

/* A shift of a register by a constant 1..width-1 keeps the lazy record
 * of flags.h (LF_SHL/SHR/SAR: the value shifted and the count), whose
 * flags are those exec_shift.c sets.  The host's own CF, ZF, SF and PF are
 * the guest's after it; its OF is the guest's only for a count of 1. */
static void emit_shift(struct tctx *t, const struct insn *in, const struct plan *p, bool live)
{
    struct x64 *a = &t->a;
    unsigned sz = p->size;
    ld(t, sz, H_RAX, gpr_mem(in, in->rm, sz));
    if (live || deferred(t, t->cur))
        x_store(&t->a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_src1)));
    x_shift_ri(a, sz, p->alu, H_RAX, (uint8_t)p->imm);
    gpr_store(t, in, in->rm, sz, H_RAX);
    if (live) {
        x_store(&t->a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_res)));
        x_store_imm(a, 8, xm(R_CPU, OFF_CPU(lf_src2)), (int32_t)p->imm);
        record(t, shift_lf[p->alu], sz);
    }
    t->setter = S_UNKNOWN;
    t->hf = p->imm == 1 ? HF_ALL : HF_NOOF;
}

/* A shift of a register by CL: the host's shift masks the count as the
 * guest's does, and a 32-bit destination is written (zero-extended) even
 * when the count is 0, as exec_shift.c does.  Where the flags may be read
 * (32- and 64-bit operands only, whose masked count is below the width,
 * as the LF_SHL/SHR/SAR record needs), a count of 0 leaves the record
 * alone and any other count writes it. */
static void emit_shift_cl(struct tctx *t, const struct insn *in, const struct plan *p, bool live)
{
    struct x64 *a = &t->a;
    unsigned sz = p->size;
    ld(t, 1, H_RCX, xm(R_G, GPR_RCX * 8));
    ld(t, sz, H_RAX, gpr_mem(in, in->rm, sz));
    if (live)
        x_mov_rr(a, 8, H_RDI, H_RAX);
    x_prefix(a, sz, 0, -1, H_RAX, sz == 1);
    x_byte(a, sz == 1 ? 0xd2 : 0xd3);
    x_byte(a, (uint8_t)(0xc0 | p->alu << 3));               /* shl/shr/sar rax, cl */
    gpr_store(t, in, in->rm, sz, H_RAX);
    if (live) {
        x_alu_ri(a, 4, 4, H_RCX, sz == 8 ? 63 : 31);
        uint8_t *unchanged = x_jcc32(a, HCC_Z);
        x_store(a, 8, H_RDI, xm(R_CPU, OFF_CPU(lf_src1)));
        x_store(a, 8, H_RCX, xm(R_CPU, OFF_CPU(lf_src2)));
        x_store(a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_res)));
        record(t, shift_lf[p->alu], sz);
        x_patch(a, unchanged, a->p);
    }
    t->setter = S_UNKNOWN;
    t->hf = HF_NONE;
}

/* IMUL keeps the lazy record of flags.h (LF_MUL): CF and OF on overflow
 * and, where the SDM leaves them undefined, SF and PF from the result with
 * ZF and AF clear, as exec_muldiv.c sets them. */
static void emit_imul(struct tctx *t, const struct insn *in, const struct plan *p, bool live)
{
    struct x64 *a = &t->a;
    unsigned sz = p->size;
    struct x64_mem src = rm_operand(t, in, ACC_READ, sz);
    if (in->opcode == 0x0faf) {
        ld(t, sz, H_RAX, gpr_mem(in, in->reg, sz));
        ld(t, sz, H_RCX, src);
    } else {
        ld(t, sz, H_RAX, src);
        x_mov_imm(a, H_RCX, sz == 8 ? p->imm : p->imm & size_mask(sz));
    }
    x_rr(a, sz, 0x0faf, H_RAX, H_RCX);
    if (live)
        x_setcc(a, HCC_B, H_RDI);
    if (sz == 4)
        x_mov_rr(a, 4, H_RAX, H_RAX);
    gpr_store(t, in, in->reg, sz, H_RAX);
    if (live) {
        x_rr(a, 4, 0x0fb6, H_RDI, H_RDI);               /* movzx edi, dil: the overflow */
        x_store(a, 8, H_RDI, xm(R_CPU, OFF_CPU(lf_src1)));
        x_store(a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_res)));
        record(t, LF_MUL, sz);
    }
    t->setter = S_UNKNOWN;
    t->hf = HF_NONE;
}

static void emit_mov(struct tctx *t, const struct insn *in, const struct plan *p)
{
    struct x64 *a = &t->a;
    unsigned sz = p->size;
    switch (p->form) {
    case F_MOV_RM_R: {
        struct x64_mem dst = rm_operand(t, in, ACC_WRITE, sz);
        ld(t, sz, H_RAX, gpr_mem(in, in->reg, sz));
        rm_store(t, in, dst, sz, H_RAX);
        break;
    }
    case F_MOV_R_RM:
        ld(t, sz, H_RAX, rm_operand(t, in, ACC_READ, sz));
        gpr_store(t, in, in->reg, sz, H_RAX);
        break;
    case F_MOV_RM_I: {
        struct x64_mem dst = rm_operand(t, in, ACC_WRITE, sz);
        x_mov_imm(a, H_RAX, p->imm & size_mask(sz));
        rm_store(t, in, dst, sz, H_RAX);
        break;
    }
    default: /* F_MOV_R_I */
        x_mov_imm(a, H_RAX, p->imm & size_mask(sz));
        gpr_store(t, in, opcode_reg(in), sz, H_RAX);
        break;
    }
}

static void emit_movx(struct tctx *t, const struct insn *in, const struct plan *p)
{
    struct x64 *a = &t->a;
    struct x64_mem src = rm_operand(t, in, ACC_READ, p->srcsize);
    ld_ext(t, p->srcsize, p->sx, H_RAX, src);
    if (p->size == 4 && p->sx)
        x_mov_rr(a, 4, H_RAX, H_RAX);       /* a zero-extending load cleared the rest */
    gpr_store(t, in, in->reg, p->size, H_RAX);
}

static void emit_lea(struct tctx *t, const struct insn *in, const struct plan *p)
{
    emit_ea(t, in, false);
    if (p->size == 4)
        x_mov_rr(&t->a, 4, H_RSI, H_RSI);
    gpr_store(t, in, in->reg, p->size, H_RSI);
}

static void emit_setcc(struct tctx *t, const struct insn *in, const struct plan *p)
{
    struct x64 *a = &t->a;
    unsigned hcc = emit_cond(t, p->cc);
    x_setcc(a, hcc, H_RAX);
    if (in->has_mem) {
        emit_ea(t, in, true);
        emit_tlb(t, ACC_WRITE, 1);
        st(t, 1, H_RAX, xm(H_RSI, 0));
        t->hf = HF_NONE;
    } else {
        gpr_store(t, in, in->rm, 1, H_RAX);
    }
}

static void emit_cmov(struct tctx *t, const struct insn *in, const struct plan *p)
{
    struct x64 *a = &t->a;
    unsigned sz = p->size, hcc = emit_cond(t, p->cc);
    ld(t, sz, H_RAX, gpr_mem(in, in->reg, sz));
    ld(t, sz, H_RCX, gpr_mem(in, in->rm, sz));
    x_rr(a, sz == 1 ? 4 : sz, 0x0f40 | hcc, H_RAX, H_RCX);
    gpr_store(t, in, in->reg, sz, H_RAX);
}

/* RSP += delta, after the stack access. */
static void emit_rsp_add(struct tctx *t, int32_t delta)
{
    ld(t, 8, H_RDI, xm(R_G, GPR_RSP * 8));
    x_lea(&t->a, H_RDI, xm(H_RDI, delta));
    st(t, 8, H_RDI, xm(R_G, GPR_RSP * 8));
}

/* Push the 8 bytes in host register `h` (not rsi, rdi or r8): the store
 * through the TLB hit path first, RSP last. */
static void emit_push_reg(struct tctx *t, int h)
{
    ld(t, 8, H_RSI, xm(R_G, GPR_RSP * 8));
    x_lea(&t->a, H_RSI, xm(H_RSI, -8));
    emit_tlb(t, ACC_WRITE, 8);
    st(t, 8, h, xm(H_RSI, 0));
    emit_rsp_add(t, -8);
    t->hf = HF_NONE;
}

static void emit_push(struct tctx *t, const struct insn *in, const struct plan *p)
{
    if (in->opcode == 0x68 || in->opcode == 0x6a)
        x_mov_imm(&t->a, H_RAX, p->imm);
    else
        ld(t, 8, H_RAX, xm(R_G, (int32_t)opcode_reg(in) * 8));
    emit_push_reg(t, H_RAX);
}

static void emit_pop(struct tctx *t, const struct insn *in)
{
    ld(t, 8, H_RSI, xm(R_G, GPR_RSP * 8));
    emit_tlb(t, ACC_READ, 8);
    ld(t, 8, H_RAX, xm(H_RSI, 0));
    emit_rsp_add(t, 8);
    st(t, 8, H_RAX, xm(R_G, (int32_t)opcode_reg(in) * 8));
    t->hf = HF_NONE;
}

static uint8_t *emit_chain_from_rip_check(struct tctx *t, unsigned k);

/* Leave the block with RIP in rax by its link `k` (0: falling through,
 * 1: a branch): straight into the next block's code when the link is
 * current, names that RIP and the call's budget is not spent (the checks
 * the block engine's loop makes between blocks), else through the shared
 * slow path (emit_chain_code).  Every exit has its own indirect jump, so
 * the host predicts each one by itself. */
static void emit_chain(struct tctx *t, unsigned k)
{
    x_patch(&t->a, emit_chain_from_rip_check(t, k), t->j->chain);
}

/* Leave by link `k` for the direct-branch target in rax, for which
 * `counted` instructions were counted: a target equal to the link's
 * RIP is canonical (links are made to RIPs that ran), so the check for the
 * #GP is on the miss path alone; there a non-canonical target undoes the
 * count and takes the instruction's stub. */
static void emit_chain_unchecked(struct tctx *t, unsigned k, unsigned counted)
{
    struct x64 *a = &t->a;
    uint8_t *miss = emit_chain_from_rip_check(t, k);
    x_patch(a, miss, a->p);
    uint8_t *bad = emit_noncanonical_jump(a, H_RAX);
    x_jmp_to(a, t->j->chain);
    x_patch(a, bad, a->p);
    x_lea(a, R_COUNT, xm(R_COUNT, -(int32_t)counted));
    to_slow(t, x_jmp32(a));
}

/* The link's checks, returning the rel32 of the jump taken when rax is
 * not the link's RIP. */
static uint8_t *emit_chain_from_rip_check(struct tctx *t, unsigned k)
{
    struct x64 *a = &t->a;
    x_mov_imm(a, H_RCX, (uint64_t)(uintptr_t)&t->self->link[k]);
    x_rm(a, 8, 0x3b, H_RAX, xm(H_RCX, (int32_t)offsetof(struct link, rip)));
    uint8_t *miss1 = x_jcc32(a, HCC_NZ);
    x_load(&t->a, 4, H_RDX, xm(H_RSP, STK_CHAIN_GEN));
    x_rm(a, 4, 0x3b, H_RDX, xm(H_RCX, (int32_t)offsetof(struct link, gen)));
    uint8_t *miss2 = x_jcc32(a, HCC_NZ);
    budget_test(a);
    uint8_t *miss3 = x_jcc32(a, HCC_GE);
    x_rm(a, 4, 0xff, 4, xm(H_RCX, (int32_t)offsetof(struct link, code)));  /* jmp [rcx+code] */
    x_patch(a, miss2, t->j->chain);
    x_patch(a, miss3, t->j->chain);
    return miss1;
}

/* The end of a block: RIP = rax, count, on by link `k`.  RIP reaches
 * vmcs.guest only where it leaves translated code (emit_chain_code): the
 * next block does not read it there, and every handler it calls gets its
 * RIP from jit_exec_insn. */
static void end_at_rax(struct tctx *t, unsigned k)
{
    count_add(t, t->pend + 1);
    emit_chain(t, k);
}

static void emit_branch(struct tctx *t, const struct insn *in, const struct plan *p)
{
    struct x64 *a = &t->a;
    uint32_t next = t->off[t->cur] + in->len;
    uint8_t *not_taken = NULL;
    bool valid[NCACHE];
    if (p->form == F_JCC) {
        unsigned hcc = emit_cond(t, p->cc);
        not_taken = x_jcc32(a, hcc ^ 1);
    }
    memcpy(valid, t->cache_valid, sizeof(valid));
    if (p->form == F_RET) {
        ld(t, 8, H_RSI, xm(R_G, GPR_RSP * 8));
        emit_tlb(t, ACC_READ, 8);
        ld(t, 8, H_RAX, xm(H_RSI, 0));
        emit_canonical(t, H_RAX);
        emit_rsp_add(t, 8);
        end_at_rax(t, 1);
    } else if (p->form != F_CALL && (int64_t)next + (int64_t)p->imm == 0) {
        /* A loop that is this block: straight back to its body, with the
         * checks a link makes (the block is alive: blocks die only in the
         * loop, and its RIP is r12) but the budget's. */
        count_add(t, t->pend + 1);
        budget_test(a);
        uint8_t *spent = x_jcc32(a, HCC_GE);
        x_jmp_to(a, t->body);
        x_patch(a, spent, a->p);
        x_mov_rr(a, 8, H_RAX, R_RIP);
        emit_chain(t, 1);
    } else if (p->form != F_CALL && (int64_t)next + (int64_t)p->imm == (int32_t)((int64_t)next + (int64_t)p->imm)) {
        x_lea(a, H_RAX, xm(R_RIP, (int32_t)((int64_t)next + (int64_t)p->imm)));
        count_add(t, t->pend + 1);
        emit_chain_unchecked(t, 1, t->pend + 1);
    } else {
        /* A CALL to a non-canonical target pushes nothing: the check comes
         * first. */
        x_lea(a, H_RAX, xm(R_RIP, (int32_t)next));
        if (p->form == F_CALL)
            x_mov_rr(a, 8, H_RCX, H_RAX);
        x_mov_imm(a, H_RSI, p->imm);
        x_rr(a, 8, 0x01, H_RSI, H_RAX);
        emit_canonical(t, H_RAX);
        if (p->form == F_CALL)
            emit_push_reg(t, H_RCX);       /* the return address; rax keeps the target */
        end_at_rax(t, 1);
    }
    if (not_taken) {
        x_patch(a, not_taken, a->p);
        memcpy(t->cache_valid, valid, sizeof(valid));   /* what held before the taken path */
        x_lea(a, H_RAX, xm(R_RIP, (int32_t)next));
        end_at_rax(t, 0);
    }
}

/* The whole instruction through its handler, in line. */
static void emit_helper(struct tctx *t, const struct insn *in)
{
    struct x64 *a = &t->a;
    count_add(t, t->pend);
    t->pend = 0;
    count_sync(t, 0);
    x_mov_rr(a, 8, H_RDI, R_CPU);
    x_mov_imm(a, H_RSI, (uint64_t)(uintptr_t)in);
    x_lea(a, H_RDX, xm(R_RIP, (int32_t)t->off[t->cur]));
    helper_call(t, (const void *)jit_exec_insn);
    x_rr(a, 4, 0x85, H_RAX, H_RAX);
    to_plus1(t, x_jcc32(a, HCC_NZ));
    t->setter = S_UNKNOWN;
    t->hf = HF_NONE;
}

static bool is_branch(enum form f)
{
    return f == F_JCC || f == F_JMP || f == F_CALL || f == F_RET;
}

/* ---- records a stub rebuilds ------------------------------------------ */

/* A flag record that nothing on the mainline reads before the next
 * instruction replaces it is still read where an instruction in between
 * faults or exits: its stub's handler exposes the flags.  When the record
 * is that of an ALU operation on registers whose operands are still in the
 * guest registers at every such stub, the stub rebuilds it there and the
 * mainline stores none: in a block whose loads and stores sit between the
 * ALU instructions, most records are of this kind. */

/* The guest registers of an ALU operation with no memory operand: the r/m
 * destination (rAX for the AL/eAX forms) and the source register, or -1
 * for an immediate. */
static void alu_reg_operands(const struct insn *in, const struct plan *p, int *dst, int *src)
{
    if (p->form == F_ALU_RM_I || p->form == F_SHIFT) {
        *dst = in->has_modrm ? (int)in->rm : 0;
        *src = -1;
    } else if (p->form == F_ALU_R_RM) {
        *dst = (int)in->reg;
        *src = (int)in->rm;
    } else {
        *dst = (int)in->rm;
        *src = (int)in->reg;
    }
}

static uint32_t gpr_bit(const struct insn *in, unsigned reg, unsigned size)
{
    return 1u << (gpr_mem(in, reg, size).disp / 8);
}

/* Whether the record of instruction `in` can be rebuilt from its operands
 * after it ran: the destination holds the result, the source is unchanged;
 * an ADD of a register to itself leaves neither operand.  A shift by a
 * constant keeps only the value shifted, which the mainline still stores
 * (one store of the record's four). */
static bool rebuildable(const struct insn *in, const struct plan *p)
{
    if (p->form == F_SHIFT)
        return true;
    if (!is_alu(p) || in->has_mem || p->alu == ALU_ADC || p->alu == ALU_SBB)
        return false;
    int d, s;
    alu_reg_operands(in, p, &d, &s);
    return !(p->alu == ALU_ADD && s >= 0 &&
             gpr_mem(in, (unsigned)d, p->size).disp == gpr_mem(in, (unsigned)s, p->size).disp);
}

/* The guest registers an instruction writes on the mainline (all: not
 * known here). */
static uint32_t regs_written(const struct insn *in, const struct plan *p)
{
    switch (p->form) {
    case F_NOP:
        return 0;
    case F_MOV_RM_R: case F_MOV_RM_I: case F_NOT: case F_SHIFT_CL:
        return in->has_mem ? 0 : gpr_bit(in, in->rm, p->size);
    case F_MOV_R_RM: case F_LEA: case F_MOVX:
        return gpr_bit(in, in->reg, p->size);
    case F_MOV_R_I:
        return gpr_bit(in, opcode_reg(in), p->size);
    case F_PUSH:
        return 1u << GPR_RSP;
    case F_POP:
        return 1u << GPR_RSP | 1u << opcode_reg(in);
    default:
        return UINT32_MAX;
    }
}

/* Leave the record of instruction w (live, rebuildable) to the stubs up to
 * the next instruction that replaces it, if nothing on the mainline reads
 * it before and its operands stand at each of them. */
static void defer_record(struct tctx *t, unsigned w)
{
    const struct plan *plans = t->plans;
    const struct insn *in = &t->insn[w];
    int d, s;
    alu_reg_operands(in, &plans[w], &d, &s);
    uint32_t needs = gpr_bit(in, (unsigned)d, plans[w].size);
    if (s >= 0)
        needs |= gpr_bit(in, (unsigned)s, plans[w].size);
    uint32_t written = 0;
    unsigned k;
    for (k = w + 1; k < t->n; k++) {
        const struct plan *p = &plans[k];
        /* A shift by CL writes a record unless its count is 0.  (A branch
         * ends the block, after which the record is read anyway.) */
        if (uses_flags(p) || p->form == F_SHIFT_CL || (p->mem && (written & needs)))
            return;
        if (alu_writes_flags(p))
            break;
        written |= regs_written(&t->insn[k], p);
    }
    if (k == t->n)
        return;                         /* read after the block */
    t->live[w] = false;
    for (unsigned m = w + 1; m <= k; m++)
        t->rebuild[m] = (int8_t)w;
}

/* The record of instruction w (defer_record), from the guest registers;
 * clobbers rax and rcx. */
static void emit_rebuild(struct tctx *t, unsigned w)
{
    struct x64 *a = &t->a;
    const struct insn *in = &t->insn[w];
    const struct plan *p = &t->plans[w];
    unsigned sz = p->size;
    int d, s;
    alu_reg_operands(in, p, &d, &s);
    x_load(a, sz, H_RAX, gpr_mem(in, (unsigned)d, sz));
    if (p->form == F_SHIFT) {
        /* The value shifted is in the record already (emit_shift). */
        x_store(a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_res)));
        x_store_imm(a, 8, xm(R_CPU, OFF_CPU(lf_src2)), (int32_t)p->imm);
        record(t, shift_lf[p->alu], sz);
        return;
    }
    if (s >= 0)
        x_load(a, sz, H_RCX, gpr_mem(in, (unsigned)s, sz));
    else
        x_mov_imm(a, H_RCX, sz == 8 ? p->imm : p->imm & size_mask(sz));
    struct x64_mem res = xm(R_CPU, OFF_CPU(lf_res));
    switch (p->alu) {
    case ALU_ADD:
    case ALU_SUB:
        /* The destination holds the result; the first source is the
         * result less (ADD) or plus (SUB) the second.  For a SUB of a
         * register from itself both are 0, whose flags those of x - x are. */
        x_store(a, 8, H_RAX, res);
        x_rr(a, 8, p->alu == ALU_ADD ? 0x29 : 0x01, H_RCX, H_RAX);
        x_store(a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_src1)));
        x_store(a, 8, H_RCX, xm(R_CPU, OFF_CPU(lf_src2)));
        record(t, p->alu == ALU_ADD ? LF_ADD : LF_SUB, sz);
        break;
    case ALU_CMP:
        x_store(a, 8, H_RAX, xm(R_CPU, OFF_CPU(lf_src1)));
        x_store(a, 8, H_RCX, xm(R_CPU, OFF_CPU(lf_src2)));
        x_rr(a, 8, 0x29, H_RCX, H_RAX);
        x_store(a, 8, H_RAX, res);
        record(t, LF_SUB, sz);
        break;
    default:
        /* AND, OR, XOR: the destination holds the result; TEST makes it. */
        if (p->alu == ALU_TEST)
            x_rr(a, 8, 0x21, H_RCX, H_RAX);
        x_store(a, 8, H_RAX, res);
        record(t, LF_LOGIC, sz);
        break;
    }
}

static void emit_insn(struct tctx *t, const struct insn *in, const struct plan *p)
{
    bool live = t->live[t->cur];
    switch (p->form) {
    case F_NOP: break;
    case F_MOV_RM_R: case F_MOV_R_RM: case F_MOV_RM_I: case F_MOV_R_I: emit_mov(t, in, p); break;
    case F_ALU_RM_R: case F_ALU_R_RM: case F_ALU_RM_I: emit_alu(t, in, p, live); break;
    case F_INCDEC: emit_incdec(t, in, p, live); break;
    case F_NOT: emit_not(t, in, p); break;
    case F_NEG: emit_neg(t, in, p, live); break;
    case F_SHIFT: emit_shift(t, in, p, live); break;
    case F_SHIFT_CL: emit_shift_cl(t, in, p, live); break;
    case F_IMUL: emit_imul(t, in, p, live); break;
    case F_LEA: emit_lea(t, in, p); break;
    case F_MOVX: emit_movx(t, in, p); break;
    case F_SETCC: emit_setcc(t, in, p); break;
    case F_CMOV: emit_cmov(t, in, p); break;
    case F_PUSH: emit_push(t, in, p); break;
    case F_POP: emit_pop(t, in); break;
    case F_JCC: case F_JMP: case F_CALL: case F_RET: emit_branch(t, in, p); break;
    case F_HELPER: emit_helper(t, in); t->pend = 1; return;
    }
    t->pend++;
}

/* A stub: count what came before, run the instruction through its
 * handler, then resume after it or leave. */
static void emit_stub(struct tctx *t, unsigned i)
{
    struct x64 *a = &t->a;
    for (unsigned k = 0; k < t->nslow[i]; k++)
        x_patch(a, t->slow[i][k], a->p);
    if (t->rebuild[i] >= 0)
        emit_rebuild(t, (unsigned)t->rebuild[i]);
    count_sync(t, t->pend_at[i]);
    x_mov_rr(a, 8, H_RDI, R_CPU);
    x_mov_imm(a, H_RSI, (uint64_t)(uintptr_t)&t->insn[i]);
    x_lea(a, H_RDX, xm(R_RIP, (int32_t)t->off[i]));
    helper_call(t, (const void *)jit_exec_insn);
    x_rr(a, 4, 0x85, H_RAX, H_RAX);
    to_plus1(t, x_jcc32(a, HCC_NZ));
    for (int k = 0; k < NCACHE; k++)
        if (t->valid_at[i + 1] & (1u << k))
            x_load(a, 8, cache_host[k], xm(R_G, t->cache_reg[k] * 8));
    if (t->hf_at[i + 1] != HF_NONE)
        emit_record_flags(t, t->setter_at[i + 1], t->setter_size_at[i + 1]);
    x_jmp_to(a, t->resume[i + 1]);
}

/* The register cache holds the guest registers the block's translated
 * instructions name most often, when named at least twice. */
static void choose_cached(struct tctx *t, const struct plan *plans)
{
    unsigned uses[16] = { 0 };
    for (unsigned i = 0; i < t->n; i++) {
        const struct insn *in = &t->insn[i];
        if (plans[i].form == F_HELPER)
            continue;
        if (in->has_mem) {
            if (in->base >= 0 && !in->rip_relative)
                uses[in->base & 15]++;
            if (in->index >= 0)
                uses[in->index & 15]++;
        } else if (in->has_modrm) {
            uses[in->rm & 15]++;
        }
        if (in->has_modrm)
            uses[in->reg & 15]++;
    }
    for (int k = 0; k < NCACHE; k++) {
        int best = -1;
        for (int r = 0; r < 16; r++)
            if (uses[r] >= 2 && (best < 0 || uses[r] > uses[best]))
                best = r;
        t->cache_reg[k] = best;
        t->cache_valid[k] = false;
        if (best >= 0)
            uses[best] = 0;
    }
}

static void *translate(struct emu_jit *j, struct block *b)
{
    const struct insn *insn = b->insn;
    unsigned n = b->n;
    static struct tctx tc_zero;
    struct tctx *t = malloc(sizeof(*t));
    if (!t)
        return NULL;
    *t = tc_zero;
    t->a = (struct x64){ .p = j->next, .end = j->next + JIT_BLOCK_ROOM };
    t->j = j;
    t->self = b;
    t->insn = insn;
    t->n = n;
    struct plan plans[JIT_MAX_INSNS];
    uint32_t off = 0;
    for (unsigned i = 0; i < n; i++) {
        t->off[i] = off;
        off += insn[i].len;
        plans[i] = plan_of(&insn[i]);
        /* Control transfers end blocks: only the last may be one. */
        if (is_branch(plans[i].form) && i != n - 1)
            plans[i].form = F_HELPER;
    }
    t->off[n] = off;
    bool live = true;
    for (unsigned i = n; i-- > 0;) {
        t->live[i] = live;
        /* A shift by CL leaves the flags alone when CL is 0, so it is no
         * writer of them here; where they may be read after it, a byte or
         * word shift (whose count may reach the width) runs its handler. */
        if (plans[i].form == F_SHIFT_CL && live && plans[i].size < 4)
            plans[i].form = F_HELPER;
        live = reads_flags(&plans[i]) || (live && !alu_writes_flags(&plans[i]));
    }
    t->plans = plans;
    memset(t->rebuild, -1, sizeof(t->rebuild));
    for (unsigned i = 0; i < n; i++)
        if (t->live[i] && rebuildable(&insn[i], &plans[i]))
            defer_record(t, i);
    choose_cached(t, plans);
    uint8_t *start = t->a.p;
    x_endbr64(&t->a);
    /* The entry: rax is the RIP (emu_jit_kill overwrites what follows
     * with a jump out, at least 5 bytes). */
    x_mov_rr(&t->a, 8, R_RIP, H_RAX);
    t->body = t->a.p;
    for (unsigned i = 0; i < n; i++) {
        t->cur = i;
        note_resume(t, i);
        t->pend_at[i] = t->pend;
        emit_insn(t, &insn[i], &plans[i]);
    }
    /* Falling through the end (also where a stub of the last instruction
     * resumes). */
    note_resume(t, n);
    x_lea(&t->a, H_RAX, xm(R_RIP, (int32_t)off));
    count_add(t, t->pend);
    emit_chain(t, 0);
    for (unsigned i = 0; i < n; i++)
        if (t->nslow[i])
            emit_stub(t, i);
    /* After a handler that completed its instruction and ended the block:
     * the count it was called with, and that instruction. */
    uint8_t *plus1 = t->a.p;
    x_load(&t->a, 8, R_COUNT, xm(R_CPU, OFF_CPU(jit_instructions)));
    count_add(t, 1);
    x_mov_imm(&t->a, H_RCX, (uint64_t)(uintptr_t)&t->self->link[0]);
    x_jmp_to(&t->a, t->j->after_handler);
    for (unsigned k = 0; k < t->nplus1; k++)
        x_patch(&t->a, t->plus1[k], plus1);
    bool full = t->a.full;
    uint8_t *end = t->a.p;
    free(t);
    if (full)
        return NULL;
    j->next = (uint8_t *)(((uintptr_t)end + 15) & ~(uintptr_t)15);
    if (j->perf_map)
        fprintf(j->perf_map, "%lx %lx guest_gpa_%llx\n", (unsigned long)(uintptr_t)start,
                (unsigned long)(end - start), (unsigned long long)b->gpa);
    return start;
}

/* ---- the code buffer and the entry trampoline ------------------------- */

#define FRAME(f) ((int32_t)offsetof(struct jit_frame, f))
#define LINK(f) ((int32_t)offsetof(struct link, f))
#define JCACHE(f) ((int32_t)offsetof(struct jcache_entry, f))

/* The slow path of a block's exit (emit_chain), with RIP in rax (counted,
 * stored here in g->rip), the exit's link in rcx and the block's entry RIP
 * in r12: with budget left, the jump cache may know the block at that RIP,
 * or the jump cache or the link knew it before the links were last cut
 * and it still holds (emu_blocks_revalidate); then the link is pointed at
 * it and the chain goes on.  Otherwise back to the loop, which looks the
 * block up and links it. */
/* rdx = the frame; the last block run is the one holding link rcx,
 * entered at r12. */
static void emit_note_last(struct x64 *a)
{
    x_load(a, 8, H_RDX, xm(H_RSP, STK_FRAME));
    x_load(a, 8, H_RDI, xm(H_RCX, LINK(from)));
    x_store(a, 8, H_RDI, xm(H_RDX, FRAME(last)));
    x_store(a, 8, R_RIP, xm(H_RDX, FRAME(last_rip)));
}

static void emit_chain_code(struct emu_jit *j, struct x64 *a)
{
    uint8_t *out[4];
    unsigned no = 0;
    j->leave_from = a->p;       /* leave, the last block being link rcx's */
    emit_note_last(a);
    x_jmp_to(a, j->leave);

    j->chain = a->p;
    x_store(a, 8, H_RAX, xm(R_G, OFF_G(rip)));
    emit_note_last(a);
    budget_test(a);
    out[no++] = x_jcc32(a, HCC_GE);
    /* rsi = &jcache[jcache_index(rax)] */
    x_mov_rr(a, 8, H_RSI, H_RAX);
    x_shift_ri(a, 8, 5, H_RSI, 12);                     /* shr rsi, 12 */
    x_rr(a, 8, 0x31, H_RAX, H_RSI);                     /* xor rsi, rax */
    x_alu_ri(a, 4, 4, H_RSI, (int32_t)(JCACHE_SIZE - 1));
    x_shift_ri(a, 8, 4, H_RSI, 5);                      /* shl rsi, 5 */
    _Static_assert(sizeof(struct jcache_entry) == 32, "the index is scaled by 32");
    x_rm(a, 8, 0x03, H_RSI, xm(H_RDX, FRAME(jcache)));  /* add rsi, [frame.jcache] */
    x_rm(a, 8, 0x3b, H_RAX, xm(H_RSI, JCACHE(rip)));
    uint8_t *other_rip = x_jcc32(a, HCC_NZ);
    x_load(a, 4, H_RDI, xm(H_RSP, STK_CHAIN_GEN));
    x_rm(a, 4, 0x3b, H_RDI, xm(H_RSI, JCACHE(gen)));
    uint8_t *old_gen = x_jcc32(a, HCC_NZ);
    uint8_t *hit = a->p;
    x_load(a, 8, H_R8, xm(H_RSI, JCACHE(code)));
    x_rr(a, 8, 0x85, H_R8, H_R8);
    out[no++] = x_jcc32(a, HCC_Z);
    x_store(a, 8, H_RAX, xm(H_RCX, LINK(rip)));
    x_store(a, 8, H_R8, xm(H_RCX, LINK(code)));
    x_load(a, 8, H_R9, xm(H_RSI, JCACHE(block)));
    x_store(a, 8, H_R9, xm(H_RCX, LINK(to)));
    x_load(a, 4, H_R9, xm(H_RSI, JCACHE(serial)));
    x_store(a, 4, H_R9, xm(H_RCX, LINK(serial)));
    x_store(a, 4, H_RDI, xm(H_RCX, LINK(gen)));
    x_byte(a, 0x41);
    x_byte(a, 0xff);
    x_byte(a, 0xe0);                                  /* jmp r8 */

    /* The entry names another RIP: only if the link names this one may
     * the block it knew still be current. */
    x_patch(a, other_rip, a->p);
    x_rm(a, 8, 0x3b, H_RAX, xm(H_RCX, LINK(rip)));
    out[no++] = x_jcc32(a, HCC_NZ);
    /* An entry or link of an earlier chain generation: after a cut (an
     * exit, a CR3 write) most of them still hold, and emu_blocks_revalidate
     * checks that without leaving translated code.  It cannot fault, and
     * the cached guest registers are all stored at a block's exit. */
    x_patch(a, old_gen, a->p);
    static const uint8_t save[] = { 0x50, 0x51, 0x56, 0x56 };   /* push rax, rcx, rsi, rsi */
    for (size_t k = 0; k < sizeof(save); k++)
        x_byte(a, save[k]);
    x_mov_rr(a, 8, H_RDX, H_RAX);
    x_mov_rr(a, 8, H_RSI, H_RCX);
    x_mov_rr(a, 8, H_RDI, R_CPU);
    x_call_abs(a, (const void *)emu_blocks_revalidate);
    x_mov_rr(a, 4, H_R8, H_RAX);
    static const uint8_t restore[] = { 0x5e, 0x5e, 0x59, 0x58 };  /* pop rsi, rsi, rcx, rax */
    for (size_t k = 0; k < sizeof(restore); k++)
        x_byte(a, restore[k]);
    x_alu_ri(a, 1, 7, H_R8, 0);                       /* cmp r8b, 0 */
    out[no++] = x_jcc32(a, HCC_Z);
    x_load(a, 4, H_RDI, xm(H_RSP, STK_CHAIN_GEN));
    x_patch(a, x_jmp32(a), hit);

    for (unsigned i = 0; i < no; i++)
        x_patch(a, out[i], a->p);
    x_jmp_to(a, j->leave);

    /* After a handler that completed its instruction and ended the block
     * (an indirect branch, a REP string that restarts), with rcx the
     * block's fall-through link: on through the chain from RIP, unless the
     * handler stored to a code page or asked to leave (an APIC write, POPF
     * setting TF), which the loop must see.  A Linux boot ended 400,000
     * blocks so. */
    j->after_handler = a->p;
    x_alu_mi(a, 1, 7, xm(R_CPU, OFF_CPU(block_stop)), 0);
    uint8_t *stop = x_jcc32(a, HCC_NZ);
    x_alu_mi(a, 1, 7, xm(R_CPU, OFF_CPU(block_leave)), 0);
    uint8_t *leave = x_jcc32(a, HCC_NZ);
    x_load(a, 8, H_RAX, xm(R_G, OFF_G(rip)));
    x_jmp_to(a, j->chain);
    x_patch(a, stop, j->leave_from);
    x_patch(a, leave, j->leave_from);

    /* The entry of a dead block (emu_jit_kill): nothing ran, nothing to
     * link from. */
    j->dead = a->p;
    x_store(a, 8, H_RAX, xm(R_G, OFF_G(rip)));        /* its entry RIP */
    x_load(a, 8, H_RDX, xm(H_RSP, STK_FRAME));
    x_store_imm(a, 8, xm(H_RDX, FRAME(last)), 0);
    x_jmp_to(a, j->leave);
}

static void emit_trampoline(struct emu_jit *j)
{
    struct x64 a = { .p = j->base, .end = j->end };
    static const uint8_t enter[] = {
        0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57,   /* push rbx..r15 */
        0x48, 0x83, 0xec, STK_SIZE,                                   /* sub rsp, STK_SIZE */
        0x48, 0x89, 0xfb,                                             /* mov rbx, rdi */
        0x48, 0x89, 0x14, 0x24,                                       /* mov [rsp], rdx */
    };
    j->enter = a.p;
    x_endbr64(&a);
    for (size_t k = 0; k < sizeof(enter); k++)
        x_byte(&a, enter[k]);
    x_load(&a, 8, R_G, xm(R_CPU, OFF_CPU(g)));
    x_load(&a, 8, H_RAX, xm(R_G, OFF_G(rip)));
    x_load(&a, 8, R_TLB, xm(H_RDX, FRAME(tlb_row)));
    x_load(&a, 4, H_RDI, xm(H_RDX, FRAME(chain_gen)));
    x_store(&a, 4, H_RDI, xm(H_RSP, STK_CHAIN_GEN));
    x_load(&a, 8, R_COUNT, xm(R_CPU, OFF_CPU(jit_instructions)));
    x_load_ext(&a, 4, true, H_RDI, xm(H_RDX, FRAME(budget)));
    x_rr(&a, 8, 0x01, R_COUNT, H_RDI);                               /* add rdi, r15 */
    x_store(&a, 8, H_RDI, xm(H_RSP, STK_LIMIT));
    x_byte(&a, 0xff);
    x_byte(&a, 0xe6);                                                 /* jmp rsi */
    j->leave = a.p;
    x_store(&a, 8, R_COUNT, xm(R_CPU, OFF_CPU(jit_instructions)));
    x_load(&a, 8, H_RDX, xm(H_RSP, STK_FRAME));
    x_load(&a, 8, H_RDI, xm(H_RSP, STK_LIMIT));
    x_rr(&a, 8, 0x29, R_COUNT, H_RDI);                               /* sub rdi, r15 */
    x_store(&a, 4, H_RDI, xm(H_RDX, FRAME(budget)));
    static const uint8_t leave_code[] = {
        0x48, 0x83, 0xc4, STK_SIZE,                                   /* add rsp, STK_SIZE */
        0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b,   /* pop r15..rbx */
        0xc3,
    };
    for (size_t k = 0; k < sizeof(leave_code); k++)
        x_byte(&a, leave_code[k]);
    emit_chain_code(j, &a);
    j->next = (uint8_t *)(((uintptr_t)a.p + 15) & ~(uintptr_t)15);
}

struct emu_jit *emu_jit_create(void)
{
    const char *engine = getenv("OPENHV_EMU_ENGINE");
    if (engine && strcmp(engine, "block") == 0)
        return NULL;
    struct emu_jit *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    void *mem = mmap(NULL, JIT_BUFFER_BYTES, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) {
        free(j);
        return NULL;
    }
    j->base = mem;
    j->end = j->base + JIT_BUFFER_BYTES;
    j->epoch = 1;
    emit_trampoline(j);
    if (getenv("OPENHV_PERF_MAP")) {
        /* perf names JIT code by this file: guest-physical addresses of
         * the blocks, to profile the guest (docs/notes/emu-engine.md). */
        char path[64];
        snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
        j->perf_map = fopen(path, "a");
        if (j->perf_map) {
            setvbuf(j->perf_map, NULL, _IOLBF, 0);
            fprintf(j->perf_map, "%lx %lx openhv_chain_and_trampoline\n",
                    (unsigned long)(uintptr_t)j->base, (unsigned long)(j->next - j->base));
        }
    }
    return j;
}

void emu_jit_destroy(struct emu_jit *j)
{
    if (!j)
        return;
    munmap(j->base, JIT_BUFFER_BYTES);
    if (j->perf_map)
        fclose(j->perf_map);
    free(j);
}

uint32_t emu_jit_epoch(const struct emu_jit *j)
{
    return j->epoch;
}

void emu_jit_reset(struct emu_jit *j)
{
    emit_trampoline(j);
    if (++j->epoch == 0)
        j->epoch = 1;
}

void *emu_jit_translate(struct emu_jit *j, struct block *b, bool *full)
{
    *full = false;
    if (b->n == 0 || b->n > JIT_MAX_INSNS)
        return NULL;
    if ((size_t)(j->end - j->next) < JIT_BLOCK_ROOM) {
        *full = true;
        return NULL;
    }
    return translate(j, b);
}

bool emu_jit_usable(const struct emu_cpu *cpu)
{
    return cpu->mode == MODE_LONG && !(cpu->g->cr4 & (1u << 12));
}

void emu_jit_kill(struct emu_jit *j, struct block *b)
{
    if (b->code_epoch != j->epoch || !b->code)
        return;
    struct x64 a = { .p = (uint8_t *)b->code + 4, .end = (uint8_t *)b->code + 9 };
    x_jmp_to(&a, j->dead);
}

void *emu_jit_slow_path(const struct emu_jit *j)
{
    return j->chain;
}

/* The call into generated code has no type signature for clang's
 * -fsanitize=function to check. */
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
struct block *emu_jit_run(struct emu_jit *j, struct emu_cpu *cpu, struct block *b, int32_t *budget,
                          uint32_t chain_gen, struct jcache_entry *jcache, uint64_t *last_rip)
{
    struct jit_frame f = {
        .tlb_row = &cpu->tlb->e[cpu->cpl == 3][0][0],
        .jcache = jcache,
        .chain_gen = chain_gen,
        .budget = *budget,
        .last = b,
        .last_rip = cpu->g->rip,
    };
    void (*enter)(struct emu_cpu *, void *, struct jit_frame *) =
        (void (*)(struct emu_cpu *, void *, struct jit_frame *))(void *)j->enter;
    enter(cpu, b->code, &f);
    *budget = f.budget;
    *last_rip = f.last_rip;
    return f.last;
}

#else /* no translator on this host */

struct emu_jit *emu_jit_create(void) { return NULL; }
void emu_jit_destroy(struct emu_jit *j) { (void)j; }
uint32_t emu_jit_epoch(const struct emu_jit *j) { (void)j; return 0; }
void emu_jit_reset(struct emu_jit *j) { (void)j; }
void *emu_jit_translate(struct emu_jit *j, struct block *b, bool *full)
{
    (void)j, (void)b;
    *full = false;
    return NULL;
}
bool emu_jit_usable(const struct emu_cpu *cpu) { (void)cpu; return false; }
void emu_jit_kill(struct emu_jit *j, struct block *b) { (void)j, (void)b; }
void *emu_jit_slow_path(const struct emu_jit *j) { (void)j; return NULL; }
struct block *emu_jit_run(struct emu_jit *j, struct emu_cpu *cpu, struct block *b, int32_t *budget,
                          uint32_t chain_gen, struct jcache_entry *jcache, uint64_t *last_rip)
{
    (void)j, (void)cpu, (void)budget, (void)chain_gen, (void)jcache, (void)last_rip;
    return b;
}

#endif
