/* CPU-bound loop: RDI iterations of loads, stores, ALU and a branch, then
 * an OUT to the exit port.  LOOP_INSNS_PER_ITERATION counts the body. */
#include "bench.h"

    .code64
    .globl _start
_start:
    mov     %rdi, %rcx
    mov     $BENCH_DATA, %rsi
    xor     %eax, %eax
    xor     %edx, %edx
    .p2align 4
1:  mov     (%rsi), %rax        /* 1 load */
    add     %rcx, %rax          /* 2 */
    xor     $0x5a, %rdx         /* 3 */
    mov     %rax, 8(%rsi)       /* 4 store */
    add     %rdx, %rax          /* 5 */
    mov     %rax, (%rsi)        /* 6 store */
    dec     %rcx                /* 7 */
    jnz     1b                  /* 8 branch */
    out     %al, $BENCH_EXIT_PORT
    hlt
