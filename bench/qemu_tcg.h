#ifndef OPENHV_BENCH_QEMU_TCG_H
#define OPENHV_BENCH_QEMU_TCG_H
#include <stddef.h>

/* Guest MIPS of QEMU's software CPU on bench_loop (image: qemu_loop.bin)
 * over wall-clock time, and in *mips_cpu over QEMU's CPU time; or -1 with
 * the reason in why. */
double qemu_tcg_mips(const char *image, double *mips_cpu, char *why, size_t size);

#endif
