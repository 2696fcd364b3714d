/*
 * Interrupt lines of hvrun's devices into the library's in-kernel
 * controllers (HV_VM_ACCEL_APIC): an ISA IRQ goes to the 8259 pair and to
 * the IOAPIC pin a PC wires it to (IRQ 0 on pin 2), as the MADT says.
 * Without in-kernel controllers (images other than Linux) the lines go
 * nowhere and devices are polled, as before.  PCI lines (pci.c) are
 * IOAPIC pins above the ISA ones and are held while a device interrupts.
 */
#include "hvrun.h"

static int ioapic_pin(unsigned irq) { return irq == 0 ? 2 : (int)irq; }

void hvrun_irq_set(struct machine *m, unsigned irq, bool level)
{
    if (!m->irqchip)
        return;
    if (level) {
        hv_vm_atpic_assert_irq((int)irq);
        hv_vm_ioapic_assert_irq(ioapic_pin(irq));
    } else {
        hv_vm_atpic_deassert_irq((int)irq);
        hv_vm_ioapic_deassert_irq(ioapic_pin(irq));
    }
}

void hvrun_irq_set_gsi(struct machine *m, unsigned gsi, bool level)
{
    if (!m->irqchip)
        return;
    if (level)
        hv_vm_ioapic_assert_irq((int)gsi);
    else
        hv_vm_ioapic_deassert_irq((int)gsi);
}

void hvrun_irq_pulse(struct machine *m, unsigned irq)
{
    if (!m->irqchip)
        return;
    hv_vm_atpic_assert_irq((int)irq);
    hv_vm_atpic_deassert_irq((int)irq);
    hv_vm_ioapic_pulse_irq(ioapic_pin(irq));
}
