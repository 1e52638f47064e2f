package dev.pooltrack.agent;

/**
 * The agent's management interface, registered as {@value AgentManagement#NAME}: what {@code
 * pooltrack stacks <pid>} and JConsole read from a JVM running the agent.
 *
 * <p>Public because JMX requires it; implementations are thread-safe.
 */
public interface AgentMXBean {

    /** The agent's option text. */
    String getOptions();

    /** How many allocating calls were given a constant site id as their classes loaded. */
    int getInjectedCallSites();

    /**
     * How many allocations were attributed by walking the stack: the ones without a site id injected
     * at class load (JDK-internal calls, calls through reflection or helpers, classes loaded before
     * the agent).
     */
    long getStackWalks();

    /** Failures inside the agent that the application did not see (0 when all is well). */
    long getInternalErrors();

    /** The map from unique tag to call site ({@code uniquetags}), one {@code Lea1 -> site} a line. */
    String uniqueTagMap();

    /**
     * The allocation and free log of verified drivers, newest first ({@code !verifier 0x80}).
     *
     * @param address one block's address ({@code 0x7f...}), or empty for every entry
     */
    String allocationLog(String address);

    /**
     * The outstanding allocations with a captured stack, grouped by tag and stack, biggest first.
     *
     * @param top how many groups to show; 0 for all
     */
    String outstandingStacks(int top);

    /** {@link #outstandingStacks} as JSON: {@code stacks}, each with tag, allocations, bytes, drivers and stack. */
    String outstandingStacksJson(int top);

    /**
     * Writes the report now, as at exit.
     *
     * @param file the text report; the JSON goes next to it
     * @return what was written
     */
    String writeReport(String file);
}
