/*
 * OpenHV - an implementation of the Intel Hypervisor.framework API for Linux.
 *
 * hv_error.h: hv_return_t and the HV_* result codes.
 */

#ifndef __HYPERVISOR_HV_RETURN__
#define __HYPERVISOR_HV_RETURN__

#include <Hypervisor/hv_base.h>

/*
 * Result of every Hypervisor function (except hv_tsc_clock).  It is a Mach
 * error number: err_local | err_sub(0xba5) | code, i.e. 0xfae94000 | code
 * viewed as a 32-bit int.  The constants are (negative) int values, so
 * "ret == HV_ERROR", "switch (ret) { case HV_ERROR: ... }" and
 * "ret == (hv_return_t)0xfae94001" all behave as expected.
 */
typedef mach_error_t hv_return_t;

enum {
	/* The operation completed successfully. */
	HV_SUCCESS = 0,
	/* The operation was unsuccessful (unspecified reason). */
	HV_ERROR = err_local | err_sub(0xba5) | 0x001,
	/* The operation was unsuccessful because the owning resource was busy. */
	HV_BUSY = err_local | err_sub(0xba5) | 0x002,
	/* The operation was unsuccessful because a parameter was invalid. */
	HV_BAD_ARGUMENT = err_local | err_sub(0xba5) | 0x003,
	/* 0x004 is not used on x86 (arm64: HV_ILLEGAL_GUEST_STATE). */
	/* The host does not have enough resources for the operation. */
	HV_NO_RESOURCES = err_local | err_sub(0xba5) | 0x005,
	/* No virtual machine or vCPU is available (or the CPU is unsupported). */
	HV_NO_DEVICE = err_local | err_sub(0xba5) | 0x006,
	/* The system denied the operation (e.g. missing permission). */
	HV_DENIED = err_local | err_sub(0xba5) | 0x007,
	/* The operation faulted (no further description published). */
	HV_FAULT = err_local | err_sub(0xba5) | 0x008,
	/* The operation is not supported. */
	HV_UNSUPPORTED = err_local | err_sub(0xba5) | 0x00f
};

#endif /* __HYPERVISOR_HV_RETURN__ */
