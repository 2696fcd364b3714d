/*
 * OpenHV - an implementation of the Intel Hypervisor.framework API for Linux.
 *
 * hv_vm_allocate.h: allocation of host memory intended to back guest memory.
 */

#pragma once

#include <Hypervisor/hv_base.h>
#include <Hypervisor/hv_error.h>

#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wnullability-completeness"
#pragma clang diagnostic ignored "-Wnullability-extension"
#endif

__BEGIN_DECLS
OS_ASSUME_NONNULL_BEGIN

/* Flags of hv_vm_allocate(). */
typedef uint64_t hv_allocate_flags_t;

enum {
	HV_ALLOCATE_DEFAULT = 0
};

/*
 * Allocates 'size' bytes (a multiple of the page size) of anonymous, zeroed,
 * readable and writable memory suitable to be mapped into the guest with
 * hv_vm_map(), and stores its address in *uvap.
 */
OS_EXPORT hv_return_t hv_vm_allocate(void * _Nullable * _Nonnull uvap,
	size_t size, hv_allocate_flags_t flags)
	HV_API_AVAILABLE_X86_64(macos(12.0)) HV_API_AVAILABLE_ARM64(macos(12.1));

/* Releases memory obtained from hv_vm_allocate(). */
OS_EXPORT hv_return_t hv_vm_deallocate(void *uva, size_t size)
	HV_API_AVAILABLE_X86_64(macos(12.0)) HV_API_AVAILABLE_ARM64(macos(12.1));

OS_ASSUME_NONNULL_END
__END_DECLS

#ifdef __clang__
#pragma clang diagnostic pop
#endif
