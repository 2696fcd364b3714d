# The opcode coverage table, docs/opcodes.md: generated from the emulator's
# decoder by opcode_map (linked with the internal library), named by
# binutils.  `make opcodes` regenerates it; `make check` verifies it.
OPCODE_MAP := $(BUILD)/tools/opcode_map
OPCODES_DOC := docs/opcodes.md

$(BUILD)/obj/tools/opcodes/%.o: ALL_CFLAGS += -Isrc

OPCODE_MAP_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/opcodes/*.c))

$(OPCODE_MAP): $(OPCODE_MAP_OBJS) $(LIB_INTERNAL_A)
	@mkdir -p $(dir $@)
	$(CC) $(OPCODE_MAP_OBJS) -o $@ $(LIB_INTERNAL_A) $(ALL_LDFLAGS)

.PHONY: opcodes
all: $(OPCODE_MAP)
opcodes: $(OPCODE_MAP)
	bash tools/opcodes/gen-opcodes.sh $(OPCODE_MAP) $(OPCODES_DOC)

TEST_SCRIPTS += tools/opcodes/check-opcodes.sh

-include $(OPCODE_MAP_OBJS:.o=.d)
