/*
 * The in-kernel interrupt controllers of a VM created with HV_VM_ACCEL_APIC:
 * a local APIC per vCPU (lapic.c), one IOAPIC (ioapic.c), the 8259 pair
 * (pic.c), and the wiring between them: MSI and IPI routing (route.c).
 *
 * One mutex per VM (`irq_chip.lock`) guards every controller: interrupts
 * arrive from any thread (hv_vm_lapic_set_intr, IPIs, the IOAPIC), while a
 * vCPU only reads one atomic word per instruction boundary (`lapic.ready`)
 * and takes the lock when that says an interrupt waits.  Timer state is
 * touched by the owning vCPU's thread alone.
 *
 * Used by src/api/apic.c (the public functions) and by the emulator's glue
 * (src/emu/irq_glue.c); nothing else needs it.
 */
#ifndef OPENHV_IRQ_H
#define OPENHV_IRQ_H

#include <Hypervisor/hv.h>
#include <Hypervisor/hv_intr.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define IRQ_MAX_VCPUS 64
#define IOAPIC_PINS 32
#define IOAPIC_GPA 0xfec00000ull
#define LAPIC_DEFAULT_BASE 0xfee00000ull
#define APIC_VERSION 0x00060014u          /* version 0x14, 7 LVT entries (CMCI too) */
#define APIC_BUS_FREQ_DEFAULT 1000000000ull   /* 1 GHz: one tick per ns */

/* IA32_APIC_BASE bits. */
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_ADDR_MASK 0x7ffffff000ull    /* 39-bit guest-physical space */

/* LVT slots, in the order of hv_apic_state.lvt[] (docs/compat.md). */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_CMCI, LVT_COUNT };

/* Delivery modes (ICR, LVT, IOAPIC, MSI bits 10:8). */
enum { DM_FIXED = 0, DM_LOWEST = 1, DM_SMI = 2, DM_NMI = 4, DM_INIT = 5, DM_SIPI = 6, DM_EXTINT = 7 };

/* What the last run (or apic_write) leaves for hv_vcpu_exit_info. */
struct lapic_exit {
    hv_vm_exitinfo_t kind;          /* HV_VM_EXITINFO_VMX when nothing special */
    bool targets[IRQ_MAX_VCPUS];    /* INIT_AP / STARTUP_AP */
    uint64_t ap_rip;                /* STARTUP_AP */
    uint8_t vector;                 /* IOAPIC_EOI */
};

struct irq_chip;

struct lapic {
    struct irq_chip *chip;
    hv_vcpuid_t id;

    /* Under chip->lock. */
    uint64_t base;                  /* IA32_APIC_BASE */
    uint64_t controls;              /* hv_apic_ctrl_t */
    uint32_t apic_id, ldr, dfr, svr, tpr, apr, esr, esr_pending;
    uint32_t isr[8], tmr[8], irr[8], aeoi[8];
    uint32_t lvt[LVT_COUNT];
    uint32_t icr[2];
    enum hv_boot_state boot_state;
    atomic_uint nmi_pending;
    bool extint_pending;            /* hv_vcpu_inject_extint */
    /* Owning thread: a guest write that wants the client (INIT/SIPI, an
     * IOAPIC EOI under HV_APIC_CTRL_IOAPIC_EOI, timer registers under
     * HV_APIC_CTRL_NO_TIMER) is taken as a trap-like exit after the
     * instruction; `exit` is what hv_vcpu_exit_info reports. */
    bool exit_pending;
    uint32_t exit_reason;
    uint64_t exit_qual;
    struct lapic_exit exit;
    uint32_t tpr_mirror;            /* TPR last copied to/from the VMCS TPR register */
    /* Something may be deliverable: an NMI, an ExtINT, or an IRR vector above
     * PPR.  Read without the lock at every instruction boundary. */
    atomic_bool ready;
    /* Wakes the vCPU from a HLT sleep (the emulator's condition variable). */
    void (*wake)(void *ctx);
    void *wake_ctx;

    /* Timer: the owning thread only. */
    uint32_t icr_timer, dcr_timer;
    uint64_t timer_deadline_ns;     /* next expiry (one-shot / periodic); 0 = none */
    uint64_t tsc_deadline;          /* IA32_TSC_DEADLINE (guest TSC) */
    unsigned poll;                  /* instruction count between timer polls */
};

struct ioapic {
    uint64_t rtbl[IOAPIC_PINS];
    uint32_t irr;                   /* pin levels (asserted) */
    uint32_t id, ioregsel;
};

struct pic {
    struct hv_atpic_state s;
};

struct hv_vcpu;

/*
 * A backend whose kernel holds the local APICs (KVM's split irqchip): the
 * IOAPIC and the 8259 pair stay here, interrupt messages go to the kernel,
 * and each vCPU's `struct lapic` keeps only what the API reports about its
 * exits (`exit`, `controls`, the ExtINT latch).  Called with chip->lock
 * held, except the per-vCPU calls, which take it themselves when needed.
 */
struct irq_kernel {
    /* One interrupt message: destination already resolved (no shorthand). */
    void (*deliver)(struct irq_chip *chip, uint32_t dest, bool logical, unsigned mode, uint8_t vector,
                    bool level);
    void (*pic_changed)(struct irq_chip *chip);     /* the 8259's INTR output may have changed */
    void (*ioapic_changed)(struct irq_chip *chip);  /* a redirection entry changed */
    /* The owning thread's vCPU; false: bad offset or value, or the kernel refused. */
    bool (*get_state)(struct hv_vcpu *v, struct hv_apic_state *s);
    bool (*put_state)(struct hv_vcpu *v, const struct hv_apic_state *s);
    /* The vCPU's APIC as the guest reads it (ID, version). */
    uint32_t (*apic_id)(struct irq_chip *chip, hv_vcpuid_t id);
    hv_return_t (*set_bus_freq)(struct irq_chip *chip, uint64_t freq);
};

struct irq_chip {
    pthread_mutex_t lock;
    const struct irq_kernel *kernel;    /* NULL: every controller is here (the emulator) */
    void *kernel_ctx;
    uint64_t bus_freq;
    struct lapic *lapic[IRQ_MAX_VCPUS];
    struct ioapic ioapic;
    struct pic pic[2];              /* [0] primary (0x20), [1] secondary (0xa0) */
    uint8_t pic_pins;               /* ISA IRQ lines 0-7 held high */
    uint16_t pic_levels;            /* lines 0-15 held high (edge detection) */
};

/* ---- chip / routing (route.c) ---------------------------------------- */

struct irq_chip *irq_chip_create(void);
void irq_chip_destroy(struct irq_chip *chip);
struct lapic *irq_lapic_create(struct irq_chip *chip, hv_vcpuid_t id);
void irq_lapic_destroy(struct lapic *l);

/* Deliver an interrupt message to the APICs its destination names
 * (lock held).  `self` is the sender for the shorthand; NULL otherwise. */
void irq_deliver(struct irq_chip *chip, struct lapic *self, unsigned shorthand, uint32_t dest,
                 bool logical, unsigned mode, uint8_t vector, bool level, struct lapic_exit *ex);
/* An MSI (address 0xfeeXXXXX, data) under the lock; false if the address is
 * not an MSI address. */
bool irq_msi(struct irq_chip *chip, uint64_t addr, uint64_t data);
/* Recompute whether the PIC's INTR output reaches a vCPU (lock held). */
void irq_pic_output_changed(struct irq_chip *chip);

/* ---- local APIC (lapic.c) -------------------------------------------- */

void lapic_reset(struct lapic *l);
/* Set a vector in IRR (lock held); aeoi: edge with automatic EOI. */
void lapic_set_irr(struct lapic *l, uint8_t vector, bool level, bool aeoi);
void lapic_update_ready(struct lapic *l);
/* Whether the 8259's INTR reaches this APIC as an ExtINT (lock held). */
bool lapic_pic_reaches(const struct lapic *l);
bool lapic_enabled(const struct lapic *l);       /* hardware and software enabled */
bool lapic_x2apic(const struct lapic *l);
/* Register access by APIC-page offset (lock held).  A read of an offset
 * without a register fails.  lapic_write returns false for a bad offset
 * or value; *side is set when the write wants an exit to the client. */
bool lapic_read(struct lapic *l, uint32_t off, uint32_t *val);
bool lapic_write(struct lapic *l, uint32_t off, uint32_t val, bool *side);
/* ICR write in x2APIC form (64 bits at once); true when the IPI wants an
 * exit to the client (INIT/SIPI: l->exit). */
bool lapic_write_icr(struct lapic *l, uint64_t icr);
/* IA32_APIC_BASE write; false for an invalid transition (guest: #GP). */
bool lapic_set_base(struct lapic *l, uint64_t value);
/* The highest deliverable vector: accepts it (IRR -> ISR) and returns it, or
 * -1 if none.  ExtINT and NMI are separate (irq_glue.c asks the PIC). */
int lapic_accept(struct lapic *l);
void lapic_eoi(struct lapic *l, bool *side);
uint32_t lapic_ppr(const struct lapic *l);
void lapic_set_tpr(struct lapic *l, uint32_t tpr);
/* Timer (owning thread, lock held for the IRR part). */
void lapic_timer_poll(struct lapic *l, uint64_t now_ns, uint64_t guest_tsc);
uint64_t lapic_timer_next_ns(const struct lapic *l, uint64_t now_ns, uint64_t guest_tsc);
void lapic_set_tsc_deadline(struct lapic *l, uint64_t value);
void lapic_trigger_lvt(struct lapic *l, unsigned slot);
void lapic_get_state(struct lapic *l, struct hv_apic_state *s, uint64_t now_ns);
bool lapic_put_state(struct lapic *l, const struct hv_apic_state *s, uint64_t now_ns);

/* ---- IOAPIC (ioapic.c) ----------------------------------------------- */

void ioapic_reset(struct ioapic *io);
bool ioapic_set_pin(struct irq_chip *chip, int pin, bool level);   /* false: bad pin */
void ioapic_pulse(struct irq_chip *chip, int pin);
uint32_t ioapic_mmio_read(struct irq_chip *chip, uint64_t off);
void ioapic_mmio_write(struct irq_chip *chip, uint64_t off, uint32_t val);
/* An EOI of `vector` from a local APIC: clear remote IRR, re-deliver. */
void ioapic_eoi(struct irq_chip *chip, uint8_t vector);
/* Deliver one redirection-table-format message (hv_vm_send_ioapic_intr). */
void ioapic_send(struct irq_chip *chip, uint64_t rte);
bool ioapic_put_state(struct ioapic *io, const struct hv_ioapic_state *s);

/* ---- 8259 pair (pic.c) ------------------------------------------------ */

void pic_reset(struct irq_chip *chip);
bool pic_set_irq(struct irq_chip *chip, int irq, bool level);      /* false: bad irq */
bool pic_port_read(struct irq_chip *chip, int port, uint8_t *val); /* false: not a PIC port */
bool pic_port_write(struct irq_chip *chip, int port, uint8_t val);
bool pic_output(const struct irq_chip *chip);
/* INTA cycle: the vector of the highest pending request (spurious 7/15 if none). */
uint8_t pic_intack(struct irq_chip *chip);
bool pic_put_state(struct irq_chip *chip, int which, const struct hv_atpic_state *s);

#endif
