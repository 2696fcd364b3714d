# Example guests for hvrun, `make demo`, and their checks in `make check`.
# $$(VAR) prerequisites name variables other build.mk files define later.
.SECONDEXPANSION:
EXAMPLES_OUT := $(BUILD)/examples
EXAMPLE_LDFLAGS := $(shell ld --help 2>/dev/null | grep -q no-warn-rwx-segments && echo --no-warn-rwx-segments)
EXAMPLE_LD    = ld $(EXAMPLE_LDFLAGS) -nostdlib -static -n -T examples/guest.ld
EXAMPLES := $(EXAMPLES_OUT)/hello.elf $(EXAMPLES_OUT)/realmode.bin \
            $(EXAMPLES_OUT)/multiboot.elf $(EXAMPLES_OUT)/multiboot-aout.bin \
            $(EXAMPLES_OUT)/primes.elf
# Freestanding C guests: no libc, no SSE (hvrun does not enable OSFXSR),
# no red zone, absolute addresses (the guest runs where it is linked).
EXAMPLE_GUEST_CFLAGS := -std=c17 -Wall -Wextra -Werror -O2 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-red-zone -mgeneral-regs-only -m64

.PHONY: examples demo
all: examples
examples: $(EXAMPLES)
tests: $$(HVRUN) $(EXAMPLES)

$(EXAMPLES_OUT)/%.o64: examples/%.S examples/uart.inc
	@mkdir -p $(dir $@)
	$(CC) -c -m64 -ffreestanding -Iexamples $< -o $@

$(EXAMPLES_OUT)/%.o32: examples/%.S examples/uart.inc
	@mkdir -p $(dir $@)
	$(CC) -c -m32 -ffreestanding -Iexamples $< -o $@

$(EXAMPLES_OUT)/hello.elf: $(EXAMPLES_OUT)/hello.o64 examples/guest.ld
	$(EXAMPLE_LD) --defsym=GUEST_BASE=0x100000 $< -o $@

$(EXAMPLES_OUT)/realmode.elf: $(EXAMPLES_OUT)/realmode.o64 examples/guest.ld
	$(EXAMPLE_LD) --defsym=GUEST_BASE=0x7c00 $< -o $@

$(EXAMPLES_OUT)/multiboot.elf: $(EXAMPLES_OUT)/multiboot.o32 examples/guest.ld
	$(EXAMPLE_LD) -m elf_i386 --defsym=GUEST_BASE=0x100000 $< -o $@

$(EXAMPLES_OUT)/multiboot-aout.o32: examples/multiboot.S examples/uart.inc
	@mkdir -p $(dir $@)
	$(CC) -c -m32 -ffreestanding -DAOUT_KLUDGE -Iexamples $< -o $@

$(EXAMPLES_OUT)/multiboot-aout.elf: $(EXAMPLES_OUT)/multiboot-aout.o32 examples/guest.ld
	$(EXAMPLE_LD) -m elf_i386 --defsym=GUEST_BASE=0x100000 $< -o $@

$(EXAMPLES_OUT)/primes.o64: examples/primes.c
	@mkdir -p $(dir $@)
	$(CC) $(EXAMPLE_GUEST_CFLAGS) -c $< -o $@

$(EXAMPLES_OUT)/primes.elf: $(EXAMPLES_OUT)/primes.o64 examples/guest.ld
	$(EXAMPLE_LD) --defsym=GUEST_BASE=0x100000 $< -o $@

$(EXAMPLES_OUT)/%.bin: $(EXAMPLES_OUT)/%.elf
	objcopy -O binary $< $@

.PRECIOUS: $(EXAMPLES_OUT)/%.o64 $(EXAMPLES_OUT)/%.o32 $(EXAMPLES_OUT)/%.elf

demo: $$(HVRUN) $(EXAMPLES_OUT)/hello.elf
	$(HVRUN) $(EXAMPLES_OUT)/hello.elf

TEST_SCRIPTS += examples/check-examples.sh
