/*
 * Robustness: random code, random IDTs and random registers in every mode
 * must only ever produce VM exits the client can handle, never a crash, a
 * hang or an error from hv_vcpu_run_until.  Deterministic (fixed seed), and
 * short: each run has a 2 ms deadline.
 */
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "guest_mode.h"

#define RAM_SIZE (4u << 20)
#define ITERATIONS 400u

static uint64_t seed = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

/* Code bytes biased towards prefixes and the 0F escape, so that system
 * instructions are reached often. */
static uint8_t code_byte(void)
{
    static const uint8_t special[] = { 0x66, 0x67, 0xf2, 0xf3, 0x48, 0x41, 0x26, 0x2e,
                                       0x36, 0x3e, 0x64, 0x65, 0xf0, 0x0f, 0x0f, 0x0f };
    uint64_t q = rnd();
    return (q & 3) == 0 ? special[(q >> 8) & 15] : (uint8_t)(q >> 16);
}

static bool known_reason(uint64_t r)
{
    if (r == (VMX_REASON_VMENTRY_GUEST | 0x80000000u))
        return true;
    switch (r) {
    case VMX_REASON_EXC_NMI: case VMX_REASON_IRQ: case VMX_REASON_TRIPLE_FAULT:
    case VMX_REASON_IRQ_WND: case VMX_REASON_CPUID: case VMX_REASON_HLT: case VMX_REASON_INVD:
    case VMX_REASON_INVLPG: case VMX_REASON_RDPMC: case VMX_REASON_RDTSC: case VMX_REASON_VMCALL:
    case VMX_REASON_VMCLEAR: case VMX_REASON_VMLAUNCH: case VMX_REASON_VMPTRLD:
    case VMX_REASON_VMPTRST: case VMX_REASON_VMREAD: case VMX_REASON_VMRESUME:
    case VMX_REASON_VMWRITE: case VMX_REASON_VMOFF: case VMX_REASON_VMON: case VMX_REASON_MOV_CR:
    case VMX_REASON_MOV_DR: case VMX_REASON_IO: case VMX_REASON_RDMSR: case VMX_REASON_WRMSR:
    case VMX_REASON_MWAIT: case VMX_REASON_MONITOR: case VMX_REASON_PAUSE:
    case VMX_REASON_GDTR_IDTR: case VMX_REASON_LDTR_TR: case VMX_REASON_EPT_VIOLATION:
    case VMX_REASON_RDTSCP: case VMX_REASON_VMX_TIMER_EXPIRED: case VMX_REASON_WBINVD:
    case VMX_REASON_XSETBV: case VMX_REASON_RDRAND: case VMX_REASON_RDSEED:
    case VMX_REASON_GETSEC: case VMX_REASON_EPT_INVEPT: case VMX_REASON_INVVPID:
    case VMX_REASON_INVPCID:
        return true;
    default:
        return false;
    }
}

int main(void)
{
    setenv("OPENHV_BACKEND", "emu", 0);
    uint8_t *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ram == MAP_FAILED || hv_vm_create(HV_VM_DEFAULT) != HV_SUCCESS ||
        hv_vm_map(ram, 0, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC) != HV_SUCCESS) {
        printf("FAIL emu_robust_setup: VM\n");
        return 1;
    }
    unsigned runs = 0;
    for (unsigned it = 0; it < ITERATIONS; it++) {
        hv_vcpuid_t v;
        if (hv_vcpu_create(&v, HV_VCPU_DEFAULT) != HV_SUCCESS) {
            printf("FAIL emu_robust_random_code: vcpu create\n");
            return 1;
        }
        struct guest_layout l = { .entry = 0x1000, .stack = 0x8000, .scratch = 0x100000,
                                  .scratch_hva = ram + 0x100000 };
        guest_mode_setup(v, (enum guest_mode)(rnd() % 6), &l);
        for (unsigned i = 0; i < 0x1000; i++) {
            ram[0x1000 + i] = code_byte();
            ram[0x9000 + i] = (uint8_t)rnd();
        }
        hv_vmx_vcpu_write_vmcs(v, VMCS_GUEST_IDTR_BASE, 0x9000);
        hv_vmx_vcpu_write_vmcs(v, VMCS_GUEST_IDTR_LIMIT, rnd() & 0xfff);
        hv_vmx_vcpu_write_vmcs(v, VMCS_CTRL_EXC_BITMAP, (uint32_t)rnd());
        for (unsigned r = 0; r < 16; r++)
            hv_vcpu_write_register(v, (hv_x86_reg_t)(HV_X86_RAX + r), (rnd() & 1) ? rnd() & 0x3fffff : rnd());
        hv_vcpu_write_register(v, HV_X86_RSP, 0x8000);
        for (unsigned k = 0; k < 3; k++) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            uint64_t deadline = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + 2000000ull;
            hv_return_t err = hv_vcpu_run_until(v, deadline);
            uint64_t reason = 0, len = 0, rip = 0;
            hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason);
            hv_vmx_vcpu_read_vmcs(v, VMCS_RO_VMEXIT_INSTR_LEN, &len);
            hv_vcpu_read_register(v, HV_X86_RIP, &rip);
            runs++;
            if (err != HV_SUCCESS || !known_reason(reason) || len > 15) {
                printf("FAIL emu_robust_random_code: iteration %u run %u: err 0x%x reason 0x%llx len %llu\n",
                       it, k, (unsigned)err, (unsigned long long)reason, (unsigned long long)len);
                return 1;
            }
            if ((reason & 0x80000000u) || reason == VMX_REASON_TRIPLE_FAULT)
                break;
            /* Move on like a client: past the instruction, or one byte. */
            hv_vcpu_write_register(v, HV_X86_RIP, rip + (len ? len : 1));
        }
        hv_vcpu_destroy(v);
    }
    hv_vm_unmap(0, RAM_SIZE);
    hv_vm_destroy();
    printf("PASS emu_robust_random_code (%u runs)\n", runs);
    return 0;
}
