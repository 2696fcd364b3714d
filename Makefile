# OpenHV build.  `make` builds the library, hvrun, examples and tests;
# `make check` runs every test; `make demo` runs a guest.
# Each directory's rules live in its own build.mk, included below.

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?=
CC      ?= cc
CXX     ?= c++
VERSION := 0.1.0

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g
ALL_CFLAGS   := -std=c17 $(WARN) -D_GNU_SOURCE -fPIC -Iinclude $(CFLAGS)
# The library exports only what the headers declare with OS_EXPORT.
LIB_CFLAGS   := -fvisibility=hidden
# Link-time optimisation of the library (LTO=0 turns it off): the
# emulator's hot path crosses files (decode, handlers, MMU, run loop).
# Objects are fat, so the white-box archive of plain objects still links
# without LTO; the static library is one LTO-compiled relocatable object;
# sanitizer builds stay without it.
LTO ?= 1
ifeq ($(SAN),)
ifneq ($(LTO),0)
LIB_CFLAGS   += -flto=auto -ffat-lto-objects
LIB_LTO_LINK := -flto=auto
endif
endif
# OPENHV_FP=soft: the emulator's floating point in portable C only
# (src/emu/fp_host_soft.c), as on a host without SSE; build it in its own
# directory (BUILD=build-fpsoft), since objects do not track flags.
ifeq ($(OPENHV_FP),soft)
ALL_CFLAGS   += -DOPENHV_FP_SOFT
endif
ALL_CXXFLAGS := -std=c++17 -Wall -Wextra -Werror -Iinclude $(CXXFLAGS)
ALL_LDFLAGS  := $(LDFLAGS) -pthread
ifneq ($(SAN),)
ALL_CFLAGS   += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_CXXFLAGS += -fsanitize=$(SAN) -fno-omit-frame-pointer
ALL_LDFLAGS  += -fsanitize=$(SAN)
endif

LIB_SRCS := $(wildcard src/core/*.c src/api/*.c src/emu/*.c src/irq/*.c src/kvm/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB_A    := $(BUILD)/libopenhv.a
LIB_SO   := $(BUILD)/libopenhv.so
# Every object with its internal symbols, for white-box tests in this tree.
LIB_INTERNAL_A := $(BUILD)/libopenhv-internal.a

.PHONY: all lib check demo install clean
all: lib

# Nothing built is an intermediate to delete: a second `make` (the install
# check runs one) must find the tree up to date, not relink from scratch.
.SECONDARY:

lib: $(LIB_A) $(LIB_SO) $(LIB_INTERNAL_A)

# Objects depend on the Makefile so a change of flags rebuilds them.
$(BUILD)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB_OBJS): ALL_CFLAGS += $(LIB_CFLAGS)

# The static library is one relocatable object whose hidden symbols are made
# local, so a client linking it statically sees only the API (no msr_read or
# memmap_map to collide with its own names), as with the shared library.
$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(dir $@)
ifneq ($(LIB_LTO_LINK),)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -r -nostdlib -flinker-output=nolto-rel -o $(BUILD)/libopenhv.o $^
else
	$(LD) -r -o $(BUILD)/libopenhv.o $^
endif
	objcopy --localize-hidden $(BUILD)/libopenhv.o
	rm -f $@ && ar rcs $@ $(BUILD)/libopenhv.o

$(LIB_INTERNAL_A): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIB_SO): $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -shared -Wl,-soname,libopenhv.so.0 -o $@ $^ $(ALL_LDFLAGS)

-include $(LIB_OBJS:.o=.d)
-include $(wildcard */build.mk */*/build.mk)

clean:
	rm -rf $(BUILD) build-*
