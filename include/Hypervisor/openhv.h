/*
 * OpenHV extensions: diagnostics that are NOT part of Apple's
 * Hypervisor.framework API.  Portable clients must not depend on them.
 */
#ifndef OPENHV_EXTENSIONS_H
#define OPENHV_EXTENSIONS_H

#include <Hypervisor/hv.h>
#include <stdint.h>

__BEGIN_DECLS

/* "<backend> (<why it was chosen>)" while a VM exists, else "none (no VM)".
 * Valid until hv_vm_destroy. */
OS_EXPORT const char *openhv_backend_name(void);

struct openhv_vcpu_stats {
    uint64_t exits[128];      /* by basic exit reason (VMX_REASON_*, low 7 bits) */
    uint64_t runs;            /* hv_vcpu_run / hv_vcpu_run_until calls */
    uint64_t instructions;    /* guest instructions executed (emu backend only) */
    uint64_t exec_ns;         /* as hv_vcpu_get_exec_time */
    uint64_t engine_ns[2];    /* time inside runs on the emulator [0] and on KVM [1]:
                                 the kvm backend hands a vCPU to the emulator for
                                 exits KVM cannot produce (docs/compat.md) */
    /* The emulator's block cache: blocks decoded, blocks looked up by
     * address in its hash table (an entry reached through a link from the
     * block before, or found through the jump cache, is not), and returns
     * from translated code to the engine's loop. */
    uint64_t blocks_decoded;
    uint64_t block_lookups;
    uint64_t translated_returns;
};

/* Counters of a vCPU; owning thread only, like every per-vCPU call. */
OS_EXPORT hv_return_t openhv_vcpu_stats(hv_vcpuid_t vcpu, struct openhv_vcpu_stats *stats);

/* CPUID leaf `leaf`, subleaf `subleaf` of the processor the vCPU runs on,
 * as it would answer the guest now (OSXSAVE follows the vCPU's CR4, leaf
 * 0Dh's sizes its XCR0): regs = { EAX, EBX, ECX, EDX }.  CPUID exits to
 * the client, and this is the answer a client that models no processor of
 * its own gives (adding its hypervisor leaves).  On emu: the emulated
 * processor, GenuineIntel, every feature the emulator implements and no
 * other; on kvm: the table KVM answers the guest's CPUID with.  Owning
 * thread only; HV_BAD_ARGUMENT for an unknown vCPU or NULL regs. */
OS_EXPORT hv_return_t openhv_vcpu_cpuid(hv_vcpuid_t vcpu, uint32_t leaf, uint32_t subleaf,
                                        uint32_t regs[4]);

__END_DECLS

#endif
