/* The boot path of a real client's guest: real mode to long mode by itself
 * (CR4.PAE, CR3, EFER.LME through RDMSR/WRMSR, CR0.PG|PE with the caches
 * enabled, a far jump to a 64-bit code segment), then a little work in
 * long mode.  The host prepares the GDT (guest_mode's, already in GDTR)
 * and the page tables at GUEST_PT_AREA. */
#include "layout.h"

#define SEL_CODE64 0x08             /* guest_mode.h GUEST_SEL_CODE64 */
#define SEL_DATA 0x18               /* guest_mode.h GUEST_SEL_DATA */
#define MSR_EFER 0xc0000080
#define MSR_LSTAR 0xc0000082
#define SUM_N 100000

    .text
    .code16
_start:
    out %al, $PORT_DONE

c_boot:
    cli
    mov %cr4, %eax
    or $0x20, %eax                  /* PAE */
    mov %eax, %cr4
    mov $GUEST_PT_AREA, %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $0x100, %eax                 /* LME */
    wrmsr
    mov %cr0, %eax
    and $0x9fffffff, %eax           /* CD, NW clear: caches on */
    or $0x80000001, %eax            /* PG, PE */
c_boot_cr0:
    mov %eax, %cr0
    ljmpl $SEL_CODE64, $c_long

    .code64
c_long:
    mov $SEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $GUEST_STACK_TOP, %rsp
    mov %cr0, %rax
    out %eax, $PORT_REPORT          /* CR0 as the guest sees it */
    mov $MSR_EFER, %ecx
    rdmsr
    out %eax, $PORT_REPORT          /* EFER: LME and LMA */
    mov $MSR_LSTAR, %ecx
    rdmsr                           /* native */
    out %eax, $PORT_REPORT
    mov $5, %eax
    mov %rax, %cr8
    mov %cr8, %rbx
    mov %ebx, %eax
    out %eax, $PORT_REPORT          /* CR8 read back */
    xor %eax, %eax
    mov $SUM_N, %ecx
1:  add %rcx, %rax
    loop 1b
    out %eax, $PORT_REPORT          /* 1 + 2 + ... + SUM_N */
    hlt
    out %al, $PORT_DONE
