/* API rules around threads: vCPU ids, ownership, hv_vcpu_interrupt. */
#include <Hypervisor/Hypervisor.h>
#include <Hypervisor/openhv.h>
#include <pthread.h>
#include <semaphore.h>
#include <string.h>

#include "api_test.h"

/* A helper thread that creates a vCPU, then waits for commands. */
struct worker {
    pthread_t thread;
    hv_vcpuid_t id;
    hv_return_t create_ret;
    sem_t go, done;
    int command;               /* 0 quit, 1 destroy */
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    w->create_ret = hv_vcpu_create(&w->id, HV_VCPU_DEFAULT);
    sem_post(&w->done);
    for (;;) {
        sem_wait(&w->go);
        if (w->command == 0)
            break;
        hv_vcpu_destroy(w->id);
        sem_post(&w->done);
    }
    return NULL;
}

static void worker_start(struct worker *w)
{
    sem_init(&w->go, 0, 0);
    sem_init(&w->done, 0, 0);
    pthread_create(&w->thread, NULL, worker_main, w);
    sem_wait(&w->done);
}

static void worker_destroy_vcpu(struct worker *w)
{
    w->command = 1;
    sem_post(&w->go);
    sem_wait(&w->done);
}

static void worker_stop(struct worker *w)
{
    w->command = 0;
    sem_post(&w->go);
    pthread_join(w->thread, NULL);
}

/* Calls into a vCPU this thread does not own. */
struct foreign {
    hv_vcpuid_t id;
    hv_return_t write_ret, read_ret, run_ret, destroy_ret, msr_ret, interrupt_ret, cpuid_ret;
    uint64_t value;
};

static void *foreign_main(void *arg)
{
    struct foreign *f = arg;
    f->value = 0x1234;
    f->write_ret = hv_vmx_vcpu_write_vmcs(f->id, VMCS_GUEST_RIP, 0xdead);
    f->read_ret = hv_vcpu_read_register(f->id, HV_X86_RIP, &f->value);
    f->run_ret = hv_vcpu_run(f->id);
    f->msr_ret = hv_vcpu_enable_native_msr(f->id, HV_MSR_IA32_STAR, true);
    uint32_t regs[4];
    f->cpuid_ret = openhv_vcpu_cpuid(f->id, 0, 0, regs);
    f->destroy_ret = hv_vcpu_destroy(f->id);
    f->interrupt_ret = hv_vcpu_interrupt(&f->id, 1);
    return NULL;
}

int main(void)
{
    CHECK_RET("vm_create", hv_vm_create(HV_VM_DEFAULT), HV_SUCCESS);

    hv_vcpuid_t main_id = 77;
    CHECK_RET("main_vcpu_create", hv_vcpu_create(&main_id, HV_VCPU_DEFAULT), HV_SUCCESS);
    CHECK_EQ("main_vcpu_id_0", main_id, 0);
    hv_vcpuid_t again;
    CHECK_RET("second_vcpu_same_thread", hv_vcpu_create(&again, HV_VCPU_DEFAULT), HV_BUSY);
    CHECK_RET("vcpu_create_null", hv_vcpu_create(NULL, HV_VCPU_DEFAULT), HV_BAD_ARGUMENT);
    CHECK_RET("vcpu_create_bad_flags", hv_vcpu_create(&again, 1ull << 7), HV_BAD_ARGUMENT);

    struct worker w1 = { 0 }, w2 = { 0 }, w3 = { 0 };
    worker_start(&w1);
    worker_start(&w2);
    CHECK("worker_ids_1_2", w1.create_ret == HV_SUCCESS && w2.create_ret == HV_SUCCESS &&
                                w1.id == 1 && w2.id == 2);
    worker_destroy_vcpu(&w1);
    worker_start(&w3);
    CHECK("lowest_free_id_reused", w3.create_ret == HV_SUCCESS && w3.id == 1);

    /* Another thread may not touch vCPU 0; nothing changes. */
    CHECK_RET("set_rip", hv_vmx_vcpu_write_vmcs(main_id, VMCS_GUEST_RIP, 0x1000), HV_SUCCESS);
    struct foreign f = { .id = main_id };
    pthread_t t;
    pthread_create(&t, NULL, foreign_main, &f);
    pthread_join(t, NULL);
    CHECK_RET("wrong_thread_write_vmcs", f.write_ret, HV_BAD_ARGUMENT);
    CHECK_RET("wrong_thread_read_register", f.read_ret, HV_BAD_ARGUMENT);
    CHECK_EQ("wrong_thread_value_untouched", f.value, 0x1234);
    CHECK_RET("wrong_thread_run", f.run_ret, HV_BAD_ARGUMENT);
    CHECK_RET("wrong_thread_msr", f.msr_ret, HV_BAD_ARGUMENT);
    CHECK_RET("wrong_thread_cpuid", f.cpuid_ret, HV_BAD_ARGUMENT);
    CHECK_RET("wrong_thread_destroy", f.destroy_ret, HV_BAD_ARGUMENT);
    CHECK_RET("any_thread_interrupt", f.interrupt_ret, HV_SUCCESS);
    uint64_t rip = 0;
    hv_vcpu_read_register(main_id, HV_X86_RIP, &rip);
    CHECK_EQ("wrong_thread_changed_nothing", rip, 0x1000);

    /* The kick sent by the foreign thread is latched until the next run. */
    hv_return_t r = hv_vcpu_run(main_id);
    uint64_t reason = 0;
    hv_vmx_vcpu_read_vmcs(main_id, VMCS_RO_EXIT_REASON, &reason);
    if (r == HV_UNSUPPORTED) {
        test_skip("latched_kick_exits_irq", "the backend cannot run guests yet");
    } else {
        CHECK("latched_kick_exits_irq", r == HV_SUCCESS && reason == VMX_REASON_IRQ);
        CHECK_EQ("latched_kick_rip_unchanged", (hv_vcpu_read_register(main_id, HV_X86_RIP, &rip), rip),
                 0x1000);
        struct openhv_vcpu_stats st;
        CHECK_RET("stats", openhv_vcpu_stats(main_id, &st), HV_SUCCESS);
        CHECK("stats_count_the_irq_exit", st.runs == 1 && st.exits[VMX_REASON_IRQ] == 1);
    }
    CHECK_RET("stats_null", openhv_vcpu_stats(main_id, NULL), HV_BAD_ARGUMENT);
    CHECK_RET("stats_unknown_vcpu", openhv_vcpu_stats(33, NULL), HV_BAD_ARGUMENT);
    uint32_t regs[4] = { 0 };
    CHECK_RET("cpuid", openhv_vcpu_cpuid(main_id, 0, 0, regs), HV_SUCCESS);
    CHECK("cpuid_vendor", memcmp(&regs[1], "Genu", 4) == 0 && memcmp(&regs[3], "ineI", 4) == 0 &&
                              memcmp(&regs[2], "ntel", 4) == 0);
    CHECK_RET("cpuid_null", openhv_vcpu_cpuid(main_id, 0, 0, NULL), HV_BAD_ARGUMENT);
    CHECK_RET("cpuid_unknown_vcpu", openhv_vcpu_cpuid(33, 0, 0, regs), HV_BAD_ARGUMENT);

    hv_vcpuid_t ids[3] = { main_id, 2, 40 };
    CHECK_RET("interrupt_bad_id", hv_vcpu_interrupt(ids, 3), HV_BAD_ARGUMENT);
    ids[2] = 1000;
    CHECK_RET("interrupt_huge_id", hv_vcpu_interrupt(ids, 3), HV_BAD_ARGUMENT);
    CHECK_RET("interrupt_null", hv_vcpu_interrupt(NULL, 1), HV_BAD_ARGUMENT);
    CHECK_RET("interrupt_none", hv_vcpu_interrupt(ids, 0), HV_SUCCESS);
    /* The rejected calls sent no kick: the next run is not an IRQ exit (with
     * no guest memory mapped, the emulator stops on the first fetch). */
    reason = 0;
    r = hv_vcpu_run(main_id);
    hv_vmx_vcpu_read_vmcs(main_id, VMCS_RO_EXIT_REASON, &reason);
    if (r == HV_UNSUPPORTED)
        test_skip("rejected_interrupt_sent_no_kick", "the backend cannot run guests yet");
    else
        CHECK("rejected_interrupt_sent_no_kick", r == HV_SUCCESS && reason != VMX_REASON_IRQ);

    CHECK_RET("unknown_vcpu_read", hv_vcpu_read_register(40, HV_X86_RIP, &rip), HV_BAD_ARGUMENT);
    CHECK_RET("huge_vcpu_read", hv_vcpu_read_register(1u << 31, HV_X86_RIP, &rip),
              HV_BAD_ARGUMENT);

    worker_destroy_vcpu(&w2);
    worker_destroy_vcpu(&w3);
    worker_stop(&w1);
    worker_stop(&w2);
    worker_stop(&w3);
    CHECK_RET("destroy_busy_with_main_vcpu", hv_vm_destroy(), HV_BUSY);
    CHECK_RET("main_vcpu_destroy", hv_vcpu_destroy(main_id), HV_SUCCESS);
    CHECK_RET("vm_destroy", hv_vm_destroy(), HV_SUCCESS);
    return test_exit();
}
