/*
 * The system-instruction dispatcher (emu_sys) and the instructions that
 * are about control flow between guest and monitor: INT/INT3/INTO/INT1,
 * HLT, CLI/STI, PAUSE, CPUID, VMX instructions, caches, RDRAND/RDSEED,
 * XGETBV/XSETBV and the 0F AE group.
 */
#include <sched.h>
#include <sys/random.h>

#include "cpu_model.h"
#include "machine_internal.h"

/* VMX instructions other than VMCALL are #UD outside protected mode and
 * in compatibility mode; that check comes before the VM exit. */
static bool vmx_insn_ud(const struct emu_cpu *cpu)
{
    return cpu->mode == MODE_REAL || cpu->mode == MODE_V86 || cpu->mode == MODE_COMPAT;
}

static void require_cpl0(struct emu_cpu *cpu)
{
    if (cpu->cpl != 0)
        emu_raise(cpu, EXC_GP, true, 0);
}

static void soft_event(struct emu_cpu *cpu, const struct insn *in, unsigned type, unsigned vector)
{
    struct emu_event ev = { .valid = true, .vector = (uint8_t)vector, .type = (uint8_t)type,
                            .instr_len = in->len };
    except_raise_event(cpu, ev);
}

static void sys_cli_sti(struct emu_cpu *cpu, const struct insn *in)
{
    uint64_t f = emu_get_rflags(cpu);
    if (cpu->mode != MODE_REAL && cpu->cpl > RF_IOPL_OF(f)) {
        v86_cli_sti(cpu, in->opcode == 0xfb);
        return;
    }
    if (in->opcode == 0xfa) {
        f &= ~(uint64_t)RF_IF;
    } else {
        if (!(f & RF_IF))
            emu_vcpu_of(cpu)->shadow_next |= GUEST_INTRBILITY_STI_BLOCKING;
        f |= RF_IF;
    }
    emu_set_rflags(cpu, f);
}

static void sys_hlt(struct emu_cpu *cpu)
{
    require_cpl0(cpu);
    /* With the in-kernel APIC the library sleeps through HLT itself. */
    if ((cpu->vmcs->ctl.cpu & CPU_BASED_HLT) && !cpu->vcpu->emu_lapic)
        emu_exit_insn(cpu, VMX_REASON_HLT, 0);
    /* Without HLT exiting the vCPU enters the HLT activity state once the
     * instruction completes; the run loop then waits for a kick or the
     * deadline. */
    cpu->g->activity = 1;
}

static uint64_t random_u64(struct emu_cpu *cpu)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
        /* No entropy available: the vCPU's own xorshift. */
        uint64_t *x = &emu_vcpu_of(cpu)->rng_state;
        if (!*x)
            *x = 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)cpu;
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        v = *x;
    }
    return v;
}

static void set_arith_flags(struct emu_cpu *cpu, uint64_t set)
{
    uint64_t f = emu_get_rflags(cpu);
    f &= ~(uint64_t)(RF_CF | RF_PF | RF_AF | RF_ZF | RF_SF | RF_OF);
    emu_set_rflags(cpu, f | set);
}

/* RDRAND/RDSEED exiting: the instruction information names the
 * destination register (bits 6:3) and the operand size (bits 12:11: 0 for
 * 16, 1 for 32, 2 for 64 bits); the other bits are undefined and read 0. */
_Noreturn static void rand_exit(struct emu_cpu *cpu, const struct insn *in, uint32_t reason)
{
    vmexit_begin(cpu, reason, 0);
    struct vmcs_exit *x = &cpu->vmcs->exit;
    x->instr_len = in->len;
    uint32_t size = in->opsize == 2 ? 0 : in->opsize == 4 ? 1 : 2;
    x->instr_info = ((uint32_t)(in->rm & 15) << 3) | (size << 11);
    longjmp(cpu->abort, ABORT_EXIT);
}

static void sys_0fc7(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned reg = (in->modrm >> 3) & 7;
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    if (!in->has_mem) {
        if (reg == 7 && in->rep == REP_F3) {
            /* RDPID */
            uint64_t aux = 0;
            if (msr_read(cpu->vcpu, HV_MSR_IA32_TSC_AUX, &aux) != HV_SUCCESS)
                aux = 0;
            emu_reg_write(cpu, in, in->rm, cpu->mode == MODE_LONG ? 8 : 4, aux & 0xffffffff);
            return;
        }
        if ((reg != 6 && reg != 7) || in->rep)
            EMU_UD(cpu);
        bool seed = reg == 7;
        if (c->cpu2 & (seed ? CPU_BASED2_RDSEED : CPU_BASED2_RDRAND))
            rand_exit(cpu, in, seed ? VMX_REASON_RDSEED : VMX_REASON_RDRAND);
        emu_reg_write(cpu, in, in->rm, in->opsize, random_u64(cpu));
        set_arith_flags(cpu, RF_CF);
        return;
    }
    if (vmx_insn_ud(cpu))
        EMU_UD(cpu);
    if (reg == 6) {
        if (in->rep == REP_F3)
            emu_exit_insn(cpu, VMX_REASON_VMON, 0);
        emu_exit_insn(cpu, in->opsize_prefix ? VMX_REASON_VMCLEAR : VMX_REASON_VMPTRLD, 0);
    }
    if (reg == 7)
        emu_exit_insn(cpu, VMX_REASON_VMPTRST, 0);
    EMU_UD(cpu);
}

static void sys_xgetbv(struct emu_cpu *cpu)
{
    struct vmcs_guest *g = cpu->g;
    if (!(g->cr4 & CR4_OSXSAVE))
        EMU_UD(cpu);
    uint32_t idx = (uint32_t)g->gpr[GPR_RCX];
    uint64_t v;
    if (idx == 0 || idx == 1)
        v = g->xcr0;
    else
        emu_raise(cpu, EXC_GP, true, 0);
    g->gpr[GPR_RAX] = v & 0xffffffff;
    g->gpr[GPR_RDX] = v >> 32;
}

static void sys_0f01_reg(struct emu_cpu *cpu, const struct insn *in)
{
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    switch (in->modrm) {
    case 0xc1: emu_exit_insn(cpu, VMX_REASON_VMCALL, 0);
    case 0xc2:
    case 0xc3:
    case 0xc4:
        if (vmx_insn_ud(cpu))
            EMU_UD(cpu);
        emu_exit_insn(cpu, in->modrm == 0xc2 ? VMX_REASON_VMLAUNCH
                           : in->modrm == 0xc3 ? VMX_REASON_VMRESUME : VMX_REASON_VMOFF, 0);
    case 0xc8:
        /* Privilege faults have priority over the VM exit. */
        if (cpu->cpl != 0)
            EMU_UD(cpu);
        if (c->cpu & CPU_BASED_MONITOR)
            emu_exit_insn(cpu, VMX_REASON_MONITOR, 0);
        return;
    case 0xc9:
        if (cpu->cpl != 0)
            EMU_UD(cpu);
        if (c->cpu & CPU_BASED_MWAIT)
            emu_exit_insn(cpu, VMX_REASON_MWAIT, 0);
        return;
    case 0xca:
    case 0xcb: {
        if (!(cpu->g->cr4 & CR4_SMAP) || cpu->cpl != 0)
            EMU_UD(cpu);
        uint64_t f = emu_get_rflags(cpu);
        emu_set_rflags(cpu, in->modrm == 0xcb ? (f | RF_AC) : (f & ~(uint64_t)RF_AC));
        return;
    }
    case 0xd0: sys_xgetbv(cpu); return;
    /* RTM (cpu_model.h): no transaction is ever active, so XEND faults and
     * XTEST reports none (ZF = 1, the other arithmetic flags clear). */
    case 0xd5:
        if (!emu_has_rtm())
            EMU_UD(cpu);
        emu_raise(cpu, EXC_GP, true, 0);
    case 0xd6: {
        if (!emu_has_rtm())
            EMU_UD(cpu);
        uint64_t f = emu_get_rflags(cpu) & ~(uint64_t)(RF_CF | RF_PF | RF_AF | RF_SF | RF_OF);
        emu_set_rflags(cpu, f | RF_ZF);
        return;
    }
    case 0xd1:
        if (!(cpu->g->cr4 & CR4_OSXSAVE))
            EMU_UD(cpu);
        require_cpl0(cpu);
        emu_exit_insn(cpu, VMX_REASON_XSETBV, 0);
    case 0xf8: sys_swapgs(cpu, in); return;
    case 0xf9: sys_rdtsc(cpu, in, true); return;
    default: break;
    }
    unsigned reg = (in->modrm >> 3) & 7;
    if (reg == 4) {
        sys_smsw(cpu, in);
        return;
    }
    if (reg == 6) {
        sys_lmsw(cpu, in);
        return;
    }
    EMU_UD(cpu);
}

/* Whether this is the VM's only vCPU: then no other processor's code
 * writes need a serialising instruction of this one to be seen. */
static bool alone_in_vm(const struct emu_cpu *cpu)
{
    return __atomic_load_n(&cpu->vm->vcpu_count, __ATOMIC_RELAXED) == 1;
}

static void sys_0f01(struct emu_cpu *cpu, const struct insn *in)
{
    if (!in->has_mem) {
        sys_0f01_reg(cpu, in);
        return;
    }
    unsigned reg = (in->modrm >> 3) & 7;
    switch (reg) {
    case 0: case 1: case 2: case 3:
        sys_desc_table(cpu, in);
        return;
    case 4: sys_smsw(cpu, in); return;
    case 6: sys_lmsw(cpu, in); return;
    case 7: {
        require_cpl0(cpu);
        uint64_t off = emu_ea(cpu, in);
        int seg = emu_ea_seg(in);
        uint64_t lin = cpu->mode == MODE_LONG
                           ? off + ((seg == SEG_FS || seg == SEG_GS) ? cpu->g->seg[seg].base : 0)
                           : (cpu->g->seg[seg].base + off) & 0xffffffff;
        if (cpu->vmcs->ctl.cpu & CPU_BASED_INVLPG)
            emu_exit_insn(cpu, VMX_REASON_INVLPG, lin);
        mmu_tlb_flush_page(cpu->tlb, lin);
        /* A kernel invalidates user and kernel data pages far more often
         * than the pages of code it runs: the links stay unless they may
         * lead near lin.  INVLPG serialises, so with other vCPUs (whose
         * code writes it makes visible) it cuts them, as IRET does. */
        if (emu_blocks_code_near(cpu, lin) || !alone_in_vm(cpu))
            cpu->sys_insns++;
        return;
    }
    default: EMU_UD(cpu);
    }
}

/* 0F AE /7 (the engine handles /0-/6: FXSAVE ... XSAVEOPT, LFENCE, MFENCE). */
static void sys_0fae(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned reg = (in->modrm >> 3) & 7;
    if (!in->has_mem) {
        /* SFENCE: ordering is already total here. */
        if (reg >= 5 && !in->rep)
            return;
        EMU_UD(cpu);
    }
    /* CLFLUSH / CLFLUSHOPT (66) / CLWB (66 /6): touch nothing but must be
     * a valid address. */
    if (reg == 7 || (reg == 6 && in->opsize_prefix)) {
        (void)emu_read(cpu, emu_ea_seg(in), emu_ea(cpu, in), 1);
        return;
    }
    EMU_UD(cpu);
}

/* System instructions that a kernel runs thousands of times a second and
 * that change nothing a block link depends on (linear RIP to code: paging,
 * CS, the mode) and are not serialising: they leave the block engine's
 * links standing (block.c).  Port I/O belongs here too: whatever a device
 * model behind a VM exit writes into guest memory is seen because every
 * entry from the client flushes the TLB, which cuts the links.  IRET (a
 * kernel returns from every interrupt with it) serialises, but in a VM of
 * one vCPU there is no other processor whose code writes it could have to
 * make visible: the host's writes while the vCPU runs are bounded as
 * unserialised ones are (block.c, CHAIN_INSNS).  The hottest of all run
 * inside blocks (emu_sys_inline) and never come here. */
static bool keeps_block_links(const struct emu_cpu *cpu, const struct insn *in)
{
    switch (in->opcode) {
    case 0xcf:                          /* IRET */
        return alone_in_vm(cpu);
    case 0xfb:                          /* STI */
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
    case 0xec: case 0xed: case 0xee: case 0xef:
        return true;
    case 0x0f01:                        /* CLAC, STAC, XGETBV, SWAPGS, RDTSCP; INVLPG decides itself */
        return in->modrm == 0xca || in->modrm == 0xcb || in->modrm == 0xd0 ||
               in->modrm == 0xf8 || in->modrm == 0xf9 || (in->modrm < 0xc0 && ((in->modrm >> 3) & 7) == 7);
    default:
        return false;
    }
}

/* A guest that spins on PAUSE waits for another vCPU: for a lock that one
 * holds, for it to answer an IPI or set a flag.  With more vCPU threads
 * than host processors, that vCPU may be waiting for the very processor
 * this one spins on; every PAUSE_YIELD_EVERY PAUSEs it gets it (KVM's
 * pause-loop exiting does the same).  On a host with a processor to spare
 * the yield returns at once.  Alone in its VM, a vCPU waits for no other. */
#define PAUSE_YIELD_EVERY 64u

static void pause_spins(struct emu_cpu *cpu)
{
    if (++cpu->pauses % PAUSE_YIELD_EVERY == 0 && !alone_in_vm(cpu))
        sched_yield();
}

void emu_sys_inline(struct emu_cpu *cpu, const struct insn *in)
{
    switch (in->opcode) {
    case 0x8c: sys_seg_insn(cpu, in); return;
    case 0xfa: sys_cli_sti(cpu, in); return;
    case 0x90:                          /* PAUSE */
        if (cpu->vmcs->ctl.cpu & CPU_BASED_PAUSE)
            emu_exit_insn(cpu, VMX_REASON_PAUSE, 0);
        pause_spins(cpu);
        return;
    case 0x0f31: sys_rdtsc(cpu, in, false); return;
    default: EMU_UD(cpu);
    }
}

void emu_sys(struct emu_cpu *cpu, const struct insn *in)
{
    const struct vmcs_ctrl *c = &cpu->vmcs->ctl;
    if (!keeps_block_links(cpu, in))
        cpu->sys_insns++;
    switch (in->opcode) {
    case 0x06: case 0x07: case 0x0e: case 0x16: case 0x17: case 0x1e: case 0x1f:
    case 0x0fa0: case 0x0fa1: case 0x0fa8: case 0x0fa9:
    case 0x8e: case 0xc4: case 0xc5:
    case 0x0fb2: case 0x0fb4: case 0x0fb5:
        sys_seg_insn(cpu, in);
        return;
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
    case 0xec: case 0xed: case 0xee: case 0xef:
        sys_io(cpu, in);
        return;
    case 0xcc: soft_event(cpu, in, EV_SW_EXC, EXC_BP); return;
    case 0xcd:
        if (cpu->mode == MODE_V86 && v86_int_n(cpu, (unsigned)in->imm & 0xff))
            return;
        soft_event(cpu, in, EV_SW_INT, (unsigned)in->imm & 0xff);
        return;
    case 0xce:
        if (emu_get_rflags(cpu) & RF_OF)
            soft_event(cpu, in, EV_SW_EXC, EXC_OF);
        return;
    case 0xf1: soft_event(cpu, in, EV_PRIV_SW_EXC, EXC_DB); return;
    case 0xcf: sys_iret(cpu, in); return;
    case 0xf4: sys_hlt(cpu); return;
    case 0xfb: sys_cli_sti(cpu, in); return;
    case 0x9a: case 0xea: case 0xca: case 0xcb: case 0xff:
        sys_far(cpu, in);
        return;
    case 0x0f00: sys_desc_0f00(cpu, in); return;
    case 0x0f01: sys_0f01(cpu, in); return;
    case 0x0f02: case 0x0f03: sys_lar_lsl(cpu, in); return;
    case 0x0f05: sys_syscall(cpu, in); return;
    case 0x0f06: sys_clts(cpu, in); return;
    case 0x0f07: sys_sysret(cpu, in); return;
    case 0x0f08:
        require_cpl0(cpu);
        emu_exit_insn(cpu, VMX_REASON_INVD, 0);
    case 0x0f09:
        require_cpl0(cpu);
        if (c->cpu2 & CPU_BASED2_WBINVD)
            emu_exit_insn(cpu, VMX_REASON_WBINVD, 0);
        return;
    case 0x0f0b: EMU_UD(cpu);
    case 0x0f20: case 0x0f22: sys_cr(cpu, in); return;
    case 0x0f21: case 0x0f23: sys_dr(cpu, in); return;
    case 0x0f30: case 0x0f32: sys_msr(cpu, in); return;
    case 0x0f33:
        if (cpu->cpl != 0 && !(cpu->g->cr4 & CR4_PCE))
            emu_raise(cpu, EXC_GP, true, 0);
        if (c->cpu & CPU_BASED_RDPMC)
            emu_exit_insn(cpu, VMX_REASON_RDPMC, 0);
        emu_raise(cpu, EXC_GP, true, 0);
    case 0x0f34: sys_sysenter(cpu, in); return;
    case 0x0f35: sys_sysexit(cpu, in); return;
    case 0x0fa2: emu_exit_insn(cpu, VMX_REASON_CPUID, 0);
    case 0x0f37: emu_exit_insn(cpu, VMX_REASON_GETSEC, 0);
    case 0x0f78: case 0x0f79:
        if (vmx_insn_ud(cpu))
            EMU_UD(cpu);
        emu_exit_insn(cpu, in->opcode == 0x0f78 ? VMX_REASON_VMREAD : VMX_REASON_VMWRITE, 0);
    case 0x0fae: sys_0fae(cpu, in); return;
    case 0x0fc7: sys_0fc7(cpu, in); return;
    case OPC_0F38 | 0x80: case OPC_0F38 | 0x81: case OPC_0F38 | 0x82:
        if (!in->opsize_prefix || vmx_insn_ud(cpu) || !in->has_mem)
            EMU_UD(cpu);
        if (in->opcode == (OPC_0F38 | 0x80))
            emu_exit_insn(cpu, VMX_REASON_EPT_INVEPT, 0);
        if (in->opcode == (OPC_0F38 | 0x81))
            emu_exit_insn(cpu, VMX_REASON_INVVPID, 0);
        if (c->cpu2 & CPU_BASED2_INVPCID)
            emu_exit_insn(cpu, VMX_REASON_INVPCID, 0);
        EMU_UD(cpu);
    default:
        EMU_UD(cpu);
    }
}
