/* 32-bit protected-mode guests (.code32), flat segments; also the paging
 * guests for 32-bit and PAE paging, which edit the identity map that
 * guest_mode built and read through a non-identity mapping of their own. */
#include "layout.h"

    .text
    .code32
_start:
    out %al, $PORT_DONE

/* Flat 4 GiB segments: an address above 1 MiB does not wrap. */
p_flat:
    mov GUEST_FREE + 0x10, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

p_out_dx_dword:
    mov $0xcafe0001, %eax
    mov $0xcf8, %dx
p_out_dx_dword_insn:
    out %eax, %dx
    out %al, $PORT_DONE

p_cpuid:
p_cpuid_insn:
    cpuid
    out %eax, $PORT_REPORT
    mov %ebx, %eax
    out %eax, $PORT_REPORT
    mov %ecx, %eax
    out %eax, $PORT_REPORT
    mov %edx, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* The host sets ECX (and EDX:EAX for WRMSR) before running. */
p_rdmsr:
p_rdmsr_insn:
    rdmsr
    out %eax, $PORT_REPORT
    mov %edx, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

p_wrmsr:
p_wrmsr_insn:
    wrmsr
    out %al, $PORT_DONE

p_hlt:
p_hlt_insn:
    hlt
    out %al, $PORT_DONE

p_vmcall:
p_vmcall_insn:
    vmcall
    out %al, $PORT_DONE

/* 32-bit paging (4 MiB PSE pages from guest_mode): point the PDE of linear
 * 0x40000000 at a 4 KiB page table of ours mapping it to GUEST_FREE+0x200000,
 * then read and write through it. */
p_paging32:
    mov %cr3, %ebx
    and $0xfffff000, %ebx
    movl $(GUEST_FREE + 0x200000 + 3), GUEST_PT_AREA       /* PTE 0: P|RW */
    movl $(GUEST_PT_AREA + 3), 0x400(%ebx)   /* PDE 0x100 (linear 0x40000000): P|RW */
    invlpg 0x40000000
    mov 0x40000010, %eax
    out %eax, $PORT_REPORT
    movl $0x600dcafe, 0x40000020
    out %al, $PORT_DONE

/* PAE: PDPTE 1 covers linear 1-2 GiB; replace PDE 0 of its page directory
 * (a 2 MiB page) with a 4 KiB page table of ours. */
p_pae:
    mov %cr3, %ebx
    and $0xffffffe0, %ebx
    mov 8(%ebx), %ecx            /* PDPTE 1 (low half: the PD address) */
    and $0xfffff000, %ecx
    movl $(GUEST_FREE + 0x200000 + 3), GUEST_PT_AREA
    movl $0, GUEST_PT_AREA + 4
    movl $(GUEST_PT_AREA + 3), (%ecx)
    movl $0, 4(%ecx)
    invlpg 0x40000000
    mov 0x40000010, %eax
    out %eax, $PORT_REPORT
    movl $0x600dcafe, 0x40000020
    out %al, $PORT_DONE

/* POP SS from a 16-bit stack into a 32-bit stack segment, and the other
 * way round: ESP moves with the address size of the stack the selector is
 * read from.  EBX = a 16-bit data selector, ECX = the flat data selector. */
p_pop_ss:
    mov %bx, %ss
    mov $0x00020000, %esp        /* SP = 0 */
    push %ecx                    /* SP wraps to FFFC: ESP = 0x0002fffc */
p_pop_ss_insn:
    pop %ss                      /* SP back to 0: ESP = 0x00020000 */
    mov %esp, %eax
    mov $GUEST_STACK_TOP, %esp
    out %eax, $PORT_REPORT
    mov $0x0002fffc, %esp
    mov %ebx, (%esp)
    pop %ss                      /* 32-bit stack: ESP = 0x00030000 */
    mov %esp, %eax
    mov %cx, %ss
    mov $GUEST_STACK_TOP, %esp
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* ENTER whose pushes fit on a writable page but whose final stack pointer
 * lies on a read-only one (CR0.WP): the final write check faults.  Linear
 * 0x40000000 is read-only, 0x40001000 writable (GUEST_FREE+0x200000/+0x201000). */
p_enter_pf:
    mov %cr3, %ebx
    and $0xfffff000, %ebx
    movl $(GUEST_FREE + 0x200000 + 1), GUEST_PT_AREA           /* PTE 0: P */
    movl $(GUEST_FREE + 0x201000 + 3), GUEST_PT_AREA + 4       /* PTE 1: P|RW */
    movl $(GUEST_PT_AREA + 3), 0x400(%ebx)    /* PDE 0x100 (linear 0x40000000): P|RW */
    mov %cr0, %eax
    or $0x10000, %eax                          /* WP */
    mov %eax, %cr0
    invlpg 0x40000000
    invlpg 0x40001000
    mov %esp, %esi
    mov $0x40001004, %esp
    mov $0x11223344, %ebp
p_enter_pf_insn:
    enter $1, $0              /* push at 0x40001000; ESP would be 0x40000fff */
    mov %esp, %eax
    mov %esi, %esp
    out %eax, $PORT_REPORT
    mov %ebp, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE
