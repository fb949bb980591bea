package io.unibench.deploy;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The unikernel's boot stamps, read from its console line
 * {@code unibench: boot_us entry=E clock=C devices=D ready=R} (unikernels/boot/start.c): its own TSC in
 * microseconds at kernel entry, once the clock is calibrated, once the network devices are up and once the
 * service is bound (just before it prints its ready line). The guest prints them after it answered its first
 * frames, so their console characters (each a VM exit) never delay the first answer.
 * <p>
 * The guest's clock is not the host's: only differences between stamps are used, as durations since the
 * guest's entry. The host places the entry on its own clock through the ready line, which the guest prints
 * right after the {@code ready} stamp: entry = (host time the ready line appeared) - (ready - entry).
 */
public record GuestStamps(long entryUs, long clockUs, long devicesUs, long readyUs) {
    public static final String PREFIX = "unibench: boot_us ";
    private static final Pattern LINE = Pattern.compile(
            "unibench: boot_us entry=(\\d+) clock=(\\d+) devices=(\\d+) ready=(\\d+)");

    /** Entry to clock calibrated (CPU set-up, command line, clock), in milliseconds of guest time. */
    public double clockMs() {
        return (clockUs - entryUs) / 1e3;
    }

    /** Entry to network devices up (includes {@link #clockMs()}), in milliseconds of guest time. */
    public double devicesMs() {
        return (devicesUs - entryUs) / 1e3;
    }

    /** Entry to service bound, just before the ready line (includes {@link #devicesMs()}), in guest ms. */
    public double readyMs() {
        return (readyUs - entryUs) / 1e3;
    }

    /** The stamps in a console text, null when it has no (complete, ordered) stamp line. */
    public static GuestStamps find(CharSequence console) {
        Matcher m = LINE.matcher(console);
        if (!m.find()) {
            return null;
        }
        try {
            GuestStamps s = new GuestStamps(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    Long.parseLong(m.group(3)), Long.parseLong(m.group(4)));
            return s.entryUs <= s.clockUs && s.clockUs <= s.devicesUs && s.devicesUs <= s.readyUs ? s : null;
        } catch (NumberFormatException e) {
            return null; // digits beyond a long: not a stamp line this guest could have printed
        }
    }

    /** {@link #find(CharSequence)} on console bytes (the serial log). */
    public static GuestStamps find(byte[] console) {
        return find(new String(console, StandardCharsets.ISO_8859_1));
    }
}
