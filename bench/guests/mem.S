/* Memory-bound guest: RSI selects bench_mem_copy (RDI passes) or
 * bench_mem_random (RDI loads) over the region at MEM_REGION_GPA. */
#include "bench.h"

    .code64
    .globl _start
_start:
    mov     %rsi, %rax
    mov     %rdi, %rsi
    mov     $MEM_REGION_GPA, %rdi
    cmp     $MEM_MODE_COPY, %rax
    jne     1f
    call    bench_mem_copy
    jmp     2f
1:  call    bench_mem_random
2:  out     %al, $BENCH_EXIT_PORT
    hlt
