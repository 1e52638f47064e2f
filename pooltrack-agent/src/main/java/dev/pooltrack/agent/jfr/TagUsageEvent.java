package dev.pooltrack.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/** One tag's pool usage, emitted periodically: the PoolMon row of the tag at that moment. */
@Name(TagUsageEvent.NAME)
@Label("Pool Tag Usage")
@Category({"PoolTrack"})
@Description("Allocations, frees and bytes in use of one pool tag (a PoolMon row)")
@StackTrace(false)
@Period("1 s")
public final class TagUsageEvent extends jdk.jfr.Event {

    /** The event's name in recordings. */
    public static final String NAME = "dev.pooltrack.TagUsage";

    @Label("Tag")
    public String tag;

    @Label("NonPaged Allocs")
    public long nonPagedAllocs;

    @Label("NonPaged Frees")
    public long nonPagedFrees;

    @Label("NonPaged Bytes")
    @DataAmount
    public long nonPagedBytes;

    @Label("Paged Allocs")
    public long pagedAllocs;

    @Label("Paged Frees")
    public long pagedFrees;

    @Label("Paged Bytes")
    @DataAmount
    public long pagedBytes;
}
