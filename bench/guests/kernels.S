/*
 * The benchmark kernels, as functions with the System V calling convention,
 * so that one object runs both as guest code (called from the guests'
 * _start) and natively in bench/mips: the ratio compares the same bytes.
 * They use only registers and relative branches, so they run at any address.
 *
 *   bench_loop(count, data)             count iterations of LOOP_INSNS_PER_ITERATION
 *   bench_mem_copy(base, passes)        copy the region's first half onto its second
 *   bench_mem_random(base, count)       count dependent 8-byte loads at pseudo-random
 *                                       offsets of the region; returns their sum
 * The memory region is MEM_REGION_SIZE bytes at base.
 */
#include "bench.h"

    .text
    .code64

    .globl bench_loop
    .p2align 4
bench_loop:
    mov     %rdi, %rcx
    xor     %eax, %eax
    xor     %edx, %edx
    .p2align 4
1:  mov     (%rsi), %rax        /* 1 load */
    add     %rcx, %rax          /* 2 */
    xor     $0x5a, %rdx         /* 3 */
    mov     %rax, 8(%rsi)       /* 4 store */
    add     %rdx, %rax          /* 5 */
    mov     %rax, (%rsi)        /* 6 store */
    dec     %rcx                /* 7 */
    jnz     1b                  /* 8 branch */
    ret

/* 32 bytes per iteration through four registers, as a compiler's unrolled
 * copy loop would; no REP MOVS, whose engine path is a different one. */
    .globl bench_mem_copy
    .p2align 4
bench_mem_copy:
    mov     %rsi, %r8
2:  mov     %rdi, %rsi
    lea     MEM_REGION_SIZE / 2(%rdi), %rdx
    mov     $MEM_REGION_SIZE / 2 / 32, %rcx
    .p2align 4
1:  mov     (%rsi), %rax
    mov     8(%rsi), %r9
    mov     16(%rsi), %r10
    mov     24(%rsi), %r11
    mov     %rax, (%rdx)
    mov     %r9, 8(%rdx)
    mov     %r10, 16(%rdx)
    mov     %r11, 24(%rdx)
    add     $32, %rsi
    add     $32, %rdx
    dec     %rcx
    jnz     1b
    dec     %r8
    jnz     2b
    ret

/* Knuth's MMIX LCG picks the offsets; each load's value joins the next
 * offset, so the loads cannot overlap (a latency-bound walk). */
    .globl bench_mem_random
    .p2align 4
bench_mem_random:
    mov     %rsi, %rcx
    xor     %eax, %eax
    mov     $0x2545f4914f6cdd1d, %rdx
    mov     $6364136223846793005, %r8
    mov     $1442695040888963407, %r9
    .p2align 4
1:  imul    %r8, %rdx
    add     %r9, %rdx
    mov     %rdx, %r10
    shr     $20, %r10
    xor     %rax, %r10
    and     $(MEM_REGION_SIZE - 8) & ~7, %r10
    add     (%rdi,%r10), %rax
    dec     %rcx
    jnz     1b
    ret

    .section .note.GNU-stack,"",@progbits
