/*
 * Differential tests against the host CPU: each template is encoded with
 * random registers, operand sizes, REX/LOCK/REP prefixes and memory forms,
 * run natively (the harness's high memory is mapped at its own guest address,
 * so RIP-relative and memory operands mean the same thing) and in the engine,
 * and every GPR, the arithmetic flags and DF, the data area and the stack are
 * compared.  32-bit forms run in the host's 32-bit user code segment.
 *
 * What the SDM leaves undefined, and where the vendors document different
 * behaviour, is compared only with an Intel host or with reference vectors
 * recorded on one (host_oracle.h); any other host judges the rest.
 */
#include <stdlib.h>

#include "engine_test.h"
#include "host_oracle.h"
#include "native.h"

#if defined(__x86_64__)
#include <cpuid.h>

enum tmpl_flags {
    T_BYTE = 1,      /* byte operation: no 66/REX.W variants */
    T_MEM = 2,       /* may use a memory operand [rbx/r11 + disp8] */
    T_MEMONLY = 4,   /* memory operand only */
    T_BITOFF = 8,    /* reg operand is a bit offset: keep it small */
    T_NOREX_W = 16,  /* no REX.W variant */
    T_LEA = 32,      /* any addressing form, no memory access */
    T_OPREG = 64,    /* register in the low opcode bits */
    T_DIV = 128,     /* division: keep the quotient in range */
    T_W_ONLY = 256,  /* 64-bit variant only (REX.W) */
    T_LOCK = 512,    /* memory forms get a random LOCK prefix */
    T_STR = 1024,    /* string instruction: rSI/rDI in the data, small rCX */
    T_REP = 2048,    /* with T_STR: random F3/F2 prefix */
    T_NO16 = 4096,   /* 32/64-bit only (66 is part of the opcode or ignored) */
    T_ALIGN16 = 8192, /* the memory operand is 16-byte aligned */
};

struct tmpl {
    const char *name;
    uint8_t pfx;      /* mandatory prefix or 0 */
    uint8_t op[3];
    uint8_t oplen;
    int ext;          /* ModRM.reg fixed, -1 random, -2 no ModRM */
    uint8_t imm;      /* immediate bytes (4 = imm32, 'z' handled: 2 with 66) */
    unsigned flags;
    uint8_t undef;    /* enum undef_class: what the SDM leaves undefined */
};

static unsigned pick_reg(void)
{
    static const uint8_t regs[] = { 0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
    return regs[rnd() % sizeof regs];
}

struct encoded {
    uint8_t b[24];
    unsigned len;
    unsigned reg, rm, opsize;
    bool mem;
};

static void encode(const struct tmpl *t, struct encoded *e)
{
    unsigned n = 0, v = (unsigned)(rnd() % 3);
    if (t->flags & T_BYTE)
        v = 0;
    if ((t->flags & T_NOREX_W) && v == 2)
        v = 1;
    if (t->flags & T_W_ONLY)
        v = 2;
    if ((t->flags & T_NO16) && v == 1)
        v = 0;
    e->opsize = (t->flags & T_BYTE) ? 1 : v == 1 ? 2 : v == 2 ? 8 : 4;
    bool lock = (t->flags & T_LOCK) && rnd() % 2;
    if (lock)
        e->b[n++] = 0xf0;
    if (v == 1)
        e->b[n++] = 0x66;
    bool lea = t->flags & T_LEA;
    if ((lea || (t->flags & T_STR)) && rnd() % 4 == 0)
        e->b[n++] = 0x67;
    if ((t->flags & T_REP) && rnd() % 4)
        e->b[n++] = rnd() % 2 ? 0xf3 : 0xf2;
    if (t->pfx)
        e->b[n++] = t->pfx;
    unsigned reg = t->ext >= 0 ? (unsigned)t->ext : pick_reg();
    unsigned rm = pick_reg();
    while ((t->flags & T_BITOFF) && (reg == 3 || reg == 11))
        reg = pick_reg();
    e->mem = (t->flags & T_MEMONLY) || lock || ((t->flags & T_MEM) && rnd() % 3 == 0);
    uint8_t rex = 0x40 | (v == 2 ? 8 : 0) | ((reg & 8) ? 4 : 0);
    if (e->mem)
        rm = (rnd() & 1) ? 3 : 11; /* rbx or r11 */
    if (t->ext == -2)
        rex &= ~4;
    if (t->flags & T_OPREG)
        rm = pick_reg();
    while ((t->flags & T_DIV) && (rm == GPR_RAX || rm == GPR_RDX))
        rm = pick_reg();
    if (rm & 8)
        rex |= 1;
    bool want_rex = rex != 0x40 || rnd() % 4 == 0;
    if (lea) {
        rex |= (uint8_t)(rnd() & 3); /* random REX.X/B */
        want_rex = true;
    }
    if (want_rex)
        e->b[n++] = rex;
    for (unsigned i = 0; i < t->oplen; i++)
        e->b[n++] = t->op[i];
    if (t->flags & T_OPREG)
        e->b[n - 1] |= rm & 7;
    if (t->ext != -2) {
        if (lea) {
            unsigned mod = rnd() % 3, r = rnd() % 8;
            e->b[n++] = (uint8_t)(mod << 6 | (reg & 7) << 3 | r);
            if (r == 4)
                e->b[n++] = (uint8_t)rnd();
            if (mod == 1)
                e->b[n++] = (uint8_t)rnd();
            else if (mod == 2 || (mod == 0 && (r == 5 || (r == 4 && (e->b[n - 1] & 7) == 5)))) {
                for (int i = 0; i < 4; i++)
                    e->b[n++] = (uint8_t)rnd();
            }
        } else if (e->mem) {
            e->b[n++] = (uint8_t)(0x40 | (reg & 7) << 3 | 3);
            e->b[n++] = (uint8_t)((rnd() % (DATA_SIZE / 2)) & ((t->flags & T_ALIGN16) ? 0x70 : 0x78));
        } else {
            e->b[n++] = (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7));
        }
    }
    unsigned imm = t->imm == 'z' ? (e->opsize == 2 ? 2 : 4) : t->imm == 'v' ? e->opsize : t->imm;
    for (unsigned i = 0; i < imm; i++)
        e->b[n++] = (uint8_t)rnd();
    e->len = n;
    e->reg = reg;
    e->rm = rm;
}

static void random_state(const struct tmpl *t, const struct encoded *e, struct native_state *s)
{
    for (int i = 0; i < 16; i++)
        s->gpr[i] = rnd_val();
    s->gpr[GPR_RSP] = STACK_ADDR;
    s->rflags = 2 | (rnd() & (EFL_ARITH | EFL_DF));
    if (t->flags & T_STR) {
        /* Overlapping ranges on purpose; at most 48 elements of 8 bytes. */
        s->gpr[GPR_RSI] = DATA_ADDR + 0x200 + rnd() % 64;
        s->gpr[GPR_RDI] = DATA_ADDR + 0x200 + rnd() % 64;
        s->gpr[GPR_RCX] = rnd() % 49;
        if (memchr(e->b, 0x67, e->len)) { /* only ECX, ESI, EDI count */
            s->gpr[GPR_RCX] |= rnd() << 32;
            s->gpr[GPR_RSI] |= rnd() << 32;
            s->gpr[GPR_RDI] |= rnd() << 32;
        }
        if (rnd() % 8 == 0)
            s->gpr[GPR_RCX] = 0;
    }
    if (e->mem) {
        s->gpr[GPR_RBX] = DATA_ADDR;
        s->gpr[GPR_R11] = DATA_ADDR;
        if (t->flags & T_BITOFF) {
            s->gpr[e->reg] = (uint64_t)((int64_t)(rnd() % 1024) - 512);
            s->gpr[GPR_RBX] = s->gpr[GPR_R11] = DATA_ADDR + 0x100; /* offsets reach +-64 bytes */
        }
    }
    if (t->flags & T_DIV) {
        /* Dividend = sign/zero extension of rAX, divisor never -1 or 0. */
        bool is_signed = t->ext == 7;
        uint64_t a = s->gpr[GPR_RAX], m = size_mask(e->opsize);
        if (e->opsize == 1)
            s->gpr[GPR_RAX] = (a & ~0xff00ull) | (is_signed && (a & 0x80) ? 0xff00 : 0);
        else
            s->gpr[GPR_RDX] = is_signed && (int64_t)sign_extend(a, e->opsize) < 0 ? ~0ull : 0;
        bool rex = false;
        for (unsigned i = 0; i + 1 < e->len && !rex; i++)
            rex = (e->b[i] & 0xf0) == 0x40 && (e->b[i + 1] == 0xf6 || e->b[i + 1] == 0xf7);
        uint64_t v = (rnd_val() & m) | 1;
        if (v == m)
            v = 3;
        if (e->opsize == 1 && e->rm >= 4 && e->rm < 8 && !rex) /* CH, DH, BH */
            s->gpr[e->rm - 4] = (s->gpr[e->rm - 4] & ~0xff00ull) | (v << 8);
        else
            s->gpr[e->rm] = (s->gpr[e->rm] & ~m) | v;
    }
}

/* Memory the cases may touch: the data area and the stack around RSP. */
#define STACK_AREA 128
#define STACK_LOW (STACK_ADDR - 64)

static void seed_memory(uint64_t data_seed, uint64_t stack_seed)
{
    fill_seeded(h_ptr(&H, DATA_ADDR, DATA_SIZE), DATA_SIZE, data_seed);
    fill_seeded(h_ptr(&H, STACK_LOW, STACK_AREA), STACK_AREA, stack_seed);
}

static void native_run(const struct encoded *e, struct native_state *s)
{
    uint8_t *code = h_ptr(&H, CODE_ADDR, 48);
    memcpy(code, e->b, e->len);
    static const uint8_t jmp_abs[6] = { 0xff, 0x25, 0, 0, 0, 0 };
    memcpy(code + e->len, jmp_abs, 6);
    uint64_t back = (uint64_t)(uintptr_t)native_back;
    memcpy(code + e->len + 6, &back, 8);
    native_code_addr = CODE_ADDR;
    native_exec(s);
}

/* 32-bit protected mode on the host: a far jump to the 32-bit user code
 * segment.  Register-only and stack instructions (DS is null there). */
#define HOST_CS32 0x23
#define HOST_CS64 0x33
#define TRAMP_ADDR (CODE_ADDR + 0x80)

static void native_run32(const struct encoded *e, struct native_state *s)
{
    uint8_t *code = h_ptr(&H, CODE_ADDR, 0x100);
    memcpy(code, e->b, e->len);
    uint8_t *p = code + e->len;
    uint32_t tramp = (uint32_t)TRAMP_ADDR;
    *p++ = 0xea;
    memcpy(p, &tramp, 4);
    p[4] = HOST_CS64, p[5] = 0;
    uint8_t *tr = h_ptr(&H, TRAMP_ADDR, 16);
    static const uint8_t jmp_abs[6] = { 0xff, 0x25, 0, 0, 0, 0 };
    uint64_t back = (uint64_t)(uintptr_t)native_back;
    memcpy(tr, jmp_abs, 6);
    memcpy(tr + 6, &back, 8);
    uint32_t off = (uint32_t)CODE_ADDR;
    memcpy(native_far32, &off, 4);
    native_far32[4] = HOST_CS32, native_far32[5] = 0;
    native_exec32(s);
}

/* The engine on the same bytes, registers and memory. */
static enum h_stop emu_run(const struct vector *v)
{
    seed_memory(v->data_seed, v->stack_seed);
    memcpy(h_ptr(&H, CODE_ADDR, v->len), v->b, v->len);
    h_reset(&H, v->mode);
    memcpy(G()->gpr, v->in.gpr, sizeof v->in.gpr);
    G()->rflags = v->in.rflags;
    G()->rip = CODE_ADDR;
    return h_run(&H, v->ninsn);
}

static const char *reg_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

static void hexbytes(char *out, const uint8_t *b, unsigned len)
{
    out[0] = 0;
    for (unsigned i = 0; i < len; i++)
        sprintf(out + 3 * i, "%02x ", b[i]);
}

/* The engine's state after emu_run against `want`, within the mask. */
static void judge(const struct vector *v, enum h_stop st, const struct compare_mask *m, const char *source)
{
    char hex[3 * sizeof v->b + 1];
    hexbytes(hex, v->b, v->len);
    CHECK(st == H_STOP_NONE, "[%s] stopped (%d, vector %u)", hex, st, H.vector);
    CHECK(G()->rip == CODE_ADDR + v->len, "[%s] rip %+" PRId64, hex, (int64_t)(G()->rip - CODE_ADDR));
    int nregs = v->mode == 64 ? 16 : 8;
    uint64_t width = v->mode == 64 ? ~0ull : 0xffffffffull;
    for (int r = 0; r < nregs; r++)
        CHECK(((G()->gpr[r] ^ v->out.gpr[r]) & m->gpr[r] & width) == 0,
              "[%s] %s: emu %#" PRIx64 " %s %#" PRIx64 " (in %#" PRIx64 ")", hex, reg_names[r], G()->gpr[r], source,
              v->out.gpr[r] & width, v->in.gpr[r]);
    CHECK(((G()->rflags ^ v->out.rflags) & m->rflags) == 0,
          "[%s] rflags: emu %#" PRIx64 " %s %#" PRIx64 " (in %#" PRIx64 ", rax %#" PRIx64 " rcx %#" PRIx64 ")", hex,
          G()->rflags & m->rflags, source, v->out.rflags & m->rflags, v->in.rflags, v->in.gpr[0], v->in.gpr[1]);
    CHECK(!m->memory || fnv1a(h_ptr(&H, DATA_ADDR, DATA_SIZE), DATA_SIZE) == v->data_hash, "[%s] memory differs",
          hex);
    CHECK(fnv1a(h_ptr(&H, STACK_LOW, STACK_AREA), STACK_AREA) == v->stack_hash, "[%s] stack differs", hex);
}

/* A second instruction run after the one under test (reads its flags). */
static uint8_t diff_tail[8];
static unsigned diff_tail_len;

/* What each comparison was judged against, printed at the end. */
static struct {
    unsigned long cases, undefined_left, vendor_left, recorded, replayed;
} tally;
/* `--record FILE`: the cases only an Intel CPU can judge in full. */
static FILE *record_file;
static unsigned recorded_this_template;
#define RECORD_PER_TEMPLATE 40

static struct insn_facts facts_of(const struct tmpl *t, const struct encoded *e, int mode)
{
    struct insn_facts f = { .undef = (enum undef_class)t->undef, .opsize = e->opsize, .shift_kind = t->ext };
    uint8_t op = t->op[t->oplen - 1];
    unsigned raw = t->imm == 1 ? e->b[e->len - 1] : (op == 0xd0 || op == 0xd1) ? 1 : 0;
    f.count = raw; /* CL counts are filled in with the registers */
    f.dest_reg = t->undef == U_BSX ? (int)e->reg : e->mem ? -1 : (int)e->rm;
    f.str_addr32 = mode == 64 && (t->flags & T_STR) && memchr(e->b, 0x67, e->len);
    if (diff_tail_len == 1 && diff_tail[0] == 0x9f) {
        f.tail_cc = 0x9f;
    } else if (diff_tail_len == 4) { /* REX.B 0F 9x ModRM: SETcc r8-r15 */
        f.tail_cc = (uint8_t)(0x40 | (diff_tail[2] & 0xf));
        f.tail_reg = 8 | (diff_tail[3] & 7);
    }
    return f;
}

/* One case: run natively, run in the engine, judge with what this host can
 * tell, and record what only an Intel host can. */
static void diff_case(const struct tmpl *t, int mode, struct encoded *e, const struct native_state *in, const char *name)
{
    struct vector v = { .mode = mode, .in = *in, .data_seed = rnd(), .stack_seed = rnd() };
    struct insn_facts f = facts_of(t, e, mode);
    uint8_t op = t->op[t->oplen - 1];
    if (t->imm != 1 && (op == 0xd2 || op == 0xd3 || op == 0xa5 || op == 0xad))
        f.count = (unsigned)(in->gpr[GPR_RCX] & 0xff);
    f.count &= e->opsize == 8 ? 0x3f : 0x1f;
    snprintf(v.name, sizeof v.name, "%s", name);
    if (mode == 64) {
        memcpy(e->b + e->len, diff_tail, diff_tail_len);
        e->len += diff_tail_len;
    }
    memcpy(v.b, e->b, e->len);
    v.len = e->len;
    v.ninsn = diff_tail_len && mode == 64 ? 2 : 1;

    seed_memory(v.data_seed, v.stack_seed);
    v.out = *in;
    if (mode == 64)
        native_run(e, &v.out);
    else
        native_run32(e, &v.out);
    v.data_hash = fnv1a(h_ptr(&H, DATA_ADDR, DATA_SIZE), DATA_SIZE);
    v.stack_hash = fnv1a(h_ptr(&H, STACK_LOW, STACK_AREA), STACK_AREA);

    struct compare_mask intel_only, m;
    oracle_mask(&f, &v.out, &intel_only);
    if (host_is_intel()) {
        oracle_full(&m);
    } else {
        m = intel_only;
        tally.undefined_left += intel_only.undefined;
        tally.vendor_left += intel_only.vendor;
    }
    if (record_file && (intel_only.undefined || intel_only.vendor) && recorded_this_template < RECORD_PER_TEMPLATE) {
        vector_write(record_file, &v);
        recorded_this_template++;
        tally.recorded++;
    }
    tally.cases++;
    judge(&v, emu_run(&v), &m, host_vendor());
}

static void diff_template(const struct tmpl *t, unsigned iterations, const char *name)
{
    for (unsigned it = 0; it < iterations && !fail_detail[0]; it++) {
        struct encoded e;
        struct native_state in;
        encode(t, &e);
        random_state(t, &e, &in);
        diff_case(t, 64, &e, &in, name);
    }
}

static void encode32(const struct tmpl *t, struct encoded *e)
{
    static const uint8_t regs[] = { 0, 1, 2, 3, 5, 6, 7 };
    unsigned n = 0, v = (t->flags & T_BYTE) ? 0 : (unsigned)(rnd() % 2);
    e->opsize = (t->flags & T_BYTE) ? 1 : v ? 2 : 4;
    if (v)
        e->b[n++] = 0x66;
    bool lea = t->flags & T_LEA, a16 = lea && rnd() % 2;
    if (a16)
        e->b[n++] = 0x67;
    unsigned reg = t->ext >= 0 ? (unsigned)t->ext : regs[rnd() % sizeof regs];
    unsigned rm = regs[rnd() % sizeof regs];
    for (unsigned i = 0; i < t->oplen; i++)
        e->b[n++] = t->op[i];
    if (t->flags & T_OPREG)
        e->b[n - 1] |= rm & 7;
    if (t->ext != -2) {
        if (lea) {
            unsigned mod = rnd() % 3;
            e->b[n++] = (uint8_t)(mod << 6 | reg << 3 | (rnd() % 8));
            unsigned rmf = e->b[n - 1] & 7;
            if (!a16 && rmf == 4)
                e->b[n++] = (uint8_t)rnd();
            unsigned disp = mod == 1 ? 1 : mod == 2 ? (a16 ? 2 : 4) : 0;
            if (mod == 0 && ((a16 && rmf == 6) || (!a16 && (rmf == 5 || (rmf == 4 && (e->b[n - 1] & 7) == 5)))))
                disp = a16 ? 2 : 4;
            for (unsigned i = 0; i < disp; i++)
                e->b[n++] = (uint8_t)rnd();
        } else {
            e->b[n++] = (uint8_t)(0xc0 | reg << 3 | rm);
        }
    }
    unsigned imm = t->imm == 'z' ? (e->opsize == 2 ? 2 : 4) : t->imm;
    for (unsigned i = 0; i < imm; i++)
        e->b[n++] = (uint8_t)(rnd() | 1); /* AAM 0 would fault */
    e->len = n;
    e->reg = reg;
    e->rm = rm;
}

static void diff32_template(const struct tmpl *t, unsigned iterations, const char *name)
{
    for (unsigned it = 0; it < iterations && !fail_detail[0]; it++) {
        struct encoded e;
        struct native_state in;
        encode32(t, &e);
        for (int i = 0; i < 16; i++)
            in.gpr[i] = rnd_val() & 0xffffffff;
        in.gpr[GPR_RSP] = STACK_ADDR;
        in.rflags = 2 | EFL_IF | (rnd() & (EFL_ARITH | EFL_DF)); /* user mode cannot clear IF */
        diff_case(t, 32, &e, &in, name);
    }
}

static const struct tmpl diff32_tmpls[] = {
    { "daa", 0, { 0x27 }, 1, -2, 0, T_BYTE, U_DAA },
    { "das", 0, { 0x2f }, 1, -2, 0, T_BYTE, U_DAA },
    { "aaa", 0, { 0x37 }, 1, -2, 0, T_BYTE, U_AAA },
    { "aas", 0, { 0x3f }, 1, -2, 0, T_BYTE, U_AAA },
    { "aam", 0, { 0xd4 }, 1, -2, 1, T_BYTE, U_AAM },
    { "aad", 0, { 0xd5 }, 1, -2, 1, T_BYTE, U_AAM },
    { "inc_r", 0, { 0x40 }, 1, -2, 0, T_OPREG, U_NONE },
    { "dec_r", 0, { 0x48 }, 1, -2, 0, T_OPREG, U_NONE },
    { "push_r", 0, { 0x50 }, 1, -2, 0, T_OPREG, U_NONE },
    { "pop_r", 0, { 0x58 }, 1, -2, 0, T_OPREG, U_NONE },
    { "pusha", 0, { 0x60 }, 1, -2, 0, 0, U_NONE },
    { "popa", 0, { 0x61 }, 1, -2, 0, 0, U_NONE },
    { "push_iz", 0, { 0x68 }, 1, -2, 'z', 0, U_NONE },
    { "pushf", 0, { 0x9c }, 1, -2, 0, 0, U_NONE },
    { "lea16_32", 0, { 0x8d }, 1, -1, 0, T_LEA, U_NONE },
    { "arpl", 0, { 0x63 }, 1, -1, 0, T_BYTE, U_NONE },
    { "adc16", 0, { 0x11 }, 1, -1, 0, 0, U_NONE },
    { "shld16", 0, { 0x0f, 0xa5 }, 2, -1, 0, 0, U_SHXD },
    { "rcr16", 0, { 0xd3 }, 1, 3, 0, 0, U_ROT },
    { "imul3_16", 0, { 0x69 }, 1, -1, 'z', 0, U_MUL },
    { "cwde", 0, { 0x98 }, 1, -2, 0, 0, U_NONE },
    { "cdq", 0, { 0x99 }, 1, -2, 0, 0, U_NONE },
    { "xchg_a_r", 0, { 0x90 }, 1, -2, 0, T_OPREG, U_NONE },
    { "salc", 0, { 0xd6 }, 1, -2, 0, T_BYTE, U_NONE },
};

static void run_differential32(void)
{
    bool usable = native_code32_usable(HOST_CS32);
    for (size_t i = 0; i < sizeof diff32_tmpls / sizeof diff32_tmpls[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "host_diff32_%s", diff32_tmpls[i].name);
        if (!usable) {
            report_skip(name, "the host has no 32-bit user code segment (selector 0x23 is not a present 32-bit code "
                              "segment here: no IA-32 emulation, or a paravirtual kernel)");
            continue;
        }
        fail_detail[0] = 0;
        recorded_this_template = 0;
        diff32_template(&diff32_tmpls[i], 600, name);
        report(name);
    }
}

#define OP1(b) { b, 0, 0 }, 1
#define OP2(b) { 0x0f, b, 0 }, 2
#define OP3(b) { 0x0f, 0x38, b }, 3

static const struct tmpl diff_tmpls[] = {
    { "add_rm_r8", 0, OP1(0x00), -1, 0, T_BYTE | T_MEM | T_LOCK, U_NONE },
    { "add_rm_r", 0, OP1(0x01), -1, 0, T_MEM | T_LOCK, U_NONE },
    { "or_r_rm", 0, OP1(0x0b), -1, 0, T_MEM, U_LOGIC },
    { "adc_rm_r8", 0, OP1(0x10), -1, 0, T_BYTE | T_MEM | T_LOCK, U_NONE },
    { "adc_rm_r", 0, OP1(0x11), -1, 0, T_MEM | T_LOCK, U_NONE },
    { "sbb_r_rm8", 0, OP1(0x1a), -1, 0, T_BYTE | T_MEM, U_NONE },
    { "sbb_r_rm", 0, OP1(0x1b), -1, 0, T_MEM, U_NONE },
    { "and_rm_r", 0, OP1(0x21), -1, 0, T_MEM | T_LOCK, U_LOGIC },
    { "sub_rm_r8", 0, OP1(0x28), -1, 0, T_BYTE | T_MEM | T_LOCK, U_NONE },
    { "sub_r_rm", 0, OP1(0x2b), -1, 0, T_MEM, U_NONE },
    { "xor_rm_r", 0, OP1(0x31), -1, 0, T_MEM | T_LOCK, U_LOGIC },
    { "cmp_rm_r8", 0, OP1(0x38), -1, 0, T_BYTE | T_MEM, U_NONE },
    { "cmp_r_rm", 0, OP1(0x3b), -1, 0, T_MEM, U_NONE },
    { "add_al_i", 0, OP1(0x04), -2, 1, T_BYTE, U_NONE },
    { "adc_ax_i", 0, OP1(0x15), -2, 'z', 0, U_NONE },
    { "sbb_ax_i", 0, OP1(0x1d), -2, 'z', 0, U_NONE },
    { "cmp_al_i", 0, OP1(0x3c), -2, 1, T_BYTE, U_NONE },
    { "test_ax_i", 0, OP1(0xa9), -2, 'z', 0, U_LOGIC },
    { "grp1_80_add", 0, OP1(0x80), 0, 1, T_BYTE | T_MEM | T_LOCK, U_NONE },
    { "grp1_80_sbb", 0, OP1(0x80), 3, 1, T_BYTE | T_MEM | T_LOCK, U_NONE },
    { "grp1_81_adc", 0, OP1(0x81), 2, 'z', T_MEM | T_LOCK, U_NONE },
    { "grp1_81_and", 0, OP1(0x81), 4, 'z', T_MEM | T_LOCK, U_LOGIC },
    { "grp1_83_or", 0, OP1(0x83), 1, 1, T_MEM | T_LOCK, U_LOGIC },
    { "grp1_83_sub", 0, OP1(0x83), 5, 1, T_MEM | T_LOCK, U_NONE },
    { "grp1_83_xor", 0, OP1(0x83), 6, 1, T_MEM | T_LOCK, U_LOGIC },
    { "grp1_83_cmp", 0, OP1(0x83), 7, 1, T_MEM, U_NONE },
    { "test_rm_r", 0, OP1(0x85), -1, 0, T_MEM, U_LOGIC },
    { "test_rm_i8", 0, OP1(0xf6), 0, 1, T_BYTE | T_MEM, U_LOGIC },
    { "not", 0, OP1(0xf7), 2, 0, T_MEM | T_LOCK, U_NONE },
    { "neg8", 0, OP1(0xf6), 3, 0, T_BYTE | T_MEM | T_LOCK, U_NONE },
    { "neg", 0, OP1(0xf7), 3, 0, T_MEM | T_LOCK, U_NONE },
    { "mul8", 0, OP1(0xf6), 4, 0, T_BYTE | T_MEM, U_MUL },
    { "mul", 0, OP1(0xf7), 4, 0, T_MEM, U_MUL },
    { "imul1_8", 0, OP1(0xf6), 5, 0, T_BYTE, U_MUL },
    { "imul1", 0, OP1(0xf7), 5, 0, T_MEM, U_MUL },
    { "div8", 0, OP1(0xf6), 6, 0, T_BYTE | T_DIV, U_DIV },
    { "div", 0, OP1(0xf7), 6, 0, T_DIV, U_DIV },
    { "idiv8", 0, OP1(0xf6), 7, 0, T_BYTE | T_DIV, U_DIV },
    { "idiv", 0, OP1(0xf7), 7, 0, T_DIV, U_DIV },
    { "imul2", 0, OP2(0xaf), -1, 0, T_MEM, U_MUL },
    { "imul3_iz", 0, OP1(0x69), -1, 'z', T_MEM, U_MUL },
    { "imul3_ib", 0, OP1(0x6b), -1, 1, 0, U_MUL },
    { "inc8", 0, OP1(0xfe), 0, 0, T_BYTE | T_MEM | T_LOCK, U_NONE },
    { "dec8", 0, OP1(0xfe), 1, 0, T_BYTE, U_NONE },
    { "inc", 0, OP1(0xff), 0, 0, T_MEM | T_LOCK, U_NONE },
    { "dec", 0, OP1(0xff), 1, 0, T_MEM | T_LOCK, U_NONE },
    { "rol8_i", 0, OP1(0xc0), 0, 1, T_BYTE, U_ROT },
    { "ror_i", 0, OP1(0xc1), 1, 1, T_MEM, U_ROT },
    { "rcl8_cl", 0, OP1(0xd2), 2, 0, T_BYTE, U_ROT },
    { "rcl_cl", 0, OP1(0xd3), 2, 0, 0, U_ROT },
    { "rcr8_i", 0, OP1(0xc0), 3, 1, T_BYTE, U_ROT },
    { "rcr_cl", 0, OP1(0xd3), 3, 0, T_MEM, U_ROT },
    { "shl8_cl", 0, OP1(0xd2), 4, 0, T_BYTE, U_SHIFT },
    { "shl_cl", 0, OP1(0xd3), 4, 0, 0, U_SHIFT },
    { "shl_1", 0, OP1(0xd1), 4, 0, T_MEM, U_SHIFT },
    { "shr8_cl", 0, OP1(0xd2), 5, 0, T_BYTE, U_SHIFT },
    { "shr_i", 0, OP1(0xc1), 5, 1, 0, U_SHIFT },
    { "shr_1", 0, OP1(0xd1), 5, 0, 0, U_SHIFT },
    { "sal_cl", 0, OP1(0xd3), 6, 0, 0, U_SHIFT },
    { "sar8_cl", 0, OP1(0xd2), 7, 0, T_BYTE, U_SHIFT },
    { "sar_cl", 0, OP1(0xd3), 7, 0, T_MEM, U_SHIFT },
    { "rol_1", 0, OP1(0xd1), 0, 0, 0, U_ROT },
    { "ror8_cl", 0, OP1(0xd2), 1, 0, T_BYTE, U_ROT },
    { "rol_cl", 0, OP1(0xd3), 0, 0, 0, U_ROT },
    { "shld_i", 0, OP2(0xa4), -1, 1, T_MEM, U_SHXD },
    { "shld_cl", 0, OP2(0xa5), -1, 0, 0, U_SHXD },
    { "shrd_i", 0, OP2(0xac), -1, 1, 0, U_SHXD },
    { "shrd_cl", 0, OP2(0xad), -1, 0, T_MEM, U_SHXD },
    { "bt_r", 0, OP2(0xa3), -1, 0, T_MEM | T_BITOFF, U_BT },
    { "bts_r", 0, OP2(0xab), -1, 0, T_MEM | T_BITOFF | T_LOCK, U_BT },
    { "btr_r", 0, OP2(0xb3), -1, 0, T_MEM | T_BITOFF | T_LOCK, U_BT },
    { "btc_r", 0, OP2(0xbb), -1, 0, T_MEM | T_BITOFF | T_LOCK, U_BT },
    { "bt_i", 0, OP2(0xba), 4, 1, T_MEM, U_BT },
    { "bts_i", 0, OP2(0xba), 5, 1, T_MEM | T_LOCK, U_BT },
    { "btr_i", 0, OP2(0xba), 6, 1, 0, U_BT },
    { "btc_i", 0, OP2(0xba), 7, 1, 0, U_BT },
    { "bsf", 0, OP2(0xbc), -1, 0, T_MEM, U_BSX },
    { "bsr", 0, OP2(0xbd), -1, 0, 0, U_BSX },
    { "popcnt", 0xf3, OP2(0xb8), -1, 0, T_MEM, U_NONE },
    { "tzcnt", 0xf3, OP2(0xbc), -1, 0, 0, U_CNT },
    { "lzcnt", 0xf3, OP2(0xbd), -1, 0, T_MEM, U_CNT },
    { "bswap", 0, OP2(0xc8), -2, 0, T_OPREG, U_NONE },
    { "cmovb", 0, OP2(0x42), -1, 0, T_MEM, U_NONE },
    { "cmovbe", 0, OP2(0x46), -1, 0, 0, U_NONE },
    { "cmovl", 0, OP2(0x4c), -1, 0, 0, U_NONE },
    { "cmovng", 0, OP2(0x4e), -1, 0, T_MEM, U_NONE },
    { "seto", 0, OP2(0x90), -1, 0, T_BYTE, U_NONE },
    { "setnz", 0, OP2(0x95), -1, 0, T_BYTE | T_MEM, U_NONE },
    { "seta", 0, OP2(0x97), -1, 0, T_BYTE, U_NONE },
    { "setp", 0, OP2(0x9a), -1, 0, T_BYTE, U_NONE },
    { "setge", 0, OP2(0x9d), -1, 0, T_BYTE, U_NONE },
    { "setle", 0, OP2(0x9e), -1, 0, T_BYTE, U_NONE },
    { "setno", 0, OP2(0x91), -1, 0, T_BYTE, U_NONE },
    { "setb", 0, OP2(0x92), -1, 0, T_BYTE, U_NONE },
    { "setae", 0, OP2(0x93), -1, 0, T_BYTE, U_NONE },
    { "setz", 0, OP2(0x94), -1, 0, T_BYTE, U_NONE },
    { "setbe", 0, OP2(0x96), -1, 0, T_BYTE, U_NONE },
    { "sets", 0, OP2(0x98), -1, 0, T_BYTE, U_NONE },
    { "setns", 0, OP2(0x99), -1, 0, T_BYTE, U_NONE },
    { "setnp", 0, OP2(0x9b), -1, 0, T_BYTE, U_NONE },
    { "setl", 0, OP2(0x9c), -1, 0, T_BYTE, U_NONE },
    { "setg", 0, OP2(0x9f), -1, 0, T_BYTE, U_NONE },
    { "movzx_b", 0, OP2(0xb6), -1, 0, T_MEM, U_NONE },
    { "movzx_w", 0, OP2(0xb7), -1, 0, 0, U_NONE },
    { "movsx_b", 0, OP2(0xbe), -1, 0, T_MEM, U_NONE },
    { "movsx_w", 0, OP2(0xbf), -1, 0, 0, U_NONE },
    { "movsxd", 0, OP1(0x63), -1, 0, T_MEM | T_W_ONLY, U_NONE },
    { "mov_rm_r8", 0, OP1(0x88), -1, 0, T_BYTE | T_MEM, U_NONE },
    { "mov_r_rm", 0, OP1(0x8b), -1, 0, T_MEM, U_NONE },
    { "mov_rm_i", 0, OP1(0xc7), 0, 'z', T_MEM, U_NONE },
    { "mov_r_iv", 0, OP1(0xb8), -2, 'v', T_OPREG, U_NONE },
    { "mov_r8_ib", 0, OP1(0xb0), -2, 1, T_OPREG | T_BYTE, U_NONE },
    { "xchg_rm_r", 0, OP1(0x87), -1, 0, T_MEM | T_LOCK, U_NONE },
    { "xchg_rm_r8", 0, OP1(0x86), -1, 0, T_BYTE, U_NONE },
    { "xchg_a_r", 0, OP1(0x90), -2, 0, T_OPREG, U_NONE },
    { "xadd", 0, OP2(0xc1), -1, 0, T_MEM | T_LOCK, U_NONE },
    { "xadd8", 0, OP2(0xc0), -1, 0, T_BYTE | T_MEM | T_LOCK, U_NONE },
    { "cmpxchg", 0, OP2(0xb1), -1, 0, T_MEM | T_LOCK, U_NONE },
    { "cmpxchg8", 0, OP2(0xb0), -1, 0, T_BYTE | T_MEM | T_LOCK, U_NONE },
    { "lea", 0, OP1(0x8d), -1, 0, T_LEA, U_NONE },
    { "cbw", 0, OP1(0x98), -2, 0, 0, U_NONE },
    { "cwd", 0, OP1(0x99), -2, 0, 0, U_NONE },
    { "sahf", 0, OP1(0x9e), -2, 0, T_BYTE, U_NONE },
    { "lahf", 0, OP1(0x9f), -2, 0, T_BYTE, U_NONE },
    { "cmc", 0, OP1(0xf5), -2, 0, T_BYTE, U_NONE },
    { "std", 0, OP1(0xfd), -2, 0, T_BYTE, U_NONE },
    { "movbe_load", 0, OP3(0xf0), -1, 0, T_MEMONLY, U_NONE },
    { "movbe_store", 0, OP3(0xf1), -1, 0, T_MEMONLY, U_NONE },
    { "adcx", 0x66, OP3(0xf6), -1, 0, T_MEM | T_NO16, U_NONE },
    { "adox", 0xf3, OP3(0xf6), -1, 0, T_MEM | T_NO16, U_NONE },
    { "movsb", 0, OP1(0xa4), -2, 0, T_BYTE | T_STR | T_REP, U_NONE },
    { "movs", 0, OP1(0xa5), -2, 0, T_STR | T_REP, U_NONE },
    { "cmpsb", 0, OP1(0xa6), -2, 0, T_BYTE | T_STR | T_REP, U_NONE },
    { "cmps", 0, OP1(0xa7), -2, 0, T_STR | T_REP, U_NONE },
    { "stosb", 0, OP1(0xaa), -2, 0, T_BYTE | T_STR | T_REP, U_NONE },
    { "stos", 0, OP1(0xab), -2, 0, T_STR | T_REP, U_NONE },
    { "lods", 0, OP1(0xad), -2, 0, T_STR | T_REP, U_NONE },
    { "scasb", 0, OP1(0xae), -2, 0, T_BYTE | T_STR | T_REP, U_NONE },
    { "scas", 0, OP1(0xaf), -2, 0, T_STR | T_REP, U_NONE },
    { "push_r", 0, OP1(0x50), -2, 0, T_OPREG | T_NOREX_W, U_NONE },
    { "pop_r", 0, OP1(0x58), -2, 0, T_OPREG | T_NOREX_W, U_NONE },
    { "push_rm", 0, OP1(0xff), 6, 0, T_MEMONLY | T_NOREX_W, U_NONE },
    { "pop_rm", 0, OP1(0x8f), 0, 0, T_MEM | T_NOREX_W, U_NONE },
    { "push_iz", 0, OP1(0x68), -2, 'z', T_NOREX_W, U_NONE },
    { "push_ib", 0, OP1(0x6a), -2, 1, T_NOREX_W, U_NONE },
    { "xlat", 0, OP1(0xd7), -2, 0, T_BYTE | T_MEMONLY, U_NONE },
    { "cmpxchg8b", 0, OP2(0xc7), 1, 0, T_MEMONLY | T_NOREX_W | T_LOCK, U_NONE },
    { "cmpxchg16b", 0, OP2(0xc7), 1, 0, T_MEMONLY | T_W_ONLY | T_LOCK | T_ALIGN16, U_NONE },
};

/* The lazy flags of each kind of recorded operation, read by the next
 * instruction through every condition code (SETcc r15b) and through LAHF. */
static void run_lazy_flag_pairs(void)
{
    static const char *const producers[] = { "add_rm_r", "adc_rm_r8", "sbb_r_rm", "sub_rm_r8", "cmp_r_rm", "and_rm_r",
                                             "test_rm_i8", "neg", "inc8", "dec", "xadd", "cmpxchg", "cmpsb", "scas" };
    for (size_t p = 0; p < sizeof producers / sizeof producers[0]; p++) {
        const struct tmpl *t = NULL;
        for (size_t i = 0; i < sizeof diff_tmpls / sizeof diff_tmpls[0]; i++)
            if (!strcmp(diff_tmpls[i].name, producers[p]))
                t = &diff_tmpls[i];
        char name[64];
        snprintf(name, sizeof name, "host_lazy_%s", producers[p]);
        fail_detail[0] = 0;
        recorded_this_template = 0;
        for (unsigned cc = 0; cc < 17 && t && !fail_detail[0]; cc++) {
            static const uint8_t lahf[] = { 0x9f };
            const uint8_t setcc[] = { 0x41, 0x0f, (uint8_t)(0x90 + cc), 0xc7 };
            diff_tail_len = cc < 16 ? sizeof setcc : sizeof lahf;
            memcpy(diff_tail, cc < 16 ? setcc : lahf, diff_tail_len);
            diff_template(t, 60, name);
        }
        diff_tail_len = 0;
        if (!t)
            failf("no template %s", producers[p]);
        report(name);
    }
}

static void run_differential(void)
{
    for (size_t i = 0; i < sizeof diff_tmpls / sizeof diff_tmpls[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "host_diff_%s", diff_tmpls[i].name);
        fail_detail[0] = 0;
        recorded_this_template = 0;
        diff_template(&diff_tmpls[i], 600, name);
        report(name);
    }
}

/*
 * The reference vectors: each template's recorded cases run in the engine
 * and compared in full.  A file recorded on a host that is not Intel is
 * refused: it cannot speak for Intel silicon.  Returns whether vectors ran.
 */
static bool run_intel_vectors(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char header[256] = "";
    if (!fgets(header, sizeof header, f) || strncmp(header, "# vendor GenuineIntel", 21)) {
        fclose(f);
        failf("%s: not recorded on an Intel host (first line: %.60s)", path, header);
        report("host_vectors");
        return false;
    }
    printf("Intel reference vectors: %s", header + 2);
    struct compare_mask full;
    oracle_full(&full);
    struct vector v;
    char group[sizeof v.name] = "";
    int r;
    unsigned malformed = 0;
    while ((r = vector_read(f, &v)) != 0) {
        if (r < 0) {
            malformed++;
            continue;
        }
        if (strcmp(group, v.name)) {
            if (group[0]) {
                char name[96];
                snprintf(name, sizeof name, "intel_vectors_%s", group);
                report(name);
            }
            snprintf(group, sizeof group, "%s", v.name);
            fail_detail[0] = 0;
        }
        if (fail_detail[0])
            continue;
        tally.replayed++;
        judge(&v, emu_run(&v), &full, "intel");
    }
    if (group[0]) {
        char name[96];
        snprintf(name, sizeof name, "intel_vectors_%s", group);
        report(name);
    }
    fclose(f);
    if (malformed) {
        failf("%s: %u malformed lines", path, malformed);
        report("host_vectors");
    }
    return true;
}

void run_host_diff(void)
{
    run_differential();
    run_lazy_flag_pairs();
    run_differential32();
    bool vectors = run_intel_vectors(INTEL_VECTORS);
    printf("host_diff: host %s; %lu cases compared with it; ", host_vendor(), tally.cases);
    if (host_is_intel())
        printf("undefined flags and vendor-specific results included (an Intel host)");
    else
        printf("%lu with undefined flags or results and %lu with vendor-specific results compared only where "
               "architectural",
               tally.undefined_left, tally.vendor_left);
    printf("; %lu Intel reference vectors %s\n", tally.replayed, vectors ? "replayed" : "(none recorded)");
    if (!host_is_intel() && !vectors && (tally.undefined_left || tally.vendor_left)) {
        char why[400];
        snprintf(why, sizeof why,
                 "host is %s and %s holds no Intel reference vectors: %lu cases' undefined flags/results and %lu "
                 "vendor-specific results were compared with nothing (record them on an Intel host: make "
                 "record-intel-vectors)",
                 host_vendor(), INTEL_VECTORS, tally.undefined_left, tally.vendor_left);
        report_skip("host_diff_intel_only", why);
    }
}

/* `test_emu_engine --record FILE`: the host differential, writing the cases
 * only an Intel host can judge in full.  Refuses any other host unless
 * OPENHV_RECORD_ANY_HOST is set (for testing the recorder itself). */
int host_diff_record(const char *path)
{
    if (!host_is_intel() && !getenv("OPENHV_RECORD_ANY_HOST")) {
        fprintf(stderr, "record: this host is %s; reference vectors must come from an Intel CPU\n", host_vendor());
        return 2;
    }
    record_file = fopen(path, "w");
    if (!record_file) {
        perror(path);
        return 2;
    }
    char brand[49] = "";
    unsigned regs[12];
    if (__get_cpuid_max(0x80000000, NULL) >= 0x80000004) {
        for (unsigned i = 0; i < 3; i++)
            __cpuid(0x80000002 + i, regs[4 * i], regs[4 * i + 1], regs[4 * i + 2], regs[4 * i + 3]);
        memcpy(brand, regs, 48);
    }
    fprintf(record_file, "# vendor %s, %s\n", host_vendor(), brand);
    fprintf(record_file, "# mode template bytes ninsn | 16 GPRs rflags data-seed stack-seed | 16 GPRs rflags "
                         "data-hash stack-hash (hex; tests/engine/host_oracle.c)\n");
    run_differential();
    run_lazy_flag_pairs();
    run_differential32();
    fclose(record_file);
    record_file = NULL;
    printf("recorded %lu vectors to %s\n", tally.recorded, path);
    return 0;
}

#endif
