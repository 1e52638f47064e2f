package dev.pooltrack.cli;

import dev.pooltrack.cli.source.JvmConnection;
import dev.pooltrack.cli.source.JvmPoolSource;
import dev.pooltrack.cli.source.SourceException;
import java.io.IOException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;

/**
 * A JMX connection to the PoolTrack agent in another JVM, through the Attach API and PoolTrack's
 * loopback JMX connector ({@link JvmConnection}). Not thread-safe; close it after use.
 */
final class AgentConnection implements AutoCloseable {

    static final String AGENT_MBEAN = "dev.pooltrack:type=Agent";

    private final long pid;
    private final JvmConnection connection;
    private final MBeanServerConnection server;

    private AgentConnection(long pid, JvmConnection connection) throws IOException {
        this.pid = pid;
        this.connection = connection;
        this.server = connection.server();
    }

    /**
     * Connects to the JVM with process id {@code pid}.
     *
     * @throws IllegalArgumentException if no Java process has that pid
     * @throws IllegalStateException if the JVM cannot be reached, or runs no PoolTrack
     */
    static AgentConnection open(long pid) {
        JvmConnection connection;
        try {
            connection = JvmConnection.open(pid);
        } catch (JvmPoolSource.NoSuchJvmException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (JvmPoolSource.NoPoolTrackException e) {
            throw noAgent(pid);
        } catch (SourceException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        try {
            return new AgentConnection(pid, connection);
        } catch (IOException e) {
            connection.close();
            throw new IllegalStateException("cannot read pid " + pid + " over JMX: " + e.getMessage(), e);
        }
    }

    private static IllegalStateException noAgent(long pid) {
        return new IllegalStateException("pid " + pid + " runs no PoolTrack agent: start it with"
                + " -javaagent:pooltrack-agent.jar=stacks=all (see pooltrack agent-jar), or load it with"
                + " pooltrack verifier /volatile /flags 0x8 /adddriver NAME " + pid);
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
            throw noAgent(pid);
        } catch (Exception e) {
            throw new IllegalStateException("pid " + pid + ": " + operation + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
