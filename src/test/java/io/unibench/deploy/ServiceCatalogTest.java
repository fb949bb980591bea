package io.unibench.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import org.junit.jupiter.api.Test;

/** Reads the project's own manifests (unikernels/services/*.json). */
class ServiceCatalogTest {
    private final ServiceCatalog catalog = ServiceCatalog.load();

    @Test
    void theProofOfConceptServicesAreThere() {
        assertThat(catalog.names()).containsAll(ServiceCatalog.POC);
        ServiceSpec dns = catalog.get("dns");
        // UDP first (the probe and `study` use the first endpoint), then TCP/53 (RFC 7766)
        assertThat(dns.ports()).extracting(p -> p.protocol() + "/" + p.port()).containsExactly("udp/53", "tcp/53");
        assertThat(dns.probe().type()).isEqualTo("dns");
        assertThat(dns.unikernel().machineOptions()).isNotBlank();
        assertThat(dns.unikernel().pc().netDevice()).isEqualTo("virtio-net-pci");
        assertThat(dns.container().imageRef()).isEqualTo("unibench/dns:" + ServiceSpec.ContainerSpec.defaultTag());
        assertThat(catalog.unikernelImage(dns).toString()).endsWith("unikernels/build/dns.elf");
        ServiceSpec web = catalog.get("web");
        assertThat(web.probe().status()).isEqualTo(200);
        assertThat(web.probe().expectBody()).isNotBlank();
    }

    @Test
    void routerAndFirewallAreForwardersWithoutPorts() {
        for (String name : new String[] {"router", "firewall"}) {
            ServiceSpec s = catalog.get(name);
            assertThat(s.isForwarder()).as(name).isTrue();
            assertThat(s.ports()).isEmpty();
            assertThat(s.unikernel().readyLine()).isEqualTo("unibench: " + name + " ready");
            assertThat(s.container().readyLine()).isEqualTo("unibench: " + name + " ready");
        }
        assertThat(catalog.get("dns").isForwarder()).isFalse();
    }

    @Test
    void anUnknownServiceIsAUsageErrorNamingTheKnownOnes() {
        assertThatThrownBy(() -> catalog.get("mail")).isInstanceOf(UsageException.class)
                .hasMessageContaining("unknown service 'mail'").hasMessageContaining("dns").hasMessageContaining("web");
    }

    @Test
    void backendsParseAsTyped() {
        assertThat(Backend.parseChoice("both")).containsExactly(Backend.qemu, Backend.docker);
        assertThat(Backend.parseChoice("QEMU")).containsExactly(Backend.qemu);
        assertThatThrownBy(() -> Backend.parseChoice("xen")).isInstanceOf(UsageException.class)
                .hasMessageContaining("known: qemu, docker");
    }
}
