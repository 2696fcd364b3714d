/*
 * Guest-physical address spaces.
 *
 * A space is a sorted array of non-overlapping ranges, each with one
 * permission set, so that lookup is a binary search and per-page permissions
 * come from splitting ranges (hv_vm_protect / partial hv_vm_unmap split).
 *
 * Concurrency: all spaces of a VM are guarded by vm->mem_lock, a
 * writer-preferring rwlock.  A vCPU holds it for reading while it executes
 * guest code and re-checks vm->mem_gen each time it takes it; map, unmap and
 * protect take it for writing and bump mem_gen.  So once hv_vm_unmap or
 * hv_vm_protect returns, every vCPU has left the guest or will flush its TLB
 * and decoded-instruction cache before touching guest memory again.
 */
#ifndef OPENHV_CORE_MEMMAP_H
#define OPENHV_CORE_MEMMAP_H

#include <Hypervisor/hv_error.h>
#include <Hypervisor/hv_types.h>
#include <stddef.h>
#include <stdint.h>

#define HV_PAGE_SIZE 4096ull
#define HV_PAGE_MASK (HV_PAGE_SIZE - 1)
/* Guest-physical addresses above this are rejected (39-bit EPT-style limit). */
#define HV_GPA_LIMIT (1ull << 39)

struct gpa_range {
    uint64_t gpa;
    uint64_t size;
    uint8_t *hva;
    uint32_t prot;     /* HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC */
    uint32_t host_prot; /* the most `prot` may become: what the host pages allow */
};

struct memmap {
    struct gpa_range *ranges;
    size_t count, capacity;
};

void memmap_init(struct memmap *map);
void memmap_free(struct memmap *map);

/* Fails with HV_BAD_ARGUMENT on overlap with an existing range, or when
 * prot is not within host_prot.  memmap_map: host_prot allows everything. */
hv_return_t memmap_map(struct memmap *map, uint64_t gpa, void *hva, uint64_t size, uint32_t prot);
hv_return_t memmap_map_host(struct memmap *map, uint64_t gpa, void *hva, uint64_t size,
                            uint32_t prot, uint32_t host_prot);
/* Every page of [gpa, gpa+size) must be mapped, else HV_BAD_ARGUMENT and no change. */
hv_return_t memmap_unmap(struct memmap *map, uint64_t gpa, uint64_t size);
/* Also HV_BAD_ARGUMENT when prot exceeds the host_prot of a page. */
hv_return_t memmap_protect(struct memmap *map, uint64_t gpa, uint64_t size, uint32_t prot);

/* The range containing gpa, or NULL. */
const struct gpa_range *memmap_lookup(const struct memmap *map, uint64_t gpa);

#endif
