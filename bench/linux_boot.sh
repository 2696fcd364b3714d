#!/usr/bin/env bash
# `make bench-linux`: boot to the shell and run `uname -a` with Debian's
# kernel and the demo initramfs (tools/linux/demo-linux.sh), on each engine
# this host offers, with 1 and 4 vCPUs, beside qemu-system-x86_64 with its
# software CPU (and with KVM where KVM runs guest code natively).  One run
# per row, all in one invocation; the ratio column compares each row with
# QEMU TCG at the same vCPU count.  A row that cannot run says why.
set -u
build=${BUILD:-build}
timeout_s=${OPENHV_LINUX_TIMEOUT:-900}
rows=()
declare -A seconds

run_row() { # NAME VMM SMP [HVRUN_ARGS]
    local name=$1 vmm=$2 smp=$3 args=${4:-} out
    out=$(BUILD=$build OPENHV_LINUX_VMM=$vmm OPENHV_LINUX_SMP=$smp HVRUN_ARGS=$args \
          OPENHV_LINUX_TIMEOUT=$timeout_s bash tools/linux/demo-linux.sh 2>&1 >/dev/null)
    local t
    t=$(echo "$out" | sed -n 's/.*powered off after \([0-9.]*\) s.*/\1/p' | tail -n 1)
    if [ -n "$t" ]; then
        seconds[$name/$smp]=$t
        rows+=("$name|$smp|$t|")
    else
        rows+=("$name|$smp|-|$(echo "$out" | grep -E 'demo-linux:|hvrun:' | tail -n 1 | cut -c1-70)")
    fi
}

native_kvm=no
if [ -r /dev/kvm ] && grep -qE '^(kvm_intel|kvm_amd) ' /proc/modules 2>/dev/null && ! grep -q '^kvm_pvm ' /proc/modules; then
    native_kvm=yes
fi
for smp in 1 4; do
    run_row "hvrun emu" hvrun "$smp" "--backend emu"
    [ -c /dev/kvm ] && run_row "hvrun kvm" hvrun "$smp" "--backend kvm"
    if command -v qemu-system-x86_64 >/dev/null; then
        run_row "qemu tcg" qemu-tcg "$smp"
        [ "$native_kvm" = yes ] && run_row "qemu kvm" qemu-kvm "$smp"
    fi
done

echo "boot to shell, uname -a, poweroff: seconds (one run each; ratio = qemu tcg / row)"
printf '%-12s %4s %9s %8s  %s\n' engine vcpu seconds ratio note
for row in "${rows[@]}"; do
    IFS='|' read -r name smp t note <<<"$row"
    ratio=-
    base=${seconds[qemu tcg/$smp]:-}
    [ -n "$base" ] && [ "$t" != - ] && ratio=$(awk -v a="$base" -v b="$t" 'BEGIN { printf "%.2f", a / b }')
    printf '%-12s %4s %9s %8s  %s\n' "$name" "$smp" "$t" "$ratio" "$note"
done
