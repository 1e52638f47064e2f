package dev.pooltrack.agent.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A free of native memory whose allocation the agent saw, with the freeing stack. */
@Name(FreeEvent.NAME)
@Label("Pool Free")
@Category({"PoolTrack"})
@Description("Native memory freed")
@StackTrace(true)
public final class FreeEvent extends jdk.jfr.Event {

    /** The event's name in recordings. */
    public static final String NAME = "dev.pooltrack.Free";

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
}
