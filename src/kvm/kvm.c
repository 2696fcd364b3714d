/*
 * The KVM backend: for now only the usability probe.  Every operation
 * answers HV_UNSUPPORTED until the backend is written (issue 3), and
 * usable() is false even where /dev/kvm works, so auto selects emu.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../core/vm.h"

static bool kvm_usable(const char **why)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            *why = "/dev/kvm: No such file or directory - load kvm_intel/kvm_amd or use "
                   "OPENHV_BACKEND=emu";
        else if (errno == EACCES || errno == EPERM)
            *why = "/dev/kvm: Permission denied - add your user to group kvm or use "
                   "OPENHV_BACKEND=emu";
        else
            *why = "/dev/kvm cannot be opened - use OPENHV_BACKEND=emu";
        return false;
    }
    int version = ioctl(fd, KVM_GET_API_VERSION, 0);
    close(fd);
    if (version != KVM_API_VERSION) {
        *why = "/dev/kvm has an unexpected KVM API version - use OPENHV_BACKEND=emu";
        return false;
    }
    *why = "KVM backend not implemented yet (issue 3)";
    return false;
}

static hv_return_t kvm_vm_create(struct hv_vm *vm)
{
    (void)vm;
    return HV_UNSUPPORTED;
}

static void kvm_vm_destroy(struct hv_vm *vm)
{
    (void)vm;
}

static hv_return_t kvm_vcpu_create(struct hv_vcpu *v)
{
    (void)v;
    return HV_UNSUPPORTED;
}

static void kvm_vcpu_destroy(struct hv_vcpu *v)
{
    (void)v;
}

static hv_return_t kvm_vcpu_run(struct hv_vcpu *v, uint64_t deadline_ns, bool report_handled)
{
    (void)v;
    (void)deadline_ns;
    (void)report_handled;
    return HV_UNSUPPORTED;
}

static void kvm_vcpu_kick(struct hv_vcpu *v)
{
    (void)v;
}

const struct hv_backend hv_backend_kvm = {
    .name = "kvm",
    .usable = kvm_usable,
    .vm_create = kvm_vm_create,
    .vm_destroy = kvm_vm_destroy,
    .vcpu_create = kvm_vcpu_create,
    .vcpu_destroy = kvm_vcpu_destroy,
    .vcpu_run = kvm_vcpu_run,
    .vcpu_kick = kvm_vcpu_kick,
};
