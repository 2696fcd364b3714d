/*
 * The KVM backend's internal interface.
 *
 * Model: struct vmcs stays the truth the API reads and writes.  KVM holds a
 * second copy of the guest state; k_* below remember, in KVM's own format,
 * what KVM holds, so that before each KVM_RUN the vmcs is converted and only
 * what differs is written back (a diff instead of dirty tracking: API calls
 * from other threads, such as hv_vm_sync_tsc, are picked up too).
 *
 * Exits KVM cannot give in VMX form (an I/O, MMIO or MSR access KVM has
 * already half-executed) are rewound to the state before the instruction
 * and the emulator then executes that instruction on the same vmcs, which
 * produces the exit exactly as VMX does (kvm_exit.c).  The same emulator
 * runs whole stretches when the vCPU's configuration asks for exits KVM
 * cannot produce (kvm_run.c).  The emulator keeps its state in v->backend,
 * this backend in v->backend_aux.
 */
#ifndef OPENHV_KVM_INTERNAL_H
#define OPENHV_KVM_INTERNAL_H

#include <linux/kvm.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "../core/vm.h"
#include "../emu/emu.h"

/* Architectural bits this backend folds or checks. */
#define K_CR0_PE (1ull << 0)
#define K_CR0_ET (1ull << 4)
#define K_CR0_NE (1ull << 5)
#define K_CR0_NW (1ull << 29)
#define K_CR0_CD (1ull << 30)
#define K_CR0_PG (1ull << 31)
#define K_CR4_PSE (1ull << 4)
#define K_CR4_PAE (1ull << 5)
#define K_CR4_VMXE (1ull << 13)
#define K_CR4_LA57 (1ull << 12)
#define K_EFER_LME (1ull << 8)
#define K_EFER_LMA (1ull << 10)
/* CR0 bits a host keeps apart from the guest's view (caches on, VMX's
 * fixed NE, the hard-wired ET); KVM does so itself. */
#define KVM_CR0_HOST_KEPT (K_CR0_CD | K_CR0_NW | K_CR0_NE | K_CR0_ET)
#define K_RFLAGS_TF (1ull << 8)
#define K_RFLAGS_IF (1ull << 9)
#define K_RFLAGS_DF (1ull << 10)
#define K_RFLAGS_RF (1ull << 16)
#define K_RFLAGS_VM (1ull << 17)

/* What KVM_GET/SET_MSRS carries for us (TSC goes through tsc_offset). */
#define KVM_SYNCED_MSRS(X)                                                       \
    X(HV_MSR_IA32_SYSENTER_CS) X(HV_MSR_IA32_SYSENTER_ESP)                      \
    X(HV_MSR_IA32_SYSENTER_EIP) X(HV_MSR_IA32_STAR) X(HV_MSR_IA32_LSTAR)        \
    X(HV_MSR_IA32_CSTAR) X(HV_MSR_IA32_FMASK) X(HV_MSR_IA32_KERNEL_GS_BASE)     \
    X(HV_MSR_IA32_TSC_AUX) X(0x277u /* IA32_PAT */)
#define KVM_COUNT_ONE(idx) +1
enum { KVM_SYNCED_MSR_COUNT = 0 KVM_SYNCED_MSRS(KVM_COUNT_ONE) };
extern const uint32_t kvm_synced_msrs[KVM_SYNCED_MSR_COUNT];

/* Where RIP stands after each userspace exit kind on this host; learned
 * once per process by a scratch VM (kvm_probe.c). */
struct kvm_quirks {
    bool probed;
    bool out_rip_past;         /* OUT, non-REP OUTS: RIP already after it */
    bool mmio_write_rip_past;  /* non-REP MMIO write: RIP already after it */
    bool hlt_rip_past;         /* HLT: RIP after it */
    bool outs_advanced;        /* (REP) OUTS: RSI/RCX already past the `count` elements sent */
    bool irq_window_exits;     /* request_interrupt_window gives KVM_EXIT_IRQ_WINDOW_OPEN */
    bool legacy_paging;        /* 32-bit and PAE paging guests run */
};

/* The lazily read parts of the guest state. */
enum { X_MSRS = 1, X_DREGS = 2, X_XCR = 4, X_XSAVE = 8, X_ALL = 15 };

struct kvm_slot {
    uint64_t gpa, size, hva;
    bool used;
};

struct kvm_vm {
    int sys_fd, vm_fd;
    int run_size;
    bool fallback;             /* OPENHV_BACKEND=auto: the emulator takes over where KVM cannot */
    bool exact;                /* OPENHV_KVM_EXACT: no configuration is served by KVM's own means */
    struct kvm_quirks quirks;
    struct kvm_cpuid2 *cpuid;
    struct kvm_slot *slots;    /* under vm->mem_lock (write) */
    unsigned slot_max;
    pthread_mutex_t filter_lock;
    bool filter_installed;     /* with filter_common, under filter_lock */
    uint32_t filter_common;    /* the natives of every vCPU it allows */
    /* Slots are deleted and re-created non-atomically, and the MSR filter
     * is replaced whole: no vCPU may be in KVM_RUN meanwhile.  A vCPU
     * announces itself in in_kvm and then checks the gate; a closer counts
     * itself in gate_closers, kicks every vCPU and waits until none is in
     * (kvm_gate_*, kvm_run.c).  A reader-writer lock would cost every
     * entry two atomic read-modify-writes on one shared line.  With the
     * counter, gate_lock guards the wait on gate_open. */
    atomic_uint gate_closers;
    pthread_mutex_t gate_lock;
    pthread_cond_t gate_open;
    /* Bits each exiting control word must have (capabilities never change). */
    uint32_t allowed0_cpu, allowed0_cpu2;
    bool tsc_is_clock;         /* the host keeps time with the TSC: run time may be counted in ticks */
    pthread_mutex_t registry_lock;
    struct kvm_vcpu *running[HV_MAX_VCPUS];  /* under registry_lock */
    /* KVM cannot destroy a vCPU: a destroyed one's fd waits here for the
     * next vCPU with the same id (under vm->lock, held by create/destroy). */
    struct {
        int fd;
        struct kvm_run *run;
    } parked[HV_MAX_VCPUS];
    /* HV_VM_ACCEL_APIC: each vCPU's APIC as KVM created it, for a parked
     * vCPU taken again (kvm_irq.c); NULL on other VMs. */
    struct kvm_lapic_state *fresh_lapic;
};

struct kvm_vcpu {
    int fd;
    struct kvm_run *run;
    pid_t tid;
    pthread_t thread;
    atomic_bool in_kvm;        /* inside the gate, around KVM_RUN (kicks signal only then) */
    timer_t timer;
    bool has_timer;
    /* Nanoseconds per host TSC tick, times 2^32; 0 where KVM does not tell
     * the TSC rate (run time then comes from clock_gettime). */
    uint64_t ns_per_tick_q32;

    /* What KVM holds, in its format.  k_valid false: KVM's regs, sregs and
     * events are unknown and are all written before the next entry. */
    bool k_valid;
    struct kvm_regs k_regs;
    struct kvm_sregs k_sregs;
    struct kvm_vcpu_events k_events;
    /* The vmcs's segments, descriptor tables, control registers, EFER and
     * interruptibility convert to exactly k_sregs and k_events: the next
     * entry need not convert and compare them (most exits change only
     * registers).  Cleared by whatever may write those fields. */
    bool sys_current;
    /* Stronger: those fields are what converting k_sregs gave, untouched
     * since; an exit that leaves KVM's sregs as they were need not convert
     * them again. */
    bool sys_from_kvm;

    /* MSRs, debug registers, XCR0 and the XSAVE area (X_* parts) are read
     * from KVM only when the API asks for them.  stale: KVM ran since, the
     * vmcs copy is old and is not written back.  Not in k_extras_valid:
     * written whole at the next entry. */
    unsigned stale, k_extras_valid;      /* X_* masks */
    uint64_t k_msr[KVM_SYNCED_MSR_COUNT];
    struct kvm_debugregs k_dregs;
    uint64_t k_xcr0;
    uint64_t k_tsc_offset;
    bool k_tsc_valid;
    alignas(64) uint8_t k_xsave[HV_FPSTATE_SIZE];

    /* The event KVM re-queued at the last exit, as IDT-vectoring info: the
     * client re-injecting it is a no-op (double-injection hazard). */
    uint32_t requeued_info, requeued_error;

    /* HV_VM_ACCEL_APIC: KVM's halt_wait_ns statistic, idle time's source
     * (kvm_irq.c); halt_ns_at < 0 where there is none. */
    int stats_fd;
    off_t halt_ns_at;
    uint64_t halt_ns_base;

    unsigned mem_holds;        /* kvm_mem_hold depth on this vCPU's thread */
    struct emu_decode_memo decoded;   /* the instructions exits keep stopping at */
    uint32_t native_sig;       /* this vCPU's native MSR set at the last filter build */
    bool msr_config_written;   /* an API write since the last filter check */
    uint8_t seen_native[MSR_TABLE_MAX], seen_access[MSR_TABLE_MAX];

    /* An IN, OUT, RDMSR, WRMSR or plain MMIO load or store KVM still
     * holds, to be completed with the client's answer at the next entry
     * (kvm_settle_pending). */
    struct kvm_pending {
        bool valid;
        uint64_t rip;
        uint8_t len, size;
        /* MMIO: the access is a MOV (`insn`) KVM can finish by itself.  A
         * load writes its `size`-byte value, sign-extended or not, to
         * register `load_reg` as the instruction encodes it (AH..BH
         * without REX), at the instruction's operand size. */
        bool mmio, load, load_sign;
        uint8_t load_reg;
        struct insn insn;
        bool other_write;      /* an API write beyond GPRs, RIP, RFLAGS since the exit */
    } pending;
};

/* immediate_exit is written by kicking threads and signal handlers too. */
static inline void kvm_set_immediate_exit(struct kvm_run *run, uint8_t value)
{
    __atomic_store_n(&run->immediate_exit, value, __ATOMIC_SEQ_CST);
}

static inline struct kvm_vm *kvm_vm_of(const struct hv_vm *vm) { return vm->backend_state; }
static inline struct kvm_vcpu *kvm_vcpu_of(const struct hv_vcpu *v) { return v->backend_aux; }

uint64_t kvm_now_ns(void);
bool kvm_exact_wanted(void);     /* OPENHV_KVM_EXACT is set (kvm.c) */

/* kvm_probe.c */
void kvm_probe_quirks(int sys_fd, struct kvm_quirks *q);

/* kvm_mem.c */
/* vm->mem_lock for reading, taken once however deeply nested: an exit's
 * translation holds it across its reads of guest memory and page tables,
 * which would each take it again.  Only on the vCPU's thread; never across
 * a KVM_RUN. */
void kvm_mem_hold(struct hv_vcpu *v);
void kvm_mem_release(struct hv_vcpu *v);
hv_return_t kvm_memory_changed(struct hv_vm *vm, hv_vm_space_t space, uint64_t gpa, uint64_t size);
/* Guest bytes at a linear address through KVM's translation and the memory
 * map; false when some byte is not readable RAM.  Takes the memory lock. */
bool kvm_read_linear(struct hv_vcpu *v, uint64_t linear, void *buf, unsigned size);
/* Whether KVM can deliver this VM-entry event (hardware kinds) without
 * touching memory that has no memslot. */
bool kvm_delivery_in_slots(struct hv_vcpu *v, uint32_t info);
/* Whether the guest's page walk for `linear` reads memory without a memslot. */
bool kvm_walk_slotless(struct hv_vcpu *v, uint64_t linear);
/* The guest-physical address of a linear one, or false. */
bool kvm_translate(struct hv_vcpu *v, uint64_t linear, uint64_t *gpa);

/* kvm_state.c */
void kvm_state_from_exit(struct hv_vcpu *v);   /* regs/sregs/events of run->s.regs -> vmcs */
void kvm_state_pull(struct hv_vcpu *v);        /* also MSRs, debug regs, XCR0, XSAVE */
void kvm_state_pull_reg(struct hv_vcpu *v, hv_x86_reg_t reg);
void kvm_state_pull_vmcs(struct hv_vcpu *v, uint32_t field);
void kvm_state_pull_msr(struct hv_vcpu *v, uint32_t msr);
void kvm_state_pull_fpstate(struct hv_vcpu *v);
void kvm_state_dirty(struct hv_vcpu *v, enum state_write what);
bool kvm_state_push(struct hv_vcpu *v);        /* vmcs -> KVM before an entry; false: rejected */
void kvm_regs_refresh(struct hv_vcpu *v);      /* re-read what KVM holds after an internal run */
/* The GPRs, RIP and RFLAGS KVM holds, in the vmcs's layout; false when
 * they are unknown. */
bool kvm_regs_held(struct hv_vcpu *v, struct vmcs_guest *held);

/* kvm_msr.c */
hv_return_t kvm_filter_install(struct hv_vm *vm);
void kvm_filter_check(struct hv_vcpu *v);      /* re-install when this vCPU's natives changed */
/* A KVM_EXIT_X86_RDMSR/WRMSR: true when resolved here (continue in KVM). */
bool kvm_msr_resolve(struct hv_vcpu *v);

/* kvm_run.c */
int kvm_kick_signal(void);                     /* the real-time signal kicks use */
/* Around every KVM_RUN: waits while the gate is closed. */
void kvm_gate_enter(struct kvm_vm *k, struct kvm_vcpu *kv);
void kvm_gate_leave(struct kvm_vcpu *kv);
/* Every vCPU out of KVM_RUN and held out until kvm_gate_open (slot and
 * filter changes); closers may nest and overlap. */
void kvm_gate_close(struct kvm_vm *k);
void kvm_gate_open(struct kvm_vm *k);
void kvm_vcpu_kick(struct hv_vcpu *v);
/* Out of KVM_RUN and back in, without an exit for the client. */
void kvm_kick_internal(struct kvm_vcpu *kv);
hv_return_t kvm_vcpu_run(struct hv_vcpu *v, uint64_t deadline_ns, bool report_handled);
/* kvm_state.c: queue the client's VM-entry event (hardware kinds). */
void kvm_inject_entry_event(struct hv_vcpu *v);
/* Make KVM forget the event it re-queued at the last exit: the emulator
 * takes over, and VMX delivers such an event only if the client injects
 * it again. */
void kvm_drop_held_event(struct hv_vcpu *v);

/* kvm_exit.c: the VMX exit for a KVM exit, or false to re-enter KVM. */
enum kvm_outcome { KO_REENTER, KO_EXIT, KO_EMULATE };
enum kvm_outcome kvm_translate_exit(struct hv_vcpu *v);
void kvm_set_exit(struct hv_vcpu *v, uint32_t reason, uint64_t qual, uint32_t instr_len);
/* Let KVM finish a pending userspace operation without running guest code. */
void kvm_complete_pending(struct hv_vcpu *v);
/* Before an entry: complete or cancel what the last exit left pending;
 * true when KVM_RUN is to complete it with the client's answer. */
bool kvm_settle_pending(struct hv_vcpu *v);
/* After kvm_state_push, when the completion is armed: hand KVM the RIP of
 * the pending instruction, from where its completion advances. */
void kvm_rewind_for_completion(struct hv_vcpu *v);
/* Which shadow, STI or MOV SS blocking, the guest is in when KVM reports
 * both (SVM has one bit for both; VMX never has both). */
uint32_t kvm_shadow_cause(struct hv_vcpu *v);
/* Whether the instruction at RIP cannot run under KVM because the page walk
 * of its fetch or of its memory operand reads memory without a memslot. */
bool kvm_first_insn_walk_slotless(struct hv_vcpu *v);

/* kvm_irq.c: HV_VM_ACCEL_APIC on KVM's split irqchip. */
bool kvm_irqchip_usable(int sys_fd, const char **why);
hv_return_t kvm_irq_vm_create(struct hv_vm *vm);
hv_return_t kvm_irq_vcpu_create(struct hv_vcpu *v, bool reused);
/* Before each KVM_RUN: true when an ExtINT waits for KVM's interrupt window. */
bool kvm_irq_before_entry(struct hv_vcpu *v);
enum kvm_outcome kvm_irq_eoi_exit(struct hv_vcpu *v);
bool kvm_irq_mmio(struct hv_vcpu *v);
void kvm_irq_idle_open(struct kvm_vcpu *kv);
uint64_t kvm_irq_halt_ns(const struct kvm_vcpu *kv);

#endif
