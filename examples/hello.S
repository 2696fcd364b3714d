/*
 * hello: a long-mode ELF64 guest for hvrun.  Prints through the UART
 * (polling LSR), round-trips a natively switched MSR (LSTAR: no exit),
 * reads an MSR the VMM answers (IA32_APIC_BASE: RDMSR exit), asks CPUID
 * for the hypervisor signature, prints a line with REP OUTSB (string I/O:
 * the VMM walks our page tables), and powers off through port 0xf4.
 */
#include "uart.inc"

    .code64
    .section .text.entry, "ax"
    .globl _start
_start:
    lea     msg_hello(%rip), %rsi
    call    puts

    /* Native MSR: write LSTAR and read it back. */
    mov     $0xc0000082, %ecx
    mov     $0x12345678, %eax
    mov     $0xffff8000, %edx      /* canonical: LSTAR holds an address */
    wrmsr
    xor     %eax, %eax
    xor     %edx, %edx
    rdmsr
    cmp     $0x12345678, %eax
    jne     fail
    cmp     $0xffff8000, %edx
    jne     fail
    lea     msg_native(%rip), %rsi
    call    puts

    /* Exiting MSR: the VMM answers IA32_APIC_BASE. */
    lea     msg_apic(%rip), %rsi
    call    puts
    mov     $0x1b, %ecx
    rdmsr
    shl     $32, %rdx
    or      %rdx, %rax
    call    put_hex64
    lea     msg_newline(%rip), %rsi
    call    puts

    /* CPUID hypervisor leaf: signature in EBX, ECX, EDX. */
    mov     $0x40000000, %eax
    cpuid
    lea     signature(%rip), %rdi
    mov     %ebx, (%rdi)
    mov     %ecx, 4(%rdi)
    mov     %edx, 8(%rdi)
    lea     msg_cpuid(%rip), %rsi
    call    puts
    lea     signature(%rip), %rsi
    call    puts
    lea     msg_newline(%rip), %rsi
    call    puts

    /* String I/O. */
    cld
    lea     msg_outs(%rip), %rsi
    mov     $msg_outs_len, %ecx
    mov     $COM1_THR, %dx
    rep outsb

    xor     %eax, %eax
    out     %al, $EXIT_PORT
    hlt

fail:
    lea     msg_fail(%rip), %rsi
    call    puts
    mov     $1, %al
    out     %al, $EXIT_PORT
    hlt

/* puts: print the NUL-terminated string at RSI. */
puts:
    lodsb
    test    %al, %al
    jz      2f
    call    putc
    jmp     puts
2:  ret

/* putc: print AL once the transmitter is ready. */
putc:
    push    %rax
    mov     $COM1_LSR, %dx
1:  in      %dx, %al
    test    $LSR_THRE, %al
    jz      1b
    pop     %rax
    mov     $COM1_THR, %dx
    out     %al, %dx
    ret

/* put_hex64: print RAX as 0x followed by 16 hex digits. */
put_hex64:
    mov     %rax, %r8
    mov     $'0', %al
    call    putc
    mov     $'x', %al
    call    putc
    mov     $16, %r9d
1:  rol     $4, %r8
    mov     %r8d, %eax
    and     $0xf, %eax
    lea     hexdigits(%rip), %rbx
    mov     (%rbx,%rax), %al
    call    putc
    dec     %r9d
    jnz     1b
    ret

    .section .rodata
hexdigits:   .ascii "0123456789abcdef"
msg_hello:   .asciz "Hello from OpenHV\n"
msg_native:  .asciz "native MSR LSTAR round trip: ok\n"
msg_apic:    .asciz "IA32_APIC_BASE = "
msg_cpuid:   .asciz "hypervisor: "
msg_newline: .asciz "\n"
msg_fail:    .asciz "FAILED\n"
msg_outs:    .ascii "rep outsb from long mode: ok\n"
    .set msg_outs_len, . - msg_outs

    .section .bss
signature:   .space 16
