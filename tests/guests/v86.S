/* A 32-bit protected-mode monitor and the virtual-8086 tasks it runs.
 *
 * Every case entry calls v86_setup (own GDT, IDT and a TSS with the
 * interrupt-redirection and I/O bitmaps; ports PORT_REPORT..+3 and
 * PORT_DONE allowed, everything else denied), then enters its V86 (or CPL-3)
 * code with IRETD.  The monitor's handlers report through PORT_REPORT:
 *   mon_int30: the data segments it finds (all null), the nine doublewords
 *              of the V86 frame (EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS),
 *              its CS; then done.
 *   mon_gp:    the error code and the faulting EIP, then resumes after the
 *              instruction (2 bytes for INT n, else 1: the faulting
 *              instructions are chosen to fit).
 */
#include "layout.h"

#define RF_IF   0x200
#define RF_VM   0x20000
#define RF_VIF  0x80000
#define RF_IOPL3 0x3000
#define CR4_VME 1
#define CR4_PVI 2

    .text
    .code32
_start:
    out %al, $PORT_DONE

    .p2align 3
v86_gdt:
    .quad 0
    .quad 0x00cf9b000000ffff        /* 0x08: flat code, DPL 0 */
    .quad 0x00cf93000000ffff        /* 0x10: flat data, DPL 0 */
    .word V86_TSS_LIMIT & 0xffff    /* 0x18: available 32-bit TSS */
    .word V86_TSS & 0xffff
    .byte (V86_TSS >> 16) & 0xff, 0x89, (V86_TSS_LIMIT >> 16) & 0xf, V86_TSS >> 24
    .quad 0x00cffb000000ffff        /* 0x20: flat code, DPL 3 */
    .quad 0x00cff3000000ffff        /* 0x28: flat data, DPL 3 */
v86_gdt_end:
v86_gdtr:
    .word v86_gdt_end - v86_gdt - 1
    .long v86_gdt
v86_idtr:
    .word 256 * 8 - 1
    .long V86_IDT

/* EAX = vector, EBX = offset, DX = selector, CX = type/DPL word. */
set_gate:
    lea V86_IDT(,%eax,8), %edi
    mov %bx, (%edi)
    mov %dx, 2(%edi)
    mov %cx, 4(%edi)
    shr $16, %ebx
    mov %bx, 6(%edi)
    ret

v86_setup:
    lgdt v86_gdtr
    ljmp $V86_SEL_CODE0, $1f
1:  mov $V86_SEL_DATA0, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    cld
    /* IDT: #GP and the two INT vectors, the rest not present. */
    mov $V86_IDT, %edi
    mov $512, %ecx
    xor %eax, %eax
    rep stosl
    mov $13, %eax
    mov $mon_gp, %ebx
    mov $V86_SEL_CODE0, %dx
    mov $0x8e00, %cx
    call set_gate
    mov $V86_VEC_MONITOR, %eax
    mov $mon_int30, %ebx
    mov $0xee00, %cx
    call set_gate
    mov $3, %eax              /* #BP: INT3 is not IOPL-sensitive */
    mov $mon_int30, %ebx
    call set_gate
    mov $V86_VEC_BADGATE, %eax
    mov $mon_int30, %ebx
    mov $V86_SEL_CODE3, %dx
    call set_gate
    lidt v86_idtr
    /* TSS: ring-0 stack, bitmaps. */
    mov $V86_TSS, %edi
    mov $V86_TSS_IOMAP / 4, %ecx
    xor %eax, %eax
    rep stosl
    movl $V86_STACK0, V86_TSS + 4
    movl $V86_SEL_DATA0, V86_TSS + 8
    movw $V86_TSS_IOMAP, V86_TSS + 0x66
    movb $0x03, V86_TSS + V86_TSS_REDIR + V86_VEC_MONITOR / 8    /* 0x30, 0x31 */
    movb $0x08, V86_TSS + V86_TSS_REDIR + V86_VEC_NOREDIR / 8    /* 0x43 */
    mov $V86_TSS + V86_TSS_IOMAP, %edi
    mov $0x2001, %ecx
    mov $0xff, %al
    rep stosb
    andb $~0x0f, V86_TSS + V86_TSS_IOMAP + PORT_REPORT / 8       /* 0xe0..0xe3 */
    andb $~0x10, V86_TSS + V86_TSS_IOMAP + PORT_DONE / 8         /* 0xf4 */
    mov $V86_SEL_TSS, %ax
    ltr %ax
    /* The 8086 program's IVT entry for the redirected vector. */
    movl $v86c_handler, V86_VEC_REDIR * 4
    ret

/* Enter the V86 task at EBX with EFLAGS = EAX: IRETD from CPL 0. */
enter_v86:
    pop %ecx                  /* return address: not used */
    push $0                   /* GS */
    push $0                   /* FS */
    push $0                   /* DS */
    push $V86_ES              /* ES */
    push $V86_SS
    push $V86_SP
    push %eax
    push $0                   /* CS */
    push %ebx
    iret

mon_int30:
    mov %ds, %eax
    mov %es, %ecx
    or %ecx, %eax
    mov %fs, %ecx
    or %ecx, %eax
    mov %gs, %ecx
    or %ecx, %eax
    out %eax, $PORT_REPORT
    /* Selector slots are reported as words: their upper halves are not
     * architectural. */
    mov (%esp), %eax
    out %eax, $PORT_REPORT
    movzwl 4(%esp), %eax
    out %eax, $PORT_REPORT
    mov 8(%esp), %eax
    out %eax, $PORT_REPORT
    mov 12(%esp), %eax
    out %eax, $PORT_REPORT
    mov $16, %esi
1:  movzwl (%esp,%esi), %eax
    out %eax, $PORT_REPORT
    add $4, %esi
    cmp $36, %esi
    jne 1b
    mov %cs, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

mon_gp:
    push %ds
    push %eax
    push %ebx
    mov $V86_SEL_DATA0, %ax
    mov %ax, %ds
    mov 12(%esp), %eax        /* error code */
    out %eax, $PORT_REPORT
    mov 16(%esp), %ebx        /* EIP */
    mov %ebx, %eax
    out %eax, $PORT_REPORT
    testl $RF_VM, 24(%esp)
    jz 1f
    movzwl 20(%esp), %eax     /* a V86 CS: linear = CS * 16 + IP */
    shl $4, %eax
    add %eax, %ebx
1:  cmpb $0xcd, (%ebx)
    jne 2f
    incl 16(%esp)
2:  incl 16(%esp)
    pop %ebx
    pop %eax
    pop %ds
    add $4, %esp
    iret

/* ---- case entries (CPL 0) ---- */

/* IOPL 3: real-mode style work, an exit from V86, INT back to the monitor. */
v86_basic:
    call v86_setup
    mov $(RF_VM | RF_IOPL3 | 2), %eax
    mov $v86a, %ebx
    jmp enter_v86

/* IOPL 0 without VME: the IOPL-sensitive instructions fault, the I/O
 * bitmap alone decides about ports. */
v86_sensitive:
    call v86_setup
    mov $(RF_VM | 2), %eax
    mov $v86b, %ebx
    jmp enter_v86

/* IOPL 0 with VME: virtual interrupt flag, INT redirection. */
v86_vme:
    call v86_setup
    mov %cr4, %eax
    or $CR4_VME, %eax
    mov %eax, %cr4
    mov $(RF_VM | RF_VIF | RF_IF | 2), %eax
    mov $v86c, %ebx
    jmp enter_v86

/* IOPL 3: INT through a gate to a DPL-3 code segment. */
v86_badgate:
    call v86_setup
    mov $(RF_VM | RF_IOPL3 | 2), %eax
    mov $v86d, %ebx
    jmp enter_v86

/* PVI: CLI/STI at CPL 3 in protected mode with IOPL 0. */
v86_pvi:
    call v86_setup
    mov %cr4, %eax
    or $CR4_PVI, %eax
    mov %eax, %cr4
    mov $V86_SEL_DATA3, %ax
    mov %ax, %ds
    mov %ax, %es
    push $V86_SEL_DATA3
    push $V86_USER_STACK
    push $(RF_IF | 2)
    push $V86_SEL_CODE3
    push $pvi_user
    iret

/* Only the tables: the host then enters V86 itself. */
v86_tables:
    call v86_setup
    out %al, $PORT_DONE

pvi_user:
    cli                        /* VIF = 0, IF stays */
    sti                        /* VIF = 1 */
pvi_report:
    out %al, $PORT_REPORT      /* the host checks RFLAGS and sets VIP */
    cli
pvi_sti_vip:
    sti                        /* VIP = 1: #GP(0) */
    pushf
    pop %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

/* ---- virtual-8086 code (CS = 0: IP = link address) ---- */
    .code16
v86a:
    mov $0x1234, %ax
    push %ax
    pop %cx
    mov $V86_ES, %dx
    mov %dx, %es
    movw %cx, %es:0x10         /* linear 0x30010 */
    mov %es:0x10, %ax
v86a_out:
    out %ax, $PORT_REPORT
v86a_int:
    int $V86_VEC_MONITOR

v86b:
    mov $0x5a, %al
v86b_cli:
    cli
v86b_sti:
    sti
v86b_pushf:
    pushf
v86b_popf:
    popf
v86b_int:
    int $V86_VEC_MONITOR
v86b_iret:
    iret
v86b_out:
    out %al, $PORT_REPORT      /* allowed by the bitmap although IOPL is 0 */
    mov $V86_PORT_DENIED, %dx
v86b_denied:
    out %al, %dx
v86b_int3:
    int3                       /* through the IDT although IOPL is 0 */

v86c:
    cli                        /* VIF = 0 */
    pushf
    pop %ax
v86c_report1:
    out %ax, $PORT_REPORT      /* image: IF = VIF = 0, IOPL 3 */
    sti
    pushf
    pop %ax
    out %ax, $PORT_REPORT      /* IF = VIF = 1 */
    int $V86_VEC_REDIR         /* to v86c_handler through the IVT */
    pushf
    pop %ax
    out %ax, $PORT_REPORT      /* VIF back to 1 from the IRET */
    pushw $0x0100              /* TF */
v86c_popf_tf:
    popf                       /* #GP(0) */
    pop %ax
v86c_int_noredir:
    int $V86_VEC_NOREDIR       /* bitmap bit set, IOPL 0: #GP(0) */
    cli
v86c_report_vip:
    out %al, $PORT_REPORT      /* the host sets VIP */
v86c_sti_vip:
    sti                        /* #GP(0) */
    out %al, $PORT_DONE
v86c_handler:
    pushf
    pop %ax
    out %ax, $PORT_REPORT      /* inside: VIF cleared */
    mov %sp, %bp
    mov 4(%bp), %ax
    out %ax, $PORT_REPORT      /* the pushed image */
    iret

v86d:
v86d_int:
    int $V86_VEC_BADGATE       /* #GP(code selector) */
    out %al, $PORT_DONE

/* Entered by the host through VM entry with RFLAGS.VM = 1. */
v86e:
    mov %ss, %ax
v86e_out:
    out %ax, $PORT_REPORT
    out %al, $PORT_DONE
