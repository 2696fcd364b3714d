#!/usr/bin/env bash
# `make check-linux`: Debian's kernel boots to its shell on the emulator
# with one and with two vCPUs, runs `uname -a` and powers off
# (tools/linux/demo-linux.sh), each within OPENHV_LINUX_TIMEOUT seconds.
set -u
passed=0 failed=0
for smp in 1 2; do
    if OPENHV_LINUX_SMP=$smp HVRUN_ARGS="--backend emu" OPENHV_LINUX_TIMEOUT=${OPENHV_LINUX_TIMEOUT:-600} \
        bash tools/linux/demo-linux.sh > "${BUILD:-build}/check-linux-$smp.log" 2>&1; then
        echo "PASS linux_boot_smp$smp: $(tail -n 1 "${BUILD:-build}/check-linux-$smp.log")"
        passed=$((passed + 1))
    else
        echo "FAIL linux_boot_smp$smp:"
        tail -n 25 "${BUILD:-build}/check-linux-$smp.log" | sed 's/^/    | /'
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
