package dev.pooltrack;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The counters of a {@link PoolTrack} at one moment: per tag, per driver and global. An immutable
 * value that every report reads; reports never touch live structures.
 *
 * <p>{@link #minus} gives the change since an earlier snapshot (PoolMon's deltas).
 *
 * @param timeMillis when it was taken, in milliseconds since the epoch
 * @param level the verifier flags in force (the {@code /query} Level)
 * @param tags per-tag counters, sorted by tag
 * @param drivers per-driver counters, in load order
 * @param global the global verifier counters
 */
public record PoolSnapshot(
        long timeMillis, int level, List<TagUsage> tags, List<DriverCounters> drivers, GlobalCounters global) {

    /** Copies the lists. */
    public PoolSnapshot {
        tags = List.copyOf(tags);
        drivers = List.copyOf(drivers);
    }

    /** The counters of one driver, or {@code null} if no driver has that name. */
    public DriverCounters driver(String name) {
        for (DriverCounters d : drivers) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The counters of one tag, or an empty usage if the tag was never seen. */
    public TagUsage tag(Tag tag) {
        for (TagUsage t : tags) {
            if (t.tag().equals(tag)) {
                return t;
            }
        }
        return TagUsage.empty(tag);
    }

    /**
     * The per-tag change since {@code before}: every tag of this snapshot, minus its counters then
     * (zero for tags that are new since).
     */
    public List<TagUsage> tagsMinus(PoolSnapshot before) {
        Map<Tag, TagUsage> old = before.tags.stream().collect(Collectors.toMap(TagUsage::tag, Function.identity()));
        return tags.stream()
                .map(t -> t.minus(old.getOrDefault(t.tag(), TagUsage.empty(t.tag()))))
                .toList();
    }
}
