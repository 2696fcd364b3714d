/* The in-kernel interrupt controllers across threads (HV_VM_ACCEL_APIC):
 * INIT/SIPI bring-up of three application processors from real mode, as
 * the framework reports it to the client, fixed IPIs between vCPUs, and
 * interrupts sent from another thread waking a halted vCPU.  Built for
 * `make check-tsan` (the name contains "threads"). */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "../guests/apic.h"

#define APS 3

struct ap {
    struct h_vm vm;
    int index;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool go;
    uint64_t rip;                   /* from hv_vcpu_exit_startup_ap */
    hv_return_t create_result;
    bool done;                      /* reached PORT_DONE */
};

static pthread_barrier_t created;

static hv_return_t set_reg(hv_vcpuid_t v, hv_x86_reg_t r, uint64_t value)
{
    return hv_vcpu_write_register(v, r, value);
}

/* What a client does for an AP: wait for the SIPI the BSP's exit reported,
 * then start the vCPU in real mode at CS = vector << 8, IP = 0. */
static void *ap_main(void *arg)
{
    struct ap *a = arg;
    a->create_result = hv_vcpu_create(&a->vm.vcpu, HV_VCPU_DEFAULT);
    pthread_barrier_wait(&created);
    if (a->create_result != HV_SUCCESS)
        return NULL;
    pthread_mutex_lock(&a->lock);
    while (!a->go)
        pthread_cond_wait(&a->cond, &a->lock);
    uint64_t rip = a->rip;
    pthread_mutex_unlock(&a->lock);

    hv_vcpuid_t v = a->vm.vcpu;
    uint64_t scratch = GUEST_SCRATCH + 0x10000ull * (uint64_t)(a->index + 1);
    struct guest_layout layout = {
        .entry = rip, .stack = 0x7000 - 0x100 * (uint64_t)a->index,
        .scratch = scratch, .scratch_hva = a->vm.ram + scratch,
    };
    T_EXPECT_EQ(guest_mode_setup(v, GUEST_REAL, &layout), HV_SUCCESS);
    T_EXPECT_EQ(hv_vmx_vcpu_write_vmcs(v, VMCS_GUEST_CS, rip >> 4), HV_SUCCESS);
    T_EXPECT_EQ(hv_vmx_vcpu_write_vmcs(v, VMCS_GUEST_CS_BASE, rip), HV_SUCCESS);
    T_EXPECT_EQ(set_reg(v, HV_X86_RIP, 0), HV_SUCCESS);
    /* The AP's APIC: software-enabled, and EOI reachable by WRMSR in xAPIC
     * mode (the APIC page is beyond a real-mode segment). */
    bool no_side = false;
    T_EXPECT_EQ(hv_vcpu_apic_write(v, 0xf0, 0x1ff, &no_side), HV_SUCCESS);
    T_EXPECT_EQ(hv_vcpu_apic_ctrl(v, HV_APIC_CTRL_EOI_ICR_TPR), HV_SUCCESS);
    for (int i = 0; i < 1000; i++) {
        T_EXPECT_EQ(hv_vcpu_run_until(v, h_now_ns() + H_RUN_LIMIT_NS), HV_SUCCESS);
        uint64_t reason = 0, qual = 0;
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason);
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_QUALIFIC, &qual);
        if ((reason & 0xffff) == VMX_REASON_IRQ)
            continue;
        a->done = (reason & 0xffff) == VMX_REASON_IO && IOQ_PORT(qual) == PORT_DONE;
        T_EXPECT(a->done);
        break;
    }
    T_EXPECT_EQ(hv_vcpu_destroy(v), HV_SUCCESS);
    return NULL;
}

T_CASE(apic_threads_init_sipi_bringup)
{
    if (h_on_kvm())
        T_SKIP("KVM handles INIT and SIPI inside KVM_RUN: no INIT_AP/STARTUP_AP exits on kvm (docs/compat.md)");
    static struct ap aps[APS];
    pthread_t t[APS];
    T_ASSERT_EQ(pthread_barrier_init(&created, NULL, APS + 1), 0);
    for (int i = 0; i < APS; i++) {
        aps[i] = (struct ap){ .vm = *vm, .index = i };
        pthread_mutex_init(&aps[i].lock, NULL);
        pthread_cond_init(&aps[i].cond, NULL);
        T_ASSERT_EQ(pthread_create(&t[i], NULL, ap_main, &aps[i]), 0);
    }
    pthread_barrier_wait(&created);

    uint64_t tramp = h_sym(vm, "ap_tramp");
    h_poke(vm, 0x60 * 4, h_sym(vm, "ap_isr"), 2);       /* IVT 0x60 = 0000:ap_isr */
    h_poke(vm, 0x60 * 4 + 2, 0, 2);
    h_set_reg(vm, HV_X86_RBX, tramp >> 12);
    unsigned inits = 0, startups = 0;
    bool started = false;
    for (int i = 0; i < 100; i++) {
        const struct h_exit *e = h_run(vm);
        if (e->reason == VMX_REASON_IO && IOQ_PORT(e->qual) == PORT_DONE)
            break;
        T_EXPECT_EQ(e->reason, VMX_REASON_APIC_WRITE);
        T_EXPECT_EQ(e->qual, 0x300);                     /* the ICR */
        hv_vm_exitinfo_t info = 0;
        T_HV(hv_vcpu_exit_info(vm->vcpu, &info));
        bool act[APS + 2] = { false };
        if (info == HV_VM_EXITINFO_INIT_AP) {
            inits++;
            T_HV(hv_vcpu_exit_init_ap(vm->vcpu, act, APS + 2));
        } else if (info == HV_VM_EXITINFO_STARTUP_AP) {
            startups++;
            uint64_t rip = 0;
            T_HV(hv_vcpu_exit_startup_ap(vm->vcpu, act, APS + 2, &rip));
            T_EXPECT_EQ(rip, tramp);
            for (int k = 0; k < APS && !started; k++) {
                pthread_mutex_lock(&aps[k].lock);
                aps[k].rip = rip;
                aps[k].go = true;
                pthread_cond_signal(&aps[k].cond);
                pthread_mutex_unlock(&aps[k].lock);
            }
            started = true;
        } else {
            T_EXPECT(!"an APIC-write exit without INIT/SIPI information");
        }
        /* Every other vCPU, not the sender, and nothing beyond the vCPUs. */
        T_EXPECT(!act[0] && act[1] && act[2] && act[3] && !act[4]);
    }
    for (int i = 0; i < APS; i++) {
        if (!started) {
            pthread_mutex_lock(&aps[i].lock);
            aps[i].go = true;
            pthread_cond_signal(&aps[i].cond);
            pthread_mutex_unlock(&aps[i].lock);
        }
        pthread_join(t[i], NULL);
        pthread_mutex_destroy(&aps[i].lock);
        pthread_cond_destroy(&aps[i].cond);
        T_EXPECT_EQ(aps[i].create_result, HV_SUCCESS);
        T_EXPECT(aps[i].done);
    }
    pthread_barrier_destroy(&created);
    T_ASSERT_EQ(vm->exit.reason, VMX_REASON_IO);
    T_ASSERT_EQ(inits, 1);
    /* The second SIPI finds no AP waiting for one: no exit. */
    T_ASSERT_EQ(startups, 1);
    T_ASSERT_EQ(h_peek(vm, AP_COUNT, 4), APS);
    T_ASSERT_EQ(h_peek(vm, AP_ACK, 4), APS);
}

/* ---- interrupts from another thread wake a halted vCPU ---- */

struct sender { unsigned delay_ms; hv_vcpuid_t vcpu; hv_return_t intr, msi; };

static void *send_later(void *arg)
{
    struct sender *s = arg;
    struct timespec ts = { 0, (long)s->delay_ms * 1000000L };
    nanosleep(&ts, NULL);
    s->msi = hv_vm_lapic_msi(0xfee00000, 0x62);
    s->intr = hv_vm_lapic_set_intr(s->vcpu, 0x61, HV_APIC_EDGE_TRIGGER);
    return NULL;
}

T_CASE(apic_threads_set_intr_wakes_hlt)
{
    bool no_side;
    T_HV(hv_vcpu_apic_write(vm->vcpu, 0xf0, 0x1ff, &no_side));
    h_poke(vm, IRQ_ACK, 1, 4);
    /* First let the guest reach its HLT. */
    T_ASSERT_EQ(hv_vcpu_run_until(vm->vcpu, h_now_ns() + 10000000), HV_SUCCESS);
    T_ASSERT_EQ(h_vmcs(vm, VMCS_RO_EXIT_REASON) & 0xffff, VMX_REASON_VMX_TIMER_EXPIRED);
    uint64_t idle0 = 0;
    T_HV(hv_vcpu_get_idle_time(vm->vcpu, &idle0));
    struct sender s = { .delay_ms = 50, .vcpu = vm->vcpu };
    pthread_t t;
    uint64_t start = h_now_ns();
    T_ASSERT_EQ(pthread_create(&t, NULL, send_later, &s), 0);
    const struct h_exit *e = h_run_expect(vm, VMX_REASON_IO);
    uint64_t took = h_now_ns() - start;
    pthread_join(t, NULL);
    T_ASSERT_EQ(s.intr, HV_SUCCESS);
    T_ASSERT_EQ(s.msi, HV_SUCCESS);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_ACK);
    /* Both were pending by the time the guest woke: 0x62 first (priority class 6). */
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xff, 0x62);
    T_ASSERT(took >= 50000000);
    /* The wait was HLT sleep. */
    uint64_t idle = 0;
    T_HV(hv_vcpu_get_idle_time(vm->vcpu, &idle));
    T_ASSERT(idle - idle0 >= 25000000);
    h_skip_instr(vm);
    e = h_run_expect(vm, VMX_REASON_IO);
    T_ASSERT_EQ(IOQ_PORT(e->qual), PORT_ACK);
    T_ASSERT_EQ(h_reg(vm, HV_X86_RAX) & 0xff, 0x61);
}

/* ---- lowest priority between two vCPUs ---- */

struct receiver {
    struct h_vm vm;
    pthread_barrier_t *ready;
    unsigned vector;
    hv_return_t result;
};

static void *receiver_main(void *arg)
{
    struct receiver *r = arg;
    r->result = hv_vcpu_create(&r->vm.vcpu, HV_VCPU_DEFAULT);
    if (r->result == HV_SUCCESS) {
        hv_vcpuid_t v = r->vm.vcpu;
        uint64_t scratch = GUEST_SCRATCH + 0x10000;
        struct guest_layout layout = {
            .entry = h_sym(&r->vm, "a_idle"), .stack = GUEST_FREE + 0x10000,
            .scratch = scratch, .scratch_hva = r->vm.ram + scratch,
        };
        bool ns;
        T_EXPECT_EQ(guest_mode_setup(v, GUEST_LONG64, &layout), HV_SUCCESS);
        T_EXPECT_EQ(hv_vcpu_apic_write(v, 0xf0, 0x1ff, &ns), HV_SUCCESS);
        T_EXPECT_EQ(hv_vcpu_apic_write(v, 0xd0, 0x02000000, &ns), HV_SUCCESS);   /* logical bit 1 */
        T_EXPECT_EQ(hv_vcpu_apic_write(v, 0x80, 0x10, &ns), HV_SUCCESS);         /* lower TPR */
    }
    pthread_barrier_wait(r->ready);
    if (r->result != HV_SUCCESS)
        return NULL;
    hv_vcpuid_t v = r->vm.vcpu;
    for (int i = 0; i < 1000; i++) {
        T_EXPECT_EQ(hv_vcpu_run_until(v, h_now_ns() + H_RUN_LIMIT_NS), HV_SUCCESS);
        uint64_t reason = 0, qual = 0, rax = 0;
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_REASON, &reason);
        hv_vmx_vcpu_read_vmcs(v, VMCS_RO_EXIT_QUALIFIC, &qual);
        if ((reason & 0xffff) == VMX_REASON_IRQ)
            continue;
        T_EXPECT_EQ(reason & 0xffff, VMX_REASON_IO);
        T_EXPECT_EQ(IOQ_PORT(qual), PORT_ACK);
        hv_vcpu_read_register(v, HV_X86_RAX, &rax);
        r->vector = (unsigned)(rax & 0xff);
        break;
    }
    T_EXPECT_EQ(hv_vcpu_destroy(v), HV_SUCCESS);
    return NULL;
}

T_CASE(apic_threads_lowest_priority)
{
    static pthread_barrier_t ready;
    T_ASSERT_EQ(pthread_barrier_init(&ready, NULL, 2), 0);
    h_poke(vm, IRQ_ACK, 1, 4);
    bool ns;
    T_HV(hv_vcpu_apic_write(vm->vcpu, 0xd0, 0x01000000, &ns));                   /* logical bit 0 */
    T_HV(hv_vcpu_apic_write(vm->vcpu, 0x80, 0x20, &ns));
    static struct receiver r;
    r = (struct receiver){ .vm = *vm, .ready = &ready };
    pthread_t t;
    T_ASSERT_EQ(pthread_create(&t, NULL, receiver_main, &r), 0);
    pthread_barrier_wait(&ready);
    /* Logical destination naming both; lowest priority: vCPU 1 (TPR 0x10). */
    h_set_reg(vm, HV_X86_RCX, 0x03000000);
    h_set_reg(vm, HV_X86_RBX, 0x4963);
    h_expect_done(vm);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&ready);
    T_ASSERT_EQ(r.result, HV_SUCCESS);
    T_ASSERT_EQ(r.vector, 0x63);
    uint32_t irr = 0, isr = 0;
    T_HV(hv_vcpu_apic_read(vm->vcpu, 0x200 + 0x10 * (0x63 / 32), &irr));
    T_HV(hv_vcpu_apic_read(vm->vcpu, 0x100 + 0x10 * (0x63 / 32), &isr));
    T_ASSERT_EQ((irr | isr) & (1u << (0x63 % 32)), 0);   /* not the sender's */
}

static const struct t_case cases[] = {
    T_ENTRY(apic_threads_init_sipi_bringup, "apic", GUEST_LONG64, "a_bringup"),
    T_ENTRY(apic_threads_set_intr_wakes_hlt, "apic", GUEST_LONG64, "a_idle"),
    T_ENTRY(apic_threads_lowest_priority, "apic", GUEST_LONG64, "a_send"),
};

int main(void)
{
    h_vm_flags = HV_VM_ACCEL_APIC;
    return t_run_cases(cases, sizeof cases / sizeof cases[0]);
}
