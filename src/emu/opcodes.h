/*
 * The one opcode table of the instruction engine, as an X-macro.
 *
 * Each row is X(opcode, ext, modrm, imm, size, flags, handler):
 *   opcode  one-byte 0xXX, two-byte 0x0fXX or three-byte 0x0f38XX (emu.h OPC_*)
 *   ext     ModRM.reg selecting a group member (0..7), or EXT_ANY
 *   modrm   MR_NONE, MR_YES, or MR_REG (ModRM whose r/m is always a register,
 *           whatever mod says: MOV CR/DR)
 *   imm     I_* immediate kind (decode.c reads it)
 *   size    operand-size rule S_*
 *   flags   F_LOCK (LOCK allowed with a memory destination), F_SYS (the
 *           machine executes it: handler is emu_sys, or emu_sys_inline for
 *           those a block may run), F_NO64 (#UD in 64-bit
 *           mode), F_ONLY64 (row only exists in 64-bit mode), F_F3 (only with
 *           a mandatory F3 prefix, which is then not a REP), F_MEMONLY (the
 *           register form is #UD; for 62 outside 64-bit mode it is an
 *           EVEX prefix, which is #UD too since AVX-512 is not emulated;
 *           C4/C5 with a register ModRM are VEX prefixes, decode.c),
 *           F_66 / F_F2 (only with that mandatory prefix, as F_F3), F_NP
 *           (an SSE/MMX row without mandatory prefix: any 66/F2/F3 that no
 *           row of the opcode claims makes it #UD), F_REGONLY (the memory
 *           form is #UD).  VEX rows (opcode | OPC_VEX; their F_66/F_F3/F_F2
 *           or none is VEX.pp, which selects exactly): F_L0 / F_L1 (VEX.L
 *           must be 0 / 1, else #UD; rows with neither take both, or
 *           ignore L), F_NOV (VEX.vvvv is unused and must be 1111, else
 *           #UD), F_W0 / F_W1 (VEX.W must be 0 / 1, else #UD)
 *   handler resolved into insn.exec at decode time
 * Opcodes without a row raise #UD.  decode.c builds its lookup from these
 * rows, and engine_internal.h declares every handler from them.
 */
#ifndef OPENHV_EMU_OPCODES_H
#define OPENHV_EMU_OPCODES_H

enum { EXT_ANY = -1 };
enum { MR_NONE, MR_YES, MR_REG };
enum imm_kind {
    I_NONE,
    I_B,      /* imm8, sign-extended */
    I_UB,     /* imm8, zero-extended */
    I_W,      /* imm16, zero-extended */
    I_Z,      /* imm16/imm32 by operand size, sign-extended */
    I_V,      /* imm16/32/64 by operand size (MOV r, imm) */
    I_MOFFS,  /* offset of address size: a memory operand without ModRM */
    I_J8,     /* rel8 */
    I_JZ,     /* rel16/rel32 */
    I_ENTER,  /* imm16, then imm8 in imm2 */
    I_FAR,    /* offset16/32, then selector16 in imm2 */
};
enum size_rule {
    S_B,      /* byte */
    S_V,      /* 16/32, 64 with REX.W */
    S_D64,    /* 64 by default in 64-bit mode, 16 with 66 */
    S_F64,    /* always 64 in 64-bit mode (Intel near branches) */
    S_W,      /* always 16 */
};
enum {
    F_LOCK = 1u << 0,
    F_SYS = 1u << 1,
    F_NO64 = 1u << 2,
    F_ONLY64 = 1u << 3,
    F_F3 = 1u << 4,
    F_MEMONLY = 1u << 5,
    F_66 = 1u << 6,
    F_F2 = 1u << 7,
    F_NP = 1u << 8,
    F_REGONLY = 1u << 9,
    F_L0 = 1u << 10,
    F_L1 = 1u << 11,
    F_NOV = 1u << 12,
    F_W0 = 1u << 13,
    F_W1 = 1u << 14,
};
/* Rows selected by a mandatory prefix (and MMX/SSE rows without one). */
#define F_MANDATORY (F_66 | F_F2 | F_F3 | F_NP)

#define ALU_ROWS(X, base, name, lock)                                         \
    X(base + 0, EXT_ANY, MR_YES, I_NONE, S_B, lock, exec_##name##_rm_r)      \
    X(base + 1, EXT_ANY, MR_YES, I_NONE, S_V, lock, exec_##name##_rm_r)      \
    X(base + 2, EXT_ANY, MR_YES, I_NONE, S_B, 0, exec_##name##_r_rm)         \
    X(base + 3, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_##name##_r_rm)         \
    X(base + 4, EXT_ANY, MR_NONE, I_B, S_B, 0, exec_##name##_a_i)            \
    X(base + 5, EXT_ANY, MR_NONE, I_Z, S_V, 0, exec_##name##_a_i)

#define GRP1_ROWS(X, op, imm, size, flags)                                    \
    X(op, 0, MR_YES, imm, size, F_LOCK | flags, exec_add_rm_i)               \
    X(op, 1, MR_YES, imm, size, F_LOCK | flags, exec_or_rm_i)                \
    X(op, 2, MR_YES, imm, size, F_LOCK | flags, exec_adc_rm_i)               \
    X(op, 3, MR_YES, imm, size, F_LOCK | flags, exec_sbb_rm_i)               \
    X(op, 4, MR_YES, imm, size, F_LOCK | flags, exec_and_rm_i)               \
    X(op, 5, MR_YES, imm, size, F_LOCK | flags, exec_sub_rm_i)               \
    X(op, 6, MR_YES, imm, size, F_LOCK | flags, exec_xor_rm_i)               \
    X(op, 7, MR_YES, imm, size, flags, exec_cmp_rm_i)

/* Shift group: the count comes from the immediate, 1 or CL (handler suffix). */
#define GRP2_ROWS(X, op, imm, size, cnt)                                      \
    X(op, 0, MR_YES, imm, size, 0, exec_rol_##cnt)                           \
    X(op, 1, MR_YES, imm, size, 0, exec_ror_##cnt)                           \
    X(op, 2, MR_YES, imm, size, 0, exec_rcl_##cnt)                           \
    X(op, 3, MR_YES, imm, size, 0, exec_rcr_##cnt)                           \
    X(op, 4, MR_YES, imm, size, 0, exec_shl_##cnt)                           \
    X(op, 5, MR_YES, imm, size, 0, exec_shr_##cnt)                           \
    X(op, 6, MR_YES, imm, size, 0, exec_shl_##cnt)                           \
    X(op, 7, MR_YES, imm, size, 0, exec_sar_##cnt)

#define GRP3_ROWS(X, op, imm, size)                                           \
    X(op, 0, MR_YES, imm, size, 0, exec_test_rm_i)                           \
    X(op, 1, MR_YES, imm, size, 0, exec_test_rm_i)                           \
    X(op, 2, MR_YES, I_NONE, size, F_LOCK, exec_not)                         \
    X(op, 3, MR_YES, I_NONE, size, F_LOCK, exec_neg)                         \
    X(op, 4, MR_YES, I_NONE, size, 0, exec_mul)                              \
    X(op, 5, MR_YES, I_NONE, size, 0, exec_imul1)                            \
    X(op, 6, MR_YES, I_NONE, size, 0, exec_div)                              \
    X(op, 7, MR_YES, I_NONE, size, 0, exec_idiv)

#define EIGHT(X, op, modrm, imm, size, flags, handler)                        \
    X(op + 0, EXT_ANY, modrm, imm, size, flags, handler)                     \
    X(op + 1, EXT_ANY, modrm, imm, size, flags, handler)                     \
    X(op + 2, EXT_ANY, modrm, imm, size, flags, handler)                     \
    X(op + 3, EXT_ANY, modrm, imm, size, flags, handler)                     \
    X(op + 4, EXT_ANY, modrm, imm, size, flags, handler)                     \
    X(op + 5, EXT_ANY, modrm, imm, size, flags, handler)                     \
    X(op + 6, EXT_ANY, modrm, imm, size, flags, handler)                     \
    X(op + 7, EXT_ANY, modrm, imm, size, flags, handler)

/* Condition-code rows: handler##0 .. handler##15, condition = opcode & 15. */
#define CC_ROWS(X, op, modrm, imm, size, handler)                             \
    X(op + 0, EXT_ANY, modrm, imm, size, 0, handler##_0)                     \
    X(op + 1, EXT_ANY, modrm, imm, size, 0, handler##_1)                     \
    X(op + 2, EXT_ANY, modrm, imm, size, 0, handler##_2)                     \
    X(op + 3, EXT_ANY, modrm, imm, size, 0, handler##_3)                     \
    X(op + 4, EXT_ANY, modrm, imm, size, 0, handler##_4)                     \
    X(op + 5, EXT_ANY, modrm, imm, size, 0, handler##_5)                     \
    X(op + 6, EXT_ANY, modrm, imm, size, 0, handler##_6)                     \
    X(op + 7, EXT_ANY, modrm, imm, size, 0, handler##_7)                     \
    X(op + 8, EXT_ANY, modrm, imm, size, 0, handler##_8)                     \
    X(op + 9, EXT_ANY, modrm, imm, size, 0, handler##_9)                     \
    X(op + 10, EXT_ANY, modrm, imm, size, 0, handler##_10)                   \
    X(op + 11, EXT_ANY, modrm, imm, size, 0, handler##_11)                   \
    X(op + 12, EXT_ANY, modrm, imm, size, 0, handler##_12)                   \
    X(op + 13, EXT_ANY, modrm, imm, size, 0, handler##_13)                   \
    X(op + 14, EXT_ANY, modrm, imm, size, 0, handler##_14)                   \
    X(op + 15, EXT_ANY, modrm, imm, size, 0, handler##_15)

#define SYS(X, op, modrm, imm, size, flags) X(op, EXT_ANY, modrm, imm, size, F_SYS | (flags), emu_sys)
#define SYS_INLINE(X, op, modrm, imm, size, flags) \
    X(op, EXT_ANY, modrm, imm, size, F_SYS | (flags), emu_sys_inline)

/* SSE/MMX rows by mandatory prefix (operand size from REX.W where it matters). */
#define NP_ROW(X, op, imm, flags, h) X(op, EXT_ANY, MR_YES, imm, S_V, F_NP | (flags), h)
#define P66_ROW(X, op, imm, flags, h) X(op, EXT_ANY, MR_YES, imm, S_V, F_66 | (flags), h)
#define F3_ROW(X, op, imm, flags, h) X(op, EXT_ANY, MR_YES, imm, S_V, F_F3 | (flags), h)
#define F2_ROW(X, op, imm, flags, h) X(op, EXT_ANY, MR_YES, imm, S_V, F_F2 | (flags), h)

/* ps (none), pd (66), ss (F3), sd (F2) forms of a floating-point operation. */
#define SSE_FP4(X, op, name)                                                  \
    NP_ROW(X, op, I_NONE, 0, exec_##name##ps)                                \
    P66_ROW(X, op, I_NONE, 0, exec_##name##pd)                               \
    F3_ROW(X, op, I_NONE, 0, exec_##name##ss)                                \
    F2_ROW(X, op, I_NONE, 0, exec_##name##sd)

/* Integer SIMD operations with an MMX form (no prefix: exec_<name>_mm) and
 * an SSE2 form (66: exec_<name>_xmm).  Y(X, opcode, name). */
#define SSE_INT_OPS(Y, X)                                                     \
    Y(X, 0x0f60, punpcklbw) Y(X, 0x0f61, punpcklwd) Y(X, 0x0f62, punpckldq)   \
    Y(X, 0x0f63, packsswb) Y(X, 0x0f64, pcmpgtb) Y(X, 0x0f65, pcmpgtw)        \
    Y(X, 0x0f66, pcmpgtd) Y(X, 0x0f67, packuswb) Y(X, 0x0f68, punpckhbw)      \
    Y(X, 0x0f69, punpckhwd) Y(X, 0x0f6a, punpckhdq) Y(X, 0x0f6b, packssdw)    \
    Y(X, 0x0f74, pcmpeqb) Y(X, 0x0f75, pcmpeqw) Y(X, 0x0f76, pcmpeqd)         \
    Y(X, 0x0fd4, paddq) Y(X, 0x0fd5, pmullw) Y(X, 0x0fd8, psubusb)            \
    Y(X, 0x0fd9, psubusw) Y(X, 0x0fda, pminub) Y(X, 0x0fdb, pand)             \
    Y(X, 0x0fdc, paddusb) Y(X, 0x0fdd, paddusw) Y(X, 0x0fde, pmaxub)          \
    Y(X, 0x0fdf, pandn) Y(X, 0x0fe0, pavgb) Y(X, 0x0fe3, pavgw)               \
    Y(X, 0x0fe4, pmulhuw) Y(X, 0x0fe5, pmulhw) Y(X, 0x0fe8, psubsb)           \
    Y(X, 0x0fe9, psubsw) Y(X, 0x0fea, pminsw) Y(X, 0x0feb, por)               \
    Y(X, 0x0fec, paddsb) Y(X, 0x0fed, paddsw) Y(X, 0x0fee, pmaxsw)            \
    Y(X, 0x0fef, pxor) Y(X, 0x0ff4, pmuludq) Y(X, 0x0ff5, pmaddwd)            \
    Y(X, 0x0ff6, psadbw) Y(X, 0x0ff8, psubb) Y(X, 0x0ff9, psubw)              \
    Y(X, 0x0ffa, psubd) Y(X, 0x0ffb, psubq) Y(X, 0x0ffc, paddb)               \
    Y(X, 0x0ffd, paddw) Y(X, 0x0ffe, paddd)
/* Shifts by a register count, MMX and XMM forms like SSE_INT_OPS. */
#define SSE_SHIFT_OPS(Y, X)                                                   \
    Y(X, 0x0fd1, psrlw) Y(X, 0x0fd2, psrld) Y(X, 0x0fd3, psrlq)               \
    Y(X, 0x0fe1, psraw) Y(X, 0x0fe2, psrad) Y(X, 0x0ff1, psllw)               \
    Y(X, 0x0ff2, pslld) Y(X, 0x0ff3, psllq)
/* SSSE3 (0F 38 map), MMX and XMM forms like SSE_INT_OPS. */
#define SSSE3_OPS(Y, X)                                                       \
    Y(X, 0x0f3800, pshufb) Y(X, 0x0f3801, phaddw) Y(X, 0x0f3802, phaddd)      \
    Y(X, 0x0f3803, phaddsw) Y(X, 0x0f3804, pmaddubsw) Y(X, 0x0f3805, phsubw)  \
    Y(X, 0x0f3806, phsubd) Y(X, 0x0f3807, phsubsw) Y(X, 0x0f3808, psignb)     \
    Y(X, 0x0f3809, psignw) Y(X, 0x0f380a, psignd) Y(X, 0x0f380b, pmulhrsw)
/* SSSE3 with one source (their VEX forms have no vvvv operand). */
#define SSSE3_ABS_OPS(Y, X)                                                   \
    Y(X, 0x0f381c, pabsb) Y(X, 0x0f381d, pabsw) Y(X, 0x0f381e, pabsd)
#define MMX_SSE2_ROWS(X, op, name)                                            \
    NP_ROW(X, op, I_NONE, 0, exec_##name##_mm)                               \
    P66_ROW(X, op, I_NONE, 0, exec_##name##_xmm)

/* Shift-by-immediate groups 0F 71-73: register forms only. */
#define SHIFT_IMM_ROWS(X, op, ext, name)                                      \
    X(op, ext, MR_YES, I_UB, S_V, F_NP | F_REGONLY, exec_##name##_i_mm)      \
    X(op, ext, MR_YES, I_UB, S_V, F_66 | F_REGONLY, exec_##name##_i_xmm)

#define SSE_TABLE(X)                                                          \
    /* Moves. */                                                             \
    NP_ROW(X, 0x0f10, I_NONE, 0, exec_movups_load)                           \
    P66_ROW(X, 0x0f10, I_NONE, 0, exec_movups_load)                          \
    F3_ROW(X, 0x0f10, I_NONE, 0, exec_movss_load)                            \
    F2_ROW(X, 0x0f10, I_NONE, 0, exec_movsd_load)                            \
    NP_ROW(X, 0x0f11, I_NONE, 0, exec_movups_store)                          \
    P66_ROW(X, 0x0f11, I_NONE, 0, exec_movups_store)                         \
    F3_ROW(X, 0x0f11, I_NONE, 0, exec_movss_store)                           \
    F2_ROW(X, 0x0f11, I_NONE, 0, exec_movsd_store)                           \
    NP_ROW(X, 0x0f12, I_NONE, 0, exec_movlps_load)                           \
    P66_ROW(X, 0x0f12, I_NONE, F_MEMONLY, exec_movlps_load)                  \
    NP_ROW(X, 0x0f13, I_NONE, F_MEMONLY, exec_movlps_store)                  \
    P66_ROW(X, 0x0f13, I_NONE, F_MEMONLY, exec_movlps_store)                 \
    NP_ROW(X, 0x0f14, I_NONE, 0, exec_unpcklps)                              \
    P66_ROW(X, 0x0f14, I_NONE, 0, exec_unpcklpd)                             \
    NP_ROW(X, 0x0f15, I_NONE, 0, exec_unpckhps)                              \
    P66_ROW(X, 0x0f15, I_NONE, 0, exec_unpckhpd)                             \
    NP_ROW(X, 0x0f16, I_NONE, 0, exec_movhps_load)                           \
    P66_ROW(X, 0x0f16, I_NONE, F_MEMONLY, exec_movhps_load)                  \
    NP_ROW(X, 0x0f17, I_NONE, F_MEMONLY, exec_movhps_store)                  \
    P66_ROW(X, 0x0f17, I_NONE, F_MEMONLY, exec_movhps_store)                 \
    NP_ROW(X, 0x0f28, I_NONE, 0, exec_movaps_load)                           \
    P66_ROW(X, 0x0f28, I_NONE, 0, exec_movaps_load)                          \
    NP_ROW(X, 0x0f29, I_NONE, 0, exec_movaps_store)                          \
    P66_ROW(X, 0x0f29, I_NONE, 0, exec_movaps_store)                         \
    NP_ROW(X, 0x0f2b, I_NONE, F_MEMONLY, exec_movaps_store)                  \
    P66_ROW(X, 0x0f2b, I_NONE, F_MEMONLY, exec_movaps_store)                 \
    NP_ROW(X, 0x0f6e, I_NONE, 0, exec_movd_mm_load)                          \
    P66_ROW(X, 0x0f6e, I_NONE, 0, exec_movd_xmm_load)                        \
    NP_ROW(X, 0x0f6f, I_NONE, 0, exec_movq_mm_load)                          \
    P66_ROW(X, 0x0f6f, I_NONE, 0, exec_movaps_load)                          \
    F3_ROW(X, 0x0f6f, I_NONE, 0, exec_movups_load)                           \
    NP_ROW(X, 0x0f7e, I_NONE, 0, exec_movd_mm_store)                         \
    P66_ROW(X, 0x0f7e, I_NONE, 0, exec_movd_xmm_store)                       \
    F3_ROW(X, 0x0f7e, I_NONE, 0, exec_movq_xmm_load)                         \
    NP_ROW(X, 0x0f7f, I_NONE, 0, exec_movq_mm_store)                         \
    P66_ROW(X, 0x0f7f, I_NONE, 0, exec_movaps_store)                         \
    F3_ROW(X, 0x0f7f, I_NONE, 0, exec_movups_store)                          \
    NP_ROW(X, 0x0fc3, I_NONE, F_MEMONLY, exec_movnti)                        \
    P66_ROW(X, 0x0fd6, I_NONE, 0, exec_movq_xmm_store)                       \
    F3_ROW(X, 0x0fd6, I_NONE, F_REGONLY, exec_movq2dq)                       \
    F2_ROW(X, 0x0fd6, I_NONE, F_REGONLY, exec_movdq2q)                       \
    NP_ROW(X, 0x0fe7, I_NONE, F_MEMONLY, exec_movntq)                        \
    P66_ROW(X, 0x0fe7, I_NONE, F_MEMONLY, exec_movaps_store)                 \
    NP_ROW(X, 0x0ff7, I_NONE, F_REGONLY, exec_maskmovq)                      \
    P66_ROW(X, 0x0ff7, I_NONE, F_REGONLY, exec_maskmovdqu)                   \
    /* Floating point. */                                                    \
    NP_ROW(X, 0x0f2a, I_NONE, 0, exec_cvtpi2ps)                              \
    P66_ROW(X, 0x0f2a, I_NONE, 0, exec_cvtpi2pd)                             \
    F3_ROW(X, 0x0f2a, I_NONE, 0, exec_cvtsi2ss)                              \
    F2_ROW(X, 0x0f2a, I_NONE, 0, exec_cvtsi2sd)                              \
    NP_ROW(X, 0x0f2c, I_NONE, 0, exec_cvttps2pi)                             \
    P66_ROW(X, 0x0f2c, I_NONE, 0, exec_cvttpd2pi)                            \
    F3_ROW(X, 0x0f2c, I_NONE, 0, exec_cvttss2si)                             \
    F2_ROW(X, 0x0f2c, I_NONE, 0, exec_cvttsd2si)                             \
    NP_ROW(X, 0x0f2d, I_NONE, 0, exec_cvtps2pi)                              \
    P66_ROW(X, 0x0f2d, I_NONE, 0, exec_cvtpd2pi)                             \
    F3_ROW(X, 0x0f2d, I_NONE, 0, exec_cvtss2si)                              \
    F2_ROW(X, 0x0f2d, I_NONE, 0, exec_cvtsd2si)                              \
    NP_ROW(X, 0x0f2e, I_NONE, 0, exec_ucomiss)                               \
    P66_ROW(X, 0x0f2e, I_NONE, 0, exec_ucomisd)                              \
    NP_ROW(X, 0x0f2f, I_NONE, 0, exec_comiss)                                \
    P66_ROW(X, 0x0f2f, I_NONE, 0, exec_comisd)                               \
    NP_ROW(X, 0x0f50, I_NONE, F_REGONLY, exec_movmskps)                      \
    P66_ROW(X, 0x0f50, I_NONE, F_REGONLY, exec_movmskpd)                     \
    SSE_FP4(X, 0x0f51, sqrt)                                                 \
    NP_ROW(X, 0x0f52, I_NONE, 0, exec_rsqrtps)                               \
    F3_ROW(X, 0x0f52, I_NONE, 0, exec_rsqrtss)                               \
    NP_ROW(X, 0x0f53, I_NONE, 0, exec_rcpps)                                 \
    F3_ROW(X, 0x0f53, I_NONE, 0, exec_rcpss)                                 \
    NP_ROW(X, 0x0f54, I_NONE, 0, exec_pand_xmm)                              \
    P66_ROW(X, 0x0f54, I_NONE, 0, exec_pand_xmm)                             \
    NP_ROW(X, 0x0f55, I_NONE, 0, exec_pandn_xmm)                             \
    P66_ROW(X, 0x0f55, I_NONE, 0, exec_pandn_xmm)                            \
    NP_ROW(X, 0x0f56, I_NONE, 0, exec_por_xmm)                               \
    P66_ROW(X, 0x0f56, I_NONE, 0, exec_por_xmm)                              \
    NP_ROW(X, 0x0f57, I_NONE, 0, exec_pxor_xmm)                              \
    P66_ROW(X, 0x0f57, I_NONE, 0, exec_pxor_xmm)                             \
    SSE_FP4(X, 0x0f58, add)                                                  \
    SSE_FP4(X, 0x0f59, mul)                                                  \
    NP_ROW(X, 0x0f5a, I_NONE, 0, exec_cvtps2pd)                              \
    P66_ROW(X, 0x0f5a, I_NONE, 0, exec_cvtpd2ps)                             \
    F3_ROW(X, 0x0f5a, I_NONE, 0, exec_cvtss2sd)                              \
    F2_ROW(X, 0x0f5a, I_NONE, 0, exec_cvtsd2ss)                              \
    NP_ROW(X, 0x0f5b, I_NONE, 0, exec_cvtdq2ps)                              \
    P66_ROW(X, 0x0f5b, I_NONE, 0, exec_cvtps2dq)                             \
    F3_ROW(X, 0x0f5b, I_NONE, 0, exec_cvttps2dq)                             \
    SSE_FP4(X, 0x0f5c, sub)                                                  \
    SSE_FP4(X, 0x0f5d, min)                                                  \
    SSE_FP4(X, 0x0f5e, div)                                                  \
    SSE_FP4(X, 0x0f5f, max)                                                  \
    NP_ROW(X, 0x0fc2, I_UB, 0, exec_cmpps)                                   \
    P66_ROW(X, 0x0fc2, I_UB, 0, exec_cmppd)                                  \
    F3_ROW(X, 0x0fc2, I_UB, 0, exec_cmpss)                                   \
    F2_ROW(X, 0x0fc2, I_UB, 0, exec_cmpsd)                                   \
    P66_ROW(X, 0x0fe6, I_NONE, 0, exec_cvttpd2dq)                            \
    F3_ROW(X, 0x0fe6, I_NONE, 0, exec_cvtdq2pd)                              \
    F2_ROW(X, 0x0fe6, I_NONE, 0, exec_cvtpd2dq)                              \
    /* Integer SIMD. */                                                      \
    SSE_INT_OPS(MMX_SSE2_ROWS, X)                                            \
    SSE_SHIFT_OPS(MMX_SSE2_ROWS, X)                                          \
    P66_ROW(X, 0x0f6c, I_NONE, 0, exec_punpcklqdq_xmm)                       \
    P66_ROW(X, 0x0f6d, I_NONE, 0, exec_punpckhqdq_xmm)                       \
    NP_ROW(X, 0x0f70, I_UB, 0, exec_pshufw)                                  \
    P66_ROW(X, 0x0f70, I_UB, 0, exec_pshufd)                                 \
    F3_ROW(X, 0x0f70, I_UB, 0, exec_pshufhw)                                 \
    F2_ROW(X, 0x0f70, I_UB, 0, exec_pshuflw)                                 \
    SHIFT_IMM_ROWS(X, 0x0f71, 2, psrlw)                                      \
    SHIFT_IMM_ROWS(X, 0x0f71, 4, psraw)                                      \
    SHIFT_IMM_ROWS(X, 0x0f71, 6, psllw)                                      \
    SHIFT_IMM_ROWS(X, 0x0f72, 2, psrld)                                      \
    SHIFT_IMM_ROWS(X, 0x0f72, 4, psrad)                                      \
    SHIFT_IMM_ROWS(X, 0x0f72, 6, pslld)                                      \
    SHIFT_IMM_ROWS(X, 0x0f73, 2, psrlq)                                      \
    SHIFT_IMM_ROWS(X, 0x0f73, 6, psllq)                                      \
    X(0x0f73, 3, MR_YES, I_UB, S_V, F_66 | F_REGONLY, exec_psrldq)           \
    X(0x0f73, 7, MR_YES, I_UB, S_V, F_66 | F_REGONLY, exec_pslldq)           \
    X(0x0f77, EXT_ANY, MR_NONE, I_NONE, S_V, F_NP, exec_emms)                \
    NP_ROW(X, 0x0fc4, I_UB, 0, exec_pinsrw_mm)                               \
    P66_ROW(X, 0x0fc4, I_UB, 0, exec_pinsrw_xmm)                             \
    NP_ROW(X, 0x0fc5, I_UB, F_REGONLY, exec_pextrw_mm)                       \
    P66_ROW(X, 0x0fc5, I_UB, F_REGONLY, exec_pextrw_xmm)                     \
    NP_ROW(X, 0x0fc6, I_UB, 0, exec_shufps)                                  \
    P66_ROW(X, 0x0fc6, I_UB, 0, exec_shufpd)                                 \
    NP_ROW(X, 0x0fd7, I_NONE, F_REGONLY, exec_pmovmskb_mm)                   \
    P66_ROW(X, 0x0fd7, I_NONE, F_REGONLY, exec_pmovmskb_xmm)                 \
    /* SSE3. */                                                              \
    F2_ROW(X, 0x0ff0, I_NONE, F_MEMONLY, exec_movups_load)                   \
    F2_ROW(X, 0x0f12, I_NONE, 0, exec_movddup)                               \
    F3_ROW(X, 0x0f12, I_NONE, 0, exec_movsldup)                              \
    F3_ROW(X, 0x0f16, I_NONE, 0, exec_movshdup)                              \
    P66_ROW(X, 0x0fd0, I_NONE, 0, exec_addsubpd)                             \
    F2_ROW(X, 0x0fd0, I_NONE, 0, exec_addsubps)                              \
    P66_ROW(X, 0x0f7c, I_NONE, 0, exec_haddpd)                               \
    F2_ROW(X, 0x0f7c, I_NONE, 0, exec_haddps)                                \
    P66_ROW(X, 0x0f7d, I_NONE, 0, exec_hsubpd)                               \
    F2_ROW(X, 0x0f7d, I_NONE, 0, exec_hsubps)                                \
    /* SSSE3. */                                                             \
    SSSE3_OPS(MMX_SSE2_ROWS, X)                                              \
    SSSE3_ABS_OPS(MMX_SSE2_ROWS, X)                                          \
    NP_ROW(X, 0x0f3a0f, I_UB, 0, exec_palignr_mm)                            \
    P66_ROW(X, 0x0f3a0f, I_UB, 0, exec_palignr_xmm)                          \
    /* SSE4.1 (and PCMPGTQ). */                                              \
    P66_ROW(X, 0x0f3810, I_NONE, 0, exec_pblendvb)                         \
    P66_ROW(X, 0x0f3814, I_NONE, 0, exec_blendvps)                         \
    P66_ROW(X, 0x0f3815, I_NONE, 0, exec_blendvpd)                         \
    P66_ROW(X, 0x0f3817, I_NONE, 0, exec_ptest)                            \
    P66_ROW(X, 0x0f3820, I_NONE, 0, exec_pmovsxbw)                         \
    P66_ROW(X, 0x0f3821, I_NONE, 0, exec_pmovsxbd)                         \
    P66_ROW(X, 0x0f3822, I_NONE, 0, exec_pmovsxbq)                         \
    P66_ROW(X, 0x0f3823, I_NONE, 0, exec_pmovsxwd)                         \
    P66_ROW(X, 0x0f3824, I_NONE, 0, exec_pmovsxwq)                         \
    P66_ROW(X, 0x0f3825, I_NONE, 0, exec_pmovsxdq)                         \
    P66_ROW(X, 0x0f3828, I_NONE, 0, exec_pmuldq)                           \
    P66_ROW(X, 0x0f3829, I_NONE, 0, exec_pcmpeqq)                          \
    P66_ROW(X, 0x0f382a, I_NONE, F_MEMONLY, exec_movntdqa)                 \
    P66_ROW(X, 0x0f382b, I_NONE, 0, exec_packusdw)                         \
    P66_ROW(X, 0x0f3830, I_NONE, 0, exec_pmovzxbw)                         \
    P66_ROW(X, 0x0f3831, I_NONE, 0, exec_pmovzxbd)                         \
    P66_ROW(X, 0x0f3832, I_NONE, 0, exec_pmovzxbq)                         \
    P66_ROW(X, 0x0f3833, I_NONE, 0, exec_pmovzxwd)                         \
    P66_ROW(X, 0x0f3834, I_NONE, 0, exec_pmovzxwq)                         \
    P66_ROW(X, 0x0f3835, I_NONE, 0, exec_pmovzxdq)                         \
    P66_ROW(X, 0x0f3837, I_NONE, 0, exec_pcmpgtq)                          \
    P66_ROW(X, 0x0f3838, I_NONE, 0, exec_pminsb)                           \
    P66_ROW(X, 0x0f3839, I_NONE, 0, exec_pminsd)                           \
    P66_ROW(X, 0x0f383a, I_NONE, 0, exec_pminuw)                           \
    P66_ROW(X, 0x0f383b, I_NONE, 0, exec_pminud)                           \
    P66_ROW(X, 0x0f383c, I_NONE, 0, exec_pmaxsb)                           \
    P66_ROW(X, 0x0f383d, I_NONE, 0, exec_pmaxsd)                           \
    P66_ROW(X, 0x0f383e, I_NONE, 0, exec_pmaxuw)                           \
    P66_ROW(X, 0x0f383f, I_NONE, 0, exec_pmaxud)                           \
    P66_ROW(X, 0x0f3840, I_NONE, 0, exec_pmulld)                           \
    P66_ROW(X, 0x0f3841, I_NONE, 0, exec_phminposuw)                       \
    P66_ROW(X, 0x0f3a08, I_UB, 0, exec_roundps)                            \
    P66_ROW(X, 0x0f3a09, I_UB, 0, exec_roundpd)                            \
    P66_ROW(X, 0x0f3a0a, I_UB, 0, exec_roundss)                            \
    P66_ROW(X, 0x0f3a0b, I_UB, 0, exec_roundsd)                            \
    P66_ROW(X, 0x0f3a0c, I_UB, 0, exec_blendps)                            \
    P66_ROW(X, 0x0f3a0d, I_UB, 0, exec_blendpd)                            \
    P66_ROW(X, 0x0f3a0e, I_UB, 0, exec_pblendw)                            \
    P66_ROW(X, 0x0f3a14, I_UB, 0, exec_pextrb)                             \
    P66_ROW(X, 0x0f3a15, I_UB, 0, exec_pextrw_m)                           \
    P66_ROW(X, 0x0f3a16, I_UB, 0, exec_pextrd)                             \
    P66_ROW(X, 0x0f3a17, I_UB, 0, exec_extractps)                          \
    P66_ROW(X, 0x0f3a20, I_UB, 0, exec_pinsrb)                             \
    P66_ROW(X, 0x0f3a21, I_UB, 0, exec_insertps)                           \
    P66_ROW(X, 0x0f3a22, I_UB, 0, exec_pinsrd)                             \
    P66_ROW(X, 0x0f3a40, I_UB, 0, exec_dpps)                               \
    P66_ROW(X, 0x0f3a41, I_UB, 0, exec_dppd)                               \
    P66_ROW(X, 0x0f3a42, I_UB, 0, exec_mpsadbw)                            \
    /* SSE4.2. */                                                            \
    P66_ROW(X, 0x0f3a60, I_UB, 0, exec_pcmpestrm)                            \
    P66_ROW(X, 0x0f3a61, I_UB, 0, exec_pcmpestri)                            \
    P66_ROW(X, 0x0f3a62, I_UB, 0, exec_pcmpistrm)                            \
    P66_ROW(X, 0x0f3a63, I_UB, 0, exec_pcmpistri)                            \
    F2_ROW(X, 0x0f38f0, I_NONE, 0, exec_crc32)                               \
    F2_ROW(X, 0x0f38f1, I_NONE, 0, exec_crc32)                               \
    /* AES-NI, PCLMULQDQ. */                                                 \
    P66_ROW(X, 0x0f38db, I_NONE, 0, exec_aesimc)                             \
    P66_ROW(X, 0x0f38dc, I_NONE, 0, exec_aesenc)                             \
    P66_ROW(X, 0x0f38dd, I_NONE, 0, exec_aesenclast)                         \
    P66_ROW(X, 0x0f38de, I_NONE, 0, exec_aesdec)                             \
    P66_ROW(X, 0x0f38df, I_NONE, 0, exec_aesdeclast)                         \
    P66_ROW(X, 0x0f3adf, I_UB, 0, exec_aeskeygenassist)                      \
    P66_ROW(X, 0x0f3a44, I_UB, 0, exec_pclmulqdq)                            \
    /* State management (0F AE /7 stays with the machine: CLFLUSH, SFENCE). */ \
    X(0x0fae, 0, MR_YES, I_NONE, S_V, F_MEMONLY, exec_fxsave)                \
    X(0x0fae, 1, MR_YES, I_NONE, S_V, F_MEMONLY, exec_fxrstor)               \
    X(0x0fae, 2, MR_YES, I_NONE, S_V, F_MEMONLY, exec_ldmxcsr)               \
    X(0x0fae, 3, MR_YES, I_NONE, S_V, F_MEMONLY, exec_stmxcsr)               \
    X(0x0fae, 4, MR_YES, I_NONE, S_V, F_MEMONLY, exec_xsave)                 \
    X(0x0fae, 5, MR_YES, I_NONE, S_V, 0, exec_xrstor)                        \
    X(0x0fae, 6, MR_YES, I_NONE, S_V, 0, exec_xsaveopt)                      \
    X(0x0fae, 7, MR_YES, I_NONE, S_V, F_SYS, emu_sys)                        \
    /* FSGSBASE: register forms in 64-bit mode; the memory forms and other  \
     * modes are the rows above with a REP prefix (decode.c). */            \
    X(0x0fae, 0, MR_YES, I_NONE, S_V, F_F3 | F_ONLY64 | F_REGONLY, exec_rdfsbase) \
    X(0x0fae, 1, MR_YES, I_NONE, S_V, F_F3 | F_ONLY64 | F_REGONLY, exec_rdgsbase) \
    X(0x0fae, 2, MR_YES, I_NONE, S_V, F_F3 | F_ONLY64 | F_REGONLY, exec_wrfsbase) \
    X(0x0fae, 3, MR_YES, I_NONE, S_V, F_F3 | F_ONLY64 | F_REGONLY, exec_wrgsbase)

/* VEX rows: `op` is the map and opcode byte as for legacy rows. */
#define VEX_ROW(X, op, ext, imm, flags, h) X(OPC_VEX | (op), ext, MR_YES, imm, S_V, flags, h)

/* BMI1/BMI2: general registers only, VEX.L = 0. */
#define BMI_TABLE(X)                                                          \
    VEX_ROW(X, 0x0f38f2, EXT_ANY, I_NONE, F_L0, exec_andn)                    \
    VEX_ROW(X, 0x0f38f3, 1, I_NONE, F_L0, exec_blsr)                          \
    VEX_ROW(X, 0x0f38f3, 2, I_NONE, F_L0, exec_blsmsk)                        \
    VEX_ROW(X, 0x0f38f3, 3, I_NONE, F_L0, exec_blsi)                          \
    VEX_ROW(X, 0x0f38f5, EXT_ANY, I_NONE, F_L0, exec_bzhi)                    \
    VEX_ROW(X, 0x0f38f5, EXT_ANY, I_NONE, F_F3 | F_L0, exec_pext)             \
    VEX_ROW(X, 0x0f38f5, EXT_ANY, I_NONE, F_F2 | F_L0, exec_pdep)             \
    VEX_ROW(X, 0x0f38f6, EXT_ANY, I_NONE, F_F2 | F_L0, exec_mulx)             \
    VEX_ROW(X, 0x0f38f7, EXT_ANY, I_NONE, F_L0, exec_bextr)                   \
    VEX_ROW(X, 0x0f38f7, EXT_ANY, I_NONE, F_66 | F_L0, exec_shlx)             \
    VEX_ROW(X, 0x0f38f7, EXT_ANY, I_NONE, F_F3 | F_L0, exec_sarx)             \
    VEX_ROW(X, 0x0f38f7, EXT_ANY, I_NONE, F_F2 | F_L0, exec_shrx)             \
    VEX_ROW(X, 0x0f3af0, EXT_ANY, I_UB, F_F2 | F_L0 | F_NOV, exec_rorx)

/* VEX forms of the SSE..SSE4.2 rows, whose handlers take both encodings
 * (fpu.h: vec_src1, vec_put).  V66 etc. name VEX.pp. */
#define VNP(X, op, imm, flags, h) VEX_ROW(X, op, EXT_ANY, imm, flags, h)
#define V66(X, op, imm, flags, h) VEX_ROW(X, op, EXT_ANY, imm, F_66 | (flags), h)
#define VF3(X, op, imm, flags, h) VEX_ROW(X, op, EXT_ANY, imm, F_F3 | (flags), h)
#define VF2(X, op, imm, flags, h) VEX_ROW(X, op, EXT_ANY, imm, F_F2 | (flags), h)
/* Packed forms take VEX.L; scalar forms ignore it. */
#define VEX_FP4(X, op, name)                                                  \
    VNP(X, op, I_NONE, 0, exec_##name##ps)                                   \
    V66(X, op, I_NONE, 0, exec_##name##pd)                                   \
    VF3(X, op, I_NONE, 0, exec_##name##ss)                                   \
    VF2(X, op, I_NONE, 0, exec_##name##sd)
#define VEX_INT_ROW(X, op, name) V66(X, op, I_NONE, 0, exec_##name##_xmm)
#define VEX_UNARY_INT_ROW(X, op, name) V66(X, op, I_NONE, F_NOV, exec_##name##_xmm)
#define VEX_SHIFT_IMM(X, op, ext, name)                                       \
    VEX_ROW(X, op, ext, I_UB, F_66 | F_REGONLY, exec_##name##_i_xmm)

#define AVX_TABLE(X)                                                          \
    VEX_ROW(X, 0x0fae, 2, I_NONE, F_L0 | F_NOV | F_MEMONLY, exec_ldmxcsr)     \
    VEX_ROW(X, 0x0fae, 3, I_NONE, F_L0 | F_NOV | F_MEMONLY, exec_stmxcsr)     \
    /* Moves. */                                                             \
    VNP(X, 0x0f10, I_NONE, F_NOV, exec_movups_load)                          \
    V66(X, 0x0f10, I_NONE, F_NOV, exec_movups_load)                          \
    VF3(X, 0x0f10, I_NONE, 0, exec_movss_load)                               \
    VF2(X, 0x0f10, I_NONE, 0, exec_movsd_load)                               \
    VNP(X, 0x0f11, I_NONE, F_NOV, exec_movups_store)                         \
    V66(X, 0x0f11, I_NONE, F_NOV, exec_movups_store)                         \
    VF3(X, 0x0f11, I_NONE, 0, exec_movss_store)                              \
    VF2(X, 0x0f11, I_NONE, 0, exec_movsd_store)                              \
    VNP(X, 0x0f12, I_NONE, F_L0, exec_movlps_load)                           \
    V66(X, 0x0f12, I_NONE, F_L0 | F_MEMONLY, exec_movlps_load)               \
    VF3(X, 0x0f12, I_NONE, F_NOV, exec_movsldup)                             \
    VF2(X, 0x0f12, I_NONE, F_NOV, exec_movddup)                              \
    VNP(X, 0x0f13, I_NONE, F_L0 | F_NOV | F_MEMONLY, exec_movlps_store)      \
    V66(X, 0x0f13, I_NONE, F_L0 | F_NOV | F_MEMONLY, exec_movlps_store)      \
    VNP(X, 0x0f14, I_NONE, 0, exec_unpcklps)                                 \
    V66(X, 0x0f14, I_NONE, 0, exec_unpcklpd)                                 \
    VNP(X, 0x0f15, I_NONE, 0, exec_unpckhps)                                 \
    V66(X, 0x0f15, I_NONE, 0, exec_unpckhpd)                                 \
    VNP(X, 0x0f16, I_NONE, F_L0, exec_movhps_load)                           \
    V66(X, 0x0f16, I_NONE, F_L0 | F_MEMONLY, exec_movhps_load)               \
    VF3(X, 0x0f16, I_NONE, F_NOV, exec_movshdup)                             \
    VNP(X, 0x0f17, I_NONE, F_L0 | F_NOV | F_MEMONLY, exec_movhps_store)      \
    V66(X, 0x0f17, I_NONE, F_L0 | F_NOV | F_MEMONLY, exec_movhps_store)      \
    VNP(X, 0x0f28, I_NONE, F_NOV, exec_movaps_load)                          \
    V66(X, 0x0f28, I_NONE, F_NOV, exec_movaps_load)                          \
    VNP(X, 0x0f29, I_NONE, F_NOV, exec_movaps_store)                         \
    V66(X, 0x0f29, I_NONE, F_NOV, exec_movaps_store)                         \
    VNP(X, 0x0f2b, I_NONE, F_NOV | F_MEMONLY, exec_movaps_store)             \
    V66(X, 0x0f2b, I_NONE, F_NOV | F_MEMONLY, exec_movaps_store)             \
    V66(X, 0x0f6e, I_NONE, F_L0 | F_NOV, exec_movd_xmm_load)                 \
    V66(X, 0x0f6f, I_NONE, F_NOV, exec_movaps_load)                          \
    VF3(X, 0x0f6f, I_NONE, F_NOV, exec_movups_load)                          \
    V66(X, 0x0f7e, I_NONE, F_L0 | F_NOV, exec_movd_xmm_store)                \
    VF3(X, 0x0f7e, I_NONE, F_L0 | F_NOV, exec_movq_xmm_load)                 \
    V66(X, 0x0f7f, I_NONE, F_NOV, exec_movaps_store)                         \
    VF3(X, 0x0f7f, I_NONE, F_NOV, exec_movups_store)                         \
    V66(X, 0x0fd6, I_NONE, F_L0 | F_NOV, exec_movq_xmm_store)                \
    V66(X, 0x0fe7, I_NONE, F_NOV | F_MEMONLY, exec_movaps_store)             \
    VF2(X, 0x0ff0, I_NONE, F_NOV | F_MEMONLY, exec_movups_load)              \
    V66(X, 0x0ff7, I_NONE, F_L0 | F_NOV | F_REGONLY, exec_maskmovdqu)        \
    V66(X, 0x0f382a, I_NONE, F_NOV | F_MEMONLY, exec_movntdqa)               \
    /* Floating point. */                                                    \
    VF3(X, 0x0f2a, I_NONE, 0, exec_cvtsi2ss)                                 \
    VF2(X, 0x0f2a, I_NONE, 0, exec_cvtsi2sd)                                 \
    VF3(X, 0x0f2c, I_NONE, F_NOV, exec_cvttss2si)                            \
    VF2(X, 0x0f2c, I_NONE, F_NOV, exec_cvttsd2si)                            \
    VF3(X, 0x0f2d, I_NONE, F_NOV, exec_cvtss2si)                             \
    VF2(X, 0x0f2d, I_NONE, F_NOV, exec_cvtsd2si)                             \
    VNP(X, 0x0f2e, I_NONE, F_NOV, exec_ucomiss)                              \
    V66(X, 0x0f2e, I_NONE, F_NOV, exec_ucomisd)                              \
    VNP(X, 0x0f2f, I_NONE, F_NOV, exec_comiss)                               \
    V66(X, 0x0f2f, I_NONE, F_NOV, exec_comisd)                               \
    VNP(X, 0x0f50, I_NONE, F_NOV | F_REGONLY, exec_movmskps)                 \
    V66(X, 0x0f50, I_NONE, F_NOV | F_REGONLY, exec_movmskpd)                 \
    VNP(X, 0x0f51, I_NONE, F_NOV, exec_sqrtps)                               \
    V66(X, 0x0f51, I_NONE, F_NOV, exec_sqrtpd)                               \
    VF3(X, 0x0f51, I_NONE, 0, exec_sqrtss)                                   \
    VF2(X, 0x0f51, I_NONE, 0, exec_sqrtsd)                                   \
    VNP(X, 0x0f52, I_NONE, F_NOV, exec_rsqrtps)                              \
    VF3(X, 0x0f52, I_NONE, 0, exec_rsqrtss)                                  \
    VNP(X, 0x0f53, I_NONE, F_NOV, exec_rcpps)                                \
    VF3(X, 0x0f53, I_NONE, 0, exec_rcpss)                                    \
    VNP(X, 0x0f54, I_NONE, 0, exec_pand_xmm)                                 \
    V66(X, 0x0f54, I_NONE, 0, exec_pand_xmm)                                 \
    VNP(X, 0x0f55, I_NONE, 0, exec_pandn_xmm)                                \
    V66(X, 0x0f55, I_NONE, 0, exec_pandn_xmm)                                \
    VNP(X, 0x0f56, I_NONE, 0, exec_por_xmm)                                  \
    V66(X, 0x0f56, I_NONE, 0, exec_por_xmm)                                  \
    VNP(X, 0x0f57, I_NONE, 0, exec_pxor_xmm)                                 \
    V66(X, 0x0f57, I_NONE, 0, exec_pxor_xmm)                                 \
    VEX_FP4(X, 0x0f58, add)                                                  \
    VEX_FP4(X, 0x0f59, mul)                                                  \
    VNP(X, 0x0f5a, I_NONE, F_NOV, exec_cvtps2pd)                             \
    V66(X, 0x0f5a, I_NONE, F_NOV, exec_cvtpd2ps)                             \
    VF3(X, 0x0f5a, I_NONE, 0, exec_cvtss2sd)                                 \
    VF2(X, 0x0f5a, I_NONE, 0, exec_cvtsd2ss)                                 \
    VNP(X, 0x0f5b, I_NONE, F_NOV, exec_cvtdq2ps)                             \
    V66(X, 0x0f5b, I_NONE, F_NOV, exec_cvtps2dq)                             \
    VF3(X, 0x0f5b, I_NONE, F_NOV, exec_cvttps2dq)                            \
    VEX_FP4(X, 0x0f5c, sub)                                                  \
    VEX_FP4(X, 0x0f5d, min)                                                  \
    VEX_FP4(X, 0x0f5e, div)                                                  \
    VEX_FP4(X, 0x0f5f, max)                                                  \
    VNP(X, 0x0fc2, I_UB, 0, exec_cmpps)                                      \
    V66(X, 0x0fc2, I_UB, 0, exec_cmppd)                                      \
    VF3(X, 0x0fc2, I_UB, 0, exec_cmpss)                                      \
    VF2(X, 0x0fc2, I_UB, 0, exec_cmpsd)                                      \
    V66(X, 0x0fe6, I_NONE, F_NOV, exec_cvttpd2dq)                            \
    VF3(X, 0x0fe6, I_NONE, F_NOV, exec_cvtdq2pd)                             \
    VF2(X, 0x0fe6, I_NONE, F_NOV, exec_cvtpd2dq)                             \
    V66(X, 0x0fd0, I_NONE, 0, exec_addsubpd)                                 \
    VF2(X, 0x0fd0, I_NONE, 0, exec_addsubps)                                 \
    V66(X, 0x0f7c, I_NONE, 0, exec_haddpd)                                   \
    VF2(X, 0x0f7c, I_NONE, 0, exec_haddps)                                   \
    V66(X, 0x0f7d, I_NONE, 0, exec_hsubpd)                                   \
    VF2(X, 0x0f7d, I_NONE, 0, exec_hsubps)                                   \
    VNP(X, 0x0fc6, I_UB, 0, exec_shufps)                                     \
    V66(X, 0x0fc6, I_UB, 0, exec_shufpd)                                     \
    /* Integer (VEX.256: AVX2). */                                           \
    SSE_INT_OPS(VEX_INT_ROW, X)                                              \
    SSE_SHIFT_OPS(VEX_INT_ROW, X)                                            \
    SSSE3_OPS(VEX_INT_ROW, X)                                                \
    SSSE3_ABS_OPS(VEX_UNARY_INT_ROW, X)                                      \
    V66(X, 0x0f6c, I_NONE, 0, exec_punpcklqdq_xmm)                           \
    V66(X, 0x0f6d, I_NONE, 0, exec_punpckhqdq_xmm)                           \
    V66(X, 0x0f3a0f, I_UB, 0, exec_palignr_xmm)                              \
    V66(X, 0x0f70, I_UB, F_NOV, exec_pshufd)                                 \
    VF3(X, 0x0f70, I_UB, F_NOV, exec_pshufhw)                                \
    VF2(X, 0x0f70, I_UB, F_NOV, exec_pshuflw)                                \
    VEX_SHIFT_IMM(X, 0x0f71, 2, psrlw)                                       \
    VEX_SHIFT_IMM(X, 0x0f71, 4, psraw)                                       \
    VEX_SHIFT_IMM(X, 0x0f71, 6, psllw)                                       \
    VEX_SHIFT_IMM(X, 0x0f72, 2, psrld)                                       \
    VEX_SHIFT_IMM(X, 0x0f72, 4, psrad)                                       \
    VEX_SHIFT_IMM(X, 0x0f72, 6, pslld)                                       \
    VEX_SHIFT_IMM(X, 0x0f73, 2, psrlq)                                       \
    VEX_SHIFT_IMM(X, 0x0f73, 6, psllq)                                       \
    VEX_ROW(X, 0x0f73, 3, I_UB, F_66 | F_REGONLY, exec_psrldq)               \
    VEX_ROW(X, 0x0f73, 7, I_UB, F_66 | F_REGONLY, exec_pslldq)               \
    V66(X, 0x0fc4, I_UB, F_L0, exec_pinsrw_xmm)                              \
    V66(X, 0x0fc5, I_UB, F_L0 | F_NOV | F_REGONLY, exec_pextrw_xmm)          \
    V66(X, 0x0fd7, I_NONE, F_NOV | F_REGONLY, exec_pmovmskb_xmm)             \
    /* SSE4.1 and SSE4.2. */                                                 \
    V66(X, 0x0f3a4c, I_UB, F_W0, exec_pblendvb)                              \
    V66(X, 0x0f3a4a, I_UB, F_W0, exec_blendvps)                              \
    V66(X, 0x0f3a4b, I_UB, F_W0, exec_blendvpd)                              \
    V66(X, 0x0f3817, I_NONE, F_NOV, exec_ptest)                              \
    V66(X, 0x0f3820, I_NONE, F_NOV, exec_pmovsxbw)                           \
    V66(X, 0x0f3821, I_NONE, F_NOV, exec_pmovsxbd)                           \
    V66(X, 0x0f3822, I_NONE, F_NOV, exec_pmovsxbq)                           \
    V66(X, 0x0f3823, I_NONE, F_NOV, exec_pmovsxwd)                           \
    V66(X, 0x0f3824, I_NONE, F_NOV, exec_pmovsxwq)                           \
    V66(X, 0x0f3825, I_NONE, F_NOV, exec_pmovsxdq)                           \
    V66(X, 0x0f3830, I_NONE, F_NOV, exec_pmovzxbw)                           \
    V66(X, 0x0f3831, I_NONE, F_NOV, exec_pmovzxbd)                           \
    V66(X, 0x0f3832, I_NONE, F_NOV, exec_pmovzxbq)                           \
    V66(X, 0x0f3833, I_NONE, F_NOV, exec_pmovzxwd)                           \
    V66(X, 0x0f3834, I_NONE, F_NOV, exec_pmovzxwq)                           \
    V66(X, 0x0f3835, I_NONE, F_NOV, exec_pmovzxdq)                           \
    V66(X, 0x0f3828, I_NONE, 0, exec_pmuldq)                                 \
    V66(X, 0x0f3829, I_NONE, 0, exec_pcmpeqq)                                \
    V66(X, 0x0f382b, I_NONE, 0, exec_packusdw)                               \
    V66(X, 0x0f3837, I_NONE, 0, exec_pcmpgtq)                                \
    V66(X, 0x0f3838, I_NONE, 0, exec_pminsb)                                 \
    V66(X, 0x0f3839, I_NONE, 0, exec_pminsd)                                 \
    V66(X, 0x0f383a, I_NONE, 0, exec_pminuw)                                 \
    V66(X, 0x0f383b, I_NONE, 0, exec_pminud)                                 \
    V66(X, 0x0f383c, I_NONE, 0, exec_pmaxsb)                                 \
    V66(X, 0x0f383d, I_NONE, 0, exec_pmaxsd)                                 \
    V66(X, 0x0f383e, I_NONE, 0, exec_pmaxuw)                                 \
    V66(X, 0x0f383f, I_NONE, 0, exec_pmaxud)                                 \
    V66(X, 0x0f3840, I_NONE, 0, exec_pmulld)                                 \
    V66(X, 0x0f3841, I_NONE, F_L0 | F_NOV, exec_phminposuw)                  \
    V66(X, 0x0f3a08, I_UB, F_NOV, exec_roundps)                              \
    V66(X, 0x0f3a09, I_UB, F_NOV, exec_roundpd)                              \
    V66(X, 0x0f3a0a, I_UB, 0, exec_roundss)                                  \
    V66(X, 0x0f3a0b, I_UB, 0, exec_roundsd)                                  \
    V66(X, 0x0f3a0c, I_UB, 0, exec_blendps)                                  \
    V66(X, 0x0f3a0d, I_UB, 0, exec_blendpd)                                  \
    V66(X, 0x0f3a0e, I_UB, 0, exec_pblendw)                                  \
    V66(X, 0x0f3a14, I_UB, F_L0 | F_NOV, exec_pextrb)                        \
    V66(X, 0x0f3a15, I_UB, F_L0 | F_NOV, exec_pextrw_m)                      \
    V66(X, 0x0f3a16, I_UB, F_L0 | F_NOV, exec_pextrd)                        \
    V66(X, 0x0f3a17, I_UB, F_L0 | F_NOV, exec_extractps)                     \
    V66(X, 0x0f3a20, I_UB, F_L0, exec_pinsrb)                                \
    V66(X, 0x0f3a21, I_UB, F_L0, exec_insertps)                              \
    V66(X, 0x0f3a22, I_UB, F_L0, exec_pinsrd)                                \
    V66(X, 0x0f3a42, I_UB, 0, exec_mpsadbw)                                  \
    V66(X, 0x0f3a40, I_UB, 0, exec_dpps)                                     \
    V66(X, 0x0f3a41, I_UB, F_L0, exec_dppd)                                  \
    V66(X, 0x0f3a60, I_UB, F_L0 | F_NOV, exec_pcmpestrm)                     \
    V66(X, 0x0f3a61, I_UB, F_L0 | F_NOV, exec_pcmpestri)                     \
    V66(X, 0x0f3a62, I_UB, F_L0 | F_NOV, exec_pcmpistrm)                     \
    V66(X, 0x0f3a63, I_UB, F_L0 | F_NOV, exec_pcmpistri)                     \
    /* AES-NI and PCLMULQDQ (VEX.128 with AVX). */                          \
    V66(X, 0x0f38db, I_NONE, F_L0 | F_NOV, exec_aesimc)                      \
    V66(X, 0x0f38dc, I_NONE, F_L0, exec_aesenc)                              \
    V66(X, 0x0f38dd, I_NONE, F_L0, exec_aesenclast)                          \
    V66(X, 0x0f38de, I_NONE, F_L0, exec_aesdec)                              \
    V66(X, 0x0f38df, I_NONE, F_L0, exec_aesdeclast)                          \
    V66(X, 0x0f3adf, I_UB, F_L0 | F_NOV, exec_aeskeygenassist)               \
    V66(X, 0x0f3a44, I_UB, F_L0, exec_pclmulqdq)                             \
    /* AVX additions. */                                                     \
    X(OPC_VEX | 0x0f77, EXT_ANY, MR_NONE, I_NONE, S_V, F_NOV, exec_vzeroupper) \
    V66(X, 0x0f3818, I_NONE, F_NOV | F_W0, exec_vbroadcastss)                \
    V66(X, 0x0f3819, I_NONE, F_NOV | F_W0 | F_L1, exec_vbroadcastsd)         \
    V66(X, 0x0f381a, I_NONE, F_NOV | F_W0 | F_L1 | F_MEMONLY, exec_vbroadcastf128) \
    V66(X, 0x0f3a18, I_UB, F_W0 | F_L1, exec_vinsertf128)                    \
    V66(X, 0x0f3a19, I_UB, F_NOV | F_W0 | F_L1, exec_vextractf128)           \
    V66(X, 0x0f3a06, I_UB, F_W0 | F_L1, exec_vperm2f128)                     \
    V66(X, 0x0f380c, I_NONE, F_W0, exec_vpermilps)                           \
    V66(X, 0x0f380d, I_NONE, F_W0, exec_vpermilpd)                           \
    V66(X, 0x0f3a04, I_UB, F_NOV | F_W0, exec_vpermilps_i)                   \
    V66(X, 0x0f3a05, I_UB, F_NOV | F_W0, exec_vpermilpd_i)                   \
    V66(X, 0x0f380e, I_NONE, F_NOV | F_W0, exec_vtestps)                     \
    V66(X, 0x0f380f, I_NONE, F_NOV | F_W0, exec_vtestpd)                     \
    V66(X, 0x0f382c, I_NONE, F_W0 | F_MEMONLY, exec_vmaskmovps_load)         \
    V66(X, 0x0f382d, I_NONE, F_W0 | F_MEMONLY, exec_vmaskmovpd_load)         \
    V66(X, 0x0f382e, I_NONE, F_W0 | F_MEMONLY, exec_vmaskmovps_store)        \
    V66(X, 0x0f382f, I_NONE, F_W0 | F_MEMONLY, exec_vmaskmovpd_store)        \
    /* AVX2 additions. */                                                    \
    V66(X, 0x0f3858, I_NONE, F_NOV | F_W0, exec_vpbroadcastd)                \
    V66(X, 0x0f3859, I_NONE, F_NOV | F_W0, exec_vpbroadcastq)                \
    V66(X, 0x0f385a, I_NONE, F_NOV | F_W0 | F_L1 | F_MEMONLY, exec_vbroadcastf128) \
    V66(X, 0x0f3878, I_NONE, F_NOV | F_W0, exec_vpbroadcastb)                \
    V66(X, 0x0f3879, I_NONE, F_NOV | F_W0, exec_vpbroadcastw)                \
    V66(X, 0x0f3a38, I_UB, F_W0 | F_L1, exec_vinsertf128)                    \
    V66(X, 0x0f3a39, I_UB, F_NOV | F_W0 | F_L1, exec_vextractf128)           \
    V66(X, 0x0f3a46, I_UB, F_W0 | F_L1, exec_vperm2f128)                     \
    V66(X, 0x0f3a02, I_UB, F_W0, exec_vpblendd)                              \
    V66(X, 0x0f3836, I_NONE, F_W0 | F_L1, exec_vpermd)                       \
    V66(X, 0x0f3816, I_NONE, F_W0 | F_L1, exec_vpermd)                       \
    V66(X, 0x0f3a00, I_UB, F_NOV | F_W1 | F_L1, exec_vpermq)                 \
    V66(X, 0x0f3a01, I_UB, F_NOV | F_W1 | F_L1, exec_vpermq)                 \
    V66(X, 0x0f3845, I_NONE, 0, exec_vpsrlv)                                 \
    V66(X, 0x0f3846, I_NONE, F_W0, exec_vpsravd)                             \
    V66(X, 0x0f3847, I_NONE, 0, exec_vpsllv)                                 \
    V66(X, 0x0f388c, I_NONE, F_MEMONLY, exec_vpmaskmov_load)                 \
    V66(X, 0x0f388e, I_NONE, F_MEMONLY, exec_vpmaskmov_store)                \
    V66(X, 0x0f3890, I_NONE, F_MEMONLY, exec_vgather)                        \
    V66(X, 0x0f3891, I_NONE, F_MEMONLY, exec_vgather)                        \
    V66(X, 0x0f3892, I_NONE, F_MEMONLY, exec_vgather)                        \
    V66(X, 0x0f3893, I_NONE, F_MEMONLY, exec_vgather)                        \
    /* F16C. */                                                              \
    V66(X, 0x0f3813, I_NONE, F_NOV | F_W0, exec_vcvtph2ps)                   \
    V66(X, 0x0f3a1d, I_UB, F_NOV | F_W0, exec_vcvtps2ph)                     \
    /* FMA: 132, 213, 231 forms; the handler decodes the opcode byte. */    \
    V66(X, 0x0f3896, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f3897, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f3898, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f3899, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f389a, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f389b, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f389c, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f389d, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f389e, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f389f, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38a6, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38a7, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38a8, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38a9, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38aa, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38ab, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38ac, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38ad, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38ae, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38af, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38b6, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38b7, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38b8, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38b9, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38ba, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38bb, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38bc, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38bd, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38be, I_NONE, 0, exec_fma)                                   \
    V66(X, 0x0f38bf, I_NONE, 0, exec_fma)

#define OPCODE_TABLE(X)                                                       \
    ALU_ROWS(X, 0x00, add, F_LOCK)                                           \
    SYS(X, 0x06, MR_NONE, I_NONE, S_V, F_NO64)                               \
    SYS(X, 0x07, MR_NONE, I_NONE, S_V, F_NO64)                               \
    ALU_ROWS(X, 0x08, or, F_LOCK)                                            \
    SYS(X, 0x0e, MR_NONE, I_NONE, S_V, F_NO64)                               \
    ALU_ROWS(X, 0x10, adc, F_LOCK)                                           \
    SYS(X, 0x16, MR_NONE, I_NONE, S_V, F_NO64)                               \
    SYS(X, 0x17, MR_NONE, I_NONE, S_V, F_NO64)                               \
    ALU_ROWS(X, 0x18, sbb, F_LOCK)                                           \
    SYS(X, 0x1e, MR_NONE, I_NONE, S_V, F_NO64)                               \
    SYS(X, 0x1f, MR_NONE, I_NONE, S_V, F_NO64)                               \
    ALU_ROWS(X, 0x20, and, F_LOCK)                                           \
    X(0x27, EXT_ANY, MR_NONE, I_NONE, S_B, F_NO64, exec_daa)                  \
    ALU_ROWS(X, 0x28, sub, F_LOCK)                                           \
    X(0x2f, EXT_ANY, MR_NONE, I_NONE, S_B, F_NO64, exec_das)                  \
    ALU_ROWS(X, 0x30, xor, F_LOCK)                                           \
    X(0x37, EXT_ANY, MR_NONE, I_NONE, S_B, F_NO64, exec_aaa)                  \
    ALU_ROWS(X, 0x38, cmp, 0)                                                \
    X(0x3f, EXT_ANY, MR_NONE, I_NONE, S_B, F_NO64, exec_aas)                  \
    EIGHT(X, 0x40, MR_NONE, I_NONE, S_V, F_NO64, exec_inc_r)                 \
    EIGHT(X, 0x48, MR_NONE, I_NONE, S_V, F_NO64, exec_dec_r)                 \
    EIGHT(X, 0x50, MR_NONE, I_NONE, S_D64, 0, exec_push_r)                   \
    EIGHT(X, 0x58, MR_NONE, I_NONE, S_D64, 0, exec_pop_r)                    \
    X(0x60, EXT_ANY, MR_NONE, I_NONE, S_V, F_NO64, exec_pusha)                \
    X(0x61, EXT_ANY, MR_NONE, I_NONE, S_V, F_NO64, exec_popa)                 \
    X(0x62, EXT_ANY, MR_YES, I_NONE, S_V, F_NO64 | F_MEMONLY, exec_bound)                 \
    X(0x63, EXT_ANY, MR_YES, I_NONE, S_W, F_NO64, exec_arpl)                  \
    X(0x63, EXT_ANY, MR_YES, I_NONE, S_V, F_ONLY64, exec_movsxd)              \
    X(0x68, EXT_ANY, MR_NONE, I_Z, S_D64, 0, exec_push_i)                     \
    X(0x69, EXT_ANY, MR_YES, I_Z, S_V, 0, exec_imul3)                         \
    X(0x6a, EXT_ANY, MR_NONE, I_B, S_D64, 0, exec_push_i)                     \
    X(0x6b, EXT_ANY, MR_YES, I_B, S_V, 0, exec_imul3)                         \
    SYS(X, 0x6c, MR_NONE, I_NONE, S_B, 0)                                    \
    SYS(X, 0x6d, MR_NONE, I_NONE, S_V, 0)                                    \
    SYS(X, 0x6e, MR_NONE, I_NONE, S_B, 0)                                    \
    SYS(X, 0x6f, MR_NONE, I_NONE, S_V, 0)                                    \
    CC_ROWS(X, 0x70, MR_NONE, I_J8, S_F64, exec_jcc)                          \
    GRP1_ROWS(X, 0x80, I_B, S_B, 0)                                          \
    GRP1_ROWS(X, 0x81, I_Z, S_V, 0)                                          \
    GRP1_ROWS(X, 0x82, I_B, S_B, F_NO64)                                     \
    GRP1_ROWS(X, 0x83, I_B, S_V, 0)                                          \
    X(0x84, EXT_ANY, MR_YES, I_NONE, S_B, 0, exec_test_rm_r)                  \
    X(0x85, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_test_rm_r)                  \
    X(0x86, EXT_ANY, MR_YES, I_NONE, S_B, F_LOCK, exec_xchg_rm_r)             \
    X(0x87, EXT_ANY, MR_YES, I_NONE, S_V, F_LOCK, exec_xchg_rm_r)             \
    X(0x88, EXT_ANY, MR_YES, I_NONE, S_B, 0, exec_mov_rm_r)                   \
    X(0x89, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_mov_rm_r)                   \
    X(0x8a, EXT_ANY, MR_YES, I_NONE, S_B, 0, exec_mov_r_rm)                   \
    X(0x8b, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_mov_r_rm)                   \
    SYS_INLINE(X, 0x8c, MR_YES, I_NONE, S_V, 0)                                   \
    X(0x8d, EXT_ANY, MR_YES, I_NONE, S_V, F_MEMONLY, exec_lea)                        \
    SYS(X, 0x8e, MR_YES, I_NONE, S_W, 0)                                     \
    X(0x8f, 0, MR_YES, I_NONE, S_D64, 0, exec_pop_rm)                         \
    EIGHT(X, 0x90, MR_NONE, I_NONE, S_V, 0, exec_xchg_a_r)                   \
    X(0x98, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_cbw)                       \
    X(0x99, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_cwd)                       \
    SYS(X, 0x9a, MR_NONE, I_FAR, S_V, F_NO64)                                \
    X(0x9b, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_fwait)                     \
    X(0x9c, EXT_ANY, MR_NONE, I_NONE, S_D64, 0, exec_pushf)                   \
    X(0x9d, EXT_ANY, MR_NONE, I_NONE, S_D64, 0, exec_popf)                    \
    X(0x9e, EXT_ANY, MR_NONE, I_NONE, S_B, 0, exec_sahf)                      \
    X(0x9f, EXT_ANY, MR_NONE, I_NONE, S_B, 0, exec_lahf)                      \
    X(0xa0, EXT_ANY, MR_NONE, I_MOFFS, S_B, 0, exec_mov_r_rm)                 \
    X(0xa1, EXT_ANY, MR_NONE, I_MOFFS, S_V, 0, exec_mov_r_rm)                 \
    X(0xa2, EXT_ANY, MR_NONE, I_MOFFS, S_B, 0, exec_mov_rm_r)                 \
    X(0xa3, EXT_ANY, MR_NONE, I_MOFFS, S_V, 0, exec_mov_rm_r)                 \
    X(0xa4, EXT_ANY, MR_NONE, I_NONE, S_B, 0, exec_movs)                      \
    X(0xa5, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_movs)                      \
    X(0xa6, EXT_ANY, MR_NONE, I_NONE, S_B, 0, exec_cmps)                      \
    X(0xa7, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_cmps)                      \
    X(0xa8, EXT_ANY, MR_NONE, I_B, S_B, 0, exec_test_a_i)                     \
    X(0xa9, EXT_ANY, MR_NONE, I_Z, S_V, 0, exec_test_a_i)                     \
    X(0xaa, EXT_ANY, MR_NONE, I_NONE, S_B, 0, exec_stos)                      \
    X(0xab, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_stos)                      \
    X(0xac, EXT_ANY, MR_NONE, I_NONE, S_B, 0, exec_lods)                      \
    X(0xad, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_lods)                      \
    X(0xae, EXT_ANY, MR_NONE, I_NONE, S_B, 0, exec_scas)                      \
    X(0xaf, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_scas)                      \
    EIGHT(X, 0xb0, MR_NONE, I_B, S_B, 0, exec_mov_r_i)                       \
    EIGHT(X, 0xb8, MR_NONE, I_V, S_V, 0, exec_mov_r_i)                       \
    GRP2_ROWS(X, 0xc0, I_UB, S_B, i)                                         \
    GRP2_ROWS(X, 0xc1, I_UB, S_V, i)                                         \
    X(0xc2, EXT_ANY, MR_NONE, I_W, S_F64, 0, exec_ret)                        \
    X(0xc3, EXT_ANY, MR_NONE, I_NONE, S_F64, 0, exec_ret)                     \
    SYS(X, 0xc4, MR_YES, I_NONE, S_V, F_NO64 | F_MEMONLY)                                \
    SYS(X, 0xc5, MR_YES, I_NONE, S_V, F_NO64 | F_MEMONLY)                                \
    X(0xc6, 0, MR_YES, I_B, S_B, 0, exec_mov_rm_i)                            \
    X(0xc6, 7, MR_YES, I_B, S_B, 0, exec_xabort)                              \
    X(0xc7, 0, MR_YES, I_Z, S_V, 0, exec_mov_rm_i)                            \
    X(0xc7, 7, MR_YES, I_JZ, S_V, 0, exec_xbegin)                             \
    X(0xc8, EXT_ANY, MR_NONE, I_ENTER, S_D64, 0, exec_enter)                  \
    X(0xc9, EXT_ANY, MR_NONE, I_NONE, S_D64, 0, exec_leave)                   \
    SYS(X, 0xca, MR_NONE, I_W, S_V, 0)                                       \
    SYS(X, 0xcb, MR_NONE, I_NONE, S_V, 0)                                    \
    SYS(X, 0xcc, MR_NONE, I_NONE, S_V, 0)                                    \
    SYS(X, 0xcd, MR_NONE, I_UB, S_V, 0)                                      \
    SYS(X, 0xce, MR_NONE, I_NONE, S_V, F_NO64)                               \
    SYS(X, 0xcf, MR_NONE, I_NONE, S_V, 0)                                    \
    GRP2_ROWS(X, 0xd0, I_NONE, S_B, 1)                                       \
    GRP2_ROWS(X, 0xd1, I_NONE, S_V, 1)                                       \
    GRP2_ROWS(X, 0xd2, I_NONE, S_B, cl)                                      \
    GRP2_ROWS(X, 0xd3, I_NONE, S_V, cl)                                      \
    X(0xd4, EXT_ANY, MR_NONE, I_UB, S_B, F_NO64, exec_aam)                    \
    X(0xd5, EXT_ANY, MR_NONE, I_UB, S_B, F_NO64, exec_aad)                    \
    X(0xd6, EXT_ANY, MR_NONE, I_NONE, S_B, F_NO64, exec_salc)                  \
    X(0xd7, EXT_ANY, MR_NONE, I_NONE, S_B, 0, exec_xlat)                      \
    X(0xd8, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_x87)                        \
    X(0xd9, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_x87_d9)                     \
    X(0xda, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_x87)                        \
    X(0xdb, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_x87_db)                     \
    X(0xdc, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_x87)                        \
    X(0xdd, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_x87_dd)                     \
    X(0xde, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_x87)                        \
    X(0xdf, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_x87_df)                     \
    X(0xe0, EXT_ANY, MR_NONE, I_J8, S_F64, 0, exec_loopne)                    \
    X(0xe1, EXT_ANY, MR_NONE, I_J8, S_F64, 0, exec_loope)                     \
    X(0xe2, EXT_ANY, MR_NONE, I_J8, S_F64, 0, exec_loop)                      \
    X(0xe3, EXT_ANY, MR_NONE, I_J8, S_F64, 0, exec_jcxz)                      \
    SYS(X, 0xe4, MR_NONE, I_UB, S_B, 0)                                      \
    SYS(X, 0xe5, MR_NONE, I_UB, S_V, 0)                                      \
    SYS(X, 0xe6, MR_NONE, I_UB, S_B, 0)                                      \
    SYS(X, 0xe7, MR_NONE, I_UB, S_V, 0)                                      \
    X(0xe8, EXT_ANY, MR_NONE, I_JZ, S_F64, 0, exec_call_rel)                  \
    X(0xe9, EXT_ANY, MR_NONE, I_JZ, S_F64, 0, exec_jmp_rel)                   \
    SYS(X, 0xea, MR_NONE, I_FAR, S_V, F_NO64)                                \
    X(0xeb, EXT_ANY, MR_NONE, I_J8, S_F64, 0, exec_jmp_rel)                   \
    SYS(X, 0xec, MR_NONE, I_NONE, S_B, 0)                                    \
    SYS(X, 0xed, MR_NONE, I_NONE, S_V, 0)                                    \
    SYS(X, 0xee, MR_NONE, I_NONE, S_B, 0)                                    \
    SYS(X, 0xef, MR_NONE, I_NONE, S_V, 0)                                    \
    SYS(X, 0xf1, MR_NONE, I_NONE, S_V, 0)                                    \
    SYS(X, 0xf4, MR_NONE, I_NONE, S_V, 0)                                    \
    X(0xf5, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_cmc)                       \
    GRP3_ROWS(X, 0xf6, I_B, S_B)                                             \
    GRP3_ROWS(X, 0xf7, I_Z, S_V)                                             \
    X(0xf8, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_clc)                       \
    X(0xf9, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_stc)                       \
    SYS_INLINE(X, 0xfa, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS(X, 0xfb, MR_NONE, I_NONE, S_V, 0)                                    \
    X(0xfc, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_cld)                       \
    X(0xfd, EXT_ANY, MR_NONE, I_NONE, S_V, 0, exec_std)                       \
    X(0xfe, 0, MR_YES, I_NONE, S_B, F_LOCK, exec_inc_rm)                      \
    X(0xfe, 1, MR_YES, I_NONE, S_B, F_LOCK, exec_dec_rm)                      \
    X(0xff, 0, MR_YES, I_NONE, S_V, F_LOCK, exec_inc_rm)                      \
    X(0xff, 1, MR_YES, I_NONE, S_V, F_LOCK, exec_dec_rm)                      \
    X(0xff, 2, MR_YES, I_NONE, S_F64, 0, exec_call_rm)                        \
    X(0xff, 3, MR_YES, I_NONE, S_V, F_SYS, emu_sys)                           \
    X(0xff, 4, MR_YES, I_NONE, S_F64, 0, exec_jmp_rm)                         \
    X(0xff, 5, MR_YES, I_NONE, S_V, F_SYS, emu_sys)                           \
    X(0xff, 6, MR_YES, I_NONE, S_D64, 0, exec_push_rm)                        \
    /* Mandatory-F3 one-byte form: PAUSE. */                                  \
    X(0x90, EXT_ANY, MR_NONE, I_NONE, S_V, F_F3 | F_SYS, emu_sys_inline)      \
    /* Two-byte opcodes. */                                                   \
    SYS(X, 0x0f00, MR_YES, I_NONE, S_W, 0)                                   \
    SYS(X, 0x0f01, MR_YES, I_NONE, S_V, 0)                                   \
    SYS(X, 0x0f02, MR_YES, I_NONE, S_V, 0)                                   \
    SYS(X, 0x0f03, MR_YES, I_NONE, S_V, 0)                                   \
    SYS(X, 0x0f05, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS(X, 0x0f06, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS(X, 0x0f07, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS(X, 0x0f08, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS(X, 0x0f09, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS(X, 0x0f0b, MR_NONE, I_NONE, S_V, 0)                                  \
    X(0x0f0d, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_nop)                      \
    EIGHT(X, 0x0f18, MR_YES, I_NONE, S_V, 0, exec_nop)                       \
    SYS(X, 0x0f20, MR_REG, I_NONE, S_V, 0)                                   \
    SYS(X, 0x0f21, MR_REG, I_NONE, S_V, 0)                                   \
    SYS(X, 0x0f22, MR_REG, I_NONE, S_V, 0)                                   \
    SYS(X, 0x0f23, MR_REG, I_NONE, S_V, 0)                                   \
    SYS(X, 0x0f30, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS_INLINE(X, 0x0f31, MR_NONE, I_NONE, S_V, 0)                                \
    SYS(X, 0x0f32, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS(X, 0x0f33, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS(X, 0x0f34, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS(X, 0x0f35, MR_NONE, I_NONE, S_V, 0)                                  \
    SYS(X, 0x0f37, MR_NONE, I_NONE, S_V, 0)                                  \
    CC_ROWS(X, 0x0f40, MR_YES, I_NONE, S_V, exec_cmov)                        \
    SYS(X, 0x0f78, MR_YES, I_NONE, S_V, 0)                                   \
    SYS(X, 0x0f79, MR_YES, I_NONE, S_V, 0)                                   \
    CC_ROWS(X, 0x0f80, MR_NONE, I_JZ, S_F64, exec_jcc)                        \
    CC_ROWS(X, 0x0f90, MR_YES, I_NONE, S_B, exec_setcc)                       \
    SYS(X, 0x0fa0, MR_NONE, I_NONE, S_D64, 0)                                \
    SYS(X, 0x0fa1, MR_NONE, I_NONE, S_D64, 0)                                \
    SYS(X, 0x0fa2, MR_NONE, I_NONE, S_V, 0)                                  \
    X(0x0fa3, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_bt_r)                     \
    X(0x0fa4, EXT_ANY, MR_YES, I_UB, S_V, 0, exec_shld_i)                     \
    X(0x0fa5, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_shld_cl)                  \
    SYS(X, 0x0fa8, MR_NONE, I_NONE, S_D64, 0)                                \
    SYS(X, 0x0fa9, MR_NONE, I_NONE, S_D64, 0)                                \
    X(0x0fab, EXT_ANY, MR_YES, I_NONE, S_V, F_LOCK, exec_bts_r)               \
    X(0x0fac, EXT_ANY, MR_YES, I_UB, S_V, 0, exec_shrd_i)                     \
    X(0x0fad, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_shrd_cl)                  \
    X(0x0faf, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_imul2)                    \
    X(0x0fb0, EXT_ANY, MR_YES, I_NONE, S_B, F_LOCK, exec_cmpxchg)             \
    X(0x0fb1, EXT_ANY, MR_YES, I_NONE, S_V, F_LOCK, exec_cmpxchg)             \
    SYS(X, 0x0fb2, MR_YES, I_NONE, S_V, F_MEMONLY)                                   \
    X(0x0fb3, EXT_ANY, MR_YES, I_NONE, S_V, F_LOCK, exec_btr_r)               \
    SYS(X, 0x0fb4, MR_YES, I_NONE, S_V, F_MEMONLY)                                   \
    SYS(X, 0x0fb5, MR_YES, I_NONE, S_V, F_MEMONLY)                                   \
    X(0x0fb6, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_movzx_b)                  \
    X(0x0fb7, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_movzx_w)                  \
    X(0x0fb8, EXT_ANY, MR_YES, I_NONE, S_V, F_F3, exec_popcnt)                \
    X(0x0fba, 4, MR_YES, I_UB, S_V, 0, exec_bt_i)                             \
    X(0x0fba, 5, MR_YES, I_UB, S_V, F_LOCK, exec_bts_i)                       \
    X(0x0fba, 6, MR_YES, I_UB, S_V, F_LOCK, exec_btr_i)                       \
    X(0x0fba, 7, MR_YES, I_UB, S_V, F_LOCK, exec_btc_i)                       \
    X(0x0fbb, EXT_ANY, MR_YES, I_NONE, S_V, F_LOCK, exec_btc_r)               \
    X(0x0fbc, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_bsf)                      \
    X(0x0fbc, EXT_ANY, MR_YES, I_NONE, S_V, F_F3, exec_tzcnt)                 \
    X(0x0fbd, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_bsr)                      \
    X(0x0fbd, EXT_ANY, MR_YES, I_NONE, S_V, F_F3, exec_lzcnt)                 \
    X(0x0fbe, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_movsx_b)                  \
    X(0x0fbf, EXT_ANY, MR_YES, I_NONE, S_V, 0, exec_movsx_w)                  \
    X(0x0fc0, EXT_ANY, MR_YES, I_NONE, S_B, F_LOCK, exec_xadd)                \
    X(0x0fc1, EXT_ANY, MR_YES, I_NONE, S_V, F_LOCK, exec_xadd)                \
    X(0x0fc7, 0, MR_YES, I_NONE, S_V, F_SYS, emu_sys)                         \
    X(0x0fc7, 1, MR_YES, I_NONE, S_V, F_LOCK | F_MEMONLY, exec_cmpxchg8b)                 \
    X(0x0fc7, 2, MR_YES, I_NONE, S_V, F_SYS, emu_sys)                         \
    X(0x0fc7, 3, MR_YES, I_NONE, S_V, F_SYS, emu_sys)                         \
    X(0x0fc7, 4, MR_YES, I_NONE, S_V, F_MEMONLY, exec_xsavec)                 \
    X(0x0fc7, 5, MR_YES, I_NONE, S_V, F_SYS, emu_sys)                         \
    X(0x0fc7, 6, MR_YES, I_NONE, S_V, F_SYS, emu_sys)                         \
    X(0x0fc7, 7, MR_YES, I_NONE, S_V, F_SYS, emu_sys)                         \
    EIGHT(X, 0x0fc8, MR_NONE, I_NONE, S_V, 0, exec_bswap)                    \
    SSE_TABLE(X)                                                             \
    /* Three-byte opcodes. */                                                 \
    SYS(X, 0x0f3880, MR_YES, I_NONE, S_V, F_MEMONLY)                          \
    SYS(X, 0x0f3881, MR_YES, I_NONE, S_V, F_MEMONLY)                          \
    SYS(X, 0x0f3882, MR_YES, I_NONE, S_V, F_MEMONLY)                          \
    X(0x0f38f0, EXT_ANY, MR_YES, I_NONE, S_V, F_MEMONLY, exec_movbe_load)             \
    X(0x0f38f1, EXT_ANY, MR_YES, I_NONE, S_V, F_MEMONLY, exec_movbe_store)   \
    X(0x0f38f6, EXT_ANY, MR_YES, I_NONE, S_V, F_66, exec_adcx)               \
    X(0x0f38f6, EXT_ANY, MR_YES, I_NONE, S_V, F_F3, exec_adox)               \
    BMI_TABLE(X)                                                             \
    AVX_TABLE(X)

#endif
