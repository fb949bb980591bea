package io.unibench.load;

import org.HdrHistogram.Histogram;

/**
 * What a {@link LoadMeter} recorded over one interval (about a second) or, once summed, over a whole
 * step. Histograms are in nanoseconds. Sent = completed + lost + sum(errors) holds over a whole step for
 * exchanges that reached the wire; within one interval it need not (answers arrive after the second they
 * were sent in). {@code unsent} counts exchanges due in the step that the generator never sent (it fell
 * too far behind, or had no free query ID); {@code clientRxDrops} answers the generator's own sockets
 * dropped because it did not read them in time (they then show as lost, but the client lost them).
 * {@code hostNoisePct} is the share of host CPU used by processes outside the benchmark ({@link HostNoise});
 * summed samples keep the highest; NaN when not measured. {@code recvLag} (ns): how long each answer may
 * have waited on the generator's read side before the generator read it (an engine that stamps it, HTTP;
 * empty otherwise): the part of the latency that belongs to the generator, not to the server.
 */
public record IntervalSample(long sent, long completed, long lost, long[] outcomes, long[] errors, long[] extras,
                             Histogram latency, Histogram service, Histogram lag, long unsent, long clientRxDrops,
                             double hostNoisePct, Histogram recvLag) {

    /** A sample without receive-lag samples. */
    public IntervalSample(long sent, long completed, long lost, long[] outcomes, long[] errors, long[] extras,
                          Histogram latency, Histogram service, Histogram lag, long unsent, long clientRxDrops,
                          double hostNoisePct) {
        this(sent, completed, lost, outcomes, errors, extras, latency, service, lag, unsent, clientRxDrops,
                hostNoisePct, new Histogram(3));
    }

    /** A sample without a host-noise reading (NaN: not measured). */
    public IntervalSample(long sent, long completed, long lost, long[] outcomes, long[] errors, long[] extras,
                          Histogram latency, Histogram service, Histogram lag, long unsent, long clientRxDrops) {
        this(sent, completed, lost, outcomes, errors, extras, latency, service, lag, unsent, clientRxDrops,
                Double.NaN);
    }

    /** The same counts with the share of host CPU that processes outside the benchmark used meanwhile. */
    public IntervalSample withHostNoise(Double pct) {
        return new IntervalSample(sent, completed, lost, outcomes, errors, extras, latency, service, lag, unsent,
                clientRxDrops, pct == null ? Double.NaN : pct, recvLag);
    }

    /** A sample without unsent exchanges or client drops. */
    public IntervalSample(long sent, long completed, long lost, long[] outcomes, long[] errors, long[] extras,
                          Histogram latency, Histogram service, Histogram lag) {
        this(sent, completed, lost, outcomes, errors, extras, latency, service, lag, 0, 0);
    }

    public long errorsTotal() {
        long n = 0;
        for (long e : errors) {
            n += e;
        }
        return n;
    }

    /** Sum of this sample and a later one. */
    public IntervalSample plus(IntervalSample o) {
        Histogram lat = latency.copy();
        lat.add(o.latency);
        Histogram svc = service.copy();
        svc.add(o.service);
        Histogram lg = lag.copy();
        lg.add(o.lag);
        Histogram rl = recvLag.copy();
        rl.add(o.recvLag);
        return new IntervalSample(sent + o.sent, completed + o.completed, lost + o.lost,
                add(outcomes, o.outcomes), add(errors, o.errors), add(extras, o.extras), lat, svc, lg,
                unsent + o.unsent, clientRxDrops + o.clientRxDrops,
                Double.isNaN(hostNoisePct) ? o.hostNoisePct
                        : Double.isNaN(o.hostNoisePct) ? hostNoisePct : Math.max(hostNoisePct, o.hostNoisePct), rl);
    }

    public static IntervalSample empty(LoadProtocol p) {
        return new IntervalSample(0, 0, 0, new long[p.outcomes().size()], new long[p.errors().size()],
                new long[p.extras().size()], new Histogram(3), new Histogram(3), new Histogram(3));
    }

    private static long[] add(long[] a, long[] b) {
        long[] r = a.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] += b[i];
        }
        return r;
    }
}
