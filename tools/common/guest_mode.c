/*
 * guest_mode_setup: a fresh vCPU into real, protected or long mode, through
 * the public API only, the way a Hypervisor.framework client has to do it.
 *
 * Scratch layout (64 KiB, page aligned):
 *   0x0000 GDT (8 slots; the TSS descriptor takes two)
 *   0x0080 TSS (0x68 bytes, no I/O bitmap)
 *   0x1000 top-level table: PML4 (LONG64), PD (PAGED32)
 *   0x2000 PDPT (LONG64, PAE32)
 *   0x3000 four page directories of 2 MiB pages (LONG64, PAE32)
 */
#include "guest_mode.h"

#include <string.h>

enum {
    SCRATCH_SIZE = 0x10000,
    GDT_OFF = 0x0000, GDT_LIMIT = 0x3f,
    TSS_OFF = 0x0080, TSS_LIMIT = 0x67,
    TOP_OFF = 0x1000, PDPT_OFF = 0x2000, PD_OFF = 0x3000,
};

enum {
    CR0_PE = 1u << 0, CR0_NE = 1u << 5, CR0_PG = 1u << 31,
    CR4_PSE = 1u << 4, CR4_PAE = 1u << 5, CR4_VMXE = 1u << 13,
    EFER_LME = 1u << 8, EFER_LMA = 1u << 10,
    PTE_P = 1u << 0, PTE_RW = 1u << 1, PTE_PS = 1u << 7,
};

/* VMX access rights: type, S, P, L, D/B, G. */
enum {
    AR_CODE16 = 0x009b, AR_DATA16 = 0x0093,
    AR_CODE32 = 0xc09b, AR_DATA32 = 0xc093, AR_CODE64 = 0xa09b,
    AR_TSS_BUSY = 0x008b, AR_UNUSABLE = 0x10000,
};

uint64_t guest_cap2ctrl(hv_vmx_capability_t cap, uint64_t want)
{
    uint64_t value = 0;
    if (hv_vmx_read_capability(cap, &value) != HV_SUCCESS)
        return want;
    return (want | (value & 0xffffffffu)) & (value >> 32);
}

const char *guest_mode_name(enum guest_mode mode)
{
    switch (mode) {
    case GUEST_REAL: return "real";
    case GUEST_PROT16: return "prot16";
    case GUEST_PROT32: return "prot32";
    case GUEST_PAGED32: return "paged32";
    case GUEST_PAE32: return "pae32";
    case GUEST_LONG64: return "long64";
    }
    return "unknown";
}

/* A legacy 8-byte segment descriptor from base, 20-bit limit and the VMX
 * access rights (whose bits 15:8 sit where the descriptor's flags nibble is). */
static uint64_t descriptor(uint32_t base, uint32_t limit20, uint32_t ar)
{
    return (uint64_t)(limit20 & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
           ((uint64_t)(ar & 0xff) << 40) | ((uint64_t)((limit20 >> 16) & 0xf) << 48) |
           ((uint64_t)((ar >> 12) & 0xf) << 52) | ((uint64_t)(base >> 24) << 56);
}

static void build_gdt(uint8_t *scratch, uint64_t scratch_gpa)
{
    uint64_t gdt[GDT_LIMIT / 8 + 1] = {0};
    uint64_t tss = scratch_gpa + TSS_OFF;
    gdt[GUEST_SEL_CODE64 / 8] = descriptor(0, 0xfffff, AR_CODE64);
    gdt[GUEST_SEL_CODE32 / 8] = descriptor(0, 0xfffff, AR_CODE32);
    gdt[GUEST_SEL_DATA / 8] = descriptor(0, 0xfffff, AR_DATA32);
    gdt[GUEST_SEL_CODE16 / 8] = descriptor(0, 0xffff, AR_CODE16);
    gdt[GUEST_SEL_DATA16 / 8] = descriptor(0, 0xffff, AR_DATA16);
    /* 16-byte system descriptor in long mode; the upper half is ignored
     * (and never selected) in 32-bit modes. */
    gdt[GUEST_SEL_TSS / 8] = descriptor((uint32_t)tss, TSS_LIMIT, AR_TSS_BUSY);
    gdt[GUEST_SEL_TSS / 8 + 1] = tss >> 32;
    memcpy(scratch + GDT_OFF, gdt, sizeof gdt);
    /* I/O map base past the limit: no I/O permission bitmap. */
    uint16_t iomap = TSS_LIMIT + 1;
    memcpy(scratch + TSS_OFF + 0x66, &iomap, sizeof iomap);
}

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof v); }

/* Identity map of the first 4 GiB; returns CR3. */
static uint64_t build_page_tables(enum guest_mode mode, uint8_t *scratch, uint64_t gpa)
{
    switch (mode) {
    case GUEST_PAGED32:
        for (uint64_t i = 0; i < 1024; i++) {
            uint32_t pde = (uint32_t)((i << 22) | PTE_PS | PTE_RW | PTE_P);
            memcpy(scratch + TOP_OFF + i * 4, &pde, sizeof pde);
        }
        return gpa + TOP_OFF;
    case GUEST_PAE32:
    case GUEST_LONG64:
        for (uint64_t pd = 0; pd < 4; pd++) {
            for (uint64_t i = 0; i < 512; i++)
                put64(scratch + PD_OFF + pd * 0x1000 + i * 8,
                      (pd << 30) | (i << 21) | PTE_PS | PTE_RW | PTE_P);
            /* PAE PDPTEs have no RW bit (it is reserved there). */
            uint64_t flags = mode == GUEST_LONG64 ? PTE_RW | PTE_P : PTE_P;
            put64(scratch + PDPT_OFF + pd * 8, (gpa + PD_OFF + pd * 0x1000) | flags);
        }
        if (mode == GUEST_PAE32)
            return gpa + PDPT_OFF;
        put64(scratch + TOP_OFF, (gpa + PDPT_OFF) | PTE_RW | PTE_P);
        return gpa + TOP_OFF;
    default:
        return 0;
    }
}

struct field_value {
    uint32_t field;
    uint64_t value;
};

static hv_return_t write_fields(hv_vcpuid_t vcpu, const struct field_value *fv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hv_return_t r = hv_vmx_vcpu_write_vmcs(vcpu, fv[i].field, fv[i].value);
        if (r != HV_SUCCESS)
            return r;
    }
    return HV_SUCCESS;
}

static hv_return_t write_segment(hv_vcpuid_t vcpu, uint32_t sel_field, uint16_t sel,
                                 uint64_t base, uint32_t limit, uint32_t ar)
{
    /* Selector, limit, AR and base fields of one segment are spaced by the
     * same stride from ES in every width class. */
    uint32_t i = sel_field - VMCS_GUEST_ES;
    const struct field_value fv[] = {
        {sel_field, sel},
        {VMCS_GUEST_ES_LIMIT + i, limit},
        {VMCS_GUEST_ES_AR + i, ar},
        {VMCS_GUEST_ES_BASE + i, base},
    };
    return write_fields(vcpu, fv, sizeof fv / sizeof fv[0]);
}

hv_return_t guest_mode_setup(hv_vcpuid_t vcpu, enum guest_mode mode, const struct guest_layout *layout)
{
    if (layout == NULL || layout->scratch_hva == NULL || (layout->scratch & 0xfff) != 0 ||
        mode > GUEST_LONG64 || (mode == GUEST_REAL && layout->entry > 0xffff))
        return HV_BAD_ARGUMENT;

    uint8_t *scratch = layout->scratch_hva;
    memset(scratch, 0, SCRATCH_SIZE);
    build_gdt(scratch, layout->scratch);
    uint64_t cr3 = build_page_tables(mode, scratch, layout->scratch);

    bool paged = mode >= GUEST_PAGED32;
    uint64_t cr0 = CR0_NE | (mode != GUEST_REAL ? CR0_PE : 0) | (paged ? CR0_PG : 0);
    uint64_t cr4 = (mode == GUEST_PAGED32 ? CR4_PSE : 0) |
                   (mode == GUEST_PAE32 || mode == GUEST_LONG64 ? CR4_PAE : 0);
    uint64_t efer = mode == GUEST_LONG64 ? EFER_LME | EFER_LMA : 0;

    uint64_t entry_want = VMENTRY_LOAD_EFER | (mode == GUEST_LONG64 ? VMENTRY_GUEST_IA32E : 0);
    const struct field_value controls[] = {
        {VMCS_CTRL_PIN_BASED, guest_cap2ctrl(HV_VMX_CAP_PINBASED, 0)},
        {VMCS_CTRL_CPU_BASED, guest_cap2ctrl(HV_VMX_CAP_PROCBASED,
                                             CPU_BASED_SECONDARY_CTLS | CPU_BASED_MSR_BITMAPS)},
        {VMCS_CTRL_CPU_BASED2, guest_cap2ctrl(HV_VMX_CAP_PROCBASED2,
                                              CPU_BASED2_UNRESTRICTED | CPU_BASED2_EPT)},
        {VMCS_CTRL_VMENTRY_CONTROLS, guest_cap2ctrl(HV_VMX_CAP_ENTRY, entry_want)},
        {VMCS_CTRL_VMEXIT_CONTROLS,
         guest_cap2ctrl(HV_VMX_CAP_EXIT, VMEXIT_HOST_IA32E | VMEXIT_SAVE_EFER | VMEXIT_LOAD_EFER)},
        /* The guest sees exactly the CR0/CR4 it was given; only the VMX
         * fixed bits (NE, VMXE) are owned by us and shown as the shadow. */
        {VMCS_CTRL_CR0_MASK, CR0_NE},
        {VMCS_CTRL_CR0_SHADOW, cr0},
        {VMCS_CTRL_CR4_MASK, CR4_VMXE},
        {VMCS_CTRL_CR4_SHADOW, cr4},
        {VMCS_GUEST_IA32_EFER, efer},
        {VMCS_GUEST_CR3, cr3},
        {VMCS_GUEST_CR4, cr4 | CR4_VMXE},
        {VMCS_GUEST_CR0, cr0},
        {VMCS_GUEST_GDTR_BASE, layout->scratch + GDT_OFF},
        {VMCS_GUEST_GDTR_LIMIT, GDT_LIMIT},
        {VMCS_GUEST_IDTR_BASE, 0},
        {VMCS_GUEST_IDTR_LIMIT, mode == GUEST_REAL ? 0xffff : 0},
    };
    hv_return_t r = write_fields(vcpu, controls, sizeof controls / sizeof controls[0]);
    if (r != HV_SUCCESS)
        return r;

    if (mode == GUEST_PAE32) {
        /* With EPT, VM entry takes the PAE PDPTEs from the VMCS, not memory. */
        for (uint32_t i = 0; i < 4 && r == HV_SUCCESS; i++) {
            uint64_t pdpte;
            memcpy(&pdpte, scratch + PDPT_OFF + i * 8, sizeof pdpte);
            r = hv_vmx_vcpu_write_vmcs(vcpu, VMCS_GUEST_PDPTE0 + 2 * i, pdpte);
        }
        if (r != HV_SUCCESS)
            return r;
    }

    uint16_t cs = 0, ds = 0;
    uint32_t limit = 0xffffffffu, cs_ar, ds_ar;
    switch (mode) {
    case GUEST_REAL:
        limit = 0xffff, cs_ar = AR_CODE16, ds_ar = AR_DATA16;
        break;
    case GUEST_PROT16:
        cs = GUEST_SEL_CODE16, ds = GUEST_SEL_DATA16;
        limit = 0xffff, cs_ar = AR_CODE16, ds_ar = AR_DATA16;
        break;
    case GUEST_LONG64:
        cs = GUEST_SEL_CODE64, ds = GUEST_SEL_DATA, cs_ar = AR_CODE64, ds_ar = AR_DATA32;
        break;
    default:
        cs = GUEST_SEL_CODE32, ds = GUEST_SEL_DATA, cs_ar = AR_CODE32, ds_ar = AR_DATA32;
        break;
    }
    static const uint32_t data_segs[] = {VMCS_GUEST_DS, VMCS_GUEST_ES, VMCS_GUEST_SS,
                                         VMCS_GUEST_FS, VMCS_GUEST_GS};
    r = write_segment(vcpu, VMCS_GUEST_CS, cs, 0, limit, cs_ar);
    for (size_t i = 0; i < sizeof data_segs / sizeof data_segs[0] && r == HV_SUCCESS; i++)
        r = write_segment(vcpu, data_segs[i], ds, 0, limit, ds_ar);
    if (r == HV_SUCCESS)
        r = write_segment(vcpu, VMCS_GUEST_TR, mode == GUEST_REAL ? 0 : GUEST_SEL_TSS,
                          layout->scratch + TSS_OFF, TSS_LIMIT, AR_TSS_BUSY);
    if (r == HV_SUCCESS)
        r = write_segment(vcpu, VMCS_GUEST_LDTR, 0, 0, 0, AR_UNUSABLE);
    if (r != HV_SUCCESS)
        return r;

    const struct { hv_x86_reg_t reg; uint64_t value; } regs[] = {
        {HV_X86_RIP, layout->entry}, {HV_X86_RSP, layout->stack}, {HV_X86_RFLAGS, 2},
    };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++) {
        r = hv_vcpu_write_register(vcpu, regs[i].reg, regs[i].value);
        if (r != HV_SUCCESS)
            return r;
    }
    return HV_SUCCESS;
}
