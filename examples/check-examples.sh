#!/usr/bin/env bash
# Runs the example guests and small generated guests under hvrun and checks
# their output and exit status.  Prints PASS/FAIL lines (tests/run-tests.sh).
# Usage: BUILD=build bash examples/check-examples.sh
set -u
build=${BUILD:-build}
hvrun=$build/hvrun
ex=$build/examples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

# run NAME STDIN HVRUN-ARGS...: runs hvrun, leaves $tmp/NAME.out/.err/.rc
run() {
    local name=$1 input=$2; shift 2
    local rc=0
    printf '%s' "$input" | timeout 20 "$hvrun" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
    echo "$rc" >"$tmp/$name.rc"
}

# expect NAME STATUS EXPECTED-STDOUT: checks a finished run
expect() {
    local name=$1 status=$2 want=$3
    local rc got
    rc=$(cat "$tmp/$name.rc")
    got=$(cat "$tmp/$name.out")
    if [ "$rc" != "$status" ]; then
        fail "$name" "exit status $rc, expected $status; stderr: $(head -c 400 "$tmp/$name.err")"
    elif [ "$got" != "$want" ]; then
        fail "$name" "stdout '$got', expected '$want'"
    else
        pass "$name"
    fi
}

expect_stderr() {
    local name=$1 pattern=$2
    if grep -q -- "$pattern" "$tmp/$name.err"; then
        pass "$name stderr"
    else
        fail "$name stderr" "no '$pattern' in: $(head -c 400 "$tmp/$name.err")"
    fi
}

# flat NAME BITS CODE: assemble CODE (AT&T, ';'-separated) into $tmp/NAME.bin
flat() {
    printf '.code%s\n%s\n' "$2" "$(echo "$3" | tr ';' '\n')" >"$tmp/$1.s"
    as --64 -o "$tmp/$1.o" "$tmp/$1.s" && objcopy -O binary -j .text "$tmp/$1.o" "$tmp/$1.bin"
}

if [ ! -x "$hvrun" ]; then
    fail "hvrun" "$hvrun was not built"
    exit 1
fi

# --- the example guests ---
run hello "" "$ex/hello.elf"
expect hello 0 "Hello from OpenHV
native MSR LSTAR round trip: ok
IA32_APIC_BASE = 0x00000000fee00900
hypervisor: OpenHVOpenHV
rep outsb from long mode: ok"

# Native MSRs do not exit: the only MSR exit is the IA32_APIC_BASE read.
run hello-stats "" --stats "$ex/hello.elf"
if grep -q 'RDMSR  *1$' "$tmp/hello-stats.err" && ! grep -q 'WRMSR' "$tmp/hello-stats.err"; then
    pass "hello native MSRs without exits"
else
    fail "hello native MSRs without exits" "$(grep -E 'MSR|stats' "$tmp/hello-stats.err" | head -5)"
fi

run realmode "" --mode real "$ex/realmode.bin"
expect realmode 0 "Hello from real mode"

run multiboot-elf "" --cmdline "console=ttyS0 quiet" "$ex/multiboot.elf"
expect multiboot-elf 0 "Hello from multiboot: mem_upper=64512 KiB, cmdline=console=ttyS0 quiet"

run multiboot-aout "" --mem 16 --cmdline kludge "$ex/multiboot-aout.bin"
expect multiboot-aout 0 "Hello from multiboot: mem_upper=15360 KiB, cmdline=kludge"

# A C guest; several vCPUs share the work through atomic adds.
for cpus in 1 4; do
    run "primes-cpus$cpus" "" --cpus "$cpus" "$ex/primes.elf"
    expect "primes-cpus$cpus" 0 "primes below 50000: 5133"
done

# --- exit paths, generated guests (flat, long mode at 0x100000) ---
flat status42 64 'mov $42, %al; out %al, $0xf4'
run exit-port "" "$tmp/status42.bin"
expect exit-port 42 ""

flat halt 64 'mov $0x3f8, %dx; mov $0x68, %al; out %al, %dx; hlt'
run hlt "" "$tmp/halt.bin"
expect hlt 0 "h"

flat rdmsr 64 'mov $0x12345, %ecx; rdmsr; hlt'
run msr-stop "" --msr=stop "$tmp/rdmsr.bin"
expect msr-stop 2 ""
expect_stderr msr-stop "hvrun: unhandled RDMSR 0x12345 at RIP 0x100005"
# The default injects #GP; with no IDT that escalates to a triple fault.
run msr-gp "" "$tmp/rdmsr.bin"
expect msr-gp 4 ""
expect_stderr msr-gp "unhandled RDMSR 0x12345"

flat wrmsr 64 'mov $0x12345, %ecx; mov $7, %eax; mov $1, %edx; wrmsr; hlt'
run wrmsr-stop "" --msr=stop "$tmp/wrmsr.bin"
expect wrmsr-stop 2 ""
expect_stderr wrmsr-stop "hvrun: unhandled WRMSR 0x12345 value 0x100000007 at RIP 0x10000f"

flat ept 64 'mov $0x80000000, %eax; mov (%rax), %eax; hlt'
run ept-violation "" "$tmp/ept.bin"
expect ept-violation 3 ""
expect_stderr ept-violation "EPT violation at GPA 0x80000000"

# EFER through RDMSR/WRMSR exits: set NXE, read it back, exit with EFER's low byte | high bits.
flat efer 64 'mov $0xc0000080, %ecx; rdmsr; or $0x800, %eax; wrmsr; xor %eax, %eax; rdmsr; shr $8, %eax; out %al, $0xf4'
run efer "" "$tmp/efer.bin"
expect efer $(( (0x500 | 0x800) >> 8 )) ""

# CPUID: the hypervisor bit is set; FPU, MMX, FXSR, SSE and SSE2 are
# advertised (an x86-64 kernel requires them all), the local APIC is not
# (no in-kernel controllers for a plain image).
flat cpuid 64 'mov $1, %eax; cpuid; mov %edx, %ebx; shr $31, %ecx; mov %cl, %al; and $0x07800201, %ebx; cmp $0x07800001, %ebx; sete %cl; shl $1, %cl; or %cl, %al; out %al, $0xf4'
run cpuid-features "" --backend emu "$tmp/cpuid.bin"
expect cpuid-features 3 ""

# CPUID vendor: the emulated processor's (openhv_vcpu_cpuid), Intel on any
# host: leaf 0 ECX = "ntel".
flat cpuid-vendor 64 'xor %eax, %eax; cpuid; cmp $0x6c65746e, %ecx; sete %al; out %al, $0xf4'
run cpuid-vendor "" --backend emu "$tmp/cpuid-vendor.bin"
expect cpuid-vendor 1 ""

# SSE2 after the guest sets CR4.OSFXSR: (3 + 3)^2 through the emulator.
flat sse2 64 'mov %cr4, %rax; or $0x600, %rax; mov %rax, %cr4; mov $3, %eax; cvtsi2sd %eax, %xmm0; addsd %xmm0, %xmm0; mulsd %xmm0, %xmm0; cvtsd2si %xmm0, %eax; out %al, $0xf4'
run sse2-arith "" --backend emu "$tmp/sse2.bin"
expect sse2-arith 36 ""

# UART input: wait for LSR.DR, read RBR, exit with the byte.
flat uart-in 64 'mov $0x3fd, %dx; 1: in %dx, %al; test $1, %al; jz 1b; mov $0x3f8, %dx; in %dx, %al; out %al, $0xf4'
run uart-input "A" "$tmp/uart-in.bin"
expect uart-input 65 ""

# Unclaimed ports read as all-ones.
flat unclaimed 64 'mov $0x1234, %dx; in %dx, %eax; cmp $0xffffffff, %eax; sete %al; out %al, $0xf4'
run unclaimed-port "" "$tmp/unclaimed.bin"
expect unclaimed-port 1 ""

# Two vCPUs: each prints its index (RDI) and halts; all halted = status 0.
flat smp 64 'mov %edi, %eax; add $0x30, %al; mov $0x3f8, %dx; out %al, %dx; hlt'
run smp "" --cpus 2 "$tmp/smp.bin"
case "$(cat "$tmp/smp.out")" in
01 | 10) expect smp 0 "$(cat "$tmp/smp.out")" ;;
*) fail smp "stdout '$(cat "$tmp/smp.out")', expected 01 or 10" ;;
esac

# Real-mode flat image at a chosen load address.
flat real16 16 'mov $0x3f8, %dx; mov $0x72, %al; out %al, %dx; mov $5, %al; out %al, $0xf4'
run real-load "" --mode real --load 0x500 "$tmp/real16.bin"
expect real-load 5 "r"

# String output through every paging mode guest_mode sets up: hvrun finds
# the bytes by walking the guest's page tables (or none).
flat outs32 32 'call 1f; 1: pop %esi; add $(msg - 1b), %esi; mov $(end - msg), %ecx; mov $0x3f8, %dx; cld; rep outsb; mov $9, %al; out %al, $0xf4; msg: .ascii "outs"; end:'
for mode in prot32 paged32 pae32; do
    run "outs-$mode" "" --mode "$mode" "$tmp/outs32.bin"
    expect "outs-$mode" 9 "outs"
done
flat outs16 16 'call 1f; 1: pop %si; add $(msg - 1b), %si; mov $(end - msg), %cx; mov $0x3f8, %dx; cld; rep outsb; mov $9, %al; out %al, $0xf4; msg: .ascii "outs"; end:'
run outs-prot16 "" --mode prot16 --load 0x3000 "$tmp/outs16.bin"
expect outs-prot16 9 "outs"

# Clearing CR0.NE hits the CR0 guest/host mask: a MOV-CR exit, after which
# the guest reads back the value it wrote (NE clear, from the read shadow).
flat cr0-ne 64 'mov %cr0, %rax; and $~0x20, %rax; mov %rax, %cr0; mov %cr0, %rax; test $0x20, %al; setz %al; add $0x10, %al; out %al, $0xf4'
run mov-cr0 "" "$tmp/cr0-ne.bin"
expect mov-cr0 17 ""

# From 32-bit protected mode into long mode by the guest itself: its own
# page tables, EFER.LME through a WRMSR exit, CR0.PG, a far jump to hvrun's
# 64-bit code selector; then EFER.LMA must read as set.
flat to-long 32 'start: movl $0x201003, 0x200000; movl $0x202003, 0x201000; movl $0x83, 0x202000; mov $0x200000, %eax; mov %eax, %cr3; mov %cr4, %eax; or $0x20, %eax; mov %eax, %cr4; mov $0xc0000080, %ecx; rdmsr; or $0x100, %eax; wrmsr; mov %cr0, %eax; or $0x80000000, %eax; mov %eax, %cr0; ljmp $0x08, $(0x100000 + lm - start); .code64; lm: mov $0xc0000080, %ecx; rdmsr; shr $10, %eax; and $1, %eax; add $0x40, %al; out %al, $0xf4'
run prot32-to-long64 "" --mode prot32 "$tmp/to-long.bin"
expect prot32-to-long64 65 ""

# REP INSB: unclaimed ports read all-ones into memory, RDI advances.
flat insb 64 'lea buf(%rip), %rdi; mov %rdi, %rbx; mov $4, %ecx; mov $0x1234, %dx; cld; rep insb; sub %rbx, %rdi; cmp $4, %rdi; sete %cl; shl $1, %cl; cmpl $0xffffffff, buf(%rip); sete %al; or %cl, %al; out %al, $0xf4; buf: .long 0'
run rep-insb "" "$tmp/insb.bin"
expect rep-insb 3 ""

# A REP longer than hvrun's 4096-element chunk: the instruction is
# re-executed until RCX is 0, and RSI ends past the whole buffer.
flat long-rep 64 'mov $0x200000, %rsi; mov %rsi, %rbx; mov $5000, %ecx; mov $0x80, %dx; cld; rep outsb; sub %rbx, %rsi; cmp $5000, %rsi; sete %al; test %rcx, %rcx; sete %cl; shl $1, %cl; or %cl, %al; out %al, $0xf4'
run long-rep "" --stats "$tmp/long-rep.bin"
expect long-rep 3 ""
expect_stderr long-rep "IO  *3$"

# A write to the exit port stops every vCPU, including ones spinning forever.
flat spin 64 'test %edi, %edi; jnz 1f; mov $7, %al; out %al, $0xf4; 1: jmp 1b'
run smp-exit "" --cpus 3 "$tmp/spin.bin"
expect smp-exit 7 ""

flat trace 64 'mov $0x3f8, %dx; mov $0x74, %al; out %al, %dx; hlt'
run trace "" --trace "$tmp/trace.bin"
expect trace 0 "t"
expect_stderr trace "IO rip 0x100006"

# --backend sets OPENHV_BACKEND and hvrun names the backend that ran.
run backend-emu "" --backend emu "$tmp/halt.bin"
expect backend-emu 0 "h"
expect_stderr backend-emu "hvrun: backend emu"
run backend-bogus "" --backend bogus "$tmp/halt.bin"
expect backend-bogus 1 ""
expect_stderr backend-bogus "hv_vm_create failed"

# --- usage errors ---
run missing-image "" "$tmp/does-not-exist"
expect missing-image 1 ""
run bad-cpus "" --cpus 0 "$ex/hello.elf"
expect bad-cpus 1 ""
run reserved-load "" --load 0x60000 "$tmp/halt.bin"
expect reserved-load 1 ""

[ "$failures" -eq 0 ]
