/* The process's VM pointer, backend selection and the memory lock. */
#include "vm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hv_vm *hv_current_vm;

/*
 * OPENHV_BACKEND = auto (default) | emu | kvm.  auto takes kvm when it is
 * usable, else emu.  *why says why the returned backend was chosen, or
 * why none was (with *err set).
 */
const struct hv_backend *hv_backend_select(hv_return_t *err, const char **why)
{
    const char *env = getenv("OPENHV_BACKEND");
    const char *kvm_why = NULL;
    *err = HV_SUCCESS;
    if (env == NULL || *env == '\0' || strcmp(env, "auto") == 0) {
        if (hv_backend_kvm.usable != NULL && hv_backend_kvm.usable(&kvm_why)) {
            *why = "auto: /dev/kvm is usable";
            return &hv_backend_kvm;
        }
        *why = kvm_why ? kvm_why : "no KVM backend";
        return &hv_backend_emu;
    }
    if (strcmp(env, "emu") == 0) {
        *why = "OPENHV_BACKEND=emu";
        return &hv_backend_emu;
    }
    if (strcmp(env, "kvm") == 0) {
        if (hv_backend_kvm.usable != NULL && hv_backend_kvm.usable(&kvm_why)) {
            *why = "OPENHV_BACKEND=kvm";
            return &hv_backend_kvm;
        }
        *err = HV_NO_DEVICE;
        *why = kvm_why ? kvm_why : "KVM is not usable";
        return NULL;
    }
    *err = HV_BAD_ARGUMENT;
    *why = "OPENHV_BACKEND must be auto, emu or kvm";
    return NULL;
}

const struct hv_backend *hv_backend_choose(hv_return_t *err, char *reason, size_t reason_size)
{
    const char *why = NULL;
    const char *env = getenv("OPENHV_BACKEND");
    const struct hv_backend *b = hv_backend_select(err, &why);
    if (b == NULL) {
        fprintf(stderr, "openhv: OPENHV_BACKEND=%s: %s\n", env ? env : "", why);
        return NULL;
    }
    bool automatic = env == NULL || *env == '\0' || strcmp(env, "auto") == 0;
    if (automatic && b == &hv_backend_emu)
        snprintf(reason, reason_size, "auto: KVM not usable: %s", why);
    else
        snprintf(reason, reason_size, "%s", why);
    return b;
}

void vm_mem_read_lock(struct hv_vm *vm)
{
    pthread_rwlock_rdlock(&vm->mem_lock);
}

void vm_mem_read_unlock(struct hv_vm *vm)
{
    pthread_rwlock_unlock(&vm->mem_lock);
}
