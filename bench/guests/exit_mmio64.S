/* 64-bit exit loop for bench/kvm_exit.c: a byte load from the device page
 * forever, through the guest's page tables. */
#include "bench.h"
#include "kvm_exit.h"

    .code64
    .globl _start
_start:
    mov     $BENCH_MMIO_GPA, %ebx
1:  mov     (%rbx), %al
    jmp     1b
