/*
 * VMCS field access.  The lookup index is built at compile time from the
 * X-macro: encodings decompose into (width, type) = bits 14:10 without the
 * reserved bit 12, and index = bits 9:1; the index array is sized so that an
 * encoding outside it fails to compile rather than being silently lost.
 */
#include "vmcs.h"

#include <stddef.h>
#include <string.h>

#include "caps.h"
#include "vcpu.h"
#include "vm.h"
#include "vmcs_fields.h"

enum vmcs_row {
#define ROW_F(name, access, cond, member) ROW_##name,
#define ROW_H(name) ROW_##name,
    VMCS_FIELDS(ROW_F, ROW_H)
#undef ROW_F
#undef ROW_H
    VMCS_ROW_COUNT
};

struct vmcs_field {
    uint32_t encoding;
    uint8_t access;          /* enum vmcs_access */
    uint8_t cond;            /* enum vmcs_cond */
    uint8_t size;            /* bytes of storage in struct vmcs; 0 when hidden */
    uint16_t offset;         /* offsetof(struct vmcs, member) */
};

#define MEMBER_SIZE(member) sizeof(((struct vmcs *)0)->member)

static const struct vmcs_field fields[VMCS_ROW_COUNT] = {
#define DEF_F(name, acc, cnd, member)                                                  \
    [ROW_##name] = { name, acc, cnd, MEMBER_SIZE(member), offsetof(struct vmcs, member) },
#define DEF_H(name) [ROW_##name] = { name, VA_HIDDEN, VC_NONE, 0, 0 },
    VMCS_FIELDS(DEF_F, DEF_H)
#undef DEF_F
#undef DEF_H
};

_Static_assert(VMCS_ROW_COUNT < 255, "row numbers must fit the uint8_t index");
_Static_assert(sizeof(struct vmcs) <= UINT16_MAX, "offsets must fit uint16_t");

#define ENC_GROUP(enc) ((((enc) >> 13) & 3u) << 2 | (((enc) >> 10) & 3u))
#define ENC_INDEX(enc) (((enc) >> 1) & 0x1ffu)
#define INDEX_LIMIT 32u

/* Row + 1 for each (group, index); 0 = no such field. */
static const uint8_t field_index[16][INDEX_LIMIT] = {
#define IDX_F(name, access, cond, member) [ENC_GROUP(name)][ENC_INDEX(name)] = ROW_##name + 1,
#define IDX_H(name) [ENC_GROUP(name)][ENC_INDEX(name)] = ROW_##name + 1,
    VMCS_FIELDS(IDX_F, IDX_H)
#undef IDX_F
#undef IDX_H
};

static const struct vmcs_field *lookup(uint32_t field)
{
    /* Bits 0 (high half), 12 and 15-31 are not part of any listed field. */
    if (field & ~0x6ffeu)
        return NULL;
    uint32_t index = ENC_INDEX(field);
    if (index >= INDEX_LIMIT)
        return NULL;
    uint8_t row = field_index[ENC_GROUP(field)][index];
    return row ? &fields[row - 1] : NULL;
}

unsigned vmcs_field_width(uint32_t field)
{
    static const unsigned widths[4] = { 16, 64, 32, 64 };
    return widths[(field >> 13) & 3u];
}

bool vmcs_field_known(uint32_t field)
{
    return lookup(field) != NULL;
}

enum vmcs_access vmcs_field_access(uint32_t field)
{
    const struct vmcs_field *f = lookup(field);
    return f ? (enum vmcs_access)f->access : VA_HIDDEN;
}

static uint64_t width_mask(uint32_t field)
{
    unsigned w = vmcs_field_width(field);
    return w == 64 ? UINT64_MAX : (1ull << w) - 1;
}

static uint64_t load(const struct vmcs *vmcs, const struct vmcs_field *f)
{
    const uint8_t *p = (const uint8_t *)vmcs + f->offset;
    switch (f->size) {
    case 2: { uint16_t x; memcpy(&x, p, 2); return x; }
    case 4: { uint32_t x; memcpy(&x, p, 4); return x; }
    default: { uint64_t x; memcpy(&x, p, 8); return x; }
    }
}

static void store(struct vmcs *vmcs, const struct vmcs_field *f, uint64_t value)
{
    uint8_t *p = (uint8_t *)vmcs + f->offset;
    switch (f->size) {
    case 2: { uint16_t x = (uint16_t)value; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)value; memcpy(p, &x, 4); break; }
    default: memcpy(p, &value, 8); break;
    }
}

static hv_vmx_capability_t cond_capability(enum vmcs_cond cond)
{
    switch (cond) {
    case VC_PIN: return HV_VMX_CAP_PINBASED;
    case VC_CPU: return HV_VMX_CAP_PROCBASED;
    case VC_CPU2: return HV_VMX_CAP_PROCBASED2;
    case VC_ENTRY: return HV_VMX_CAP_ENTRY;
    default: return HV_VMX_CAP_EXIT;
    }
}

/* The (allowed0, allowed1) pair of a field, over its width. */
static void write_caps(const struct hv_vcpu *v, const struct vmcs_field *f, uint64_t *a0,
                       uint64_t *a1)
{
    uint64_t word;
    *a0 = 0;
    *a1 = width_mask(f->encoding);
    switch ((enum vmcs_cond)f->cond) {
    case VC_NONE: break;
    case VC_PIN: case VC_CPU: case VC_CPU2: case VC_ENTRY: case VC_EXIT:
        vmx_capability(v->vm ? v->vm->backend : NULL, cond_capability(f->cond), &word);
        *a0 = cap_allowed0(word);
        *a1 = cap_allowed1(word);
        break;
    case VC_CR0: *a1 = 0xffffffffull & ~(CR0_CD | CR0_NW); break;
    case VC_ACTIVITY: *a1 = 1; break;          /* active or HLT */
    case VC_CR3_COUNT: *a1 = 7; break;         /* and at most 4, see vmcs_write */
    }
}

hv_return_t vmcs_read(const struct hv_vcpu *v, uint32_t field, uint64_t *value)
{
    const struct vmcs_field *f = lookup(field);
    if (f == NULL || f->access == VA_HIDDEN || value == NULL)
        return HV_BAD_ARGUMENT;
    *value = load(&v->vmcs, f);
    return HV_SUCCESS;
}

hv_return_t vmcs_write(struct hv_vcpu *v, uint32_t field, uint64_t value)
{
    const struct vmcs_field *f = lookup(field);
    if (f == NULL || (f->access != VA_RW && f->access != VA_RW_COND))
        return HV_BAD_ARGUMENT;
    value &= width_mask(field);
    if (f->access == VA_RW_COND) {
        if (f->cond == VC_CPU &&
            !(value & (CPU_BASED_CR8_LOAD | CPU_BASED_CR8_STORE | CPU_BASED_TPR_SHADOW)))
            return HV_SUCCESS;
        uint64_t a0, a1;
        write_caps(v, f, &a0, &a1);
        if ((value & ~a1) != 0 || (value & a0) != a0)
            return HV_BAD_ARGUMENT;
        if (f->cond == VC_CR3_COUNT && value > 4)
            return HV_BAD_ARGUMENT;
    }
    store(&v->vmcs, f, value);
    return HV_SUCCESS;
}

hv_return_t vmcs_get_cap_write(const struct hv_vcpu *v, uint32_t field, uint64_t *allowed_0,
                               uint64_t *allowed_1)
{
    const struct vmcs_field *f = lookup(field);
    /* A read-only field has no write constraints to report: any answer
     * would describe writes that fail. */
    if (f == NULL || f->access == VA_HIDDEN || f->access == VA_RO || allowed_0 == NULL ||
        allowed_1 == NULL)
        return HV_BAD_ARGUMENT;
    write_caps(v, f, allowed_0, allowed_1);
    return HV_SUCCESS;
}
