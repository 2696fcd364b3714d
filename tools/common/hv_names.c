#include "hv_names.h"

const char *hv_return_name(hv_return_t r)
{
    switch (r) {
    case HV_SUCCESS: return "HV_SUCCESS";
    case HV_ERROR: return "HV_ERROR";
    case HV_BUSY: return "HV_BUSY";
    case HV_BAD_ARGUMENT: return "HV_BAD_ARGUMENT";
    case HV_NO_RESOURCES: return "HV_NO_RESOURCES";
    case HV_NO_DEVICE: return "HV_NO_DEVICE";
    case HV_DENIED: return "HV_DENIED";
    case HV_FAULT: return "HV_FAULT";
    case HV_UNSUPPORTED: return "HV_UNSUPPORTED";
    default: return "unknown hv_return_t";
    }
}
