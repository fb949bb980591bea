package io.unibench.load;

import org.HdrHistogram.Histogram;

/**
 * What a {@link LoadMeter} recorded over one interval (about a second) or, once summed, over a whole
 * step. Histograms are in nanoseconds. Sent = completed + lost + sum(errors) holds over a whole step;
 * within one interval it need not (answers arrive after the second they were sent in).
 */
public record IntervalSample(long sent, long completed, long lost, long[] outcomes, long[] errors, long[] extras,
                             Histogram latency, Histogram service, Histogram lag) {

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
        return new IntervalSample(sent + o.sent, completed + o.completed, lost + o.lost,
                add(outcomes, o.outcomes), add(errors, o.errors), add(extras, o.extras), lat, svc, lg);
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
