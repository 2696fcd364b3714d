/* Directed engine tests: decoding rules, programs in every mode, strings,
 * faults, atomics, self-modifying code. */
#include <pthread.h>
#include <time.h>

#include "engine_test.h"

/* Test programs, assembled with GNU as from the source above each. */

/* 16-bit:
 *   mov ax, 0x1234
 *   mov bx, 0x0010
 *   add ax, bx
 *   push ax
 *   pop cx
 *   mov si, 0x500
 *   mov word ptr [si], 0xbeef
 *   mov dx, [si]
 *   call sub1
 *   mov cx, 5
 *   xor di, di
 * l1: inc di
 *   loop l1
 *   mov bp, 0x600
 *   mov word ptr [bp+2], 0x4242
 *   hlt
 * sub1:
 *   mov bp, 0x77
 *   ret
 */
static const uint8_t prog_real16[] = {
    0xb8, 0x34, 0x12, 0xbb, 0x10, 0x00, 0x01, 0xd8, 0x50, 0x59, 0xbe, 0x00, 0x05, 0xc7, 0x04, 0xef,
    0xbe, 0x8b, 0x14, 0xe8, 0x11, 0x00, 0xb9, 0x05, 0x00, 0x31, 0xff, 0x47, 0xe2, 0xfd, 0xbd, 0x00,
    0x06, 0xc7, 0x46, 0x02, 0x42, 0x42, 0xf4, 0xbd, 0x77, 0x00, 0xc3,
};
/* 16-bit:
 *   mov si, 0x800
 *   mov di, 0x900
 *   mov cx, 10
 *   cld
 *   rep movsb
 *   hlt
 */
static const uint8_t prog_real_movs[] = {
    0xbe, 0x00, 0x08, 0xbf, 0x00, 0x09, 0xb9, 0x0a, 0x00, 0xfc, 0xf3, 0xa4, 0xf4,
};
/* 32-bit:
 *   mov esp, 0x8000
 *   mov ebp, 0x1111
 *   enter 16, 0
 *   mov eax, 0x79
 *   add al, 0x35
 *   daa
 *   mov ebx, eax
 *   mov ecx, 0xcccc
 *   pushad
 *   xor eax, eax
 *   xor ecx, ecx
 *   popad
 *   leave
 *   mov esi, 0x3000
 *   mov dword ptr [esi], 0
 *   lea edi, [esi + ecx*2 + 8]
 *   movzx edx, byte ptr [esi + 4 - 4]
 *   bswap ecx
 *   hlt
 */
static const uint8_t prog_prot32[] = {
    0xbc, 0x00, 0x80, 0x00, 0x00, 0xbd, 0x11, 0x11, 0x00, 0x00, 0xc8, 0x10, 0x00, 0x00, 0xb8, 0x79,
    0x00, 0x00, 0x00, 0x04, 0x35, 0x27, 0x89, 0xc3, 0xb9, 0xcc, 0xcc, 0x00, 0x00, 0x60, 0x31, 0xc0,
    0x31, 0xc9, 0x61, 0xc9, 0xbe, 0x00, 0x30, 0x00, 0x00, 0xc7, 0x06, 0x00, 0x00, 0x00, 0x00, 0x8d,
    0x7c, 0x4e, 0x08, 0x0f, 0xb6, 0x16, 0x0f, 0xc9, 0xf4,
};
/* 32-bit:
 *   mov al, 0x35
 *   sub al, 0x47
 *   das
 *   mov bl, al
 *   mov ax, 0x0009
 *   add al, 0x08
 *   aaa
 *   mov cx, ax
 *   mov al, 63
 *   aam
 *   mov dx, ax
 *   mov ax, 0x0607
 *   aad
 *   hlt
 */
static const uint8_t prog_bcd[] = {
    0xb0, 0x35, 0x2c, 0x47, 0x2f, 0x88, 0xc3, 0x66, 0xb8, 0x09, 0x00, 0x04, 0x08, 0x37, 0x66, 0x89,
    0xc1, 0xb0, 0x3f, 0xd4, 0x0a, 0x66, 0x89, 0xc2, 0x66, 0xb8, 0x07, 0x06, 0xd5, 0x0a, 0xf4,
};
/* 64-bit:
 *   mov rdi, rsi
 *   xor eax, eax
 *   mov rcx, -1
 *   repne scasb
 *   not rcx
 *   dec rcx
 *   hlt
 */
static const uint8_t prog_strlen[] = {
    0x48, 0x89, 0xf7, 0x31, 0xc0, 0x48, 0xc7, 0xc1, 0xff, 0xff, 0xff, 0xff, 0xf2, 0xae, 0x48, 0xf7,
    0xd1, 0x48, 0xff, 0xc9, 0xf4,
};
/* 64-bit:
 *   mov ecx, 64
 *   repe cmpsb
 *   hlt
 */
static const uint8_t prog_memcmp[] = {
    0xb9, 0x40, 0x00, 0x00, 0x00, 0xf3, 0xa6, 0xf4,
};
/* 64-bit:
 * l:
 *   lock inc dword ptr [rbx]
 *   dec ecx
 *   jnz l
 *   hlt
 */
static const uint8_t prog_lockinc[] = {
    0xf0, 0xff, 0x03, 0xff, 0xc9, 0x75, 0xf9, 0xf4,
};
/* 64-bit:
 *   mov ecx, 3
 *   xor edx, edx
 * again:
 *   mov eax, 1
 *   add edx, eax
 *   inc dword ptr [rip + again + 1]
 *   dec ecx
 *   jnz again
 *   hlt
 */
static const uint8_t prog_smc[] = {
    0xb9, 0x03, 0x00, 0x00, 0x00, 0x31, 0xd2, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x01, 0xc2, 0xff, 0x05,
    0xf4, 0xff, 0xff, 0xff, 0xff, 0xc9, 0x75, 0xef, 0xf4,
};
/* 64-bit:
 *   mov rsp, rbx
 *   call f
 *   push 0x7fffffff
 *   pop rdx
 *   push -2
 *   pop r8
 *   pushfq
 *   pop r9
 *   lea rsi, [rip]
 *   mov rcx, 5
 *   xor eax, eax
 * l:
 *   add eax, ecx
 *   loop l
 *   jmp done
 *   ud2
 * done:
 *   hlt
 * f:
 *   mov r10, [rsp]
 *   ret
 */
static const uint8_t prog_calls[] = {
    0x48, 0x89, 0xdc, 0xe8, 0x26, 0x00, 0x00, 0x00, 0x68, 0xff, 0xff, 0xff, 0x7f, 0x5a, 0x6a, 0xfe,
    0x41, 0x58, 0x9c, 0x41, 0x59, 0x48, 0x8d, 0x35, 0x00, 0x00, 0x00, 0x00, 0x48, 0xc7, 0xc1, 0x05,
    0x00, 0x00, 0x00, 0x31, 0xc0, 0x01, 0xc8, 0xe2, 0xfc, 0xeb, 0x02, 0x0f, 0x0b, 0xf4, 0x4c, 0x8b,
    0x14, 0x24, 0xc3,
};


/* 32-bit:
 *   mov ecx, 0x12340003
 *   xor eax, eax
 * l1:
 *   inc eax
 *   addr16 loop l1
 *   mov ecx, 10
 *   xor edx, edx
 * l2:
 *   inc edx
 *   cmp edx, 4
 *   loopne l2
 *   xor ecx, ecx
 *   jecxz over
 *   ud2
 * over:
 *   mov ecx, 0x55550000
 *   jcxz over2
 *   ud2
 * over2:
 *   hlt
 */
static const uint8_t prog_loops[] = {
    0xb9, 0x03, 0x00, 0x34, 0x12, 0x31, 0xc0, 0x40, 0x67, 0xe2, 0xfc, 0xb9, 0x0a, 0x00, 0x00, 0x00,
    0x31, 0xd2, 0x42, 0x83, 0xfa, 0x04, 0xe0, 0xfa, 0x31, 0xc9, 0xe3, 0x02, 0x0f, 0x0b, 0xb9, 0x00,
    0x00, 0x55, 0x55, 0x67, 0xe3, 0x02, 0x0f, 0x0b, 0xf4,
};

static void t_loops_and_bound(void)
{
    h_reset(&H, 32);
    run_code(0x4000, prog_loops, sizeof prog_loops, 100);
    CHECK(halted(), "no halt: stop %d vector %u", H.stop, H.vector);
    CHECK(G()->gpr[GPR_RAX] == 3 && G()->gpr[GPR_RDX] == 4 && G()->gpr[GPR_RCX] == 0x55550000,
          "eax %#" PRIx64 " edx %#" PRIx64 " ecx %#" PRIx64, G()->gpr[GPR_RAX], G()->gpr[GPR_RDX], G()->gpr[GPR_RCX]);
    static const uint8_t bound[] = { 0x62, 0x03, 0xf4 }; /* bound eax, [ebx] */
    int32_t *b = (int32_t *)h_ptr(&H, 0x3000, 8);
    b[0] = -5, b[1] = 10;
    h_reset(&H, 32);
    G()->gpr[GPR_RBX] = 0x3000;
    G()->gpr[GPR_RAX] = (uint32_t)-5;
    run_code(0x4000, bound, sizeof bound, 5);
    CHECK(halted(), "bound in range faulted");
    h_reset(&H, 32);
    G()->gpr[GPR_RBX] = 0x3000;
    G()->gpr[GPR_RAX] = 11;
    enum h_stop st = run_code(0x4000, bound, sizeof bound, 5);
    CHECK(st == H_STOP_EXC && H.vector == 5 && G()->rip == 0x4000, "bound out of range: stop %d vector %u", st, H.vector);
}

static void t_decode_lengths(void)
{
    static const struct {
        int mode;
        uint8_t bytes[15];
        unsigned n, len;
        uint32_t opcode;
        uint8_t opsize, addrsize;
    } cases[] = {
        { 64, { 0x90 }, 1, 1, 0x90, 4, 8 },
        { 64, { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 }, 10, 10, 0xb8, 8, 8 },
        { 64, { 0xb8, 1, 2, 3, 4 }, 5, 5, 0xb8, 4, 8 },
        { 64, { 0x66, 0xb8, 1, 2 }, 4, 4, 0xb8, 2, 8 },
        { 64, { 0x48, 0xa1, 1, 2, 3, 4, 5, 6, 7, 8 }, 10, 10, 0xa1, 8, 8 },
        { 64, { 0x67, 0xa1, 1, 2, 3, 4 }, 6, 6, 0xa1, 4, 4 },
        { 64, { 0x8b, 0x05, 1, 2, 3, 4 }, 6, 6, 0x8b, 4, 8 },
        { 64, { 0x8b, 0x04, 0x25, 1, 2, 3, 4 }, 7, 7, 0x8b, 4, 8 },
        { 64, { 0x8b, 0x44, 0x24, 0x08 }, 4, 4, 0x8b, 4, 8 },
        { 64, { 0x8b, 0x84, 0x24, 1, 2, 3, 4 }, 7, 7, 0x8b, 4, 8 },
        { 64, { 0x66, 0xc7, 0x00, 1, 2 }, 5, 5, 0xc7, 2, 8 },
        { 64, { 0x48, 0xc7, 0x00, 1, 2, 3, 4 }, 7, 7, 0xc7, 8, 8 },
        { 64, { 0xc8, 0x10, 0x00, 0x01 }, 4, 4, 0xc8, 8, 8 },
        { 64, { 0x66, 0x50 }, 2, 2, 0x50, 2, 8 },
        { 64, { 0x50 }, 1, 1, 0x50, 8, 8 },
        { 64, { 0x66, 0xe8, 1, 2, 3, 4 }, 6, 6, 0xe8, 8, 8 },   /* Intel: 66 ignored */
        { 64, { 0x0f, 0x84, 1, 2, 3, 4 }, 6, 6, 0x0f84, 8, 8 },
        { 64, { 0x0f, 0x38, 0xf0, 0x03 }, 4, 4, 0x0f38f0, 4, 8 },
        { 64, { 0xf3, 0x0f, 0x1e, 0xfa }, 4, 4, 0x0f1e, 4, 8 },
        { 64, { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 5, 5, 0x0f1f, 4, 8 },
        { 64, { 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0 }, 10, 10, 0x0f1f, 2, 8 },
        { 64, { 0x0f, 0x20, 0x00 }, 3, 3, 0x0f20, 4, 8 },       /* MOV CR: mod ignored */
        { 64, { 0xf6, 0x00, 0x12 }, 3, 3, 0xf6, 1, 8 },         /* TEST has an imm8 */
        { 64, { 0xf6, 0x10 }, 2, 2, 0xf6, 1, 8 },               /* NOT has none */
        { 32, { 0xea, 1, 2, 3, 4, 5, 6 }, 7, 7, 0xea, 4, 4 },
        { 32, { 0x66, 0xea, 1, 2, 3, 4 }, 6, 6, 0xea, 2, 4 },
        { 32, { 0x8b, 0x05, 1, 2, 3, 4 }, 6, 6, 0x8b, 4, 4 },
        { 32, { 0x67, 0x8b, 0x46, 0x02 }, 4, 4, 0x8b, 4, 2 },
        { 32, { 0x40 }, 1, 1, 0x40, 4, 4 },                     /* INC, not REX */
        { 16, { 0x8b, 0x06, 0x34, 0x12 }, 4, 4, 0x8b, 2, 2 },
        { 16, { 0x8b, 0x80, 0x34, 0x12 }, 4, 4, 0x8b, 2, 2 },
        { 16, { 0x66, 0x67, 0x8b, 0x04, 0x24 }, 5, 5, 0x8b, 4, 4 },
        { 16, { 0x66, 0x68, 1, 2, 3, 4 }, 6, 6, 0x68, 4, 2 },
        { 16, { 0xe8, 1, 2 }, 3, 3, 0xe8, 2, 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct insn in;
        h_reset(&H, cases[i].mode);
        CHECK(emu_decode_bytes(&H.cpu, cases[i].bytes, cases[i].n, &in), "case %zu: short", i);
        CHECK(in.len == cases[i].len, "case %zu: len %u want %u", i, in.len, cases[i].len);
        CHECK(in.opcode == cases[i].opcode, "case %zu: opcode %#x", i, in.opcode);
        CHECK(in.opsize == cases[i].opsize, "case %zu: opsize %u", i, in.opsize);
        CHECK(in.addrsize == cases[i].addrsize, "case %zu: addrsize %u", i, in.addrsize);
        CHECK(!emu_decode_bytes(&H.cpu, cases[i].bytes, cases[i].len - 1, &in), "case %zu: truncated accepted", i);
    }
}

static void t_decode_modrm_fields(void)
{
    struct insn in;
    h_reset(&H, 64);
    /* mov r9, [r12 + r13*4 - 8] = 4f 8b 4c ac f8 */
    static const uint8_t b[] = { 0x4f, 0x8b, 0x4c, 0xac, 0xf8 };
    CHECK(emu_decode_bytes(&H.cpu, b, sizeof b, &in), "short");
    CHECK(in.reg == 9 && in.base == 12 && in.index == 13 && in.scale == 4 && in.disp == -8 && in.opsize == 8,
          "reg %u base %d index %d scale %u disp %" PRId64, in.reg, in.base, in.index, in.scale, in.disp);
    /* [rbp] needs a disp8 and defaults to SS; [r13] too but keeps DS */
    static const uint8_t c[] = { 0x8b, 0x45, 0x00 }, d[] = { 0x41, 0x8b, 0x45, 0x00 };
    CHECK(emu_decode_bytes(&H.cpu, c, sizeof c, &in) && emu_ea_seg(&in) == SEG_SS, "[rbp] seg");
    CHECK(emu_decode_bytes(&H.cpu, d, sizeof d, &in) && emu_ea_seg(&in) == SEG_DS, "[r13] seg");
    /* 16-bit [bp+si] -> SS, [bx+di] -> DS, with override */
    h_reset(&H, 16);
    static const uint8_t e[] = { 0x8b, 0x02 }, f[] = { 0x8b, 0x01 }, g[] = { 0x26, 0x8b, 0x02 };
    CHECK(emu_decode_bytes(&H.cpu, e, 2, &in) && emu_ea_seg(&in) == SEG_SS, "[bp+si] seg");
    CHECK(emu_decode_bytes(&H.cpu, f, 2, &in) && emu_ea_seg(&in) == SEG_DS, "[bx+di] seg");
    CHECK(emu_decode_bytes(&H.cpu, g, 3, &in) && emu_ea_seg(&in) == SEG_ES, "es override");
}

/* The decode memo gives what the decoder gives: for bytes it has seen, for
 * the same bytes in another mode, for bytes that changed after a
 * hit, and once more instructions than it has entries went through it. */
static bool same_insn(const struct insn *a, const struct insn *b)
{
    return a->len == b->len && a->opcode == b->opcode && a->opsize == b->opsize &&
           a->addrsize == b->addrsize && a->reg == b->reg && a->rm == b->rm && a->has_mem == b->has_mem &&
           a->disp == b->disp && a->imm == b->imm && a->exec == b->exec;
}

static void t_decode_memo(void)
{
    static const uint8_t seqs[][15] = {
        { 0x8b, 0x05, 1, 2, 3, 4 },           /* mov eax, [rip+d32] / [d32] */
        { 0xe6, 0x80 },                       /* out 0x80, al */
        { 0x66, 0xb8, 1, 2, 3, 4 },           /* mov ax, imm16 (32/64) / mov eax, imm32 (16) */
        { 0x48, 0x8b, 0x03 },                 /* mov rax, [rbx] / dec eax; ... */
        { 0x0f, 0xb6, 0x03 },                 /* movzx */
        { 0x8a, 0x23 },                       /* mov ah, [rbx] */
    };
    static const int modes[] = { 64, 32, 16, 64 };
    struct emu_decode_memo memo;
    memset(&memo, 0, sizeof memo);
    /* Each sequence in every mode in turn, so that the memo holds it from
     * the mode before; then all of them, more than it has entries. */
    for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            h_reset(&H, modes[m]);
            struct insn want, got;
            bool ok_want = emu_decode_bytes(&H.cpu, seqs[i], 15, &want);
            bool ok_got = emu_decode_memo(&memo, &H.cpu, seqs[i], 15, &got);
            CHECK(ok_want == ok_got && (!ok_want || same_insn(&want, &got)),
                  "seq %zu mode %d: memo differs from the decoder", i, modes[m]);
        }
    }
    for (int round = 0; round < 2; round++) {
        h_reset(&H, 64);
        for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
            struct insn want, got;
            bool ok_want = emu_decode_bytes(&H.cpu, seqs[i], 15, &want);
            bool ok_got = emu_decode_memo(&memo, &H.cpu, seqs[i], 15, &got);
            CHECK(ok_want == ok_got && (!ok_want || same_insn(&want, &got)),
                  "round %d seq %zu: memo differs from the decoder", round, i);
        }
    }
    /* A hit, then the immediate changes: the memo must not return the old one. */
    h_reset(&H, 64);
    uint8_t b[15] = { 0xb8, 1, 0, 0, 0 };
    struct insn in;
    CHECK(emu_decode_memo(&memo, &H.cpu, b, 15, &in) && in.imm == 1, "first imm %" PRIu64, in.imm);
    CHECK(emu_decode_memo(&memo, &H.cpu, b, 15, &in) && in.imm == 1, "hit imm %" PRIu64, in.imm);
    b[1] = 2;
    CHECK(emu_decode_memo(&memo, &H.cpu, b, 15, &in) && in.imm == 2, "changed imm %" PRIu64, in.imm);
    /* Fewer bytes than a remembered instruction needs: decoded anew (and fails). */
    CHECK(!emu_decode_memo(&memo, &H.cpu, b, 3, &in), "a truncated instruction was accepted");
}

/* REX counts only immediately before the opcode. */
static void t_rex_position(void)
{
    h_reset(&H, 64);
    G()->gpr[GPR_RAX] = 0x1111111122228000ull;
    static const uint8_t ignored[] = { 0x48, 0x66, 0x01, 0xc0, 0xf4 }; /* REX.W then 66: add ax, ax */
    run_code(CODE_ADDR, ignored, sizeof ignored, 10);
    CHECK(halted(), "did not halt");
    CHECK(G()->gpr[GPR_RAX] == 0x1111111122220000ull, "rax %#" PRIx64, G()->gpr[GPR_RAX]);
    h_reset(&H, 64);
    G()->gpr[GPR_RAX] = 0x1111111122228000ull;
    static const uint8_t used[] = { 0x66, 0x48, 0x01, 0xc0, 0xf4 }; /* 66 then REX.W: add rax, rax */
    run_code(CODE_ADDR, used, sizeof used, 10);
    CHECK(G()->gpr[GPR_RAX] == 0x2222222244450000ull, "rax %#" PRIx64, G()->gpr[GPR_RAX]);
}

static void expect_exception(const char *what, int mode, const uint8_t *code, unsigned len, unsigned vector)
{
    h_reset(&H, mode);
    G()->gpr[GPR_RSP] = STACK_ADDR;
    G()->gpr[GPR_RBX] = DATA_ADDR;
    enum h_stop st = run_code(CODE_ADDR, code, len, 1);
    CHECK(st == H_STOP_EXC && H.vector == vector, "%s: stop %d vector %u, want #%u", what, st, H.vector, vector);
    CHECK(G()->rip == CODE_ADDR, "%s: rip moved", what);
}

static void t_too_long(void)
{
    uint8_t b[16];
    memset(b, 0x66, sizeof b);
    b[15] = 0x90;
    expect_exception("16 bytes", 64, b, 16, 13);
    if (fail_detail[0])
        return;
    memset(b, 0x2e, 14); /* exactly 15 bytes is fine */
    b[14] = 0x90;
    h_reset(&H, 64);
    CHECK(run_code(CODE_ADDR, b, 15, 1) == H_STOP_NONE && G()->rip == CODE_ADDR + 15, "15-byte nop");
}

static void t_lock_rules(void)
{
    static const uint8_t lock_reg[] = { 0xf0, 0x01, 0xc0 }, lock_mov[] = { 0xf0, 0x89, 0x03 },
                         lock_cmp[] = { 0xf0, 0x39, 0x03 }, lock_add[] = { 0xf0, 0x01, 0x03 };
    expect_exception("lock add reg", 64, lock_reg, 3, 6);
    expect_exception("lock mov", 64, lock_mov, 3, 6);
    expect_exception("lock cmp", 64, lock_cmp, 3, 6);
    if (fail_detail[0])
        return;
    h_reset(&H, 64);
    G()->gpr[GPR_RBX] = DATA_ADDR;
    G()->gpr[GPR_RAX] = 5;
    memset(h_ptr(&H, DATA_ADDR, 4), 0, 4);
    H.rmw_ptr_calls = 0;
    CHECK(run_code(CODE_ADDR, lock_add, 3, 1) == H_STOP_NONE, "lock add mem stopped");
    CHECK(*(uint32_t *)h_ptr(&H, DATA_ADDR, 4) == 5 && H.rmw_ptr_calls == 1, "lock add mem: not atomic path");
}

static void t_invalid_in_64(void)
{
    static const uint8_t ops[] = { 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f,
                                   0x60, 0x61, 0xce, 0xd6 };
    for (size_t i = 0; i < sizeof ops; i++) {
        uint8_t b[4] = { ops[i], 0, 0, 0 };
        char what[32];
        snprintf(what, sizeof what, "opcode %02x", ops[i]);
        expect_exception(what, 64, b, 4, 6);
    }
    static const uint8_t multi[][8] = {
        { 0x62, 0x00 }, { 0x9a, 1, 2, 3, 4, 5, 6 }, { 0xea, 1, 2, 3, 4, 5, 6 }, { 0xc4, 0xe2, 0x79, 0x18, 0x00 },
        { 0xc5, 0xf8, 0x77 }, { 0x82, 0xc0, 0x01 }, { 0xd4, 0x0a }, { 0xd5, 0x0a }, { 0x66, 0x0f, 0x3a, 0x60, 0xc0, 1 },
        { 0xd9, 0xe2 }, { 0x0f, 0x58, 0xc0 }, { 0x8f, 0xc8 }, { 0xfe, 0xd0 }, { 0xff, 0xf8 }, { 0x8d, 0xc0 },
    };
    for (size_t i = 0; i < sizeof multi / sizeof multi[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "bytes %02x %02x", multi[i][0], multi[i][1]);
        expect_exception(what, 64, multi[i], 8, 6);
    }
}

static void expect_sys(const char *what, int mode, const uint8_t *code, unsigned len, uint32_t opcode)
{
    h_reset(&H, mode);
    enum h_stop st = run_code(CODE_ADDR, code, len, 1);
    CHECK(st == H_STOP_SYS && H.sys_opcode == opcode, "%s: stop %d opcode %#x", what, st, H.sys_opcode);
}

static void t_system_routing(void)
{
    static const uint8_t cpuid[] = { 0x0f, 0xa2 }, hlt[] = { 0xf4 }, pause[] = { 0xf3, 0x90 },
                         in[] = { 0xe4, 0x60 }, vmcall[] = { 0x0f, 0x01, 0xc1 }, wrmsr[] = { 0x0f, 0x30 },
                         movcr[] = { 0x0f, 0x22, 0xd8 }, int3[] = { 0xcc }, iret[] = { 0x48, 0xcf },
                         ud2[] = { 0x0f, 0x0b }, rdrand[] = { 0x0f, 0xc7, 0xf0 }, movsr[] = { 0x8e, 0xd8 },
                         callf[] = { 0xff, 0x18 }, outsb[] = { 0xf3, 0x6e }, les[] = { 0xc4, 0x00 };
    expect_sys("cpuid", 64, cpuid, 2, 0x0fa2);
    expect_sys("hlt", 64, hlt, 1, 0xf4);
    expect_sys("pause", 64, pause, 2, 0x90);
    expect_sys("in", 64, in, 2, 0xe4);
    expect_sys("vmcall", 64, vmcall, 3, 0x0f01);
    expect_sys("wrmsr", 64, wrmsr, 2, 0x0f30);
    expect_sys("mov cr3", 64, movcr, 3, 0x0f22);
    expect_sys("int3", 64, int3, 1, 0xcc);
    expect_sys("iretq", 64, iret, 2, 0xcf);
    expect_sys("ud2", 64, ud2, 2, 0x0f0b);
    expect_sys("rdrand", 64, rdrand, 3, 0x0fc7);
    expect_sys("mov ds", 64, movsr, 2, 0x8e);
    expect_sys("call far", 64, callf, 2, 0xff);
    expect_sys("rep outsb", 64, outsb, 2, 0x6e);
    expect_sys("les", 32, les, 2, 0xc4);
    static const uint8_t vex32[] = { 0xc5, 0xf8, 0x77 }, lss_reg[] = { 0x0f, 0xb2, 0xc0 };
    expect_exception("vex in 32-bit mode", 32, vex32, 3, 6);
    expect_exception("lss reg", 32, lss_reg, 3, 6);
    static const uint8_t nops[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x0f, 0x1f, 0x00, 0x0f, 0x18, 0x08, 0x0f, 0x0d, 0x08,
                                    0x9b, 0x66, 0x90, 0xf4 };
    h_reset(&H, 64);
    G()->gpr[GPR_RAX] = 0xffffffff00000000ull;
    run_code(CODE_ADDR, nops, sizeof nops, 20);
    CHECK(halted() && H.executed == 6, "nop forms: stop %d executed %" PRIu64, H.stop, H.executed);
    CHECK(G()->gpr[GPR_RAX] == 0xffffffff00000000ull, "90 must not zero-extend EAX");
}

static void t_real_mode_program(void)
{
    h_reset(&H, 16);
    G()->seg[SEG_SS].base = 0x10000;
    G()->seg[SEG_SS].sel = 0x1000;
    G()->gpr[GPR_RSP] = 0x7000;
    run_code(0x7c00, prog_real16, sizeof prog_real16, 100);
    CHECK(halted(), "no halt: stop %d vector %u ip %#" PRIx64, H.stop, H.vector, G()->rip);
    CHECK((G()->gpr[GPR_RAX] & 0xffff) == 0x1244 && (G()->gpr[GPR_RCX] & 0xffff) == 0, "ax/cx");
    CHECK((G()->gpr[GPR_RDX] & 0xffff) == 0xbeef && (G()->gpr[GPR_RDI] & 0xffff) == 5, "dx/di");
    CHECK(*(uint16_t *)h_ptr(&H, 0x10602, 2) == 0x4242, "[bp+2] did not use SS");
    CHECK(*(uint16_t *)h_ptr(&H, 0x500, 2) == 0xbeef, "[si] did not use DS");
    CHECK((G()->gpr[GPR_RSP] & 0xffff) == 0x7000, "sp %#" PRIx64, G()->gpr[GPR_RSP]);
    CHECK((G()->gpr[GPR_RBP] & 0xffff) == 0x600, "bp");

    h_reset(&H, 16);
    G()->seg[SEG_ES].base = 0x20000;
    memcpy(h_ptr(&H, 0x800, 10), "0123456789", 10);
    run_code(0x7c00, prog_real_movs, sizeof prog_real_movs, 100);
    CHECK(halted() && memcmp(h_ptr(&H, 0x20900, 10), "0123456789", 10) == 0, "rep movsb to ES");
    CHECK((G()->gpr[GPR_RSI] & 0xffff) == 0x80a && (G()->gpr[GPR_RDI] & 0xffff) == 0x90a, "si/di");
}

static void t_prot32_program(void)
{
    h_reset(&H, 32);
    run_code(0x4000, prog_prot32, sizeof prog_prot32, 100);
    CHECK(halted(), "no halt: stop %d vector %u eip %#" PRIx64, H.stop, H.vector, G()->rip);
    CHECK(G()->gpr[GPR_RBX] == 0x14, "daa: ebx %#" PRIx64, G()->gpr[GPR_RBX]);
    CHECK(G()->gpr[GPR_RAX] == 0x14 && G()->gpr[GPR_RCX] == 0xcccc0000, "popad / bswap: eax %#" PRIx64 " ecx %#" PRIx64,
          G()->gpr[GPR_RAX], G()->gpr[GPR_RCX]);
    CHECK(G()->gpr[GPR_RSP] == 0x8000 && G()->gpr[GPR_RBP] == 0x1111, "enter/leave: esp %#" PRIx64 " ebp %#" PRIx64,
          G()->gpr[GPR_RSP], G()->gpr[GPR_RBP]);
    CHECK(G()->gpr[GPR_RDI] == 0x3000 + 0xcccc * 2 + 8, "lea: %#" PRIx64, G()->gpr[GPR_RDI]);
}

static void t_bcd(void)
{
    h_reset(&H, 32);
    run_code(0x4000, prog_bcd, sizeof prog_bcd, 100);
    CHECK(halted(), "no halt");
    CHECK((G()->gpr[GPR_RBX] & 0xff) == 0x88, "das: %#" PRIx64, G()->gpr[GPR_RBX] & 0xff); /* 35-47 = -12 -> 88, CF */
    CHECK((G()->gpr[GPR_RCX] & 0xffff) == 0x0107, "aaa: %#" PRIx64, G()->gpr[GPR_RCX] & 0xffff);
    CHECK((G()->gpr[GPR_RDX] & 0xffff) == 0x0603, "aam: %#" PRIx64, G()->gpr[GPR_RDX] & 0xffff);
    CHECK((G()->gpr[GPR_RAX] & 0xffff) == 67, "aad: %#" PRIx64, G()->gpr[GPR_RAX] & 0xffff);
    static const uint8_t aam0[] = { 0xd4, 0x00 };
    expect_exception("aam 0", 32, aam0, 2, 0);
}

static void t_divide_errors(void)
{
    static const uint8_t div0[] = { 0x48, 0xf7, 0xf1 }, idiv_ovf[] = { 0x48, 0xf7, 0xf9 };
    h_reset(&H, 64);
    G()->gpr[GPR_RAX] = 7;
    G()->gpr[GPR_RCX] = 0;
    enum h_stop st = run_code(CODE_ADDR, div0, 3, 1);
    CHECK(st == H_STOP_EXC && H.vector == 0 && G()->gpr[GPR_RAX] == 7 && G()->rip == CODE_ADDR, "div by zero");
    h_reset(&H, 64);
    G()->gpr[GPR_RAX] = 0;
    G()->gpr[GPR_RDX] = 0x8000000000000000ull; /* RDX:RAX / -1 overflows */
    G()->gpr[GPR_RCX] = ~0ull;
    st = run_code(CODE_ADDR, idiv_ovf, 3, 1);
    CHECK(st == H_STOP_EXC && H.vector == 0, "idiv overflow");
    h_reset(&H, 64);
    G()->gpr[GPR_RAX] = 0;
    G()->gpr[GPR_RDX] = 1; /* 2^64 / 1 overflows the unsigned quotient */
    G()->gpr[GPR_RCX] = 1;
    static const uint8_t div1[] = { 0x48, 0xf7, 0xf1 };
    st = run_code(CODE_ADDR, div1, 3, 1);
    CHECK(st == H_STOP_EXC && H.vector == 0, "div quotient overflow");
}

static void t_strings(void)
{
    h_reset(&H, 64);
    const char *s = "hello, engine";
    memcpy(h_ptr(&H, DATA_ADDR, 14), s, 14);
    G()->gpr[GPR_RSI] = DATA_ADDR;
    run_code(CODE_ADDR, prog_strlen, sizeof prog_strlen, 100);
    CHECK(halted() && G()->gpr[GPR_RCX] == strlen(s), "strlen %" PRIu64, G()->gpr[GPR_RCX]);

    h_reset(&H, 64);
    uint8_t *a = h_ptr(&H, DATA_ADDR, 64), *b = h_ptr(&H, DATA_ADDR + 0x100, 64);
    memset(a, 7, 64);
    memset(b, 7, 64);
    b[20] = 8;
    G()->gpr[GPR_RSI] = DATA_ADDR;
    G()->gpr[GPR_RDI] = DATA_ADDR + 0x100;
    run_code(CODE_ADDR, prog_memcmp, sizeof prog_memcmp, 100);
    CHECK(halted() && G()->gpr[GPR_RCX] == 64 - 21 && G()->gpr[GPR_RSI] == DATA_ADDR + 21, "repe cmpsb stop: rcx %" PRIu64,
          G()->gpr[GPR_RCX]);
    CHECK(!(G()->rflags & EFL_ZF) && (G()->rflags & EFL_CF), "repe cmpsb flags");
}

/* Large and overlapping REP MOVS, REP STOS, backwards copies, 16-bit wrap. */
static void t_rep_movs_semantics(void)
{
    static const uint8_t movsb[] = { 0xf3, 0xa4, 0xf4 }, movsq[] = { 0xf3, 0x48, 0xa5, 0xf4 },
                         stosd[] = { 0xf3, 0xab, 0xf4 };
    uint8_t *src = h_ptr(&H, H_HIGH_BASE + 0x40000, 0x10000), *dst = h_ptr(&H, H_HIGH_BASE + 0x60000, 0x10000);
    for (unsigned i = 0; i < 0x10000; i++)
        src[i] = (uint8_t)(i * 7 + 3);
    memset(dst, 0, 0x10000);
    h_reset(&H, 64);
    G()->gpr[GPR_RSI] = H_HIGH_BASE + 0x40000 + 5;
    G()->gpr[GPR_RDI] = H_HIGH_BASE + 0x60000 + 9;
    G()->gpr[GPR_RCX] = 40000;
    run_code(CODE_ADDR, movsb, sizeof movsb, 1000);
    CHECK(halted() && G()->gpr[GPR_RCX] == 0 && memcmp(dst + 9, src + 5, 40000) == 0 && dst[8] == 0 && dst[40009] == 0,
          "big rep movsb");
    CHECK(G()->gpr[GPR_RSI] == H_HIGH_BASE + 0x40000 + 40005, "rsi");

    /* dst = src + 1 replicates the first byte (element-by-element semantics) */
    h_reset(&H, 64);
    memset(src, 0, 64);
    src[0] = 0xab;
    G()->gpr[GPR_RSI] = H_HIGH_BASE + 0x40000;
    G()->gpr[GPR_RDI] = H_HIGH_BASE + 0x40001;
    G()->gpr[GPR_RCX] = 50;
    run_code(CODE_ADDR, movsb, sizeof movsb, 1000);
    for (int i = 0; i <= 50; i++)
        CHECK(src[i] == 0xab, "overlap byte %d = %#x", i, src[i]);

    /* backwards qwords */
    h_reset(&H, 64);
    for (unsigned i = 0; i < 0x100; i++)
        src[i] = (uint8_t)i;
    G()->rflags |= EFL_DF;
    G()->gpr[GPR_RSI] = H_HIGH_BASE + 0x40000 + 0xf8;
    G()->gpr[GPR_RDI] = H_HIGH_BASE + 0x60000 + 0xf8;
    G()->gpr[GPR_RCX] = 32;
    run_code(CODE_ADDR, movsq, sizeof movsq, 1000);
    CHECK(halted() && memcmp(dst, src, 0x100) == 0 && G()->gpr[GPR_RDI] == H_HIGH_BASE + 0x60000 - 8, "std; rep movsq");

    /* rep stosd across pages */
    h_reset(&H, 64);
    G()->gpr[GPR_RAX] = 0x11223344;
    G()->gpr[GPR_RDI] = H_HIGH_BASE + 0x60000 + 0xff0;
    G()->gpr[GPR_RCX] = 3000;
    run_code(CODE_ADDR, stosd, sizeof stosd, 1000);
    uint32_t *d32 = (uint32_t *)(dst + 0xff0);
    CHECK(halted() && d32[0] == 0x11223344 && d32[2999] == 0x11223344 && d32[3000] != 0x11223344, "rep stosd");

    /* 16-bit addressing: SI wraps at 64 KiB in real mode, only CX counts */
    static const uint8_t movsb16[] = { 0xf3, 0xa4, 0xf4 };
    h_reset(&H, 16);
    uint8_t *low = h_ptr(&H, 0, 0x10000);
    low[0xffff] = 2, low[0] = 3;
    G()->seg[SEG_ES].base = 0x20000;
    G()->gpr[GPR_RSI] = 0xffff;
    G()->gpr[GPR_RDI] = 0x100;
    G()->gpr[GPR_RCX] = 0xffff0002;
    run_code(0x7c00, movsb16, sizeof movsb16, 10);
    CHECK(halted(), "a16 halt: stop %d vector %u", H.stop, H.vector);
    CHECK(*(uint16_t *)h_ptr(&H, 0x20100, 2) == 0x0302, "a16 wrap: %#x", *(uint16_t *)h_ptr(&H, 0x20100, 2));
    CHECK(G()->gpr[GPR_RSI] == 1 && G()->gpr[GPR_RCX] == 0xffff0000, "a16 si %#" PRIx64 " cx %#" PRIx64, G()->gpr[GPR_RSI],
          G()->gpr[GPR_RCX]);
}

/* A fault in the middle of REP leaves RIP on the instruction and the
 * counters at the faulting element. */
static void t_rep_fault_midway(void)
{
    static const uint8_t movsd[] = { 0xf3, 0xa5, 0xf4 };
    h_reset(&H, 64);
    H.data_limit = H_HIGH_BASE + 0x62000; /* the destination runs into it */
    G()->gpr[GPR_RSI] = H_HIGH_BASE + 0x40000;
    G()->gpr[GPR_RDI] = H_HIGH_BASE + 0x62000 - 4 * 100;
    G()->gpr[GPR_RCX] = 1000;
    enum h_stop st = run_code(CODE_ADDR, movsd, sizeof movsd, 10);
    CHECK(st == H_STOP_EXC && H.vector == 14, "stop %d vector %u", st, H.vector);
    CHECK(G()->rip == CODE_ADDR, "rip moved");
    CHECK(G()->gpr[GPR_RCX] == 900 && G()->gpr[GPR_RDI] == H_HIGH_BASE + 0x62000 &&
              G()->gpr[GPR_RSI] == H_HIGH_BASE + 0x40000 + 400,
          "counters rcx %" PRIu64 " rdi %#" PRIx64, G()->gpr[GPR_RCX], G()->gpr[GPR_RDI]);
}

/* A kicked vCPU leaves a long REP early, with RIP still on it. */
static void t_rep_kick(void)
{
    static const uint8_t stosb[] = { 0xf3, 0xaa, 0xf4 };
    h_reset(&H, 64);
    G()->gpr[GPR_RDI] = H_HIGH_BASE + 0x40000;
    G()->gpr[GPR_RCX] = 0x100000;
    atomic_store(&H.vcpu.kick, true);
    run_code(CODE_ADDR, stosb, sizeof stosb, 1);
    uint64_t left = G()->gpr[GPR_RCX];
    CHECK(G()->rip == CODE_ADDR && left > 0 && left < 0x100000, "kick: rip %#" PRIx64 " rcx %#" PRIx64, G()->rip, left);
    atomic_store(&H.vcpu.kick, false);
    run_code(CODE_ADDR, stosb, sizeof stosb, 100000);
    CHECK(halted() && G()->gpr[GPR_RCX] == 0, "rep did not complete: rcx %#" PRIx64, G()->gpr[GPR_RCX]);
}

static void t_fetch_fault_mid_insn(void)
{
    static const uint8_t movabs[] = { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 };
    h_reset(&H, 64);
    uint64_t at = H_HIGH_BASE + 0x3000 - 4;
    H.fetch_limit = H_HIGH_BASE + 0x3000;
    enum h_stop st = run_code(at, movabs, sizeof movabs, 1);
    CHECK(st == H_STOP_EXC && H.vector == 14 && G()->cr2 == H_HIGH_BASE + 0x3000 && G()->rip == at,
          "stop %d vector %u cr2 %#" PRIx64, st, H.vector, G()->cr2);
}

static void t_self_modifying_code(void)
{
    h_reset(&H, 64);
    run_code(CODE_ADDR, prog_smc, sizeof prog_smc, 100);
    CHECK(halted() && (G()->gpr[GPR_RDX] & 0xffffffff) == 6, "edx %" PRIu64 " (3 means a stale icache)",
          G()->gpr[GPR_RDX] & 0xffffffff);
    /* The host rewrites code between runs: no flush needed either. */
    static const uint8_t a[] = { 0xb0, 0x01, 0xf4 }, b[] = { 0xb0, 0x02, 0xf4 };
    h_reset(&H, 64);
    run_code(CODE_ADDR, a, 3, 10);
    memcpy(h_ptr(&H, CODE_ADDR, 3), b, 3);
    G()->rip = CODE_ADDR;
    h_run(&H, 10);
    CHECK((G()->gpr[GPR_RAX] & 0xff) == 2, "host rewrite missed");
    /* Same bytes, other mode, no flush: decoded again.  32-bit: mov eax,
     * imm32 then HLT at +5; 16-bit: mov ax, imm16 then HLT at +3. */
    static const uint8_t c[] = { 0xb8, 0x01, 0x00, 0xf4, 0x00, 0xf4 };
    h_reset(&H, 32);
    run_code(0x4000, c, sizeof c, 10);
    uint64_t rip32 = G()->rip;
    G()->seg[SEG_CS].ar &= ~(uint32_t)AR_DB;
    emu_update_mode(&H.cpu);
    G()->rip = 0x4000;
    h_run(&H, 10);
    CHECK(rip32 == 0x4005 && G()->rip == 0x4003, "mode not part of the cache key: %#" PRIx64 " %#" PRIx64,
          rip32, G()->rip);
}

static struct {
    uint32_t *p;
    unsigned n;
} hammer;

static void *hammer_thread(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < hammer.n; i++)
        __atomic_fetch_add(hammer.p, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

/* LOCK INC from the guest races with atomic increments by a host thread. */
static void t_lock_atomic_vs_host(void)
{
    const unsigned n = 200000;
    h_reset(&H, 64);
    uint32_t *counter = (uint32_t *)h_ptr(&H, DATA_ADDR, 4);
    *counter = 0;
    hammer.p = counter;
    hammer.n = n;
    G()->gpr[GPR_RBX] = DATA_ADDR;
    G()->gpr[GPR_RCX] = n;
    pthread_t t;
    CHECK(pthread_create(&t, NULL, hammer_thread, NULL) == 0, "thread");
    run_code(CODE_ADDR, prog_lockinc, sizeof prog_lockinc, 10ull * n);
    pthread_join(t, NULL);
    CHECK(halted() && *counter == 2 * n, "counter %u, want %u", *counter, 2 * n);
}

static void t_cmpxchg16b(void)
{
    static const uint8_t c16[] = { 0xf0, 0x48, 0x0f, 0xc7, 0x0b }, c8[] = { 0x0f, 0xc7, 0x0b };
    uint64_t *m = (uint64_t *)h_ptr(&H, DATA_ADDR, 16);
    h_reset(&H, 64);
    m[0] = 1, m[1] = 2;
    G()->gpr[GPR_RBX] = DATA_ADDR;
    G()->gpr[GPR_RAX] = 1, G()->gpr[GPR_RDX] = 2, G()->gpr[GPR_RCX] = 4;
    /* rbx is both the address and the low new value here */
    run_code(CODE_ADDR, c16, sizeof c16, 1);
    CHECK(m[0] == DATA_ADDR && m[1] == 4 && (G()->rflags & EFL_ZF), "cmpxchg16b success");
    h_reset(&H, 64);
    G()->gpr[GPR_RBX] = DATA_ADDR;
    G()->gpr[GPR_RAX] = 9, G()->gpr[GPR_RDX] = 9;
    G()->rflags |= EFL_ZF;
    run_code(CODE_ADDR, c16, sizeof c16, 1);
    CHECK(G()->gpr[GPR_RAX] == DATA_ADDR && G()->gpr[GPR_RDX] == 4 && !(G()->rflags & EFL_ZF), "cmpxchg16b failure");
    h_reset(&H, 64);
    G()->gpr[GPR_RBX] = DATA_ADDR + 8;
    enum h_stop st = run_code(CODE_ADDR, c16, sizeof c16, 1);
    CHECK(st == H_STOP_EXC && H.vector == 13, "misaligned cmpxchg16b must #GP");
    h_reset(&H, 64);
    m[0] = 0x0000000500000006ull;
    G()->gpr[GPR_RBX] = DATA_ADDR;
    G()->gpr[GPR_RAX] = 6, G()->gpr[GPR_RDX] = 5, G()->gpr[GPR_RCX] = 0x77;
    run_code(CODE_ADDR, c8, sizeof c8, 1);
    CHECK(m[0] == ((0x77ull << 32) | (uint32_t)DATA_ADDR) && (G()->rflags & EFL_ZF), "cmpxchg8b: %#" PRIx64, m[0]);
    static const uint8_t reg_form[] = { 0x0f, 0xc7, 0xcb };
    expect_exception("cmpxchg8b reg", 64, reg_form, 3, 6);
}

static void t_calls_and_stack(void)
{
    h_reset(&H, 64);
    G()->gpr[GPR_RBX] = STACK_ADDR;
    run_code(CODE_ADDR, prog_calls, sizeof prog_calls, 100);
    CHECK(halted(), "no halt: stop %d vector %u rip %#" PRIx64, H.stop, H.vector, G()->rip);
    CHECK(G()->gpr[GPR_R10] == CODE_ADDR + 8, "return address %#" PRIx64, G()->gpr[GPR_R10]);
    CHECK(G()->gpr[GPR_RDX] == 0x7fffffff && G()->gpr[GPR_R8] == (uint64_t)-2, "push imm");
    CHECK(G()->gpr[GPR_R9] == 2, "pushfq: %#" PRIx64, G()->gpr[GPR_R9]);
    CHECK(G()->gpr[GPR_RSI] == CODE_ADDR + 0x1c, "rip-relative lea: %#" PRIx64, G()->gpr[GPR_RSI]);
    CHECK((G()->gpr[GPR_RAX] & 0xffffffff) == 15 && G()->gpr[GPR_RSP] == STACK_ADDR, "loop sum / rsp");

    /* pop [rsp]: the address uses RSP after the increment */
    static const uint8_t pop_rsp[] = { 0x8f, 0x04, 0x24 };
    h_reset(&H, 64);
    uint64_t *st = (uint64_t *)h_ptr(&H, STACK_ADDR, 16);
    st[0] = 0x1234, st[1] = 0;
    G()->gpr[GPR_RSP] = STACK_ADDR;
    run_code(CODE_ADDR, pop_rsp, sizeof pop_rsp, 1);
    CHECK(st[1] == 0x1234 && G()->gpr[GPR_RSP] == STACK_ADDR + 8, "pop [rsp]");

    /* 66 push in 64-bit mode pushes 2 bytes; 16-bit stack wraps SP */
    static const uint8_t push16[] = { 0x66, 0x50 };
    h_reset(&H, 64);
    G()->gpr[GPR_RSP] = STACK_ADDR;
    G()->gpr[GPR_RAX] = 0xabcd;
    run_code(CODE_ADDR, push16, 2, 1);
    CHECK(G()->gpr[GPR_RSP] == STACK_ADDR - 2 && *(uint16_t *)h_ptr(&H, STACK_ADDR - 2, 2) == 0xabcd, "66 push");
    h_reset(&H, 16);
    G()->gpr[GPR_RSP] = 0x12340000; /* SP = 0: wraps to FFFE, upper bits kept */
    G()->seg[SEG_SS].base = 0x10000;
    static const uint8_t push_ax[] = { 0x50 };
    run_code(0x7c00, push_ax, 1, 1);
    CHECK(G()->gpr[GPR_RSP] == 0x1234fffe, "16-bit sp wrap: %#" PRIx64, G()->gpr[GPR_RSP]);

    /* ENTER with nesting level 3 (32-bit) */
    static const uint8_t enter3[] = { 0xc8, 0x08, 0x00, 0x03, 0xf4 };
    h_reset(&H, 32);
    G()->gpr[GPR_RSP] = 0x9000;
    G()->gpr[GPR_RBP] = 0x9100;
    *(uint32_t *)h_ptr(&H, 0x90fc, 4) = 0xaaaa;
    *(uint32_t *)h_ptr(&H, 0x90f8, 4) = 0xbbbb;
    run_code(0x4000, enter3, sizeof enter3, 5);
    uint32_t *s32 = (uint32_t *)h_ptr(&H, 0x8ff0, 16);
    CHECK(G()->gpr[GPR_RBP] == 0x8ffc && G()->gpr[GPR_RSP] == 0x8ffc - 12 - 8, "enter 3: ebp %#" PRIx64 " esp %#" PRIx64,
          G()->gpr[GPR_RBP], G()->gpr[GPR_RSP]);
    CHECK(s32[3] == 0x9100 && s32[2] == 0xaaaa && s32[1] == 0xbbbb && s32[0] == 0x8ffc, "enter 3 frame");
}

/* ENTER with operand and stack sizes that differ (SDM pseudo-code): the
 * frame pointer is the whole ESP after the push even on a 16-bit stack, the
 * display copies walk BP with the stack's address size, and a write check
 * of the final stack pointer faults with RSP and RBP unchanged. */
static void t_enter_sizes(void)
{
    /* enter 8, 0 (32-bit operand) on a 16-bit stack */
    static const uint8_t enter0[] = { 0xc8, 0x08, 0x00, 0x00, 0xf4 };
    h_reset(&H, 32);
    G()->seg[SEG_SS].ar &= ~(uint32_t)AR_DB;
    G()->seg[SEG_SS].limit = 0xffff;
    emu_update_mode(&H.cpu);
    G()->gpr[GPR_RSP] = 0x00010000;
    G()->gpr[GPR_RBP] = 0x11223344;
    run_code(0x4000, enter0, sizeof enter0, 2);
    CHECK(halted(), "enter o32/s16: stop %d vector %u", H.stop, H.vector);
    CHECK(G()->gpr[GPR_RBP] == 0x0001fffc, "enter o32/s16: ebp %#" PRIx64 " (FrameTemp = ESP)", G()->gpr[GPR_RBP]);
    CHECK(G()->gpr[GPR_RSP] == 0x0001fff4, "enter o32/s16: esp %#" PRIx64, G()->gpr[GPR_RSP]);
    CHECK(*(uint32_t *)h_ptr(&H, 0xfffc, 4) == 0x11223344, "enter o32/s16: saved ebp at SS:FFFC");

    /* enter 4, 2 (32-bit operand) on a 16-bit stack: the copy reads
     * SS:[BP-4] with BP's 16 bits, not EBP's 32 */
    static const uint8_t enter2[] = { 0xc8, 0x04, 0x00, 0x02, 0xf4 };
    h_reset(&H, 32);
    G()->seg[SEG_SS].ar &= ~(uint32_t)AR_DB;
    G()->seg[SEG_SS].limit = 0xffff;
    emu_update_mode(&H.cpu);
    G()->gpr[GPR_RSP] = 0x00038000;
    G()->gpr[GPR_RBP] = 0x00050000;                  /* BP - 4 wraps to FFFC */
    uint32_t display = 0xcafef00d;
    memcpy(h_ptr(&H, 0xfffc, 4), &display, 4);
    run_code(0x4000, enter2, sizeof enter2, 2);
    CHECK(halted(), "enter 4,2 o32/s16: stop %d vector %u", H.stop, H.vector);
    uint32_t *f = (uint32_t *)h_ptr(&H, 0x7ff4, 12);
    CHECK(f[2] == 0x00050000 && f[1] == 0xcafef00d && f[0] == 0x00037ffc, "enter 4,2 frame %#x %#x %#x", f[2], f[1],
          f[0]);
    CHECK(G()->gpr[GPR_RBP] == 0x00037ffc && G()->gpr[GPR_RSP] == 0x00037ff0, "enter 4,2: ebp %#" PRIx64 " esp %#" PRIx64,
          G()->gpr[GPR_RBP], G()->gpr[GPR_RSP]);

    /* 66 enter 2, 0 (16-bit operand) on a 32-bit stack: BP = SP, the upper
     * half of EBP is kept, ESP moves as a 32-bit register */
    static const uint8_t enter16[] = { 0x66, 0xc8, 0x02, 0x00, 0x00, 0xf4 };
    h_reset(&H, 32);
    G()->gpr[GPR_RSP] = 0x00012000;
    G()->gpr[GPR_RBP] = 0xaaaa5555;
    run_code(0x4000, enter16, sizeof enter16, 2);
    CHECK(halted(), "enter o16/s32: stop %d", H.stop);
    CHECK(G()->gpr[GPR_RBP] == 0xaaaa1ffe && G()->gpr[GPR_RSP] == 0x00011ffc, "enter o16/s32: ebp %#" PRIx64 " esp %#" PRIx64,
          G()->gpr[GPR_RBP], G()->gpr[GPR_RSP]);
    CHECK(*(uint16_t *)h_ptr(&H, 0x11ffe, 2) == 0x5555, "enter o16/s32: saved bp");

    /* enter 1, 0 whose pushes succeed but whose final stack pointer is
     * unmapped: the write check faults, RSP/RBP/RIP stay */
    static const uint8_t enter_probe[] = { 0xc8, 0x01, 0x00, 0x00, 0xf4 };
    h_reset(&H, 32);
    G()->gpr[GPR_RSP] = 4;
    G()->gpr[GPR_RBP] = 0x1234;
    enum h_stop st = run_code(0x4000, enter_probe, sizeof enter_probe, 2);
    CHECK(st == H_STOP_EXC && G()->rip == 0x4000, "enter probe: stop %d rip %#" PRIx64, st, G()->rip);
    CHECK(G()->gpr[GPR_RSP] == 4 && G()->gpr[GPR_RBP] == 0x1234, "enter probe: esp %#" PRIx64 " ebp %#" PRIx64,
          G()->gpr[GPR_RSP], G()->gpr[GPR_RBP]);
    /* The same with a 4-byte allocation that ends exactly on mapped memory
     * completes. */
    static const uint8_t enter_ok[] = { 0xc8, 0x00, 0x00, 0x00, 0xf4 };
    h_reset(&H, 32);
    G()->gpr[GPR_RSP] = 4;
    run_code(0x4000, enter_ok, sizeof enter_ok, 2);
    CHECK(halted() && G()->gpr[GPR_RSP] == 0 && G()->gpr[GPR_RBP] == 0, "enter 0,0 at the bottom: stop %d", H.stop);
}

/* PUSHF/POPF in virtual-8086 mode with IOPL 0: #GP(0) without CR4.VME;
 * with it the 16-bit forms see VIF as IF and IOPL as 3, and POPF of TF, or
 * of IF while VIP is set, is #GP(0) with SP unchanged. */
static void t_v86_pushf_popf(void)
{
    static const uint8_t pushf[] = { 0x9c }, popf[] = { 0x9d }, pushfd[] = { 0x66, 0x9c };
    struct {
        const uint8_t *code;
        unsigned len;
        uint64_t cr4, rflags;
        uint16_t stacked;
        int vector;            /* -1: completes */
        uint64_t rflags_after;
        uint16_t pushed;
    } cases[] = {
        { pushf, 1, 0, EFL_VM | EFL_IF | 2, 0, 13, 0, 0 },
        { pushf, 1, 1, EFL_VM | EFL_IF | EFL_CF | 2, 0, -1, EFL_VM | EFL_IF | EFL_CF | 2, 0x3003 },
        { pushf, 1, 1, EFL_VM | EFL_VIF | 2, 0, -1, EFL_VM | EFL_VIF | 2, 0x3202 },
        { pushfd, 2, 1, EFL_VM | 2, 0, 13, 0, 0 },
        { popf, 1, 0, EFL_VM | 2, 0x0202, 13, 0, 0 },
        { popf, 1, 1, EFL_VM | 2, 0x3203, -1, EFL_VM | EFL_VIF | EFL_CF | 2, 0 },
        { popf, 1, 1, EFL_VM | EFL_IF | EFL_VIF | 2, 0x0002, -1, EFL_VM | EFL_IF | 2, 0 },
        { popf, 1, 1, EFL_VM | 2, 0x0102, 13, 0, 0 },
        { popf, 1, 1, EFL_VM | EFL_VIP | 2, 0x0202, 13, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        h_reset(&H, 16);
        G()->cr0 |= 1;
        G()->cr4 = cases[i].cr4;
        G()->rflags = cases[i].rflags;
        emu_update_mode(&H.cpu);
        G()->gpr[GPR_RSP] = 0x1000;
        *(uint16_t *)h_ptr(&H, 0xffe, 2) = 0xdead;
        *(uint16_t *)h_ptr(&H, 0x1000, 2) = cases[i].stacked;
        enum h_stop st = run_code(0x7c00, cases[i].code, cases[i].len, 1);
        if (cases[i].vector >= 0) {
            CHECK(st == H_STOP_EXC && H.vector == (unsigned)cases[i].vector && G()->gpr[GPR_RSP] == 0x1000,
                  "case %u: stop %d vector %u sp %#" PRIx64, i, st, H.vector, G()->gpr[GPR_RSP]);
            continue;
        }
        CHECK(st == H_STOP_NONE, "case %u: stop %d vector %u", i, st, H.vector);
        CHECK(emu_get_rflags(&H.cpu) == cases[i].rflags_after, "case %u: rflags %#" PRIx64, i, emu_get_rflags(&H.cpu));
        if (cases[i].code == pushf)
            CHECK(*(uint16_t *)h_ptr(&H, 0xffe, 2) == cases[i].pushed && G()->gpr[GPR_RSP] == 0xffe,
                  "case %u: pushed %#x", i, *(uint16_t *)h_ptr(&H, 0xffe, 2));
        else
            CHECK(G()->gpr[GPR_RSP] == 0x1002, "case %u: sp %#" PRIx64, i, G()->gpr[GPR_RSP]);
    }
}

static void t_branch_faults(void)
{
    static const uint8_t jmp_rax[] = { 0xff, 0xe0 };
    h_reset(&H, 64);
    G()->gpr[GPR_RAX] = 0x0000800000000000ull;
    enum h_stop st = run_code(CODE_ADDR, jmp_rax, 2, 1);
    CHECK(st == H_STOP_EXC && H.vector == 13 && G()->rip == CODE_ADDR, "non-canonical jmp");
    static const uint8_t call_far_away[] = { 0xe8, 0x00, 0x10, 0x00, 0x00 };
    h_reset(&H, 32);
    G()->seg[SEG_CS].limit = 0x4fff;
    G()->gpr[GPR_RSP] = 0x9000;
    st = run_code(0x4000, call_far_away, 5, 1);
    CHECK(st == H_STOP_EXC && H.vector == 13 && G()->gpr[GPR_RSP] == 0x9000, "call beyond CS limit");
    /* 16-bit jmp wraps IP */
    static const uint8_t jmp16[] = { 0xe9, 0xfd, 0xff };
    h_reset(&H, 16);
    run_code(0x7c00, jmp16, 3, 1);
    CHECK(G()->rip == 0, "16-bit IP: %#" PRIx64, G()->rip);
}

static void t_flags_instructions(void)
{
    /* POPF at CPL 3 keeps IOPL and IF; at CPL 0 changes them. */
    static const uint8_t popf[] = { 0x9d };
    h_reset(&H, 64);
    G()->seg[SEG_SS].ar |= 3 << AR_DPL_SHIFT;
    G()->seg[SEG_CS].ar |= 3 << AR_DPL_SHIFT;
    emu_update_mode(&H.cpu);
    G()->gpr[GPR_RSP] = STACK_ADDR;
    *(uint64_t *)h_ptr(&H, STACK_ADDR, 8) = 0x3000 | EFL_IF | EFL_CF | EFL_DF | EFL_VM | EFL_RF;
    run_code(CODE_ADDR, popf, 1, 1);
    CHECK(G()->rflags == (EFL_FIXED1 | EFL_CF | EFL_DF), "cpl3 popf: %#" PRIx64, G()->rflags);
    h_reset(&H, 64);
    G()->gpr[GPR_RSP] = STACK_ADDR;
    run_code(CODE_ADDR, popf, 1, 1);
    CHECK(G()->rflags == (EFL_FIXED1 | 0x3000 | EFL_IF | EFL_CF | EFL_DF), "cpl0 popf: %#" PRIx64, G()->rflags);
    /* Lazy flags materialise exactly for the machine: emu_get_rflags. */
    static const uint8_t sub[] = { 0x2c, 0x01 }; /* sub al, 1 with al = 0 */
    h_reset(&H, 64);
    run_code(CODE_ADDR, sub, 2, 1);
    CHECK(emu_get_rflags(&H.cpu) == (EFL_FIXED1 | EFL_CF | EFL_PF | EFL_AF | EFL_SF), "sub flags %#" PRIx64,
          emu_get_rflags(&H.cpu));
    emu_set_rflags(&H.cpu, EFL_FIXED1 | EFL_ZF);
    CHECK(flags_cond(&H.cpu, 4) && !flags_cond(&H.cpu, 2), "set_rflags drops the lazy record");
}

static void t_segment_override_fs(void)
{
    static const uint8_t mov_fs[] = { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0 }; /* mov rax, fs:[0x10] */
    h_reset(&H, 64);
    G()->seg[SEG_FS].base = DATA_ADDR;
    G()->seg[SEG_DS].base = 0x5555; /* ignored in 64-bit mode */
    *(uint64_t *)h_ptr(&H, DATA_ADDR + 0x10, 8) = 0xfeedface;
    run_code(CODE_ADDR, mov_fs, sizeof mov_fs, 1);
    CHECK(G()->gpr[GPR_RAX] == 0xfeedface, "fs: %#" PRIx64, G()->gpr[GPR_RAX]);
    static const uint8_t xlat[] = { 0xd7 };
    h_reset(&H, 32);
    G()->gpr[GPR_RBX] = 0x3000;
    G()->gpr[GPR_RAX] = 0x105;
    *(uint8_t *)h_ptr(&H, 0x3005, 1) = 0x99;
    run_code(0x4000, xlat, 1, 1);
    CHECK(G()->gpr[GPR_RAX] == 0x199, "xlat");
}

/* Rough speed figure: a tight loop of ALU, load and branch instructions. */
static void t_speed(void)
{
    static const uint8_t loop[] = { 0x48, 0x01, 0xc8, 0x48, 0x31, 0xc2, 0x48, 0x8b, 0x33, 0xff, 0xc9, 0x75, 0xf4, 0xf4 };
    h_reset(&H, 64);
    G()->gpr[GPR_RBX] = DATA_ADDR;
    G()->gpr[GPR_RCX] = 400000;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    run_code(CODE_ADDR, loop, sizeof loop, 100000000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9;
    CHECK(halted() && H.executed == 2000000, "executed %" PRIu64, H.executed);
    printf("INFO engine speed: %.1f M instructions/s (harness memory, icache on)\n", (double)H.executed / s / 1e6);
}

void run_directed(void)
{
    CASE(t_decode_lengths);
    CASE(t_decode_modrm_fields);
    CASE(t_decode_memo);
    CASE(t_rex_position);
    CASE(t_too_long);
    CASE(t_lock_rules);
    CASE(t_invalid_in_64);
    CASE(t_system_routing);
    CASE(t_real_mode_program);
    CASE(t_prot32_program);
    CASE(t_loops_and_bound);
    CASE(t_bcd);
    CASE(t_divide_errors);
    CASE(t_strings);
    CASE(t_rep_movs_semantics);
    CASE(t_rep_fault_midway);
    CASE(t_rep_kick);
    CASE(t_fetch_fault_mid_insn);
    CASE(t_self_modifying_code);
    CASE(t_lock_atomic_vs_host);
    CASE(t_cmpxchg16b);
    CASE(t_calls_and_stack);
    CASE(t_enter_sizes);
    CASE(t_v86_pushf_popf);
    CASE(t_branch_faults);
    CASE(t_flags_instructions);
    CASE(t_segment_override_fs);
    CASE(t_speed);
}
