package io.unibench.load;

/**
 * What the server under test said about one step, when it can be asked (the unibench DNS builds answer
 * {@code stats.unibench. CH TXT} with their own counters; a foreign server cannot be asked and then there
 * is none): queries it received, answered, and dropped before its logic saw them (its receive ring or
 * socket buffer was full; -1 when it cannot tell). Counts are differences over the step's measured window
 * plus its drain, so a few queries in flight at either edge may be off.
 */
public record ServerCounts(long received, long answered, long rxDropped) {

    /**
     * Splits the step's lost queries by where they were lost: {@code client} (answers the generator's own
     * sockets dropped unread), {@code server} (received and not answered, or dropped at the server's full
     * receive buffer), and {@code path} (the rest: sent and never received, or answered and never
     * delivered: the forwarder, the bridge, the chain). The three add up to {@code lost}.
     */
    public LossSplit split(long lost, long clientRxDrops) {
        long client = Math.min(lost, Math.max(0, clientRxDrops));
        long server = Math.min(lost - client, Math.max(0, received - answered) + Math.max(0, rxDropped));
        return new LossSplit(client, lost - client - server, server);
    }

    /** Lost queries by where they were lost; see {@link #split}. */
    public record LossSplit(long client, long path, long server) {
    }
}
