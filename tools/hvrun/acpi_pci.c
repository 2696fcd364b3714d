/*
 * The DSDT's PCI root bridge, in AML (ACPI 6.x, chapter 20), for when
 * hvrun has PCI devices: Linux with ACPI finds PCI buses only through
 * PNP0A03 devices, and routes INTx only through their _PRT.
 *
 *   Scope (\_SB) { Device (PCI0) {
 *     Name (_HID, EisaId ("PNP0A03")) Name (_UID, 0) Name (_BBN, 0)
 *     Name (_CRS, ResourceTemplate () { bus 0-255; I/O 0xcf8-0xcff (consumed);
 *       I/O windows 0-0xcf7 and 0xd00-0xffff; memory 0xc0000000-0xfebfffff })
 *     Name (_PRT, Package () { Package () { 0xSSSSffff, 0, 0, GSI }, ... })
 *   } }
 *
 * A _PRT entry without a link device names a GSI, which the OS programs
 * level-triggered, active low; the library's IOAPIC treats an asserted pin
 * as active whatever the polarity, so hvrun asserts the line as usual.
 */
#include "hvrun.h"

#include <string.h>

enum {
    OP_ZERO = 0x00, OP_NAME = 0x08, OP_BYTE = 0x0a, OP_WORD = 0x0b, OP_DWORD = 0x0c,
    OP_SCOPE = 0x10, OP_BUFFER = 0x11, OP_PACKAGE = 0x12, OP_EXT = 0x5b, OP_DEVICE = 0x82,
    EISA_PNP0A03 = 0x030ad041,
    MAX_DEPTH = 4,
};

struct aml {
    uint8_t *p;
    size_t len, cap;
    size_t open[MAX_DEPTH];    /* where each open PkgLength was reserved */
    unsigned depth;
    bool overflow;
};

static void emit(struct aml *a, const void *bytes, size_t n)
{
    if (a->len + n > a->cap) {
        a->overflow = true;
        return;
    }
    memcpy(a->p + a->len, bytes, n);
    a->len += n;
}

static void byte(struct aml *a, uint8_t b) { emit(a, &b, 1); }
static void word(struct aml *a, uint16_t w) { emit(a, &w, 2); }
static void dword(struct aml *a, uint32_t d) { emit(a, &d, 4); }

static void integer(struct aml *a, uint32_t v)
{
    if (v == 0) {
        byte(a, OP_ZERO);
    } else if (v <= 0xff) {
        byte(a, OP_BYTE), byte(a, (uint8_t)v);
    } else if (v <= 0xffff) {
        byte(a, OP_WORD), word(a, (uint16_t)v);
    } else {
        byte(a, OP_DWORD), dword(a, v);
    }
}

/* A PkgLength is encoded once its contents are known: two bytes are
 * reserved, and one is given back when the package is short. */
static void open_pkg(struct aml *a)
{
    if (a->depth == MAX_DEPTH) {
        a->overflow = true;
        return;
    }
    a->open[a->depth++] = a->len;
    word(a, 0);
}

static void close_pkg(struct aml *a)
{
    if (a->overflow || a->depth == 0)
        return;
    size_t at = a->open[--a->depth], body = a->len - at - 2;
    if (body + 1 < 0x40) {
        a->p[at] = (uint8_t)(body + 1);
        memmove(a->p + at + 1, a->p + at + 2, body);
        a->len--;
    } else if (body + 2 < 0x1000) {
        a->p[at] = (uint8_t)(0x40 | ((body + 2) & 0xf));
        a->p[at + 1] = (uint8_t)((body + 2) >> 4);
    } else {
        a->overflow = true;
    }
}

static void name(struct aml *a, const char seg[4])
{
    byte(a, OP_NAME);
    emit(a, seg, 4);
}

/* Word Address Space Descriptor (6.4.3.5.3): a window the bridge decodes. */
static void word_space(struct aml *a, uint8_t type, uint8_t type_flags, uint16_t min, uint16_t max)
{
    static const uint8_t head[] = {0x88, 0x0d, 0x00};
    emit(a, head, sizeof head);
    byte(a, type), byte(a, 0x0c /* MinFixed, MaxFixed, producer */), byte(a, type_flags);
    word(a, 0), word(a, min), word(a, max), word(a, 0), word(a, (uint16_t)(max - min + 1));
}

static void crs(struct aml *a)
{
    name(a, "_CRS");
    byte(a, OP_BUFFER);
    open_pkg(a);
    size_t size_at = a->len;
    byte(a, OP_BYTE), byte(a, 0);       /* the buffer's size, patched below */
    size_t start = a->len;
    word_space(a, 2, 0, 0, 0xff);       /* bus numbers */
    static const uint8_t config_ports[] = {0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08};
    emit(a, config_ports, sizeof config_ports);
    word_space(a, 1, 3, 0x0000, 0x0cf7); /* I/O, entire range */
    word_space(a, 1, 3, 0x0d00, 0xffff);
    static const uint8_t mem_head[] = {0x87, 0x17, 0x00, 0x00, 0x0c, 0x01};
    emit(a, mem_head, sizeof mem_head); /* DWord memory, read/write, non-cacheable */
    dword(a, 0), dword(a, 0xc0000000u), dword(a, 0xfebfffffu), dword(a, 0), dword(a, 0x3ec00000u);
    static const uint8_t end_tag[] = {0x79, 0x00};
    emit(a, end_tag, sizeof end_tag);
    if (!a->overflow)
        a->p[size_at + 1] = (uint8_t)(a->len - start);
    close_pkg(a);
}

static void prt(struct aml *a)
{
    name(a, "_PRT");
    byte(a, OP_PACKAGE);
    open_pkg(a);
    byte(a, (uint8_t)(pci_count() - 1));
    for (unsigned slot = 1; slot < pci_count(); slot++) {
        byte(a, OP_PACKAGE);
        open_pkg(a);
        byte(a, 4);
        integer(a, slot << 16 | 0xffff);   /* any function of the slot */
        integer(a, 0);                     /* INTA# */
        integer(a, 0);                     /* no link device: */
        integer(a, pci_slot_gsi(slot));    /* the GSI itself */
        close_pkg(a);
    }
    close_pkg(a);
}

size_t acpi_pci_aml(uint8_t *out, size_t cap)
{
    if (pci_count() < 2)
        return 0;
    struct aml a = {.p = out, .cap = cap};
    byte(&a, OP_SCOPE);
    open_pkg(&a);
    emit(&a, "\\_SB_", 5);
    byte(&a, OP_EXT), byte(&a, OP_DEVICE);
    open_pkg(&a);
    emit(&a, "PCI0", 4);
    name(&a, "_HID"), integer(&a, EISA_PNP0A03);
    name(&a, "_UID"), integer(&a, 0);
    name(&a, "_BBN"), integer(&a, 0);
    crs(&a);
    prt(&a);
    close_pkg(&a);
    close_pkg(&a);
    return a.overflow ? 0 : a.len;
}
