# `make demo-linux`: Debian's kernel and a busybox initramfs under hvrun
# (tools/linux/demo-linux.sh; docs/notes/hvrun.md).
.PHONY: demo-linux
demo-linux: $(BUILD)/hvrun
	BUILD=$(BUILD) bash tools/linux/demo-linux.sh
