# The instruction engine's test: the engine sources plus a harness standing
# in for the machine half (tests/engine/engine_harness.c), not the library.

ENGINE_SRCS := src/emu/decode.c src/emu/icache.c src/emu/flags.c src/emu/regs.c src/emu/fp_host_x86.c \
               src/emu/fp_host_soft.c \
               $(sort $(wildcard src/emu/exec_*.c))
ENGINE_TEST_SRCS := tests/engine/test_emu_engine.c tests/engine/host_diff.c tests/engine/directed.c \
                    tests/engine/engine_harness.c tests/engine/native.c tests/engine/host_oracle.c \
                    tests/engine/host_diff_sse.c tests/engine/directed_sse.c \
                    tests/engine/host_diff_avx.c tests/engine/fsgsbase.c
# Reference vectors recorded on an Intel host (`make record-intel-vectors`).
INTEL_VECTORS := $(CURDIR)/tests/engine/vectors/intel-host-diff.txt
ENGINE_TEST_DEPS := $(wildcard src/emu/*.h src/core/*.h include/Hypervisor/*.h tests/engine/*.h)

$(BUILD)/tests/test_emu_engine: $(ENGINE_TEST_SRCS) $(ENGINE_SRCS) $(ENGINE_TEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -DINTEL_VECTORS='"$(INTEL_VECTORS)"' -o $@ $(ENGINE_TEST_SRCS) $(ENGINE_SRCS) $(ALL_LDFLAGS)

# Run on an Intel host: writes the vectors that let other hosts check what
# only Intel silicon can answer (undefined flags, vendor differences).
.PHONY: record-intel-vectors
record-intel-vectors: $(BUILD)/tests/test_emu_engine
	@mkdir -p $(dir $(INTEL_VECTORS))
	$(BUILD)/tests/test_emu_engine --record $(INTEL_VECTORS)

TEST_PROGS += $(BUILD)/tests/test_emu_engine
all: $(BUILD)/tests/test_emu_engine
