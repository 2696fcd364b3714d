/*
 * What a test program may use: fixed-width types, a deterministic PRNG and
 * an output buffer of text lines "label=hex".  The same source is built as a
 * freestanding guest (crt0.S, guest.ld, rt.c) and as a host function linked
 * into test_programs; both must write the same bytes.  Doubles are written
 * as their bit patterns, so the comparison is exact.
 */
#ifndef OPENHV_TESTS_PROGRAMS_PROG_H
#define OPENHV_TESTS_PROGRAMS_PROG_H

/* Guest-physical layout the runner and crt0.S share. */
#define PROG_LOAD      0x200000u   /* blobs are linked and loaded here */
#define PROG_OUT_GPA   0x700000u   /* output buffer */
#define PROG_OUT_CAP   0x40000u
#define PROG_STACK_TOP 0x7ff000u
#define PROG_RAM_SIZE  0x800000u
#define PROG_PORT_DONE 0xf4        /* OUT AL: the program returned; RAX = bytes written */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>


/* The one entry point of every program: writes into out[0..cap) and
 * returns the number of bytes written.  The build renames it per variant
 * for the host copies. */
size_t prog_main(char *out, size_t cap);

struct pout {
    char *buf;
    size_t len, cap;
};

static inline void out_char(struct pout *o, char c)
{
    if (o->len < o->cap)
        o->buf[o->len++] = c;
}

static inline void out_str(struct pout *o, const char *s)
{
    while (*s)
        out_char(o, *s++);
}

static inline void out_hex(struct pout *o, const char *label, uint64_t v)
{
    out_str(o, label);
    out_char(o, '=');
    for (int shift = 60; shift >= 0; shift -= 4)
        out_char(o, "0123456789abcdef"[(v >> shift) & 15]);
    out_char(o, '\n');
}

static inline void out_f64(struct pout *o, const char *label, double d)
{
    uint64_t bits;
    __builtin_memcpy(&bits, &d, sizeof bits);
    out_hex(o, label, bits);
}

static inline void out_f32(struct pout *o, const char *label, float f)
{
    uint32_t bits;
    __builtin_memcpy(&bits, &f, sizeof bits);
    out_hex(o, label, bits);
}

/* xorshift64*: deterministic inputs without libc. */
static inline uint64_t prng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* FNV-1a over bytes: folds a result array into one line of output. */
static inline uint64_t fold_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

#endif /* __ASSEMBLER__ */

#endif
