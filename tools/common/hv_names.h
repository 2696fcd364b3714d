/* Names of the framework's values, for clients' messages.  Shared by the
 * tests and the benchmarks so that every one of them names every value. */
#ifndef OPENHV_TOOLS_HV_NAMES_H
#define OPENHV_TOOLS_HV_NAMES_H

#include <Hypervisor/hv.h>

/* "HV_SUCCESS", "HV_ERROR", ...; "unknown hv_return_t" for anything else. */
const char *hv_return_name(hv_return_t r);

#endif
