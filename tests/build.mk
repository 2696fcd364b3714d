# Test build: header tests, API/unit programs, guest blobs, the conformance
# suite, and the check targets.  See docs/notes/tests.md.
#
# Lists (other build.mk files append with +=, never assign):
#   TEST_PROGS         programs run once
#   TEST_SCRIPTS       shell scripts run once
#   CONFORMANCE_PROGS  programs run once per backend (OPENHV_BACKEND=emu, kvm)
# Those lists are complete only after every build.mk is read, so the check
# rules expand them a second time ($$) at the point make needs them.

.SECONDEXPANSION:
.PHONY: tests check check-asan check-tsan check-threads

TESTS_BIN := $(BUILD)/tests
GUEST_OUT := $(BUILD)/guests
CLANG     := $(shell command -v clang 2>/dev/null)
CLANGXX   := $(shell command -v clang++ 2>/dev/null)

# --- (a) header tests: each source is its own program, built strictly ---
HDR_C   := $(wildcard tests/headers/*.c)
HDR_CXX := $(wildcard tests/headers/*.cpp)
HDR_PROGS := $(HDR_C:tests/headers/%.c=$(TESTS_BIN)/headers/%) \
             $(HDR_CXX:tests/headers/%.cpp=$(TESTS_BIN)/headers/%-cxx)
# clang is tried too, but not with sanitizers: its runtime differs from gcc's.
ifneq ($(CLANG),)
ifeq ($(SAN),)
HDR_PROGS += $(HDR_C:tests/headers/%.c=$(TESTS_BIN)/headers/%-clang)
ifneq ($(CLANGXX),)
HDR_PROGS += $(HDR_CXX:tests/headers/%.cpp=$(TESTS_BIN)/headers/%-clangxx)
endif
endif
endif
TEST_PROGS += $(HDR_PROGS)

HDR_CFLAGS := -std=c17 -Wall -Wextra -Werror -Iinclude

$(TESTS_BIN)/headers/%: tests/headers/%.c tests/headers/constants.inc $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(HDR_CFLAGS) $< -o $@ $(LIB_A) $(ALL_LDFLAGS)

$(TESTS_BIN)/headers/%-cxx: tests/headers/%.cpp tests/headers/constants.inc $(LIB_A)
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) $< -o $@ $(LIB_A) $(ALL_LDFLAGS)

$(TESTS_BIN)/headers/%-clang: tests/headers/%.c tests/headers/constants.inc $(LIB_A)
	@mkdir -p $(dir $@)
	$(CLANG) $(HDR_CFLAGS) $< -o $@ $(LIB_A) $(ALL_LDFLAGS)

$(TESTS_BIN)/headers/%-clangxx: tests/headers/%.cpp tests/headers/constants.inc $(LIB_A)
	@mkdir -p $(dir $@)
	$(CLANGXX) -std=c++17 -Wall -Wextra -Werror -Iinclude $< -o $@ $(LIB_A) $(ALL_LDFLAGS)

# --- (b) API and unit tests: one program per source, may use src/ internals ---
API_UNIT_SRCS := $(wildcard tests/api/*.c tests/unit/*.c)
API_UNIT_PROGS := $(foreach s,$(API_UNIT_SRCS),$(TESTS_BIN)/$(basename $(notdir $(s))))
TEST_PROGS += $(API_UNIT_PROGS)

$(BUILD)/obj/tests/api/%.o $(BUILD)/obj/tests/unit/%.o: ALL_CFLAGS += -Isrc

$(TESTS_BIN)/%: $(BUILD)/obj/tests/api/%.o $(LIB_INTERNAL_A)
	@mkdir -p $(dir $@)
	$(CC) $< -o $@ $(LIB_INTERNAL_A) $(ALL_LDFLAGS)

$(TESTS_BIN)/%: $(BUILD)/obj/tests/unit/%.o $(LIB_INTERNAL_A)
	@mkdir -p $(dir $@)
	$(CC) $< -o $@ $(LIB_INTERNAL_A) $(ALL_LDFLAGS)

# --- (c) guests: GNU as sources -> flat binaries linked at GUEST_LOAD ---
# Every blob is linked at 0x1000 (GUEST_LOAD in tests/guests/layout.h) and
# loaded there by the harness; <name>.sym lists its symbols so tests can
# start at any label.
GUEST_LOAD_ADDR := 0x1000
GUEST_LDFLAGS := $(shell ld --help 2>/dev/null | grep -q no-warn-rwx-segments && echo --no-warn-rwx-segments)
GUEST_SRCS := $(wildcard tests/guests/*.S)
GUEST_BINS := $(GUEST_SRCS:tests/guests/%.S=$(GUEST_OUT)/%.bin)
GUEST_SYMS := $(GUEST_SRCS:tests/guests/%.S=$(GUEST_OUT)/%.sym)

$(GUEST_OUT)/%.o: tests/guests/%.S tests/guests/layout.h tests/guests/idt64.inc tests/guests/apic.h
	@mkdir -p $(dir $@)
	$(CC) -c -nostdlib -ffreestanding -Itests/guests $< -o $@

$(GUEST_OUT)/%.elf: $(GUEST_OUT)/%.o
	ld $(GUEST_LDFLAGS) -nostdlib -N -e 0 -Ttext=$(GUEST_LOAD_ADDR) $< -o $@

$(GUEST_OUT)/%.bin: $(GUEST_OUT)/%.elf
	objcopy -O binary -j .text $< $@

$(GUEST_OUT)/%.sym: $(GUEST_OUT)/%.elf
	nm --defined-only $< > $@

.PRECIOUS: $(GUEST_OUT)/%.o $(GUEST_OUT)/%.elf

# --- (d) conformance suite: public API only, run once per backend ---
CONF_SRCS := $(wildcard tests/conformance/*.c)
CONF_LIB_SRCS := $(wildcard tests/lib/*.c) tools/common/guest_mode.c tools/common/hv_names.c
CONF_LIB_OBJS := $(CONF_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CONFORMANCE_PROGS += $(CONF_SRCS:tests/conformance/%.c=$(TESTS_BIN)/conformance/%)

$(BUILD)/obj/tests/lib/%.o: ALL_CFLAGS += -DGUEST_DIR='"$(abspath $(GUEST_OUT))"'
$(BUILD)/obj/tests/conformance/%.o: ALL_CFLAGS += -Itests/lib

$(TESTS_BIN)/conformance/%: $(BUILD)/obj/tests/conformance/%.o $(CONF_LIB_OBJS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $< $(CONF_LIB_OBJS) -o $@ $(LIB_A) $(ALL_LDFLAGS)

# --- (e) running ---
all: tests
tests: lib $$(TEST_PROGS) $$(CONFORMANCE_PROGS) $(GUEST_BINS) $(GUEST_SYMS)

RUN_TESTS = TEST_PROGS="$(TEST_PROGS)" TEST_SCRIPTS="$(TEST_SCRIPTS)" \
	CONFORMANCE_PROGS="$(CONFORMANCE_PROGS)" OPENHV_GUEST_DIR="$(abspath $(GUEST_OUT))" \
	BUILD="$(BUILD)" bash tests/run-tests.sh

# Build with -k, then run what exists: a program that failed to build counts
# as one failure ("not built") instead of hiding every other result.
# `+`: the sub-make, and scripts that run make, need the jobserver.
BUILD_FOR_CHECK = $(MAKE) -k all tests || echo "check: some targets failed to build (see above); their tests fail as 'not built'"

check:
	+@$(BUILD_FOR_CHECK)
	+@$(RUN_TESTS)

# Sanitizer builds live in their own build directories.
check-asan:
	$(MAKE) BUILD=build-asan SAN=address,undefined check

check-tsan:
	$(MAKE) BUILD=build-tsan SAN=thread check-threads

# Only the threaded tests: every program whose name contains "thread".
check-threads:
	+@$(BUILD_FOR_CHECK)
	+@RUN_TESTS_FILTER=thread $(RUN_TESTS)

-include $(wildcard $(BUILD)/obj/tests/*/*.d $(BUILD)/obj/tools/common/*.d)
