/* 64-bit exit loop for bench/kvm_exit.c: RDMSR of BENCH_UNKNOWN_MSR forever
 * in long mode, each one answered by the host. */
#include "bench.h"
#include "kvm_exit.h"

    .code64
    .globl _start
_start:
    mov     $BENCH_UNKNOWN_MSR, %ecx
1:  rdmsr
    jmp     1b
