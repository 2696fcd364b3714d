/*
 * realmode: a flat real-mode program (run with --mode real; loaded at
 * 0x7c00 like a boot sector) that prints with REP OUTSB and powers off.
 */
#include "uart.inc"

    .code16
    .section .text.entry, "ax"
    .globl _start
_start:
    cld
    xor     %ax, %ax
    mov     %ax, %ds
    mov     $msg, %si
    mov     $msg_len, %cx
    mov     $COM1_THR, %dx
    rep outsb
    xor     %al, %al
    out     %al, $EXIT_PORT
    hlt

msg:    .ascii "Hello from real mode\n"
    .set msg_len, . - msg
