/*
 * HV_VM_ACCEL_APIC on KVM: the split irqchip (docs/notes/irq.md).  The
 * local APICs are KVM's; the IOAPIC and the 8259 pair are src/irq's, which
 * reach the APICs through this file: interrupt messages as KVM_SIGNAL_MSI,
 * the 8259's INTR as KVM_INTERRUPT when the vCPU can take an ExtINT, and
 * the level-triggered redirection entries as GSI routes, which is how KVM
 * learns which EOIs to report (KVM_EXIT_IOAPIC_EOI).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../irq/irq.h"
#include "kvm_internal.h"

#ifndef KVM_CAP_X86_APIC_BUS_CYCLES_NS
#define KVM_CAP_X86_APIC_BUS_CYCLES_NS 237
#endif

#define MSR_APIC_BASE 0x1bu
#define MSR_TSC_DEADLINE 0x6e0u
#define MCG_CMCI_P (1ull << 10)

/* The routes cover every pin of the framework's IOAPIC. */
_Static_assert(IOAPIC_PINS <= 32, "one route per pin, reserved below 32");

static struct hv_vm *vm_of(struct irq_chip *chip) { return chip->kernel_ctx; }

static bool has_cap(int fd, long cap) { return ioctl(fd, KVM_CHECK_EXTENSION, cap) > 0; }

bool kvm_irqchip_usable(int sys_fd, const char **why)
{
    if (!has_cap(sys_fd, KVM_CAP_SPLIT_IRQCHIP)) {
        *why = "KVM lacks KVM_CAP_SPLIT_IRQCHIP";
        return false;
    }
    if (!has_cap(sys_fd, KVM_CAP_SIGNAL_MSI) || !has_cap(sys_fd, KVM_CAP_IRQ_ROUTING)) {
        *why = "KVM lacks KVM_CAP_SIGNAL_MSI or KVM_CAP_IRQ_ROUTING";
        return false;
    }
    if ((ioctl(sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_X2APIC_API) & KVM_X2APIC_API_USE_32BIT_IDS) == 0) {
        *why = "KVM lacks KVM_CAP_X2APIC_API";
        return false;
    }
    return true;
}

/* ---- messages ------------------------------------------------------------ */

/* The MSI form of a message (SDM 11.11); with KVM_X2APIC_API the
 * destination's bits 31:8 travel in address_hi. */
static void deliver(struct irq_chip *chip, uint32_t dest, bool logical, unsigned mode, uint8_t vector,
                    bool level)
{
    struct kvm_vm *k = kvm_vm_of(vm_of(chip));
    struct kvm_msi msi = {
        .address_lo = 0xfee00000u | ((dest & 0xffu) << 12) | (logical ? 1u << 2 : 0),
        .address_hi = dest & 0xffffff00u,
        .data = vector | (mode << 8) | (1u << 14) | (level ? 1u << 15 : 0),
    };
    ioctl(k->vm_fd, KVM_SIGNAL_MSI, &msi);
}

static uint32_t apic_id(struct irq_chip *chip, hv_vcpuid_t id)
{
    (void)chip;
    return id;      /* KVM's APIC ID is the vCPU id */
}

/* Each unmasked level-triggered pin as an MSI route: KVM reports the EOI of
 * its vector by the APICs it names. */
static void ioapic_changed(struct irq_chip *chip)
{
    struct kvm_vm *k = kvm_vm_of(vm_of(chip));
    struct {
        struct kvm_irq_routing head;
        struct kvm_irq_routing_entry e[IOAPIC_PINS];
    } r;
    memset(&r, 0, sizeof r);
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t rte = chip->ioapic.rtbl[pin];
        if (!(rte & (1ull << 15)) || (rte & (1ull << 16)))
            continue;
        uint32_t dest = (uint32_t)(rte >> 56);
        struct kvm_irq_routing_entry *e = &r.e[r.head.nr++];
        e->gsi = pin;
        e->type = KVM_IRQ_ROUTING_MSI;
        e->u.msi.address_lo = 0xfee00000u | (dest << 12) | ((rte & (1ull << 11)) ? 1u << 2 : 0);
        e->u.msi.data = (uint32_t)(rte & 0x7ff) | (1u << 14) | (1u << 15);
    }
    ioctl(k->vm_fd, KVM_SET_GSI_ROUTING, &r);
}

/* The 8259's output is taken by whichever vCPU KVM finds ready for an
 * ExtINT (kvm_irq_before_entry): each leaves KVM_RUN to look. */
static void pic_changed(struct irq_chip *chip)
{
    struct kvm_vm *k = kvm_vm_of(vm_of(chip));
    if (!pic_output(chip))
        return;
    pthread_mutex_lock(&k->registry_lock);
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
        if (k->running[i] != NULL)
            kvm_kick_internal(k->running[i]);
    pthread_mutex_unlock(&k->registry_lock);
}

static hv_return_t set_bus_freq(struct irq_chip *chip, uint64_t freq)
{
    struct kvm_vm *k = kvm_vm_of(vm_of(chip));
    if (freq == APIC_BUS_FREQ_DEFAULT)
        return HV_SUCCESS;          /* KVM's own default: 1 ns a cycle */
    /* Whole nanoseconds a cycle, rounded up: the timer never runs fast. */
    struct kvm_enable_cap cap = {
        .cap = KVM_CAP_X86_APIC_BUS_CYCLES_NS,
        .args = { (1000000000ull + freq - 1) / freq },
    };
    if (!has_cap(k->sys_fd, KVM_CAP_X86_APIC_BUS_CYCLES_NS))
        return HV_UNSUPPORTED;
    return ioctl(k->vm_fd, KVM_ENABLE_CAP, &cap) == 0 ? HV_SUCCESS : HV_ERROR;
}

/* ---- register state --------------------------------------------------------- */

/* Where KVM's register page keeps each field of hv_apic_state (the APIC
 * page layout, SDM table 11-1). */
#define PAGE_REG(page, off) (*(uint32_t *)(void *)&(page)->regs[off])
static const uint16_t lvt_offset[LVT_COUNT] = {
    [LVT_TIMER] = 0x320, [LVT_THERMAL] = 0x330, [LVT_PERF] = 0x340, [LVT_LINT0] = 0x350,
    [LVT_LINT1] = 0x360, [LVT_ERROR] = 0x370, [LVT_CMCI] = 0x2f0,
};

struct apic_msrs {
    struct kvm_msrs head;
    struct kvm_msr_entry e[2];
};

static bool msrs_io(struct kvm_vcpu *kv, unsigned long req, uint64_t *base, uint64_t *deadline)
{
    struct apic_msrs m = { .head.nmsrs = 2 };
    m.e[0] = (struct kvm_msr_entry){ .index = MSR_APIC_BASE, .data = *base };
    m.e[1] = (struct kvm_msr_entry){ .index = MSR_TSC_DEADLINE, .data = *deadline };
    if (ioctl(kv->fd, req, &m) != 2)
        return false;
    *base = m.e[0].data;
    *deadline = m.e[1].data;
    return true;
}

static bool get_state(struct hv_vcpu *v, struct hv_apic_state *s)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_lapic_state page;
    struct kvm_mp_state mp;
    uint64_t base = 0, deadline = 0;
    if (kv == NULL || ioctl(kv->fd, KVM_GET_LAPIC, &page) != 0 || ioctl(kv->fd, KVM_GET_MP_STATE, &mp) != 0 ||
        !msrs_io(kv, KVM_GET_MSRS, &base, &deadline))
        return false;
    memset(s, 0, sizeof *s);
    s->apic_gpa = base;
    s->apic_controls = v->lapic ? v->lapic->controls : 0;
    s->tsc_deadline = deadline;
    s->apic_id = PAGE_REG(&page, 0x20);
    s->ver = PAGE_REG(&page, 0x30);
    /* KVM's CR8 is HV_X86_TPR's class; a TPR the client wrote there since
     * the last exit is not in KVM's page yet. */
    uint32_t page_tpr = PAGE_REG(&page, 0x80), vmcs_tpr = (uint32_t)v->vmcs.guest.tpr & 0xff;
    s->tpr = ((page_tpr ^ vmcs_tpr) & 0xf0) ? vmcs_tpr : page_tpr;
    s->apr = PAGE_REG(&page, 0x90);
    s->ldr = PAGE_REG(&page, 0xd0);
    s->dfr = PAGE_REG(&page, 0xe0);
    s->svr = PAGE_REG(&page, 0xf0);
    for (unsigned i = 0; i < 8; i++) {
        s->isr[i] = PAGE_REG(&page, 0x100 + 0x10 * i);
        s->tmr[i] = PAGE_REG(&page, 0x180 + 0x10 * i);
        s->irr[i] = PAGE_REG(&page, 0x200 + 0x10 * i);
    }
    s->esr = PAGE_REG(&page, 0x280);
    for (unsigned i = 0; i < LVT_COUNT; i++)
        s->lvt[i] = PAGE_REG(&page, lvt_offset[i]);
    s->icr[0] = PAGE_REG(&page, 0x300);
    s->icr[1] = PAGE_REG(&page, 0x310);
    s->icr_timer = PAGE_REG(&page, 0x380);
    /* KVM stretches a periodic timer to its minimum period (200 us by
     * default), and counts down from that: never above the initial count. */
    s->ccr_timer = PAGE_REG(&page, 0x390);
    if (s->ccr_timer > s->icr_timer)
        s->ccr_timer = s->icr_timer;
    s->dcr_timer = PAGE_REG(&page, 0x3e0);
    /* KVM keeps an AP that got INIT waiting for its SIPI; every other state
     * runs when the client runs the vCPU. */
    s->boot_state = mp.mp_state == KVM_MP_STATE_INIT_RECEIVED ? HV_BS_SIPI : HV_BS_RUNNING;
    return true;
}

static bool put_state(struct hv_vcpu *v, const struct hv_apic_state *s)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_lapic_state page;
    if (kv == NULL || ioctl(kv->fd, KVM_GET_LAPIC, &page) != 0)
        return false;
    uint64_t base = s->apic_gpa, deadline = s->tsc_deadline;
    /* The base first: KVM reads the ID register in the mode it sets. */
    struct apic_msrs m = { .head.nmsrs = 1 };
    m.e[0] = (struct kvm_msr_entry){ .index = MSR_APIC_BASE, .data = base };
    if (ioctl(kv->fd, KVM_SET_MSRS, &m) != 1)
        return false;
    PAGE_REG(&page, 0x20) = s->apic_id;
    PAGE_REG(&page, 0x80) = s->tpr;
    PAGE_REG(&page, 0x90) = s->apr;
    PAGE_REG(&page, 0xd0) = s->ldr;
    PAGE_REG(&page, 0xe0) = s->dfr;
    PAGE_REG(&page, 0xf0) = s->svr;
    for (unsigned i = 0; i < 8; i++) {
        PAGE_REG(&page, 0x100 + 0x10 * i) = s->isr[i];
        PAGE_REG(&page, 0x180 + 0x10 * i) = s->tmr[i];
        PAGE_REG(&page, 0x200 + 0x10 * i) = s->irr[i];
    }
    PAGE_REG(&page, 0x280) = s->esr;
    for (unsigned i = 0; i < LVT_COUNT; i++)
        PAGE_REG(&page, lvt_offset[i]) = s->lvt[i];
    PAGE_REG(&page, 0x300) = s->icr[0];
    PAGE_REG(&page, 0x310) = s->icr[1];
    PAGE_REG(&page, 0x380) = s->icr_timer;
    /* KVM restarts the timer from the current count. */
    PAGE_REG(&page, 0x390) = s->ccr_timer;
    PAGE_REG(&page, 0x3e0) = s->dcr_timer;
    struct kvm_mp_state mp = {
        .mp_state = s->boot_state == HV_BS_SIPI ? KVM_MP_STATE_INIT_RECEIVED : KVM_MP_STATE_RUNNABLE,
    };
    if (ioctl(kv->fd, KVM_SET_LAPIC, &page) != 0 || ioctl(kv->fd, KVM_SET_MP_STATE, &mp) != 0 ||
        !msrs_io(kv, KVM_SET_MSRS, &base, &deadline))
        return false;
    /* What KVM now holds: the next entry must not write older values back
     * through the special registers. */
    kv->k_sregs.apic_base = s->apic_gpa;
    kv->k_sregs.cr8 = (s->tpr >> 4) & 0xf;
    v->vmcs.guest.tpr = s->tpr;
    return true;
}

static const struct irq_kernel kvm_irq_kernel = {
    .deliver = deliver,
    .pic_changed = pic_changed,
    .ioapic_changed = ioapic_changed,
    .get_state = get_state,
    .put_state = put_state,
    .apic_id = apic_id,
    .set_bus_freq = set_bus_freq,
};

/* ---- the VM and its vCPUs ---------------------------------------------------- */

hv_return_t kvm_irq_vm_create(struct hv_vm *vm)
{
    struct kvm_vm *k = kvm_vm_of(vm);
    const char *why;
    if (!kvm_irqchip_usable(k->sys_fd, &why))
        return HV_UNSUPPORTED;
    struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { IOAPIC_PINS } };
    struct kvm_enable_cap x2 = {
        .cap = KVM_CAP_X2APIC_API,
        .args = { KVM_X2APIC_API_USE_32BIT_IDS | KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK },
    };
    if (ioctl(k->vm_fd, KVM_ENABLE_CAP, &split) != 0 || ioctl(k->vm_fd, KVM_ENABLE_CAP, &x2) != 0)
        return HV_UNSUPPORTED;
    /* KVM emulates the TSC-deadline timer and x2APIC whatever the host
     * has, but a guest only finds them where its CPUID says so. */
    for (unsigned i = 0; i < k->cpuid->nent; i++) {
        struct kvm_cpuid_entry2 *e = &k->cpuid->entries[i];
        if (e->function == 1) {
            e->ecx |= 1u << 21;
            if (has_cap(k->sys_fd, KVM_CAP_TSC_DEADLINE_TIMER))
                e->ecx |= 1u << 24;
        }
    }
    vm->irq->kernel = &kvm_irq_kernel;
    vm->irq->kernel_ctx = vm;
    return HV_SUCCESS;
}

/* A new vCPU, or a parked one taken again: it runs when its client runs
 * it (no wait for INIT/SIPI, as the framework has it), and its APIC is at
 * reset, with the machine-check LVT the framework's APIC has (CMCI). */
hv_return_t kvm_irq_vcpu_create(struct hv_vcpu *v, bool reused)
{
    struct kvm_vm *k = kvm_vm_of(v->vm);
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    if (!reused) {
        uint64_t mcg = 0;
        if (ioctl(k->sys_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &mcg) == 0 && (mcg & MCG_CMCI_P)) {
            mcg = (mcg & ~0xffull & ~(0xffull << 16)) | 1;   /* one bank */
            ioctl(kv->fd, KVM_X86_SETUP_MCE, &mcg);
        }
        /* KVM wires the BSP's LINT0 for ExtINT at reset, as a BIOS would;
         * the framework's APIC comes out of reset with every LVT masked. */
        struct kvm_lapic_state *fresh = &k->fresh_lapic[v->id];
        if (ioctl(kv->fd, KVM_GET_LAPIC, fresh) != 0)
            return HV_NO_RESOURCES;
        PAGE_REG(fresh, lvt_offset[LVT_LINT0]) = 1u << 16;
        if (ioctl(kv->fd, KVM_SET_LAPIC, fresh) != 0)
            return HV_NO_RESOURCES;
    } else {
        uint64_t base = LAPIC_DEFAULT_BASE | (1ull << 11) | (v->id == 0 ? 1ull << 8 : 0), deadline = 0;
        struct apic_msrs m = { .head.nmsrs = 1 };
        m.e[0] = (struct kvm_msr_entry){ .index = MSR_APIC_BASE, .data = 0 };
        /* Disabling first resets the APIC whatever its mode was. */
        if (ioctl(kv->fd, KVM_SET_MSRS, &m) != 1 || !msrs_io(kv, KVM_SET_MSRS, &base, &deadline) ||
            ioctl(kv->fd, KVM_SET_LAPIC, &k->fresh_lapic[v->id]) != 0)
            return HV_NO_RESOURCES;
    }
    kvm_irq_idle_open(kv);
    struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
    return ioctl(kv->fd, KVM_SET_MP_STATE, &mp) == 0 ? HV_SUCCESS : HV_NO_RESOURCES;
}

/* ---- the run loop's part --------------------------------------------------- */

/* hv_vcpu_inject_extint goes "through the VMCS": as an event KVM delivers
 * at the entry, whatever LINT0 says, once the guest can take an interrupt
 * (IF set, no shadow, no event held); a HLT ends with it, as an event
 * injected in the HLT activity state does. */
static bool inject_latched(struct hv_vcpu *v, struct lapic *l)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_vcpu_events *e = &kv->k_events;
    /* k_events is also what a pending write of the events carries. */
    if (!(kv->k_regs.rflags & K_RFLAGS_IF) || e->interrupt.shadow || e->interrupt.injected ||
        e->exception.injected || e->nmi.injected)
        return false;
    struct kvm_vcpu_events ev = *e;
    ev.interrupt.injected = 1;
    ev.interrupt.nr = pic_intack(l->chip);
    ev.interrupt.soft = 0;
    ev.flags |= KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_NMI_PENDING;
    struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
    ioctl(kv->fd, KVM_SET_MP_STATE, &mp);
    kv->run->s.regs.events = ev;
    kv->k_events = ev;
    kv->run->kvm_dirty_regs |= KVM_SYNC_X86_EVENTS;
    l->extint_pending = false;
    return true;
}

/* Before KVM_RUN: the 8259's output goes in as KVM_INTERRUPT when KVM says
 * the vCPU can take an ExtINT (LINT0 in ExtINT mode or the APIC disabled);
 * until then KVM is asked for an exit when it can.  Returns whether that
 * window is wanted. */
bool kvm_irq_before_entry(struct hv_vcpu *v)
{
    struct lapic *l = v->lapic;
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    if (l == NULL)
        return false;
    struct irq_chip *chip = l->chip;
    if (!l->extint_pending && !pic_output(chip))
        return false;
    pthread_mutex_lock(&chip->lock);
    bool want = false;
    if (l->extint_pending) {
        inject_latched(v, l);
    } else if (pic_output(chip)) {
        want = true;
        if (kv->run->ready_for_interrupt_injection) {
            struct kvm_interrupt irq = { .irq = pic_intack(chip) };
            want = ioctl(kv->fd, KVM_INTERRUPT, &irq) != 0;
        }
    }
    pthread_mutex_unlock(&chip->lock);
    return want;
}

/* KVM_EXIT_IOAPIC_EOI: the client's exit under HV_APIC_CTRL_IOAPIC_EOI,
 * otherwise the IOAPIC's EOI here. */
enum kvm_outcome kvm_irq_eoi_exit(struct hv_vcpu *v)
{
    struct lapic *l = v->lapic;
    uint8_t vector = kvm_vcpu_of(v)->run->eoi.vector;
    if (l == NULL)
        return KO_REENTER;
    if (l->controls & HV_APIC_CTRL_IOAPIC_EOI) {
        l->exit.kind = HV_VM_EXITINFO_IOAPIC_EOI;
        l->exit.vector = vector;
        kvm_set_exit(v, VMX_REASON_VIRTUALIZED_EOI, vector, 0);
        return KO_EXIT;
    }
    pthread_mutex_lock(&l->chip->lock);
    ioapic_eoi(l->chip, vector);
    pthread_mutex_unlock(&l->chip->lock);
    return KO_REENTER;
}

/* The guest's IOAPIC accesses (KVM has no device there): answered here,
 * and KVM completes the instruction at the next entry.  False: not the
 * IOAPIC's page. */
bool kvm_irq_mmio(struct hv_vcpu *v)
{
    struct kvm_run *run = kvm_vcpu_of(v)->run;
    uint64_t gpa = run->mmio.phys_addr;
    if (v->lapic == NULL || gpa < IOAPIC_GPA || gpa >= IOAPIC_GPA + 0x1000)
        return false;
    struct irq_chip *chip = v->lapic->chip;
    uint64_t off = gpa - IOAPIC_GPA;
    pthread_mutex_lock(&chip->lock);
    if (run->mmio.is_write) {
        uint32_t val = 0;
        memcpy(&val, run->mmio.data, run->mmio.len < 4 ? run->mmio.len : 4);
        if ((off & 0xf) == 0 && run->mmio.len == 4)
            ioapic_mmio_write(chip, off & 0xff0, val);
    } else {
        uint32_t val = (off & 0xf) == 0 ? ioapic_mmio_read(chip, off & 0xff0) : 0;
        memset(run->mmio.data, 0, sizeof run->mmio.data);
        memcpy(run->mmio.data, &val, run->mmio.len < 4 ? run->mmio.len : 4);
    }
    pthread_mutex_unlock(&chip->lock);
    return true;
}

/* ---- idle time ---------------------------------------------------------------- */

/* KVM halts the vCPU itself; its statistics count the time it waited
 * (halt_wait_ns, Linux 5.14+).  Where they are absent, idle time stays 0
 * (docs/compat.md). */
void kvm_irq_idle_open(struct kvm_vcpu *kv)
{
    kv->stats_fd = ioctl(kv->fd, KVM_GET_STATS_FD, 0);
    kv->halt_ns_at = -1;
    if (kv->stats_fd < 0)
        return;
    struct kvm_stats_header h;
    if (pread(kv->stats_fd, &h, sizeof h, 0) != (ssize_t)sizeof h || h.name_size > 256)
        return;
    size_t step = sizeof(struct kvm_stats_desc) + h.name_size;
    union {
        struct kvm_stats_desc d;
        char bytes[sizeof(struct kvm_stats_desc) + 256];
    } u;
    for (uint32_t i = 0; i < h.num_desc; i++) {
        if (pread(kv->stats_fd, &u, step, h.desc_offset + (off_t)(i * step)) != (ssize_t)step)
            return;
        u.bytes[sizeof u.bytes - 1] = '\0';
        if (strcmp(u.d.name, "halt_wait_ns") == 0 && u.d.size == 1) {
            kv->halt_ns_at = h.data_offset + u.d.offset;
            break;
        }
    }
    kv->halt_ns_base = kvm_irq_halt_ns(kv);
}

uint64_t kvm_irq_halt_ns(const struct kvm_vcpu *kv)
{
    uint64_t ns = 0;
    if (kv->halt_ns_at < 0 || pread(kv->stats_fd, &ns, sizeof ns, kv->halt_ns_at) != (ssize_t)sizeof ns)
        return 0;
    return ns;
}
