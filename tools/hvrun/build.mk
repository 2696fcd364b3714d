# hvrun: the example VMM (tools/hvrun), and `make install`.
HVRUN      := $(BUILD)/hvrun
HVRUN_SRCS := $(wildcard tools/hvrun/*.c)
HVRUN_OBJS := $(HVRUN_SRCS:%.c=$(BUILD)/obj/%.o)

all: $(HVRUN)

$(HVRUN_OBJS): ALL_CFLAGS += -Itools/common

$(HVRUN): $(HVRUN_OBJS) $(GUEST_MODE_OBJ) $(LIB_A)
	$(CC) -o $@ $(HVRUN_OBJS) $(GUEST_MODE_OBJ) $(LIB_A) $(ALL_LDFLAGS)

-include $(HVRUN_OBJS:.o=.d)

# The virtio-blk device against well-formed and malformed guest requests.
TEST_SCRIPTS += tools/hvrun/check-virtio.sh
