/*
 * MSR policy and storage, driven by msr_table.h.
 *
 * Binding-group rules (hvf-api.md 5.2) are checked when guest access is
 * granted (hv_vcpu_set_msr_access), not when binding: a group can only be
 * bound one MSR at a time, so it is incomplete while it is being built.
 * The one rule checked at binding time is "PMCn or A_PMCn, not both".
 */
#include "msr.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include <Hypervisor/hv_vmx.h>

#include "vcpu.h"
#include "vmcs.h"

enum msr_flag {
    MF_NATIVE = 1, MF_MANAGED = 2, MF_READ_ONLY = 4, MF_WRITE_ONLY = 8, MF_NO_NATIVE_WRITE = 16,
};
enum msr_group {
    MG_NONE, MG_LBR, MG_STATUS, MG_PMC, MG_APMC, MG_EVNTSEL, MG_FIXED_CTR, MG_FIXED_CTRL,
};
enum msr_check { MC_NONE, MC_CANONICAL, MC_EFER, MC_PAT, MC_HIGH32_RSVD };

#define VMCS(field) (field)
#define NO_VMCS 0

#include "msr_table.h"

struct msr_def {
    uint32_t index;
    const char *name;
    uint8_t flags, group, n, check;
    uint32_t vmcs_field;           /* 0 (no field has encoding 0 here): not VMCS-backed */
};

static const struct msr_def defs[] = {
#define DEF(idx, nm, fl, grp, num, storage, chk) { idx, nm, fl, grp, num, chk, storage },
    MSR_TABLE(DEF)
#undef DEF
};

#define MSR_COUNT (sizeof defs / sizeof defs[0])
_Static_assert(MSR_COUNT <= MSR_TABLE_MAX, "raise MSR_TABLE_MAX in msr.h");
_Static_assert(MSR_COUNT <= 256, "rows are stored as uint8_t");

/* Rows sorted by MSR index, for binary search. */
static uint8_t sorted[MSR_COUNT];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;
/* Checked before pthread_once, a call into libc on every MSR access. */
static atomic_bool sorted_ready;

static int by_index(const void *a, const void *b)
{
    uint32_t x = defs[*(const uint8_t *)a].index, y = defs[*(const uint8_t *)b].index;
    return (x > y) - (x < y);
}

static void sort_rows(void)
{
    for (size_t i = 0; i < MSR_COUNT; i++)
        sorted[i] = (uint8_t)i;
    qsort(sorted, MSR_COUNT, 1, by_index);
    atomic_store_explicit(&sorted_ready, true, memory_order_release);
}

int msr_row(uint32_t msr)
{
    if (!atomic_load_explicit(&sorted_ready, memory_order_acquire))
        pthread_once(&sorted_once, sort_rows);
    size_t lo = 0, hi = MSR_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t x = defs[sorted[mid]].index;
        if (x == msr)
            return sorted[mid];
        if (x < msr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

const char *msr_name(uint32_t msr)
{
    int row = msr_row(msr);
    return row < 0 ? NULL : defs[row].name;
}

/* The row of the same-numbered member of `group`, or -1. */
static int group_row(unsigned group, unsigned n)
{
    for (size_t i = 0; i < MSR_COUNT; i++)
        if (defs[i].group == group && defs[i].n == n)
            return (int)i;
    return -1;
}

/* PMCn and A_PMCn are two views of one counter. */
static int pmc_partner(int row)
{
    const struct msr_def *d = &defs[row];
    if (d->group == MG_PMC)
        return group_row(MG_APMC, d->n);
    if (d->group == MG_APMC)
        return group_row(MG_PMC, d->n);
    return -1;
}

hv_return_t msr_enable_native(struct hv_vcpu *v, uint32_t msr, bool enable)
{
    int row = msr_row(msr);
    if (row < 0 || !(defs[row].flags & MF_NATIVE))
        return HV_BAD_ARGUMENT;
    v->msr.native[row] = enable;
    return HV_SUCCESS;
}

hv_return_t msr_enable_managed(struct hv_vcpu *v, uint32_t msr, bool enable)
{
    int row = msr_row(msr);
    if (row < 0 || !(defs[row].flags & MF_MANAGED))
        return HV_BAD_ARGUMENT;
    int partner = pmc_partner(row);
    if (enable && partner >= 0 && v->msr.managed[partner])
        return HV_BAD_ARGUMENT;
    v->msr.managed[row] = enable;
    if (!enable)
        v->msr.access[row] = HV_MSR_NONE;
    return HV_SUCCESS;
}

static bool all_bound(const struct hv_vcpu *v, unsigned group)
{
    for (size_t i = 0; i < MSR_COUNT; i++)
        if (defs[i].group == group && !v->msr.managed[i])
            return false;
    return true;
}

static bool counter_bound(const struct hv_vcpu *v, unsigned n)
{
    int pmc = group_row(MG_PMC, n), apmc = group_row(MG_APMC, n);
    return (pmc >= 0 && v->msr.managed[pmc]) || (apmc >= 0 && v->msr.managed[apmc]);
}

static bool group_complete(const struct hv_vcpu *v, int row)
{
    const struct msr_def *d = &defs[row];
    switch (d->group) {
    case MG_LBR: return all_bound(v, MG_LBR);
    case MG_STATUS: return all_bound(v, MG_STATUS);
    case MG_EVNTSEL: return counter_bound(v, d->n);
    case MG_FIXED_CTRL: return all_bound(v, MG_FIXED_CTR);
    default: return true;
    }
}

hv_return_t msr_set_access(struct hv_vcpu *v, uint32_t msr, hv_msr_flags_t flags)
{
    int row = msr_row(msr);
    if (row < 0 || (flags & ~(hv_msr_flags_t)(HV_MSR_READ | HV_MSR_WRITE)) != 0)
        return HV_BAD_ARGUMENT;
    const struct msr_def *d = &defs[row];
    if (!(d->flags & MF_MANAGED) || !v->msr.managed[row])
        return HV_BAD_ARGUMENT;
    if ((flags & HV_MSR_READ) && (d->flags & MF_WRITE_ONLY))
        return HV_BAD_ARGUMENT;
    if ((flags & HV_MSR_WRITE) && (d->flags & (MF_READ_ONLY | MF_NO_NATIVE_WRITE)))
        return HV_BAD_ARGUMENT;
    if (flags != HV_MSR_NONE && !group_complete(v, row))
        return HV_BAD_ARGUMENT;
    v->msr.access[row] = (uint8_t)flags;
    return HV_SUCCESS;
}

bool msr_guest_native(const struct hv_vcpu *v, uint32_t msr, bool write)
{
    int row = msr_row(msr);
    if (row < 0)
        return false;
    if (v->msr.native[row])
        return true;
    int partner = pmc_partner(row);
    uint8_t access = v->msr.access[row];
    if (partner >= 0)
        access |= v->msr.access[partner];
    return (access & (write ? HV_MSR_WRITE : HV_MSR_READ)) != 0;
}

static bool holds(const struct hv_vcpu *v, int row)
{
    if (defs[row].index == HV_MSR_IA32_TSC || defs[row].vmcs_field != 0)
        return true;
    if (v->msr.native[row] || v->msr.managed[row])
        return true;
    int partner = pmc_partner(row);
    return partner >= 0 && v->msr.managed[partner];
}

/* Where a counter's value lives: PMCn and A_PMCn share the PMCn slot. */
static int value_row(int row)
{
    return defs[row].group == MG_APMC ? pmc_partner(row) : row;
}

uint64_t host_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __rdtsc();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

hv_return_t msr_read(struct hv_vcpu *v, uint32_t msr, uint64_t *value)
{
    int row = msr_row(msr);
    if (row < 0 || value == NULL || !holds(v, row))
        return HV_BAD_ARGUMENT;
    const struct msr_def *d = &defs[row];
    if (d->index == HV_MSR_IA32_TSC) {
        *value = host_tsc() + __atomic_load_n(&v->vmcs.ctl.tsc_offset, __ATOMIC_RELAXED);
    } else if (d->vmcs_field != 0) {
        return vmcs_read(v, d->vmcs_field, value);
    } else {
        *value = v->msr.value[value_row(row)];
    }
    return HV_SUCCESS;
}

static bool canonical48(uint64_t x)
{
    uint64_t top = x >> 47;
    return top == 0 || top == 0x1ffff;
}

static bool pat_valid(uint64_t pat)
{
    for (int i = 0; i < 8; i++) {
        unsigned type = (pat >> (8 * i)) & 0xff;
        if (type == 2 || type == 3 || type > 7)
            return false;
    }
    return true;
}

#define EFER_ALLOWED ((1ull << 0) | (1ull << 8) | (1ull << 10) | (1ull << 11))

static bool value_valid(unsigned check, uint64_t value)
{
    switch (check) {
    case MC_CANONICAL: return canonical48(value);
    case MC_EFER: return (value & ~EFER_ALLOWED) == 0;
    case MC_PAT: return pat_valid(value);
    case MC_HIGH32_RSVD: return (value >> 32) == 0;
    default: return true;
    }
}

hv_return_t msr_write(struct hv_vcpu *v, uint32_t msr, uint64_t value)
{
    int row = msr_row(msr);
    if (row < 0 || !holds(v, row))
        return HV_BAD_ARGUMENT;
    const struct msr_def *d = &defs[row];
    if (!value_valid(d->check, value))
        return HV_ERROR;
    if (d->index == HV_MSR_IA32_TSC) {
        __atomic_store_n(&v->vmcs.ctl.tsc_offset, value - host_tsc(), __ATOMIC_RELAXED);
    } else if (d->vmcs_field != 0) {
        return vmcs_write(v, d->vmcs_field, value);
    } else {
        v->msr.value[value_row(row)] = value;
    }
    return HV_SUCCESS;
}
