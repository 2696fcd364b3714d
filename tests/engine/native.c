/* The native-execution stubs (x86-64 Linux hosts only). */
#include <stdbool.h>

#include "native.h"

#if defined(__x86_64__)
/* Save the host's callee-saved registers and RSP, load the guest state
 * (flags first: nothing after POPFQ may change them). */
#define LOAD_STATE                                                                           \
    "  push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"              \
    "  mov %rsp, 136(%rdi)\n"                                                                \
    "  mov %rdi, native_state_ptr(%rip)\n"                                                   \
    "  pushq 128(%rdi)\n"                                                                    \
    "  popfq\n"                                                                              \
    "  mov 8(%rdi), %rcx\n mov 16(%rdi), %rdx\n mov 24(%rdi), %rbx\n mov 32(%rdi), %rsp\n"   \
    "  mov 40(%rdi), %rbp\n mov 48(%rdi), %rsi\n mov 64(%rdi), %r8\n mov 72(%rdi), %r9\n"    \
    "  mov 80(%rdi), %r10\n mov 88(%rdi), %r11\n mov 96(%rdi), %r12\n mov 104(%rdi), %r13\n" \
    "  mov 112(%rdi), %r14\n mov 120(%rdi), %r15\n"                                          \
    "  mov 0(%rdi), %rax\n mov 56(%rdi), %rdi\n"

__asm__(
    ".text\n"
    ".globl native_exec\n"
    ".type native_exec,@function\n"
    "native_exec:\n"
    LOAD_STATE
    "  jmp *native_code_addr(%rip)\n"
    ".globl native_exec32\n"
    ".type native_exec32,@function\n"
    "native_exec32:\n"
    LOAD_STATE
    "  ljmpl *native_far32(%rip)\n"
    ".globl native_back\n"
    ".type native_back,@function\n"
    "native_back:\n"
    "  mov %rax, native_tmp(%rip)\n"
    "  mov native_state_ptr(%rip), %rax\n"
    "  mov %rcx, 8(%rax)\n mov %rdx, 16(%rax)\n mov %rbx, 24(%rax)\n mov %rsp, 32(%rax)\n"
    "  mov %rbp, 40(%rax)\n mov %rsi, 48(%rax)\n mov %rdi, 56(%rax)\n mov %r8, 64(%rax)\n"
    "  mov %r9, 72(%rax)\n mov %r10, 80(%rax)\n mov %r11, 88(%rax)\n mov %r12, 96(%rax)\n"
    "  mov %r13, 104(%rax)\n mov %r14, 112(%rax)\n mov %r15, 120(%rax)\n"
    "  mov 136(%rax), %rsp\n"
    "  pushfq\n"
    "  popq 128(%rax)\n"
    "  mov native_tmp(%rip), %rcx\n"
    "  mov %rcx, 0(%rax)\n"
    "  cld\n"
    "  pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "  ret\n"
    ".bss\n"
    ".align 8\n"
    ".globl native_code_addr\n"
    "native_code_addr: .zero 8\n"
    ".globl native_far32\n"
    "native_far32: .zero 8\n"
    "native_state_ptr: .zero 8\n"
    "native_tmp: .zero 8\n"
    ".text\n");

bool native_code32_usable(uint16_t sel)
{
    uint32_t ar = 0;
    uint8_t valid;
    __asm__("lar %2, %0\n setz %1" : "+r"(ar), "=q"(valid) : "r"((uint32_t)sel));
    bool present = ar & (1u << 15), code = ((ar >> 11) & 3) == 3, d32 = ar & (1u << 22), l64 = ar & (1u << 21);
    return valid && present && code && d32 && !l64;
}
#endif
