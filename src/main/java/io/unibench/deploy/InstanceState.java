package io.unibench.deploy;

/** Life-cycle state of an instance as last observed. */
public enum InstanceState {
    /** Recorded, being started (or its deploy was killed before it finished). */
    starting,
    /** The guest/container runs (whether it answers is a separate, probed question). */
    running,
    /** The guest stopped or paused by itself (QEMU emulation failure, panic) or the container exited non-zero. */
    crashed,
    /** The process or container is gone. */
    exited
}
