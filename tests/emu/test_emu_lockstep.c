/*
 * The block engine against the reference (per-instruction) engine.
 *
 * lockstep_*: the same guest runs twice from the same state, once on a vCPU
 * created with OPENHV_EMU_ENGINE=step (every instruction on the reference
 * path) and once on a default vCPU (blocks); at every exit the exit fields
 * and the architectural state must be equal, and guest memory must be equal
 * at the end.  Guests are random: instruction templates the blocks run
 * (ALU, MOV, stack, string, bit and flag instructions, short branches and
 * loops), with prefixes and random ModRM/immediates, some raw random bytes,
 * and registers pointing into the code, data and stack pages so that loads
 * and stores, self-modifying stores included, mostly hit mapped memory.
 * Every mode of guest_mode_setup takes its turn.  LOCKSTEP_PROGRAMS sets
 * how many programs run (a bounded slice by default).
 *
 * smc_* / cross_*: self-modifying code inside one block, and code written
 * by the host while the vCPU loops, are seen.
 *
 * chained_calls: a loop that calls one function from two places runs on
 * links and the jump cache (openhv_vcpu_stats), not on lookups by address
 * and returns to the engine's loop at every RET.
 */
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <Hypervisor/openhv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "guest_mode.h"

#define RAM_SIZE (4u << 20)
#define CODE 0x1000u
#define CODE_SIZE 0x1000u
#define DATA 0x3000u
#define STACK 0x8000u
#define IDT 0x9000u
#define SCRATCH 0x100000u
#define RUNS_PER_PROGRAM 12u
#define DEFAULT_PROGRAMS 240u

static uint8_t *ram, *ram_init;
static unsigned failures;
static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- random programs ------------------------------------------------ */

/* One-byte and 0F opcodes the block engine runs, followed by ModRM or not. */
static const uint8_t ops_modrm[] = {
    0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x18, 0x19, 0x1a, 0x1b,
    0x20, 0x21, 0x22, 0x23, 0x28, 0x29, 0x2a, 0x2b, 0x30, 0x31, 0x32, 0x33, 0x38, 0x39, 0x3a, 0x3b,
    0x69, 0x6b, 0x80, 0x81, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8d, 0x8f,
    0xc0, 0xc1, 0xc6, 0xc7, 0xd0, 0xd1, 0xd2, 0xd3, 0xf6, 0xf7, 0xfe, 0xff,
};
static const uint8_t ops_0f_modrm[] = {
    0x40, 0x42, 0x44, 0x45, 0x4c, 0x4f, 0x92, 0x94, 0x95, 0x9c, 0x9f, 0xa3, 0xa4, 0xa5, 0xab, 0xac,
    0xad, 0xaf, 0xb0, 0xb1, 0xb3, 0xb6, 0xb7, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, 0xc1,
};
static const uint8_t ops_plain[] = {
    0x04, 0x05, 0x0c, 0x14, 0x1d, 0x24, 0x2c, 0x34, 0x3c, 0x50, 0x51, 0x53, 0x58, 0x59, 0x5b, 0x90, 0x91,
    0x98, 0x99, 0x9c, 0x9e, 0x9f, 0xa4, 0xa5, 0xa6, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xb0, 0xb8,
    0xbb, 0xf5, 0xf8, 0xf9, 0xfc, 0x40, 0x48, 0x41, 0x49,
};

static unsigned emit_insn(uint8_t *p)
{
    unsigned n = 0;
    uint64_t q = rnd();
    if ((q & 7) == 0)
        p[n++] = 0x66;
    if (((q >> 3) & 15) == 0)
        p[n++] = 0x67;
    if (((q >> 7) & 15) == 0)
        p[n++] = (uint8_t[]){ 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf3, 0xf2 }[(q >> 11) & 7];
    if (((q >> 14) & 31) == 0)
        p[n++] = 0xf0;
    if (((q >> 19) & 3) == 0)
        p[n++] = (uint8_t)(0x40 | ((q >> 21) & 15)); /* REX in 64-bit mode, INC/DEC elsewhere */
    unsigned kind = (unsigned)((q >> 25) % 100);
    uint8_t modrm = (uint8_t)(q >> 32);
    /* Mostly register forms and simple memory forms through a register. */
    if (((q >> 40) & 3) == 0)
        modrm |= 0xc0;
    if (kind < 20) {
        /* A load, store or ALU operation on [reg + disp8]: with the
         * registers pointing into mapped pages these mostly hit. */
        static const uint8_t mem_ops[] = { 0x89, 0x8b, 0x01, 0x03, 0x29, 0x2b, 0x31, 0x33, 0x39, 0x3b,
                                           0x85, 0x21, 0x09, 0x88, 0x8a, 0xff, 0xc7, 0x81, 0x83 };
        static const uint8_t rms[] = { 0, 1, 2, 3, 5, 6, 7 };
        uint8_t op = mem_ops[(q >> 44) % sizeof mem_ops];
        unsigned reg = op == 0xff ? (q >> 50) & 1 : (q >> 50) & 7;
        p[n++] = op;
        p[n++] = (uint8_t)(0x40 | (reg << 3) | rms[(q >> 53) % sizeof rms]);
        p[n++] = (uint8_t)((q >> 56) & 0x78);
    } else if (kind < 45) {
        p[n++] = ops_modrm[(q >> 44) % sizeof ops_modrm];
        p[n++] = modrm;
    } else if (kind < 60) {
        p[n++] = 0x0f;
        p[n++] = ops_0f_modrm[(q >> 44) % sizeof ops_0f_modrm];
        p[n++] = modrm;
    } else if (kind < 80) {
        p[n++] = ops_plain[(q >> 44) % sizeof ops_plain];
    } else if (kind < 88) {
        /* A short forward Jcc/JMP, or a loop back over a few bytes. */
        static const uint8_t br[] = { 0x70, 0x72, 0x74, 0x75, 0x78, 0x7c, 0x7e, 0x7f, 0xeb, 0xe3 };
        p[n++] = br[(q >> 44) % sizeof br];
        p[n++] = (uint8_t)((q >> 52) % 12);
    } else if (kind < 91) {
        p[n++] = 0xe2;           /* LOOP back: ECX bounds it */
        p[n++] = (uint8_t)(0x100 - 2 - ((q >> 52) % 24));
    } else if (kind < 93) {
        p[n++] = 0xe6;           /* OUT imm8, AL: an I/O exit */
        p[n++] = (uint8_t)(q >> 52);
    } else if (kind < 94) {
        p[n++] = 0x0f;           /* CPUID */
        p[n++] = 0xa2;
    } else if (kind < 95) {
        p[n++] = 0xfb;           /* STI: an interrupt shadow on the step path */
    } else if (kind < 96) {
        p[n++] = 0x9d;           /* POPF: may set TF */
    } else {
        for (unsigned i = 0; i < 3; i++)
            p[n++] = (uint8_t)rnd();
    }
    /* Displacements and immediates, whatever the form needs: extra bytes
     * become the next instructions. */
    for (unsigned i = 0; i < (unsigned)((q >> 58) & 3); i++)
        p[n++] = (uint8_t)(rnd() & 0x0f);
    return n;
}

static void make_program(void)
{
    memset(ram_init, 0, RAM_SIZE);
    unsigned off = 0;
    while (off < CODE_SIZE - 48)
        off += emit_insn(ram_init + CODE + off);
    ram_init[CODE + off] = 0xf4;
    for (unsigned i = 0; i < 0x1000; i++) {
        ram_init[DATA + i] = (uint8_t)rnd();
        ram_init[IDT + i] = (uint8_t)rnd();
    }
}

/* ---- running one program on one engine ------------------------------ */

struct snap {
    uint64_t exit[9];
    uint64_t reg[19];
    uint64_t vmcs[8];
};

static const hv_x86_reg_t snap_regs[19] = {
    HV_X86_RAX, HV_X86_RCX, HV_X86_RDX, HV_X86_RBX, HV_X86_RSP, HV_X86_RBP, HV_X86_RSI, HV_X86_RDI,
    HV_X86_R8, HV_X86_R9, HV_X86_R10, HV_X86_R11, HV_X86_R12, HV_X86_R13, HV_X86_R14, HV_X86_R15,
    HV_X86_RIP, HV_X86_RFLAGS, HV_X86_CR2,
};
static const uint32_t snap_exit[9] = {
    VMCS_RO_EXIT_REASON, VMCS_RO_EXIT_QUALIFIC, VMCS_RO_VMEXIT_INSTR_LEN, VMCS_RO_GUEST_LIN_ADDR,
    VMCS_GUEST_PHYSICAL_ADDRESS, VMCS_RO_IDT_VECTOR_INFO, VMCS_RO_IDT_VECTOR_ERROR,
    VMCS_RO_VMEXIT_IRQ_INFO, VMCS_RO_VMEXIT_IRQ_ERROR,
};
static const uint32_t snap_vmcs[8] = {
    VMCS_GUEST_INTERRUPTIBILITY, VMCS_GUEST_ACTIVITY_STATE, VMCS_GUEST_CS, VMCS_GUEST_CS_BASE,
    VMCS_GUEST_SS, VMCS_GUEST_CR0, VMCS_GUEST_CR3, VMCS_GUEST_CR4,
};
static const char *const exit_names[9] = {
    "reason", "qualification", "instr_len", "guest-linear", "guest-physical",
    "idt_info", "idt_error", "irq_info", "irq_error",
};

struct trace {
    unsigned n;
    bool timed_out;
    struct snap s[RUNS_PER_PROGRAM];
    uint8_t *mem;
};

static void take_snap(hv_vcpuid_t v, struct snap *s)
{
    memset(s, 0, sizeof *s);
    for (unsigned i = 0; i < 9; i++)
        hv_vmx_vcpu_read_vmcs(v, snap_exit[i], &s->exit[i]);
    for (unsigned i = 0; i < 19; i++)
        hv_vcpu_read_register(v, snap_regs[i], &s->reg[i]);
    for (unsigned i = 0; i < 8; i++)
        hv_vmx_vcpu_read_vmcs(v, snap_vmcs[i], &s->vmcs[i]);
}

static void set_ctrl_bit(hv_vcpuid_t v, uint32_t field, hv_vmx_capability_t cap, uint64_t bit)
{
    uint64_t allowed = 0, cur = 0;
    hv_vmx_read_capability(cap, &allowed);
    hv_vmx_vcpu_read_vmcs(v, field, &cur);
    if ((allowed >> 32) & bit)
        hv_vmx_vcpu_write_vmcs(v, field, cur | bit);
}

static bool run_program(bool step_engine, enum guest_mode mode, uint64_t regs_seed, uint32_t exc_bitmap,
                        struct trace *t)
{
    memcpy(ram, ram_init, RAM_SIZE);
    /* The engine under test is the default one, or the one OPENHV_EMU_ENGINE
     * named when the test started (make check also runs the block engine
     * without its translator this way). */
    static char under_test[32];
    static bool read_env;
    if (!read_env) {
        const char *e = getenv("OPENHV_EMU_ENGINE");
        snprintf(under_test, sizeof under_test, "%s", e ? e : "");
        read_env = true;
    }
    if (step_engine)
        setenv("OPENHV_EMU_ENGINE", "step", 1);
    else if (under_test[0])
        setenv("OPENHV_EMU_ENGINE", under_test, 1);
    hv_vcpuid_t v;
    hv_return_t r = hv_vcpu_create(&v, HV_VCPU_DEFAULT);
    unsetenv("OPENHV_EMU_ENGINE");
    if (r != HV_SUCCESS)
        return false;
    struct guest_layout l = { .entry = CODE, .stack = STACK, .scratch = SCRATCH, .scratch_hva = ram + SCRATCH };
    guest_mode_setup(v, mode, &l);
    /* Exits for what would differ between two runs of the same program. */
    set_ctrl_bit(v, VMCS_CTRL_CPU_BASED, HV_VMX_CAP_PROCBASED, CPU_BASED_RDTSC);
    set_ctrl_bit(v, VMCS_CTRL_CPU_BASED2, HV_VMX_CAP_PROCBASED2, CPU_BASED2_RDRAND);
    set_ctrl_bit(v, VMCS_CTRL_CPU_BASED2, HV_VMX_CAP_PROCBASED2, CPU_BASED2_RDSEED);
    hv_vmx_vcpu_write_vmcs(v, VMCS_GUEST_IDTR_BASE, IDT);
    hv_vmx_vcpu_write_vmcs(v, VMCS_GUEST_IDTR_LIMIT, 0xfff);
    hv_vmx_vcpu_write_vmcs(v, VMCS_CTRL_EXC_BITMAP, exc_bitmap);
    /* Registers point into the code, data and stack pages, or are small. */
    uint64_t saved = seed;
    seed = regs_seed;
    static const uint64_t bases[] = { CODE, DATA, DATA + 0x800, STACK - 0x100, 0 };
    for (unsigned i = 0; i < 16; i++) {
        uint64_t q = rnd();
        uint64_t val = bases[q % 5] + ((q >> 8) & 0x7f);
        hv_vcpu_write_register(v, (hv_x86_reg_t)(HV_X86_RAX + i), val);
    }
    hv_vcpu_write_register(v, HV_X86_RCX, rnd() & 31);
    hv_vcpu_write_register(v, HV_X86_RSP, STACK);
    seed = saved;

    t->n = 0;
    t->timed_out = false;
    for (unsigned k = 0; k < RUNS_PER_PROGRAM; k++) {
        r = hv_vcpu_run_until(v, now_ns() + 50000000ull);
        if (r != HV_SUCCESS)
            break;
        struct snap *s = &t->s[t->n++];
        take_snap(v, s);
        uint64_t reason = s->exit[0];
        if (reason == VMX_REASON_VMX_TIMER_EXPIRED || reason == VMX_REASON_IRQ) {
            t->timed_out = true;
            break;
        }
        if ((reason & 0x80000000u) || reason == VMX_REASON_TRIPLE_FAULT || reason == VMX_REASON_HLT)
            break;
        hv_vcpu_write_register(v, HV_X86_RIP, s->reg[16] + (s->exit[2] ? s->exit[2] : 1));
    }
    memcpy(t->mem, ram, RAM_SIZE);
    hv_vcpu_destroy(v);
    return r == HV_SUCCESS;
}

static bool compare(const struct trace *a, const struct trace *b, unsigned prog, enum guest_mode mode)
{
    if (a->timed_out || b->timed_out)
        return true; /* where a deadline cut the run depends on timing */
    unsigned n = a->n < b->n ? a->n : b->n;
    for (unsigned k = 0; k < n; k++) {
        const struct snap *x = &a->s[k], *y = &b->s[k];
        for (unsigned i = 0; i < 9; i++)
            if (x->exit[i] != y->exit[i]) {
                printf("  program %u (%s) exit %u: %s step %#llx blocks %#llx (reason %llu)\n", prog,
                       guest_mode_name(mode), k, exit_names[i], (unsigned long long)x->exit[i],
                       (unsigned long long)y->exit[i], (unsigned long long)x->exit[0]);
                return false;
            }
        for (unsigned i = 0; i < 19; i++)
            if (x->reg[i] != y->reg[i]) {
                printf("  program %u (%s) exit %u (reason %llu): register %u step %#llx blocks %#llx\n", prog,
                       guest_mode_name(mode), k, (unsigned long long)x->exit[0], snap_regs[i],
                       (unsigned long long)x->reg[i], (unsigned long long)y->reg[i]);
                return false;
            }
        for (unsigned i = 0; i < 8; i++)
            if (x->vmcs[i] != y->vmcs[i]) {
                printf("  program %u (%s) exit %u: VMCS %#x step %#llx blocks %#llx\n", prog,
                       guest_mode_name(mode), k, snap_vmcs[i], (unsigned long long)x->vmcs[i],
                       (unsigned long long)y->vmcs[i]);
                return false;
            }
    }
    if (a->n != b->n) {
        printf("  program %u (%s): %u exits on step, %u on blocks\n", prog, guest_mode_name(mode), a->n, b->n);
        return false;
    }
    for (uint64_t i = 0; i < RAM_SIZE; i++)
        if (a->mem[i] != b->mem[i]) {
            printf("  program %u (%s): memory at %#llx step %#x blocks %#x\n", prog, guest_mode_name(mode),
                   (unsigned long long)i, a->mem[i], b->mem[i]);
            return false;
        }
    return true;
}

/* The flags of the forms whose lazy records the translator writes itself
 * (shifts by CL with counts 0, 1, in between and above the width's mask;
 * ADC and SBB with a carry in; NEG; IMUL), each read back with PUSHF and
 * folded with the result into r8, which the one exit shows, on the
 * reference engine and on the blocks: random programs reach some of these
 * only rarely. */
static void directed_flags(void)
{
    static const uint8_t ops[][4] = {
        { 0xd3, 0xe0 }, { 0xd3, 0xe8 }, { 0xd3, 0xf8 },             /* shl/shr/sar eax, cl */
        { 0x48, 0xd3, 0xe0 }, { 0x48, 0xd3, 0xe8 }, { 0x48, 0xd3, 0xf8 },
        { 0x11, 0xd8 }, { 0x19, 0xd8 }, { 0x48, 0x11, 0xd8 },      /* adc/sbb eax, ebx; adc rax, rbx */
        { 0xf7, 0xd8 }, { 0x0f, 0xaf, 0xc3 }, { 0x48, 0x0f, 0xaf, 0xc3 },  /* neg eax; imul eax/rax, ebx/rbx */
    };
    static const uint8_t lens[] = { 2, 2, 2, 3, 3, 3, 2, 2, 3, 2, 3, 4 };
    static const uint32_t counts[] = { 0, 1, 7, 63 };
    static const uint64_t values[] = { 0x8000000000000001ull, 0x40000000c0000000ull };
    static struct trace a, b;
    a.mem = malloc(RAM_SIZE);
    b.mem = malloc(RAM_SIZE);
    memset(ram_init, 0, RAM_SIZE);
    uint8_t *c = ram_init + CODE;
    unsigned n = 0;
    for (unsigned o = 0; o < sizeof lens; o++)
        for (unsigned k = 0; k < sizeof counts / sizeof counts[0]; k++)
            for (unsigned v = 0; v < sizeof values / sizeof values[0]; v++) {
                c[n++] = 0xb9;                                    /* mov ecx, count */
                memcpy(c + n, &counts[k], 4), n += 4;
                c[n++] = 0x48, c[n++] = 0xb8;                     /* mov rax, value */
                memcpy(c + n, &values[v], 8), n += 8;
                c[n++] = 0x48, c[n++] = 0x89, c[n++] = 0xc3;     /* mov rbx, rax */
                c[n++] = 0x48, c[n++] = 0xd1, c[n++] = 0xcb;     /* ror rbx, 1 */
                c[n++] = (k + v) & 1 ? 0xf9 : 0xf8;               /* stc / clc */
                memcpy(c + n, ops[o], lens[o]), n += lens[o];
                c[n++] = 0x9c, c[n++] = 0x5a;                     /* pushfq; pop rdx */
                c[n++] = 0x49, c[n++] = 0x31, c[n++] = 0xd0;     /* xor r8, rdx */
                c[n++] = 0x49, c[n++] = 0x31, c[n++] = 0xc0;     /* xor r8, rax */
                c[n++] = 0x49, c[n++] = 0xc1, c[n++] = 0xc0, c[n++] = 7;  /* rol r8, 7 */
            }
    c[n++] = 0xe6, c[n++] = 0x80;                                 /* out 0x80, al */
    c[n++] = 0xf4;
    bool ok = a.mem && b.mem && n < CODE_SIZE && run_program(true, GUEST_LONG64, 1, 0, &a) &&
              run_program(false, GUEST_LONG64, 1, 0, &b) && compare(&a, &b, 0, GUEST_LONG64) && !a.timed_out;
    printf("%s directed_flags (%u bytes of code, %u exits)\n", ok ? "PASS" : "FAIL", n, a.n);
    failures += !ok;
    free(a.mem);
    free(b.mem);
}

/* Records the translator leaves to a stub: the flags of an ALU operation
 * on registers that only a fault in between could read are not stored on
 * the mainline, and the faulting instruction's stub rebuilds them from the
 * operands.  Each case sets its operands and CF, runs the operation, maybe
 * an instruction that keeps or overwrites an operand, then a load, store or
 * ALU operation on memory outside the VM's mappings, then an instruction
 * that replaces the record (else the block's end would read it): the exit
 * must show the flags the reference engine shows there. */
static void deferred_records(void)
{
    static const uint8_t ops[][4] = {
        { 0x01, 0xd8 }, { 0x48, 0x29, 0xd8 }, { 0x39, 0xd8 }, { 0x48, 0x39, 0xc3 },    /* add, sub, cmp, cmp */
        { 0x21, 0xd8 }, { 0x48, 0x09, 0xd8 }, { 0x31, 0xd8 }, { 0x85, 0xd8 },          /* and, or, xor, test */
        { 0x83, 0xc0, 0x05 }, { 0x48, 0x83, 0xe8, 0x01 }, { 0x3c, 0x7f }, { 0xa8, 0x81 },  /* add/sub/cmp/test imm */
        { 0x80, 0xfc, 0x10 }, { 0x28, 0xe0 }, { 0x66, 0x01, 0xd8 }, { 0x29, 0xc0 },    /* cmp ah; sub al, ah; add ax; sub eax, eax */
        { 0x31, 0xc0 }, { 0x01, 0xc0 },                                                  /* xor eax, eax; add eax, eax */
        { 0xc1, 0xe8, 0x05 }, { 0x48, 0xc1, 0xe0, 0x03 }, { 0xc0, 0xfc, 0x02 }, { 0xd1, 0xe8 },  /* shr, shl, sar ah, shr 1 */
    };
    static const uint8_t lens[] = { 2, 3, 2, 3, 2, 3, 2, 2, 3, 4, 2, 2, 3, 2, 3, 2, 2, 2, 3, 4, 3, 2 };
    /* Between the operation and the access: nothing, a move to another
     * register, a move over the destination, over the source. */
    static const uint8_t mids[][3] = { { 0 }, { 0x89, 0xc1 }, { 0xb0, 0x07 }, { 0x89, 0xcb } };
    static const uint8_t mid_lens[] = { 0, 2, 2, 2 };
    /* The access: mov edx, [rsi]; mov [rsi], ecx; add edx, [rsi]; push [rsi]. */
    static const uint8_t faults[][2] = { { 0x8b, 0x16 }, { 0x89, 0x0e }, { 0x03, 0x16 }, { 0xff, 0x36 } };
    static const uint64_t values[][2] = {
        { 0x7fffffffffffff80ull, 0x80 }, { 0x1234, 0x1234 }, { 0x8000000000000000ull, 0xffffffffffffffffull },
        { 0x00000000ffff00f0ull, 0x0000000000000f10ull },
    };
    static struct trace a, b;
    a.mem = malloc(RAM_SIZE);
    b.mem = malloc(RAM_SIZE);
    unsigned cases = 0, bad = 0;
    for (unsigned o = 0; o < sizeof lens && a.mem && b.mem; o++)
        for (unsigned m = 0; m < sizeof mid_lens; m++)
            for (unsigned f = 0; f < 4; f++)
                for (unsigned v = 0; v < sizeof values / sizeof values[0]; v++) {
                    memset(ram_init, 0, RAM_SIZE);
                    uint8_t *c = ram_init + CODE;
                    unsigned n = 0;
                    uint64_t outside = 0x40000000ull;               /* paged, not in the VM's memory */
                    c[n++] = 0x48, c[n++] = 0xb8, memcpy(c + n, &values[v][0], 8), n += 8;   /* mov rax */
                    c[n++] = 0x48, c[n++] = 0xbb, memcpy(c + n, &values[v][1], 8), n += 8;   /* mov rbx */
                    c[n++] = 0x48, c[n++] = 0xbe, memcpy(c + n, &outside, 8), n += 8;        /* mov rsi */
                    c[n++] = (o + m + f + v) & 1 ? 0xf9 : 0xf8;                             /* stc / clc */
                    memcpy(c + n, ops[o], lens[o]), n += lens[o];
                    memcpy(c + n, mids[m], mid_lens[m]), n += mid_lens[m];
                    memcpy(c + n, faults[f], 2), n += 2;
                    c[n++] = 0x31, c[n++] = 0xff;                             /* xor edi, edi: the next record */
                    c[n++] = 0xf4;
                    cases++;
                    if (!run_program(true, GUEST_LONG64, 1, 0, &a) || !run_program(false, GUEST_LONG64, 1, 0, &b) ||
                        a.n == 0 || a.s[0].exit[0] != VMX_REASON_EPT_VIOLATION || !compare(&a, &b, cases, GUEST_LONG64)) {
                        printf("  case: op %u, between %u, access %u, values %u\n", o, m, f, v);
                        if (++bad >= 5)
                            goto out;
                    }
                }
out:
    printf("%s deferred_records (%u cases)\n", bad || !a.mem || !b.mem ? "FAIL" : "PASS", cases);
    failures += bad || !a.mem || !b.mem;
    free(a.mem);
    free(b.mem);
}

static void lockstep(void)
{
    unsigned programs = DEFAULT_PROGRAMS;
    const char *env = getenv("LOCKSTEP_PROGRAMS");
    if (env && atoi(env) > 0)
        programs = (unsigned)atoi(env);
    static struct trace a, b;
    a.mem = malloc(RAM_SIZE);
    b.mem = malloc(RAM_SIZE);
    if (!a.mem || !b.mem) {
        printf("FAIL lockstep_random: out of memory\n");
        failures++;
        return;
    }
    unsigned bad = 0, compared = 0, exits = 0;
    for (unsigned p = 0; p < programs; p++) {
        /* Every mode, 64-bit (where most specialised forms apply) half the time. */
        enum guest_mode mode = (p & 1) ? GUEST_LONG64 : (enum guest_mode)((p / 2) % 6);
        make_program();
        uint64_t regs_seed = rnd() | 1;
        uint32_t bitmap = (p & 2) ? 0xffffffffu : (uint32_t)rnd();
        if (!run_program(true, mode, regs_seed, bitmap, &a) || !run_program(false, mode, regs_seed, bitmap, &b)) {
            printf("FAIL lockstep_random: program %u: a run failed\n", p);
            failures++;
            return;
        }
        if (!compare(&a, &b, p, mode)) {
            if (++bad >= 5)
                break;
        } else if (!a.timed_out && !b.timed_out) {
            compared++;
            exits += a.n;
        }
    }
    if (bad) {
        printf("FAIL lockstep_random: %u programs differ\n", bad);
        failures++;
    } else {
        printf("PASS lockstep_random (%u programs, %u compared with %u exits)\n", programs, compared, exits);
    }
    free(a.mem);
    free(b.mem);
}

/* ---- self-modifying and cross-modified code ------------------------- */

static hv_vcpuid_t long_vcpu(void)
{
    hv_vcpuid_t v;
    if (hv_vcpu_create(&v, HV_VCPU_DEFAULT) != HV_SUCCESS)
        return (hv_vcpuid_t)-1;
    struct guest_layout l = { .entry = CODE, .stack = STACK, .scratch = SCRATCH, .scratch_hva = ram + SCRATCH };
    guest_mode_setup(v, GUEST_LONG64, &l);
    return v;
}

/* A store to a later instruction of the same straight-line run (one block)
 * changes what runs next. */
static void smc_same_block(void)
{
    static const uint8_t code[] = {
        0xc6, 0x05, 0x03, 0x00, 0x00, 0x00, 0x02, /* mov byte [rip+3], 2  (the imm8 below) */
        0x31, 0xc0,                               /* xor eax, eax */
        0xb0, 0x01,                               /* mov al, 1 -> 2 */
        0xe6, 0x80,                               /* out 0x80, al */
        0xf4,
    };
    memset(ram + CODE, 0, CODE_SIZE);
    memcpy(ram + CODE, code, sizeof code);
    hv_vcpuid_t v = long_vcpu();
    /* Run the same code twice: the second time its block exists already. */
    uint64_t al[2] = { 0, 0 };
    for (unsigned k = 0; k < 2; k++) {
        ram[CODE + 10] = 0x01;
        hv_vcpu_write_register(v, HV_X86_RIP, CODE);
        hv_vcpu_run_until(v, now_ns() + 1000000000ull);
        uint64_t reason = 0;
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason);
        hv_vcpu_read_register(v, HV_X86_RAX, &al[k]);
        if (reason != VMX_REASON_IO)
            al[k] = 0xdead;
    }
    hv_vcpu_destroy(v);
    if (al[0] == 2 && al[1] == 2) {
        printf("PASS smc_same_block\n");
    } else {
        printf("FAIL smc_same_block: al %#llx then %#llx (1: the old instruction ran)\n",
               (unsigned long long)al[0], (unsigned long long)al[1]);
        failures++;
    }
}

/* A loop stores into the code of another block it calls each turn: the
 * linked block must not run stale. */
static void smc_other_block(void)
{
    static const uint8_t code[] = {
        0xb9, 0x05, 0x00, 0x00, 0x00,             /* mov ecx, 5 */
        0x31, 0xd2,                               /* xor edx, edx */
        /* again: */
        0xe8, 0x0c, 0x00, 0x00, 0x00,             /* call f */
        0xfe, 0x05, 0x08, 0x00, 0x00, 0x00,       /* inc byte [rip+8]  (f's imm8) */
        0xff, 0xc9,                               /* dec ecx */
        0x75, 0xf1,                               /* jnz again */
        0xe6, 0x80,                               /* out 0x80, al */
        /* f: */
        0x83, 0xc2, 0x01,                         /* add edx, 1 -> 2, 3, ... */
        0xc3,                                     /* ret */
        0xf4,
    };
    memset(ram + CODE, 0, CODE_SIZE);
    memcpy(ram + CODE, code, sizeof code);
    hv_vcpuid_t v = long_vcpu();
    hv_vcpu_run_until(v, now_ns() + 1000000000ull);
    uint64_t reason = 0, rdx = 0;
    hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason);
    hv_vcpu_read_register(v, HV_X86_RDX, &rdx);
    hv_vcpu_destroy(v);
    /* f adds 1, 2, 3, 4, 5. */
    if (reason == VMX_REASON_IO && rdx == 15) {
        printf("PASS smc_other_block\n");
    } else {
        printf("FAIL smc_other_block: reason %llu edx %llu (15 expected)\n", (unsigned long long)reason,
               (unsigned long long)rdx);
        failures++;
    }
}

/* Run a fresh long-mode vCPU from `rip` to its first exit: the exit
 * reason, RDX and the vCPU's counters. */
static void run_counted(uint64_t rip, uint64_t *reason, uint64_t *rdx, struct openhv_vcpu_stats *st)
{
    *reason = *rdx = 0;
    memset(st, 0, sizeof *st);
    hv_vcpuid_t v = long_vcpu();
    hv_vcpu_write_register(v, HV_X86_RIP, rip);
    hv_vcpu_run_until(v, now_ns() + 5000000000ull);
    hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, reason);
    hv_vcpu_read_register(v, HV_X86_RDX, rdx);
    openhv_vcpu_stats(v, st);
    hv_vcpu_destroy(v);
}

/* run_counted of `code` loaded at CODE. */
static void run_code_counted(const uint8_t *code, size_t size, uint64_t *reason, uint64_t *rdx,
                             struct openhv_vcpu_stats *st)
{
    memset(ram + CODE, 0, CODE_SIZE);
    memcpy(ram + CODE, code, size);
    run_counted(CODE, reason, rdx, st);
}

/* Whether the engine runs blocks (not OPENHV_EMU_ENGINE=step); prints
 * case `name`'s skip when it does not. */
static bool runs_blocks(const char *name)
{
    const char *engine = getenv("OPENHV_EMU_ENGINE");
    if (engine && strcmp(engine, "step") == 0) {
        printf("SKIP %s: OPENHV_EMU_ENGINE=step runs no blocks\n", name);
        return false;
    }
    return true;
}

/* A hot loop with an instruction that straddles two pages: the count of
 * instructions stays exact through translated, chained and step-path
 * instructions alike, and the straddling instruction is a block of its
 * own that links keep (not a lookup at every turn). */
static void page_crossing_loop(void)
{
    static const uint8_t code[] = {
        0xb9, 0xe8, 0x03, 0x00, 0x00,             /* 0x1ff0: mov ecx, 1000 */
        0x31, 0xd2,                               /* xor edx, edx */
        0x90, 0x90, 0x90, 0x90, 0x90, 0x90,       /* again: 6 x nop */
        0x81, 0xc2, 0x01, 0x00, 0x00, 0x00,       /* 0x1ffd: add edx, 1 (ends at 0x2002) */
        0xff, 0xc9,                               /* dec ecx */
        0x75, 0xf0,                               /* jnz again */
        0xe6, 0x80,                               /* out 0x80, al */
        0xf4,
    };
    memset(ram + CODE, 0, 2 * CODE_SIZE);
    memcpy(ram + CODE + CODE_SIZE - 0x10, code, sizeof code);
    uint64_t reason, rdx;
    struct openhv_vcpu_stats st;
    run_counted(CODE + CODE_SIZE - 0x10, &reason, &rdx, &st);
    /* mov, xor, then 1000 x (6 nops, add, dec, jnz); the OUT exits. */
    const char *engine = getenv("OPENHV_EMU_ENGINE");
    bool blocks = !engine || strcmp(engine, "step") != 0;
    if (reason == VMX_REASON_IO && rdx == 1000 && st.instructions == 2 + 1000 * 9 &&
        (!blocks || st.block_lookups <= 16)) {
        printf("PASS page_crossing_loop (%llu lookups)\n", (unsigned long long)st.block_lookups);
    } else {
        printf("FAIL page_crossing_loop: reason %llu edx %llu instructions %llu lookups %llu "
               "(IO, 1000, 9002, at most 16 expected)\n",
               (unsigned long long)reason, (unsigned long long)rdx, (unsigned long long)st.instructions,
               (unsigned long long)st.block_lookups);
        failures++;
    }
}

/* A page whose code ran once and that then only takes stores (a
 * decompressor's output, freed init memory) is a data page after the
 * first store: the stores do not cut the block links every time. */
static void code_page_becomes_data(void)
{
    static const uint8_t entry[] = {
        0xe9, 0xfb, 0xef, 0xff, 0xff,             /* 0x2000: jmp 0x1000 */
    };
    static const uint8_t loop[] = {
        0xbb, 0x00, 0x28, 0x00, 0x00,             /* 0x1000: mov ebx, 0x2800 */
        0xb9, 0xa0, 0x86, 0x01, 0x00,             /* mov ecx, 100000 */
        0x89, 0x0b,                               /* 0x100a: again: mov [rbx], ecx */
        0xff, 0xc9,                               /* dec ecx */
        0x75, 0xfa,                               /* jnz again */
        0x8b, 0x13,                               /* mov edx, [rbx] */
        0xe6, 0x80,                               /* out 0x80, al */
        0xf4,
    };
    if (!runs_blocks("code_page_becomes_data"))
        return;
    memset(ram + CODE, 0, 2 * CODE_SIZE);
    memcpy(ram + CODE + CODE_SIZE, entry, sizeof entry);
    memcpy(ram + CODE, loop, sizeof loop);
    uint64_t reason, rdx;
    struct openhv_vcpu_stats st;
    run_counted(CODE + CODE_SIZE, &reason, &rdx, &st);
    /* jmp, 2 x mov, 100000 x (mov, dec, jnz), mov, out. */
    uint64_t insns = 3 + 100000ull * 3 + 1;
    bool ok = reason == VMX_REASON_IO && rdx == 1 && st.instructions == insns && st.block_lookups <= 16;
    printf("%s code_page_becomes_data: reason %llu edx %llu, %llu instructions, %llu lookups\n",
           ok ? "PASS" : "FAIL", (unsigned long long)reason, (unsigned long long)rdx,
           (unsigned long long)st.instructions, (unsigned long long)st.block_lookups);
    failures += !ok;
}

/* A loop run to its OUT, checked through the counters: RDX, the exact
 * instruction count, and bounds on block lookups (on both block engines)
 * and on lookups and returns from translated code (on the translator). */
struct counted_loop {
    const char *name;
    const uint8_t *code;
    size_t size;
    uint64_t rdx, instructions;
    uint64_t max_lookups, max_lookups_translated, max_returns_translated;
};

static void check_counted_loop(const struct counted_loop *c)
{
    const char *engine = getenv("OPENHV_EMU_ENGINE");
    bool step = engine && strcmp(engine, "step") == 0;
    bool translated = !engine || (!step && strcmp(engine, "block") != 0);
    uint64_t reason, rdx;
    struct openhv_vcpu_stats st;
    run_code_counted(c->code, c->size, &reason, &rdx, &st);
    bool ok = reason == VMX_REASON_IO && rdx == c->rdx && st.instructions == c->instructions &&
              (step || st.block_lookups <= c->max_lookups) &&
              (!translated || (st.block_lookups <= c->max_lookups_translated &&
                               st.translated_returns <= c->max_returns_translated));
    printf("%s %s: reason %llu edx %llu, %llu instructions, %llu lookups, %llu returns from translated code\n",
           ok ? "PASS" : "FAIL", c->name, (unsigned long long)reason, (unsigned long long)rdx,
           (unsigned long long)st.instructions, (unsigned long long)st.block_lookups,
           (unsigned long long)st.translated_returns);
    failures += !ok;
}

/* A system instruction that needs the step path (STI) in a hot loop: the
 * jump cache remembers that its RIP has no block, so each turn costs no
 * lookup (it cost one before: 19,999). */
static void step_insn_loop(void)
{
    static const uint8_t code[] = {
        0xb9, 0x10, 0x27, 0x00, 0x00,             /* 0: mov ecx, 10000 */
        0x31, 0xd2,                               /* 5: xor edx, edx */
        0xfb,                                     /* 7: again: sti */
        0x83, 0xc2, 0x01,                         /* 8: add edx, 1 */
        0xff, 0xc9,                               /* b: dec ecx */
        0x75, 0xf8,                               /* d: jnz again */
        0xe6, 0x80,                               /* f: out 0x80, al */
        0xf4,
    };
    const struct counted_loop c = { "step_insn_loop", code, sizeof code, 10000, 2 + 10000ull * 4,
                                    16, UINT64_MAX, UINT64_MAX };
    check_counted_loop(&c);
}

/* An indirect call in a loop: its handler ends the block with RIP at the
 * callee, and translated code goes on through the jump cache instead of
 * returning to the loop each time (10,005 returns before). */
static void indirect_call_loop(void)
{
    static const uint8_t code[] = {
        0xb9, 0x10, 0x27, 0x00, 0x00,             /* 0: mov ecx, 10000 */
        0x31, 0xd2,                               /* 5: xor edx, edx */
        0x48, 0x8d, 0x05, 0x09, 0x00, 0x00, 0x00, /* 7: lea rax, [rip + 9] (f) */
        0xff, 0xd0,                               /* e: again: call rax */
        0xff, 0xc9,                               /* 10: dec ecx */
        0x75, 0xfa,                               /* 12: jnz again */
        0xe6, 0x80,                               /* 14: out 0x80, al */
        0xf4,                                     /* 16 */
        0x83, 0xc2, 0x01,                         /* 17: f: add edx, 1 */
        0xc3,                                     /* 1a: ret */
    };
    /* mov, xor, lea, then 10000 x (call, add, ret, dec, jnz). */
    const struct counted_loop c = { "indirect_call_loop", code, sizeof code, 10000, 3 + 10000ull * 5,
                                    UINT64_MAX, UINT64_MAX, 100 };
    check_counted_loop(&c);
}

/* POPF that sets TF in a loop whose blocks are linked and translated
 * (the first run goes round 1,000 times with RBX = 0): the single-step
 * trap comes after the instruction that follows it.  POPF ends its block
 * and its handler reports no branch, so unless it asks to leave the block
 * engine, the next block is chained to with TF set and no trap. */
static void popf_sets_tf(void)
{
    static const uint8_t code[] = {
        0x31, 0xd2,                               /* 0: xor edx, edx */
        0xb9, 0xe8, 0x03, 0x00, 0x00,             /* 2: mov ecx, 1000 */
        0x9c,                                     /* 7: again: pushfq */
        0x48, 0x09, 0x1c, 0x24,                   /* 8: or [rsp], rbx */
        0x9d,                                     /* c: popfq */
        0x83, 0xc2, 0x01,                         /* d: add edx, 1 */
        0x83, 0xc2, 0x10,                         /* 10: add edx, 16 (a trap comes before it) */
        0xff, 0xc9,                               /* 13: dec ecx */
        0x75, 0xf0,                               /* 15: jnz again */
        0xe6, 0x80, 0xf4,                         /* 17: out 0x80, al; hlt */
    };
    memset(ram + CODE, 0, CODE_SIZE);
    memcpy(ram + CODE, code, sizeof code);
    hv_vcpuid_t v = long_vcpu();
    hv_vmx_vcpu_write_vmcs(v, VMCS_CTRL_EXC_BITMAP, 1u << 1);
    hv_vcpu_write_register(v, HV_X86_RBX, 0);
    hv_vcpu_write_register(v, HV_X86_RIP, CODE);
    uint64_t reason[2] = { 0 }, info = 0, rip[2] = { 0 }, rdx[2] = { 0 };
    for (unsigned k = 0; k < 2; k++) {
        hv_vcpu_run_until(v, now_ns() + 1000000000ull);
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason[k]);
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_VMEXIT_IRQ_INFO, &info);
        hv_vcpu_read_register(v, HV_X86_RIP, &rip[k]);
        hv_vcpu_read_register(v, HV_X86_RDX, &rdx[k]);
        /* Once more round the loop, with TF. */
        hv_vcpu_write_register(v, HV_X86_RBX, 0x100);
        hv_vcpu_write_register(v, HV_X86_RCX, 1);
        hv_vcpu_write_register(v, HV_X86_RIP, CODE + 7);
    }
    hv_vcpu_destroy(v);
    bool ok = reason[0] == VMX_REASON_IO && rdx[0] == 17000 && reason[1] == VMX_REASON_EXC_NMI &&
              (info & 0xff) == 1 && rip[1] == CODE + 0x10 && rdx[1] == 17001;
    printf("%s popf_sets_tf: reasons %llu %llu, vector %llu rip %#llx edx %llu %llu "
           "(IO then an exception, 1, %#x, 17000 then 17001 expected)\n", ok ? "PASS" : "FAIL",
           (unsigned long long)reason[0], (unsigned long long)reason[1], (unsigned long long)(info & 0xff),
           (unsigned long long)rip[1], (unsigned long long)rdx[0], (unsigned long long)rdx[1], CODE + 0x10);
    failures += !ok;
}

/* A segment load (MOV DS, a system instruction that cuts every block link)
 * at each turn of a loop of calls: after the cut, the jump cache's and the
 * links' blocks are checked again rather than looked up, and translated
 * code goes on without returning to the loop for each.  Looking each edge
 * up again took 5 lookups and 4 returns a turn (69,991 and 40,001); now a
 * turn returns once, for the MOV DS. */
static void links_cut_each_turn(void)
{
    static const uint8_t code[] = {
        0xb9, 0x10, 0x27, 0x00, 0x00,             /* 0: mov ecx, 10000 */
        0x31, 0xd2,                               /* 5: xor edx, edx */
        0x8c, 0xd8,                               /* 7: again: mov eax, ds */
        0x8e, 0xd8,                               /* 9: mov ds, eax */
        0xe8, 0x0c, 0x00, 0x00, 0x00,             /* b: call f (1c) */
        0xe8, 0x07, 0x00, 0x00, 0x00,             /* 10: call f */
        0xff, 0xc9,                               /* 15: dec ecx */
        0x75, 0xee,                               /* 17: jnz again */
        0xe6, 0x80,                               /* 19: out 0x80, al */
        0xf4,                                     /* 1b */
        0x83, 0xc2, 0x01,                         /* 1c: f: add edx, 1 */
        0xc3,                                     /* 1f: ret */
    };
    /* mov, xor, then 10000 x (2 x mov, 2 x (call, add, ret), dec, jnz). */
    const struct counted_loop c = { "links_cut_each_turn", code, sizeof code, 20000, 2 + 10000ull * 10,
                                    UINT64_MAX, 64, 10000 + 200 };
    check_counted_loop(&c);
}

/* One run of `code` at CODE with the primary controls ORed with `ctl`
 * and #GP intercepted: the exit, RIP, RAX, RDX, R8 and the count. */
struct inline_run {
    uint64_t reason, info, len, rip, rax, rdx, r8, instructions;
};

static struct inline_run run_inline(const uint8_t *code, size_t size, uint64_t ctl, uint64_t rbx)
{
    struct inline_run r = { 0 };
    memset(ram + CODE, 0, CODE_SIZE);
    memcpy(ram + CODE, code, size);
    hv_vcpuid_t v = long_vcpu();
    uint64_t cpu_based = 0;
    hv_vmx_vcpu_read_vmcs(v, VMCS_CTRL_CPU_BASED, &cpu_based);
    hv_vmx_vcpu_write_vmcs(v, VMCS_CTRL_CPU_BASED, cpu_based | ctl);
    hv_vmx_vcpu_write_vmcs(v, VMCS_CTRL_EXC_BITMAP, 1u << 13);
    hv_vcpu_write_register(v, HV_X86_RBX, rbx);
    hv_vcpu_write_register(v, HV_X86_RIP, CODE);
    hv_vcpu_run_until(v, now_ns() + 1000000000ull);
    hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &r.reason);
    hv_vmx_vcpu_read_vmcs(v, VMCS_RO_VMEXIT_IRQ_INFO, &r.info);
    hv_vmx_vcpu_read_vmcs(v, VMCS_RO_VMEXIT_INSTR_LEN, &r.len);
    hv_vcpu_read_register(v, HV_X86_RIP, &r.rip);
    hv_vcpu_read_register(v, HV_X86_RAX, &r.rax);
    hv_vcpu_read_register(v, HV_X86_RDX, &r.rdx);
    hv_vcpu_read_register(v, HV_X86_R8, &r.r8);
    struct openhv_vcpu_stats st;
    memset(&st, 0, sizeof st);
    openhv_vcpu_stats(v, &st);
    r.instructions = st.instructions;
    hv_vcpu_destroy(v);
    return r;
}

/* `code` (mov edx, 1; add edx, 2; then at 8 an instruction of 2 bytes
 * that control `ctl` makes exit) exits there with `reason`, the two
 * before it done. */
static bool exits_at_8(const char *what, const uint8_t *code, size_t size, uint64_t ctl, uint64_t reason)
{
    struct inline_run r = run_inline(code, size, ctl, 0);
    if (r.reason == reason && r.rip == CODE + 8 && r.len == 2 && r.rdx == 3 && r.instructions == 2)
        return true;
    printf("FAIL inline_system_insns (%s): reason %llu rip %#llx len %llu edx %llu, %llu instructions "
           "(%llu, %#x, 2, 3, 2 expected)\n", what, (unsigned long long)r.reason, (unsigned long long)r.rip,
           (unsigned long long)r.len, (unsigned long long)r.rdx, (unsigned long long)r.instructions,
           (unsigned long long)reason, CODE + 8);
    return false;
}

/* RDTSC, PAUSE, CLI and MOV from a segment register run inside blocks
 * (translated or not): an exit or a fault of one in the middle of a block
 * leaves RIP on it with the instructions before it done and none after,
 * as at a block's start. */
static void inline_system_insns(void)
{
    static const uint8_t pause[] = {
        0xba, 0x01, 0x00, 0x00, 0x00,             /* 0: mov edx, 1 */
        0x83, 0xc2, 0x02,                         /* 5: add edx, 2 */
        0xf3, 0x90,                               /* 8: pause */
        0xba, 0x07, 0x00, 0x00, 0x00,             /* a: mov edx, 7 */
        0xe6, 0x80, 0xf4,                         /* f: out 0x80, al; hlt */
    };
    static const uint8_t rdtsc[] = {
        0xba, 0x01, 0x00, 0x00, 0x00,             /* 0: mov edx, 1 */
        0x83, 0xc2, 0x02,                         /* 5: add edx, 2 */
        0x0f, 0x31,                               /* 8: rdtsc */
        0x48, 0xc1, 0xe2, 0x20,                   /* a: shl rdx, 32 */
        0x48, 0x09, 0xd0,                         /* e: or rax, rdx */
        0x49, 0x89, 0xc0,                         /* 11: mov r8, rax */
        0x0f, 0x31,                               /* 14: rdtsc */
        0xe6, 0x80, 0xf4,                         /* 16: out 0x80, al; hlt */
    };
    static const uint8_t cli_movs[] = {
        0xfb, 0x90,                               /* 0: sti; nop */
        0xba, 0x01, 0x00, 0x00, 0x00,             /* 2: mov edx, 1 */
        0xfa,                                     /* 7: cli */
        0x9c, 0x5a,                               /* 8: pushfq; pop rdx */
        0x8c, 0xd0,                               /* a: mov eax, ss */
        0x4c, 0x8d, 0x43, 0x01,                   /* c: lea r8, [rbx + 1] */
        0x8c, 0x1b,                               /* 10: mov [rbx], ds */
        0xe6, 0x80, 0xf4,                         /* 12: out 0x80, al; hlt */
    };
    bool ok = true;
    ok &= exits_at_8("pause exiting", pause, sizeof pause, CPU_BASED_PAUSE, VMX_REASON_PAUSE);
    struct inline_run r = run_inline(pause, sizeof pause, 0, 0);
    if (r.reason != VMX_REASON_IO || r.rdx != 7 || r.instructions != 4) {
        printf("FAIL inline_system_insns (pause): reason %llu edx %llu, %llu instructions (IO, 7, 4 expected)\n",
               (unsigned long long)r.reason, (unsigned long long)r.rdx, (unsigned long long)r.instructions);
        ok = false;
    }
    ok &= exits_at_8("rdtsc exiting", rdtsc, sizeof rdtsc, CPU_BASED_RDTSC, VMX_REASON_RDTSC);
    /* Two reads in one block: the second is not earlier than the first. */
    r = run_inline(rdtsc, sizeof rdtsc, 0, 0);
    uint64_t second = r.rdx << 32 | (r.rax & 0xffffffffu);
    if (r.reason != VMX_REASON_IO || r.instructions != 7 || second < r.r8) {
        printf("FAIL inline_system_insns (rdtsc): reason %llu, %llu instructions, TSC %#llx then %#llx "
               "(IO, 7, not decreasing expected)\n", (unsigned long long)r.reason,
               (unsigned long long)r.instructions, (unsigned long long)r.r8, (unsigned long long)second);
        ok = false;
    }
    /* CLI clears IF in the middle of a block; MOV from SS and to memory
     * from DS read the selectors; a non-canonical destination faults with
     * RIP on the MOV and the LEA before it done. */
    uint64_t ss = 0, ds = 0;
    r = run_inline(cli_movs, sizeof cli_movs, 0, DATA);
    uint16_t stored;
    memcpy(&stored, ram + DATA, 2);
    {
        hv_vcpuid_t v = long_vcpu();
        hv_vcpu_read_register(v, HV_X86_SS, &ss);
        hv_vcpu_read_register(v, HV_X86_DS, &ds);
        hv_vcpu_destroy(v);
    }
    if (r.reason != VMX_REASON_IO || (r.rdx & (1u << 9)) || (r.rax & 0xffff) != ss || stored != ds ||
        r.instructions != 9) {
        printf("FAIL inline_system_insns (cli, mov sreg): reason %llu rflags %#llx ax %#llx (ss %#llx) "
               "[rbx] %#x (ds %#llx), %llu instructions (IO, IF clear, 9 expected)\n",
               (unsigned long long)r.reason, (unsigned long long)r.rdx, (unsigned long long)(r.rax & 0xffff),
               (unsigned long long)ss, stored, (unsigned long long)ds, (unsigned long long)r.instructions);
        ok = false;
    }
    const uint64_t noncanonical = 0x8000000000000000ull;
    r = run_inline(cli_movs, sizeof cli_movs, 0, noncanonical);
    if (r.reason != VMX_REASON_EXC_NMI || (r.info & 0xff) != 13 || r.rip != CODE + 0x10 ||
        r.r8 != noncanonical + 1 || r.instructions != 8) {
        printf("FAIL inline_system_insns (mov sreg fault): reason %llu vector %llu rip %#llx r8 %#llx, "
               "%llu instructions (an exception, 13, %#x, %#llx, 8 expected)\n", (unsigned long long)r.reason,
               (unsigned long long)(r.info & 0xff), (unsigned long long)r.rip, (unsigned long long)r.r8,
               (unsigned long long)r.instructions, CODE + 0x10, (unsigned long long)(noncanonical + 1));
        ok = false;
    }
    memset(ram + DATA, 0, 2);
    if (ok)
        printf("PASS inline_system_insns\n");
    failures += !ok;
}

static void chained_calls(void)
{
    static const uint8_t code[] = {
        0xb9, 0xa0, 0x86, 0x01, 0x00,             /* 0: mov ecx, 100000 */
        0x31, 0xd2,                               /* 5: xor edx, edx */
        0xe8, 0x0e, 0x00, 0x00, 0x00,             /* 7: again: call f (0x1a) */
        0xe8, 0x09, 0x00, 0x00, 0x00,             /* 12: call f: two return addresses */
        0xff, 0xc9,                               /* 17: dec ecx */
        0x75, 0xf2,                               /* 19: jnz again */
        0xe6, 0x80,                               /* 21: out 0x80, al */
        0xf4,                                     /* 23 */
        0x90, 0x90,                               /* 24 */
        0x83, 0xc2, 0x01,                         /* 26: f: add edx, 1 */
        0xc3,                                     /* ret */
    };
    if (!runs_blocks("chained_calls"))
        return;
    uint64_t reason, rdx;
    struct openhv_vcpu_stats st;
    run_code_counted(code, sizeof code, &reason, &rdx, &st);
    /* mov, xor, then 100000 x (2 x (call, add, ret), dec, jnz). */
    uint64_t insns = 2 + 100000ull * 8;
    /* Without the jump cache every RET (200,000) would look its block up
     * or, translated, return to the loop; with it, lookups are the few
     * blocks' first entries and returns the poll budget's, one per 16,384
     * instructions. */
    bool ok = reason == VMX_REASON_IO && rdx == 200000 && st.instructions == insns &&
              st.blocks_decoded >= 4 && st.blocks_decoded <= 16 && st.block_lookups <= 64 &&
              st.translated_returns <= insns / 512;
    printf("%s chained_calls: reason %llu edx %llu, %llu instructions, %llu blocks decoded, "
           "%llu lookups, %llu returns from translated code\n",
           ok ? "PASS" : "FAIL", (unsigned long long)reason, (unsigned long long)rdx,
           (unsigned long long)st.instructions, (unsigned long long)st.blocks_decoded,
           (unsigned long long)st.block_lookups, (unsigned long long)st.translated_returns);
    failures += !ok;
}

struct cross {
    atomic_int state;             /* 0 starting, 1 running, 2 done */
    uint64_t reason, rax;
};

static void *cross_vcpu(void *arg)
{
    struct cross *c = arg;
    hv_vcpuid_t v = long_vcpu();
    atomic_store(&c->state, 1);
    hv_vcpu_run_until(v, now_ns() + 5000000000ull);
    hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &c->reason);
    hv_vcpu_read_register(v, HV_X86_RAX, &c->rax);
    hv_vcpu_destroy(v);
    atomic_store(&c->state, 2);
    return NULL;
}

/* The host rewrites an instruction of a loop the vCPU is running: the vCPU
 * must see it (within a poll interval) without any exit. */
static void cross_host_write(void)
{
    static const uint8_t code[] = {
        0xb0, 0x00,                               /* again: mov al, 0 (-> 7) */
        0x84, 0xc0,                               /* test al, al */
        0x74, 0xfa,                               /* jz again */
        0xe6, 0x80,                               /* out 0x80, al */
        0xf4,
    };
    memset(ram + CODE, 0, CODE_SIZE);
    memcpy(ram + CODE, code, sizeof code);
    struct cross c = { .state = 0 };
    pthread_t th;
    if (pthread_create(&th, NULL, cross_vcpu, &c) != 0) {
        printf("FAIL cross_host_write: thread\n");
        failures++;
        return;
    }
    while (atomic_load(&c.state) == 0)
        ;
    struct timespec ts = { 0, 20000000 };
    nanosleep(&ts, NULL);
    __atomic_store_n(&ram[CODE + 1], (uint8_t)7, __ATOMIC_SEQ_CST);
    pthread_join(th, NULL);
    if (c.reason == VMX_REASON_IO && (c.rax & 0xff) == 7) {
        printf("PASS cross_host_write\n");
    } else {
        printf("FAIL cross_host_write: reason %llu al %#llx\n", (unsigned long long)c.reason,
               (unsigned long long)(c.rax & 0xff));
        failures++;
    }
}

/* INVLPG after the guest rewrites a mapping: the new translation is used
 * for code it ran (in linked, translated blocks) and for data, and an
 * INVLPG anywhere in a 2 MiB page drops what was cached from all of it.
 * Linear 0x10000 (a function returning 1) becomes the page of one
 * returning 2, 0x12000 (0x1111) the page holding 0x2222, and the 2 MiB
 * page at 0x200000 (0x3333 at 0x3f0000) the one at 0 (0x4444 there). */
static void invlpg_remaps(void)
{
    static const uint8_t code[] = {
        0xb9, 0x64, 0x00, 0x00, 0x00, 0xb8, 0x00, 0x00, 0x01, 0x00, 0xff, 0xd0,
        0xff, 0xc9, 0x75, 0xf5, 0x49, 0x89, 0xc0, 0x48, 0x8b, 0x14, 0x25, 0x00,
        0x20, 0x01, 0x00, 0x49, 0x89, 0xd1, 0x4c, 0x8b, 0x1c, 0x25, 0x00, 0x00,
        0x3f, 0x00, 0x48, 0xc7, 0x04, 0x25, 0x80, 0x00, 0x20, 0x00, 0x03, 0x10,
        0x01, 0x00, 0x48, 0xc7, 0x04, 0x25, 0x90, 0x00, 0x20, 0x00, 0x03, 0x30,
        0x01, 0x00, 0xb8, 0x00, 0x00, 0x01, 0x00, 0x0f, 0x01, 0x38, 0xb8, 0x00,
        0x20, 0x01, 0x00, 0x0f, 0x01, 0x38, 0xb8, 0x00, 0x00, 0x01, 0x00, 0xff,
        0xd0, 0x49, 0x89, 0xc2, 0x48, 0x8b, 0x14, 0x25, 0x00, 0x20, 0x01, 0x00,
        0x48, 0xc7, 0x03, 0x83, 0x00, 0x00, 0x00, 0xb8, 0x00, 0xf0, 0x3f, 0x00,
        0x0f, 0x01, 0x38, 0x4c, 0x8b, 0x24, 0x25, 0x00, 0x00, 0x3f, 0x00, 0xe6,
        0x80, 0xf4,
    };
    static const uint8_t ret1[] = { 0xb8, 0x01, 0x00, 0x00, 0x00, 0xc3 }, ret2[] = { 0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3 };
    const uint64_t pt = 0x200000, values[4][2] = { { 0x12000, 0x1111 }, { 0x13000, 0x2222 }, { 0x3f0000, 0x3333 },
                                                   { 0x1f0000, 0x4444 } };
    memset(ram + CODE, 0, CODE_SIZE);
    memcpy(ram + CODE, code, sizeof code);
    memcpy(ram + 0x10000, ret1, sizeof ret1);
    memcpy(ram + 0x11000, ret2, sizeof ret2);
    for (unsigned i = 0; i < 4; i++)
        memcpy(ram + values[i][0], &values[i][1], 8);
    hv_vcpuid_t v = long_vcpu();
    /* The first 2 MiB through 4 KiB pages (an identity map at pt). */
    uint64_t cr3 = 0, pml4e, pdpte, pde = pt | 3;
    hv_vmx_vcpu_read_vmcs(v, VMCS_GUEST_CR3, &cr3);
    memcpy(&pml4e, ram + cr3, 8);
    memcpy(&pdpte, ram + (pml4e & ~0xfffull), 8);
    uint64_t pd = pdpte & ~0xfffull;
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t pte = i << 12 | 3;
        memcpy(ram + pt + i * 8, &pte, 8);
    }
    memcpy(ram + pd, &pde, 8);
    hv_vcpu_write_register(v, HV_X86_RBX, pd + 8);
    hv_vcpu_write_register(v, HV_X86_RIP, CODE);
    hv_vcpu_run_until(v, now_ns() + 5000000000ull);
    uint64_t reason = 0, r[5];
    static const hv_x86_reg_t regs[5] = { HV_X86_R8, HV_X86_R9, HV_X86_R10, HV_X86_RDX, HV_X86_R12 };
    static const uint64_t want[5] = { 1, 0x1111, 2, 0x2222, 0x4444 };
    hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason);
    bool ok = reason == VMX_REASON_IO;
    for (unsigned i = 0; i < 5; i++) {
        hv_vcpu_read_register(v, regs[i], &r[i]);
        ok = ok && r[i] == want[i];
    }
    hv_vcpu_destroy(v);
    memset(ram + pt, 0, 0x1000);
    memset(ram + 0x10000, 0, 0x4000);
    for (unsigned i = 0; i < 4; i++)
        memset(ram + values[i][0], 0, 8);
    if (ok) {
        printf("PASS invlpg_remaps\n");
    } else {
        printf("FAIL invlpg_remaps: reason %llu, r8 r9 r10 rdx r12 = %#llx %#llx %#llx %#llx %#llx "
               "(IO, 1 0x1111 2 0x2222 0x4444 expected)\n", (unsigned long long)reason, (unsigned long long)r[0],
               (unsigned long long)r[1], (unsigned long long)r[2], (unsigned long long)r[3], (unsigned long long)r[4]);
        failures++;
    }
}

/* A direct branch (JMP, a taken Jcc) in translated code whose target is
 * not canonical: #GP at the branch, none of it done, and only the
 * instructions before it counted.  The code runs at the top of the lower
 * canonical half, where rel32 reaches past it: PML4[255] and PDPT[511]
 * map linear 0x7fffc0000000 onto the first GiB. */
static void noncanonical_branch(void)
{
    static const uint8_t jz[] = { 0x31, 0xc0, 0x0f, 0x84, 0x00, 0x00, 0x00, 0x40 };   /* xor eax, eax; jz +1 GiB */
    static const uint8_t jmp[] = { 0x31, 0xc0, 0xe9, 0x00, 0x00, 0x00, 0x40 };        /* xor eax, eax; jmp +1 GiB */
    const uint64_t base = 0x7fffc0000000ull;
    const uint8_t *codes[2] = { jz, jmp };
    const size_t lens[2] = { sizeof jz, sizeof jmp };
    bool ok = true;
    for (unsigned k = 0; k < 2; k++) {
        memset(ram + CODE, 0, CODE_SIZE);
        memcpy(ram + CODE, codes[k], lens[k]);
        hv_vcpuid_t v = long_vcpu();
        uint64_t cr3 = 0, pml4e, pdpte;
        hv_vmx_vcpu_read_vmcs(v, VMCS_GUEST_CR3, &cr3);
        memcpy(&pml4e, ram + cr3, 8);
        memcpy(&pdpte, ram + (pml4e & ~0xfffull), 8);
        memcpy(ram + cr3 + 255 * 8, &pml4e, 8);
        memcpy(ram + (pml4e & ~0xfffull) + 511 * 8, &pdpte, 8);
        hv_vmx_vcpu_write_vmcs(v, VMCS_CTRL_EXC_BITMAP, 1u << 13);
        hv_vcpu_write_register(v, HV_X86_RIP, base + CODE);
        hv_vcpu_run_until(v, now_ns() + 1000000000ull);
        uint64_t reason = 0, info = 0, rip = 0;
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason);
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_VMEXIT_IRQ_INFO, &info);
        hv_vcpu_read_register(v, HV_X86_RIP, &rip);
        struct openhv_vcpu_stats st;
        memset(&st, 0, sizeof st);
        openhv_vcpu_stats(v, &st);
        hv_vcpu_destroy(v);
        if (reason != VMX_REASON_EXC_NMI || (info & 0xff) != 13 || rip != base + CODE + 2 || st.instructions != 1) {
            printf("FAIL noncanonical_branch (%s): reason %llu vector %llu rip %#llx instructions %llu "
                   "(an exception, 13, %#llx, 1 expected)\n", k ? "jmp" : "jz", (unsigned long long)reason,
                   (unsigned long long)(info & 0xff), (unsigned long long)rip, (unsigned long long)st.instructions,
                   (unsigned long long)(base + CODE + 2));
            ok = false;
        }
    }
    if (ok)
        printf("PASS noncanonical_branch\n");
    failures += !ok;
}

int main(void)
{
    setenv("OPENHV_BACKEND", "emu", 0);
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ram_init = malloc(RAM_SIZE);
    if (ram == MAP_FAILED || !ram_init || hv_vm_create(HV_VM_DEFAULT) != HV_SUCCESS ||
        hv_vm_map(ram, 0, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC) != HV_SUCCESS) {
        printf("FAIL lockstep_setup: VM\n");
        return 1;
    }
    smc_same_block();
    smc_other_block();
    cross_host_write();
    page_crossing_loop();
    code_page_becomes_data();
    chained_calls();
    step_insn_loop();
    indirect_call_loop();
    popf_sets_tf();
    links_cut_each_turn();
    inline_system_insns();
    noncanonical_branch();
    invlpg_remaps();
    directed_flags();
    deferred_records();
    lockstep();
    hv_vm_unmap(0, RAM_SIZE);
    hv_vm_destroy();
    free(ram_init);
    return failures ? 1 : 0;
}
