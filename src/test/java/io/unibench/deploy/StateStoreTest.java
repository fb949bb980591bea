package io.unibench.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.unibench.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    @TempDir
    Path dir;

    private static Instance instance(String id, int port) {
        return Instance.starting(id, Backend.qemu, "dns",
                List.of(new Endpoint("dns", "udp", "127.0.0.1", port, 53)), "/x", Map.of("k", "v"));
    }

    @Test
    void recordsRoundTripAndAreListedInIdOrder() {
        StateStore s = StateStore.open(dir);
        s.put(instance("qemu-dns-10", 20010).withPid(42));
        s.put(instance("qemu-dns-2", 20002));
        Instance back = s.get("qemu-dns-10").orElseThrow();
        assertThat(back.pid()).isEqualTo(42L);
        assertThat(back.endpoints().get(0).address()).isEqualTo("127.0.0.1:20010");
        assertThat(back.detail("k")).isEqualTo("v");
        assertThat(s.list()).extracting(Instance::id).containsExactly("qemu-dns-2", "qemu-dns-10");
        s.remove("qemu-dns-2");
        assertThat(s.list()).extracting(Instance::id).containsExactly("qemu-dns-10");
        assertThat(s.get("qemu-dns-2")).isEmpty();
    }

    @Test
    void nextIdIsTheSmallestFreeNumberPerBackendAndService() {
        StateStore s = StateStore.open(dir);
        assertThat(s.nextId(Backend.qemu, "dns")).isEqualTo("qemu-dns-1");
        s.put(instance("qemu-dns-1", 1));
        s.put(instance("qemu-dns-3", 3));
        assertThat(s.nextId(Backend.qemu, "dns")).isEqualTo("qemu-dns-2");
        assertThat(s.nextId(Backend.docker, "dns")).isEqualTo("docker-dns-1");
    }

    @Test
    void idsThatCouldEscapeTheDirectoryAreRejected() {
        StateStore s = StateStore.open(dir);
        assertThatThrownBy(() -> s.get("../etc/passwd")).isInstanceOf(UsageException.class);
    }

    @Test
    void parallelRecordersUnderTheLockNeverShareAnIdOrAPort() throws Exception {
        StateStore s = StateStore.open(dir);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Instance>> fs = new ArrayList<>();
        System.setProperty(PortAllocator.RANGE_PROPERTY, "41000-41999");
        try {
            for (int i = 0; i < 40; i++) {
                fs.add(pool.submit(() -> s.locked(() -> {
                    String id = s.nextId(Backend.docker, "web");
                    int port = PortAllocator.forState(s).allocate();
                    Instance rec = instance(id, port);
                    s.put(rec);
                    return rec;
                })));
            }
            Set<String> ids = new HashSet<>();
            Set<Integer> ports = new HashSet<>();
            for (Future<Instance> f : fs) {
                Instance i = f.get();
                ids.add(i.id());
                ports.add(i.endpoints().get(0).port());
            }
            assertThat(ids).hasSize(40);
            assertThat(ports).hasSize(40);
        } finally {
            pool.shutdownNow();
            System.clearProperty(PortAllocator.RANGE_PROPERTY);
        }
    }
}
