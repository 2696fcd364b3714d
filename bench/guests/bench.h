/* Shared by the benchmark guests and bench/mips.c: where things live and
 * how many instructions one loop iteration executes. */
#ifndef OPENHV_BENCH_H
#define OPENHV_BENCH_H

#define BENCH_CODE 0x100000    /* guests are linked and loaded here */
#define BENCH_DATA 0x200000    /* scratch data the loop loads and stores */
#define BENCH_CODE16 0x1000    /* real-mode guests are loaded here instead */
#define BENCH_DATA16 0x4000    /* ...and use this data */
#define BENCH_SCRATCH 0x10000  /* guest_mode GDT and page tables */
#define BENCH_STACK 0x80000
#define BENCH_MEM (4 << 20)
#define BENCH_EXIT_PORT 0xf4   /* the guest is done */
#define BENCH_IO_PORT 0x80     /* one exit per iteration of io.S */
#define BENCH_MSR 0x4f50454e   /* an MSR nobody implements: one exit per RDMSR of msr.S */

/* mem.S: the memory benchmark's region, mapped at MEM_REGION_GPA through
 * 4 KiB pages (page tables at MEM_PT_GPA), and its two modes in RSI. */
#define MEM_REGION_SIZE (256 << 20)
#define MEM_REGION_GPA 0x40000000
#define MEM_PT_GPA 0x300000
#define MEM_MODE_COPY 0
#define MEM_MODE_RANDOM 1

/* qemu_loop.S: where bench/qemu_tcg.c has QEMU's loader device put the count. */
#define QEMU_COUNT_GPA 0x3f0000

/* Instructions per iteration of the loops in loop*.S (keep in step). */
#define LOOP_INSNS_PER_ITERATION 8

#endif
