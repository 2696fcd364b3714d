# Client-side helpers shared by hvrun, the tests and the benchmarks.
# Link $(GUEST_MODE_OBJ) and add -Itools/common to use guest_mode.h and
# hv_names.h.
GUEST_MODE_OBJ := $(BUILD)/obj/tools/common/guest_mode.o $(BUILD)/obj/tools/common/hv_names.o
-include $(GUEST_MODE_OBJ:.o=.d)
