/*
 * x87 instructions whose results are exact: FXTRACT, FPREM, FPREM1 (the
 * partial remainder with its quotient bits in C0/C3/C1 and "incomplete" in
 * C2), FBLD and FBSTP (18-digit packed BCD; FBSTP rounds by RC).
 */
#include "x87.h"

/* The packed-BCD indefinite: sign and exponent-like bytes all ones, then
 * 0xC0 and zero digits (SDM vol. 1 table 4-9). */
static const uint8_t BCD_INDEFINITE[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };

static struct f80 quiet(struct f80 v)
{
    v.man |= 1ull << 62;
    return v;
}

/* ---- FXTRACT: ST(0) becomes the exponent, then the significand is pushed */

static void fxtract(struct emu_cpu *cpu)
{
    if (empty(cpu, 0) || !empty(cpu, 7)) {
        /* Underflow (C1 = 0) or overflow (C1 = 1); the masked response
         * leaves the indefinite in both. */
        if (stack_fault(cpu, !empty(cpu, 0)))
            return;
        st_set(cpu, 0, F80_INDEFINITE);
        top_move(cpu, -1);
        st_set(cpu, 0, F80_INDEFINITE);
        return;
    }
    struct f80 a = st_get(cpu, 0), expo, sig;
    unsigned flags = 0;
    switch (classify(a)) {
    case C_UNSUPPORTED: flags = FSW_IE; expo = sig = F80_INDEFINITE; break;
    case C_SNAN: flags = FSW_IE; expo = sig = quiet(a); break;
    case C_QNAN: expo = sig = a; break;
    case C_ZERO:
        /* log2(0) = -infinity: a division by zero. */
        flags = FSW_ZE;
        expo = (struct f80){ 1ull << 63, 0xffff };
        sig = a;
        break;
    case C_INF:
        expo = (struct f80){ 1ull << 63, 0x7fff };
        sig = a;
        break;
    default: {
        if (classify(a) == C_DENORMAL)
            flags = FSW_DE;
        struct unp u = x87_unpack(a);
        expo = from_int(u.e);
        sig = (struct f80){ (uint64_t)(u.m >> 64), (uint16_t)((a.se & 0x8000) | 0x3fff) };
        break;
    }
    }
    if (x87_raise(cpu, flags))
        return;
    st_set(cpu, 0, expo);
    push(cpu, sig);
}

/* ---- FPREM / FPREM1 */

/* Quotient bits: C0 = Q2, C3 = Q1, C1 = Q0. */
static void set_quotient(struct emu_cpu *cpu, uint64_t q, bool incomplete)
{
    uint16_t s = (uint16_t)(fsw(cpu) & ~(FSW_C0 | FSW_C1_BIT | FSW_C2 | FSW_C3));
    if (q & 4)
        s |= FSW_C0;
    if (q & 2)
        s |= FSW_C3;
    if (q & 1)
        s |= FSW_C1_BIT;
    if (incomplete)
        s |= FSW_C2;
    fsw_set(cpu, s);
}

/*
 * ST(0) - ST(1) * Q with Q the quotient truncated (FPREM) or rounded to
 * nearest even (FPREM1).  When the exponents differ by 64 or more, one
 * step reduces the difference to a multiple of 32 below it (the partial
 * remainder, C2 = 1) and the program loops; the result is always exact.
 */
static void fprem(struct emu_cpu *cpu, bool ieee)
{
    /* A stack fault, NaN or invalid operand clears C1 and C2 and leaves
     * C0 and C3 (as the compared host does). */
    fsw_set(cpu, (uint16_t)(fsw(cpu) & ~(FSW_C1_BIT | FSW_C2)));
    if (empty(cpu, 0) || empty(cpu, 1)) {
        if (!stack_fault(cpu, false))
            st_set(cpu, 0, F80_INDEFINITE);
        return;
    }
    struct f80 a = st_get(cpu, 0), b = st_get(cpu, 1), r = a;
    enum cls ca = classify(a), cb = classify(b);
    unsigned flags = 0;
    uint64_t q = 0;
    bool incomplete = false, quotient = false;
    if (ca == C_UNSUPPORTED || cb == C_UNSUPPORTED) {
        flags = FSW_IE;
        r = F80_INDEFINITE;
    } else if (is_nan(ca) || is_nan(cb)) {
        flags = (ca == C_SNAN || cb == C_SNAN) ? FSW_IE : 0;
        r = x87_nan2(a, b, is_nan(ca), is_nan(cb));
    } else if (ca == C_INF || cb == C_ZERO) {
        flags = FSW_IE;
        r = F80_INDEFINITE;
    } else {
        if (ca == C_DENORMAL || cb == C_DENORMAL)
            flags = FSW_DE;
        quotient = true;
        if (ca != C_ZERO && cb != C_INF) {
            struct unp ua = x87_unpack(a), ub = x87_unpack(b);
            uint64_t ma = (uint64_t)(ua.m >> 64), mb = (uint64_t)(ub.m >> 64);
            int32_t d = ua.e - ub.e, scale = 0;
            u128 rem;
            bool sign = ua.sign;
            if (d < 0) {
                /* |a| < |b|: Q = 0, or 1 for FPREM1 when |a| > |b| / 2. */
                rem = ma;
                scale = ua.e;
                if (ieee && d == -1 && ma > mb) {
                    rem = ((u128)mb << 1) - ma;
                    sign = !sign;
                    q = 1;
                }
            } else {
                int32_t n = d;
                if (d >= 64) {
                    n = 32 + (d & 31);
                    incomplete = true;
                }
                u128 num = (u128)ma << n;
                u128 qq = num / mb;
                rem = num % mb;
                if (ieee && !incomplete && (2 * rem > mb || (2 * rem == mb && (qq & 1)))) {
                    qq++;
                    rem = mb - rem;
                    sign = !sign;
                }
                q = (uint64_t)qq;
                scale = ub.e + (d - n);
            }
            /* rem * 2^(scale - 63) */
            struct unp ur = { sign, scale - 63 + 127, rem };
            if (!rem) {
                r = (struct f80){ 0, (uint16_t)(ua.sign ? 0x8000 : 0) };
            } else {
                x87_normalize(&ur);
                uint64_t qm;
                int32_t e;
                bool up;
                unsigned rf = 0;
                x87_round(ur, F_EXT, 0, &qm, &e, &rf, &up);
                r = x87_pack(sign, qm, e, F_EXT);
            }
        }
    }
    if (x87_raise(cpu, flags))
        return;
    if (quotient)
        set_quotient(cpu, incomplete ? 0 : q, incomplete);
    st_set(cpu, 0, r);
}

/* ---- FBLD / FBSTP: 18 BCD digits, sign in bit 79 */

static void fbld(struct emu_cpu *cpu, const struct insn *in)
{
    uint8_t m[10];
    emu_read_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), m, 10);
    /* Digits above 9 are undefined in the SDM; each nibble counts with its
     * binary value, as the compared host does. */
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (m[i] >> 4) * 10 + (m[i] & 15);
    struct f80 x = from_int((int64_t)v);
    if (m[9] & 0x80)
        x.se |= 0x8000;
    push(cpu, x);
}

static void fbstp(struct emu_cpu *cpu, const struct insn *in)
{
    static const uint64_t LIMIT = 999999999999999999ull;
    uint8_t out[10];
    unsigned flags = 0;
    bool up = false;
    struct f80 a = st_get(cpu, 0);
    enum cls c = empty(cpu, 0) ? C_UNSUPPORTED : classify(a);
    memcpy(out, BCD_INDEFINITE, 10);
    if (empty(cpu, 0)) {
        flags = FSW_IE | FSW_SF;
    } else if (c == C_UNSUPPORTED || is_nan(c) || c == C_INF) {
        flags = FSW_IE;
    } else {
        uint64_t mag = 0;
        bool too_big = false, inexact = false;
        if (c != C_ZERO) {
            mag = x87_round_magnitude(x87_unpack(a), x87_rc(cpu), &too_big, &inexact, &up);
            if (inexact)
                flags |= FSW_PE;
        }
        if (too_big || mag > LIMIT) {
            flags = FSW_IE;
            up = false;
        } else {
            for (unsigned i = 0; i < 9; i++) {
                unsigned lo = (unsigned)(mag % 10), hi = (unsigned)(mag / 10 % 10);
                mag /= 100;
                out[i] = (uint8_t)(hi << 4 | lo);
            }
            out[9] = (a.se & 0x8000) ? 0x80 : 0;
        }
    }
    bool unmasked = (flags & 0x3f & ~fcw(cpu)) != 0;
    if (!unmasked)
        emu_write_bytes(cpu, emu_ea_seg(in), ea_of(cpu, in), out, 10);
    set_c1(cpu, up && !unmasked);
    if (x87_raise(cpu, flags))
        return;
    pop(cpu);
}

bool x87_exact(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned op = in->opcode & 0xff, reg = (in->modrm >> 3) & 7;
    if (in->has_mem) {
        if (op != 0xdf || (reg != 4 && reg != 6))
            return false;
        note(cpu, in);
        if (reg == 4)
            fbld(cpu, in);
        else
            fbstp(cpu, in);
        return true;
    }
    if (op != 0xd9)
        return false;
    switch (in->modrm) {
    case 0xf4: note(cpu, in); fxtract(cpu); return true;
    case 0xf5: note(cpu, in); fprem(cpu, true); return true;
    case 0xf8: note(cpu, in); fprem(cpu, false); return true;
    default: return false;
    }
}
