/* Port-IO notifiers seen from a guest: a matching OUT completes without an
 * exit and sends one hv_ion_message_t; a notifier whose receiving end is
 * gone never raises a signal in the client (docs/compat.md section 6). */
#include "harness.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* l_out_imm_word: `out %ax, $0x70` with AX = 0x5678, then PORT_DONE. */
#define N_PORT 0x70
#define N_SIZE 2
#define N_VALUE 0x5678

static bool sigpipe_pending(void)
{
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1;
}

static bool sigpipe_blocked(void)
{
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    return sigismember(&mask, SIGPIPE) == 1;
}

T_CASE(pio_notifier_delivers)
{
    int fds[2];
    T_ASSERT(pipe(fds) == 0);
    T_HV(hv_vm_add_pio_notifier(N_PORT, N_SIZE, N_VALUE, (mach_port_t)fds[1], HV_ION_NONE));
    h_expect_done(vm);
    hv_ion_message_t msg;
    T_ASSERT_EQ(read(fds[0], &msg, sizeof msg), sizeof msg);
    T_ASSERT_EQ(msg.header.msgh_size, sizeof msg);
    T_ASSERT_EQ(msg.header.msgh_remote_port, fds[1]);
    T_ASSERT_EQ(msg.addr, N_PORT);
    T_ASSERT_EQ(msg.size, N_SIZE);
    T_ASSERT_EQ(msg.value, N_VALUE);
    T_HV(hv_vm_remove_pio_notifier(N_PORT, N_SIZE, N_VALUE, (mach_port_t)fds[1], HV_ION_NONE));
    close(fds[0]);
    close(fds[1]);
}

/* The read end is closed: a plain write would raise SIGPIPE, which at its
 * default disposition kills this process.  The OUT completes as with a full
 * pipe, the run returns the guest's next exit, no SIGPIPE is left pending
 * or blocked, and the notifier is still registered (as on macOS, where a
 * dead port swallows the message). */
T_CASE(pio_notifier_dead_pipe)
{
    signal(SIGPIPE, SIG_DFL);
    T_ASSERT(!sigpipe_blocked());
    int fds[2];
    T_ASSERT(pipe(fds) == 0);
    T_HV(hv_vm_add_pio_notifier(N_PORT, N_SIZE, N_VALUE, (mach_port_t)fds[1], HV_ION_NONE));
    close(fds[0]);
    h_expect_done(vm);
    T_ASSERT_EQ(vm->exit.rip, h_sym(vm, "l_out_imm_word_insn") + 3);   /* 66 e7 70 */
    T_ASSERT(!sigpipe_pending());
    T_ASSERT(!sigpipe_blocked());
    /* Again, from the same OUT: the notifier still swallows it. */
    h_goto(vm, "l_out_imm_word");
    h_expect_done(vm);
    T_HV(hv_vm_remove_pio_notifier(N_PORT, N_SIZE, N_VALUE, (mach_port_t)fds[1], HV_ION_NONE));
    close(fds[1]);
}

/* A SIGPIPE the client already had pending (blocked) is the client's: the
 * library consumes only the one its own write raised. */
T_CASE(pio_notifier_dead_pipe_keeps_client_sigpipe)
{
    signal(SIGPIPE, SIG_DFL);
    sigset_t pipe_only, old;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    raise(SIGPIPE);
    int fds[2];
    bool piped = pipe(fds) == 0;
    bool added = piped && hv_vm_add_pio_notifier(N_PORT, N_SIZE, N_VALUE, (mach_port_t)fds[1],
                                                  HV_ION_NONE) == HV_SUCCESS;
    if (piped)
        close(fds[0]);
    const struct h_exit *e = added ? h_run(vm) : NULL;
    bool still_pending = sigpipe_pending();
    bool still_blocked = sigpipe_blocked();
    const struct timespec zero = { 0, 0 };
    while (sigtimedwait(&pipe_only, NULL, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (piped)
        close(fds[1]);
    T_ASSERT(added);
    T_ASSERT_EQ(e->reason, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_DONE);
    T_ASSERT(still_pending);
    T_ASSERT(still_blocked);
}

/* With HV_ION_EXIT_FULL a message that cannot be delivered makes the OUT an
 * ordinary I/O exit, still without a signal. */
T_CASE(pio_notifier_dead_pipe_exit_full)
{
    signal(SIGPIPE, SIG_DFL);
    int fds[2];
    T_ASSERT(pipe(fds) == 0);
    T_HV(hv_vm_add_pio_notifier(N_PORT, N_SIZE, N_VALUE, (mach_port_t)fds[1], HV_ION_EXIT_FULL));
    close(fds[0]);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), N_PORT);
    T_ASSERT_EQ(e->rip, h_sym(vm, "l_out_imm_word_insn"));
    T_ASSERT(!sigpipe_pending());
    close(fds[1]);
}

/* A stream socket whose peer is gone: send fails with EPIPE, no signal. */
T_CASE(pio_notifier_dead_socket)
{
    signal(SIGPIPE, SIG_DFL);
    int fds[2];
    T_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    T_HV(hv_vm_add_pio_notifier(N_PORT, N_SIZE, N_VALUE, (mach_port_t)fds[1], HV_ION_NONE));
    close(fds[0]);
    h_expect_done(vm);
    T_ASSERT(!sigpipe_pending());
    close(fds[1]);
}

static const struct t_case cases[] = {
    T_ENTRY(pio_notifier_delivers, "long64", GUEST_LONG64, "l_out_imm_word"),
    T_ENTRY(pio_notifier_dead_pipe, "long64", GUEST_LONG64, "l_out_imm_word"),
    T_ENTRY(pio_notifier_dead_pipe_keeps_client_sigpipe, "long64", GUEST_LONG64, "l_out_imm_word"),
    T_ENTRY(pio_notifier_dead_pipe_exit_full, "long64", GUEST_LONG64, "l_out_imm_word"),
    T_ENTRY(pio_notifier_dead_socket, "long64", GUEST_LONG64, "l_out_imm_word"),
};

int main(void)
{
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
