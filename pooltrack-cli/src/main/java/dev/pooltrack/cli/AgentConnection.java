package dev.pooltrack.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A JMX connection to the PoolTrack agent in another JVM, through the Attach API and the JVM's local
 * management agent (loopback only). Not thread-safe; close it after use.
 */
final class AgentConnection implements AutoCloseable {

    static final String AGENT_MBEAN = "dev.pooltrack:type=Agent";

    private final long pid;
    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private AgentConnection(long pid, JMXConnector connector) throws IOException {
        this.pid = pid;
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /**
     * Connects to the JVM with process id {@code pid}.
     *
     * @throws IllegalArgumentException if no Java process has that pid
     * @throws IllegalStateException if the JVM cannot be reached
     */
    @SuppressWarnings("BanJNDI") // a local connector address from the Attach API, not a user-given URL
    static AgentConnection open(long pid) {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException e) {
            throw new IllegalArgumentException(
                    "cannot attach to pid " + pid + " (no such Java process, or another user's): " + e.getMessage(), e);
        }
        try {
            String address = vm.startLocalManagementAgent();
            return new AgentConnection(pid, JMXConnectorFactory.connect(new JMXServiceURL(address)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read pid " + pid + " over JMX: " + e.getMessage(), e);
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the JMX connection stands on its own
            }
        }
    }

    /**
     * Invokes an operation of the agent's MBean.
     *
     * @throws IllegalStateException if the JVM runs no PoolTrack agent, naming how to start one
     */
    Object invoke(String operation, Object[] args, String[] signature) {
        try {
            return server.invoke(new ObjectName(AGENT_MBEAN), operation, args, signature);
        } catch (InstanceNotFoundException e) {
            throw new IllegalStateException("pid " + pid + " runs no PoolTrack agent: start it with"
                    + " -javaagent:pooltrack-agent.jar=stacks=all (see pooltrack agent-jar), or load it with"
                    + " pooltrack verifier /volatile /flags 0x8 /adddriver NAME " + pid);
        } catch (Exception e) {
            throw new IllegalStateException("pid " + pid + ": " + operation + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException ignored) {
            // the other JVM may be gone already
        }
    }
}
