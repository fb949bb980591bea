package io.unibench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A run measured from a topology's client: its run.json 'topology' section becomes a drawing in the report. */
class TopologyDiagramReportTest {
    @Test
    void theRunJsonTopologyIsDrawn() {
        ObjectNode t = new ObjectMapper().createObjectNode();
        t.put("lab", "poc-docker");
        t.put("backend", "docker");
        t.put("plan", "ext=192.168.100.0/24,link=192.168.101.0/29,dmz=10.0.0.0/24");
        t.put("path", "client 192.168.100.100 -> firewall -> router -> DMZ 10.0.0.0/24");
        Page.Diagram d = PageBuilder.diagram(t);
        assertThat(d).isNotNull();
        assertThat(d.svgFile()).isEqualTo("topology-poc-docker.svg");
        assertThat(d.caption()).contains("poc-docker").contains("docker");
        String svg = new String(Base64.getDecoder().decode(d.svgBase64()), StandardCharsets.UTF_8);
        assertThat(svg).contains("<svg").contains("192.168.101.3").contains("10.0.0.100");
        // in report.json the drawing is its file, not its bytes
        Page page = new Page("2026-12-02T00:00:00Z", "0.1.0-SNAPSHOT", java.util.List.of(new Page.Item("", "x")),
                java.util.List.of(), java.util.List.of(), java.util.List.of(new Page.Section("topology", "Topology",
                java.util.List.of(), java.util.List.of(), java.util.List.of(), java.util.List.of(), java.util.List.of(d))),
                new Page.Runs(null, null, new Page.Table(null, null, java.util.List.of(), java.util.List.of()),
                        java.util.List.of()), java.util.List.of());
        String json = ReportJson.json(java.nio.file.Path.of("/r"), java.nio.file.Path.of("/r/index.html"), page);
        io.unibench.results.Schemas.assertValid("report.schema.json", json);
        assertThat(json).contains("\"svg_file\" : \"topology-poc-docker.svg\"").doesNotContain("svg_base64");
        t.put("plan", "ext=garbage");
        assertThat(PageBuilder.diagram(t)).isNull();
    }
}
