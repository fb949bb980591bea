/*
 * nullguest.S - the smallest PVH guest, for measuring what QEMU's start costs by itself:
 * it writes one byte ('U') to COM1 and resets the machine at once (a triple fault through
 * an empty IDT), so `qemu-system-x86_64 -no-reboot -kernel build/tools/nullguest.elf` exits
 * by itself. spawn -> first console byte is QEMU's own start with no guest work at all
 * (scripts/boot-numbers.sh; tools/firstbyte.c times it). Six instructions, all in ring 0:
 * under this machine's paravirtual KVM each is emulated, and the one `out` is an exit.
 */
    .section .note.Xen, "a"
    .p2align 2
    .long 4                 /* namesz: "Xen\0" */
    .long 8                 /* descsz: 64-bit physical entry address */
    .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .p2align 2
    .quad null_start32
    .p2align 2

    .text
    .code32
    .globl null_start32
null_start32:
    mov $0x3f8, %dx
    mov $'U', %al
    out %al, %dx
    lidt empty_idt
    ud2                     /* #UD -> no gate -> double fault -> triple fault -> reset */
1:  hlt
    jmp 1b

    .p2align 3
empty_idt:
    .word 0
    .long 0
