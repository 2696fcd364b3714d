/*
 * The emulator's machine half, end to end through the public API: paging
 * in every mode (walks, A/D bits, #PF error codes and CR2), EPT violations
 * (final access and page walk), exception delivery and the exception
 * bitmap, IDT-vectoring information, event injection, double and triple
 * faults, IRET, control-register exits and VM-entry failures.
 *
 * Guests are a few hand-assembled bytes at GPA 0x1000 (opcodes commented).
 * Runs on the emu backend (OPENHV_BACKEND=emu is set unless given).
 */
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "guest_mode.h"

#define RAM_SIZE (4u << 20)
#define ENTRY 0x1000u
#define HANDLER 0x2000u
#define STACK 0x8000u
#define IDT 0x9000u
#define SCRATCH 0x100000u
/* Offsets guest_mode.c uses in the scratch area. */
#define PML4_OR_PD32 (SCRATCH + 0x1000u)
#define PDPT (SCRATCH + 0x2000u)
#define PD (SCRATCH + 0x3000u)

static uint8_t *ram;
static hv_vcpuid_t vcpu;
static char failure[512];

#define CHECK_EQ(a, b) do {                                                       \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                          \
        if (a_ != b_) {                                                           \
            snprintf(failure, sizeof failure, "line %d: %s = 0x%llx, expected 0x%llx", \
                     __LINE__, #a, (unsigned long long)a_, (unsigned long long)b_); \
            return false;                                                         \
        }                                                                         \
    } while (0)

static uint64_t vmcs(uint32_t field)
{
    uint64_t v = 0;
    hv_vmx_vcpu_read_vmcs(vcpu, field, &v);
    return v;
}

static void set_vmcs(uint32_t field, uint64_t v)
{
    hv_vmx_vcpu_write_vmcs(vcpu, field, v);
}

static uint64_t reg(hv_x86_reg_t r)
{
    uint64_t v = 0;
    hv_vcpu_read_register(vcpu, r, &v);
    return v;
}

static void set_reg(hv_x86_reg_t r, uint64_t v)
{
    hv_vcpu_write_register(vcpu, r, v);
}

static void poke(uint64_t gpa, const void *bytes, size_t n)
{
    memcpy(ram + gpa, bytes, n);
}

static uint64_t peek64(uint64_t gpa)
{
    uint64_t v;
    memcpy(&v, ram + gpa, 8);
    return v;
}

static uint32_t peek32(uint64_t gpa)
{
    uint32_t v;
    memcpy(&v, ram + gpa, 4);
    return v;
}

static void put64(uint64_t gpa, uint64_t v)
{
    memcpy(ram + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
    memcpy(ram + gpa, &v, 4);
}

/* Run to the next exit other than a spurious IRQ, at most two seconds. */
static uint64_t run(void)
{
    for (int i = 0; i < 100; i++) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t deadline = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + 2000000000ull;
        if (hv_vcpu_run_until(vcpu, deadline) != HV_SUCCESS)
            return ~0ull;
        uint64_t r = vmcs(VMCS_RO_EXIT_REASON);
        if ((r & 0xffff) != VMX_REASON_IRQ)
            return r;
    }
    return ~0ull;
}

/* A 64-bit interrupt gate to `target` in the IDT at IDT. */
static void gate64(unsigned vector, uint64_t target)
{
    uint64_t lo = (target & 0xffff) | ((uint64_t)GUEST_SEL_CODE64 << 16) | (0x8eull << 40) |
                  ((target & 0xffff0000ull) << 32);
    put64(IDT + vector * 16, lo);
    put64(IDT + vector * 16 + 8, target >> 32);
}

static void gate32(unsigned vector, uint32_t target)
{
    uint64_t lo = (target & 0xffff) | ((uint64_t)GUEST_SEL_CODE32 << 16) | (0x8eull << 40) |
                  ((uint64_t)(target & 0xffff0000u) << 32);
    put64(IDT + vector * 8, lo);
}

static void use_idt(unsigned limit)
{
    set_vmcs(VMCS_GUEST_IDTR_BASE, IDT);
    set_vmcs(VMCS_GUEST_IDTR_LIMIT, limit);
}

static bool setup(enum guest_mode mode)
{
    memset(ram, 0, RAM_SIZE);
    if (hv_vm_create(HV_VM_DEFAULT) != HV_SUCCESS)
        return false;
    if (hv_vm_map(ram, 0, RAM_SIZE, HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC) != HV_SUCCESS)
        return false;
    if (hv_vcpu_create(&vcpu, HV_VCPU_DEFAULT) != HV_SUCCESS)
        return false;
    struct guest_layout layout = { .entry = ENTRY, .stack = STACK, .scratch = SCRATCH,
                                   .scratch_hva = ram + SCRATCH };
    return guest_mode_setup(vcpu, mode, &layout) == HV_SUCCESS;
}

static void teardown(void)
{
    hv_vcpu_destroy(vcpu);
    hv_vm_unmap(0, RAM_SIZE);
    hv_vm_destroy();
}

/* ---- Cases ------------------------------------------------------------ */

static bool real_out_imm(void)
{
    static const uint8_t code[] = { 0xb0, 0x5a, 0xe6, 0x80 };   /* mov al,0x5a; out 0x80,al */
    poke(ENTRY, code, sizeof code);
    CHECK_EQ(run(), VMX_REASON_IO);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), (0x80u << 16) | (1u << 6));
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_INSTR_LEN), 2);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 2);
    CHECK_EQ(reg(HV_X86_RAX) & 0xff, 0x5a);
    return true;
}

static bool real_int_iret(void)
{
    static const uint8_t code[] = { 0xcd, 0x21, 0xf4 };         /* int 0x21; hlt */
    static const uint8_t handler[] = { 0xbb, 0x34, 0x12, 0xcf }; /* mov bx,0x1234; iret */
    poke(ENTRY, code, sizeof code);
    poke(HANDLER, handler, sizeof handler);
    put32(0x21 * 4, HANDLER);                                    /* 0000:2000 */
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 2);
    CHECK_EQ(reg(HV_X86_RBX) & 0xffff, 0x1234);
    CHECK_EQ(reg(HV_X86_RSP), STACK);
    return true;
}

static bool long_int_not_present_vectoring(void)
{
    static const uint8_t code[] = { 0xcd, 0x30 };               /* int 0x30 */
    poke(ENTRY, code, sizeof code);
    use_idt(0xfff);
    gate64(0x30, HANDLER);
    put64(IDT + 0x30 * 16, peek64(IDT + 0x30 * 16) & ~(1ull << 47));   /* P = 0 */
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 11);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO), IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 11);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 0x30 * 8 + 2);
    CHECK_EQ(vmcs(VMCS_RO_IDT_VECTOR_INFO), IRQ_INFO_VALID | IRQ_INFO_SOFT_IRQ | 0x30);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_INSTR_LEN), 2);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    CHECK_EQ(reg(HV_X86_RSP), STACK);
    return true;
}

static bool long_int_invalid_gate_triple(void)
{
    /* A zeroed gate is an invalid type: #GP, whose zeroed gate gives #GP
     * again (#DF), whose zeroed gate ends in a triple fault. */
    static const uint8_t code[] = { 0xcd, 0x30 };               /* int 0x30 */
    poke(ENTRY, code, sizeof code);
    use_idt(0xfff);
    CHECK_EQ(run(), VMX_REASON_TRIPLE_FAULT);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    return true;
}

static bool long_int_iretq(void)
{
    static const uint8_t code[] = { 0xcd, 0x30, 0xf4 };         /* int 0x30; hlt */
    static const uint8_t handler[] = { 0x48, 0x8b, 0x04, 0x24,  /* mov rax,[rsp] */
                                       0x48, 0xcf };             /* iretq */
    poke(ENTRY, code, sizeof code);
    poke(HANDLER, handler, sizeof handler);
    use_idt(0xfff);
    gate64(0x30, HANDLER);
    set_reg(HV_X86_RSP, STACK - 8);                              /* delivery realigns to 16 */
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 2);
    CHECK_EQ(reg(HV_X86_RAX), ENTRY + 2);                        /* pushed return RIP */
    CHECK_EQ(reg(HV_X86_RSP), STACK - 8);
    CHECK_EQ(peek64(STACK - 32), STACK - 8);                     /* old RSP, frame at 0x7ff0 */
    CHECK_EQ(peek64(STACK - 24), GUEST_SEL_DATA);                /* old SS */
    return true;
}

static bool long_pf_bitmap_exit(void)
{
    static const uint8_t code[] = { 0x48, 0x8b, 0x03 };         /* mov rax,[rbx] */
    poke(ENTRY, code, sizeof code);
    set_reg(HV_X86_RBX, 0x100000000ull);                         /* PDPT[4] not present */
    set_reg(HV_X86_CR2, 0x1234);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 14);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO), IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 14);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 0);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 0x100000000ull);
    CHECK_EQ(reg(HV_X86_CR2), 0x1234);                           /* not written, as VMX */
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    /* PFEC_MASK/MATCH: with match 1 (P) a not-present fault no longer exits. */
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 0);
    set_vmcs(VMCS_CTRL_PF_ERROR_MASK, 1);
    set_vmcs(VMCS_CTRL_PF_ERROR_MATCH, 1);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, (1u << 14) | (1u << 8));
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);                         /* #PF -> #GP(limit 0) -> #DF */
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO) & 0xff, 8);
    CHECK_EQ(reg(HV_X86_CR2), 0x100000000ull);
    return true;
}

static bool long_pf_delivered(void)
{
    static const uint8_t code[] = { 0x48, 0x89, 0x03 };         /* mov [rbx],rax */
    static const uint8_t handler[] = { 0xf4 };                   /* hlt */
    poke(ENTRY, code, sizeof code);
    poke(HANDLER, handler, 1);
    use_idt(0xfff);
    gate64(14, HANDLER);
    set_reg(HV_X86_RBX, 0x100000008ull);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RIP), HANDLER);
    CHECK_EQ(reg(HV_X86_CR2), 0x100000008ull);
    CHECK_EQ(reg(HV_X86_RSP), STACK - 48);
    CHECK_EQ(peek64(STACK - 48), 2);                             /* error: write, not present */
    CHECK_EQ(peek64(STACK - 40), ENTRY);                         /* faulting RIP */
    CHECK_EQ(peek64(STACK - 32), GUEST_SEL_CODE64);
    CHECK_EQ(peek64(STACK - 16), STACK);
    CHECK_EQ(peek64(STACK - 8), GUEST_SEL_DATA);
    return true;
}

static bool long_wp_nx_rsvd(void)
{
    static const uint8_t code[] = { 0x48, 0x89, 0x03 };         /* mov [rbx],rax */
    poke(ENTRY, code, sizeof code);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 14);
    /* Read-only 2 MiB page at 2 MiB with CR0.WP: a supervisor write faults. */
    put64(PD + 8, peek64(PD + 8) & ~2ull);
    set_vmcs(VMCS_GUEST_CR0, vmcs(VMCS_GUEST_CR0) | (1u << 16));
    set_reg(HV_X86_RBX, 0x200010);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 3);                 /* P | W */
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 0x200010);
    /* Without WP the write succeeds and sets A and D. */
    set_vmcs(VMCS_GUEST_CR0, vmcs(VMCS_GUEST_CR0) & ~(1ull << 16));
    put64(PD + 8, peek64(PD + 8) & ~0x60ull);
    set_reg(HV_X86_RAX, 0x55aa);
    static const uint8_t code2[] = { 0x48, 0x89, 0x03, 0xf4 };  /* mov [rbx],rax; hlt */
    poke(ENTRY, code2, sizeof code2);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(peek64(0x200010), 0x55aa);
    CHECK_EQ(peek64(PD + 8) & 0x60, 0x60);
    CHECK_EQ(peek64(PML4_OR_PD32) & 0x20, 0x20);
    /* NX: fetch from a page with XD set and EFER.NXE. */
    set_vmcs(VMCS_GUEST_IA32_EFER, vmcs(VMCS_GUEST_IA32_EFER) | (1u << 11));
    put64(PD + 8, peek64(PD + 8) | (1ull << 63));
    set_reg(HV_X86_RIP, 0x200000);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 0x11);              /* P | I/D */
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 0x200000);
    /* A reserved bit (above MAXPHYADDR) in a PDE. */
    put64(PD + 8, (peek64(PD + 8) & ~(1ull << 63)) | (1ull << 45));
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 0x19);              /* P | RSVD | I/D */
    return true;
}

static bool ept_final_and_walk(void)
{
    static const uint8_t code[] = { 0x48, 0x8b, 0x03 };         /* mov rax,[rbx] */
    poke(ENTRY, code, sizeof code);
    set_reg(HV_X86_RBX, 0x800008);                               /* identity-mapped, not RAM */
    CHECK_EQ(run(), VMX_REASON_EPT_VIOLATION);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 0x181);                /* read, GLA valid, final */
    CHECK_EQ(vmcs(VMCS_GUEST_PHYSICAL_ADDRESS), 0x800008);
    CHECK_EQ(vmcs(VMCS_RO_GUEST_LIN_ADDR), 0x800008);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    /* A page directory outside guest RAM: the walk itself violates. */
    put64(PDPT + 24, 0x70000000ull | 3);
    set_reg(HV_X86_RBX, 0xc0000000ull);
    CHECK_EQ(run(), VMX_REASON_EPT_VIOLATION);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 0x81);                 /* read, GLA valid, walk */
    CHECK_EQ(vmcs(VMCS_GUEST_PHYSICAL_ADDRESS), 0x70000000ull);
    /* Write to a read-only mapping reports the mapping's permissions. */
    hv_vm_protect(0x300000, 0x1000, HV_MEMORY_READ);
    static const uint8_t code2[] = { 0x48, 0x89, 0x03 };        /* mov [rbx],rax */
    poke(ENTRY, code2, sizeof code2);
    set_reg(HV_X86_RBX, 0x300000);
    CHECK_EQ(run(), VMX_REASON_EPT_VIOLATION);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 0x18a);                /* write, R, GLA, final */
    return true;
}

static bool long_triple_fault(void)
{
    static const uint8_t code[] = { 0x0f, 0x0b };               /* ud2, with IDT limit 0 */
    poke(ENTRY, code, sizeof code);
    CHECK_EQ(run(), VMX_REASON_TRIPLE_FAULT);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    return true;
}

static bool long_int3_bitmap(void)
{
    static const uint8_t code[] = { 0xcc };
    poke(ENTRY, code, sizeof code);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 3);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO), IRQ_INFO_VALID | IRQ_INFO_SOFT_EXC | 3);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_INSTR_LEN), 1);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    return true;
}

static bool long_inject(void)
{
    static const uint8_t handler[] = { 0xf4 };
    poke(HANDLER, handler, 1);
    use_idt(0xfff);
    gate64(0x40, HANDLER);
    set_vmcs(VMCS_CTRL_VMENTRY_IRQ_INFO, IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | 0x40);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RIP), HANDLER);
    CHECK_EQ(peek64(STACK - 40), ENTRY);
    CHECK_EQ(vmcs(VMCS_CTRL_VMENTRY_IRQ_INFO) & IRQ_INFO_VALID, 0);
    /* A software interrupt returns past its instruction length. */
    set_reg(HV_X86_RIP, ENTRY);
    set_reg(HV_X86_RSP, STACK);
    set_vmcs(VMCS_CTRL_VMENTRY_IRQ_INFO, IRQ_INFO_VALID | IRQ_INFO_SOFT_IRQ | 0x40);
    set_vmcs(VMCS_CTRL_VMENTRY_INSTR_LEN, 2);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(peek64(STACK - 40), ENTRY + 2);
    /* An injected #PF ignores the exception bitmap; its delivery faulting
     * on a missing gate exits with vectoring information. */
    set_reg(HV_X86_RIP, ENTRY);
    set_reg(HV_X86_RSP, STACK);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, (1u << 14) | (1u << 8));
    set_vmcs(VMCS_CTRL_VMENTRY_IRQ_INFO, IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | IRQ_INFO_ERROR_VALID | 14);
    set_vmcs(VMCS_CTRL_VMENTRY_EXC_ERROR, 2);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);                         /* #PF + #NP(gate) = #DF */
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO), IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 8);
    CHECK_EQ(vmcs(VMCS_RO_IDT_VECTOR_INFO), IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 14);
    CHECK_EQ(vmcs(VMCS_RO_IDT_VECTOR_ERROR), 2);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    return true;
}

static bool long_mov_cr3_exit(void)
{
    uint64_t cap = 0;
    hv_vmx_read_capability(HV_VMX_CAP_PROCBASED, &cap);
    if (!((cap >> 32) & CPU_BASED_CR3_LOAD))
        return true;
    static const uint8_t code[] = { 0x0f, 0x22, 0xd9 };         /* mov cr3,rcx */
    poke(ENTRY, code, sizeof code);
    set_vmcs(VMCS_CTRL_CPU_BASED, vmcs(VMCS_CTRL_CPU_BASED) | CPU_BASED_CR3_LOAD);
    CHECK_EQ(run(), VMX_REASON_MOV_CR);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 3 | (1u << 8));
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_INSTR_LEN), 3);
    return true;
}

static bool entry_failure(void)
{
    set_vmcs(VMCS_GUEST_CR4, vmcs(VMCS_GUEST_CR4) & ~(1ull << 13));
    CHECK_EQ(run(), VMX_REASON_VMENTRY_GUEST | 0x80000000u);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    return true;
}

static bool paged32_pse(void)
{
    static const uint8_t code[] = { 0x89, 0x03, 0xf4 };         /* mov [ebx],eax; hlt */
    poke(ENTRY, code, sizeof code);
    set_reg(HV_X86_RBX, 0x300004);
    set_reg(HV_X86_RAX, 0xfeedbeef);
    put32(PML4_OR_PD32, peek32(PML4_OR_PD32) & ~0x60u);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(peek32(0x300004), 0xfeedbeef);
    CHECK_EQ(peek32(PML4_OR_PD32) & 0x60, 0x60);
    /* Not-present 4 MiB page: #PF with error 2 (write). */
    put32(PML4_OR_PD32 + 4, 0);
    set_reg(HV_X86_RIP, ENTRY);
    set_reg(HV_X86_RBX, 0x400000);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 14);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 2);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 0x400000);
    return true;
}

static bool pae32(void)
{
    static const uint8_t code[] = { 0x89, 0x03, 0xf4 };         /* mov [ebx],eax; hlt */
    poke(ENTRY, code, sizeof code);
    set_reg(HV_X86_RBX, 0x200004);
    set_reg(HV_X86_RAX, 0x1234abcd);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(peek32(0x200004), 0x1234abcd);
    CHECK_EQ(peek64(PD + 8) & 0x60, 0x60);
    /* Reserved bit 45 in a PDE: #PF with P|W|RSVD. */
    put64(PD + 8, peek64(PD + 8) | (1ull << 45));
    set_reg(HV_X86_RIP, ENTRY);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 14);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 0xb);
    return true;
}

static bool prot32_int_gate(void)
{
    static const uint8_t code[] = { 0xcd, 0x30, 0xf4 };         /* int 0x30; hlt */
    static const uint8_t handler[] = { 0x8b, 0x04, 0x24, 0xcf }; /* mov eax,[esp]; iretd */
    poke(ENTRY, code, sizeof code);
    poke(HANDLER, handler, sizeof handler);
    use_idt(0x7ff);
    gate32(0x30, HANDLER);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 2);
    CHECK_EQ(reg(HV_X86_RAX), ENTRY + 2);
    CHECK_EQ(reg(HV_X86_RSP), STACK);
    return true;
}

static bool prot32_io_permission(void)
{
    /* CPL 3 (code and stack DPL 3) with IOPL 0 and no I/O bitmap: #GP. */
    static const uint8_t code[] = { 0xe6, 0x80 };               /* out 0x80,al */
    poke(ENTRY, code, sizeof code);
    set_vmcs(VMCS_GUEST_SS_AR, vmcs(VMCS_GUEST_SS_AR) | (3u << 5));
    set_vmcs(VMCS_GUEST_SS, GUEST_SEL_DATA | 3);
    set_vmcs(VMCS_GUEST_CS, GUEST_SEL_CODE32 | 3);
    set_vmcs(VMCS_GUEST_CS_AR, vmcs(VMCS_GUEST_CS_AR) | (3u << 5));
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 13);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO) & 0xff, 13);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 0);
    /* IOPL 3 lets it through to the I/O exit. */
    set_reg(HV_X86_RFLAGS, 0x3002);
    CHECK_EQ(run(), VMX_REASON_IO);
    return true;
}

static uint64_t now_plus_ms(unsigned ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + ms * 1000000ull;
}

static void *kick_later(void *arg)
{
    (void)arg;
    usleep(20000);
    hv_vcpuid_t id = vcpu;
    hv_vcpu_interrupt(&id, 1);
    return NULL;
}

static bool hlt_activity_sleep_and_wake(void)
{
    static const uint8_t handler[] = { 0xf4 };
    poke(HANDLER, handler, 1);
    use_idt(0xfff);
    gate64(0x40, HANDLER);
    set_vmcs(VMCS_GUEST_ACTIVITY_STATE, 1);
    CHECK_EQ(hv_vcpu_run_until(vcpu, now_plus_ms(10)), HV_SUCCESS);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_REASON), VMX_REASON_VMX_TIMER_EXPIRED);
    CHECK_EQ(vmcs(VMCS_GUEST_ACTIVITY_STATE), 1);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    /* A kick from another thread wakes the sleeping vCPU. */
    pthread_t t;
    pthread_create(&t, NULL, kick_later, NULL);
    CHECK_EQ(hv_vcpu_run_until(vcpu, HV_DEADLINE_FOREVER), HV_SUCCESS);
    pthread_join(t, NULL);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_REASON), VMX_REASON_IRQ);
    /* An injected interrupt ends the HLT state. */
    set_vmcs(VMCS_CTRL_VMENTRY_IRQ_INFO, IRQ_INFO_VALID | IRQ_INFO_EXT_IRQ | 0x40);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RIP), HANDLER);
    CHECK_EQ(vmcs(VMCS_GUEST_ACTIVITY_STATE), 0);
    CHECK_EQ(peek64(STACK - 40), ENTRY);
    return true;
}

static bool long_lgdt_desc_exit(void)
{
    static const uint8_t code[] = { 0x0f, 0x01, 0x53, 0x10 };   /* lgdt [rbx+0x10] */
    poke(ENTRY, code, sizeof code);
    set_vmcs(VMCS_CTRL_CPU_BASED2, vmcs(VMCS_CTRL_CPU_BASED2) | CPU_BASED2_DESC_TABLE);
    CHECK_EQ(run(), VMX_REASON_GDTR_IDTR);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 0x10);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_INSTR_LEN), 4);
    /* 64-bit address size, DS, no index, base RBX, identity LGDT. */
    CHECK_EQ(vmcs(VMCS_RO_VMX_INSTR_INFO), (2u << 7) | (1u << 11) | (3u << 15) | (1u << 22) |
                                           (3u << 23) | (2u << 28));
    /* Without the control, LGDT loads the table. */
    set_vmcs(VMCS_CTRL_CPU_BASED2, vmcs(VMCS_CTRL_CPU_BASED2) & ~(uint64_t)CPU_BASED2_DESC_TABLE);
    static const uint8_t code2[] = { 0x0f, 0x01, 0x53, 0x10, 0xf4 };
    poke(ENTRY, code2, sizeof code2);
    set_reg(HV_X86_RBX, 0x3000);
    put64(0x3010, 0x12345678ull << 16 | 0x1ff);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(vmcs(VMCS_GUEST_GDTR_LIMIT), 0x1ff);
    CHECK_EQ(vmcs(VMCS_GUEST_GDTR_BASE), 0x12345678);
    return true;
}

static bool long_syscall(void)
{
    static const uint8_t code[] = { 0x0f, 0x05 };               /* syscall */
    static const uint8_t handler[] = { 0xf4 };
    poke(ENTRY, code, sizeof code);
    poke(HANDLER, handler, 1);
    hv_vcpu_enable_native_msr(vcpu, HV_MSR_IA32_LSTAR, true);
    hv_vcpu_enable_native_msr(vcpu, HV_MSR_IA32_STAR, true);
    hv_vcpu_enable_native_msr(vcpu, HV_MSR_IA32_FMASK, true);
    CHECK_EQ(hv_vcpu_write_msr(vcpu, HV_MSR_IA32_LSTAR, HANDLER), HV_SUCCESS);
    CHECK_EQ(hv_vcpu_write_msr(vcpu, HV_MSR_IA32_STAR, 0x0023000800000000ull), HV_SUCCESS);
    CHECK_EQ(hv_vcpu_write_msr(vcpu, HV_MSR_IA32_FMASK, 0x200), HV_SUCCESS);
    set_vmcs(VMCS_GUEST_IA32_EFER, vmcs(VMCS_GUEST_IA32_EFER) | 1);
    set_reg(HV_X86_RFLAGS, 0x202);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RIP), HANDLER);
    CHECK_EQ(reg(HV_X86_RCX), ENTRY + 2);
    CHECK_EQ(reg(HV_X86_R11), 0x202);
    CHECK_EQ(reg(HV_X86_RFLAGS), 0x2);
    CHECK_EQ(vmcs(VMCS_GUEST_CS), 0x08);
    CHECK_EQ(vmcs(VMCS_GUEST_SS), 0x10);
    return true;
}

static bool prot32_far_jmp_mov_ss(void)
{
    static const uint8_t code[] = { 0xea, 0x10, 0x10, 0x00, 0x00, GUEST_SEL_CODE32, 0x00 };
    static const uint8_t target[] = { 0x66, 0xb8, GUEST_SEL_DATA, 0x00,   /* mov ax,DATA */
                                      0x8e, 0xd0,                          /* mov ss,ax */
                                      0xf4 };                              /* hlt */
    poke(ENTRY, code, sizeof code);
    poke(ENTRY + 0x10, target, sizeof target);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 0x16);
    CHECK_EQ(vmcs(VMCS_GUEST_CS), GUEST_SEL_CODE32);
    /* HLT runs in the MOV-SS shadow, and the exit reports it. */
    CHECK_EQ(vmcs(VMCS_GUEST_INTERRUPTIBILITY), 2);
    /* A null SS selector is #GP(0). */
    static const uint8_t bad[] = { 0x66, 0x31, 0xc0, 0x8e, 0xd0 };         /* xor ax,ax; mov ss,ax */
    poke(ENTRY, bad, sizeof bad);
    set_reg(HV_X86_RIP, ENTRY);
    set_vmcs(VMCS_GUEST_INTERRUPTIBILITY, 0);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 13);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO), IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 13);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 3);
    return true;
}

static bool long_user_int_privilege_change(void)
{
    /* CPL 3 code: INT 0x30 through a DPL-3 gate switches to RSP0 from the
     * TSS, and IRETQ returns to CPL 3 with the old SS:RSP. */
    static const uint8_t code[] = { 0xcd, 0x30,                   /* int 0x30 */
                                    0xe6, 0x80 };                 /* out 0x80,al */
    static const uint8_t handler[] = { 0x48, 0x89, 0xe3,          /* mov rbx,rsp */
                                       0x48, 0xcf };              /* iretq */
    poke(ENTRY, code, sizeof code);
    poke(HANDLER, handler, sizeof handler);
    put64(PML4_OR_PD32, peek64(PML4_OR_PD32) | 4);
    put64(PDPT, peek64(PDPT) | 4);
    put64(PD, peek64(PD) | 4);
    /* A GDT with user segments at 0x40 (data) and 0x48 (64-bit code). */
    memcpy(ram + 0xa000, ram + SCRATCH, 0x40);
    put64(0xa040, 0x00cff3000000ffffull);
    put64(0xa048, 0x00affb000000ffffull);
    set_vmcs(VMCS_GUEST_GDTR_BASE, 0xa000);
    set_vmcs(VMCS_GUEST_GDTR_LIMIT, 0x4f);
    put64(SCRATCH + 0x80 + 4, 0x7000);                           /* TSS.RSP0 */
    use_idt(0xfff);
    gate64(0x30, HANDLER);
    put64(IDT + 0x30 * 16, peek64(IDT + 0x30 * 16) | (3ull << 45));   /* DPL 3 */
    set_vmcs(VMCS_GUEST_CS, 0x4b);
    set_vmcs(VMCS_GUEST_CS_AR, 0xa0fb);
    set_vmcs(VMCS_GUEST_SS, 0x43);
    set_vmcs(VMCS_GUEST_SS_AR, 0xc0f3);
    set_reg(HV_X86_RFLAGS, 0x3002);                              /* IOPL 3 */
    CHECK_EQ(run(), VMX_REASON_IO);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 2);
    CHECK_EQ(reg(HV_X86_RBX), 0x7000 - 40);                      /* handler's RSP */
    CHECK_EQ(peek64(0x7000 - 40), ENTRY + 2);
    CHECK_EQ(peek64(0x7000 - 32), 0x4b);
    CHECK_EQ(peek64(0x7000 - 16), STACK);
    CHECK_EQ(peek64(0x7000 - 8), 0x43);
    CHECK_EQ(vmcs(VMCS_GUEST_CS), 0x4b);
    CHECK_EQ(vmcs(VMCS_GUEST_SS), 0x43);
    CHECK_EQ(reg(HV_X86_RSP), STACK);
    CHECK_EQ(reg(HV_X86_RFLAGS), 0x3002);
    return true;
}

static bool prot16_out_word(void)
{
    static const uint8_t code[] = { 0xb8, 0x34, 0x12,            /* mov ax,0x1234 */
                                    0xe7, 0x80 };                /* out 0x80,ax */
    poke(ENTRY, code, sizeof code);
    CHECK_EQ(run(), VMX_REASON_IO);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), (0x80u << 16) | (1u << 6) | 1);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 3);
    CHECK_EQ(reg(HV_X86_RAX) & 0xffff, 0x1234);
    return true;
}

static bool deadline_in_past(void)
{
    static const uint8_t code[] = { 0xeb, 0xfe };                /* jmp $ */
    poke(ENTRY, code, sizeof code);
    CHECK_EQ(hv_vcpu_run_until(vcpu, 1), HV_SUCCESS);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_REASON), VMX_REASON_VMX_TIMER_EXPIRED);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    return true;
}

static bool long_mtf_steps(void)
{
    static const uint8_t code[] = { 0x90, 0x48, 0xff, 0xc0, 0xf4 };  /* nop; inc rax; hlt */
    poke(ENTRY, code, sizeof code);
    set_vmcs(VMCS_CTRL_CPU_BASED, vmcs(VMCS_CTRL_CPU_BASED) | CPU_BASED_MTF);
    CHECK_EQ(run(), VMX_REASON_MTF);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 1);
    CHECK_EQ(run(), VMX_REASON_MTF);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 4);
    CHECK_EQ(reg(HV_X86_RAX), 1);
    CHECK_EQ(run(), VMX_REASON_HLT);
    return true;
}

static bool long_single_step_db(void)
{
    static const uint8_t code[] = { 0x90, 0x90 };
    poke(ENTRY, code, sizeof code);
    set_reg(HV_X86_RFLAGS, 0x102);                                /* TF */
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 1);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO), IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | 1);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 0x4000);                /* BS */
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 1);
    /* A pending single-step trap in the VMCS is delivered at entry. */
    set_reg(HV_X86_RFLAGS, 0x2);
    set_vmcs(VMCS_GUEST_DEBUG_EXC, 0x4000);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_EXIT_QUALIFIC), 0x4000);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 1);
    CHECK_EQ(vmcs(VMCS_GUEST_DEBUG_EXC), 0);
    return true;
}

static bool long_noncanonical(void)
{
    static const uint8_t code[] = { 0x48, 0x8b, 0x03 };          /* mov rax,[rbx] */
    poke(ENTRY, code, sizeof code);
    set_reg(HV_X86_RBX, 0x0000800000000000ull);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, (1u << 12) | (1u << 13));
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO), IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 13);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 0);
    static const uint8_t code2[] = { 0x48, 0x8b, 0x04, 0x24 };   /* mov rax,[rsp] */
    poke(ENTRY, code2, sizeof code2);
    set_reg(HV_X86_RSP, 0x8000000000000000ull);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO), IRQ_INFO_VALID | IRQ_INFO_ERROR_VALID | IRQ_INFO_HARD_EXC | 12);
    return true;
}

static bool prot32_segment_limits(void)
{
    static const uint8_t code[] = { 0x8b, 0x03, 0xf4 };           /* mov eax,[ebx]; hlt */
    poke(ENTRY, code, sizeof code);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 13);
    set_vmcs(VMCS_GUEST_DS_LIMIT, 0xfff);
    set_reg(HV_X86_RBX, 0xffe);                                  /* last byte past the limit */
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO) & 0xff, 13);
    /* Expand-down: offsets up to the limit fault, those above do not. */
    set_vmcs(VMCS_GUEST_DS_AR, 0xc097);
    set_reg(HV_X86_RBX, 0x800);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    put32(0x2000, 0xabcdef);
    set_reg(HV_X86_RBX, 0x2000);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RAX), 0xabcdef);
    return true;
}

static bool prot32_ltr_busy(void)
{
    static const uint8_t code[] = { 0x66, 0xb8, 0x38, 0x00,      /* mov ax,0x38 */
                                    0x0f, 0x00, 0xd8,            /* ltr ax */
                                    0xf4 };
    poke(ENTRY, code, sizeof code);
    put64(SCRATCH + 0x38, 0x0000890050000067ull);                 /* available TSS at 0x5000 */
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(vmcs(VMCS_GUEST_TR), 0x38);
    CHECK_EQ(vmcs(VMCS_GUEST_TR_BASE), 0x5000);
    CHECK_EQ(vmcs(VMCS_GUEST_TR_AR) & 0xff, 0x8b);
    CHECK_EQ(ram[SCRATCH + 0x38 + 5], 0x8b);                      /* busy in the GDT */
    /* A busy TSS cannot be loaded again. */
    set_reg(HV_X86_RIP, ENTRY);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 13);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 0x38);
    return true;
}

static bool prot32_far_call_retf(void)
{
    static const uint8_t code[] = { 0x9a, 0x20, 0x10, 0x00, 0x00, GUEST_SEL_CODE32, 0x00,  /* call far */
                                    0xf4 };
    static const uint8_t callee[] = { 0x8b, 0x5c, 0x24, 0x04,    /* mov ebx,[esp+4] */
                                      0xcb };                     /* retf */
    poke(ENTRY, code, sizeof code);
    poke(ENTRY + 0x20, callee, sizeof callee);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 7);
    CHECK_EQ(reg(HV_X86_RBX), GUEST_SEL_CODE32);                 /* pushed CS */
    CHECK_EQ(reg(HV_X86_RSP), STACK);
    return true;
}

static bool prot32_cli_cpl3(void)
{
    static const uint8_t code[] = { 0xfa };                      /* cli */
    poke(ENTRY, code, sizeof code);
    set_vmcs(VMCS_GUEST_SS_AR, vmcs(VMCS_GUEST_SS_AR) | (3u << 5));
    set_vmcs(VMCS_GUEST_SS, GUEST_SEL_DATA | 3);
    set_vmcs(VMCS_GUEST_CS, GUEST_SEL_CODE32 | 3);
    set_vmcs(VMCS_GUEST_CS_AR, vmcs(VMCS_GUEST_CS_AR) | (3u << 5));
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 13);
    set_reg(HV_X86_RFLAGS, 0x202);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_INFO) & 0xff, 13);
    /* IF unchanged; RF = 1 because #GP is a fault (SDM: saved as pushed). */
    CHECK_EQ(reg(HV_X86_RFLAGS), 0x202 | (1u << 16));
    return true;
}

static bool long_rdtscp_swapgs(void)
{
    static const uint8_t code[] = { 0x0f, 0x01, 0xf9,            /* rdtscp */
                                    0x0f, 0x01, 0xf8,            /* swapgs */
                                    0xf4 };
    poke(ENTRY, code, sizeof code);
    CHECK_EQ(hv_vcpu_enable_native_msr(vcpu, HV_MSR_IA32_TSC_AUX, true), HV_SUCCESS);
    CHECK_EQ(hv_vcpu_enable_native_msr(vcpu, HV_MSR_IA32_KERNEL_GS_BASE, true), HV_SUCCESS);
    CHECK_EQ(hv_vcpu_write_msr(vcpu, HV_MSR_IA32_TSC_AUX, 0x77), HV_SUCCESS);
    CHECK_EQ(hv_vcpu_write_msr(vcpu, HV_MSR_IA32_KERNEL_GS_BASE, 0x1234), HV_SUCCESS);
    set_vmcs(VMCS_GUEST_GS_BASE, 0x5678);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RCX), 0x77);
    CHECK_EQ(vmcs(VMCS_GUEST_GS_BASE), 0x1234);
    uint64_t kgs = 0;
    hv_vcpu_read_msr(vcpu, HV_MSR_IA32_KERNEL_GS_BASE, &kgs);
    CHECK_EQ(kgs, 0x5678);
    return true;
}

/* GETSEC and INVEPT exit unconditionally in VMX non-root operation, with
 * RIP on the instruction and its length in the exit. */
static bool long_getsec_invept_exit(void)
{
    static const uint8_t code[] = { 0x0f, 0x37,                   /* getsec */
                                    0x66, 0x0f, 0x38, 0x80, 0x03 }; /* invept rax,[rbx] */
    poke(ENTRY, code, sizeof code);
    set_reg(HV_X86_RBX, STACK - 64);
    CHECK_EQ(run(), VMX_REASON_GETSEC);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_INSTR_LEN), 2);
    set_reg(HV_X86_RIP, ENTRY + 2);
    CHECK_EQ(run(), VMX_REASON_EPT_INVEPT);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 2);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_INSTR_LEN), 5);
    return true;
}

static bool long_ist_stack(void)
{
    static const uint8_t code[] = { 0xcd, 0x30 };                /* int 0x30 */
    static const uint8_t handler[] = { 0x48, 0x89, 0xe3, 0xf4 }; /* mov rbx,rsp; hlt */
    poke(ENTRY, code, sizeof code);
    poke(HANDLER, handler, sizeof handler);
    use_idt(0xfff);
    gate64(0x30, HANDLER);
    put64(IDT + 0x30 * 16, peek64(IDT + 0x30 * 16) | (1ull << 32));   /* IST 1 */
    put64(SCRATCH + 0x80 + 0x24, 0x6008);                        /* TSS.IST1, realigned to 16 */
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RBX), 0x6000 - 40);
    CHECK_EQ(peek64(0x6000 - 40), ENTRY + 2);
    CHECK_EQ(peek64(0x6000 - 16), STACK);
    return true;
}

static bool irq_window_wakes_hlt(void)
{
    set_vmcs(VMCS_GUEST_ACTIVITY_STATE, 1);
    set_reg(HV_X86_RFLAGS, 0x202);
    set_vmcs(VMCS_CTRL_CPU_BASED, vmcs(VMCS_CTRL_CPU_BASED) | CPU_BASED_IRQ_WND);
    CHECK_EQ(run(), VMX_REASON_IRQ_WND);
    CHECK_EQ(vmcs(VMCS_GUEST_ACTIVITY_STATE), 1);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    return true;
}

static bool preemption_timer(void)
{
    uint64_t cap = 0;
    hv_vmx_read_capability(HV_VMX_CAP_PINBASED, &cap);
    if (!((cap >> 32) & PIN_BASED_PREEMPTION_TIMER))
        return true;
    static const uint8_t code[] = { 0xeb, 0xfe };                /* jmp $ */
    poke(ENTRY, code, sizeof code);
    set_vmcs(VMCS_CTRL_PIN_BASED, vmcs(VMCS_CTRL_PIN_BASED) | PIN_BASED_PREEMPTION_TIMER);
    set_vmcs(VMCS_GUEST_VMX_TIMER_VALUE, 0);
    CHECK_EQ(run(), VMX_REASON_VMX_TIMER_EXPIRED);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY);
    set_vmcs(VMCS_GUEST_VMX_TIMER_VALUE, 100000);                /* a few ms */
    CHECK_EQ(run(), VMX_REASON_VMX_TIMER_EXPIRED);
    return true;
}

static bool prot32_ldt_segment(void)
{
    static const uint8_t code[] = { 0x66, 0xb8, 0x38, 0x00,      /* mov ax,0x38 */
                                    0x0f, 0x00, 0xd0,            /* lldt ax */
                                    0x66, 0xb8, 0x0c, 0x00,      /* mov ax,0x0c (LDT 1) */
                                    0x8e, 0xd8,                  /* mov ds,ax */
                                    0xa1, 0x10, 0x00, 0x00, 0x00, /* mov eax,[0x10] */
                                    0xf4 };
    poke(ENTRY, code, sizeof code);
    put64(SCRATCH + 0x38, 0x00008200b000000full);                 /* LDT at 0xb000, limit 0xf */
    put64(0xb008, 0x00cf93200000ffffull);                         /* data, base 0x200000 */
    put32(0x200010, 0x600d);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RAX), 0x600d);
    CHECK_EQ(vmcs(VMCS_GUEST_LDTR), 0x38);
    CHECK_EQ(vmcs(VMCS_GUEST_LDTR_BASE), 0xb000);
    CHECK_EQ(vmcs(VMCS_GUEST_DS_BASE), 0x200000);
    CHECK_EQ(ram[0xb008 + 5], 0x93);                              /* accessed bit set */
    /* A selector beyond the LDT limit is #GP(selector). */
    static const uint8_t bad[] = { 0x66, 0xb8, 0x14, 0x00, 0x8e, 0xd8 };   /* mov ax,0x14; mov ds,ax */
    poke(ENTRY, bad, sizeof bad);
    set_reg(HV_X86_RIP, ENTRY);
    set_vmcs(VMCS_CTRL_EXC_BITMAP, 1u << 13);
    CHECK_EQ(run(), VMX_REASON_EXC_NMI);
    CHECK_EQ(vmcs(VMCS_RO_VMEXIT_IRQ_ERROR), 0x14);
    return true;
}

static bool compat_mode_int(void)
{
    static const uint8_t code[] = { 0xcd, 0x30 };                /* int 0x30, in compatibility mode */
    static const uint8_t handler[] = { 0xf4 };
    poke(ENTRY, code, sizeof code);
    poke(HANDLER, handler, 1);
    use_idt(0xfff);
    gate64(0x30, HANDLER);
    set_vmcs(VMCS_GUEST_CS, GUEST_SEL_CODE32);
    set_vmcs(VMCS_GUEST_CS_AR, 0xc09b);
    CHECK_EQ(run(), VMX_REASON_HLT);
    CHECK_EQ(reg(HV_X86_RIP), HANDLER);
    CHECK_EQ(vmcs(VMCS_GUEST_CS), GUEST_SEL_CODE64);
    CHECK_EQ(peek64(STACK - 40), ENTRY + 2);                     /* 64-bit frame */
    CHECK_EQ(peek64(STACK - 32), GUEST_SEL_CODE32);
    return true;
}

static bool prot32_call_gate_privilege(void)
{
    /* CPL 3 calls a DPL-3 call gate to CPL-0 code with one parameter: the
     * stack switches to SS0:ESP0 and the parameter is copied; RETF 4 goes
     * back to CPL 3 and its stack. */
    static const uint8_t code[] = { 0x68, 0x34, 0x12, 0x00, 0x00,              /* push 0x1234 */
                                    0x9a, 0x00, 0x00, 0x00, 0x00, 0x53, 0x00,  /* call far 0x53:0 */
                                    0xe6, 0x80 };                              /* out 0x80,al */
    static const uint8_t handler[] = { 0x8b, 0x44, 0x24, 0x08,                /* mov eax,[esp+8] */
                                       0x89, 0xe3,                            /* mov ebx,esp */
                                       0xca, 0x04, 0x00 };                    /* retf 4 */
    poke(ENTRY, code, sizeof code);
    poke(HANDLER, handler, sizeof handler);
    memcpy(ram + 0xa000, ram + SCRATCH, 0x40);
    put64(0xa040, 0x00cff3000000ffffull);                        /* user data */
    put64(0xa048, 0x00cffb000000ffffull);                        /* user code32 */
    put64(0xa050, 0x0000ec0100102000ull);                        /* gate -> 0x10:0x2000, 1 param */
    set_vmcs(VMCS_GUEST_GDTR_BASE, 0xa000);
    set_vmcs(VMCS_GUEST_GDTR_LIMIT, 0x57);
    put32(SCRATCH + 0x80 + 4, 0x7000);                           /* TSS.ESP0 */
    put32(SCRATCH + 0x80 + 8, GUEST_SEL_DATA);                   /* TSS.SS0 */
    set_vmcs(VMCS_GUEST_CS, 0x4b);
    set_vmcs(VMCS_GUEST_CS_AR, 0xc0fb);
    set_vmcs(VMCS_GUEST_SS, 0x43);
    set_vmcs(VMCS_GUEST_SS_AR, 0xc0f3);
    set_reg(HV_X86_RFLAGS, 0x3002);
    CHECK_EQ(run(), VMX_REASON_IO);
    CHECK_EQ(reg(HV_X86_RIP), ENTRY + 12);
    CHECK_EQ(reg(HV_X86_RAX), 0x1234);                           /* copied parameter */
    CHECK_EQ(reg(HV_X86_RBX), 0x7000 - 20);                      /* SS, ESP, param, CS, EIP */
    CHECK_EQ(peek32(0x7000 - 4), 0x43);
    CHECK_EQ(peek32(0x7000 - 8), STACK - 4);
    CHECK_EQ(peek32(0x7000 - 16), 0x4b);
    CHECK_EQ(vmcs(VMCS_GUEST_CS), 0x4b);
    CHECK_EQ(vmcs(VMCS_GUEST_SS), 0x43);
    CHECK_EQ(reg(HV_X86_RSP), STACK);
    return true;
}

struct test_case {
    const char *name;
    enum guest_mode mode;
    bool (*fn)(void);
};

static const struct test_case cases[] = {
    { "real_out_imm", GUEST_REAL, real_out_imm },
    { "real_int_iret", GUEST_REAL, real_int_iret },
    { "long_int_not_present_vectoring", GUEST_LONG64, long_int_not_present_vectoring },
    { "long_int_invalid_gate_triple", GUEST_LONG64, long_int_invalid_gate_triple },
    { "long_int_iretq", GUEST_LONG64, long_int_iretq },
    { "long_pf_bitmap_exit", GUEST_LONG64, long_pf_bitmap_exit },
    { "long_pf_delivered", GUEST_LONG64, long_pf_delivered },
    { "long_wp_nx_rsvd", GUEST_LONG64, long_wp_nx_rsvd },
    { "ept_final_and_walk", GUEST_LONG64, ept_final_and_walk },
    { "long_triple_fault", GUEST_LONG64, long_triple_fault },
    { "long_int3_bitmap", GUEST_LONG64, long_int3_bitmap },
    { "long_inject", GUEST_LONG64, long_inject },
    { "long_mov_cr3_exit", GUEST_LONG64, long_mov_cr3_exit },
    { "entry_failure", GUEST_LONG64, entry_failure },
    { "paged32_pse", GUEST_PAGED32, paged32_pse },
    { "pae32", GUEST_PAE32, pae32 },
    { "prot32_int_gate", GUEST_PROT32, prot32_int_gate },
    { "prot32_io_permission", GUEST_PROT32, prot32_io_permission },
    { "hlt_activity_sleep_and_wake", GUEST_LONG64, hlt_activity_sleep_and_wake },
    { "long_lgdt_desc_exit", GUEST_LONG64, long_lgdt_desc_exit },
    { "long_syscall", GUEST_LONG64, long_syscall },
    { "prot16_out_word", GUEST_PROT16, prot16_out_word },
    { "deadline_in_past", GUEST_LONG64, deadline_in_past },
    { "long_mtf_steps", GUEST_LONG64, long_mtf_steps },
    { "long_single_step_db", GUEST_LONG64, long_single_step_db },
    { "long_noncanonical", GUEST_LONG64, long_noncanonical },
    { "prot32_segment_limits", GUEST_PROT32, prot32_segment_limits },
    { "prot32_ltr_busy", GUEST_PROT32, prot32_ltr_busy },
    { "prot32_far_call_retf", GUEST_PROT32, prot32_far_call_retf },
    { "prot32_cli_cpl3", GUEST_PROT32, prot32_cli_cpl3 },
    { "long_rdtscp_swapgs", GUEST_LONG64, long_rdtscp_swapgs },
    { "long_getsec_invept_exit", GUEST_LONG64, long_getsec_invept_exit },
    { "long_ist_stack", GUEST_LONG64, long_ist_stack },
    { "irq_window_wakes_hlt", GUEST_LONG64, irq_window_wakes_hlt },
    { "preemption_timer", GUEST_LONG64, preemption_timer },
    { "prot32_ldt_segment", GUEST_PROT32, prot32_ldt_segment },
    { "compat_mode_int", GUEST_LONG64, compat_mode_int },
    { "prot32_call_gate_privilege", GUEST_PROT32, prot32_call_gate_privilege },
    { "long_user_int_privilege_change", GUEST_LONG64, long_user_int_privilege_change },
    { "prot32_far_jmp_mov_ss", GUEST_PROT32, prot32_far_jmp_mov_ss },
};

int main(void)
{
    setenv("OPENHV_BACKEND", "emu", 0);
    ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ram == MAP_FAILED) {
        printf("FAIL setup: mmap\n");
        return 1;
    }
    int failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        failure[0] = 0;
        bool ok = setup(cases[i].mode);
        if (!ok)
            snprintf(failure, sizeof failure, "VM setup failed");
        else
            ok = cases[i].fn();
        teardown();
        if (ok) {
            printf("PASS %s\n", cases[i].name);
        } else {
            printf("FAIL %s: %s\n", cases[i].name, failure);
            failed = 1;
        }
    }
    munmap(ram, RAM_SIZE);
    return failed;
}
