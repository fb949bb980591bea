package io.unibench.cli;

import io.unibench.deploy.Deployments;
import io.unibench.deploy.Instance;
import java.io.PrintWriter;
import java.util.Locale;

/** Deploy and destroy progress on stderr (stdout stays clean for --json). */
final class DeployProgress implements Deployments.Listener {
    private final PrintWriter err;
    private final boolean quiet;

    DeployProgress(PrintWriter err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
    }

    @Override
    public void warning(String message) {
        err.println("warning: " + message);
        err.flush();
    }

    @Override
    public void starting(Instance i) {
        if (!quiet) {
            String where = i.endpoints().isEmpty() && !i.labLinks().isEmpty()
                    ? String.join(", ", i.labLinks().stream().map(l -> l.cidr() + " (" + l.segment() + ")").toList())
                    : InstanceViews.endpoints(i);
            err.println("starting " + i.id() + " on " + where);
            err.flush();
        }
    }

    @Override
    public void ready(Instance i) {
        if (!quiet) {
            err.println(String.format(Locale.ROOT, "%s answers after %.1f ms", i.id(), i.timing().readyNanos() / 1e6));
            err.flush();
        }
    }

    @Override
    public void destroyed(Instance i, String how) {
        if (!quiet) {
            err.println("destroyed " + i.id() + ": " + how);
            err.flush();
        }
    }
}
