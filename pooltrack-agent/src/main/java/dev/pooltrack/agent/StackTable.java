package dev.pooltrack.agent;

import dev.pooltrack.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Captured stacks of outstanding allocations: what {@code pooltrack stacks <pid>} groups by tag and
 * stack.
 *
 * <p>Thread-safe. Only used when stack capture is on. A stack is captured as a {@link Throwable},
 * whose native backtrace the JVM fills in about a microsecond, and turned into frames only when a
 * report asks: walking the stack into {@link StackTraceElement}s at every allocation would cost
 * several times more.
 */
final class StackTable {

    /** The number of frames kept per stack. */
    static final int MAX_DEPTH = 64;

    /** A stack captured at an allocation or a free: a throwable never thrown. */
    static final class CapturedStack extends Throwable {
        private static final long serialVersionUID = 1L;

        CapturedStack() {
            super(null, null, false, true);
        }

        /** The frames, without the agent's own at the top, at most {@link #MAX_DEPTH}. */
        List<StackTraceElement> frames() {
            StackTraceElement[] all = getStackTrace();
            int from = 0;
            while (from < all.length && all[from].getClassName().startsWith("dev.pooltrack.agent.")) {
                from++;
            }
            return List.of(all).subList(from, Math.min(all.length, from + MAX_DEPTH));
        }
    }

    /** An outstanding allocation with a captured stack. */
    record Stacked(int tag, long size, String driver, CapturedStack stack) {}

    /**
     * Outstanding memory of one tag allocated from one stack.
     *
     * @param count allocations outstanding
     * @param bytes their bytes
     * @param drivers the drivers charged
     */
    record Group(Tag tag, List<StackTraceElement> stack, long count, long bytes, List<String> drivers) {}

    private final Map<Long, Stacked> outstanding = new ConcurrentHashMap<>();

    /** The current thread's stack. */
    static CapturedStack capture() {
        return new CapturedStack();
    }

    void allocated(long address, int tag, long size, String driver, CapturedStack stack) {
        outstanding.put(address, new Stacked(tag, size, driver, stack));
    }

    void freed(long address) {
        if (!outstanding.isEmpty()) {
            outstanding.remove(address);
        }
    }

    void moved(long oldAddress, long newAddress, long newSize) {
        Stacked s = outstanding.remove(oldAddress);
        if (s != null && newAddress != 0) {
            outstanding.put(newAddress, new Stacked(s.tag(), newSize, s.driver(), s.stack()));
        }
    }

    /** The outstanding allocations with a stack, grouped by tag and stack, biggest first. */
    List<Group> groups() {
        record Key(int tag, List<StackTraceElement> stack) {}
        Map<Key, long[]> sums = new HashMap<>();
        Map<Key, List<String>> drivers = new HashMap<>();
        for (Stacked s : outstanding.values()) {
            Key k = new Key(s.tag(), s.stack().frames());
            long[] sum = sums.computeIfAbsent(k, x -> new long[2]);
            sum[0]++;
            sum[1] += s.size();
            List<String> ds = drivers.computeIfAbsent(k, x -> new ArrayList<>());
            if (!ds.contains(s.driver())) {
                ds.add(s.driver());
            }
        }
        List<Group> out = new ArrayList<>();
        sums.forEach((k, sum) -> out.add(new Group(Tag.ofValue(k.tag()), k.stack(), sum[0], sum[1], drivers.get(k))));
        out.sort(Comparator.comparingLong(Group::bytes)
                .reversed()
                .thenComparing(g -> g.tag().text()));
        return out;
    }

    /** The groups as JSON values (maps for {@code Json.write}). */
    static List<Object> json(List<Group> groups) {
        List<Object> out = new ArrayList<>();
        for (Group g : groups) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("tag", g.tag().text());
            m.put("allocations", g.count());
            m.put("bytes", g.bytes());
            m.put("drivers", g.drivers());
            m.put("stack", g.stack().stream().map(StackTraceElement::toString).toList());
            out.add(m);
        }
        return out;
    }

    /** The groups as text: tag, count, bytes, drivers, then the stack. */
    static String text(List<Group> groups, int top, String source) {
        StringBuilder out = new StringBuilder();
        long bytes = groups.stream().mapToLong(Group::bytes).sum();
        long count = groups.stream().mapToLong(Group::count).sum();
        out.append(String.format(
                "Outstanding allocations by tag and stack (%s): %d allocations, %d bytes in %d stacks%n",
                source, count, bytes, groups.size()));
        int shown = 0;
        for (Group g : groups) {
            if (top > 0 && shown++ == top) {
                out.append(String.format("... %d more stacks%n", groups.size() - top));
                break;
            }
            out.append(String.format(
                    "%n%s  %d allocations  %d bytes  driver %s%n",
                    g.tag().text(), g.count(), g.bytes(), String.join(", ", g.drivers())));
            for (StackTraceElement f : g.stack()) {
                out.append("        at ").append(f).append('\n');
            }
        }
        return out.toString();
    }
}
