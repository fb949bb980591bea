package io.unibench.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An image that is one file on this host (a unikernel ELF for qemu and libvirt, a static binary for native):
 * its identity ({@code sha256:} of its bytes) and size, and the facts run.json records of it, once.
 */
public final class ImageFacts {
    private ImageFacts() {
    }

    /** The image in {@code file}; not built (no id, size -1) when the file is null or cannot be read. */
    public static Deployer.Image read(String kind, Path file) {
        if (file == null) {
            return new Deployer.Image(kind, null, null, -1);
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            return new Deployer.Image(kind, file.toString(), "sha256:" + sha256(bytes), bytes.length);
        } catch (IOException e) {
            return new Deployer.Image(kind, file.toString(), null, -1);
        }
    }

    /** A manifest's unikernel image (qemu, libvirt); not built when the manifest has no unikernel section. */
    public static Deployer.Image unikernel(ServiceCatalog catalog, ServiceSpec spec) {
        return read("unikernel image", spec.unikernel() == null ? null : catalog.unikernelImage(spec));
    }

    /** The SHA-256 of {@code b} in lower-case hex. */
    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** run.json's {@code image}, {@code image_size_bytes}, {@code image_sha256} (null where not known). */
    public static Map<String, Object> of(Deployer.Image img) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", img.ref());
        m.put("image_size_bytes", img.sizeBytes() < 0 ? null : img.sizeBytes());
        m.put("image_sha256", img.id() == null ? null : img.id().substring("sha256:".length()));
        return m;
    }

    /** {@link #of} and what a unikernel backend adds to it: the manifest's {@code memory}, the QEMU {@code machine}. */
    public static Map<String, Object> unikernel(Deployer.Image img, ServiceSpec spec, String machine) {
        Map<String, Object> m = of(img);
        m.put("memory", spec.unikernel() == null ? null : spec.unikernel().memory());
        m.put("machine", machine);
        return m;
    }
}
