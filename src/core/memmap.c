/*
 * Guest-physical memory maps: a sorted array of disjoint ranges.
 *
 * Every change is computed into a fresh array and swapped in only when it
 * succeeded, so a failure (bad range, out of memory) leaves the map exactly
 * as it was.  Changes are rare (map/unmap/protect) and lookups frequent.
 */
#include "memmap.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void memmap_init(struct memmap *map)
{
    map->ranges = NULL;
    map->count = map->capacity = 0;
}

void memmap_free(struct memmap *map)
{
    free(map->ranges);
    memmap_init(map);
}

/* Index of the first range whose end is above gpa. */
static size_t first_ending_after(const struct memmap *map, uint64_t gpa)
{
    size_t lo = 0, hi = map->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct gpa_range *r = &map->ranges[mid];
        if (r->gpa + r->size <= gpa)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct gpa_range *memmap_lookup(const struct memmap *map, uint64_t gpa)
{
    size_t i = first_ending_after(map, gpa);
    if (i < map->count && map->ranges[i].gpa <= gpa)
        return &map->ranges[i];
    return NULL;
}

static bool range_ok(uint64_t gpa, uint64_t size)
{
    return size != 0 && gpa + size > gpa;
}

hv_return_t memmap_map(struct memmap *map, uint64_t gpa, void *hva, uint64_t size, uint32_t prot)
{
    return memmap_map_host(map, gpa, hva, size, prot, UINT32_MAX);
}

hv_return_t memmap_map_host(struct memmap *map, uint64_t gpa, void *hva, uint64_t size,
                            uint32_t prot, uint32_t host_prot)
{
    if (!range_ok(gpa, size) || hva == NULL || (prot & ~host_prot) != 0)
        return HV_BAD_ARGUMENT;
    size_t i = first_ending_after(map, gpa);
    if (i < map->count && map->ranges[i].gpa < gpa + size)
        return HV_BAD_ARGUMENT;
    if (map->count == map->capacity) {
        size_t cap = map->capacity ? map->capacity * 2 : 8;
        struct gpa_range *grown = realloc(map->ranges, cap * sizeof *grown);
        if (grown == NULL)
            return HV_NO_RESOURCES;
        map->ranges = grown;
        map->capacity = cap;
    }
    memmove(&map->ranges[i + 1], &map->ranges[i], (map->count - i) * sizeof map->ranges[0]);
    map->ranges[i] = (struct gpa_range){
        .gpa = gpa, .size = size, .hva = hva, .prot = prot, .host_prot = host_prot,
    };
    map->count++;
    return HV_SUCCESS;
}

/* Whether every page of [gpa, gpa+size) is mapped; *first and *last get the
 * indices of the ranges it touches. */
static bool fully_mapped(const struct memmap *map, uint64_t gpa, uint64_t size, size_t *first,
                         size_t *last)
{
    size_t i = first_ending_after(map, gpa);
    uint64_t cursor = gpa, end = gpa + size;
    *first = i;
    for (; cursor < end; i++) {
        if (i >= map->count || map->ranges[i].gpa > cursor)
            return false;
        cursor = map->ranges[i].gpa + map->ranges[i].size;
    }
    *last = i - 1;
    return true;
}

/*
 * Rebuild the ranges [first, last] so that the part inside [gpa, gpa+size)
 * is dropped (remove) or gets `prot`; the parts outside keep theirs.
 */
static hv_return_t rewrite(struct memmap *map, uint64_t gpa, uint64_t size, size_t first,
                           size_t last, bool remove, uint32_t prot)
{
    uint64_t end = gpa + size;
    size_t cap = map->count + 2;
    struct gpa_range *out = malloc(cap * sizeof *out);
    if (out == NULL)
        return HV_NO_RESOURCES;
    size_t n = 0;
    memcpy(out, map->ranges, first * sizeof *out);
    n = first;
    for (size_t i = first; i <= last; i++) {
        struct gpa_range r = map->ranges[i];
        uint64_t r_end = r.gpa + r.size;
        if (r.gpa < gpa) {
            out[n] = r;
            out[n++].size = gpa - r.gpa;
        }
        uint64_t in_lo = r.gpa > gpa ? r.gpa : gpa, in_hi = r_end < end ? r_end : end;
        if (!remove) {
            out[n] = r;
            out[n].gpa = in_lo;
            out[n].size = in_hi - in_lo;
            out[n].hva = r.hva + (in_lo - r.gpa);
            out[n++].prot = prot;
        }
        if (r_end > end) {
            out[n] = r;
            out[n].gpa = end;
            out[n].size = r_end - end;
            out[n++].hva = r.hva + (end - r.gpa);
        }
    }
    memcpy(&out[n], &map->ranges[last + 1], (map->count - last - 1) * sizeof *out);
    n += map->count - last - 1;
    free(map->ranges);
    map->ranges = out;
    map->count = n;
    map->capacity = cap;
    return HV_SUCCESS;
}

hv_return_t memmap_unmap(struct memmap *map, uint64_t gpa, uint64_t size)
{
    size_t first, last;
    if (!range_ok(gpa, size) || !fully_mapped(map, gpa, size, &first, &last))
        return HV_BAD_ARGUMENT;
    return rewrite(map, gpa, size, first, last, true, 0);
}

hv_return_t memmap_protect(struct memmap *map, uint64_t gpa, uint64_t size, uint32_t prot)
{
    size_t first, last;
    if (!range_ok(gpa, size) || !fully_mapped(map, gpa, size, &first, &last))
        return HV_BAD_ARGUMENT;
    for (size_t i = first; i <= last; i++)
        if (prot & ~map->ranges[i].host_prot)
            return HV_BAD_ARGUMENT;
    return rewrite(map, gpa, size, first, last, false, prot);
}
