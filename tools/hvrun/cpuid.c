/*
 * CPUID as the guest sees it: the processor the backend runs the vCPU on,
 * as openhv_vcpu_cpuid describes it (on emu the emulated Intel part with
 * exactly the features the emulator implements, on kvm the table KVM
 * answers with, which matters while an `auto` vCPU runs on the emulator),
 * plus what a hypervisor adds: the hypervisor bit and a leaf naming us.
 */
#include "hvrun.h"

#include <Hypervisor/openhv.h>
#include <string.h>

#define LEAF1_ECX_HYPERVISOR (1u << 31)

enum { HV_LEAF = 0x40000000, HV_LEAF_LAST = 0x400000ff };

static const char hv_signature[12] = {'O', 'p', 'e', 'n', 'H', 'V', 'O', 'p', 'e', 'n', 'H', 'V'};

void cpuid_answer(const struct machine *m, const struct vcpu *v, uint32_t leaf, uint32_t subleaf,
                  uint32_t out[4])
{
    (void)m;
    memset(out, 0, 4 * sizeof out[0]);
    if (leaf >= HV_LEAF && leaf <= HV_LEAF_LAST) {
        /* Ours: one leaf, the signature; the rest of the range is zero. */
        if (leaf == HV_LEAF) {
            out[0] = HV_LEAF;
            memcpy(&out[1], hv_signature, sizeof hv_signature);
        }
        return;
    }
    if (openhv_vcpu_cpuid(v->id, leaf, subleaf, out) != HV_SUCCESS)
        memset(out, 0, 4 * sizeof out[0]);
    else if (leaf == 1)
        out[2] |= LEAF1_ECX_HYPERVISOR;
}

/* AMD's MSR range does not exist on an Intel processor: RDMSR and WRMSR of
 * it are #GP there, which is an answer, not a gap in hvrun.  Linux probes
 * some of it on Intel too (with the safe accessors). */
bool cpuid_msr_of_other_vendor(const struct vcpu *v, uint32_t index)
{
    uint32_t r[4];
    if (index < 0xc0010000u || index > 0xc001ffffu || openhv_vcpu_cpuid(v->id, 0, 0, r) != HV_SUCCESS)
        return false;
    return memcmp(&r[1], "Genu", 4) == 0 && memcmp(&r[3], "ineI", 4) == 0 && memcmp(&r[2], "ntel", 4) == 0;
}
