/*
 * time.c - monotonic clock from rdtsc, scaled by kvmclock's rate when KVM offers it,
 * else calibrated against PIT channel 0, else against the LAPIC timer (QEMU: 1 GHz).
 * One-shot LAPIC timer for deadlines.
 */
#include "uk.h"

static uint64_t tsc0;
static uint64_t tsc_hz;
static uint64_t ns_mult;    /* ns = (delta * ns_mult) >> 32 */
static uint64_t lapic_mult; /* ticks = (ns * lapic_mult) >> 32 */
static uint64_t armed;

#define NSEC 1000000000ULL
#define PIT_HZ 1193182ULL

struct pvclock {
    uint32_t version, pad0;
    uint64_t tsc_timestamp, system_time;
    uint32_t mul;
    int8_t shift;
    uint8_t flags, pad[2];
} __attribute__((packed, aligned(64)));
static struct pvclock pvc;

static uint64_t kvmclock_hz(void)
{
    uint32_t a, b, c, d;
    cpuid(0x40000000, &a, &b, &c, &d);
    if (b != 0x4b4d564b || c != 0x564b4d56 || d != 0x4d) /* "KVMKVMKVM\0\0\0" */
        return 0;
    cpuid(0x40000001, &a, &b, &c, &d);
    uint32_t msr;
    if (a & (1u << 3))
        msr = 0x4b564d01;
    else if (a & 1)
        msr = 0x12;
    else
        return 0;
    wrmsr(msr, (uintptr_t)&pvc | 1);
    uint32_t mul = 0;
    int8_t shift = 0;
    for (int i = 0; i < 1000; i++) {
        uint32_t v = *(volatile uint32_t *)&pvc.version;
        barrier();
        mul = *(volatile uint32_t *)&pvc.mul;
        shift = *(volatile int8_t *)&pvc.shift;
        barrier();
        if (!(v & 1) && v == *(volatile uint32_t *)&pvc.version && mul)
            break;
        mul = 0;
    }
    wrmsr(msr, 0);
    if (!mul)
        return 0;
    uint64_t hz = (NSEC << 32) / mul;
    if (shift > 0)
        hz >>= shift;
    else
        hz <<= -shift;
    return hz;
}

static uint16_t pit_read(void)
{
    outb(0x43, 0x00);
    uint8_t lo = inb(0x40);
    uint8_t hi = inb(0x40);
    return (uint16_t)(lo | hi << 8);
}

/* TSC rate over ~5 ms of PIT channel 0 (mode 2, full 16-bit count); 0 if no PIT. */
static uint64_t pit_hz(void)
{
    outb(0x43, 0x34);
    outb(0x40, 0);
    outb(0x40, 0);
    uint16_t prev = pit_read();
    uint64_t elapsed = 0, target = PIT_HZ / 200;
    uint64_t t0 = rdtsc();
    for (int i = 0; i < 200000 && elapsed < target; i++) {
        uint16_t cur = pit_read();
        elapsed += (uint16_t)(prev - cur);
        prev = cur;
        if (i == 2000 && elapsed == 0)
            return 0; /* counter does not move: pit=off */
    }
    uint64_t t1 = rdtsc();
    if (elapsed < target)
        return 0;
    return (t1 - t0) * PIT_HZ / elapsed;
}

/* TSC rate from the LAPIC timer counting at the assumed 1 GHz bus clock (divide by 1). */
static uint64_t lapic_assumed_hz(void)
{
    lapic_write(0x3E0, 0xB);
    lapic_write(0x320, 1u << 16);
    lapic_write(0x380, 0xFFFFFFFF);
    uint32_t c0 = lapic_read(0x390);
    uint64_t t0 = rdtsc();
    uint32_t c1 = c0;
    for (int i = 0; i < 10000000 && c0 - c1 < 2000000; i++)
        c1 = lapic_read(0x390);
    uint64_t t1 = rdtsc();
    lapic_write(0x380, 0);
    if (c0 == c1)
        return 0;
    return (t1 - t0) * NSEC / (c0 - c1);
}

/* LAPIC timer rate (divide by 1) against the TSC over 1 ms, measured when the first
 * timer is armed: the DNS service never pays for it, TCP once at its first connection.
 * (A longer, wait-free measurement from boot read 100x too slow under this KVM.) */
static void lapic_calibrate(void)
{
    lapic_write(0x3E0, 0xB);
    lapic_write(0x320, 1u << 16);
    lapic_write(0x380, 0xFFFFFFFF);
    uint64_t t0 = rdtsc();
    uint32_t c0 = lapic_read(0x390);
    uint64_t t1;
    do
        t1 = rdtsc();
    while (t1 - t0 < tsc_hz / 1000);
    uint32_t c1 = lapic_read(0x390);
    lapic_write(0x380, 0);
    uint64_t hz = c1 < c0 ? (uint64_t)(c0 - c1) * 1000000 / ((t1 - t0) / (tsc_hz / 1000000)) : 0;
    if (!hz)
        hz = NSEC; /* QEMU's LAPIC counts at 1 GHz */
    lapic_mult = (hz << 32) / NSEC;
}

const char *clock_source = "";

static void timer_irq(void)
{
    armed = 0;
}

void time_init(void)
{
    tsc_hz = kvmclock_hz();
    const char *src = "kvmclock";
    if (!tsc_hz) {
        tsc_hz = pit_hz();
        src = "pit";
    }
    if (!tsc_hz) {
        tsc_hz = lapic_assumed_hz();
        src = "lapic";
    }
    if (!tsc_hz)
        fatal("no usable clock (no kvmclock, PIT or LAPIC timer)");
    ns_mult = (NSEC << 32) / tsc_hz;
    irq_set_handler(VEC_TIMER, timer_irq);
    tsc0 = rdtsc();
    clock_source = src;
}

uint64_t tsc_khz(void)
{
    return tsc_hz / 1000;
}

uint64_t now_ns(void)
{
    uint64_t d = rdtsc() - tsc0;
    return (uint64_t)(((unsigned __int128)d * ns_mult) >> 32);
}

void timer_arm(uint64_t deadline)
{
    if (deadline == armed)
        return;
    armed = deadline;
    if (!deadline) {
        lapic_write(0x380, 0);
        return;
    }
    if (!lapic_mult)
        lapic_calibrate();
    uint64_t now = now_ns();
    uint64_t delta = deadline > now ? deadline - now : 1000;
    uint64_t ticks = (uint64_t)(((unsigned __int128)delta * lapic_mult) >> 32);
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xFFFFFFFFULL)
        ticks = 0xFFFFFFFFULL;
    lapic_write(0x320, VEC_TIMER); /* one-shot, unmasked */
    lapic_write(0x380, (uint32_t)ticks);
}
