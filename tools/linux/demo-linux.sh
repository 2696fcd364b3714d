#!/usr/bin/env bash
# `make demo-linux`: boots Debian's stock kernel (linux-image-amd64) with an
# initramfs of busybox-static under hvrun, waits for the shell on the serial
# console, types a command and `poweroff -f`, and checks that the machine
# powered off.  Installs the two packages when they are missing (as root),
# like .ci/run does for its tools; downloads nothing from elsewhere.
#
# Environment:
#   BUILD                   build directory (build)
#   HVRUN_ARGS              extra hvrun options (e.g. "--backend emu -smp 2 --stats")
#   OPENHV_LINUX_COMMAND    the command typed at the prompt (uname -a)
#   OPENHV_LINUX_TIMEOUT    seconds for the whole boot (600)
#   OPENHV_LINUX_VMM        hvrun (default), or qemu-tcg / qemu-kvm to boot the same
#                           kernel and initramfs under qemu-system-x86_64 for comparison
#   OPENHV_LINUX_SMP, OPENHV_LINUX_MEM   vCPUs (1) and MiB (256)
#   OPENHV_LINUX_VIRTIO=1   also give hvrun a virtio disk (a scratch image with a
#                           marker in sector 0) and `-console virtio`: the init
#                           echoes the marker, writes sector 1, and runs the shell
#                           on hvc0; the script checks both and the image
# Exit status: 0 the guest ran the command and powered off; 1 otherwise.
# The last line on stderr gives the times to the shell and to power-off.
set -euo pipefail

build=${BUILD:-build}
timeout_s=${OPENHV_LINUX_TIMEOUT:-600}
command_line=${OPENHV_LINUX_COMMAND:-uname -a}
say() { echo "demo-linux: $*" >&2; }
die() { say "$*"; exit 1; }

need=()
busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then need+=(busybox-static); fi
command -v cpio >/dev/null || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "missing ${need[*]}: install them (apt-get install ${need[*]})"
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
    busybox=$(command -v busybox)
fi

# The virtio modules in load order (their modules.dep order); the init loads
# them when it finds a virtio PCI device.
modules=(virtio/virtio_ring virtio/virtio virtio/virtio_pci_legacy_dev virtio/virtio_pci_modern_dev
         virtio/virtio_pci block/virtio_blk char/virtio_console)
kernel_cache=$build/linux-kernel
bash tools/linux/debian-kernel.sh "$kernel_cache" "${modules[@]/#/kernel/drivers/}" || die "no kernel"
say "kernel: $(cut -d' ' -f1 "$kernel_cache/package")"

root=$build/linux-initramfs
rm -rf "$root" && mkdir -p "$root/bin"
cp "$busybox" "$root/bin/busybox"
cp tools/linux/init "$root/init" && chmod 755 "$root/init"
mkdir -p "$root/lib/modules" "$root/etc"
for m in "${modules[@]}"; do
    name=$(basename "$m" | tr _ -)
    cp "$kernel_cache/modules/$name.ko" "$root/lib/modules/"
    echo "$name" >> "$root/etc/modules"
done
initrd=$build/linux-initrd.gz
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 > "$initrd"

work=$(mktemp -d)
trap 'rm -rf "$work"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true' EXIT
mkfifo "$work/console-in"
log=$work/console.log
vmm=${OPENHV_LINUX_VMM:-hvrun}
smp=${OPENHV_LINUX_SMP:-1}
mem=${OPENHV_LINUX_MEM:-256}
append="console=ttyS0 quiet panic=-1 rdinit=/init"
virtio=${OPENHV_LINUX_VIRTIO:-0}
disk=$work/disk.img
marker="OPENHV-DISK-MARKER-$$"
case "$vmm" in
    hvrun)
        cmd=("$build/hvrun" -smp "$smp" -m "$mem")
        if [ "$virtio" = 1 ]; then
            printf '%s\n' "$marker" > "$disk"
            truncate -s 1M "$disk"
            cmd+=(-drive "file=$disk,if=virtio,format=raw" -console virtio)
        fi ;;
    qemu-tcg | qemu-kvm)
        command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is not installed"
        cmd=(qemu-system-x86_64 -accel "${vmm#qemu-}" -cpu max -smp "$smp" -m "$mem" -nodefaults -nographic
             -no-reboot -monitor none -serial stdio) ;;
    *) die "OPENHV_LINUX_VMM=$vmm: hvrun, qemu-tcg or qemu-kvm" ;;
esac
[ "$virtio" != 1 ] || [ "$vmm" = hvrun ] || die "OPENHV_LINUX_VIRTIO=1 is for hvrun only"

start=$(date +%s.%N)
# shellcheck disable=SC2086
timeout -k 5 "$timeout_s" "${cmd[@]}" -kernel "$kernel_cache/vmlinuz" -initrd "$initrd" \
    -append "$append" ${HVRUN_ARGS:-} < "$work/console-in" > "$log" 2> "$work/hvrun.err" &
pid=$!
exec 3> "$work/console-in"
tail -f "$log" --pid="$pid" 2>/dev/null | sed -u 's/\r//g' &
# Type only once the shell listens: input sent before would be lost.
while kill -0 "$pid" 2>/dev/null && ! grep -q '^OPENHV-LINUX: shell' "$log"; do sleep 0.2; done
shell_at=$(date +%s.%N)
trap '' PIPE # a guest that already stopped reads nothing
printf '%s\npoweroff -f\n' "$command_line" >&3 2>/dev/null || true
rc=0
wait "$pid" || rc=$?
exec 3>&-
end=$(date +%s.%N)
sleep 0.3
cat "$work/hvrun.err" >&2
grep -q '^OPENHV-LINUX: shell' "$log" || die "the guest never reached its shell (hvrun status $rc)"
[ "$rc" -eq 0 ] || die "$vmm exited with status $rc"
if [ "$command_line" = "uname -a" ]; then
    grep -q '^Linux ' "$log" || die "no output of uname -a"
fi
if [ "$virtio" = 1 ]; then
    grep -q "^OPENHV-LINUX: vda says $marker" "$log" || die "the guest did not read the marker from /dev/vda"
    head -c 1024 "$disk" | tail -c 512 | grep -q '^OPENHV-LINUX-WROTE-THIS' ||
        die "sector 1 of the disk image does not hold what the guest wrote"
    grep -q '^OPENHV-LINUX: shell on hvc0' "$log" || die "the shell did not start on hvc0"
    say "virtio: /dev/vda read and written, shell on hvc0"
fi
say "$(awk -v a="$start" -v b="$shell_at" -v c="$end" 'BEGIN { printf "shell after %.2f s, powered off after %.2f s", b - a, c - a }')"
