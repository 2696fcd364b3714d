/* 64-bit long-mode guests (.code64) on guest_mode's identity map.  Most
 * entries are a single instruction whose operands the host sets in
 * registers before running, so one instruction serves many cases. */
#include "layout.h"

    .text
    .code64
_start:
    out %al, $PORT_DONE

/* ---- instruction exits ---- */
l_in_dx:
    mov $0x3f8, %dx
l_in_dx_insn:
    in %dx, %al
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

l_out_imm_word:
    mov $0x12345678, %eax
l_out_imm_word_insn:
    out %ax, $0x70
    out %al, $PORT_DONE

/* The port byte of OUT imm8 is OUT DX's opcode: a backend that finds the
 * instruction by decoding backwards from after it must not stop at EE. */
l_out_imm_ee:
    mov $0x3f8, %dx
    mov $0x5a, %al
l_out_imm_ee_insn:
    out %al, $0xee
    out %al, $PORT_DONE

l_cpuid:
l_cpuid_insn:
    cpuid
    out %eax, $PORT_REPORT
    mov %ebx, %eax
    out %eax, $PORT_REPORT
    mov %ecx, %eax
    out %eax, $PORT_REPORT
    mov %edx, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

l_hlt:
l_hlt_insn:
    hlt
    out %al, $PORT_DONE

l_vmcall:
l_vmcall_insn:
    vmcall
    out %al, $PORT_DONE

l_rdmsr:
l_rdmsr_insn:
    rdmsr
    out %eax, $PORT_REPORT
    mov %edx, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

l_wrmsr:
l_wrmsr_insn:
    wrmsr
    out %al, $PORT_DONE

/* WRMSR every {index, low, high} triple (16-byte entries) of the table at
 * GUEST_TABLE until index 0; then RDMSR each into the entry's result slot
 * (offset 8) -- two passes, so the host can check both directions. */
l_msr_write_all:
    mov $GUEST_TABLE, %esi
1:  mov (%rsi), %ecx
    test %ecx, %ecx
    jz 2f
    mov 8(%rsi), %eax
    mov 12(%rsi), %edx
l_msr_write_all_insn:
    wrmsr
    add $16, %rsi
    jmp 1b
2:  out %al, $PORT_DONE

l_msr_read_all:
    mov $GUEST_TABLE, %esi
1:  mov (%rsi), %ecx
    test %ecx, %ecx
    jz 2f
l_msr_read_all_insn:
    rdmsr
    mov %eax, 8(%rsi)
    mov %edx, 12(%rsi)
    add $16, %rsi
    jmp 1b
2:  out %al, $PORT_DONE

/* ---- memory accesses at RBX ---- */
l_read:
l_read_insn:
    mov (%rbx), %rax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

l_write:
l_write_insn:
    mov %rax, (%rbx)
    out %al, $PORT_DONE

l_jump:
    jmp *%rbx

/* ---- exceptions ---- */
l_ud2:
l_ud2_insn:
    ud2
    out %al, $PORT_DONE

l_div0:
    xor %ecx, %ecx
    mov $1, %eax
    xor %edx, %edx
l_div0_insn:
    div %ecx
    out %al, $PORT_DONE

l_int3:
l_int3_insn:
    int3
    out %al, $PORT_DONE

/* Build the guest's own IDT, then continue at the address in R15. */
l_with_idt:
    call idt_setup
    jmp *%r15

/* An INT whose gate is not present: #NP during delivery of a software
 * interrupt. */
l_int80_np:
    call idt_setup
    andb $0x7f, GUEST_IDT + 0x80 * 16 + 5
l_int80_np_insn:
    int $0x80
    out %al, $PORT_DONE

/* IDT ready, interrupts on, then a sync report, then spin: the host injects
 * events at the spin. */
l_idt_ready:
    call idt_setup
    sti
    nop
    mov $0x5a, %eax
    out %eax, $PORT_REPORT
l_idt_ready_spin:
    jmp l_idt_ready_spin

/* ---- interrupt window ---- */
l_irqwnd:
    mov $1, %eax
    out %al, $PORT_DONE

l_irqwnd_sti:
    sti
    mov $1, %eax
l_irqwnd_sti_after:
    mov $2, %ebx
    out %al, $PORT_DONE

/* An exit in the shadow of STI, and of MOV SS. */
l_sti_vmcall:
    sti
l_sti_vmcall_insn:
    vmcall
    out %al, $PORT_DONE

l_movss_vmcall:
    mov %ss, %ax
    mov %ax, %ss
l_movss_vmcall_insn:
    vmcall
    out %al, $PORT_DONE

/* ---- control registers ---- */
l_cr0_set_ts:
    mov %cr0, %rbx
    or $8, %rbx
l_cr0_set_ts_insn:
    mov %rbx, %cr0
    out %al, $PORT_DONE

l_cr0_read:
l_cr0_read_insn:
    mov %cr0, %rax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

l_cr4_flip_pge:
    mov %cr4, %rcx
    xor $0x80, %rcx
l_cr4_flip_pge_insn:
    mov %rcx, %cr4
    out %al, $PORT_DONE

l_clts:
l_clts_insn:
    clts
    out %al, $PORT_DONE

l_lmsw_set_ts:
    mov %cr0, %rax
    or $8, %eax
l_lmsw_set_ts_insn:
    lmsw %ax
    out %al, $PORT_DONE

l_cr8_write:
l_cr8_write_insn:
    mov %rax, %cr8
    out %al, $PORT_DONE

l_cr8_read:
l_cr8_read_insn:
    mov %cr8, %rbx
    out %al, $PORT_DONE

/* ---- instructions with an exiting control ---- */
l_rdtsc:
l_rdtsc_insn:
    rdtsc
    out %al, $PORT_DONE

l_invlpg:
l_invlpg_insn:
    invlpg (%rbx)
    out %al, $PORT_DONE

l_dr7_write:
l_dr7_write_insn:
    mov %rax, %dr7
    out %al, $PORT_DONE

l_dr7_read:
l_dr7_read_insn:
    mov %dr7, %rcx
    out %al, $PORT_DONE

/* MOV to a debug register and back (DR7, then DR6): RAX in, the value
 * read back reported. */
l_dr7_round_trip:
    mov %rax, %dr7
    mov %dr7, %rax
    out %eax, $PORT_REPORT
    mov %rbx, %dr6
    mov %dr6, %rax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* RTM: XBEGIN reports the abort status from its fallback path (EAX is
 * 0x5a5a5a5a going in); then XTEST's flags (entered with CF set). */
l_xbegin:
    mov $0x5a5a5a5a, %eax
l_xbegin_insn:
    xbegin l_xbegin_fallback
    mov $0x1111, %eax
    xend
    out %eax, $PORT_REPORT
l_xbegin_fallback:
    out %eax, $PORT_REPORT
    stc
    xtest
    pushfq
    pop %rax
    out %eax, $PORT_REPORT
    xabort $0x12
    out %al, $PORT_DONE

l_xend:
l_xend_insn:
    xend
    out %al, $PORT_DONE

l_pause:
l_pause_insn:
    pause
    out %al, $PORT_DONE

l_wbinvd:
l_wbinvd_insn:
    wbinvd
    out %al, $PORT_DONE

/* RDRAND r9 twice, RDSEED cx twice: report CF of each (with the other
 * arithmetic flags) and whether the two values of each differ. */
l_rdrand:
    xor %r9d, %r9d
    stc
l_rdrand_insn:
    rdrand %r9
    pushfq
    pop %rax
    out %eax, $PORT_REPORT
    mov %r9, %r10
    rdrand %r9
    xor %eax, %eax
    cmp %r9, %r10
    setne %al
    out %eax, $PORT_REPORT
    mov $0x5555, %ecx
l_rdseed_insn:
    rdseed %cx
    pushfq
    pop %rax
    out %eax, $PORT_REPORT
    mov %ecx, %r10d
    rdseed %ecx
    rdseed %edx
    xor %eax, %eax
    cmp %ecx, %edx
    setne %al
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

l_xsetbv:
l_xsetbv_insn:
    xsetbv
    out %al, $PORT_DONE

/* ---- timing and kicks ---- */
l_spin:
    inc %rax
l_spin_jmp:
    jmp l_spin

l_count_down:
    dec %rcx
    jnz l_count_down
    out %al, $PORT_DONE

/* Sum 1..RCX into EAX and report it (the threads' work). */
l_sum:
    xor %eax, %eax
1:  add %ecx, %eax
    dec %rcx
    jnz 1b
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* Poll the dword at RBX; report it if it ever equals R8D. */
l_poll:
    mov (%rbx), %eax
    cmp %r8d, %eax
    jne l_poll
    out %eax, $PORT_REPORT
    jmp l_poll

/* Store an incrementing counter at RBX forever. */
l_store_loop:
    mov %eax, (%rbx)
    inc %eax
    jmp l_store_loop

/* ---- paging: PML4[0] -> PDPT[1] -> PD[0] replaced by a 4 KiB table of
 * ours mapping linear 0x40000000 to GUEST_FREE+0x200000 ---- */
l_paging64:
    movabs $0x000ffffffffff000, %r9
    mov %cr3, %rbx
    and %r9, %rbx
    mov (%rbx), %rcx             /* PML4E 0 -> PDPT */
    and %r9, %rcx
    mov 8(%rcx), %rdx            /* PDPTE 1 -> PD of 1-2 GiB */
    and %r9, %rdx
    movq $(GUEST_FREE + 0x200000 + 3), GUEST_PT_AREA
    movq $(GUEST_PT_AREA + 3), (%rdx)
    invlpg 0x40000000
    mov 0x40000010, %eax
    out %eax, $PORT_REPORT
    movl $0x600dcafe, 0x40000020
    out %al, $PORT_DONE

/* ---- the guest IDT: 256 gates to 16-byte stubs that put the vector in
 * EAX and report it on PORT_EXC, the CPU's frame left at RSP ---- */
#include "idt64.inc"

exc_common:
    out %eax, $PORT_EXC
    hlt
    jmp exc_common

    .balign 8
idt_desc:
    .word 256 * 16 - 1
    .quad GUEST_IDT

    .balign 16
exc_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    mov $vec, %eax
    jmp exc_common
    .set vec, vec + 1
    .endr
