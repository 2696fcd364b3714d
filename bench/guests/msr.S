/* Exit-bound loop: RDI reads of an MSR the framework leaves to the client
 * (one RDMSR exit each), then the exit port. */
#include "bench.h"

    .code64
    .globl _start
_start:
    mov     %rdi, %rsi
1:  mov     $BENCH_MSR, %ecx
    rdmsr
    dec     %rsi
    jnz     1b
    out     %al, $BENCH_EXIT_PORT
    hlt
