/*
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst), 64-bit
 * entry: the protected-mode kernel of a bzImage is copied to its preferred
 * address, the setup header into a zeroed boot_params ("zero page") with
 * the e820 map, command line, initrd and ACPI RSDP filled in, and the boot
 * vCPU starts at the kernel's 64-bit entry point with RSI pointing at
 * boot_params, in long mode on an identity map, with the flat __BOOT_CS and
 * __BOOT_DS descriptors the protocol asks for.
 */
#include "hvrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Offsets into boot_params and its setup header (boot.rst). */
enum {
    BP_ACPI_RSDP = 0x070, BP_EXT_RAMDISK_IMAGE = 0x0c0, BP_EXT_RAMDISK_SIZE = 0x0c4,
    BP_EXT_CMD_LINE_PTR = 0x0c8, BP_E820_ENTRIES = 0x1e8, BP_SETUP_SECTS = 0x1f1,
    BP_VID_MODE = 0x1fa, BP_JUMP = 0x200, BP_HEADER = 0x202, BP_VERSION = 0x206,
    BP_TYPE_OF_LOADER = 0x210, BP_LOADFLAGS = 0x211, BP_RAMDISK_IMAGE = 0x218,
    BP_RAMDISK_SIZE = 0x21c, BP_HEAP_END_PTR = 0x224, BP_CMD_LINE_PTR = 0x228,
    BP_INITRD_ADDR_MAX = 0x22c, BP_KERNEL_ALIGNMENT = 0x230, BP_RELOCATABLE = 0x234,
    BP_XLOADFLAGS = 0x236, BP_CMDLINE_SIZE = 0x238, BP_PREF_ADDRESS = 0x258,
    BP_INIT_SIZE = 0x260, BP_E820_TABLE = 0x2d0,
    E820_MAX = 128, E820_ENTRY_SIZE = 20, E820_RAM = 1, E820_RESERVED = 2, E820_ACPI = 3,
    HDRS_MAGIC = 0x53726448, /* "HdrS" */
    MIN_VERSION = 0x020c,    /* xloadflags: the 64-bit entry is declared */
    XLF_KERNEL_64 = 1u << 0, LOADED_HIGH = 1u << 0, CAN_USE_HEAP = 1u << 7,
    LOADER_UNDEFINED = 0xff, VID_NORMAL = 0xffff,
    /* Where hvrun puts what the kernel reads first (below LAYOUT_SCRATCH). */
    LINUX_GDT = 0x3000, LINUX_ZERO_PAGE = 0x10000, LINUX_CMDLINE = 0x20000, CMDLINE_MAX = 0x10000,
    BOOT_CS = 0x10, BOOT_DS = 0x18,
};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof v); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof v); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof v); }

static uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) & ~(a - 1); }

bool linux_is_bzimage(const uint8_t *data, size_t size)
{
    return size > BP_HEADER + 4 && get32(data + BP_HEADER) == HDRS_MAGIC;
}

static void e820_add(uint8_t *zp, uint64_t start, uint64_t end, uint32_t type)
{
    uint8_t n = zp[BP_E820_ENTRIES];
    if (end <= start || n >= E820_MAX)
        return;
    uint8_t *e = zp + BP_E820_TABLE + n * E820_ENTRY_SIZE;
    put64(e, start);
    put64(e + 8, end - start);
    put32(e + 16, type);
    zp[BP_E820_ENTRIES] = (uint8_t)(n + 1);
}

/* The map the kernel trusts: hvrun's own low areas and the BIOS hole are
 * reserved, the ACPI tables are ACPI data, the rest of RAM is RAM. */
static void build_e820(const struct machine *m, uint8_t *zp)
{
    e820_add(zp, 0, LAYOUT_SCRATCH, E820_RAM);
    e820_add(zp, LAYOUT_SCRATCH, LAYOUT_STACKS_END, E820_RESERVED);
    e820_add(zp, LAYOUT_STACKS_END, LAYOUT_EBDA, E820_RAM);
    e820_add(zp, LAYOUT_EBDA, LAYOUT_ACPI, E820_RESERVED);
    e820_add(zp, LAYOUT_ACPI, LAYOUT_ACPI_END, E820_ACPI);
    e820_add(zp, LAYOUT_ACPI_END, LAYOUT_FLAT_LOAD, E820_RESERVED);
    e820_add(zp, LAYOUT_FLAT_LOAD, m->mem.ram_size, E820_RAM);
}

static bool load_initrd(struct machine *m, uint8_t *zp, uint64_t kernel_end)
{
    FILE *fp = fopen(m->opt.initrd, "rb");
    if (fp == NULL) {
        perror(m->opt.initrd);
        return false;
    }
    bool ok = fseek(fp, 0, SEEK_END) == 0;
    long size = ok ? ftell(fp) : -1;
    ok = ok && size > 0 && fseek(fp, 0, SEEK_SET) == 0;
    uint64_t max = get32(zp + BP_INITRD_ADDR_MAX);
    uint64_t top = m->mem.ram_size < max + 1 ? m->mem.ram_size : max + 1;
    uint64_t at = ok && (uint64_t)size < top ? (top - (uint64_t)size) & ~0xfffull : 0;
    if (!ok || at < kernel_end) {
        fprintf(stderr, "hvrun: %s: %s\n", m->opt.initrd,
                ok ? "does not fit in guest RAM above the kernel" : "cannot read");
        fclose(fp);
        return false;
    }
    ok = fread(m->mem.ram + at, 1, (size_t)size, fp) == (size_t)size;
    fclose(fp);
    if (!ok) {
        fprintf(stderr, "hvrun: %s: cannot read\n", m->opt.initrd);
        return false;
    }
    put32(zp + BP_RAMDISK_IMAGE, (uint32_t)at);
    put32(zp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(at >> 32));
    put32(zp + BP_RAMDISK_SIZE, (uint32_t)size);
    put32(zp + BP_EXT_RAMDISK_SIZE, (uint32_t)((uint64_t)size >> 32));
    return true;
}

bool linux_load(struct machine *m, const uint8_t *data, size_t size)
{
    uint16_t version = get16(data + BP_VERSION);
    if (version < MIN_VERSION || !(get16(data + BP_XLOADFLAGS) & XLF_KERNEL_64)) {
        fprintf(stderr, "hvrun: %s: boot protocol %u.%02u without a 64-bit entry (2.12 or later needed)\n",
                m->opt.image, version >> 8, version & 0xff);
        return false;
    }
    unsigned setup_sects = data[BP_SETUP_SECTS] ? data[BP_SETUP_SECTS] : 4;
    size_t setup_size = (setup_sects + 1) * 512ull;
    if (setup_size >= size) {
        fprintf(stderr, "hvrun: %s: truncated bzImage\n", m->opt.image);
        return false;
    }
    /* The kernel runs where it asks to; a relocatable one moves itself if
     * it must.  It needs init_size bytes from there. */
    uint64_t align = get32(data + BP_KERNEL_ALIGNMENT), pref = get64(data + BP_PREF_ADDRESS);
    uint64_t load = pref >= LAYOUT_FLAT_LOAD ? pref : LAYOUT_FLAT_LOAD;
    if (align && (align & (align - 1)) == 0)
        load = align_up(load, align);
    uint64_t init_size = get32(data + BP_INIT_SIZE), kernel_size = size - setup_size;
    uint64_t need = init_size > kernel_size ? init_size : kernel_size;
    if (load + need > m->mem.ram_size) {
        fprintf(stderr, "hvrun: %s needs %llu MiB of RAM above 0x%llx; give -m more\n", m->opt.image,
                (unsigned long long)(need >> 20) + 1, (unsigned long long)load);
        return false;
    }
    memcpy(m->mem.ram + load, data + setup_size, kernel_size);

    uint8_t *zp = m->mem.ram + LINUX_ZERO_PAGE;
    memset(zp, 0, 4096);
    size_t header_end = BP_JUMP + 2 + data[BP_JUMP + 1]; /* the jump skips the header */
    if (header_end > setup_size)
        header_end = setup_size;
    memcpy(zp + BP_SETUP_SECTS, data + BP_SETUP_SECTS, header_end - BP_SETUP_SECTS);
    zp[BP_TYPE_OF_LOADER] = LOADER_UNDEFINED;
    zp[BP_LOADFLAGS] |= LOADED_HIGH | CAN_USE_HEAP;
    put16(zp + BP_HEAP_END_PTR, 0xfe00);
    put16(zp + BP_VID_MODE, VID_NORMAL);

    const char *cmdline = m->opt.append ? m->opt.append : "console=ttyS0";
    size_t cmdline_max = version >= 0x0206 ? get32(data + BP_CMDLINE_SIZE) : 255;
    size_t len = strlen(cmdline);
    if (len > cmdline_max || len >= CMDLINE_MAX) {
        fprintf(stderr, "hvrun: -append: %zu bytes, the kernel takes at most %zu\n", len, cmdline_max);
        return false;
    }
    memcpy(m->mem.ram + LINUX_CMDLINE, cmdline, len + 1);
    put32(zp + BP_CMD_LINE_PTR, LINUX_CMDLINE);
    put32(zp + BP_EXT_CMD_LINE_PTR, 0);

    if (m->opt.initrd != NULL && !load_initrd(m, zp, load + need))
        return false;
    build_e820(m, zp);
    put64(zp + BP_ACPI_RSDP, acpi_build(m));

    m->boot.format = "bzImage";
    m->boot.mode = GUEST_LONG64;
    m->boot.entry = load + 0x200; /* startup_64 */
    m->boot.linux_zero_page = LINUX_ZERO_PAGE;
    return true;
}

/* After guest_mode_setup: the descriptors the protocol names (__BOOT_CS
 * 0x10, __BOOT_DS 0x18, flat), RSI = boot_params, interrupts off. */
hv_return_t linux_setup_boot_vcpu(struct machine *m, hv_vcpuid_t vcpu)
{
    static const uint64_t gdt[4] = {0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull};
    memcpy(m->mem.ram + LINUX_GDT, gdt, sizeof gdt);
    struct { uint32_t field; uint64_t value; } w[] = {
        {VMCS_GUEST_GDTR_BASE, LINUX_GDT}, {VMCS_GUEST_GDTR_LIMIT, sizeof gdt - 1},
        {VMCS_GUEST_CS, BOOT_CS}, {VMCS_GUEST_CS_AR, 0xa09b}, {VMCS_GUEST_CS_BASE, 0},
        {VMCS_GUEST_CS_LIMIT, 0xffffffff},
    };
    hv_return_t r = HV_SUCCESS;
    for (size_t i = 0; i < sizeof w / sizeof w[0] && r == HV_SUCCESS; i++)
        r = hv_vmx_vcpu_write_vmcs(vcpu, w[i].field, w[i].value);
    static const uint32_t data_segs[][4] = {
        {VMCS_GUEST_DS, VMCS_GUEST_DS_AR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT},
        {VMCS_GUEST_ES, VMCS_GUEST_ES_AR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT},
        {VMCS_GUEST_SS, VMCS_GUEST_SS_AR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT},
    };
    for (size_t i = 0; i < sizeof data_segs / sizeof data_segs[0] && r == HV_SUCCESS; i++) {
        r = hv_vmx_vcpu_write_vmcs(vcpu, data_segs[i][0], BOOT_DS);
        if (r == HV_SUCCESS)
            r = hv_vmx_vcpu_write_vmcs(vcpu, data_segs[i][1], 0xc093);
        if (r == HV_SUCCESS)
            r = hv_vmx_vcpu_write_vmcs(vcpu, data_segs[i][2], 0);
        if (r == HV_SUCCESS)
            r = hv_vmx_vcpu_write_vmcs(vcpu, data_segs[i][3], 0xffffffff);
    }
    if (r == HV_SUCCESS)
        r = hv_vcpu_write_register(vcpu, HV_X86_RSI, m->boot.linux_zero_page);
    if (r == HV_SUCCESS)
        r = hv_vcpu_write_register(vcpu, HV_X86_RFLAGS, 2);
    return r;
}
