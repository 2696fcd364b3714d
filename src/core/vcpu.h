/*
 * The backend-neutral model of a VM and its vCPUs.
 *
 * One `struct vmcs` per vCPU holds every client-visible VMCS field and every
 * register of hv_x86_reg_t.  It is the single storage of guest state: the VMCS
 * field table (vmcs_fields.h) and the register table (regs.c) point into it, and
 * the emulator executes directly on it, so the two views can never disagree.
 * Fields the framework owns (host state, EPTP, bitmaps) have no storage at all.
 */
#ifndef OPENHV_CORE_VCPU_H
#define OPENHV_CORE_VCPU_H

#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "memmap.h"
#include "msr.h"

/* x86 general-purpose register numbers, in instruction-encoding order. */
enum gpr_index {
    GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
    GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
    GPR_COUNT
};

/* Segment registers in VMCS-encoding order, which is also the instruction
 * encoding order of ES..GS. */
enum seg_index { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT };

/* Access rights in VMX format: type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13,
 * D/B 14, G 15, unusable 16. */
enum {
    AR_TYPE_MASK = 0xf, AR_S = 1u << 4, AR_DPL_SHIFT = 5, AR_P = 1u << 7,
    AR_AVL = 1u << 12, AR_L = 1u << 13, AR_DB = 1u << 14, AR_G = 1u << 15,
    AR_UNUSABLE = 1u << 16,
};

struct vmx_segment {
    uint64_t base;
    uint32_t limit;
    uint32_t ar;
    uint16_t sel;
};

struct vmcs_guest {
    uint64_t gpr[GPR_COUNT];          /* RSP is gpr[GPR_RSP] = VMCS_GUEST_RSP */
    uint64_t rip, rflags;
    struct vmx_segment seg[SEG_COUNT];
    uint64_t gdtr_base, idtr_base;
    uint32_t gdtr_limit, idtr_limit;
    uint64_t cr0, cr2, cr3, cr4;
    uint64_t dr[8];                   /* dr[7] = VMCS_GUEST_DR7 */
    uint64_t xcr0, tpr;               /* save-area registers of hv_x86_reg_t */
    uint64_t efer, pat, debugctl, perf_global_ctrl, bndcfgs, rtit_ctl, pkrs;
    uint64_t s_cet, ssp, intr_ssp_table;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t pdpte[4];
    uint64_t pending_dbg;             /* VMCS_GUEST_DEBUG_EXC */
    uint64_t link_pointer;
    uint32_t interruptibility;        /* GUEST_INTRBILITY_* */
    uint32_t activity;                /* 0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI */
    uint32_t smbase;
    uint32_t vmx_timer;
    uint16_t int_status, pml_index;
};

struct vmcs_ctrl {
    uint32_t pin, cpu, cpu2, entry, exit;
    uint32_t exc_bitmap, pf_mask, pf_match, cr3_count;
    uint32_t entry_irq_info, entry_exc_error, entry_instr_len;
    uint32_t tpr_threshold, ple_gap, ple_window;
    uint64_t cr0_mask, cr4_mask, cr0_shadow, cr4_shadow;
    uint64_t cr3_target[4];
    uint64_t tsc_offset;              /* read-only to clients */
    uint64_t tsc_multiplier;
    uint64_t apic_access;             /* read-only to clients */
    uint64_t xss_exiting_bitmap;
    uint16_t vpid;
};

/* The read-only exit-information fields, written by a backend at each exit. */
struct vmcs_exit {
    uint32_t instr_error;
    uint32_t reason;                  /* VMX_REASON_*, bit 31 for entry failure */
    uint32_t intr_info, intr_error;   /* VMCS_RO_VMEXIT_IRQ_INFO / _ERROR */
    uint32_t idt_info, idt_error;     /* VMCS_RO_IDT_VECTOR_INFO / _ERROR */
    uint32_t instr_len, instr_info;
    uint64_t qualification;
    uint64_t io_rcx, io_rsi, io_rdi, io_rip;
    uint64_t guest_linear, guest_physical;
};

struct vmcs {
    struct vmcs_guest guest;
    struct vmcs_ctrl ctl;
    struct vmcs_exit exit;
};

/* The XSAVE (standard format) area behind hv_vcpu_read/write_fpstate. */
#define HV_FPSTATE_SIZE 4096u

/* Counters shown by `hvrun --stats` and the benchmarks. */
struct vcpu_stats {
    uint64_t exits[128];              /* by VMX_REASON_*, low 7 bits */
    uint64_t runs;
    uint64_t instructions;            /* emulator only */
    uint64_t ns_on_engine[2];         /* [0] emu, [1] kvm */
    uint64_t blocks_decoded, block_lookups, translated_returns;  /* emulator only */
};

struct hv_vm;

struct hv_vcpu {
    struct hv_vm *vm;
    hv_vcpuid_t id;
    pthread_t owner;
    hv_vcpu_options_t options;
    hv_vm_space_t space;

    struct vmcs vmcs;
    struct msr_state msr;

    /* A kick is latched until the vCPU's next run consumes it (hvf-api.md 6.2). */
    atomic_bool kick;
    /* Set by hv_vcpu_invalidate_tlb; the backend drops cached guest
     * translations before it next executes guest code, and clears it. */
    atomic_bool tlb_flush_request;

    uint64_t exec_ns, idle_ns;        /* kept by the backend's vcpu_run */
    uint32_t vmx_status;              /* ZF/CF of the last failed entry */
    bool vmx_status_valid;

    struct vcpu_stats stats;          /* kept by the backend's vcpu_run */
    struct lapic *lapic;              /* HV_VM_ACCEL_APIC: its local APIC (src/irq) */
    /* The same, where the emulator runs it; NULL where the backend's kernel
     * holds the APIC registers (an emulated stretch on kvm then sees no
     * APIC: docs/compat.md). */
    struct lapic *emu_lapic;
    void *backend;                    /* backend-private state */
    void *backend_aux;                /* a second backend's state (kvm: its own; emu keeps `backend`) */

    alignas(64) uint8_t fpstate[HV_FPSTATE_SIZE];
};

/* Creation defaults (see vcpu.c): controls = allowed-0 words of `backend`,
 * a real-mode-like guest, a valid XSAVE area. */
struct hv_backend;
void vcpu_init_state(struct hv_vcpu *v, const struct hv_backend *backend);

#endif
