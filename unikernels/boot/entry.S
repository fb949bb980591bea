/*
 * entry.S - PVH entry (32-bit protected mode, paging off, ebx = hvm_start_info),
 * switch to long mode with identity-mapped 2 MiB pages over the low 4 GiB,
 * then call kmain(start_info). Also the interrupt and exception stubs.
 */
#define PVH_NOTE_ENTRY 18

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

    /* Clear BSS (page tables and stack live there). */
    mov $__bss_start, %edi
    mov $__bss_end, %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov %esi, boot_start_info

    /* PML4[0] -> PDPT; PDPT[0..3] -> 4 page directories of 2 MiB pages. */
    mov $pdpt, %eax
    or $3, %eax
    mov %eax, pml4
    mov $pdirs, %eax
    or $3, %eax
    mov $pdpt, %edi
    mov $4, %ecx
1:  mov %eax, (%edi)
    add $4096, %eax
    add $8, %edi
    loop 1b

    mov $pdirs, %edi
    xor %ecx, %ecx
2:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax          /* present, writable, 2 MiB */
    cmp $1536, %ecx         /* 3 GiB and up is MMIO: uncached */
    jb 3f
    or $0x18, %eax
3:  mov %eax, (%edi,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jb 2b

    mov $pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x20, %eax          /* PAE */
    mov %eax, %cr4
    mov $0xC0000080, %ecx   /* EFER.LME */
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax    /* PG | PE */
    and $~0x60000000, %eax  /* caches on: clear CD, NW */
    mov %eax, %cr0
    lgdt gdt_ptr
    ljmp $0x08, $start64

    .code64
start64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    lea stack_top(%rip), %rsp
    xor %ebp, %ebp
    movl boot_start_info(%rip), %edi
    call kmain
4:  cli
    hlt
    jmp 4b

/* Exceptions: push a dummy error code where the CPU does not, then the vector. */
.macro EXC_NOERR n
    .globl exc\n
exc\n:
    pushq $0
    pushq $\n
    jmp exc_common
.endm
.macro EXC_ERR n
    .globl exc\n
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
EXC_NOERR 6
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
5:  cli
    hlt
    jmp 5b

/* Hardware interrupts: save caller-saved registers, call irq_dispatch(vector). */
.macro IRQ n
    .globl irq\n
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
    mov 72(%rsp), %rdi
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
gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF   /* 0x08: 64-bit code */
    .quad 0x00CF92000000FFFF   /* 0x10: flat data */
gdt_end:
gdt_ptr:
    .word gdt_end - gdt - 1
    .long gdt

    .data
    .p2align 2
    .globl boot_start_info
boot_start_info:
    .long 0

    .bss
    .p2align 12
pml4:   .skip 4096
pdpt:   .skip 4096
pdirs:  .skip 4 * 4096
stack:  .skip 16384
stack_top:
