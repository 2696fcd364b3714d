/*
 * PCI bus 0 through configuration mechanism #1 (0xcf8 address, 0xcfc-0xcff
 * data): a host bridge at 00:00.0 and up to PCI_SLOTS - 1 single-function
 * devices, each with one I/O BAR.  hvrun plays firmware: it assigns every
 * BAR before the guest starts (PCI_IO_BASE upwards, inside the window the
 * DSDT's root bridge describes) and enables I/O decoding, so a guest that
 * never reprograms the bus finds devices ready; a guest may still size and
 * move BARs.  Device interrupts are INTA# of each slot, wired to IOAPIC pin
 * pci_slot_gsi(slot) (acpi.c's _PRT is derived from the same function).
 */
#include "hvrun.h"

#include <string.h>

enum {
    CONFIG_ADDRESS = 0xcf8, CONFIG_ENABLE = 0x80000000u,
    REG_VENDOR = 0x00, REG_COMMAND = 0x04, REG_STATUS = 0x06, REG_REVISION = 0x08,
    REG_CACHE_LINE = 0x0c, REG_HEADER_TYPE = 0x0e, REG_BAR0 = 0x10, REG_SUBSYS_VENDOR = 0x2c,
    REG_INT_LINE = 0x3c, REG_INT_PIN = 0x3d,
    COMMAND_IO = 1u << 0, BAR_IO = 1u << 0, PIN_INTA = 1,
    HOST_BRIDGE_VENDOR = 0x1b36, HOST_BRIDGE_DEVICE = 0x0008, CLASS_HOST_BRIDGE = 0x060000,
    PCI_IO_BASE = 0xc000, PCI_GSI_BASE = 16,
};

static struct {
    pthread_mutex_t lock;
    uint32_t address;                        /* the 0xcf8 latch */
    struct pci_function *slot[PCI_SLOTS];    /* [0]: the host bridge */
    unsigned count;
} bus = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct pci_function host_bridge = {
    .name = "pci-host", .vendor = HOST_BRIDGE_VENDOR, .device = HOST_BRIDGE_DEVICE, .class_code = CLASS_HOST_BRIDGE,
};

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof v); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof v); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, sizeof v); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, sizeof v); return v; }

unsigned pci_slot_gsi(unsigned slot)
{
    return PCI_GSI_BASE + slot;
}

static void fill_header(struct pci_function *f, unsigned slot)
{
    uint8_t *c = f->cfg;
    memset(c, 0, sizeof f->cfg);
    put16(c + REG_VENDOR, f->vendor);
    put16(c + REG_VENDOR + 2, f->device);
    put32(c + REG_REVISION, f->class_code << 8); /* revision 0 */
    put16(c + REG_SUBSYS_VENDOR, f->subsys_vendor);
    put16(c + REG_SUBSYS_VENDOR + 2, f->subsys_id);
    if (f->bar0_size != 0) {
        f->bar0 = (uint16_t)(PCI_IO_BASE + PCI_BAR_SIZE_MAX * (slot - 1));
        put32(c + REG_BAR0, f->bar0 | BAR_IO);
        put16(c + REG_COMMAND, COMMAND_IO);
        c[REG_INT_LINE] = (uint8_t)pci_slot_gsi(slot);
        c[REG_INT_PIN] = PIN_INTA;
    }
    f->slot = slot;
}

int pci_register(struct pci_function *f)
{
    if (bus.count == 0) {
        fill_header(&host_bridge, 0);
        bus.slot[bus.count++] = &host_bridge;
    }
    if (bus.count >= PCI_SLOTS || f->bar0_size > PCI_BAR_SIZE_MAX || (f->bar0_size & (f->bar0_size - 1)))
        return -1;
    fill_header(f, bus.count);
    bus.slot[bus.count] = f;
    return (int)bus.count++;
}

unsigned pci_count(void)
{
    return bus.count;
}

/* The function the latch selects, or NULL (another bus, slot or function). */
static struct pci_function *selected(void)
{
    uint32_t a = bus.address;
    unsigned busno = (a >> 16) & 0xff, slot = (a >> 11) & 0x1f, fn = (a >> 8) & 7;
    if (!(a & CONFIG_ENABLE) || busno != 0 || fn != 0 || slot >= bus.count)
        return NULL;
    return bus.slot[slot];
}

static uint32_t config_read(const struct pci_function *f, unsigned reg, unsigned size)
{
    uint32_t v = 0;
    memcpy(&v, f->cfg + reg, size);
    return v;
}

/* Writes reach only what a driver may change: the command register, the
 * cache-line/latency bytes, BAR 0 (size-aligned) and the interrupt line. */
static void config_write(struct pci_function *f, unsigned reg, unsigned size, uint32_t value)
{
    uint8_t bytes[4];
    put32(bytes, value);
    for (unsigned i = 0; i < size; i++) {
        unsigned r = reg + i;
        if (r == REG_COMMAND || r == REG_CACHE_LINE || r == REG_CACHE_LINE + 1 || r == REG_INT_LINE)
            f->cfg[r] = bytes[i];
        else if (r >= REG_BAR0 && r < REG_BAR0 + 4 && f->bar0_size != 0)
            f->cfg[r] = bytes[i];
    }
    if (reg < REG_BAR0 + 4 && reg + size > REG_BAR0 && f->bar0_size != 0) {
        uint32_t bar = get32(f->cfg + REG_BAR0) & 0xffffu & ~(uint32_t)(f->bar0_size - 1);
        put32(f->cfg + REG_BAR0, bar | BAR_IO);
        f->bar0 = (uint16_t)bar;
    }
}

static uint32_t pci_config_port_read(struct machine *m, uint16_t offset, unsigned size)
{
    (void)m;
    uint32_t value = 0xffffffffu;
    pthread_mutex_lock(&bus.lock);
    if (offset < 4) {
        if (offset == 0 && size == 4)
            value = bus.address;
    } else {
        struct pci_function *f = selected();
        unsigned reg = (bus.address & 0xfc) + (offset - 4u);
        if (f != NULL && reg + size <= sizeof f->cfg)
            value = config_read(f, reg, size);
    }
    pthread_mutex_unlock(&bus.lock);
    return value;
}

static void pci_config_port_write(struct machine *m, uint16_t offset, unsigned size, uint32_t value)
{
    (void)m;
    pthread_mutex_lock(&bus.lock);
    if (offset < 4) {
        /* Only a dword write is the address latch (byte writes to 0xcfb are
         * a chipset's own register, which Linux pokes while probing). */
        if (offset == 0 && size == 4)
            bus.address = value & 0x80fffffcu;
    } else {
        struct pci_function *f = selected();
        unsigned reg = (bus.address & 0xfc) + (offset - 4u);
        if (f != NULL && reg + size <= sizeof f->cfg)
            config_write(f, reg, size, value);
    }
    pthread_mutex_unlock(&bus.lock);
}

const struct io_device pci_config_device = {
    .name = "pci-config", .base = CONFIG_ADDRESS, .len = 8,
    .read = pci_config_port_read, .write = pci_config_port_write,
};

/* The device whose enabled I/O BAR holds the port. */
static struct pci_function *bar_owner(uint16_t port, uint16_t *offset)
{
    struct pci_function *owner = NULL;
    pthread_mutex_lock(&bus.lock);
    for (unsigned i = 1; i < bus.count && owner == NULL; i++) {
        struct pci_function *f = bus.slot[i];
        if (f->bar0_size != 0 && (get16(f->cfg + REG_COMMAND) & COMMAND_IO) && f->bar0 != 0 &&
            port >= f->bar0 && port - f->bar0 < f->bar0_size) {
            owner = f;
            *offset = (uint16_t)(port - f->bar0);
        }
    }
    pthread_mutex_unlock(&bus.lock);
    return owner;
}

const char *pci_io_name(uint16_t port)
{
    uint16_t offset;
    struct pci_function *f = bar_owner(port, &offset);
    return f != NULL ? f->name : NULL;
}

bool pci_io_read(uint16_t port, unsigned size, uint32_t *value)
{
    uint16_t offset;
    struct pci_function *f = bar_owner(port, &offset);
    if (f == NULL)
        return false;
    *value = f->bar_read(f->ctx, offset, size);
    return true;
}

bool pci_io_write(uint16_t port, unsigned size, uint32_t value)
{
    uint16_t offset;
    struct pci_function *f = bar_owner(port, &offset);
    if (f == NULL)
        return false;
    f->bar_write(f->ctx, offset, size, value);
    return true;
}
