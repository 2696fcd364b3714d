/*
 * Whole-register-file snapshots for the exit-recipe cases: a case fills every
 * GPR and RFLAGS with distinct values, runs to an exit, and checks that the
 * exit left ALL of them as they were (the instruction did not execute), then
 * that the guest, once resumed, holds exactly what the client wrote.
 * Header-only (static inline) so each conformance program stays one file.
 */
#ifndef OPENHV_TESTS_RECIPE_REGS_H
#define OPENHV_TESTS_RECIPE_REGS_H

#include "harness.h"

#include <Hypervisor/openhv.h>
#include <stdio.h>
#include <string.h>

enum {
    R_RAX, R_RCX, R_RDX, R_RBX, R_RSI, R_RDI, R_RSP, R_RBP,
    R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15, R_COUNT
};

static const struct { hv_x86_reg_t id; const char *name; } recipe_gpr[R_COUNT] = {
    { HV_X86_RAX, "RAX" }, { HV_X86_RCX, "RCX" }, { HV_X86_RDX, "RDX" }, { HV_X86_RBX, "RBX" },
    { HV_X86_RSI, "RSI" }, { HV_X86_RDI, "RDI" }, { HV_X86_RSP, "RSP" }, { HV_X86_RBP, "RBP" },
    { HV_X86_R8, "R8" }, { HV_X86_R9, "R9" }, { HV_X86_R10, "R10" }, { HV_X86_R11, "R11" },
    { HV_X86_R12, "R12" }, { HV_X86_R13, "R13" }, { HV_X86_R14, "R14" }, { HV_X86_R15, "R15" },
};

/* Arithmetic flags, and the bit that is always 1. */
#define RF_CF 0x001u
#define RF_PF 0x004u
#define RF_AF 0x010u
#define RF_ZF 0x040u
#define RF_SF 0x080u
#define RF_IF 0x200u
#define RF_DF 0x400u
#define RF_OF 0x800u
#define RF_RF 0x10000u
#define RF_ARITH (RF_CF | RF_PF | RF_AF | RF_ZF | RF_SF | RF_OF)
#define RF_FIXED 0x2u

/* The access-kind bits of an EPT-violation qualification. */
#define EPTQ_ACCESS_BITS (EPTQ_READ | EPTQ_WRITE | EPTQ_FETCH)

struct regs {
    uint64_t gpr[R_COUNT];
    uint64_t rflags;
};

/* Distinct, recognisable values in every register; RSP keeps the stack the
 * mode setup chose; RFLAGS has every arithmetic flag set and IF clear, so an
 * instruction that ran would almost surely change something. */
static inline void regs_seed(struct h_vm *vm, struct regs *r)
{
    for (int i = 0; i < R_COUNT; i++)
        r->gpr[i] = 0xa5a5000000000000ull | ((uint64_t)(i + 1) << 40) | ((uint64_t)(i + 1) * 0x01010101ull);
    r->gpr[R_RSP] = h_reg(vm, HV_X86_RSP);
    r->rflags = RF_FIXED | RF_ARITH;
}

static inline void regs_write(struct h_vm *vm, const struct regs *r)
{
    for (int i = 0; i < R_COUNT; i++)
        h_set_reg(vm, recipe_gpr[i].id, r->gpr[i]);
    h_set_reg(vm, HV_X86_RFLAGS, r->rflags);
}

static inline void regs_expect_at(struct h_vm *vm, const struct regs *r, const char *file, int line)
{
    for (int i = 0; i < R_COUNT; i++) {
        uint64_t v = h_reg(vm, recipe_gpr[i].id);
        if (v != r->gpr[i])
            t_fail(true, file, line, "%s = 0x%llx, expected 0x%llx", recipe_gpr[i].name,
                   (unsigned long long)v, (unsigned long long)r->gpr[i]);
    }
    /* RF is what VMX saves for the kind of exit (SDM "Saving RIP, RSP,
     * RFLAGS and SSP"), not the guest's value: the rf_* cases check it. */
    uint64_t fl = h_reg(vm, HV_X86_RFLAGS);
    if ((fl & ~(uint64_t)RF_RF) != (r->rflags & ~(uint64_t)RF_RF))
        t_fail(true, file, line, "RFLAGS = 0x%llx, expected 0x%llx", (unsigned long long)fl,
               (unsigned long long)r->rflags);
}
#define regs_expect(vm, r) regs_expect_at(vm, r, __FILE__, __LINE__)

/* The encoded length of the instruction at g_<name>: the distance to the
 * label after it, as the assembler laid it out. */
static inline uint64_t insn_len(struct h_vm *vm, const char *name)
{
    char next[96];
    snprintf(next, sizeof next, "%s_next", name);
    return h_sym(vm, next) - h_sym(vm, name);
}

/* Run to the OUT to PORT_DONE that follows g_<name>: the client's RIP
 * advance landed right after the instruction. */
static inline void expect_done_after_at(struct h_vm *vm, const char *name, const char *file, int line)
{
    char next[96];
    snprintf(next, sizeof next, "%s_next", name);
    h_expect_done_at(vm, file, line);
    if (vm->exit.rip != h_sym(vm, next))
        t_fail(true, file, line, "PORT_DONE exit at RIP 0x%llx, expected %s = 0x%llx",
               (unsigned long long)vm->exit.rip, next, (unsigned long long)h_sym(vm, next));
}
#define expect_done_after(vm, name) expect_done_after_at(vm, name, __FILE__, __LINE__)

static inline bool backend_is_kvm(void)
{
    return strncmp(openhv_backend_name(), "kvm", 3) == 0;
}

#endif
