/*
 * QEMU's software CPU on bench_loop, for the table of bench/mips: the
 * multiboot image qemu_loop.bin runs under qemu-system-x86_64 -accel tcg
 * twice, with a small and a large count, and the difference of the two wall
 * times cancels QEMU's start-up.
 */
#include "qemu_tcg.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The emulator named by $QEMU, else qemu-system-x86_64 on PATH. */
static int find_qemu(char *path, size_t size)
{
    const char *env = getenv("QEMU");
    if (env != NULL && env[0] != '\0') {
        snprintf(path, size, "%s", env);
        return access(path, X_OK) == 0 ? 0 : -1;
    }
    const char *dirs = getenv("PATH");
    if (dirs == NULL)
        dirs = "/usr/bin:/bin";
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", dirs);
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir != NULL;
         dir = strtok_r(NULL, ":", &save)) {
        snprintf(path, size, "%s/qemu-system-x86_64", dir);
        if (access(path, X_OK) == 0)
            return 0;
    }
    return -1;
}

/* One QEMU run of count iterations: its wall time and *cpu, the CPU time
 * of QEMU's process, or -1 with *why. */
static double run_once(const char *qemu, const char *image, uint64_t count, double *cpu, char *why,
                       size_t size)
{
    char loader[96];
    snprintf(loader, sizeof loader, "loader,addr=0x%x,data=%llu,data-len=8", QEMU_COUNT_GPA,
             (unsigned long long)count);
    char exit_dev[64];
    snprintf(exit_dev, sizeof exit_dev, "isa-debug-exit,iobase=0x%x,iosize=1", BENCH_EXIT_PORT);
    char *const argv[] = {
        (char *)qemu, "-accel", "tcg", "-M", "pc", "-m", "64", "-display", "none",
        "-nodefaults", "-no-reboot", "-kernel", (char *)image, "-device", loader,
        "-device", exit_dev, NULL,
    };
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, size, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        execv(qemu, argv);
        _exit(127);
    }
    int status = 0;
    struct rusage usage = {0};
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR)
        ;
    double elapsed = now() - t0;
    *cpu = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec * 1e-6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec * 1e-6;
    /* isa-debug-exit makes QEMU exit with (value << 1) | 1; the guest writes 0. */
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 1) {
        snprintf(why, size, "%s did not leave through isa-debug-exit (status 0x%x)", qemu,
                 (unsigned)status);
        return -1;
    }
    return elapsed;
}

double qemu_tcg_mips(const char *image, double *mips_cpu, char *why, size_t size)
{
    char qemu[512];
    if (find_qemu(qemu, sizeof qemu) != 0) {
        snprintf(why, size, "qemu-system-x86_64 not found (set QEMU= or install qemu-system-x86)");
        return -1;
    }
    struct stat st;
    if (stat(image, &st) != 0) {
        snprintf(why, size, "cannot find %s", image);
        return -1;
    }
    const uint64_t base_count = 1 << 10;
    double base_cpu, cpu;
    double base = run_once(qemu, image, base_count, &base_cpu, why, size);
    if (base < 0)
        return -1;
    for (uint64_t count = 1 << 22;; count *= 4) {
        double t = run_once(qemu, image, count, &cpu, why, size);
        if (t < 0)
            return -1;
        if (t - base >= 0.5 || count >= (1ull << 34)) {
            double instructions = LOOP_INSNS_PER_ITERATION * (double)(count - base_count);
            *mips_cpu = cpu > base_cpu ? instructions / (cpu - base_cpu) / 1e6 : -1;
            return instructions / (t - base) / 1e6;
        }
    }
}
