/* Port-IO notifier registry and delivery. */
#include "pio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vm.h"

#define ION_KNOWN_FLAGS (HV_ION_ANY_VALUE | HV_ION_ANY_SIZE | HV_ION_EXIT_FULL)

static bool valid(const struct pio_notifier *n)
{
    if (n->port == MACH_PORT_NULL || (n->flags & ~(hv_ion_flags_t)ION_KNOWN_FLAGS) != 0)
        return false;
    if (n->flags & HV_ION_ANY_SIZE) {
        if (n->size != 0 && n->size != 1 && n->size != 2 && n->size != 4)
            return false;
    } else {
        if (n->size != 1 && n->size != 2 && n->size != 4)
            return false;
        if (!(n->flags & HV_ION_ANY_VALUE) && n->size < 4 && (n->value >> (8 * n->size)) != 0)
            return false;
    }
    /* The port must be an open descriptor. */
    return fcntl((int)n->port, F_GETFD) != -1;
}

static bool same(const struct pio_notifier *a, const struct pio_notifier *b)
{
    return a->addr == b->addr && a->port == b->port && a->flags == b->flags &&
           ((a->flags & HV_ION_ANY_SIZE) || a->size == b->size) &&
           ((a->flags & HV_ION_ANY_VALUE) || a->value == b->value);
}

static long find(const struct hv_vm *vm, const struct pio_notifier *n)
{
    size_t count = atomic_load(&vm->pio_count);
    for (size_t i = 0; i < count; i++)
        if (same(&vm->pio[i], n))
            return (long)i;
    return -1;
}

hv_return_t pio_add(struct hv_vm *vm, const struct pio_notifier *n)
{
    if (!valid(n))
        return HV_BAD_ARGUMENT;
    hv_return_t ret = HV_SUCCESS;
    pthread_mutex_lock(&vm->pio_lock);
    size_t count = atomic_load(&vm->pio_count);
    if (find(vm, n) >= 0) {
        ret = HV_BAD_ARGUMENT;
    } else if (count == vm->pio_capacity) {
        size_t cap = vm->pio_capacity ? 2 * vm->pio_capacity : 4;
        struct pio_notifier *grown = realloc(vm->pio, cap * sizeof *grown);
        if (grown == NULL) {
            ret = HV_NO_RESOURCES;
        } else {
            vm->pio = grown;
            vm->pio_capacity = cap;
        }
    }
    if (ret == HV_SUCCESS) {
        vm->pio[count] = *n;
        atomic_store(&vm->pio_count, count + 1);
    }
    pthread_mutex_unlock(&vm->pio_lock);
    return ret;
}

hv_return_t pio_remove(struct hv_vm *vm, const struct pio_notifier *n)
{
    hv_return_t ret = HV_BAD_ARGUMENT;
    pthread_mutex_lock(&vm->pio_lock);
    long i = find(vm, n);
    if (i >= 0) {
        size_t count = atomic_load(&vm->pio_count);
        memmove(&vm->pio[i], &vm->pio[i + 1], (count - (size_t)i - 1) * sizeof vm->pio[0]);
        atomic_store(&vm->pio_count, count - 1);
        ret = HV_SUCCESS;
    }
    pthread_mutex_unlock(&vm->pio_lock);
    return ret;
}

void pio_free(struct hv_vm *vm)
{
    free(vm->pio);
    vm->pio = NULL;
    vm->pio_capacity = 0;
    atomic_store(&vm->pio_count, 0);
}

static bool matches(const struct pio_notifier *n, uint16_t port, unsigned size, uint32_t value)
{
    return n->addr == port && ((n->flags & HV_ION_ANY_SIZE) || n->size == size) &&
           ((n->flags & HV_ION_ANY_VALUE) || n->value == value);
}

/*
 * A write to a non-socket that can neither block nor raise SIGPIPE in the
 * client.  A pipe whose read end is gone raises SIGPIPE on write, and the
 * library must never signal its client (whose disposition may be the
 * default: death).  Sockets have MSG_NOSIGNAL; pipes have no such flag
 * (vmsplice and splice raise SIGPIPE too), so SIGPIPE is blocked on this
 * thread around the write and, if the write generated one, it is consumed
 * before the mask is restored.  Only a SIGPIPE that was not already pending
 * is consumed: one that was belongs to the client.  A reader can close
 * its end between any check and the write, so the mask is what makes this
 * safe, and a pipe without readers goes the same way (poll reports it
 * writable, with POLLERR).  poll first because POLLOUT on a pipe promises
 * room for a whole message of fewer than PIPE_BUF bytes: the write never
 * blocks, even on a blocking descriptor.
 */
static bool write_nosignal(int fd, const hv_ion_message_t *msg)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT))
        return false;
    sigset_t pipe_only, old, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    bool was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    ssize_t n = write(fd, msg, sizeof *msg);
    if (n < 0 && errno == EPIPE && !was_pending) {
        const struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_only, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return n == (ssize_t)sizeof *msg;
}

/* Sockets take MSG_DONTWAIT | MSG_NOSIGNAL; anything else (pipes) goes
 * through write_nosignal. */
static bool deliver(int fd, const hv_ion_message_t *msg)
{
    ssize_t n = send(fd, msg, sizeof *msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0)
        return n == (ssize_t)sizeof *msg;
    if (errno != ENOTSOCK)
        return false;
    return write_nosignal(fd, msg);
}

bool pio_notify(struct hv_vm *vm, uint16_t port, unsigned size, uint32_t value)
{
    if (atomic_load_explicit(&vm->pio_count, memory_order_relaxed) == 0)
        return false;
    bool matched = false, must_exit = false;
    hv_ion_message_t msg;
    memset(&msg, 0, sizeof msg);
    msg.header.msgh_size = (mach_msg_size_t)sizeof msg;
    msg.addr = port;
    msg.size = size;
    msg.value = value;
    pthread_mutex_lock(&vm->pio_lock);
    size_t count = atomic_load(&vm->pio_count);
    for (size_t i = 0; i < count; i++) {
        const struct pio_notifier *n = &vm->pio[i];
        if (!matches(n, port, size, value))
            continue;
        matched = true;
        msg.header.msgh_remote_port = n->port;
        if (!deliver((int)n->port, &msg) && (n->flags & HV_ION_EXIT_FULL))
            must_exit = true;
    }
    pthread_mutex_unlock(&vm->pio_lock);
    return matched && !must_exit;
}
