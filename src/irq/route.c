/*
 * The interrupt "bus" between the controllers: which local APICs an
 * interrupt message names (physical, logical flat/cluster, x2APIC,
 * shorthands, lowest priority), MSI decoding, and the 8259's INTR wire.
 */
#include <stdlib.h>

#include "irq.h"

struct irq_chip *irq_chip_create(void)
{
    struct irq_chip *chip = calloc(1, sizeof *chip);
    if (!chip)
        return NULL;
    pthread_mutex_init(&chip->lock, NULL);
    chip->bus_freq = APIC_BUS_FREQ_DEFAULT;
    ioapic_reset(&chip->ioapic);
    pic_reset(chip);
    return chip;
}

void irq_chip_destroy(struct irq_chip *chip)
{
    if (!chip)
        return;
    pthread_mutex_destroy(&chip->lock);
    free(chip);
}

struct lapic *irq_lapic_create(struct irq_chip *chip, hv_vcpuid_t id)
{
    if (id >= IRQ_MAX_VCPUS)
        return NULL;
    struct lapic *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->chip = chip;
    l->id = id;
    l->exit.kind = HV_VM_EXITINFO_VMX;
    pthread_mutex_lock(&chip->lock);
    lapic_reset(l);
    chip->lapic[id] = l;
    pthread_mutex_unlock(&chip->lock);
    return l;
}

void irq_lapic_destroy(struct lapic *l)
{
    if (!l)
        return;
    struct irq_chip *chip = l->chip;
    pthread_mutex_lock(&chip->lock);
    chip->lapic[l->id] = NULL;
    pthread_mutex_unlock(&chip->lock);
    free(l);
}

/* Whether `l` is named by a destination (SDM 11.6.2). */
static bool dest_match(const struct lapic *l, uint32_t dest, bool logical, bool x2)
{
    if (lapic_x2apic(l) || x2) {
        if (dest == 0xffffffffu)
            return true;
        if (!logical)
            return dest == l->apic_id;
        return (dest >> 16) == (l->ldr >> 16) && (dest & l->ldr & 0xffff) != 0;
    }
    dest &= 0xff;
    if (dest == 0xff)
        return true;
    if (!logical)
        return dest == l->apic_id >> 24;
    uint32_t ldr = l->ldr >> 24;
    if ((l->dfr >> 28) == 0xf)                      /* flat model */
        return (ldr & dest) != 0;
    return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf) != 0;   /* cluster */
}

/* The kernel's APICs take messages, not shorthands: a shorthand becomes the
 * sender's own ID, the broadcast ID, or one message per other vCPU. */
static void kernel_deliver(struct irq_chip *chip, struct lapic *self, unsigned shorthand, uint32_t dest,
                           bool logical, bool x2, unsigned mode, uint8_t vector, bool level)
{
    const struct irq_kernel *k = chip->kernel;
    uint32_t all = x2 ? 0xffffffffu : 0xffu;
    switch (shorthand) {
    case 1:
        if (self)
            k->deliver(chip, k->apic_id(chip, self->id), false, mode, vector, level);
        break;
    case 2: k->deliver(chip, all, false, mode, vector, level); break;
    case 3:
        for (unsigned i = 0; i < IRQ_MAX_VCPUS; i++)
            if (chip->lapic[i] && chip->lapic[i] != self)
                k->deliver(chip, k->apic_id(chip, (hv_vcpuid_t)i), false, mode, vector, level);
        break;
    default: k->deliver(chip, x2 ? dest : dest & 0xff, logical, mode, vector, level); break;
    }
}

void irq_deliver(struct irq_chip *chip, struct lapic *self, unsigned shorthand, uint32_t dest,
                 bool logical, unsigned mode, uint8_t vector, bool level, struct lapic_exit *ex)
{
    bool x2 = self && lapic_x2apic(self);
    if (chip->kernel) {
        kernel_deliver(chip, self, shorthand, dest, logical, x2, mode, vector, level);
        return;
    }
    struct lapic *targets[IRQ_MAX_VCPUS];
    unsigned n = 0;
    for (unsigned i = 0; i < IRQ_MAX_VCPUS; i++) {
        struct lapic *l = chip->lapic[i];
        if (!l || !(l->base & APIC_BASE_EN))
            continue;
        bool hit;
        switch (shorthand) {
        case 1: hit = l == self; break;
        case 2: hit = true; break;
        case 3: hit = l != self; break;
        default: hit = dest_match(l, dest, logical, x2); break;
        }
        if (hit)
            targets[n++] = l;
    }
    if (mode == DM_LOWEST && n > 1) {
        /* The APIC with the lowest task priority wins; ties go to the
         * lowest vCPU id (a fixed, documented choice). */
        struct lapic *best = NULL;
        for (unsigned i = 0; i < n; i++)
            if (lapic_enabled(targets[i]) && (!best || (targets[i]->tpr & 0xf0) < (best->tpr & 0xf0)))
                best = targets[i];
        targets[0] = best ? best : targets[0];
        n = 1;
    }
    for (unsigned i = 0; i < n; i++) {
        struct lapic *l = targets[i];
        switch (mode) {
        case DM_FIXED:
        case DM_LOWEST:
            if (lapic_enabled(l))
                lapic_set_irr(l, vector, level, false);
            break;
        case DM_NMI:
            l->nmi_pending++;
            lapic_update_ready(l);
            break;
        case DM_EXTINT:
            l->extint_pending = true;
            lapic_update_ready(l);
            break;
        case DM_INIT:
            /* The client resets the target (hv_vcpu_exit_init_ap); the
             * APIC now waits for a start-up IPI. */
            if (!ex)
                break;
            ex->kind = HV_VM_EXITINFO_INIT_AP;
            ex->targets[l->id] = true;
            l->boot_state = HV_BS_SIPI;
            break;
        case DM_SIPI:
            /* Only an APIC waiting for a SIPI takes one (SDM 9.4.4). */
            if (!ex || l->boot_state != HV_BS_SIPI)
                break;
            ex->kind = HV_VM_EXITINFO_STARTUP_AP;
            ex->targets[l->id] = true;
            ex->ap_rip = (uint64_t)vector << 12;
            l->boot_state = HV_BS_RUNNING;
            break;
        default:
            break;              /* SMI: no SMM */
        }
    }
}

bool irq_msi(struct irq_chip *chip, uint64_t addr, uint64_t data)
{
    if ((addr & 0xfff00000ull) != 0xfee00000ull)
        return false;
    uint32_t dest = (uint32_t)(addr >> 12) & 0xff;
    bool logical = addr & (1u << 2);
    unsigned mode = (data >> 8) & 7;
    bool level = (data >> 15) & 1;
    /* Edge-triggered MSIs are the norm; a level MSI with "deassert" does
     * nothing (PCI 3.0 6.8.3.5 leaves level MSIs to the platform). */
    if (level && !((data >> 14) & 1))
        return true;
    /* The kernel's APICs keep the trigger mode: a level MSI sets TMR there
     * and its EOI is reported (KVM_EXIT_IOAPIC_EOI). */
    if (chip->kernel) {
        dest |= (uint32_t)(addr >> 32) & 0xffffff00u;
        chip->kernel->deliver(chip, dest, logical, mode, (uint8_t)data, level);
        return true;
    }
    irq_deliver(chip, NULL, 0, dest, logical, mode, (uint8_t)data, false, NULL);
    return true;
}

void irq_pic_output_changed(struct irq_chip *chip)
{
    if (chip->kernel) {
        chip->kernel->pic_changed(chip);
        return;
    }
    for (unsigned i = 0; i < IRQ_MAX_VCPUS; i++)
        if (chip->lapic[i])
            lapic_update_ready(chip->lapic[i]);
}
