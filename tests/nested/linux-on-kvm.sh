#!/usr/bin/env bash
# Inside the nested guest (tests/nested/init, OPENHV_NESTED_LINUX=1): boots
# Debian's kernel and tools/linux/init's initramfs under hvrun with
# OPENHV_BACKEND=kvm, the framework's interrupt controllers on KVM's split
# irqchip, waits for the shell, types a command and `poweroff -f`, and checks
# that the machine powered off.  Prints run-tests.sh's PASS/FAIL and summary
# lines.  Environment: LINUX_DIR (vmlinuz, initrd.gz), LINUX_TIMEOUT (s),
# LINUX_SMP (vCPUs, 1).
set -u
dir=${LINUX_DIR:-/suite/linux}
timeout_s=${LINUX_TIMEOUT:-600}
work=$(mktemp -d)
mkfifo "$work/in"
log=$work/console.log
start=$(date +%s)
OPENHV_BACKEND=kvm timeout -k 5 "$timeout_s" ./hvrun -smp "${LINUX_SMP:-1}" -m 256 -kernel "$dir/vmlinuz" \
    -initrd "$dir/initrd.gz" -append "console=ttyS0 quiet panic=-1 rdinit=/init" \
    < "$work/in" > "$log" 2> "$work/err" &
pid=$!
exec 3> "$work/in"
# Type only once the shell listens: input sent before would be lost.
while kill -0 "$pid" 2>/dev/null && ! grep -q '^OPENHV-LINUX: shell' "$log"; do sleep 1; done
shell_at=$(($(date +%s) - start))
trap '' PIPE # a guest that already stopped reads nothing
printf 'uname -a\npoweroff -f\n' >&3 2>/dev/null || true
rc=0
wait "$pid" || rc=$?
exec 3>&-
end=$(($(date +%s) - start))
sed 's/\r//g' "$log"
cpus=$(sed -n 's/^OPENHV-LINUX: booted .*, \([0-9]*\) CPU(s).*/\1/p' "$log" | tr -d '\r')
if [ "$rc" -eq 0 ] && [ "$cpus" = "${LINUX_SMP:-1}" ] && grep -q '^Linux ' "$log"; then
    echo "PASS linux_boot_kvm_nested: $cpus CPU(s), shell after ${shell_at} s, powered off after ${end} s"
    echo "1 passed, 0 failed, 0 skipped"
    exit 0
fi
echo "FAIL linux_boot_kvm_nested: hvrun exited with $rc after ${end} s, ${cpus:-no} CPU(s) up"
sed 's/^/    | /' "$work/err" | tail -n 20
echo "0 passed, 1 failed, 0 skipped"
exit 1
