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

/* Instructions per iteration of the loops in loop*.S (keep in step). */
#define LOOP_INSNS_PER_ITERATION 8

#endif
