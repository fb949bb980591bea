/* cpu.c - IDT, exception reports, LAPIC (xAPIC MMIO) and IOAPIC routing. */
#include "uk.h"

static void (*handlers[256])(void);

#define LAPIC_BASE 0xFEE00000UL
#define IOAPIC1 0xFEC00000UL
#define IOAPIC2 0xFEC10000UL

struct exc_frame {
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

static const char *const exc_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound", "invalid opcode",
    "no FPU", "double fault", "coprocessor", "invalid TSS", "segment not present",
    "stack fault", "general protection", "page fault", "reserved", "x87", "alignment check",
    "machine check", "SIMD", "virtualisation", "control protection",
};

void exception_report(struct exc_frame *f)
{
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "exception";
    kprintf("unibench: error: CPU exception %u (%s) rip=0x%lx cs=0x%lx error=0x%lx cr2=0x%lx rsp=0x%lx\n",
            (unsigned)f->vector, name, f->rip, f->cs, f->error, cr2, f->rsp);
    halt_forever();
}

void irq_dispatch(uint64_t vec)
{
    if (vec < 256 && handlers[vec])
        handlers[vec]();
    if (vec != VEC_SPURIOUS)
        lapic_eoi();
}

void irq_set_handler(int vec, void (*fn)(void))
{
    handlers[vec] = fn;
}

uint32_t lapic_read(uint32_t reg)
{
    return mmio_read32(LAPIC_BASE + reg);
}

void lapic_write(uint32_t reg, uint32_t v)
{
    mmio_write32(LAPIC_BASE + reg, v);
}

void lapic_eoi(void)
{
    lapic_write(0xB0, 0);
}

static uint32_t ioapic_read(uintptr_t base, uint32_t reg)
{
    mmio_write32(base, reg);
    return mmio_read32(base + 0x10);
}

static void ioapic_write(uintptr_t base, uint32_t reg, uint32_t v)
{
    mmio_write32(base, reg);
    mmio_write32(base + 0x10, v);
}

int ioapic2_present(void)
{
    uint32_t ver = ioapic_read(IOAPIC2, 1);
    return ver != 0 && ver != 0xFFFFFFFF;
}

int ioapic_route(unsigned gsi, uint8_t vec)
{
    uintptr_t base = IOAPIC1;
    unsigned pin = gsi;
    unsigned pins = ((ioapic_read(IOAPIC1, 1) >> 16) & 0xFF) + 1;
    if (gsi >= pins) {
        if (!ioapic2_present())
            return -1;
        base = IOAPIC2;
        pin = gsi - pins;
        unsigned pins2 = ((ioapic_read(IOAPIC2, 1) >> 16) & 0xFF) + 1;
        if (pin >= pins2)
            return -1;
    }
    ioapic_write(base, 0x11 + 2 * pin, 0);                       /* destination APIC 0 */
    ioapic_write(base, 0x10 + 2 * pin, vec | (1u << 15));        /* level, active high */
    return 0;
}

void cpu_init(void)
{
    /* Legacy PIC: mask everything (harmless when absent). */
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);

    /* LAPIC: xAPIC mode at the default base, software-enabled, TPR 0. */
    uint64_t apic = rdmsr(0x1B);
    if ((apic & 0xC00) != 0x800)
        wrmsr(0x1B, (apic & 0xFFF & ~0xC00ULL) | 0x800 | LAPIC_BASE);
    lapic_write(0x80, 0);
    lapic_write(0xF0, 0x100 | VEC_SPURIOUS);
    lapic_write(0x350, 1u << 16); /* LINT0 masked */
    lapic_write(0x360, 1u << 16); /* LINT1 masked */
    lapic_write(0x320, 1u << 16); /* timer masked until armed */
}

/* ---- memory-protection self-test (kernel command line fault=WHAT; tests/run.sh) ---- */

extern char pml4[];
static volatile uint8_t exec_buf[16] = {0xC3}; /* "ret", in a no-execute data page */

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static unsigned overflow_stack(volatile unsigned depth)
{
    volatile uint8_t frame[512];
    frame[0] = (uint8_t)depth;
    return overflow_stack(depth + 1) + frame[0];
}
#pragma GCC diagnostic pop

/* Writes past a local array: the canary check on return calls __stack_chk_fail. */
static __attribute__((noinline)) void smash(const char *what, size_t n)
{
    char buf[16];
    char *volatile p = buf; /* hides the bound from the compiler */
    for (size_t i = 0; i < sizeof buf + sizeof(uint64_t); i++)
        p[i] = what[i % n];
    __asm__ volatile("" ::"r"(buf) : "memory");
}

int fault_selftest(const char *what, size_t n)
{
    kprintf("unibench: fault self-test: %.*s\n", (int)n, what);
    if (n == 4 && !memcmp(what, "null", 4))
        return *(volatile int *)0;
    if (n == 10 && !memcmp(what, "write-text", 10))
        *(volatile uint8_t *)(uintptr_t)&fault_selftest = 0xC3;
    else if (n == 9 && !memcmp(what, "exec-data", 9))
        ((void (*)(void))(uintptr_t)exec_buf)();
    else if (n == 15 && !memcmp(what, "write-pagetable", 15))
        *(volatile uint8_t *)pml4 = 0;
    else if (n == 14 && !memcmp(what, "stack-overflow", 14))
        return (int)overflow_stack(0);
    else if (n == 11 && !memcmp(what, "stack-smash", 11))
        smash(what, n);
    else
        return -1;
    return 0;
}
