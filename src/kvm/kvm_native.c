/*
 * Native or interpreting KVM (kvm_native.h).
 *
 * Evidence, strongest first: kvm_pvm loaded means /dev/kvm may be PVM's,
 * whatever else is there (a PVM host shows no vmx/svm flag, but the module
 * is what decides); otherwise KVM is hardware KVM when the vendor module
 * for a virtualization flag the CPU shows is loaded.  Without /sys/module
 * (a container without sysfs) the CPU flags alone decide.
 */
#include "kvm_native.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static bool path_exists(const char *root, const char *path)
{
    char full[512];
    struct stat st;
    snprintf(full, sizeof full, "%s%s", root, path);
    return stat(full, &st) == 0;
}

/* Whether a whitespace-separated word is in line. */
static bool has_word(const char *line, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(line, word); p != NULL; p = strstr(p + 1, word)) {
        bool start = p == line || p[-1] == ' ' || p[-1] == '\t' || p[-1] == ':';
        bool end = p[n] == '\0' || p[n] == ' ' || p[n] == '\t' || p[n] == '\n';
        if (start && end)
            return true;
    }
    return false;
}

void kvm_host_facts_read(const char *root, struct kvm_host_facts *f)
{
    if (root == NULL)
        root = "";
    memset(f, 0, sizeof *f);
    f->modules_known = path_exists(root, "/sys/module");
    f->pvm_module = path_exists(root, "/sys/module/kvm_pvm");
    f->intel_module = path_exists(root, "/sys/module/kvm_intel");
    f->amd_module = path_exists(root, "/sys/module/kvm_amd");
    char path[512];
    snprintf(path, sizeof path, "%s/proc/cpuinfo", root);
    FILE *cpuinfo = fopen(path, "re");
    if (cpuinfo == NULL)
        return;
    /* The first CPU's flags: every CPU of a host shows the same ones. */
    char line[8192];
    while (fgets(line, sizeof line, cpuinfo) != NULL) {
        if (strncmp(line, "flags", 5) != 0)
            continue;
        f->cpuinfo_known = true;
        f->cpu_vmx = has_word(line, "vmx");
        f->cpu_svm = has_word(line, "svm");
        break;
    }
    fclose(cpuinfo);
}

bool kvm_host_native(const struct kvm_host_facts *f, const char **why)
{
    const char *ignored;
    if (why == NULL)
        why = &ignored;
    if (f->pvm_module) {
        *why = "kvm_pvm is loaded: /dev/kvm may be a paravirtual KVM that interprets guest code "
               "(OPENHV_BACKEND=kvm uses it anyway)";
        return false;
    }
    if (f->intel_module && f->cpu_vmx) {
        *why = "kvm_intel with VMX";
        return true;
    }
    if (f->amd_module && f->cpu_svm) {
        *why = "kvm_amd with SVM";
        return true;
    }
    if (f->modules_known) {
        *why = f->intel_module || f->amd_module
                   ? "kvm_intel/kvm_amd is loaded but the CPU shows no vmx/svm flag: KVM may not run "
                     "guest code natively (OPENHV_BACKEND=kvm uses it anyway)"
                   : "neither kvm_intel nor kvm_amd is loaded: KVM does not run guest code on VMX/SVM "
                     "(OPENHV_BACKEND=kvm uses it anyway)";
        return false;
    }
    if (f->cpu_vmx || f->cpu_svm) {
        *why = f->cpu_vmx ? "VMX (no /sys/module to check for kvm_pvm)"
                          : "SVM (no /sys/module to check for kvm_pvm)";
        return true;
    }
    *why = "no vmx/svm CPU flag and no /sys/module: KVM is not known to run guest code natively "
           "(OPENHV_BACKEND=kvm uses it anyway)";
    return false;
}
