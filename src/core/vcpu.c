/* vCPU creation defaults: what a client that never writes a field gets. */
#include "vcpu.h"

#include <string.h>

#include "caps.h"
#include "vm.h"

/* XSAVE legacy-region and header offsets (Intel SDM vol. 1, 13.4). */
enum {
    XSAVE_FCW = 0, XSAVE_MXCSR = 24, XSAVE_MXCSR_MASK = 28, XSAVE_XSTATE_BV = 512,
};

static void put16(uint8_t *p, uint16_t x) { memcpy(p, &x, sizeof x); }
static void put32(uint8_t *p, uint32_t x) { memcpy(p, &x, sizeof x); }
static void put64(uint8_t *p, uint64_t x) { memcpy(p, &x, sizeof x); }

static uint32_t allowed0(const struct hv_backend *backend, hv_vmx_capability_t cap)
{
    uint64_t word = 0;
    vmx_capability(backend, cap, &word);
    return cap_allowed0(word);
}

void vcpu_init_state(struct hv_vcpu *v, const struct hv_backend *backend)
{
    struct vmcs_guest *g = &v->vmcs.guest;
    struct vmcs_ctrl *c = &v->vmcs.ctl;

    memset(&v->vmcs, 0, sizeof v->vmcs);
    c->pin = allowed0(backend, HV_VMX_CAP_PINBASED);
    c->cpu = allowed0(backend, HV_VMX_CAP_PROCBASED);
    c->cpu2 = allowed0(backend, HV_VMX_CAP_PROCBASED2);
    c->entry = allowed0(backend, HV_VMX_CAP_ENTRY);
    c->exit = allowed0(backend, HV_VMX_CAP_EXIT);
    c->tsc_multiplier = 1ull << 48;     /* 1.0 in Intel's 16.48 format */

    for (int s = 0; s < SEG_COUNT; s++)
        g->seg[s] = (struct vmx_segment){ .limit = 0xffff, .ar = AR_P | AR_S | 0x3 };
    g->seg[SEG_CS].ar = AR_P | AR_S | 0xb;
    g->seg[SEG_LDTR] = (struct vmx_segment){ .ar = AR_UNUSABLE };
    g->seg[SEG_TR] = (struct vmx_segment){ .limit = 0xffff, .ar = AR_P | 0x3 };
    g->gdtr_limit = g->idtr_limit = 0xffff;
    g->rflags = 0x2;
    g->cr0 = 0x20;                      /* NE */
    g->cr4 = 0x2000;                    /* VMXE */
    g->dr[6] = 0xffff0ff0;
    g->dr[7] = 0x400;
    g->pat = 0x0007040600070406ull;
    g->link_pointer = UINT64_MAX;
    g->xcr0 = 1;

    memset(v->fpstate, 0, sizeof v->fpstate);
    put16(v->fpstate + XSAVE_FCW, 0x37f);
    put32(v->fpstate + XSAVE_MXCSR, 0x1f80);
    put32(v->fpstate + XSAVE_MXCSR_MASK, 0xffff);
    put64(v->fpstate + XSAVE_XSTATE_BV, 3);
}
