/* The register table: hv_x86_reg_t value -> struct vmcs member. */
#include "regs.h"

#include <stddef.h>
#include <string.h>

#include "vcpu.h"

/* R(reg, member); HV_X86_CR1 has no storage (handled in the code). */
#define REGISTERS(R)                                                             \
    R(HV_X86_RIP, guest.rip) R(HV_X86_RFLAGS, guest.rflags)                      \
    R(HV_X86_RAX, guest.gpr[GPR_RAX]) R(HV_X86_RCX, guest.gpr[GPR_RCX])          \
    R(HV_X86_RDX, guest.gpr[GPR_RDX]) R(HV_X86_RBX, guest.gpr[GPR_RBX])          \
    R(HV_X86_RSI, guest.gpr[GPR_RSI]) R(HV_X86_RDI, guest.gpr[GPR_RDI])          \
    R(HV_X86_RSP, guest.gpr[GPR_RSP]) R(HV_X86_RBP, guest.gpr[GPR_RBP])          \
    R(HV_X86_R8, guest.gpr[GPR_R8]) R(HV_X86_R9, guest.gpr[GPR_R9])              \
    R(HV_X86_R10, guest.gpr[GPR_R10]) R(HV_X86_R11, guest.gpr[GPR_R11])          \
    R(HV_X86_R12, guest.gpr[GPR_R12]) R(HV_X86_R13, guest.gpr[GPR_R13])          \
    R(HV_X86_R14, guest.gpr[GPR_R14]) R(HV_X86_R15, guest.gpr[GPR_R15])          \
    R(HV_X86_CS, guest.seg[SEG_CS].sel) R(HV_X86_SS, guest.seg[SEG_SS].sel)      \
    R(HV_X86_DS, guest.seg[SEG_DS].sel) R(HV_X86_ES, guest.seg[SEG_ES].sel)      \
    R(HV_X86_FS, guest.seg[SEG_FS].sel) R(HV_X86_GS, guest.seg[SEG_GS].sel)      \
    R(HV_X86_IDT_BASE, guest.idtr_base) R(HV_X86_IDT_LIMIT, guest.idtr_limit)    \
    R(HV_X86_GDT_BASE, guest.gdtr_base) R(HV_X86_GDT_LIMIT, guest.gdtr_limit)    \
    R(HV_X86_LDTR, guest.seg[SEG_LDTR].sel)                                      \
    R(HV_X86_LDT_BASE, guest.seg[SEG_LDTR].base)                                 \
    R(HV_X86_LDT_LIMIT, guest.seg[SEG_LDTR].limit)                               \
    R(HV_X86_LDT_AR, guest.seg[SEG_LDTR].ar)                                     \
    R(HV_X86_TR, guest.seg[SEG_TR].sel)                                          \
    R(HV_X86_TSS_BASE, guest.seg[SEG_TR].base)                                   \
    R(HV_X86_TSS_LIMIT, guest.seg[SEG_TR].limit)                                 \
    R(HV_X86_TSS_AR, guest.seg[SEG_TR].ar)                                       \
    R(HV_X86_CR0, guest.cr0) R(HV_X86_CR2, guest.cr2) R(HV_X86_CR3, guest.cr3)   \
    R(HV_X86_CR4, guest.cr4)                                                     \
    R(HV_X86_DR0, guest.dr[0]) R(HV_X86_DR1, guest.dr[1])                        \
    R(HV_X86_DR2, guest.dr[2]) R(HV_X86_DR3, guest.dr[3])                        \
    R(HV_X86_DR4, guest.dr[4]) R(HV_X86_DR5, guest.dr[5])                        \
    R(HV_X86_DR6, guest.dr[6]) R(HV_X86_DR7, guest.dr[7])                        \
    R(HV_X86_TPR, guest.tpr) R(HV_X86_XCR0, guest.xcr0)

struct reg_slot {
    uint16_t offset;
    uint8_t size;            /* 0: no storage (CR1) */
};

#define MEMBER_SIZE(member) sizeof(((struct vmcs *)0)->member)

static const struct reg_slot slots[HV_X86_REGISTERS_MAX] = {
#define SLOT(reg, member) [reg] = { offsetof(struct vmcs, member), MEMBER_SIZE(member) },
    REGISTERS(SLOT)
#undef SLOT
};

static const struct reg_slot *slot_of(hv_x86_reg_t reg)
{
    if ((unsigned)reg >= HV_X86_REGISTERS_MAX)
        return NULL;
    return &slots[reg];
}

hv_return_t reg_read(const struct hv_vcpu *v, hv_x86_reg_t reg, uint64_t *value)
{
    const struct reg_slot *s = slot_of(reg);
    if (s == NULL || value == NULL)
        return HV_BAD_ARGUMENT;
    const uint8_t *p = (const uint8_t *)&v->vmcs + s->offset;
    uint64_t x = 0;
    switch (s->size) {
    case 0: break;
    case 2: { uint16_t y; memcpy(&y, p, 2); x = y; break; }
    case 4: { uint32_t y; memcpy(&y, p, 4); x = y; break; }
    default: memcpy(&x, p, 8); break;
    }
    *value = x;
    return HV_SUCCESS;
}

hv_return_t reg_write(struct hv_vcpu *v, hv_x86_reg_t reg, uint64_t value)
{
    const struct reg_slot *s = slot_of(reg);
    if (s == NULL)
        return HV_BAD_ARGUMENT;
    if (reg == HV_X86_XCR0) {
        value &= XCR0_SUPPORTED;
        if (!(value & 1) || (value & 6) == 4)
            return HV_BAD_ARGUMENT;
    }
    uint8_t *p = (uint8_t *)&v->vmcs + s->offset;
    switch (s->size) {
    case 0: break;
    case 2: { uint16_t y = (uint16_t)value; memcpy(p, &y, 2); break; }
    case 4: { uint32_t y = (uint32_t)value; memcpy(p, &y, 4); break; }
    default: memcpy(p, &value, 8); break;
    }
    return HV_SUCCESS;
}
