/*
 * A 16550 UART on COM1, wired to stdin/stdout.  Output is written through
 * unbuffered so that it interleaves correctly with hvrun's own stderr
 * messages, and a transmitted byte is gone at once (THR is always empty).
 * With interrupt controllers (Linux guests) the UART raises IRQ 4 for
 * "data received" and "transmitter empty" as IER enables them and MCR.OUT2
 * gates the line, as on a PC, and a thread watches stdin so that input
 * arrives as an interrupt; otherwise guests poll LSR.
 */
#include "hvrun.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

enum {
    REG_DATA = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3, REG_MCR = 4,
    REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
    LCR_DLAB = 0x80, FCR_ENABLE = 0x01, IIR_NONE = 0x01, IIR_THRE = 0x02, IIR_RDA = 0x04, IIR_FIFO = 0xc0,
    IER_RDA = 0x01, IER_THRE = 0x02, MCR_OUT2 = 0x08,
    LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40,
    MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_DCD = 0x80,
    UART_IRQ = 4,
};

static struct {
    pthread_mutex_t lock;
    uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
    int pending;               /* next input byte, -1 if none */
    bool input_eof;
    bool thre_pending;         /* "transmitter empty" not yet acknowledged */
    bool line;                 /* the IRQ line as last driven */
    bool thread_started, quit;
    pthread_t thread;
} uart = {.lock = PTHREAD_MUTEX_INITIALIZER, .dll = 1, .pending = -1};

static uint8_t iir_cause(void)
{
    if ((uart.ier & IER_RDA) && uart.pending >= 0)
        return IIR_RDA;
    if ((uart.ier & IER_THRE) && uart.thre_pending)
        return IIR_THRE;
    return IIR_NONE;
}

/* Drive IRQ 4 from the interrupt cause (call with the lock held). */
static void update_irq(struct machine *m)
{
    bool line = iir_cause() != IIR_NONE && (uart.mcr & MCR_OUT2);
    if (line != uart.line) {
        uart.line = line;
        hvrun_irq_set(m, UART_IRQ, line);
    }
}

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
    (void)size;
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
    case REG_IIR_FCR:
        value = iir_cause();
        if (value == IIR_THRE)
            uart.thre_pending = false; /* reading IIR acknowledges THRE */
        value |= (uart.fcr & FCR_ENABLE) ? IIR_FIFO : 0;
        break;
    case REG_LCR: value = uart.lcr; break;
    case REG_MCR: value = uart.mcr; break;
    case REG_LSR:
        poll_input();
        value = LSR_THRE | LSR_TEMT | (uart.pending >= 0 ? LSR_DR : 0);
        break;
    case REG_MSR: value = MSR_CTS | MSR_DSR | MSR_DCD; break;
    case REG_SCR: value = uart.scr; break;
    }
    update_irq(m);
    pthread_mutex_unlock(&uart.lock);
    return value;
}

static void uart_write(struct machine *m, uint16_t offset, unsigned size, uint32_t value)
{
    (void)size;
    uint8_t byte = (uint8_t)value;
    pthread_mutex_lock(&uart.lock);
    bool dlab = uart.lcr & LCR_DLAB;
    switch (offset) {
    case REG_DATA:
        if (dlab) {
            uart.dll = byte;
        } else {
            emit(byte);
            uart.thre_pending = true; /* sent at once: empty again */
        }
        break;
    case REG_IER:
        if (dlab) {
            uart.dlm = byte;
        } else {
            if ((byte & IER_THRE) && !(uart.ier & IER_THRE))
                uart.thre_pending = true; /* enabling THRE with THR empty interrupts */
            uart.ier = byte & 0x0f;
        }
        break;
    case REG_IIR_FCR: uart.fcr = byte; break;
    case REG_LCR: uart.lcr = byte; break;
    case REG_MCR: uart.mcr = byte & 0x1f; break;
    case REG_SCR: uart.scr = byte; break;
    default: break;            /* LSR and MSR are read-only */
    }
    update_irq(m);
    pthread_mutex_unlock(&uart.lock);
}

/* Watches stdin while the guest has interrupts: a byte waiting raises RDA. */
static void *input_thread(void *arg)
{
    struct machine *m = arg;
    pthread_mutex_lock(&uart.lock);
    while (!uart.quit && !uart.input_eof && !atomic_load(&m->stopping)) {
        if (uart.pending < 0) {
            pthread_mutex_unlock(&uart.lock);
            struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
            int ready = poll(&pfd, 1, 50);
            pthread_mutex_lock(&uart.lock);
            if (ready > 0) {
                poll_input();
                update_irq(m);
            }
        } else {
            pthread_mutex_unlock(&uart.lock);
            usleep(1000); /* the guest has not taken the last byte yet */
            pthread_mutex_lock(&uart.lock);
        }
    }
    pthread_mutex_unlock(&uart.lock);
    return NULL;
}

void uart_disable_input(void)
{
    pthread_mutex_lock(&uart.lock);
    uart.input_eof = true;
    pthread_mutex_unlock(&uart.lock);
}

void uart_start_input(struct machine *m)
{
    uart.thread_started = pthread_create(&uart.thread, NULL, input_thread, m) == 0;
}

void uart_stop_input(void)
{
    if (!uart.thread_started)
        return;
    pthread_mutex_lock(&uart.lock);
    uart.quit = true;
    pthread_mutex_unlock(&uart.lock);
    pthread_join(uart.thread, NULL);
    uart.thread_started = false;
}

const struct io_device uart_device = {
    .name = "uart", .base = 0x3f8, .len = 8, .read = uart_read, .write = uart_write,
};
