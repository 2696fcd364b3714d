/*
 * The 8259A pair of the PC/AT (8259A datasheet): primary at ports
 * 0x20/0x21, secondary at 0xa0/0xa1 cascaded on the primary's IRQ2, and the
 * edge/level control registers at 0x4d0/0x4d1.  Fully nested mode with
 * priority rotation, special mask mode, automatic EOI, poll mode and the
 * special fully nested mode of the primary.  Under chip->lock.
 */
#include <stddef.h>
#include <string.h>

#include "irq.h"

#define ICW1_IC4 0x01u
#define ICW1_INIT 0x10u
#define OCW3_SEL 0x08u
/* Lines that cannot be level-triggered (timer, keyboard, cascade; RTC, FPU). */
#define ELCR_MASK0 0xf8u
#define ELCR_MASK1 0xdeu

/* Pending requests as the priority logic sees them: IRR minus mask. */
static uint8_t pending(const struct pic *p)
{
    return p->s.request & ~p->s.mask;
}

/* The request that would be acknowledged next, or -1: the first pending
 * line in priority order (highest after lowprio) above every in-service
 * line that blocks it. */
static int next_irq(const struct pic *p, bool primary)
{
    uint8_t req = pending(p);
    uint8_t isr = p->s.service;
    /* Special mask mode: masked in-service lines do not block. */
    if (p->s.smm)
        isr &= ~p->s.mask;
    for (int k = 1; k <= 8; k++) {
        int irq = (p->s.lowprio + k) & 7;
        bool in_service = isr >> irq & 1;
        /* Special fully nested: the cascade line may interrupt again while
         * in service (a higher-priority secondary request). */
        if (in_service && !(primary && p->s.sfn && irq == 2))
            return -1;
        if (req >> irq & 1)
            return irq;
        if (in_service)
            return -1;
    }
    return -1;
}

static void update(struct irq_chip *chip)
{
    struct pic *m = &chip->pic[0], *s = &chip->pic[1];
    bool s_out = s->s.ready && next_irq(s, false) >= 0;
    s->s.intr_raised = s_out;
    if (s_out)
        m->s.request |= 1u << 2;
    else
        m->s.request &= ~(1u << 2);
    bool m_out = m->s.ready && next_irq(m, true) >= 0;
    if (m_out != m->s.intr_raised) {
        m->s.intr_raised = m_out;
        irq_pic_output_changed(chip);
    }
}

bool pic_output(const struct irq_chip *chip)
{
    return chip->pic[0].s.intr_raised;
}

void pic_reset(struct irq_chip *chip)
{
    memset(chip->pic, 0, sizeof chip->pic);
    for (int i = 0; i < 2; i++)
        chip->pic[i].s.lowprio = 7;
    chip->pic_levels = 0;
}

bool pic_set_irq(struct irq_chip *chip, int irq, bool level)
{
    if (irq < 0 || irq > 15 || irq == 2)
        return false;
    struct pic *p = &chip->pic[irq >> 3];
    uint8_t bit = (uint8_t)(1u << (irq & 7));
    bool was = p->s.last_request & bit;
    if (level)
        p->s.last_request |= bit;
    else
        p->s.last_request &= (uint8_t)~bit;
    if (p->s.elc & bit) {
        /* Level mode: the request follows the line. */
        if (level)
            p->s.request |= bit;
        else
            p->s.request &= (uint8_t)~bit;
    } else if (level && !was) {
        p->s.request |= bit;
    } else if (!level) {
        /* An edge request withdrawn before INTA is lost (8259A: the line
         * must stay high until the first INTA). */
        p->s.request &= (uint8_t)~bit;
    }
    update(chip);
    return true;
}

static void eoi(struct pic *p, int irq, bool rotate)
{
    if (irq < 0) {
        /* Non-specific: the highest-priority in-service line. */
        for (int k = 1; k <= 8; k++) {
            int i = (p->s.lowprio + k) & 7;
            if (p->s.service >> i & 1) {
                irq = i;
                break;
            }
        }
        if (irq < 0)
            return;
    }
    p->s.service &= (uint8_t)~(1u << irq);
    if (rotate)
        p->s.lowprio = (uint8_t)irq;
}

/* The acknowledge half of INTA or a poll: in-service (unless AEOI), and an
 * edge request is consumed. */
static void ack(struct pic *p, int irq)
{
    uint8_t bit = (uint8_t)(1u << irq);
    if (!(p->s.elc & bit))
        p->s.request &= (uint8_t)~bit;
    if (p->s.aeoi) {
        if (p->s.rotate)
            p->s.lowprio = (uint8_t)irq;
    } else {
        p->s.service |= bit;
    }
}

uint8_t pic_intack(struct irq_chip *chip)
{
    struct pic *m = &chip->pic[0], *s = &chip->pic[1];
    int irq = next_irq(m, true);
    uint8_t vec;
    if (irq < 0) {
        vec = m->s.irq_base | 7;            /* spurious IRQ7 */
    } else if (irq == 2) {
        ack(m, 2);
        int sirq = next_irq(s, false);
        if (sirq < 0) {
            vec = s->s.irq_base | 7;        /* spurious IRQ15 */
        } else {
            ack(s, sirq);
            vec = (uint8_t)(s->s.irq_base | sirq);
        }
    } else {
        ack(m, irq);
        vec = (uint8_t)(m->s.irq_base | irq);
    }
    update(chip);
    return vec;
}

static uint8_t poll(struct irq_chip *chip, int which)
{
    struct pic *p = &chip->pic[which];
    p->s.poll = false;
    int irq = next_irq(p, which == 0);
    if (irq < 0)
        return 0;
    ack(p, irq);
    update(chip);
    return (uint8_t)(0x80 | irq);
}

bool pic_port_read(struct irq_chip *chip, int port, uint8_t *val)
{
    if (port == 0x4d0 || port == 0x4d1) {
        *val = chip->pic[port & 1].s.elc;
        return true;
    }
    if ((port & ~0x81) != 0x20)
        return false;
    int which = (port & 0x80) != 0;
    struct pic *p = &chip->pic[which];
    if (p->s.poll)
        *val = poll(chip, which);
    else if (port & 1)
        *val = p->s.mask;
    else
        *val = p->s.rd_cmd_reg ? p->s.service : p->s.request;
    return true;
}

bool pic_port_write(struct irq_chip *chip, int port, uint8_t val)
{
    if (port == 0x4d0 || port == 0x4d1) {
        chip->pic[port & 1].s.elc = val & (port & 1 ? ELCR_MASK1 : ELCR_MASK0);
        update(chip);
        return true;
    }
    if ((port & ~0x81) != 0x20)
        return false;
    struct pic *p = &chip->pic[(port & 0x80) != 0];
    if (!(port & 1)) {
        if (val & ICW1_INIT) {
            /* ICW1.  Without IC4 the sequence is ignored, as a PC never
             * sends it (docs/compat.md). */
            if (!(val & ICW1_IC4))
                return true;
            uint8_t elc = p->s.elc, levels = p->s.last_request;
            memset(&p->s, 0, sizeof p->s);
            p->s.elc = elc;
            p->s.last_request = levels;
            p->s.lowprio = 7;
            p->s.icw_num = 2;
            /* Level-mode lines that are high request again. */
            p->s.request = levels & elc;
        } else if (val & OCW3_SEL) {
            if (val & 0x04)
                p->s.poll = true;
            if (val & 0x02)
                p->s.rd_cmd_reg = val & 0x01;
            if (val & 0x40)
                p->s.smm = (val & 0x20) != 0;
        } else {
            unsigned cmd = val >> 5, level = val & 7;
            switch (cmd) {
            case 1: eoi(p, -1, false); break;
            case 3: eoi(p, (int)level, false); break;
            case 5: eoi(p, -1, true); break;
            case 7: eoi(p, (int)level, true); break;
            case 4: p->s.rotate = true; break;
            case 0: p->s.rotate = false; break;
            case 6: p->s.lowprio = (uint8_t)level; break;
            default: break;
            }
        }
    } else {
        switch (p->s.icw_num) {
        case 2:
            p->s.irq_base = val & 0xf8;
            p->s.icw_num = 3;
            break;
        case 3:
            p->s.icw_num = 4;           /* ICW3: the PC/AT cascade wiring is fixed */
            break;
        case 4:
            p->s.aeoi = (val & 0x02) != 0;
            p->s.sfn = (val & 0x10) != 0;
            p->s.icw_num = 0;
            p->s.ready = true;
            break;
        default:
            p->s.mask = val;
            break;
        }
    }
    update(chip);
    return true;
}

/* The bool fields of a client's state, as bytes: anything but 0 or 1 is
 * not a bool, and must not be read as one. */
static bool bools_valid(const struct hv_atpic_state *s)
{
    static const size_t at[] = {
        offsetof(struct hv_atpic_state, ready), offsetof(struct hv_atpic_state, aeoi),
        offsetof(struct hv_atpic_state, poll), offsetof(struct hv_atpic_state, rotate),
        offsetof(struct hv_atpic_state, sfn), offsetof(struct hv_atpic_state, smm),
        offsetof(struct hv_atpic_state, intr_raised),
    };
    const unsigned char *raw = (const unsigned char *)s;
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        if (raw[at[i]] > 1)
            return false;
    return true;
}

bool pic_put_state(struct irq_chip *chip, int which, const struct hv_atpic_state *s)
{
    if (!bools_valid(s))
        return false;
    if (s->icw_num > 4 || s->icw_num == 1 || s->rd_cmd_reg > 1 || s->lowprio > 7 ||
        (s->irq_base & 7) ||
        (s->elc & (uint8_t)~(which ? ELCR_MASK1 : ELCR_MASK0)))
        return false;
    chip->pic[which].s = *s;
    /* intr_raised is derived; keep the saved value until the next change
     * recomputes it, so that get after put gives back exactly what was put. */
    irq_pic_output_changed(chip);
    return true;
}
