/*
 * The exit port (0xf4, as QEMU's isa-debug-exit): a write ends the VM and
 * its value's low byte becomes hvrun's exit status.  Reads see all-ones.
 */
#include "hvrun.h"

static uint32_t exit_port_read(struct machine *m, uint16_t offset, unsigned size)
{
    (void)m, (void)offset;
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static void exit_port_write(struct machine *m, uint16_t offset, unsigned size, uint32_t value)
{
    (void)offset, (void)size;
    machine_stop(m, (int)(value & 0xff));
}

const struct io_device exit_port_device = {
    .name = "exit", .base = 0xf4, .len = 1, .read = exit_port_read, .write = exit_port_write,
};
