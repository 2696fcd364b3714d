/*
 * Memory slots: the default space's ranges as KVM memslots.
 *
 * KVM can only say "RAM" (read, write, execute) or "read-only" (read,
 * execute).  Only READ|WRITE|EXEC ranges get a slot.  Every other range
 * (read-only, no EXEC, write-only, exec-only, nothing) has no slot: its
 * accesses come back as MMIO exits, which kvm_exit.c serves from guest RAM
 * when the range allows them and turns into EPT violations when it does
 * not; an instruction fetch from it fails in KVM and runs on the emulator,
 * which knows the permissions.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_internal.h"

/* Only plain RAM: a read-only slot would let KVM retire a read-modify-write
 * instruction (flags and registers updated) before its refused store comes
 * out as an MMIO exit, which cannot be rewound. */
static bool wants_slot(uint32_t prot)
{
    return prot == (HV_MEMORY_READ | HV_MEMORY_WRITE | HV_MEMORY_EXEC);
}

static bool overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
    return a < b + bsize && b < a + asize;
}

static int set_region(struct kvm_vm *k, unsigned id, const struct kvm_slot *s, bool remove)
{
    struct kvm_userspace_memory_region r = {
        .slot = id, .guest_phys_addr = s->gpa,
        .memory_size = remove ? 0 : s->size, .userspace_addr = s->hva,
    };
    return ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static hv_return_t add_slot(struct kvm_vm *k, uint64_t gpa, uint64_t size, uint64_t hva)
{
    for (unsigned id = 0; id < k->slot_max; id++) {
        if (k->slots[id].used)
            continue;
        struct kvm_slot s = { .gpa = gpa, .size = size, .hva = hva, .used = true };
        if (set_region(k, id, &s, false) != 0)
            return HV_ERROR;
        k->slots[id] = s;
        return HV_SUCCESS;
    }
    return HV_NO_RESOURCES;
}

hv_return_t kvm_memory_changed(struct hv_vm *vm, hv_vm_space_t space, uint64_t gpa, uint64_t size)
{
    struct kvm_vm *k = kvm_vm_of(vm);
    if (k == NULL || space != HV_VM_SPACE_DEFAULT)
        return HV_SUCCESS;
    /* Slots cannot be cut: drop every slot touching the change (growing the
     * area to the slots' extent), then re-create slots for the whole area,
     * with every vCPU held outside KVM_RUN in between. */
    kvm_gate_close(k);
    uint64_t lo = gpa, hi = gpa + size;
    for (bool again = true; again;) {
        again = false;
        for (unsigned id = 0; id < k->slot_max; id++) {
            struct kvm_slot *s = &k->slots[id];
            if (!s->used || !overlaps(s->gpa, s->size, lo, hi - lo))
                continue;
            set_region(k, id, s, true);
            s->used = false;
            if (s->gpa < lo || s->gpa + s->size > hi) {
                lo = s->gpa < lo ? s->gpa : lo;
                hi = s->gpa + s->size > hi ? s->gpa + s->size : hi;
                again = true;
            }
        }
    }
    const struct memmap *map = &vm->space[HV_VM_SPACE_DEFAULT];
    hv_return_t ret = HV_SUCCESS;
    for (size_t i = 0; i < map->count && ret == HV_SUCCESS; i++) {
        const struct gpa_range *r = &map->ranges[i];
        if (!overlaps(r->gpa, r->size, lo, hi - lo) || !wants_slot(r->prot))
            continue;
        uint64_t start = r->gpa > lo ? r->gpa : lo;
        uint64_t end = r->gpa + r->size < hi ? r->gpa + r->size : hi;
        ret = add_slot(k, start, end - start, (uint64_t)(uintptr_t)(r->hva + (start - r->gpa)));
    }
    kvm_gate_open(k);
    return ret;
}

void kvm_mem_hold(struct hv_vcpu *v)
{
    if (kvm_vcpu_of(v)->mem_holds++ == 0)
        vm_mem_read_lock(v->vm);
}

void kvm_mem_release(struct hv_vcpu *v)
{
    if (--kvm_vcpu_of(v)->mem_holds == 0)
        vm_mem_read_unlock(v->vm);
}

/* A paging-structure entry (mem_lock held); *slotless set when it lies in memory without
 * a memslot, where KVM's own walk fails. */
static bool read_pte(struct hv_vcpu *v, uint64_t gpa, unsigned size, uint64_t *value, bool *slotless)
{
    const struct gpa_range *r = memmap_lookup(&v->vm->space[HV_VM_SPACE_DEFAULT], gpa);
    if (r == NULL || !wants_slot(r->prot))
        *slotless = true;
    if (r == NULL || gpa + size > r->gpa + r->size)
        return false;
    *value = 0;
    memcpy(value, r->hva + (gpa - r->gpa), size);
    return true;
}

/*
 * The guest's page walk, done here because every ioctl costs an exit's
 * worth of time on a nested host.  From the vmcs (current at an exit);
 * permissions are not checked: the callers only look at where an access
 * that already happened went, or read code bytes.  5-level paging goes to
 * KVM_TRANSLATE.  mem_lock held.
 */
static bool walk(struct hv_vcpu *v, uint64_t linear, uint64_t *gpa, bool *slotless)
{
    const struct vmcs_guest *g = &v->vmcs.guest;
    if (!(g->cr0 & K_CR0_PG)) {
        *gpa = linear & 0xffffffffull;
        return true;
    }
    uint64_t e;
    const uint64_t addr = 0x000ffffffffff000ull;
    if (g->efer & K_EFER_LMA) {
        if (g->cr4 & K_CR4_LA57) {
            struct kvm_translation t = { .linear_address = linear };
            if (ioctl(kvm_vcpu_of(v)->fd, KVM_TRANSLATE, &t) != 0 || !t.valid)
                return false;
            *gpa = t.physical_address;
            return true;
        }
        uint64_t table = g->cr3 & addr;
        for (int level = 3; level >= 0; level--) {
            unsigned index = (unsigned)((linear >> (12 + 9 * level)) & 0x1ff);
            if (!read_pte(v, table + index * 8u, 8, &e, slotless) || !(e & 1))
                return false;
            if (level == 0 || (level <= 2 && (e & 0x80))) {
                uint64_t page_mask = (1ull << (12 + 9 * level)) - 1;
                *gpa = (e & addr & ~page_mask) | (linear & page_mask);
                return true;
            }
            table = e & addr;
        }
        return false;
    }
    linear &= 0xffffffffull;
    if (g->cr4 & K_CR4_PAE) {
        if (!read_pte(v, (g->cr3 & 0xffffffe0ull) + (linear >> 30) * 8, 8, &e, slotless) || !(e & 1))
            return false;
        if (!read_pte(v, (e & addr) + ((linear >> 21) & 0x1ff) * 8, 8, &e, slotless) || !(e & 1))
            return false;
        if (e & 0x80) {
            *gpa = (e & addr & ~0x1fffffull) | (linear & 0x1fffff);
            return true;
        }
        if (!read_pte(v, (e & addr) + ((linear >> 12) & 0x1ff) * 8, 8, &e, slotless) || !(e & 1))
            return false;
        *gpa = (e & addr) | (linear & 0xfff);
        return true;
    }
    if (!read_pte(v, (g->cr3 & 0xfffff000ull) + (linear >> 22) * 4, 4, &e, slotless) || !(e & 1))
        return false;
    if ((e & 0x80) && (g->cr4 & K_CR4_PSE)) {
        /* PSE-36: bits 13-20 are physical-address bits 32-39. */
        *gpa = (e & 0xffc00000ull) | ((e & 0x1fe000ull) << 19) | (linear & 0x3fffff);
        return true;
    }
    if (!read_pte(v, (e & 0xfffff000ull) + ((linear >> 12) & 0x3ff) * 4, 4, &e, slotless) || !(e & 1))
        return false;
    *gpa = (e & 0xfffff000ull) | (linear & 0xfff);
    return true;
}

bool kvm_translate(struct hv_vcpu *v, uint64_t linear, uint64_t *gpa)
{
    kvm_mem_hold(v);
    bool slotless = false;
    bool ok = walk(v, linear, gpa, &slotless);
    kvm_mem_release(v);
    return ok;
}

/* Reads here are an instruction's bytes or an operand: up to 16 bytes move
 * as two overlapping fixed-size copies, where memcpy of a variable size
 * would cost a string instruction's start-up. */
static void copy_guest_bytes(uint8_t *dst, const uint8_t *src, unsigned n)
{
    if (n >= 8 && n <= 16) {
        memcpy(dst, src, 8);
        memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(dst, src, 4);
        memcpy(dst + n - 4, src + n - 4, 4);
    } else {
        memcpy(dst, src, n);
    }
}

bool kvm_read_linear(struct hv_vcpu *v, uint64_t linear, void *buf, unsigned size)
{
    uint8_t *out = buf;
    bool ok = true;
    kvm_mem_hold(v);
    while (size > 0 && ok) {
        unsigned chunk = (unsigned)(HV_PAGE_SIZE - (linear & HV_PAGE_MASK));
        if (chunk > size)
            chunk = size;
        uint64_t gpa;
        const struct gpa_range *r = NULL;
        bool slotless = false;
        if (walk(v, linear, &gpa, &slotless))
            r = memmap_lookup(&v->vm->space[HV_VM_SPACE_DEFAULT], gpa);
        if (r == NULL || gpa + chunk > r->gpa + r->size) {
            ok = false;
            break;
        }
        copy_guest_bytes(out, r->hva + (gpa - r->gpa), chunk);
        out += chunk;
        linear += chunk;
        size -= chunk;
    }
    kvm_mem_release(v);
    return ok;
}

/* Whether KVM can reach every byte of [linear, linear + size), size at most
 * a page: each page's walk and the page itself in memory with a memslot.  A page that is not
 * present counts as reachable (KVM raises the #PF as VMX would). */
static bool linear_in_slots(struct hv_vcpu *v, uint64_t linear, uint64_t size)
{
    bool ok = true;
    /* Callers check a few bytes: the page of the first and, if the range
     * crosses into it, the next (counted, not compared: the range may wrap
     * around the address space). */
    unsigned pages = (linear & HV_PAGE_MASK) + size > HV_PAGE_SIZE ? 2 : 1;
    kvm_mem_hold(v);
    uint64_t page = linear & ~(uint64_t)HV_PAGE_MASK;
    for (unsigned i = 0; ok && i < pages; i++, page += HV_PAGE_SIZE) {
        bool slotless = false;
        uint64_t gpa;
        if (walk(v, page, &gpa, &slotless)) {
            const struct gpa_range *r = memmap_lookup(&v->vm->space[HV_VM_SPACE_DEFAULT], gpa);
            slotless |= r == NULL || !wants_slot(r->prot);
        }
        ok = !slotless;
    }
    kvm_mem_release(v);
    return ok;
}

bool kvm_walk_slotless(struct hv_vcpu *v, uint64_t linear)
{
    bool slotless = false;
    uint64_t gpa;
    kvm_mem_hold(v);
    walk(v, linear, &gpa, &slotless);
    kvm_mem_release(v);
    return slotless;
}

/* A little-endian field of guest memory; 0 when unreadable. */
static uint64_t peek(struct hv_vcpu *v, uint64_t linear, unsigned size)
{
    uint64_t value = 0;
    if (!kvm_read_linear(v, linear, &value, size))
        return 0;
    return value;
}

/* The base of the segment a selector names, from the GDT or LDT. */
static uint64_t descriptor_at(struct hv_vcpu *v, uint16_t sel, bool *reachable)
{
    const struct vmcs_guest *g = &v->vmcs.guest;
    uint64_t table = (sel & 4) ? g->seg[SEG_LDTR].base : g->gdtr_base;
    uint64_t at = table + (sel & ~7u);
    *reachable &= linear_in_slots(v, at, 8);
    return at;
}

/*
 * Whether KVM can deliver the client's entry event (hardware kinds) without
 * touching memory that has no memslot: the IDT gate, the code and stack
 * segments' descriptors, the TSS slot of a stack switch, and the frame.
 * VMX exits there with an EPT violation; KVM instead retries the delivery
 * inside the kernel for ever (Linux 6.1 under SVM) or shuts down, so such
 * an entry is the emulator's.  Protected-mode privilege changes read SS's
 * base from its descriptor; 16-bit gates are taken as 32-bit ones.
 */
bool kvm_delivery_in_slots(struct hv_vcpu *v, uint32_t info)
{
    const struct vmcs_guest *g = &v->vmcs.guest;
    unsigned vector = info & 0xff;
    unsigned error = (info & IRQ_INFO_ERROR_VALID) ? 1 : 0;
    if (!(g->cr0 & K_CR0_PE)) {
        uint64_t frame = g->seg[SEG_SS].base + ((g->gpr[GPR_RSP] - 6) & 0xffff);
        return linear_in_slots(v, g->idtr_base + vector * 4u, 4) && linear_in_slots(v, frame, 6);
    }
    bool long_mode = (g->efer & K_EFER_LMA) != 0;
    unsigned gate_size = long_mode ? 16 : 8;
    uint64_t gate = g->idtr_base + (uint64_t)vector * gate_size;
    if ((uint64_t)vector * gate_size + gate_size - 1 > g->idtr_limit)
        return true;                /* a #GP, delivered through another gate */
    if (!linear_in_slots(v, gate, gate_size))
        return false;
    uint16_t sel = (uint16_t)peek(v, gate + 2, 2);
    unsigned ist = long_mode ? (unsigned)peek(v, gate + 4, 1) & 7 : 0;
    bool reachable = true;
    uint64_t cs_desc = peek(v, descriptor_at(v, sel, &reachable), 8);
    unsigned dpl = (unsigned)(cs_desc >> 45) & 3, cpl = g->seg[SEG_CS].sel & 3;
    bool switch_stack = dpl < cpl;
    uint64_t tss = g->seg[SEG_TR].base, frame, size;
    if (long_mode) {
        uint64_t rsp = g->gpr[GPR_RSP];
        if (ist != 0 || switch_stack) {
            uint64_t slot = tss + (ist != 0 ? 0x24 + (ist - 1) * 8u : 4 + dpl * 8u);
            reachable &= linear_in_slots(v, slot, 8);
            rsp = peek(v, slot, 8);
        }
        size = 8 * (5 + error);
        frame = (rsp & ~0xfull) - size;
    } else if (switch_stack) {
        uint64_t esp = peek(v, tss + 4 + dpl * 8u, 4);
        uint16_t ss = (uint16_t)peek(v, tss + 8 + dpl * 8u, 2);
        reachable &= linear_in_slots(v, tss + 4 + dpl * 8u, 8);
        uint64_t ss_desc = peek(v, descriptor_at(v, ss, &reachable), 8);
        uint64_t base = ((ss_desc >> 16) & 0xffffff) | (((ss_desc >> 56) & 0xff) << 24);
        size = 4 * (5 + error);
        frame = (base + esp - size) & 0xffffffffull;
    } else {
        size = 4 * (3 + error);
        frame = (g->seg[SEG_SS].base + g->gpr[GPR_RSP] - size) & 0xffffffffull;
    }
    return reachable && linear_in_slots(v, frame, size);
}
