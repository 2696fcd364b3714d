/* Registers and the XSAVE area. */
#include <string.h>

#include "../core/regs.h"
#include "api.h"

hv_return_t hv_vcpu_read_register(hv_vcpuid_t vcpu, hv_x86_reg_t reg, uint64_t *value)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    api_pull_reg(v, reg);
    return reg_read(v, reg, value);
}

hv_return_t hv_vcpu_write_register(hv_vcpuid_t vcpu, hv_x86_reg_t reg, uint64_t value)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    api_pull_reg(v, reg);
    ret = reg_write(v, reg, value);
    if (ret == HV_SUCCESS)
        api_dirty(v, reg <= HV_X86_R15 ? WRITE_GPRS : WRITE_ANY);
    return ret;
}

/* The smallest buffer accepted: the standard-format XSAVE area of the
 * features offered (x87/SSE legacy region, header, AVX). */
#define FPSTATE_MIN_SIZE 832u

enum { XSAVE_MXCSR = 24, XSAVE_XSTATE_BV = 512, XSAVE_XCOMP_BV = 520 };

static uint64_t get(const uint8_t *area, size_t offset, size_t bytes)
{
    uint64_t x = 0;
    memcpy(&x, area + offset, bytes);
    return x;
}

/* A state a real XRSTOR would accept: MXCSR reserved bits clear, only
 * x87/SSE/AVX components, standard (not compacted) format. */
static bool xsave_valid(const uint8_t *area)
{
    return (get(area, XSAVE_MXCSR, 4) & ~0xffffull) == 0 &&
           (get(area, XSAVE_XSTATE_BV, 8) & ~7ull) == 0 && get(area, XSAVE_XCOMP_BV, 8) == 0;
}

hv_return_t hv_vcpu_read_fpstate(hv_vcpuid_t vcpu, void *buffer, size_t size)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (buffer == NULL || size < FPSTATE_MIN_SIZE)
        return HV_BAD_ARGUMENT;
    api_pull_fpstate(v);
    size_t n = size < HV_FPSTATE_SIZE ? size : HV_FPSTATE_SIZE;
    memcpy(buffer, v->fpstate, n);
    return HV_SUCCESS;
}

hv_return_t hv_vcpu_write_fpstate(hv_vcpuid_t vcpu, void *buffer, size_t size)
{
    struct hv_vcpu *v;
    hv_return_t ret = api_vcpu(vcpu, &v);
    if (ret != HV_SUCCESS)
        return ret;
    if (buffer == NULL || size < FPSTATE_MIN_SIZE || !xsave_valid(buffer))
        return HV_BAD_ARGUMENT;
    api_pull_fpstate(v);
    size_t n = size < HV_FPSTATE_SIZE ? size : HV_FPSTATE_SIZE;
    memcpy(v->fpstate, buffer, n);
    api_dirty(v, WRITE_ANY);
    return HV_SUCCESS;
}
