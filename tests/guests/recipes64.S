/* Long-mode guest for the exit-recipe and injection cases
 * (tests/conformance/test_recipes.c, test_injection.c, test_recipe_threads.c,
 * tests/kvm).  Each g_<name> entry is one exiting instruction whose operands
 * the host puts in registers, followed by g_<name>_next: an OUT to PORT_DONE,
 * so the host can check where the client's RIP advance landed and what the
 * guest state is once the guest ran on.
 *
 * The IDT handlers count deliveries per vector, so a case can tell an event
 * delivered once from one delivered twice.  Their bookkeeping lives in the
 * GUEST_DATA page; the addresses are exported as symbols (rc_*), so the C
 * side reads them from the .sym file instead of repeating them. */
#include "layout.h"

    .set rc_counts, GUEST_DATA              /* dword per vector */
    .set rc_total, GUEST_DATA + 0x400       /* dword: deliveries of any vector */
    .set rc_last_vector, GUEST_DATA + 0x408 /* dword */
    .set rc_last_error, GUEST_DATA + 0x410  /* qword: error code (0 if none) */
    .set rc_last_rip, GUEST_DATA + 0x418    /* qword: return RIP of the frame */
    .set rc_last_rflags, GUEST_DATA + 0x420 /* qword: RFLAGS of the frame */

    .text
    .code64
_start:
    out %al, $PORT_DONE

/* ---- port I/O ---- */
g_in_dx_al:
    in %dx, %al
g_in_dx_al_next:
    out %al, $PORT_DONE

g_in_dx_ax:
    in %dx, %ax
g_in_dx_ax_next:
    out %al, $PORT_DONE

g_in_dx_eax:
    in %dx, %eax
g_in_dx_eax_next:
    out %al, $PORT_DONE

g_in_imm_al:
    in $0x71, %al
g_in_imm_al_next:
    out %al, $PORT_DONE

g_out_dx_al:
    out %al, %dx
g_out_dx_al_next:
    out %al, $PORT_DONE

g_out_dx_ax:
    out %ax, %dx
g_out_dx_ax_next:
    out %al, $PORT_DONE

g_out_imm_eax:
    out %eax, $0x80
g_out_imm_eax_next:
    out %al, $PORT_DONE

g_out_imm_ax:
    out %ax, $0x80
g_out_imm_ax_next:
    out %al, $PORT_DONE

g_rep_outsb:
    rep outsb (%rsi), %dx
g_rep_outsb_next:
    out %al, $PORT_DONE

g_rep_outsw:
    rep outsw (%rsi), %dx
g_rep_outsw_next:
    out %al, $PORT_DONE

g_rep_insb:
    rep insb %dx, (%rdi)
g_rep_insb_next:
    out %al, $PORT_DONE

/* 32-bit address size: ECX and EDI count, RCX/RDI upper halves ignored. */
g_rep_insb_a32:
    addr32 rep insb %dx, (%edi)
g_rep_insb_a32_next:
    out %al, $PORT_DONE

/* The guest's own check of a buffer: the byte sum of R9 bytes at R8. */
g_sum_bytes:
    xor %eax, %eax
    mov %r8, %rsi
    mov %r9, %rcx
1:  movzbl (%rsi), %edx
    add %edx, %eax
    inc %rsi
    dec %rcx
    jnz 1b
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* ---- memory-mapped I/O at RBX (unmapped or protected GPAs) ---- */
g_mmio_read:
    mov (%rbx), %eax
g_mmio_read_next:
    out %al, $PORT_DONE

g_mmio_write:
    mov %ecx, (%rbx)
g_mmio_write_next:
    out %al, $PORT_DONE

/* Loads of every width and extension, for backends that let their
 * hypervisor finish a load with the client's answer. */
g_mmio_read_ah:
    mov (%rbx), %ah
g_mmio_read_ah_next:
    out %al, $PORT_DONE

g_mmio_read_r10w:
    mov (%rbx), %r10w
g_mmio_read_r10w_next:
    out %al, $PORT_DONE

g_mmio_read_rdx:
    mov (%rbx), %rdx
g_mmio_read_rdx_next:
    out %al, $PORT_DONE

g_mmio_movzx_byte:
    movzbl (%rbx), %esi
g_mmio_movzx_byte_next:
    out %al, $PORT_DONE

g_mmio_movsx_word:
    movswq (%rbx), %rdi
g_mmio_movsx_word_next:
    out %al, $PORT_DONE

g_mmio_store_imm:
    movl $0x600dcafe, (%rbx)
g_mmio_store_imm_next:
    out %al, $PORT_DONE

g_mmio_add:
    add %eax, (%rbx)
g_mmio_add_next:
    out %al, $PORT_DONE

g_mmio_xadd:
    lock xadd %eax, (%rbx)
g_mmio_xadd_next:
    out %al, $PORT_DONE

g_mmio_incb:
    incb (%rbx)
g_mmio_incb_next:
    out %al, $PORT_DONE

g_movsq:
    movsq (%rsi), (%rdi)
g_movsq_next:
    out %al, $PORT_DONE

g_push:
    push %rcx
g_push_next:
    out %al, $PORT_DONE

g_pop:
    pop %rcx
g_pop_next:
    out %al, $PORT_DONE

/* Exits in an interrupt shadow: the shadow must still be there at the
 * exit, as the instruction has not completed. */
g_sti_mmio:
    sti
g_sti_mmio_insn:
    mov (%rbx), %eax
g_sti_mmio_insn_next:
    out %al, $PORT_DONE

g_movss_in:
    mov %ss, %cx
    mov %cx, %ss
g_movss_in_insn:
    in %dx, %al
g_movss_in_insn_next:
    out %al, $PORT_DONE

/* Read the dword at RBX and report it (a guest's check of memory). */
g_report_mem:
    mov (%rbx), %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* Report RFLAGS as the guest sees it. */
g_report_flags:
    pushfq
    pop %rax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* ---- MSRs and instructions without operands in memory ---- */
g_rdmsr:
    rdmsr
g_rdmsr_next:
    out %al, $PORT_DONE

g_wrmsr:
    wrmsr
g_wrmsr_next:
    out %al, $PORT_DONE

g_cpuid:
    cpuid
g_cpuid_next:
    out %al, $PORT_DONE

g_vmcall:
    vmcall
g_vmcall_next:
    out %al, $PORT_DONE

g_hlt:
    hlt
g_hlt_next:
    out %al, $PORT_DONE

g_ud2:
    ud2
g_ud2_next:
    out %al, $PORT_DONE

/* ---- loops for kicks and deadlines: at any instruction boundary the
 * dword at RBX is RAX, except between the INC and the store, where it is
 * RAX - 1 ---- */
g_count_store:
    inc %rax
g_count_store_mov:
    mov %rax, (%rbx)
g_count_store_jmp:
    jmp g_count_store

/* Poll the dword at RBX until it equals R8D; then report it. */
g_poll:
    mov (%rbx), %eax
g_poll_cmp:
    cmp %r8d, %eax
    jne g_poll
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* ---- events: IDT ready, then wait for any delivery ---- */

/* IF=1 after a sync report of 0x5a; the host injects at g_wait. */
g_idt_sti:
    call idt_setup
    sti
    mov $0x5a, %eax
    out %eax, $PORT_REPORT
/* Wait for a delivery, give a duplicate time to arrive, report the total. */
g_wait:
    nop
    nop
    cmpl $0, rc_total
    je g_wait
    mov $2000, %ecx
1:  loop 1b
    mov rc_total, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* A #UD the guest's own IDT handles: the handler records the frame. */
g_idt_ud2:
    call idt_setup
g_idt_ud2_insn:
    ud2

/* IF=0 after a sync report of 0x5b, some work, then STI: the interrupt
 * window opens after the instruction in the STI shadow. */
g_idt_cli:
    call idt_setup
    cli
    mov $0x5b, %eax
    out %eax, $PORT_REPORT
    mov $1000, %ecx
1:  loop 1b
    sti
g_sti_shadow:
    nop
g_window_open:
    jmp g_wait

#include "idt64.inc"

/* Frame: vector, error code (0 if the CPU pushed none), RIP, CS, RFLAGS,
 * RSP, SS.  Counts, records, reports the vector on PORT_EXC (the host may
 * look around), then returns to the interrupted code. */
exc_common:
    push %rax
    push %rdx
    mov 16(%rsp), %eax
    lock incl rc_counts(,%rax,4)
    lock incl rc_total
    mov %eax, rc_last_vector
    mov 24(%rsp), %rdx
    mov %rdx, rc_last_error
    mov 32(%rsp), %rdx
    mov %rdx, rc_last_rip
    mov 48(%rsp), %rdx
    mov %rdx, rc_last_rflags
g_handler_report:
    out %eax, $PORT_EXC
    pop %rdx
    pop %rax
    add $16, %rsp
    iretq

    .balign 8
idt_desc:
    .word 256 * 16 - 1
    .quad GUEST_IDT

    .balign 16
exc_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushq $0
    .endif
    pushq $vec
    jmp exc_common
    .set vec, vec + 1
    .endr
