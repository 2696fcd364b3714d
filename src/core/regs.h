/*
 * hv_x86_reg_t access: each register is a view of a struct vmcs member, so
 * hv_vcpu_read_register and hv_vmx_vcpu_read_vmcs can never disagree.
 */
#ifndef OPENHV_CORE_REGS_H
#define OPENHV_CORE_REGS_H

#include <Hypervisor/hv_arch_x86.h>
#include <Hypervisor/hv_error.h>
#include <stdint.h>

struct hv_vcpu;

/* XCR0 bits the emulator implements: x87, SSE, AVX. */
#define XCR0_SUPPORTED 7ull

/* HV_BAD_ARGUMENT for an unknown register (value untouched). */
hv_return_t reg_read(const struct hv_vcpu *v, hv_x86_reg_t reg, uint64_t *value);

/*
 * Plain writes of the backing field, truncated to its width (CR0/CR4 too:
 * no fixed-bit or shadow handling).  CR1 reads 0 and ignores writes.
 * XCR0 drops bits outside XCR0_SUPPORTED, then must have x87 set and must
 * not have AVX without SSE (else HV_BAD_ARGUMENT, nothing changes).
 */
hv_return_t reg_write(struct hv_vcpu *v, hv_x86_reg_t reg, uint64_t value);

#endif
