/* MSR exits and the native/managed MSR machinery (hvf-api.md 5.1, 5.2). */
#include "harness.h"

#include <string.h>

/* MSR indices no CPU implements; outside the MSR-bitmap ranges and inside. */
#define MSR_UNKNOWN_HIGH 0x4f70656eu
#define MSR_UNKNOWN_LOW  0x00000badu

/* The natively switchable MSRs of hvf-api.md 5.1 (TSC apart: it moves). */
struct msr_value { uint32_t index; uint64_t value; };
static const struct msr_value native_values[] = {
    { HV_MSR_IA32_STAR, 0x0023001012345678ull },
    { HV_MSR_IA32_LSTAR, 0xffff800000001000ull },
    { HV_MSR_IA32_CSTAR, 0x00007fff00002000ull },
    { HV_MSR_IA32_FMASK, 0x00047700ull },
    { HV_MSR_IA32_KERNEL_GS_BASE, 0xffff888812345000ull },
    { HV_MSR_IA32_TSC_AUX, 0x00000007ull },
    { HV_MSR_IA32_SYSENTER_CS, 0x00000010ull },
    { HV_MSR_IA32_SYSENTER_ESP, 0xffffc90000003000ull },
    { HV_MSR_IA32_SYSENTER_EIP, 0xffffffff81004000ull },
    { HV_MSR_IA32_FS_BASE, 0x00007f0012340000ull },
    { HV_MSR_IA32_GS_BASE, 0xffff880000005000ull },
};
#define N_NATIVE (sizeof native_values / sizeof native_values[0])

static const uint32_t native_list[] = {
    HV_MSR_IA32_STAR, HV_MSR_IA32_LSTAR, HV_MSR_IA32_CSTAR, HV_MSR_IA32_FMASK,
    HV_MSR_IA32_KERNEL_GS_BASE, HV_MSR_IA32_TSC, HV_MSR_IA32_TSC_AUX,
    HV_MSR_IA32_SYSENTER_CS, HV_MSR_IA32_SYSENTER_ESP, HV_MSR_IA32_SYSENTER_EIP,
    HV_MSR_IA32_FS_BASE, HV_MSR_IA32_GS_BASE,
};

static void enable_native_all(struct h_vm *vm)
{
    for (size_t i = 0; i < sizeof native_list / sizeof native_list[0]; i++)
        T_HV(hv_vcpu_enable_native_msr(vm->vcpu, native_list[i], true));
}

/* The guest's {index, low, high} table at GUEST_TABLE, 0-terminated. */
static void write_table(struct h_vm *vm, uint64_t xor)
{
    memset(h_mem(vm, GUEST_TABLE, 0x1000), 0, 0x1000);
    for (size_t i = 0; i < N_NATIVE; i++) {
        uint64_t v = native_values[i].value ^ xor;
        h_poke(vm, GUEST_TABLE + 16 * i, native_values[i].index, 4);
        h_poke(vm, GUEST_TABLE + 16 * i + 8, v, 8);
    }
}

/* Variant values that stay canonical and within each MSR's valid bits. */
static uint64_t host_value(size_t i)
{
    return native_values[i].value ^ 0x0101;
}

static void rdmsr_exit_case(struct h_vm *vm, const char *insn, uint32_t index)
{
    h_set_reg(vm, HV_X86_RCX, index);
    h_set_reg(vm, HV_X86_RAX, 0x11111111);
    h_set_reg(vm, HV_X86_RDX, 0x22222222);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_RDMSR);
    T_ASSERT_EQ(e->rip, h_sym(vm, insn));
    T_ASSERT_EQ(e->instr_len, 2);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX) & 0xffffffff, index);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX), 0x11111111);   /* RDMSR not executed */
    T_ASSERT_EQ(h_reg(vm, HV_X86_RDX), 0x22222222);
    h_set_reg(vm, HV_X86_RAX, 0xaaaa5555);
    h_set_reg(vm, HV_X86_RDX, 0x0000beef);
    h_skip_instr(vm);
    h_expect_report(vm, 0xaaaa5555);
    h_expect_report(vm, 0x0000beef);
    h_expect_done(vm);
}

static void wrmsr_exit_case(struct h_vm *vm, const char *insn, uint32_t index)
{
    h_set_reg(vm, HV_X86_RCX, index);
    h_set_reg(vm, HV_X86_RAX, 0xa5a5a5a5);
    h_set_reg(vm, HV_X86_RDX, 0x5a5a5a5a);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_WRMSR);
    T_ASSERT_EQ(e->rip, h_sym(vm, insn));
    T_ASSERT_EQ(e->instr_len, 2);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RCX) & 0xffffffff, index);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffffffff, 0xa5a5a5a5);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RDX) & 0xffffffff, 0x5a5a5a5a);
    h_skip_instr(vm);
    h_expect_done(vm);
}

T_CASE(prot32_rdmsr_unknown_high) { rdmsr_exit_case(vm, "p_rdmsr_insn", MSR_UNKNOWN_HIGH); }
T_CASE(prot32_rdmsr_unknown_low) { rdmsr_exit_case(vm, "p_rdmsr_insn", MSR_UNKNOWN_LOW); }
T_CASE(prot32_wrmsr_unknown) { wrmsr_exit_case(vm, "p_wrmsr_insn", MSR_UNKNOWN_HIGH); }
T_CASE(long_rdmsr_unknown_high) { rdmsr_exit_case(vm, "l_rdmsr_insn", MSR_UNKNOWN_HIGH); }
T_CASE(long_rdmsr_unknown_low) { rdmsr_exit_case(vm, "l_rdmsr_insn", MSR_UNKNOWN_LOW); }
T_CASE(long_wrmsr_unknown) { wrmsr_exit_case(vm, "l_wrmsr_insn", MSR_UNKNOWN_LOW); }
/* EFER is never native: the VMM sees the guest's accesses (hvf-api.md 5.1). */
T_CASE(long_rdmsr_efer_exits) { rdmsr_exit_case(vm, "l_rdmsr_insn", HV_MSR_IA32_EFER); }

T_CASE(native_msr_guest_writes)
{
    enable_native_all(vm);
    write_table(vm, 0);
    h_expect_done(vm);               /* no WRMSR exit on the way */
    for (size_t i = 0; i < N_NATIVE; i++) {
        uint64_t v = ~0ull;
        T_HV(hv_vcpu_read_msr(vm->vcpu, native_values[i].index, &v));
        T_EXPECT_EQ(v, native_values[i].value);
    }
    /* The MSRs that are also VMCS fields show the same value there. */
    T_EXPECT_EQ(h_vmcs(vm, VMCS_GUEST_FS_BASE), 0x00007f0012340000ull);
    T_EXPECT_EQ(h_vmcs(vm, VMCS_GUEST_GS_BASE), 0xffff880000005000ull);
    T_EXPECT_EQ(h_vmcs(vm, VMCS_GUEST_IA32_SYSENTER_CS), 0x10);
    T_EXPECT_EQ(h_vmcs(vm, VMCS_GUEST_SYSENTER_ESP), 0xffffc90000003000ull);
    T_EXPECT_EQ(h_vmcs(vm, VMCS_GUEST_SYSENTER_EIP), 0xffffffff81004000ull);
}

T_CASE(native_msr_host_writes)
{
    enable_native_all(vm);
    write_table(vm, 0);
    for (size_t i = 0; i < N_NATIVE; i++) {
        h_poke(vm, GUEST_TABLE + 16 * i + 8, 0, 8);
        T_HV(hv_vcpu_write_msr(vm->vcpu, native_values[i].index, host_value(i)));
    }
    h_expect_done(vm);               /* no RDMSR exit on the way */
    for (size_t i = 0; i < N_NATIVE; i++)
        T_EXPECT_EQ(h_peek(vm, GUEST_TABLE + 16 * i + 8, 8), host_value(i));
}

T_CASE(msr_not_native_exits)
{
    write_table(vm, 0);
    uint64_t insn = h_sym(vm, "l_msr_write_all_insn");
    for (size_t i = 0; i < N_NATIVE; i++) {
        const struct h_exit *e = h_run_expect(vm, VMX_REASON_WRMSR);
        T_ASSERT_EQ(e->rip, insn);
        T_ASSERT_EQ(h_reg(vm, HV_X86_RCX) & 0xffffffff, native_values[i].index);
        T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xffffffff, native_values[i].value & 0xffffffff);
        T_ASSERT_EQ(h_reg(vm, HV_X86_RDX) & 0xffffffff, native_values[i].value >> 32);
        h_skip_instr(vm);
    }
    h_expect_done(vm);
    h_goto(vm, "l_msr_read_all");
    insn = h_sym(vm, "l_msr_read_all_insn");
    for (size_t i = 0; i < N_NATIVE; i++) {
        const struct h_exit *e = h_run_expect(vm, VMX_REASON_RDMSR);
        T_ASSERT_EQ(e->rip, insn);
        T_ASSERT_EQ(h_reg(vm, HV_X86_RCX) & 0xffffffff, native_values[i].index);
        h_set_reg(vm, HV_X86_RAX, (uint32_t)i);
        h_set_reg(vm, HV_X86_RDX, 0);
        h_skip_instr(vm);
    }
    h_expect_done(vm);
    for (size_t i = 0; i < N_NATIVE; i++)
        T_EXPECT_EQ(h_peek(vm, GUEST_TABLE + 16 * i + 8, 8), i);
}

T_CASE(native_fs_base_noncanonical_gp)
{
    enable_native_all(vm);
    uint64_t before = ~0ull;
    T_HV(hv_vcpu_read_msr(vm->vcpu, HV_MSR_IA32_FS_BASE, &before));
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 1u << 13);
    h_set_reg(vm, HV_X86_RCX, HV_MSR_IA32_FS_BASE);
    h_set_reg(vm, HV_X86_RAX, 0);
    h_set_reg(vm, HV_X86_RDX, 0x00008000);     /* 0x0000800000000000: bit 47 set, 63:48 clear */
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info, IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 13);
    T_ASSERT_EQ(e->intr_error, 0);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_wrmsr_insn"));
    uint64_t after = ~0ull;
    T_HV(hv_vcpu_read_msr(vm->vcpu, HV_MSR_IA32_FS_BASE, &after));
    T_ASSERT_EQ(after, before);
}

T_CASE(managed_msr_read_only_access)
{
    hv_return_t r = hv_vcpu_enable_managed_msr(vm->vcpu, HV_MSR_IA32_TSC_AUX, true);
    if (r == HV_UNSUPPORTED)
        T_SKIP("TSC_AUX cannot be managed on this backend");
    T_HV(r);
    T_HV(hv_vcpu_set_msr_access(vm->vcpu, HV_MSR_IA32_TSC_AUX, HV_MSR_READ));
    T_HV(hv_vcpu_write_msr(vm->vcpu, HV_MSR_IA32_TSC_AUX, 0x42));
    /* Read: native, the value the host wrote. */
    h_set_reg(vm, HV_X86_RCX, HV_MSR_IA32_TSC_AUX);
    h_expect_report(vm, 0x42);
    h_expect_report(vm, 0);
    h_expect_done(vm);
    /* Write: exits. */
    h_goto(vm, "l_wrmsr");
    h_set_reg(vm, HV_X86_RCX, HV_MSR_IA32_TSC_AUX);
    h_set_reg(vm, HV_X86_RAX, 0x43);
    h_set_reg(vm, HV_X86_RDX, 0);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_WRMSR);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_wrmsr_insn"));
    h_skip_instr(vm);
    h_expect_done(vm);
    uint64_t v = 0;
    T_HV(hv_vcpu_read_msr(vm->vcpu, HV_MSR_IA32_TSC_AUX, &v));
    T_ASSERT_EQ(v, 0x42);
    /* Unbound: both directions exit. */
    T_HV(hv_vcpu_enable_managed_msr(vm->vcpu, HV_MSR_IA32_TSC_AUX, false));
    h_goto(vm, "l_rdmsr");
    h_set_reg(vm, HV_X86_RCX, HV_MSR_IA32_TSC_AUX);
    h_run_expect(vm, VMX_REASON_RDMSR);
    h_goto(vm, "l_wrmsr");
    h_set_reg(vm, HV_X86_RCX, HV_MSR_IA32_TSC_AUX);
    h_run_expect(vm, VMX_REASON_WRMSR);
}

/* Load {index, value} pairs into the guest's table at GUEST_TABLE. */
static void load_table(struct h_vm *vm, const struct msr_value *t, size_t n)
{
    memset(h_mem(vm, GUEST_TABLE, 0x1000), 0, 0x1000);
    for (size_t i = 0; i < n; i++) {
        h_poke(vm, GUEST_TABLE + 16 * i, t[i].index, 4);
        h_poke(vm, GUEST_TABLE + 16 * i + 8, t[i].value, 8);
    }
}

/* The values Apple's own test (native_msr_clobber) writes from the guest
 * after enabling the 12 MSRs natively: every write completes, FMASK with
 * all 64 bits (the SDM reserves none), and the vCPU keeps each value for
 * hv_vcpu_read_msr and for the guest's own RDMSR. */
static const struct msr_value apple_clobber[] = {
    { HV_MSR_IA32_STAR, 0x123456789abcdef0ull },
    { HV_MSR_IA32_LSTAR, 0x123456789abcull },
    { HV_MSR_IA32_CSTAR, 0x123456789abcull },
    { HV_MSR_IA32_FMASK, 0x123456789abcdef0ull },
    { HV_MSR_IA32_TSC_AUX, 0x123ull },
    { HV_MSR_IA32_SYSENTER_CS, 0xffffull },
    { HV_MSR_IA32_SYSENTER_ESP, 0x123456789abcull },
    { HV_MSR_IA32_SYSENTER_EIP, 0x123456789abcull },
    { HV_MSR_IA32_FS_BASE, 0x123456789abcull },
    { HV_MSR_IA32_GS_BASE, 0x123456789abcull },
    { HV_MSR_IA32_KERNEL_GS_BASE, 0x123456789abcull },
};
#define N_CLOBBER (sizeof apple_clobber / sizeof apple_clobber[0])

T_CASE(native_msr_apple_clobber)
{
    enable_native_all(vm);
    load_table(vm, apple_clobber, N_CLOBBER);
    h_expect_done(vm);               /* no #GP, no WRMSR exit */
    for (size_t i = 0; i < N_CLOBBER; i++) {
        uint64_t v = ~0ull;
        T_HV(hv_vcpu_read_msr(vm->vcpu, apple_clobber[i].index, &v));
        T_EXPECT_EQ(v, apple_clobber[i].value);
        h_poke(vm, GUEST_TABLE + 16 * i + 8, 0, 8);
    }
    h_goto(vm, "l_msr_read_all");
    h_expect_done(vm);
    for (size_t i = 0; i < N_CLOBBER; i++)
        T_EXPECT_EQ(h_peek(vm, GUEST_TABLE + 16 * i + 8, 8), apple_clobber[i].value);
}

/* Values Intel hardware refuses with #GP(0): TSC_AUX bits 63:32 are
 * reserved; the address MSRs need 48-bit canonical addresses.  The value
 * stays, and hv_vcpu_write_msr refuses the same values. */
static const struct msr_value reserved_values[] = {
    { HV_MSR_IA32_TSC_AUX, 0x0000000100000123ull },
    { HV_MSR_IA32_LSTAR, 0x0000800000000000ull },
    { HV_MSR_IA32_CSTAR, 0x8000000000000000ull },
    { HV_MSR_IA32_KERNEL_GS_BASE, 0x123456789abcdef0ull },
    { HV_MSR_IA32_SYSENTER_ESP, 0x0000800000000000ull },
    { HV_MSR_IA32_SYSENTER_EIP, 0xfff0000000000000ull },
    { HV_MSR_IA32_GS_BASE, 0x0001000000000000ull },
};

T_CASE(native_msr_reserved_gp)
{
    enable_native_all(vm);
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, 1u << 13);
    for (size_t i = 0; i < sizeof reserved_values / sizeof reserved_values[0]; i++) {
        const struct msr_value *r = &reserved_values[i];
        uint64_t before = ~0ull, after = ~0ull;
        T_HV(hv_vcpu_read_msr(vm->vcpu, r->index, &before));
        h_goto(vm, "l_wrmsr");
        h_set_reg(vm, HV_X86_RCX, r->index);
        h_set_reg(vm, HV_X86_RAX, r->value & 0xffffffff);
        h_set_reg(vm, HV_X86_RDX, r->value >> 32);
        const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
        T_ASSERT_EQ(e->intr_info, IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 13);
        T_ASSERT_EQ(e->intr_error, 0);
        T_ASSERT_EQ(e->rip, h_sym(vm, "l_wrmsr_insn"));
        T_HV(hv_vcpu_read_msr(vm->vcpu, r->index, &after));
        T_ASSERT_EQ(after, before);
        T_ASSERT_EQ(hv_vcpu_write_msr(vm->vcpu, r->index, r->value), HV_BAD_ARGUMENT);
    }
}

/* SYSENTER_CS has no reserved bits to fault on, but its VMCS field has 32
 * bits: a wider write keeps bits 31:0, as an Intel VM exit leaves it. */
T_CASE(native_sysenter_cs_keeps_32_bits)
{
    if (h_on_kvm())
        T_SKIP("the width of SYSENTER_CS is the host CPU's under KVM (docs/compat.md 8.6)");
    enable_native_all(vm);
    h_set_reg(vm, HV_X86_RCX, HV_MSR_IA32_SYSENTER_CS);
    h_set_reg(vm, HV_X86_RAX, 0x00010010);
    h_set_reg(vm, HV_X86_RDX, 0xdead);
    h_expect_done(vm);
    uint64_t v = 0;
    T_HV(hv_vcpu_read_msr(vm->vcpu, HV_MSR_IA32_SYSENTER_CS, &v));
    T_ASSERT_EQ(v, 0x00010010);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_IA32_SYSENTER_CS), 0x00010010);
    h_goto(vm, "l_rdmsr");
    h_set_reg(vm, HV_X86_RCX, HV_MSR_IA32_SYSENTER_CS);
    h_expect_report(vm, 0x00010010);
    h_expect_report(vm, 0);
    h_expect_done(vm);
}

static const struct t_case cases[] = {
    T_ENTRY(prot32_rdmsr_unknown_high, "prot32", GUEST_PROT32, "p_rdmsr"),
    T_ENTRY(prot32_rdmsr_unknown_low, "prot32", GUEST_PROT32, "p_rdmsr"),
    T_ENTRY(prot32_wrmsr_unknown, "prot32", GUEST_PROT32, "p_wrmsr"),
    T_ENTRY(long_rdmsr_unknown_high, "long64", GUEST_LONG64, "l_rdmsr"),
    T_ENTRY(long_rdmsr_unknown_low, "long64", GUEST_LONG64, "l_rdmsr"),
    T_ENTRY(long_wrmsr_unknown, "long64", GUEST_LONG64, "l_wrmsr"),
    T_ENTRY(long_rdmsr_efer_exits, "long64", GUEST_LONG64, "l_rdmsr"),
    T_ENTRY(native_msr_guest_writes, "long64", GUEST_LONG64, "l_msr_write_all"),
    T_ENTRY(native_msr_host_writes, "long64", GUEST_LONG64, "l_msr_read_all"),
    T_ENTRY(msr_not_native_exits, "long64", GUEST_LONG64, "l_msr_write_all"),
    T_ENTRY(native_fs_base_noncanonical_gp, "long64", GUEST_LONG64, "l_wrmsr"),
    T_ENTRY(native_msr_apple_clobber, "long64", GUEST_LONG64, "l_msr_write_all"),
    T_ENTRY(native_msr_reserved_gp, "long64", GUEST_LONG64, "l_wrmsr"),
    T_ENTRY(native_sysenter_cs_keeps_32_bits, "long64", GUEST_LONG64, "l_wrmsr"),
    T_ENTRY(managed_msr_read_only_access, "long64", GUEST_LONG64, "l_rdmsr"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
