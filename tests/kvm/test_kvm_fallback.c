/* The kvm backend's engine switch.  Under OPENHV_BACKEND=kvm+emu (what auto
 * gives where KVM is native) a vCPU whose
 * configuration asks for an exit KVM cannot produce (here: #UD in the
 * exception bitmap) runs on the emulator, and returns to KVM when the
 * configuration no longer needs it; guest state (GPRs, native LSTAR, FS
 * base, EFER) crosses the switch both ways.  Under OPENHV_BACKEND=kvm the
 * same configuration makes hv_vcpu_run return HV_UNSUPPORTED.
 *
 * Which engine ran is observed through openhv_vcpu_stats: `instructions`
 * counts the guest instructions the emulator executed, so a 20 ms spin adds
 * millions on the emulator and (next to) none in KVM. */
#include "recipe_regs.h"

#include <stdlib.h>

#define GUEST "recipes64"

#define SPIN_NS 20000000ull
/* Instructions the emulator may execute for a KVM exit it completes (a
 * rewound I/O or MSR access), far below what it runs in SPIN_NS. */
#define FEW_INSTRUCTIONS 1000u
#define MANY_INSTRUCTIONS 10000u
#define COUNTER_GPA (GUEST_FREE + 0x7000)

static void require_kvm(void)
{
    if (!backend_is_kvm())
        T_SKIP("backend is %s, not kvm", openhv_backend_name());
}

/* Time the vCPU spent inside runs on each engine: [0] emulator, [1] KVM. */
static void engine_ns(struct h_vm *vm, uint64_t ns[2])
{
    struct openhv_vcpu_stats s;
    T_HV(openhv_vcpu_stats(vm->vcpu, &s));
    ns[0] = s.engine_ns[0];
    ns[1] = s.engine_ns[1];
}

static uint64_t emu_instructions(struct h_vm *vm)
{
    struct openhv_vcpu_stats s;
    T_HV(openhv_vcpu_stats(vm->vcpu, &s));
    return s.instructions;
}

/* Spin in g_count_store until the deadline; returns the instructions the
 * emulator executed meanwhile.  Registers other than RAX must survive. */
static uint64_t spin(struct h_vm *vm, const struct regs *r)
{
    h_goto(vm, "g_count_store");
    regs_write(vm, r);
    h_poke(vm, COUNTER_GPA, r->gpr[R_RAX], 8);
    uint64_t before = emu_instructions(vm);
    uint64_t deadline = h_now_ns() + SPIN_NS, reason;
    do {
        T_HV(hv_vcpu_run_until(vm->vcpu, deadline));
        reason = h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff;
    } while (reason == VMX_REASON_IRQ && h_now_ns() < deadline + 1000000000ull);
    T_ASSERT_EQ(reason, VMX_REASON_VMX_TIMER_EXPIRED);
    T_ASSERT(h_reg(vm, HV_X86_RAX) > r->gpr[R_RAX]);
    for (int i = 0; i < R_COUNT; i++)
        if (i != R_RAX)
            T_ASSERT_EQ(h_reg(vm, recipe_gpr[i].id), r->gpr[i]);
    return emu_instructions(vm) - before;
}

static uint64_t msr(struct h_vm *vm, uint32_t index)
{
    uint64_t v = 0;
    T_HV(hv_vcpu_read_msr(vm->vcpu, index, &v));
    return v;
}

/* The guest writes a native MSR: no exit. */
static void guest_wrmsr(struct h_vm *vm, uint32_t index, uint64_t value)
{
    h_goto(vm, "g_wrmsr");
    h_set_reg(vm, HV_X86_RCX, index);
    h_set_reg(vm, HV_X86_RAX, value & 0xffffffff);
    h_set_reg(vm, HV_X86_RDX, value >> 32);
    expect_done_after(vm, "g_wrmsr");
}

/* The guest reads a native MSR: no exit, EDX:EAX hold it. */
static uint64_t guest_rdmsr(struct h_vm *vm, uint32_t index)
{
    h_goto(vm, "g_rdmsr");
    h_set_reg(vm, HV_X86_RCX, index);
    expect_done_after(vm, "g_rdmsr");
    return (h_reg(vm, HV_X86_RDX) << 32) | (h_reg(vm, HV_X86_RAX) & 0xffffffff);
}

enum { VEC_UD = 6 };
#define LSTAR_1 0xffffffff81000000ull
#define LSTAR_2 0xffffffff82345000ull
#define FS_1    0x00007f1234560000ull

T_CASE(fallback_round_trip)
{
    require_kvm();
    T_HV(hv_vcpu_enable_native_msr(vm->vcpu, HV_MSR_IA32_LSTAR, true));
    T_HV(hv_vcpu_enable_native_msr(vm->vcpu, HV_MSR_IA32_FS_BASE, true));
    struct regs r;
    regs_seed(vm, &r);
    r.gpr[R_RAX] = 0;
    r.gpr[R_RBX] = COUNTER_GPA;

    /* 1. On KVM. */
    guest_wrmsr(vm, HV_MSR_IA32_LSTAR, LSTAR_1);
    T_ASSERT_EQ(msr(vm, HV_MSR_IA32_LSTAR), LSTAR_1);
    T_HV(hv_vcpu_write_msr(vm->vcpu, HV_MSR_IA32_FS_BASE, FS_1));
    uint64_t efer = h_vmcs(vm, VMCS_GUEST_IA32_EFER);
    uint64_t t0[2], t1[2], t2[2];
    engine_ns(vm, t0);
    uint64_t on_kvm = spin(vm, &r);
    engine_ns(vm, t1);
    /* Most of the spin was spent in KVM, next to nothing on the emulator. */
    T_ASSERT(t1[1] - t0[1] >= SPIN_NS / 2);
    T_ASSERT(t1[0] - t0[0] < SPIN_NS / 4);
    printf("  info: instructions on the emulator during a %llu ms KVM spin: %llu\n",
           SPIN_NS / 1000000, (unsigned long long)on_kvm);
    T_ASSERT(on_kvm < FEW_INSTRUCTIONS);

    /* 2. #UD intercepted: only the emulator can give this exit. */
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, h_vmcs(vm, VMCS_CTRL_EXC_BITMAP) | (1u << VEC_UD));
    h_goto(vm, "g_ud2");
    regs_write(vm, &r);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_EXC_NMI);
    T_ASSERT_EQ(e->intr_info, IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | VEC_UD);
    T_ASSERT_EQ(e->rip, h_sym(vm, "g_ud2"));
    regs_expect(vm, &r);
    T_ASSERT_EQ(msr(vm, HV_MSR_IA32_LSTAR), LSTAR_1);
    T_ASSERT_EQ(msr(vm, HV_MSR_IA32_FS_BASE), FS_1);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_FS_BASE), FS_1);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_IA32_EFER), efer);
    h_set_reg(vm, HV_X86_RIP, e->rip + insn_len(vm, "g_ud2"));
    expect_done_after(vm, "g_ud2");

    /* On the emulator: the guest sees KVM's values and changes one. */
    T_ASSERT_EQ(guest_rdmsr(vm, HV_MSR_IA32_FS_BASE), FS_1);
    T_ASSERT_EQ(guest_rdmsr(vm, HV_MSR_IA32_LSTAR), LSTAR_1);
    guest_wrmsr(vm, HV_MSR_IA32_LSTAR, LSTAR_2);
    T_ASSERT_EQ(msr(vm, HV_MSR_IA32_LSTAR), LSTAR_2);
    engine_ns(vm, t1);
    uint64_t on_emu = spin(vm, &r);
    engine_ns(vm, t2);
    T_ASSERT(t2[0] - t1[0] >= SPIN_NS / 2);
    T_ASSERT(t2[1] - t1[1] < SPIN_NS / 4);
    printf("  info: instructions on the emulator during a %llu ms fallback spin: %llu\n",
           SPIN_NS / 1000000, (unsigned long long)on_emu);
    T_ASSERT(on_emu > MANY_INSTRUCTIONS);

    /* 3. Bitmap cleared: back on KVM, with what the emulator left. */
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, h_vmcs(vm, VMCS_CTRL_EXC_BITMAP) & ~(uint64_t)(1u << VEC_UD));
    r.gpr[R_RAX] = h_reg(vm, HV_X86_RAX);
    uint64_t back = spin(vm, &r);
    printf("  info: instructions on the emulator during a %llu ms spin after the switch back: %llu\n",
           SPIN_NS / 1000000, (unsigned long long)back);
    T_ASSERT(back < FEW_INSTRUCTIONS);
    T_ASSERT_EQ(guest_rdmsr(vm, HV_MSR_IA32_LSTAR), LSTAR_2);
    T_ASSERT_EQ(guest_rdmsr(vm, HV_MSR_IA32_FS_BASE), FS_1);
    T_ASSERT_EQ(msr(vm, HV_MSR_IA32_LSTAR), LSTAR_2);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_GUEST_IA32_EFER), efer);
}

/* Under OPENHV_BACKEND=kvm the emulator may not help: the configuration is
 * refused at run time, and accepted again once it is gone. */
T_CASE(strict_kvm_refuses_exception_bitmap)
{
    require_kvm();
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, h_vmcs(vm, VMCS_CTRL_EXC_BITMAP) | (1u << VEC_UD));
    h_goto(vm, "g_ud2");
    T_ASSERT_EQ(hv_vcpu_run_until(vm->vcpu, h_now_ns() + 1000000000ull), HV_UNSUPPORTED);
    T_ASSERT_EQ(hv_vcpu_run(vm->vcpu), HV_UNSUPPORTED);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RIP), h_sym(vm, "g_ud2"));
    h_set_vmcs(vm, VMCS_CTRL_EXC_BITMAP, h_vmcs(vm, VMCS_CTRL_EXC_BITMAP) & ~(uint64_t)(1u << VEC_UD));
    h_goto(vm, "_start");
    h_expect_done(vm);
}

static const struct t_case auto_cases[] = {
    T_ENTRY(fallback_round_trip, GUEST, GUEST_LONG64, "_start"),
};
static const struct t_case strict_cases[] = {
    T_ENTRY(strict_kvm_refuses_exception_bitmap, GUEST, GUEST_LONG64, "_start"),
};

int main(void)
{
    /* The backend mode is read at hv_vm_create, in each case's process. */
    setenv("OPENHV_BACKEND", "kvm+emu", 1);
    int failed = t_run_cases(auto_cases, sizeof auto_cases / sizeof auto_cases[0]);
    setenv("OPENHV_BACKEND", "kvm", 1);
    failed |= t_run_cases(strict_cases, sizeof strict_cases / sizeof strict_cases[0]);
    return failed;
}
