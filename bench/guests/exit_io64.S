/* 64-bit exit loop for bench/kvm_exit.c: exit_io16.S in long mode, where a
 * backend that finds the exiting instruction walks the guest's page
 * tables.  The bytes are those of exit_io16.S. */
#include "bench.h"
#include "kvm_exit.h"

    .code64
    .globl _start
_start:
    mov     $0x41, %al
1:  out     %al, $BENCH_IO_PORT
    jmp     1b
