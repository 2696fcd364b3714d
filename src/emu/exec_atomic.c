/*
 * XCHG, XADD, CMPXCHG, CMPXCHG8B/16B, and the atomic primitives behind every
 * LOCK-prefixed read-modify-write.  Locked accesses operate on the host
 * mapping of guest RAM with __atomic builtins, so they are atomic against
 * other vCPUs and the host; when the machine has no single pointer (the
 * operand crosses a page) we fall back to a read and a write.
 */
#include <string.h>

#include "engine_internal.h"

void *locked_ptr(struct emu_cpu *cpu, const struct insn *in, unsigned size)
{
    return emu_rmw_ptr(cpu, emu_ea_seg(in), ea_of(cpu, in), size);
}

uint64_t atomic_load_sized(const void *p, unsigned size)
{
    switch (size) {
    case 1: return __atomic_load_n((const uint8_t *)p, __ATOMIC_SEQ_CST);
    case 2: return __atomic_load_n((const uint16_t *)p, __ATOMIC_SEQ_CST);
    case 4: return __atomic_load_n((const uint32_t *)p, __ATOMIC_SEQ_CST);
    default: return __atomic_load_n((const uint64_t *)p, __ATOMIC_SEQ_CST);
    }
}

bool atomic_cas_sized(void *p, unsigned size, uint64_t *expected, uint64_t desired)
{
    bool ok;
    switch (size) {
    case 1: {
        uint8_t e = (uint8_t)*expected;
        ok = __atomic_compare_exchange_n((uint8_t *)p, &e, (uint8_t)desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        *expected = e;
        break;
    }
    case 2: {
        uint16_t e = (uint16_t)*expected;
        ok = __atomic_compare_exchange_n((uint16_t *)p, &e, (uint16_t)desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        *expected = e;
        break;
    }
    case 4: {
        uint32_t e = (uint32_t)*expected;
        ok = __atomic_compare_exchange_n((uint32_t *)p, &e, (uint32_t)desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        *expected = e;
        break;
    }
    default:
        ok = __atomic_compare_exchange_n((uint64_t *)p, expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        break;
    }
    return ok;
}

static uint64_t atomic_exchange_sized(void *p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: return __atomic_exchange_n((uint8_t *)p, (uint8_t)v, __ATOMIC_SEQ_CST);
    case 2: return __atomic_exchange_n((uint16_t *)p, (uint16_t)v, __ATOMIC_SEQ_CST);
    case 4: return __atomic_exchange_n((uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST);
    default: return __atomic_exchange_n((uint64_t *)p, v, __ATOMIC_SEQ_CST);
    }
}

/* XCHG with a memory operand is locked whether or not LOCK is present. */
void exec_xchg_rm_r(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned sz = in->opsize;
    uint64_t src = reg_get(cpu, in, in->reg, sz), old;
    if (!in->has_mem) {
        old = reg_get(cpu, in, in->rm, sz);
        reg_put(cpu, in, in->rm, sz, src);
    } else {
        void *p = locked_ptr(cpu, in, sz);
        if (p) {
            old = atomic_exchange_sized(p, sz, src);
        } else {
            int seg = emu_ea_seg(in);
            uint64_t off = ea_of(cpu, in);
            old = emu_read_rmw(cpu, seg, off, sz);
            emu_write(cpu, seg, off, sz, src);
        }
    }
    reg_put(cpu, in, in->reg, sz, old);
}

void exec_xadd(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned sz = in->opsize;
    uint64_t m = size_mask(sz), src = reg_get(cpu, in, in->reg, sz), old;
    if (!in->has_mem) {
        old = reg_get(cpu, in, in->rm, sz);
        reg_put(cpu, in, in->reg, sz, old);
        reg_put(cpu, in, in->rm, sz, (old + src) & m);
    } else {
        void *p = in->lock ? locked_ptr(cpu, in, sz) : NULL;
        if (p) {
            old = atomic_load_sized(p, sz);
            while (!atomic_cas_sized(p, sz, &old, (old + src) & m))
                ;
        } else {
            int seg = emu_ea_seg(in);
            uint64_t off = ea_of(cpu, in);
            old = emu_read_rmw(cpu, seg, off, sz);
            emu_write(cpu, seg, off, sz, (old + src) & m);
        }
        reg_put(cpu, in, in->reg, sz, old);
    }
    lf_record(cpu, LF_ADD, sz, (old + src) & m, old, src);
}

void exec_cmpxchg(struct emu_cpu *cpu, const struct insn *in)
{
    unsigned sz = in->opsize;
    uint64_t acc = gpr_get(cpu, GPR_RAX, sz), src = reg_get(cpu, in, in->reg, sz), cur;
    bool equal;
    if (!in->has_mem) {
        cur = reg_get(cpu, in, in->rm, sz);
        equal = cur == acc;
        if (equal)
            reg_put(cpu, in, in->rm, sz, src);
    } else {
        void *p = in->lock ? locked_ptr(cpu, in, sz) : NULL;
        if (p) {
            cur = acc;
            equal = atomic_cas_sized(p, sz, &cur, src);
        } else {
            int seg = emu_ea_seg(in);
            uint64_t off = ea_of(cpu, in);
            cur = emu_read_rmw(cpu, seg, off, sz);
            equal = cur == acc;
            /* The destination is written either way, as the processor does. */
            emu_write(cpu, seg, off, sz, equal ? src : cur);
        }
    }
    if (!equal)
        gpr_set(cpu, GPR_RAX, sz, cur);
    lf_record(cpu, LF_SUB, sz, (acc - cur) & size_mask(sz), acc, cur);
}

#if defined(__x86_64__)
static bool cas16(void *p, uint64_t *lo, uint64_t *hi, uint64_t new_lo, uint64_t new_hi)
{
    bool ok;
    __asm__ volatile("lock cmpxchg16b %1\n\tsete %0"
                     : "=q"(ok), "+m"(*(volatile unsigned __int128 *)p), "+a"(*lo), "+d"(*hi)
                     : "b"(new_lo), "c"(new_hi)
                     : "memory", "cc");
    return ok;
}
#endif

/* CMPXCHG8B (and CMPXCHG16B with REX.W): memory operand only. */
void exec_cmpxchg8b(struct emu_cpu *cpu, const struct insn *in)
{
    if (!in->has_mem)
        EMU_UD(cpu);
    bool wide = in->rex & 8;
    unsigned half = wide ? 8 : 4;
    int seg = emu_ea_seg(in);
    uint64_t off = ea_of(cpu, in);
    if (wide && (linear_of(cpu, seg, off) & 15))
        EMU_GP0(cpu);
    uint64_t m = size_mask(half);
    uint64_t exp_lo = gpr_get(cpu, GPR_RAX, half), exp_hi = gpr_get(cpu, GPR_RDX, half);
    uint64_t new_lo = gpr_get(cpu, GPR_RBX, half), new_hi = gpr_get(cpu, GPR_RCX, half);
    uint64_t cur_lo, cur_hi;
    bool equal;
    void *p = in->lock ? emu_rmw_ptr(cpu, seg, off, 2 * half) : NULL;
    if (p && !wide) {
        uint64_t cur = exp_lo | (exp_hi << 32);
        equal = atomic_cas_sized(p, 8, &cur, new_lo | (new_hi << 32));
        cur_lo = cur & m;
        cur_hi = cur >> 32;
#if defined(__x86_64__)
    } else if (p) {
        cur_lo = exp_lo;
        cur_hi = exp_hi;
        equal = cas16(p, &cur_lo, &cur_hi, new_lo, new_hi);
#endif
    } else {
        /* One read and one write of the whole operand: a fault leaves it
         * untouched.  The destination is written even when unequal. */
        uint64_t v[2] = { 0, 0 };
        emu_read_bytes(cpu, seg, off, v, 2 * half);
        cur_lo = wide ? v[0] : v[0] & m;
        cur_hi = wide ? v[1] : v[0] >> 32;
        equal = cur_lo == exp_lo && cur_hi == exp_hi;
        if (equal) {
            if (wide)
                v[0] = new_lo, v[1] = new_hi;
            else
                v[0] = new_lo | (new_hi << 32);
        }
        emu_write_bytes(cpu, seg, off, v, 2 * half);
    }
    if (!equal) {
        gpr_set(cpu, GPR_RAX, half, cur_lo);
        gpr_set(cpu, GPR_RDX, half, cur_hi);
    }
    flags_set(cpu, EFL_ZF, equal ? EFL_ZF : 0);
}
