/*
 * The 8259 pair's I/O ports (0x20-0x21, 0xa0-0xa1) and edge/level control
 * registers (0x4d0-0x4d1).  The controllers are the framework's
 * (HV_VM_ACCEL_APIC); a guest's port access still exits to the client,
 * which hands it over with hv_vm_atpic_port_read/write, as on a Mac.
 * Without in-kernel controllers the ports read as an absent device.
 */
#include "hvrun.h"

static uint32_t atpic_read(struct machine *m, uint16_t port, unsigned size)
{
    (void)size;
    uint8_t value = 0xff;
    if (m->irqchip)
        hv_vm_atpic_port_read(port, &value);
    return value;
}

static void atpic_write(struct machine *m, uint16_t port, unsigned size, uint32_t value)
{
    (void)size;
    if (m->irqchip)
        hv_vm_atpic_port_write(port, (uint8_t)value);
}

/* The handlers get the offset in their range; each range adds its base. */
#define ATPIC_RANGE(id, base_port)                                                      \
    static uint32_t id##_read(struct machine *m, uint16_t offset, unsigned size)        \
    {                                                                                     \
        return atpic_read(m, (uint16_t)((base_port) + offset), size);                     \
    }                                                                                     \
    static void id##_write(struct machine *m, uint16_t offset, unsigned size, uint32_t value) \
    {                                                                                     \
        atpic_write(m, (uint16_t)((base_port) + offset), size, value);                    \
    }                                                                                     \
    const struct io_device id##_device = {                                              \
        .name = "8259", .base = (base_port), .len = 2, .read = id##_read, .write = id##_write, \
    };

ATPIC_RANGE(atpic_master, 0x20)
ATPIC_RANGE(atpic_slave, 0xa0)
ATPIC_RANGE(atpic_elcr, 0x4d0)
