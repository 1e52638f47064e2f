package dev.pooltrack.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A native allocation the agent saw: tag, bytes, driver and pool type, with the allocating stack. */
@Name(AllocationEvent.NAME)
@Label("Pool Allocation")
@Category({"PoolTrack"})
@Description("Native memory allocated: direct buffer, Unsafe, FFM segment or mapped file")
@StackTrace(true)
public final class AllocationEvent extends jdk.jfr.Event {

    /** The event's name in recordings. */
    public static final String NAME = "dev.pooltrack.Allocation";

    @Label("Tag")
    public String tag;

    @Label("Bytes")
    @DataAmount
    public long bytes;

    @Label("Driver")
    public String driver;

    @Label("Pool Type")
    public String poolType;

    @Label("Address")
    public long address;

    @Label("Call Site")
    public String site;
}
