/*
 * entry.S - PVH entry (32-bit protected mode, paging off, ebx = hvm_start_info).
 *
 * Under this machine's paravirtual KVM (kvm-pvm) a guest's ring-0 code is emulated
 * instruction by instruction (~0.5 us each) while its ring-3 code runs natively, so:
 *  - the 32-bit and ring-0 parts are a few dozen instructions: page tables, GDT and TSS
 *    are prebuilt in .data; only the IDT gates and the TSS descriptor are filled here;
 *  - then we drop to ring 3 with IOPL 3 (port I/O allowed) and IF = 0, clear the BSS
 *    there and run kmain; all memory is mapped user-accessible (single address space);
 *  - ring 0 is entered only for interrupts and through a ud2 trap (idle with hlt, halt,
 *    rdmsr, wrmsr): see sys_trap below and uk.h.
 * On TCG and ordinary KVM this costs nothing measurable.
 *
 * Memory protection (kernel.ld lays it out, build/pt.ld is the 4 KiB table of the first
 * 2 MiB): code and read-only data are read-only and executable, the page tables are
 * read-only, everything else is no-execute (EFER.NXE), page 0 and a page under each stack
 * are not mapped (NULL and stack-overflow traps), and CR0.WP makes ring 0 respect all this
 * too. A CPU without NX stops here with a message on COM1.
 */
#define PVH_NOTE_ENTRY 18
/* Linux's selector layout (what PVM's switcher expects): */
#define KCODE 0x10
#define KDATA 0x18
#define UDATA 0x2b
#define UCODE 0x33
#define TSSSEL 0x40

    .section .note.Xen, "a"
    .p2align 2
    .long 4                 /* namesz: "Xen\0" */
    .long 8                 /* descsz: 64-bit physical entry address */
    .long PVH_NOTE_ENTRY
    .asciz "Xen"
    .p2align 2
    .quad pvh_start32
    .p2align 2

    .section .text.boot, "ax"
    .code32
    .globl pvh_start32
pvh_start32:
    cli
    cld
    mov %ebx, %esi
    mov $0x80000001, %eax   /* NX (CPUID 0x80000001 EDX bit 20) is required */
    cpuid
    bt $20, %edx
    jnc no_nx
    mov $pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x20, %eax          /* PAE */
    mov %eax, %cr4
    mov $0xC0000080, %ecx   /* EFER.LME | EFER.NXE */
    rdmsr
    or $0x900, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80010001, %eax    /* PG | WP | PE */
    and $~0x60000000, %eax  /* caches on: clear CD, NW */
    mov %eax, %cr0
    lgdt gdt_ptr
    ljmp $KCODE, $start64

no_nx:
    mov $no_nx_msg, %esi
1:  lodsb
    test %al, %al
    jz 2f
    mov $0x3F8, %dx
    outb %al, %dx
    jmp 1b
2:  cli
    hlt
    jmp 2b
no_nx_msg:
    .asciz "unibench: error: this CPU has no NX (no-execute) support\n"

    .code64
start64:
    mov $KDATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %eax, %eax
    mov %ax, %fs
    mov %ax, %gs
    movl %esi, %r12d        /* start_info; the upper half is undefined after the switch */
    lea kstack_top(%rip), %rsp

    /* IDT gates from idt_src: {handler, vector, type} */
    lea idt_src(%rip), %rsi
    lea idt(%rip), %r9
    mov $(idt_src_end - idt_src) / 16, %ecx
1:  mov (%rsi), %rax
    movzwl 8(%rsi), %edx
    shl $4, %edx
    lea (%r9,%rdx), %rdi
    mov %ax, (%rdi)
    movw $KCODE, 2(%rdi)
    movb $0, 4(%rdi)
    movb 10(%rsi), %dl
    movb %dl, 5(%rdi)
    shr $16, %rax
    mov %ax, 6(%rdi)
    shr $16, %rax
    mov %eax, 8(%rdi)
    add $16, %rsi
    dec %ecx
    jnz 1b
    lidt idt_ptr(%rip)

    /* 64-bit TSS descriptor (the base must be split, so it is filled at run time) */
    lea tss(%rip), %rax
    lea gdt_tss(%rip), %rdi
    mov %ax, 2(%rdi)
    shr $16, %rax
    mov %al, 4(%rdi)
    mov %ah, 7(%rdi)
    shr $16, %rax
    mov %eax, 8(%rdi)
    mov $TSSSEL, %ax
    ltr %ax

    /* Drop to ring 3: IOPL 3, interrupts off until the first idle call. */
    pushq $UDATA
    lea ustack_top(%rip), %rax
    push %rax
    pushq $0x3002
    pushq $UCODE
    lea user_start(%rip), %rax
    push %rax
    iretq

user_start:
    mov $UDATA, %ax
    mov %ax, %ds
    mov %ax, %es
    movl %r12d, %edi
    call boot_check_memory  /* halts when RAM cannot hold the BSS */
    /* No BSS clearing: QEMU's ELF loader (PVH on microvm and pc, also under libvirt) zero-fills
     * every PT_LOAD segment beyond its file size into fresh guest RAM, and the guest never
     * reboots (-no-reboot). Clearing it here touched every BSS page at boot, each first touch
     * a page-fault exit under this machine's shadow-paging PVM KVM (the 512 KiB TCP table of
     * the web and DNS images alone is 129 of them); untouched, a page costs its exit only
     * when first used. */
    rdtsc                   /* stack-protector canary: the link-time value mixed with the TSC */
    shl $32, %rdx
    or %rdx, %rax
    xor %rax, __stack_chk_guard(%rip)
    xor %ebp, %ebp
    movl %r12d, %edi
    call kmain
2:  mov $1, %edi            /* SYS_HALT */
    call sys_trap
    jmp 2b

/* Exceptions: push a dummy error code where the CPU does not, then the vector. */
.macro EXC_NOERR n
exc\n:
    pushq $0
    pushq $\n
    jmp exc_common
.endm
.macro EXC_ERR n
exc\n:
    pushq $\n
    jmp exc_common
.endm

    .text
EXC_NOERR 0
EXC_NOERR 1
EXC_NOERR 2
EXC_NOERR 3
EXC_NOERR 4
EXC_NOERR 5

/* #UD doubles as the way up from ring 3 (PVM turns both `int n` and `syscall` into
 * something else): a ud2 at sys_ud2 means "system call" with eax = 0 idle, 1 halt,
 * 2 rdmsr(edi) -> rax, 3 wrmsr(edi, rsi). Any other #UD is a real exception. */
exc6:
    push %rax
    lea sys_ud2(%rip), %rax
    cmp %rax, 8(%rsp)
    pop %rax
    jne 8f
    addq $2, (%rsp)         /* return after the ud2 */
    cmp $0, %eax
    je 4f
    cmp $2, %eax
    je 5f
    cmp $3, %eax
    je 6f
7:  cli
    hlt
    jmp 7b
4:  sti
    /* An interrupt taken between sti and hlt gets its return address moved to idle_done
     * by irq_common, so it never leads to a sleep with work pending. (Under PVM the
     * sti shadow did not make a pending interrupt end the hlt: stalls until the next timer.) */
idle_window:
    nop
    hlt
idle_done:
    cli
    iretq
5:  mov %edi, %ecx
    rdmsr
    shl $32, %rdx
    or %rdx, %rax
    iretq
6:  mov %edi, %ecx
    mov %rsi, %rax
    mov %rsi, %rdx
    shr $32, %rdx
    wrmsr
    iretq
8:  pushq $0
    pushq $6
    jmp exc_common

/* uint64_t sys_trap(uint64_t op, uint64_t a, uint64_t b): the ring-3 side of the above. */
    .globl sys_trap
sys_trap:
    mov %rdi, %rax
    mov %rsi, %rdi
    mov %rdx, %rsi
sys_ud2:
    ud2
    ret
EXC_NOERR 7
EXC_ERR 8
EXC_NOERR 9
EXC_ERR 10
EXC_ERR 11
EXC_ERR 12
EXC_ERR 13
EXC_ERR 14
EXC_NOERR 15
EXC_NOERR 16
EXC_ERR 17
EXC_NOERR 18
EXC_NOERR 19
EXC_NOERR 20
EXC_ERR 21
EXC_NOERR 22
EXC_NOERR 23
EXC_NOERR 24
EXC_NOERR 25
EXC_NOERR 26
EXC_NOERR 27
EXC_NOERR 28
EXC_ERR 29
EXC_ERR 30
EXC_NOERR 31

exc_common:
    /* Frame: vector, error, rip, cs, rflags, rsp, ss. Never returns. */
    mov %rsp, %rdi
    and $-16, %rsp
    call exception_report
3:  cli
    hlt
    jmp 3b

/* Hardware interrupts: save caller-saved registers, call irq_dispatch(vector). */
.macro IRQ n
irq\n:
    pushq $\n
    jmp irq_common
.endm
IRQ 0x20
IRQ 0x21
IRQ 0xff

irq_common:
    push %rax
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    lea idle_window(%rip), %rax
    cmp %rax, 80(%rsp)
    jb 9f
    lea idle_done(%rip), %rax
    cmp %rax, 80(%rsp)
    jae 9f
    mov %rax, 80(%rsp)      /* interrupted before hlt: skip it */
9:  mov 72(%rsp), %rdi
    sub $8, %rsp
    call irq_dispatch
    add $8, %rsp
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rax
    add $8, %rsp
    iretq

    .section .rodata
    .p2align 3
.macro GATE vec, handler, type=0x8E
    .quad \handler
    .word \vec
    .byte \type, 0
    .long 0
.endm
idt_src:
    GATE 0, exc0
    GATE 1, exc1
    GATE 2, exc2
    GATE 3, exc3
    GATE 4, exc4
    GATE 5, exc5
    GATE 6, exc6
    GATE 7, exc7
    GATE 8, exc8
    GATE 9, exc9
    GATE 10, exc10
    GATE 11, exc11
    GATE 12, exc12
    GATE 13, exc13
    GATE 14, exc14
    GATE 15, exc15
    GATE 16, exc16
    GATE 17, exc17
    GATE 18, exc18
    GATE 19, exc19
    GATE 20, exc20
    GATE 21, exc21
    GATE 22, exc22
    GATE 23, exc23
    GATE 24, exc24
    GATE 25, exc25
    GATE 26, exc26
    GATE 27, exc27
    GATE 28, exc28
    GATE 29, exc29
    GATE 30, exc30
    GATE 31, exc31
    GATE 0x20, irq0x20
    GATE 0x21, irq0x21
    GATE 0xff, irq0xff
idt_src_end:

idt_ptr:
    .word 256 * 16 - 1
    .quad idt
gdt_ptr:
    .word gdt_end - gdt - 1
    .quad gdt

    .data
    .p2align 4
gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF   /* 0x08: kernel 32-bit code (unused) */
    .quad 0x00AF9A000000FFFF   /* 0x10: kernel 64-bit code */
    .quad 0x00CF92000000FFFF   /* 0x18: kernel data */
    .quad 0x00CFFA000000FFFF   /* 0x20: user 32-bit code (sysret base) */
    .quad 0x00CFF2000000FFFF   /* 0x28: user data (DPL 3) */
    .quad 0x00AFFA000000FFFF   /* 0x30: user 64-bit code (DPL 3) */
    .quad 0
gdt_tss:                       /* 0x40: 64-bit TSS with I/O bitmap, base filled at boot */
    .word tss_end - tss - 1, 0
    .byte 0, 0x89, 0, 0
    .quad 0
gdt_end:

    .p2align 4
tss:
    .long 0
    .quad kstack_top           /* rsp0: interrupts from ring 3 land here */
    .fill 90, 1, 0
    .word 104                  /* I/O bitmap right after: every port allowed */
    .fill 8192, 1, 0
    .byte 0xff
tss_end:

    .p2align 4
idt:
    .fill 256 * 16, 1, 0

    /* Identity map of the low 4 GiB, user-accessible, accessed and dirty preset: the first
     * 2 MiB in 4 KiB pages (pt0, generated: build/pt.ld), the rest in 2 MiB pages, no-execute;
     * 3-4 GiB (MMIO) uncached. Read-only (kernel.ld places .pagetables in its own pages). */
    .section .pagetables, "a"
    .p2align 12
    .globl pml4
pml4:
    .quad pdpt + 0x27
    .fill 511, 8, 0
pdpt:
    .quad pdirs + 0x27
    .quad pdirs + 0x1000 + 0x27
    .quad pdirs + 0x2000 + 0x27
    .quad pdirs + 0x3000 + 0x27
    .fill 508, 8, 0
pdirs:
    .quad pt0 + 0x27
    .set page, 1
    .rept 1535
    .quad (page << 21) | 0xe7 | 0x8000000000000000
    .set page, page + 1
    .endr
    .rept 512
    .quad (page << 21) | 0xff | 0x8000000000000000
    .set page, page + 1
    .endr

    /* The stack-protector canary (-fstack-protector-strong -mstack-protector-guard=global),
     * made unpredictable at boot before the first protected function runs. */
    .data
    .p2align 3
    .globl __stack_chk_guard
__stack_chk_guard:
    .quad 0x595e9fbd94fda766
