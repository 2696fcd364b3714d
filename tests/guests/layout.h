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

#endif
