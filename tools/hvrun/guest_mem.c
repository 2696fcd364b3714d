/*
 * Guest memory as a client sees it: RAM is one host mapping at GPA 0, and
 * linear addresses are translated by walking the guest's own page tables
 * (the framework never does this for us).  Accessed and dirty bits are not
 * set: hvrun only reads guest tables to find string-I/O buffers.
 */
#include "hvrun.h"

#include <string.h>

enum {
    CR0_PG = 1u << 31, CR4_PSE = 1u << 4, CR4_PAE = 1u << 5, EFER_LMA = 1u << 10,
    PTE_P = 1u << 0, PTE_PS = 1u << 7,
};

#define ADDR_MASK_4K 0x000ffffffffff000ull

void *hvrun_gpa_ptr(const struct guest *g, uint64_t gpa, uint64_t len)
{
    if (gpa >= g->ram_size || len > g->ram_size - gpa)
        return NULL;
    return g->ram + gpa;
}

static bool read_entry(const struct guest *g, uint64_t gpa, unsigned width, uint64_t *entry)
{
    const void *p = hvrun_gpa_ptr(g, gpa, width);
    if (p == NULL)
        return false;
    *entry = 0;
    memcpy(entry, p, width);
    return (*entry & PTE_P) != 0;
}

/* 64-bit and PAE walks: levels of 9 index bits above the 12-bit offset. */
static bool walk_pae(const struct guest *g, uint64_t table, uint64_t gva, int levels, uint64_t *gpa)
{
    for (int level = levels; level >= 1; level--) {
        unsigned shift = 12 + 9 * (unsigned)(level - 1);
        uint64_t index = (gva >> shift) & 0x1ff;
        uint64_t entry;
        if (!read_entry(g, (table & ADDR_MASK_4K) + index * 8, 8, &entry))
            return false;
        if ((level == 2 || level == 3) && (entry & PTE_PS)) {
            uint64_t page_mask = (1ull << shift) - 1;
            *gpa = (entry & ADDR_MASK_4K & ~page_mask) | (gva & page_mask);
            return true;
        }
        table = entry;
    }
    *gpa = (table & ADDR_MASK_4K) | (gva & 0xfff);
    return true;
}

static bool walk_32(const struct guest *g, uint64_t cr3, uint64_t cr4, uint64_t gva, uint64_t *gpa)
{
    uint64_t pde, pte;
    if (!read_entry(g, (cr3 & 0xfffff000u) + ((gva >> 22) & 0x3ff) * 4, 4, &pde))
        return false;
    if ((cr4 & CR4_PSE) && (pde & PTE_PS)) {
        /* PSE-36: bits 20:13 of a 4 MiB PDE are physical address bits 39:32. */
        *gpa = (pde & 0xffc00000u) | (((pde >> 13) & 0xff) << 32) | (gva & 0x3fffff);
        return true;
    }
    if (!read_entry(g, (pde & 0xfffff000u) + ((gva >> 12) & 0x3ff) * 4, 4, &pte))
        return false;
    *gpa = (pte & 0xfffff000u) | (gva & 0xfff);
    return true;
}

bool hvrun_gva_to_gpa(const struct guest *g, hv_vcpuid_t vcpu, uint64_t gva, uint64_t *gpa)
{
    uint64_t cr0 = hvrun_vmcs_get(vcpu, VMCS_GUEST_CR0);
    if (!(cr0 & CR0_PG)) {
        *gpa = gva & 0xffffffffu;
        return true;
    }
    uint64_t cr3 = hvrun_vmcs_get(vcpu, VMCS_GUEST_CR3), cr4 = hvrun_vmcs_get(vcpu, VMCS_GUEST_CR4);
    if (hvrun_vmcs_get(vcpu, VMCS_GUEST_IA32_EFER) & EFER_LMA)
        return walk_pae(g, cr3, gva, 4, gpa);
    if (cr4 & CR4_PAE) {
        /* The PDPT is 32-byte aligned and indexed by bits 31:30. */
        uint64_t pdpte;
        if (!read_entry(g, (cr3 & 0xffffffe0u) + ((gva >> 30) & 3) * 8, 8, &pdpte))
            return false;
        return walk_pae(g, pdpte, gva & 0x3fffffff, 2, gpa);
    }
    return walk_32(g, cr3, cr4, gva & 0xffffffffu, gpa);
}

/* Copy page by page: consecutive linear pages need not be contiguous. */
static bool copy_linear(const struct guest *g, hv_vcpuid_t vcpu, uint64_t gva, void *host,
                        size_t len, bool to_guest)
{
    uint8_t *h = host;
    while (len > 0) {
        uint64_t gpa;
        if (!hvrun_gva_to_gpa(g, vcpu, gva, &gpa))
            return false;
        size_t chunk = 0x1000 - (gva & 0xfff);
        if (chunk > len)
            chunk = len;
        uint8_t *p = hvrun_gpa_ptr(g, gpa, chunk);
        if (p == NULL)
            return false;
        if (to_guest)
            memcpy(p, h, chunk);
        else
            memcpy(h, p, chunk);
        h += chunk, gva += chunk, len -= chunk;
    }
    return true;
}

bool guest_read_linear(const struct guest *g, hv_vcpuid_t vcpu, uint64_t gva, void *buf, size_t len)
{
    return copy_linear(g, vcpu, gva, buf, len, false);
}

bool guest_write_linear(const struct guest *g, hv_vcpuid_t vcpu, uint64_t gva, const void *buf, size_t len)
{
    return copy_linear(g, vcpu, gva, (void *)buf, len, true);
}
