package io.unibench.cli;

import io.unibench.UnibenchException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.Deployments;
import io.unibench.deploy.Instance;
import io.unibench.deploy.StateStore;
import io.unibench.deploy.remote.RemoteOptions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Instances of a killed deploy that have no record, for status and destroy --all: looked for on the engines that
 * can hold ours (Docker by labels, libvirt by domain metadata). An engine that is not reachable is an error only
 * when a recorded instance lives there; otherwise nothing of ours can run on it.
 */
final class Strays {
    private Strays() {
    }

    static List<Instance> find(Deployments d, StateStore state, RemoteOptions remote) {
        List<Instance> out = new ArrayList<>();
        for (Backend b : candidates(state, remote)) {
            try {
                out.addAll(d.deployer(b).strays(state));
            } catch (UnibenchException e) {
                if (recorded(state, b)) {
                    throw e;
                }
            }
        }
        return out;
    }

    static Set<Backend> backendsWithStrays(Deployments d, StateStore state, RemoteOptions remote) {
        Set<Backend> s = EnumSet.noneOf(Backend.class);
        for (Backend b : candidates(state, remote)) {
            try {
                d.deployer(b).strays(state);
                s.add(b);
            } catch (UnibenchException e) {
                if (recorded(state, b)) {
                    throw e;
                }
            }
        }
        return s;
    }

    /** Docker always; libvirt when asked for or recorded (connecting to a libvirtd nobody uses is not free). */
    private static List<Backend> candidates(StateStore state, RemoteOptions remote) {
        List<Backend> c = new ArrayList<>(List.of(Backend.docker));
        if (remote.libvirtUri() != null || recorded(state, Backend.libvirt)) {
            c.add(Backend.libvirt);
        }
        return c;
    }

    private static boolean recorded(StateStore state, Backend b) {
        return state.list().stream().anyMatch(i -> i.backend() == b);
    }
}
