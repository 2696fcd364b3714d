/*
 * The processor the emulator implements: every CPUID word of it, and the
 * feature bits that change architectural behaviour inside the emulator.
 * CPUID itself always exits and the client answers it (docs/compat.md
 * 7.1); openhv_vcpu_cpuid (src/emu/cpuid.c) gives the client this model
 * to answer with.  Behaviour that depends on a feature is derived from
 * here, never from a second constant.
 *
 * CPUID.(EAX=7,ECX=0):EBX bit 11, RTM.  The emulator implements RTM with
 * transactions that always abort at XBEGIN (status 0: no retry hint),
 * which the SDM allows for any transaction; XTEST reports none active,
 * XEND outside a transaction is #GP and XABORT a no-op.  With RTM, DR7
 * bit 11 (RTM debug) is writable and DR6 bit 16 (RTM, active low) is
 * writable, as Intel defines them for processors with RTM and as Apple's
 * own test expects of DR7 (0xaaaa0eaa reads back unchanged).
 */
#ifndef OPENHV_EMU_CPU_MODEL_H
#define OPENHV_EMU_CPU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define CPUID_7_0_EBX_RTM (1u << 11)
/* RDSEED (0F C7 /7) and ADX (ADCX/ADOX) are implemented. */
#define CPUID_7_0_EBX_RDSEED (1u << 18)
#define CPUID_7_0_EBX_ADX (1u << 19)

/* The VEX-encoded instruction sets (decode.c, exec_avx.c, exec_bmi.c,
 * exec_fma.c), with AVX state in XSAVE component 2: CPUID.1:ECX FMA, AVX,
 * F16C and CPUID.(7,0):EBX BMI1, AVX2, BMI2.  FMA and F16C run on the
 * host's own units where it has them and in portable C where it does not
 * (fp_host.h), so they exist on every host. */
#define CPUID_1_ECX_FMA (1u << 12)
#define CPUID_1_ECX_AVX (1u << 28)
#define CPUID_1_ECX_F16C (1u << 29)
#define CPUID_7_0_EBX_BMI1 (1u << 3)
#define CPUID_7_0_EBX_AVX2 (1u << 5)
#define CPUID_7_0_EBX_BMI2 (1u << 8)
#define EMU_CPUID_1_ECX_VEX (CPUID_1_ECX_FMA | CPUID_1_ECX_AVX | CPUID_1_ECX_F16C)
#define EMU_CPUID_7_0_EBX_VEX (CPUID_7_0_EBX_BMI1 | CPUID_7_0_EBX_AVX2 | CPUID_7_0_EBX_BMI2)

/* RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE (exec_fsgsbase.c), enabled by
 * CR4.FSGSBASE, which only a processor with the feature lets software set. */
#define CPUID_7_0_EBX_FSGSBASE (1u << 0)
#define CR4_FSGSBASE_BIT (1ull << 16)

/* SMEP is enforced; CR4.SMAP is accepted and CLAC/STAC run, though SMAP
 * is not enforced (docs/compat.md 7.1).  ERMS only describes REP MOVSB/STOSB
 * as fast, which is true here. */
#define CPUID_7_0_EBX_SMEP (1u << 7)
#define CPUID_7_0_EBX_ERMS (1u << 9)
#define CPUID_7_0_EBX_SMAP (1u << 20)

/* CPUID.(7,0):EBX of the emulated processor. */
#define EMU_CPUID_7_0_EBX \
    (CPUID_7_0_EBX_FSGSBASE | CPUID_7_0_EBX_SMEP | CPUID_7_0_EBX_ERMS | CPUID_7_0_EBX_RTM | \
     CPUID_7_0_EBX_RDSEED | CPUID_7_0_EBX_ADX | CPUID_7_0_EBX_SMAP | EMU_CPUID_7_0_EBX_VEX)

/*
 * The part the model describes: Intel Core i7-5557U (Broadwell-U, family 6
 * model 0x3d stepping 4), the processor of the 13-inch MacBook Pro of early
 * 2015, a Mac the framework runs on, and the closest real part to what the
 * emulator implements (x86-64-v3 with RTM, ADX, RDSEED, FSGSBASE, SMEP,
 * SMAP).  Where the model differs from that part, docs/compat.md 7.1 says
 * so; every bit below is one the emulator honours.
 */
#define EMU_CPUID_VENDOR "GenuineIntel"
#define EMU_CPUID_BRAND "Intel(R) Core(TM) i7-5557U CPU @ 3.10GHz"
#define EMU_CPUID_SIGNATURE 0x000306d4u     /* leaf 1 EAX */
#define EMU_CPUID_MAX_BASIC 0xdu
#define EMU_CPUID_MAX_EXT 0x80000008u

/* CPUID.1:EDX: FPU VME DE PSE TSC MSR PAE CX8 SEP MTRR PGE CMOV PAT PSE36
 * CLFSH MMX FXSR SSE SSE2 HTT.  No MCE/MCA (no machine-check MSRs), no
 * DS/ACPI/TM/PBE (no such MSRs or thermal control). */
#define EMU_CPUID_1_EDX                                                                       \
    ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) |     \
     (1u << 8) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 15) | (1u << 16) | (1u << 17) | \
     (1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26) | (1u << 28))
/* The local APIC exists with the VM's in-kernel controllers (HV_VM_ACCEL_APIC). */
#define CPUID_1_EDX_APIC (1u << 9)

/* CPUID.1:ECX: SSE3 PCLMULQDQ SSSE3 CX16 PCID SSE4.1 SSE4.2 MOVBE POPCNT AES
 * XSAVE RDRAND, and the VEX sets above.  OSXSAVE mirrors CR4.OSXSAVE. */
#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define EMU_CPUID_1_ECX                                                                        \
    ((1u << 0) | (1u << 1) | (1u << 9) | (1u << 13) | (1u << 17) | (1u << 19) | (1u << 20) |  \
     (1u << 22) | (1u << 23) | (1u << 25) | CPUID_1_ECX_XSAVE | (1u << 30) | EMU_CPUID_1_ECX_VEX)

/* CPUID.80000001h: ECX LAHF/SAHF in 64-bit mode, LZCNT, PREFETCHW; EDX
 * SYSCALL, NX, 1 GiB pages, RDTSCP (its VMX control is always on), LM. */
#define EMU_CPUID_EXT1_ECX ((1u << 0) | (1u << 5) | (1u << 8))
#define EMU_CPUID_EXT1_EDX ((1u << 11) | (1u << 20) | (1u << 26) | (1u << 27) | (1u << 29))
/* CPUID.80000008h:EAX: 39 physical address bits (the MMU's MAXPHYADDR), 48 linear. */
#define EMU_MAXPHYADDR 39u
#define EMU_CPUID_EXT8_EAX (EMU_MAXPHYADDR | (48u << 8))

/* CPUID.6:EAX: the APIC timer runs in every C-state (there are no deep ones). */
#define CPUID_6_EAX_ARAT (1u << 2)

/* CPUID.(0Dh,1):EAX: XSAVEOPT and XSAVEC; not XSAVES (docs/compat.md 7.2). */
#define EMU_CPUID_D_1_EAX ((1u << 0) | (1u << 1))

/* The caches of the part, for leaf 4 (and leaf 80000006h for L2): type
 * (1 data, 2 instruction, 3 unified), level, size in KiB, ways; 64-byte
 * lines.  L1 and L2 are per core, L3 is shared by the package and inclusive. */
#define EMU_CACHE_LINE 64u
#define EMU_CACHES(X) \
    X(1, 1, 32, 8)    \
    X(2, 1, 32, 8)    \
    X(3, 2, 256, 8)   \
    X(3, 3, 4096, 16)

/* CR4 bits the VMX fixed-1 word offers that this processor lacks the
 * feature for: MOV to CR4 setting one is #GP, and the emulator's
 * capability word leaves them out. */
static inline uint64_t emu_cr4_absent(void)
{
    return (EMU_CPUID_7_0_EBX & CPUID_7_0_EBX_FSGSBASE) ? 0 : CR4_FSGSBASE_BIT;
}

static inline bool emu_has_rtm(void)
{
    return (EMU_CPUID_7_0_EBX & CPUID_7_0_EBX_RTM) != 0;
}

/* Debug-register bits that exist only with RTM (SDM vol. 3 17.2). */
#define DR6_RTM (1ull << 16)
#define DR7_RTM (1ull << 11)

/* DR6: bits that MOV DR6 writes, and bits that always read 1 (bits 4-11,
 * 17-31; bit 12 reads 0).  Without RTM, bit 16 reads 1. */
static inline uint64_t emu_dr6_writable(void)
{
    return 0xe00full | (emu_has_rtm() ? DR6_RTM : 0);
}
static inline uint64_t emu_dr6_fixed1(void)
{
    return 0xfffe0ff0ull | (emu_has_rtm() ? 0 : DR6_RTM);
}

/* DR7: bits that MOV DR7 writes (bits 0-9, 13, 16-31; bit 11 with RTM);
 * bit 10 always reads 1, bits 12, 14, 15 read 0. */
static inline uint64_t emu_dr7_writable(void)
{
    return 0xffff23ffull | (emu_has_rtm() ? DR7_RTM : 0);
}
#define DR7_FIXED1 0x400ull

#endif
