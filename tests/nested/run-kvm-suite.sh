#!/usr/bin/env bash
# Runs the KVM suite with tests/run-tests.sh, once per backend setting, and
# adds up the results.  Used by `make check-kvm` on a KVM host and by the
# nested guest's /init (tests/nested/init), so both count the same way.
#   KVM_PROGS    programs run with OPENHV_BACKEND=kvm
#   AUTO_PROGS   programs run again with OPENHV_BACKEND=kvm+emu (the
#                emulator's help; what auto gives where KVM is native, and
#                KVM even where auto would take the emulator, as on a PVM
#                host), and once more with OPENHV_KVM_EXACT=1 as well
#                (exits as VMX gives them, the emulator wherever KVM cannot)
#   KVM_SCRIPTS  scripts run with OPENHV_BACKEND=kvm (optional)
#   RUN_TESTS    path of tests/run-tests.sh
# Ends with "N passed, M failed, K skipped" over all passes; exit 1 if M > 0.
set -u

total_p=0 total_f=0 total_s=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# run_pass BACKEND EXACT PROGRAMS SCRIPTS
run_pass() {
    local backend=$1 exact=$2 progs=$3 scripts=$4
    [ -n "$progs$scripts" ] || return 0
    echo "== OPENHV_BACKEND=$backend${exact:+ OPENHV_KVM_EXACT=$exact}"
    OPENHV_BACKEND=$backend OPENHV_KVM_EXACT=$exact TEST_PROGS="$progs" TEST_SCRIPTS="$scripts" \
        CONFORMANCE_PROGS='' bash "${RUN_TESTS:-tests/run-tests.sh}" 2>&1 | tee "$out"
    local line
    line=$(tr -d '\r' < "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -n 1)
    if [ -z "$line" ]; then
        echo "run-kvm-suite: the OPENHV_BACKEND=$backend pass printed no summary"
        total_f=$((total_f + 1))
        return
    fi
    set -- $line
    total_p=$((total_p + $1)); total_f=$((total_f + $3)); total_s=$((total_s + $5))
    echo
}

run_pass kvm "" "${KVM_PROGS:-}" "${KVM_SCRIPTS:-}"
run_pass kvm+emu "" "${AUTO_PROGS:-}" ""
run_pass kvm+emu 1 "${AUTO_PROGS:-}" ""
echo "== KVM suite, all passes"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
