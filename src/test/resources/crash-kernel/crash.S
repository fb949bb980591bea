/*
 * A tiny PVH kernel for the deploy fault tests: prints one line on COM1, then executes ud2 with no IDT,
 * which triple-faults the guest (QEMU with -no-reboot then exits). With --defsym INT3=1 it executes int3
 * instead: the same triple fault on TCG or hardware KVM, but an emulation failure under a nested PVM KVM,
 * which leaves QEMU alive with the guest paused (status internal-error). Built by the test with binutils:
 *   as --32 [--defsym INT3=1] crash.S -o crash.o && ld -m elf_i386 -Ttext=0x100000 -e start32 -o crash.elf crash.o
 */
    .section .note.Xen, "a", @note
    .align 4
    .long 4                 /* name size ("Xen\0") */
    .long 4                 /* descriptor size: 32-bit entry in an ELF32 file */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .align 4
    .long start32

    .code32
    .text
    .globl start32
start32:
    mov $0x3f8, %dx
    mov $msg, %esi
1:  lodsb
    test %al, %al
    jz 2f
    outb %al, (%dx)
    jmp 1b
2:
.ifdef INT3
    int3
.else
    ud2
.endif

    .section .rodata
msg: .asciz "crash-kernel: booted, now faulting\n"
