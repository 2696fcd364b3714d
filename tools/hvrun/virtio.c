/*
 * The split virtqueue, read from guest RAM that the driver may change at
 * any moment: every index, address and length is copied out once and then
 * checked before it is used, so that no driver can make hvrun touch memory
 * outside guest RAM, loop forever on a descriptor chain or read past a
 * ring.  Indirect descriptors are not offered and are refused.
 */
#include "virtio.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Ring layout (virtio 1.x, 2.7): 16-byte descriptors; the available ring
 * (flags, idx, ring[num], used_event); the used ring (flags, idx,
 * ring[num] of {id, len}, avail_event). */
enum { DESC_SIZE = 16, RING_HEADER = 4, USED_ELEM = 8 };

static uint64_t avail_bytes(uint16_t num) { return RING_HEADER + 2ull * num + 2; }
static uint64_t used_bytes(uint16_t num) { return RING_HEADER + (uint64_t)USED_ELEM * num + 2; }

static void say(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

bool virtq_set_legacy(struct virtq *q, const struct guest *g, uint64_t pfn, uint16_t num, char *err,
                      size_t errlen)
{
    *q = (struct virtq){0};
    uint64_t desc = pfn * VIRTQ_ALIGN;
    uint64_t avail = desc + (uint64_t)DESC_SIZE * num;
    uint64_t used = (avail + avail_bytes(num) + VIRTQ_ALIGN - 1) & ~(uint64_t)(VIRTQ_ALIGN - 1);
    if (num == 0 || (num & (num - 1)) || pfn > (UINT64_MAX >> 13) ||
        hvrun_gpa_ptr(g, desc, used + used_bytes(num) - desc) == NULL) {
        say(err, errlen, "ring at 0x%llx (%u entries) is not in guest RAM", (unsigned long long)desc, num);
        return false;
    }
    q->num = num, q->desc = desc, q->avail = avail, q->used = used;
    return true;
}

static uint16_t load16(const struct guest *g, uint64_t gpa)
{
    return __atomic_load_n((const uint16_t *)(g->ram + gpa), __ATOMIC_ACQUIRE);
}

int virtq_pop(struct virtq *q, const struct guest *g, struct virtq_chain *c, char *err, size_t errlen)
{
    if (q->num == 0 || q->broken)
        return 0;
    uint16_t avail_idx = load16(g, q->avail + 2);
    uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
    if (pending == 0)
        return 0;
    if (pending > q->num) {
        say(err, errlen, "available index %u is %u entries ahead of %u (queue size %u)", avail_idx, pending,
            q->last_avail, q->num);
        goto broken;
    }
    uint16_t head = load16(g, q->avail + RING_HEADER + 2ull * (q->last_avail % q->num));
    if (head >= q->num) {
        say(err, errlen, "available ring entry %u names descriptor %u (queue size %u)", q->last_avail, head, q->num);
        goto broken;
    }
    *c = (struct virtq_chain){.head = head};
    uint16_t i = head;
    for (unsigned n = 0;; n++) {
        /* Every descriptor can be in a chain once: more means a loop. */
        if (n == q->num) {
            say(err, errlen, "descriptor chain from %u loops (more than %u descriptors)", head, q->num);
            goto broken;
        }
        struct { uint64_t addr; uint32_t len; uint16_t flags, next; } d;
        memcpy(&d, g->ram + q->desc + (uint64_t)DESC_SIZE * i, sizeof d);
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            say(err, errlen, "descriptor %u is indirect, which was not negotiated", i);
            goto broken;
        }
        uint8_t *host = hvrun_gpa_ptr(g, d.addr, d.len);
        if (host == NULL) {
            say(err, errlen, "descriptor %u: buffer 0x%llx+0x%x is not in guest RAM", i,
                (unsigned long long)d.addr, d.len);
            goto broken;
        }
        bool write = d.flags & VIRTQ_DESC_F_WRITE;
        if (!write && c->nwrite != 0) {
            say(err, errlen, "descriptor %u: a device-readable buffer after a writable one", i);
            goto broken;
        }
        c->buf[c->nread + c->nwrite] = (struct virtq_buf){.host = host, .len = d.len};
        if (write)
            c->nwrite++, c->write_len += d.len;
        else
            c->nread++, c->read_len += d.len;
        if (!(d.flags & VIRTQ_DESC_F_NEXT))
            break;
        if (d.next >= q->num) {
            say(err, errlen, "descriptor %u: next %u is outside the table (queue size %u)", i, d.next, q->num);
            goto broken;
        }
        i = d.next;
    }
    q->last_avail++;
    return 1;
broken:
    q->broken = true;
    return -1;
}

void virtq_push(struct virtq *q, const struct guest *g, uint16_t head, uint32_t written)
{
    uint16_t idx = q->used_idx++;
    uint8_t *elem = g->ram + q->used + RING_HEADER + (uint64_t)USED_ELEM * (idx % q->num);
    uint32_t id = head;
    memcpy(elem, &id, 4);
    memcpy(elem + 4, &written, 4);
    /* The element must be visible before the index that publishes it. */
    __atomic_store_n((uint16_t *)(g->ram + q->used + 2), (uint16_t)(idx + 1), __ATOMIC_RELEASE);
}

bool virtq_wants_interrupt(const struct virtq *q, const struct guest *g)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return !(load16(g, q->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/* Walks n buffers from `first`, copying at a byte offset into them. */
static size_t copy_bufs(struct virtq_buf *b, unsigned n, uint64_t offset, uint8_t *mem, size_t len, bool into)
{
    size_t done = 0;
    for (unsigned i = 0; i < n && done < len; i++) {
        if (offset >= b[i].len) {
            offset -= b[i].len;
            continue;
        }
        size_t chunk = b[i].len - offset;
        if (chunk > len - done)
            chunk = len - done;
        if (into)
            memcpy(b[i].host + offset, mem + done, chunk);
        else
            memcpy(mem + done, b[i].host + offset, chunk);
        done += chunk;
        offset = 0;
    }
    return done;
}

size_t virtq_chain_read(const struct virtq_chain *c, uint64_t offset, void *dst, size_t len)
{
    return copy_bufs((struct virtq_buf *)c->buf, c->nread, offset, dst, len, false);
}

size_t virtq_chain_write(struct virtq_chain *c, uint64_t offset, const void *src, size_t len)
{
    return copy_bufs(c->buf + c->nread, c->nwrite, offset, (uint8_t *)src, len, true);
}
