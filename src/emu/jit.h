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

/* NULL where there is no translator (a non-x86-64 host, a host that
 * refuses executable memory, or OPENHV_EMU_ENGINE=block). */
struct emu_jit *emu_jit_create(void);
void emu_jit_destroy(struct emu_jit *j);

/* Code made before the last reset is gone: blocks compare their epoch. */
uint32_t emu_jit_epoch(const struct emu_jit *j);

/* Host code for the `n` decoded instructions `insn` (kept alive by the
 * caller as long as the code), or NULL when the code buffer is full (the
 * caller resets it and tries again) or the block is not translatable. */
void *emu_jit_translate(struct emu_jit *j, const struct insn *insn, unsigned n, bool *full);
void emu_jit_reset(struct emu_jit *j);

/* Whether translated code may run now (64-bit mode without LA57). */
bool emu_jit_usable(const struct emu_cpu *cpu);

/* Run translated code from CS:RIP as the block engine's loop runs the
 * block; RIP, the instruction count and every exit or fault are the
 * loop's. */
void emu_jit_run(struct emu_jit *j, struct emu_cpu *cpu, void *code);

#endif
