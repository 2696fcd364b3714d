#!/usr/bin/env bash
# Installs into a temporary DESTDIR, then builds and runs a client the way a
# user would: with the flags pkg-config gives for openhv.  Then follows the
# README's order exactly: `make` (default PREFIX), `make install
# PREFIX=<elsewhere>`, and the README's pkg-config command line for a client.
# Prints PASS/FAIL.
# Usage: BUILD=build bash packaging/check-install.sh
set -u
build=${BUILD:-build}
# A nested make that runs without the caller's jobserver, PREFIX or DESTDIR.
nested_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PREFIX -u DESTDIR make -s --no-print-directory BUILD="$build" "$@"; }
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=/opt/openhv-check
dest=$tmp/dest

if ! nested_make PREFIX="$prefix" DESTDIR="$dest" install >"$tmp/install.log" 2>&1; then
    echo "FAIL install: $(tail -n 5 "$tmp/install.log")"
    exit 1
fi
for f in include/Hypervisor/hv.h include/Hypervisor/hv_vmx.h lib/libopenhv.a lib/libopenhv.so.0 \
         lib/libopenhv.so lib/pkgconfig/openhv.pc bin/hvrun; do
    if [ ! -e "$dest$prefix/$f" ]; then
        echo "FAIL install: $prefix/$f missing"
        exit 1
    fi
done
# DESTDIR only stages: the .pc names the final prefix, never the staging path.
if ! grep -qx "prefix=$prefix" "$dest$prefix/lib/pkgconfig/openhv.pc"; then
    echo "FAIL install: staged openhv.pc says $(grep '^prefix=' "$dest$prefix/lib/pkgconfig/openhv.pc"), not prefix=$prefix"
    exit 1
fi
echo "PASS install"

cat >"$tmp/client.c" <<'C'
#include <Hypervisor/hv.h>
#include <Hypervisor/hv_vmx.h>
#include <stdio.h>

int main(void)
{
    hv_return_t r = hv_vm_create(HV_VM_DEFAULT);
    if (r != HV_SUCCESS) {
        printf("hv_vm_create: 0x%x\n", (unsigned)r);
        return 1;
    }
    uint64_t cap = 0;
    r = hv_vmx_read_capability(HV_VMX_CAP_PROCBASED, &cap);
    if (r != HV_SUCCESS || (cap >> 32) == 0) {
        printf("hv_vmx_read_capability: 0x%x\n", (unsigned)r);
        return 1;
    }
    if (hv_vm_destroy() != HV_SUCCESS) {
        printf("hv_vm_destroy failed\n");
        return 1;
    }
    printf("client ok\n");
    return 0;
}
C

# The .pc file names the final prefix; --define-prefix relocates it to
# where it was staged.
pc() { PKG_CONFIG_PATH="$dest$prefix/lib/pkgconfig" pkg-config --define-prefix "$@" openhv; }
if ! flags=$(pc --cflags --libs); then
    echo "FAIL pkg-config: cannot query openhv"
    exit 1
fi
if [ "$(pc --modversion)" = "" ]; then
    echo "FAIL pkg-config: no version"
    exit 1
fi
echo "PASS pkg-config ($flags)"

# A client links libopenhv like any library; sanitizer builds would need
# the sanitizer runtime in the client too.
sanitized=false
if nm "$build/libopenhv.a" 2>/dev/null | grep -q -E '__(asan|tsan|ubsan)_'; then
    sanitized=true
fi

# shellcheck disable=SC2046
readme_client() {
    cp "$tmp/client.c" "$tmp/myvmm.c"
    if ! (cd "$tmp" && export PKG_CONFIG_PATH="$readme_prefix/lib/pkgconfig" &&
          $cc $(pkg-config --cflags openhv) myvmm.c $(pkg-config --libs openhv) -o myvmm) \
          >"$tmp/cc2.log" 2>&1; then
        echo "FAIL README order: client build: $(head -c 600 "$tmp/cc2.log")"
        return
    fi
    local out
    out=$(LD_LIBRARY_PATH="$readme_prefix/lib" "$tmp/myvmm" 2>&1)
    if [ "$out" = "client ok" ]; then
        echo "PASS README order: pkg-config client builds and runs"
    else
        echo "FAIL README order: client runs: $out"
    fi
}

# The README's order: build with the default PREFIX, install with another,
# then compile with exactly the README's pkg-config line (no
# --define-prefix, so a .pc that names the wrong prefix fails here).
home=$tmp/home
readme_prefix=$home/.local
if ! nested_make >"$tmp/make.log" 2>&1; then
    echo "FAIL README order: make: $(tail -n 5 "$tmp/make.log")"
    exit 1
fi
if ! nested_make install PREFIX="$readme_prefix" >"$tmp/install2.log" 2>&1; then
    echo "FAIL README order: make install PREFIX=...: $(tail -n 5 "$tmp/install2.log")"
    exit 1
fi
pc_prefix=$(grep '^prefix=' "$readme_prefix/lib/pkgconfig/openhv.pc")
if [ "$pc_prefix" = "prefix=$readme_prefix" ]; then
    echo "PASS README order: installed openhv.pc follows PREFIX"
else
    echo "FAIL README order: installed openhv.pc says $pc_prefix, not prefix=$readme_prefix"
fi
if $sanitized; then
    echo "SKIP README order client build: library built with a sanitizer"
else
    readme_client
fi

if $sanitized; then
    echo "SKIP client build: library built with a sanitizer"
    exit 0
fi
cflags=$(pc --cflags)
# shellcheck disable=SC2086
build_and_run() {
    local name=$1; shift
    if ! $cc -std=c17 -Wall -Wextra -Werror "$tmp/client.c" -o "$tmp/$name" "$@" >"$tmp/cc.log" 2>&1; then
        echo "FAIL client build ($name): $(head -c 600 "$tmp/cc.log")"
        return
    fi
    local out
    out=$(LD_LIBRARY_PATH="$dest$prefix/lib" "$tmp/$name" 2>&1)
    if [ "$out" = "client ok" ]; then
        echo "PASS client runs ($name)"
    else
        echo "FAIL client runs ($name): $out"
    fi
}
# shellcheck disable=SC2086
build_and_run client-shared $flags
if readelf -d "$tmp/client-shared" 2>/dev/null | grep -q 'NEEDED.*libopenhv\.so\.0'; then
    echo "PASS client-shared links libopenhv.so.0"
else
    echo "FAIL client-shared links libopenhv.so.0: no such NEEDED entry"
fi
# shellcheck disable=SC2086
build_and_run client-static $cflags "$dest$prefix/lib/libopenhv.a" -pthread

