/*
 * Shared checks of the public entry points.
 *
 * Error conventions (docs/notes/core-api.md has the full table):
 *   no VM                                   -> HV_NO_DEVICE
 *   unknown vCPU id, or a vCPU owned by
 *   another thread                          -> HV_BAD_ARGUMENT
 *   NULL out-pointer, bad flags, bad range  -> HV_BAD_ARGUMENT
 * A failing call changes nothing.
 */
#ifndef OPENHV_API_H
#define OPENHV_API_H

#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>

#include "../core/vcpu.h"
#include "../core/vm.h"

/* The VM of this process, or NULL. */
static inline struct hv_vm *api_vm(void)
{
    return __atomic_load_n(&hv_current_vm, __ATOMIC_ACQUIRE);
}

/* The vCPU `id` if it exists and belongs to the calling thread. */
/* The vCPU the calling thread created (NULL if none): a vCPU belongs to its
 * creating thread, and a thread has at most one. */
/* initial-exec: read on every per-vCPU call, and the shared library's
 * default model would make each read a __tls_get_addr call. */
extern __attribute__((tls_model("initial-exec"))) _Thread_local struct hv_vcpu *api_thread_vcpu;

hv_return_t api_vcpu(hv_vcpuid_t id, struct hv_vcpu **out);

/* Bracket every API access to vcpu->vmcs / msr / fpstate: bring the state
 * up to date before reading, and mark it written afterwards. */
static inline void api_pull(struct hv_vcpu *v)
{
    if (v->vm->backend->state_pull != NULL)
        v->vm->backend->state_pull(v);
}

static inline void api_pull_reg(struct hv_vcpu *v, hv_x86_reg_t reg)
{
    if (v->vm->backend->state_pull_reg != NULL)
        v->vm->backend->state_pull_reg(v, reg);
    else
        api_pull(v);
}

static inline void api_pull_vmcs(struct hv_vcpu *v, uint32_t field)
{
    if (v->vm->backend->state_pull_vmcs != NULL)
        v->vm->backend->state_pull_vmcs(v, field);
    else
        api_pull(v);
}

static inline void api_pull_msr(struct hv_vcpu *v, uint32_t msr)
{
    if (v->vm->backend->state_pull_msr != NULL)
        v->vm->backend->state_pull_msr(v, msr);
    else
        api_pull(v);
}

static inline void api_pull_fpstate(struct hv_vcpu *v)
{
    if (v->vm->backend->state_pull_fpstate != NULL)
        v->vm->backend->state_pull_fpstate(v);
    else
        api_pull(v);
}

static inline void api_dirty(struct hv_vcpu *v, enum state_write what)
{
    if (v->vm->backend->state_dirty != NULL)
        v->vm->backend->state_dirty(v, what);
}

#endif
