/*
 * Differential tests against the host CPU: each template is encoded with
 * random registers, operand sizes, REX/LOCK/REP prefixes and memory forms,
 * run natively (the harness's high memory is mapped at its own guest address,
 * so RIP-relative and memory operands mean the same thing) and in the engine,
 * and every GPR, the arithmetic flags and DF, the data area and the stack are
 * compared.  32-bit forms run in the host's 32-bit user code segment.
 */
#include "engine_test.h"
#include "native.h"

#if defined(__x86_64__)

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
};

struct tmpl {
    const char *name;
    uint8_t pfx;      /* mandatory prefix or 0 */
    uint8_t op[3];
    uint8_t oplen;
    int ext;          /* ModRM.reg fixed, -1 random, -2 no ModRM */
    uint8_t imm;      /* immediate bytes (4 = imm32, 'z' handled: 2 with 66) */
    unsigned flags;
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
            e->b[n++] = (uint8_t)((rnd() % (DATA_SIZE / 2)) & 0x78);
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

static void fill_data(uint8_t *seed_data)
{
    for (unsigned i = 0; i < DATA_SIZE; i++)
        seed_data[i] = (uint8_t)rnd();
}

static void native_run(const struct encoded *e, struct native_state *s)
{
    uint8_t *code = h_ptr(&H, CODE_ADDR, 32);
    memcpy(code, e->b, e->len);
    static const uint8_t jmp_abs[6] = { 0xff, 0x25, 0, 0, 0, 0 };
    memcpy(code + e->len, jmp_abs, 6);
    uint64_t back = (uint64_t)(uintptr_t)native_back;
    memcpy(code + e->len + 6, &back, 8);
    native_code_addr = CODE_ADDR;
    native_exec(s);
}

static const char *reg_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                     "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

static void hexbytes(char *out, const struct encoded *e)
{
    for (unsigned i = 0; i < e->len; i++)
        sprintf(out + 3 * i, "%02x ", e->b[i]);
}

/* A second instruction run after the one under test (reads its flags). */
static uint8_t diff_tail[8];
static unsigned diff_tail_len;

static void diff_template(const struct tmpl *t, unsigned iterations)
{
    uint8_t seed_data[DATA_SIZE], native_data[DATA_SIZE], seed_stack[128], native_stack[128];
    uint8_t *data = h_ptr(&H, DATA_ADDR, DATA_SIZE), *stack = h_ptr(&H, STACK_ADDR - 64, 128);
    for (unsigned it = 0; it < iterations; it++) {
        struct encoded e;
        struct native_state in, nat;
        encode(t, &e);
        random_state(t, &e, &in);
        memcpy(e.b + e.len, diff_tail, diff_tail_len);
        e.len += diff_tail_len;
        fill_data(seed_data);
        for (unsigned i = 0; i < sizeof seed_stack; i++)
            seed_stack[i] = (uint8_t)rnd();

        memcpy(data, seed_data, DATA_SIZE);
        memcpy(stack, seed_stack, sizeof seed_stack);
        nat = in;
        native_run(&e, &nat);
        memcpy(native_data, data, DATA_SIZE);
        memcpy(native_stack, stack, sizeof native_stack);

        memcpy(data, seed_data, DATA_SIZE);
        memcpy(stack, seed_stack, sizeof seed_stack);
        h_reset(&H, 64);
        memcpy(G()->gpr, in.gpr, sizeof in.gpr);
        G()->rflags = in.rflags;
        G()->rip = CODE_ADDR;
        enum h_stop st = h_run(&H, diff_tail_len ? 2 : 1);
        char hex[96];
        hexbytes(hex, &e);
        CHECK(st == H_STOP_NONE, "[%s] stopped (%d, vector %u)", hex, st, H.vector);
        CHECK(G()->rip == CODE_ADDR + e.len, "[%s] rip %+" PRId64, hex, (int64_t)(G()->rip - CODE_ADDR));
        for (int r = 0; r < 16; r++)
            CHECK(G()->gpr[r] == nat.gpr[r], "[%s] %s: emu %#" PRIx64 " host %#" PRIx64 " (in %#" PRIx64 ")", hex,
                  reg_names[r], G()->gpr[r], nat.gpr[r], in.gpr[r]);
        uint64_t mask = EFL_ARITH | EFL_DF;
        CHECK((G()->rflags & mask) == (nat.rflags & mask),
              "[%s] rflags: emu %#" PRIx64 " host %#" PRIx64 " (in %#" PRIx64 ", rax %#" PRIx64 " rcx %#" PRIx64 ")", hex,
              G()->rflags & mask, nat.rflags & mask, in.rflags & mask, in.gpr[0], in.gpr[1]);
        CHECK(memcmp(data, native_data, DATA_SIZE) == 0, "[%s] memory differs", hex);
        CHECK(memcmp(stack, native_stack, sizeof native_stack) == 0, "[%s] stack differs", hex);
    }
}

/* 32-bit protected mode on the host: a far jump to the 32-bit user code
 * segment.  Register-only and stack instructions (DS is null there). */
#define HOST_CS32 0x23
#define HOST_CS64 0x33
#define TRAMP_ADDR (CODE_ADDR + 0x80)

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

static void diff32_template(const struct tmpl *t, unsigned iterations)
{
    uint8_t *stack = h_ptr(&H, STACK_ADDR - 64, 64), native_stack[64];
    for (unsigned it = 0; it < iterations; it++) {
        struct encoded e;
        struct native_state in, nat;
        encode32(t, &e);
        for (int i = 0; i < 16; i++)
            in.gpr[i] = rnd_val() & 0xffffffff;
        in.gpr[GPR_RSP] = STACK_ADDR;
        in.rflags = 2 | EFL_IF | (rnd() & (EFL_ARITH | EFL_DF)); /* user mode cannot clear IF */

        uint8_t *code = h_ptr(&H, CODE_ADDR, 0x100);
        memcpy(code, e.b, e.len);
        uint8_t *p = code + e.len;
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
        memset(stack, 0x5a, 64);
        nat = in;
        native_exec32(&nat);
        memcpy(native_stack, stack, 64);

        memset(stack, 0x5a, 64);
        h_reset(&H, 32);
        memcpy(G()->gpr, in.gpr, sizeof in.gpr);
        G()->rflags = in.rflags;
        G()->rip = CODE_ADDR;
        enum h_stop st = h_run(&H, 1);
        char hex[96];
        hexbytes(hex, &e);
        CHECK(st == H_STOP_NONE, "[%s] stopped (%d, vector %u)", hex, st, H.vector);
        CHECK(G()->rip == CODE_ADDR + e.len, "[%s] eip %+" PRId64, hex, (int64_t)(G()->rip - CODE_ADDR));
        for (int r = 0; r < 8; r++)
            CHECK((G()->gpr[r] & 0xffffffff) == (nat.gpr[r] & 0xffffffff),
                  "[%s] %s: emu %#" PRIx64 " host %#" PRIx64 " (in %#" PRIx64 ")", hex, reg_names[r], G()->gpr[r],
                  nat.gpr[r] & 0xffffffff, in.gpr[r]);
        uint64_t mask = EFL_ARITH | EFL_DF;
        CHECK((G()->rflags & mask) == (nat.rflags & mask),
              "[%s] eflags: emu %#" PRIx64 " host %#" PRIx64 " (in %#" PRIx64 ", eax %#" PRIx64 ")", hex, G()->rflags & mask,
              nat.rflags & mask, in.rflags & mask, in.gpr[0]);
        CHECK(memcmp(stack, native_stack, 64) == 0, "[%s] stack differs", hex);
    }
}

static const struct tmpl diff32_tmpls[] = {
    { "daa", 0, { 0x27 }, 1, -2, 0, T_BYTE },
    { "das", 0, { 0x2f }, 1, -2, 0, T_BYTE },
    { "aaa", 0, { 0x37 }, 1, -2, 0, T_BYTE },
    { "aas", 0, { 0x3f }, 1, -2, 0, T_BYTE },
    { "aam", 0, { 0xd4 }, 1, -2, 1, T_BYTE },
    { "aad", 0, { 0xd5 }, 1, -2, 1, T_BYTE },
    { "inc_r", 0, { 0x40 }, 1, -2, 0, T_OPREG },
    { "dec_r", 0, { 0x48 }, 1, -2, 0, T_OPREG },
    { "push_r", 0, { 0x50 }, 1, -2, 0, T_OPREG },
    { "pop_r", 0, { 0x58 }, 1, -2, 0, T_OPREG },
    { "pusha", 0, { 0x60 }, 1, -2, 0, 0 },
    { "popa", 0, { 0x61 }, 1, -2, 0, 0 },
    { "push_iz", 0, { 0x68 }, 1, -2, 'z', 0 },
    { "pushf", 0, { 0x9c }, 1, -2, 0, 0 },
    { "lea16_32", 0, { 0x8d }, 1, -1, 0, T_LEA },
    { "arpl", 0, { 0x63 }, 1, -1, 0, T_BYTE },
    { "adc16", 0, { 0x11 }, 1, -1, 0, 0 },
    { "shld16", 0, { 0x0f, 0xa5 }, 2, -1, 0, 0 },
    { "rcr16", 0, { 0xd3 }, 1, 3, 0, 0 },
    { "imul3_16", 0, { 0x69 }, 1, -1, 'z', 0 },
    { "cwde", 0, { 0x98 }, 1, -2, 0, 0 },
    { "cdq", 0, { 0x99 }, 1, -2, 0, 0 },
    { "xchg_a_r", 0, { 0x90 }, 1, -2, 0, T_OPREG },
    { "salc", 0, { 0xd6 }, 1, -2, 0, T_BYTE },
};

static void run_differential32(void)
{
    for (size_t i = 0; i < sizeof diff32_tmpls / sizeof diff32_tmpls[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "host_diff32_%s", diff32_tmpls[i].name);
        fail_detail[0] = 0;
        diff32_template(&diff32_tmpls[i], 600);
        report(name);
    }
}

#define OP1(b) { b, 0, 0 }, 1
#define OP2(b) { 0x0f, b, 0 }, 2
#define OP3(b) { 0x0f, 0x38, b }, 3

static const struct tmpl diff_tmpls[] = {
    { "add_rm_r8", 0, OP1(0x00), -1, 0, T_BYTE | T_MEM | T_LOCK },
    { "add_rm_r", 0, OP1(0x01), -1, 0, T_MEM | T_LOCK },
    { "or_r_rm", 0, OP1(0x0b), -1, 0, T_MEM },
    { "adc_rm_r8", 0, OP1(0x10), -1, 0, T_BYTE | T_MEM | T_LOCK },
    { "adc_rm_r", 0, OP1(0x11), -1, 0, T_MEM | T_LOCK },
    { "sbb_r_rm8", 0, OP1(0x1a), -1, 0, T_BYTE | T_MEM },
    { "sbb_r_rm", 0, OP1(0x1b), -1, 0, T_MEM },
    { "and_rm_r", 0, OP1(0x21), -1, 0, T_MEM | T_LOCK },
    { "sub_rm_r8", 0, OP1(0x28), -1, 0, T_BYTE | T_MEM | T_LOCK },
    { "sub_r_rm", 0, OP1(0x2b), -1, 0, T_MEM },
    { "xor_rm_r", 0, OP1(0x31), -1, 0, T_MEM | T_LOCK },
    { "cmp_rm_r8", 0, OP1(0x38), -1, 0, T_BYTE | T_MEM },
    { "cmp_r_rm", 0, OP1(0x3b), -1, 0, T_MEM },
    { "add_al_i", 0, OP1(0x04), -2, 1, T_BYTE },
    { "adc_ax_i", 0, OP1(0x15), -2, 'z', 0 },
    { "sbb_ax_i", 0, OP1(0x1d), -2, 'z', 0 },
    { "cmp_al_i", 0, OP1(0x3c), -2, 1, T_BYTE },
    { "test_ax_i", 0, OP1(0xa9), -2, 'z', 0 },
    { "grp1_80_add", 0, OP1(0x80), 0, 1, T_BYTE | T_MEM | T_LOCK },
    { "grp1_80_sbb", 0, OP1(0x80), 3, 1, T_BYTE | T_MEM | T_LOCK },
    { "grp1_81_adc", 0, OP1(0x81), 2, 'z', T_MEM | T_LOCK },
    { "grp1_81_and", 0, OP1(0x81), 4, 'z', T_MEM | T_LOCK },
    { "grp1_83_or", 0, OP1(0x83), 1, 1, T_MEM | T_LOCK },
    { "grp1_83_sub", 0, OP1(0x83), 5, 1, T_MEM | T_LOCK },
    { "grp1_83_xor", 0, OP1(0x83), 6, 1, T_MEM | T_LOCK },
    { "grp1_83_cmp", 0, OP1(0x83), 7, 1, T_MEM },
    { "test_rm_r", 0, OP1(0x85), -1, 0, T_MEM },
    { "test_rm_i8", 0, OP1(0xf6), 0, 1, T_BYTE | T_MEM },
    { "not", 0, OP1(0xf7), 2, 0, T_MEM | T_LOCK },
    { "neg8", 0, OP1(0xf6), 3, 0, T_BYTE | T_MEM | T_LOCK },
    { "neg", 0, OP1(0xf7), 3, 0, T_MEM | T_LOCK },
    { "mul8", 0, OP1(0xf6), 4, 0, T_BYTE | T_MEM },
    { "mul", 0, OP1(0xf7), 4, 0, T_MEM },
    { "imul1_8", 0, OP1(0xf6), 5, 0, T_BYTE },
    { "imul1", 0, OP1(0xf7), 5, 0, T_MEM },
    { "div8", 0, OP1(0xf6), 6, 0, T_BYTE | T_DIV },
    { "div", 0, OP1(0xf7), 6, 0, T_DIV },
    { "idiv8", 0, OP1(0xf6), 7, 0, T_BYTE | T_DIV },
    { "idiv", 0, OP1(0xf7), 7, 0, T_DIV },
    { "imul2", 0, OP2(0xaf), -1, 0, T_MEM },
    { "imul3_iz", 0, OP1(0x69), -1, 'z', T_MEM },
    { "imul3_ib", 0, OP1(0x6b), -1, 1, 0 },
    { "inc8", 0, OP1(0xfe), 0, 0, T_BYTE | T_MEM | T_LOCK },
    { "dec8", 0, OP1(0xfe), 1, 0, T_BYTE },
    { "inc", 0, OP1(0xff), 0, 0, T_MEM | T_LOCK },
    { "dec", 0, OP1(0xff), 1, 0, T_MEM | T_LOCK },
    { "rol8_i", 0, OP1(0xc0), 0, 1, T_BYTE },
    { "ror_i", 0, OP1(0xc1), 1, 1, T_MEM },
    { "rcl8_cl", 0, OP1(0xd2), 2, 0, T_BYTE },
    { "rcl_cl", 0, OP1(0xd3), 2, 0, 0 },
    { "rcr8_i", 0, OP1(0xc0), 3, 1, T_BYTE },
    { "rcr_cl", 0, OP1(0xd3), 3, 0, T_MEM },
    { "shl8_cl", 0, OP1(0xd2), 4, 0, T_BYTE },
    { "shl_cl", 0, OP1(0xd3), 4, 0, 0 },
    { "shl_1", 0, OP1(0xd1), 4, 0, T_MEM },
    { "shr8_cl", 0, OP1(0xd2), 5, 0, T_BYTE },
    { "shr_i", 0, OP1(0xc1), 5, 1, 0 },
    { "shr_1", 0, OP1(0xd1), 5, 0, 0 },
    { "sal_cl", 0, OP1(0xd3), 6, 0, 0 },
    { "sar8_cl", 0, OP1(0xd2), 7, 0, T_BYTE },
    { "sar_cl", 0, OP1(0xd3), 7, 0, T_MEM },
    { "rol_1", 0, OP1(0xd1), 0, 0, 0 },
    { "ror8_cl", 0, OP1(0xd2), 1, 0, T_BYTE },
    { "rol_cl", 0, OP1(0xd3), 0, 0, 0 },
    { "shld_i", 0, OP2(0xa4), -1, 1, T_MEM },
    { "shld_cl", 0, OP2(0xa5), -1, 0, 0 },
    { "shrd_i", 0, OP2(0xac), -1, 1, 0 },
    { "shrd_cl", 0, OP2(0xad), -1, 0, T_MEM },
    { "bt_r", 0, OP2(0xa3), -1, 0, T_MEM | T_BITOFF },
    { "bts_r", 0, OP2(0xab), -1, 0, T_MEM | T_BITOFF | T_LOCK },
    { "btr_r", 0, OP2(0xb3), -1, 0, T_MEM | T_BITOFF | T_LOCK },
    { "btc_r", 0, OP2(0xbb), -1, 0, T_MEM | T_BITOFF | T_LOCK },
    { "bt_i", 0, OP2(0xba), 4, 1, T_MEM },
    { "bts_i", 0, OP2(0xba), 5, 1, T_MEM | T_LOCK },
    { "btr_i", 0, OP2(0xba), 6, 1, 0 },
    { "btc_i", 0, OP2(0xba), 7, 1, 0 },
    { "bsf", 0, OP2(0xbc), -1, 0, T_MEM },
    { "bsr", 0, OP2(0xbd), -1, 0, 0 },
    { "popcnt", 0xf3, OP2(0xb8), -1, 0, T_MEM },
    { "tzcnt", 0xf3, OP2(0xbc), -1, 0, 0 },
    { "lzcnt", 0xf3, OP2(0xbd), -1, 0, T_MEM },
    { "bswap", 0, OP2(0xc8), -2, 0, T_OPREG },
    { "cmovb", 0, OP2(0x42), -1, 0, T_MEM },
    { "cmovbe", 0, OP2(0x46), -1, 0, 0 },
    { "cmovl", 0, OP2(0x4c), -1, 0, 0 },
    { "cmovng", 0, OP2(0x4e), -1, 0, T_MEM },
    { "seto", 0, OP2(0x90), -1, 0, T_BYTE },
    { "setnz", 0, OP2(0x95), -1, 0, T_BYTE | T_MEM },
    { "seta", 0, OP2(0x97), -1, 0, T_BYTE },
    { "setp", 0, OP2(0x9a), -1, 0, T_BYTE },
    { "setge", 0, OP2(0x9d), -1, 0, T_BYTE },
    { "setle", 0, OP2(0x9e), -1, 0, T_BYTE },
    { "setno", 0, OP2(0x91), -1, 0, T_BYTE },
    { "setb", 0, OP2(0x92), -1, 0, T_BYTE },
    { "setae", 0, OP2(0x93), -1, 0, T_BYTE },
    { "setz", 0, OP2(0x94), -1, 0, T_BYTE },
    { "setbe", 0, OP2(0x96), -1, 0, T_BYTE },
    { "sets", 0, OP2(0x98), -1, 0, T_BYTE },
    { "setns", 0, OP2(0x99), -1, 0, T_BYTE },
    { "setnp", 0, OP2(0x9b), -1, 0, T_BYTE },
    { "setl", 0, OP2(0x9c), -1, 0, T_BYTE },
    { "setg", 0, OP2(0x9f), -1, 0, T_BYTE },
    { "movzx_b", 0, OP2(0xb6), -1, 0, T_MEM },
    { "movzx_w", 0, OP2(0xb7), -1, 0, 0 },
    { "movsx_b", 0, OP2(0xbe), -1, 0, T_MEM },
    { "movsx_w", 0, OP2(0xbf), -1, 0, 0 },
    { "movsxd", 0, OP1(0x63), -1, 0, T_MEM | T_W_ONLY },
    { "mov_rm_r8", 0, OP1(0x88), -1, 0, T_BYTE | T_MEM },
    { "mov_r_rm", 0, OP1(0x8b), -1, 0, T_MEM },
    { "mov_rm_i", 0, OP1(0xc7), 0, 'z', T_MEM },
    { "mov_r_iv", 0, OP1(0xb8), -2, 'v', T_OPREG },
    { "mov_r8_ib", 0, OP1(0xb0), -2, 1, T_OPREG | T_BYTE },
    { "xchg_rm_r", 0, OP1(0x87), -1, 0, T_MEM | T_LOCK },
    { "xchg_rm_r8", 0, OP1(0x86), -1, 0, T_BYTE },
    { "xchg_a_r", 0, OP1(0x90), -2, 0, T_OPREG },
    { "xadd", 0, OP2(0xc1), -1, 0, T_MEM | T_LOCK },
    { "xadd8", 0, OP2(0xc0), -1, 0, T_BYTE | T_MEM | T_LOCK },
    { "cmpxchg", 0, OP2(0xb1), -1, 0, T_MEM | T_LOCK },
    { "cmpxchg8", 0, OP2(0xb0), -1, 0, T_BYTE | T_MEM | T_LOCK },
    { "lea", 0, OP1(0x8d), -1, 0, T_LEA },
    { "cbw", 0, OP1(0x98), -2, 0, 0 },
    { "cwd", 0, OP1(0x99), -2, 0, 0 },
    { "sahf", 0, OP1(0x9e), -2, 0, T_BYTE },
    { "lahf", 0, OP1(0x9f), -2, 0, T_BYTE },
    { "cmc", 0, OP1(0xf5), -2, 0, T_BYTE },
    { "std", 0, OP1(0xfd), -2, 0, T_BYTE },
    { "movbe_load", 0, OP3(0xf0), -1, 0, T_MEMONLY },
    { "movbe_store", 0, OP3(0xf1), -1, 0, T_MEMONLY },
    { "movsb", 0, OP1(0xa4), -2, 0, T_BYTE | T_STR | T_REP },
    { "movs", 0, OP1(0xa5), -2, 0, T_STR | T_REP },
    { "cmpsb", 0, OP1(0xa6), -2, 0, T_BYTE | T_STR | T_REP },
    { "cmps", 0, OP1(0xa7), -2, 0, T_STR | T_REP },
    { "stosb", 0, OP1(0xaa), -2, 0, T_BYTE | T_STR | T_REP },
    { "stos", 0, OP1(0xab), -2, 0, T_STR | T_REP },
    { "lods", 0, OP1(0xad), -2, 0, T_STR | T_REP },
    { "scasb", 0, OP1(0xae), -2, 0, T_BYTE | T_STR | T_REP },
    { "scas", 0, OP1(0xaf), -2, 0, T_STR | T_REP },
    { "push_r", 0, OP1(0x50), -2, 0, T_OPREG | T_NOREX_W },
    { "pop_r", 0, OP1(0x58), -2, 0, T_OPREG | T_NOREX_W },
    { "push_rm", 0, OP1(0xff), 6, 0, T_MEMONLY | T_NOREX_W },
    { "pop_rm", 0, OP1(0x8f), 0, 0, T_MEM | T_NOREX_W },
    { "push_iz", 0, OP1(0x68), -2, 'z', T_NOREX_W },
    { "push_ib", 0, OP1(0x6a), -2, 1, T_NOREX_W },
    { "xlat", 0, OP1(0xd7), -2, 0, T_BYTE | T_MEMONLY },
    { "cmpxchg8b", 0, OP2(0xc7), 1, 0, T_MEMONLY | T_NOREX_W | T_LOCK },
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
        for (unsigned cc = 0; cc < 17 && t && !fail_detail[0]; cc++) {
            static const uint8_t lahf[] = { 0x9f };
            const uint8_t setcc[] = { 0x41, 0x0f, (uint8_t)(0x90 + cc), 0xc7 };
            diff_tail_len = cc < 16 ? sizeof setcc : sizeof lahf;
            memcpy(diff_tail, cc < 16 ? setcc : lahf, diff_tail_len);
            diff_template(t, 60);
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
        diff_template(&diff_tmpls[i], 600);
        report(name);
    }
}

void run_host_diff(void)
{
    run_differential();
    run_lazy_flag_pairs();
    run_differential32();
}

#endif
