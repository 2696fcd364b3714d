#!/usr/bin/env bash
# `make check-linux`: Debian's kernel boots to its shell on the emulator
# with one and with two vCPUs, runs `uname -a` and powers off
# (tools/linux/demo-linux.sh), each within OPENHV_LINUX_TIMEOUT seconds.
# The two-vCPU boot also has a virtio disk and the virtio console: the
# guest reads and writes /dev/vda and its shell runs on hvc0.  The guest
# sees an Intel processor (openhv_vcpu_cpuid), so hvrun reporting an
# unhandled AMD MSR (0xc001xxxx) fails the boot.
set -u
passed=0 failed=0
for smp in 1 2; do
    virtio=$((smp == 2))
    name=linux_boot_smp$smp
    [ "$virtio" = 0 ] || name=${name}_virtio
    if OPENHV_LINUX_SMP=$smp OPENHV_LINUX_VIRTIO=$virtio HVRUN_ARGS="--backend emu" OPENHV_LINUX_TIMEOUT=${OPENHV_LINUX_TIMEOUT:-600} \
        bash tools/linux/demo-linux.sh > "${BUILD:-build}/check-linux-$smp.log" 2>&1 &&
        ! grep -q "unhandled [RW][DR]MSR 0xc001" "${BUILD:-build}/check-linux-$smp.log"; then
        echo "PASS $name: $(tail -n 1 "${BUILD:-build}/check-linux-$smp.log")"
        passed=$((passed + 1))
    else
        echo "FAIL $name:"
        tail -n 25 "${BUILD:-build}/check-linux-$smp.log" | sed 's/^/    | /'
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
