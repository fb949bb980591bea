package io.unibench.bench.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChurnScheduleTest {

    @Test
    void theStudysScheduleHas14PeriodsOf240Restarts() {
        ChurnSchedule s = ChurnSchedule.of(10, 10, 140, Duration.ofMinutes(20), Duration.ofSeconds(5), 1);
        assertThat(s.periods()).hasSize(14);
        assertThat(s.periods().get(0).instances()).isEqualTo(10);
        assertThat(s.periods().get(13).instances()).isEqualTo(140);
        assertThat(s.restartsPerPeriod()).isEqualTo(240);
        assertThat(s.totalRestarts()).isEqualTo(14 * 240);
        assertThat(s.plannedDuration()).isEqualTo(Duration.ofMinutes(280));
        for (ChurnSchedule.Period p : s.periods()) {
            assertThat(p.restarts()).allSatisfy(r -> assertThat(r.slot()).isBetween(0, p.instances() - 1));
            assertThat(p.restarts().get(0).offsetNanos()).isEqualTo(5_000_000_000L);
            assertThat(p.restarts().get(239).offsetNanos()).isEqualTo(1_200_000_000_000L);
        }
    }

    @Test
    void theSameSeedDrawsTheSameVictimsAndAnotherSeedOthers() {
        ChurnSchedule a = ChurnSchedule.of(2, 2, 6, Duration.ofSeconds(60), Duration.ofSeconds(5), 99);
        ChurnSchedule b = ChurnSchedule.of(2, 2, 6, Duration.ofSeconds(60), Duration.ofSeconds(5), 99);
        ChurnSchedule c = ChurnSchedule.of(2, 2, 6, Duration.ofSeconds(60), Duration.ofSeconds(5), 100);
        assertThat(a.periods()).isEqualTo(b.periods());
        assertThat(a.periods()).isNotEqualTo(c.periods());
    }

    @Test
    void badNumbersAreUsageErrors() {
        Duration p = Duration.ofSeconds(60);
        Duration i = Duration.ofSeconds(5);
        assertThatThrownBy(() -> ChurnSchedule.of(0, 10, 140, p, i, 1)).isInstanceOf(UsageException.class)
                .hasMessage("--start must be positive (got 0)");
        assertThatThrownBy(() -> ChurnSchedule.of(10, -1, 140, p, i, 1)).isInstanceOf(UsageException.class)
                .hasMessage("--step must be positive (got -1)");
        assertThatThrownBy(() -> ChurnSchedule.of(10, 10, 0, p, i, 1)).isInstanceOf(UsageException.class)
                .hasMessage("--max must be positive (got 0)");
        assertThatThrownBy(() -> ChurnSchedule.of(20, 10, 10, p, i, 1)).isInstanceOf(UsageException.class)
                .hasMessage("--max (10) is below --start (20)");
        assertThatThrownBy(() -> ChurnSchedule.of(10, 20, 140, p, i, 1)).isInstanceOf(UsageException.class)
                .hasMessageContaining("plus a multiple of --step");
        assertThatThrownBy(() -> ChurnSchedule.of(10, 10, 140, Duration.ofSeconds(2), i, 1))
                .isInstanceOf(UsageException.class).hasMessageContaining("is shorter than --interval");
        assertThatThrownBy(() -> ChurnSchedule.of(10, 10, 140, p, Duration.ZERO, 1))
                .isInstanceOf(UsageException.class).hasMessage("--interval must be positive");
    }
}
