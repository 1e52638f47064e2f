package dev.pooltrack.report;

import static dev.pooltrack.report.Json.object;

import dev.pooltrack.CallSite;
import dev.pooltrack.DriverCounters;
import dev.pooltrack.DriverStatus;
import dev.pooltrack.GlobalCounters;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolType;
import dev.pooltrack.Tag;
import dev.pooltrack.TagUsage;
import dev.pooltrack.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of PoolTrack's API values, both ways: what every {@code json(...)} report and the
 * report file's machine-readable section are built from, and what reads a report file back.
 * Thread-safe (stateless).
 */
final class ModelJson {

    /* Every value is written with all its fields so that read(write(x)) equals x; the records have
     * value equality, which the round-trip tests rely on. Tags are written twice: "tag" is the text
     * without padding, for people and jq; "tagValue" is the exact little-endian value, which is what
     * is read back (it keeps trailing spaces). Addresses are hex strings, as debuggers print them;
     * every other number is a JSON number. */

    private ModelJson() {}

    static Map<String, Object> callSite(CallSite c) {
        return object(
                "className", c.className(),
                "methodName", c.methodName(),
                "fileName", c.fileName(),
                "line", c.line(),
                "bytecodeIndex", c.bytecodeIndex());
    }

    static Map<String, Object> tagUsage(TagUsage t) {
        return object(
                "tag", t.tag().toString(),
                "tagValue", t.tag().hex(),
                "nonPagedAllocs", t.nonPagedAllocs(),
                "nonPagedFrees", t.nonPagedFrees(),
                "nonPagedBytes", t.nonPagedBytes(),
                "pagedAllocs", t.pagedAllocs(),
                "pagedFrees", t.pagedFrees(),
                "pagedBytes", t.pagedBytes());
    }

    static Map<String, Object> driver(DriverCounters d) {
        return object(
                "name", d.name(),
                "status", d.status().name(),
                "verified", d.verified(),
                "loads", d.loads(),
                "unloads", d.unloads(),
                "currentPagedPoolAllocations", d.currentPagedPoolAllocations(),
                "currentNonPagedPoolAllocations", d.currentNonPagedPoolAllocations(),
                "peakPagedPoolAllocations", d.peakPagedPoolAllocations(),
                "peakNonPagedPoolAllocations", d.peakNonPagedPoolAllocations(),
                "pagedPoolUsageInBytes", d.pagedPoolUsageInBytes(),
                "nonPagedPoolUsageInBytes", d.nonPagedPoolUsageInBytes(),
                "peakPagedPoolUsageInBytes", d.peakPagedPoolUsageInBytes(),
                "peakNonPagedPoolUsageInBytes", d.peakNonPagedPoolUsageInBytes(),
                "lockedPages", d.lockedPages(),
                "lockedBytes", d.lockedBytes(),
                "peakLockedBytes", d.peakLockedBytes());
    }

    static Map<String, Object> global(GlobalCounters g) {
        return object(
                "allocationsAttempted", g.allocationsAttempted(),
                "allocationsSucceeded", g.allocationsSucceeded(),
                "allocationsSucceededSpecialPool", g.allocationsSucceededSpecialPool(),
                "allocationsWithNoTag", g.allocationsWithNoTag(),
                "allocationsFailed", g.allocationsFailed(),
                "allocationsFailedDeliberately", g.allocationsFailedDeliberately(),
                "unTrackedPool", g.unTrackedPool(),
                "currentPagedPoolAllocations", g.currentPagedPoolAllocations(),
                "currentNonPagedPoolAllocations", g.currentNonPagedPoolAllocations(),
                "peakPagedPoolAllocations", g.peakPagedPoolAllocations(),
                "peakNonPagedPoolAllocations", g.peakNonPagedPoolAllocations(),
                "pagedPoolUsageInBytes", g.pagedPoolUsageInBytes(),
                "nonPagedPoolUsageInBytes", g.nonPagedPoolUsageInBytes(),
                "peakPagedPoolUsageInBytes", g.peakPagedPoolUsageInBytes(),
                "peakNonPagedPoolUsageInBytes", g.peakNonPagedPoolUsageInBytes());
    }

    static Map<String, Object> snapshot(PoolSnapshot s) {
        return object(
                "timeMillis", s.timeMillis(),
                "time", Layout.utc(s.timeMillis()) + " UTC",
                "level", s.level(),
                "tags", s.tags().stream().map(ModelJson::tagUsage).toList(),
                "drivers", s.drivers().stream().map(ModelJson::driver).toList(),
                "global", global(s.global()));
    }

    static String address(long address) {
        return String.format("0x%016x", address);
    }

    static Map<String, Object> outstanding(OutstandingAllocation a) {
        return object(
                "address", address(a.address()),
                "length", a.length(),
                "tag", a.tag().toString(),
                "tagValue", a.tag().hex(),
                "poolType", a.poolType().name(),
                "driver", a.driver(),
                "caller", a.callSite().toString(),
                "callSite", callSite(a.callSite()),
                "threadId", a.threadId(),
                "timeMillis", a.timeMillis());
    }

    static List<Object> outstanding(List<OutstandingAllocation> list) {
        return list.stream().map(a -> (Object) outstanding(a)).toList();
    }

    static Map<String, Object> parameter(Violation.Parameter p) {
        return object("value", p.value(), "text", p.text(), "display", p.display(), "meaning", p.meaning());
    }

    static Map<String, Object> violation(Violation v) {
        return object(
                "code", v.code(),
                "name", v.name(),
                "subcode", v.subcode(),
                "bucket", v.bucket(),
                "parameters", v.parameters().stream().map(ModelJson::parameter).toList(),
                "driver", v.driver(),
                "callSite", callSite(v.callSite()),
                "leaked", outstanding(v.leaked()),
                "threadName", v.threadName(),
                "timeMillis", v.timeMillis());
    }

    // ---- reading back ----

    static CallSite toCallSite(Map<?, ?> m, String where) {
        return new CallSite(
                string(m, "className", where),
                string(m, "methodName", where),
                nullableString(m, "fileName", where),
                Math.toIntExact(number(m, "line", where)),
                Math.toIntExact(number(m, "bytecodeIndex", where)));
    }

    static Tag toTag(Map<?, ?> m, String where) {
        String hex = string(m, "tagValue", where);
        if (!hex.startsWith("0x")) {
            throw new IllegalArgumentException(where + ".tagValue: expected 0x and 8 hex digits, found " + hex);
        }
        return Tag.ofValue(Integer.parseUnsignedInt(hex.substring(2), 16));
    }

    static TagUsage toTagUsage(Map<?, ?> m, String where) {
        return new TagUsage(
                toTag(m, where),
                number(m, "nonPagedAllocs", where),
                number(m, "nonPagedFrees", where),
                number(m, "nonPagedBytes", where),
                number(m, "pagedAllocs", where),
                number(m, "pagedFrees", where),
                number(m, "pagedBytes", where));
    }

    static DriverCounters toDriver(Map<?, ?> m, String where) {
        return new DriverCounters(
                string(m, "name", where),
                DriverStatus.valueOf(string(m, "status", where)),
                bool(m, "verified", where),
                number(m, "loads", where),
                number(m, "unloads", where),
                number(m, "currentPagedPoolAllocations", where),
                number(m, "currentNonPagedPoolAllocations", where),
                number(m, "peakPagedPoolAllocations", where),
                number(m, "peakNonPagedPoolAllocations", where),
                number(m, "pagedPoolUsageInBytes", where),
                number(m, "nonPagedPoolUsageInBytes", where),
                number(m, "peakPagedPoolUsageInBytes", where),
                number(m, "peakNonPagedPoolUsageInBytes", where),
                optionalNumber(m, "lockedPages", where),
                optionalNumber(m, "lockedBytes", where),
                optionalNumber(m, "peakLockedBytes", where));
    }

    /* Report files written before PoolTrack counted locked pages have no such fields: they read 0. */
    private static long optionalNumber(Map<?, ?> m, String key, String where) {
        return m.containsKey(key) ? number(m, key, where) : 0;
    }

    static GlobalCounters toGlobal(Map<?, ?> m, String where) {
        return new GlobalCounters(
                number(m, "allocationsAttempted", where),
                number(m, "allocationsSucceeded", where),
                number(m, "allocationsSucceededSpecialPool", where),
                number(m, "allocationsWithNoTag", where),
                number(m, "allocationsFailed", where),
                number(m, "allocationsFailedDeliberately", where),
                number(m, "unTrackedPool", where),
                number(m, "currentPagedPoolAllocations", where),
                number(m, "currentNonPagedPoolAllocations", where),
                number(m, "peakPagedPoolAllocations", where),
                number(m, "peakNonPagedPoolAllocations", where),
                number(m, "pagedPoolUsageInBytes", where),
                number(m, "nonPagedPoolUsageInBytes", where),
                number(m, "peakPagedPoolUsageInBytes", where),
                number(m, "peakNonPagedPoolUsageInBytes", where));
    }

    static PoolSnapshot toSnapshot(Map<?, ?> m, String where) {
        List<TagUsage> tags = new ArrayList<>();
        List<?> tagList = list(m, "tags", where);
        for (int i = 0; i < tagList.size(); i++) {
            String w = where + ".tags[" + i + "]";
            tags.add(toTagUsage(asObject(tagList.get(i), w), w));
        }
        List<DriverCounters> drivers = new ArrayList<>();
        List<?> driverList = list(m, "drivers", where);
        for (int i = 0; i < driverList.size(); i++) {
            String w = where + ".drivers[" + i + "]";
            drivers.add(toDriver(asObject(driverList.get(i), w), w));
        }
        return new PoolSnapshot(
                number(m, "timeMillis", where),
                Math.toIntExact(number(m, "level", where)),
                tags,
                drivers,
                toGlobal(map(m, "global", where), where + ".global"));
    }

    static OutstandingAllocation toOutstanding(Map<?, ?> m, String where) {
        String address = string(m, "address", where);
        if (!address.startsWith("0x")) {
            throw new IllegalArgumentException(where + ".address: expected 0x and hex digits, found " + address);
        }
        return new OutstandingAllocation(
                Long.parseUnsignedLong(address.substring(2), 16),
                number(m, "length", where),
                toTag(m, where),
                PoolType.valueOf(string(m, "poolType", where)),
                string(m, "driver", where),
                toCallSite(map(m, "callSite", where), where + ".callSite"),
                number(m, "threadId", where),
                number(m, "timeMillis", where));
    }

    static List<OutstandingAllocation> toOutstandingList(List<?> list, String where) {
        List<OutstandingAllocation> result = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String w = where + "[" + i + "]";
            result.add(toOutstanding(asObject(list.get(i), w), w));
        }
        return result;
    }

    static Violation toViolation(Map<?, ?> m, String where) {
        List<Violation.Parameter> parameters = new ArrayList<>();
        List<?> parameterList = list(m, "parameters", where);
        for (int i = 0; i < parameterList.size(); i++) {
            String w = where + ".parameters[" + i + "]";
            Map<?, ?> p = asObject(parameterList.get(i), w);
            parameters.add(new Violation.Parameter(
                    number(p, "value", w), nullableString(p, "text", w), nullableString(p, "meaning", w)));
        }
        return new Violation(
                Math.toIntExact(number(m, "code", where)),
                string(m, "name", where),
                parameters,
                nullableString(m, "driver", where),
                toCallSite(map(m, "callSite", where), where + ".callSite"),
                toOutstandingList(list(m, "leaked", where), where + ".leaked"),
                nullableString(m, "threadName", where),
                number(m, "timeMillis", where));
    }

    static Map<?, ?> asObject(Object value, String where) {
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw new IllegalArgumentException(where + ": expected an object, found " + kind(value));
    }

    static Map<?, ?> map(Map<?, ?> m, String key, String where) {
        return asObject(required(m, key, where), where + "." + key);
    }

    static List<?> list(Map<?, ?> m, String key, String where) {
        Object value = required(m, key, where);
        if (value instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException(where + "." + key + ": expected an array, found " + kind(value));
    }

    static long number(Map<?, ?> m, String key, String where) {
        Object value = required(m, key, where);
        if (value instanceof Long n) {
            return n;
        }
        throw new IllegalArgumentException(where + "." + key + ": expected an integer, found " + kind(value));
    }

    static boolean bool(Map<?, ?> m, String key, String where) {
        Object value = required(m, key, where);
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException(where + "." + key + ": expected true or false, found " + kind(value));
    }

    static String string(Map<?, ?> m, String key, String where) {
        String s = nullableString(m, key, where);
        if (s == null) {
            throw new IllegalArgumentException(where + "." + key + ": expected a string, found null");
        }
        return s;
    }

    static String nullableString(Map<?, ?> m, String key, String where) {
        Object value = required(m, key, where);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new IllegalArgumentException(where + "." + key + ": expected a string, found " + kind(value));
    }

    private static Object required(Map<?, ?> m, String key, String where) {
        if (!m.containsKey(key)) {
            throw new IllegalArgumentException(where + ": missing \"" + key + "\"");
        }
        return m.get(key);
    }

    private static String kind(Object value) {
        return switch (value) {
            case null -> "null";
            case Map<?, ?> _ -> "an object";
            case List<?> _ -> "an array";
            case String s -> "the string \"" + s + "\"";
            default -> value.toString();
        };
    }
}
