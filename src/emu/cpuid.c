/*
 * CPUID of the emulated processor (openhv_vcpu_cpuid on emu): every leaf
 * derived from cpu_model.h, the XSAVE layout of fpu.h, and the vCPU's
 * state where real hardware's answer depends on it (OSXSAVE, the XSAVE
 * size for XCR0, the APIC IDs).
 *
 * Topology: one package, one core per vCPU, no SMT.  The vCPU's APIC ID is
 * its id (the ids the in-kernel APIC uses and hvrun's MADT lists), and the
 * package is sized for the highest id among the VM's vCPUs when asked:
 * leaf 0Bh's core level shifts by the bits that id needs, leaf 1 EBX and
 * leaf 4 count addressable IDs by the same width.
 */
#include <string.h>

#include "../core/regs.h"
#include "cpu_model.h"
#include "fpu.h"
#include "machine_internal.h"

enum { LEAF_CACHE = 4, LEAF_TOPOLOGY = 0xb, LEAF_XSAVE = 0xd };

/* The package: bits an APIC ID of the VM's vCPUs needs below the package
 * level, and how many vCPUs there are. */
static void vm_shape(struct hv_vm *vm, unsigned *bits, unsigned *count)
{
    unsigned highest = 0;
    pthread_mutex_lock(&vm->lock);
    for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
        if (vm->vcpus[i] != NULL && vm->vcpus[i]->id > highest)
            highest = vm->vcpus[i]->id;
    *count = __atomic_load_n(&vm->vcpu_count, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&vm->lock);
    *bits = 0;
    while ((1u << *bits) <= highest)
        ++*bits;
}

static uint64_t reg_or_zero(const struct hv_vcpu *v, hv_x86_reg_t reg)
{
    uint64_t val = 0;
    return reg_read(v, reg, &val) == HV_SUCCESS ? val : 0;
}

/* FMA and F16C run on the host's units where it has them and in software
 * elsewhere (fp_host.h), so the model has them on every host. */
static uint32_t leaf1_ecx(void)
{
    return EMU_CPUID_1_ECX;
}

struct cache { unsigned type, level, kib, ways; };
static const struct cache caches[] = {
#define CACHE_ROW(type, level, kib, ways) { type, level, kib, ways },
    EMU_CACHES(CACHE_ROW)
#undef CACHE_ROW
};
enum { CACHE_COUNT = sizeof caches / sizeof caches[0] };

static void cache_leaf(unsigned index, unsigned bits, uint32_t r[4])
{
    if (index >= CACHE_COUNT)
        return;   /* type 0: no more caches */
    const struct cache *c = &caches[index];
    /* The last level is the package's; the others are one core's. */
    uint32_t sharing = index == CACHE_COUNT - 1 ? (1u << bits) - 1 : 0;
    uint32_t sets = c->kib * 1024 / (c->ways * EMU_CACHE_LINE);
    r[0] = c->type | (c->level << 5) | (1u << 8) | (sharing << 14) | (((1u << bits) - 1) << 26);
    r[1] = (EMU_CACHE_LINE - 1) | ((c->ways - 1) << 22);
    r[2] = sets - 1;
    /* The L3 of the part is inclusive, with complex indexing. */
    r[3] = index == CACHE_COUNT - 1 ? (1u << 1) | (1u << 2) : 0;
}

/* L2 as leaf 80000006h:ECX reports it: size in KiB, associativity code, line. */
static uint32_t l2_ext_leaf(void)
{
    for (unsigned i = 0; i < CACHE_COUNT; i++)
        if (caches[i].level == 2) {
            /* Associativity encoding: 4 = 4-way, 6 = 8-way, 8 = 16-way. */
            unsigned code = caches[i].ways == 16 ? 8 : caches[i].ways == 8 ? 6 : 4;
            return (caches[i].kib << 16) | (code << 12) | EMU_CACHE_LINE;
        }
    return 0;
}

static void topology_leaf(const struct hv_vcpu *v, uint32_t subleaf, unsigned bits, unsigned count,
                          uint32_t r[4])
{
    r[3] = v->id;   /* x2APIC ID, at every subleaf */
    r[2] = subleaf & 0xff;
    if (subleaf == 0) {          /* SMT: one thread per core */
        r[1] = 1;
        r[2] |= 1u << 8;
    } else if (subleaf == 1) {   /* core: every vCPU */
        r[0] = bits;
        r[1] = count;
        r[2] |= 2u << 8;
    }
}

static void xsave_leaf(const struct hv_vcpu *v, uint32_t subleaf, uint32_t r[4])
{
    uint64_t xcr0 = reg_or_zero(v, HV_X86_XCR0);
    uint32_t enabled = (xcr0 & XFEATURE_AVX) ? XS_AREA_SIZE : XS_YMM_HI;
    if (subleaf == 0) {
        r[0] = (uint32_t)XCR0_SUPPORTED;
        r[1] = enabled;
        r[2] = XS_AREA_SIZE;
    } else if (subleaf == 1) {
        r[0] = EMU_CPUID_D_1_EAX;
        r[1] = enabled;   /* XCR0 | IA32_XSS, and IA32_XSS can only be 0 */
    } else if (subleaf == 2) {
        r[0] = XS_YMM_SIZE;
        r[1] = XS_YMM_HI;
    }
}

static void string_leaf(const char *s, size_t len, size_t at, uint32_t r[4])
{
    char chunk[16] = { 0 };
    if (at < len)
        memcpy(chunk, s + at, len - at < 16 ? len - at : 16);
    memcpy(r, chunk, 16);
}

hv_return_t emu_vcpu_cpuid(struct hv_vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    memset(r, 0, 4 * sizeof r[0]);
    /* Beyond the highest leaf of either range, Intel processors answer
     * with the highest basic leaf. */
    if ((leaf > EMU_CPUID_MAX_BASIC && leaf < 0x80000000u) || leaf > EMU_CPUID_MAX_EXT)
        leaf = EMU_CPUID_MAX_BASIC;
    bool apic = v->vm->irq != NULL;
    static const char vendor[] = EMU_CPUID_VENDOR, brand[] = EMU_CPUID_BRAND;
    _Static_assert(sizeof vendor == 13, "the vendor is 12 characters");
    _Static_assert(sizeof brand <= 48, "the brand string fits in three leaves");
    unsigned bits = 0, count = 0;
    if (leaf == 1 || leaf == LEAF_CACHE || leaf == LEAF_TOPOLOGY)
        vm_shape(v->vm, &bits, &count);
    switch (leaf) {
    case 0:
        r[0] = EMU_CPUID_MAX_BASIC;
        memcpy(&r[1], vendor, 4);
        memcpy(&r[3], vendor + 4, 4);
        memcpy(&r[2], vendor + 8, 4);
        break;
    case 1:
        r[0] = EMU_CPUID_SIGNATURE;
        /* CLFLUSH line size in 8-byte units, addressable logical IDs, APIC ID. */
        r[1] = ((EMU_CACHE_LINE / 8) << 8) | ((1u << bits) << 16) | ((uint32_t)v->id << 24);
        r[2] = leaf1_ecx();
        if (reg_or_zero(v, HV_X86_CR4) & CR4_OSXSAVE)
            r[2] |= CPUID_1_ECX_OSXSAVE;
        r[3] = EMU_CPUID_1_EDX | (apic ? CPUID_1_EDX_APIC : 0);
        break;
    case 2:
        r[0] = 0xff01;   /* one query; descriptor FFh: caches are in leaf 4 */
        break;
    case LEAF_CACHE:
        cache_leaf(subleaf, bits, r);
        break;
    case 6:
        r[0] = apic ? CPUID_6_EAX_ARAT : 0;
        break;
    case 7:
        if (subleaf == 0)
            r[1] = EMU_CPUID_7_0_EBX;
        break;
    case LEAF_TOPOLOGY:
        topology_leaf(v, subleaf, bits, count, r);
        break;
    case LEAF_XSAVE:
        xsave_leaf(v, subleaf, r);
        break;
    case 0x80000000u:
        r[0] = EMU_CPUID_MAX_EXT;
        break;
    case 0x80000001u:
        r[2] = EMU_CPUID_EXT1_ECX;
        r[3] = EMU_CPUID_EXT1_EDX;
        break;
    case 0x80000002u:
    case 0x80000003u:
    case 0x80000004u:
        string_leaf(brand, sizeof brand - 1, 16 * (leaf - 0x80000002u), r);
        break;
    case 0x80000006u:
        r[2] = l2_ext_leaf();
        break;
    case 0x80000008u:
        r[0] = EMU_CPUID_EXT8_EAX;
        break;
    default:
        break;   /* 3, 5, 8-0Ah, 0Ch, 80000005h, 80000007h: zero */
    }
    return HV_SUCCESS;
}
