package io.unibench.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFactsTest {
    @TempDir
    Path tmp;

    @Test
    void aFileImageIsItsSha256AndSizeAndWhatRunJsonRecordsOfIt() throws Exception {
        Path elf = Files.writeString(tmp.resolve("dns.elf"), "abc");
        Deployer.Image img = ImageFacts.read("unikernel image", elf);
        assertThat(img.id()).isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(img.sizeBytes()).isEqualTo(3);
        Map<String, Object> facts = ImageFacts.of(img);
        assertThat(facts).containsExactly(Map.entry("image", elf.toString()), Map.entry("image_size_bytes", 3L),
                Map.entry("image_sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));

        Deployer.Image missing = ImageFacts.read("binary", tmp.resolve("absent"));
        assertThat(missing.built()).isFalse();
        assertThat(ImageFacts.of(missing)).containsEntry("image_size_bytes", null).containsEntry("image_sha256", null);
        assertThat(ImageFacts.read("binary", null).ref()).isNull();
    }
}
