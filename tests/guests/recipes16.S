/* 16-bit guest (.code16) for the exit recipes in real mode and 16-bit
 * protected mode (tests/conformance/test_recipes16.c): the MMIO decoding
 * cases that differ from long mode (16-bit addressing, operand- and
 * address-size prefixes) and I/O with an operand-size prefix.  Same
 * convention as recipes64.S: g_<name> is the exiting instruction,
 * g_<name>_next the OUT to PORT_DONE after it.  Segment bases are 0 in
 * both modes (guest_mode), so offsets are guest-physical addresses. */
#include "layout.h"

    .text
    .code16
_start:
    out %al, $PORT_DONE

g_in_dx_eax:
    in %dx, %eax
g_in_dx_eax_next:
    out %al, $PORT_DONE

g_out_dx_ax:
    out %ax, %dx
g_out_dx_ax_next:
    out %al, $PORT_DONE

g_rep_insw:
    rep insw %dx, (%di)
g_rep_insw_next:
    out %al, $PORT_DONE

g_mmio_read:
    mov (%bx,%si), %ax
g_mmio_read_next:
    out %al, $PORT_DONE

g_mmio_read32:
    mov 0x10(%bx), %eax
g_mmio_read32_next:
    out %al, $PORT_DONE

g_mmio_read_a32:
    addr32 mov (%ebx), %ax
g_mmio_read_a32_next:
    out %al, $PORT_DONE

g_mmio_write:
    mov %cx, (%bx)
g_mmio_write_next:
    out %al, $PORT_DONE

g_mmio_add:
    add %ax, (%bx)
g_mmio_add_next:
    out %al, $PORT_DONE

g_mmio_movs:
    movsw (%si), %es:(%di)
g_mmio_movs_next:
    out %al, $PORT_DONE
