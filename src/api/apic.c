/*
 * The macOS 12 in-kernel interrupt-controller family.  The controllers
 * (src/irq) exist on a VM created with HV_VM_ACCEL_APIC; on any other VM
 * every call checks its arguments and answers HV_UNSUPPORTED.  Per-vCPU
 * calls follow the owning-thread rule; hv_vm_lapic_set_intr and the VM-wide
 * calls may come from any thread.
 */
#include <string.h>
#include <time.h>

#include "../irq/irq.h"
#include "api.h"

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The VM's controllers, or the error to return. */
static hv_return_t chip_of(struct irq_chip **chip)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    *chip = vm->irq;
    return vm->irq ? HV_SUCCESS : HV_UNSUPPORTED;
}

/* The calling thread's vCPU `vcpu` and its local APIC. */
static hv_return_t lapic_of(hv_vcpuid_t vcpu, struct hv_vcpu **v, struct lapic **l)
{
    hv_return_t ret = api_vcpu(vcpu, v);
    if (ret != HV_SUCCESS)
        return ret;
    *l = (*v)->lapic;
    return *l ? HV_SUCCESS : HV_UNSUPPORTED;
}

static void lock(struct irq_chip *chip) { pthread_mutex_lock(&chip->lock); }
static void unlock(struct irq_chip *chip) { pthread_mutex_unlock(&chip->lock); }

/* After the API changed the TPR, the VMCS TPR register shows it too. */
static void tpr_to_vmcs(struct hv_vcpu *v, struct lapic *l)
{
    v->vmcs.guest.tpr = l->tpr;
    l->tpr_mirror = l->tpr;
}

/* Before the API reads or writes the APIC, it sees a TPR the client wrote
 * through HV_X86_TPR since the vCPU last ran. */
static void tpr_from_vmcs(struct hv_vcpu *v, struct lapic *l)
{
    uint32_t reg = (uint32_t)(v->vmcs.guest.tpr & 0xff);
    if (reg != l->tpr_mirror) {
        lapic_set_tpr(l, reg);
        l->tpr_mirror = l->tpr;
    }
}

/* ---- A kernel that holds the registers (kvm) ------------------------------
 *
 * The API then works on a copy: the kernel's state in a scratch APIC,
 * read or changed by the very code the emulator runs, and written back.
 * Bits of the kernel's SVR the framework's APIC lacks (directed EOI) and
 * its version register are the kernel's.  Under the chip's lock. */

struct scratch {
    struct lapic l;
    uint32_t ver, svr_extra;
};

static bool in_kernel(const struct lapic *l) { return l->chip->kernel != NULL; }

static bool scratch_load(struct hv_vcpu *v, struct lapic *l, struct scratch *sc)
{
    struct hv_apic_state st;
    if (!l->chip->kernel->get_state(v, &st))
        return false;
    memset(sc, 0, sizeof *sc);
    sc->l.chip = l->chip;
    sc->l.id = l->id;
    sc->l.exit.kind = HV_VM_EXITINFO_VMX;
    sc->ver = st.ver;
    sc->svr_extra = st.svr & ~0x3ffu;
    st.ver = APIC_VERSION;
    st.svr &= 0x3ffu;
    st.apic_controls &= ~(uint64_t)HV_APIC_CTRL_NO_TIMER;
    return lapic_put_state(&sc->l, &st, mono_ns());
}

static bool scratch_store(struct hv_vcpu *v, struct scratch *sc, bool keep_svr_extra)
{
    struct hv_apic_state st;
    lapic_get_state(&sc->l, &st, mono_ns());
    st.ver = sc->ver;
    if (keep_svr_extra)
        st.svr |= sc->svr_extra;
    return sc->l.chip->kernel->put_state(v, &st);
}

/* ---- VM-wide: local APIC messages ---------------------------------------- */

hv_return_t hv_vm_lapic_set_intr(hv_vcpuid_t vcpu, uint8_t vector, hv_apic_intr_trigger_t trig)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if (ret == HV_NO_DEVICE)
        return ret;
    if (trig > HV_APIC_LEVEL_TRIGGER || vcpu >= HV_MAX_VCPUS || vector < 16)
        return HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    lock(chip);
    struct lapic *l = chip->lapic[vcpu];
    /* The kernel's APIC takes a message addressed to the vCPU (and has
     * no automatic EOI: docs/compat.md). */
    if (l && chip->kernel)
        chip->kernel->deliver(chip, chip->kernel->apic_id(chip, vcpu), false, DM_FIXED, vector,
                              trig == HV_APIC_LEVEL_TRIGGER);
    else if (l)
        lapic_set_irr(l, vector, trig == HV_APIC_LEVEL_TRIGGER, trig == HV_APIC_EDGE_TRIGGER_AEOI);
    unlock(chip);
    return l ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

hv_return_t hv_vm_lapic_msi(uint64_t addr, uint64_t data)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if (ret != HV_SUCCESS)
        return ret;
    /* Data bits above 15 and address bits outside the MSI window are
     * reserved (SDM 11.11). */
    if ((data >> 16) != 0)
        return HV_BAD_ARGUMENT;
    lock(chip);
    bool ok = irq_msi(chip, addr, data);
    unlock(chip);
    return ok ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

/* ---- IOAPIC -------------------------------------------------------------- */

static hv_return_t ioapic_pin(int intin, int op)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if (ret != HV_SUCCESS)
        return ret;
    if (intin < 0 || intin >= IOAPIC_PINS)
        return HV_BAD_ARGUMENT;
    lock(chip);
    if (op == 2)
        ioapic_pulse(chip, intin);
    else
        ioapic_set_pin(chip, intin, op == 1);
    unlock(chip);
    return HV_SUCCESS;
}

hv_return_t hv_vm_ioapic_assert_irq(int intin) { return ioapic_pin(intin, 1); }
hv_return_t hv_vm_ioapic_deassert_irq(int intin) { return ioapic_pin(intin, 0); }
hv_return_t hv_vm_ioapic_pulse_irq(int intin) { return ioapic_pin(intin, 2); }

static bool ioapic_gpa_ok(hv_gpaddr_t gpa)
{
    return gpa >= IOAPIC_GPA && gpa < IOAPIC_GPA + 0x1000 && (gpa & 3) == 0;
}

hv_return_t hv_vm_ioapic_read(hv_gpaddr_t gpa, uint32_t *datap)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && (datap == NULL || !ioapic_gpa_ok(gpa)))
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    lock(chip);
    *datap = (gpa & 0xf) ? 0 : ioapic_mmio_read(chip, gpa & 0xff0);
    unlock(chip);
    return HV_SUCCESS;
}

hv_return_t hv_vm_ioapic_write(hv_gpaddr_t gpa, uint32_t data)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if (ret == HV_SUCCESS && !ioapic_gpa_ok(gpa))
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    lock(chip);
    if ((gpa & 0xf) == 0)
        ioapic_mmio_write(chip, gpa & 0xff0, data);
    unlock(chip);
    return HV_SUCCESS;
}

hv_return_t hv_vm_ioapic_get_state(hv_ioapic_state_ext_t *state)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && (state == NULL || state->version != HV_IOAPIC_STATE_EXT_VER))
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    lock(chip);
    memset(&state->state, 0, sizeof state->state);
    memcpy(state->state.rtbl, chip->ioapic.rtbl, sizeof state->state.rtbl);
    state->state.irr = chip->ioapic.irr;
    state->state.ioa_id = chip->ioapic.id;
    state->state.ioregsel = chip->ioapic.ioregsel;
    unlock(chip);
    return HV_SUCCESS;
}

hv_return_t hv_vm_ioapic_put_state(const hv_ioapic_state_ext_t *state)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && (state == NULL || state->version != HV_IOAPIC_STATE_EXT_VER))
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    lock(chip);
    bool ok = ioapic_put_state(&chip->ioapic, &state->state);
    if (ok && chip->kernel)
        chip->kernel->ioapic_changed(chip);
    unlock(chip);
    return ok ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

hv_return_t hv_vm_send_ioapic_intr(uint64_t data)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if (ret != HV_SUCCESS)
        return ret;
    /* Delivery modes 3 (reserved) and 2 (SMI, no SMM here) are refused. */
    unsigned mode = (data >> 8) & 7;
    if (mode == 3 || mode == DM_SMI)
        return HV_BAD_ARGUMENT;
    lock(chip);
    ioapic_send(chip, data);
    unlock(chip);
    return HV_SUCCESS;
}

/* ---- 8259 pair ------------------------------------------------------------ */

static hv_return_t atpic_line(int irq, bool level)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if (ret != HV_SUCCESS)
        return ret;
    lock(chip);
    bool ok = pic_set_irq(chip, irq, level);
    unlock(chip);
    return ok ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

hv_return_t hv_vm_atpic_assert_irq(int irq) { return atpic_line(irq, true); }
hv_return_t hv_vm_atpic_deassert_irq(int irq) { return atpic_line(irq, false); }

hv_return_t hv_vm_atpic_port_read(int port, uint8_t *valuep)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && valuep == NULL)
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    lock(chip);
    bool ok = pic_port_read(chip, port, valuep);
    unlock(chip);
    return ok ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

hv_return_t hv_vm_atpic_port_write(int port, uint8_t value)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if (ret != HV_SUCCESS)
        return ret;
    lock(chip);
    bool ok = pic_port_write(chip, port, value);
    unlock(chip);
    return ok ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

hv_return_t hv_vm_atpic_get_state(hv_atpic_state_ext_t *state, bool is_primary)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && (state == NULL || state->version != HV_ATPIC_STATE_EXT_VER))
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    lock(chip);
    state->state = chip->pic[is_primary ? 0 : 1].s;
    unlock(chip);
    return HV_SUCCESS;
}

hv_return_t hv_vm_atpic_put_state(const hv_atpic_state_ext_t *state, bool is_primary)
{
    struct irq_chip *chip;
    hv_return_t ret = chip_of(&chip);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && (state == NULL || state->version != HV_ATPIC_STATE_EXT_VER))
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    lock(chip);
    bool ok = pic_put_state(chip, is_primary ? 0 : 1, &state->state);
    unlock(chip);
    return ok ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

hv_return_t hv_vm_set_apic_bus_freq(uint64_t freq)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    if (freq < 16000000ull || freq > 2000000000ull)
        return HV_BAD_ARGUMENT;
    if (vm->irq == NULL)
        return HV_UNSUPPORTED;
    /* VM-wide, and only before the first vCPU exists (hvf-api.md 3.11). */
    pthread_mutex_lock(&vm->lock);
    hv_return_t ret = __atomic_load_n(&vm->vcpu_count, __ATOMIC_RELAXED) != 0 ? HV_BUSY : HV_SUCCESS;
    if (ret == HV_SUCCESS && vm->irq->kernel)
        ret = vm->irq->kernel->set_bus_freq(vm->irq, freq);
    if (ret == HV_SUCCESS)
        vm->irq->bus_freq = freq;
    pthread_mutex_unlock(&vm->lock);
    return ret;
}

/* ---- Per vCPU --------------------------------------------------------------- */

hv_return_t hv_vcpu_inject_extint(hv_vcpuid_t vcpu)
{
    struct hv_vcpu *v;
    struct lapic *l;
    hv_return_t ret = lapic_of(vcpu, &v, &l);
    if (ret != HV_SUCCESS)
        return ret;
    lock(l->chip);
    bool busy = l->extint_pending;
    if (!busy) {
        l->extint_pending = true;
        lapic_update_ready(l);
    }
    unlock(l->chip);
    return busy ? HV_BUSY : HV_SUCCESS;
}

hv_return_t hv_vcpu_apic_read(hv_vcpuid_t vcpu, uint32_t offset, uint32_t *data)
{
    struct hv_vcpu *v;
    struct lapic *l;
    hv_return_t ret = lapic_of(vcpu, &v, &l);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && data == NULL)
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    lock(l->chip);
    bool ok;
    if (in_kernel(l)) {
        struct scratch sc;
        ret = scratch_load(v, l, &sc) ? HV_SUCCESS : HV_ERROR;
        ok = ret != HV_SUCCESS || lapic_read(&sc.l, offset, data);
        if (ret == HV_SUCCESS && ok && offset == 0x30)
            *data = sc.ver;
        else if (ret == HV_SUCCESS && ok && offset == 0xf0)
            *data |= sc.svr_extra;
    } else {
        tpr_from_vmcs(v, l);
        ok = lapic_read(l, offset, data);
    }
    unlock(l->chip);
    if (ret != HV_SUCCESS)
        return ret;
    return ok ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

hv_return_t hv_vcpu_apic_write(hv_vcpuid_t vcpu, uint32_t offset, uint32_t data,
                               bool *no_side_effect)
{
    struct hv_vcpu *v;
    struct lapic *l;
    hv_return_t ret = lapic_of(vcpu, &v, &l);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && no_side_effect == NULL)
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    bool side = false, ok;
    lock(l->chip);
    if (in_kernel(l)) {
        struct scratch sc;
        ret = scratch_load(v, l, &sc) ? HV_SUCCESS : HV_ERROR;
        sc.l.controls = l->controls;
        ok = ret != HV_SUCCESS || lapic_write(&sc.l, offset, data, &side);
        if (ret == HV_SUCCESS && ok && !scratch_store(v, &sc, offset != 0xf0))
            ret = HV_ERROR;
        if (ret == HV_SUCCESS && ok && side)
            l->exit = sc.l.exit;
    } else {
        tpr_from_vmcs(v, l);
        struct lapic_exit saved = l->exit;
        l->exit.kind = HV_VM_EXITINFO_VMX;
        ok = lapic_write(l, offset, data, &side);
        /* What the client must handle is then described by hv_vcpu_exit_info. */
        if (!ok || !side)
            l->exit = saved;
        tpr_to_vmcs(v, l);
    }
    unlock(l->chip);
    if (ret != HV_SUCCESS)
        return ret;
    if (!ok)
        return HV_BAD_ARGUMENT;
    *no_side_effect = !side;
    return HV_SUCCESS;
}

hv_return_t hv_vcpu_apic_get_state(hv_vcpuid_t vcpu, hv_apic_state_ext_t *state)
{
    struct hv_vcpu *v;
    struct lapic *l;
    hv_return_t ret = lapic_of(vcpu, &v, &l);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && (state == NULL || state->version != HV_APIC_STATE_EXT_VER))
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    if (in_kernel(l)) {
        lock(l->chip);
        bool ok = l->chip->kernel->get_state(v, &state->state);
        unlock(l->chip);
        return ok ? HV_SUCCESS : HV_ERROR;
    }
    lock(l->chip);
    tpr_from_vmcs(v, l);
    /* An expiry not yet seen by the vCPU is an IRR bit in the saved state. */
    uint64_t now = mono_ns();
    lapic_timer_poll(l, now, host_tsc() + v->vmcs.ctl.tsc_offset);
    lapic_get_state(l, &state->state, now);
    unlock(l->chip);
    return HV_SUCCESS;
}

hv_return_t hv_vcpu_apic_put_state(hv_vcpuid_t vcpu, const hv_apic_state_ext_t *state)
{
    struct hv_vcpu *v;
    struct lapic *l;
    hv_return_t ret = lapic_of(vcpu, &v, &l);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && (state == NULL || state->version != HV_APIC_STATE_EXT_VER))
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    if (in_kernel(l)) {
        /* The emulator's rules decide what is valid; the kernel's own
         * version and SVR bits are accepted too.  No NO_TIMER there. */
        if (state->state.apic_controls & HV_APIC_CTRL_NO_TIMER)
            return HV_UNSUPPORTED;
        lock(l->chip);
        struct scratch sc;
        struct hv_apic_state check = state->state;
        ret = scratch_load(v, l, &sc) ? HV_SUCCESS : HV_ERROR;
        if (ret == HV_SUCCESS) {
            if (check.ver == sc.ver)
                check.ver = APIC_VERSION;
            check.svr &= ~sc.svr_extra;
            if (!lapic_put_state(&sc.l, &check, mono_ns()))
                ret = HV_BAD_ARGUMENT;
            else if (!l->chip->kernel->put_state(v, &state->state))
                ret = HV_ERROR;
            else
                l->controls = state->state.apic_controls;
        }
        unlock(l->chip);
        return ret;
    }
    lock(l->chip);
    bool ok = lapic_put_state(l, &state->state, mono_ns());
    if (ok)
        tpr_to_vmcs(v, l);
    unlock(l->chip);
    return ok ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

hv_return_t hv_vcpu_exit_info(hv_vcpuid_t vcpu, hv_vm_exitinfo_t *code)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (code == NULL)
        return HV_BAD_ARGUMENT;
    /* Without the in-kernel APIC every exit is an ordinary VMX exit. */
    *code = v->lapic ? v->lapic->exit.kind : HV_VM_EXITINFO_VMX;
    return HV_SUCCESS;
}

/* The last exit's extra information, if it is of `kind`. */
static hv_return_t exit_of(hv_vcpuid_t vcpu, hv_vm_exitinfo_t kind, struct lapic **l)
{
    struct hv_vcpu *v;
    hv_return_t ret = lapic_of(vcpu, &v, l);
    if (ret != HV_SUCCESS)
        return ret;
    return (*l)->exit.kind == kind ? HV_SUCCESS : HV_BAD_ARGUMENT;
}

static void fill_targets(const struct lapic *l, bool is_actv[], unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        is_actv[i] = i < IRQ_MAX_VCPUS && l->exit.targets[i];
}

hv_return_t hv_vcpu_exit_init_ap(hv_vcpuid_t vcpu, bool is_actv[], unsigned count)
{
    struct lapic *l;
    hv_return_t ret = exit_of(vcpu, HV_VM_EXITINFO_INIT_AP, &l);
    if (ret != HV_BAD_ARGUMENT && ret != HV_SUCCESS)
        return ret;
    if (is_actv == NULL && count != 0)
        return HV_BAD_ARGUMENT;
    if (ret == HV_SUCCESS)
        fill_targets(l, is_actv, count);
    return ret;
}

hv_return_t hv_vcpu_exit_startup_ap(hv_vcpuid_t vcpu, bool is_actv[], unsigned count,
                                    uint64_t *ap_rip)
{
    struct lapic *l;
    hv_return_t ret = exit_of(vcpu, HV_VM_EXITINFO_STARTUP_AP, &l);
    if (ret != HV_BAD_ARGUMENT && ret != HV_SUCCESS)
        return ret;
    if ((is_actv == NULL && count != 0) || ap_rip == NULL)
        return HV_BAD_ARGUMENT;
    if (ret == HV_SUCCESS) {
        fill_targets(l, is_actv, count);
        *ap_rip = l->exit.ap_rip;
    }
    return ret;
}

hv_return_t hv_vcpu_exit_ioapic_eoi(hv_vcpuid_t vcpu, uint8_t *vec)
{
    struct lapic *l;
    hv_return_t ret = exit_of(vcpu, HV_VM_EXITINFO_IOAPIC_EOI, &l);
    if (ret == HV_SUCCESS && vec == NULL)
        ret = HV_BAD_ARGUMENT;
    if (ret == HV_SUCCESS)
        *vec = l->exit.vector;
    return ret;
}

/* The library completes every guest APIC access itself (its decoder runs
 * the instruction), so these two kinds never occur: asking for them is
 * asking about an exit that did not happen. */
hv_return_t hv_vcpu_exit_apic_access_read(hv_vcpuid_t vcpu, uint32_t *value)
{
    struct lapic *l;
    hv_return_t ret = exit_of(vcpu, HV_VM_EXITINFO_APIC_ACCESS_READ, &l);
    if (ret == HV_UNSUPPORTED || ret == HV_NO_DEVICE)
        return ret;
    (void)value;
    return HV_BAD_ARGUMENT;
}

hv_return_t hv_vcpu_exit_inject_excp(hv_vcpuid_t vcpu, uint8_t *vec, bool *valid, uint32_t *code,
                                     bool *restart)
{
    struct lapic *l;
    hv_return_t ret = exit_of(vcpu, HV_VM_EXITINFO_INJECT_EXCP, &l);
    if (ret == HV_UNSUPPORTED || ret == HV_NO_DEVICE)
        return ret;
    (void)vec;
    (void)valid;
    (void)code;
    (void)restart;
    return HV_BAD_ARGUMENT;
}

/* The load/store cache lets a kernel without an instruction decoder finish
 * APIC accesses; the emulator decodes every access, so an entry is checked
 * and accepted but changes nothing. */
static bool lsc_uva_ok(const uint64_t uva[], unsigned count)
{
    if (count > 2 || (uva == NULL && count != 0))
        return false;
    for (unsigned i = 0; i < count; i++)
        if (uva[i] & 0xfff)
            return false;
    return true;
}

hv_return_t hv_vcpu_apic_lsc_enter_r32(hv_vcpuid_t vcpu, bool is_load, uint64_t rip, unsigned ilen,
                                       uint16_t cs, hv_x86_reg_t reg, uint64_t uva[],
                                       unsigned count)
{
    (void)is_load;
    (void)rip;
    (void)cs;
    struct hv_vcpu *v;
    struct lapic *l;
    hv_return_t ret = lapic_of(vcpu, &v, &l);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && (ilen == 0 || ilen > 15 || (unsigned)reg > HV_X86_R15 ||
                              !lsc_uva_ok(uva, count)))
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
    struct hv_vcpu *v;
    struct lapic *l;
    hv_return_t ret = lapic_of(vcpu, &v, &l);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && (ilen == 0 || ilen > 15 || !lsc_uva_ok(uva, count)))
        ret = HV_BAD_ARGUMENT;
    return ret;
}

hv_return_t hv_vcpu_apic_lsc_invalidate(hv_vcpuid_t vcpu)
{
    struct hv_vcpu *v;
    struct lapic *l;
    return lapic_of(vcpu, &v, &l);
}

#define KNOWN_APIC_CTRLS                                                                 \
    (HV_APIC_CTRL_EOI_ICR_TPR | HV_APIC_CTRL_GUEST_IDLE | HV_APIC_CTRL_NO_TIMER |         \
     HV_APIC_CTRL_IOAPIC_EOI)

hv_return_t hv_vcpu_apic_ctrl(hv_vcpuid_t vcpu, hv_apic_ctrl_t ctrls)
{
    struct hv_vcpu *v;
    struct lapic *l;
    hv_return_t ret = lapic_of(vcpu, &v, &l);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && (ctrls & ~(hv_apic_ctrl_t)KNOWN_APIC_CTRLS) != 0)
        ret = HV_BAD_ARGUMENT;
    /* The kernel's timer cannot be handed to the client (docs/compat.md). */
    if (ret == HV_SUCCESS && (ctrls & HV_APIC_CTRL_NO_TIMER) && in_kernel(l))
        ret = HV_UNSUPPORTED;
    if (ret != HV_SUCCESS)
        return ret;
    lock(l->chip);
    l->controls = ctrls;
    /* Under NO_TIMER the client runs the timer: ours stops. */
    if (ctrls & HV_APIC_CTRL_NO_TIMER)
        l->timer_deadline_ns = 0;
    unlock(l->chip);
    return HV_SUCCESS;
}

hv_return_t hv_vcpu_apic_trigger_lvt(hv_vcpuid_t vcpu, hv_apic_lvt_flavor_t flavor)
{
    struct hv_vcpu *v;
    struct lapic *l;
    hv_return_t ret = lapic_of(vcpu, &v, &l);
    if ((ret == HV_SUCCESS || ret == HV_UNSUPPORTED) && flavor != HV_APIC_LVT_FLAVOR_TIMER)
        ret = HV_BAD_ARGUMENT;
    if (ret != HV_SUCCESS)
        return ret;
    lock(l->chip);
    if (in_kernel(l)) {
        struct scratch sc;
        ret = scratch_load(v, l, &sc) ? HV_SUCCESS : HV_ERROR;
        if (ret == HV_SUCCESS) {
            lapic_trigger_lvt(&sc.l, LVT_TIMER);
            if (!scratch_store(v, &sc, true))
                ret = HV_ERROR;
        }
    } else {
        lapic_trigger_lvt(l, LVT_TIMER);
    }
    unlock(l->chip);
    return ret;
}
