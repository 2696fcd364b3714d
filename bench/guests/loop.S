/* CPU-bound loop: RDI iterations of bench_loop (kernels.S) over BENCH_DATA,
 * then an OUT to the exit port. */
#include "bench.h"

    .code64
    .globl _start
_start:
    mov     $BENCH_DATA, %rsi
    call    bench_loop
    out     %al, $BENCH_EXIT_PORT
    hlt
