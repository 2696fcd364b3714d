#!/usr/bin/env bash
# `make check-kvm-nested`: runs the KVM suite (built statically under
# $NESTED_BUILD by tests/nested/build.mk) inside a Debian kernel booted by
# QEMU's software CPU with nested SVM, where kvm_amd provides /dev/kvm.
# See docs/notes/kvm-proof.md.
#
# Environment:
#   NESTED_BUILD          the static build tree (build-nested)
#   NESTED_KERNEL         cache of the unpacked kernel package (build/nested-kernel)
#   OPENHV_NESTED_KERNEL_DEB   use this linux-image-*.deb instead of apt-get download
#   OPENHV_NESTED_TIMEOUT seconds for the whole QEMU run (default 900)
#   OPENHV_NESTED_TEST_TIMEOUT seconds per test program in the guest (default 180)
#   OPENHV_NESTED_CPU     QEMU -cpu (default max,+svm)
#   OPENHV_NESTED_LOAD    modules the guest loads (default all four; "irqbypass"
#                         alone shows the path where KVM does not come up)
#   OPENHV_NESTED_ONLY    run only the programs whose file name is one of these
#                         words (e.g. "test_apic test_apic_threads"), to iterate
#   OPENHV_NESTED_CASE    and of those only this case (the harness's T_CASE)
#   OPENHV_NESTED_LINUX   1: instead of the suite, boot the same kernel with
#                         tools/linux/init's initramfs under hvrun on the
#                         guest's KVM to its shell and power it off
#                         (tests/nested/linux-on-kvm.sh; needs $NESTED_BUILD/hvrun)
#   OPENHV_NESTED_LINUX_SMP  its vCPUs (default 2: the APs start through KVM)
# Exit status: 0 the suite passed; 1 it failed, or something we control broke
# (a kernel that cannot be fetched, a guest that never reports);
# 77 KVM could not come up in the guest (SKIP: infrastructure, not our code).
set -euo pipefail

nested_build=${NESTED_BUILD:-build-nested}
kernel_cache=${NESTED_KERNEL:-build/nested-kernel}
qemu_timeout=${OPENHV_NESTED_TIMEOUT:-900}
test_timeout=${OPENHV_NESTED_TEST_TIMEOUT:-180}
qemu_cpu=${OPENHV_NESTED_CPU:-max,+svm}
modules="irqbypass ccp kvm kvm-amd"   # load order: each needs the ones before
module_paths="kernel/virt/lib/irqbypass kernel/drivers/crypto/ccp/ccp kernel/arch/x86/kvm/kvm kernel/arch/x86/kvm/kvm-amd"
SKIP=77

say() { echo "check-kvm-nested: $*"; }
die() { say "$*"; exit 1; }
skip_all() {
    # One SKIP line per program, then the summary, so the reason is counted.
    local n=0 prog
    if [ "${OPENHV_NESTED_LINUX:-0}" = 1 ]; then
        echo "SKIP linux_boot_kvm_nested: $1"
        echo "SKIP check-kvm-nested: $1"
        echo "0 passed, 0 failed, 1 skipped"
        exit $SKIP
    fi
    for prog in $(cat "$nested_build/kvm-suite-kvm.list" "$nested_build/kvm-suite-auto.list"); do
        echo "SKIP $prog: $1"
        n=$((n + 1))
    done
    echo "SKIP check-kvm-nested: $1"
    echo "0 passed, 0 failed, $n skipped"
    exit $SKIP
}

t_start=$(date +%s)
for tool in qemu-system-x86_64 gzip; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install qemu-system-x86)"
done
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox is missing (apt-get install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
    die "$busybox is dynamically linked; the initramfs needs busybox-static"
fi
linux=${OPENHV_NESTED_LINUX:-0}
if [ "$linux" = 1 ]; then
    OPENHV_NESTED_ONLY=none     # the Linux boot instead of the suite
else
    for list in kvm-suite-kvm.list kvm-suite-auto.list; do
        [ -s "$nested_build/$list" ] || die "$nested_build/$list is missing (run through make check-kvm-nested)"
    done
fi

# --- the kernel: the image package linux-image-amd64 depends on, unpacked
# with the modules KVM needs (tools/linux/debian-kernel.sh, shared with
# make demo-linux)
# shellcheck disable=SC2086
OPENHV_KERNEL_DEB=${OPENHV_NESTED_KERNEL_DEB:-} bash tools/linux/debian-kernel.sh "$kernel_cache" $module_paths ||
    die "no kernel (tools/linux/debian-kernel.sh failed)"
say "kernel: $(cut -d' ' -f1 "$kernel_cache/package")"

# --- the initramfs: busybox, bash (for tests/run-tests.sh) with its
# libraries, the modules, and the suite at the paths the lists name.
root="$nested_build/initramfs"
rm -rf "$root" && mkdir -p "$root"/{bin,modules,suite/tests/nested}
cp "$busybox" "$root/bin/busybox"
copy_with_libs() {
    local bin=$1 lib
    mkdir -p "$root$(dirname "$bin")"
    cp -L "$bin" "$root$bin"
    for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
}
copy_with_libs "$(command -v bash)"
[ -e "$root/bin/bash" ] || cp -L "$(command -v bash)" "$root/bin/bash"
cp "$kernel_cache"/modules/*.ko "$root/modules/"
cp tests/nested/init "$root/init" && chmod 755 "$root/init"
cp tests/run-tests.sh "$root/suite/tests/"
cp tests/nested/run-kvm-suite.sh "$root/suite/tests/nested/"
for list in kvm-suite-kvm.list kvm-suite-auto.list; do
    if [ "$linux" = 1 ]; then
        : > "$root/suite/$list"
    elif [ -n "${OPENHV_NESTED_ONLY:-}" ]; then
        for prog in $(cat "$nested_build/$list"); do
            case " $OPENHV_NESTED_ONLY " in *" $(basename "$prog") "*) echo "$prog" ;; esac
        done > "$root/suite/$list"
    else
        cp "$nested_build/$list" "$root/suite/$list"
    fi
done
cat > "$root/suite/nested.conf" <<EOF
NESTED_BUILD=$nested_build
NESTED_LOAD="${OPENHV_NESTED_LOAD:-$modules}"
NESTED_TEST_TIMEOUT=$test_timeout
NESTED_ONLY="${OPENHV_NESTED_ONLY:-}"
NESTED_CASE="${OPENHV_NESTED_CASE:-}"
NESTED_LINUX="$linux"
NESTED_LINUX_SMP="${OPENHV_NESTED_LINUX_SMP:-2}"
EOF
if [ "$linux" = 1 ]; then
    [ -x "$nested_build/hvrun" ] || die "$nested_build/hvrun is missing (make check-linux-kvm-nested builds it)"
    strip -o "$root/suite/hvrun" "$nested_build/hvrun" 2>/dev/null || cp "$nested_build/hvrun" "$root/suite/hvrun"
    cp tests/nested/linux-on-kvm.sh "$root/suite/tests/nested/"
    mkdir -p "$root/suite/linux" "$nested_build/linux-root/bin"
    cp "$kernel_cache/vmlinuz" "$root/suite/linux/vmlinuz"
    cp "$busybox" "$nested_build/linux-root/bin/busybox"
    cp tools/linux/init "$nested_build/linux-root/init" && chmod 755 "$nested_build/linux-root/init"
    (cd "$nested_build/linux-root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 2>/dev/null) |
        gzip -1 > "$root/suite/linux/initrd.gz"
fi
# Programs lose their debug info: the initramfs stays small and boots fast.
for prog in $(cat "$root"/suite/kvm-suite-*.list | sort -u) $([ "$linux" = 1 ] || echo "$nested_build/bench/kvm_exit"); do
    [ -e "$prog" ] || continue          # not built: run-tests.sh reports it
    mkdir -p "$root/suite/$(dirname "$prog")"
    strip -o "$root/suite/$prog" "$prog" 2>/dev/null || cp "$prog" "$root/suite/$prog"
done
mkdir -p "$root/suite/$nested_build/guests" "$root/suite/$nested_build/bench"
if [ "$linux" != 1 ]; then
    cp "$nested_build"/guests/*.bin "$nested_build"/guests/*.sym "$root/suite/$nested_build/guests/"
    cp "$nested_build"/bench/exit_*.bin "$root/suite/$nested_build/bench/"
fi

cpio_cmd=(cpio)
command -v cpio >/dev/null || cpio_cmd=("$busybox" cpio)
initrd="$nested_build/initrd.gz"
(cd "$root" && find . | LC_ALL=C sort | "${cpio_cmd[@]}" -o -H newc -R 0:0 2>/dev/null) | gzip -1 > "$initrd"
say "initramfs: $(du -h "$initrd" | cut -f1), built in $(($(date +%s) - t_start)) s"

# --- the run (no_timer_check: on a loaded host QEMU's software CPU can miss
# the kernel's early IRQ 0 test, which then panics)
log="$nested_build/nested.log"
say "booting (QEMU TCG, -cpu $qemu_cpu; timeout ${qemu_timeout}s); the guest's console follows"
t_boot=$(date +%s)
set +e
timeout -k 10 "$qemu_timeout" nice -n 10 qemu-system-x86_64 -accel tcg -cpu "$qemu_cpu" -smp 1 -m 1024 \
    -nodefaults -nographic -no-reboot -monitor none -serial stdio \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$kernel_cache/vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 quiet panic=-1 no_timer_check rdinit=/init" </dev/null 2>&1 |
    sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' | tee "$log"
rcs=("${PIPESTATUS[@]}")
set -e
qemu_rc=${rcs[0]}
elapsed=$(($(date +%s) - t_boot))
say "QEMU exited with $qemu_rc after ${elapsed} s (whole target: $(($(date +%s) - t_start)) s)"

marker_status=$(sed -n 's/^OPENHV-NESTED: status \([0-9]*\)$/\1/p' "$log" | tail -n 1)
unavailable=$(sed -n 's/^OPENHV-NESTED: kvm-unavailable //p' "$log" | tail -n 1)
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1 || true)

# What the programs that finished reported (run-tests.sh's per-program
# lines), plus one failure for the one that was cut off.
partial_summary() {
    awk '/ (ok|FAILED) \([0-9]+ pass, [0-9]+ fail, [0-9]+ skip\)$/ {
             n = split($0, w, /[(, ]+/); p += w[n-5]; f += w[n-3]; s += w[n-1] }
         / FAILED \(not built\)$/ { f++ }
         END { printf "%d passed, %d failed, %d skipped\n", p, f + 1, s }' "$log"
}

if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
    echo "FAIL check-kvm-nested: the guest ran past ${qemu_timeout}s; counting what finished"
    partial_summary
    exit 1
fi
if [ -n "$unavailable" ]; then
    say "KVM did not come up in the nested guest: $unavailable"
    skip_all "no KVM in the nested guest: $unavailable"
fi
if [ "$marker_status" = 0 ] || [ "$marker_status" = 1 ]; then
    if [ -z "$summary" ]; then
        echo "FAIL check-kvm-nested: the guest's suite printed no summary; counting what finished"
        partial_summary
        exit 1
    fi
    echo "$summary"
    exit "$marker_status"
fi
if ! grep -q '^OPENHV-NESTED: booted' "$log" && ! grep -q -i -E 'panic|init' "$log"; then
    # Not a word from the kernel: QEMU or the kernel package, not our code.
    # (A kernel that complains about /init is our initramfs: that fails.)
    say "the guest printed nothing (QEMU status $qemu_rc)"
    skip_all "the nested guest did not boot"
fi
echo "FAIL check-kvm-nested: the guest stopped without a status (QEMU status $qemu_rc); counting what finished"
partial_summary
exit 1
