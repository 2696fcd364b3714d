# Benchmarks: `make bench` builds and runs them; `make check` only builds
# them (benchmarks are never timed tests).  $$(VAR) prerequisites name
# variables that build.mk files read later define.
.SECONDEXPANSION:
BENCH_OUT    := $(BUILD)/bench
BENCH_GUESTS := $(BENCH_OUT)/loop.bin $(BENCH_OUT)/loop32.bin $(BENCH_OUT)/loop16.bin $(BENCH_OUT)/io.bin \
                $(BENCH_OUT)/msr.bin $(BENCH_OUT)/mem.bin $(BENCH_OUT)/qemu_loop.bin
BENCH_PROGS  := $(BENCH_OUT)/mips $(BENCH_OUT)/startup
BENCH_LDFLAGS := $(shell ld --help 2>/dev/null | grep -q no-warn-rwx-segments && echo --no-warn-rwx-segments)

.PHONY: bench
tests: $(BENCH_PROGS) $(BENCH_GUESTS)

bench: $(BENCH_PROGS) $(BENCH_GUESTS)
	$(BENCH_OUT)/mips
	$(BENCH_OUT)/startup

$(BUILD)/obj/bench/%.o: ALL_CFLAGS += -Itools/common -Ibench/guests \
	-DBENCH_GUEST_DIR='"$(abspath $(BENCH_OUT))"'

$(BENCH_OUT)/%: $(BUILD)/obj/bench/%.o $$(GUEST_MODE_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) -o $@ $(filter %.o,$^) $(LIB_A) $(ALL_LDFLAGS)

# bench/mips runs kernels.S natively too, and drives QEMU (qemu_tcg.c).
$(BENCH_OUT)/mips: $(BENCH_OUT)/kernels.o $(BUILD)/obj/bench/qemu_tcg.o

$(BENCH_OUT)/%.o: bench/guests/%.S bench/guests/bench.h
	@mkdir -p $(dir $@)
	$(CC) -c -ffreestanding -Ibench/guests $< -o $@

$(BENCH_OUT)/%.elf: $(BENCH_OUT)/%.o
	ld $(BENCH_LDFLAGS) -nostdlib -static -N -e _start -Ttext=0x100000 $^ -o $@

# Guests that call the kernels; the image's own object comes first, so
# that qemu_loop's multiboot header opens the file.
$(BENCH_OUT)/loop.elf $(BENCH_OUT)/mem.elf $(BENCH_OUT)/qemu_loop.elf: $(BENCH_OUT)/kernels.o

$(BENCH_OUT)/%.bin: $(BENCH_OUT)/%.elf
	objcopy -O binary -j .text $< $@

.PRECIOUS: $(BENCH_OUT)/%.o $(BENCH_OUT)/%.elf
-include $(BUILD)/obj/bench/mips.d $(BUILD)/obj/bench/qemu_tcg.d

# --- bench/kvm_exit: raw KVM vs the kvm backend, per exit ---
KVM_EXIT_GUESTS := $(foreach g,exit_io16 exit_msr16 exit_mmio16 exit_io64 exit_msr64 exit_mmio64,$(BENCH_OUT)/$(g).bin)
BENCH_GUESTS += $(KVM_EXIT_GUESTS)
BENCH_PROGS  += $(BENCH_OUT)/kvm_exit
$(KVM_EXIT_GUESTS:.bin=.o): bench/guests/kvm_exit.h
# The lists above were already expanded in `tests:`; name the new ones.
tests: $(BENCH_OUT)/kvm_exit $(KVM_EXIT_GUESTS)

.PHONY: bench-kvm-exit
bench: bench-kvm-exit
bench-kvm-exit: $(BENCH_OUT)/kvm_exit $(KVM_EXIT_GUESTS)
	$(BENCH_OUT)/kvm_exit
-include $(BUILD)/obj/bench/kvm_exit.d

# Linux boot times (bench/linux_boot.sh): minutes, so not part of `make bench`.
.PHONY: bench-linux
bench-linux: $(BUILD)/hvrun
	BUILD=$(BUILD) bash bench/linux_boot.sh
