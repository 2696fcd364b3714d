/*
 * Data layout of the interrupt-controller guests (apic.S), shared with
 * tests/conformance/test_apic*.c.  Everything lies in the GUEST_DATA page.
 */
#ifndef OPENHV_TESTS_GUEST_APIC_H
#define OPENHV_TESTS_GUEST_APIC_H

#include "layout.h"

#define APIC_MMIO     0xfee00000
#define IOAPIC_MMIO   0xfec00000

#define IRQ_COUNTS    GUEST_DATA              /* dword per vector: interrupts taken */
#define IRQ_LOG_IDX   (GUEST_DATA + 0x400)    /* dword: entries in IRQ_LOG */
#define IRQ_LOG       (GUEST_DATA + 0x404)    /* vectors in the order taken (256 bytes) */
#define IRQ_EOI_MODE  (GUEST_DATA + 0x600)    /* 0: EOI by MMIO, 1: by x2APIC MSR, 2: none */
#define IRQ_ACK       (GUEST_DATA + 0x604)    /* nonzero: OUT vector to PORT_ACK before EOI */
#define AP_COUNT      (GUEST_DATA + 0x700)    /* APs started */
#define AP_ACK        (GUEST_DATA + 0x704)    /* APs that took the BSP's IPI */
#define PIC_TICKS     (GUEST_DATA + 0x708)    /* real-mode timer ticks */

#define PORT_ACK      0xe2                    /* the handler tells the "device" */

#endif
