/* Real-mode exit loop for bench/kvm_exit.c: an OUT to BENCH_IO_PORT
 * forever.  Only relative jumps, so it runs wherever it is loaded; the raw
 * KVM half and the OpenHV half load the same bytes at the same address. */
#include "bench.h"
#include "kvm_exit.h"

    .code16
    .globl _start
_start:
    mov     $0x41, %al
1:  out     %al, $BENCH_IO_PORT
    jmp     1b
