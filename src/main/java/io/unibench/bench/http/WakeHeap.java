package io.unibench.bench.http;

import java.util.Arrays;

/**
 * Min-heap of slots {@code 0..n-1} by a time key, with each slot's position tracked so a key can be
 * changed or removed in O(log n): the selector loop finds the next connection that needs it without
 * scanning them all. Allocation-free after construction.
 */
final class WakeHeap {
    /** Key meaning "not in the heap". */
    static final long NONE = Long.MAX_VALUE;

    private final long[] key;
    private final int[] heap;
    private final int[] pos;
    private int size;

    WakeHeap(int n) {
        key = new long[n];
        heap = new int[n];
        pos = new int[n];
        Arrays.fill(key, NONE);
        Arrays.fill(pos, -1);
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The slot with the smallest key; only when not empty. */
    int peek() {
        return heap[0];
    }

    /** The smallest key, or {@link #NONE} when empty. */
    long peekKey() {
        return size == 0 ? NONE : key[heap[0]];
    }

    long keyOf(int slot) {
        return key[slot];
    }

    /** Sets the key of {@code slot}; {@link #NONE} removes it. */
    void set(int slot, long k) {
        int p = pos[slot];
        if (k == NONE) {
            if (p >= 0) {
                removeAt(p);
            }
            return;
        }
        if (p < 0) {
            key[slot] = k;
            heap[size] = slot;
            pos[slot] = size;
            up(size++);
            return;
        }
        long old = key[slot];
        key[slot] = k;
        if (k < old) {
            up(p);
        } else if (k > old) {
            down(p);
        }
    }

    private void removeAt(int p) {
        int slot = heap[p];
        key[slot] = NONE;
        pos[slot] = -1;
        size--;
        if (p == size) {
            return;
        }
        int last = heap[size];
        heap[p] = last;
        pos[last] = p;
        down(p);
        up(pos[last]);
    }

    private void up(int p) {
        int slot = heap[p];
        long k = key[slot];
        while (p > 0) {
            int parent = (p - 1) >>> 1;
            int ps = heap[parent];
            if (key[ps] <= k) {
                break;
            }
            heap[p] = ps;
            pos[ps] = p;
            p = parent;
        }
        heap[p] = slot;
        pos[slot] = p;
    }

    private void down(int p) {
        int slot = heap[p];
        long k = key[slot];
        while (true) {
            int child = 2 * p + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && key[heap[child + 1]] < key[heap[child]]) {
                child++;
            }
            int cs = heap[child];
            if (key[cs] >= k) {
                break;
            }
            heap[p] = cs;
            pos[cs] = p;
            p = child;
        }
        heap[p] = slot;
        pos[slot] = p;
    }
}
