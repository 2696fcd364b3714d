/*
 * Image loading: ELF64 (long mode), multiboot v1 (a.out kludge or ELF32,
 * 32-bit protected mode), plain ELF32 (protected mode) and flat binaries.
 * Every range is checked against guest RAM and hvrun's own reserved area
 * (multiboot info, GDT/page tables, stacks) before anything is copied.
 */
#include "hvrun.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    MB_MAGIC = 0x1badb002, MB_BOOT_MAGIC = 0x2badb002, MB_SEARCH = 8192,
    MB_FLAG_AOUT_KLUDGE = 1u << 16, MB_FLAG_VIDEO = 1u << 2,
    MBI_MEM = 1u << 0, MBI_CMDLINE = 1u << 2, MBI_MMAP = 1u << 6, MBI_LOADER_NAME = 1u << 9,
    MBI_OFF_MMAP = 0x100, MBI_OFF_NAME = 0x180, MBI_OFF_CMDLINE = 0x200,
    MBI_END = LAYOUT_MBI_END - LAYOUT_MBI,
    LOW_MEM_KIB = 640,
};

struct file {
    uint8_t *data;
    size_t size;
};

static bool read_file(const char *path, uint64_t limit, struct file *f)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        perror(path);
        return false;
    }
    f->data = malloc(limit ? limit : 1);
    f->size = f->data ? fread(f->data, 1, limit, fp) : 0;
    bool too_big = f->data && f->size == limit && fgetc(fp) != EOF;
    bool failed = f->data == NULL || ferror(fp) || too_big;
    fclose(fp);
    if (failed)
        fprintf(stderr, "hvrun: %s: %s\n", path, too_big ? "larger than guest RAM" : "cannot read");
    return !failed;
}

/* A guest-physical range an image may occupy: inside RAM and clear of the
 * area hvrun reserves for itself. */
static bool range_ok(const struct machine *m, uint64_t gpa, uint64_t len, const char *what)
{
    bool in_ram = gpa < m->mem.ram_size && len <= m->mem.ram_size - gpa;
    bool clear = (gpa >= LAYOUT_MBI_END || gpa + len <= LAYOUT_MBI) &&
                 (gpa >= LAYOUT_STACKS_END || gpa + len <= LAYOUT_SCRATCH);
    if (len == 0 || (in_ram && clear))
        return true;
    fprintf(stderr, "hvrun: %s at 0x%llx..0x%llx is %s\n", what, (unsigned long long)gpa,
            (unsigned long long)(gpa + len),
            in_ram ? "inside an area hvrun reserves (0x1000..0x2000, 0x60000..0x80000)" : "outside guest RAM");
    return false;
}

static bool place(struct machine *m, uint64_t gpa, const uint8_t *src, uint64_t filesz, uint64_t memsz,
                  const char *what)
{
    if (filesz > memsz || !range_ok(m, gpa, memsz, what))
        return false;
    if (memsz == 0)
        return true;
    memcpy(m->mem.ram + gpa, src, filesz);
    memset(m->mem.ram + gpa + filesz, 0, memsz - filesz);
    return true;
}

/* The ELF loaders share one shape; the macro keeps the 32/64-bit field
 * widths straight without duplicating the checks. */
#define DEFINE_ELF_LOADER(name, Ehdr, Phdr, elf_class, elf_machine)                           \
    static bool name(struct machine *m, const struct file *f, uint64_t *entry)                 \
    {                                                                                          \
        const Ehdr *eh = (const Ehdr *)f->data;                                                \
        if (f->size < sizeof *eh || eh->e_ident[EI_CLASS] != (elf_class) ||                    \
            eh->e_machine != (elf_machine) || eh->e_phentsize != sizeof(Phdr) ||               \
            eh->e_phoff > f->size || (uint64_t)eh->e_phnum * sizeof(Phdr) > f->size - eh->e_phoff) { \
            fprintf(stderr, "hvrun: %s: malformed ELF header\n", m->opt.image);               \
            return false;                                                                      \
        }                                                                                      \
        for (unsigned i = 0; i < eh->e_phnum; i++) {                                           \
            Phdr ph;                                                                           \
            memcpy(&ph, f->data + eh->e_phoff + i * sizeof ph, sizeof ph);                     \
            if (ph.p_type != PT_LOAD)                                                          \
                continue;                                                                      \
            if (ph.p_offset > f->size || ph.p_filesz > f->size - ph.p_offset) {                \
                fprintf(stderr, "hvrun: %s: segment %u outside the file\n", m->opt.image, i);  \
                return false;                                                                  \
            }                                                                                  \
            if (!place(m, ph.p_paddr, f->data + ph.p_offset, ph.p_filesz, ph.p_memsz, "ELF segment")) \
                return false;                                                                  \
        }                                                                                      \
        *entry = eh->e_entry;                                                                  \
        return true;                                                                           \
    }

DEFINE_ELF_LOADER(load_elf64, Elf64_Ehdr, Elf64_Phdr, ELFCLASS64, EM_X86_64)
DEFINE_ELF_LOADER(load_elf32, Elf32_Ehdr, Elf32_Phdr, ELFCLASS32, EM_386)

static bool is_elf(const struct file *f, int elf_class)
{
    return f->size >= EI_NIDENT && memcmp(f->data, ELFMAG, SELFMAG) == 0 &&
           f->data[EI_CLASS] == elf_class;
}

static uint32_t u32_at(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof v); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof v); }

/* Offset of a valid multiboot v1 header in the first 8 KiB, or -1. */
static long find_multiboot(const struct file *f)
{
    for (size_t off = 0; off + 12 <= f->size && off < MB_SEARCH; off += 4) {
        const uint8_t *h = f->data + off;
        if (u32_at(h) == MB_MAGIC && u32_at(h) + u32_at(h + 4) + u32_at(h + 8) == 0)
            return (long)off;
    }
    return -1;
}

/* a.out kludge: header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr. */
static bool load_aout_kludge(struct machine *m, const struct file *f, size_t hdr, uint64_t *entry)
{
    if (hdr + 32 > f->size) {
        fprintf(stderr, "hvrun: %s: truncated multiboot header\n", m->opt.image);
        return false;
    }
    const uint8_t *h = f->data + hdr;
    uint32_t header_addr = u32_at(h + 12), load_addr = u32_at(h + 16);
    uint32_t load_end = u32_at(h + 20), bss_end = u32_at(h + 24);
    if (load_addr > header_addr || header_addr - load_addr > hdr) {
        fprintf(stderr, "hvrun: %s: multiboot load_addr/header_addr inconsistent\n", m->opt.image);
        return false;
    }
    size_t file_off = hdr - (header_addr - load_addr);
    uint64_t filesz = load_end ? (uint64_t)load_end - load_addr : f->size - file_off;
    uint64_t memsz = bss_end ? (uint64_t)bss_end - load_addr : filesz;
    if ((load_end && load_end < load_addr) || filesz > f->size - file_off || memsz < filesz) {
        fprintf(stderr, "hvrun: %s: multiboot load range inconsistent\n", m->opt.image);
        return false;
    }
    *entry = u32_at(h + 28);
    return place(m, load_addr, f->data + file_off, filesz, memsz, "multiboot image");
}

/* The multiboot information structure: memory sizes, a two-entry memory
 * map (low memory, and everything above 1 MiB), command line, our name. */
static uint32_t build_mbi(struct machine *m)
{
    uint8_t *mbi = m->mem.ram + LAYOUT_MBI;
    memset(mbi, 0, MBI_END);
    uint64_t upper_kib = (m->mem.ram_size - LAYOUT_FLAT_LOAD) / 1024;
    put32(mbi + 0, MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME);
    put32(mbi + 4, LOW_MEM_KIB);
    put32(mbi + 8, upper_kib > UINT32_MAX ? UINT32_MAX : (uint32_t)upper_kib);
    put32(mbi + 16, LAYOUT_MBI + MBI_OFF_CMDLINE);
    const uint64_t regions[2][2] = {{0, LOW_MEM_KIB * 1024}, {LAYOUT_FLAT_LOAD, upper_kib * 1024}};
    for (int i = 0; i < 2; i++) {
        uint8_t *e = mbi + MBI_OFF_MMAP + i * 24;
        put32(e, 20);                     /* size of the entry after this field */
        put64(e + 4, regions[i][0]);
        put64(e + 12, regions[i][1]);
        put32(e + 20, 1);                 /* available RAM */
    }
    put32(mbi + 44, 2 * 24);
    put32(mbi + 48, LAYOUT_MBI + MBI_OFF_MMAP);
    put32(mbi + 64, LAYOUT_MBI + MBI_OFF_NAME);
    memcpy(mbi + MBI_OFF_NAME, "hvrun", sizeof "hvrun");
    const char *cmdline = m->opt.cmdline ? m->opt.cmdline : m->opt.image;
    size_t len = strlen(cmdline);
    if (len > MBI_END - MBI_OFF_CMDLINE - 1)
        len = MBI_END - MBI_OFF_CMDLINE - 1;
    memcpy(mbi + MBI_OFF_CMDLINE, cmdline, len);
    return LAYOUT_MBI;
}

static bool load_multiboot(struct machine *m, const struct file *f, size_t hdr, uint64_t *entry)
{
    uint32_t flags = u32_at(f->data + hdr + 4);
    if (flags & MB_FLAG_VIDEO)
        fprintf(stderr, "hvrun: warning: multiboot kernel asks for a video mode; there is no display\n");
    bool ok = (flags & MB_FLAG_AOUT_KLUDGE) ? load_aout_kludge(m, f, hdr, entry)
              : is_elf(f, ELFCLASS32)        ? load_elf32(m, f, entry)
                                             : false;
    if (!ok && !(flags & MB_FLAG_AOUT_KLUDGE) && !is_elf(f, ELFCLASS32))
        fprintf(stderr, "hvrun: %s: multiboot kernel is neither a.out-kludge nor ELF32\n", m->opt.image);
    if (ok) {
        m->boot.rax = MB_BOOT_MAGIC;
        m->boot.rbx = build_mbi(m);
    }
    return ok;
}

static bool load_flat(struct machine *m, const struct file *f, uint64_t *entry)
{
    uint64_t at = m->opt.load_set ? m->opt.load_addr
                  : m->boot.mode == GUEST_REAL ? LAYOUT_REAL_LOAD : LAYOUT_FLAT_LOAD;
    *entry = at;
    return place(m, at, f->data, f->size, f->size, "flat image");
}

int load_image(struct machine *m)
{
    struct file f = {0};
    if (!read_file(m->opt.image, m->mem.ram_size, &f)) {
        free(f.data);
        return -1;
    }
    uint64_t entry = 0;
    bool ok;
    long mb = find_multiboot(&f);
    m->boot.mode = m->opt.mode_set ? m->opt.mode : GUEST_LONG64;
    if (m->opt.linux_kernel) {
        if (!linux_is_bzimage(f.data, f.size)) {
            fprintf(stderr, "hvrun: %s: not a bzImage (no \"HdrS\" setup header)\n", m->opt.image);
            free(f.data);
            return -1;
        }
        ok = linux_load(m, f.data, f.size);
        entry = m->boot.entry;
    } else if (is_elf(&f, ELFCLASS64)) {
        m->boot.format = "elf64", m->boot.mode = GUEST_LONG64;
        ok = load_elf64(m, &f, &entry);
    } else if (mb >= 0) {
        m->boot.format = "multiboot", m->boot.mode = GUEST_PROT32;
        ok = load_multiboot(m, &f, (size_t)mb, &entry);
    } else if (is_elf(&f, ELFCLASS32)) {
        m->boot.format = "elf32", m->boot.mode = GUEST_PROT32;
        ok = load_elf32(m, &f, &entry);
    } else {
        m->boot.format = "flat";
        ok = load_flat(m, &f, &entry);
    }
    free(f.data);
    if (!ok)
        return -1;
    if (m->opt.linux_kernel) {
        if (m->opt.mode_set || m->opt.load_set || m->opt.entry_set)
            fprintf(stderr, "hvrun: warning: --mode, --load and --entry do not apply to -kernel\n");
        return 0;
    }
    if (strcmp(m->boot.format, "flat") != 0 && (m->opt.mode_set || m->opt.load_set))
        fprintf(stderr, "hvrun: warning: --mode and --load apply to flat binaries only; %s image\n",
                m->boot.format);
    m->boot.entry = m->opt.entry_set ? m->opt.entry : entry;
    if (m->boot.mode == GUEST_REAL && m->boot.entry > 0xffff) {
        fprintf(stderr, "hvrun: real-mode entry 0x%llx is above 64 KiB\n", (unsigned long long)m->boot.entry);
        return -1;
    }
    return 0;
}
