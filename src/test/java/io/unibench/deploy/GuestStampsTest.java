package io.unibench.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GuestStampsTest {

    @Test
    void theStampLineGivesDurationsSinceTheGuestsEntry() {
        // as start.c prints it, after the ready line, with the event_idx note
        String console = "unibench: dns ready\n"
                + "unibench: boot_us entry=12781860096 clock=12781861154 devices=12781871543 ready=12781871793 event_idx\n";
        GuestStamps g = GuestStamps.find(console);
        assertThat(g).isEqualTo(new GuestStamps(12781860096L, 12781861154L, 12781871543L, 12781871793L));
        assertThat(g.clockMs()).isCloseTo(1.058, within(1e-9));
        assertThat(g.devicesMs()).isCloseTo(11.447, within(1e-9));
        assertThat(g.readyMs()).isCloseTo(11.697, within(1e-9));
        assertThat(GuestStamps.find(console.getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo(g);
    }

    @Test
    void noCompleteOrderedLineIsNoStamps() {
        assertThat(GuestStamps.find("unibench: dns ready\n")).isNull();
        // cut off mid-line (the console is read while the guest writes it)
        assertThat(GuestStamps.find("unibench: boot_us entry=10 clock=20 devi")).isNull();
        assertThat(GuestStamps.find("unibench: boot_us entry=10 clock=5 devices=30 ready=40\n")).isNull();
        assertThat(GuestStamps.find("unibench: boot_us entry=99999999999999999999 clock=1 devices=2 ready=3\n"))
                .isNull();
    }

    @Test
    void theEntryOnTheHostClockIsTheReadyLinesTimeMinusTheGuestsEntryToReady() {
        GuestStamps g = new GuestStamps(1_000, 2_000, 9_000, 10_000); // ready 9 ms after entry
        Deployer.Start s = new Deployer.Start() {
            @Override
            public Instance instance() {
                return null;
            }

            @Override
            public long t0Nanos() {
                return 0;
            }

            @Override
            public long spawnedNanos() {
                return 0;
            }

            @Override
            public long startedNanos() {
                return 0;
            }

            @Override
            public long consoleReadyNanos() {
                return 50_000_000;
            }

            @Override
            public GuestStamps guestStamps() {
                return g;
            }

            @Override
            public String failure() {
                return null;
            }

            @Override
            public void close() {
            }
        };
        assertThat(s.guestEntryNanos()).isEqualTo(41_000_000);
    }
}
