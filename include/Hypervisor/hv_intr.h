/*
 * OpenHV - an implementation of the Intel Hypervisor.framework API for Linux.
 *
 * hv_intr.h: saved-state layouts of the in-kernel interrupt controllers
 * (local APIC, 8259 ATPIC, IOAPIC) used with HV_VM_ACCEL_APIC (macOS 12).
 *
 * Each *_ext_t wrapper starts with a version word that the caller sets to
 * the matching *_STATE_EXT_VER before calling the get/put function.
 */

#ifndef __HYPERVISOR_HV_INTR__
#define __HYPERVISOR_HV_INTR__

#include <Hypervisor/hv_base.h>

__BEGIN_DECLS

/* Start-up state of a vCPU as seen by its local APIC. */
#ifdef __cplusplus
enum hv_boot_state : uint32_t {
#else
/* C17 has no fixed underlying types; the enumeration is 4 bytes wide too. */
enum hv_boot_state {
#endif
	HV_BS_INIT = 0,    /* waiting for INIT */
	HV_BS_SIPI = 1,    /* waiting for a startup IPI */
	HV_BS_RUNNING = 2  /* running */
};

#define HV_APIC_STATE_EXT_VER 100

/* Local APIC state. */
struct hv_apic_state {
	uint64_t apic_gpa;      /* guest-physical address of the APIC page */
	uint64_t apic_controls; /* hv_apic_ctrl_t bits */
	uint64_t tsc_deadline;  /* IA32_TSC_DEADLINE */
	uint32_t apic_id;
	uint32_t ver;
	uint32_t tpr;
	uint32_t apr;
	uint32_t ldr;
	uint32_t dfr;
	uint32_t svr;
	uint32_t isr[8];
	uint32_t tmr[8];
	uint32_t irr[8];
	uint32_t esr;
	uint32_t lvt[7];
	uint32_t icr[2];
	uint32_t icr_timer;
	uint32_t dcr_timer;
	uint32_t ccr_timer;
	uint32_t esr_pending;
	enum hv_boot_state boot_state;
	uint32_t aeoi[8];
};

typedef struct {
	uint32_t version; /* HV_APIC_STATE_EXT_VER */
	struct hv_apic_state state;
} hv_apic_state_ext_t;

#define HV_ATPIC_STATE_EXT_VER 100

/* State of one 8259 programmable interrupt controller. */
struct hv_atpic_state {
	bool ready;
	uint8_t icw_num;
	uint8_t rd_cmd_reg;
	bool aeoi;
	bool poll;
	bool rotate;
	bool sfn;
	uint8_t irq_base;
	uint8_t request;
	uint8_t service;
	uint8_t mask;
	bool smm;
	uint8_t last_request;
	uint8_t lowprio;
	bool intr_raised;
	uint8_t elc;
};

typedef struct {
	uint32_t version; /* HV_ATPIC_STATE_EXT_VER */
	struct hv_atpic_state state;
} hv_atpic_state_ext_t;

#define HV_IOAPIC_STATE_EXT_VER 100

/* IOAPIC state. */
struct hv_ioapic_state {
	uint64_t rtbl[32]; /* redirection table */
	uint32_t irr;
	uint32_t ioa_id;
	uint32_t ioregsel;
};

typedef struct {
	uint32_t version; /* HV_IOAPIC_STATE_EXT_VER */
	struct hv_ioapic_state state;
} hv_ioapic_state_ext_t;

__END_DECLS

#endif /* __HYPERVISOR_HV_INTR__ */
