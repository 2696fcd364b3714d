/*
 * A 16550 UART on COM1, wired to stdin/stdout.  No interrupts are ever
 * raised (hvrun has no interrupt controller), so IIR always reads "none
 * pending" and guests poll LSR.  Output is written through unbuffered so
 * that it interleaves correctly with hvrun's own stderr messages.
 */
#include "hvrun.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

enum {
    REG_DATA = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3, REG_MCR = 4,
    REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
    LCR_DLAB = 0x80, FCR_ENABLE = 0x01, IIR_NONE = 0x01, IIR_FIFO = 0xc0,
    LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40,
    MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_DCD = 0x80,
};

static struct {
    pthread_mutex_t lock;
    uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
    int pending;               /* next input byte, -1 if none */
    bool input_eof;
} uart = {.lock = PTHREAD_MUTEX_INITIALIZER, .dll = 1, .pending = -1};

static void emit(uint8_t byte)
{
    while (write(STDOUT_FILENO, &byte, 1) < 0 && errno == EINTR) {
    }
}

/* Peek at stdin without blocking and without changing its file flags
 * (they are shared with the shell that started us). */
static void poll_input(void)
{
    if (uart.pending >= 0 || uart.input_eof)
        return;
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP)))
        return;
    uint8_t byte;
    ssize_t n = read(STDIN_FILENO, &byte, 1);
    if (n == 1)
        uart.pending = byte;
    else if (n == 0 || (errno != EINTR && errno != EAGAIN))
        uart.input_eof = true;
}

static uint32_t uart_read(struct machine *m, uint16_t offset, unsigned size)
{
    (void)m, (void)size;
    uint32_t value = 0xff;
    pthread_mutex_lock(&uart.lock);
    bool dlab = uart.lcr & LCR_DLAB;
    switch (offset) {
    case REG_DATA:
        if (dlab) {
            value = uart.dll;
        } else {
            poll_input();
            value = uart.pending >= 0 ? (uint32_t)uart.pending : 0;
            uart.pending = -1;
        }
        break;
    case REG_IER: value = dlab ? uart.dlm : uart.ier; break;
    case REG_IIR_FCR: value = IIR_NONE | ((uart.fcr & FCR_ENABLE) ? IIR_FIFO : 0); break;
    case REG_LCR: value = uart.lcr; break;
    case REG_MCR: value = uart.mcr; break;
    case REG_LSR:
        poll_input();
        value = LSR_THRE | LSR_TEMT | (uart.pending >= 0 ? LSR_DR : 0);
        break;
    case REG_MSR: value = MSR_CTS | MSR_DSR | MSR_DCD; break;
    case REG_SCR: value = uart.scr; break;
    }
    pthread_mutex_unlock(&uart.lock);
    return value;
}

static void uart_write(struct machine *m, uint16_t offset, unsigned size, uint32_t value)
{
    (void)m, (void)size;
    uint8_t byte = (uint8_t)value;
    pthread_mutex_lock(&uart.lock);
    bool dlab = uart.lcr & LCR_DLAB;
    switch (offset) {
    case REG_DATA:
        if (dlab)
            uart.dll = byte;
        else
            emit(byte);
        break;
    case REG_IER:
        if (dlab)
            uart.dlm = byte;
        else
            uart.ier = byte & 0x0f;
        break;
    case REG_IIR_FCR: uart.fcr = byte; break;
    case REG_LCR: uart.lcr = byte; break;
    case REG_MCR: uart.mcr = byte & 0x1f; break;
    case REG_SCR: uart.scr = byte; break;
    default: break;            /* LSR and MSR are read-only */
    }
    pthread_mutex_unlock(&uart.lock);
}

const struct io_device uart_device = {
    .name = "uart", .base = 0x3f8, .len = 8, .read = uart_read, .write = uart_write,
};
