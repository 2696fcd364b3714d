/* Port-IO notifiers (see src/core/pio.h for the Linux delivery). */
#include "../core/pio.h"
#include "api.h"

static hv_return_t change(bool add, uint16_t addr, size_t size, uint32_t value,
                          mach_port_t port, hv_ion_flags_t flags)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    struct pio_notifier n = { .addr = addr, .size = size, .value = value, .port = port,
                              .flags = flags };
    return add ? pio_add(vm, &n) : pio_remove(vm, &n);
}

hv_return_t hv_vm_add_pio_notifier(uint16_t addr, size_t size, uint32_t value,
                                   mach_port_t mach_port, hv_ion_flags_t flags)
{
    return change(true, addr, size, value, mach_port, flags);
}

hv_return_t hv_vm_remove_pio_notifier(uint16_t addr, size_t size, uint32_t value,
                                      mach_port_t mach_port, hv_ion_flags_t flags)
{
    return change(false, addr, size, value, mach_port, flags);
}
