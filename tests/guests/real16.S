/* Real-mode guests (.code16): segment arithmetic, 16-bit addressing and I/O
 * exits.  Runs with CS base 0, IP = symbol (layout.h). */
#include "layout.h"

    .text
    .code16
_start:
    out %al, $PORT_DONE

/* DS:(BX+SI) with a 16-bit offset that wraps at 64 KiB, a direct offset,
 * and an ES override; each loaded value is reported. */
r_segments:
    mov $0x1234, %ax
    mov %ax, %ds
    mov $0xfff0, %bx
    mov $0x20, %si
    mov (%bx,%si), %ax          /* DS:0x0010 -> 0x12350, not 0x22350 */
    out %ax, $PORT_REPORT
    mov 0x12, %ax               /* DS:0x0012 -> 0x12352 */
    out %ax, $PORT_REPORT
    mov $0x3000, %ax
    mov %ax, %es
    mov %es:4, %eax             /* 0x30004 */
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

r_out_imm8:
    mov $0xab, %al
r_out_imm8_insn:
    out %al, $0x80
    out %al, $PORT_DONE

r_in_imm_word:
r_in_imm_word_insn:
    in $0x71, %ax
    out %ax, $PORT_REPORT
    out %al, $PORT_DONE

r_in_dx_dword:
    mov $0x3f8, %dx
r_in_dx_dword_insn:
    in %dx, %eax
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE

r_out_dx_byte:
    mov $0x2f8, %dx
r_out_dx_byte_insn:
    out %al, %dx
    out %al, $PORT_DONE

r_rep_outsb:
    mov $0x2000, %si
    mov $0x10, %cx
    mov $0x3f8, %dx
    cld
r_rep_outsb_insn:
    rep outsb
    out %al, $PORT_DONE

r_rep_insb:
    mov $0x3000, %di
    mov $4, %cx
    mov $0x60, %dx
    cld
r_rep_insb_insn:
    rep insb
    out %al, $PORT_DONE

/* INT through the real-mode IVT (the host fills vector 0x21). */
r_int21:
r_int21_insn:
    int $0x21
    out %al, $PORT_DONE

r_isr21:
    mov $0x21, %ax
    out %ax, $PORT_REPORT
    iret

r_ud2:
r_ud2_insn:
    ud2
    out %al, $PORT_DONE

r_cpuid:
r_cpuid_insn:
    cpuid
    out %eax, $PORT_REPORT
    out %al, $PORT_DONE
