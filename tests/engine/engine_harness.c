/* The engine test harness: the machine functions of emu.h over flat memory. */
#include "engine_harness.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static struct harness *harness_of(struct emu_cpu *cpu)
{
    return (struct harness *)((char *)cpu - offsetof(struct harness, cpu));
}

bool h_init(struct harness *h)
{
    memset(h, 0, sizeof *h);
    h->low = calloc(1, H_LOW_SIZE);
    void *p = mmap((void *)H_HIGH_BASE, H_HIGH_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (!h->low || p != (void *)H_HIGH_BASE)
        return false;
    h->high = p;
    h->cpu.icache = emu_icache_create();
    return h->cpu.icache != NULL;
}

void h_fini(struct harness *h)
{
    emu_icache_destroy(h->cpu.icache);
    munmap(h->high, H_HIGH_SIZE);
    free(h->low);
}

uint8_t *h_ptr(struct harness *h, uint64_t lin, uint64_t size)
{
    if (lin < H_LOW_SIZE && size <= H_LOW_SIZE - lin)
        return h->low + lin;
    if (lin >= H_HIGH_BASE && lin - H_HIGH_BASE < H_HIGH_SIZE && size <= H_HIGH_SIZE - (lin - H_HIGH_BASE))
        return h->high + (lin - H_HIGH_BASE);
    return NULL;
}

static void set_seg(struct vmx_segment *s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
    s->sel = sel;
    s->base = base;
    s->limit = limit;
    s->ar = ar;
}

void h_reset(struct harness *h, int mode)
{
    struct emu_icache *ic = h->cpu.icache;
    memset(&h->vcpu.vmcs, 0, sizeof h->vcpu.vmcs);
    memset(&h->cpu, 0, sizeof h->cpu);
    atomic_store(&h->vcpu.kick, false);
    h->cpu.icache = ic;
    h->cpu.vcpu = &h->vcpu;
    h->cpu.vm = &h->vm;
    h->cpu.vmcs = &h->vcpu.vmcs;
    h->cpu.g = &h->vcpu.vmcs.guest;
    h->vcpu.vm = &h->vm;
    h->fetch_limit = h->data_limit = 0;
    struct vmcs_guest *g = h->cpu.g;
    g->rflags = 2;
    uint32_t data = 0x93, code = 0x9b;
    for (int i = 0; i < SEG_LDTR; i++) {
        if (mode == 16)
            set_seg(&g->seg[i], 0, 0, 0xffff, i == SEG_CS ? code : data);
        else if (mode == 32)
            set_seg(&g->seg[i], 0x10, 0, 0xffffffff, (i == SEG_CS ? code : data) | AR_DB | AR_G);
        else
            set_seg(&g->seg[i], 0x10, 0, 0xffffffff, (i == SEG_CS ? code | AR_L : data | AR_DB) | AR_G);
    }
    if (mode != 16)
        g->cr0 = 0x80000011; /* PE, ET, PG (paging is not modelled by the harness) */
    if (mode == 64) {
        g->cr4 = 0x20;
        g->efer = 0x500; /* LME, LMA */
    }
    emu_update_mode(&h->cpu);
    emu_icache_flush(ic);
}

void h_load(struct harness *h, uint64_t lin, const void *code, unsigned len)
{
    memcpy(h_ptr(h, lin, len), code, len);
    struct vmcs_guest *g = h->cpu.g;
    if (h->cpu.mode == MODE_REAL || h->cpu.mode == MODE_V86) {
        g->seg[SEG_CS].base = lin & ~0xfull;
        g->seg[SEG_CS].sel = (uint16_t)(lin >> 4);
        g->rip = lin & 0xf;
    } else {
        g->rip = lin;
    }
}

/* ---- the machine side of emu.h */

void emu_update_mode(struct emu_cpu *cpu)
{
    struct vmcs_guest *g = cpu->g;
    const struct vmx_segment *cs = &g->seg[SEG_CS], *ss = &g->seg[SEG_SS];
    if (!(g->cr0 & 1))
        cpu->mode = MODE_REAL;
    else if (g->rflags & (1u << 17))
        cpu->mode = MODE_V86;
    else if ((g->efer & 0x400) && (cs->ar & AR_L))
        cpu->mode = MODE_LONG;
    else if (g->efer & 0x400)
        cpu->mode = MODE_COMPAT;
    else
        cpu->mode = MODE_PROT;
    cpu->cpl = cpu->mode == MODE_REAL ? 0 : cpu->mode == MODE_V86 ? 3 : (ss->ar >> AR_DPL_SHIFT) & 3;
    if (cpu->mode == MODE_LONG) {
        cpu->def_opsize = 4;
        cpu->def_addrsize = 8;
        cpu->stack_addrsize = 8;
    } else {
        bool big = cpu->mode != MODE_REAL && cpu->mode != MODE_V86 && (cs->ar & AR_DB);
        cpu->def_opsize = big ? 4 : 2;
        cpu->def_addrsize = big ? 4 : 2;
        cpu->stack_addrsize = (cpu->mode != MODE_REAL && cpu->mode != MODE_V86 && (ss->ar & AR_DB)) ? 4 : 2;
    }
}

static _Noreturn void stop(struct emu_cpu *cpu, enum h_stop why)
{
    harness_of(cpu)->stop = why;
    longjmp(cpu->abort, 1);
}

_Noreturn void emu_raise(struct emu_cpu *cpu, unsigned vector, bool has_error, uint32_t error)
{
    struct harness *h = harness_of(cpu);
    h->vector = vector;
    h->has_error = has_error;
    h->error = error;
    stop(cpu, H_STOP_EXC);
}

_Noreturn void emu_exit_insn(struct emu_cpu *cpu, uint32_t reason, uint64_t qualification)
{
    (void)qualification;
    harness_of(cpu)->exit_reason = reason;
    stop(cpu, H_STOP_EXIT);
}

void emu_sys(struct emu_cpu *cpu, const struct insn *in)
{
    harness_of(cpu)->sys_opcode = in->opcode;
    stop(cpu, H_STOP_SYS);
}

void emu_sys_inline(struct emu_cpu *cpu, const struct insn *in)
{
    emu_sys(cpu, in);
}

static uint64_t linear(struct emu_cpu *cpu, int seg, uint64_t off)
{
    if (cpu->mode == MODE_LONG)
        return (seg >= SEG_FS ? cpu->g->seg[seg].base : 0) + off;
    return (cpu->g->seg[seg].base + off) & 0xffffffffull;
}

static uint8_t *data_ptr(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    struct harness *h = harness_of(cpu);
    uint64_t lin = linear(cpu, seg, off);
    uint8_t *p = h_ptr(h, lin, size);
    if (!p || (h->data_limit && lin + size > h->data_limit)) {
        if (!p && seg == SEG_SS)
            emu_raise(cpu, 12, true, 0);
        cpu->g->cr2 = h->data_limit && lin < h->data_limit ? h->data_limit : lin;
        emu_raise(cpu, 14, true, 0);
    }
    return p;
}

uint64_t emu_read(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    memcpy(&v, data_ptr(cpu, seg, off, size), size);
    return v;
}

/* The harness has no EPT, so a read-modify-write read is a plain read. */
uint64_t emu_read_rmw(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    return emu_read(cpu, seg, off, size);
}

void emu_write(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size, uint64_t val)
{
    memcpy(data_ptr(cpu, seg, off, size), &val, size);
}

void emu_read_bytes(struct emu_cpu *cpu, int seg, uint64_t off, void *buf, unsigned size)
{
    memcpy(buf, data_ptr(cpu, seg, off, size), size);
}

void emu_write_bytes(struct emu_cpu *cpu, int seg, uint64_t off, const void *buf, unsigned size)
{
    memcpy(data_ptr(cpu, seg, off, size), buf, size);
}

void *emu_rmw_ptr(struct emu_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    uint64_t lin = linear(cpu, seg, off);
    if ((lin & 4095) + size > 4096)
        return NULL;
    harness_of(cpu)->rmw_ptr_calls++;
    return data_ptr(cpu, seg, off, size);
}

_Noreturn void emu_fetch_fault(struct emu_cpu *cpu, uint64_t rip)
{
    cpu->g->cr2 = linear(cpu, SEG_CS, rip);
    emu_raise(cpu, 14, true, 0x10);
}

unsigned emu_fetch(struct emu_cpu *cpu, uint64_t rip, uint8_t *buf, unsigned want, uint64_t *gpa,
                   const uint8_t **hva)
{
    struct harness *h = harness_of(cpu);
    uint64_t lin = linear(cpu, SEG_CS, rip);
    unsigned n = 0;
    uint8_t *p = h_ptr(h, lin, 1);
    if (p) {
        uint64_t end = lin < H_LOW_SIZE ? H_LOW_SIZE : H_HIGH_BASE + H_HIGH_SIZE;
        if (h->fetch_limit && h->fetch_limit > lin && h->fetch_limit < end)
            end = h->fetch_limit;
        if (h->fetch_limit && lin >= h->fetch_limit)
            end = lin;
        n = end - lin < want ? (unsigned)(end - lin) : want;
    }
    if (!n)
        emu_fetch_fault(cpu, rip);
    memcpy(buf, p, n);
    *gpa = lin;
    *hva = p;
    return n;
}

enum h_stop h_run(struct harness *h, uint64_t max)
{
    struct emu_cpu *cpu = &h->cpu;
    h->stop = H_STOP_NONE;
    h->executed = 0;
    h->sys_opcode = 0;
    if (setjmp(cpu->abort)) {
        emu_flags_sync(cpu);
        return h->stop;
    }
    while (h->executed < max) {
        const struct insn *in = emu_decode_at_rip(cpu);
        cpu->insn = in;
        cpu->insn_rip = cpu->g->rip;
        uint64_t next = cpu->g->rip + in->len;
        if (cpu->mode != MODE_LONG)
            next &= cpu->def_opsize == 2 ? 0xffff : 0xffffffff;
        cpu->next_rip = next;
        in->exec(cpu, in);
        cpu->g->rip = cpu->next_rip;
        h->executed++;
    }
    emu_flags_sync(cpu);
    return H_STOP_NONE;
}
