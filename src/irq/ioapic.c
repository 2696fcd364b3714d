/*
 * The IOAPIC (Intel 82093AA datasheet), with 32 input pins as the
 * framework's state layout has: IOREGSEL at +0x00, IOWIN at +0x10, the ID,
 * version and arbitration registers, and the redirection table.  Pins are
 * active when asserted whatever the polarity bit says (the polarity is the
 * board's business; the API speaks of assert and deassert).
 */
#include <string.h>

#include "irq.h"

#define IOAPIC_VERSION (((uint32_t)(IOAPIC_PINS - 1) << 16) | 0x11u)

#define RTE_DM(r) (((r) >> 8) & 7u)
#define RTE_LOGICAL (1ull << 11)
#define RTE_DELIVS (1ull << 12)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)
/* Writable bits: everything but delivery status and remote IRR. */
#define RTE_WRITABLE (0xff000000000000ffull | 0x1af00ull)

void ioapic_reset(struct ioapic *io)
{
    memset(io, 0, sizeof *io);
    for (int i = 0; i < IOAPIC_PINS; i++)
        io->rtbl[i] = RTE_MASKED;
}

static void send_rte(struct irq_chip *chip, uint64_t rte)
{
    irq_deliver(chip, NULL, 0, (uint32_t)(rte >> 56), rte & RTE_LOGICAL, RTE_DM(rte), (uint8_t)rte,
                (rte & RTE_LEVEL) != 0, NULL);
}

/* A level-triggered pin that is asserted, unmasked and not waiting for an
 * EOI delivers (again). */
static void level_check(struct irq_chip *chip, int pin)
{
    struct ioapic *io = &chip->ioapic;
    uint64_t r = io->rtbl[pin];
    if (!(r & RTE_LEVEL) || (r & (RTE_MASKED | RTE_REMOTE_IRR)) || !(io->irr >> pin & 1))
        return;
    if (RTE_DM(r) == DM_FIXED || RTE_DM(r) == DM_LOWEST)
        io->rtbl[pin] |= RTE_REMOTE_IRR;
    send_rte(chip, r);
}

bool ioapic_set_pin(struct irq_chip *chip, int pin, bool level)
{
    if (pin < 0 || pin >= IOAPIC_PINS)
        return false;
    struct ioapic *io = &chip->ioapic;
    bool was = io->irr >> pin & 1;
    if (level)
        io->irr |= 1u << pin;
    else
        io->irr &= ~(1u << pin);
    uint64_t r = io->rtbl[pin];
    if (r & RTE_LEVEL)
        level_check(chip, pin);
    else if (level && !was && !(r & RTE_MASKED))
        send_rte(chip, r);
    return true;
}

void ioapic_pulse(struct irq_chip *chip, int pin)
{
    ioapic_set_pin(chip, pin, true);
    ioapic_set_pin(chip, pin, false);
}

static uint32_t reg_read(struct ioapic *io, uint32_t sel)
{
    switch (sel) {
    case 0: return io->id & 0x0f000000u;
    case 1: return IOAPIC_VERSION;
    case 2: return io->id & 0x0f000000u;
    default:
        if (sel >= 0x10 && sel < 0x10 + 2 * IOAPIC_PINS) {
            uint64_t r = io->rtbl[(sel - 0x10) / 2];
            return (sel & 1) ? (uint32_t)(r >> 32) : (uint32_t)r;
        }
        return 0xffffffffu;     /* no register: the bus floats */
    }
}

uint32_t ioapic_mmio_read(struct irq_chip *chip, uint64_t off)
{
    struct ioapic *io = &chip->ioapic;
    switch (off) {
    case 0x00: return io->ioregsel;
    case 0x10: return reg_read(io, io->ioregsel);
    default: return 0;
    }
}

void ioapic_mmio_write(struct irq_chip *chip, uint64_t off, uint32_t val)
{
    struct ioapic *io = &chip->ioapic;
    if (off == 0x00) {
        io->ioregsel = val & 0xff;
        return;
    }
    if (off != 0x10)
        return;
    uint32_t sel = io->ioregsel;
    if (sel == 0) {
        io->id = val & 0x0f000000u;
    } else if (sel >= 0x10 && sel < 0x10 + 2 * IOAPIC_PINS) {
        int pin = (int)(sel - 0x10) / 2;
        uint64_t r = io->rtbl[pin];
        uint64_t w = (sel & 1) ? ((uint64_t)val << 32) | (r & 0xffffffffull)
                               : (r & 0xffffffff00000000ull) | val;
        io->rtbl[pin] = (w & RTE_WRITABLE) | (r & RTE_REMOTE_IRR);
        /* Edge mode has no remote IRR. */
        if (!(io->rtbl[pin] & RTE_LEVEL))
            io->rtbl[pin] &= ~RTE_REMOTE_IRR;
        if (chip->kernel)
            chip->kernel->ioapic_changed(chip);
        level_check(chip, pin);
    }
}

void ioapic_eoi(struct irq_chip *chip, uint8_t vector)
{
    struct ioapic *io = &chip->ioapic;
    for (int pin = 0; pin < IOAPIC_PINS; pin++) {
        if ((io->rtbl[pin] & RTE_REMOTE_IRR) && (uint8_t)io->rtbl[pin] == vector) {
            io->rtbl[pin] &= ~RTE_REMOTE_IRR;
            level_check(chip, pin);
        }
    }
}

void ioapic_send(struct irq_chip *chip, uint64_t rte)
{
    send_rte(chip, rte);
}

bool ioapic_put_state(struct ioapic *io, const struct hv_ioapic_state *s)
{
    for (int i = 0; i < IOAPIC_PINS; i++)
        if (s->rtbl[i] & ~(RTE_WRITABLE | RTE_REMOTE_IRR | RTE_DELIVS))
            return false;
    if (s->ioa_id & ~0x0f000000u || s->ioregsel > 0xff)
        return false;
    memcpy(io->rtbl, s->rtbl, sizeof io->rtbl);
    io->irr = s->irr;
    io->id = s->ioa_id;
    io->ioregsel = s->ioregsel;
    return true;
}
