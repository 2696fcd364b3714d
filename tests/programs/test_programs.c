/*
 * Ordinary C programs on the emulator, compared with the same sources run
 * natively.  Every program of tests/programs/prog_*.c is built by gcc and
 * clang at -march=x86-64, x86-64-v2 and x86-64-v3, once as a freestanding
 * long-mode guest and once as a host function (build.mk); this runs each
 * guest through the public API on the emu backend, calls the host copy,
 * and asserts that both wrote the same bytes.
 *
 * A level runs only where both sides have what it needs: the host's CPUID
 * says what the host has; what the emulator has is probed with one guest
 * per feature executing that feature's instructions (a #UD exit means it
 * lacks them).  CPUID cannot be asked instead: it always exits, and what
 * a guest reads is the client's answer (docs/compat.md 7.1).  So a level
 * starts running here as soon as the emulator implements it, with no edit.
 *
 * Cases: <program>-<compiler>-<level>, and <program>-gcc-<level>-step on
 * the reference engine (OPENHV_EMU_ENGINE=step).
 */
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <Hypervisor/openhv.h>
#include <cpuid.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "guest_mode.h"
#include "prog.h"

/* The host copies, renamed per variant by build.mk. */
#define PROGRAM(name, cc, level) size_t prog_main_##name##_##cc##_##level(char *out, size_t cap);
#include "programs.inc"
#undef PROGRAM

typedef size_t (*prog_fn)(char *out, size_t cap);

struct variant {
    const char *name, *cc, *level;
    prog_fn host;
};

static const struct variant variants[] = {
#define PROGRAM(name, cc, level) { #name, #cc, #level, prog_main_##name##_##cc##_##level },
#include "programs.inc"
#undef PROGRAM
};

/* ---- features, levels, probes ---- */

enum { CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10, CR4_OSXSAVE = 1u << 18 };
enum { XCR0_X87_SSE_AVX = 7 };
enum { SCRATCH_GPA = 0x100000, PROBE_ENTRY = 0x1000, PROBE_DATA = 0x3000, PROBE_STACK = 0x7000 };

/* Probe code: each feature's instructions, then OUT to the done port.  The
 * assembler encodes them; the runner copies the bytes into a guest. */
#define PROBE(name, insns)                                                    \
    ".globl probe_" #name "\nprobe_" #name ":\n" insns "\n"                   \
    "out %al, $0xf4\n.globl probe_" #name "_end\nprobe_" #name "_end:\n"
__asm__(".pushsection .rodata\n"
        PROBE(sse3, "haddps %xmm1, %xmm0\nmovddup %xmm1, %xmm0")
        PROBE(ssse3, "pshufb %xmm1, %xmm0\npalignr $3, %xmm1, %xmm0")
        PROBE(sse41, "pmulld %xmm1, %xmm0\nblendvps %xmm0, %xmm1, %xmm2\nroundsd $4, %xmm1, %xmm0")
        PROBE(sse42, "crc32q %rax, %rax\npcmpistri $0, %xmm1, %xmm0\npcmpgtq %xmm1, %xmm0")
        PROBE(popcnt, "popcnt %rax, %rax")
        PROBE(cx16, "cmpxchg16b (%rsi)")
        PROBE(lahf, "lahf\nsahf")
        PROBE(avx, "vaddps %ymm1, %ymm0, %ymm0\nvmovups (%rsi), %ymm2\nvzeroupper")
        PROBE(avx2, "vpaddd %ymm1, %ymm0, %ymm0\nvpermq $0x4e, %ymm0, %ymm1\nvpbroadcastd %xmm0, %ymm1")
        PROBE(fma, "vfmadd231ps %ymm1, %ymm2, %ymm0\nvfmadd213sd %xmm1, %xmm2, %xmm0")
        PROBE(f16c, "vcvtph2ps %xmm0, %ymm1\nvcvtps2ph $0, %ymm1, %xmm0")
        PROBE(bmi1, "andn %rax, %rbx, %rcx\nblsr %rax, %rcx")
        PROBE(bmi2, "shlx %rax, %rbx, %rcx\npdep %rax, %rbx, %rcx\nmulx %rax, %rbx, %rcx")
        /* Without LZCNT the encoding is BSR: tell them apart by the result. */
        PROBE(lzcnt, "mov $1, %eax\nlzcnt %rax, %rax\ncmp $63, %rax\nje 1f\nud2\n1:")
        PROBE(movbe, "movbe (%rsi), %rax")
        ".popsection\n");

#define PROBE_SYMS(name) extern const uint8_t probe_##name[], probe_##name##_end[];
PROBE_SYMS(sse3) PROBE_SYMS(ssse3) PROBE_SYMS(sse41) PROBE_SYMS(sse42) PROBE_SYMS(popcnt)
PROBE_SYMS(cx16) PROBE_SYMS(lahf) PROBE_SYMS(avx) PROBE_SYMS(avx2) PROBE_SYMS(fma)
PROBE_SYMS(f16c) PROBE_SYMS(bmi1) PROBE_SYMS(bmi2) PROBE_SYMS(lzcnt) PROBE_SYMS(movbe)

/* A CPUID bit: leaf, register (0 EAX .. 3 EDX), bit. */
struct cpuid_bit {
    uint32_t leaf;
    uint8_t reg, bit;
};

struct feature {
    const char *name;
    unsigned level;                 /* the first -march level that needs it */
    bool vex;                       /* VEX-encoded: needs the OS's AVX state too */
    struct cpuid_bit host;
    const uint8_t *probe, *probe_end;
    bool host_has, emu_has;
    char emu_why[96];
};

enum { R_EAX, R_EBX, R_ECX, R_EDX };
#define FEATURE(n, lvl, vex, leaf, reg, bit, p) \
    { n, lvl, vex, { leaf, reg, bit }, probe_##p, probe_##p##_end, false, false, "" }
/* x86-64-v2 and -v3 as the psABI defines them. */
static struct feature features[] = {
    FEATURE("SSE3", 2, false, 1, R_ECX, 0, sse3),
    FEATURE("SSSE3", 2, false, 1, R_ECX, 9, ssse3),
    FEATURE("SSE4.1", 2, false, 1, R_ECX, 19, sse41),
    FEATURE("SSE4.2", 2, false, 1, R_ECX, 20, sse42),
    FEATURE("POPCNT", 2, false, 1, R_ECX, 23, popcnt),
    FEATURE("CMPXCHG16B", 2, false, 1, R_ECX, 13, cx16),
    FEATURE("LAHF-SAHF", 2, false, 0x80000001, R_ECX, 0, lahf),
    FEATURE("AVX", 3, true, 1, R_ECX, 28, avx),
    FEATURE("AVX2", 3, true, 7, R_EBX, 5, avx2),
    FEATURE("FMA", 3, true, 1, R_ECX, 12, fma),
    FEATURE("F16C", 3, true, 1, R_ECX, 29, f16c),
    FEATURE("BMI1", 3, false, 7, R_EBX, 3, bmi1),
    FEATURE("BMI2", 3, false, 7, R_EBX, 8, bmi2),
    FEATURE("LZCNT", 3, false, 0x80000001, R_ECX, 5, lzcnt),
    FEATURE("MOVBE", 3, false, 1, R_ECX, 22, movbe),
};
enum { NFEATURES = sizeof features / sizeof features[0] };

static bool host_cpuid_bit(struct cpuid_bit b)
{
    uint32_t r[4];
    if (__get_cpuid_max(b.leaf & 0x80000000u, NULL) < b.leaf)
        return false;
    __cpuid_count(b.leaf, 0, r[0], r[1], r[2], r[3]);
    return (r[b.reg] >> b.bit) & 1;
}

/* AVX state enabled by the host OS (CPUID.1:ECX.OSXSAVE and XCR0 bits 1-2). */
static bool host_os_avx(void)
{
    if (!host_cpuid_bit((struct cpuid_bit){ 1, R_ECX, 27 }))
        return false;
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 6) == 6;
}

/* ---- one guest VM ---- */

struct guest {
    uint8_t *ram;
    size_t ram_size;
    hv_vcpuid_t vcpu;
    bool vm_created, vcpu_created;
};

static char failure[1024];

static uint64_t vmcs(hv_vcpuid_t vcpu, uint32_t field)
{
    uint64_t v = 0;
    hv_vmx_vcpu_read_vmcs(vcpu, field, &v);
    return v;
}

static uint64_t reg(hv_vcpuid_t vcpu, hv_x86_reg_t r)
{
    uint64_t v = 0;
    hv_vcpu_read_register(vcpu, r, &v);
    return v;
}

static void guest_destroy(struct guest *g)
{
    if (g->vcpu_created)
        hv_vcpu_destroy(g->vcpu);
    if (g->vm_created)
        hv_vm_destroy();
    if (g->ram)
        munmap(g->ram, g->ram_size);
    memset(g, 0, sizeof *g);
}

/* A VM with ram_size bytes at GPA 0 and a long-mode vCPU at `entry`, with
 * SSE and XSAVE state enabled as an OS would (CR4.OSFXSR, OSXMMEXCPT,
 * OSXSAVE; XCR0 = x87|SSE|AVX), every exception exiting. */
static bool guest_create(struct guest *g, size_t ram_size, uint64_t entry, uint64_t stack)
{
    memset(g, 0, sizeof *g);
    g->ram_size = ram_size;
    g->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->ram == MAP_FAILED) {
        g->ram = NULL;
        snprintf(failure, sizeof failure, "mmap: %s", strerror(errno));
        return false;
    }
    hv_return_t r = hv_vm_create(HV_VM_DEFAULT);
    if (r != HV_SUCCESS) {
        snprintf(failure, sizeof failure, "hv_vm_create: 0x%x", r);
        return false;
    }
    g->vm_created = true;
    r = hv_vm_map(g->ram, 0, ram_size, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC);
    if (r == HV_SUCCESS) {
        r = hv_vcpu_create(&g->vcpu, HV_VCPU_DEFAULT);
        g->vcpu_created = r == HV_SUCCESS;
    }
    struct guest_layout layout = { entry, stack, SCRATCH_GPA, g->ram + SCRATCH_GPA };
    if (r == HV_SUCCESS)
        r = guest_mode_setup(g->vcpu, GUEST_LONG64, &layout);
    if (r != HV_SUCCESS) {
        snprintf(failure, sizeof failure, "VM setup: 0x%x", r);
        return false;
    }
    const uint64_t cr4_bits = CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
    r = hv_vmx_vcpu_write_vmcs(g->vcpu, VMCS_GUEST_CR4, vmcs(g->vcpu, VMCS_GUEST_CR4) | cr4_bits);
    if (r == HV_SUCCESS)
        r = hv_vmx_vcpu_write_vmcs(g->vcpu, VMCS_CTRL_CR4_SHADOW, vmcs(g->vcpu, VMCS_CTRL_CR4_SHADOW) | cr4_bits);
    if (r == HV_SUCCESS)
        r = hv_vcpu_write_register(g->vcpu, HV_X86_XCR0, XCR0_X87_SSE_AVX);
    if (r == HV_SUCCESS)
        r = hv_vmx_vcpu_write_vmcs(g->vcpu, VMCS_CTRL_EXC_BITMAP, 0xffffffffu);
    if (r != HV_SUCCESS) {
        snprintf(failure, sizeof failure, "CR4/XCR0/exception bitmap: 0x%x", r);
        return false;
    }
    return true;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Runs to the done port.  Returns false with `failure` describing the exit
 * that came instead (an exception: vector, RIP and the bytes there). */
static bool guest_run_to_done(struct guest *g, uint64_t timeout_ns)
{
    uint64_t deadline = now_ns() + timeout_ns;
    for (;;) {
        hv_return_t r = hv_vcpu_run_until(g->vcpu, deadline);
        if (r != HV_SUCCESS) {
            snprintf(failure, sizeof failure, "hv_vcpu_run_until: 0x%x", r);
            return false;
        }
        uint64_t reason = vmcs(g->vcpu, VMCS_RO_EXIT_REASON) & 0xffff;
        uint64_t rip = reg(g->vcpu, HV_X86_RIP);
        if (reason == VMX_REASON_IRQ)
            continue;
        if (reason == VMX_REASON_VMX_TIMER_EXPIRED) {
            snprintf(failure, sizeof failure, "no exit within %llu s (RIP 0x%llx)",
                     (unsigned long long)(timeout_ns / 1000000000ull), (unsigned long long)rip);
            return false;
        }
        if (reason == VMX_REASON_IO) {
            uint64_t port = vmcs(g->vcpu, VMCS_RO_EXIT_QUALIFIC) >> 16 & 0xffff;
            if (port == PROG_PORT_DONE)
                return true;
            snprintf(failure, sizeof failure, "I/O exit to port 0x%llx at RIP 0x%llx", (unsigned long long)port,
                     (unsigned long long)rip);
            return false;
        }
        if (reason == VMX_REASON_EXC_NMI) {
            uint64_t info = vmcs(g->vcpu, VMCS_RO_VMEXIT_IRQ_INFO);
            char bytes[64] = "";
            for (unsigned i = 0; i < 12 && rip + i < g->ram_size; i++)
                snprintf(bytes + 3 * i, sizeof bytes - 3 * i, " %02x", g->ram[rip + i]);
            snprintf(failure, sizeof failure, "exception vector %llu at RIP 0x%llx, bytes%s",
                     (unsigned long long)(info & 0xff), (unsigned long long)rip, bytes);
            return false;
        }
        snprintf(failure, sizeof failure, "exit reason %llu at RIP 0x%llx (qualification 0x%llx)",
                 (unsigned long long)reason, (unsigned long long)rip,
                 (unsigned long long)vmcs(g->vcpu, VMCS_RO_EXIT_QUALIFIC));
        return false;
    }
}

/* Which features the emulator executes: each probe in a fresh VM. */
static void probe_emulator(void)
{
    for (unsigned i = 0; i < NFEATURES; i++) {
        struct feature *f = &features[i];
        struct guest g;
        size_t len = (size_t)(f->probe_end - f->probe);
        if (!guest_create(&g, 2u << 20, PROBE_ENTRY, PROBE_STACK)) {
            snprintf(f->emu_why, sizeof f->emu_why, "%.95s", failure);
        } else {
            memcpy(g.ram + PROBE_ENTRY, f->probe, len);
            hv_vcpu_write_register(g.vcpu, HV_X86_RSI, PROBE_DATA);
            f->emu_has = guest_run_to_done(&g, 5000000000ull);
            if (!f->emu_has)
                snprintf(f->emu_why, sizeof f->emu_why, "%.95s", failure);
        }
        guest_destroy(&g);
    }
}

static void probe_host(void)
{
    bool avx_os = host_os_avx();
    for (unsigned i = 0; i < NFEATURES; i++) {
        struct feature *f = &features[i];
        f->host_has = host_cpuid_bit(f->host);
        if (f->vex)
            f->host_has = f->host_has && avx_os;
    }
}

static unsigned level_number(const char *level)
{
    return (unsigned)(level[1] - '0');
}

/* Empty if every feature the level needs is there; else "<side> lacks ...". */
static void level_missing(unsigned level, bool emu, char *why, size_t size)
{
    why[0] = 0;
    size_t n = 0;
    for (unsigned i = 0; i < NFEATURES; i++) {
        const struct feature *f = &features[i];
        if (f->level > level || (emu ? f->emu_has : f->host_has))
            continue;
        n += (size_t)snprintf(why + n, n < size ? size - n : 0, "%s%s", n ? ", " : "", f->name);
    }
    if (n == 0)
        return;
    char list[512];
    snprintf(list, sizeof list, "%s", why);
    if (emu)
        snprintf(why, size, "emulator lacks %s (probed: a guest using them exits with #UD)", list);
    else
        snprintf(why, size, "host lacks %s (CPUID)", list);
}

/* ---- programs ---- */

static uint8_t *load_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) != NULL) {
            if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
            } else {
                *size = (size_t)n;
            }
        }
    }
    fclose(f);
    return buf;
}

/* First line where the two outputs differ, for the failure message. */
static void describe_difference(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i = 0, line = 0;
    while (i < na && i < nb && a[i] == b[i])
        if (a[i++] == '\n')
            line = i;
    int la = 0, lb = 0;
    while (line + (size_t)la < na && a[line + (size_t)la] != '\n')
        la++;
    while (line + (size_t)lb < nb && b[line + (size_t)lb] != '\n')
        lb++;
    snprintf(failure, sizeof failure, "outputs differ (emulator %zu bytes, host %zu): emulator \"%.*s\", host \"%.*s\"",
             na, nb, la > 200 ? 200 : la, a + line, lb > 200 ? 200 : lb, b + line);
}

static char host_out[PROG_OUT_CAP];

static bool run_variant(const struct variant *v, bool step, double *emu_ms, uint64_t *insns)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s-%s/%s.bin", PROG_BIN_DIR, v->cc, v->level, v->name);
    size_t size = 0;
    uint8_t *blob = load_file(path, &size);
    if (!blob) {
        snprintf(failure, sizeof failure, "cannot read %s", path);
        return false;
    }
    if (size > PROG_OUT_GPA - PROG_LOAD) {
        free(blob);
        snprintf(failure, sizeof failure, "%s: %zu bytes do not fit below the output buffer", path, size);
        return false;
    }
    if (step)
        setenv("OPENHV_EMU_ENGINE", "step", 1);
    else
        unsetenv("OPENHV_EMU_ENGINE");
    struct guest g;
    bool ok = guest_create(&g, PROG_RAM_SIZE, PROG_LOAD, PROG_STACK_TOP);
    if (ok) {
        memcpy(g.ram + PROG_LOAD, blob, size);
        uint64_t t0 = now_ns();
        ok = guest_run_to_done(&g, 30000000000ull);
        *emu_ms = (double)(now_ns() - t0) / 1e6;
        struct openhv_vcpu_stats st;
        *insns = openhv_vcpu_stats(g.vcpu, &st) == HV_SUCCESS ? st.instructions : 0;
    }
    if (ok) {
        uint64_t len = reg(g.vcpu, HV_X86_RAX);
        size_t hlen = v->host(host_out, sizeof host_out);
        if (len > PROG_OUT_CAP) {
            snprintf(failure, sizeof failure, "guest returned length 0x%llx", (unsigned long long)len);
            ok = false;
        } else if (len != hlen || memcmp(g.ram + PROG_OUT_GPA, host_out, hlen) != 0) {
            describe_difference((const char *)g.ram + PROG_OUT_GPA, (size_t)len, host_out, hlen);
            ok = false;
        } else if (hlen == 0) {
            snprintf(failure, sizeof failure, "no output");
            ok = false;
        }
    }
    guest_destroy(&g);
    free(blob);
    return ok;
}

int main(void)
{
    /* The emulator is what these programs prove, whatever the host has. */
    setenv("OPENHV_BACKEND", "emu", 1);
    probe_host();
    probe_emulator();
    for (unsigned i = 0; i < NFEATURES; i++)
        printf("# feature %-11s level v%u: host %s, emulator %s%s%s\n", features[i].name, features[i].level,
               features[i].host_has ? "yes" : "no", features[i].emu_has ? "yes" : "no",
               features[i].emu_has ? "" : ": ", features[i].emu_has ? "" : features[i].emu_why);

    size_t nvariants = sizeof variants / sizeof variants[0];
    for (size_t i = 0; i < nvariants; i++) {
        const struct variant *v = &variants[i];
        unsigned level = level_number(v->level);
        for (int step = 0; step < 2; step++) {
            /* The reference engine is slower (and sanitizer builds slower
             * still): gcc's builds keep it honest; a variant that fails on
             * one engine only points at the block engine. */
            if (step && strcmp(v->cc, "gcc") != 0)
                continue;
            char name[128], why[640];
            snprintf(name, sizeof name, "%s-%s-%s%s", v->name, v->cc, v->level, step ? "-step" : "");
            if (getenv("T_CASE") && strcmp(getenv("T_CASE"), name) != 0)
                continue;
            level_missing(level, false, why, sizeof why);
            if (!why[0])
                level_missing(level, true, why, sizeof why);
            if (why[0]) {
                printf("SKIP %s: %s\n", name, why);
                continue;
            }
            double ms = 0;
            uint64_t insns = 0;
            if (run_variant(v, step, &ms, &insns))
                printf("PASS %s (%.1f M instructions, %.0f ms on the emulator)\n", name, (double)insns / 1e6, ms);
            else
                printf("FAIL %s: %s\n", name, failure);
            fflush(stdout);
        }
    }
    return 0;
}
