/* The judge of host comparisons (host_oracle.h) and the reference vectors. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "emu/flags.h"
#include "host_oracle.h"

#if defined(__x86_64__)
#include <cpuid.h>

const char *host_vendor(void)
{
    static char vendor[13];
    if (!vendor[0]) {
        unsigned a, b, c, d;
        __cpuid(0, a, b, c, d);
        memcpy(vendor, &b, 4);
        memcpy(vendor + 4, &d, 4);
        memcpy(vendor + 8, &c, 4);
    }
    return vendor;
}
#else
const char *host_vendor(void) { return "none"; }
#endif

bool host_is_intel(void) { return !strcmp(host_vendor(), "GenuineIntel"); }

void oracle_full(struct compare_mask *m)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < 16; i++)
        m->gpr[i] = ~0ull;
    m->rflags = EFL_ARITH | EFL_DF;
    m->memory = true;
}

static uint64_t undefined_flags(const struct insn_facts *f, const struct native_state *host_out, bool *dest)
{
    unsigned width = f->opsize * 8;
    *dest = false;
    switch (f->undef) {
    case U_NONE: return 0;
    case U_LOGIC: return EFL_AF;
    case U_MUL: return EFL_SF | EFL_ZF | EFL_AF | EFL_PF;
    case U_DIV: return EFL_ARITH;
    case U_SHIFT: {
        if (!f->count)
            return 0; /* a zero count changes nothing */
        uint64_t u = EFL_AF | (f->count > 1 ? EFL_OF : 0);
        if (f->shift_kind != 7 && f->count >= width)
            u |= EFL_CF;
        return u;
    }
    case U_ROT: return f->count > 1 ? EFL_OF : 0;
    case U_SHXD:
        if (!f->count)
            return 0;
        if (f->count > width) {
            *dest = true;
            return EFL_ARITH;
        }
        return EFL_AF | (f->count > 1 ? EFL_OF : 0);
    case U_BT: return EFL_OF | EFL_SF | EFL_AF | EFL_PF;
    case U_BSX:
        *dest = (host_out->rflags & EFL_ZF) != 0; /* the source was 0 */
        return EFL_CF | EFL_OF | EFL_SF | EFL_AF | EFL_PF;
    case U_CNT: return EFL_OF | EFL_SF | EFL_AF | EFL_PF;
    case U_DAA: return EFL_OF;
    case U_AAA: return EFL_OF | EFL_SF | EFL_ZF | EFL_PF;
    case U_AAM: return EFL_OF | EFL_AF | EFL_CF;
    }
    return 0;
}

/* The flags each condition code reads (SDM table B-1, by cc >> 1). */
static const uint64_t cc_reads[8] = {
    EFL_OF, EFL_CF, EFL_ZF, EFL_CF | EFL_ZF, EFL_SF, EFL_PF, EFL_SF | EFL_OF, EFL_ZF | EFL_SF | EFL_OF,
};

void oracle_mask(const struct insn_facts *f, const struct native_state *host_out, struct compare_mask *m)
{
    oracle_full(m);
    bool dest = false;
    uint64_t u = undefined_flags(f, host_out, &dest);
    if (u) {
        m->rflags &= ~u;
        m->undefined = true;
        /* A following instruction that reads an undefined flag passes it on. */
        if (f->tail_cc == 0x9f)
            m->gpr[0] &= ~((u & 0xff) << 8); /* LAHF: AH holds SF ZF AF PF CF */
        else if (f->tail_cc && (cc_reads[(f->tail_cc & 0xf) >> 1] & u))
            m->gpr[f->tail_reg] &= ~0xffull;
    }
    if (dest) {
        m->undefined = true;
        if (f->dest_reg < 0)
            m->memory = false;
        else
            m->gpr[f->dest_reg] = 0;
    }
    /* Vendor difference (AMD APM vol. 3, REP): with a 32-bit address size in
     * 64-bit mode, AMD leaves the upper halves of rCX/rSI/rDI alone where
     * Intel writes ECX/ESI/EDI and so zero-extends them. */
    if (f->str_addr32) {
        m->gpr[1] = m->gpr[6] = m->gpr[7] = 0xffffffffull;
        m->vendor = true;
    }
}

uint64_t fnv1a(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

void fill_seeded(uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t x = seed | 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (uint8_t)(x >> 24);
    }
}

/* One line: mode name bytes ninsn | 16 GPRs rflags dseed sseed | 16 GPRs
 * rflags dhash shash, all hexadecimal. */
void vector_write(FILE *f, const struct vector *v)
{
    fprintf(f, "%d %s ", v->mode, v->name);
    for (unsigned i = 0; i < v->len; i++)
        fprintf(f, "%02x", v->b[i]);
    fprintf(f, " %u |", v->ninsn);
    for (int i = 0; i < 16; i++)
        fprintf(f, " %" PRIx64, v->in.gpr[i]);
    fprintf(f, " %" PRIx64 " %" PRIx64 " %" PRIx64 " |", v->in.rflags, v->data_seed, v->stack_seed);
    for (int i = 0; i < 16; i++)
        fprintf(f, " %" PRIx64, v->out.gpr[i]);
    fprintf(f, " %" PRIx64 " %" PRIx64 " %" PRIx64 "\n", v->out.rflags, v->data_hash, v->stack_hash);
}

/* 16 GPRs, RFLAGS and two more values. */
static bool parse_regs(char **p, struct native_state *s, uint64_t extra[2])
{
    for (int i = 0; i < 19; i++) {
        char *end;
        uint64_t x = strtoull(*p, &end, 16);
        if (end == *p)
            return false;
        *p = end;
        if (i < 16)
            s->gpr[i] = x;
        else if (i == 16)
            s->rflags = x;
        else
            extra[i - 17] = x;
    }
    while (**p == ' ')
        (*p)++;
    return true;
}

int vector_read(FILE *f, struct vector *v)
{
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        memset(v, 0, sizeof *v);
        char hex[80];
        int used = 0;
        if (sscanf(line, "%d %39s %79s %u |%n", &v->mode, v->name, hex, &v->ninsn, &used) != 4 || !used)
            return -1;
        size_t n = strlen(hex);
        if (n % 2 || n / 2 > sizeof v->b)
            return -1;
        for (size_t i = 0; i < n / 2; i++) {
            unsigned byte;
            if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
                return -1;
            v->b[i] = (uint8_t)byte;
        }
        v->len = (unsigned)(n / 2);
        char *p = line + used;
        uint64_t in_extra[2], out_extra[2];
        if (!parse_regs(&p, &v->in, in_extra) || *p++ != '|' || !parse_regs(&p, &v->out, out_extra))
            return -1;
        v->data_seed = in_extra[0], v->stack_seed = in_extra[1];
        v->data_hash = out_extra[0], v->stack_hash = out_extra[1];
        return 1;
    }
    return 0;
}
