# KVM-only tests (tests/kvm): programs built like the conformance suite
# (harness, guest_mode, the guest blobs) but run once, as TEST_PROGS; each
# picks the backend mode it needs (OPENHV_BACKEND=auto or kvm) itself and
# SKIPs where the kvm backend is not the one in use.  See
# docs/notes/kvm-tests.md.

KVM_TEST_SRCS := $(wildcard tests/kvm/*.c)
KVM_TEST_PROGS := $(KVM_TEST_SRCS:tests/kvm/%.c=$(TESTS_BIN)/kvm/%)
TEST_PROGS += $(KVM_TEST_PROGS)

$(BUILD)/obj/tests/kvm/%.o: ALL_CFLAGS += -Itests/lib -Itests/conformance

$(TESTS_BIN)/kvm/%: $(BUILD)/obj/tests/kvm/%.o $$(CONF_LIB_OBJS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $< $(CONF_LIB_OBJS) -o $@ $(LIB_A) $(ALL_LDFLAGS)

# The guest blobs are loaded at run time; build them with the programs.
$(KVM_TEST_PROGS): | $$(GUEST_BINS) $$(GUEST_SYMS)
