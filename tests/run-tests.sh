#!/usr/bin/env bash
# Runs the test lists the Makefile passes in the environment:
#   TEST_PROGS         programs, run once
#   TEST_SCRIPTS       shell scripts, run once (with bash)
#   CONFORMANCE_PROGS  programs, run with OPENHV_BACKEND=emu, kvm and (where
#                      /dev/kvm is usable) auto, and once more on emu with
#                      OPENHV_EMU_ENGINE=step (the reference engine alone);
#                      the lockstep test runs once more with
#                      OPENHV_EMU_ENGINE=block (blocks without the translator)
#   RUN_TESTS_FILTER   optional: only entries whose file name contains it
#   TEST_TIMEOUT       seconds per run (default 60)
# Each run prints "PASS x", "FAIL x: why" or "SKIP x: why" lines.  A run that
# crashes, times out, or exits non-zero without a FAIL line counts as one
# failure; a run that exits 0 without any result line counts as one pass.
# Ends with "N passed, M failed, K skipped"; exit status 1 if M > 0.
set -u

timeout_s=${TEST_TIMEOUT:-60}
filter=${RUN_TESTS_FILTER:-}
passed=0 failed=0 skipped=0
failures=() skips=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run_one LABEL COMMAND...
run_one() {
    local label=$1; shift
    local target
    for target in "$@"; do :; done          # the program or script: last argument
    if [ ! -e "$target" ]; then
        failed=$((failed + 1))
        failures+=("[$label] not built")
        printf '%-60s %s\n' "$label" "FAILED (not built)"
        return
    fi
    local rc=0
    timeout -k 5 "$timeout_s" "$@" >"$log" 2>&1 || rc=$?
    local p f s
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    s=$(grep -c '^SKIP ' "$log")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    while IFS= read -r line; do failures+=("[$label] ${line#FAIL }"); done < <(grep '^FAIL ' "$log")
    # Skips that share a reason (a backend that is absent) are listed once.
    while IFS= read -r line; do skips+=("[$label] $line"); done < <(
        grep '^SKIP ' "$log" | sed 's/^SKIP //' | awk '
            { name = $0; sub(/: .*/, "", name); reason = substr($0, length(name) + 3)
              if (!(reason in count)) { order[++n] = reason; first[reason] = name }
              count[reason]++ }
            END { for (i = 1; i <= n; i++) { r = order[i]
                      if (count[r] > 1) print count[r] " cases: " r; else print first[r] ": " r } }')

    local why=""
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        why="timed out after ${timeout_s}s"
    elif [ "$rc" -gt 128 ]; then
        why="killed by signal $((rc - 128))"
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        why="exit status $rc without a FAIL line"
    fi
    if [ -n "$why" ]; then
        # Conformance programs print "RUN <case>" first: name the case that died.
        local last_run
        last_run=$(grep '^RUN ' "$log" | tail -n 1 | sed 's/^RUN //')
        if [ -n "$last_run" ] && ! grep -q "^\(PASS\|FAIL\|SKIP\) $last_run\(:\|$\)" "$log"; then
            why="$why, in case $last_run"
        fi
        failed=$((failed + 1))
        failures+=("[$label] $why")
    elif [ "$rc" -eq 0 ] && [ $((p + f + s)) -eq 0 ]; then
        passed=$((passed + 1))
    fi
    local verdict=ok
    if [ -n "$why" ] || [ "$f" -gt 0 ]; then verdict=FAILED; fi
    printf '%-60s %s (%d pass, %d fail, %d skip)\n' "$label" "$verdict" "$p" "$f" "$s"
    if [ "$verdict" = FAILED ]; then
        # The end of the output helps with crashes (sanitizer reports, asserts).
        grep -v '^\(PASS\|RUN\) ' "$log" | tail -n 25 | sed 's/^/    | /'
    fi
}

selected() {
    [ -z "$filter" ] && return 0
    case "$(basename "$1")" in *"$filter"*) return 0 ;; esac
    return 1
}

for prog in ${TEST_PROGS:-}; do
    selected "$prog" || continue
    run_one "$prog" "$prog"
    # The block engine without its translator to host code, against the
    # reference too.
    case "$prog" in
        */test_emu_lockstep) run_one "$prog (block engine, no translator)" env OPENHV_EMU_ENGINE=block "$prog" ;;
    esac
done
for script in ${TEST_SCRIPTS:-}; do
    selected "$script" || continue
    run_one "$script" bash "$script"
done
# Where /dev/kvm can be used, a third run with auto: kvm with the emulator
# taking over what KVM cannot do.
conformance_backends="emu kvm"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    conformance_backends="emu kvm auto"
fi
for prog in ${CONFORMANCE_PROGS:-}; do
    selected "$prog" || continue
    for backend in $conformance_backends; do
        run_one "$prog ($backend)" env OPENHV_BACKEND=$backend "$prog"
    done
    run_one "$prog (emu, step path)" env OPENHV_BACKEND=emu OPENHV_EMU_ENGINE=step "$prog"
done

if [ ${#skips[@]} -gt 0 ]; then
    echo
    echo "Skipped:"
    printf '  %s\n' "${skips[@]}"
fi
if [ ${#failures[@]} -gt 0 ]; then
    echo
    echo "Failed:"
    printf '  %s\n' "${failures[@]}"
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
