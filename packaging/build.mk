# `make install`: headers, libraries, pkg-config file and hvrun under
# $(DESTDIR)$(PREFIX).  $$(HVRUN) is defined by tools/hvrun/build.mk, read later.
.SECONDEXPANSION:
INSTALL_INC := $(DESTDIR)$(PREFIX)/include/Hypervisor
INSTALL_LIB := $(DESTDIR)$(PREFIX)/lib
INSTALL_BIN := $(DESTDIR)$(PREFIX)/bin

# openhv.pc is written by the install itself, from the PREFIX of that
# command: `make` then `make install PREFIX=...` (the README's order) must
# not install a file left over from the build's default PREFIX.  DESTDIR
# only stages the files; the .pc names the final PREFIX.
install: $(LIB_A) $(LIB_SO) $$(HVRUN) packaging/openhv.pc.in
	install -d $(INSTALL_INC) $(INSTALL_LIB)/pkgconfig $(INSTALL_BIN)
	install -m 644 include/Hypervisor/*.h $(INSTALL_INC)
	install -m 644 $(LIB_A) $(INSTALL_LIB)/libopenhv.a
	install -m 755 $(LIB_SO) $(INSTALL_LIB)/libopenhv.so.$(VERSION)
	ln -sf libopenhv.so.$(VERSION) $(INSTALL_LIB)/libopenhv.so.0
	ln -sf libopenhv.so.0 $(INSTALL_LIB)/libopenhv.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' packaging/openhv.pc.in \
		> $(INSTALL_LIB)/pkgconfig/openhv.pc
	chmod 644 $(INSTALL_LIB)/pkgconfig/openhv.pc
	install -m 755 $(HVRUN) $(INSTALL_BIN)/hvrun

TEST_SCRIPTS += packaging/check-install.sh
TEST_SCRIPTS += packaging/check-exports.sh
