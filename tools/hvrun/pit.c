/*
 * The i8254 programmable interval timer: channel 0 drives IRQ 0, channel 2
 * is gated and read through port 0x61 (what operating systems calibrate
 * their clocks against).  Counters are not ticked: a channel remembers when
 * it was loaded, and its count and output are computed from the host's
 * monotonic clock at 1.193182 MHz whenever they are read.  A thread sleeps
 * until channel 0's next terminal count and pulses IRQ 0 (modes 2 and 3
 * periodically, mode 0 once).  Channel 1 (DRAM refresh) is not modelled;
 * port 0x61 bit 4 toggles on each read instead, as the refresh did.
 */
#include "hvrun.h"

#include <time.h>

enum {
    PIT_HZ = 1193182, CHANNELS = 3, PORT_B = 0x61 - 0x40,
    ACCESS_LATCH = 0, ACCESS_LO = 1, ACCESS_HI = 2, ACCESS_LOHI = 3,
    PORT_B_GATE2 = 0x01, PORT_B_SPEAKER = 0x02, PORT_B_REFRESH = 0x10, PORT_B_OUT2 = 0x20,
};

struct channel {
    uint8_t mode, access;
    uint32_t reload;          /* 1..65536 */
    bool loaded;              /* a count was written since the mode */
    bool write_hi, read_hi;   /* LOHI flip-flops */
    uint16_t partial;         /* low byte of a LOHI write */
    bool latched;
    uint16_t latch;
    uint64_t start_ns;        /* counting began (gate high and loaded) */
    bool gate;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct channel ch[CHANNELS];
    bool speaker, refresh;
    bool thread_started, quit;
    pthread_t thread;
} pit = {
    .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER,
    .ch = {{.gate = true, .reload = 65536}, {.gate = true, .reload = 65536}, {.gate = false, .reload = 65536}},
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t ticks_since(const struct channel *c, uint64_t now)
{
    return now <= c->start_ns ? 0 : (uint64_t)((unsigned __int128)(now - c->start_ns) * PIT_HZ / 1000000000u);
}

static uint64_t ns_of_ticks(uint64_t ticks) { return (uint64_t)((unsigned __int128)ticks * 1000000000u / PIT_HZ); }

static bool counting(const struct channel *c) { return c->loaded && c->gate; }

static uint16_t count_now(const struct channel *c, uint64_t now)
{
    if (!counting(c))
        return (uint16_t)c->reload;
    uint64_t t = ticks_since(c, now);
    switch (c->mode) {
    case 2:
    case 3: return (uint16_t)(c->reload - t % c->reload);
    default: return (uint16_t)(c->reload - t); /* modes 0, 1, 4, 5: wraps past zero */
    }
}

static bool out_now(const struct channel *c, uint64_t now)
{
    if (!c->loaded)
        return c->mode != 0;
    if (!c->gate)
        return c->mode != 0; /* mode 0 holds its output low while counting is held */
    uint64_t t = ticks_since(c, now);
    switch (c->mode) {
    case 0: return t >= c->reload;
    case 2: return t % c->reload != c->reload - 1;
    case 3: return t % c->reload < (c->reload + 1) / 2;
    default: return true;
    }
}

/* When channel 0 next reaches terminal count, or 0 if it will not. */
static uint64_t ch0_next_irq(uint64_t now)
{
    const struct channel *c = &pit.ch[0];
    if (!counting(c))
        return 0;
    uint64_t t = ticks_since(c, now);
    if (c->mode == 0)
        return t < c->reload ? c->start_ns + ns_of_ticks(c->reload) : 0;
    if (c->mode == 2 || c->mode == 3)
        return c->start_ns + ns_of_ticks((t / c->reload + 1) * c->reload);
    return 0;
}

static void *pit_thread(void *arg)
{
    struct machine *m = arg;
    pthread_mutex_lock(&pit.lock);
    uint64_t due = 0; /* the terminal count being waited for */
    while (!pit.quit && !atomic_load(&m->stopping)) {
        uint64_t now = now_ns();
        if (due != 0 && now >= due) {
            due = 0;
            pthread_mutex_unlock(&pit.lock);
            hvrun_irq_pulse(m, 0);
            pthread_mutex_lock(&pit.lock);
            continue;
        }
        /* The next terminal count after now; a reprogramming wakes us to
         * compute it again. */
        due = ch0_next_irq(now);
        uint64_t wake = due ? due : now + 50000000u;
        struct timespec ts = {.tv_sec = (time_t)(wake / 1000000000u), .tv_nsec = (long)(wake % 1000000000u)};
        pthread_cond_timedwait(&pit.changed, &pit.lock, &ts);
    }
    pthread_mutex_unlock(&pit.lock);
    return NULL;
}

void pit_start(struct machine *m)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_destroy(&pit.changed);
    pthread_cond_init(&pit.changed, &attr);
    pthread_condattr_destroy(&attr);
    pit.thread_started = pthread_create(&pit.thread, NULL, pit_thread, m) == 0;
}

void pit_stop(void)
{
    if (!pit.thread_started)
        return;
    pthread_mutex_lock(&pit.lock);
    pit.quit = true;
    pthread_cond_signal(&pit.changed);
    pthread_mutex_unlock(&pit.lock);
    pthread_join(pit.thread, NULL);
    pit.thread_started = false;
}

static void load_count(struct channel *c, uint32_t value)
{
    c->reload = value ? value : 65536;
    c->loaded = true;
    c->start_ns = now_ns();
    pthread_cond_signal(&pit.changed);
}

static void control_word(uint8_t value)
{
    unsigned sel = value >> 6;
    uint64_t now = now_ns();
    if (sel == 3) { /* read-back: latch the counts of the selected channels */
        for (unsigned i = 0; i < CHANNELS; i++) {
            if (!(value & 0x20) && (value & (2u << i)) && !pit.ch[i].latched) {
                pit.ch[i].latch = count_now(&pit.ch[i], now);
                pit.ch[i].latched = true;
            }
        }
        return;
    }
    struct channel *c = &pit.ch[sel];
    unsigned access = (value >> 4) & 3;
    if (access == ACCESS_LATCH) {
        if (!c->latched) {
            c->latch = count_now(c, now);
            c->latched = true;
            c->read_hi = false;
        }
        return;
    }
    unsigned mode = (value >> 1) & 7;
    c->mode = (uint8_t)(mode >= 6 ? mode - 4 : mode);
    c->access = (uint8_t)access;
    c->loaded = false;
    c->write_hi = c->read_hi = c->latched = false;
    pthread_cond_signal(&pit.changed);
}

static uint32_t pit_read(struct machine *m, uint16_t offset, unsigned size)
{
    (void)m, (void)size;
    pthread_mutex_lock(&pit.lock);
    uint32_t value = 0xff;
    uint64_t now = now_ns();
    if (offset < CHANNELS) {
        struct channel *c = &pit.ch[offset];
        uint16_t count = c->latched ? c->latch : count_now(c, now);
        bool hi = c->access == ACCESS_HI || (c->access == ACCESS_LOHI && c->read_hi);
        value = hi ? count >> 8 : count & 0xff;
        if (c->access == ACCESS_LOHI)
            c->read_hi = !c->read_hi;
        if (c->latched && (c->access != ACCESS_LOHI || !c->read_hi))
            c->latched = false;
    } else if (offset == PORT_B) {
        pit.refresh = !pit.refresh;
        value = (pit.ch[2].gate ? PORT_B_GATE2 : 0) | (pit.speaker ? PORT_B_SPEAKER : 0) |
                (pit.refresh ? PORT_B_REFRESH : 0) | (out_now(&pit.ch[2], now) ? PORT_B_OUT2 : 0);
    }
    pthread_mutex_unlock(&pit.lock);
    return value;
}

static void pit_write(struct machine *m, uint16_t offset, unsigned size, uint32_t value)
{
    (void)m, (void)size;
    uint8_t byte = (uint8_t)value;
    pthread_mutex_lock(&pit.lock);
    if (offset < CHANNELS) {
        struct channel *c = &pit.ch[offset];
        switch (c->access) {
        case ACCESS_LO: load_count(c, byte); break;
        case ACCESS_HI: load_count(c, (uint32_t)byte << 8); break;
        case ACCESS_LOHI:
            if (!c->write_hi)
                c->partial = byte;
            else
                load_count(c, c->partial | (uint32_t)byte << 8);
            c->write_hi = !c->write_hi;
            break;
        default: break;
        }
    } else if (offset == 3) {
        control_word(byte);
    } else if (offset == PORT_B) {
        bool gate = byte & PORT_B_GATE2;
        struct channel *c = &pit.ch[2];
        if (gate && !c->gate)
            c->start_ns = now_ns(); /* a rising gate (re)starts the count */
        c->gate = gate;
        pit.speaker = byte & PORT_B_SPEAKER;
    }
    pthread_mutex_unlock(&pit.lock);
}

/* Ports 0x40-0x43 and 0x61 (0x44-0x60 belong to nobody). */
const struct io_device pit_device = {
    .name = "pit", .base = 0x40, .len = 4, .read = pit_read, .write = pit_write,
};

const struct io_device pit_port_b_device = {
    .name = "pit", .base = 0x61, .len = 1, .offset = PORT_B, .read = pit_read, .write = pit_write,
};
