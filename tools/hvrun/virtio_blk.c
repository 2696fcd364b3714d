/*
 * virtio-blk backed by a host file (`-drive file=IMG[,readonly=on]`).
 * Requests are served synchronously on the notifying vCPU's thread with
 * pread/pwrite straight into guest RAM.  A request is read as a byte
 * stream over its readable buffers (16-byte header, then data to write)
 * and its writable ones (data read, then the status byte), so any split
 * into descriptors works.  Offered: SEG_MAX, FLUSH, and RO for a
 * read-only drive; the capacity is the file's size in 512-byte sectors.
 */
#include "virtio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    TYPE_BLOCK = 2, CLASS_STORAGE_SCSI = 0x010000, SECTOR = 512,
    F_SEG_MAX = 1u << 2, F_RO = 1u << 5, F_FLUSH = 1u << 9,
    T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8,
    S_OK = 0, S_IOERR = 1, S_UNSUPP = 2,
    HEADER = 16, ID_BYTES = 20,
    /* Data buffers per request: the ring minus the header and status. */
    SEG_MAX = VIRTQ_SIZE - 2,
};

/* struct virtio_blk_config up to seg_max (the legacy layout is the same). */
struct blk_config {
    uint64_t capacity;
    uint32_t size_max, seg_max;
};

struct blk {
    struct virtio_dev dev;
    struct blk_config config;
    int fd;
    bool readonly;
    uint64_t bytes;
    char id[ID_BYTES];
};

static struct blk blks[HVRUN_MAX_DRIVES];
static unsigned nblks;

/* Moves len bytes between the file at pos and the chain's buffers. */
static bool transfer(struct blk *b, struct virtq_chain *c, bool write, uint64_t pos, uint64_t len)
{
    struct virtq_buf *bufs = write ? c->buf : c->buf + c->nread;
    unsigned n = write ? c->nread : c->nwrite;
    uint64_t skip = write ? HEADER : 0;
    for (unsigned i = 0; i < n && len > 0; i++) {
        if (skip >= bufs[i].len) {
            skip -= bufs[i].len;
            continue;
        }
        uint8_t *p = bufs[i].host + skip;
        size_t chunk = bufs[i].len - skip;
        if (chunk > len)
            chunk = len;
        skip = 0;
        while (chunk > 0) {
            ssize_t r = write ? pwrite(b->fd, p, chunk, (off_t)pos) : pread(b->fd, p, chunk, (off_t)pos);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                return false;
            p += r, pos += (uint64_t)r, len -= (uint64_t)r, chunk -= (size_t)r;
        }
    }
    return len == 0;
}

static uint8_t serve(struct blk *b, struct virtq_chain *c, uint32_t *written)
{
    struct { uint32_t type, reserved; uint64_t sector; } h;
    *written = 0;
    if (virtq_chain_read(c, 0, &h, sizeof h) != sizeof h || c->write_len == 0)
        return S_IOERR;
    uint64_t data_in = c->write_len - 1;         /* the last writable byte is the status */
    uint64_t data_out = c->read_len - HEADER;
    switch (h.type) {
    case T_IN:
    case T_OUT: {
        bool out = h.type == T_OUT;
        uint64_t len = out ? data_out : data_in;
        if (out && b->readonly)
            return S_IOERR;
        if (len % SECTOR != 0 || h.sector > b->bytes / SECTOR || len > b->bytes - h.sector * SECTOR)
            return S_IOERR;
        if (!transfer(b, c, out, h.sector * SECTOR, len))
            return S_IOERR;
        *written = out ? 0 : (uint32_t)len;
        return S_OK;
    }
    case T_FLUSH:
        return fsync(b->fd) == 0 || b->readonly ? S_OK : S_IOERR;
    case T_GET_ID:
        *written = (uint32_t)virtq_chain_write(c, 0, b->id, data_in < ID_BYTES ? data_in : ID_BYTES);
        return S_OK;
    default:
        return S_UNSUPP;
    }
}

static void blk_notify(struct virtio_dev *d, unsigned queue)
{
    struct blk *b = d->ctx;
    static _Thread_local struct virtq_chain chain;
    bool any = false;
    while (virtio_pop(d, queue, &chain) > 0) {
        uint32_t written;
        uint8_t status = serve(b, &chain, &written);
        virtq_chain_write(&chain, chain.write_len - 1, &status, 1);
        virtq_push(&d->q[queue], &d->m->mem, chain.head, written + 1);
        any = true;
    }
    if (any)
        virtio_used(d, queue);
}

int virtio_blk_create(struct machine *m, const char *path, bool readonly)
{
    if (nblks >= HVRUN_MAX_DRIVES)
        return -1;
    struct blk *b = &blks[nblks];
    b->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    struct stat st;
    if (b->fd < 0 || fstat(b->fd, &st) != 0) {
        fprintf(stderr, "hvrun: -drive %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (st.st_size % SECTOR != 0)
        fprintf(stderr, "hvrun: -drive %s: the last %lld bytes are not a whole sector and stay unseen\n", path,
                (long long)(st.st_size % SECTOR));
    b->readonly = readonly;
    b->bytes = (uint64_t)st.st_size / SECTOR * SECTOR;
    b->config = (struct blk_config){.capacity = b->bytes / SECTOR, .seg_max = SEG_MAX};
    snprintf(b->id, sizeof b->id, "hvrun-vd%c", 'a' + nblks);
    b->dev = (struct virtio_dev){
        .name = "virtio-blk", .m = m, .type = TYPE_BLOCK, .class_code = CLASS_STORAGE_SCSI,
        .host_features = F_SEG_MAX | F_FLUSH | (readonly ? F_RO : 0), .nqueues = 1,
        .config = (const uint8_t *)&b->config, .config_len = sizeof b->config,
        .notify = blk_notify, .ctx = b,
    };
    if (virtio_pci_add(&b->dev) != 0) {
        close(b->fd);
        return -1;
    }
    nblks++;
    return 0;
}
