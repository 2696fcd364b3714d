/*
 * The one VM of the process, and the interface every execution backend
 * implements.  src/api validates arguments and threading rules, then calls
 * the backend through `struct hv_backend`; nothing in src/api knows which
 * backend runs.
 */
#ifndef OPENHV_CORE_VM_H
#define OPENHV_CORE_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memmap.h"
#include "vcpu.h"

#define HV_MAX_VCPUS 64
#define HV_MAX_SPACES 8          /* including HV_VM_SPACE_DEFAULT */

/* hv_vcpu_run deadline meaning "none"; same value as HV_DEADLINE_FOREVER. */
#define RUN_FOREVER UINT64_MAX

struct hv_vm;

/* What an API call wrote: a backend that keeps its own copy of the guest
 * state converts the rest only after a WRITE_ANY. */
enum state_write {
    WRITE_GPRS,     /* general-purpose registers, RIP, RFLAGS */
    WRITE_ANY,
};

struct hv_backend {
    const char *name;

    /* Whether this backend can run here; on failure *why says what to fix. */
    bool (*usable)(const char **why);
    /* Whether OPENHV_BACKEND=auto should take this usable backend here (KVM:
     * only where it runs guest code natively); *why says why.  May be NULL. */
    bool (*auto_ok)(const char **why);

    /* Whether HV_VM_ACCEL_APIC VMs can run here (*why: why not).  NULL:
     * the backend runs src/irq's controllers itself (the emulator). */
    bool (*irqchip_usable)(const char **why);

    hv_return_t (*vm_create)(struct hv_vm *vm);
    void (*vm_destroy)(struct hv_vm *vm);
    hv_return_t (*vcpu_create)(struct hv_vcpu *v);
    void (*vcpu_destroy)(struct hv_vcpu *v);

    /*
     * Run the guest from vcpu->vmcs until an exit the client must see; fill
     * vcpu->vmcs.exit and return HV_SUCCESS.  deadline_ns is CLOCK_MONOTONIC
     * nanoseconds or RUN_FOREVER; expiry is a VMX_REASON_VMX_TIMER_EXPIRED exit.
     * report_handled: hv_vcpu_run (true) also returns after exits the framework
     * handled itself; hv_vcpu_run_until (false) does not.  A latched kick
     * (vcpu->kick) makes it return VMX_REASON_IRQ without running.
     * Called on the owning thread, without the VM's mem_lock held.
     */
    hv_return_t (*vcpu_run)(struct hv_vcpu *v, uint64_t deadline_ns, bool report_handled);

    /* Any thread: vcpu->kick is already set; make a vCPU in the guest leave soon. */
    void (*vcpu_kick)(struct hv_vcpu *v);

    /* With mem_lock held for writing, after a space changed. May be NULL. */
    hv_return_t (*memory_changed)(struct hv_vm *vm, hv_vm_space_t space, uint64_t gpa, uint64_t size);

    /* For lazily synchronised backends: bring vcpu->vmcs up to date before
     * the API reads it, and note that the API wrote it.  NULL for emu.
     * The _reg/_vmcs/_msr/_fpstate variants, where set, replace state_pull
     * for one register, VMCS field, MSR or the XSAVE area (a backend that
     * keeps some state current at every exit then fetches nothing). */
    void (*state_pull)(struct hv_vcpu *v);
    void (*state_pull_reg)(struct hv_vcpu *v, hv_x86_reg_t reg);    /* only what `reg` needs */
    void (*state_pull_vmcs)(struct hv_vcpu *v, uint32_t field);     /* only what `field` needs */
    void (*state_pull_msr)(struct hv_vcpu *v, uint32_t msr);        /* only what `msr` needs */
    void (*state_pull_fpstate)(struct hv_vcpu *v);                  /* only the XSAVE area */
    void (*state_dirty)(struct hv_vcpu *v, enum state_write what);

    /* On the owning thread: the CPUID leaf `leaf`, `subleaf` of the processor
     * this backend runs the vCPU on, as the vCPU's state makes it now
     * (openhv_vcpu_cpuid).  NULL: HV_UNSUPPORTED. */
    hv_return_t (*vcpu_cpuid)(struct hv_vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

    /* Adjust a capability word to what this backend can honour. May be NULL. */
    void (*filter_capability)(hv_vmx_capability_t cap, uint64_t *value);

    /* On the owning thread, for hv_vcpu_invalidate_tlb, after the API set
     * vcpu->tlb_flush_request.  May be NULL (the flag alone suffices for a
     * backend that checks it before executing guest code). */
    void (*vcpu_invalidate_tlb)(struct hv_vcpu *v);
};

struct pio_notifier;            /* pio.h */
struct vm_allocation {          /* a region handed out by hv_vm_allocate */
    void *base;
    size_t size;
};

struct hv_vm {
    const struct hv_backend *backend;
    hv_vm_options_t options;

    pthread_mutex_t lock;                /* vcpus[], spaces' existence, notifiers */
    struct hv_vcpu *vcpus[HV_MAX_VCPUS];
    unsigned vcpu_count;                 /* changed under lock, with __atomic so that a
                                            running vCPU may read it (emu_sys) */

    pthread_rwlock_t mem_lock;           /* see memmap.h */
    atomic_uint mem_writers;             /* waiting for mem_lock or holding it for
                                            writing: running vCPUs let go only then */
    atomic_uint_fast64_t mem_gen;
    struct memmap space[HV_MAX_SPACES];
    bool space_used[HV_MAX_SPACES];

    void *backend_state;
    struct irq_chip *irq;                /* HV_VM_ACCEL_APIC: the controllers (src/irq) */

    /* Port-IO notifiers (pio.h), under pio_lock, which is taken last of all
     * locks (a vCPU takes it inside the memory read lock, during an OUT);
     * pio_count is read without it first so that OUTs with no notifier
     * cost nothing. */
    pthread_mutex_t pio_lock;
    struct pio_notifier *pio;
    atomic_size_t pio_count;
    size_t pio_capacity;

    /* hv_vm_allocate regions, under `lock`. */
    struct vm_allocation *allocations;
    size_t allocation_count, allocation_capacity;

    /* Why this backend runs, for openhv_backend_name(). */
    char backend_reason[320];
};

/* The VM of this process, or NULL.  The only global the API defines. */
extern struct hv_vm *hv_current_vm;

/* Backends, and the one chosen by OPENHV_BACKEND=auto|emu|kvm. */
extern const struct hv_backend hv_backend_emu;
extern const struct hv_backend hv_backend_kvm;
const struct hv_backend *hv_backend_select(hv_return_t *err, const char **why);

/* The chosen backend with a sentence saying why (OPENHV_BACKEND value or
 * auto-detection), or NULL with *err set and a message on stderr. */
const struct hv_backend *hv_backend_choose(hv_return_t *err, char *reason, size_t reason_size);

/* Memory-lock helpers for backends that execute guest code themselves. */
void vm_mem_read_lock(struct hv_vm *vm);
void vm_mem_read_unlock(struct hv_vm *vm);
/* Whether a writer waits: a vCPU that holds the lock for reading while it
 * runs lets go at its next poll point only then. */
bool vm_mem_writer_waiting(struct hv_vm *vm);
void vm_mem_write_lock(struct hv_vm *vm);
void vm_mem_write_unlock(struct hv_vm *vm);

#endif
