/*
 * The 8042 keyboard controller, as much as an operating system probes
 * (self test, the command byte, port tests) and the reset line: command
 * 0xfe pulses CPU reset, which hvrun treats as the end of the run, like
 * QEMU's -no-reboot.  No keyboard or mouse is attached.
 *
 * Every command a driver waits on gets its answer at once: an unanswered
 * one costs the guest a full timeout (Linux waits 500 ms per command, three
 * of them in its AUX probe).  The AUX port reports its clock line stuck low
 * in the interface test, and its loopback echoes without the AUX-data
 * status bit, which together tell Linux that nothing usable is plugged
 * there, so it drops the port without probing a mouse.
 */
#include "hvrun.h"

enum {
    DATA = 0, STATUS_CMD = 4,
    ST_OBF = 0x01, ST_SYS = 0x04, ST_CMD = 0x08, ST_UNLOCKED = 0x10,
    CMD_READ_CTR = 0x20, CMD_WRITE_CTR = 0x60, CMD_SELF_TEST = 0xaa, CMD_TEST_KBD = 0xab,
    CMD_TEST_AUX = 0xa9, CMD_WRITE_OUTPUT = 0xd1, SELF_TEST_OK = 0x55,
    CMD_KBD_LOOP = 0xd2, CMD_AUX_LOOP = 0xd3, TEST_OK = 0x00, TEST_CLOCK_STUCK_LOW = 0x01,
    CMD_AUX_DISABLE = 0xa7, CMD_AUX_ENABLE = 0xa8, CMD_KBD_DISABLE = 0xad, CMD_KBD_ENABLE = 0xae,
    CTR_KBD_DISABLED = 0x10, CTR_AUX_DISABLED = 0x20,
};

static struct {
    pthread_mutex_t lock;
    uint8_t ctr, status, out, pending_cmd;
} kbc = {.lock = PTHREAD_MUTEX_INITIALIZER, .ctr = 0x45, .status = ST_SYS | ST_UNLOCKED};

static void reply(uint8_t value)
{
    kbc.out = value;
    kbc.status |= ST_OBF;
}

static uint32_t kbc_read(struct machine *m, uint16_t offset, unsigned size)
{
    (void)m, (void)size;
    pthread_mutex_lock(&kbc.lock);
    uint32_t value = kbc.status;
    if (offset == DATA) {
        value = kbc.out;
        kbc.status &= (uint8_t)~ST_OBF;
    }
    pthread_mutex_unlock(&kbc.lock);
    return value;
}

static void kbc_write(struct machine *m, uint16_t offset, unsigned size, uint32_t value)
{
    (void)size;
    bool reset = false;
    pthread_mutex_lock(&kbc.lock);
    if (offset == STATUS_CMD) {
        kbc.status |= ST_CMD;
        switch (value) {
        case CMD_READ_CTR: reply(kbc.ctr); break;
        case CMD_SELF_TEST: reply(SELF_TEST_OK); break;
        case CMD_TEST_KBD: reply(TEST_OK); break;
        case CMD_TEST_AUX: reply(TEST_CLOCK_STUCK_LOW); break;
        case CMD_WRITE_CTR:
        case CMD_WRITE_OUTPUT:
        case CMD_KBD_LOOP:
        case CMD_AUX_LOOP: kbc.pending_cmd = (uint8_t)value; break;
        /* The clock-disable bits of the command byte follow these, as the
         * driver checks by reading the byte back. */
        case CMD_AUX_DISABLE: kbc.ctr |= CTR_AUX_DISABLED; break;
        case CMD_AUX_ENABLE: kbc.ctr &= (uint8_t)~CTR_AUX_DISABLED; break;
        case CMD_KBD_DISABLE: kbc.ctr |= CTR_KBD_DISABLED; break;
        case CMD_KBD_ENABLE: kbc.ctr &= (uint8_t)~CTR_KBD_DISABLED; break;
        case I8042_RESET_VALUE: reset = true; break;
        default: break;
        }
    } else {
        kbc.status &= (uint8_t)~ST_CMD;
        if (kbc.pending_cmd == CMD_WRITE_CTR)
            kbc.ctr = (uint8_t)value;
        else if (kbc.pending_cmd == CMD_WRITE_OUTPUT && !(value & 1))
            reset = true; /* output port bit 0 low: CPU reset */
        else if (kbc.pending_cmd == CMD_KBD_LOOP || kbc.pending_cmd == CMD_AUX_LOOP)
            reply((uint8_t)value);
        kbc.pending_cmd = 0;
    }
    pthread_mutex_unlock(&kbc.lock);
    if (reset)
        machine_stop(m, STATUS_RESET);
}

/* Two one-port devices: 0x61-0x63 between them belong to the PIT's gate. */
const struct io_device i8042_data_device = {
    .name = "i8042", .base = 0x60, .len = 1, .read = kbc_read, .write = kbc_write,
};
const struct io_device i8042_cmd_device = {
    .name = "i8042", .base = I8042_COMMAND_PORT, .len = 1, .offset = STATUS_CMD, .read = kbc_read,
    .write = kbc_write,
};
