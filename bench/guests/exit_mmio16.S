/* Real-mode exit loop for bench/kvm_exit.c: a byte load from the device
 * page forever, each one answered by the host. */
#include "bench.h"
#include "kvm_exit.h"

    .code16
    .globl _start
_start:
    mov     $BENCH_MMIO_GPA, %bx
1:  mov     (%bx), %al
    jmp     1b
