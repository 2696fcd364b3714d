#!/usr/bin/env bash
# hvrun's virtio devices driven by small long-mode guests assembled here:
# well-formed block requests (read, write, a read-only drive, a sector
# past the end), console output and input, and malformed virtqueues (a descriptor
# loop, buffers outside RAM, a huge length, indices outside the ring, a
# ring outside RAM).  A malformed queue must leave hvrun running, report
# the driver's error on stderr and set DEVICE_NEEDS_RESET, which the guest
# returns as its exit status.
# Prints PASS/FAIL lines (tests/run-tests.sh).  Usage: BUILD=build bash tools/hvrun/check-virtio.sh
set -u
build=${BUILD:-build}
hvrun=$build/hvrun
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

if [ ! -x "$hvrun" ]; then
    fail "hvrun" "$hvrun was not built"
    exit 1
fi

# Guest layout: the queue at 0x200000 (PFN 0x200; 256 entries: descriptors,
# the available ring at 0x201000, the used ring at 0x202000), the request
# header at 0x300000, data at 0x301000, the status byte at 0x302000.
# guest NAME PFN AVAIL_IDX HEAD DESCRIPTORS: DESCRIPTORS is assembly that
# fills the table (desc N at 0x200000 + 16 * N: addr, len, flags, next) and
# the request.  The guest finds BAR 0 of 00:01.0 through 0xcf8/0xcfc, sets
# the device up (queue $QUEUE, default 0), posts HEAD, notifies, polls the
# used index up to $WAIT times (default 0: the device answers at once), prints the status byte and the first
# data bytes, and exits with the device status (0x47 = ACKNOWLEDGE | DRIVER |
# DRIVER_OK | DEVICE_NEEDS_RESET; 0x07 when the device is fine).
guest() {
    cat >"$tmp/$1.s" <<EOF
.code64
    movb \$0xff, 0x302000
    mov \$0xcf8, %dx; mov \$0x80000810, %eax; out %eax, %dx
    mov \$0xcfc, %dx; in %dx, %eax; and \$0xfffc, %eax; mov %eax, %ebx
    lea 0x12(%rbx), %edx; xor %eax, %eax; out %al, %dx; mov \$3, %al; out %al, %dx
    lea 0xe(%rbx), %edx; mov \$${QUEUE:-0}, %eax; out %ax, %dx
    lea 0xc(%rbx), %edx; in %dx, %ax; cmp \$256, %ax; jne bad
    $5
    lea 0x8(%rbx), %edx; mov \$$2, %eax; out %eax, %dx
    lea 0x12(%rbx), %edx; in %dx, %al; or \$4, %al; out %al, %dx
    movw \$0, 0x201000; movw \$$4, 0x201004; movw \$$3, 0x201002
    lea 0x10(%rbx), %edx; mov \$${QUEUE:-0}, %eax; out %ax, %dx
    mov \$${WAIT:-0}, %rcx
wait:
    test %rcx, %rcx; jz waited; cmpw \$0, 0x202002; jne waited; dec %rcx; jmp wait
waited:
    mov \$0x3f8, %dx
    movzbl 0x302000, %eax; add \$0x30, %al; out %al, %dx
    mov \$0x20, %al; out %al, %dx
    mov \$0x301000, %rsi; mov \$8, %ecx; rep outsb
    lea 0x12(%rbx), %edx; in %dx, %al; out %al, \$0xf4
bad:
    mov \$0xee, %al; out %al, \$0xf4
EOF
    as --64 -o "$tmp/$1.o" "$tmp/$1.s" && objcopy -O binary -j .text "$tmp/$1.o" "$tmp/$1.bin"
}

# desc N ADDR LEN FLAGS NEXT
desc() {
    local at=$((0x200000 + 16 * $1))
    printf 'movl $%s, %s; movl $%s, %s; movl $%s, %s; movw $%s, %s; movw $%s, %s;' \
        "$(($2 & 0xffffffff))" "$at" "$((($2 >> 32) & 0xffffffff))" "$((at + 4))" "$3" "$((at + 8))" \
        "$4" "$((at + 12))" "$5" "$((at + 14))"
}
NEXT=1 WRITE=2
# A request: the header's type and sector, then a 512-byte data buffer and the status byte.
request() {
    printf 'movl $%s, 0x300000; movl $%s, 0x300008; movl $0, 0x30000c;' "$1" "$2"
    desc 0 0x300000 16 $NEXT 1
    desc 1 0x301000 512 $(($3 | NEXT)) 2
    desc 2 0x302000 1 $WRITE 0
}

# run NAME GUEST HVRUN-OPTIONS...: hvrun on $tmp/GUEST.bin; $tmp/NAME.{out,err,rc}
run() {
    local name=$1 bin=$tmp/$2.bin rc=0; shift 2
    timeout 20 "$hvrun" "$@" "$bin" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null || rc=$?
    echo "$rc" >"$tmp/$name.rc"
}

# expect NAME STATUS STDOUT [STDERR-PATTERN]
expect() {
    local rc out
    rc=$(cat "$tmp/$1.rc")
    out=$(tr -d '\0' <"$tmp/$1.out")
    if [ "$rc" != "$2" ]; then
        fail "$1" "exit status $rc, expected $2; stdout '$out'; stderr: $(head -c 400 "$tmp/$1.err")"
    elif [ "$out" != "$3" ]; then
        fail "$1" "stdout '$out', expected '$3'"
    elif [ -n "${4:-}" ] && ! grep -q -- "$4" "$tmp/$1.err"; then
        fail "$1" "no '$4' on stderr: $(head -c 400 "$tmp/$1.err")"
    elif [ -z "${4:-}" ] && [ -s "$tmp/$1.err" ]; then
        fail "$1" "unexpected stderr: $(head -c 400 "$tmp/$1.err")"
    else
        pass "$1"
    fi
}

disk=$tmp/disk.img
printf 'HVRUN-S0' >"$disk"
truncate -s 4096 "$disk"
printf 'HVRUN-S1' | dd of="$disk" bs=512 seek=1 conv=notrunc status=none

# --- well-formed requests ---
guest read 0x200 1 0 "$(request 0 1 $WRITE)"
run read read -drive "file=$disk"
expect read 7 "0 HVRUN-S1"

guest write 0x200 1 0 "movabs \$0x4e45545449525721, %rax; mov %rax, 0x301000; $(request 1 2 0)"
run write write -drive "file=$disk"
if [ "$(dd if="$disk" bs=512 skip=2 count=1 status=none | head -c 8)" = '!WRITTEN' ]; then
    expect write 7 "0 !WRITTEN"
else
    fail write "sector 2 of the image does not hold what the guest wrote"
fi

run write-readonly write -disk "$disk,ro"
expect write-readonly 7 "1 !WRITTEN"

guest past-end 0x200 1 0 "$(request 0 8 $WRITE)"
run past-end past-end -drive "file=$disk,readonly=on"
expect past-end 7 "1 "

guest get-id 0x200 1 0 "$(request 8 0 $WRITE)"
run get-id get-id -drive "file=$disk"
expect get-id 7 "0 hvrun-vd"

# The console's transmit queue (1) goes to stdout.
QUEUE=1 guest console-tx 0x200 1 0 "movabs \$0x21656c6f736e6f63, %rax; mov %rax, 0x301000; $(desc 0 0x301000 8 0 0)"
run console-tx console-tx -console virtio
expect console-tx 7 "console!/ console!"

# Its receive queue (0) gets stdin, from the device's own thread.
QUEUE=0 WAIT=4000000000 guest console-rx 0x200 1 0 "$(desc 0 0x301000 8 $WRITE 0)"
rc=0
printf 'typed' | timeout 20 "$hvrun" -console virtio "$tmp/console-rx.bin" >"$tmp/console-rx.out" 2>"$tmp/console-rx.err" || rc=$?
echo "$rc" >"$tmp/console-rx.rc"
expect console-rx 7 "/ typed"

# --- malformed queues: the device stops, hvrun does not ---
guest loop 0x200 1 0 "$(desc 0 0x300000 16 $NEXT 1) $(desc 1 0x300000 16 $NEXT 0)"
run loop loop -drive "file=$disk"
expect loop 71 "/ " "loops"

guest outside-ram 0x200 1 0 "$(desc 0 0x100000000 16 0 0)"
run outside-ram outside-ram -drive "file=$disk"
expect outside-ram 71 "/ " "buffer 0x100000000+0x10 is not in guest RAM"

guest huge-length 0x200 1 0 "$(desc 0 0x300000 0xffffffff 0 0)"
run huge-length huge-length -drive "file=$disk"
expect huge-length 71 "/ " "buffer 0x300000+0xffffffff is not in guest RAM"

guest wrapping-address 0x200 1 0 "$(desc 0 0xfffffffffffff000 0x2000 0 0)"
run wrapping-address wrapping-address -drive "file=$disk"
expect wrapping-address 71 "/ " "is not in guest RAM"

guest head-outside 0x200 1 300 "$(request 0 0 $WRITE)"
run head-outside head-outside -drive "file=$disk"
expect head-outside 71 "/ " "names descriptor 300"

guest next-outside 0x200 1 0 "$(desc 0 0x300000 16 $NEXT 999)"
run next-outside next-outside -drive "file=$disk"
expect next-outside 71 "/ " "next 999 is outside the table"

guest avail-ahead 0x200 1000 0 "$(request 0 0 $WRITE)"
run avail-ahead avail-ahead -drive "file=$disk"
expect avail-ahead 71 "/ " "ahead"

guest indirect 0x200 1 0 "$(desc 0 0x300000 16 4 0)"
run indirect indirect -drive "file=$disk"
expect indirect 71 "/ " "indirect"

guest readable-after-writable 0x200 1 0 "$(desc 0 0x301000 16 $((WRITE | NEXT)) 1) $(desc 1 0x300000 16 0 0)"
run readable-after-writable readable-after-writable -drive "file=$disk"
expect readable-after-writable 71 "/ " "readable buffer after a writable one"

guest ring-outside-ram 0xfffff 1 0 ""
run ring-outside-ram ring-outside-ram -drive "file=$disk"
expect ring-outside-ram 71 "/ " "is not in guest RAM"

# A reset brings a stopped device back: the loop again, then a reset, the
# queue set up anew and a good read.
first_round="$(desc 0 0x300000 16 $NEXT 1) $(desc 1 0x300000 16 $NEXT 0)
    lea 0x8(%rbx), %edx; mov \$0x200, %eax; out %eax, %dx
    lea 0x12(%rbx), %edx; mov \$7, %al; out %al, %dx
    movw \$0, 0x201000; movw \$0, 0x201004; movw \$1, 0x201002
    lea 0x10(%rbx), %edx; xor %eax, %eax; out %ax, %dx
    lea 0x12(%rbx), %edx; in %dx, %al; cmp \$0x47, %al; jne bad
    xor %eax, %eax; out %al, %dx; in %dx, %al; test %al, %al; jnz bad; mov \$3, %al; out %al, %dx
    lea 0xe(%rbx), %edx; xor %eax, %eax; out %ax, %dx"
guest reset-recovers 0x200 1 0 "$first_round; $(request 0 1 $WRITE)"
run reset-recovers reset-recovers -drive "file=$disk"
expect reset-recovers 7 "0 HVRUN-S1" "loops"

# --- options ---
run no-file read -drive "file=$tmp/missing.img"
expect no-file 1 "" "missing.img"
run bad-drive read -drive "if=virtio"
expect bad-drive 1 "" "invalid value"

[ "$failures" -eq 0 ]
