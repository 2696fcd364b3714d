/*
 * The machine half of the emulator: shared between mmu.c, seg.c, except.c,
 * the sys_*.c files, vmexit.c and run.c.  Not seen by the engine.
 */
#ifndef OPENHV_EMU_MACHINE_INTERNAL_H
#define OPENHV_EMU_MACHINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu_model.h"
#include "emu.h"

/* Architectural constants the machine uses in more than one file. */
enum {
    CR0_PE = 1u << 0, CR0_MP = 1u << 1, CR0_EM = 1u << 2, CR0_TS = 1u << 3,
    CR0_ET = 1u << 4, CR0_NE = 1u << 5, CR0_WP = 1u << 16, CR0_AM = 1u << 18,
    CR0_NW = 1u << 29, CR0_CD = 1u << 30, CR0_PG = 1u << 31,
};
enum {
    CR4_VME = 1u << 0, CR4_PVI = 1u << 1, CR4_TSD = 1u << 2, CR4_DE = 1u << 3,
    CR4_PSE = 1u << 4, CR4_PAE = 1u << 5, CR4_MCE = 1u << 6, CR4_PGE = 1u << 7,
    CR4_PCE = 1u << 8, CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10,
    CR4_UMIP = 1u << 11, CR4_LA57 = 1u << 12, CR4_VMXE = 1u << 13,
    CR4_SMXE = 1u << 14, CR4_FSGSBASE = 1u << 16, CR4_PCIDE = 1u << 17,
    CR4_OSXSAVE = 1u << 18, CR4_SMEP = 1u << 20, CR4_SMAP = 1u << 21,
    CR4_PKE = 1u << 22,
};
enum { EFER_SCE = 1u << 0, EFER_LME = 1u << 8, EFER_LMA = 1u << 10, EFER_NXE = 1u << 11 };
enum {
    RF_CF = 1u << 0, RF_FIXED1 = 1u << 1, RF_PF = 1u << 2, RF_AF = 1u << 4, RF_ZF = 1u << 6,
    RF_SF = 1u << 7, RF_TF = 1u << 8, RF_IF = 1u << 9, RF_DF = 1u << 10, RF_OF = 1u << 11,
    RF_IOPL = 3u << 12, RF_NT = 1u << 14, RF_RF = 1u << 16, RF_VM = 1u << 17,
    RF_AC = 1u << 18, RF_VIF = 1u << 19, RF_VIP = 1u << 20, RF_ID = 1u << 21,
};
#define RF_IOPL_OF(f) (((f) >> 12) & 3u)

/* Exception vectors. */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13,
    EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19, EXC_VE = 20, EXC_CP = 21,
};

/* Event types of the VMX interruption-information format (bits 10:8). */
enum {
    EV_EXT_INT = 0, EV_NMI = 2, EV_HW_EXC = 3, EV_SW_INT = 4, EV_PRIV_SW_EXC = 5, EV_SW_EXC = 6,
};

/* EMU_MAXPHYADDR (cpu_model.h): bits above it are reserved in page-table
 * entries; equal to the 39-bit guest-physical limit. */
#define EMU_PA_MASK ((1ull << EMU_MAXPHYADDR) - 1)

/* How cpu->abort is taken. */
enum { ABORT_NONE = 0, ABORT_EVENT = 1, ABORT_EXIT = 2 };

struct emu_event {
    bool valid;
    uint8_t vector;
    uint8_t type;             /* EV_* */
    bool has_error;
    uint32_t error;
    uint8_t instr_len;        /* types 4-6: return address = RIP + instr_len */
    bool set_cr2;             /* a #PF the guest raised: CR2 is written on delivery */
    uint64_t cr2;             /* ...or is the exit qualification */
    uint64_t dr6;             /* #DB: the DR6 bits to report */
};

/* Per-vCPU machine state; `cpu` must stay first (container_of by cast). */
struct emu_vcpu {
    struct emu_cpu cpu;

    struct emu_event pending;     /* raised, waiting for delivery */
    struct emu_event delivering;  /* being delivered now (vectoring info) */
    uint32_t shadow_next;         /* GUEST_INTRBILITY_* bits for after this instruction */
    bool mtf_pending;             /* an instruction or event delivery just completed */

    uint64_t deadline_ns;
    uint32_t poll_count;          /* run-loop turns and block instructions since the last poll */
    bool timer_due;               /* the poll asks the in-kernel APIC to look at its timer */
    bool mem_locked;
    uint64_t rng_state;           /* RDRAND fallback when getrandom fails */

    /* In-kernel controllers (irq_glue.c): an access to a device page goes
     * through mmio_buf; a write is passed on once the bytes are there. */
    uint8_t mmio_buf[32];
    uint64_t mmio_gpa;
    bool mmio_write, mmio_hit;

    /* HLT sleep; vcpu_kick signals it. */
    pthread_mutex_t sleep_lock;
    pthread_cond_t sleep_cond;
};

static inline struct emu_vcpu *emu_vcpu_of(struct emu_cpu *cpu)
{
    return (struct emu_vcpu *)cpu;
}

/* ---- mmu.c ---------------------------------------------------------- */

/* Implicit supervisor accesses (descriptor tables, IDT, TSS) ignore CPL. */
#define ACC_SUPERVISOR 0x10u

struct emu_tlb *mmu_tlb_create(void);
void mmu_tlb_destroy(struct emu_tlb *tlb);
void mmu_tlb_flush(struct emu_tlb *tlb);
void mmu_tlb_flush_page(struct emu_tlb *tlb, uint64_t lin);

/* Translate a linear address to guest-physical; faults abort. `kind` is an
 * acc_kind, optionally | ACC_SUPERVISOR. */
uint64_t mmu_translate(struct emu_cpu *cpu, uint64_t lin, unsigned kind);
/* Host pointer for [lin, lin+size) within one page; faults abort. */
uint8_t *mmu_host(struct emu_cpu *cpu, uint64_t lin, unsigned size, unsigned kind);
/* Linear accesses that may cross pages; nothing is written unless every
 * page translates. */
void mmu_lin_read(struct emu_cpu *cpu, uint64_t lin, void *buf, unsigned size, unsigned kind);
void mmu_lin_write(struct emu_cpu *cpu, uint64_t lin, const void *buf, unsigned size, unsigned kind);
uint64_t mmu_lin_read_u(struct emu_cpu *cpu, uint64_t lin, unsigned size, unsigned kind);
void mmu_lin_write_u(struct emu_cpu *cpu, uint64_t lin, unsigned size, uint64_t val, unsigned kind);
/* PAE paging outside long mode: load the four PDPTEs from CR3 (false if
 * one has reserved bits set: the caller raises #GP). */
bool mmu_load_pdptes(struct emu_cpu *cpu);
/* Host pointer of a guest-physical page range, NULL if unmapped or the
 * mapping lacks `prot` (HV_MEMORY_*); no exit. */
uint8_t *mmu_gpa_host(struct emu_cpu *cpu, uint64_t gpa, unsigned size, uint32_t prot);
/* Whether linear addresses are 32 bits wide (outside long mode). */
uint64_t mmu_lin_mask(const struct emu_cpu *cpu);

/* ---- cpuid.c -------------------------------------------------------- */

/* The emulated processor's CPUID leaf for this vCPU (cpu_model.h). */
hv_return_t emu_vcpu_cpuid(struct hv_vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

/* ---- seg.c ---------------------------------------------------------- */

/* Linear address of seg:off for an access of `size` bytes and kind
 * ACC_READ/WRITE/FETCH/RMW, after limit/type/canonical checks. */
uint64_t seg_linear(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size, unsigned kind);

/* Descriptor (8 bytes; 16 for system descriptors in long mode) of a
 * selector; faults with `vector`((sel & 0xfffc) | ext) on limit violations
 * (ext: the EXT bit of an event being delivered). */
bool seg_read_descriptor(struct emu_cpu *cpu, uint16_t sel, uint64_t desc[2], bool wide, unsigned vector,
                         uint32_t ext);
/* VMX access rights, base and limit from a legacy descriptor. */
void seg_from_descriptor(struct vmx_segment *s, uint16_t sel, const uint64_t desc[2], bool wide);
/* Set the accessed bit of a code/data descriptor in memory. */
void seg_set_accessed(struct emu_cpu *cpu, uint16_t sel, uint64_t desc);

/* MOV/POP/LxS to a data segment register or SS, with every check of the
 * mode; sets MOV-SS blocking for SS. */
void seg_load(struct emu_cpu *cpu, int seg, uint16_t sel);
/* Load CS for a far transfer to `sel` (code segment) at privilege `cpl`;
 * checks done by the caller through seg_check_code. */
void seg_check_code(struct emu_cpu *cpu, uint16_t sel, uint64_t desc[2], bool is_return, unsigned *new_cpl);
void seg_set_real(struct emu_cpu *cpu, int seg, uint16_t sel);

/* ---- except.c ------------------------------------------------------- */

/* Raise an event (used by emu_raise and INT n): goes through the double
 * fault rules and the exception bitmap, then aborts. */
_Noreturn void except_raise_event(struct emu_cpu *cpu, struct emu_event ev);
/* Deliver an event through the guest IDT now (vcpu between instructions). */
void except_deliver(struct emu_cpu *cpu, const struct emu_event *ev);
uint32_t except_info(const struct emu_event *ev);

/* Most items a stack frame of except_push_frame can have (a call gate's
 * 31 parameters plus SS, ESP, CS, EIP). */
#define EXCEPT_FRAME_MAX 40
/* Write `n` items of `width` bytes below ss_base + sp (items[0] at the
 * highest address), as an access at the new privilege level. */
void except_push_frame(struct emu_cpu *cpu, uint64_t ss_base, uint64_t sp, uint64_t sp_mask,
                       const uint64_t *items, unsigned n, unsigned width, bool supervisor);
/* The stack of an inner privilege level from the TSS: legacy SS:ESP with
 * every SS check (#TS, #SS), or the 64-bit RSPn. */
void except_inner_stack32(struct emu_cpu *cpu, unsigned new_cpl, uint32_t ext,
                          struct vmx_segment *new_ss, uint64_t *new_sp);
uint64_t except_inner_rsp64(struct emu_cpu *cpu, unsigned new_cpl, uint32_t ext);

/* ---- vmexit.c ------------------------------------------------------- */

/* Fill the common exit fields and abort with ABORT_EXIT. */
_Noreturn void vmexit_abort(struct emu_cpu *cpu, uint32_t reason, uint64_t qual, uint32_t instr_len);
void vmexit_begin(struct emu_cpu *cpu, uint32_t reason, uint64_t qual);
_Noreturn void vmexit_ept_violation(struct emu_cpu *cpu, uint64_t gpa, uint64_t lin, bool lin_valid,
                                    bool final, unsigned kind, uint32_t prot);
/* VMX instruction-information for the descriptor-table exits. */
uint32_t vmexit_instr_info_mem(const struct emu_cpu *cpu, const struct insn *in);

/* ---- irq_glue.c: the in-kernel interrupt controllers (HV_VM_ACCEL_APIC) */

/* At an instruction boundary, after the exits VMX checks there: pending
 * trap-like exits, the APIC timer, HLT sleep, interrupt delivery. */
void emu_irq_boundary(struct emu_vcpu *m);
/* A device page (local APIC, IOAPIC) at `gpa`: a buffer holding its
 * register, or NULL for ordinary memory.  Never cached in the TLB. */
uint8_t *emu_irq_mmio(struct emu_cpu *cpu, uint64_t gpa, unsigned size, unsigned kind);
/* The bytes of a device write are in mmio_buf: pass them on. */
void emu_irq_mmio_done(struct emu_cpu *cpu);
/* RDMSR/WRMSR of IA32_APIC_BASE, TSC_DEADLINE, x2APIC: true if handled. */
bool emu_irq_msr(struct emu_cpu *cpu, uint32_t msr, bool write);
uint64_t emu_irq_cr8_read(struct emu_cpu *cpu);
void emu_irq_cr8_write(struct emu_cpu *cpu, uint64_t val);

/* ---- sys_*.c -------------------------------------------------------- */

void sys_io(struct emu_cpu *cpu, const struct insn *in);
void sys_cr(struct emu_cpu *cpu, const struct insn *in);
void sys_dr(struct emu_cpu *cpu, const struct insn *in);
void sys_clts(struct emu_cpu *cpu, const struct insn *in);
void sys_lmsw(struct emu_cpu *cpu, const struct insn *in);
void sys_smsw(struct emu_cpu *cpu, const struct insn *in);
void sys_msr(struct emu_cpu *cpu, const struct insn *in);
void sys_rdtsc(struct emu_cpu *cpu, const struct insn *in, bool rdtscp);
void sys_syscall(struct emu_cpu *cpu, const struct insn *in);
void sys_sysret(struct emu_cpu *cpu, const struct insn *in);
void sys_sysenter(struct emu_cpu *cpu, const struct insn *in);
void sys_sysexit(struct emu_cpu *cpu, const struct insn *in);
void sys_swapgs(struct emu_cpu *cpu, const struct insn *in);
void sys_desc_0f00(struct emu_cpu *cpu, const struct insn *in);
void sys_desc_table(struct emu_cpu *cpu, const struct insn *in);
void sys_lar_lsl(struct emu_cpu *cpu, const struct insn *in);
void sys_seg_insn(struct emu_cpu *cpu, const struct insn *in);
void sys_far(struct emu_cpu *cpu, const struct insn *in);
void sys_iret(struct emu_cpu *cpu, const struct insn *in);

/* ---- sys_v86.c ------------------------------------------------------ */

/* IRETD at CPL 0 whose EFLAGS image has VM = 1: pops ESP, SS, ES, DS, FS,
 * GS too and enters virtual-8086 mode at CPL 3. */
void v86_iret_enter(struct emu_cpu *cpu, uint64_t eip, uint16_t cs, uint64_t eflags);
/* IRET inside virtual-8086 mode (IOPL 3, or the 16-bit form with VME). */
void v86_iret(struct emu_cpu *cpu, const struct insn *in);
/* Delivery from virtual-8086 mode: the gate's code segment must be a
 * non-conforming DPL-0 one; the frame starts with GS, FS, DS, ES (written
 * to items, count returned), which are nulled once the frame is pushed. */
bool v86_gate_target_ok(uint64_t code_desc);
unsigned v86_frame_prefix(const struct emu_cpu *cpu, uint64_t *items);
void v86_null_data_segments(struct emu_cpu *cpu);
/* INT n in virtual-8086 mode: true if VME redirected it to the 8086
 * handler (done); false if it goes through the IDT; #GP(0) if IOPL < 3
 * forbids both. */
bool v86_int_n(struct emu_cpu *cpu, unsigned vector);
/* CLI/STI with CPL > IOPL: VIF instead of IF under VME (virtual-8086 mode)
 * or PVI (CPL 3), else #GP(0). */
void v86_cli_sti(struct emu_cpu *cpu, bool sti);
/* The VM-entry checks of a guest with RFLAGS.VM = 1. */
bool v86_entry_ok(const struct vmcs_guest *g, bool ia32e);

/* CR4 bits a guest may set (the CR4 fixed-1 capability): the others are
 * reserved, #GP on MOV to CR4 and a failed VM entry. */
uint64_t cr4_allowed(void);

/* Write CR0/CR3/CR4 with every architectural check (no VMX exit logic). */
void cr_write_cr0(struct emu_cpu *cpu, uint64_t val);
void cr_write_cr4(struct emu_cpu *cpu, uint64_t val);
void cr_write_cr3(struct emu_cpu *cpu, uint64_t val);

#endif
