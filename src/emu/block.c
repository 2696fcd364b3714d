/*
 * The block engine: runs of decoded instructions, looked up once per run
 * instead of once per instruction.
 *
 * A block is the decoded instructions from one guest-physical address up to
 * the first control transfer, POPF, string instruction, the end of the
 * page (or of the CS limit / 16-bit wrap), or BLOCK_MAX_INSNS.  It is keyed
 * by the guest-physical address of its first byte and the decoding mode,
 * and keeps the bytes it was decoded from.  Instructions the machine
 * executes (emu_sys: I/O, MSRs, control registers, segment loads, STI,
 * far transfers, ...) and instructions that raise #UD/#GP at decode never
 * enter a block: the run loop's per-instruction step runs them, so mode
 * changes, interrupt shadows and VM exits of system instructions keep the
 * reference path's code.  The few of emu_sys_inline (RDTSC, PAUSE, CLI,
 * MOV from a segment register) need none of that and run in blocks.
 *
 * Entering a block costs the same checks the reference fetch makes for the
 * first byte (segment limit, paging, EPT execute permission, through the
 * fetch TLB); every later instruction lies in the same page and inside the
 * same limit, so those checks hold for it too.
 *
 * Self-modifying code:
 *   - Entering a block compares its bytes with guest memory (one compare
 *     per block, not per instruction): code written by anyone (another
 *     vCPU, the host through its mapping, DMA by a device model) is seen at
 *     the next block boundary, which is an instruction boundary.  Intel
 *     requires cross-modifying code to synchronise anyway.
 *   - A store by this vCPU to the page of the running block (any write
 *     path of the MMU, A/D updates included) sets cpu->block_stop, so the
 *     block ends after the storing instruction and the next entry sees the
 *     new bytes, exactly as the per-instruction path would.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "block.h"
#include "jit.h"
#include "tlb.h"

/* Arena chunks; the whole cache is dropped when they pass the limit (a
 * guest whose code outgrows it is translated again, as after a flush). */
#define ARENA_CHUNK (1u << 20)
#define ARENA_LIMIT (48u << 20)

struct arena_chunk {
    struct arena_chunk *prev;
    size_t used;
    _Alignas(16) uint8_t mem[];
};

struct emu_blocks {
    struct emu_jit *jit;      /* NULL: blocks run on the loop below */
    uint32_t chain_gen;
    /* What the links depend on, as it was when the last call of
     * emu_block_run ended (see chain_still_valid). */
    uint64_t chain_tlb_gen, chain_sys_insns;
    uint8_t chain_mode_key, chain_cpl;
    unsigned chain_age;       /* instructions run since the links were cut */
    /* The 1 GiB regions (a bit per linear address bits 35:30) of the RIPs
     * looked up in chain generation code_regions_gen: those that links and
     * the jump cache may lead to (emu_blocks_code_near). */
    uint64_t code_regions;
    uint32_t code_regions_gen;
    /* The last block the previous call ran, and by which link it left:
     * the next call starts by following that link. */
    struct block *last;
    unsigned last_way;
    struct arena_chunk *arena;
    size_t arena_bytes;
    bool dropped;             /* the cache was dropped during this call */
    bool jcache_used;         /* an entry was filled since it was last emptied */
    struct jcache_entry jcache[JCACHE_SIZE];
    struct block *bucket[BLOCK_BUCKETS];
    struct block scratch;     /* where translate decodes; must stay last */
    struct insn scratch_insn[BLOCK_MAX_INSNS];
};

struct emu_blocks *emu_blocks_create(void)
{
    struct emu_blocks *bc = calloc(1, sizeof(*bc));
    if (bc) {
        bc->chain_gen = 1;
        bc->jit = emu_jit_create();
    }
    return bc;
}

static void free_arena(struct emu_blocks *bc)
{
    while (bc->arena) {
        struct arena_chunk *c = bc->arena;
        bc->arena = c->prev;
        free(c);
    }
    bc->arena_bytes = 0;
}

void emu_blocks_destroy(struct emu_blocks *bc)
{
    if (!bc)
        return;
    free_arena(bc);
    emu_jit_destroy(bc->jit);
    free(bc);
}

/* Forget every block and its code.  Only between blocks: nothing may be
 * running from the arena or the code buffer. */
static void drop_all(struct emu_cpu *cpu, struct emu_blocks *bc)
{
    memset(cpu->code_filter, 0, sizeof(cpu->code_filter));
    memset(bc->bucket, 0, sizeof(bc->bucket));
    /* Entries of an earlier generation are hints that get followed
     * (revalidate): none may name a freed block.  Only if any was filled:
     * the first touch of its pages costs more than a vCPU's start. */
    if (bc->jcache_used) {
        memset(bc->jcache, 0, sizeof(bc->jcache));
        bc->jcache_used = false;
    }
    free_arena(bc);
    if (bc->jit)
        emu_jit_reset(bc->jit);
    bc->chain_gen++;
    bc->last = NULL;
    bc->dropped = true;
}

void emu_blocks_flush(struct emu_cpu *cpu)
{
    if (cpu->blocks)
        drop_all(cpu, cpu->blocks);
}

static void *arena_alloc(struct emu_blocks *bc, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    struct arena_chunk *c = bc->arena;
    if (!c || c->used + size > ARENA_CHUNK) {
        c = malloc(sizeof(*c) + ARENA_CHUNK);
        if (!c)
            return NULL;
        c->prev = bc->arena;
        c->used = 0;
        bc->arena = c;
        bc->arena_bytes += ARENA_CHUNK;
    }
    void *p = c->mem + c->used;
    c->used += size;
    return p;
}

static unsigned bucket_of(uint64_t gpa)
{
    return (unsigned)((gpa * 0x9e3779b97f4a7c15ull) >> 32) & (BLOCK_BUCKETS - 1);
}

/* Handlers that only the step path runs. */
static bool step_only(emu_handler h)
{
    return h == emu_sys || h == exec_ud || h == exec_gp_too_long;
}

/* Handlers after which a block ends: they may change RIP, RFLAGS.TF/IF, or
 * restart themselves (REP). */
static bool ends_block(emu_handler h)
{
#define CC_END(name)                                                                          \
    h == name##_0 || h == name##_1 || h == name##_2 || h == name##_3 || h == name##_4 ||      \
        h == name##_5 || h == name##_6 || h == name##_7 || h == name##_8 || h == name##_9 ||  \
        h == name##_10 || h == name##_11 || h == name##_12 || h == name##_13 ||               \
        h == name##_14 || h == name##_15
    return CC_END(exec_jcc) || h == exec_jmp_rel || h == exec_jmp_rm || h == exec_call_rel ||
           h == exec_call_rm || h == exec_ret || h == exec_loop || h == exec_loope || h == exec_loopne ||
           h == exec_jcxz || h == exec_popf || h == exec_movs || h == exec_cmps || h == exec_stos ||
           h == exec_lods || h == exec_scas;
#undef CC_END
}

/* Decodes the block at gpa (bytes at p, room of them in the page) into the
 * scratch block. */
static void decode_block(struct emu_cpu *cpu, struct block *b, uint64_t gpa, const uint8_t *p,
                         unsigned room, uint8_t key)
{
    unsigned off = 0, n = 0;
    if (room > BLOCK_MAX_BYTES)
        room = BLOCK_MAX_BYTES;
    /* Decode from the copy that entry compares with, so a concurrent writer
     * cannot make the two differ. */
    memcpy(b->bytes, p, room);
    unsigned checked = 0;     /* bytes an entry compares */
    while (n < BLOCK_MAX_INSNS && off < room) {
        unsigned avail = room - off < 15 ? room - off : 15;
        struct insn *in = &b->insn[n];
        if (!emu_decode_bytes(cpu, b->bytes + off, avail, in) || off + in->len > room)
            break;
        if (step_only(in->exec)) {
            /* Compare it too, so that a rewrite of the instruction makes a
             * new block rather than leaving it to the step path. */
            checked = off + in->len;
            break;
        }
        off += in->len;
        n++;
        bool last = ends_block(in->exec);
        in->exec = emu_block_specialize(cpu, in);
        if (last)
            break;
    }
    b->gpa = gpa;
    b->mode_key = key;
    b->n = (uint8_t)n;
    b->run_bytes = (uint16_t)off;
    b->crosses = n == 0 && checked == 0;
    b->spans = false;
    b->code = NULL;
    b->code_epoch = 0;
    b->nbytes = (uint16_t)(checked > off ? checked : off);
}

/* Whether the n bytes at a and b are equal: whole words, no library call
 * (blocks are short, and this runs at every block entry). */
static bool same_bytes(const uint8_t *a, const uint8_t *b, unsigned n)
{
    uint64_t diff = 0;
    unsigned i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    for (; i < n; i++)
        diff |= (uint64_t)(a[i] ^ b[i]);
    return diff == 0;
}

/* An instruction at rip that runs from the end of its page into the next
 * one (room bytes in the first) becomes a block of its own, so that a hot
 * loop that happens to straddle a page boundary stays in linked, translated
 * code.  Left to the step path when it needs the step path anyway,
 * or when the second page cannot be fetched: the step path's decoder
 * raises the fault exactly. */
static void decode_spanning(struct emu_cpu *cpu, struct block *b, uint64_t rip, unsigned room)
{
    uint8_t buf[16] = { 0 };
    uint64_t gpa;
    const uint8_t *hva;
    if (room >= 15 || ((b->gpa + room) & 0xfff) != 0)
        return;                 /* ended by a segment limit, not a page */
    unsigned n = emu_fetch(cpu, rip, buf, 15, &gpa, &hva);
    struct insn *in = &b->insn[0];
    if (n <= room || !emu_decode_bytes(cpu, buf, n, in) || in->len <= room || step_only(in->exec))
        return;
    unsigned room2;
    (void)emu_fetch_block(cpu, rip + room, &b->page2_gpa, &room2);
    memcpy(b->bytes, buf, in->len);
    in->exec = emu_block_specialize(cpu, in);
    b->n = 1;
    b->crosses = false;
    b->spans = true;
    b->page_bytes = (uint16_t)room;
    b->run_bytes = b->nbytes = in->len;
}

/* Whether a spanning block still holds the bytes at rip (room of them in
 * this page, p): the first page's part is compared first, and only then
 * the second page is fetched, which faults exactly as the instruction's
 * own fetch would. */
static bool spanning_still_same(struct emu_cpu *cpu, const struct block *b, uint64_t rip, const uint8_t *p,
                                unsigned room)
{
    if (room != b->page_bytes || !same_bytes(b->bytes, p, room))
        return false;
    uint64_t gpa2;
    unsigned room2;
    const uint8_t *p2 = emu_fetch_block(cpu, rip + room, &gpa2, &room2);
    return gpa2 == b->page2_gpa && room2 >= b->nbytes - room && same_bytes(b->bytes + room, p2, b->nbytes - room);
}

/* Stores to a page of a block that links may reach must set block_stop
 * (emu_cpu.code_filter). */
static void watch_page(struct emu_cpu *cpu, uint64_t gpa)
{
    if (!emu_code_filter_has(cpu, gpa)) {
        emu_code_filter_add(cpu, gpa);
        mmu_tlb_forget_stores(cpu->tlb, gpa & ~0xfffull);
    }
}

static void watch_block_pages(struct emu_cpu *cpu, const struct block *b)
{
    watch_page(cpu, b->gpa);
    if (b->spans)
        watch_page(cpu, b->page2_gpa);
}

/* A new block for gpa (at rip) in the arena, in place of `old` (NULL:
 * none) in its bucket; NULL when memory is out. */
static struct block *new_block(struct emu_cpu *cpu, struct block *old, uint64_t rip, uint64_t gpa,
                               const uint8_t *p, unsigned room, uint8_t key)
{
    struct emu_blocks *bc = cpu->blocks;
    if (bc->arena_bytes >= ARENA_LIMIT) {
        drop_all(cpu, bc);
        old = NULL;
    }
    struct block *s = &bc->scratch;
    cpu->vcpu->stats.blocks_decoded++;
    decode_block(cpu, s, gpa, p, room, key);
    if (s->crosses)
        decode_spanning(cpu, s, rip, room);
    size_t size = offsetof(struct block, insn) + s->n * sizeof(struct insn);
    struct block *b = arena_alloc(bc, size);
    if (!b)
        return NULL;
    memcpy(b, s, size);
    b->serial = 0;
    /* No link of its own yet. */
    b->link[0] = b->link[1] = (struct link){ .gen = bc->chain_gen - 1, .from = b };
    watch_block_pages(cpu, b);
    struct block **head = &bc->bucket[bucket_of(gpa)];
    if (old) {
        /* Links to it fail from now on. */
        old->serial++;
        if (bc->jit)
            emu_jit_kill(bc->jit, old);
        struct block **pp = head;
        while (*pp != old)
            pp = &(*pp)->next;
        *pp = old->next;
    }
    b->next = *head;
    *head = b;
    return b;
}

/* The jump cache's entry e: rip runs block b (with code, or none). */
static void jcache_put(struct emu_blocks *bc, struct jcache_entry *e, uint64_t rip, struct block *b, void *code)
{
    bc->jcache_used = true;
    *e = (struct jcache_entry){ .rip = rip, .code = code, .block = b, .gen = bc->chain_gen, .serial = b->serial };
}

/* Links and the jump cache may lead to code near rip from now on
 * (emu_blocks_code_near). */
static void note_code_region(struct emu_blocks *bc, uint64_t rip)
{
    if (bc->code_regions_gen != bc->chain_gen) {
        bc->code_regions = 0;
        bc->code_regions_gen = bc->chain_gen;
    }
    bc->code_regions |= 1ull << ((rip >> 30) & 63);
}


static struct block *lookup(struct emu_cpu *cpu, uint64_t rip, uint64_t gpa, const uint8_t *p, unsigned room)
{
    struct emu_blocks *bc = cpu->blocks;
    uint8_t key = emu_mode_key(cpu);
    struct block *b = bc->bucket[bucket_of(gpa)];
    cpu->vcpu->stats.block_lookups++;
    note_code_region(bc, rip);
    while (b && (b->gpa != gpa || b->mode_key != key))
        b = b->next;
    if (b && (b->spans ? spanning_still_same(cpu, b, rip, p, room)
                       : b->nbytes <= room && same_bytes(b->bytes, p, b->nbytes))) {
        /* A store may have made a page of it a data page
         * (tlb_note_store) since it was last compared. */
        watch_block_pages(cpu, b);
        return b;
    }
    return new_block(cpu, b, rip, gpa, p, room, key);
}

/* The block's host code, translated on its first run; NULL when the block
 * runs on the loop (not translatable). */
static void *block_code(struct emu_blocks *bc, struct block *b)
{
    uint32_t epoch = emu_jit_epoch(bc->jit);
    if (b->code_epoch == epoch)
        return b->code;
    bool full;
    void *code = emu_jit_translate(bc->jit, b, &full);
    if (!code && full) {
        /* Out of room: drop every block's code and start over (links and
         * the jump cache name code). */
        emu_jit_reset(bc->jit);
        bc->chain_gen++;
        epoch = emu_jit_epoch(bc->jit);
        code = emu_jit_translate(bc->jit, b, &full);
    }
    b->code = code;
    b->code_epoch = epoch;
    return code;
}

/* Whether rip still runs block b, which it ran in an earlier chain
 * generation (the jump cache or a link says so): the lookup's checks
 * without its hash table.  Only what the fetch TLB knows, in 64-bit mode,
 * for a block in one page with current code (or none to run: the step
 * path's); anything else is left to the lookup, which walks the page
 * tables and may fault. */
static bool still_runs(struct emu_cpu *cpu, struct block *b, uint64_t rip)
{
    struct emu_blocks *bc = cpu->blocks;
    if (cpu->mode != MODE_LONG || b->spans || b->mode_key != emu_mode_key(cpu) ||
        (b->n != 0 && (!b->code || b->code_epoch != emu_jit_epoch(bc->jit))))
        return false;
    const struct tlb_entry *e = tlb_entry_of(cpu->tlb, ACC_FETCH, cpu->cpl == 3, rip);
    unsigned offset = (unsigned)(rip & 0xfff);
    if (e->tag != tlb_tag(rip) || b->gpa != (e->gpa | offset) || b->nbytes > 4096 - offset ||
        !same_bytes(b->bytes, (const uint8_t *)(uintptr_t)(rip + e->addend), b->nbytes))
        return false;
    note_code_region(bc, rip);
    watch_block_pages(cpu, b);
    return true;
}

/* The block that the jump cache's entry for rip, or else link l, named in
 * an earlier chain generation, if rip still runs it (still_runs); NULL
 * otherwise. */
static struct block *revalidate(struct emu_cpu *cpu, const struct link *l, uint64_t rip)
{
    struct emu_blocks *bc = cpu->blocks;
    const struct jcache_entry *j = &bc->jcache[jcache_index(rip)];
    struct block *b = NULL;
    if (j->rip == rip && j->block && j->serial == j->block->serial)
        b = j->block;
    else if (l && l->rip == rip && l->to && l->serial == l->to->serial)
        b = l->to;
    return b && still_runs(cpu, b, rip) ? b : NULL;
}

/* Translated code's miss path (jit.c), at a block exit to rip by link l
 * whose jump cache entry is missing or of an earlier generation: true
 * when the entry now names rip's block in this generation (whose code
 * may be none: then translated code leaves). */
bool emu_blocks_revalidate(struct emu_cpu *cpu, const struct link *l, uint64_t rip)
{
    struct emu_blocks *bc = cpu->blocks;
    struct block *b = revalidate(cpu, l, rip);
    if (!b)
        return false;
    jcache_put(bc, &bc->jcache[jcache_index(rip)], rip, b, b->code);
    return true;
}

/* Instructions a link may outlive: code written by another vCPU or the
 * host without a serialising instruction after it (which the SDM asks
 * for) is seen at the next unchained entry, so at most about this many
 * instructions later.  Every cut costs a lookup per edge the guest then
 * runs: at 16K the cuts were a tenth of a Linux boot. */
#define CHAIN_INSNS (256u * 1024u)

/* Whether the links made by the previous call may still be followed: a
 * link stands for "RIP x runs block b", which holds while the TLB (paging,
 * the memory map), the mode and CPL, the block cache and the guest's code
 * are unchanged.  No system instruction may have run since (all of them
 * run on the step path: they change modes and paging, and the serialising
 * ones are how a guest asks to see cross-modified code; emu_sys leaves out
 * the frequent ones that do neither), no store may have
 * hit a code page (block_stop remembers one by the step path), and code
 * modified by other writers must be seen within CHAIN_INSNS instructions.  An
 * ordinary instruction run on the step path (one that crosses a page, for
 * instance) leaves the links alone. */
static bool chain_still_valid(struct emu_cpu *cpu, struct emu_blocks *bc)
{
    bool same = bc->chain_tlb_gen == tlb_gen(cpu->tlb) && bc->chain_sys_insns == cpu->sys_insns &&
                bc->chain_mode_key == emu_mode_key(cpu) &&
                bc->chain_cpl == cpu->cpl && !cpu->block_stop && bc->chain_age < CHAIN_INSNS;
    if (!same)
        bc->chain_age = 0;
    return same;
}

static void chain_remember(struct emu_cpu *cpu, struct emu_blocks *bc, unsigned ran)
{
    bc->chain_age += ran;
    bc->chain_tlb_gen = tlb_gen(cpu->tlb);
    bc->chain_sys_insns = cpu->sys_insns;
    bc->chain_mode_key = emu_mode_key(cpu);
    bc->chain_cpl = cpu->cpl;
}

/* An ordinary instruction that crosses into the next page runs here, as
 * the loop below would run it, instead of ending the call: in a hot loop
 * that happens to straddle a page the return to the run loop would cost
 * more than the loop's body.  The step path's decoder fetches it (with the
 * fetch checks of both pages).  False when the instruction needs the step
 * path after all. */
static bool run_crossing(struct emu_cpu *cpu, uint64_t mask)
{
    struct vmcs_guest *g = cpu->g;
    const struct insn *in = emu_decode_at_rip(cpu);
    if (step_only(in->exec))
        return false;
    uint64_t rip = g->rip;
    g->rflags &= ~(uint64_t)EFL_RF;
    cpu->insn = in;
    cpu->insn_rip = rip;
    cpu->next_rip = (rip + in->len) & mask;
    in->exec(cpu, in);
    g->rip = cpu->next_rip;
    cpu->insn = NULL;
    cpu->vcpu->stats.instructions++;
    return true;
}

/* Point `prev`'s exit `way` at block b, entered at rip with host code
 * `code` (NULL: none). */
static void link_to(struct emu_blocks *bc, struct block *prev, unsigned way, uint64_t rip,
                    struct block *b, void *code)
{
    prev->link[way] = (struct link){ .rip = rip, .to = b, .from = prev, .gen = bc->chain_gen,
                                     .serial = b->serial,
                                     .code = code || !bc->jit ? code : emu_jit_slow_path(bc->jit) };
}

bool emu_blocks_code_near(struct emu_cpu *cpu, uint64_t lin)
{
    struct emu_blocks *bc = cpu->blocks;
    return bc && bc->code_regions_gen == bc->chain_gen && (bc->code_regions >> ((lin >> 30) & 63) & 1);
}

/* Called at the end of every run, faults and exits included: nothing
 * reads the statistics while the vCPU runs. */
void emu_jit_fold_count(struct emu_cpu *cpu)
{
    cpu->vcpu->stats.instructions += cpu->jit_instructions;
    cpu->jit_instructions = 0;
}

unsigned emu_block_run(struct emu_cpu *cpu, uint32_t *count, uint32_t limit)
{
    struct vmcs_guest *g = cpu->g;
    struct emu_blocks *bc = cpu->blocks;
    unsigned total = 0;
    uint64_t mask = mode64(cpu) ? ~0ull : cpu->def_opsize == 2 ? 0xffffull : 0xffffffffull;
    /* Nothing a block does can change what this depends on (mode, CR4). */
    bool jit = bc->jit && emu_jit_usable(cpu);

    if (!chain_still_valid(cpu, bc)) {
        bc->chain_gen++;
        bc->last = NULL;
    }
    struct block *prev = bc->last;
    unsigned way = bc->last_way;
    bc->dropped = false;
    while (*count < limit) {
        uint64_t rip = g->rip;
        struct block *b = NULL;
        if (prev) {
            const struct link *l = &prev->link[way];
            if (l->gen == bc->chain_gen && l->rip == rip && l->serial == l->to->serial)
                b = l->to;
        }
        bool linked = b != NULL;
        struct jcache_entry *e = NULL;
        if (!b) {
            struct jcache_entry *j = &bc->jcache[jcache_index(rip)];
            if (j->rip == rip && j->gen == bc->chain_gen && j->block && j->serial == j->block->serial) {
                b = j->block;
            } else if ((b = revalidate(cpu, prev ? &prev->link[way] : NULL, rip)) != NULL) {
                e = j;
            } else {
                uint64_t gpa;
                unsigned room;
                const uint8_t *p = emu_fetch_block(cpu, rip, &gpa, &room);
                b = lookup(cpu, rip, gpa, p, room);
                if (bc->dropped) {
                    bc->dropped = false;
                    prev = NULL;
                }
                if (!b)
                    break;
                e = j;
            }
            if (b->n == 0) {
                /* The step path's: the jump cache remembers that too, so
                 * that a system instruction in a hot path costs no lookup. */
                if (e)
                    jcache_put(bc, e, rip, b, NULL);
                if (!b->crosses)
                    break;
                cpu->block_stop = false;
                if (!run_crossing(cpu, mask))
                    break;
                total++;
                ++*count;
                prev = NULL;
                if (cpu->block_stop)
                    bc->chain_gen++;
                if (kick_pending(cpu) || (g->rflags & EFL_TF) || cpu->block_leave)
                    break;
                continue;
            }
        }
        /* Translating may drop all code and cut the links: the jump cache
         * and the new link take the generation after it. */
        void *code = jit ? block_code(bc, b) : NULL;
        if (e)
            jcache_put(bc, e, rip, b, code);
        if (!linked && prev)
            link_to(bc, prev, way, rip, b, code);
        cpu->block_stop = false;
        /* RF is cleared as the first instruction executes; none in a block
         * sets it. */
        g->rflags &= ~(uint64_t)EFL_RF;
        if (code) {
            uint64_t last_rip;
            int32_t budget = (int32_t)(limit - *count);
            struct block *last = emu_jit_run(bc->jit, cpu, b, &budget, bc->chain_gen, bc->jcache, &last_rip);
            cpu->vcpu->stats.translated_returns++;
            total += (unsigned)((int32_t)(limit - *count) - budget);
            *count = (uint32_t)((int32_t)limit - budget);
            b = last;
            if (b)
                way = g->rip != ((last_rip + b->run_bytes) & mask);
        } else {
            const struct insn *in = b->insn, *end = in + b->n;
            uint64_t next;
            *count += b->n;
            for (;;) {
                next = (rip + in->len) & mask;
                cpu->insn = in;
                cpu->insn_rip = rip;
                cpu->next_rip = next;
                in->exec(cpu, in);
                g->rip = cpu->next_rip;
                cpu->vcpu->stats.instructions++;
                total++;
                if (++in == end || cpu->next_rip != next || cpu->block_stop || cpu->block_leave)
                    break;
                rip = next;
            }
            cpu->insn = NULL;
            way = cpu->next_rip != next;
        }
        prev = b;
        if (cpu->block_stop) {
            /* This vCPU wrote to a page holding blocks: no link may be
             * followed until the blocks were compared again. */
            bc->chain_gen++;
            prev = NULL;
        }
        /* Boundaries the step path must handle: a kick, a trap flag POPF
         * just set. */
        if (kick_pending(cpu) || (g->rflags & EFL_TF) || cpu->block_leave)
            break;
    }
    cpu->block_leave = false;
    bc->last = prev;
    bc->last_way = way;
    chain_remember(cpu, bc, total);
    return total;
}
