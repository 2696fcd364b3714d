/* 64-bit guests for the CPUID and FSGSBASE conformance cases
 * (test_cpuid.c): one entry per advertised feature, each executing one of
 * the feature's instructions, and the FSGSBASE sequences. */
#include "layout.h"

    .text
    .code64
_start:
    out %al, $PORT_DONE

/* ---- FSGSBASE ---- */
l_fsgs:
    wrfsbase %rax
    wrgsbase %rbx
l_fsgs_exit:
    out %al, $PORT_REPORT
    rdfsbase %rcx
    rdgsbase %edx
    out %al, $PORT_DONE

l_wrfsbase:
l_wrfsbase_insn:
    wrfsbase %rax
    out %al, $PORT_DONE

l_rdgsbase:
l_rdgsbase_insn:
    rdgsbase %rax
    out %al, $PORT_DONE

/* ---- XSAVE with EDX:EAX = all ones into GUEST_TABLE ---- */
l_xsave_all:
    mov $-1, %eax
    mov $-1, %edx
    xsave64 GUEST_TABLE
    out %al, $PORT_DONE

l_xsavec_all:
    mov $-1, %eax
    mov $-1, %edx
    xsavec64 GUEST_TABLE
    out %al, $PORT_DONE

/* ---- one instruction per feature: F(name) starts f_<name> ---- */
#define F(name) f_##name:
#define END out %al, $PORT_DONE

F(fpu)       fld1; fstp %st(0); END
F(tsc)       rdtsc; END
F(cx8)       cmpxchg8b GUEST_DATA; END
F(cmov)      cmovz %rax, %rbx; END
F(clfsh)     clflush GUEST_DATA; END
F(mmx)       paddb %mm0, %mm1; emms; END
F(fxsr)      fxsave64 GUEST_TABLE; END
F(sse)       addps %xmm0, %xmm1; END
F(sse2)      paddq %xmm0, %xmm1; END
F(sse3)      addsubps %xmm0, %xmm1; END
F(pclmulqdq) pclmulqdq $0x11, %xmm0, %xmm1; END
F(ssse3)     pshufb %xmm0, %xmm1; END
F(fma)       vfmadd231ps %ymm0, %ymm1, %ymm2; END
F(cx16)      cmpxchg16b GUEST_DATA; END
F(sse41)     ptest %xmm0, %xmm1; END
F(sse42)     crc32q %rax, %rbx; END
F(movbe)     movbe GUEST_DATA, %eax; END
F(popcnt)    popcnt %rax, %rbx; END
F(aes)       aesenc %xmm0, %xmm1; END
F(xsave)     xor %edx, %edx; mov $7, %eax; xsave64 GUEST_TABLE; END
F(avx)       vaddps %ymm0, %ymm1, %ymm2; END
F(f16c)      vcvtph2ps %xmm0, %ymm1; END
F(rdrand)    rdrand %eax; END
F(fsgsbase)  rdfsbase %rax; END
F(bmi1)      andn %rax, %rbx, %rcx; END
F(avx2)      vpaddd %ymm0, %ymm1, %ymm2; END
F(bmi2)      pdep %rax, %rbx, %rcx; END
F(rtm)       xtest; END
F(rdseed)    rdseed %eax; END
F(adx)       adcx %rax, %rbx; END
F(smap)      stac; clac; END
F(xsaveopt)  xor %edx, %edx; mov $7, %eax; xsaveopt64 GUEST_TABLE; END
F(xsavec)    xor %edx, %edx; mov $7, %eax; xsavec64 GUEST_TABLE; END
F(lahf)      lahf; END
F(lzcnt)     lzcnt %rax, %rbx; END
F(prefetchw) prefetchw GUEST_DATA; END
F(rdtscp)    rdtscp; END
/* Not advertised: must be #UD. */
F(xsaves)    xor %edx, %edx; mov $7, %eax; xsaves64 GUEST_TABLE; END
