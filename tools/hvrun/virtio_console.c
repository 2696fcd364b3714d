/*
 * virtio-console (`-console virtio`): one port, no multiport or size
 * features, so Linux names it hvc0.  The transmit queue goes to stdout with
 * write(2), like the UART's output; a thread reads stdin (which the UART
 * then leaves alone) and fills the receive queue's buffers as they come.
 */
#include "virtio.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

enum { TYPE_CONSOLE = 3, CLASS_COMMUNICATION_OTHER = 0x078000, RXQ = 0, TXQ = 1, INPUT_CHUNK = 256 };

static struct {
    struct virtio_dev dev;
    uint8_t config[12];        /* cols, rows, max_nr_ports, emerg_wr: none offered */
    bool created, thread_started, quit;
    pthread_t thread;
    uint8_t pending[INPUT_CHUNK]; /* read from stdin, not yet in a guest buffer */
    size_t npending, taken;
} con;

static void emit(const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t r = write(STDOUT_FILENO, p, len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;            /* stdout is gone: the output has nowhere to go */
        p += r, len -= (size_t)r;
    }
}

static void console_notify(struct virtio_dev *d, unsigned queue)
{
    if (queue != TXQ)
        return;                /* new receive buffers: the input thread finds them */
    static _Thread_local struct virtq_chain chain;
    bool any = false;
    while (virtio_pop(d, TXQ, &chain) > 0) {
        for (unsigned i = 0; i < chain.nread; i++)
            emit(chain.buf[i].host, chain.buf[i].len);
        virtq_push(&d->q[TXQ], &d->m->mem, chain.head, 0);
        any = true;
    }
    if (any)
        virtio_used(d, TXQ);
}

/* Under the lock: hands pending input to the driver's receive buffers. */
static void deliver(struct virtio_dev *d)
{
    static struct virtq_chain chain;
    bool any = false;
    while (con.taken < con.npending && d->q[RXQ].num != 0 && virtio_running(d) &&
           virtio_pop(d, RXQ, &chain) > 0) {
        size_t n = virtq_chain_write(&chain, 0, con.pending + con.taken, con.npending - con.taken);
        con.taken += n;
        virtq_push(&d->q[RXQ], &d->m->mem, chain.head, (uint32_t)n);
        any = true;
    }
    if (any)
        virtio_used(d, RXQ);
}

static void *input_thread(void *arg)
{
    struct machine *m = arg;
    struct virtio_dev *d = &con.dev;
    bool eof = false;
    while (!atomic_load(&m->stopping)) {
        pthread_mutex_lock(&d->lock);
        bool quit = con.quit, empty = con.taken == con.npending;
        if (!empty)
            deliver(d);
        pthread_mutex_unlock(&d->lock);
        if (quit)
            break;
        if (!empty || eof) {
            usleep(1000);      /* waiting for the driver to post buffers */
            continue;
        }
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        ssize_t n = read(STDIN_FILENO, con.pending, sizeof con.pending);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
            eof = true;
            continue;
        }
        pthread_mutex_lock(&d->lock);
        con.npending = n > 0 ? (size_t)n : 0, con.taken = 0;
        pthread_mutex_unlock(&d->lock);
    }
    return NULL;
}

int virtio_console_create(struct machine *m)
{
    con.dev = (struct virtio_dev){
        .name = "virtio-console", .m = m, .type = TYPE_CONSOLE, .class_code = CLASS_COMMUNICATION_OTHER,
        .nqueues = 2, .config = con.config, .config_len = sizeof con.config, .notify = console_notify,
    };
    if (virtio_pci_add(&con.dev) != 0)
        return -1;
    con.created = true;
    return 0;
}

void virtio_console_start(struct machine *m)
{
    if (con.created)
        con.thread_started = pthread_create(&con.thread, NULL, input_thread, m) == 0;
}

void virtio_console_stop(void)
{
    if (!con.thread_started)
        return;
    pthread_mutex_lock(&con.dev.lock);
    con.quit = true;
    pthread_mutex_unlock(&con.dev.lock);
    pthread_join(con.thread, NULL);
    con.thread_started = false;
}
