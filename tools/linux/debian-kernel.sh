#!/usr/bin/env bash
# Unpacks the kernel image package Debian's linux-image-amd64 depends on into
# a cache directory (vmlinuz, and the named modules decompressed), fetching it
# with apt-get download when the cache holds another version.  Nothing comes
# from anywhere but Debian's archive.
#
# Usage: debian-kernel.sh CACHE_DIR [MODULE_PATH ...]
#   MODULE_PATH: e.g. kernel/arch/x86/kvm/kvm (copied as CACHE_DIR/modules/kvm.ko)
# Environment: OPENHV_KERNEL_DEB  use this linux-image-*.deb instead
# Exit status 0, or 1 with the reason on stderr.
set -euo pipefail

cache=${1:?usage: debian-kernel.sh CACHE_DIR [MODULE_PATH ...]}
shift
module_paths=("$@")
die() { echo "debian-kernel: $*" >&2; exit 1; }

mkdir -p "$cache"
deb=${OPENHV_KERNEL_DEB:-}
want=$deb
if [ -z "$deb" ]; then
    resolve() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
    want=$(resolve) || true
    if [ -z "$want" ] && [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq >/dev/null 2>&1 || true
        want=$(resolve) || true
    fi
    [ -n "$want" ] || die "cannot resolve linux-image-amd64 with apt-cache (set OPENHV_KERNEL_DEB)"
fi
want="$want ${module_paths[*]}"
if [ -f "$cache/package" ] && [ "$(cat "$cache/package")" = "$want" ] && [ -f "$cache/vmlinuz" ]; then
    exit 0
fi
if [ -z "$deb" ]; then
    pkg=${want%% *}
    echo "debian-kernel: fetching $pkg" >&2
    rm -f "$cache"/*.deb
    if ! (cd "$cache" && apt-get download "$pkg" > download.log 2>&1); then
        cat "$cache/download.log" >&2
        die "apt-get download $pkg failed"
    fi
    deb=$(ls "$cache"/"$pkg"_*.deb 2>/dev/null | head -n 1)
    [ -n "$deb" ] || die "apt-get download $pkg left no .deb"
fi
[ -f "$deb" ] || die "$deb does not exist"

tree="$cache/tree"
rm -rf "$tree" && mkdir -p "$tree"
patterns=('./boot/vmlinuz-*')
for p in "${module_paths[@]}"; do patterns+=("*/$p.ko*"); done
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tree" --wildcards "${patterns[@]}" || die "unpacking $deb failed"
cp "$(ls "$tree"/boot/vmlinuz-* | head -n 1)" "$cache/vmlinuz"
rm -rf "$cache/modules" && mkdir -p "$cache/modules"
for p in "${module_paths[@]}"; do
    name=$(basename "$p" | tr _ -)
    file=$(find "$tree" -path "*/$p.ko*" | head -n 1)
    [ -n "$file" ] || die "$deb has no $p.ko"
    case "$file" in
        *.ko) cp "$file" "$cache/modules/$name.ko" ;;
        *.ko.xz) xz -dc "$file" > "$cache/modules/$name.ko" ;;
        *.ko.zst) zstd -qdc "$file" > "$cache/modules/$name.ko" ;;
        *.ko.gz) gzip -dc "$file" > "$cache/modules/$name.ko" ;;
        *) die "$file: unknown module compression" ;;
    esac
done
rm -rf "$tree"
[ -n "${OPENHV_KERNEL_DEB:-}" ] || rm -f "$cache"/*.deb
echo "$want" > "$cache/package"
