/*
 * OpenHV - an implementation of the Intel Hypervisor.framework API for Linux.
 *
 * Hypervisor.h: umbrella header; includes the complete x86 API.
 */

#ifndef __HYPERVISOR_HYPERVISOR__
#define __HYPERVISOR_HYPERVISOR__

#include <Hypervisor/hv.h>
#include <Hypervisor/hv_error.h>
#include <Hypervisor/hv_intr.h>
#include <Hypervisor/hv_types.h>
#include <Hypervisor/hv_vmx.h>
#include <Hypervisor/hv_vm_allocate.h>

#endif /* __HYPERVISOR_HYPERVISOR__ */
