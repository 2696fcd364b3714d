# The kvm backend's proof (see docs/notes/kvm-proof.md).
#
#   make check-kvm         on a KVM host: the KVM suite and the kvm benchmark
#   make check-kvm-nested  anywhere: the same suite, statically linked, inside
#                          a Linux guest under QEMU's software CPU whose
#                          nested SVM gives the guest kernel's kvm_amd a
#                          /dev/kvm (tests/nested/run-nested.sh)
#
# The KVM suite is every program that drives a backend through the API: the
# conformance suite, tests/api, and whatever tests/kvm adds to TEST_PROGS or
# CONFORMANCE_PROGS.  All of it runs with OPENHV_BACKEND=kvm; the
# conformance suite runs again with OPENHV_BACKEND=kvm+emu (kvm where it
# can, the emulator where KVM cannot honour a configuration; what auto
# gives on a native KVM host), and a third time with OPENHV_KVM_EXACT=1
# (no configuration served by KVM's own means: every exit as VMX gives it).
# Lists are complete only after every build.mk is read: `=` and `$$`.

.SECONDEXPANSION:
.PHONY: check-kvm check-kvm-nested check-linux-kvm-nested nested-programs nested-lists

NESTED_BUILD  ?= build-nested
NESTED_KERNEL ?= $(BUILD)/nested-kernel

# First occurrence of each word, in order.
nested_uniq = $(if $1,$(firstword $1) $(call nested_uniq,$(filter-out $(firstword $1),$1)))
nested_is_kvm = $(foreach p,$1,$(if $(findstring /kvm/,$(p))$(findstring kvm,$(notdir $(p))),$(p)))

KVM_SUITE_KVM_PROGS = $(call nested_uniq,$(CONFORMANCE_PROGS) \
	$(filter $(TESTS_BIN)/test_api_%,$(TEST_PROGS)) $(call nested_is_kvm,$(TEST_PROGS)))
KVM_SUITE_AUTO_PROGS = $(CONFORMANCE_PROGS)
KVM_SUITE_SCRIPTS = $(call nested_is_kvm,$(TEST_SCRIPTS))
KVM_BENCH = $(BENCH_OUT)/kvm_exit $(KVM_EXIT_GUESTS)

RUN_KVM_SUITE = KVM_PROGS="$(KVM_SUITE_KVM_PROGS)" AUTO_PROGS="$(KVM_SUITE_AUTO_PROGS)" \
	KVM_SCRIPTS="$(KVM_SUITE_SCRIPTS)" OPENHV_GUEST_DIR="$(abspath $(GUEST_OUT))" \
	RUN_TESTS=tests/run-tests.sh bash tests/nested/run-kvm-suite.sh

check-kvm:
	+@$(BUILD_FOR_CHECK)
	@if [ ! -c /dev/kvm ]; then \
	    echo "check-kvm: /dev/kvm is absent: this target needs a KVM host (try make check-kvm-nested)"; \
	    exit 1; fi
	@echo "== bench: $(BENCH_OUT)/kvm_exit"
	@$(BENCH_OUT)/kvm_exit
	@echo
	+@$(RUN_KVM_SUITE)

# Statically linked programs in their own tree; a program that fails to
# build is absent from it and counts as a failure ("not built") in the guest.
check-kvm-nested:
	+@$(MAKE) --no-print-directory -k BUILD=$(NESTED_BUILD) LDFLAGS=-static nested-programs || \
	    echo "check-kvm-nested: some programs failed to build; they fail as 'not built'"
	+@$(MAKE) --no-print-directory BUILD=$(NESTED_BUILD) nested-lists
	@NESTED_BUILD=$(NESTED_BUILD) NESTED_KERNEL=$(NESTED_KERNEL) bash tests/nested/run-nested.sh

# Debian's kernel under hvrun (statically linked) on the nested guest's KVM,
# HV_VM_ACCEL_APIC on KVM's split irqchip, to its shell and power-off
# (tests/nested/linux-on-kvm.sh).  About a minute.
check-linux-kvm-nested:
	+@$(MAKE) --no-print-directory BUILD=$(NESTED_BUILD) LDFLAGS=-static $(NESTED_BUILD)/hvrun
	@OPENHV_NESTED_LINUX=1 OPENHV_NESTED_TEST_TIMEOUT=$${OPENHV_NESTED_TEST_TIMEOUT:-600} \
	    NESTED_BUILD=$(NESTED_BUILD) NESTED_KERNEL=$(NESTED_KERNEL) bash tests/nested/run-nested.sh

nested-programs: $$(KVM_SUITE_KVM_PROGS) $(GUEST_BINS) $(GUEST_SYMS) $$(KVM_BENCH)

nested-lists:
	@mkdir -p $(BUILD)
	@printf '%s\n' $(KVM_SUITE_KVM_PROGS) > $(BUILD)/kvm-suite-kvm.list
	@printf '%s\n' $(KVM_SUITE_AUTO_PROGS) > $(BUILD)/kvm-suite-auto.list
