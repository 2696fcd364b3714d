/*
 * ACPI tables, just enough for an operating system to find its processors,
 * interrupt controllers and a way to power off: RSDP, XSDT, FADT (with the
 * PM1a event/control blocks and PM timer of acpi_pm.c), a DSDT holding
 * \_S5 (the sleep type the power-off write carries) and, with PCI devices,
 * the root bridge (acpi_pci.c), and a MADT with one
 * local APIC per vCPU, the IOAPIC and the ISA overrides a PC has (IRQ 0 on
 * GSI 2, the SCI level-triggered).  Built in the BIOS area at 0xe0000, where
 * the RSDP is also found by scanning.
 */
#include "hvrun.h"

#include <string.h>

enum {
    SDT_HEADER = 36, DSDT_MAX = 4096, FADT_SIZE = 276, FADT_REVISION = 6,
    MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_ISO = 2,
    LAPIC_ADDRESS = 0xfee00000u, IOAPIC_ADDRESS = 0xfec00000u,
    SCI_IRQ = 9, PCAT_COMPAT = 1,
    FADT_WBINVD = 1u << 0, FADT_PROC_C1 = 1u << 2, FADT_SLP_BUTTON = 1u << 5, FADT_PWR_BUTTON = 1u << 4,
    FADT_TMR_VAL_EXT = 1u << 8, FADT_RESET_REG_SUP = 1u << 10,
    BOOT_ARCH_LEGACY = 1u << 0, BOOT_ARCH_8042 = 1u << 1,
    GAS_IO = 1,
};

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof v); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof v); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof v); }

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    return (uint8_t)-sum;
}

static void sdt_header(uint8_t *t, const char sig[4], uint32_t length, uint8_t revision)
{
    memcpy(t, sig, 4);
    put32(t + 4, length);
    t[8] = revision;
    memcpy(t + 10, "OPENHV", 6);
    memcpy(t + 16, "HVRUN   ", 8);
    put32(t + 24, 1);
    memcpy(t + 28, "OHV ", 4);
    put32(t + 32, 1);
    t[9] = checksum(t, length);
}

/* A Generic Address Structure naming an I/O port block. */
static void gas_io(uint8_t *g, uint16_t port, uint8_t bits)
{
    g[0] = GAS_IO;
    g[1] = bits;
    g[2] = 0;
    g[3] = bits >= 32 ? 3 : bits >= 16 ? 2 : 1;
    put64(g + 4, port);
}

static uint32_t build_dsdt(uint8_t *t)
{
    /* Name (_S5, Package (4) { 5, 5, 0, 0 }): the SLP_TYP acpi_pm.c powers
     * off on. */
    static const uint8_t aml[] = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, ACPI_PM_S5_TYPE,
                                  0x0a, ACPI_PM_S5_TYPE, 0x00, 0x00};
    memcpy(t + SDT_HEADER, aml, sizeof aml);
    uint32_t len = SDT_HEADER + sizeof aml;
    len += (uint32_t)acpi_pci_aml(t + len, DSDT_MAX - len);
    sdt_header(t, "DSDT", len, 2);
    return len;
}

static uint32_t build_fadt(uint8_t *t, uint64_t dsdt)
{
    memset(t, 0, FADT_SIZE);
    put32(t + 40, (uint32_t)dsdt);
    t[45] = 0;                         /* preferred PM profile: unspecified */
    put16(t + 46, SCI_IRQ);
    put32(t + 48, 0);                  /* no SMI command port: always in ACPI mode */
    put32(t + 56, ACPI_PM_BASE + ACPI_PM_EVT);
    put32(t + 64, ACPI_PM_BASE + ACPI_PM_CNT);
    put32(t + 76, ACPI_PM_BASE + ACPI_PM_TMR);
    t[88] = 4;                         /* PM1_EVT_LEN */
    t[89] = 2;                         /* PM1_CNT_LEN */
    t[91] = 4;                         /* PM_TMR_LEN */
    put16(t + 96, 0x65);               /* P_LVL2_LAT > 100: no C2 */
    put16(t + 98, 0x3e9);              /* P_LVL3_LAT > 1000: no C3 */
    put16(t + 109, BOOT_ARCH_LEGACY | BOOT_ARCH_8042);
    put32(t + 112, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_TMR_VAL_EXT |
                       FADT_RESET_REG_SUP);
    gas_io(t + 116, I8042_COMMAND_PORT, 8); /* RESET_REG: the keyboard controller's pulse */
    t[128] = I8042_RESET_VALUE;
    t[131] = 0;                        /* FADT minor version */
    put64(t + 140, dsdt);              /* X_DSDT */
    gas_io(t + 148, ACPI_PM_BASE + ACPI_PM_EVT, 32);
    gas_io(t + 172, ACPI_PM_BASE + ACPI_PM_CNT, 16);
    gas_io(t + 208, ACPI_PM_BASE + ACPI_PM_TMR, 32);
    sdt_header(t, "FACP", FADT_SIZE, FADT_REVISION);
    return FADT_SIZE;
}

static uint32_t build_madt(const struct machine *m, uint8_t *t)
{
    uint8_t *p = t + SDT_HEADER;
    put32(p, LAPIC_ADDRESS);
    put32(p + 4, PCAT_COMPAT);
    p += 8;
    for (unsigned i = 0; i < m->opt.cpus; i++, p += 8) {
        p[0] = MADT_LAPIC, p[1] = 8, p[2] = (uint8_t)i, p[3] = (uint8_t)i;
        put32(p + 4, 1);               /* enabled */
    }
    p[0] = MADT_IOAPIC, p[1] = 12, p[2] = (uint8_t)m->opt.cpus, p[3] = 0;
    put32(p + 4, IOAPIC_ADDRESS);
    put32(p + 8, 0);
    p += 12;
    /* IRQ 0 is wired to IOAPIC pin 2 on PCs; the SCI is level, active high. */
    static const struct { uint8_t irq; uint32_t gsi; uint16_t flags; } iso[] = {{0, 2, 0}, {SCI_IRQ, SCI_IRQ, 0x000d}};
    for (size_t i = 0; i < sizeof iso / sizeof iso[0]; i++, p += 10) {
        p[0] = MADT_ISO, p[1] = 10, p[2] = 0, p[3] = iso[i].irq;
        put32(p + 4, iso[i].gsi);
        put16(p + 8, iso[i].flags);
    }
    uint32_t len = (uint32_t)(p - t);
    sdt_header(t, "APIC", len, 3);
    return len;
}

uint64_t acpi_build(const struct machine *m)
{
    uint8_t *base = m->mem.ram + LAYOUT_ACPI;
    memset(base, 0, LAYOUT_ACPI_END - LAYOUT_ACPI);
    uint64_t at = LAYOUT_ACPI + 0x100; /* the RSDP stays at the start, 16-byte aligned */
    uint64_t dsdt = at;
    at += (build_dsdt(m->mem.ram + dsdt) + 15) & ~15u;
    uint64_t fadt = at;
    at += (build_fadt(m->mem.ram + fadt, dsdt) + 15) & ~15u;
    uint64_t madt = at;
    at += (build_madt(m, m->mem.ram + madt) + 15) & ~15u;

    uint64_t xsdt = at;
    uint8_t *x = m->mem.ram + xsdt;
    put64(x + SDT_HEADER, fadt);
    put64(x + SDT_HEADER + 8, madt);
    sdt_header(x, "XSDT", SDT_HEADER + 16, 1);
    at += SDT_HEADER + 16;
    uint64_t rsdt = (at + 15) & ~15ull;
    uint8_t *r = m->mem.ram + rsdt;
    put32(r + SDT_HEADER, (uint32_t)fadt);
    put32(r + SDT_HEADER + 4, (uint32_t)madt);
    sdt_header(r, "RSDT", SDT_HEADER + 8, 1);

    uint8_t *rsdp = base;
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "OPENHV", 6);
    rsdp[15] = 2;                      /* ACPI 2.0+: XSDT */
    put32(rsdp + 16, (uint32_t)rsdt);
    put32(rsdp + 20, 36);
    put64(rsdp + 24, xsdt);
    rsdp[8] = checksum(rsdp, 20);
    rsdp[32] = checksum(rsdp, 36);
    return LAYOUT_ACPI;
}
