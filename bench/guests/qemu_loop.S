/*
 * bench_loop (kernels.S) as a multiboot image for qemu-system-x86_64
 * -kernel, so that bench/mips can time QEMU's software CPU on the very loop
 * the backends run.  QEMU enters in 32-bit protected mode without paging;
 * this switches to long mode (the first GiB identity-mapped with 2 MiB
 * pages, as guest_mode.c gives the backends), runs the loop for the count
 * that a -device loader put at QEMU_COUNT_GPA, and leaves through
 * isa-debug-exit at BENCH_EXIT_PORT.
 */
#include "bench.h"

#define PML4 0x10000
#define PDPT 0x11000
#define PD 0x12000
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00010000           /* addresses below, not ELF headers */

    .text
    .code32
    .globl _start
_start:
    jmp     entry32
    .p2align 2
multiboot_header:
    .long   MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    .long   multiboot_header, _start, 0, 0, entry32

entry32:
    cld
    mov     $PML4, %edi
    xor     %eax, %eax
    mov     $(3 * 4096 / 4), %ecx
    rep stosl
    movl    $(PDPT | 3), PML4
    movl    $(PD | 3), PDPT
    mov     $PD, %edi
    mov     $0x83, %eax               /* present, writable, 2 MiB */
1:  mov     %eax, (%edi)
    add     $0x200000, %eax
    add     $8, %edi
    cmp     $(PD + 4096), %edi
    jne     1b
    mov     $PML4, %eax
    mov     %eax, %cr3
    mov     %cr4, %eax
    or      $0x20, %eax               /* PAE */
    mov     %eax, %cr4
    mov     $0xc0000080, %ecx         /* EFER.LME */
    rdmsr
    or      $0x100, %eax
    wrmsr
    mov     %cr0, %eax
    or      $0x80000001, %eax         /* PG, PE */
    mov     %eax, %cr0
    lgdt    gdtr
    ljmp    $0x08, $entry64

    .code64
entry64:
    mov     $0x10, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     $BENCH_STACK, %esp
    mov     QEMU_COUNT_GPA, %rdi
    mov     $BENCH_DATA, %rsi
    call    bench_loop
    xor     %eax, %eax
    out     %al, $BENCH_EXIT_PORT
1:  hlt
    jmp     1b

    .p2align 3
gdt:
    .quad   0
    .quad   0x00af9b000000ffff        /* 0x08: 64-bit code */
    .quad   0x00cf93000000ffff        /* 0x10: data */
gdtr:
    .word   gdtr - gdt - 1
    .long   gdt
