/*
 * The software TLB's layout and its hit path, shared by the MMU (mmu.c,
 * which fills and flushes it) and the engine's inline data-access fast
 * path.  A fast-path hit makes exactly the checks the full path makes on a
 * TLB hit; anything else (a miss, a page-crossing or non-canonical access,
 * a legacy-mode segment) returns NULL and the caller takes the full path,
 * which faults or fills as before.
 */
#ifndef OPENHV_EMU_TLB_H
#define OPENHV_EMU_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

#define TLB_SIZE 256u
#define TLB_KINDS 4u              /* ACC_READ, ACC_WRITE, ACC_FETCH, ACC_RMW */

/* 32 bytes, so that translated code scales a page number to its entry
 * with one shift and one mask (jit.c). */
struct tlb_entry {
    uint64_t tag;                 /* linear page, or TLB_EMPTY */
    uintptr_t addend;             /* host address minus linear address, for the page */
    uint64_t gpa;                 /* guest-physical page */
    uint64_t unused;
};

/* Not page-aligned, so no lookup's tag matches it. */
#define TLB_EMPTY 1u

/* Entries filled since the last flush, so that a flush empties just those:
 * exits flush often, and fill few entries between two flushes.  More fills
 * than this empty the whole TLB. */
#define TLB_FILL_LOG 256u

struct emu_tlb {
    /* [user][kind] so that a translation cached for one privilege or kind
     * of access never grants another; translated code keeps a pointer to
     * the current privilege's entries. */
    struct tlb_entry e[2][TLB_KINDS][TLB_SIZE];
    /* Flushes so far: whatever was derived from translations before one
     * (block links) compares it. */
    uint64_t gen;
    unsigned nfilled;             /* TLB_FILL_LOG + 1: more than it holds */
    uint16_t filled[TLB_FILL_LOG];    /* entries by index into e */
};

static inline __attribute__((always_inline)) struct tlb_entry *tlb_entry_of(struct emu_tlb *tlb, unsigned kind,
                                                                             bool user, uint64_t lin)
{
    return &tlb->e[user][kind][(lin >> 12) & (TLB_SIZE - 1)];
}

static inline __attribute__((always_inline)) uint64_t tlb_gen(const struct emu_tlb *tlb)
{
    return tlb->gen;
}

/* Store entries (ACC_WRITE, ACC_RMW) never map a code page
 * (emu_cpu.code_filter): the first store to one takes the full path, which
 * sets block_stop and makes it a data page before caching the entry, and a
 * page that becomes a code page again is dropped from them
 * (mmu_tlb_forget_stores).  So a store that hits needs no code-page check. */
void mmu_tlb_forget_stores(struct emu_tlb *tlb, uint64_t gpa_page);

static inline __attribute__((always_inline)) uint64_t tlb_tag(uint64_t lin)
{
    return lin & ~0xfffull;
}

/* A store by this vCPU to guest-physical page `gpa_page`: see
 * emu_cpu.code_filter.  The block_stop it sets cuts every link, so the
 * page is no code page until one of its blocks is compared again. */
static inline __attribute__((always_inline)) void tlb_note_store(struct emu_cpu *cpu, uint64_t gpa_page)
{
    if (__builtin_expect(emu_code_filter_has(cpu, gpa_page), 0)) {
        cpu->block_stop = true;
        emu_code_filter_del(cpu, gpa_page);
    }
}

/* Host address of a data access (kind ACC_READ, ACC_WRITE or ACC_RMW, at
 * the current CPL) of `size` bytes at seg:off that stays in one page and
 * hits the TLB; NULL otherwise.  In 64-bit mode segmentation adds the FS/GS
 * base and checks canonicality, and an access inside one page is canonical
 * when its first byte is.  Elsewhere only a usable, expand-up data segment
 * (writable for a write) whose limit covers the access is taken: the checks
 * seg_linear makes for it all pass; any other segment takes the full path,
 * which makes them and faults. */
static inline __attribute__((always_inline)) uint8_t *tlb_fast_host(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size, unsigned kind)
{
    /* Without fast_tlb (the reference engine, and the engine's test
     * harness, which stands in for the machine) every access takes the
     * full path. */
    struct emu_tlb *tlb = cpu->fast_tlb;
    if (!tlb)
        return NULL;
    uint64_t lin = off;
    if (cpu->mode == MODE_LONG) {
        if (seg >= SEG_FS)
            lin += cpu->g->seg[seg].base;
        if ((lin & 0xfff) + size > 4096 || (uint64_t)((int64_t)(lin << 16) >> 16) != lin)
            return NULL;
    } else {
        const struct vmx_segment *s = &cpu->g->seg[seg];
        uint32_t bad = AR_UNUSABLE | 0x8u | 0x4u | (kind == ACC_READ ? 0u : 0x2u);
        if (((s->ar ^ 0x2u) & bad) != 0 || off + size - 1 > s->limit)
            return NULL;
        lin = (s->base + off) & 0xffffffffull;
        if ((lin & 0xfff) + size > 4096)
            return NULL;
    }
    struct tlb_entry *e = tlb_entry_of(tlb, kind, cpu->cpl == 3, lin);
    if (e->tag != tlb_tag(lin))
        return NULL;
    return (uint8_t *)(lin + e->addend);
}

#endif
