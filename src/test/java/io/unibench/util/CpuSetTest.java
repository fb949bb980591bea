package io.unibench.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.unibench.UsageException;
import org.junit.jupiter.api.Test;

class CpuSetTest {
    @Test
    void parsesAndFoldsKernelLists() {
        assertEquals("0-3,6", CpuSet.parse("0-3,6").toString());
        assertEquals("0-3,6", CpuSet.parse(" 3,0-2 , 6\n").toString());
        assertEquals("1", CpuSet.parse("1-1").toString());
        assertEquals("0-2", CpuSet.of(2, 0, 1).toString());
        assertEquals("", CpuSet.parse("").toString());
        assertTrue(CpuSet.parse("\n").isEmpty());
        assertEquals(5, CpuSet.parse("0-3,6").size());
    }

    @Test
    void refusesWhatIsNoCpuList() {
        for (String bad : new String[] {"a", "3-1", "-1", "0,,1", "1-", "0-99999"}) {
            assertThrows(UsageException.class, () -> CpuSet.parse(bad), bad);
        }
    }

    @Test
    void maskIsSixtyFourCpusPerWordLowBitFirst() {
        assertArrayEquals(new long[] {0b1011}, CpuSet.parse("0-1,3").mask());
        assertArrayEquals(new long[] {0, 1}, CpuSet.of(64).mask());
        assertArrayEquals(new long[] {0}, CpuSet.parse("").mask(), "the syscall needs at least one word");
        assertEquals(CpuSet.parse("0-1,3,64"), CpuSet.fromMask(CpuSet.parse("0-1,3,64").mask()));
    }

    @Test
    void setAlgebra() {
        CpuSet all = CpuSet.parse("0-7");
        assertEquals("0-2", all.first(3).toString());
        assertEquals("3-7", all.minus(all.first(3)).toString());
        assertTrue(all.first(3).disjoint(all.minus(all.first(3))));
        assertFalse(all.disjoint(CpuSet.of(7)));
        assertEquals("1,5", CpuSet.parse("1,5,9").first(2).toString());
    }

    @Test
    void onlineIsWhatTheKernelSays() {
        CpuSet online = CpuSet.online();
        assertFalse(online.isEmpty());
        assertEquals(Runtime.getRuntime().availableProcessors() <= online.size(), true);
    }

    @Test
    void pinsAThreadOfThisJvmAndReadsItBack() throws Exception {
        CpuSet online = CpuSet.online();
        CpuSet one = online.first(1);
        long[] tid = new long[1];
        String[] fail = new String[1];
        java.util.concurrent.CountDownLatch pinned = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                tid[0] = Long.parseLong(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self"))
                        .getFileName().toString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            fail[0] = Affinity.setThread(0, one); // 0: the calling thread
            pinned.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cpuset-test");
        t.start();
        pinned.await();
        try {
            assertEquals(null, fail[0]);
            long pid = ProcessHandle.current().pid();
            CpuSet back = Affinity.readBack(pid).entrySet().stream().filter(e -> e.getKey().startsWith(tid[0] + " "))
                    .findFirst().orElseThrow().getValue();
            assertEquals(one, back);
        } finally {
            done.countDown();
            t.join();
        }
    }

    @Test
    void aPinningIsVerifiedOnlyWhenEveryThreadReadsBackAsAsked() {
        CpuSet one = CpuSet.of(1);
        assertTrue(new Affinity.Pinning(one, "x", java.util.Map.of("1 (a)", one, "2 (b)", one), null).verified());
        Affinity.Pinning off = new Affinity.Pinning(one, "x", java.util.Map.of("1 (a)", one, "2 (b)", CpuSet.of(0)),
                null);
        assertFalse(off.verified());
        assertTrue(off.problem().contains("2 (b) on 0"), off.problem());
        assertFalse(new Affinity.Pinning(one, "x", java.util.Map.of(), null).verified());
        assertFalse(Affinity.Pinning.unsupported(one, "no").verified());
        assertEquals(false, off.describe().get("verified"));
        assertEquals(java.util.List.of("0 (1 thread)", "1 (1 thread)"), off.describe().get("read_back_cpus_allowed_list"));
    }
}
