/*
 * Port I/O: the device table, and the VMX_REASON_IO exit including string
 * I/O.  Fixed ports come first, then the PCI devices' I/O BARs.  Ports no
 * device claims read as all-ones and ignore writes, like an empty ISA bus.
 */
#include "hvrun.h"

#include <stdio.h>

static const struct io_device *const devices[] = {
    &uart_device, &exit_port_device, &pit_device, &pit_port_b_device, &rtc_device,
    &i8042_data_device, &i8042_cmd_device, &acpi_pm_device,
    &atpic_master_device, &atpic_slave_device, &atpic_elcr_device, &pci_config_device,
};

enum { CHUNK_ELEMENTS = 4096 };   /* string I/O elements handled per exit */

enum {
    QUAL_SIZE_MASK = 7, QUAL_IN = 1u << 3, QUAL_STRING = 1u << 4, QUAL_REP = 1u << 5,
    RFLAGS_DF = 1u << 10, EFER_LMA = 1u << 10, AR_L = 1u << 13, SEG_FS = 4,
};

static const struct io_device *find_device(uint16_t port)
{
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
        if (port >= devices[i]->base && port - devices[i]->base < devices[i]->len)
            return devices[i];
    return NULL;
}

static uint32_t all_ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

uint32_t hvrun_io_read(struct machine *m, uint16_t port, unsigned size)
{
    const struct io_device *d = find_device(port);
    uint32_t value = 0xffffffffu;
    if (d == NULL) {
        pci_io_read(port, size, &value);
        return value & all_ones(size);
    }
    return d->read(m, (uint16_t)(port - d->base + d->offset), size) & all_ones(size);
}

void hvrun_io_write(struct machine *m, uint16_t port, unsigned size, uint32_t value)
{
    const struct io_device *d = find_device(port);
    if (d != NULL)
        d->write(m, (uint16_t)(port - d->base + d->offset), size, value & all_ones(size));
    else
        pci_io_write(port, size, value & all_ones(size));
}

static void trace_io(const struct machine *m, struct vcpu *v, uint16_t port, unsigned size,
                     bool in, uint32_t value, uint64_t count)
{
    if (!m->opt.trace)
        return;
    const struct io_device *d = find_device(port);
    const char *name = d != NULL ? d->name : pci_io_name(port);
    if (name == NULL)
        name = "unclaimed";
    if (count)
        snprintf(v->trace, sizeof v->trace, "%s port 0x%x size %u count %llu (%s)", in ? "ins" : "outs",
                 port, size, (unsigned long long)count, name);
    else
        snprintf(v->trace, sizeof v->trace, "%s port 0x%x size %u value 0x%x (%s)", in ? "in" : "out",
                 port, size, value, name);
}

/* Register update with the instruction's address size: 16-bit keeps the
 * upper bits, 32-bit zero-extends (as any 32-bit write in 64-bit mode). */
static uint64_t addr_update(uint64_t reg, int64_t delta, unsigned asize)
{
    if (asize == 2)
        return (reg & ~0xffffull) | ((reg + (uint64_t)delta) & 0xffff);
    if (asize == 4)
        return (reg + (uint64_t)delta) & 0xffffffffu;
    return reg + (uint64_t)delta;
}

static bool handle_string_io(struct machine *m, struct vcpu *v, uint64_t qual, uint16_t port,
                             unsigned size, bool in)
{
    hv_vcpuid_t id = v->id;
    uint64_t info = hvrun_vmcs_get(id, VMCS_RO_VMX_INSTR_INFO);
    unsigned asize = 2u << ((info >> 7) & 7);
    /* INS always stores through ES; OUTS names its segment (default DS). */
    unsigned seg = in ? 0 : (unsigned)((info >> 15) & 7);
    bool long64 = (hvrun_vmcs_get(id, VMCS_GUEST_IA32_EFER) & EFER_LMA) &&
                  (hvrun_vmcs_get(id, VMCS_GUEST_CS_AR) & AR_L);
    uint64_t base = (long64 && seg < SEG_FS) ? 0 : hvrun_vmcs_get(id, VMCS_GUEST_ES_BASE + 2 * seg);
    hv_x86_reg_t index_reg = in ? HV_X86_RDI : HV_X86_RSI;
    uint64_t index = hvrun_reg_get(id, index_reg);
    uint64_t mask = asize == 8 ? ~0ull : (1ull << (8 * asize)) - 1;
    uint64_t count = 1, rcx = 0;
    if (qual & QUAL_REP) {
        rcx = hvrun_reg_get(id, HV_X86_RCX) & mask;
        count = rcx < CHUNK_ELEMENTS ? rcx : CHUNK_ELEMENTS;
    }
    int64_t step = (hvrun_reg_get(id, HV_X86_RFLAGS) & RFLAGS_DF) ? -(int64_t)size : (int64_t)size;

    for (uint64_t i = 0; i < count; i++) {
        uint64_t linear = base + (index & mask);
        uint32_t value = 0;
        bool ok;
        if (in) {
            value = hvrun_io_read(m, port, size);
            ok = guest_write_linear(&m->mem, id, linear, &value, size);
        } else {
            ok = guest_read_linear(&m->mem, id, linear, &value, size);
            if (ok)
                hvrun_io_write(m, port, size, value);
        }
        if (!ok) {
            fprintf(stderr, "hvrun: [cpu%u] string I/O at RIP 0x%llx: linear address 0x%llx is not in guest RAM\n",
                    v->index, (unsigned long long)hvrun_reg_get(id, HV_X86_RIP), (unsigned long long)linear);
            return false;
        }
        index = addr_update(index, step, asize);
    }
    hvrun_reg_set(id, index_reg, index);
    trace_io(m, v, port, size, in, 0, count);
    if (qual & QUAL_REP) {
        uint64_t left = rcx - count;
        hvrun_reg_set(id, HV_X86_RCX, addr_update(hvrun_reg_get(id, HV_X86_RCX), -(int64_t)count, asize));
        if (left != 0)
            return true;       /* re-execute the REP instruction for the rest */
    }
    hvrun_advance_rip(id);
    return true;
}

bool hvrun_handle_io(struct machine *m, struct vcpu *v, uint64_t qual)
{
    uint16_t port = (uint16_t)(qual >> 16);
    unsigned size = (unsigned)(qual & QUAL_SIZE_MASK) + 1;
    bool in = qual & QUAL_IN;
    if (size != 1 && size != 2 && size != 4) {
        fprintf(stderr, "hvrun: [cpu%u] I/O exit with invalid size in qualification 0x%llx\n",
                v->index, (unsigned long long)qual);
        return false;
    }
    if (qual & QUAL_STRING)
        return handle_string_io(m, v, qual, port, size, in);

    uint64_t rax = hvrun_reg_get(v->id, HV_X86_RAX);
    if (in) {
        uint32_t value = hvrun_io_read(m, port, size);
        /* IN AL/AX merge; IN EAX zero-extends into RAX. */
        uint64_t keep = size == 4 ? 0 : ~(uint64_t)all_ones(size);
        hvrun_reg_set(v->id, HV_X86_RAX, (rax & keep) | value);
        trace_io(m, v, port, size, true, value, 0);
    } else {
        uint32_t value = (uint32_t)rax & all_ones(size);
        trace_io(m, v, port, size, false, value, 0);
        hvrun_io_write(m, port, size, value);
    }
    hvrun_advance_rip(v->id);
    return true;
}
