package dev.pooltrack.cli.source;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.pooltrack.internal.LoopbackJmxServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A JMX connection to the platform MBean server of another JVM on this machine that runs PoolTrack,
 * through PoolTrack's loopback connector ({@link LoopbackJmxServer}). Not thread-safe; close it to
 * drop the connection.
 */
public final class JvmConnection implements AutoCloseable {

    /* How a JVM is reached. The Attach API talks to the JVM over a UNIX-domain socket
     * (/tmp/.java_pid<pid>) that only the JVM's own user, or root, may use: that is the access
     * check, the same one jcmd relies on. Over it this reads the JVM's system properties: whether it
     * runs PoolTrack (LoopbackJmxServer.POOL_PROPERTY, so a JVM without PoolTrack is left alone),
     * and where PoolTrack's connector listens. When the connector is not running yet, this loads
     * ConnectorAgentJar into the JVM, which starts it on the loopback address and publishes its
     * address and secret file; later commands find them and load nothing. A JVM started with
     * -Dpooltrack.jmx=loopback starts the connector with its pool, so this waits for it instead. The
     * connection presents the secret read from that file. The JDK's own management agent
     * (startLocalManagementAgent, whose port listens on every interface) is never started.
     *
     * A pid is checked before attaching (a process that does not exist gets "no Java process with
     * pid N"). When attach fails, the reason is told apart: a process of another user (the Attach
     * API refuses: the socket's owner check, or EPERM on the signal that starts the listener), a
     * process that is not a JVM the Attach API can see, or a JVM that refused for its own reason
     * (-XX:+DisableAttachMechanism, or it is still starting). */

    private static final long START_WAIT_MS = 10_000;

    private final long pid;
    private final String command;
    private final JMXConnector connector;

    private JvmConnection(long pid, String command, JMXConnector connector) {
        this.pid = pid;
        this.command = command;
        this.connector = connector;
    }

    /**
     * Connects to the JVM with that pid, starting PoolTrack's loopback connector in it if needed.
     *
     * @throws JvmPoolSource.NoPoolTrackException if the JVM runs no PoolTrack pool
     * @throws JvmPoolSource.NoSuchJvmException if no JVM this user can attach to has the pid
     * @throws SourceException if attach is refused or the connection fails; the message says why
     */
    public static JvmConnection open(long pid) {
        Properties props;
        VirtualMachine vm = attach(pid);
        try {
            props = systemProperties(vm, pid);
            if (props.getProperty(LoopbackJmxServer.POOL_PROPERTY) == null) {
                throw new JvmPoolSource.NoPoolTrackException(pid);
            }
            if (props.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY) == null) {
                if ("loopback".equals(props.getProperty(LoopbackJmxServer.START_PROPERTY))) {
                    props = awaitStartWithThePool(vm, pid);
                } else {
                    startConnector(vm, pid);
                    props = systemProperties(vm, pid);
                }
            }
        } finally {
            detach(vm);
        }
        String address = props.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY);
        if (address == null) {
            throw new SourceException("PoolTrack could not start its loopback JMX connector in JVM " + pid + ": "
                    + props.getProperty(LoopbackJmxServer.ERROR_PROPERTY, "it gave no reason"));
        }
        String command = props.getProperty("sun.java.command", "");
        return new JvmConnection(pid, command, connect(pid, address, secret(pid, props)));
    }

    /**
     * The PoolTrack version the JVM with that pid runs, read from its system properties without
     * connecting or starting anything.
     *
     * @throws JvmPoolSource.NoPoolTrackException if the JVM runs no PoolTrack pool
     * @throws SourceException as {@link #open} does
     */
    public static String poolTrackVersion(long pid) {
        VirtualMachine vm = attach(pid);
        try {
            String version = systemProperties(vm, pid).getProperty(LoopbackJmxServer.POOL_PROPERTY);
            if (version == null) {
                throw new JvmPoolSource.NoPoolTrackException(pid);
            }
            return version;
        } finally {
            detach(vm);
        }
    }

    /** The JVM's process id. */
    public long pid() {
        return pid;
    }

    /** What the JVM runs: its main class or jar and arguments ({@code sun.java.command}), or "". */
    public String command() {
        return command;
    }

    /** The JVM's platform MBean server. */
    public MBeanServerConnection server() throws IOException {
        return connector.getMBeanServerConnection();
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the JVM may have exited; nothing is left to release on this side
        }
    }

    private static VirtualMachine attach(long pid) {
        if (pid <= 0) {
            throw new SourceException("bad pid " + pid + ": a process id is a number from 1 up");
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            throw new JvmPoolSource.NoSuchJvmException("no Java process with pid " + pid, null);
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new SourceException("pid " + pid + " is this pooltrack command itself");
        }
        try {
            return VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException e) {
            throw attachFailed(pid, process.get(), e);
        }
    }

    private static SourceException attachFailed(long pid, ProcessHandle process, Exception e) {
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        String owner = process.info().user().orElse(null);
        String me = System.getProperty("user.name");
        if (owner != null && !owner.equals(me) && !"root".equals(me)) {
            return new SourceException(
                    "cannot attach to process " + pid + ": it runs as user " + owner + " and pooltrack as user " + me
                            + ", and the Attach API lets a user attach only to their own JVMs (root to any): run"
                            + " pooltrack as " + owner + " (the attach failed with: " + reason + ")",
                    e);
        }
        if (Jvms.find(pid).isEmpty()) {
            String what = process.info().command().orElse("command unknown");
            return new JvmPoolSource.NoSuchJvmException(
                    "no Java process with pid " + pid + ": process " + pid + " (" + what + ") is not a JVM that"
                            + " accepts attach (it is not Java, or runs with -XX:-UsePerfData or"
                            + " -XX:+DisableAttachMechanism)",
                    e);
        }
        return new SourceException("cannot attach to JVM " + pid + ": " + reason, e);
    }

    private static Properties systemProperties(VirtualMachine vm, long pid) {
        try {
            return vm.getSystemProperties();
        } catch (IOException e) {
            throw new SourceException("lost JVM " + pid + " while reading its system properties: " + e.getMessage(), e);
        }
    }

    /**
     * The system properties once the connector that the JVM starts with its pool ({@code
     * -Dpooltrack.jmx=loopback}) runs or has failed, or after {@link #START_WAIT_MS}.
     */
    private static Properties awaitStartWithThePool(VirtualMachine vm, long pid) {
        long deadline = System.nanoTime() + START_WAIT_MS * 1_000_000;
        while (true) {
            Properties props = systemProperties(vm, pid);
            if (props.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY) != null
                    || props.getProperty(LoopbackJmxServer.ERROR_PROPERTY) != null) {
                return props;
            }
            if (System.nanoTime() > deadline) {
                props.setProperty(
                        LoopbackJmxServer.ERROR_PROPERTY,
                        "it runs with -D" + LoopbackJmxServer.START_PROPERTY + "=loopback, and its connector had not"
                                + " started after " + START_WAIT_MS / 1000 + " s");
                return props;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SourceException("interrupted while waiting for JVM " + pid + " to start its connector", e);
            }
        }
    }

    private static void startConnector(VirtualMachine vm, long pid) {
        Path jar;
        try {
            jar = ConnectorAgentJar.path();
        } catch (IOException e) {
            throw new SourceException(
                    "cannot write the jar that starts PoolTrack's JMX connector in JVM " + pid + ": " + e.getMessage(),
                    e);
        }
        try {
            vm.loadAgent(jar.toString(), "");
        } catch (AgentLoadException e) {
            throw new SourceException(
                    "JVM " + pid + " refused the jar " + jar + " that starts PoolTrack's loopback JMX connector: "
                            + e.getMessage()
                            + (String.valueOf(e.getMessage()).contains("EnableDynamicAgentLoading")
                                    ? " (the JVM was started with -XX:-EnableDynamicAgentLoading: start it with -D"
                                            + LoopbackJmxServer.START_PROPERTY
                                            + "=loopback as well, and PoolTrack starts its connector with the pool)"
                                    : ""),
                    e);
        } catch (AgentInitializationException | IOException e) {
            throw new SourceException(
                    "cannot start PoolTrack's loopback JMX connector in JVM " + pid + ": " + e.getMessage(), e);
        }
    }

    private static String secret(long pid, Properties props) {
        String file = props.getProperty(LoopbackJmxServer.SECRET_PROPERTY);
        if (file == null) {
            throw new SourceException(
                    "JVM " + pid + " publishes no secret file (" + LoopbackJmxServer.SECRET_PROPERTY + ")");
        }
        try {
            return Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new SourceException("the secret file " + file + " of JVM " + pid + " is gone (is it exiting?)", e);
        } catch (IOException e) {
            throw new SourceException(
                    "cannot read the secret file " + file + " of JVM " + pid + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("BanJNDI") // an address the JVM published through the Attach API, not a user-given URL
    private static JMXConnector connect(long pid, String address, String secret) {
        try {
            return JMXConnectorFactory.connect(new JMXServiceURL(address), LoopbackJmxServer.clientEnvironment(secret));
        } catch (IOException | SecurityException e) {
            throw new SourceException(
                    "cannot connect to PoolTrack's loopback JMX connector in JVM " + pid + " (" + address + "): "
                            + e.getMessage(),
                    e);
        }
    }

    private static void detach(VirtualMachine vm) {
        try {
            vm.detach();
        } catch (IOException e) {
            // detaching only forgets the socket's path on this side
        }
    }
}
