/* Real-mode exit loop for bench/kvm_exit.c: RDMSR of BENCH_UNKNOWN_MSR
 * forever, each one answered by the host.  Position independent like
 * exit_io16.S. */
#include "bench.h"
#include "kvm_exit.h"

    .code16
    .globl _start
_start:
    mov     $BENCH_UNKNOWN_MSR, %ecx
1:  rdmsr
    jmp     1b
