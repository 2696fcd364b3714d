# `make demo-linux`: Debian's kernel and a busybox initramfs under hvrun
# (tools/linux/demo-linux.sh; docs/notes/hvrun.md).
.PHONY: demo-linux
demo-linux: $(BUILD)/hvrun
	BUILD=$(BUILD) bash tools/linux/demo-linux.sh

# CI: the same boot on the emulator with 1 and 2 vCPUs (tools/linux/check-linux.sh).
.PHONY: check-linux
check-linux: $(BUILD)/hvrun
	BUILD=$(BUILD) bash tools/linux/check-linux.sh
