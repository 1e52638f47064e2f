package dev.pooltrack.cli;

import dev.pooltrack.agent.jfr.AllocationEvent;
import dev.pooltrack.agent.jfr.FreeEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * What a JFR recording of the PoolTrack agent's events says was allocated and not freed, grouped by
 * tag and allocating stack, biggest first: {@code pooltrack stacks recording.jfr}.
 *
 * <p>Thread-safe (stateless).
 */
final class JfrStacks {

    /* A recording holds dev.pooltrack.Allocation and dev.pooltrack.Free events with their stacks. An
     * allocation is outstanding when no later free names its address. Events in a file are ordered
     * per buffer, not globally, so they are sorted by time before they are matched. Only what the
     * recording saw counts: memory allocated before it started is unknown, and a free after it
     * stopped is not seen. The agent's own frames (dev.pooltrack.agent.*) are dropped from the top
     * of each stack. */

    /**
     * Outstanding memory of one tag allocated from one stack.
     *
     * @param drivers the drivers charged, in the order first seen
     */
    record Group(String tag, List<String> stack, long count, long bytes, List<String> drivers) {}

    /** The groups, and the event counts they come from. */
    record Result(List<Group> groups, long allocations, long frees, boolean truncatedStacks) {}

    private JfrStacks() {}

    /**
     * Reads a recording.
     *
     * @throws IOException if the file cannot be read or is not a JFR recording
     */
    static Result read(Path recording) throws IOException {
        record Ev(Instant time, boolean alloc, long address, RecordedEvent event) {}
        List<Ev> events = new ArrayList<>();
        try (RecordingFile rf = new RecordingFile(recording)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                String name = e.getEventType().getName();
                if (name.equals(AllocationEvent.NAME)) {
                    events.add(new Ev(e.getStartTime(), true, e.getLong("address"), e));
                } else if (name.equals(FreeEvent.NAME)) {
                    events.add(new Ev(e.getStartTime(), false, e.getLong("address"), null));
                }
            }
        }
        events.sort(Comparator.comparing(Ev::time));
        Map<Long, RecordedEvent> live = new HashMap<>();
        long allocs = 0;
        long frees = 0;
        for (Ev e : events) {
            if (e.alloc()) {
                allocs++;
                live.put(e.address(), e.event());
            } else {
                frees++;
                live.remove(e.address());
            }
        }
        record Key(String tag, List<String> stack) {}
        Map<Key, long[]> sums = new LinkedHashMap<>();
        Map<Key, List<String>> drivers = new HashMap<>();
        boolean truncated = false;
        for (RecordedEvent e : live.values()) {
            RecordedStackTrace st = e.getStackTrace();
            truncated |= st != null && st.isTruncated();
            Key k = new Key(e.getString("tag"), frames(st));
            long[] s = sums.computeIfAbsent(k, x -> new long[2]);
            s[0]++;
            s[1] += e.getLong("bytes");
            List<String> ds = drivers.computeIfAbsent(k, x -> new ArrayList<>());
            String d = e.getString("driver");
            if (d != null && !ds.contains(d)) {
                ds.add(d);
            }
        }
        List<Group> groups = new ArrayList<>();
        sums.forEach((k, s) -> groups.add(new Group(k.tag(), k.stack(), s[0], s[1], drivers.get(k))));
        groups.sort(Comparator.comparingLong(Group::bytes).reversed().thenComparing(Group::tag));
        return new Result(groups, allocs, frees, truncated);
    }

    private static List<String> frames(RecordedStackTrace st) {
        if (st == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        boolean top = true;
        for (RecordedFrame f : st.getFrames()) {
            String type = f.getMethod().getType().getName();
            if (top && type.startsWith("dev.pooltrack.agent.")) {
                continue;
            }
            top = false;
            int line = f.getLineNumber();
            out.add(type + "." + f.getMethod().getName() + (line >= 0 ? "(line " + line + ")" : "()"));
        }
        return out;
    }

    /** The groups as text, in the same layout as the agent's own {@code outstandingStacks}. */
    static String text(Result r, int top, String source) {
        StringBuilder out = new StringBuilder();
        long bytes = r.groups().stream().mapToLong(Group::bytes).sum();
        long count = r.groups().stream().mapToLong(Group::count).sum();
        out.append(String.format(
                "Outstanding allocations by tag and stack (%s: %d allocation and %d free events):"
                        + " %d allocations, %d bytes in %d stacks%n",
                source, r.allocations(), r.frees(), count, bytes, r.groups().size()));
        int shown = 0;
        for (Group g : r.groups()) {
            if (top > 0 && shown++ == top) {
                out.append(String.format("... %d more stacks%n", r.groups().size() - top));
                break;
            }
            out.append(String.format(
                    "%n%s  %d allocations  %d bytes  driver %s%n",
                    g.tag(), g.count(), g.bytes(), String.join(", ", g.drivers())));
            for (String f : g.stack()) {
                out.append("        at ").append(f).append('\n');
            }
        }
        if (r.truncatedStacks()) {
            out.append("\n(some stacks were cut at the recording's stackdepth; raise it with"
                    + " -XX:FlightRecorderOptions:stackdepth=N)\n");
        }
        return out.toString();
    }

    /** The groups as JSON values. */
    static List<Object> json(Result r, int top) {
        List<Object> out = new ArrayList<>();
        for (Group g : top > 0 && r.groups().size() > top ? r.groups().subList(0, top) : r.groups()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tag", g.tag());
            m.put("allocations", g.count());
            m.put("bytes", g.bytes());
            m.put("drivers", g.drivers());
            m.put("stack", g.stack());
            out.add(m);
        }
        return out;
    }
}
