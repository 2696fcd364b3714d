# The emulator machine's tests: end-to-end guests through the
# public API on the emu backend, built with the client-side guest_mode helper.
EMU_MACHINE_TESTS := $(BUILD)/tests/test_emu_machine $(BUILD)/tests/test_emu_threads \
                     $(BUILD)/tests/test_emu_robust $(BUILD)/tests/test_emu_lockstep
# Spelled out: tools/common/build.mk (GUEST_MODE_OBJ) may be read after this file.
EMU_TEST_GUEST_MODE := $(BUILD)/obj/tools/common/guest_mode.o $(BUILD)/obj/tools/common/hv_names.o

$(BUILD)/obj/tests/emu/%.o: ALL_CFLAGS += -Isrc -Itools/common

$(EMU_MACHINE_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/tests/emu/%.o $(EMU_TEST_GUEST_MODE) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $< $(EMU_TEST_GUEST_MODE) -o $@ $(LIB_A) $(ALL_LDFLAGS)

TEST_PROGS += $(EMU_MACHINE_TESTS)
all: $(EMU_MACHINE_TESTS)
