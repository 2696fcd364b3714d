/*
 * The processor the emulator implements, as the CPUID feature bits that
 * change architectural behaviour inside the emulator.  CPUID itself always
 * exits and the client answers it (docs/compat.md 7.1), so these bits are
 * not what a guest reads; they are what the emulated CPU does, and a
 * client that wants its CPUID to match advertises them.  Behaviour that
 * depends on a feature is derived from here, never from a second constant.
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
 * host's own units (fp_host.h), so a host without them makes them #UD. */
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

/* CPUID.(7,0):EBX of the emulated processor. */
#define EMU_CPUID_7_0_EBX \
    (CPUID_7_0_EBX_FSGSBASE | CPUID_7_0_EBX_RTM | CPUID_7_0_EBX_RDSEED | CPUID_7_0_EBX_ADX | \
     EMU_CPUID_7_0_EBX_VEX)

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
