/* Running one 64-bit instruction natively on the host, for comparison. */
#ifndef OPENHV_TESTS_ENGINE_NATIVE_H
#define OPENHV_TESTS_ENGINE_NATIVE_H

#include <stdbool.h>
#include <stdint.h>

struct native_state {
    uint64_t gpr[16];  /* encoding order, like vmcs_guest.gpr */
    uint64_t rflags;
    uint64_t host_rsp; /* used by the stub */
};

/* Loads `s`, jumps to *native_code_addr (instruction bytes followed by a jump
 * to native_back), and stores the registers and flags back into `s`. */
void native_exec(struct native_state *s);
void native_back(void);
extern uint64_t native_code_addr;

/* The same, but entering 32-bit code through a far jump to native_far32
 * (offset32, then the selector of a 32-bit code segment); the code returns
 * with a far jump to 64-bit code that jumps to native_back. */
void native_exec32(struct native_state *s);
extern uint8_t native_far32[8];

/* Whether `sel` names a present 32-bit code segment the host's user mode can
 * jump to (some hosts, paravirtualised ones among them, have none). */
bool native_code32_usable(uint16_t sel);

#endif
