/*
 * The reference: binutils' disassembly of the probes (`objdump -d -M intel`)
 * names each encoding by its mnemonic and says which are valid at all, the
 * only part of the table not derived from the emulator.  The extensions a
 * v3-class Intel processor (Haswell: x86-64-v3 and what came before it on
 * Intel) lacks are named in `not_v3`, by mnemonic, to separate "valid on
 * such a processor, #UD in the emulator" from encodings of other vendors
 * and later extensions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opcode_map.h"

/* The mnemonic of the first instruction of each probe, "" when objdump
 * says "(bad)".  Prefix words objdump prints are kept: they tell that a
 * 66/F3/F2 was not part of the opcode. */
bool read_reference(const char *path, char (*ref)[MNEM_LEN], size_t nprobes)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return false;
    }
    char line[512];
    long cur = -1;
    bool want = false;
    while (fgets(line, sizeof line, f)) {
        char *lt = strstr(line, " <p");
        if (lt && strstr(line, ">:")) {
            cur = strtol(lt + 3, NULL, 10);
            want = cur >= 0 && (size_t)cur < nprobes;
            continue;
        }
        if (!want)
            continue;
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        want = false;
        char *text = tab + 1;
        text[strcspn(text, "\n")] = 0;
        if (strstr(text, "(bad)"))
            continue;
        /* Keep prefix words and the mnemonic; drop operands. */
        char out[MNEM_LEN] = "";
        char *save = NULL;
        for (char *tok = strtok_r(text, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
            static const char *const prefixes[] = { "data16", "addr32", "rep", "repz", "repnz", "repe", "repne",
                                                    "lock", "notrack", "bnd", "xacquire", "xrelease", "ds",
                                                    "cs", "es", "ss", "fs", "gs", NULL };
            bool is_pfx = strncmp(tok, "rex", 3) == 0;
            for (unsigned i = 0; prefixes[i] && !is_pfx; i++)
                is_pfx = strcmp(tok, prefixes[i]) == 0;
            size_t used = strlen(out);
            snprintf(out + used, sizeof out - used, "%s%s", used ? " " : "", tok);
            if (!is_pfx)
                break;
        }
        snprintf(ref[cur], MNEM_LEN, "%s", out);
    }
    fclose(f);
    return true;
}

/* The mnemonic without the prefix words. */
const char *ref_mnemonic(const char *r)
{
    const char *sp = strrchr(r, ' ');
    return sp ? sp + 1 : r;
}

/* A legacy prefix objdump printed as a word was not consumed as part of
 * the opcode: that variant is the unprefixed instruction. */
bool ref_prefix_ignored(const char *r, unsigned pfx)
{
    if (pfx == 1)
        return strstr(r, "data16") != NULL;
    if (pfx == 2 || pfx == 3)
        return strncmp(r, "rep", 3) == 0 || strncmp(r, "bnd", 3) == 0 || strncmp(r, "xacquire", 8) == 0 ||
               strncmp(r, "xrelease", 8) == 0 || strncmp(r, "notrack", 7) == 0;
    return false;
}

/* Extensions a v3-class Intel processor (Haswell) does not have, by
 * mnemonic prefix: later Intel extensions and other vendors' (binutils
 * decodes them all). */
static const char *const not_v3[][2] = {
    { "sha", "SHA" }, { "vsha", "SHA512" }, { "vsm3", "SM3" }, { "vsm4", "SM4" }, { "gf2p8", "GFNI" },
    { "vgf2p8", "GFNI" }, { "vpdpb", "AVX-VNNI" }, { "vpdpw", "AVX-VNNI" }, { "vpmadd52", "AVX-IFMA" },
    { "vbcstne", "AVX-NE-CONVERT" }, { "vcvtne", "AVX-NE-CONVERT" }, { "tile", "AMX" }, { "ldtilecfg", "AMX" },
    { "sttilecfg", "AMX" }, { "tdp", "AMX" }, { "tcmmrl", "AMX" }, { "tcmmim", "AMX" }, { "aesenc128kl", "KL" },
    { "aesdec128kl", "KL" }, { "aesenc256kl", "KL" }, { "aesdec256kl", "KL" }, { "aesencwide", "KL" },
    { "aesdecwide", "KL" }, { "encodekey", "KL" }, { "loadiwkey", "KL" }, { "endbr", "CET" }, { "rdssp", "CET" },
    { "incssp", "CET" }, { "saveprevssp", "CET" }, { "rstorssp", "CET" }, { "wrss", "CET" }, { "wruss", "CET" },
    { "setssbsy", "CET" }, { "clrssbsy", "CET" }, { "movdiri", "MOVDIRI" }, { "movdir64b", "MOVDIR64B" },
    { "enqcmd", "ENQCMD" }, { "serialize", "SERIALIZE" }, { "xsusldtrk", "TSXLDTRK" }, { "xresldtrk", "TSXLDTRK" },
    { "tpause", "WAITPKG" }, { "umonitor", "WAITPKG" }, { "umwait", "WAITPKG" }, { "ptwrite", "PTWRITE" },
    { "rdpid", "RDPID" }, { "wbnoinvd", "WBNOINVD" }, { "clwb", "CLWB" }, { "clflushopt", "CLFLUSHOPT" },
    { "pconfig", "PCONFIG" }, { "uiret", "UINTR" }, { "testui", "UINTR" }, { "clui", "UINTR" }, { "stui", "UINTR" },
    { "senduipi", "UINTR" }, { "hreset", "HRESET" }, { "adcx", "ADX" }, { "adox", "ADX" }, { "rdseed", "RDSEED" },
    { "clac", "SMAP" }, { "stac", "SMAP" }, { "aadd", "RAO-INT" }, { "aand", "RAO-INT" }, { "aor", "RAO-INT" },
    { "axor", "RAO-INT" }, { "prefetchit", "PREFETCHI" }, { "kadd", "AVX-512 mask" }, { "kand", "AVX-512 mask" },
    { "kmov", "AVX-512 mask" }, { "knot", "AVX-512 mask" }, { "kor", "AVX-512 mask" }, { "kshift", "AVX-512 mask" },
    { "ktest", "AVX-512 mask" }, { "kunpck", "AVX-512 mask" }, { "kxnor", "AVX-512 mask" }, { "kxor", "AVX-512 mask" },
    { "extrq", "SSE4a (AMD)" }, { "insertq", "SSE4a (AMD)" }, { "movntsd", "SSE4a (AMD)" },
    { "movntss", "SSE4a (AMD)" }, { "clzero", "AMD" }, { "monitorx", "AMD" }, { "mwaitx", "AMD" }, { "rdpru", "AMD" },
    { "invlpgb", "AMD" }, { "tlbsync", "AMD" }, { "skinit", "AMD SVM" }, { "vmrun", "AMD SVM" },
    { "vmload", "AMD SVM" }, { "vmsave", "AMD SVM" }, { "stgi", "AMD SVM" }, { "clgi", "AMD SVM" },
    { "invlpga", "AMD SVM" }, { "vmmcall", "AMD SVM" }, { "vmgexit", "AMD SEV" }, { "pvalidate", "AMD SEV" },
    { "psmash", "AMD SEV" }, { "rmpadjust", "AMD SEV" }, { "rmpupdate", "AMD SEV" }, { "mcommit", "AMD" },
    { "femms", "3DNow! (AMD)" }, { "montmul", "PadLock (VIA)" }, { "xsha", "PadLock (VIA)" },
    { "xstore", "PadLock (VIA)" }, { "xcrypt", "PadLock (VIA)" }, { "lkgs", "LKGS" }, { "erets", "FRED" }, { "eretu", "FRED" },
    { "wrmsrns", "WRMSRNS" }, { "rdmsrlist", "MSRLIST" }, { "wrmsrlist", "MSRLIST" }, { "cmpbexadd", "CMPCCXADD" },
    /* binutils prints AVX-VNNI and AVX-IFMA's VEX forms as "{vex} vp...". */
    { "{vex}", "AVX-VNNI, AVX-IFMA" }, { "vpermil2", "XOP (AMD)" },
    /* FMA4's four-operand names; FMA3's carry 132/213/231 after the stem. */
    { "vfmaddp", "FMA4 (AMD)" }, { "vfmadds", "FMA4 (AMD)" }, { "vfmsubp", "FMA4 (AMD)" },
    { "vfmsubs", "FMA4 (AMD)" }, { "vfnmaddp", "FMA4 (AMD)" }, { "vfnmadds", "FMA4 (AMD)" },
    { "vfnmsubp", "FMA4 (AMD)" }, { "vfnmsubs", "FMA4 (AMD)" }, { "vfmaddsubp", "FMA4 (AMD)" },
    { "vfmsubaddp", "FMA4 (AMD)" },
};

const char *ref_extension_not_v3(const char *mnem, unsigned sp, unsigned pfx, uint8_t op, const char *ext,
                                 unsigned l)
{
    /* VZEROUPPER/VZEROALL and VLDMXCSR/VSTMXCSR exist with VEX.pp = none
     * only; binutils names the other pp values the same. */
    if (sp == SP_VEX_0F && (op == 0x77 || op == 0xae) && pfx != 0)
        return "no instruction (VEX.pp must be none)";
    /* The 256-bit forms of the AES and carry-less multiply instructions. */
    if (is_vex(sp) && l == 1 && (strncmp(mnem, "vaes", 4) == 0 || strncmp(mnem, "vpclmul", 7) == 0))
        return "VAES, VPCLMULQDQ";
    /* In 64-bit mode 62 is the EVEX escape, and 8F with ModRM.reg != 0 XOP's. */
    if (sp == SP_1B && op == 0x62)
        return "EVEX (AVX-512)";
    if (sp == SP_1B && op == 0x8f && strcmp(ext, " /0") != 0)
        return "XOP (AMD)";
    /* 0F 0F is 3DNow!, whatever binutils calls the suffix. */
    if (sp == SP_0F && op == 0x0f)
        return "3DNow! (AMD)";
    /* CMPccXADD: cmp<cc>xadd. */
    size_t n = strlen(mnem);
    if (strncmp(mnem, "cmp", 3) == 0 && n > 7 && strcmp(mnem + n - 4, "xadd") == 0)
        return "CMPCCXADD";
    for (size_t i = 0; i < sizeof not_v3 / sizeof not_v3[0]; i++)
        if (strncmp(mnem, not_v3[i][0], strlen(not_v3[i][0])) == 0)
            return not_v3[i][1];
    return NULL;
}

/* Instructions whose defined behaviour in a guest is #UD: UD0, UD1, UD2,
 * and RSM outside system-management mode. */
bool defined_ud(const char *mnem)
{
    return strcmp(mnem, "ud0") == 0 || strcmp(mnem, "ud1") == 0 || strcmp(mnem, "ud2") == 0 ||
           strcmp(mnem, "rsm") == 0;
}
