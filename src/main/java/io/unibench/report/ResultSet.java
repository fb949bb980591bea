package io.unibench.report;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything the report was asked to show, read and checked: ramp runs, boot runs, footprint tables,
 * and the study folders they came from (for their metadata).
 */
public record ResultSet(List<Path> inputs, List<RampRun> ramps, List<BootRun> boots, List<Footprint> footprints,
                        List<RunInfo> studies) {

    public ResultSet {
        inputs = List.copyOf(inputs);
        ramps = List.copyOf(ramps);
        boots = List.copyOf(boots);
        footprints = List.copyOf(footprints);
        studies = List.copyOf(studies);
    }

    public List<RampRun> ramps(String protocol) {
        return ramps.stream().filter(r -> r.protocol().equals(protocol)).toList();
    }

    public boolean isEmpty() {
        return ramps.isEmpty() && boots.isEmpty() && footprints.isEmpty();
    }
}
