/*
 * The MC146818 CMOS real-time clock behind ports 0x70/0x71: the date and
 * time are the host's (UTC), in BCD or binary and 12- or 24-hour form as
 * status register B asks; the update-in-progress flag is never set, since
 * a read always sees a consistent time.  No periodic, alarm or update
 * interrupts.  The other 114 bytes are plain CMOS RAM.
 */
#include "hvrun.h"

#include <time.h>

enum {
    SECONDS = 0x00, MINUTES = 0x02, HOURS = 0x04, WEEKDAY = 0x06, DAY = 0x07, MONTH = 0x08, YEAR = 0x09,
    REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d, CENTURY = 0x32,
    B_24H = 0x02, B_BINARY = 0x04, B_SET = 0x80, D_VRT = 0x80, HOUR_PM = 0x80,
};

static struct {
    pthread_mutex_t lock;
    uint8_t index;
    uint8_t ram[128];
} rtc = {.lock = PTHREAD_MUTEX_INITIALIZER, .ram = {[REG_A] = 0x26, [REG_B] = B_24H, [REG_D] = D_VRT}};

static uint8_t encode(unsigned v)
{
    return (rtc.ram[REG_B] & B_BINARY) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

static uint8_t clock_register(uint8_t reg)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    switch (reg) {
    case SECONDS: return encode((unsigned)tm.tm_sec);
    case MINUTES: return encode((unsigned)tm.tm_min);
    case HOURS:
        if (rtc.ram[REG_B] & B_24H)
            return encode((unsigned)tm.tm_hour);
        return (uint8_t)(encode((unsigned)(tm.tm_hour % 12 ? tm.tm_hour % 12 : 12)) | (tm.tm_hour >= 12 ? HOUR_PM : 0));
    case WEEKDAY: return encode((unsigned)tm.tm_wday + 1);
    case DAY: return encode((unsigned)tm.tm_mday);
    case MONTH: return encode((unsigned)tm.tm_mon + 1);
    case YEAR: return encode((unsigned)(tm.tm_year % 100));
    default: return encode((unsigned)(tm.tm_year / 100 + 19)); /* CENTURY */
    }
}

static uint32_t rtc_read(struct machine *m, uint16_t offset, unsigned size)
{
    (void)m, (void)size;
    pthread_mutex_lock(&rtc.lock);
    uint32_t value = 0xff;
    if (offset == 1) {
        uint8_t reg = rtc.index;
        bool is_clock = reg <= YEAR ? !(reg & 1) || reg == DAY || reg == YEAR : reg == CENTURY;
        if (is_clock && !(rtc.ram[REG_B] & B_SET))
            value = clock_register(reg);
        else
            value = rtc.ram[reg];
        if (reg == REG_C)
            rtc.ram[REG_C] = 0; /* reading C acknowledges */
    }
    pthread_mutex_unlock(&rtc.lock);
    return value;
}

static void rtc_write(struct machine *m, uint16_t offset, unsigned size, uint32_t value)
{
    (void)m, (void)size;
    pthread_mutex_lock(&rtc.lock);
    if (offset == 0)
        rtc.index = (uint8_t)(value & 0x7f); /* bit 7 masks NMI: there is no NMI source */
    else if (rtc.index != REG_C && rtc.index != REG_D)
        rtc.ram[rtc.index] = (uint8_t)value;
    pthread_mutex_unlock(&rtc.lock);
}

const struct io_device rtc_device = {
    .name = "rtc", .base = 0x70, .len = 2, .read = rtc_read, .write = rtc_write,
};
