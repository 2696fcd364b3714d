/* Shared by the opcode-map generator's files (opcode_map.c says what it does). */
#ifndef OPENHV_TOOLS_OPCODE_MAP_H
#define OPENHV_TOOLS_OPCODE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "emu/emu.h"

/* Opcode maps: legacy, then VEX. */
enum space { SP_1B, SP_0F, SP_0F38, SP_0F3A, SP_VEX_0F, SP_VEX_0F38, SP_VEX_0F3A, SP_COUNT };
extern const char *const space_names[SP_COUNT];
static inline bool is_vex(unsigned sp) { return sp >= SP_VEX_0F; }

/* Legacy mandatory prefix, or VEX.pp: none, 66, F3, F2. */
enum { NPFX = 4 };
extern const char *const pfx_name[NPFX];

/* One probe: space, opcode byte, prefix, VEX.L, VEX.W, ModRM.reg, memory form. */
struct probe {
    uint8_t sp, op, pfx, l, w, reg, mem;
};

/* probe.c: the encodings and the emulator's decoder. */
bool is_prefix_1b(uint8_t b);
bool probe_next(struct probe *p, bool first);
bool probe_skipped(const struct probe *p);
void probe_bytes(const struct probe *p, uint8_t b[15]);
emu_handler emu_classify(const struct probe *p, bool *modrm);
bool emu_is_ud(emu_handler fn);
const char *handler_name(emu_handler fn);

/* reference.c: binutils' names. */
enum { MNEM_LEN = 48 };
bool read_reference(const char *path, char (*ref)[MNEM_LEN], size_t nprobes);
const char *ref_mnemonic(const char *r);
bool ref_prefix_ignored(const char *r, unsigned pfx);
const char *ref_extension_not_v3(const char *mnem, unsigned sp, unsigned pfx, uint8_t op, const char *ext,
                                 unsigned l);
bool defined_ud(const char *mnem);

/* table.c: results of one (space, opcode, prefix) at [L][W][reg][mem]. */
struct cell {
    emu_handler emu;
    bool modrm;
    uint8_t l;
    const char *ref;    /* "" = invalid */
};
extern struct cell cells[SP_COUNT][256][NPFX][2][2][8][2];
void emit_table(void);

#endif
