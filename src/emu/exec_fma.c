/*
 * FMA (VFMADD/VFMSUB/VFNMADD/VFNMSUB/VFMADDSUB/VFMSUBADD 132/213/231,
 * PS/PD/SS/SD: VEX.66.0F38 96-9F, A6-AF, B6-BF; VEX.W selects double) and
 * F16C (VCVTPH2PS, VCVTPS2PH).  The arithmetic is fp_host.h's, on the
 * host's units or in portable C where the host lacks them (one rounding,
 * Intel's NaN rules for each operand order); the MXCSR exception rules are
 * fp_commit_flags's, as for SSE.
 */
#include "fp_host.h"
#include "fpu.h"

void exec_fma(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    unsigned b = in->opcode & 0xff, kind = (b & 15) - 6, order = (b >> 4) - 9;
    bool dbl = in->vex_w, scalar = kind >= 2 && (kind & 1);
    unsigned esize = dbl ? 8 : 4, n = scalar ? 16 : vec_len(in);
    uint8_t d[32], s2[32], s3[32];
    vec_src(cpu, in, s3, scalar ? esize : n, false);
    vec_get(cpu, in->vvvv, s2, n);
    vec_get(cpu, in->reg, d, n);
    unsigned op = order * 20 + kind * 2 + dbl;
    uint32_t mx = mxcsr_get(cpu), hmx = simd_host_mxcsr(mx);
    uint32_t fl = fp_host_fma(op, d, s2, s3, hmx);
    if (n == 32)
        fl |= fp_host_fma(op, d + 16, s2 + 16, s3 + 16, hmx);
    simd_commit_flags(cpu, mx, fl, d, esize, scalar ? 1 : n / esize);
    vec_put(cpu, in, in->reg, d, n);
}

/* VCVTPH2PS xmm/ymm, xmm/m64/m128: exact (no rounding); denormal halves
 * are converted, not flushed. */
void exec_vcvtph2ps(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    unsigned n = vec_len(in);
    uint8_t s[32], hi[16] = { 0 }, d[32];
    vec_src(cpu, in, s, n / 2, false);
    memcpy(hi, s + 8, 8);
    uint32_t mx = mxcsr_get(cpu);
    uint32_t fl = fp_host_cvtph2ps(d, s, simd_host_mxcsr(mx));
    if (n == 32)
        fl |= fp_host_cvtph2ps(d + 16, hi, simd_host_mxcsr(mx));
    simd_commit_flags(cpu, mx, fl, d, 0, 0);
    vec_put(cpu, in, in->reg, d, n);
}

/* VCVTPS2PH xmm/m64/m128, xmm/ymm, imm8. */
void exec_vcvtps2ph(struct emu_cpu *cpu, const struct insn *in)
{
    avx_check(cpu);
    unsigned n = vec_len(in);
    uint8_t s[32], d[32] = { 0 }, hi[16];
    vec_get(cpu, in->reg, s, n);
    uint32_t mx = mxcsr_get(cpu);
    uint32_t fl = fp_host_cvtps2ph(d, s, (unsigned)in->imm, simd_host_mxcsr(mx));
    if (n == 32) {
        fl |= fp_host_cvtps2ph(hi, s + 16, (unsigned)in->imm, simd_host_mxcsr(mx));
        memcpy(d + 8, hi, 8);
    }
    simd_commit_flags(cpu, mx, fl, d, 0, 0);
    if (in->has_mem)
        sse_write_mem(cpu, in, d, n / 2, false);
    else
        vec_put(cpu, in, in->rm, d, 16);
}
