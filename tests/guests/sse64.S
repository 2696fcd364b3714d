/* 64-bit guests for the SSE/FPU-state conformance cases (test_sse.c).
 * The host sets the XMM registers and MXCSR through hv_vcpu_write_fpstate
 * and reads them back at the exit with hv_vcpu_read_fpstate. */
#include "layout.h"

    .text
    .code64
_start:
    out %al, $PORT_DONE

/* Arithmetic and moves; the results stay in registers and GUEST_DATA. */
l_sse_arith:
    movdqa GUEST_DATA, %xmm2
    addpd %xmm1, %xmm0
    mulsd %xmm0, %xmm1
    paddd %xmm2, %xmm3
    pshufd $0x1b, %xmm3, %xmm4
    ldmxcsr GUEST_DATA + 0x20
    movdqa %xmm0, GUEST_DATA + 0x40
    cvtsd2si %xmm1, %rax
    out %al, $PORT_DONE

l_fxsave:
    fxsave64 GUEST_TABLE
    out %al, $PORT_DONE

l_fxrstor:
    fxrstor64 GUEST_TABLE
    out %al, $PORT_DONE

/* An instruction that faults by CR0/CR4 (#NM, #UD) or MXCSR (#XM). */
l_divss:
l_divss_insn:
    divss %xmm1, %xmm0
    out %al, $PORT_DONE

l_movq_report:
    movq %xmm3, %rax
    out %eax, $PORT_REPORT
    shr $32, %rax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* XSAVE of x87|SSE (EDX:EAX = 3) to GUEST_TABLE, then XGETBV(0) reported. */
l_xsave:
    mov $3, %eax
    xor %edx, %edx
    xsave64 GUEST_TABLE
    xor %ecx, %ecx
    xgetbv
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* x87 transcendentals: FSIN of FLDPI and FPATAN(1, 1) stored to
 * GUEST_TABLE and +16, FSW reported; an FPREM loop and an FBLD/FBSTP
 * round trip; then FXTRACT of 0 with ZE unmasked (the FCW at
 * GUEST_TABLE+32) and the FWAIT that delivers it. */
l_x87_trans:
    fninit
    fldpi
    fsin
    fstpt GUEST_TABLE
    fld1
    fld1
    fpatan
    fstpt GUEST_TABLE + 16
    fnstsw %ax
    out %eax, $PORT_REPORT
    /* FPREM of [GUEST_TABLE+48] by FLDPI until C2 clears: the FSW and
     * the number of steps reported, the remainder stored at +64. */
    fldpi
    fldt GUEST_TABLE + 48
    xor %ecx, %ecx
1:  inc %ecx
    fprem
    fnstsw %ax
    test $0x400, %ax
    jnz 1b
    fstpt GUEST_TABLE + 64
    fstp %st(0)
    out %eax, $PORT_REPORT
    mov %ecx, %eax
    out %eax, $PORT_REPORT
    /* Packed BCD from +80 through the stack to +96. */
    fbld GUEST_TABLE + 80
    fbstp GUEST_TABLE + 96
    fninit
    fldcw GUEST_TABLE + 32
    fldz
    fxtract
    fnstsw %ax
    and $0xc7ff, %eax                   /* TOP: see the test */
    out %eax, $PORT_REPORT
l_x87_trans_wait:
    fwait
    out %al, $PORT_DONE

/* x87 state: FNINIT, FLD1, FLDZ, then FNSTSW AX reported (TOP = 6). */
l_x87_state:
    fninit
    fld1
    fldz
    fnstsw %ax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* AVX: YMM0 = YMM1 + YMM2 (VEX.256), a VEX.128 and a legacy SSE write,
 * then XSAVE of x87|SSE|AVX (EDX:EAX = 7) to GUEST_TABLE. */
l_avx:
    vaddps %ymm2, %ymm1, %ymm0
    vpaddd %xmm2, %xmm1, %xmm3
    addps %xmm1, %xmm4
    mov $7, %eax
    xor %edx, %edx
    xsave64 GUEST_TABLE
    out %al, $PORT_DONE

/* One VEX instruction, for the #UD/#NM gating. */
l_vaddps:
l_vaddps_insn:
    vaddps %ymm2, %ymm1, %ymm0
    out %al, $PORT_DONE
