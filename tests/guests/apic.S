/* Guests for the in-kernel interrupt controllers (HV_VM_ACCEL_APIC): long-
 * mode code that programs the local APIC, IOAPIC and x2APIC and counts the
 * interrupts it takes, a real-mode AP trampoline, and a real-mode DOS-style
 * 8259 timer tick.  Counters and flags: apic.h. */
#include "apic.h"

    .text
    .code64
_start:
    out %al, $PORT_DONE

/* Every vector: count it, log it, tell the device (IRQ_ACK), EOI as
 * IRQ_EOI_MODE says.  Exceptions (below 32) report to PORT_EXC. */
irq_common:
    push %rcx
    push %rdx
    cmp $32, %eax
    jb 9f
    lock incl IRQ_COUNTS(,%rax,4)
    mov IRQ_LOG_IDX, %ecx
    and $0xff, %ecx
    mov %al, IRQ_LOG(%rcx)
    incl IRQ_LOG_IDX
    cmpl $0, IRQ_ACK
    je 1f
    out %al, $PORT_ACK
1:  mov IRQ_EOI_MODE, %ecx
    cmp $1, %ecx
    je 2f
    cmp $2, %ecx
    je 3f
    mov $APIC_MMIO + 0xb0, %ecx
    movl $0, (%rcx)
    jmp 3f
2:  mov $0x80b, %ecx
    xor %eax, %eax
    xor %edx, %edx
    wrmsr
3:  pop %rdx
    pop %rcx
    pop %rax
    iretq
9:  out %eax, $PORT_EXC
    hlt
    jmp 9b

#include "idt64.inc"

/* The IDT, keeping RBX, RCX, RDX: the host passes operands in them. */
setup:
    push %rcx
    push %rdx
    call idt_setup
    pop %rdx
    pop %rcx
    ret

/* Software-enable the local APIC (spurious vector 0xff) through MMIO. */
svr_on:
    mov $APIC_MMIO, %edi
    movl $0x1ff, 0xf0(%rdi)
    ret

/* Halt with interrupts on, forever: the test counts what arrives. */
a_idle:
    call setup
idle_loop:
    sti
1:  hlt
    jmp 1b

/* Spin with interrupts on, forever. */
a_spin:
    call setup
spin_loop:
    sti
1:  inc %r12
    jmp 1b

/* One-shot timer programmed through MMIO: EBX = initial count, vector 0x40.
 * Reports the current count at once, then after the interrupt. */
a_oneshot:
    call setup
    call svr_on
    movl $0xb, 0x3e0(%rdi)
    movl $0x40, 0x320(%rdi)
    mov %ebx, 0x380(%rdi)
    mov 0x390(%rdi), %eax
    out %eax, $PORT_REPORT
    sti
1:  hlt
    cmpl $0, IRQ_COUNTS + 0x40 * 4
    je 1b
    mov 0x390(%rdi), %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* Periodic timer, EBX = initial count, ECX = divide configuration, vector
 * 0x41; then spins (a_periodic_spin) or halts (a_periodic_halt). */
periodic_setup:
    call setup
    call svr_on
    mov %ecx, 0x3e0(%rdi)
    movl $0x20041, 0x320(%rdi)
    mov %ebx, 0x380(%rdi)
    ret
a_periodic_spin:
    call periodic_setup
    jmp spin_loop
a_periodic_halt:
    call periodic_setup
    jmp idle_loop

/* TSC-deadline timer: deadline = TSC + RBX, vector 0x42.  Reports the
 * number of interrupts and IA32_TSC_DEADLINE after the expiry (0). */
a_tscdl:
    call setup
    call svr_on
    movl $0x40042, 0x320(%rdi)
    rdtsc
    shl $32, %rdx
    or %rdx, %rax
    add %rbx, %rax
    mov %rax, %rdx
    shr $32, %rdx
    mov $0x6e0, %ecx
    wrmsr
    sti
1:  hlt
    cmpl $0, IRQ_COUNTS + 0x42 * 4
    je 1b
    mov IRQ_COUNTS + 0x42 * 4, %eax
    out %eax, $PORT_REPORT
    mov $0x6e0, %ecx
    rdmsr
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* x2APIC: enable it through IA32_APIC_BASE, report the x2APIC ID, enable
 * the APIC by the SVR MSR, send a self IPI of vector 0x50 and report how
 * many arrived; then the version register through RDMSR. */
a_x2apic:
    call setup
    mov $0x1b, %ecx
    rdmsr
    or $0x400, %eax
    wrmsr
    mov $0x802, %ecx
    rdmsr
    out %eax, $PORT_REPORT
    mov $0x80f, %ecx
    mov $0x1ff, %eax
    xor %edx, %edx
    wrmsr
    mov $0x83f, %ecx
    mov $0x50, %eax
    wrmsr
    sti
    nop
    nop
    cli
    mov IRQ_COUNTS + 0x50 * 4, %eax
    out %eax, $PORT_REPORT
    mov $0x803, %ecx
    rdmsr
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* Read-modify-write and narrow accesses on APIC registers: OR the SVR
 * enable bit in, report the SVR; write the TPR's low byte alone, report
 * the TPR. */
a_rmw:
    mov $APIC_MMIO, %edi
    orl $0x100, 0xf0(%rdi)
    mov 0xf0(%rdi), %eax
    out %eax, $PORT_REPORT
    movb $0x5a, 0x80(%rdi)
    mov 0x80(%rdi), %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* Send one IPI (ECX = ICR high, EBX = ICR low) and finish.  No IDT: the
 * receiver, running at the same time, writes the one at GUEST_IDT. */
a_send:
    call svr_on
    mov %ecx, 0x310(%rdi)
    mov %ebx, 0x300(%rdi)
    out %al, $PORT_DONE

/* An IPI through the xAPIC ICR: ECX = ICR high, EBX = ICR low.  Reports
 * IRQ_LOG_IDX after a few instructions with interrupts on. */
a_ipi:
    call setup
    call svr_on
    mov %ecx, 0x310(%rdi)
    mov %ebx, 0x300(%rdi)
    sti
    nop
    nop
    nop
    cli
    mov IRQ_LOG_IDX, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* TPR masking: CR8 = RBX with interrupts on, report IRQ_LOG_IDX; then
 * CR8 = 0, report again. */
a_tpr:
    call setup
    call svr_on
    mov %rbx, %cr8
    sti
    nop
    nop
    nop
    mov IRQ_LOG_IDX, %eax
    out %eax, $PORT_REPORT
    xor %eax, %eax
    mov %rax, %cr8
    nop
    nop
    nop
    cli
    mov IRQ_LOG_IDX, %eax
    out %eax, $PORT_REPORT
    mov 0x80(%rdi), %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* IOAPIC: redirection entry of pin EBX = ECX (low), destination APIC 0;
 * report 0 (the host now drives the pin), then halt forever. */
a_ioapic:
    call setup
    call svr_on
    mov $IOAPIC_MMIO, %esi
    lea 0x11(%rbx,%rbx), %eax
    mov %eax, (%rsi)
    movl $0, 0x10(%rsi)
    dec %eax
    mov %eax, (%rsi)
    mov %ecx, 0x10(%rsi)
    mov 0x10(%rsi), %eax
    out %eax, $PORT_REPORT
    jmp idle_loop

/* The bootstrap processor of the bring-up: INIT and two SIPIs (vector
 * EBX) to all others, wait for three APs, a fixed IPI 0x60 to APIC 1, 2
 * and 3, wait for their three acknowledgements. */
a_bringup:
    call setup
    call svr_on
    movl $0, 0x310(%rdi)
    movl $0xc4500, 0x300(%rdi)
    mov %ebx, %eax
    or $0xc4600, %eax
    mov %eax, 0x300(%rdi)
    mov %eax, 0x300(%rdi)
1:  pause
    xor %eax, %eax
    lock xadd %eax, AP_COUNT        /* an atomic read: the APs count with LOCK */
    cmp $3, %eax
    jne 1b
    mov $1, %ecx
2:  mov %ecx, %eax
    shl $24, %eax
    mov %eax, 0x310(%rdi)
    movl $0x4060, 0x300(%rdi)
    inc %ecx
    cmp $4, %ecx
    jne 2b
3:  pause
    xor %eax, %eax
    lock xadd %eax, AP_ACK
    cmp $3, %eax
    jne 3b
    out %al, $PORT_DONE

    .balign 16
exc_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    push %rax
    mov $vec, %eax
    jmp irq_common
    .set vec, vec + 1
    .endr

idt_desc:
    .word 4095
    .quad GUEST_IDT

/* ---- real mode ---- */
    .code16

/* An application processor after its SIPI: count itself, wait for the
 * BSP's IPI (IVT 0x60 -> ap_isr). */
    .balign 4096
ap_tramp:
    lock incl AP_COUNT
    sti
1:  hlt
    jmp 1b

/* EOI through the x2APIC EOI MSR, which HV_APIC_CTRL_EOI_ICR_TPR opens in
 * xAPIC mode (the APIC page is out of a real-mode segment's reach). */
ap_isr:
    lock incl AP_ACK
    mov $0x80b, %ecx
    xor %eax, %eax
    xor %edx, %edx
    wrmsr
    out %al, $PORT_DONE

/* DOS-style: program the 8259 pair as a BIOS does (IRQ0-7 at 0x08,
 * IRQ8-15 at 0x70), unmask IRQ0 only, take five timer ticks in HLT. */
r_pic:
    mov $0x11, %al
    out %al, $0x20
    mov $0x08, %al
    out %al, $0x21
    mov $0x04, %al
    out %al, $0x21
    mov $0x01, %al
    out %al, $0x21
    mov $0x11, %al
    out %al, $0xa0
    mov $0x70, %al
    out %al, $0xa1
    mov $0x02, %al
    out %al, $0xa1
    mov $0x01, %al
    out %al, $0xa1
    mov $0xfe, %al
    out %al, $0x21
    mov $0xff, %al
    out %al, $0xa1
    movw $r_tick, 0x20
    movw $0, 0x22
    sti
1:  hlt
    cmpl $5, PIC_TICKS
    jb 1b
    cli
    mov PIC_TICKS, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

r_tick:
    push %ax
    lock incl PIC_TICKS
    mov $0x20, %al
    out %al, $0x20
    pop %ax
    iret
