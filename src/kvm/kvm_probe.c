/*
 * What this host's KVM does.  Where does RIP stand after a userspace exit?  Upstream KVM leaves it on
 * an OUT and advances past HLT and MMIO writes; other hosts (a PVM host
 * advances past OUT too) differ.  Rather than guess per exit, a scratch VM
 * runs each instruction once per process and the answers steer the rewind
 * in kvm_exit.c.  Two more answers steer kvm_run.c: whether an open
 * interrupt window is reported at once (request_interrupt_window), and
 * whether guests with 32-bit or PAE paging run at all (a PVM host shuts
 * them down at the first instruction).
 */
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm_internal.h"

#define PROBE_CODE 0x1000u
#define PROBE_RAM 0x8000u          /* RAM below, nothing at 0x9000 */

static struct kvm_quirks probed;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int probe_sys_fd = -1;

/* Run `code` in real mode at PROBE_CODE; the RIP after the first exit of
 * kind `exit_reason`, or 0. */
static uint64_t rip_after(int vcpu, struct kvm_run *run, uint8_t *ram, const uint8_t *code,
                          size_t len, uint32_t exit_reason)
{
    memset(ram + PROBE_CODE, 0xf4, 16);
    memcpy(ram + PROBE_CODE, code, len);
    struct kvm_sregs s;
    if (ioctl(vcpu, KVM_GET_SREGS, &s) != 0)
        return 0;
    s.cs.base = 0;
    s.cs.selector = 0;
    s.ds.base = 0;
    s.ds.selector = 0;
    struct kvm_regs r = { .rip = PROBE_CODE, .rflags = 2, .rdx = 0x10 };
    if (ioctl(vcpu, KVM_SET_SREGS, &s) != 0 || ioctl(vcpu, KVM_SET_REGS, &r) != 0)
        return 0;
    run->immediate_exit = 0;
    if (ioctl(vcpu, KVM_RUN, 0) != 0 || run->exit_reason != exit_reason)
        return 0;
    if (ioctl(vcpu, KVM_GET_REGS, &r) != 0)
        return 0;
    uint64_t rip = r.rip;
    /* Finish whatever KVM keeps pending before the next probe. */
    run->immediate_exit = 1;
    ioctl(vcpu, KVM_RUN, 0);
    run->immediate_exit = 0;
    return rip;
}

/* Whether an OUTS exit already shows RSI past the elements it sends. */
static bool outs_advanced(int vcpu, struct kvm_run *run, uint8_t *ram)
{
    static const uint8_t rep_outsb[] = { 0xf3, 0x6e };
    memset(ram + PROBE_CODE, 0xf4, 16);
    memcpy(ram + PROBE_CODE, rep_outsb, sizeof rep_outsb);
    struct kvm_sregs s;
    if (ioctl(vcpu, KVM_GET_SREGS, &s) != 0)
        return false;
    s.cs.base = 0;
    s.cs.selector = 0;
    s.ds.base = 0;
    s.ds.selector = 0;
    struct kvm_regs r = { .rip = PROBE_CODE, .rflags = 2, .rdx = 0x10, .rcx = 2, .rsi = 0x2000 };
    if (ioctl(vcpu, KVM_SET_SREGS, &s) != 0 || ioctl(vcpu, KVM_SET_REGS, &r) != 0)
        return false;
    kvm_set_immediate_exit(run, 0);
    if (ioctl(vcpu, KVM_RUN, 0) != 0 || run->exit_reason != KVM_EXIT_IO || ioctl(vcpu, KVM_GET_REGS, &r) != 0)
        return false;
    bool advanced = r.rsi != 0x2000;
    kvm_set_immediate_exit(run, 1);
    ioctl(vcpu, KVM_RUN, 0);
    kvm_set_immediate_exit(run, 0);
    return advanced;
}

/* A flat 32-bit segment for the paging probes. */
static struct kvm_segment flat(uint16_t sel, uint8_t type)
{
    return (struct kvm_segment){ .base = 0, .limit = 0xffffffffu, .selector = sel, .type = type,
                                 .present = 1, .s = 1, .db = 1, .g = 1 };
}

/* Whether a guest with 32-bit (pae false) or PAE paging runs to a HLT. */
static bool paging_runs(int vcpu, struct kvm_run *run, uint8_t *ram, bool pae)
{
    enum { PD = 0x2000, PDPT = 0x3000 };
    memset(ram + PD, 0, 0x2000);
    ram[PROBE_CODE] = 0xf4;
    uint64_t pde = 0x83;                       /* P|RW|PS at 0 */
    memcpy(ram + PD, &pde, pae ? 8 : 4);
    uint64_t pdpte = PD | 1;
    memcpy(ram + PDPT, &pdpte, 8);
    struct kvm_sregs s;
    if (ioctl(vcpu, KVM_GET_SREGS, &s) != 0)
        return false;
    s.cs = flat(8, 11);
    s.ds = s.es = s.ss = s.fs = s.gs = flat(16, 3);
    s.cr0 = 0x80000031u;                       /* PG|NE|ET|PE */
    s.cr4 = pae ? 0x20 : 0x10;                 /* PAE or PSE */
    s.cr3 = pae ? PDPT : PD;
    s.efer = 0;
    struct kvm_regs r = { .rip = PROBE_CODE, .rflags = 2 };
    if (ioctl(vcpu, KVM_SET_SREGS, &s) != 0 || ioctl(vcpu, KVM_SET_REGS, &r) != 0)
        return false;
    run->immediate_exit = 0;
    return ioctl(vcpu, KVM_RUN, 0) == 0 && run->exit_reason == KVM_EXIT_HLT;
}

/* Whether KVM reports an open interrupt window right away. */
static bool window_exits(int vcpu, struct kvm_run *run, uint8_t *ram)
{
    ram[PROBE_CODE] = 0xf4;
    struct kvm_sregs s;
    if (ioctl(vcpu, KVM_GET_SREGS, &s) != 0)
        return false;
    s.cs.base = 0;
    s.cs.selector = 0;
    struct kvm_regs r = { .rip = PROBE_CODE, .rflags = 0x202 };
    if (ioctl(vcpu, KVM_SET_SREGS, &s) != 0 || ioctl(vcpu, KVM_SET_REGS, &r) != 0)
        return false;
    run->request_interrupt_window = 1;
    run->immediate_exit = 0;
    bool ok = ioctl(vcpu, KVM_RUN, 0) == 0 && run->exit_reason == KVM_EXIT_IRQ_WINDOW_OPEN;
    run->request_interrupt_window = 0;
    return ok;
}

static void probe(void)
{
    /* Upstream behaviour, if the probe cannot run. */
    probed = (struct kvm_quirks){ .probed = false, .out_rip_past = false,
                                  .mmio_write_rip_past = true, .hlt_rip_past = true,
                                  .irq_window_exits = true, .legacy_paging = true,
                                  .outs_advanced = false };
    int vm = ioctl(probe_sys_fd, KVM_CREATE_VM, 0);
    if (vm < 0)
        return;
    int run_size = ioctl(probe_sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    uint8_t *ram = mmap(NULL, PROBE_RAM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int vcpu = -1;
    struct kvm_run *run = MAP_FAILED;
    if (ram != MAP_FAILED && run_size > 0) {
        struct kvm_userspace_memory_region region = {
            .slot = 0, .guest_phys_addr = 0, .memory_size = PROBE_RAM, .userspace_addr = (uintptr_t)ram,
        };
        if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) == 0)
            vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
        if (vcpu >= 0)
            run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    }
    if (run != MAP_FAILED) {
        static const uint8_t out_dx[] = { 0xee };               /* out dx, al */
        static const uint8_t mov_moffs[] = { 0xa2, 0x00, 0x90 }; /* mov [0x9000], al */
        static const uint8_t hlt[] = { 0xf4 };
        uint64_t out = rip_after(vcpu, run, ram, out_dx, sizeof out_dx, KVM_EXIT_IO);
        uint64_t mmio = rip_after(vcpu, run, ram, mov_moffs, sizeof mov_moffs, KVM_EXIT_MMIO);
        uint64_t halt = rip_after(vcpu, run, ram, hlt, sizeof hlt, KVM_EXIT_HLT);
        probed.outs_advanced = outs_advanced(vcpu, run, ram);
        probed.irq_window_exits = window_exits(vcpu, run, ram);
        /* The paging probes go last: they leave the vCPU in protected mode. */
        probed.legacy_paging = paging_runs(vcpu, run, ram, false) && paging_runs(vcpu, run, ram, true);
        if (out != 0 && mmio != 0 && halt != 0) {
            probed.probed = true;
            probed.out_rip_past = out == PROBE_CODE + sizeof out_dx;
            probed.mmio_write_rip_past = mmio == PROBE_CODE + sizeof mov_moffs;
            probed.hlt_rip_past = halt == PROBE_CODE + sizeof hlt;
        }
        munmap(run, (size_t)run_size);
    }
    if (vcpu >= 0)
        close(vcpu);
    if (ram != MAP_FAILED)
        munmap(ram, PROBE_RAM);
    close(vm);
}

void kvm_probe_quirks(int sys_fd, struct kvm_quirks *q)
{
    probe_sys_fd = sys_fd;
    pthread_once(&probe_once, probe);
    *q = probed;
}
