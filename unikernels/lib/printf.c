/* printf.c - a small formatted console writer (boot messages and errors only). */
#include "uk.h"

struct out {
    char buf[256];
    size_t n;
};

static void put(struct out *o, char c)
{
    if (o->n == sizeof(o->buf)) {
        serial_write(o->buf, o->n);
        o->n = 0;
    }
    o->buf[o->n++] = c;
}

static void put_num(struct out *o, uint64_t v, unsigned base, int width, char pad, int neg)
{
    char tmp[24];
    int i = 0;
    do {
        unsigned d = v % base;
        tmp[i++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (neg)
        tmp[i++] = '-';
    while (i < width--)
        put(o, pad);
    while (i)
        put(o, tmp[--i]);
}

static void vformat(struct out *o, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            lng++;
            fmt++;
        }
        if (*fmt == 'z') {
            lng = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            while (*s)
                put(o, *s++);
            break;
        }
        case '.': /* "%.*s" */
            if (fmt[1] == '*' && fmt[2] == 's') {
                int len = va_arg(ap, int);
                const char *s = va_arg(ap, const char *);
                for (int i = 0; i < len && s[i]; i++)
                    put(o, s[i]);
                fmt += 2;
            }
            break;
        case 'c':
            put(o, (char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_num(o, v < 0 ? (uint64_t)-v : (uint64_t)v, 10, width, pad, v < 0);
            break;
        }
        case 'u':
            put_num(o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad, 0);
            break;
        case 'x':
            put_num(o, lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad, 0);
            break;
        case 'p':
            put(o, '0');
            put(o, 'x');
            put_num(o, (uintptr_t)va_arg(ap, void *), 16, width, pad, 0);
            break;
        case '%':
            put(o, '%');
            break;
        default:
            put(o, '?');
            break;
        }
    }
}

void kprintf(const char *fmt, ...)
{
    struct out o;
    o.n = 0;
    va_list ap;
    va_start(ap, fmt);
    vformat(&o, fmt, ap);
    va_end(ap);
    serial_write(o.buf, o.n);
}

void halt_forever(void)
{
    for (;;) {
        if (cpu_ring() == 0)
            __asm__ volatile("cli; hlt");
        else
            sys_trap(SYS_HALT, 0, 0);
    }
}

void fatal(const char *fmt, ...)
{
    struct out o;
    o.n = 0;
    const char *pre = "unibench: error: ";
    while (*pre)
        put(&o, *pre++);
    va_list ap;
    va_start(ap, fmt);
    vformat(&o, fmt, ap);
    va_end(ap);
    put(&o, '\n');
    serial_write(o.buf, o.n);
    halt_forever();
}

/* -fstack-protector-strong: a function's canary was overwritten. */
void __stack_chk_fail(void) UK_NORETURN;
void __stack_chk_fail(void)
{
    fatal("stack smashing detected");
}
