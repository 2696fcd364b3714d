/* The loop of loop.S in 32-bit protected mode (flat segments, no paging):
 * the same eight instructions per iteration with 32-bit operands. */
#include "bench.h"

    .code32
    .globl _start
_start:
    mov     %edi, %ecx
    mov     $BENCH_DATA, %esi
    xor     %eax, %eax
    xor     %edx, %edx
    .p2align 4
1:  mov     (%esi), %eax        /* 1 load */
    add     %ecx, %eax          /* 2 */
    xor     $0x5a, %edx         /* 3 */
    mov     %eax, 4(%esi)       /* 4 store */
    add     %edx, %eax          /* 5 */
    mov     %eax, (%esi)        /* 6 store */
    dec     %ecx                /* 7 */
    jnz     1b                  /* 8 branch */
    out     %al, $BENCH_EXIT_PORT
    hlt
