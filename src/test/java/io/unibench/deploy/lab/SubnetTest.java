package io.unibench.deploy.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubnetTest {
    @Test
    void theStudysDmzPlan() {
        Subnet s = Subnet.parse("10.0.0.0/24");
        assertThat(s.hostCount()).isEqualTo(254);
        Segment dmz = Segment.of("dmz", s);
        assertThat(dmz.gateway()).isEqualTo("10.0.0.254");
        assertThat(dmz.bridge()).isEqualTo("br-dmz");
        Set<Integer> used = new HashSet<>();
        int web = AddressPlan.allocate(s, "web", used);
        used.add(web);
        int dns = AddressPlan.allocate(s, "dns", used);
        used.add(dns);
        int dns2 = AddressPlan.allocate(s, "dns", used);
        used.add(dns2);
        int other = AddressPlan.allocate(s, "router", used);
        assertThat(s.host(web)).isEqualTo("10.0.0.5");
        assertThat(s.host(dns)).isEqualTo("10.0.0.100");
        assertThat(s.host(dns2)).isEqualTo("10.0.0.101");
        assertThat(s.host(other)).isEqualTo("10.0.0.102");
        assertThat(s.offsetOf("10.0.0.102")).isEqualTo(102);
        assertThat(s.offsetOf("10.0.1.1")).isEqualTo(-1);
        assertThat(s.toString()).isEqualTo("10.0.0.0/24");
    }

    @Test
    void smallSubnetsFillFromTheBottomAndSayWhenFull() {
        Subnet s = Subnet.parse("192.168.7.8/29");
        assertThat(s.hostCount()).isEqualTo(6);
        assertThat(Segment.of("x", s).gateway()).isEqualTo("192.168.7.14");
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            used.add(AddressPlan.allocate(s, i == 0 ? "web" : "dns", used));
        }
        assertThat(used).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
        assertThat(AddressPlan.free(s, used)).isZero();
        assertThatThrownBy(() -> AddressPlan.allocate(s, "dns", used)).isInstanceOf(UsageException.class)
                .hasMessageContaining("is full");
    }

    @Test
    void badSubnetsAreUsageErrors() {
        for (String bad : new String[] {"10.0.0.0", "10.0.0.0/30", "10.0.0.0/7", "10.0.0.1/24", "10.0.0/24",
            "256.0.0.0/24", "a.b.c.d/24", "10.0.0.0/x", "", "10.0.0.0/24/1"}) {
            assertThatThrownBy(() -> Subnet.parse(bad)).as(bad).isInstanceOf(UsageException.class);
        }
        assertThat(Subnet.parse("10.0.0.0/8").hostCount()).isEqualTo((1 << 24) - 2);
    }

    @Test
    void overlapAndMacs() {
        assertThat(Labs.overlaps(Subnet.parse("10.0.0.0/24"), Subnet.parse("10.0.0.128/25"))).isTrue();
        assertThat(Labs.overlaps(Subnet.parse("10.0.0.0/24"), Subnet.parse("10.0.1.0/24"))).isFalse();
        assertThat(Labs.mac("ns/dmz", 100)).matches("52:54:00:[0-9a-f]{2}:00:64");
        assertThat(Labs.mac("ns/dmz", 5)).isNotEqualTo(Labs.mac("ns/dmz", 100));
        // the bridge's fixed MAC is the segment's, at host offset 0, which no instance of any subnet gets
        Segment dmz = Segment.of("dmz", Subnet.parse("10.0.0.0/24"));
        assertThat(Labs.bridgeMac("ns", dmz)).isEqualTo(Labs.mac("ns/dmz", 0)).endsWith(":00:00");
        for (int off = 1; off < 255; off++) {
            assertThat(Labs.mac("ns/dmz", off)).isNotEqualTo(Labs.bridgeMac("ns", dmz));
        }
    }

    @Test
    void everyPathGetsItsAddressesMacAndCniIsToldIt() throws Exception {
        // a veth's MAC is the address's, as a tap's: the next instance on a reused address has the same one, so
        // no neighbour in the lab keeps a stale MAC (docker boot churn in a lab went unanswered for 8 s)
        Segment dmz = Segment.of("dmz", Subnet.parse("10.0.0.0/24"));
        Lab lab = new Lab("t", "ub-000000-t", "/state", Lab.State.ready, null, null, java.util.List.of(dmz), null,
                null, null);
        for (String path : new String[] {LabLink.TAP, LabLink.VETH}) {
            LabLink l = Labs.allocate(lab, dmz, "dns", path, null, java.util.List.of());
            assertThat(l.address()).isEqualTo("10.0.0.100");
            assertThat(l.mac()).as(path).isEqualTo(Labs.mac("ub-000000-t/dmz", 100));
        }
        LabLink veth = Labs.allocate(lab, dmz, "dns", LabLink.VETH, null, java.util.List.of());
        var conf = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Cni.conf(veth));
        assertThat(conf.path("runtimeConfig").path("mac").asText()).isEqualTo(veth.mac());
        assertThat(conf.path("type").asText()).isEqualTo("bridge");
    }

    @Test
    void labNamesAndNamespacesShowOwnership() {
        assertThat(Lab.checkName("default")).isEqualTo("default");
        for (String bad : new String[] {"", "Default", "1lab", "a_b", "abcdefghijklmnopq", "a b"}) {
            assertThatThrownBy(() -> Lab.checkName(bad)).as(bad).isInstanceOf(UsageException.class);
        }
        String a = Lab.namespaceFor("/state/one", "default");
        assertThat(a).matches("ub-[0-9a-f]{6}-default");
        assertThat(Lab.namespaceFor("/state/two", "default")).isNotEqualTo(a);
    }

    @Test
    void privilegesComeFromTheEffectiveCapabilities() {
        assertThat(Labs.privilegeProblem("Name:\tjava\nCapEff:\t000001ffffffffff\n")).isNull();
        assertThat(Labs.privilegeProblem("CapEff:\t0000000000000000\n"))
                .contains("lab networking needs root").contains("--network forward works without it");
        // CAP_NET_ADMIN alone cannot create namespaces
        assertThat(Labs.privilegeProblem("CapEff:\t0000000000001000\n")).isNotNull();
    }

    @Test
    void cniConfigurationIsTheBridgePluginWithStaticAddresses() {
        LabLink l = new LabLink("default", "ub-1-default", "dmz", "br-dmz", "10.0.0.101", 24, "10.0.0.254", null, null,
                LabLink.VETH, null);
        String conf = Cni.conf(l);
        assertThat(conf).contains("\"type\":\"bridge\"", "\"bridge\":\"br-dmz\"", "\"isGateway\":false",
                "\"ipMasq\":false", "\"type\":\"static\"", "\"address\":\"10.0.0.101/24\"", "\"gateway\":\"10.0.0.254\"");
    }
}
