/*
 * multiboot: a tiny multiboot v1 kernel in 32-bit protected mode.  Checks
 * the boot magic in EAX, prints mem_upper and the command line from the
 * multiboot information at EBX, and powers off.  Built twice: as ELF32, and
 * (with AOUT_KLUDGE) as a flat image whose header carries the load address.
 */
#include "uart.inc"

#define MB_MAGIC 0x1badb002
#ifdef AOUT_KLUDGE
#define MB_FLAGS 0x00010002
#else
#define MB_FLAGS 0x00000002
#endif

    .code32
    .section .text.entry, "ax"
    .globl _start
    .align 4
mb_header:
    .long   MB_MAGIC
    .long   MB_FLAGS
    .long   -(MB_MAGIC + MB_FLAGS)
#ifdef AOUT_KLUDGE
    .long   mb_header          /* header_addr */
    .long   _start_image       /* load_addr */
    .long   _end_data          /* load_end_addr */
    .long   _end_bss           /* bss_end_addr */
    .long   _start             /* entry_addr */
#endif

_start:
    mov     $stack_top, %esp
    cmp     $0x2badb002, %eax
    jne     fail
    mov     %ebx, %ebp
    mov     $msg_hello, %esi
    call    puts
    mov     8(%ebp), %eax      /* mem_upper, KiB */
    call    put_dec
    mov     $msg_kib, %esi
    call    puts
    mov     16(%ebp), %esi     /* cmdline */
    call    puts
    mov     $msg_newline, %esi
    call    puts
    xor     %eax, %eax
    out     %al, $EXIT_PORT
    hlt
fail:
    mov     $msg_fail, %esi
    call    puts
    mov     $1, %al
    out     %al, $EXIT_PORT
    hlt

puts:
    lodsb
    test    %al, %al
    jz      2f
    call    putc
    jmp     puts
2:  ret

putc:
    push    %eax
    mov     $COM1_LSR, %dx
1:  in      %dx, %al
    test    $LSR_THRE, %al
    jz      1b
    pop     %eax
    mov     $COM1_THR, %dx
    out     %al, %dx
    ret

/* put_dec: print EAX in decimal. */
put_dec:
    mov     $10, %ecx
    xor     %edi, %edi
1:  xor     %edx, %edx
    div     %ecx
    push    %edx
    inc     %edi
    test    %eax, %eax
    jnz     1b
2:  pop     %eax
    add     $'0', %al
    call    putc
    dec     %edi
    jnz     2b
    ret

msg_hello:   .asciz "Hello from multiboot: mem_upper="
msg_kib:     .asciz " KiB, cmdline="
msg_newline: .asciz "\n"
msg_fail:    .asciz "FAILED: bad multiboot magic\n"

    .section .bss
    .align 16
    .space 4096
stack_top:
