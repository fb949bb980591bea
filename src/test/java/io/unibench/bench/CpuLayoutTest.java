package io.unibench.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.unibench.UsageException;
import io.unibench.util.CpuSet;
import org.junit.jupiter.api.Test;

class CpuLayoutTest {
    @Test
    void defaultIsSplitWithTwoCpusSharedWithOne() {
        assertEquals(CpuLayout.Mode.split, CpuLayout.choose(null, CpuSet.parse("0-1")).mode());
        assertEquals(CpuLayout.Mode.shared, CpuLayout.choose(null, CpuSet.parse("0")).mode());
    }

    @Test
    void splitGivesTheGeneratorTheFirstHalfRoundedUp() {
        CpuLayout two = CpuLayout.choose("split", CpuSet.parse("0-1"));
        assertEquals("0", two.generator().toString());
        assertEquals("1", two.instance().toString());
        CpuLayout three = CpuLayout.choose("split", CpuSet.parse("0-2"));
        assertEquals("0-1", three.generator().toString());
        assertEquals("2", three.instance().toString());
        CpuLayout sparse = CpuLayout.choose("split", CpuSet.parse("2,4,6-7"));
        assertEquals("2,4", sparse.generator().toString());
        assertEquals("6-7", sparse.instance().toString());
        assertTrue(sparse.generator().disjoint(sparse.instance()));
    }

    @Test
    void sharedPutsBothOnEveryCpu() {
        CpuLayout l = CpuLayout.choose("shared", CpuSet.parse("0-3"));
        assertEquals("0-3", l.generator().toString());
        assertEquals("0-3", l.instance().toString());
    }

    @Test
    void splitOnOneCpuAndUnknownNamesAreBadInput() {
        UsageException e = assertThrows(UsageException.class, () -> CpuLayout.choose("split", CpuSet.parse("0")));
        assertTrue(e.getMessage().contains("at least 2 online CPUs"), e.getMessage());
        assertThrows(UsageException.class, () -> CpuLayout.choose("half", CpuSet.parse("0-1")));
        assertThrows(UsageException.class, () -> CpuLayout.choose("Split", CpuSet.parse("0-1")));
    }
}
