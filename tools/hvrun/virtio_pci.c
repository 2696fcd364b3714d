/*
 * The legacy ("transitional") virtio-pci transport: one I/O BAR holding the
 * legacy register block, followed by the device's configuration, and INTx
 * (level-triggered, held while the ISR is non-zero; reading the ISR clears
 * it).  No MSI-X: the configuration starts at offset 20.  Everything is
 * port I/O, so no guest instruction ever needs decoding.
 */
#include "virtio.h"

#include <stdio.h>
#include <string.h>

enum {
    REG_HOST_FEATURES = 0, REG_GUEST_FEATURES = 4, REG_QUEUE_PFN = 8, REG_QUEUE_NUM = 12,
    REG_QUEUE_SEL = 14, REG_QUEUE_NOTIFY = 16, REG_STATUS = 18, REG_ISR = 19, REG_CONFIG = 20,
    ISR_QUEUE = 1, ISR_CONFIG = 2,
    VIRTIO_PCI_VENDOR = 0x1af4, BAR_SIZE = 0x100,
};

/* Transitional PCI device ids (virtio 1.x, 4.1.2.3) by virtio device id. */
static uint16_t transitional_id(uint16_t type)
{
    switch (type) {
    case 1: return 0x1000; /* network */
    case 2: return 0x1001; /* block */
    case 3: return 0x1003; /* console */
    case 4: return 0x1005; /* entropy */
    case 5: return 0x1002; /* balloon */
    case 8: return 0x1004; /* SCSI */
    case 9: return 0x1009; /* 9P */
    default: return 0;
    }
}

static void update_line(struct virtio_dev *d)
{
    bool line = d->isr != 0;
    if (line != d->line) {
        d->line = line;
        hvrun_irq_set_gsi(d->m, pci_slot_gsi(d->pci.slot), line);
    }
}

bool virtio_running(const struct virtio_dev *d)
{
    return !(d->status & VIRTIO_STATUS_NEEDS_RESET);
}

void virtio_used(struct virtio_dev *d, unsigned queue)
{
    if (!virtq_wants_interrupt(&d->q[queue], &d->m->mem))
        return;
    d->isr |= ISR_QUEUE;
    update_line(d);
}

void virtio_fail(struct virtio_dev *d, unsigned queue, const char *why)
{
    fprintf(stderr, "hvrun: %s: queue %u: %s; the device stops until the driver resets it\n", d->name, queue, why);
    d->status |= VIRTIO_STATUS_NEEDS_RESET;
    d->isr |= ISR_CONFIG;
    update_line(d);
}

int virtio_pop(struct virtio_dev *d, unsigned queue, struct virtq_chain *c)
{
    char err[160];
    int r = virtq_pop(&d->q[queue], &d->m->mem, c, err, sizeof err);
    if (r < 0)
        virtio_fail(d, queue, err);
    return r;
}

static void reset(struct virtio_dev *d)
{
    memset(d->q, 0, sizeof d->q);
    d->guest_features = 0, d->queue_sel = 0, d->status = 0, d->isr = 0;
    update_line(d);
    if (d->reset != NULL)
        d->reset(d);
}

static uint32_t bar_read(void *ctx, uint16_t offset, unsigned size)
{
    struct virtio_dev *d = ctx;
    pthread_mutex_lock(&d->lock);
    uint8_t regs[REG_CONFIG + PCI_BAR_SIZE_MAX];
    memset(regs, 0xff, sizeof regs);
    const struct virtq *q = d->queue_sel < d->nqueues ? &d->q[d->queue_sel] : NULL;
    uint32_t pfn = q != NULL ? (uint32_t)(q->desc / VIRTQ_ALIGN) : 0;
    uint16_t num = q != NULL ? VIRTQ_SIZE : 0, notify = 0;
    memcpy(regs + REG_HOST_FEATURES, &d->host_features, 4);
    memcpy(regs + REG_GUEST_FEATURES, &d->guest_features, 4);
    memcpy(regs + REG_QUEUE_PFN, &pfn, 4);
    memcpy(regs + REG_QUEUE_NUM, &num, 2);
    memcpy(regs + REG_QUEUE_SEL, &d->queue_sel, 2);
    memcpy(regs + REG_QUEUE_NOTIFY, &notify, 2);
    regs[REG_STATUS] = d->status;
    regs[REG_ISR] = d->isr;
    memcpy(regs + REG_CONFIG, d->config, d->config_len);
    uint32_t value = 0xffffffffu;
    if ((size_t)offset + size <= sizeof regs)
        memcpy(&value, regs + offset, size);
    if (offset <= REG_ISR && offset + size > REG_ISR) {
        d->isr = 0;                    /* reading acknowledges */
        update_line(d);
    }
    pthread_mutex_unlock(&d->lock);
    return value;
}

static void set_queue_pfn(struct virtio_dev *d, uint32_t pfn)
{
    if (d->queue_sel >= d->nqueues)
        return;
    struct virtq *q = &d->q[d->queue_sel];
    if (pfn == 0) {
        *q = (struct virtq){0};
        return;
    }
    char err[160];
    if (!virtq_set_legacy(q, &d->m->mem, pfn, VIRTQ_SIZE, err, sizeof err))
        virtio_fail(d, d->queue_sel, err);
}

static void bar_write(void *ctx, uint16_t offset, unsigned size, uint32_t value)
{
    struct virtio_dev *d = ctx;
    pthread_mutex_lock(&d->lock);
    if (offset == REG_GUEST_FEATURES && size == 4) {
        d->guest_features = value & d->host_features;
    } else if (offset == REG_QUEUE_PFN && size == 4) {
        set_queue_pfn(d, value);
    } else if (offset == REG_QUEUE_SEL && size == 2) {
        d->queue_sel = (uint16_t)value;
    } else if (offset == REG_QUEUE_NOTIFY && size == 2) {
        if (value < d->nqueues && d->q[value].num != 0 && virtio_running(d))
            d->notify(d, value);
    } else if (offset == REG_STATUS && size == 1) {
        if (value == 0)
            reset(d);
        else
            d->status = (uint8_t)(value | (d->status & VIRTIO_STATUS_NEEDS_RESET));
    }
    pthread_mutex_unlock(&d->lock);
}

int virtio_pci_add(struct virtio_dev *d)
{
    pthread_mutex_init(&d->lock, NULL);
    d->pci = (struct pci_function){
        .name = d->name, .vendor = VIRTIO_PCI_VENDOR, .device = transitional_id(d->type),
        .subsys_vendor = VIRTIO_PCI_VENDOR, .subsys_id = d->type, .class_code = d->class_code,
        .bar0_size = BAR_SIZE, .ctx = d, .bar_read = bar_read, .bar_write = bar_write,
    };
    if (d->pci.device == 0 || d->nqueues > VIRTIO_MAX_QUEUES || REG_CONFIG + d->config_len > BAR_SIZE ||
        pci_register(&d->pci) < 0) {
        fprintf(stderr, "hvrun: %s: no PCI slot left (at most %d devices)\n", d->name, PCI_SLOTS - 1);
        return -1;
    }
    return 0;
}
