/*
 * RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE in the engine: the CR4.FSGSBASE and
 * 64-bit-mode gates, the operand sizes, the canonical check, the memory
 * forms staying FXSAVE..STMXCSR; and, where the host's kernel lets user
 * space run them (AT_HWCAP2 bit 1), the same sequence natively.
 */
#include <sys/auxv.h>

#include "emu/cpu_model.h"
#include "engine_test.h"
#include "native.h"

#define F3 0xf3
#define ZF_ 0x0f, 0xae
#define RDFSBASE_RAX F3, 0x48, ZF_, 0xc0
#define RDGSBASE_RAX F3, 0x48, ZF_, 0xc8
#define WRFSBASE_RAX F3, 0x48, ZF_, 0xd0
#define WRGSBASE_RAX F3, 0x48, ZF_, 0xd8

static void fsgs_env(bool enabled)
{
    h_reset(&H, 64);
    G()->cr4 = enabled ? G()->cr4 | CR4_FSGSBASE_BIT : G()->cr4 & ~CR4_FSGSBASE_BIT;
    G()->gpr[GPR_RSP] = STACK_ADDR;
}

static void t_fsgsbase_gates(void)
{
    CHECK(EMU_CPUID_7_0_EBX & CPUID_7_0_EBX_FSGSBASE, "the model lacks FSGSBASE");
    static const uint8_t ops[4][5] = { { RDFSBASE_RAX }, { RDGSBASE_RAX }, { WRFSBASE_RAX }, { WRGSBASE_RAX } };
    for (unsigned i = 0; i < 4; i++) {
        fsgs_env(false);
        int r = run_to_hlt(ops[i], 5);
        CHECK(r == VEC_UD && G()->rip == CODE_ADDR, "/%u with CR4.FSGSBASE clear: %d", i, r);
        /* The register form outside 64-bit mode is FXSAVE..STMXCSR's
         * register form: #UD whatever CR4 says. */
        h_reset(&H, 32);
        G()->cr4 |= CR4_FSGSBASE_BIT;
        static const uint8_t r32[4] = { F3, ZF_, 0xc0 };
        uint8_t code[4];
        memcpy(code, r32, 4);
        code[3] = (uint8_t)(0xc0 | i << 3);
        r = run_to_hlt(code, 4);
        CHECK(r == VEC_UD, "/%u in 32-bit mode: %d", i, r);
    }
    /* The memory forms in 64-bit mode decode as the unprefixed rows with a REP. */
    static const emu_handler mem_exec[4] = {
        exec_fxsave, exec_fxrstor, exec_ldmxcsr, exec_stmxcsr,
    };
    for (unsigned i = 0; i < 4; i++) {
        fsgs_env(true);
        uint8_t b[4] = { F3, ZF_, (uint8_t)(0x03 | i << 3) }; /* [rbx] */
        struct insn in;
        CHECK(emu_decode_bytes(&H.cpu, b, sizeof b, &in), "/%u mem: short", i);
        CHECK(in.exec == mem_exec[i] && in.rep == REP_F3,
              "/%u with a memory operand is not the legacy instruction", i);
        uint8_t r[4] = { F3, ZF_, (uint8_t)(0xc0 | i << 3) };
        CHECK(emu_decode_bytes(&H.cpu, r, sizeof r, &in), "/%u reg: short", i);
        CHECK(in.rep == REP_NONE && in.len == 4, "/%u reg: rep %u len %u", i, in.rep, in.len);
    }
}

static void t_fsgsbase_values(void)
{
    fsgs_env(true);
    G()->seg[SEG_FS].base = 0xffff800012345678ull;
    G()->seg[SEG_GS].base = 0x00007fffaaaabbbbull;
    G()->gpr[9] = ~0ull;
    /* rdfsbase rax; rdgsbase r9d; rdgsbase ecx */
    int r = RUN_TO_HLT(RDFSBASE_RAX, F3, 0x41, ZF_, 0xc9, F3, ZF_, 0xc9);
    CHECK(r == -1, "reads: %d", r);
    CHECK(G()->gpr[GPR_RAX] == 0xffff800012345678ull, "rdfsbase rax %#" PRIx64, G()->gpr[GPR_RAX]);
    CHECK(G()->gpr[9] == 0xaaaabbbbull, "rdgsbase r9d %#" PRIx64, G()->gpr[9]);
    CHECK(G()->gpr[GPR_RCX] == 0xaaaabbbbull, "rdgsbase ecx %#" PRIx64, G()->gpr[GPR_RCX]);

    fsgs_env(true);
    G()->seg[SEG_FS].base = 0x1111222233334444ull;
    G()->gpr[GPR_RAX] = 0xffffffff87654321ull;
    G()->gpr[GPR_RDX] = 0xffff8000deadbeefull;
    /* wrfsbase eax (clears the high half); wrgsbase rdx */
    r = RUN_TO_HLT(F3, ZF_, 0xd0, F3, 0x48, ZF_, 0xda);
    CHECK(r == -1, "writes: %d", r);
    CHECK(G()->seg[SEG_FS].base == 0x87654321ull, "wrfsbase eax: %#" PRIx64, G()->seg[SEG_FS].base);
    CHECK(G()->seg[SEG_GS].base == 0xffff8000deadbeefull, "wrgsbase rdx: %#" PRIx64, G()->seg[SEG_GS].base);

    /* A non-canonical 64-bit write is #GP(0) and changes nothing. */
    for (unsigned i = 0; i < 2; i++) {
        fsgs_env(true);
        G()->seg[SEG_FS].base = 0x1000;
        G()->seg[SEG_GS].base = 0x2000;
        G()->gpr[GPR_RAX] = i ? 0x0000800000000000ull : 0xfffe7fffffffffffull;
        static const uint8_t wr[2][5] = { { WRFSBASE_RAX }, { WRGSBASE_RAX } };
        r = run_to_hlt(wr[i], 5);
        CHECK(r == VEC_GP && H.error == 0 && G()->rip == CODE_ADDR, "non-canonical /%u: %d err %u", i + 2, r, H.error);
        CHECK(G()->seg[SEG_FS].base == 0x1000 && G()->seg[SEG_GS].base == 0x2000, "a faulting write changed a base");
    }
    /* A 66 prefix does not make a 16-bit form. */
    fsgs_env(true);
    G()->seg[SEG_GS].base = 0x123456789abcull;
    r = RUN_TO_HLT(0x66, F3, ZF_, 0xc8); /* rdgsbase with 66: eax */
    CHECK(r == -1 && G()->gpr[GPR_RAX] == 0x56789abcull, "66 rdgsbase: %d %#" PRIx64, r, G()->gpr[GPR_RAX]);
}

#if defined(__x86_64__)
/* wrgsbase rdi; rdgsbase rax; wrgsbase esi; rdgsbase rbx; rdgsbase ecx;
 * wrgsbase rdx (rdx = the host's own GS base, restored before anything can
 * use it: glibc on x86-64 keeps its thread pointer in FS). */
static const uint8_t host_seq[] = {
    F3, 0x48, ZF_, 0xdf, F3, 0x48, ZF_, 0xc8, F3, ZF_, 0xde,
    F3, 0x48, ZF_, 0xcb, F3, ZF_, 0xc9, F3, 0x48, ZF_, 0xda,
};

static void t_fsgsbase_host(void)
{
    static const uint64_t vals[][2] = {
        { 0x00007fff12345678ull, 0xfedcba9876543210ull },
        { 0xffff800000000000ull, 0x0000000180000000ull },
        { 0, 0xffffffffffffffffull },
    };
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        struct native_state s = { 0 };
        s.gpr[GPR_RDI] = vals[k][0];
        s.gpr[GPR_RSI] = vals[k][1];
        s.gpr[GPR_RSP] = STACK_ADDR;
        uint64_t host_gs;
        __asm__ volatile("rdgsbase %0" : "=r"(host_gs));
        s.gpr[GPR_RDX] = host_gs;
        uint8_t *code = h_ptr(&H, CODE_ADDR, 48);
        memcpy(code, host_seq, sizeof host_seq);
        static const uint8_t jmp_abs[6] = { 0xff, 0x25, 0, 0, 0, 0 };
        memcpy(code + sizeof host_seq, jmp_abs, 6);
        uint64_t back = (uint64_t)(uintptr_t)native_back;
        memcpy(code + sizeof host_seq + 6, &back, 8);
        native_code_addr = CODE_ADDR;
        native_exec(&s);

        fsgs_env(true);
        G()->gpr[GPR_RDI] = vals[k][0];
        G()->gpr[GPR_RSI] = vals[k][1];
        G()->gpr[GPR_RDX] = host_gs;
        int r = run_to_hlt(host_seq, sizeof host_seq);
        CHECK(r == -1, "engine: %d", r);
        for (unsigned g = GPR_RAX; g <= GPR_RBX; g++)
            CHECK(G()->gpr[g] == s.gpr[g], "case %zu gpr %u: engine %#" PRIx64 " host %#" PRIx64, k, g,
                  G()->gpr[g], s.gpr[g]);
    }
}
#endif

void run_fsgsbase(void)
{
    CASE(t_fsgsbase_gates);
    CASE(t_fsgsbase_values);
#if defined(__x86_64__)
    if (getauxval(AT_HWCAP2) & 2)
        CASE(t_fsgsbase_host);
    else
        report_skip("t_fsgsbase_host", "the host kernel does not enable FSGSBASE for user space (AT_HWCAP2 bit 1)");
#else
    report_skip("t_fsgsbase_host", "not an x86-64 host");
#endif
}
