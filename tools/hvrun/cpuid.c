/*
 * CPUID as the guest sees it: the host's vendor, family and cache leaves,
 * with the feature bits narrowed to a set every backend executes (the
 * emulator runs MMX, SSE to SSE4.2, AES-NI, PCLMULQDQ, RDRAND, RDSEED, ADX,
 * FXSAVE, the XSAVE family with AVX state, AVX, AVX2, FMA, F16C, BMI1, BMI2
 * and the whole x87), the local APIC with the framework's
 * interrupt controllers, the hypervisor bit, and a hypervisor leaf naming us.
 */
#include "hvrun.h"

#include <cpuid.h>
#include <string.h>

/* CPUID.1:EDX: DE PSE TSC MSR PAE CX8 SEP MTRR PGE CMOV PAT PSE36 CLFSH,
 * MMX FXSR SSE SSE2. */
#define LEAF1_EDX_BASE                                                                    \
    ((1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 11) | \
     (1u << 12) | (1u << 13) | (1u << 15) | (1u << 16) | (1u << 17) | (1u << 19) |        \
     (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26))
/* FPU (x87). */
#define LEAF1_EDX_X87 (1u << 0)
/* CPUID.1:ECX: SSE3 PCLMULQDQ SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AES
 * XSAVE AVX F16C RDRAND (the emulator implements them; RDRAND only where
 * the host has it, which the mask of the host's leaf gives; FMA and F16C
 * too, except under OpenHV's emulator, which computes them in software on
 * a host without them), hypervisor. */
#define LEAF1_ECX_KEEP                                                                      \
    ((1u << 0) | (1u << 1) | (1u << 9) | (1u << 12) | (1u << 13) | (1u << 19) | (1u << 20) | \
     (1u << 22) | (1u << 23) | (1u << 25) | (1u << 26) | (1u << 28) | (1u << 29) | (1u << 30))
/* CPUID.(7,0):EBX: BMI1 AVX2 BMI2 RDSEED ADX. */
#define LEAF7_EBX_KEEP ((1u << 3) | (1u << 5) | (1u << 8) | (1u << 18) | (1u << 19))
#define LEAF1_ECX_FMA_F16C ((1u << 12) | (1u << 29))
#define LEAF1_ECX_AVX (1u << 28)
#define LEAF1_ECX_OSXSAVE (1u << 27)
#define LEAF1_ECX_HYPERVISOR (1u << 31)
/* The local APIC: only with the framework's in-kernel controllers. */
#define LEAF1_EDX_APIC (1u << 9)
#define CR4_OSXSAVE (1ull << 18)
/* XSAVE: the components hvrun's XSETBV accepts (x87, SSE, AVX), the area
 * size without and with AVX (legacy region and header; AVX state at 576,
 * 256 bytes), and XSAVEOPT and XSAVEC (CPUID.(0Dh,1):EAX). */
#define XSAVE_COMPONENTS 7u
#define XSAVE_LEGACY_SIZE 576u
#define XSAVE_AVX_OFFSET 576u
#define XSAVE_AVX_SIZE 256u
#define XSAVE_AREA_SIZE (XSAVE_AVX_OFFSET + XSAVE_AVX_SIZE)
#define XSAVE_LEAF1_EAX 3u
#define XCR0_AVX 4u
/* CPUID.80000001h: EDX SYSCALL NX RDTSCP LM; ECX LAHF/SAHF in 64-bit mode, LZCNT. */
#define EXT1_EDX_KEEP ((1u << 11) | (1u << 20) | (1u << 27) | (1u << 29))
#define EXT1_ECX_KEEP ((1u << 0) | (1u << 5))

enum {
    MAX_BASIC_LEAF = 0xd, XSAVE_LEAF = 0xd, HV_LEAF = 0x40000000, MAX_EXT_LEAF = 0x80000008,
};

static const char hv_signature[12] = {'O', 'p', 'e', 'n', 'H', 'V', 'O', 'p', 'e', 'n', 'H', 'V'};

static void host_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
}

/* OpenHV's emulator runs FMA and F16C on any host (in software where the
 * host lacks them); KVM only where the host has them. */
static bool backend_emulates_fma(void)
{
#ifdef HVRUN_HAVE_OPENHV_H
    return strncmp(openhv_backend_name(), "emu", 3) == 0;
#else
    return false;
#endif
}

void cpuid_answer(const struct machine *m, const struct vcpu *v, uint32_t leaf, uint32_t subleaf,
                  uint32_t out[4])
{
    uint32_t host_max[4], host_ext[4];
    host_cpuid(0, 0, host_max);
    host_cpuid(0x80000000, 0, host_ext);
    memset(out, 0, 4 * sizeof out[0]);

    if (leaf == 0) {
        host_cpuid(0, 0, out);
        out[0] = host_max[0] < MAX_BASIC_LEAF ? host_max[0] : MAX_BASIC_LEAF;
    } else if (leaf == 1) {
        host_cpuid(1, 0, out);
        /* APIC id = vCPU index; logical processor count = vCPUs. */
        out[1] = (out[1] & 0x0000ffffu) | ((uint32_t)m->opt.cpus << 16) | (v->index << 24);
        out[2] = (out[2] & LEAF1_ECX_KEEP) | LEAF1_ECX_HYPERVISOR;
        /* They are VEX instructions: only with AVX (a host with AVX but
         * without FMA or F16C, Sandy and Ivy Bridge). */
        if ((out[2] & LEAF1_ECX_AVX) && backend_emulates_fma())
            out[2] |= LEAF1_ECX_FMA_F16C;
        /* OSXSAVE mirrors the vCPU's CR4.OSXSAVE. */
        if ((out[2] & (1u << 26)) && (hvrun_reg_get(v->id, HV_X86_CR4) & CR4_OSXSAVE))
            out[2] |= LEAF1_ECX_OSXSAVE;
        out[3] &= LEAF1_EDX_BASE | LEAF1_EDX_X87 | (m->irqchip ? LEAF1_EDX_APIC : 0);
    } else if (leaf >= 2 && leaf <= 6 && leaf <= host_max[0]) {
        host_cpuid(leaf, subleaf, out);   /* cache and topology descriptions */
    } else if (leaf == 7 && leaf <= host_max[0]) {
        if (subleaf == 0) {
            uint32_t h[4];
            host_cpuid(7, 0, h);
            out[1] = h[1] & LEAF7_EBX_KEEP;
        }
    } else if (leaf == XSAVE_LEAF && leaf <= host_max[0]) {
        /* EBX: the size for the components XCR0 enables now. */
        uint32_t enabled = (hvrun_reg_get(v->id, HV_X86_XCR0) & XCR0_AVX) ? XSAVE_AREA_SIZE : XSAVE_LEGACY_SIZE;
        if (subleaf == 0) {
            out[0] = XSAVE_COMPONENTS;
            out[1] = enabled;
            out[2] = XSAVE_AREA_SIZE;
        } else if (subleaf == 1) {
            uint32_t h[4];
            host_cpuid(XSAVE_LEAF, 1, h);
            out[0] = h[0] & XSAVE_LEAF1_EAX;
            out[1] = enabled;
        } else if (subleaf == 2) {
            out[0] = XSAVE_AVX_SIZE;
            out[1] = XSAVE_AVX_OFFSET;
        }
    } else if (leaf == HV_LEAF) {
        out[0] = HV_LEAF;
        memcpy(&out[1], hv_signature, sizeof hv_signature);
    } else if (leaf == 0x80000000) {
        out[0] = host_ext[0] < MAX_EXT_LEAF ? host_ext[0] : MAX_EXT_LEAF;
    } else if (leaf == 0x80000001 && leaf <= host_ext[0]) {
        host_cpuid(leaf, 0, out);
        out[2] &= EXT1_ECX_KEEP;
        out[3] &= EXT1_EDX_KEEP;
    } else if (leaf >= 0x80000002 && leaf <= MAX_EXT_LEAF && leaf <= host_ext[0] &&
               leaf != 0x80000007) {
        host_cpuid(leaf, 0, out);         /* brand string, caches, address sizes */
    }
    /* Everything else reads as zero. */
}
