package dev.pooltrack.agent;

import dev.pooltrack.CallSite;
import dev.pooltrack.Tag;
import dev.pooltrack.report.Json;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;

/**
 * The agent's MBean, {@value #NAME}. Thread-safe.
 */
final class AgentManagement implements AgentMXBean {

    /** The MBean's object name. */
    static final String NAME = "dev.pooltrack:type=Agent";

    private final AgentRuntime runtime;

    private AgentManagement(AgentRuntime runtime) {
        this.runtime = runtime;
    }

    /** Registers the MBean; a JVM without JMX runs without it. */
    static void register(AgentRuntime runtime) {
        try {
            ObjectName name = new ObjectName(NAME);
            var server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new AgentManagement(runtime), name);
        } catch (Exception | LinkageError e) {
            System.err.println("pooltrack-agent: no MBean " + NAME + " (" + e + ")");
        }
    }

    @Override
    public String getOptions() {
        return runtime.options.text();
    }

    @Override
    public int getInjectedCallSites() {
        return runtime.sites.size();
    }

    @Override
    public long getStackWalks() {
        return runtime.attribution.walks();
    }

    @Override
    public long getInternalErrors() {
        return runtime.internalErrors();
    }

    @Override
    public String uniqueTagMap() {
        return uniqueTagText(runtime.pool.uniqueTagMap());
    }

    static String uniqueTagText(Map<Tag, CallSite> map) {
        StringBuilder out = new StringBuilder();
        map.forEach((tag, site) ->
                out.append(tag.text()).append(" -> ").append(site).append('\n'));
        return out.toString();
    }

    @Override
    public String allocationLog(String address) {
        long a = 0;
        if (address != null && !address.isBlank()) {
            String s = address.strip();
            a = Long.parseUnsignedLong(s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s, 16);
        }
        return AllocationLog.text(runtime.logEntries(a), runtime.options.history());
    }

    @Override
    public String outstandingStacks(int top) {
        if (runtime.stacks == null) {
            return "Stack capture is off: start the agent with stacks=all or stacks=sample:N.\n";
        }
        return StackTable.text(
                runtime.stacks.groups(),
                top,
                "agent in pid " + ProcessHandle.current().pid());
    }

    @Override
    public String outstandingStacksJson(int top) {
        List<StackTable.Group> groups = runtime.stacks == null ? List.of() : runtime.stacks.groups();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("pid", ProcessHandle.current().pid());
        doc.put("stackCapture", runtime.options.stacks().name().toLowerCase(java.util.Locale.ROOT));
        doc.put("stacks", StackTable.json(top > 0 && groups.size() > top ? groups.subList(0, top) : groups));
        return Json.write(doc);
    }

    @Override
    public String writeReport(String file) {
        Path text = Path.of(file);
        Path json = ExitReport.write(runtime, text);
        return text + "\n" + json;
    }
}
