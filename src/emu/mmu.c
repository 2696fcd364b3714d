/*
 * Paging, the software TLB and guest-physical access through the memory map.
 *
 * Every guest-physical access, page-table reads included, goes through the
 * VM's memory map and becomes an EPT-violation exit when the GPA is unmapped
 * or its mapping forbids the access, as it would under EPT.
 */
#include <stdlib.h>
#include <string.h>

#include "machine_internal.h"
#include "tlb.h"

static void tlb_empty_all(struct emu_tlb *tlb)
{
    struct tlb_entry *e = &tlb->e[0][0][0];
    for (size_t i = 0; i < sizeof(tlb->e) / sizeof(*e); i++)
        e[i].tag = TLB_EMPTY;
    tlb->nfilled = 0;
}

struct emu_tlb *mmu_tlb_create(void)
{
    struct emu_tlb *tlb = calloc(1, sizeof(struct emu_tlb));
    if (tlb)
        tlb_empty_all(tlb);
    return tlb;
}

void mmu_tlb_destroy(struct emu_tlb *tlb)
{
    free(tlb);
}

void mmu_tlb_flush(struct emu_tlb *tlb)
{
    if (tlb->nfilled > TLB_FILL_LOG) {
        tlb_empty_all(tlb);
    } else {
        struct tlb_entry *e = &tlb->e[0][0][0];
        for (unsigned i = 0; i < tlb->nfilled; i++)
            e[tlb->filled[i]].tag = TLB_EMPTY;
        tlb->nfilled = 0;
    }
    tlb->gen++;
}

void mmu_tlb_flush_page(struct emu_tlb *tlb, uint64_t lin)
{
    /* Entries do not record the size of the page they came from, so this
     * drops every entry in the same 1 GiB (no page is larger) among those
     * filled since the last flush, which are all the non-empty ones. */
    if (tlb->nfilled > TLB_FILL_LOG) {
        mmu_tlb_flush(tlb);
        return;
    }
    struct tlb_entry *e = &tlb->e[0][0][0];
    for (unsigned i = 0; i < tlb->nfilled; i++)
        if (((e[tlb->filled[i]].tag ^ lin) >> 30) == 0)
            e[tlb->filled[i]].tag = TLB_EMPTY;
}

uint64_t mmu_lin_mask(const struct emu_cpu *cpu)
{
    return (cpu->g->efer & EFER_LMA) ? ~0ull : 0xffffffffull;
}

static uint32_t prot_needed(unsigned kind)
{
    switch (kind & 3u) {
    case ACC_READ: return HV_MEMORY_READ;
    case ACC_WRITE: return HV_MEMORY_WRITE;
    case ACC_FETCH: return HV_MEMORY_EXEC;
    default: return HV_MEMORY_READ | HV_MEMORY_WRITE;
    }
}

static const struct gpa_range *gpa_lookup(struct emu_cpu *cpu, uint64_t gpa)
{
    if (gpa >= HV_GPA_LIMIT)
        return NULL;
    return memmap_lookup(&cpu->vm->space[cpu->vcpu->space], gpa);
}

uint8_t *mmu_gpa_host(struct emu_cpu *cpu, uint64_t gpa, unsigned size, uint32_t prot)
{
    const struct gpa_range *r = gpa_lookup(cpu, gpa);
    if (!r || (r->prot & prot) != prot || gpa + size > r->gpa + r->size)
        return NULL;
    return r->hva + (gpa - r->gpa);
}

/* Host address of a guest-physical access, or an EPT-violation exit. */
static uint8_t *gpa_access(struct emu_cpu *cpu, uint64_t gpa, unsigned size, unsigned kind,
                           uint64_t lin, bool lin_valid, bool final)
{
    const struct gpa_range *r = gpa_lookup(cpu, gpa);
    uint32_t need = prot_needed(kind);
    if (!r || (r->prot & need) != need)
        vmexit_ept_violation(cpu, gpa, lin, lin_valid, final, kind, r ? r->prot : 0);
    (void)size;
    return r->hva + (gpa - r->gpa);
}

_Noreturn static void page_fault(struct emu_cpu *cpu, uint64_t lin, uint32_t err)
{
    struct emu_event ev = {
        .valid = true, .vector = EXC_PF, .type = EV_HW_EXC, .has_error = true,
        .error = err, .set_cr2 = true, .cr2 = lin,
    };
    except_raise_event(cpu, ev);
}

enum { PTE_P = 1u << 0, PTE_W = 1u << 1, PTE_U = 1u << 2, PTE_A = 1u << 5, PTE_D = 1u << 6, PTE_PS = 1u << 7 };
#define PTE_NX (1ull << 63)
enum { PFERR_P = 1u, PFERR_W = 2u, PFERR_U = 4u, PFERR_RSVD = 8u, PFERR_I = 16u };

struct walk {
    unsigned n;                   /* entries used */
    uint8_t *ent[4];
    uint64_t gpa_of[4];
    bool wide;                    /* 8-byte entries */
    bool user, writable, nx;
};

static uint64_t read_entry(struct emu_cpu *cpu, struct walk *w, uint64_t gpa, uint64_t lin)
{
    unsigned width = w->wide ? 8 : 4;
    uint8_t *p = gpa_access(cpu, gpa, width, ACC_READ, lin, true, false);
    w->ent[w->n] = p;
    w->gpa_of[w->n] = gpa;
    w->n++;
    if (w->wide)
        return __atomic_load_n((uint64_t *)(void *)p, __ATOMIC_RELAXED);
    return __atomic_load_n((uint32_t *)(void *)p, __ATOMIC_RELAXED);
}

/* Set A (and D on the leaf for writes): hardware does it with a locked
 * operation, and under EPT it is a write to the page-table page. */
static void set_ad(struct emu_cpu *cpu, struct walk *w, unsigned i, uint64_t bits, uint64_t lin)
{
    uint8_t *p = w->ent[i];
    if (w->wide) {
        uint64_t cur = __atomic_load_n((uint64_t *)(void *)p, __ATOMIC_RELAXED);
        if ((cur & bits) == bits)
            return;
        if (!mmu_gpa_host(cpu, w->gpa_of[i], 8, HV_MEMORY_WRITE))
            vmexit_ept_violation(cpu, w->gpa_of[i], lin, true, false, ACC_WRITE,
                                 gpa_lookup(cpu, w->gpa_of[i]) ? gpa_lookup(cpu, w->gpa_of[i])->prot : 0);
        __atomic_fetch_or((uint64_t *)(void *)p, bits, __ATOMIC_SEQ_CST);
        tlb_note_store(cpu, w->gpa_of[i] & ~0xfffull);
    } else {
        uint32_t cur = __atomic_load_n((uint32_t *)(void *)p, __ATOMIC_RELAXED);
        if ((cur & bits) == bits)
            return;
        if (!mmu_gpa_host(cpu, w->gpa_of[i], 4, HV_MEMORY_WRITE))
            vmexit_ept_violation(cpu, w->gpa_of[i], lin, true, false, ACC_WRITE,
                                 gpa_lookup(cpu, w->gpa_of[i]) ? gpa_lookup(cpu, w->gpa_of[i])->prot : 0);
        __atomic_fetch_or((uint32_t *)(void *)p, (uint32_t)bits, __ATOMIC_SEQ_CST);
        tlb_note_store(cpu, w->gpa_of[i] & ~0xfffull);
    }
}

static void note_entry(struct walk *w, uint64_t e)
{
    w->user = w->user && (e & PTE_U);
    w->writable = w->writable && (e & PTE_W);
    w->nx = w->nx || (w->wide && (e & PTE_NX));
}

/* Reserved bits of an 8-byte entry: address bits above MAXPHYADDR, and XD
 * when EFER.NXE is clear. */
static uint64_t rsvd_wide(const struct emu_cpu *cpu)
{
    uint64_t r = ((1ull << 52) - 1) & ~EMU_PA_MASK;
    if (!(cpu->g->efer & EFER_NXE))
        r |= PTE_NX;
    return r;
}

/* Reserved bits of a PAE PDPTE: 2:1, 8:5, 63 and those above MAXPHYADDR. */
#define PDPTE_RSVD ((((1ull << 52) - 1) & ~EMU_PA_MASK) | PTE_NX | 0x1e6ull)

bool mmu_load_pdptes(struct emu_cpu *cpu)
{
    struct vmcs_guest *g = cpu->g;
    uint64_t gpa = g->cr3 & 0xffffffe0ull;
    uint64_t e[4];
    const uint8_t *p = gpa_access(cpu, gpa, 32, ACC_READ, 0, false, false);
    memcpy(e, p, sizeof(e));
    for (unsigned i = 0; i < 4; i++)
        if ((e[i] & PTE_P) && (e[i] & PDPTE_RSVD))
            return false;
    memcpy(g->pdpte, e, sizeof(e));
    return true;
}

uint64_t mmu_translate(struct emu_cpu *cpu, uint64_t lin, unsigned kind)
{
    struct vmcs_guest *g = cpu->g;
    if (!(g->cr0 & CR0_PG))
        return lin & 0xffffffffull;

    unsigned acc = kind & 3u;
    bool write = acc == ACC_WRITE || acc == ACC_RMW;
    bool fetch = acc == ACC_FETCH;
    bool user = !(kind & ACC_SUPERVISOR) && cpu->cpl == 3;
    bool nxe = g->efer & EFER_NXE;
    uint32_t err = (write ? PFERR_W : 0) | (user ? PFERR_U : 0);
    if (fetch && (nxe || (g->cr4 & CR4_SMEP)) && (g->cr4 & CR4_PAE))
        err |= PFERR_I;

    struct walk w = { .user = true, .writable = true };
    uint64_t gpa, page_mask;

    if (g->efer & EFER_LMA) {
        w.wide = true;
        uint64_t rsvd = rsvd_wide(cpu);
        uint64_t table = g->cr3 & EMU_PA_MASK & ~0xfffull;
        for (int level = 4;; level--) {
            unsigned shift = 12 + 9 * (unsigned)(level - 1);
            uint64_t e = read_entry(cpu, &w, table + ((lin >> shift) & 511) * 8, lin);
            if (!(e & PTE_P))
                page_fault(cpu, lin, err);
            uint64_t r = rsvd;
            if (level == 4)
                r |= PTE_PS;
            bool leaf = level == 1 || (level <= 3 && (e & PTE_PS));
            if (leaf && level > 1)
                r |= ((1ull << shift) - 1) & ~0x1fffull;   /* large-frame alignment, PAT at bit 12 */
            if (e & r)
                page_fault(cpu, lin, err | PFERR_P | PFERR_RSVD);
            note_entry(&w, e);
            if (leaf) {
                page_mask = (1ull << shift) - 1;
                gpa = (e & EMU_PA_MASK & ~page_mask) | (lin & page_mask);
                break;
            }
            table = e & EMU_PA_MASK & ~0xfffull;
        }
    } else if (g->cr4 & CR4_PAE) {
        w.wide = true;
        uint64_t rsvd = rsvd_wide(cpu);
        /* As under EPT, the four PDPTEs are registers (g->pdpte), loaded
         * by VM entry from the VMCS and by MOV CR3 / paging-mode changes
         * from memory (mmu_load_pdptes). */
        uint64_t pdpte = g->pdpte[(lin >> 30) & 3];
        if (!(pdpte & PTE_P))
            page_fault(cpu, lin, err);
        if (pdpte & PDPTE_RSVD)
            page_fault(cpu, lin, err | PFERR_P | PFERR_RSVD);
        uint64_t table = pdpte & EMU_PA_MASK & ~0xfffull;
        for (int level = 2;; level--) {
            unsigned shift = 12 + 9 * (unsigned)(level - 1);
            uint64_t e = read_entry(cpu, &w, table + ((lin >> shift) & 511) * 8, lin);
            if (!(e & PTE_P))
                page_fault(cpu, lin, err);
            uint64_t r = rsvd;
            bool leaf = level == 1 || (e & PTE_PS);
            if (leaf && level > 1)
                r |= ((1ull << shift) - 1) & ~0x1fffull;
            if (e & r)
                page_fault(cpu, lin, err | PFERR_P | PFERR_RSVD);
            note_entry(&w, e);
            if (leaf) {
                page_mask = (1ull << shift) - 1;
                gpa = (e & EMU_PA_MASK & ~page_mask) | (lin & page_mask);
                break;
            }
            table = e & EMU_PA_MASK & ~0xfffull;
        }
    } else {
        uint64_t pde = read_entry(cpu, &w, (g->cr3 & 0xfffff000ull) + ((lin >> 22) & 1023) * 4, lin);
        if (!(pde & PTE_P))
            page_fault(cpu, lin, err);
        note_entry(&w, pde);
        if ((pde & PTE_PS) && (g->cr4 & CR4_PSE)) {
            /* 4 MiB page; bits 20:13 hold physical bits 39:32 (PSE-36). */
            unsigned hi_bits = EMU_MAXPHYADDR - 32;
            uint64_t rsvd = (1ull << 21) | (((1ull << 8) - 1) << (13 + hi_bits) & 0x1fe000ull);
            if (pde & rsvd)
                page_fault(cpu, lin, err | PFERR_P | PFERR_RSVD);
            page_mask = (1ull << 22) - 1;
            gpa = (pde & 0xffc00000ull) | (((pde >> 13) & 0xff) << 32) | (lin & page_mask);
        } else {
            uint64_t pte = read_entry(cpu, &w, (pde & 0xfffff000ull) + ((lin >> 12) & 1023) * 4, lin);
            if (!(pte & PTE_P))
                page_fault(cpu, lin, err);
            note_entry(&w, pte);
            page_mask = 0xfff;
            gpa = (pte & 0xfffff000ull) | (lin & page_mask);
        }
    }

    /* Permission checks, combined over the levels. */
    bool ok = true;
    if (user) {
        if (!w.user || (write && !w.writable) || (fetch && w.nx))
            ok = false;
    } else {
        if (write && !w.writable && (g->cr0 & CR0_WP))
            ok = false;
        if (fetch && w.nx)
            ok = false;
        if (fetch && w.user && (g->cr4 & CR4_SMEP))
            ok = false;
    }
    if (!ok)
        page_fault(cpu, lin, err | PFERR_P);

    for (unsigned i = 0; i < w.n; i++)
        set_ad(cpu, &w, i, (i + 1 == w.n && write) ? (PTE_A | PTE_D) : PTE_A, lin);
    return gpa;
}

static __attribute__((noinline)) uint8_t *tlb_fill(struct emu_cpu *cpu, struct tlb_entry *e, uint64_t lin,
                                                    unsigned size, unsigned kind)
{
    uint64_t gpa = mmu_translate(cpu, lin, kind);
    if (__builtin_expect(cpu->vcpu->emu_lapic != NULL, 0)) {
        uint8_t *dev = emu_irq_mmio(cpu, gpa, size, kind);
        if (dev)
            return dev;     /* a device register: never cached */
    }
    uint8_t *host = gpa_access(cpu, gpa, size, kind & 3u, lin, true, true);
    if ((kind & 3u) == ACC_WRITE || (kind & 3u) == ACC_RMW)
        tlb_note_store(cpu, gpa & ~0xfffull);
    struct emu_tlb *tlb = cpu->tlb;
    if (e->tag == TLB_EMPTY && tlb->nfilled <= TLB_FILL_LOG) {
        if (tlb->nfilled < TLB_FILL_LOG)
            tlb->filled[tlb->nfilled] = (uint16_t)(e - &tlb->e[0][0][0]);
        tlb->nfilled++;
    }
    e->tag = tlb_tag(lin);
    e->addend = (uintptr_t)host - lin;
    e->gpa = gpa & ~0xfffull;
    return host;
}

void mmu_tlb_forget_stores(struct emu_tlb *tlb, uint64_t gpa_page)
{
    static const unsigned kinds[] = { ACC_WRITE, ACC_RMW };
    for (unsigned k = 0; k < 2; k++)
        for (unsigned u = 0; u < 2; u++)
            for (unsigned i = 0; i < TLB_SIZE; i++) {
                struct tlb_entry *e = &tlb->e[u][kinds[k]][i];
                if (e->gpa == gpa_page)
                    e->tag = TLB_EMPTY;
            }
}

/* The hit path is small enough to inline into every accessor. */
static inline uint8_t *tlb_host(struct emu_cpu *cpu, uint64_t lin, unsigned size, unsigned kind)
{
    unsigned user = !(kind & ACC_SUPERVISOR) && cpu->cpl == 3;
    struct tlb_entry *e = tlb_entry_of(cpu->tlb, kind & 3u, user, lin);
    uint8_t *host;
    if (__builtin_expect(e->tag == tlb_tag(lin), 1))
        host = (uint8_t *)(lin + e->addend);
    else
        host = tlb_fill(cpu, e, lin, size, kind);
    return host;
}

uint8_t *mmu_host(struct emu_cpu *cpu, uint64_t lin, unsigned size, unsigned kind)
{
    return tlb_host(cpu, lin, size, kind);
}

void mmu_lin_read(struct emu_cpu *cpu, uint64_t lin, void *buf, unsigned size, unsigned kind)
{
    uint8_t *out = buf;
    uint64_t mask = mmu_lin_mask(cpu);
    while (size) {
        lin &= mask;
        unsigned chunk = 4096 - (unsigned)(lin & 0xfff);
        if (chunk > size)
            chunk = size;
        memcpy(out, mmu_host(cpu, lin, chunk, kind), chunk);
        out += chunk;
        lin += chunk;
        size -= chunk;
    }
}

void mmu_lin_write(struct emu_cpu *cpu, uint64_t lin, const void *buf, unsigned size, unsigned kind)
{
    uint64_t mask = mmu_lin_mask(cpu);
    /* First make sure every page translates, so a fault on the second page
     * leaves the first one unwritten. */
    for (uint64_t a = lin, left = size; left;) {
        a &= mask;
        unsigned chunk = 4096 - (unsigned)(a & 0xfff);
        if (chunk > left)
            chunk = (unsigned)left;
        (void)mmu_host(cpu, a, chunk, kind);
        a += chunk;
        left -= chunk;
    }
    const uint8_t *in = buf;
    while (size) {
        lin &= mask;
        unsigned chunk = 4096 - (unsigned)(lin & 0xfff);
        if (chunk > size)
            chunk = size;
        memcpy(mmu_host(cpu, lin, chunk, kind), in, chunk);
        if (__builtin_expect(emu_vcpu_of(cpu)->mmio_write, 0))
            emu_irq_mmio_done(cpu);
        in += chunk;
        lin += chunk;
        size -= chunk;
    }
}

uint64_t mmu_lin_read_u(struct emu_cpu *cpu, uint64_t lin, unsigned size, unsigned kind)
{
    uint64_t v = 0;
    mmu_lin_read(cpu, lin, &v, size, kind);
    return v;
}

void mmu_lin_write_u(struct emu_cpu *cpu, uint64_t lin, unsigned size, uint64_t val, unsigned kind)
{
    mmu_lin_write(cpu, lin, &val, size, kind);
}

/* ---- The engine's memory interface --------------------------------- */

/* A read whose permission checks and EPT qualification are those of `kind`
 * (a plain read, or the read half of a read-modify-write). */
static inline uint64_t read_as(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size, unsigned kind)
{
    uint64_t lin = seg_linear(cpu, seg, off, size, kind);
    uint64_t v = 0;
    if ((lin & 0xfff) + size <= 4096)
        memcpy(&v, tlb_host(cpu, lin, size, kind), size);
    else
        mmu_lin_read(cpu, lin, &v, size, kind);
    return v;
}

uint64_t emu_read(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    return read_as(cpu, seg, off, size, ACC_READ);
}

uint64_t emu_read_rmw(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    return read_as(cpu, seg, off, size, ACC_RMW);
}

void emu_write(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size, uint64_t val)
{
    uint64_t lin = seg_linear(cpu, seg, off, size, ACC_WRITE);
    if ((lin & 0xfff) + size <= 4096) {
        memcpy(tlb_host(cpu, lin, size, ACC_WRITE), &val, size);
        if (__builtin_expect(emu_vcpu_of(cpu)->mmio_write, 0))
            emu_irq_mmio_done(cpu);
    } else {
        mmu_lin_write(cpu, lin, &val, size, ACC_WRITE);
    }
}

void emu_read_bytes(struct emu_cpu *cpu, int seg, uint64_t off, void *buf, unsigned size)
{
    if (!size)
        return;
    uint64_t lin = seg_linear(cpu, seg, off, size, ACC_READ);
    mmu_lin_read(cpu, lin, buf, size, ACC_READ);
}

void emu_write_bytes(struct emu_cpu *cpu, int seg, uint64_t off, const void *buf, unsigned size)
{
    if (!size)
        return;
    uint64_t lin = seg_linear(cpu, seg, off, size, ACC_WRITE);
    mmu_lin_write(cpu, lin, buf, size, ACC_WRITE);
}

void *emu_rmw_ptr(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    uint64_t lin = seg_linear(cpu, seg, off, size, ACC_RMW);
    if ((lin & 0xfff) + size > 4096)
        return NULL;
    struct emu_vcpu *m = emu_vcpu_of(cpu);
    m->mmio_hit = false;
    void *p = mmu_host(cpu, lin, size, ACC_RMW);
    /* A device register is read and written through emu_read/emu_write. */
    return m->mmio_hit ? NULL : p;
}

/* Whether lin translates for a fetch, without taking its fault: the fault
 * belongs to a later instruction boundary (or never happens). */
static __attribute__((noinline)) bool probe_fetch(struct emu_cpu *cpu, uint64_t lin)
{
    struct emu_vcpu *m = emu_vcpu_of(cpu);
    jmp_buf saved;
    memcpy(saved, cpu->abort, sizeof(saved));
    struct emu_event pend = m->pending;
    struct vmcs_exit ex = cpu->vmcs->exit;
    volatile bool ok = false;
    if (setjmp(cpu->abort) == 0) {
        (void)mmu_host(cpu, lin, 1, ACC_FETCH);
        ok = true;
    }
    memcpy(cpu->abort, saved, sizeof(saved));
    m->pending = pend;
    cpu->vmcs->exit = ex;
    return ok;
}

unsigned emu_fetch(struct emu_cpu *cpu, uint64_t rip, uint8_t *buf, unsigned want,
                   uint64_t *gpa, const uint8_t **hva)
{
    /* The first byte must be fetchable: this faults if it is not. */
    uint64_t lin = seg_linear(cpu, SEG_CS, rip, 1, ACC_FETCH);
    const uint8_t *p = tlb_host(cpu, lin, 1, ACC_FETCH);
    unsigned user = cpu->cpl == 3;
    const struct tlb_entry *e = tlb_entry_of(cpu->tlb, ACC_FETCH, user, lin);
    if (gpa)
        *gpa = e->gpa | (lin & 0xfff);
    if (hva)
        *hva = p;

    /* How many bytes the CS limit allows. */
    unsigned n = want;
    if (cpu->mode != MODE_LONG) {
        uint64_t room = (uint64_t)cpu->g->seg[SEG_CS].limit - rip + 1;
        if (rip > cpu->g->seg[SEG_CS].limit)
            room = 0;
        if (room < n)
            n = (unsigned)room;
        if (n == 0)
            n = 1;
    }
    unsigned in_page = 4096 - (unsigned)(lin & 0xfff);
    unsigned first = n < in_page ? n : in_page;
    if (first == 15)
        memcpy(buf, p, 15);     /* the common case, as fixed-size moves */
    else
        memcpy(buf, p, first);
    if (first == n)
        return n;
    /* The rest from the next page, only if it translates without a fault:
     * probe with a private abort so a fault here is not taken yet. */
    uint64_t lin2 = (lin + first) & mmu_lin_mask(cpu);
    if (cpu->mode == MODE_LONG && !emu_canonical(lin2))
        return first;
    unsigned user_idx = user;
    const struct tlb_entry *e2 = tlb_entry_of(cpu->tlb, ACC_FETCH, user_idx, lin2);
    if (e2->tag != tlb_tag(lin2) && !probe_fetch(cpu, lin2))
        return first;
    memcpy(buf + first, (const uint8_t *)(lin2 + e2->addend), n - first);
    return n;
}

const uint8_t *emu_fetch_block(struct emu_cpu *cpu, uint64_t rip, uint64_t *gpa, unsigned *room)
{
    uint64_t lin = seg_linear(cpu, SEG_CS, rip, 1, ACC_FETCH);
    const uint8_t *p = tlb_host(cpu, lin, 1, ACC_FETCH);
    const struct tlb_entry *e = tlb_entry_of(cpu->tlb, ACC_FETCH, cpu->cpl == 3, lin);
    *gpa = e->gpa | (lin & 0xfff);
    uint64_t n = 4096 - (lin & 0xfff);
    if (cpu->mode != MODE_LONG) {
        uint64_t limit = cpu->g->seg[SEG_CS].limit;
        uint64_t wrap = cpu->def_opsize == 2 ? 0x10000ull : 0x100000000ull;
        uint64_t in_limit = rip > limit ? 0 : limit - rip + 1;
        uint64_t before_wrap = rip >= wrap - 1 ? 0 : wrap - 1 - rip;
        if (in_limit < n)
            n = in_limit;
        if (before_wrap < n)
            n = before_wrap;
    }
    *room = (unsigned)n;
    return p;
}

_Noreturn void emu_fetch_fault(struct emu_cpu *cpu, uint64_t rip)
{
    uint64_t lin = seg_linear(cpu, SEG_CS, rip, 1, ACC_FETCH);
    (void)mmu_host(cpu, lin, 1, ACC_FETCH);
    /* The byte is fetchable after all (the guest changed memory): report a
     * #GP rather than loop. */
    emu_raise(cpu, EXC_GP, true, 0);
}
