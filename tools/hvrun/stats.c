/*
 * --stats: exit counts per reason and vCPU, wall time, and guest
 * instruction counts where the library offers them (OpenHV extension).
 */
#include "hvrun.h"

#include <stdio.h>

void stats_collect(struct vcpu *v)
{
    v->have_instructions = false;
    if (hv_vcpu_get_exec_time(v->id, &v->exec_ns) != HV_SUCCESS)
        v->exec_ns = 0;
#ifdef HVRUN_HAVE_OPENHV_H
    struct openhv_vcpu_stats s;
    if (openhv_vcpu_stats(v->id, &s) == HV_SUCCESS) {
        v->engine_ns[0] = s.engine_ns[0];
        v->engine_ns[1] = s.engine_ns[1];
        v->blocks_decoded = s.blocks_decoded;
        v->block_lookups = s.block_lookups;
        v->translated_returns = s.translated_returns;
        if (s.instructions != 0) {
            v->instructions = s.instructions;
            v->have_instructions = true;
        }
    }
#endif
}

void stats_print(const struct machine *m, double wall_seconds)
{
    fprintf(stderr, "hvrun: stats: wall time %.6f s\n", wall_seconds);
    uint64_t total_instructions = 0;
    bool have_all = true;
    for (unsigned i = 0; i < m->opt.cpus; i++) {
        const struct vcpu *v = &m->vcpu[i];
        uint64_t total = 0;
        for (unsigned r = 0; r <= EXIT_REASON_COUNT; r++)
            total += v->exits[r];
        fprintf(stderr, "hvrun: stats: cpu%u: %llu exits, %.6f s in the guest\n", i,
                (unsigned long long)total, (double)v->exec_ns * 1e-9);
        for (unsigned r = 0; r <= EXIT_REASON_COUNT; r++)
            if (v->exits[r] != 0)
                fprintf(stderr, "hvrun: stats: cpu%u:   %-18s %llu\n", i,
                        r < EXIT_REASON_COUNT ? exit_reason_name(r) : "OUT_OF_RANGE",
                        (unsigned long long)v->exits[r]);
        if (v->engine_ns[0] || v->engine_ns[1])
            fprintf(stderr, "hvrun: stats: cpu%u: %.6f s on the emulator, %.6f s on KVM\n", i,
                    (double)v->engine_ns[0] * 1e-9, (double)v->engine_ns[1] * 1e-9);
        if (v->have_instructions) {
            fprintf(stderr, "hvrun: stats: cpu%u: %llu instructions\n", i, (unsigned long long)v->instructions);
            total_instructions += v->instructions;
            fprintf(stderr,
                    "hvrun: stats: cpu%u: %llu blocks decoded, %llu looked up, "
                    "%llu returns from translated code\n",
                    i, (unsigned long long)v->blocks_decoded, (unsigned long long)v->block_lookups,
                    (unsigned long long)v->translated_returns);
        } else {
            have_all = false;
        }
    }
    if (have_all && wall_seconds > 0)
        fprintf(stderr, "hvrun: stats: %llu instructions, %.1f MIPS\n", (unsigned long long)total_instructions,
                (double)total_instructions / wall_seconds / 1e6);
}
