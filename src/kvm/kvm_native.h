/*
 * Whether /dev/kvm runs guest code on the CPU (hardware VMX or SVM) or
 * interprets it (a paravirtual KVM such as kvm_pvm, whose guests that are
 * not PVM-enlightened go through KVM's instruction emulator in the host
 * kernel, an order of magnitude slower than OpenHV's own emulator).
 * OPENHV_BACKEND=auto takes KVM only in the first case.
 *
 * The facts are read from a file-system root ("" for the host) so that
 * the decision can be tested with made-up hosts; the decision itself is a
 * function of the facts alone.
 */
#ifndef OPENHV_KVM_NATIVE_H
#define OPENHV_KVM_NATIVE_H

#include <stdbool.h>
#include <stddef.h>

struct kvm_host_facts {
    bool modules_known;     /* /sys/module could be listed */
    bool pvm_module;        /* /sys/module/kvm_pvm */
    bool intel_module;      /* /sys/module/kvm_intel */
    bool amd_module;        /* /sys/module/kvm_amd */
    bool cpuinfo_known;     /* /proc/cpuinfo has a flags line */
    bool cpu_vmx, cpu_svm;  /* vmx, svm among its flags */
};

void kvm_host_facts_read(const char *root, struct kvm_host_facts *facts);

/* True where KVM runs guest code natively; *why says on what evidence. */
bool kvm_host_native(const struct kvm_host_facts *facts, const char **why);

#endif
