/*
 * The block engine's blocks, shared by block.c (which owns them) and the
 * translator (jit.c), whose code follows a block's links itself.
 */
#ifndef OPENHV_EMU_BLOCK_H
#define OPENHV_EMU_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

#define BLOCK_SLOTS 8192u /* power of two */
#define BLOCK_MAX_INSNS 32u
#define BLOCK_MAX_BYTES 160u

struct block;

/* A successor seen lately: the block at `rip` (block.c says how long a
 * link stays valid). */
struct link {
    uint64_t rip;
    struct block *to;
    uint32_t gen;             /* valid while equal to the cache's chain_gen */
};

struct block {
    struct link link[2];      /* after falling through / after a branch */
    void *code;               /* host code (jit.c), valid in code_epoch; NULL: none */
    uint32_t code_epoch;      /* 0: not translated yet */
    uint16_t run_bytes;       /* length of the n instructions */
    uint64_t gpa;             /* first byte */
    uint32_t gen;             /* valid while equal to the cache's gen */
    uint8_t mode_key;
    uint8_t n;                /* instructions; 0: the first one needs the step path */
    bool crosses;             /* n == 0 because the first one crosses the page */
    uint16_t nbytes;
    uint8_t bytes[BLOCK_MAX_BYTES];
    struct insn insn[BLOCK_MAX_INSNS];
};

#endif
