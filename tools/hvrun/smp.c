/*
 * Application processors of a guest with in-kernel interrupt controllers:
 * an AP's thread waits until the boot processor's INIT/SIPI sequence names
 * it (the framework reports the ICR writes as HV_VM_EXITINFO_INIT_AP and
 * HV_VM_EXITINFO_STARTUP_AP exits of the sender), then starts in real mode
 * at the SIPI vector's page, as a PC's AP does.
 */
#include "hvrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_cond_t sipi_cond = PTHREAD_COND_INITIALIZER;

static void mark_targets(struct machine *m, const bool *actv, unsigned count, bool sipi, uint64_t rip)
{
    pthread_mutex_lock(&m->lock);
    for (unsigned i = 0; i < m->opt.cpus; i++) {
        struct vcpu *t = &m->vcpu[i];
        if (!t->alive || t->id >= count || !actv[t->id])
            continue;
        if (!sipi)
            t->ap_state = AP_INIT;
        else if (t->ap_state == AP_INIT) { /* a SIPI counts only after INIT */
            t->ap_state = AP_STARTED;
            t->ap_rip = rip;
        }
    }
    pthread_cond_broadcast(&sipi_cond);
    pthread_mutex_unlock(&m->lock);
}

bool smp_handle_exit_info(struct machine *m, struct vcpu *v, hv_vm_exitinfo_t info)
{
    bool actv[HVRUN_MAX_CPUS * 8] = {false};
    uint64_t rip = 0;
    switch (info) {
    case HV_VM_EXITINFO_INIT_AP:
        if (hv_vcpu_exit_init_ap(v->id, actv, HVRUN_MAX_CPUS * 8) == HV_SUCCESS)
            mark_targets(m, actv, HVRUN_MAX_CPUS * 8, false, 0);
        snprintf(v->trace, sizeof v->trace, "INIT to APs");
        return true;
    case HV_VM_EXITINFO_STARTUP_AP:
        if (hv_vcpu_exit_startup_ap(v->id, actv, HVRUN_MAX_CPUS * 8, &rip) == HV_SUCCESS)
            mark_targets(m, actv, HVRUN_MAX_CPUS * 8, true, rip);
        snprintf(v->trace, sizeof v->trace, "SIPI to APs at 0x%llx", (unsigned long long)rip);
        return true;
    case HV_VM_EXITINFO_INJECT_EXCP: {
        uint8_t vec = 0;
        bool valid = false, restart = false;
        uint32_t code = 0;
        if (hv_vcpu_exit_inject_excp(v->id, &vec, &valid, &code, &restart) != HV_SUCCESS)
            return true;
        /* A hardware exception; its error code as the framework gives it. */
        uint64_t info_field = vec | (3u << 8) | (valid ? 1u << 11 : 0) | (1u << 31);
        hvrun_vmcs_set(v->id, VMCS_CTRL_VMENTRY_EXC_ERROR, code);
        hvrun_vmcs_set(v->id, VMCS_CTRL_VMENTRY_IRQ_INFO, info_field);
        snprintf(v->trace, sizeof v->trace, "APIC exception %u", vec);
        return true;
    }
    default:
        /* IOAPIC EOI and APIC-read exits only come with controls hvrun does not set. */
        snprintf(v->trace, sizeof v->trace, "exit info %d", (int)info);
        return true;
    }
}

/* OpenHV's kvm backend runs INIT and SIPI inside KVM and gives no
 * INIT_AP/STARTUP_AP exits (its docs/compat.md 8.10): there the AP's APIC
 * is put into the wait-for-SIPI state and its thread runs at once; KVM
 * holds it until the boot processor's INIT/SIPI starts it. */
static bool kernel_runs_sipi(struct vcpu *v, hv_return_t *r)
{
#ifdef HVRUN_HAVE_OPENHV_H
    if (strncmp(openhv_backend_name(), "kvm", 3) != 0)
        return false;
    hv_apic_state_ext_t st = { .version = HV_APIC_STATE_EXT_VER };
    *r = hv_vcpu_apic_get_state(v->id, &st);
    st.state.boot_state = HV_BS_SIPI;
    if (*r == HV_SUCCESS)
        *r = hv_vcpu_apic_put_state(v->id, &st);
    return true;
#else
    (void)v;
    (void)r;
    return false;
#endif
}

hv_return_t smp_wait_for_sipi(struct machine *m, struct vcpu *v)
{
    hv_return_t r = HV_SUCCESS;
    uint64_t rip = 0;   /* with KVM: any real-mode start; the SIPI sets its own */
    bool in_kernel = kernel_runs_sipi(v, &r);
    if (in_kernel && r != HV_SUCCESS)
        return r;
    if (!in_kernel) {
        pthread_mutex_lock(&m->lock);
        while (v->ap_state != AP_STARTED && !atomic_load(&m->stopping))
            pthread_cond_wait(&sipi_cond, &m->lock);
        bool started = v->ap_state == AP_STARTED;
        rip = v->ap_rip;
        pthread_mutex_unlock(&m->lock);
        if (!started)
            return HV_ERROR;
    }
    /* Under KVM the boot processor still runs on hvrun's tables in the
     * scratch area: the AP's GDT and TSS go to a private 64 KiB (real mode
     * never reads them, and KVM's INIT resets the vCPU anyway). */
    void *private_scratch = in_kernel ? calloc(1, 0x10000) : NULL;
    if (in_kernel && private_scratch == NULL)
        return HV_NO_RESOURCES;
    struct guest_layout layout = {
        .entry = 0, .stack = 0, .scratch = LAYOUT_SCRATCH,
        .scratch_hva = in_kernel ? private_scratch : m->mem.ram + LAYOUT_SCRATCH,
    };
    r = guest_mode_setup(v->id, GUEST_REAL, &layout);
    free(private_scratch);
    const struct { uint32_t field; uint64_t value; } w[] = {
        {VMCS_GUEST_CS, rip >> 4}, {VMCS_GUEST_CS_BASE, rip}, {VMCS_GUEST_RIP, 0},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0] && r == HV_SUCCESS; i++)
        r = hv_vmx_vcpu_write_vmcs(v->id, w[i].field, w[i].value);
    return r;
}

/* Wake APs still waiting when the machine stops (m->lock held). */
void smp_stop(struct machine *m)
{
    (void)m;
    pthread_cond_broadcast(&sipi_cond);
}
