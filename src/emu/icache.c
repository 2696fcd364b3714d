/*
 * The decoded-instruction cache.
 *
 * Direct-mapped, keyed by the guest-physical address of the first byte.  A
 * hit is trusted only if the raw bytes just fetched equal the bytes it was
 * decoded from and the decoding mode matches, so self-modifying code from
 * any writer (this vCPU, another vCPU, the host) is seen without write
 * tracking: the fetch is needed anyway for the permission checks.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

#define ICACHE_ENTRIES 4096u /* power of two */

struct icache_entry {
    uint64_t gpa;
    uint32_t gen;             /* valid only while equal to the cache's gen */
    uint8_t mode_key;
    uint8_t bytes[16];        /* the instruction's bytes, zero after len */
    struct insn insn;
};

/* A flush bumps `gen` (O(1)): the run loop flushes on every memory-map
 * change.  gen starts at 1 so zeroed entries are invalid. */
struct emu_icache {
    uint32_t gen;
    struct icache_entry e[ICACHE_ENTRIES];
};

struct emu_icache *emu_icache_create(void)
{
    struct emu_icache *ic = calloc(1, sizeof(struct emu_icache));
    if (ic)
        ic->gen = 1;
    return ic;
}

void emu_icache_destroy(struct emu_icache *ic)
{
    free(ic);
}

void emu_icache_flush(struct emu_icache *ic)
{
    if (!ic)
        return;
    if (++ic->gen == 0) { /* wrapped: really clear, once every 2^32 flushes */
        for (unsigned i = 0; i < ICACHE_ENTRIES; i++)
            ic->e[i].gen = 0;
        ic->gen = 1;
    }
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Whether the first len (1..15) bytes of a and b are equal: two 8-byte
 * compares instead of a memcmp call on the hot path. */
static bool same_bytes(const uint8_t a[16], const uint8_t b[16], unsigned len)
{
    uint64_t lo = len >= 8 ? ~0ull : (1ull << (8 * len)) - 1;
    uint64_t hi = len <= 8 ? 0 : (1ull << (8 * (len - 8))) - 1;
    return (((load64(a) ^ load64(b)) & lo) | ((load64(a + 8) ^ load64(b + 8)) & hi)) == 0;
}

static unsigned slot_of(uint64_t gpa)
{
    return (unsigned)((gpa ^ (gpa >> 12)) & (ICACHE_ENTRIES - 1));
}

const struct insn *emu_decode_at_rip(struct emu_cpu *cpu)
{
    uint8_t buf[16] = { 0 };
    uint64_t gpa;
    const uint8_t *hva;
    uint64_t rip = cpu->g->rip;
    unsigned n = emu_fetch(cpu, rip, buf, 15, &gpa, &hva);
    uint8_t key = emu_mode_key(cpu);

    struct icache_entry *ent = NULL;
    if (cpu->icache) {
        ent = &cpu->icache->e[slot_of(gpa)];
        if (ent->gen == cpu->icache->gen && ent->gpa == gpa && ent->mode_key == key && ent->insn.len <= n) {
            /* Compare with guest memory itself when 16 bytes stay inside the
             * page (reading buf right after the fetch's copy stalls on store
             * forwarding); else with the fetched copy. */
            const uint8_t *cur = hva && (gpa & HV_PAGE_MASK) <= HV_PAGE_SIZE - 16 ? hva : buf;
            if (same_bytes(ent->bytes, cur, ent->insn.len))
                return &ent->insn;
        }
    }

    struct insn tmp, *out = ent ? &ent->insn : &tmp;
    if (ent)
        ent->gen = 0; /* invalid while being rewritten */
    if (!emu_decode_bytes(cpu, buf, n, out))
        emu_fetch_fault(cpu, rip + n); /* the instruction runs into an unfetchable page */
    if (!ent) {
        /* Without a cache the result must outlive this call: keep one. */
        static _Thread_local struct insn last;
        last = tmp;
        return &last;
    }
    ent->gpa = gpa;
    memset(ent->bytes, 0, sizeof ent->bytes);
    memcpy(ent->bytes, buf, out->len);
    ent->mode_key = key;
    ent->gen = cpu->icache->gen;
    return out;
}

bool emu_decode_memo(struct emu_decode_memo *memo, const struct emu_cpu *cpu, const uint8_t *bytes,
                     unsigned avail, struct insn *out)
{
    uint8_t buf[16] = { 0 };
    if (avail > 15)
        avail = 15;
    memcpy(buf, bytes, avail);
    uint8_t key = emu_mode_key(cpu);
    for (unsigned i = 0; i < EMU_DECODE_MEMO_ENTRIES; i++) {
        const struct emu_decode_memo_entry *ent = &memo->e[i];
        if (ent->len != 0 && ent->len <= avail && ent->mode_key == key &&
            same_bytes(ent->bytes, buf, ent->len)) {
            *out = ent->insn;
            return true;
        }
    }
    if (!emu_decode_bytes(cpu, buf, avail, out))
        return false;
    struct emu_decode_memo_entry *ent = &memo->e[memo->next++ % EMU_DECODE_MEMO_ENTRIES];
    ent->mode_key = key;
    ent->len = out->len;
    memset(ent->bytes, 0, sizeof ent->bytes);
    memcpy(ent->bytes, buf, out->len);
    ent->insn = *out;
    return true;
}
