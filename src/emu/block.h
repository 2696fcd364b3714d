/*
 * The block engine's blocks, shared by block.c (which owns them) and the
 * translator (jit.c), whose code follows a block's links itself.
 */
#ifndef OPENHV_EMU_BLOCK_H
#define OPENHV_EMU_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

#define BLOCK_BUCKETS 131072u /* power of two */
#define BLOCK_MAX_INSNS 32u
#define BLOCK_MAX_BYTES 160u

struct block;

/* A successor seen lately: the block at `rip` (block.c says how long a
 * link stays valid).  Translated code follows it itself (jit.c): a dead
 * block's code leaves at once, so that path needs no serial. */
struct link {
    uint64_t rip;
    struct block *to;
    void *code;               /* to's code, or the translator's slow path */
    struct block *from;       /* the block that holds this link */
    uint32_t gen;             /* valid while equal to the cache's chain_gen */
    uint32_t serial;          /* ... and while it equals to->serial (`to` is alive) */
};

/* The jump cache: blocks by the RIP they were entered at, valid while
 * `gen` is the cache's chain_gen (what a link needs), so that an indirect
 * branch (RET, a call through a pointer) whose target changes finds its
 * block without leaving translated code or hashing its address.  It also
 * remembers RIPs whose instruction needs the step path (a block of none,
 * with no code), so that a system instruction in a hot loop costs no
 * lookup.  An entry of an earlier generation is a hint: the block it names
 * is checked again (emu_blocks_revalidate) rather than looked up. */
#define JCACHE_SIZE 4096u /* power of two */
struct jcache_entry {
    uint64_t rip;
    void *code;               /* NULL: the block has no code */
    struct block *block;
    uint32_t gen, serial;
};

static inline unsigned jcache_index(uint64_t rip)
{
    return (unsigned)(rip ^ (rip >> 12)) & (JCACHE_SIZE - 1);
}

/* Blocks live in the cache's arena, sized for their instructions, until
 * the whole cache is dropped; a block replaced before that (its bytes
 * changed) stays readable but dead, so links to it fail instead of
 * pointing at freed memory. */
struct block {
    struct link link[2];      /* after falling through / after a branch */
    void *code;               /* host code (jit.c), valid in code_epoch; NULL: none */
    uint32_t code_epoch;      /* 0: not translated yet */
    uint16_t run_bytes;       /* length of the n instructions */
    uint64_t gpa;             /* first byte */
    struct block *next;       /* in the hash bucket */
    uint32_t serial;          /* changes when the block dies */
    uint8_t mode_key;
    uint8_t n;                /* instructions; 0: the first one needs the step path */
    bool crosses;             /* n == 0 because the first one crosses the page */
    /* A block of one instruction that runs into the next page: its first
     * page_bytes bytes are at gpa, the rest at page2_gpa. */
    bool spans;
    uint16_t page_bytes;
    uint64_t page2_gpa;
    uint16_t nbytes;
    uint8_t bytes[BLOCK_MAX_BYTES];
    struct insn insn[];       /* n of them */
};

/* Translated code's miss path: whether the jump cache's entry for rip,
 * missing or of an earlier chain generation, could be made current
 * without the lookup (block.c).  Never faults. */
bool emu_blocks_revalidate(struct emu_cpu *cpu, const struct link *l, uint64_t rip);

#endif
