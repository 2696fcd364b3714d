/* The process's VM pointer, backend selection and the memory lock. */
#include "vm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hv_vm *hv_current_vm;

/*
 * OPENHV_BACKEND = auto (default) | emu | kvm | kvm+emu.  auto takes kvm
 * when it is usable and runs guest code natively, else emu; kvm+emu takes
 * kvm with the emulator's help wherever KVM is usable (what auto gives on
 * a native host).  *why says why the returned backend was chosen, or why
 * none was (with *err set).
 */
const struct hv_backend *hv_backend_select(hv_return_t *err, const char **why)
{
    const char *env = getenv("OPENHV_BACKEND");
    const char *kvm_why = NULL;
    bool automatic = env == NULL || *env == '\0' || strcmp(env, "auto") == 0;
    bool wants_kvm = automatic || strcmp(env, "kvm") == 0 || strcmp(env, "kvm+emu") == 0;
    bool usable = wants_kvm && hv_backend_kvm.usable != NULL && hv_backend_kvm.usable(&kvm_why);
    *err = HV_SUCCESS;
    if (automatic) {
        static _Thread_local char text[320];
        if (!usable) {
            snprintf(text, sizeof text, "auto: KVM not usable: %s", kvm_why ? kvm_why : "no KVM backend");
            *why = text;
            return &hv_backend_emu;
        }
        if (hv_backend_kvm.auto_ok != NULL && !hv_backend_kvm.auto_ok(&kvm_why)) {
            snprintf(text, sizeof text, "auto: KVM not native: %s", kvm_why);
            *why = text;
            return &hv_backend_emu;
        }
        *why = "auto: /dev/kvm is usable";
        return &hv_backend_kvm;
    }
    if (strcmp(env, "emu") == 0) {
        *why = "OPENHV_BACKEND=emu";
        return &hv_backend_emu;
    }
    if (wants_kvm) {
        if (usable) {
            *why = strcmp(env, "kvm") == 0 ? "OPENHV_BACKEND=kvm" : "OPENHV_BACKEND=kvm+emu";
            return &hv_backend_kvm;
        }
        *err = HV_NO_DEVICE;
        *why = kvm_why ? kvm_why : "KVM is not usable";
        return NULL;
    }
    *err = HV_BAD_ARGUMENT;
    *why = "OPENHV_BACKEND must be auto, emu, kvm or kvm+emu";
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

bool vm_mem_writer_waiting(struct hv_vm *vm)
{
    return atomic_load_explicit(&vm->mem_writers, memory_order_relaxed) != 0;
}

void vm_mem_write_lock(struct hv_vm *vm)
{
    atomic_fetch_add(&vm->mem_writers, 1);
    pthread_rwlock_wrlock(&vm->mem_lock);
}

void vm_mem_write_unlock(struct hv_vm *vm)
{
    pthread_rwlock_unlock(&vm->mem_lock);
    atomic_fetch_sub(&vm->mem_writers, 1);
}
