/* The loop of loop.S in real mode, loaded at BENCH_CODE16 (the code is
 * position independent): 32-bit operands through the operand-size prefix,
 * so that the count fits, and 16-bit addresses into BENCH_DATA16. */
#include "bench.h"

    .code16
    .globl _start
_start:
    mov     %edi, %ecx
    mov     $BENCH_DATA16, %si
    xor     %eax, %eax
    xor     %edx, %edx
    .p2align 4
1:  mov     (%si), %eax         /* 1 load */
    add     %ecx, %eax          /* 2 */
    xor     $0x5a, %edx         /* 3 */
    mov     %eax, 4(%si)        /* 4 store */
    add     %edx, %eax          /* 5 */
    mov     %eax, (%si)         /* 6 store */
    dec     %ecx                /* 7 */
    jnz     1b                  /* 8 branch */
    out     %al, $BENCH_EXIT_PORT
    hlt
