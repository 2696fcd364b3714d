# Test programs: ordinary C (tests/programs/prog_*.c) built as freestanding
# long-mode guests by gcc and clang at three -march levels, and the same
# sources built as host functions linked into test_programs, which runs
# each guest on the emulator and the host copy natively and compares the
# outputs.  See tests/programs/README.md.

PROG_DIR_SRC := tests/programs
PROG_OUT     := $(BUILD)/programs
PROG_NAMES   := $(patsubst $(PROG_DIR_SRC)/prog_%.c,%,$(wildcard $(PROG_DIR_SRC)/prog_*.c))
PROG_LEVELS  := v1 v2 v3
PROG_MARCH_v1 := x86-64
PROG_MARCH_v2 := x86-64-v2
PROG_MARCH_v3 := x86-64-v3
PROG_GCC     := $(shell command -v gcc 2>/dev/null)
PROG_CLANG   := $(shell command -v clang 2>/dev/null)
PROG_CCS     := $(if $(PROG_GCC),gcc) $(if $(PROG_CLANG),clang)
PROG_CC_gcc   := $(PROG_GCC)
PROG_CC_clang := $(PROG_CLANG)

# Both copies get the same code-generation flags; only what a position-
# dependent flat guest needs (no PIC, its own entry) differs.  -std=c17 keeps
# gcc from contracting a*b+c across statements differently from clang's
# default; within a variant both copies use one compiler and one level.
PROG_CFLAGS := -std=c17 -Wall -Wextra -Werror -O2 -ffreestanding -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mno-red-zone -fcf-protection=none
PROG_GUEST_CFLAGS := $(PROG_CFLAGS) -fno-pic -fno-pie
PROG_HOST_CFLAGS  := $(PROG_CFLAGS) -fPIE
PROG_LDFLAGS := $(shell ld --help 2>/dev/null | grep -q no-warn-rwx-segments && echo --no-warn-rwx-segments)
PROG_HDRS := $(PROG_DIR_SRC)/prog.h

PROG_GUEST_BINS :=
PROG_HOST_OBJS  :=

$(PROG_OUT)/crt0.o: $(PROG_DIR_SRC)/crt0.S $(PROG_HDRS)
	@mkdir -p $(dir $@)
	$(CC) -c -ffreestanding -I$(PROG_DIR_SRC) $< -o $@

# Plain byte loops without loop-idiom recognition (which would call back
# into these functions); the baseline level serves every variant.
$(PROG_OUT)/rt.o: $(PROG_DIR_SRC)/rt.c
	@mkdir -p $(dir $@)
	$(PROG_GCC) $(PROG_GUEST_CFLAGS) -march=x86-64 -fno-builtin -fno-tree-loop-distribute-patterns -c $< -o $@

# One variant: program $(1), compiler $(2), level $(3).
define PROG_VARIANT
$(PROG_OUT)/$(2)-$(3)/$(1).o: $(PROG_DIR_SRC)/prog_$(1).c $(PROG_HDRS)
	@mkdir -p $$(dir $$@)
	$(PROG_CC_$(2)) $(PROG_GUEST_CFLAGS) -march=$(PROG_MARCH_$(3)) -c $$< -o $$@

$(PROG_OUT)/$(2)-$(3)/$(1).elf: $(PROG_OUT)/$(2)-$(3)/$(1).o $(PROG_OUT)/crt0.o $(PROG_OUT)/rt.o $(PROG_DIR_SRC)/guest.ld
	ld $(PROG_LDFLAGS) -nostdlib -static -T $(PROG_DIR_SRC)/guest.ld $(PROG_OUT)/crt0.o $$< $(PROG_OUT)/rt.o -o $$@

$(PROG_OUT)/$(2)-$(3)/$(1).bin: $(PROG_OUT)/$(2)-$(3)/$(1).elf
	objcopy -O binary $$< $$@

$(PROG_OUT)/host/$(2)-$(3)/$(1).o: $(PROG_DIR_SRC)/prog_$(1).c $(PROG_HDRS)
	@mkdir -p $$(dir $$@)
	$(PROG_CC_$(2)) $(PROG_HOST_CFLAGS) -march=$(PROG_MARCH_$(3)) -Dprog_main=prog_main_$(1)_$(2)_$(3) -c $$< -o $$@

PROG_GUEST_BINS += $(PROG_OUT)/$(2)-$(3)/$(1).bin
PROG_HOST_OBJS += $(PROG_OUT)/host/$(2)-$(3)/$(1).o
endef
$(foreach p,$(PROG_NAMES),$(foreach c,$(PROG_CCS),$(foreach l,$(PROG_LEVELS),$(eval $(call PROG_VARIANT,$(p),$(c),$(l))))))

# The runner's table of variants, derived from the lists above; rewritten
# only when it changes.
PROG_TABLE := $(PROG_OUT)/programs.inc
PROG_TABLE_TEXT := $(foreach p,$(PROG_NAMES),$(foreach c,$(PROG_CCS),$(foreach l,$(PROG_LEVELS),PROGRAM($(p), $(c), $(l))\n)))
$(PROG_TABLE): FORCE_PROG_TABLE
	@mkdir -p $(dir $@)
	@printf '$(PROG_TABLE_TEXT)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
.PHONY: FORCE_PROG_TABLE

PROG_TEST := $(BUILD)/tests/test_programs
PROG_TEST_OBJ := $(BUILD)/obj/tests/programs/test_programs.o
$(PROG_TEST_OBJ): ALL_CFLAGS += -I$(PROG_DIR_SRC) -I$(PROG_OUT) -Itools/common \
	-DPROG_BIN_DIR='"$(abspath $(PROG_OUT))"'
$(PROG_TEST_OBJ): $(PROG_TABLE)

$(PROG_TEST): $(PROG_TEST_OBJ) $(PROG_HOST_OBJS) $(BUILD)/obj/tools/common/guest_mode.o $(LIB_A) | $(PROG_GUEST_BINS)
	@mkdir -p $(dir $@)
	$(CC) $(PROG_TEST_OBJ) $(PROG_HOST_OBJS) $(BUILD)/obj/tools/common/guest_mode.o -o $@ $(LIB_A) $(ALL_LDFLAGS)

.PHONY: programs check-programs
programs: $(PROG_TEST) $(PROG_GUEST_BINS)
all: programs
TEST_PROGS += $(PROG_TEST)

check-programs: programs
	+@TEST_PROGS="$(PROG_TEST)" TEST_SCRIPTS= CONFORMANCE_PROGS= BUILD="$(BUILD)" bash tests/run-tests.sh

.PRECIOUS: $(PROG_OUT)/%.o $(PROG_OUT)/%.elf
