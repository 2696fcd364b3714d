/* Guest-physical memory: map/unmap/protect, address spaces, allocation. */
#include <Hypervisor/hv_vm_allocate.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "api.h"

#define PROT_FLAGS (HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC)

static bool page_aligned(uint64_t x)
{
    return (x & HV_PAGE_MASK) == 0;
}

static bool gpa_range_ok(hv_gpaddr_t gpa, size_t size)
{
    return size != 0 && page_aligned(gpa) && page_aligned(size) && gpa < HV_GPA_LIMIT &&
           size <= HV_GPA_LIMIT - gpa;
}

/* Whether every page of the host range is mapped in this process:
 * mincore fails with ENOMEM on any hole.  The fallback when /proc is
 * missing; it cannot see protections. */
static bool host_range_mapped(uintptr_t p, size_t size)
{
    enum { CHUNK_PAGES = 4096 };
    unsigned char vec[CHUNK_PAGES];
    while (size > 0) {
        size_t len = size < CHUNK_PAGES * HV_PAGE_SIZE ? size : CHUNK_PAGES * HV_PAGE_SIZE;
        if (mincore((void *)p, len, vec) != 0)
            return false;
        p += len;
        size -= len;
    }
    return true;
}

/*
 * The guest permissions the host pages of [uva, uva+size) can back, or -1
 * when part of the range is not mapped in this process.  The emulator
 * touches guest memory through these pages, so a guest write must never
 * land on a read-only or PROT_NONE page: READ and EXEC need readable
 * pages, WRITE writable ones.  Recorded per mapping, so that hv_vm_protect
 * cannot later grant more than the host allows.
 */
static long host_prot_of(const void *uva, size_t size)
{
    const long all = HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC;
    uintptr_t start = (uintptr_t)uva, end = start + size;
    if (end < start)
        return -1;
    FILE *maps = fopen("/proc/self/maps", "re");
    if (maps == NULL)
        return host_range_mapped(start, size) ? all : -1;
    long prot = all;
    uintptr_t cursor = start;
    char *line = NULL;
    size_t cap = 0;
    while (cursor < end && getline(&line, &cap, maps) > 0) {
        unsigned long lo, hi;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3 || hi <= cursor)
            continue;
        if (lo > cursor)
            break;
        if (perms[0] != 'r')
            prot = 0;
        else if (perms[1] != 'w')
            prot &= ~(long)HV_MEMORY_WRITE;
        cursor = hi;
    }
    free(line);
    fclose(maps);
    return cursor >= end ? prot : -1;
}

enum mem_op { MEM_MAP, MEM_UNMAP, MEM_PROTECT };

struct mem_change {
    enum mem_op op;
    hv_vm_space_t asid;
    uint64_t gpa, size;
    void *hva;                 /* MEM_MAP */
    uint32_t prot;             /* MEM_MAP, MEM_PROTECT */
    uint32_t host_prot;        /* MEM_MAP */
};

static hv_return_t apply(struct memmap *map, const struct mem_change *c)
{
    switch (c->op) {
    case MEM_MAP: return memmap_map_host(map, c->gpa, c->hva, c->size, c->prot, c->host_prot);
    case MEM_UNMAP: return memmap_unmap(map, c->gpa, c->size);
    default: return memmap_protect(map, c->gpa, c->size, c->prot);
    }
}

/* Change a space with the memory lock held for writing: every vCPU is out
 * of guest memory and will see the new mem_gen. */
static hv_return_t change_space(const struct mem_change *c)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    if (c->asid >= HV_MAX_SPACES)
        return HV_BAD_ARGUMENT;
    vm_mem_write_lock(vm);
    hv_return_t ret = HV_BAD_ARGUMENT;
    if (vm->space_used[c->asid]) {
        struct memmap *map = &vm->space[c->asid];
        ret = apply(map, c);
        if (ret == HV_SUCCESS) {
            atomic_fetch_add(&vm->mem_gen, 1);
            if (vm->backend->memory_changed != NULL)
                ret = vm->backend->memory_changed(vm, c->asid, c->gpa, c->size);
            /* A mapping the backend could not take is withdrawn again. */
            if (ret != HV_SUCCESS && c->op == MEM_MAP)
                memmap_unmap(map, c->gpa, c->size);
        }
    }
    vm_mem_write_unlock(vm);
    return ret;
}

hv_return_t hv_vm_map_space(hv_vm_space_t asid, hv_uvaddr_t uva, hv_gpaddr_t gpa, size_t size,
                            hv_memory_flags_t flags)
{
    if (api_vm() == NULL)
        return HV_NO_DEVICE;
    /* An unaligned uva names the page that holds it: Apple's own test maps
     * pages on demand by passing a faulting address straight through
     * (docs/compat.md section 2).  gpa and size stay strict. */
    uva = (hv_uvaddr_t)((uintptr_t)uva & ~(uintptr_t)HV_PAGE_MASK);
    if (!gpa_range_ok(gpa, size) || uva == NULL || (flags & ~(hv_memory_flags_t)PROT_FLAGS) != 0)
        return HV_BAD_ARGUMENT;
    long host_prot = host_prot_of(uva, size);
    if (host_prot < 0)
        return HV_BAD_ARGUMENT;
    struct mem_change c = { .op = MEM_MAP, .asid = asid, .gpa = gpa, .size = size,
                            .hva = (void *)(uintptr_t)uva, .prot = (uint32_t)flags,
                            .host_prot = (uint32_t)host_prot };
    return change_space(&c);
}

hv_return_t hv_vm_unmap_space(hv_vm_space_t asid, hv_gpaddr_t gpa, size_t size)
{
    if (api_vm() == NULL)
        return HV_NO_DEVICE;
    if (!gpa_range_ok(gpa, size))
        return HV_BAD_ARGUMENT;
    struct mem_change c = { .op = MEM_UNMAP, .asid = asid, .gpa = gpa, .size = size };
    return change_space(&c);
}

hv_return_t hv_vm_protect_space(hv_vm_space_t asid, hv_gpaddr_t gpa, size_t size,
                                hv_memory_flags_t flags)
{
    if (api_vm() == NULL)
        return HV_NO_DEVICE;
    if (!gpa_range_ok(gpa, size) || (flags & ~(hv_memory_flags_t)PROT_FLAGS) != 0)
        return HV_BAD_ARGUMENT;
    struct mem_change c = { .op = MEM_PROTECT, .asid = asid, .gpa = gpa, .size = size,
                            .prot = (uint32_t)flags };
    return change_space(&c);
}

hv_return_t hv_vm_map(hv_uvaddr_t uva, hv_gpaddr_t gpa, size_t size, hv_memory_flags_t flags)
{
    return hv_vm_map_space(HV_VM_SPACE_DEFAULT, uva, gpa, size, flags);
}

hv_return_t hv_vm_unmap(hv_gpaddr_t gpa, size_t size)
{
    return hv_vm_unmap_space(HV_VM_SPACE_DEFAULT, gpa, size);
}

hv_return_t hv_vm_protect(hv_gpaddr_t gpa, size_t size, hv_memory_flags_t flags)
{
    return hv_vm_protect_space(HV_VM_SPACE_DEFAULT, gpa, size, flags);
}

hv_return_t hv_vm_space_create(hv_vm_space_t *asid)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    if (asid == NULL)
        return HV_BAD_ARGUMENT;
    hv_return_t ret = HV_NO_RESOURCES;
    pthread_mutex_lock(&vm->lock);
    vm_mem_write_lock(vm);
    for (hv_vm_space_t s = 1; s < HV_MAX_SPACES; s++) {
        if (!vm->space_used[s]) {
            vm->space_used[s] = true;
            memmap_init(&vm->space[s]);
            *asid = s;
            ret = HV_SUCCESS;
            break;
        }
    }
    vm_mem_write_unlock(vm);
    pthread_mutex_unlock(&vm->lock);
    return ret;
}

hv_return_t hv_vm_space_destroy(hv_vm_space_t asid)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    if (asid == HV_VM_SPACE_DEFAULT || asid >= HV_MAX_SPACES)
        return HV_BAD_ARGUMENT;
    hv_return_t ret = HV_SUCCESS;
    pthread_mutex_lock(&vm->lock);
    if (!vm->space_used[asid]) {
        ret = HV_BAD_ARGUMENT;
    } else {
        for (unsigned i = 0; i < HV_MAX_VCPUS; i++)
            if (vm->vcpus[i] != NULL && vm->vcpus[i]->space == asid)
                ret = HV_BUSY;
    }
    if (ret == HV_SUCCESS) {
        vm_mem_write_lock(vm);
        memmap_free(&vm->space[asid]);
        vm->space_used[asid] = false;
        atomic_fetch_add(&vm->mem_gen, 1);
        if (vm->backend->memory_changed != NULL)
            vm->backend->memory_changed(vm, asid, 0, HV_GPA_LIMIT);
        vm_mem_write_unlock(vm);
    }
    pthread_mutex_unlock(&vm->lock);
    return ret;
}

hv_return_t hv_vm_allocate(void **uvap, size_t size, hv_allocate_flags_t flags)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    if (uvap == NULL || size == 0 || !page_aligned(size) || flags != HV_ALLOCATE_DEFAULT)
        return HV_BAD_ARGUMENT;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        return HV_NO_RESOURCES;
    hv_return_t ret = HV_SUCCESS;
    pthread_mutex_lock(&vm->lock);
    if (vm->allocation_count == vm->allocation_capacity) {
        size_t cap = vm->allocation_capacity ? 2 * vm->allocation_capacity : 8;
        struct vm_allocation *grown = realloc(vm->allocations, cap * sizeof *grown);
        if (grown == NULL) {
            ret = HV_NO_RESOURCES;
        } else {
            vm->allocations = grown;
            vm->allocation_capacity = cap;
        }
    }
    if (ret == HV_SUCCESS)
        vm->allocations[vm->allocation_count++] = (struct vm_allocation){ p, size };
    pthread_mutex_unlock(&vm->lock);
    if (ret != HV_SUCCESS)
        munmap(p, size);
    else
        *uvap = p;
    return ret;
}

/* Whether any guest mapping still points into [base, base+size). */
static bool guest_mapped(struct hv_vm *vm, const uint8_t *base, size_t size)
{
    for (int s = 0; s < HV_MAX_SPACES; s++) {
        const struct memmap *map = &vm->space[s];
        for (size_t i = 0; i < map->count; i++) {
            const struct gpa_range *r = &map->ranges[i];
            if (r->hva < base + size && base < r->hva + r->size)
                return true;
        }
    }
    return false;
}

hv_return_t hv_vm_deallocate(void *uva, size_t size)
{
    struct hv_vm *vm = api_vm();
    if (vm == NULL)
        return HV_NO_DEVICE;
    if (uva == NULL || size == 0)
        return HV_BAD_ARGUMENT;
    hv_return_t ret = HV_BAD_ARGUMENT;
    pthread_mutex_lock(&vm->lock);
    for (size_t i = 0; i < vm->allocation_count; i++) {
        struct vm_allocation *a = &vm->allocations[i];
        if (a->base != uva || a->size != size)
            continue;
        pthread_rwlock_rdlock(&vm->mem_lock);
        bool in_use = guest_mapped(vm, uva, size);
        pthread_rwlock_unlock(&vm->mem_lock);
        if (in_use) {
            ret = HV_BUSY;
        } else {
            munmap(uva, size);
            *a = vm->allocations[--vm->allocation_count];
            ret = HV_SUCCESS;
        }
        break;
    }
    pthread_mutex_unlock(&vm->lock);
    return ret;
}
