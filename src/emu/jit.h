/*
 * The translator from guest blocks to host code (jit.c), used by the block
 * engine (block.c) for 64-bit-mode blocks on x86-64 hosts.  A translated
 * block does exactly what the block engine's loop does with the block's
 * decoded instructions; see docs/notes/emu-engine.md, "The translator".
 */
#ifndef OPENHV_EMU_JIT_H
#define OPENHV_EMU_JIT_H

#include <stdbool.h>
#include <stdint.h>

#include "emu.h"

struct emu_jit;
struct block;
struct jcache_entry;

/* NULL where there is no translator (a non-x86-64 host, a host that
 * refuses executable memory, or OPENHV_EMU_ENGINE=block). */
struct emu_jit *emu_jit_create(void);
void emu_jit_destroy(struct emu_jit *j);

/* Code made before the last reset is gone: blocks compare their epoch. */
uint32_t emu_jit_epoch(const struct emu_jit *j);

/* Host code for block `b` (its decoded instructions and links stay where
 * they are as long as the code lives), or NULL when the code buffer is full
 * (*full; the caller resets it and tries again) or the block is not
 * translatable. */
void *emu_jit_translate(struct emu_jit *j, struct block *b, bool *full);
void emu_jit_reset(struct emu_jit *j);

/* Whether translated code may run now (64-bit mode without LA57). */
bool emu_jit_usable(const struct emu_cpu *cpu);

/* Run block `b`'s code from CS:RIP as the block engine's loop runs the
 * block, and the blocks its links (or the jump cache) lead to while the
 * loop would follow them (links of chain_gen, budget left), taking each
 * block's length from *budget as it starts.  RIP, the instruction count
 * and every exit or fault are the loop's.  Returns the last block run, and
 * its entry RIP in *last_rip; NULL when the chain ended at a dead block. */
struct block *emu_jit_run(struct emu_jit *j, struct emu_cpu *cpu, struct block *b, int32_t *budget,
                          uint32_t chain_gen, struct jcache_entry *jcache, uint64_t *last_rip);

/* Block `b` is dead (its bytes changed): its code, if any, now leaves at
 * once, so links and jump-cache entries that lead to it need no check. */
void emu_jit_kill(struct emu_jit *j, struct block *b);

/* What a link's `code` is when its block has none: the slow path. */
void *emu_jit_slow_path(const struct emu_jit *j);

#endif
