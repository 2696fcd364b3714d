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

/* The handlers get the port itself: each range's offset is its base. */
const struct io_device atpic_master_device = {
    .name = "8259", .base = 0x20, .len = 2, .offset = 0x20, .read = atpic_read, .write = atpic_write,
};
const struct io_device atpic_slave_device = {
    .name = "8259", .base = 0xa0, .len = 2, .offset = 0xa0, .read = atpic_read, .write = atpic_write,
};
const struct io_device atpic_elcr_device = {
    .name = "8259", .base = 0x4d0, .len = 2, .offset = 0x4d0, .read = atpic_read, .write = atpic_write,
};
