/*
 * Port-IO notifiers (hv_vm_add_pio_notifier): guest OUTs delivered as
 * messages instead of VM exits.
 *
 * On Linux the mach_port_t is a file descriptor (a pipe or a socket); each
 * matching guest OUT writes one hv_ion_message_t (56 bytes) to it without
 * blocking.  When the descriptor cannot take it, the message is dropped,
 * unless the notifier has HV_ION_EXIT_FULL: then the OUT exits normally.
 */
#ifndef OPENHV_CORE_PIO_H
#define OPENHV_CORE_PIO_H

#include <Hypervisor/hv_error.h>
#include <Hypervisor/hv_types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hv_vm;

struct pio_notifier {
    uint16_t addr;
    size_t size;
    uint32_t value;
    mach_port_t port;
    hv_ion_flags_t flags;
};

/* Argument rules of hvf-api.md 3.10; HV_BAD_ARGUMENT on any violation,
 * on a duplicate (add) and on a missing notifier (remove). */
hv_return_t pio_add(struct hv_vm *vm, const struct pio_notifier *n);
hv_return_t pio_remove(struct hv_vm *vm, const struct pio_notifier *n);
void pio_free(struct hv_vm *vm);

/*
 * For a backend, on a guest OUT of `size` bytes (1, 2, 4) of `value` to
 * `port`: deliver to every matching notifier.  True when the OUT is
 * consumed (no VM exit), false when it must exit: no notifier matched, or
 * an HV_ION_EXIT_FULL notifier could not take the message.
 */
bool pio_notify(struct hv_vm *vm, uint16_t port, unsigned size, uint32_t value);

#endif
