/*
 * The block engine: runs of decoded instructions, looked up once per run
 * instead of once per instruction.
 *
 * A block is the decoded instructions from one guest-physical address up to
 * the first control transfer, POPF, string instruction, the end of the
 * page (or of the CS limit / 16-bit wrap), or BLOCK_MAX_INSNS.  It is keyed
 * by the guest-physical address of its first byte and the decoding mode,
 * and keeps the bytes it was decoded from.  Instructions the machine
 * executes (F_SYS rows: I/O, MSRs, control registers, segment loads, STI,
 * far transfers, ...) and instructions that raise #UD/#GP at decode never
 * enter a block: the run loop's per-instruction step runs them, so mode
 * changes, interrupt shadows and VM exits of system instructions keep the
 * reference path's code.
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

struct emu_blocks {
    struct emu_jit *jit;      /* NULL: blocks run on the loop below */
    uint32_t gen;
    uint32_t chain_gen;
    /* What the links depend on, as it was when the last call of
     * emu_block_run ended (see chain_still_valid). */
    uint64_t chain_tlb_gen, chain_sys_insns;
    uint32_t chain_block_gen;
    uint8_t chain_mode_key, chain_cpl;
    unsigned chain_age;       /* instructions run since the links were cut */
    struct block *slot[BLOCK_SLOTS];  /* allocated on first use */
};

struct emu_blocks *emu_blocks_create(void)
{
    struct emu_blocks *bc = calloc(1, sizeof(*bc));
    if (bc) {
        bc->gen = 1;
        bc->jit = emu_jit_create();
    }
    return bc;
}

void emu_blocks_destroy(struct emu_blocks *bc)
{
    if (!bc)
        return;
    for (unsigned i = 0; i < BLOCK_SLOTS; i++)
        free(bc->slot[i]);
    emu_jit_destroy(bc->jit);
    free(bc);
}

void emu_blocks_flush(struct emu_cpu *cpu)
{
    struct emu_blocks *bc = cpu->blocks;
    if (!bc)
        return;
    memset(cpu->code_filter, 0, sizeof(cpu->code_filter));
    if (++bc->gen == 0) {
        for (unsigned i = 0; i < BLOCK_SLOTS; i++)
            if (bc->slot[i])
                bc->slot[i]->gen = 0;
        bc->gen = 1;
    }
}

static unsigned slot_of(uint64_t gpa)
{
    return (unsigned)((gpa ^ (gpa >> 10) ^ (gpa >> 20)) & (BLOCK_SLOTS - 1));
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

static void translate(struct emu_cpu *cpu, struct block *b, uint64_t gpa, const uint8_t *p,
                      unsigned room, uint8_t key)
{
    /* Links may point at this slot's old contents. */
    cpu->blocks->chain_gen++;
    /* Its own links are the old contents' (or, in a fresh allocation,
     * garbage that could pass for current ones). */
    b->link[0] = b->link[1] = (struct link){ .gen = cpu->blocks->chain_gen - 1 };
    emu_code_filter_add(cpu, gpa);
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
    b->code = NULL;
    b->code_epoch = 0;
    b->nbytes = (uint16_t)(checked > off ? checked : off);
    b->gen = cpu->blocks->gen;
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

static struct block *lookup(struct emu_cpu *cpu, uint64_t gpa, const uint8_t *p, unsigned room)
{
    struct emu_blocks *bc = cpu->blocks;
    uint8_t key = emu_mode_key(cpu);
    struct block **slot = &bc->slot[slot_of(gpa)];
    struct block *b = *slot;
    if (b && b->gen == bc->gen && b->gpa == gpa && b->mode_key == key && b->nbytes <= room &&
        same_bytes(b->bytes, p, b->nbytes))
        return b;
    if (!b) {
        b = malloc(sizeof(*b));
        if (!b)
            return NULL;
        *slot = b;
    }
    translate(cpu, b, gpa, p, room, key);
    return b;
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
        /* Out of room: drop every block's code and start over. */
        emu_jit_reset(bc->jit);
        epoch = emu_jit_epoch(bc->jit);
        code = emu_jit_translate(bc->jit, b, &full);
    }
    b->code = code;
    b->code_epoch = epoch;
    return code;
}

/* Instructions a link may outlive: code written by another vCPU or the
 * host is seen at the next unchained entry, so at most about this many
 * instructions (16 poll intervals) later. */
#define CHAIN_INSNS (16u * 1024u)

/* Whether the links made by the previous call may still be followed: a
 * link stands for "RIP x runs block b", which holds while the TLB (paging,
 * the memory map), the mode and CPL, the block cache and the guest's code
 * are unchanged.  No system instruction may have run since (all of them
 * run on the step path: they change modes and paging, and the serialising
 * ones are how a guest asks to see cross-modified code), no store may have
 * hit a code page (block_stop remembers one by the step path), and code
 * modified by other writers must be seen within CHAIN_INSNS instructions.  An
 * ordinary instruction run on the step path (one that crosses a page, for
 * instance) leaves the links alone. */
static bool chain_still_valid(struct emu_cpu *cpu, struct emu_blocks *bc)
{
    bool same = bc->chain_tlb_gen == cpu->tlb->gen && bc->chain_sys_insns == cpu->sys_insns &&
                bc->chain_block_gen == bc->gen && bc->chain_mode_key == emu_mode_key(cpu) &&
                bc->chain_cpl == cpu->cpl && !cpu->block_stop && bc->chain_age < CHAIN_INSNS;
    if (!same)
        bc->chain_age = 0;
    return same;
}

static void chain_remember(struct emu_cpu *cpu, struct emu_blocks *bc, unsigned ran)
{
    bc->chain_age += ran;
    bc->chain_tlb_gen = cpu->tlb->gen;
    bc->chain_sys_insns = cpu->sys_insns;
    bc->chain_block_gen = bc->gen;
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

unsigned emu_block_run(struct emu_cpu *cpu, uint32_t *count, uint32_t limit)
{
    struct vmcs_guest *g = cpu->g;
    struct emu_blocks *bc = cpu->blocks;
    unsigned total = 0;
    uint64_t mask = mode64(cpu) ? ~0ull : cpu->def_opsize == 2 ? 0xffffull : 0xffffffffull;
    struct block *prev = NULL;
    unsigned way = 0;
    /* Nothing a block does can change what this depends on (mode, CR4). */
    bool jit = bc->jit && emu_jit_usable(cpu);

    if (!chain_still_valid(cpu, bc))
        bc->chain_gen++;
    while (*count < limit) {
        uint64_t rip = g->rip;
        struct block *b = NULL;
        if (prev) {
            const struct link *l = &prev->link[way];
            if (l->gen == bc->chain_gen && l->rip == rip)
                b = l->to;
        }
        if (!b) {
            uint64_t gpa;
            unsigned room;
            const uint8_t *p = emu_fetch_block(cpu, rip, &gpa, &room);
            b = lookup(cpu, gpa, p, room);
            if (b && b->n == 0 && b->crosses) {
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
            if (!b || b->n == 0)
                break;
            if (prev)
                prev->link[way] = (struct link){ .rip = rip, .to = b, .gen = bc->chain_gen };
        }
        *count += b->n;
        cpu->block_stop = false;
        /* RF is cleared as the first instruction executes; none in a block
         * sets it. */
        g->rflags &= ~(uint64_t)EFL_RF;
        void *code = jit ? block_code(bc, b) : NULL;
        if (code) {
            uint64_t last_rip;
            total += b->n;
            b = emu_jit_run(bc->jit, cpu, b, count, limit, &bc->chain_gen, &last_rip);
            way = g->rip != ((last_rip + b->run_bytes) & mask);
        } else {
            const struct insn *in = b->insn, *end = in + b->n;
            uint64_t next;
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
    chain_remember(cpu, bc, total);
    return total;
}
