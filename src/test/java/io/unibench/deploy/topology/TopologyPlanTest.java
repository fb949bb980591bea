package io.unibench.deploy.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import io.unibench.deploy.Backend;
import io.unibench.deploy.lab.Lab;
import io.unibench.deploy.lab.LabLink;
import io.unibench.deploy.lab.LabPlacement;
import io.unibench.deploy.lab.Segment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologyPlanTest {
    private final TopologyPlan study = TopologyPlan.study();

    @Test
    void theStudysAddresses() {
        assertThat(study.client()).isEqualTo("192.168.100.100");
        assertThat(study.firewallOutside()).isEqualTo("192.168.100.254");
        assertThat(study.firewallInside()).isEqualTo("192.168.101.3");
        assertThat(study.routerLink()).isEqualTo("192.168.101.2");
        assertThat(study.routerDmz()).isEqualTo("10.0.0.254");
        assertThat(study.web()).isEqualTo("10.0.0.5");
        assertThat(study.dns()).isEqualTo("10.0.0.100");
        assertThat(study.nodes()).extracting(TopologyPlan.Node::service).containsExactly("dns", "web", "router", "firewall");
    }

    @Test
    void eachNodeGetsItsInterfacesAndRoutesOnTheLibraryOsCommandLine() {
        assertThat(study.node("firewall").kernelCmdline())
                .isEqualTo("ip=192.168.100.254/24 ip1=192.168.101.3/29 route=10.0.0.0/24:192.168.101.2");
        assertThat(study.node("router").kernelCmdline()).isEqualTo("ip=192.168.101.2/29 ip1=10.0.0.254/24 gw=192.168.101.3");
        assertThat(study.node("dns").kernelCmdline()).isEqualTo("ip=10.0.0.100/24 gw=10.0.0.254");
        assertThat(study.node("web").ifaces()).singleElement().extracting(TopologyPlan.Iface::segment)
                .isEqualTo(TopologyPlan.DMZ);
        assertThat(study.hops()).containsExactly(Map.entry("firewall", "192.168.100.254"),
                Map.entry("router", "192.168.101.2"));
    }

    @Test
    void anotherPlanKeepsTheShape() {
        TopologyPlan p = TopologyPlan.parse("ext=172.16.0.0/24,dmz=10.9.0.0/24");
        assertThat(p.link().toString()).isEqualTo("192.168.101.0/29");
        assertThat(p.firewallOutside()).isEqualTo("172.16.0.254");
        assertThat(p.client()).isEqualTo("172.16.0.100");
        assertThat(p.dns()).isEqualTo("10.9.0.100");
        assertThat(p.routerDmz()).isEqualTo("10.9.0.254");
        assertThat(TopologyPlan.parse(null)).isEqualTo(study);
    }

    @Test
    void badPlansAreUsageErrors() {
        assertThatThrownBy(() -> TopologyPlan.parse("ext=10.0.0.0/24")).isInstanceOf(UsageException.class)
                .hasMessageContaining("overlap");
        assertThatThrownBy(() -> TopologyPlan.parse("dmz=10.0.0.0/26")).isInstanceOf(UsageException.class)
                .hasMessageContaining("too small");
        assertThatThrownBy(() -> TopologyPlan.parse("wan=10.0.0.0/24")).isInstanceOf(UsageException.class)
                .hasMessageContaining("ext=CIDR");
        assertThatThrownBy(() -> TopologyPlan.parse("ext=10.0.0.1/24")).isInstanceOf(UsageException.class)
                .hasMessageContaining("host bits");
    }

    @Test
    void backendsOfATopologyAreOneEachAndNeverMixed() {
        assertThat(Topologies.parseBackends("both")).containsExactly(Backend.qemu, Backend.docker);
        assertThat(Topologies.parseBackends("docker,qemu,docker")).containsExactly(Backend.docker, Backend.qemu);
        for (String bad : List.of("qemu+docker", "firewall=docker,web=qemu", "gvisor", "native", "nosuch", "")) {
            assertThatThrownBy(() -> Topologies.parseBackends(bad)).as(bad).isInstanceOf(UsageException.class)
                    .hasMessageContaining("supported: qemu").hasMessageContaining("docker = the four as containers")
                    .hasMessageContaining("both = one topology of each");
        }
    }

    @Test
    void placementsFollowThePlanInTheLab() {
        Lab lab = new Lab("poc-qemu", "ub-123456-poc-qemu", "/state", Lab.State.ready, "t", 1L,
                Topologies.segments(study), study.firewallOutside(), study.dns(), Topologies.describe(study, Backend.qemu));
        assertThat(lab.segment("ext").gateway()).isEqualTo("192.168.100.100"); // the client, not a gateway
        assertThat(lab.segment("link").gatewayCidr()).isNull();
        assertThat(Topologies.isTopology(lab)).isTrue();
        assertThat(Topologies.plan(lab)).isEqualTo(study);
        LabPlacement fw = Topologies.placement(lab, study.node("firewall"), Backend.qemu);
        assertThat(fw.links()).extracting(LabLink::bridge).containsExactly("br-ext", "br-link");
        assertThat(fw.links()).extracting(LabLink::gateway).containsOnlyNulls();
        assertThat(fw.links()).extracting(LabLink::mac).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(fw.routes()).containsExactly("10.0.0.0/24 via 192.168.101.2");
        assertThat(fw.kernelCmdline()).isEqualTo(study.node("firewall").kernelCmdline());
        LabPlacement r = Topologies.placement(lab, study.node("router"), Backend.docker);
        assertThat(r.links()).extracting(LabLink::path).containsOnly(LabLink.VETH);
        assertThat(r.links()).extracting(LabLink::mac).containsOnlyNulls(); // CNI reports it
        assertThat(r.routes()).containsExactly("default via 192.168.101.3");
        Map<String, Object> rj = Topologies.runJson(lab);
        assertThat(rj).containsEntry("backend", "qemu").containsEntry("client", "192.168.100.100")
                .containsEntry("plan", "ext=192.168.100.0/24,link=192.168.101.0/29,dmz=10.0.0.0/24");
        assertThat(Segment.withLabAddress("x", study.dmz(), null).gatewayCidr()).isNull();
    }

    @Test
    void theDiagramNamesEverySegmentServiceAndAddress() {
        String svg = TopologyDiagram.svg(study, "qemu", "poc-qemu", Map.of("router", "exited"));
        assertThat(svg).startsWith("<svg").endsWith("</svg>\n");
        for (String s : List.of("192.168.100.0/24", "192.168.101.0/29", "10.0.0.0/24", "192.168.100.100",
                "192.168.100.254", "192.168.101.3", "192.168.101.2", "10.0.0.254", "10.0.0.5", "10.0.0.100",
                ">client<", ">firewall<", ">router<", ">web<", ">dns<", "qemu: exited")) {
            assertThat(svg).contains(s);
        }
        assertThat(TopologyDiagram.svg(study, "qemu", "poc-qemu", null))
                .isEqualTo(TopologyDiagram.svg(study, "qemu", "poc-qemu", null));
        assertThat(TopologyDiagram.esc("<a&\"b>")).isEqualTo("&lt;a&amp;&quot;b&gt;");
    }

    @Test
    void tracerouteOutputGivesTheHopsThatAnswered() {
        String out = "traceroute to 10.0.0.100 (10.0.0.100), 2 hops max, 60 byte packets\n"
                + " 1  192.168.100.254  0.412 ms\n 2  *\n";
        assertThat(TopologyHealth.parse(out, 2)).containsEntry(1, "192.168.100.254").containsEntry(2, null);
        assertThat(TopologyHealth.parse("", 2)).isEmpty();
    }
}
