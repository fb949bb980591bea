package io.unibench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepScheduleTest {
    @Test
    void clientsInterleaveEvenlyAtTheTotalRate() {
        StepSchedule s = new StepSchedule(1, 1000, 4, 0, 0, 1_000_000_000L, 1_000_000_000L);
        List<Long> due = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            for (long i = 0; ; i++) {
                long t = s.dueNanos(c, i);
                if (t >= s.endNanos()) {
                    break;
                }
                due.add(t);
            }
        }
        Collections.sort(due);
        assertThat(due).hasSize(1000);
        for (int k = 1; k < due.size(); k++) {
            assertThat(due.get(k) - due.get(k - 1)).isBetween(999_999L, 1_000_001L);
        }
        assertThat(s.clientIntervalNanos()).isEqualTo(4_000_000.0);
        assertThat(s.scheduledInMeasurement()).isEqualTo(1000);
    }

    @Test
    void warmupPrecedesTheMeasuredWindow() {
        StepSchedule s = new StepSchedule(1, 100, 1, 5_000, 2_000_000_000L, 1_000_000_000L, 1);
        assertThat(s.measureStartNanos()).isEqualTo(2_000_005_000L);
        assertThat(s.endNanos()).isEqualTo(3_000_005_000L);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new StepSchedule(1, 0, 1, 0, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StepSchedule(1, 10, 0, 0, 0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
