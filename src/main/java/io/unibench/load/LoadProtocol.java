package io.unibench.load;

import java.util.List;

/**
 * How one protocol names its counts in results, so DNS and HTTP share one recorder, one ramp and one
 * CSV writer. Index i of {@code outcomes} is what {@link LoadMeter.Worker#completed} receives as outcome i,
 * likewise for errors and extras.
 *
 * @param name      protocol name, e.g. {@code dns}
 * @param rateUnit  unit suffix of rates in column names, e.g. {@code qps} or {@code rps}
 * @param sentName  column name of the sent count, e.g. {@code sent} or {@code requests}
 * @param lostName  column name of exchanges that timed out, e.g. {@code lost} or {@code errors_timeout}
 * @param outcomes  kinds of completed exchanges, as column names (e.g. {@code rcode_noerror}, {@code status_2xx})
 * @param errors    kinds of failed exchanges that are not timeouts (e.g. {@code malformed}, {@code errors_connect})
 * @param extras    counted events outside the sent = completed + lost + errors balance
 *                  (late or duplicate answers, reconnects, bytes read)
 * @param successes indexes into {@code outcomes} that count as a correct answer for the stop conditions
 * @param unsentErrors indexes into {@code errors} of failures that happen before anything is written (HTTP:
 *                  no connection to carry the request): such exchanges are not in the sent count, so the
 *                  balance is sent + those errors = completed + lost + errors
 */
public record LoadProtocol(String name, String rateUnit, String sentName, String lostName, List<String> outcomes,
                           List<String> errors, List<String> extras, List<Integer> successes,
                           List<Integer> unsentErrors) {
    public LoadProtocol {
        outcomes = List.copyOf(outcomes);
        errors = List.copyOf(errors);
        extras = List.copyOf(extras);
        successes = List.copyOf(successes);
        unsentErrors = List.copyOf(unsentErrors);
    }

    /** A protocol whose every exchange reaches the wire before it can fail. */
    public LoadProtocol(String name, String rateUnit, String sentName, String lostName, List<String> outcomes,
                        List<String> errors, List<String> extras, List<Integer> successes) {
        this(name, rateUnit, sentName, lostName, outcomes, errors, extras, successes, List.of());
    }

    public int outcomeIndex(String column) {
        return indexOf(outcomes, column);
    }

    public int errorIndex(String column) {
        return indexOf(errors, column);
    }

    public int extraIndex(String column) {
        return indexOf(extras, column);
    }

    private static int indexOf(List<String> names, String column) {
        int i = names.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("unknown column " + column + " in " + names);
        }
        return i;
    }
}
