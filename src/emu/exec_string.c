/*
 * MOVS/CMPS/STOS/LODS/SCAS with REP/REPE/REPNE.
 *
 * Every iteration commits rSI/rDI/rCX, so a fault or exit in the middle of a
 * REP leaves RIP on the instruction with the counters of the elements done.
 * A REP instruction runs a bounded number of iterations per execution (and
 * stops early when the vCPU is kicked), then sets next_rip back to itself:
 * the run loop sees an instruction boundary, handles events and the
 * deadline, and re-executes it.  Forward REP MOVS/STOS move whole chunks
 * that stay inside one page on each side, so no fault can happen in the
 * middle of a chunk.
 */
#include <string.h>

#include "engine_internal.h"

enum { STR_SLOW_BUDGET = 4096, STR_CHUNK_BUDGET = 64, STR_KICK_EVERY = 256 };

static int src_seg(const struct insn *in) { return in->seg_override >= 0 ? in->seg_override : SEG_DS; }

static int64_t step(const struct emu_cpu *cpu, const struct insn *in)
{
    return (cpu->g->rflags & EFL_DF) ? -(int64_t)in->opsize : (int64_t)in->opsize;
}

static uint64_t areg(const struct emu_cpu *cpu, const struct insn *in, unsigned reg)
{
    return gpr_get(cpu, reg, in->addrsize);
}

static void advance(struct emu_cpu *cpu, const struct insn *in, unsigned reg, int64_t delta)
{
    gpr_set(cpu, reg, in->addrsize, cpu->g->gpr[reg] + (uint64_t)delta);
}

/* With a 32-bit address size, a REP instruction zero-extends ECX even when
 * the count is zero, and REP MOVS/STOS also ESI/EDI, as Intel parts do. */
static void rep_zero_extend(struct emu_cpu *cpu, const struct insn *in, bool uses_si, bool uses_di)
{
    if (in->addrsize != 4)
        return;
    gpr_set(cpu, GPR_RCX, 4, cpu->g->gpr[GPR_RCX]);
    if (uses_si)
        gpr_set(cpu, GPR_RSI, 4, cpu->g->gpr[GPR_RSI]);
    if (uses_di)
        gpr_set(cpu, GPR_RDI, 4, cpu->g->gpr[GPR_RDI]);
}

/* The instruction is not finished: have the run loop execute it again. */
static void restart(struct emu_cpu *cpu) { cpu->next_rip = cpu->insn_rip; }

/* Bytes from off (linear lin) that stay inside the page, the segment limit
 * (legacy modes, expand-up segments) and the address-size wrap. */
static uint64_t room(const struct emu_cpu *cpu, const struct insn *in, int seg, uint64_t off)
{
    uint64_t lin = linear_of(cpu, seg, off);
    uint64_t r = HV_PAGE_SIZE - (lin & HV_PAGE_MASK);
    uint64_t wrap = size_mask(in->addrsize) - off + 1;
    if (in->addrsize < 8 && wrap < r)
        r = wrap;
    if (!mode64(cpu)) {
        const struct vmx_segment *s = &cpu->g->seg[seg];
        if ((s->ar & AR_S) && !(s->ar & 8) && (s->ar & 4))
            return 0; /* expand-down data segment: element by element */
        if (off > s->limit)
            return 0;
        if ((uint64_t)s->limit - off + 1 < r)
            r = (uint64_t)s->limit - off + 1;
    }
    return r;
}

/* Elements the next chunk may hold (0: use the per-element path). */
static uint64_t chunk_elems(struct emu_cpu *cpu, const struct insn *in, uint64_t count, bool has_src)
{
    unsigned os = in->opsize;
    uint64_t di = areg(cpu, in, GPR_RDI);
    uint64_t bytes = room(cpu, in, SEG_ES, di);
    if (has_src) {
        uint64_t si = areg(cpu, in, GPR_RSI);
        uint64_t r = room(cpu, in, src_seg(in), si);
        if (r < bytes)
            bytes = r;
        /* A destination just above the source would re-read copied data. */
        uint64_t ls = linear_of(cpu, src_seg(in), si), ld = linear_of(cpu, SEG_ES, di);
        if (ld > ls && ld - ls < bytes)
            bytes = ld - ls;
    }
    uint64_t k = bytes / os;
    return k < count ? k : count;
}

static void movs_one(struct emu_cpu *cpu, const struct insn *in, int64_t d)
{
    uint64_t v = emu_read(cpu, src_seg(in), areg(cpu, in, GPR_RSI), in->opsize);
    emu_write(cpu, SEG_ES, areg(cpu, in, GPR_RDI), in->opsize, v);
    advance(cpu, in, GPR_RSI, d);
    advance(cpu, in, GPR_RDI, d);
}

static void stos_one(struct emu_cpu *cpu, const struct insn *in, int64_t d)
{
    emu_write(cpu, SEG_ES, areg(cpu, in, GPR_RDI), in->opsize, gpr_get(cpu, GPR_RAX, in->opsize));
    advance(cpu, in, GPR_RDI, d);
}

/* REP MOVS / REP STOS: chunked when moving forward, else per element. */
static void rep_store(struct emu_cpu *cpu, const struct insn *in, bool is_movs)
{
    int64_t d = step(cpu, in);
    if (!in->rep) {
        (is_movs ? movs_one : stos_one)(cpu, in, d);
        return;
    }
    unsigned os = in->opsize;
    uint8_t buf[HV_PAGE_SIZE];
    rep_zero_extend(cpu, in, is_movs, true);
    for (unsigned n = 0; n < STR_SLOW_BUDGET;) {
        uint64_t count = areg(cpu, in, GPR_RCX);
        if (!count)
            return;
        uint64_t k = d > 0 && count > 1 ? chunk_elems(cpu, in, count, is_movs) : 0;
        if (k > 1) {
            unsigned bytes = (unsigned)(k * os);
            if (is_movs) {
                emu_read_bytes(cpu, src_seg(in), areg(cpu, in, GPR_RSI), buf, bytes);
            } else {
                /* The element, then the filled part doubled (a kernel
                 * clears its pages with REP STOS). */
                uint64_t v = gpr_get(cpu, GPR_RAX, os);
                memcpy(buf, &v, os);
                for (unsigned have = os; have < bytes; have *= 2)
                    memcpy(buf + have, buf, bytes - have < have ? bytes - have : have);
            }
            emu_write_bytes(cpu, SEG_ES, areg(cpu, in, GPR_RDI), buf, bytes);
            if (is_movs)
                advance(cpu, in, GPR_RSI, (int64_t)bytes);
            advance(cpu, in, GPR_RDI, (int64_t)bytes);
            gpr_set(cpu, GPR_RCX, in->addrsize, count - k);
            n += STR_SLOW_BUDGET / STR_CHUNK_BUDGET;
        } else {
            (is_movs ? movs_one : stos_one)(cpu, in, d);
            gpr_set(cpu, GPR_RCX, in->addrsize, count - 1);
            n++;
        }
        if ((n % STR_KICK_EVERY) == 0 && kick_pending(cpu))
            break;
    }
    if (areg(cpu, in, GPR_RCX))
        restart(cpu);
}

void exec_movs(struct emu_cpu *cpu, const struct insn *in) { rep_store(cpu, in, true); }
void exec_stos(struct emu_cpu *cpu, const struct insn *in) { rep_store(cpu, in, false); }

/* LODS, CMPS, SCAS: per element; CMPS/SCAS stop on the REPE/REPNE condition. */
enum str_kind { STR_LODS, STR_CMPS, STR_SCAS };

static bool one_element(struct emu_cpu *cpu, const struct insn *in, enum str_kind kind, int64_t d)
{
    unsigned os = in->opsize;
    uint64_t a, b;
    switch (kind) {
    case STR_LODS:
        a = emu_read(cpu, src_seg(in), areg(cpu, in, GPR_RSI), os);
        gpr_set(cpu, GPR_RAX, os, a);
        advance(cpu, in, GPR_RSI, d);
        return true;
    case STR_CMPS:
        a = emu_read(cpu, src_seg(in), areg(cpu, in, GPR_RSI), os);
        b = emu_read(cpu, SEG_ES, areg(cpu, in, GPR_RDI), os);
        advance(cpu, in, GPR_RSI, d);
        break;
    default:
        a = gpr_get(cpu, GPR_RAX, os);
        b = emu_read(cpu, SEG_ES, areg(cpu, in, GPR_RDI), os);
        break;
    }
    advance(cpu, in, GPR_RDI, d);
    lf_record(cpu, LF_SUB, os, (a - b) & size_mask(os), a, b);
    return a == b;
}

static void rep_scan(struct emu_cpu *cpu, const struct insn *in, enum str_kind kind)
{
    int64_t d = step(cpu, in);
    if (!in->rep) {
        one_element(cpu, in, kind, d);
        return;
    }
    rep_zero_extend(cpu, in, false, false); /* here only ECX (host-checked) */
    for (unsigned n = 1; n <= STR_SLOW_BUDGET; n++) {
        uint64_t count = areg(cpu, in, GPR_RCX);
        if (!count)
            return;
        bool equal = one_element(cpu, in, kind, d);
        gpr_set(cpu, GPR_RCX, in->addrsize, count - 1);
        if (kind != STR_LODS && equal != (in->rep == REP_F3))
            return; /* REPE stops on a difference, REPNE on a match */
        if ((n % STR_KICK_EVERY) == 0 && kick_pending(cpu))
            break;
    }
    if (areg(cpu, in, GPR_RCX))
        restart(cpu);
}

void exec_lods(struct emu_cpu *cpu, const struct insn *in) { rep_scan(cpu, in, STR_LODS); }
void exec_cmps(struct emu_cpu *cpu, const struct insn *in) { rep_scan(cpu, in, STR_CMPS); }
void exec_scas(struct emu_cpu *cpu, const struct insn *in) { rep_scan(cpu, in, STR_SCAS); }
