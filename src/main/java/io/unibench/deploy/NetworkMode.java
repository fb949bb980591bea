package io.unibench.deploy;

/**
 * How instances are reached. {@code forward}: host ports on 127.0.0.1 through a user-space forwarder
 * (QEMU's slirp {@code hostfwd}, docker-proxy); works without root, but the forwarder is in every
 * measured packet's path. {@code lab}: each instance has its own address on a Linux bridge inside a
 * network namespace unibench owns (QEMU on a tap, containers on a veth from the CNI bridge plugin), and
 * clients run inside that namespace; nothing in between. Needs root.
 */
public enum NetworkMode {
    forward, lab
}
