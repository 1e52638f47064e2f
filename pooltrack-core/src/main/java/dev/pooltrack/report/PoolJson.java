package dev.pooltrack.report;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.Violation;
import java.util.List;

/**
 * PoolTrack's values as JSON documents and back: the form the JMX operations hand to the {@code
 * pooltrack} command, which formats the reports on its own side. Thread-safe (stateless).
 *
 * <p>Each {@code read} throws {@link IllegalArgumentException} naming what is missing or malformed.
 */
public final class PoolJson {

    private PoolJson() {}

    /** A snapshot as a JSON document. */
    public static String write(PoolSnapshot snapshot) {
        return Json.write(ModelJson.snapshot(snapshot));
    }

    /** Outstanding allocations as a JSON array. */
    public static String writeOutstanding(List<OutstandingAllocation> outstanding) {
        return Json.write(ModelJson.outstanding(outstanding));
    }

    /** Violations as a JSON array. */
    public static String writeViolations(List<Violation> violations) {
        return Json.write(
                violations.stream().map(v -> (Object) ModelJson.violation(v)).toList());
    }

    /**
     * Reads a snapshot written by {@link #write(PoolSnapshot)}.
     *
     * @param source names the document in error messages
     */
    public static PoolSnapshot readSnapshot(String json, String source) {
        return ModelJson.toSnapshot(ModelJson.asObject(Json.parse(json), source), source);
    }

    /** Reads outstanding allocations written by {@link #writeOutstanding}. */
    public static List<OutstandingAllocation> readOutstanding(String json, String source) {
        Object parsed = Json.parse(json);
        if (!(parsed instanceof List<?> list)) {
            throw new IllegalArgumentException(source + ": expected a JSON array of allocations");
        }
        return ModelJson.toOutstandingList(list, source);
    }

    /** Reads violations written by {@link #writeViolations}. */
    public static List<Violation> readViolations(String json, String source) {
        Object parsed = Json.parse(json);
        if (!(parsed instanceof List<?> list)) {
            throw new IllegalArgumentException(source + ": expected a JSON array of violations");
        }
        return list.stream()
                .map(v -> ModelJson.toViolation(ModelJson.asObject(v, source), source))
                .toList();
    }
}
