/*
 * Putting a fresh vCPU into a processor mode, through the public API only.
 * Shared by hvrun, the conformance tests and the benchmarks, so that every
 * client of ours builds GDTs, page tables and control words the same way
 * (and the way Apple's own tests do: controls from capabilities with
 * (want | allowed0) & allowed1, CR0/CR4 fixed bits hidden by masks and
 * shadows).
 */
#ifndef OPENHV_TOOLS_GUEST_MODE_H
#define OPENHV_TOOLS_GUEST_MODE_H

#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <stdint.h>

enum guest_mode {
    GUEST_REAL,        /* real mode, CS base = entry & ~0xffff... see below */
    GUEST_PROT16,      /* 16-bit protected mode, flat 64 KiB segments */
    GUEST_PROT32,      /* 32-bit protected mode, flat 4 GiB, no paging */
    GUEST_PAGED32,     /* 32-bit paging (CR4.PSE 4 MiB pages), identity map of the first 4 GiB */
    GUEST_PAE32,       /* PAE paging, identity map of the first 4 GiB */
    GUEST_LONG64,      /* 64-bit long mode, 4-level paging, identity map of the first 4 GiB (2 MiB pages) */
};

struct guest_layout {
    uint64_t entry;      /* guest RIP (linear == physical; real mode: CS base 0, IP = entry, entry < 64 KiB) */
    uint64_t stack;      /* initial RSP */
    uint64_t scratch;    /* guest-physical address of 64 KiB of mapped RAM for GDT, TSS and page tables */
    void *scratch_hva;   /* host address of that scratch area */
};

/* Compute a control word a client may write: (want | allowed0) & allowed1. */
uint64_t guest_cap2ctrl(hv_vmx_capability_t cap, uint64_t want);

/* Configure vCPU `vcpu` (owned by the calling thread) for `mode`: segment
 * registers, GDT/TSS (and page tables) written into the scratch area, CR0,
 * CR3, CR4 with guest/host masks and read shadows, EFER and the IA-32e entry
 * control, the primary/secondary/pin/entry/exit controls, RIP, RSP, RFLAGS=2.
 * Returns HV_SUCCESS or the first failing call's error. */
hv_return_t guest_mode_setup(hv_vcpuid_t vcpu, enum guest_mode mode, const struct guest_layout *layout);

/* Selector values guest_mode_setup puts in the GDT (protected and long mode). */
enum {
    GUEST_SEL_CODE64 = 0x08, GUEST_SEL_CODE32 = 0x10, GUEST_SEL_DATA = 0x18,
    GUEST_SEL_CODE16 = 0x20, GUEST_SEL_DATA16 = 0x28, GUEST_SEL_TSS = 0x30,
};

const char *guest_mode_name(enum guest_mode mode);

#endif
