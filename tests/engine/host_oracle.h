/*
 * What a comparison with the host CPU may judge.  The emulator models an
 * Intel CPU, undefined flags included, but only an Intel host (or vectors
 * recorded on one) can tell it what Intel silicon leaves in what the SDM calls
 * undefined, or where the vendors document different behaviour.  Any other
 * host judges the architectural results alone.
 */
#ifndef OPENHV_TESTS_ENGINE_HOST_ORACLE_H
#define OPENHV_TESTS_ENGINE_HOST_ORACLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "native.h"

/* The classes of SDM "undefined" outcomes, per instruction form. */
enum undef_class {
    U_NONE,
    U_LOGIC, /* AND/OR/XOR/TEST: AF */
    U_MUL,   /* MUL/IMUL: SF ZF AF PF */
    U_DIV,   /* DIV/IDIV: every arithmetic flag */
    U_SHIFT, /* SHL/SHR/SAR: AF; OF past count 1; CF of SHL/SHR at count >= width */
    U_ROT,   /* ROL/ROR/RCL/RCR: OF past count 1 */
    U_SHXD,  /* SHLD/SHRD: AF, OF past count 1; everything past the width */
    U_BT,    /* BT/BTS/BTR/BTC: OF SF AF PF */
    U_BSX,   /* BSF/BSR: all but ZF; the destination when the source is 0 */
    U_CNT,   /* LZCNT/TZCNT: OF SF AF PF */
    U_DAA,   /* DAA/DAS: OF */
    U_AAA,   /* AAA/AAS: OF SF ZF PF */
    U_AAM,   /* AAM/AAD: OF AF CF */
};

/* What one comparison compares: bits of each GPR, of RFLAGS, and whether
 * the data area counts.  `undefined` and `vendor` say what was left out. */
struct compare_mask {
    uint64_t gpr[16];
    uint64_t rflags;
    bool memory;
    bool undefined;
    bool vendor;
};

/* The facts about one instruction the oracle needs. */
struct insn_facts {
    enum undef_class undef;
    unsigned opsize;     /* operand size in bytes */
    unsigned count;      /* shift/rotate count, already masked to 5 or 6 bits */
    int shift_kind;      /* ModRM.reg of a shift group (4 SHL, 5 SHR, 6 SAL, 7 SAR) */
    int dest_reg;        /* destination GPR, or -1 for memory */
    bool str_addr32;     /* a string instruction with a 67 prefix in 64-bit mode */
    uint8_t tail_cc;     /* 0x40 | cc for a following SETcc, 0x9f for LAHF, 0 none */
    int tail_reg;        /* the SETcc destination */
};

/* GenuineIntel, AuthenticAMD, ... */
const char *host_vendor(void);
bool host_is_intel(void);

/* The Intel-only parts of a comparison, for a host that is not Intel.
 * `host_out` is what the host produced (BSF/BSR: ZF says the source was 0). */
void oracle_mask(const struct insn_facts *f, const struct native_state *host_out, struct compare_mask *m);
/* Everything: what an Intel host or Intel vectors are compared on. */
void oracle_full(struct compare_mask *m);

/*
 * Reference vectors: cases whose full result only Intel can give, recorded
 * on an Intel host and kept in the repository.  Memory is described by the
 * seeds it was filled from and checked by a hash.
 */
struct vector {
    int mode;                 /* 64 or 32 */
    char name[40];            /* the template */
    uint8_t b[32];
    unsigned len;
    unsigned ninsn;           /* instructions to run (a tail reads flags) */
    struct native_state in, out;
    uint64_t data_seed, stack_seed;
    uint64_t data_hash, stack_hash;
};

void vector_write(FILE *f, const struct vector *v);
/* 1: a vector, 0: end of file, -1: a malformed line (skipped). */
int vector_read(FILE *f, struct vector *v);
uint64_t fnv1a(const void *p, size_t n);
void fill_seeded(uint8_t *p, size_t n, uint64_t seed);

#endif
