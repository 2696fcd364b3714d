/*
 * primes: a freestanding C guest (ELF64, long mode) for hvrun.  Every vCPU
 * counts the primes in its share of [2, LIMIT), adds its count to a shared
 * total with an atomic add, and the last vCPU to finish prints the total
 * and powers off.  Run with any --cpus: the answer must not change.
 *
 * hvrun starts every vCPU at _start with RDI = vCPU index, RSI = vCPU count
 * and its own stack, so _start is an ordinary C function of two arguments.
 */
#include <stdint.h>

#define LIMIT 50000u
#define COM1_THR 0x3f8
#define COM1_LSR 0x3fd
#define LSR_THRE 0x20
#define EXIT_PORT 0xf4

static uint32_t total_primes;
static uint32_t finished_cpus;

static inline void outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static void putc_uart(char c)
{
    while (!(inb(COM1_LSR) & LSR_THRE)) {
    }
    outb(COM1_THR, (uint8_t)c);
}

static void puts_uart(const char *s)
{
    while (*s)
        putc_uart(*s++);
}

static void put_dec(uint32_t v)
{
    char buf[11];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        putc_uart(buf[--n]);
}

static int is_prime(uint32_t n)
{
    if (n < 2)
        return 0;
    for (uint32_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

__attribute__((noreturn, section(".text.entry"))) void _start(uint64_t index, uint64_t count);

void _start(uint64_t index, uint64_t count)
{
    uint32_t mine = 0;
    /* Interleaved shares keep the work balanced without knowing its shape. */
    for (uint32_t n = (uint32_t)index; n < LIMIT; n += (uint32_t)count)
        mine += (uint32_t)is_prime(n);
    __atomic_fetch_add(&total_primes, mine, __ATOMIC_SEQ_CST);
    if (__atomic_add_fetch(&finished_cpus, 1, __ATOMIC_SEQ_CST) == count) {
        puts_uart("primes below ");
        put_dec(LIMIT);
        puts_uart(": ");
        put_dec(__atomic_load_n(&total_primes, __ATOMIC_SEQ_CST));
        puts_uart("\n");
        outb(EXIT_PORT, 0);
    }
    for (;;)
        __asm__ volatile("hlt");
}
