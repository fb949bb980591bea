package io.unibench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void durations() {
        assertThat(Units.parseDuration("300ms")).isEqualTo(Duration.ofMillis(300));
        assertThat(Units.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Units.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Units.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Units.parseDuration("2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Units.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> Units.parseDuration("-1s")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> Units.parseDuration("5 parsecs")).isInstanceOf(UsageException.class);
    }

    @Test
    void rates() {
        assertThat(Units.parseRate("100")).isEqualTo(100.0);
        assertThat(Units.parseRate("2k")).isEqualTo(2000.0);
        assertThat(Units.parseRate("1.5M")).isEqualTo(1_500_000.0);
        assertThatThrownBy(() -> Units.parseRate("fast")).isInstanceOf(UsageException.class);
    }

    @Test
    void sizes() {
        assertThat(Units.parseSize("8M")).isEqualTo(8L << 20);
        assertThat(Units.parseSize("128MiB")).isEqualTo(128L << 20);
        assertThat(Units.parseSize("1G")).isEqualTo(1L << 30);
        assertThat(Units.parseSize("4096")).isEqualTo(4096L);
        assertThatThrownBy(() -> Units.parseSize("8X")).isInstanceOf(UsageException.class);
    }

    @Test
    void formats() {
        assertThat(Units.formatDuration(Duration.ofMillis(250))).isEqualTo("250ms");
        assertThat(Units.formatDuration(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Units.formatRate(12_500)).isEqualTo("12.5k");
        assertThat(Units.formatRate(950)).isEqualTo("950");
    }
}
