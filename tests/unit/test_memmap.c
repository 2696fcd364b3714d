/* Unit tests of the guest-physical memory map (src/core/memmap.c). */
#include <string.h>

#include "../api/api_test.h"
#include "core/memmap.h"

#define P HV_PAGE_SIZE

static uint8_t host[64 * 4096];

/* The map as a compact string "gpa:size:prot,..." in pages, for comparing
 * whole maps in one check. */
static const char *show(const struct memmap *m)
{
    static char buf[512];
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < m->count && n < sizeof buf - 32; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%llu:%llu:%u", i ? "," : "",
                              (unsigned long long)(m->ranges[i].gpa / P),
                              (unsigned long long)(m->ranges[i].size / P),
                              (unsigned)m->ranges[i].prot);
    return buf;
}

#define CHECK_MAP(name, m, want)                                                         \
    do {                                                                                 \
        char why_[700];                                                                  \
        snprintf(why_, sizeof why_, "map is \"%s\", want \"%s\"", show(m), (want));       \
        test_result((name), strcmp(show(m), (want)) == 0, why_);                         \
    } while (0)

static bool hva_consistent(const struct memmap *m, uint64_t gpa, uint8_t *base_hva,
                           uint64_t base_gpa)
{
    const struct gpa_range *r = memmap_lookup(m, gpa);
    return r != NULL && r->hva + (gpa - r->gpa) == base_hva + (gpa - base_gpa);
}

int main(void)
{
    struct memmap m;
    memmap_init(&m);

    CHECK_RET("map_first", memmap_map(&m, 16 * P, host, 8 * P, 7), HV_SUCCESS);
    CHECK_RET("map_below", memmap_map(&m, 4 * P, host + 8 * P, 4 * P, 1), HV_SUCCESS);
    CHECK_RET("map_above_adjacent", memmap_map(&m, 24 * P, host + 12 * P, 2 * P, 3), HV_SUCCESS);
    CHECK_MAP("map_sorted", &m, "4:4:1,16:8:7,24:2:3");

    CHECK_RET("map_overlap_inside", memmap_map(&m, 18 * P, host, P, 7), HV_BAD_ARGUMENT);
    CHECK_RET("map_overlap_start", memmap_map(&m, 15 * P, host, 2 * P, 7), HV_BAD_ARGUMENT);
    CHECK_RET("map_overlap_end", memmap_map(&m, 25 * P, host, 2 * P, 7), HV_BAD_ARGUMENT);
    CHECK_RET("map_overlap_cover", memmap_map(&m, 0, host, 40 * P, 7), HV_BAD_ARGUMENT);
    CHECK_RET("map_zero_size", memmap_map(&m, 40 * P, host, 0, 7), HV_BAD_ARGUMENT);
    CHECK_RET("map_wraps", memmap_map(&m, UINT64_MAX - P + 1, host, 2 * P, 7), HV_BAD_ARGUMENT);
    CHECK_MAP("map_failures_change_nothing", &m, "4:4:1,16:8:7,24:2:3");

    CHECK("lookup_first_byte", memmap_lookup(&m, 4 * P) == &m.ranges[0]);
    CHECK("lookup_last_byte", memmap_lookup(&m, 8 * P - 1) == &m.ranges[0]);
    CHECK("lookup_hole", memmap_lookup(&m, 8 * P) == NULL);
    CHECK("lookup_below_all", memmap_lookup(&m, 0) == NULL);
    CHECK("lookup_above_all", memmap_lookup(&m, 26 * P) == NULL);
    CHECK("lookup_adjacent", memmap_lookup(&m, 24 * P) == &m.ranges[2]);

    CHECK_RET("protect_middle", memmap_protect(&m, 18 * P, 2 * P, 1), HV_SUCCESS);
    CHECK_MAP("protect_middle_splits_in_three", &m, "4:4:1,16:2:7,18:2:1,20:4:7,24:2:3");
    CHECK("protect_keeps_hva", hva_consistent(&m, 18 * P, host, 16 * P) &&
                                   hva_consistent(&m, 21 * P, host, 16 * P));

    CHECK_RET("protect_across_ranges", memmap_protect(&m, 23 * P, 2 * P, 0), HV_SUCCESS);
    CHECK_MAP("protect_across_ranges_map", &m, "4:4:1,16:2:7,18:2:1,20:3:7,23:1:0,24:1:0,25:1:3");
    CHECK_RET("protect_hole", memmap_protect(&m, 7 * P, 2 * P, 7), HV_BAD_ARGUMENT);
    CHECK_RET("protect_unmapped", memmap_protect(&m, 40 * P, P, 7), HV_BAD_ARGUMENT);
    CHECK_MAP("protect_failures_change_nothing", &m,
              "4:4:1,16:2:7,18:2:1,20:3:7,23:1:0,24:1:0,25:1:3");

    CHECK_RET("unmap_partial_hole", memmap_unmap(&m, 6 * P, 12 * P), HV_BAD_ARGUMENT);
    CHECK_MAP("unmap_failure_changes_nothing", &m,
              "4:4:1,16:2:7,18:2:1,20:3:7,23:1:0,24:1:0,25:1:3");
    CHECK_RET("unmap_middle_page", memmap_unmap(&m, 5 * P, P), HV_SUCCESS);
    CHECK_MAP("unmap_middle_splits", &m, "4:1:1,6:2:1,16:2:7,18:2:1,20:3:7,23:1:0,24:1:0,25:1:3");
    CHECK("unmap_split_keeps_hva", hva_consistent(&m, 6 * P, host + 8 * P, 4 * P));
    CHECK_RET("unmap_across", memmap_unmap(&m, 17 * P, 8 * P), HV_SUCCESS);
    CHECK_MAP("unmap_across_map", &m, "4:1:1,6:2:1,16:1:7,25:1:3");
    CHECK_RET("unmap_again", memmap_unmap(&m, 17 * P, P), HV_BAD_ARGUMENT);
    CHECK_RET("map_into_freed_hole", memmap_map(&m, 17 * P, host, 8 * P, 7), HV_SUCCESS);
    CHECK_MAP("map_into_freed_hole_map", &m, "4:1:1,6:2:1,16:1:7,17:8:7,25:1:3");

    /* Growth past the initial capacity keeps order. */
    bool grow_ok = true;
    for (uint64_t i = 0; i < 40; i++)
        grow_ok &= memmap_map(&m, (100 + 2 * (39 - i)) * P, host, P, 1) == HV_SUCCESS;
    CHECK("map_many_descending", grow_ok && m.count == 45);
    bool sorted = true;
    for (size_t i = 1; i < m.count; i++)
        sorted &= m.ranges[i - 1].gpa + m.ranges[i - 1].size <= m.ranges[i].gpa;
    CHECK("map_many_sorted", sorted);

    /* host_prot bounds what a range may be given, through splits. */
    CHECK_RET("map_host_prot_exceeded", memmap_map_host(&m, 300 * P, host, 2 * P, 3, 5),
              HV_BAD_ARGUMENT);
    CHECK_RET("map_host_prot", memmap_map_host(&m, 300 * P, host, 4 * P, 1, 5), HV_SUCCESS);
    CHECK_RET("protect_within_host_prot", memmap_protect(&m, 301 * P, P, 5), HV_SUCCESS);
    CHECK_RET("protect_beyond_host_prot", memmap_protect(&m, 300 * P, 4 * P, 7), HV_BAD_ARGUMENT);
    CHECK("protect_beyond_changes_nothing", memmap_lookup(&m, 300 * P)->prot == 1 &&
                                                memmap_lookup(&m, 301 * P)->prot == 5);
    CHECK("split_keeps_host_prot", memmap_lookup(&m, 303 * P)->host_prot == 5);

    memmap_free(&m);
    CHECK("free_empties", m.count == 0 && m.ranges == NULL);
    CHECK_RET("unmap_empty", memmap_unmap(&m, 0, P), HV_BAD_ARGUMENT);
    return test_exit();
}
