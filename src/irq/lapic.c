/*
 * The local APIC (SDM vol. 3A chapter 11): registers by APIC-page offset,
 * priorities (TPR/PPR), IRR/ISR/TMR, EOI, the LVT, the ICR and the timer.
 * Register state is under chip->lock; the timer belongs to the owning
 * vCPU's thread.
 */
#include <string.h>
#include <time.h>

#include "irq.h"

/* Version register: version 0x14 (integrated APIC), 7 LVT entries (max LVT
 * index 6, CMCI included), no EOI-broadcast suppression (bit 24 clear). */

#define SVR_ENABLE (1u << 8)
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_MODE(v) (((v) >> 17) & 3u)
enum { TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2 };

/* Writable bits of each LVT slot (delivery status and remote IRR are read-only). */
static const uint32_t lvt_writable[LVT_COUNT] = {
    [LVT_TIMER] = 0x700ff, [LVT_THERMAL] = 0x107ff, [LVT_PERF] = 0x107ff,
    [LVT_LINT0] = 0x1a7ff, [LVT_LINT1] = 0x1a7ff, [LVT_ERROR] = 0x100ff, [LVT_CMCI] = 0x107ff,
};

static int lvt_slot(uint32_t off)
{
    switch (off) {
    case 0x320: return LVT_TIMER;
    case 0x330: return LVT_THERMAL;
    case 0x340: return LVT_PERF;
    case 0x350: return LVT_LINT0;
    case 0x360: return LVT_LINT1;
    case 0x370: return LVT_ERROR;
    case 0x2f0: return LVT_CMCI;
    default: return -1;
    }
}

static bool bit_test(const uint32_t *v, unsigned n) { return v[n / 32] >> (n % 32) & 1; }
static void bit_set(uint32_t *v, unsigned n) { v[n / 32] |= 1u << (n % 32); }
static void bit_clear(uint32_t *v, unsigned n) { v[n / 32] &= ~(1u << (n % 32)); }

static int highest(const uint32_t *v)
{
    for (int i = 7; i >= 0; i--)
        if (v[i])
            return i * 32 + 31 - __builtin_clz(v[i]);
    return -1;
}

bool lapic_x2apic(const struct lapic *l)
{
    return (l->base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD);
}

bool lapic_enabled(const struct lapic *l)
{
    return (l->base & APIC_BASE_EN) && (l->svr & SVR_ENABLE);
}

static void set_ids(struct lapic *l)
{
    if (lapic_x2apic(l)) {
        l->apic_id = l->id;
        l->ldr = ((l->id >> 4) << 16) | (1u << (l->id & 0xf));
    } else {
        l->apic_id = l->id << 24;
    }
}

/* The reset state of SDM 11.4.7.1 (and INIT: 11.4.7.3), apart from the
 * APIC base and ID, which an INIT keeps. */
static void reset_registers(struct lapic *l)
{
    l->tpr = l->apr = l->esr = l->esr_pending = 0;
    l->ldr = 0;
    l->dfr = 0xffffffffu;
    l->svr = 0xff;
    memset(l->isr, 0, sizeof l->isr);
    memset(l->tmr, 0, sizeof l->tmr);
    memset(l->irr, 0, sizeof l->irr);
    memset(l->aeoi, 0, sizeof l->aeoi);
    for (int i = 0; i < LVT_COUNT; i++)
        l->lvt[i] = LVT_MASKED;
    l->icr[0] = l->icr[1] = 0;
    l->nmi_pending = 0;
    l->extint_pending = false;
    l->icr_timer = l->dcr_timer = 0;
    l->timer_deadline_ns = 0;
    l->tsc_deadline = 0;
    set_ids(l);
}

void lapic_reset(struct lapic *l)
{
    l->base = LAPIC_DEFAULT_BASE | APIC_BASE_EN | (l->id == 0 ? APIC_BASE_BSP : 0);
    l->boot_state = l->id == 0 ? HV_BS_RUNNING : HV_BS_INIT;
    reset_registers(l);
    lapic_update_ready(l);
}

uint32_t lapic_ppr(const struct lapic *l)
{
    int isrv = highest(l->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

/* The 8259's INTR reaches this APIC: through LINT0 in ExtINT mode, or, on
 * the bootstrap processor with its APIC hardware-disabled, directly (the
 * "through-local-APIC" wiring of MP systems after reset). */
bool lapic_pic_reaches(const struct lapic *l)
{
    if (!pic_output(l->chip))
        return false;
    if (!(l->base & APIC_BASE_EN))
        return (l->base & APIC_BASE_BSP) != 0;
    uint32_t lint0 = l->lvt[LVT_LINT0];
    return !(lint0 & LVT_MASKED) && ((lint0 >> 8) & 7) == DM_EXTINT;
}

void lapic_update_ready(struct lapic *l)
{
    bool r = l->nmi_pending || l->extint_pending || lapic_pic_reaches(l);
    if (!r) {
        int v = highest(l->irr);
        r = v >= 0 && ((uint32_t)v & 0xf0) > (lapic_ppr(l) & 0xf0);
    }
    atomic_store(&l->ready, r);
    if (r && l->wake)
        l->wake(l->wake_ctx);
}

void lapic_set_irr(struct lapic *l, uint8_t vector, bool level, bool aeoi)
{
    /* Vectors 0-15 are illegal: recorded as a receive error (ESR bit 6). */
    if (vector < 16) {
        l->esr_pending |= 1u << 6;
        return;
    }
    bit_set(l->irr, vector);
    if (level)
        bit_set(l->tmr, vector);
    else
        bit_clear(l->tmr, vector);
    if (aeoi)
        bit_set(l->aeoi, vector);
    else
        bit_clear(l->aeoi, vector);
    lapic_update_ready(l);
}

int lapic_accept(struct lapic *l)
{
    int v = highest(l->irr);
    if (v < 0 || ((uint32_t)v & 0xf0) <= (lapic_ppr(l) & 0xf0))
        return -1;
    bit_clear(l->irr, (unsigned)v);
    if (bit_test(l->aeoi, (unsigned)v))
        bit_clear(l->aeoi, (unsigned)v);
    else
        bit_set(l->isr, (unsigned)v);
    lapic_update_ready(l);
    return v;
}

void lapic_eoi(struct lapic *l, bool *side)
{
    int v = highest(l->isr);
    if (v < 0)
        return;
    bit_clear(l->isr, (unsigned)v);
    if (bit_test(l->tmr, (unsigned)v)) {
        if (l->controls & HV_APIC_CTRL_IOAPIC_EOI) {
            l->exit.kind = HV_VM_EXITINFO_IOAPIC_EOI;
            l->exit.vector = (uint8_t)v;
            *side = true;
        } else {
            ioapic_eoi(l->chip, (uint8_t)v);
        }
    }
    lapic_update_ready(l);
}

void lapic_set_tpr(struct lapic *l, uint32_t tpr)
{
    l->tpr = tpr & 0xff;
    lapic_update_ready(l);
}

/* ---- Timer ------------------------------------------------------------ */

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned divide_by(uint32_t dcr)
{
    unsigned code = (dcr & 3u) | ((dcr >> 1) & 4u);
    return code == 7 ? 1u : 2u << code;
}

static uint64_t ticks_to_ns(const struct lapic *l, uint64_t ticks)
{
    unsigned __int128 t = (unsigned __int128)ticks * divide_by(l->dcr_timer) * 1000000000u;
    uint64_t ns = (uint64_t)(t / l->chip->bus_freq);
    return ns ? ns : 1;
}

static uint32_t timer_mode(const struct lapic *l)
{
    return LVT_TIMER_MODE(l->lvt[LVT_TIMER]);
}

static void timer_start(struct lapic *l, uint64_t start_ns)
{
    if (l->icr_timer == 0 || timer_mode(l) == TIMER_TSC_DEADLINE ||
        (l->controls & HV_APIC_CTRL_NO_TIMER)) {
        l->timer_deadline_ns = 0;
        return;
    }
    l->timer_deadline_ns = start_ns + ticks_to_ns(l, l->icr_timer);
}

static uint32_t timer_current(const struct lapic *l, uint64_t now_ns)
{
    if (l->timer_deadline_ns == 0)
        return 0;
    uint64_t deadline = l->timer_deadline_ns;
    if (now_ns >= deadline) {
        if (timer_mode(l) != TIMER_PERIODIC)
            return 0;
        /* Not polled yet: the count has reloaded and runs on. */
        uint64_t period = ticks_to_ns(l, l->icr_timer);
        deadline = now_ns + period - (now_ns - deadline) % period;
    }
    unsigned __int128 left = (unsigned __int128)(deadline - now_ns) * l->chip->bus_freq;
    uint64_t ticks = (uint64_t)(left / ((uint64_t)divide_by(l->dcr_timer) * 1000000000u));
    return ticks > l->icr_timer ? l->icr_timer : (uint32_t)ticks;
}

/* An LVT entry raises its interrupt (timer, or hv_vcpu_apic_trigger_lvt). */
void lapic_trigger_lvt(struct lapic *l, unsigned slot)
{
    uint32_t lvt = l->lvt[slot];
    if ((lvt & LVT_MASKED) || !lapic_enabled(l))
        return;
    unsigned mode = slot == LVT_TIMER || slot == LVT_ERROR ? DM_FIXED : (lvt >> 8) & 7;
    if (mode == DM_NMI) {
        l->nmi_pending++;
        lapic_update_ready(l);
    } else if (mode == DM_FIXED) {
        lapic_set_irr(l, (uint8_t)lvt, false, false);
    }
}

void lapic_timer_poll(struct lapic *l, uint64_t now_ns, uint64_t guest_tsc)
{
    if (l->timer_deadline_ns && now_ns >= l->timer_deadline_ns) {
        lapic_trigger_lvt(l, LVT_TIMER);
        if (timer_mode(l) == TIMER_PERIODIC) {
            uint64_t period = ticks_to_ns(l, l->icr_timer);
            /* Periods missed while the vCPU was not running are coalesced
             * into this one interrupt, as one pending IRR bit would be. */
            uint64_t next = l->timer_deadline_ns + period;
            if (next <= now_ns)
                next = now_ns + period - (now_ns - l->timer_deadline_ns) % period;
            l->timer_deadline_ns = next;
        } else {
            l->timer_deadline_ns = 0;
        }
    }
    if (l->tsc_deadline && timer_mode(l) == TIMER_TSC_DEADLINE && guest_tsc >= l->tsc_deadline) {
        l->tsc_deadline = 0;
        lapic_trigger_lvt(l, LVT_TIMER);
    }
}

uint64_t lapic_timer_next_ns(const struct lapic *l, uint64_t now_ns, uint64_t guest_tsc)
{
    uint64_t next = l->timer_deadline_ns ? l->timer_deadline_ns : UINT64_MAX;
    /* The TSC rate is not calibrated: a HLT sleep waiting for a TSC
     * deadline wakes every 100 us to compare. */
    if (l->tsc_deadline && timer_mode(l) == TIMER_TSC_DEADLINE && guest_tsc < l->tsc_deadline &&
        now_ns + 100000 < next)
        next = now_ns + 100000;
    return next;
}

void lapic_set_tsc_deadline(struct lapic *l, uint64_t value)
{
    /* Outside TSC-deadline mode a write is ignored (SDM 11.5.4.1). */
    if (timer_mode(l) != TIMER_TSC_DEADLINE)
        return;
    l->tsc_deadline = value;
}

/* ---- Registers ---------------------------------------------------------- */

bool lapic_read(struct lapic *l, uint32_t off, uint32_t *val)
{
    uint32_t v;
    if (off & 0xf || off >= 0x400)
        return false;
    int slot = lvt_slot(off);
    if (slot >= 0) {
        *val = l->lvt[slot];
        return true;
    }
    if (off >= 0x100 && off < 0x280) {
        unsigned i = (off - 0x100) / 0x10;
        *val = i < 8 ? l->isr[i] : i < 16 ? l->tmr[i - 8] : l->irr[i - 16];
        return true;
    }
    switch (off) {
    case 0x20: v = l->apic_id; break;
    case 0x30: v = APIC_VERSION; break;
    case 0x80: v = l->tpr; break;
    case 0x90: v = l->apr; break;
    case 0xa0: v = lapic_ppr(l); break;
    case 0xb0: v = 0; break;
    case 0xd0: v = l->ldr; break;
    case 0xe0: v = l->dfr; break;
    case 0xf0: v = l->svr; break;
    case 0x280: v = l->esr; break;
    case 0x300: v = l->icr[0]; break;
    case 0x310: v = l->icr[1]; break;
    case 0x380: v = l->icr_timer; break;
    case 0x390: v = timer_current(l, mono_ns()); break;
    case 0x3e0: v = l->dcr_timer; break;
    default: return false;
    }
    *val = v;
    return true;
}

/* Send the IPI the ICR describes. */
static bool send_ipi(struct lapic *l, uint32_t lo, uint32_t dest)
{
    unsigned mode = (lo >> 8) & 7, shorthand = (lo >> 18) & 3;
    bool logical = lo & (1u << 11), assert_ = lo & (1u << 14), level = lo & (1u << 15);
    /* INIT level de-assert only synchronises arbitration IDs (SDM 11.6.1):
     * nothing to do. */
    if (mode == DM_INIT && level && !assert_)
        return false;
    /* SIPI, INIT, SMI and lowest priority cannot go to oneself by shorthand. */
    if (shorthand == 1 && mode != DM_FIXED && mode != DM_NMI)
        return false;
    struct lapic_exit ex = { .kind = HV_VM_EXITINFO_VMX };
    irq_deliver(l->chip, l, shorthand, dest, logical, mode, (uint8_t)lo, level && mode == DM_FIXED,
                &ex);
    if (ex.kind == HV_VM_EXITINFO_VMX)
        return false;
    l->exit = ex;
    return true;
}

bool lapic_write_icr(struct lapic *l, uint64_t icr)
{
    l->icr[0] = (uint32_t)icr & 0xcdfffu;
    l->icr[1] = (uint32_t)(icr >> 32);
    return send_ipi(l, l->icr[0], l->icr[1]);
}

bool lapic_write(struct lapic *l, uint32_t off, uint32_t val, bool *side)
{
    *side = false;
    if (off & 0xf || off >= 0x400)
        return false;
    bool x2 = lapic_x2apic(l);
    int slot = lvt_slot(off);
    if (slot >= 0) {
        uint32_t v = val & lvt_writable[slot];
        if (!(l->svr & SVR_ENABLE))
            v |= LVT_MASKED;
        if (slot == LVT_TIMER) {
            uint32_t old_mode = timer_mode(l);
            l->lvt[slot] = v;
            /* A mode change disarms the timer (SDM 11.5.4.1). */
            if (timer_mode(l) != old_mode) {
                l->timer_deadline_ns = 0;
                l->tsc_deadline = 0;
                l->icr_timer = 0;
            }
            *side = (l->controls & HV_APIC_CTRL_NO_TIMER) != 0;
        } else {
            l->lvt[slot] = v;
        }
        lapic_update_ready(l);
        return true;
    }
    switch (off) {
    case 0x20:
        if (!x2)
            l->apic_id = val & 0xff000000u;
        return true;
    case 0x80:
        lapic_set_tpr(l, val);
        return true;
    case 0xb0:
        lapic_eoi(l, side);
        return true;
    case 0xd0:
        if (!x2)
            l->ldr = val & 0xff000000u;
        return true;
    case 0xe0:
        if (!x2)
            l->dfr = val | 0x0fffffffu;
        return true;
    case 0xf0:
        l->svr = val & 0x3ffu;
        if (!(l->svr & SVR_ENABLE))
            for (int i = 0; i < LVT_COUNT; i++)
                l->lvt[i] |= LVT_MASKED;
        lapic_update_ready(l);
        return true;
    case 0x280:
        l->esr = l->esr_pending;
        l->esr_pending = 0;
        return true;
    case 0x300:
        /* In x2APIC mode the guest writes the ICR as one 64-bit MSR; an API
         * write of the low half sends with the high half already there. */
        if (x2) {
            *side = lapic_write_icr(l, ((uint64_t)l->icr[1] << 32) | val);
            return true;
        }
        l->icr[0] = val & 0xcdfffu;
        *side = send_ipi(l, l->icr[0], l->icr[1] >> 24);
        return true;
    case 0x310:
        l->icr[1] = x2 ? val : val & 0xff000000u;
        return true;
    case 0x380:
        l->icr_timer = val;
        if (timer_mode(l) != TIMER_TSC_DEADLINE)
            timer_start(l, mono_ns());
        *side = (l->controls & HV_APIC_CTRL_NO_TIMER) != 0;
        return true;
    case 0x3e0: {
        uint64_t now = mono_ns();
        uint32_t cur = timer_current(l, now);
        l->dcr_timer = val & 0xbu;
        /* The count continues at the new rate from where it is. */
        if (l->timer_deadline_ns)
            l->timer_deadline_ns = now + ticks_to_ns(l, cur);
        *side = (l->controls & HV_APIC_CTRL_NO_TIMER) != 0;
        return true;
    }
    case 0x3f0:
        if (!x2)
            return true;
        lapic_set_irr(l, (uint8_t)val, false, false);
        return true;
    case 0x30: case 0x90: case 0xa0: case 0x390:
        return true;        /* read-only: the write is dropped */
    default:
        if (off >= 0x100 && off < 0x280)
            return true;
        return false;
    }
}

bool lapic_set_base(struct lapic *l, uint64_t value)
{
    uint64_t old = l->base;
    if (value & ~(APIC_BASE_ADDR_MASK | APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN))
        return false;
    /* The BSP flag is read-only. */
    if ((value ^ old) & APIC_BASE_BSP)
        return false;
    bool en = value & APIC_BASE_EN, ext = value & APIC_BASE_EXTD;
    bool old_en = old & APIC_BASE_EN, old_ext = old & APIC_BASE_EXTD;
    /* SDM 11.12.5: EXTD without EN is invalid, x2APIC may only be left by
     * disabling, and is only entered from xAPIC mode. */
    if (ext && !en)
        return false;
    if (old_ext && en && !ext)
        return false;
    if (!old_en && en && ext)
        return false;
    l->base = value;
    if (old_en && !en) {
        reset_registers(l);
    } else if (!old_ext && ext) {
        set_ids(l);
    }
    lapic_update_ready(l);
    return true;
}

/* ---- State ---------------------------------------------------------------- */

void lapic_get_state(struct lapic *l, struct hv_apic_state *s, uint64_t now_ns)
{
    memset(s, 0, sizeof *s);
    s->apic_gpa = l->base;
    s->apic_controls = l->controls;
    s->tsc_deadline = l->tsc_deadline;
    s->apic_id = l->apic_id;
    s->ver = APIC_VERSION;
    s->tpr = l->tpr;
    s->apr = l->apr;
    s->ldr = l->ldr;
    s->dfr = l->dfr;
    s->svr = l->svr;
    memcpy(s->isr, l->isr, sizeof s->isr);
    memcpy(s->tmr, l->tmr, sizeof s->tmr);
    memcpy(s->irr, l->irr, sizeof s->irr);
    memcpy(s->aeoi, l->aeoi, sizeof s->aeoi);
    s->esr = l->esr;
    s->esr_pending = l->esr_pending;
    memcpy(s->lvt, l->lvt, sizeof s->lvt);
    s->icr[0] = l->icr[0];
    s->icr[1] = l->icr[1];
    s->icr_timer = l->icr_timer;
    s->dcr_timer = l->dcr_timer;
    s->ccr_timer = timer_current(l, now_ns);
    s->boot_state = l->boot_state;
}

bool lapic_put_state(struct lapic *l, const struct hv_apic_state *s, uint64_t now_ns)
{
    if (s->ver != APIC_VERSION || s->boot_state > HV_BS_RUNNING)
        return false;
    if (s->apic_gpa & ~(APIC_BASE_ADDR_MASK | APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN))
        return false;
    if ((s->apic_gpa & APIC_BASE_EXTD) && !(s->apic_gpa & APIC_BASE_EN))
        return false;
    if (s->apic_controls & ~(uint64_t)(HV_APIC_CTRL_EOI_ICR_TPR | HV_APIC_CTRL_GUEST_IDLE |
                                       HV_APIC_CTRL_NO_TIMER | HV_APIC_CTRL_IOAPIC_EOI))
        return false;
    if (s->tpr > 0xff || s->svr & ~0x3ffu || s->dcr_timer & ~0xbu)
        return false;
    for (int i = 0; i < LVT_COUNT; i++)
        if (s->lvt[i] & ~(lvt_writable[i] | (1u << 12) | (1u << 14)))
            return false;
    if (s->ccr_timer > s->icr_timer)
        return false;
    l->base = s->apic_gpa;
    l->controls = s->apic_controls;
    l->apic_id = s->apic_id;
    l->tpr = s->tpr;
    l->apr = s->apr;
    l->ldr = s->ldr;
    l->dfr = s->dfr;
    l->svr = s->svr;
    memcpy(l->isr, s->isr, sizeof l->isr);
    memcpy(l->tmr, s->tmr, sizeof l->tmr);
    memcpy(l->irr, s->irr, sizeof l->irr);
    memcpy(l->aeoi, s->aeoi, sizeof l->aeoi);
    l->esr = s->esr;
    l->esr_pending = s->esr_pending;
    memcpy(l->lvt, s->lvt, sizeof l->lvt);
    l->icr[0] = s->icr[0];
    l->icr[1] = s->icr[1];
    l->icr_timer = s->icr_timer;
    l->dcr_timer = s->dcr_timer;
    l->boot_state = s->boot_state;
    l->tsc_deadline = s->tsc_deadline;
    l->timer_deadline_ns = 0;
    if (s->icr_timer && (s->ccr_timer || timer_mode(l) == TIMER_PERIODIC) &&
        timer_mode(l) != TIMER_TSC_DEADLINE && !(l->controls & HV_APIC_CTRL_NO_TIMER)) {
        /* Resume the count where it was saved: ccr ticks to the next expiry. */
        uint64_t left = s->ccr_timer ? ticks_to_ns(l, s->ccr_timer) : 0;
        l->timer_deadline_ns = now_ns + left;
    }
    lapic_update_ready(l);
    return true;
}
