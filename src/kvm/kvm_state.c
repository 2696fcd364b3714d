/*
 * Guest state: struct vmcs <-> KVM.
 *
 * Registers, segments, control registers and events come with every exit
 * (KVM_CAP_SYNC_REGS) and are converted at once; MSRs, debug registers,
 * XCR0 and the XSAVE area cost an ioctl each and are read only when the API
 * asks.  Before an entry the vmcs is converted to KVM's format and compared
 * with what KVM holds (k_*): only what differs is written.
 *
 * CR0/CR4: KVM holds one architectural value and has no guest/host masks.
 * Bits the client owns through a mask show the read shadow to the guest
 * (kvm_run.c sends every mask other than CR0.NE and CR4.VMXE to the
 * emulator), and the VMX fixed bits stay in the vmcs only: CR4.VMXE is never
 * set in KVM, and a masked CR0.NE is what the shadow says.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_internal.h"

const uint32_t kvm_synced_msrs[KVM_SYNCED_MSR_COUNT] = {
#define KVM_LIST_ONE(idx) idx,
    KVM_SYNCED_MSRS(KVM_LIST_ONE)
#undef KVM_LIST_ONE
};

/* ---- segments and registers ---------------------------------------- */

static void seg_to_kvm(const struct vmx_segment *s, struct kvm_segment *k)
{
    uint32_t ar = s->ar;
    *k = (struct kvm_segment){
        .base = s->base, .limit = s->limit, .selector = s->sel,
        .type = (uint8_t)(ar & AR_TYPE_MASK), .s = !!(ar & AR_S),
        .dpl = (uint8_t)((ar >> AR_DPL_SHIFT) & 3), .present = !!(ar & AR_P),
        .avl = !!(ar & AR_AVL), .l = !!(ar & AR_L), .db = !!(ar & AR_DB), .g = !!(ar & AR_G),
        .unusable = !!(ar & AR_UNUSABLE),
    };
}

static void seg_from_kvm(const struct kvm_segment *k, struct vmx_segment *s)
{
    s->base = k->base;
    s->limit = k->limit;
    s->sel = k->selector;
    s->ar = (uint32_t)(k->type & AR_TYPE_MASK) | (k->s ? AR_S : 0) |
            ((uint32_t)(k->dpl & 3) << AR_DPL_SHIFT) | (k->present ? AR_P : 0) |
            (k->avl ? AR_AVL : 0) | (k->l ? AR_L : 0) | (k->db ? AR_DB : 0) |
            (k->g ? AR_G : 0) | (k->unusable ? AR_UNUSABLE : 0);
}

/* kvm_regs lists the GPRs in its own order. */
#define KVM_GPRS(X)                                                                   \
    X(rax, GPR_RAX) X(rbx, GPR_RBX) X(rcx, GPR_RCX) X(rdx, GPR_RDX) X(rsi, GPR_RSI)   \
    X(rdi, GPR_RDI) X(rsp, GPR_RSP) X(rbp, GPR_RBP) X(r8, GPR_R8) X(r9, GPR_R9)       \
    X(r10, GPR_R10) X(r11, GPR_R11) X(r12, GPR_R12) X(r13, GPR_R13) X(r14, GPR_R14)   \
    X(r15, GPR_R15)

static void regs_to_kvm(const struct vmcs_guest *g, struct kvm_regs *r)
{
#define TO_KVM(field, idx) r->field = g->gpr[idx];
    KVM_GPRS(TO_KVM)
#undef TO_KVM
    r->rip = g->rip;
    r->rflags = g->rflags;
}

static void regs_from_kvm(const struct kvm_regs *r, struct vmcs_guest *g)
{
#define FROM_KVM(field, idx) g->gpr[idx] = r->field;
    KVM_GPRS(FROM_KVM)
#undef FROM_KVM
    g->rip = r->rip;
    g->rflags = r->rflags;
}

/* kvm_sregs names the segments; the vmcs indexes them. */
#define KVM_SEGS(X) X(es, SEG_ES) X(cs, SEG_CS) X(ss, SEG_SS) X(ds, SEG_DS) X(fs, SEG_FS) \
    X(gs, SEG_GS) X(ldt, SEG_LDTR) X(tr, SEG_TR)

static uint64_t efer_for_entry(const struct vmcs *vmcs)
{
    const struct vmcs_guest *g = &vmcs->guest;
    if (vmcs->ctl.entry & VMENTRY_LOAD_EFER)
        return g->efer;
    /* As VM entry without "load IA32_EFER": LMA follows the IA-32e entry
     * control, and LME too while paging is on. */
    bool ia32e = vmcs->ctl.entry & VMENTRY_GUEST_IA32E;
    uint64_t efer = ia32e ? (g->efer | K_EFER_LMA) : (g->efer & ~K_EFER_LMA);
    if (g->cr0 & K_CR0_PG)
        efer = ia32e ? (efer | K_EFER_LME) : (efer & ~K_EFER_LME);
    return efer;
}

static void sregs_to_kvm(const struct vmcs *vmcs, struct kvm_sregs *s)
{
    const struct vmcs_guest *g = &vmcs->guest;
    const struct vmcs_ctrl *c = &vmcs->ctl;
#define SEG_TO_KVM(field, idx) seg_to_kvm(&g->seg[idx], &s->field);
    KVM_SEGS(SEG_TO_KVM)
#undef SEG_TO_KVM
    s->gdt = (struct kvm_dtable){ .base = g->gdtr_base, .limit = (uint16_t)g->gdtr_limit };
    s->idt = (struct kvm_dtable){ .base = g->idtr_base, .limit = (uint16_t)g->idtr_limit };
    s->cr0 = (g->cr0 & ~c->cr0_mask) | (c->cr0_shadow & c->cr0_mask);
    s->cr4 = ((g->cr4 & ~c->cr4_mask) | (c->cr4_shadow & c->cr4_mask)) & ~K_CR4_VMXE;
    s->cr2 = g->cr2;
    s->cr3 = g->cr3;
    s->efer = efer_for_entry(vmcs);
    /* Without an in-kernel APIC KVM keeps CR8 itself (MOV CR8 does not
     * exit): it is HV_X86_TPR's priority class, bits 7:4. */
    s->cr8 = (g->tpr >> 4) & 0xf;
}

/*
 * The guest's control registers as the client's MOV-CR handler leaves them
 * (a VM that is not exact keeps CR0/CR4 in KVM whatever the masks say, so
 * no MOV CR, CLTS or LMSW exits): the read shadows take the guest's value
 * of every masked bit; VMCS_GUEST_CR0/CR4 take it too, except the bits a
 * host keeps for itself (caching on, CR0.NE and CR4.VMXE as VMX fixes
 * them, CR0.ET hard-wired): the handlers of QEMU's hvf accelerator and of
 * xhyve both do so.  Entering IA-32e mode, those handlers also make a
 * 16-bit busy TSS a 64-bit one, as VM entry in IA-32e mode requires.
 */
static void crs_served_from_kvm(const struct kvm_sregs *s, struct vmcs *vmcs)
{
    struct vmcs_guest *g = &vmcs->guest;
    struct vmcs_ctrl *c = &vmcs->ctl;
    c->cr0_shadow = (c->cr0_shadow & ~c->cr0_mask) | (s->cr0 & c->cr0_mask);
    uint64_t kept0 = c->cr0_mask & KVM_CR0_HOST_KEPT;
    g->cr0 = (s->cr0 & ~kept0) | (g->cr0 & kept0);
    /* KVM never holds VMXE: the shadow keeps what the client put there. */
    uint64_t shadowed4 = c->cr4_mask & ~K_CR4_VMXE;
    c->cr4_shadow = (c->cr4_shadow & ~shadowed4) | (s->cr4 & shadowed4);
    g->cr4 = (s->cr4 & ~K_CR4_VMXE) | (g->cr4 & K_CR4_VMXE);
    struct vmx_segment *tr = &g->seg[SEG_TR];
    if ((s->efer & K_EFER_LMA) && (tr->ar & AR_TYPE_MASK) == 3 /* 16-bit busy TSS */)
        tr->ar = (tr->ar & ~(uint32_t)AR_TYPE_MASK) | 11 /* 64-bit busy TSS */;
}

static void sregs_from_kvm(const struct kvm_sregs *s, struct vmcs *vmcs, bool served)
{
    struct vmcs_guest *g = &vmcs->guest;
    struct vmcs_ctrl *c = &vmcs->ctl;
#define SEG_FROM_KVM(field, idx) seg_from_kvm(&s->field, &g->seg[idx]);
    KVM_SEGS(SEG_FROM_KVM)
#undef SEG_FROM_KVM
    g->gdtr_base = s->gdt.base;
    g->gdtr_limit = s->gdt.limit;
    g->idtr_base = s->idt.base;
    g->idtr_limit = s->idt.limit;
    if (served) {
        crs_served_from_kvm(s, vmcs);
    } else {
        /* Host-owned bits keep the value the client gave the vmcs. */
        g->cr0 = (s->cr0 & ~c->cr0_mask) | (g->cr0 & c->cr0_mask);
        uint64_t kept4 = c->cr4_mask | K_CR4_VMXE;
        g->cr4 = (s->cr4 & ~kept4) | (g->cr4 & kept4);
    }
    g->cr2 = s->cr2;
    g->cr3 = s->cr3;
    g->tpr = (g->tpr & 0xf) | ((s->cr8 & 0xf) << 4);
    g->efer = s->efer;
    if (s->efer & K_EFER_LMA)
        c->entry |= VMENTRY_GUEST_IA32E;
    else
        c->entry &= ~(uint32_t)VMENTRY_GUEST_IA32E;
}

/* ---- events ---------------------------------------------------------- */

static void events_to_kvm(const struct vmcs_guest *g, struct kvm_vcpu_events *e)
{
    uint32_t intr = g->interruptibility;
    /* Keep the flags KVM reported (SMM state, payload): they describe
     * fields this copy carries unchanged. */
    e->flags |= KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_NMI_PENDING;
    e->interrupt.shadow = (uint8_t)(((intr & GUEST_INTRBILITY_STI_BLOCKING) ? KVM_X86_SHADOW_INT_STI : 0) |
                                    ((intr & GUEST_INTRBILITY_MOVSS_BLOCKING) ? KVM_X86_SHADOW_INT_MOV_SS : 0));
    e->nmi.masked = !!(intr & GUEST_INTRBILITY_NMI_BLOCKING);
}

static void events_from_kvm(const struct kvm_vcpu_events *e, struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    uint32_t intr = v->vmcs.guest.interruptibility &
                    ~(uint32_t)(GUEST_INTRBILITY_STI_BLOCKING | GUEST_INTRBILITY_MOVSS_BLOCKING |
                                GUEST_INTRBILITY_NMI_BLOCKING);
    const uint8_t both = KVM_X86_SHADOW_INT_STI | KVM_X86_SHADOW_INT_MOV_SS;
    if ((e->interrupt.shadow & both) == both)
        intr |= kvm_shadow_cause(v);    /* SVM keeps one shadow bit and reports both */
    else if (e->interrupt.shadow & KVM_X86_SHADOW_INT_STI)
        intr |= GUEST_INTRBILITY_STI_BLOCKING;
    else if (e->interrupt.shadow & KVM_X86_SHADOW_INT_MOV_SS)
        intr |= GUEST_INTRBILITY_MOVSS_BLOCKING;
    if (e->nmi.masked)
        intr |= GUEST_INTRBILITY_NMI_BLOCKING;
    v->vmcs.guest.interruptibility = intr;

    /* An event KVM still holds for delivery: VMX would report it as
     * IDT-vectoring information. */
    uint32_t info = 0, error = 0;
    if (e->exception.injected) {
        info = IRQ_INFO_VALID | IRQ_INFO_HARD_EXC | e->exception.nr;
        if (e->exception.has_error_code) {
            info |= IRQ_INFO_ERROR_VALID;
            error = e->exception.error_code;
        }
    } else if (e->nmi.injected) {
        info = IRQ_INFO_VALID | IRQ_INFO_NMI | 2;
    } else if (e->interrupt.injected) {
        info = IRQ_INFO_VALID | (e->interrupt.soft ? IRQ_INFO_SOFT_IRQ : IRQ_INFO_EXT_IRQ) |
               e->interrupt.nr;
    }
    kv->requeued_info = info;
    kv->requeued_error = error;
}

/* ---- MSRs, debug registers, XCR0, XSAVE ------------------------------ */

struct msr_list {
    struct kvm_msrs head;
    struct kvm_msr_entry e[KVM_SYNCED_MSR_COUNT + 1];
};

static uint64_t synced_msr_value(struct hv_vcpu *v, uint32_t idx)
{
    uint64_t value = 0;
    /* msr_read knows where VMCS-backed MSRs live; the others are read
     * here even when the vCPU does not hold them (yet). */
    if (msr_read(v, idx, &value) != HV_SUCCESS) {
        int row = msr_row(idx);
        value = row >= 0 ? v->msr.value[row] : 0;
    }
    return value;
}

static void set_synced_msr(struct hv_vcpu *v, uint32_t idx, uint64_t value)
{
    if (msr_write(v, idx, value) != HV_SUCCESS) {
        int row = msr_row(idx);
        if (row >= 0)
            v->msr.value[row] = value;
    }
}

static void msrs_pull(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct msr_list l = { .head.nmsrs = KVM_SYNCED_MSR_COUNT };
    for (unsigned i = 0; i < KVM_SYNCED_MSR_COUNT; i++)
        l.e[i].index = kvm_synced_msrs[i];
    if (ioctl(kv->fd, KVM_GET_MSRS, &l) != KVM_SYNCED_MSR_COUNT)
        return;
    for (unsigned i = 0; i < KVM_SYNCED_MSR_COUNT; i++) {
        kv->k_msr[i] = l.e[i].data;
        set_synced_msr(v, kvm_synced_msrs[i], l.e[i].data);
    }
}

static void dregs_pull(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct vmcs_guest *g = &v->vmcs.guest;
    struct kvm_debugregs d;
    if (ioctl(kv->fd, KVM_GET_DEBUGREGS, &d) != 0)
        return;
    kv->k_dregs = d;
    for (int i = 0; i < 4; i++)
        g->dr[i] = d.db[i];
    g->dr[6] = d.dr6;
    g->dr[7] = d.dr7;
}

static void xcr_pull(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_xcrs x;
    if (ioctl(kv->fd, KVM_GET_XCRS, &x) != 0)
        return;
    for (unsigned i = 0; i < x.nr_xcrs && i < KVM_MAX_XCRS; i++) {
        if (x.xcrs[i].xcr == 0) {
            v->vmcs.guest.xcr0 = x.xcrs[i].value;
            kv->k_xcr0 = x.xcrs[i].value;
        }
    }
}

static void xsave_pull(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    if (ioctl(kv->fd, KVM_GET_XSAVE, (struct kvm_xsave *)(void *)kv->k_xsave) == 0)
        memcpy(v->fpstate, kv->k_xsave, HV_FPSTATE_SIZE);
}

/* Bring the parts in `parts` (X_*) of the vmcs up to date with KVM. */
static void extras_pull(struct hv_vcpu *v, unsigned parts)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    unsigned todo = parts & kv->stale;
    if (todo & X_MSRS)
        msrs_pull(v);
    if (todo & X_DREGS)
        dregs_pull(v);
    if (todo & X_XCR)
        xcr_pull(v);
    if (todo & X_XSAVE)
        xsave_pull(v);
    kv->stale &= ~todo;
    kv->k_extras_valid |= todo;
}

/* Write back what the API may have changed: the parts it has read. */
static bool extras_push(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    const struct vmcs_guest *g = &v->vmcs.guest;
    unsigned current = ~kv->stale & X_ALL, force = ~kv->k_extras_valid & X_ALL;
    bool ok = true;

    if (current & X_MSRS) {
        struct msr_list l = { .head.nmsrs = 0 };
        for (unsigned i = 0; i < KVM_SYNCED_MSR_COUNT; i++) {
            uint64_t value = synced_msr_value(v, kvm_synced_msrs[i]);
            if ((force & X_MSRS) || value != kv->k_msr[i]) {
                l.e[l.head.nmsrs++] = (struct kvm_msr_entry){ .index = kvm_synced_msrs[i], .data = value };
                kv->k_msr[i] = value;
            }
        }
        if (l.head.nmsrs > 0 && ioctl(kv->fd, KVM_SET_MSRS, &l) != (int)l.head.nmsrs)
            ok = false;
    }
    if (current & X_DREGS) {
        struct kvm_debugregs d = kv->k_dregs;
        for (int i = 0; i < 4; i++)
            d.db[i] = g->dr[i];
        d.dr6 = g->dr[6];
        d.dr7 = g->dr[7];
        d.flags = 0;
        if ((force & X_DREGS) || memcmp(&d, &kv->k_dregs, sizeof d) != 0) {
            if (ioctl(kv->fd, KVM_SET_DEBUGREGS, &d) != 0)
                ok = false;
            kv->k_dregs = d;
        }
    }
    if ((current & X_XCR) && ((force & X_XCR) || g->xcr0 != kv->k_xcr0)) {
        struct kvm_xcrs x = { .nr_xcrs = 1, .xcrs = { { .xcr = 0, .value = g->xcr0 } } };
        if (ioctl(kv->fd, KVM_SET_XCRS, &x) != 0)
            ok = false;
        kv->k_xcr0 = g->xcr0;
    }
    if ((current & X_XSAVE) &&
        ((force & X_XSAVE) || memcmp(v->fpstate, kv->k_xsave, HV_FPSTATE_SIZE) != 0)) {
        memcpy(kv->k_xsave, v->fpstate, HV_FPSTATE_SIZE);
        if (ioctl(kv->fd, KVM_SET_XSAVE, (struct kvm_xsave *)(void *)kv->k_xsave) != 0)
            ok = false;
    }
    kv->k_extras_valid |= current;
    return ok;
}

/* Guest TSC = host TSC + offset; KVM takes it as an IA32_TSC value. */
static bool tsc_push(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    uint64_t offset = __atomic_load_n(&v->vmcs.ctl.tsc_offset, __ATOMIC_RELAXED);
    if (kv->k_tsc_valid && offset == kv->k_tsc_offset)
        return true;
    struct msr_list l = { .head.nmsrs = 1 };
    l.e[0] = (struct kvm_msr_entry){ .index = HV_MSR_IA32_TSC, .data = host_tsc() + offset };
    kv->k_tsc_offset = offset;
    kv->k_tsc_valid = true;
    return ioctl(kv->fd, KVM_SET_MSRS, &l) == 1;
}

/* ---- the hooks ------------------------------------------------------- */

void kvm_regs_refresh(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    kv->k_regs = kv->run->s.regs.regs;
    kv->k_sregs = kv->run->s.regs.sregs;
    kv->k_events = kv->run->s.regs.events;
    kv->k_valid = true;
    kv->sys_current = kv->sys_from_kvm = false;
}

/* Whether converting the vmcs back gives KVM's values unchanged.  It does
 * but where the vmcs keeps what KVM has no place for: a masked CR0/CR4 bit
 * KVM holds other than the read shadow says, and SVM's one interrupt
 * shadow reported as both kinds. */
static bool converts_back(const struct kvm_vcpu *kv, const struct vmcs *vmcs)
{
    const struct vmcs_ctrl *c = &vmcs->ctl;
    const uint8_t both = KVM_X86_SHADOW_INT_STI | KVM_X86_SHADOW_INT_MOV_SS;
    return ((kv->k_sregs.cr0 ^ c->cr0_shadow) & c->cr0_mask) == 0 &&
           ((kv->k_sregs.cr4 ^ c->cr4_shadow) & c->cr4_mask & ~K_CR4_VMXE) == 0 &&
           !(kv->k_sregs.cr4 & K_CR4_VMXE) &&
           (kv->k_events.interrupt.shadow & both) != both;
}

void kvm_state_from_exit(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    const struct kvm_sync_regs *now = &kv->run->s.regs;
    bool convert_sregs = !(kv->k_valid && kv->sys_from_kvm &&
                           memcmp(&now->sregs, &kv->k_sregs, sizeof now->sregs) == 0);
    kvm_regs_refresh(v);
    regs_from_kvm(&kv->k_regs, &v->vmcs.guest);
    if (convert_sregs)
        sregs_from_kvm(&kv->k_sregs, &v->vmcs, !kvm_vm_of(v->vm)->exact);
    events_from_kvm(&kv->k_events, v);
    kv->stale = X_ALL;
    kv->sys_from_kvm = true;
    kv->sys_current = converts_back(kv, &v->vmcs);
}

void kvm_state_dirty(struct hv_vcpu *v, enum state_write what)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    if (kv == NULL || what == WRITE_GPRS)
        return;
    kv->sys_current = kv->sys_from_kvm = false;
    kv->msr_config_written = true;
    kv->pending.other_write = true;
}

bool kvm_regs_held(struct hv_vcpu *v, struct vmcs_guest *held)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    if (!kv->k_valid)
        return false;
    regs_from_kvm(&kv->k_regs, held);
    return true;
}

void kvm_state_pull(struct hv_vcpu *v)
{
    if (kvm_vcpu_of(v) != NULL)
        extras_pull(v, X_ALL);
}

void kvm_state_pull_reg(struct hv_vcpu *v, hv_x86_reg_t reg)
{
    if (reg >= HV_X86_DR0 && reg <= HV_X86_DR7)
        extras_pull(v, X_DREGS);
    else if (reg == HV_X86_XCR0)
        extras_pull(v, X_XCR);
    /* Everything else of hv_x86_reg_t is current after every exit. */
}

void kvm_state_pull_vmcs(struct hv_vcpu *v, uint32_t field)
{
    switch (field) {
    case VMCS_GUEST_DR7: extras_pull(v, X_DREGS); break;
    case VMCS_GUEST_IA32_PAT:
    case VMCS_GUEST_IA32_SYSENTER_CS:
    case VMCS_GUEST_SYSENTER_ESP:
    case VMCS_GUEST_SYSENTER_EIP: extras_pull(v, X_MSRS); break;
    default: break;
    }
}

void kvm_state_pull_msr(struct hv_vcpu *v, uint32_t msr)
{
    for (unsigned i = 0; i < KVM_SYNCED_MSR_COUNT; i++) {
        if (kvm_synced_msrs[i] == msr) {
            extras_pull(v, X_MSRS);
            return;
        }
    }
    /* TSC, FS/GS base, EFER and the managed MSRs live in the vmcs. */
}

void kvm_state_pull_fpstate(struct hv_vcpu *v)
{
    extras_pull(v, X_XSAVE);
}

bool kvm_state_push(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct kvm_run *run = kv->run;
    if (!kv->k_valid) {
        /* Fields the vmcs does not model (APIC base, CR8, ...) come from KVM. */
        if (ioctl(kv->fd, KVM_GET_REGS, &kv->k_regs) != 0 ||
            ioctl(kv->fd, KVM_GET_SREGS, &kv->k_sregs) != 0 ||
            ioctl(kv->fd, KVM_GET_VCPU_EVENTS, &kv->k_events) != 0)
            return false;
    }
    bool force = !kv->k_valid;
    struct kvm_regs r;
    regs_to_kvm(&v->vmcs.guest, &r);
    if (force || memcmp(&r, &kv->k_regs, sizeof r) != 0) {
        run->s.regs.regs = r;
        kv->k_regs = r;
        run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
    }
    if (force || !kv->sys_current) {
        struct kvm_sregs s = kv->k_sregs;
        sregs_to_kvm(&v->vmcs, &s);
        if (force || memcmp(&s, &kv->k_sregs, sizeof s) != 0) {
            run->s.regs.sregs = s;
            kv->k_sregs = s;
            run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
            kv->sys_from_kvm = false;
        }
        struct kvm_vcpu_events e = kv->k_events;
        events_to_kvm(&v->vmcs.guest, &e);
        if (force || memcmp(&e, &kv->k_events, sizeof e) != 0) {
            run->s.regs.events = e;
            kv->k_events = e;
            run->kvm_dirty_regs |= KVM_SYNC_X86_EVENTS;
        }
    }
    kv->k_valid = true;
    kv->sys_current = true;
    bool ok = tsc_push(v);
    return extras_push(v) && ok;
}

/* Queue the client's VM-entry event (hardware kinds only; kvm_run.c sends
 * software interrupts and exceptions, which need an instruction length
 * KVM cannot take, to the emulator). */
void kvm_inject_entry_event(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    struct vmcs_ctrl *c = &v->vmcs.ctl;
    uint32_t info = c->entry_irq_info;
    if (!(info & IRQ_INFO_VALID))
        return;
    /* VM entry clears the valid bit. */
    c->entry_irq_info &= ~(uint32_t)IRQ_INFO_VALID;
    uint32_t error = (info & IRQ_INFO_ERROR_VALID) ? c->entry_exc_error : 0;
    if (info == kv->requeued_info && error == kv->requeued_error)
        return;     /* KVM still holds this very event: injecting it again would deliver it twice */
    struct kvm_vcpu_events e = kv->k_events;
    uint8_t vector = (uint8_t)(info & IRQ_INFO_VECTOR_MASK);
    switch (info & IRQ_INFO_TYPE_MASK) {
    case IRQ_INFO_EXT_IRQ:
        e.interrupt.injected = 1;
        e.interrupt.nr = vector;
        e.interrupt.soft = 0;
        break;
    case IRQ_INFO_NMI: e.nmi.injected = 1; break;
    default:
        e.exception.injected = 1;
        e.exception.nr = vector;
        e.exception.has_error_code = !!(info & IRQ_INFO_ERROR_VALID);
        e.exception.error_code = error;
        break;
    }
    e.flags |= KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_NMI_PENDING;
    kv->run->s.regs.events = e;
    kv->k_events = e;
    kv->run->kvm_dirty_regs |= KVM_SYNC_X86_EVENTS;
}

void kvm_drop_held_event(struct hv_vcpu *v)
{
    struct kvm_vcpu *kv = kvm_vcpu_of(v);
    if (!kv->k_valid)
        return;
    struct kvm_vcpu_events e = kv->k_events;
    e.exception.injected = 0;
    e.interrupt.injected = 0;
    e.nmi.injected = 0;
    kv->run->s.regs.events = e;
    kv->k_events = e;
    kv->run->kvm_dirty_regs |= KVM_SYNC_X86_EVENTS;
}
