/* Unit tests of OPENHV_BACKEND=auto's choice between hardware KVM and an
 * interpreting one (src/kvm/kvm_native.c), with made-up hosts: the
 * decision from facts, and the facts read from a fake sysfs/procfs root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../api/api_test.h"
#include "kvm/kvm_native.h"

static void decide(const char *name, struct kvm_host_facts f, bool want, const char *why_has)
{
    const char *why = NULL;
    bool got = kvm_host_native(&f, &why);
    char text[400];
    snprintf(text, sizeof text, "native %d (want %d), why \"%s\" (want it to name \"%s\")", got, want,
             why ? why : "(null)", why_has);
    test_result(name, got == want && why != NULL && strstr(why, why_has) != NULL, text);
}

static char root[64];

static void put(const char *path, const char *text)
{
    char full[256];
    snprintf(full, sizeof full, "%s%s", root, path);
    FILE *f = fopen(full, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static void dir(const char *path)
{
    char full[256];
    snprintf(full, sizeof full, "%s%s", root, path);
    mkdir(full, 0755);
}

static void rm_tree(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
}

int main(void)
{
    /* The PVM host of this project: kvm and kvm_pvm, no vmx flag. */
    decide("pvm_host", (struct kvm_host_facts){ .modules_known = true, .pvm_module = true, .cpuinfo_known = true },
           false, "kvm_pvm");
    /* kvm_pvm decides even beside a vendor module and a flag. */
    decide("pvm_beside_intel",
           (struct kvm_host_facts){ .modules_known = true, .pvm_module = true, .intel_module = true,
                                    .cpuinfo_known = true, .cpu_vmx = true },
           false, "kvm_pvm");
    decide("intel_vmx",
           (struct kvm_host_facts){ .modules_known = true, .intel_module = true, .cpuinfo_known = true, .cpu_vmx = true },
           true, "VMX");
    /* The nested proof: kvm_amd in a QEMU guest whose CPU shows svm. */
    decide("amd_svm",
           (struct kvm_host_facts){ .modules_known = true, .amd_module = true, .cpuinfo_known = true, .cpu_svm = true },
           true, "SVM");
    decide("intel_module_without_flag",
           (struct kvm_host_facts){ .modules_known = true, .intel_module = true, .cpuinfo_known = true },
           false, "no vmx/svm flag");
    decide("amd_module_with_vmx_only",
           (struct kvm_host_facts){ .modules_known = true, .amd_module = true, .cpuinfo_known = true, .cpu_vmx = true },
           false, "no vmx/svm flag");
    decide("no_vendor_module",
           (struct kvm_host_facts){ .modules_known = true, .cpuinfo_known = true, .cpu_vmx = true },
           false, "neither kvm_intel nor kvm_amd");
    decide("no_sysfs_vmx", (struct kvm_host_facts){ .cpuinfo_known = true, .cpu_vmx = true }, true, "VMX");
    decide("no_sysfs_svm", (struct kvm_host_facts){ .cpuinfo_known = true, .cpu_svm = true }, true, "SVM");
    decide("no_sysfs_no_flag", (struct kvm_host_facts){ .cpuinfo_known = true }, false, "no vmx/svm CPU flag");
    decide("nothing_known", (struct kvm_host_facts){ 0 }, false, "no vmx/svm CPU flag");

    /* Reading the facts from a fake root. */
    snprintf(root, sizeof root, "/tmp/openhv-native-XXXXXX");
    if (mkdtemp(root) == NULL) {
        test_result("fake_root", false, "mkdtemp failed");
        return test_exit();
    }
    struct kvm_host_facts f;
    kvm_host_facts_read(root, &f);
    CHECK("read_empty_root", !f.modules_known && !f.cpuinfo_known && !f.pvm_module && !f.cpu_vmx);

    dir("/sys");
    dir("/sys/module");
    dir("/sys/module/kvm");
    dir("/sys/module/kvm_pvm");
    dir("/proc");
    put("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n"
                         "flags\t\t: fpu vme de pse tsc msr pae hypervisor vmxnot svm_like\n"
                         "processor\t: 1\nflags\t\t: fpu vmx\n");
    kvm_host_facts_read(root, &f);
    CHECK("read_pvm_module", f.modules_known && f.pvm_module && !f.intel_module && !f.amd_module);
    /* Only whole words of the first CPU's flags count. */
    CHECK("read_flags_whole_words", f.cpuinfo_known && !f.cpu_vmx && !f.cpu_svm);
    const char *why = NULL;
    CHECK("read_pvm_not_native", !kvm_host_native(&f, &why));

    char pvm[128];
    snprintf(pvm, sizeof pvm, "%s/sys/module/kvm_pvm", root);
    rmdir(pvm);
    dir("/sys/module/kvm_amd");
    put("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu svm lm\n");
    kvm_host_facts_read(root, &f);
    CHECK("read_amd_svm", f.amd_module && f.cpu_svm && !f.pvm_module && !f.cpu_vmx);
    CHECK("read_amd_native", kvm_host_native(&f, &why));

    put("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vmx\n");
    kvm_host_facts_read(root, &f);
    CHECK("read_flag_at_line_end", f.cpu_vmx);
    rm_tree();
    return test_exit();
}
