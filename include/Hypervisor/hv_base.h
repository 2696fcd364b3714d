/*
 * OpenHV - an implementation of the Intel Hypervisor.framework API for Linux.
 *
 * hv_base.h: common prerequisites of every OpenHV public header.
 *
 * Apple's headers pull in <os/base.h>, <os/availability.h>, <sys/cdefs.h>,
 * <mach/error.h> and <mach/message.h>.  None of those exist on Linux, so this
 * header supplies the handful of names the Hypervisor headers (and programs
 * written against them) rely on.  Every macro below is only defined when it
 * is not defined already, and every Mach type can be suppressed by defining
 * its OPENHV_HAVE_* guard before including any Hypervisor header, so that a
 * program carrying its own Mach compatibility layer keeps working.
 */

#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

/* ------------------------------------------------------------------------ */
/* <sys/cdefs.h>                                                            */
/* ------------------------------------------------------------------------ */

/* glibc already provides these (with the very same expansion). */
#ifndef __BEGIN_DECLS
#ifdef __cplusplus
#define __BEGIN_DECLS extern "C" {
#define __END_DECLS }
#else
#define __BEGIN_DECLS
#define __END_DECLS
#endif
#endif /* __BEGIN_DECLS */

/* ------------------------------------------------------------------------ */
/* Nullability                                                              */
/* ------------------------------------------------------------------------ */

/*
 * clang understands _Nonnull / _Nullable (they are keywords there); other
 * compilers get empty definitions.  The OpenHV headers silence clang's
 * nullability-completeness warnings for their own declarations, so only the
 * parameters Apple annotates explicitly carry a nullability qualifier.
 */
#if !defined(__clang__)
#ifndef _Nonnull
#define _Nonnull
#endif
#ifndef _Nullable
#define _Nullable
#endif
#ifndef _Null_unspecified
#define _Null_unspecified
#endif
#endif /* !__clang__ */

/*
 * Apple wraps its declarations in "assume nonnull" regions.  On Linux these
 * are deliberately empty: the OpenHV library validates pointer arguments and
 * reports HV_BAD_ARGUMENT, and programs (and tests) that exercise that path by
 * passing NULL must keep compiling warning-free with clang.
 */
#ifndef OS_ASSUME_NONNULL_BEGIN
#define OS_ASSUME_NONNULL_BEGIN
#endif
#ifndef OS_ASSUME_NONNULL_END
#define OS_ASSUME_NONNULL_END
#endif

/* ------------------------------------------------------------------------ */
/* <os/availability.h>, <Availability.h>                                    */
/* ------------------------------------------------------------------------ */

/* Availability annotations carry no meaning on Linux: they expand to nothing. */
#ifndef __API_AVAILABLE
#define __API_AVAILABLE(...)
#endif
#ifndef API_AVAILABLE
#define API_AVAILABLE(...)
#endif
#ifndef __API_UNAVAILABLE
#define __API_UNAVAILABLE(...)
#endif
#ifndef API_UNAVAILABLE
#define API_UNAVAILABLE(...)
#endif
/*
 * Deprecation is not signalled on Linux: hv_vcpu_flush (deprecated in macOS
 * 11) is still called by existing programs that build with -Werror.
 */
#ifndef __API_DEPRECATED
#define __API_DEPRECATED(...)
#endif
#ifndef API_DEPRECATED
#define API_DEPRECATED(...)
#endif
#ifndef __API_DEPRECATED_WITH_REPLACEMENT
#define __API_DEPRECATED_WITH_REPLACEMENT(...)
#endif
#ifndef API_DEPRECATED_WITH_REPLACEMENT
#define API_DEPRECATED_WITH_REPLACEMENT(...)
#endif
#ifndef __OSX_AVAILABLE_STARTING
#define __OSX_AVAILABLE_STARTING(mac, ios)
#endif

/* Arch-selective availability used by Apple's newer headers. */
#ifndef HV_API_AVAILABLE_X86_64
#define HV_API_AVAILABLE_X86_64(...) API_AVAILABLE(__VA_ARGS__)
#endif
#ifndef HV_API_AVAILABLE_ARM64
#define HV_API_AVAILABLE_ARM64(...)
#endif

/* ------------------------------------------------------------------------ */
/* <os/base.h>                                                              */
/* ------------------------------------------------------------------------ */

/*
 * OS_EXPORT declares a function with default symbol visibility (so that a
 * library built with -fvisibility=hidden still exports it).  The OpenHV
 * headers use it on every function they declare.
 */
#ifndef OS_EXPORT
#if defined(__GNUC__) || defined(__clang__)
#define OS_EXPORT extern __attribute__((__visibility__("default")))
#else
#define OS_EXPORT extern
#endif
#endif /* OS_EXPORT */

#ifndef __OS_ENUM_ATTR_CLOSED
#define __OS_ENUM_ATTR_CLOSED
#endif
#ifndef __OS_ENUM_ATTR
#define __OS_ENUM_ATTR
#endif

/*
 * OS_ENUM(name, type, enumerators...) declares the enumerators as constants
 * of an anonymous enumeration and name##_t as the integer type "type" (the
 * plain-C form of Apple's macro).  Values of name##_t therefore combine with
 * '|' without casts in both C and C++.
 */
#ifndef OS_ENUM
#define OS_ENUM(_name, _type, ...) \
	enum { __VA_ARGS__ }; typedef _type _name##_t
#endif

/*
 * OPENHV_EXTENSION marks declarations that rely on the GNU extension of
 * enumeration constants outside the range of int (Apple's headers use it
 * for 1u << 31, 0xc0000080, ~0ull, ...).  It keeps -pedantic quiet in C17.
 */
#ifndef OPENHV_EXTENSION
#if defined(__GNUC__) || defined(__clang__)
#define OPENHV_EXTENSION __extension__
#else
#define OPENHV_EXTENSION
#endif
#endif /* OPENHV_EXTENSION */

/* ------------------------------------------------------------------------ */
/* Mach types (<mach/error.h>, <mach/port.h>, <mach/message.h>)             */
/* ------------------------------------------------------------------------ */

#ifndef OPENHV_HAVE_MACH_INTEGER_TYPES
#define OPENHV_HAVE_MACH_INTEGER_TYPES 1
typedef unsigned int natural_t;
typedef int integer_t;
#endif

#ifndef OPENHV_HAVE_KERN_RETURN_T
#define OPENHV_HAVE_KERN_RETURN_T 1
typedef int kern_return_t;
#endif
#ifndef KERN_SUCCESS
#define KERN_SUCCESS 0
#endif

#ifndef OPENHV_HAVE_MACH_ERROR_T
#define OPENHV_HAVE_MACH_ERROR_T 1
typedef kern_return_t mach_error_t;
#endif

/*
 * Mach error numbers: system (6 bits) | subsystem (12 bits) | code (14 bits).
 * err_system() yields a (possibly negative) int, as on macOS, so that the
 * HV_* return codes are ordinary int constants matching hv_return_t.
 */
#ifndef err_system
#ifdef __cplusplus
#define err_system(x) (static_cast<int>((static_cast<unsigned int>(x) & 0x3fu) << 26))
#else
#define err_system(x) ((int)((((unsigned int)(x)) & 0x3fu) << 26))
#endif
#endif
#ifndef err_sub
#define err_sub(x) (((x) & 0xfff) << 14)
#endif
#ifndef err_local
#define err_local err_system(0x3e)
#endif
#ifndef err_get_system
#define err_get_system(err) (((err) >> 26) & 0x3f)
#endif
#ifndef err_get_sub
#define err_get_sub(err) (((err) >> 14) & 0xfff)
#endif
#ifndef err_get_code
#define err_get_code(err) ((err) & 0x3fff)
#endif

#ifndef OPENHV_HAVE_MACH_PORT_T
#define OPENHV_HAVE_MACH_PORT_T 1
typedef natural_t mach_port_name_t;
typedef mach_port_name_t mach_port_t;
#endif

#ifndef MACH_PORT_NULL
#define MACH_PORT_NULL 0
#endif

#ifndef OPENHV_HAVE_MACH_MSG_TYPES
#define OPENHV_HAVE_MACH_MSG_TYPES 1
typedef unsigned int mach_msg_bits_t;
typedef natural_t mach_msg_size_t;
typedef integer_t mach_msg_id_t;
typedef unsigned int mach_msg_trailer_type_t;
typedef unsigned int mach_msg_trailer_size_t;

/* Header of a Mach message (24 bytes). */
typedef struct {
	mach_msg_bits_t msgh_bits;
	mach_msg_size_t msgh_size;
	mach_port_t msgh_remote_port;
	mach_port_t msgh_local_port;
	mach_port_name_t msgh_voucher_port;
	mach_msg_id_t msgh_id;
} mach_msg_header_t;

/* Minimal trailer appended to a received Mach message (8 bytes). */
typedef struct {
	mach_msg_trailer_type_t msgh_trailer_type;
	mach_msg_trailer_size_t msgh_trailer_size;
} mach_msg_trailer_t;
#endif /* OPENHV_HAVE_MACH_MSG_TYPES */
