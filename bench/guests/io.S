/* Exit-bound loop: RDI port writes (one VM exit each), then the exit port. */
#include "bench.h"

    .code64
    .globl _start
_start:
    mov     %rdi, %rcx
1:  out     %al, $BENCH_IO_PORT
    dec     %rcx
    jnz     1b
    out     %al, $BENCH_EXIT_PORT
    hlt
