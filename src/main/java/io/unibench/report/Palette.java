package io.unibench.report;

import java.awt.Color;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's one palette: a stable colour per backend, the same in every chart and in the page's tables,
 * whatever the order of the inputs. Known backends have a fixed slot; any other series (a --label, a
 * second run of the same backend) takes the next free slot in the order it first appears. Colour-blind
 * safe (after Okabe and Ito, darkened for white backgrounds).
 */
public final class Palette {
    /** Backends in slot order: each keeps this colour in every report. Add a new backend at the end. */
    public static final List<String> BACKENDS = List.of("qemu", "docker", "native", "gvisor", "libvirt");

    static final Color[] COLORS = {
        new Color(0x1f, 0x6f, 0xb4), // blue: qemu
        new Color(0xe0, 0x7b, 0x00), // orange: docker
        new Color(0x2a, 0x9d, 0x5c), // green: native
        new Color(0xc2, 0x3b, 0x8c), // magenta: gvisor
        new Color(0x6b, 0x4c, 0x9a), // purple: libvirt
        new Color(0x8c, 0x5a, 0x2b), // brown
        new Color(0x3a, 0xa8, 0xc1), // cyan
        new Color(0xb5, 0x9a, 0x00), // olive
    };
    static final Color NEUTRAL = new Color(0x22, 0x22, 0x22);
    static final Color REFERENCE = new Color(0x99, 0x99, 0x99);

    private final Map<String, Integer> slots = new LinkedHashMap<>();

    public Palette() {
        for (int i = 0; i < BACKENDS.size(); i++) {
            slots.put(BACKENDS.get(i), i);
        }
    }

    /** The slot of a backend or series name; a new name takes the next slot. */
    public synchronized int slot(String key) {
        return slots.computeIfAbsent(key, k -> slots.size());
    }

    /** The colour of a slot, or the neutral colour for -1 (markers, reference lines). */
    public static Color color(int slot) {
        return slot < 0 ? NEUTRAL : COLORS[slot % COLORS.length];
    }

    /** The colour of a slot as CSS, e.g. {@code #1f6fb4}. */
    public static String css(int slot) {
        Color c = color(slot);
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    /** Whether a name is one of the backends with a fixed colour. */
    public static boolean isBackend(String name) {
        return name != null && BACKENDS.contains(name);
    }
}
