package dev.pooltrack.agent;

import dev.pooltrack.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Captured stacks, each stored once under an id, and the outstanding allocations whose stack was
 * captured: what {@code pooltrack stacks <pid>} groups by tag and stack.
 *
 * <p>Thread-safe. Only used when stack capture is on; it allocates per captured stack, which costs
 * far less than the stack walk that captured it.
 */
final class StackTable {

    /** The number of frames kept per stack. */
    static final int MAX_DEPTH = 64;

    /** An outstanding allocation with a captured stack. */
    record Stacked(int tag, long size, String driver, int stack) {}

    /**
     * Outstanding memory of one tag allocated from one stack.
     *
     * @param count allocations outstanding
     * @param bytes their bytes
     * @param drivers the drivers charged
     */
    record Group(Tag tag, List<StackTraceElement> stack, long count, long bytes, List<String> drivers) {}

    private final Map<List<StackTraceElement>, Integer> ids = new ConcurrentHashMap<>();
    private final List<List<StackTraceElement>> stacks = new ArrayList<>();
    private final Map<Long, Stacked> outstanding = new ConcurrentHashMap<>();

    StackTable() {
        stacks.add(List.of()); // id 0: no stack
    }

    /** The id of the current thread's stack, without the agent's frames. */
    int capture() {
        List<StackTraceElement> s = Attribution.stack(MAX_DEPTH);
        Integer id = ids.get(s);
        if (id != null) {
            return id;
        }
        synchronized (stacks) {
            id = ids.get(s);
            if (id == null) {
                id = stacks.size();
                stacks.add(s);
                ids.put(s, id);
            }
            return id;
        }
    }

    /** The stack with the given id; empty for 0 or an unknown id. */
    List<StackTraceElement> stack(int id) {
        synchronized (stacks) {
            return id > 0 && id < stacks.size() ? stacks.get(id) : List.of();
        }
    }

    void allocated(long address, int tag, long size, String driver, int stack) {
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
        record Key(int tag, int stack) {}
        Map<Key, long[]> sums = new HashMap<>();
        Map<Key, List<String>> drivers = new HashMap<>();
        for (Stacked s : outstanding.values()) {
            Key k = new Key(s.tag(), s.stack());
            long[] sum = sums.computeIfAbsent(k, x -> new long[2]);
            sum[0]++;
            sum[1] += s.size();
            List<String> ds = drivers.computeIfAbsent(k, x -> new ArrayList<>());
            if (!ds.contains(s.driver())) {
                ds.add(s.driver());
            }
        }
        List<Group> out = new ArrayList<>();
        sums.forEach(
                (k, sum) -> out.add(new Group(Tag.ofValue(k.tag()), stack(k.stack()), sum[0], sum[1], drivers.get(k))));
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
