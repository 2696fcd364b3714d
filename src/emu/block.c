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

#define BLOCK_SLOTS 1024u /* power of two */
#define BLOCK_MAX_INSNS 32u
#define BLOCK_MAX_BYTES 160u

struct block {
    uint64_t gpa;             /* first byte */
    uint32_t gen;             /* valid while equal to the cache's gen */
    uint8_t mode_key;
    uint8_t n;                /* instructions; 0: the first one needs the step path */
    uint16_t nbytes;
    uint8_t bytes[BLOCK_MAX_BYTES];
    struct insn insn[BLOCK_MAX_INSNS];
};

struct emu_blocks {
    uint32_t gen;
    struct block *slot[BLOCK_SLOTS];  /* allocated on first use */
};

struct emu_blocks *emu_blocks_create(void)
{
    struct emu_blocks *bc = calloc(1, sizeof(*bc));
    if (bc)
        bc->gen = 1;
    return bc;
}

void emu_blocks_destroy(struct emu_blocks *bc)
{
    if (!bc)
        return;
    for (unsigned i = 0; i < BLOCK_SLOTS; i++)
        free(bc->slot[i]);
    free(bc);
}

void emu_blocks_flush(struct emu_blocks *bc)
{
    if (!bc)
        return;
    if (++bc->gen == 0) {
        for (unsigned i = 0; i < BLOCK_SLOTS; i++)
            if (bc->slot[i])
                bc->slot[i]->gen = 0;
        bc->gen = 1;
    }
}

static uint8_t mode_key(const struct emu_cpu *cpu)
{
    return (uint8_t)((mode64(cpu) << 4) | (cpu->def_opsize << 2) | (cpu->def_addrsize >> 1));
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

static void translate(const struct emu_cpu *cpu, struct block *b, uint64_t gpa, const uint8_t *p,
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
        if (ends_block(in->exec))
            break;
    }
    b->gpa = gpa;
    b->mode_key = key;
    b->n = (uint8_t)n;
    b->nbytes = (uint16_t)(checked > off ? checked : off);
    b->gen = cpu->blocks->gen;
}

static struct block *lookup(struct emu_cpu *cpu, uint64_t gpa, const uint8_t *p, unsigned room)
{
    struct emu_blocks *bc = cpu->blocks;
    uint8_t key = mode_key(cpu);
    struct block **slot = &bc->slot[slot_of(gpa)];
    struct block *b = *slot;
    if (b && b->gen == bc->gen && b->gpa == gpa && b->mode_key == key && b->nbytes <= room &&
        memcmp(b->bytes, p, b->nbytes) == 0)
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

unsigned emu_block_run(struct emu_cpu *cpu, uint32_t *count, uint32_t limit)
{
    struct vmcs_guest *g = cpu->g;
    unsigned total = 0;
    uint64_t mask = mode64(cpu) ? ~0ull : cpu->def_opsize == 2 ? 0xffffull : 0xffffffffull;

    while (*count < limit) {
        uint64_t rip = g->rip, gpa;
        unsigned room;
        const uint8_t *p = emu_fetch_block(cpu, rip, &gpa, &room);
        const struct block *b = lookup(cpu, gpa, p, room);
        if (!b || b->n == 0)
            break;
        *count += b->n;
        cpu->block_page = gpa & ~(uint64_t)HV_PAGE_MASK;
        cpu->block_stop = false;
        /* RF is cleared as the first instruction executes; none in a block
         * sets it. */
        g->rflags &= ~(uint64_t)EFL_RF;
        const struct insn *in = b->insn, *end = in + b->n;
        for (;;) {
            uint64_t next = (rip + in->len) & mask;
            cpu->insn = in;
            cpu->insn_rip = rip;
            cpu->next_rip = next;
            in->exec(cpu, in);
            g->rip = cpu->next_rip;
            cpu->vcpu->stats.instructions++;
            total++;
            if (++in == end || cpu->next_rip != next || cpu->block_stop)
                break;
            rip = next;
        }
        cpu->insn = NULL;
        cpu->block_page = EMU_NO_BLOCK_PAGE;
        /* Boundaries the step path must handle: a kick, a trap flag POPF
         * just set. */
        if (kick_pending(cpu) || (g->rflags & EFL_TF))
            break;
    }
    return total;
}
