package io.unibench.deploy.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabPlacementTest {
    private static LabLink link(String seg, String addr, int prefix) {
        return new LabLink("poc-qemu", "ns", seg, "br-" + seg, addr, prefix, null, null, null, LabLink.TAP, null);
    }

    @Test
    void linksAndRoutesBecomeTheKernelCommandLine() {
        LabPlacement p = new LabPlacement(List.of(link("link", "192.168.101.2", 29), link("dmz", "10.0.0.254", 24)),
                List.of("default via 192.168.101.3", "172.16.0.0/16 via 10.0.0.1"));
        assertThat(p.kernelCmdline())
                .isEqualTo("ip=192.168.101.2/29 ip1=10.0.0.254/24 gw=192.168.101.3 route=172.16.0.0/16:10.0.0.1");
        LabPlacement q = p.withLink(1, p.links().get(1).withDevice("t1-router-1"));
        assertThat(q.links().get(1).device()).isEqualTo("t1-router-1");
        assertThat(p.links().get(1).device()).isNull();
        assertThatThrownBy(() -> new LabPlacement(List.of(), List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LabPlacement(List.of(link("x", "10.0.0.1", 24)), List.of("nonsense")).kernelCmdline())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLinkWithoutGatewayGetsNoDefaultRouteFromCni() {
        String conf = Cni.conf(link("dmz", "10.0.0.5", 24));
        assertThat(conf).contains("\"address\":\"10.0.0.5/24\"").doesNotContain("gateway").doesNotContain("routes");
        String plain = Cni.conf(new LabLink("default", "ns", "dmz", "br-dmz", "10.0.0.5", 24, "10.0.0.254", null, null,
                LabLink.VETH, null));
        assertThat(plain).contains("\"gateway\":\"10.0.0.254\"").contains("0.0.0.0/0");
    }
}
