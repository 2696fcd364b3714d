/*
 * The ACPI fixed-hardware registers the FADT points at: PM1a event block
 * (status/enable), PM1a control block (SCI_EN always set, a sleep-enable
 * write with the \_S5 type powers the machine off) and the 32-bit PM timer
 * at 3.579545 MHz, derived from the host's monotonic clock.
 */
#include "hvrun.h"

#include <time.h>

enum {
    PM1_CNT_SCI_EN = 1u << 0, PM1_CNT_SLP_TYP_SHIFT = 10, PM1_CNT_SLP_EN = 1u << 13,
    PM_TIMER_HZ = 3579545,
};

static struct {
    pthread_mutex_t lock;
    uint16_t sts, en, cnt;
} pm = {.lock = PTHREAD_MUTEX_INITIALIZER, .cnt = PM1_CNT_SCI_EN};

static uint32_t pm_timer(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned __int128 ns = (unsigned __int128)ts.tv_sec * 1000000000u + (unsigned)ts.tv_nsec;
    return (uint32_t)(ns * PM_TIMER_HZ / 1000000000u);
}

static uint32_t pm_read(struct machine *m, uint16_t offset, unsigned size)
{
    (void)m;
    uint32_t value = 0;
    pthread_mutex_lock(&pm.lock);
    if (offset >= ACPI_PM_TMR)
        value = pm_timer() >> (8 * (offset - ACPI_PM_TMR));
    else if (offset >= ACPI_PM_CNT)
        value = (uint32_t)pm.cnt >> (8 * (offset - ACPI_PM_CNT));
    else
        value = ((uint32_t)pm.en << 16 | pm.sts) >> (8 * offset);
    pthread_mutex_unlock(&pm.lock);
    (void)size;
    return value;
}

static void pm_write(struct machine *m, uint16_t offset, unsigned size, uint32_t value)
{
    pthread_mutex_lock(&pm.lock);
    bool off = false;
    if (offset == ACPI_PM_CNT && size >= 2) {
        pm.cnt = (uint16_t)((value & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN);
        off = (value & PM1_CNT_SLP_EN) && ((value >> PM1_CNT_SLP_TYP_SHIFT) & 7) == ACPI_PM_S5_TYPE;
    } else if (offset == ACPI_PM_EVT) {
        pm.sts &= (uint16_t)~value; /* write-one-to-clear */
        if (size == 4)
            pm.en = (uint16_t)(value >> 16);
    } else if (offset == ACPI_PM_EVT + 2) {
        pm.en = (uint16_t)value;
    }
    pthread_mutex_unlock(&pm.lock);
    if (off)
        machine_stop(m, STATUS_OK);
}

const struct io_device acpi_pm_device = {
    .name = "acpi-pm", .base = ACPI_PM_BASE, .len = ACPI_PM_LEN, .read = pm_read, .write = pm_write,
};
