/* Shared by bench/kvm_exit.c and its real-mode guests (exit_*16.S). */
#ifndef OPENHV_BENCH_KVM_EXIT_H
#define OPENHV_BENCH_KVM_EXIT_H

/* Where both halves of the benchmark load a guest (real mode: CS base 0). */
#define KVM_EXIT_LOAD 0x1000
/* An MSR no x86 CPU implements: KVM answers it only through userspace, and
 * an HVF client sees it as VMX_REASON_RDMSR. */
#define BENCH_UNKNOWN_MSR 0x4f48560f
/* A page with no memory behind it in either half: loads from it are MMIO
 * exits (KVM) and EPT violations (OpenHV). */
#define BENCH_MMIO_GPA 0xf000

#endif
