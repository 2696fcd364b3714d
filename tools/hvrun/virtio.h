/*
 * Virtio for hvrun: the split virtqueue (virtio.c) and the legacy
 * virtio-pci transport (virtio_pci.c) that virtio_blk.c and
 * virtio_console.c are built on.  Layouts are those of the virtio 1.x
 * specification's "legacy interface" sections (docs/notes/hvrun.md).
 */
#ifndef OPENHV_HVRUN_VIRTIO_H
#define OPENHV_HVRUN_VIRTIO_H

#include "hvrun.h"

#define VIRTQ_SIZE 256         /* every queue's size: the legacy driver cannot choose */
#define VIRTIO_MAX_QUEUES 2

enum {
    VIRTQ_DESC_F_NEXT = 1, VIRTQ_DESC_F_WRITE = 2, VIRTQ_DESC_F_INDIRECT = 4,
    VIRTQ_AVAIL_F_NO_INTERRUPT = 1,
    VIRTQ_ALIGN = 4096,        /* legacy: the used ring starts on the next 4 KiB */
};

struct virtq {
    uint16_t num;              /* 0: not set up */
    uint64_t desc, avail, used; /* guest-physical, checked to lie in RAM */
    uint16_t last_avail;       /* the next avail ring entry to take */
    uint16_t used_idx;         /* ours: the driver's copy in RAM is not trusted */
    bool broken;               /* malformed by the driver: ignored until reset */
};

/* One descriptor's buffer, already translated and bounds-checked. */
struct virtq_buf {
    uint8_t *host;
    uint32_t len;
};

/* A descriptor chain: the device-readable buffers, then the writable ones. */
struct virtq_chain {
    uint16_t head;
    unsigned nread, nwrite;
    struct virtq_buf buf[VIRTQ_SIZE];
    uint64_t read_len, write_len;
};

/* Lays the queue out from a legacy page frame number; false (with the
 * reason in err) if any part of it lies outside guest RAM. */
bool virtq_set_legacy(struct virtq *q, const struct guest *g, uint64_t pfn, uint16_t num, char *err,
                      size_t errlen);
/* Takes the next available chain: 1, or 0 when there is none, or -1 when
 * the driver broke the rules (err says how; the queue is marked broken). */
int virtq_pop(struct virtq *q, const struct guest *g, struct virtq_chain *c, char *err, size_t errlen);
/* Returns a chain to the driver with the bytes written into it. */
void virtq_push(struct virtq *q, const struct guest *g, uint16_t head, uint32_t written);
/* Whether the driver wants an interrupt for what was just pushed. */
bool virtq_wants_interrupt(const struct virtq *q, const struct guest *g);
/* Copy out of the readable / into the writable part, from a byte offset
 * within that part; return the bytes copied. */
size_t virtq_chain_read(const struct virtq_chain *c, uint64_t offset, void *dst, size_t len);
size_t virtq_chain_write(struct virtq_chain *c, uint64_t offset, const void *src, size_t len);

/* A virtio device on the legacy PCI transport. */
struct virtio_dev {
    const char *name;          /* "virtio-blk": messages */
    struct machine *m;
    uint16_t type;             /* virtio device id: 2 block, 3 console */
    uint32_t class_code;
    uint32_t host_features;
    unsigned nqueues;
    const uint8_t *config;     /* device configuration, read-only to the driver */
    size_t config_len;
    /* Called with lock held when the driver notifies a queue. */
    void (*notify)(struct virtio_dev *d, unsigned queue);
    /* Called with lock held when the driver resets the device. */
    void (*reset)(struct virtio_dev *d);
    void *ctx;

    /* virtio_pci.c's own */
    pthread_mutex_t lock;
    struct pci_function pci;
    struct virtq q[VIRTIO_MAX_QUEUES];
    uint32_t guest_features;
    uint16_t queue_sel;
    uint8_t status, isr;
    bool line;
};

enum { VIRTIO_STATUS_DRIVER_OK = 4, VIRTIO_STATUS_NEEDS_RESET = 64 };

/* Registers the device on the PCI bus; 0 or -1 with a message. */
int virtio_pci_add(struct virtio_dev *d);
/* Under lock: the driver may run the device (DRIVER_OK, not failed). */
bool virtio_running(const struct virtio_dev *d);
/* Under lock: the used ring of a queue changed; interrupt if wanted. */
void virtio_used(struct virtio_dev *d, unsigned queue);
/* Under lock: the driver broke the rules: report, stop the device until
 * it is reset (DEVICE_NEEDS_RESET), and raise a configuration interrupt. */
void virtio_fail(struct virtio_dev *d, unsigned queue, const char *why);
/* Under lock: pops from a queue, failing the device on a malformed chain. */
int virtio_pop(struct virtio_dev *d, unsigned queue, struct virtq_chain *c);

#endif
