/*
 * The macOS 12 in-kernel interrupt-controller family.  It only works on a
 * VM created with HV_VM_ACCEL_APIC, which hv_vm_create refuses with
 * HV_UNSUPPORTED; so every call checks its arguments the same way as the
 * rest of the API and then answers HV_UNSUPPORTED.
 */
#include "api.h"

static hv_return_t need_vm(void)
{
    return api_vm() == NULL ? HV_NO_DEVICE : HV_UNSUPPORTED;
}

static hv_return_t need_vm_ptr(const void *p)
{
    if (api_vm() == NULL)
        return HV_NO_DEVICE;
    return p == NULL ? HV_BAD_ARGUMENT : HV_UNSUPPORTED;
}

static hv_return_t need_vcpu(hv_vcpuid_t vcpu)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    return ret != HV_SUCCESS ? ret : HV_UNSUPPORTED;
}

static hv_return_t need_vcpu_ptr(hv_vcpuid_t vcpu, const void *p)
{
    hv_return_t ret = need_vcpu(vcpu);
    if (ret != HV_UNSUPPORTED)
        return ret;
    return p == NULL ? HV_BAD_ARGUMENT : HV_UNSUPPORTED;
}

hv_return_t hv_vm_lapic_set_intr(hv_vcpuid_t vcpu, uint8_t vector, hv_apic_intr_trigger_t trig)
{
    (void)vector;
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    if (trig > HV_APIC_LEVEL_TRIGGER || vcpu >= HV_MAX_VCPUS)
        return HV_BAD_ARGUMENT;
    pthread_mutex_lock(&vm->lock);
    bool exists = vm->vcpus[vcpu] != NULL;
    pthread_mutex_unlock(&vm->lock);
    return exists ? HV_UNSUPPORTED : HV_BAD_ARGUMENT;
}

hv_return_t hv_vm_lapic_msi(uint64_t addr, uint64_t data)
{
    (void)addr;
    (void)data;
    return need_vm();
}

hv_return_t hv_vm_ioapic_assert_irq(int intin)
{
    (void)intin;
    return need_vm();
}

hv_return_t hv_vm_ioapic_deassert_irq(int intin)
{
    (void)intin;
    return need_vm();
}

hv_return_t hv_vm_ioapic_pulse_irq(int intin)
{
    (void)intin;
    return need_vm();
}

hv_return_t hv_vm_ioapic_read(hv_gpaddr_t gpa, uint32_t *datap)
{
    (void)gpa;
    return need_vm_ptr(datap);
}

hv_return_t hv_vm_ioapic_write(hv_gpaddr_t gpa, uint32_t data)
{
    (void)gpa;
    (void)data;
    return need_vm();
}

hv_return_t hv_vm_ioapic_get_state(hv_ioapic_state_ext_t *state)
{
    hv_return_t ret = need_vm_ptr(state);
    if (ret == HV_UNSUPPORTED && state->version != HV_IOAPIC_STATE_EXT_VER)
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vm_ioapic_put_state(const hv_ioapic_state_ext_t *state)
{
    hv_return_t ret = need_vm_ptr(state);
    if (ret == HV_UNSUPPORTED && state->version != HV_IOAPIC_STATE_EXT_VER)
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vm_send_ioapic_intr(uint64_t data)
{
    (void)data;
    return need_vm();
}

hv_return_t hv_vm_atpic_assert_irq(int irq)
{
    (void)irq;
    return need_vm();
}

hv_return_t hv_vm_atpic_deassert_irq(int irq)
{
    (void)irq;
    return need_vm();
}

hv_return_t hv_vm_atpic_port_read(int port, uint8_t *valuep)
{
    (void)port;
    return need_vm_ptr(valuep);
}

hv_return_t hv_vm_atpic_port_write(int port, uint8_t value)
{
    (void)port;
    (void)value;
    return need_vm();
}

hv_return_t hv_vm_atpic_get_state(hv_atpic_state_ext_t *state, bool is_primary)
{
    (void)is_primary;
    hv_return_t ret = need_vm_ptr(state);
    if (ret == HV_UNSUPPORTED && state->version != HV_ATPIC_STATE_EXT_VER)
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vm_atpic_put_state(const hv_atpic_state_ext_t *state, bool is_primary)
{
    (void)is_primary;
    hv_return_t ret = need_vm_ptr(state);
    if (ret == HV_UNSUPPORTED && state->version != HV_ATPIC_STATE_EXT_VER)
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vm_set_apic_bus_freq(uint64_t freq)
{
    if (api_vm() == NULL)
        return HV_NO_DEVICE;
    if (freq < 16000000ull || freq > 2000000000ull)
        return HV_BAD_ARGUMENT;
    return HV_UNSUPPORTED;
}

hv_return_t hv_vcpu_inject_extint(hv_vcpuid_t vcpu)
{
    return need_vcpu(vcpu);
}

hv_return_t hv_vcpu_apic_read(hv_vcpuid_t vcpu, uint32_t offset, uint32_t *data)
{
    (void)offset;
    return need_vcpu_ptr(vcpu, data);
}

hv_return_t hv_vcpu_apic_write(hv_vcpuid_t vcpu, uint32_t offset, uint32_t data,
                               bool *no_side_effect)
{
    (void)offset;
    (void)data;
    return need_vcpu_ptr(vcpu, no_side_effect);
}

hv_return_t hv_vcpu_apic_get_state(hv_vcpuid_t vcpu, hv_apic_state_ext_t *state)
{
    hv_return_t ret = need_vcpu_ptr(vcpu, state);
    if (ret == HV_UNSUPPORTED && state->version != HV_APIC_STATE_EXT_VER)
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vcpu_apic_put_state(hv_vcpuid_t vcpu, const hv_apic_state_ext_t *state)
{
    hv_return_t ret = need_vcpu_ptr(vcpu, state);
    if (ret == HV_UNSUPPORTED && state->version != HV_APIC_STATE_EXT_VER)
        ret = HV_BAD_ARGUMENT;
    return ret;
}

/* Without the in-kernel APIC every exit is an ordinary VMX exit. */
hv_return_t hv_vcpu_exit_info(hv_vcpuid_t vcpu, hv_vm_exitinfo_t *code)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (code == NULL)
        return HV_BAD_ARGUMENT;
    *code = HV_VM_EXITINFO_VMX;
    return HV_SUCCESS;
}

hv_return_t hv_vcpu_exit_init_ap(hv_vcpuid_t vcpu, bool is_actv[], unsigned count)
{
    hv_return_t ret = need_vcpu(vcpu);
    if (ret == HV_UNSUPPORTED && is_actv == NULL && count != 0)
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vcpu_exit_startup_ap(hv_vcpuid_t vcpu, bool is_actv[], unsigned count,
                                    uint64_t *ap_rip)
{
    hv_return_t ret = need_vcpu_ptr(vcpu, ap_rip);
    if (ret == HV_UNSUPPORTED && is_actv == NULL && count != 0)
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vcpu_exit_ioapic_eoi(hv_vcpuid_t vcpu, uint8_t *vec)
{
    return need_vcpu_ptr(vcpu, vec);
}

hv_return_t hv_vcpu_exit_apic_access_read(hv_vcpuid_t vcpu, uint32_t *value)
{
    return need_vcpu_ptr(vcpu, value);
}

hv_return_t hv_vcpu_exit_inject_excp(hv_vcpuid_t vcpu, uint8_t *vec, bool *valid, uint32_t *code,
                                     bool *restart)
{
    hv_return_t ret = need_vcpu(vcpu);
    if (ret == HV_UNSUPPORTED && (vec == NULL || valid == NULL || code == NULL || restart == NULL))
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vcpu_apic_lsc_enter_r32(hv_vcpuid_t vcpu, bool is_load, uint64_t rip, unsigned ilen,
                                       uint16_t cs, hv_x86_reg_t reg, uint64_t uva[],
                                       unsigned count)
{
    (void)is_load;
    (void)rip;
    (void)cs;
    hv_return_t ret = need_vcpu(vcpu);
    if (ret == HV_UNSUPPORTED &&
        (ilen == 0 || ilen > 15 || (unsigned)reg >= HV_X86_REGISTERS_MAX || count > 2 ||
         (uva == NULL && count != 0)))
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vcpu_apic_lsc_enter_imm32(hv_vcpuid_t vcpu, uint64_t rip, unsigned ilen,
                                         uint16_t cs, uint32_t imm32, uint64_t uva[],
                                         unsigned count)
{
    (void)rip;
    (void)cs;
    (void)imm32;
    hv_return_t ret = need_vcpu(vcpu);
    if (ret == HV_UNSUPPORTED &&
        (ilen == 0 || ilen > 15 || count > 2 || (uva == NULL && count != 0)))
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vcpu_apic_lsc_invalidate(hv_vcpuid_t vcpu)
{
    return need_vcpu(vcpu);
}

#define KNOWN_APIC_CTRLS                                                                 \
    (HV_APIC_CTRL_EOI_ICR_TPR | HV_APIC_CTRL_GUEST_IDLE | HV_APIC_CTRL_NO_TIMER |         \
     HV_APIC_CTRL_IOAPIC_EOI)

hv_return_t hv_vcpu_apic_ctrl(hv_vcpuid_t vcpu, hv_apic_ctrl_t ctrls)
{
    hv_return_t ret = need_vcpu(vcpu);
    if (ret == HV_UNSUPPORTED && (ctrls & ~(hv_apic_ctrl_t)KNOWN_APIC_CTRLS) != 0)
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vcpu_apic_trigger_lvt(hv_vcpuid_t vcpu, hv_apic_lvt_flavor_t flavor)
{
    hv_return_t ret = need_vcpu(vcpu);
    if (ret == HV_UNSUPPORTED && flavor != HV_APIC_LVT_FLAVOR_TIMER)
        ret = HV_BAD_ARGUMENT;
    return ret;
}
