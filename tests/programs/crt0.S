/* Guest entry of a test program: zero .bss, call prog_main(out, cap) with
 * the stack the runner set up, report the byte count through an I/O exit. */
#include "prog.h"

    .section .text.entry, "ax"
    .code64
    .globl _start
_start:
    mov $PROG_STACK_TOP, %rsp
    lea __bss_start(%rip), %rdi
    lea __bss_end(%rip), %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    cld
    rep stosb
    mov $PROG_OUT_GPA, %edi
    mov $PROG_OUT_CAP, %esi
    call prog_main
    out %al, $PROG_PORT_DONE
1:  hlt
    jmp 1b
	.section .note.GNU-stack,"",@progbits
