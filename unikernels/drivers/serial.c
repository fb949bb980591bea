/* serial.c - COM1 16550 output, polled; used only for boot messages and errors. */
#include "uk.h"

#define COM1 0x3F8

void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no UART interrupts */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xC7); /* FIFO on */
    outb(COM1 + 4, 0x03);
}

/* Every port access is a VM exit (tens of us under load), so the line status register
 * is read once per 16 characters: THRE with the FIFO enabled means the 16-byte FIFO is
 * empty, so 16 characters can follow without looking. */
static unsigned room;

static void put(char c)
{
    if (room == 0) {
        for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
            ;
        room = 16;
    }
    outb(COM1, (uint8_t)c);
    room--;
}

void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            put('\r');
        put(s[i]);
    }
}
