package io.unibench.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class BootStatsTest {

    @Test
    void orderStatisticsInterpolateBetweenRanks() {
        BootStats s = BootStats.of(List.of(40.0, 10.0, 30.0, 20.0));
        assertThat(s.count()).isEqualTo(4);
        assertThat(s.min()).isEqualTo(10.0);
        assertThat(s.max()).isEqualTo(40.0);
        assertThat(s.p50()).isEqualTo(25.0);
        assertThat(s.p10()).isCloseTo(13.0, within(1e-9));
        assertThat(s.p90()).isCloseTo(37.0, within(1e-9));
        assertThat(s.mean()).isEqualTo(25.0);
        assertThat(s.stddev()).isCloseTo(Math.sqrt(500.0 / 3), within(1e-9));
    }

    @Test
    void oneValueAndNoValue() {
        BootStats one = BootStats.of(List.of(7.5));
        assertThat(one.p99()).isEqualTo(7.5);
        assertThat(one.stddev()).isZero();
        assertThat(BootStats.of(List.of()).p50()).isNaN();
    }
}
