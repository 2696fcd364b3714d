/*
 * hvrun: a minimal virtual machine monitor on the Hypervisor.framework API.
 * One file per concern: loader, guest memory, I/O bus and its devices
 * (uart, exit port), CPUID, MSRs, exit handling, statistics.
 */
#ifndef OPENHV_HVRUN_H
#define OPENHV_HVRUN_H

#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_mode.h"

/* OpenHV's own diagnostics (backend name, instruction counts), when built
 * against OpenHV rather than Apple's framework. */
#if defined(__has_include)
#if __has_include(<Hypervisor/openhv.h>)
#include <Hypervisor/openhv.h>
#define HVRUN_HAVE_OPENHV_H 1
#endif
#endif

#define HVRUN_MAX_CPUS 16
#define HVRUN_MAX_DRIVES 4

/* Guest-physical layout below 1 MiB (documented in docs/notes/hvrun.md). */
enum {
    LAYOUT_MBI = 0x1000,        /* multiboot info, mmap and command line */
    LAYOUT_MBI_END = 0x2000,
    LAYOUT_REAL_STACK = 0x7c00, /* real mode: 256-byte stacks below the image */
    LAYOUT_REAL_LOAD = 0x7c00,  /* default load address of real-mode images */
    LAYOUT_SCRATCH = 0x60000,   /* 64 KiB: GDT, TSS, page tables (guest_mode) */
    LAYOUT_STACKS = 0x70000,    /* 64 KiB: one 4 KiB stack per vCPU, top down */
    LAYOUT_STACKS_END = 0x80000,
    LAYOUT_EBDA = 0x9fc00,      /* Linux: reserved from here to the ACPI tables */
    LAYOUT_ACPI = 0xe0000,      /* ACPI tables, RSDP first (acpi.c) */
    LAYOUT_ACPI_END = 0xf0000,
    LAYOUT_FLAT_LOAD = 0x100000,
};

/* Fixed I/O ports the ACPI tables describe. */
enum {
    ACPI_PM_BASE = 0x600, ACPI_PM_LEN = 12, ACPI_PM_EVT = 0, ACPI_PM_CNT = 4, ACPI_PM_TMR = 8,
    ACPI_PM_S5_TYPE = 5,        /* \_S5's SLP_TYP: the power-off value */
    I8042_COMMAND_PORT = 0x64, I8042_RESET_VALUE = 0xfe,
};

/* hvrun's exit statuses besides the guest's own (port 0xf4). */
enum {
    STATUS_OK = 0,
    STATUS_ERROR = 1,          /* usage, load, API failure, fatal guest exit */
    STATUS_MSR_STOP = 2,       /* unhandled MSR with --msr=stop */
    STATUS_EPT_VIOLATION = 3,
    STATUS_TRIPLE_FAULT = 4,
    STATUS_RESET = 5,          /* the guest reset the machine (8042 pulse) */
};

enum msr_policy { MSR_POLICY_GP, MSR_POLICY_STOP };

struct options {
    const char *image;         /* or -kernel's bzImage */
    const char *initrd, *append;
    bool linux_kernel;         /* -kernel: boot with the Linux boot protocol */
    const char *backend;
    const char *cmdline;
    uint64_t load_addr;
    bool load_set;
    uint64_t entry;
    bool entry_set;
    enum guest_mode mode;
    bool mode_set;
    uint64_t mem_mib;
    unsigned cpus;
    bool trace, stats;
    enum msr_policy msr_policy;
    struct drive_option {
        const char *path;
        bool readonly;
    } drives[HVRUN_MAX_DRIVES];     /* -drive / -disk: virtio block devices */
    unsigned ndrives;
    bool virtio_console;       /* -console virtio: stdin/stdout on hvc0 */
};

/* What the loader decided: where and how every vCPU starts. */
struct boot {
    enum guest_mode mode;
    uint64_t entry;
    uint64_t rax, rbx;         /* multiboot handoff (0 otherwise) */
    const char *format;        /* "flat", "elf64", "elf32", "multiboot", "bzImage" */
    uint64_t linux_zero_page;  /* bzImage: boot_params */
};

struct guest {
    uint8_t *ram;
    uint64_t ram_size;
};

#define EXIT_REASON_COUNT 80

struct machine;

struct vcpu {
    struct machine *m;
    unsigned index;
    hv_vcpuid_t id;
    bool alive;                /* created and not yet destroyed */
    pthread_t thread;
    uint64_t apic_base, mtrr_def_type;
    uint64_t exits[EXIT_REASON_COUNT + 1];   /* last slot: out of range */
    char trace[128];           /* --trace: the handler's details of this exit */
    uint64_t instructions;     /* guest instructions retired, if known */
    uint64_t blocks_decoded, block_lookups, translated_returns; /* the emulator's block cache */
    uint64_t exec_ns;          /* guest execution time (hv_vcpu_get_exec_time) */
    bool have_instructions;
    uint64_t engine_ns[2];     /* on the emulator / on KVM, if known */
    enum { AP_WAITING, AP_INIT, AP_STARTED } ap_state; /* Linux APs: INIT/SIPI */
    uint64_t ap_rip;           /* the SIPI's start address */
};

struct machine {
    struct options opt;
    struct guest mem;
    struct boot boot;
    struct vcpu vcpu[HVRUN_MAX_CPUS];
    pthread_barrier_t ready;   /* every vCPU set up before any runs */
    pthread_mutex_t lock;      /* alive flags for kicks, the exit status */
    pthread_cond_t turn;       /* vCPUs are created in index order */
    unsigned created, running;
    bool irqchip;              /* the library's interrupt controllers (HV_VM_ACCEL_APIC) */
    atomic_bool stopping;
    int status;                /* -1 until someone decides */
};

/* main.c */
void machine_stop(struct machine *m, int status);

/* loader.c: load opt.image into guest RAM; fills m->boot. */
int load_image(struct machine *m);

/* guest_mem.c: guest-physical and guest-linear access. */
void *hvrun_gpa_ptr(const struct guest *g, uint64_t gpa, uint64_t len);
/* Translate a linear address with the vCPU's current paging mode. */
bool hvrun_gva_to_gpa(const struct guest *g, hv_vcpuid_t vcpu, uint64_t gva, uint64_t *gpa);
bool guest_read_linear(const struct guest *g, hv_vcpuid_t vcpu, uint64_t gva, void *buf, size_t len);
bool guest_write_linear(const struct guest *g, hv_vcpuid_t vcpu, uint64_t gva, const void *buf, size_t len);

/* iobus.c: port I/O dispatch and the string-I/O exit. */
struct io_device {
    const char *name;
    uint16_t base, len;
    /* Added to the offset the handlers get: ports of one device that lie
     * apart (the 8042's 0x60 and 0x64) share handlers through it. */
    uint16_t offset;
    uint32_t (*read)(struct machine *m, uint16_t offset, unsigned size);
    void (*write)(struct machine *m, uint16_t offset, unsigned size, uint32_t value);
};
uint32_t hvrun_io_read(struct machine *m, uint16_t port, unsigned size);
void hvrun_io_write(struct machine *m, uint16_t port, unsigned size, uint32_t value);
/* Handles a VMX_REASON_IO exit; false: the vCPU must stop. */
bool hvrun_handle_io(struct machine *m, struct vcpu *v, uint64_t qual);

/* One file per device. */
extern const struct io_device uart_device;
extern const struct io_device exit_port_device;
extern const struct io_device pit_device, pit_port_b_device;
extern const struct io_device rtc_device;
extern const struct io_device i8042_data_device, i8042_cmd_device;
extern const struct io_device acpi_pm_device;
extern const struct io_device atpic_master_device, atpic_slave_device, atpic_elcr_device;
extern const struct io_device pci_config_device;
void uart_flush_output(void);
/* -console virtio: stdin belongs to the virtio console, the UART only writes. */
void uart_disable_input(void);
/* Threads of devices that raise interrupts on their own. */
void uart_start_input(struct machine *m);
void uart_stop_input(void);
void pit_start(struct machine *m);
void pit_stop(void);

/* irq.c: ISA interrupt lines into the in-kernel 8259s and IOAPIC. */
void hvrun_irq_set(struct machine *m, unsigned irq, bool level);
void hvrun_irq_pulse(struct machine *m, unsigned irq);
/* A level-triggered PCI line: an IOAPIC pin (GSI) with no 8259 behind it. */
void hvrun_irq_set_gsi(struct machine *m, unsigned gsi, bool level);

/* pci.c: bus 0 (configuration mechanism #1), one I/O BAR per device. */
#define PCI_SLOTS 8            /* the host bridge and up to 7 devices */
#define PCI_BAR_SIZE_MAX 0x100
struct pci_function {
    const char *name;          /* --trace names its BAR's ports with it */
    uint16_t vendor, device, subsys_vendor, subsys_id;
    uint32_t class_code;       /* class, subclass, programming interface */
    uint16_t bar0_size;        /* I/O BAR 0: a power of two up to PCI_BAR_SIZE_MAX */
    void *ctx;
    uint32_t (*bar_read)(void *ctx, uint16_t offset, unsigned size);
    void (*bar_write)(void *ctx, uint16_t offset, unsigned size, uint32_t value);
    /* pci.c's own */
    unsigned slot;
    uint16_t bar0;
    uint8_t cfg[256];
};
/* Puts the function in the next free slot; -1 if none is left. */
int pci_register(struct pci_function *f);
unsigned pci_slot_gsi(unsigned slot);
/* Port I/O for BARs: false when no enabled BAR holds the port. */
bool pci_io_read(uint16_t port, unsigned size, uint32_t *value);
bool pci_io_write(uint16_t port, unsigned size, uint32_t value);
const char *pci_io_name(uint16_t port); /* NULL: no BAR holds the port */
/* Slots in use, the host bridge included; 0 when no device was registered. */
unsigned pci_count(void);

/* Virtio devices (virtio_blk.c, virtio_console.c); 0 or -1 with a message. */
int virtio_blk_create(struct machine *m, const char *path, bool readonly);
int virtio_console_create(struct machine *m);
void virtio_console_start(struct machine *m);
void virtio_console_stop(void);

/* linux.c: the Linux boot protocol (bzImage, 64-bit entry). */
bool linux_is_bzimage(const uint8_t *data, size_t size);
bool linux_load(struct machine *m, const uint8_t *data, size_t size);
hv_return_t linux_setup_boot_vcpu(struct machine *m, hv_vcpuid_t vcpu);

/* smp.c: the framework's APIC exits (INIT/SIPI and the like) and APs. */
bool smp_handle_exit_info(struct machine *m, struct vcpu *v, hv_vm_exitinfo_t info);
hv_return_t smp_wait_for_sipi(struct machine *m, struct vcpu *v);
void smp_stop(struct machine *m); /* with m->lock held */

/* acpi.c: builds the ACPI tables; returns the RSDP's address. */
uint64_t acpi_build(const struct machine *m);
/* acpi_pci.c: the DSDT's PCI root bridge; 0 bytes when there is no device. */
size_t acpi_pci_aml(uint8_t *out, size_t cap);

/* cpuid.c: answer a CPUID exit. */
void cpuid_answer(const struct machine *m, const struct vcpu *v, uint32_t leaf, uint32_t subleaf,
                  uint32_t out[4]);
/* cpuid.c: whether an MSR lies in the range of the other vendor than the
 * guest's CPUID says (absent: #GP, as on that hardware). */
bool cpuid_msr_of_other_vendor(const struct vcpu *v, uint32_t index);

/* msr.c: false if the MSR is not one hvrun answers (or the write is refused). */
bool hvrun_msr_read(struct machine *m, struct vcpu *v, uint32_t index, uint64_t *value);
bool hvrun_msr_write(struct machine *m, struct vcpu *v, uint32_t index, uint64_t value);
/* EFER with LMA derived from LME and CR0.PG, written with the IA-32e entry control. */
hv_return_t hvrun_set_efer(hv_vcpuid_t vcpu, uint64_t efer, uint64_t cr0);
/* IA32_APIC_BASE at reset: enabled at 0xfee00000, BSP flag on vCPU 0. */
uint64_t msr_apic_base_reset(unsigned index);
/* The native MSRs every vCPU gets (hvf-api.md 5.1). */
hv_return_t enable_native_msrs(hv_vcpuid_t vcpu);

/* exits.c */
const char *exit_reason_name(uint32_t reason);
/* Handle the exit the vCPU just took; false: stop this vCPU. */
bool hvrun_handle_exit(struct machine *m, struct vcpu *v);
/* Small register helpers that report failures. */
uint64_t hvrun_reg_get(hv_vcpuid_t vcpu, hv_x86_reg_t reg);
void hvrun_reg_set(hv_vcpuid_t vcpu, hv_x86_reg_t reg, uint64_t value);
uint64_t hvrun_vmcs_get(hv_vcpuid_t vcpu, uint32_t field);
void hvrun_vmcs_set(hv_vcpuid_t vcpu, uint32_t field, uint64_t value);
void hvrun_advance_rip(hv_vcpuid_t vcpu);
void hvrun_inject_gp(hv_vcpuid_t vcpu);

/* stats.c: collect on the vCPU's thread before it is destroyed. */
void stats_collect(struct vcpu *v);
void stats_print(const struct machine *m, double wall_seconds);

#endif
