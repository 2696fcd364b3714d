/*
 * hvrun: load an image, create the VM and one thread per vCPU, run until
 * the guest powers off (exit port, HLT) or something fatal happens.
 */
#include "hvrun.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { MAX_MEM_MIB = 65536, MIN_MEM_MIB = 2, DEFAULT_MEM_MIB = 64, DEFAULT_LINUX_MEM_MIB = 256,
       MAX_LINUX_MEM_MIB = 3072 /* below the 32-bit MMIO hole */ };

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hvrun [options] IMAGE\n"
            "       hvrun -kernel BZIMAGE [-initrd FILE] [-append STR] [-m MIB] [-smp N] [options]\n"
            "Runs an ELF64 (long mode), multiboot v1 or ELF32 (32-bit protected mode)\n"
            "or flat binary on the Hypervisor.framework API, or boots a Linux kernel\n"
            "on a small PC (ACPI, in-kernel APIC/IOAPIC/8259, 16550, i8254, RTC, i8042).\n"
            "  -kernel FILE    a bzImage, booted with the Linux boot protocol (64-bit entry)\n"
            "  -initrd FILE    its initramfs\n"
            "  -append STR     its command line (default \"console=ttyS0\")\n"
            "  -m MIB, -smp N  the same as --mem and --cpus (Linux: default %d MiB)\n"
            "  -drive file=IMG[,readonly=on][,if=virtio][,format=raw]\n"
            "                  a virtio block device (legacy virtio-pci) on the file, up to %d\n"
            "  -disk IMG[,ro]  the same, as kvmtool spells it (Linux: /dev/vda, vdb, ...)\n"
            "  -console serial|virtio\n"
            "                  where stdin goes: the 16550 (default) or a virtio console\n"
            "                  (Linux: hvc0); output of both goes to stdout\n"
            "  --mode MODE     flat binaries: real|prot16|prot32|paged32|pae32|long64 (default long64)\n"
            "  --load ADDR     flat binaries: load address (default 0x100000; real mode 0x7c00)\n"
            "  --entry ADDR    start address (default: ELF/multiboot entry, or the load address)\n"
            "  --mem MIB       guest RAM in MiB at guest-physical 0 (default %d)\n"
            "  --cpus N        vCPUs, one thread each, all starting at the entry with RDI=index,\n"
            "                  RSI=N (default 1, at most %d)\n"
            "  --cmdline STR   multiboot command line (default: the image path)\n"
            "  --msr=gp|stop   unhandled RDMSR/WRMSR: inject #GP (default) or stop with status 2\n"
            "  --backend NAME  OpenHV backend (sets OPENHV_BACKEND: auto, emu, kvm)\n"
            "  --trace         one line per VM exit on stderr\n"
            "  --stats         exit counts, wall time and (where available) MIPS on stderr\n"
            "Exit status: the value written to port 0xf4, 0 when every vCPU halted,\n"
            "1 error, 2 unhandled MSR (--msr=stop), 3 EPT violation, 4 triple fault.\n",
            DEFAULT_LINUX_MEM_MIB, HVRUN_MAX_DRIVES, DEFAULT_MEM_MIB, HVRUN_MAX_CPUS);
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (s == NULL || *s == '\0' || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 0);
    *out = v;
    return *end == '\0';
}

/* -drive's comma-separated key=value list, or -disk's PATH[,ro]. */
static bool parse_drive(struct options *o, const char *spec, bool kvmtool)
{
    if (o->ndrives >= HVRUN_MAX_DRIVES)
        return false;
    struct drive_option d = {0};
    char *copy = strdup(spec), *save = NULL;
    if (copy == NULL)
        return false;
    bool ok = true;
    for (char *item = strtok_r(copy, ",", &save); item != NULL && ok; item = strtok_r(NULL, ",", &save)) {
        if (kvmtool && d.path == NULL)
            d.path = item;
        else if (kvmtool)
            ok = d.readonly = strcmp(item, "ro") == 0;
        else if (strncmp(item, "file=", 5) == 0 && item[5] != '\0')
            d.path = item + 5;
        else if (strcmp(item, "readonly=on") == 0 || strcmp(item, "readonly=off") == 0)
            d.readonly = strcmp(item, "readonly=on") == 0;
        else
            ok = strcmp(item, "if=virtio") == 0 || strcmp(item, "format=raw") == 0;
    }
    if (!ok || d.path == NULL) {
        free(copy);
        return false;
    }
    o->drives[o->ndrives++] = d;     /* copy stays allocated: d.path points into it */
    return true;
}

static bool parse_mode(const char *s, enum guest_mode *mode)
{
    for (int i = GUEST_REAL; i <= GUEST_LONG64; i++) {
        if (strcmp(s, guest_mode_name((enum guest_mode)i)) == 0) {
            *mode = (enum guest_mode)i;
            return true;
        }
    }
    return false;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    enum { OPT_MODE = 256, OPT_LOAD, OPT_ENTRY, OPT_MEM, OPT_CPUS, OPT_CMDLINE, OPT_MSR,
           OPT_BACKEND, OPT_TRACE, OPT_STATS, OPT_HELP, OPT_KERNEL, OPT_INITRD, OPT_APPEND,
           OPT_DRIVE, OPT_DISK, OPT_CONSOLE };
    static const struct option longopts[] = {
        {"mode", required_argument, NULL, OPT_MODE}, {"load", required_argument, NULL, OPT_LOAD},
        {"entry", required_argument, NULL, OPT_ENTRY}, {"mem", required_argument, NULL, OPT_MEM},
        {"cpus", required_argument, NULL, OPT_CPUS}, {"cmdline", required_argument, NULL, OPT_CMDLINE},
        {"msr", required_argument, NULL, OPT_MSR}, {"backend", required_argument, NULL, OPT_BACKEND},
        {"trace", no_argument, NULL, OPT_TRACE}, {"stats", no_argument, NULL, OPT_STATS},
        {"help", no_argument, NULL, OPT_HELP},
        /* QEMU's and kvmtool's spellings, with one dash (getopt_long_only). */
        {"kernel", required_argument, NULL, OPT_KERNEL}, {"initrd", required_argument, NULL, OPT_INITRD},
        {"append", required_argument, NULL, OPT_APPEND}, {"m", required_argument, NULL, OPT_MEM},
        {"smp", required_argument, NULL, OPT_CPUS}, {"drive", required_argument, NULL, OPT_DRIVE},
        {"disk", required_argument, NULL, OPT_DISK}, {"console", required_argument, NULL, OPT_CONSOLE},
        {NULL, 0, NULL, 0},
    };
    *o = (struct options){.mem_mib = 0, .cpus = 1, .msr_policy = MSR_POLICY_GP};
    int c;
    uint64_t n;
    while ((c = getopt_long_only(argc, argv, "", longopts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case OPT_MODE: ok = parse_mode(optarg, &o->mode), o->mode_set = true; break;
        case OPT_LOAD: ok = parse_u64(optarg, &o->load_addr), o->load_set = true; break;
        case OPT_ENTRY: ok = parse_u64(optarg, &o->entry), o->entry_set = true; break;
        case OPT_MEM:
            ok = parse_u64(optarg, &o->mem_mib) && o->mem_mib >= MIN_MEM_MIB && o->mem_mib <= MAX_MEM_MIB;
            break;
        case OPT_CPUS:
            ok = parse_u64(optarg, &n) && n >= 1 && n <= HVRUN_MAX_CPUS;
            o->cpus = (unsigned)n;
            break;
        case OPT_CMDLINE: o->cmdline = optarg; break;
        case OPT_MSR:
            ok = strcmp(optarg, "gp") == 0 || strcmp(optarg, "stop") == 0;
            o->msr_policy = strcmp(optarg, "stop") == 0 ? MSR_POLICY_STOP : MSR_POLICY_GP;
            break;
        case OPT_BACKEND: o->backend = optarg; break;
        case OPT_TRACE: o->trace = true; break;
        case OPT_STATS: o->stats = true; break;
        case OPT_KERNEL: o->image = optarg, o->linux_kernel = true; break;
        case OPT_INITRD: o->initrd = optarg; break;
        case OPT_APPEND: o->append = optarg; break;
        case OPT_DRIVE: ok = parse_drive(o, optarg, false); break;
        case OPT_DISK: ok = parse_drive(o, optarg, true); break;
        case OPT_CONSOLE:
            ok = strcmp(optarg, "serial") == 0 || strcmp(optarg, "virtio") == 0;
            o->virtio_console = strcmp(optarg, "virtio") == 0;
            break;
        case OPT_HELP: usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
        if (!ok) {
            fprintf(stderr, "hvrun: invalid value '%s'\n", optarg);
            return -1;
        }
    }
    if (o->linux_kernel ? optind != argc : optind != argc - 1) {
        usage(stderr);
        return -1;
    }
    if (!o->linux_kernel)
        o->image = argv[optind];
    if ((o->initrd || o->append) && !o->linux_kernel) {
        fprintf(stderr, "hvrun: -initrd and -append need -kernel\n");
        return -1;
    }
    if (o->mem_mib == 0)
        o->mem_mib = o->linux_kernel ? DEFAULT_LINUX_MEM_MIB : DEFAULT_MEM_MIB;
    if (o->linux_kernel && o->mem_mib > MAX_LINUX_MEM_MIB) {
        fprintf(stderr, "hvrun: -m: at most %d MiB for a Linux guest\n", MAX_LINUX_MEM_MIB);
        return -1;
    }
    return 0;
}

void machine_stop(struct machine *m, int status)
{
    pthread_mutex_lock(&m->lock);
    if (m->status < 0)
        m->status = status;
    atomic_store(&m->stopping, true);
    if (m->opt.linux_kernel)
        smp_stop(m);
    /* One at a time: a vCPU that already went away must not keep the
     * others from being kicked. */
    for (unsigned i = 0; i < m->opt.cpus; i++) {
        if (m->vcpu[i].alive) {
            hv_vcpuid_t id = m->vcpu[i].id;
            hv_vcpu_interrupt(&id, 1);
        }
    }
    pthread_mutex_unlock(&m->lock);
}

static hv_return_t setup_vcpu(struct machine *m, struct vcpu *v)
{
    hv_return_t r = enable_native_msrs(v->id);
    if (r != HV_SUCCESS)
        return r;
    v->apic_base = msr_apic_base_reset(v->index);
    if (m->opt.linux_kernel && v->index != 0)
        return HV_SUCCESS;     /* an AP: set up when its SIPI comes */
    bool real = m->boot.mode == GUEST_REAL;
    struct guest_layout layout = {
        .entry = m->boot.entry,
        .stack = real ? LAYOUT_REAL_STACK - 0x100 * v->index : LAYOUT_STACKS_END - 0x1000ull * v->index,
        .scratch = LAYOUT_SCRATCH,
        .scratch_hva = m->mem.ram + LAYOUT_SCRATCH,
    };
    r = guest_mode_setup(v->id, m->boot.mode, &layout);
    if (r != HV_SUCCESS)
        return r;
    const struct { hv_x86_reg_t reg; uint64_t value; } regs[] = {
        {HV_X86_RDI, v->index}, {HV_X86_RSI, m->opt.cpus},
        {HV_X86_RAX, m->boot.rax}, {HV_X86_RBX, m->boot.rbx},
    };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0] && r == HV_SUCCESS; i++)
        r = hv_vcpu_write_register(v->id, regs[i].reg, regs[i].value);
    if (r == HV_SUCCESS && m->opt.linux_kernel)
        r = linux_setup_boot_vcpu(m, v->id);
    return r;
}

static void run_loop(struct machine *m, struct vcpu *v)
{
    while (!atomic_load(&m->stopping)) {
        /* With in-kernel controllers the framework wants the newer call. */
        hv_return_t r = m->irqchip ? hv_vcpu_run_until(v->id, HV_DEADLINE_FOREVER) : hv_vcpu_run(v->id);
        if (r != HV_SUCCESS) {
            fprintf(stderr, "hvrun: [cpu%u] hv_vcpu_run failed: 0x%x\n", v->index, (unsigned)r);
            machine_stop(m, STATUS_ERROR);
            return;
        }
        hv_vm_exitinfo_t info = HV_VM_EXITINFO_VMX;
        if (m->irqchip && hv_vcpu_exit_info(v->id, &info) == HV_SUCCESS && info != HV_VM_EXITINFO_VMX) {
            if (!smp_handle_exit_info(m, v, info))
                return;
            if (m->opt.trace)
                fprintf(stderr, "hvrun: [cpu%u] %s\n", v->index, v->trace);
            continue;
        }
        if (!hvrun_handle_exit(m, v))
            return;
    }
}

static void *vcpu_thread(void *arg)
{
    struct vcpu *v = arg;
    struct machine *m = v->m;

    pthread_mutex_lock(&m->lock);
    while (m->created != v->index)
        pthread_cond_wait(&m->turn, &m->lock);
    hv_return_t r = hv_vcpu_create(&v->id, HV_VCPU_DEFAULT);
    v->alive = r == HV_SUCCESS;
    m->created++;
    pthread_cond_broadcast(&m->turn);
    pthread_mutex_unlock(&m->lock);

    if (r == HV_SUCCESS)
        r = setup_vcpu(m, v);
    if (r != HV_SUCCESS) {
        fprintf(stderr, "hvrun: [cpu%u] vCPU setup failed: 0x%x\n", v->index, (unsigned)r);
        machine_stop(m, STATUS_ERROR);
    }
    pthread_barrier_wait(&m->ready);
    if (r == HV_SUCCESS && m->opt.linux_kernel && v->index != 0)
        r = smp_wait_for_sipi(m, v);
    if (r == HV_SUCCESS)
        run_loop(m, v);

    pthread_mutex_lock(&m->lock);
    bool last = --m->running == 0;
    if (v->alive) {
        if (m->opt.stats)
            stats_collect(v);
        hv_vcpu_destroy(v->id);
    }
    v->alive = false;
    pthread_mutex_unlock(&m->lock);
    if (last)
        machine_stop(m, STATUS_OK);    /* every vCPU halted: power off */
    return NULL;
}

static void report_backend(void)
{
#ifdef HVRUN_HAVE_OPENHV_H
    fprintf(stderr, "hvrun: backend %s\n", openhv_backend_name());
#else
    const char *env = getenv("OPENHV_BACKEND");
    fprintf(stderr, "hvrun: backend %s (requested)\n", env ? env : "auto");
#endif
}

/* PCI devices, before the ACPI tables describe the bus. */
static int create_devices(struct machine *m)
{
    for (unsigned i = 0; i < m->opt.ndrives; i++)
        if (virtio_blk_create(m, m->opt.drives[i].path, m->opt.drives[i].readonly) != 0)
            return -1;
    if (m->opt.virtio_console) {
        if (virtio_console_create(m) != 0)
            return -1;
        uart_disable_input();
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run_machine(struct machine *m)
{
    unsigned n = m->opt.cpus;
    pthread_barrier_init(&m->ready, NULL, n);
    m->running = n;
    double start = now_seconds();
    unsigned started = 0;
    for (; started < n; started++) {
        m->vcpu[started].m = m;
        m->vcpu[started].index = started;
        if (pthread_create(&m->vcpu[started].thread, NULL, vcpu_thread, &m->vcpu[started]) != 0) {
            fprintf(stderr, "hvrun: cannot create vCPU thread %u\n", started);
            break;
        }
    }
    if (started < n) {
        /* The barrier can never fill: abandon the threads with the process. */
        fflush(stderr);
        _exit(STATUS_ERROR);
    }
    for (unsigned i = 0; i < n; i++)
        pthread_join(m->vcpu[i].thread, NULL);
    double wall = now_seconds() - start;
    pthread_barrier_destroy(&m->ready);
    if (m->opt.stats)
        stats_print(m, wall);
    return m->status < 0 ? STATUS_OK : m->status;
}

int main(int argc, char **argv)
{
    static struct machine machine = {
        .lock = PTHREAD_MUTEX_INITIALIZER, .turn = PTHREAD_COND_INITIALIZER, .status = -1,
    };
    struct machine *m = &machine;
    if (parse_options(argc, argv, &m->opt) != 0)
        return STATUS_ERROR;
    if (m->opt.backend != NULL && setenv("OPENHV_BACKEND", m->opt.backend, 1) != 0)
        return STATUS_ERROR;

    m->mem.ram_size = m->opt.mem_mib << 20;
    m->mem.ram = mmap(NULL, m->mem.ram_size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m->mem.ram == MAP_FAILED) {
        perror("hvrun: guest RAM");
        return STATUS_ERROR;
    }
    /* Huge pages where the host allows them (QEMU asks the same for guest
     * RAM): the emulator's accesses to guest memory then miss the host's
     * TLB far less (docs/notes/hvrun.md has the figures).  A
     * host without them refuses the advice, which changes nothing. */
    (void)madvise(m->mem.ram, m->mem.ram_size, MADV_HUGEPAGE);
    if (create_devices(m) != 0 || load_image(m) != 0)
        return STATUS_ERROR;

    /* A Linux guest gets the framework's interrupt controllers. */
    m->irqchip = m->opt.linux_kernel;
    hv_return_t r = hv_vm_create(m->irqchip ? HV_VM_ACCEL_APIC : HV_VM_DEFAULT);
    if (r == HV_UNSUPPORTED && m->irqchip) {
        /* Early boot still runs; the kernel stops where it first waits for a timer interrupt. */
        fprintf(stderr, "hvrun: warning: this framework has no in-kernel interrupt controllers "
                        "(HV_VM_ACCEL_APIC); the guest gets no interrupts\n");
        m->irqchip = false;
        r = hv_vm_create(HV_VM_DEFAULT);
    }
    if (r != HV_SUCCESS) {
        fprintf(stderr, "hvrun: hv_vm_create failed: 0x%x%s\n", (unsigned)r, m->irqchip ? " (HV_VM_ACCEL_APIC)" : "");
        return STATUS_ERROR;
    }
    if (m->opt.backend != NULL || m->opt.trace || m->opt.stats)
        report_backend();
    if (m->opt.trace)
        fprintf(stderr, "hvrun: %s image, %s mode, entry 0x%llx, %u vCPU(s), %llu MiB\n", m->boot.format,
                guest_mode_name(m->boot.mode), (unsigned long long)m->boot.entry, m->opt.cpus,
                (unsigned long long)m->opt.mem_mib);
    r = hv_vm_map(m->mem.ram, 0, m->mem.ram_size, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC);
    if (r != HV_SUCCESS) {
        fprintf(stderr, "hvrun: hv_vm_map failed: 0x%x\n", (unsigned)r);
        hv_vm_destroy();
        return STATUS_ERROR;
    }
    if (m->irqchip) {
        pit_start(m);
        uart_start_input(m);
    }
    virtio_console_start(m);
    int status = run_machine(m);
    virtio_console_stop();
    if (m->irqchip) {
        pit_stop();
        uart_stop_input();
    }
    hv_vm_unmap(0, m->mem.ram_size);
    hv_vm_destroy();
    munmap(m->mem.ram, m->mem.ram_size);
    return status;
}
