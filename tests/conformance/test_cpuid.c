/* CPUID of the processor (openhv_vcpu_cpuid) answered to a real guest as a
 * client would, and checked against what the guest can do: every feature
 * it advertises executes (one instruction each, no #UD), leaf 0Dh's sizes
 * and offsets are what XSAVE writes, the leaves agree with each other.
 * And RDFSBASE/WRFSBASE: #UD with CR4.FSGSBASE clear, the values with it
 * set, #GP(0) for a non-canonical base, the VMCS FS/GS base fields at an
 * exit after a write. */
#include <Hypervisor/openhv.h>
#include <string.h>

#include "harness.h"

enum { VEC_UD = 6, VEC_GP = 13 };
enum {
    CR0_EM = 1u << 2, CR0_TS = 1u << 3, CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10,
    CR4_FSGSBASE = 1u << 16, CR4_OSXSAVE = 1u << 18, CR4_SMAP = 1u << 21,
};
enum { EAX, EBX, ECX, EDX };

static void cpuid(struct h_vm *vm, uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    T_HV(openhv_vcpu_cpuid(vm->vcpu, leaf, subleaf, r));
}

static bool has(struct h_vm *vm, uint32_t leaf, uint32_t subleaf, unsigned reg, unsigned bit)
{
    uint32_t r[4];
    cpuid(vm, leaf, subleaf, r);
    return (r[reg] >> bit) & 1;
}

/* CR4 bits set the way an OS sets them (the guest's view too). */
static void set_cr4(struct h_vm *vm, uint64_t bits)
{
    h_set_reg(vm, HV_X86_CR4, h_reg(vm, HV_X86_CR4) | bits);
    h_set_vmcs(vm, VMCS_CTRL_CR4_SHADOW, h_vmcs(vm, VMCS_CTRL_CR4_SHADOW) | bits);
}

/* The SIMD state enabled as an OS with AVX enables it. */
static void enable_simd(struct h_vm *vm)
{
    h_set_reg(vm, HV_X86_CR0, h_reg(vm, HV_X86_CR0) & ~(uint64_t)(CR0_EM | CR0_TS));
    set_cr4(vm, CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE);
    h_set_reg(vm, HV_X86_XCR0, 7);
}

/* Runs to the guest's PORT_DONE, answering CPUID and stepping over other
 * instruction exits as a client does; any exception ends the run (its
 * vector is returned), -1 when the guest got to PORT_DONE. */
static int run_to_done(struct h_vm *vm)
{
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 0xffffffff);
    for (int i = 0; i < 16; i++) {
        const struct h_exit *e = h_run(vm);
        if (e->reason == VMX_REASON_EXC_NMI)
            return (int)(e->intr_info & 0xff);
        if (e->reason == VMX_REASON_IO && IOQ_PORT(e->qual) == PORT_DONE)
            return -1;
        if (e->reason == VMX_REASON_CPUID) {
            uint32_t r[4];
            cpuid(vm, (uint32_t)h_reg(vm, HV_X86_RAX), (uint32_t)h_reg(vm, HV_X86_RCX), r);
            h_set_reg(vm, HV_X86_RAX, r[EAX]);
            h_set_reg(vm, HV_X86_RBX, r[EBX]);
            h_set_reg(vm, HV_X86_RCX, r[ECX]);
            h_set_reg(vm, HV_X86_RDX, r[EDX]);
        }
        h_skip_instr(vm);
    }
    T_ASSERT(!"the guest did not finish");
    return -2;
}

/* ---- the feature sweep ---- */

struct feature {
    const char *entry;
    uint32_t leaf, subleaf;
    unsigned reg, bit;
};

static const struct feature features[] = {
    { "f_fpu", 1, 0, EDX, 0 },        { "f_tsc", 1, 0, EDX, 4 },
    { "f_cx8", 1, 0, EDX, 8 },        { "f_cmov", 1, 0, EDX, 15 },
    { "f_clfsh", 1, 0, EDX, 19 },     { "f_mmx", 1, 0, EDX, 23 },
    { "f_fxsr", 1, 0, EDX, 24 },      { "f_sse", 1, 0, EDX, 25 },
    { "f_sse2", 1, 0, EDX, 26 },      { "f_sse3", 1, 0, ECX, 0 },
    { "f_pclmulqdq", 1, 0, ECX, 1 },  { "f_ssse3", 1, 0, ECX, 9 },
    { "f_fma", 1, 0, ECX, 12 },       { "f_cx16", 1, 0, ECX, 13 },
    { "f_sse41", 1, 0, ECX, 19 },     { "f_sse42", 1, 0, ECX, 20 },
    { "f_movbe", 1, 0, ECX, 22 },     { "f_popcnt", 1, 0, ECX, 23 },
    { "f_aes", 1, 0, ECX, 25 },       { "f_xsave", 1, 0, ECX, 26 },
    { "f_avx", 1, 0, ECX, 28 },       { "f_f16c", 1, 0, ECX, 29 },
    { "f_rdrand", 1, 0, ECX, 30 },    { "f_fsgsbase", 7, 0, EBX, 0 },
    { "f_bmi1", 7, 0, EBX, 3 },       { "f_avx2", 7, 0, EBX, 5 },
    { "f_bmi2", 7, 0, EBX, 8 },       { "f_rtm", 7, 0, EBX, 11 },
    { "f_rdseed", 7, 0, EBX, 18 },    { "f_adx", 7, 0, EBX, 19 },
    { "f_smap", 7, 0, EBX, 20 },      { "f_xsaveopt", 0xd, 1, EAX, 0 },
    { "f_xsavec", 0xd, 1, EAX, 1 },   { "f_xsaves", 0xd, 1, EAX, 3 },
    { "f_lahf", 0x80000001, 0, ECX, 0 }, { "f_lzcnt", 0x80000001, 0, ECX, 5 },
    { "f_prefetchw", 0x80000001, 0, ECX, 8 }, { "f_rdtscp", 0x80000001, 0, EDX, 27 },
};

/* Every advertised feature's instruction runs; on emu, every feature the
 * sweep knows that is not advertised is #UD (the model claims exactly
 * what the emulator does). */
T_CASE(cpuid_features_execute)
{
    enable_simd(vm);
    set_cr4(vm, CR4_FSGSBASE | (has(vm, 7, 0, EBX, 20) ? CR4_SMAP : 0));
    unsigned advertised = 0;
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++) {
        const struct feature *f = &features[i];
        bool on = has(vm, f->leaf, f->subleaf, f->reg, f->bit);
        h_goto(vm, f->entry);
        int r = run_to_done(vm);
        if (on) {
            advertised++;
            if (r != -1)
                t_fail(false, __FILE__, __LINE__, "%s advertised, vector %d", f->entry, r);
        } else if (!h_on_kvm() && r != VEC_UD) {
            /* KVM's table may leave out what the host runs anyway. */
            t_fail(false, __FILE__, __LINE__, "%s not advertised, but no #UD (%d)", f->entry, r);
        }
    }
    T_ASSERT(advertised >= 20);
}

/* Leaf 0Dh against XSAVE: for each XCR0, EBX is the extent XSAVE writes,
 * ECX the extent for every supported component, and the AVX component
 * is where subleaf 2 says. */
T_CASE(cpuid_xsave_sizes_match_xsave)
{
    if (!has(vm, 1, 0, ECX, 26))
        T_SKIP("no XSAVE");
    enable_simd(vm);
    uint32_t d0[4], d2[4];
    cpuid(vm, 0xd, 0, d0);
    cpuid(vm, 0xd, 2, d2);
    T_ASSERT_EQ(d0[EAX] & 7, 7);                /* x87, SSE, AVX */
    T_ASSERT_EQ(d2[EBX] + d2[EAX] <= d0[ECX], 1);
    /* The guest's YMM0 upper half carries a pattern. */
    static uint8_t fp[4096] __attribute__((aligned(64)));
    T_HV(hv_vcpu_read_fpstate(vm->vcpu, fp, sizeof fp));
    for (unsigned i = 0; i < 16; i++)
        fp[d2[EBX] + i] = (uint8_t)(0xa0 + i);
    fp[512] |= 4;   /* XSTATE_BV: the AVX component is not in its initial state */
    static const uint64_t xcr0s[] = { 3, 7 };
    for (size_t k = 0; k < 2; k++) {
        h_set_reg(vm, HV_X86_XCR0, xcr0s[k]);
        T_HV(hv_vcpu_write_fpstate(vm->vcpu, fp, sizeof fp));
        uint32_t d[4];
        cpuid(vm, 0xd, 0, d);
        T_ASSERT_EQ(d[ECX], d0[ECX]);
        uint8_t *area = h_mem(vm, GUEST_TABLE, 4096);
        memset(area, 0xcc, 4096);
        h_goto(vm, "l_xsave_all");
        T_ASSERT_EQ(run_to_done(vm), -1);
        unsigned last = 0;
        for (unsigned i = 0; i < 4096; i++)
            if (area[i] != 0xcc)
                last = i;
        T_ASSERT_EQ(last < d[EBX], 1);
        if (xcr0s[k] & 4) {
            T_ASSERT_EQ(d[EBX], d2[EBX] + d2[EAX]);
            T_ASSERT_EQ(memcmp(area + d2[EBX], fp + d2[EBX], 16), 0);
        } else {
            T_ASSERT_EQ(d[EBX], d2[EBX]);        /* legacy region and header only */
        }
        /* Subleaf 1 EBX, with XSAVEC or XSAVES, is the compacted size for
         * XCR0 | IA32_XSS; IA32_XSS is 0, and x87/SSE/AVX compact to the
         * standard layout. */
        uint32_t d1[4];
        cpuid(vm, 0xd, 1, d1);
        if (d1[EAX] & ((1u << 1) | (1u << 3)))
            T_ASSERT_EQ(d1[EBX], d[EBX]);
    }
}

/* Leaves that describe one processor: vendor and range, OSXSAVE following
 * CR4, the APIC ID in leaves 1 and 0Bh, the brand string. */
T_CASE(cpuid_leaves_consistent)
{
    uint32_t r[4], ext[4];
    cpuid(vm, 0, 0, r);
    T_ASSERT_EQ(memcmp(&r[EBX], "Genu", 4) | memcmp(&r[EDX], "ineI", 4) | memcmp(&r[ECX], "ntel", 4), 0);
    T_ASSERT_EQ(r[EAX] >= 0xd, 1);
    cpuid(vm, 0x80000000, 0, ext);
    T_ASSERT_EQ(ext[EAX] >= 0x80000008, 1);
    T_ASSERT_EQ(has(vm, 1, 0, ECX, 27), 0);          /* CR4.OSXSAVE clear */
    set_cr4(vm, CR4_OSXSAVE);
    T_ASSERT_EQ(has(vm, 1, 0, ECX, 27), 1);
    /* AVX needs XSAVE; AVX2, FMA, F16C need AVX. */
    if (has(vm, 1, 0, ECX, 28))
        T_ASSERT(has(vm, 1, 0, ECX, 26));
    if (has(vm, 7, 0, EBX, 5) || has(vm, 1, 0, ECX, 12) || has(vm, 1, 0, ECX, 29))
        T_ASSERT(has(vm, 1, 0, ECX, 28));
    T_ASSERT(has(vm, 0x80000001, 0, EDX, 29));       /* LM */
    if (h_on_kvm())
        return;
    cpuid(vm, 1, 0, r);
    T_ASSERT_EQ(r[EBX] >> 24, vm->vcpu);
    uint32_t t[4];
    cpuid(vm, 0xb, 0, t);
    T_ASSERT_EQ(t[EDX], vm->vcpu);
    T_ASSERT_EQ((t[ECX] >> 8) & 0xff, 1);           /* SMT level */
    cpuid(vm, 0xb, 1, t);
    T_ASSERT_EQ((t[ECX] >> 8) & 0xff, 2);           /* core level */
    T_ASSERT_EQ(t[EBX], 1);                          /* one vCPU */
    cpuid(vm, 0xb, 2, t);
    T_ASSERT_EQ((t[ECX] >> 8) & 0xff, 0);           /* no more levels */
    char brand[49] = { 0 };
    for (unsigned i = 0; i < 3; i++)
        cpuid(vm, 0x80000002 + i, 0, (uint32_t *)(void *)(brand + 16 * i));
    T_ASSERT(strstr(brand, "Intel") != NULL);
    /* Leaf 4's first cache is a level-1 data cache; the list ends with type 0. */
    cpuid(vm, 4, 0, t);
    T_ASSERT_EQ(t[EAX] & 0xff, 0x21);
    cpuid(vm, 4, 4, t);
    T_ASSERT_EQ(t[EAX] & 0x1f, 0);
}

/* The guest executes CPUID; the client answers from openhv_vcpu_cpuid. */
T_CASE(cpuid_guest_sees_the_model)
{
    if (h_on_kvm())
        T_SKIP("KVM handles CPUID itself: no exit on kvm (docs/compat.md)");
    h_set_reg(vm, HV_X86_RAX, 7);
    h_set_reg(vm, HV_X86_RCX, 0);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_CPUID);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_cpuid_insn"));
    uint32_t r[4];
    cpuid(vm, 7, 0, r);
    h_set_reg(vm, HV_X86_RAX, r[EAX]);
    h_set_reg(vm, HV_X86_RBX, r[EBX]);
    h_set_reg(vm, HV_X86_RCX, r[ECX]);
    h_set_reg(vm, HV_X86_RDX, r[EDX]);
    h_skip_instr(vm);
    for (unsigned i = 0; i < 4; i++)
        h_expect_report(vm, r[i]);
    h_expect_done(vm);
}

/* ---- FSGSBASE ---- */

static void need_fsgsbase(struct h_vm *vm)
{
    if (!has(vm, 7, 0, EBX, 0))
        T_SKIP("the processor has no FSGSBASE");
}

T_CASE(fsgsbase_ud_without_cr4)
{
    need_fsgsbase(vm);
    h_set_reg(vm, HV_X86_CR4, h_reg(vm, HV_X86_CR4) & ~(uint64_t)CR4_FSGSBASE);
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 1u << VEC_UD);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info & 0xff, VEC_UD);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_rdgsbase_insn"));
}

T_CASE(fsgsbase_values)
{
    need_fsgsbase(vm);
    set_cr4(vm, CR4_FSGSBASE);
    h_set_reg(vm, HV_X86_RAX, 0xffff888012345000ull);
    h_set_reg(vm, HV_X86_RBX, 0x00007f00deadbeefull);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_fsgs_exit"));
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_FS_BASE), 0xffff888012345000ull);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_GS_BASE), 0x00007f00deadbeefull);
    /* A base the client writes is what the guest reads next. */
    h_set_vmcs(vm, VMCS_GUEST_FS_BASE, 0x123456789000ull);
    h_skip_instr(vm);
    h_set_reg(vm, HV_X86_RDX, ~0ull);
    h_expect_done(vm);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX), 0x123456789000ull);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RDX), 0xdeadbeefull);   /* 32-bit read zero-extends */
}

T_CASE(fsgsbase_noncanonical_gp)
{
    need_fsgsbase(vm);
    set_cr4(vm, CR4_FSGSBASE);
    h_set_vmcs(vm, VMCS_GUEST_FS_BASE, 0x5000);
    h_set_reg(vm, HV_X86_RAX, 0x0000800000000000ull);
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 1u << VEC_GP);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info & 0xff, VEC_GP);
    T_ASSERT_EQ(e->intr_error, 0);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_wrfsbase_insn"));
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_FS_BASE), 0x5000);
}

static const struct t_case cases[] = {
    T_ENTRY(cpuid_features_execute, "cpuid64", GUEST_LONG64, "_start"),
    T_ENTRY(cpuid_xsave_sizes_match_xsave, "cpuid64", GUEST_LONG64, "_start"),
    T_ENTRY(cpuid_leaves_consistent, "cpuid64", GUEST_LONG64, "_start"),
    T_ENTRY(cpuid_guest_sees_the_model, "long64", GUEST_LONG64, "l_cpuid"),
    T_ENTRY(fsgsbase_ud_without_cr4, "cpuid64", GUEST_LONG64, "l_rdgsbase"),
    T_ENTRY(fsgsbase_values, "cpuid64", GUEST_LONG64, "l_fsgs"),
    T_ENTRY(fsgsbase_noncanonical_gp, "cpuid64", GUEST_LONG64, "l_wrfsbase"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
