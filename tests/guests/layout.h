/*
 * Guest-physical layout and port protocol shared by the guests (assembled
 * with the C preprocessor) and the conformance tests.  One definition, so the
 * two sides cannot drift apart.
 *
 * RAM: GUEST_RAM_SIZE bytes at GPA 0, identity-mapped by guest_mode's paging.
 * Every guest blob is linked at GUEST_LOAD (below 64 KiB, so real-mode code
 * runs with CS base 0 and IP = its link address).
 */
#ifndef OPENHV_TESTS_GUEST_LAYOUT_H
#define OPENHV_TESTS_GUEST_LAYOUT_H

#define GUEST_RAM_SIZE   0x1000000   /* 16 MiB at GPA 0 */
#define GUEST_LOAD       0x1000      /* link and load address of every blob */
#define GUEST_CODE_END   0x8000      /* blobs must end below this */
#define GUEST_STACK_TOP  0x8000      /* initial RSP (stack grows into the code's tail gap) */
#define GUEST_DATA       0x9000      /* a page of data shared with the host */
#define GUEST_TABLE      0xa000      /* a page for tables the host fills (MSR lists) */
#define GUEST_IDT        0xb000      /* the long-mode guest builds its IDT here (4 KiB) */
#define GUEST_SCRATCH    0x100000    /* guest_mode's GDT/TSS/page tables, 64 KiB */
#define GUEST_PT_AREA    0x1c0000    /* page tables a test builds itself */
#define GUEST_FREE       0x300000    /* free RAM for tests: 0x300000 .. GUEST_RAM_SIZE */
#define GUEST_UNMAPPED   0x2000000   /* a GPA beyond RAM: never mapped */

/* Ports the guests write to. */
#define PORT_REPORT      0xe0        /* "check this value": EAX (or AX/AL) */
#define PORT_EXC         0xe1        /* guest IDT handler: EAX = vector, frame at RSP */
#define PORT_DONE        0xf4        /* the case's guest code is finished */

/* The virtual-8086 guest (v86.S): its monitor's tables in free RAM, its
 * selectors, the V86 task's segments, vectors and ports. */
#define V86_IDT          0x301000    /* 256 gates */
#define V86_TSS          0x302000    /* 32-bit TSS with both bitmaps */
#define V86_TSS_REDIR    0x68        /* interrupt-redirection bitmap (32 bytes) */
#define V86_TSS_IOMAP    0x88        /* I/O-map base: 8 KiB of I/O bitmap, then 0xff */
#define V86_TSS_LIMIT    (V86_TSS_IOMAP + 0x2000)
#define V86_STACK0       0x310000    /* TSS.ESP0 */
#define V86_USER_STACK   0x28000     /* CPL-3 stack of the PVI case */
#define V86_SEL_CODE0    0x08
#define V86_SEL_DATA0    0x10
#define V86_SEL_TSS      0x18
#define V86_SEL_CODE3    0x23        /* DPL-3 flat code (RPL 3) */
#define V86_SEL_DATA3    0x2b        /* DPL-3 flat data (RPL 3) */
#define V86_SS           0x2000      /* the V86 task's stack: linear 0x20000 + SP */
#define V86_SP           0x1000
#define V86_ES           0x3000      /* the V86 task's data segment: linear 0x30000 */
#define V86_VEC_MONITOR  0x30        /* gate DPL 3 to the CPL-0 monitor */
#define V86_VEC_BADGATE  0x31        /* gate DPL 3 to a DPL-3 code segment */
#define V86_VEC_REDIR    0x42        /* redirected to the IVT under VME */
#define V86_VEC_NOREDIR  0x43        /* its redirection-bitmap bit is set */
#define V86_PORT_DENIED  0x80        /* its I/O-bitmap bit is set */

#endif
