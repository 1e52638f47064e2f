package dev.pooltrack.cli.source;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolTrackMXBean;
import dev.pooltrack.Violation;
import dev.pooltrack.report.PoolJson;
import java.io.IOException;
import java.io.Serial;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeErrorException;
import javax.management.RuntimeMBeanException;
import javax.management.RuntimeOperationsException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The pool of another JVM on this machine, reached by its pid: the counterpart of {@code verifier}
 * reading the running kernel.
 *
 * <p>{@link #attach} uses the Attach API to start the JDK's local management agent in the JVM (as
 * JConsole and VisualVM do), connects to it, and talks to PoolTrack's MBean {@value #MBEAN_NAME}.
 * The MBean hands over JSON ({@link PoolJson}); the reports are formatted on this side. Not
 * thread-safe: one command uses it from one thread. Close it to drop the connection.
 */
public final class JvmPoolSource implements PoolSource {

    /* Why the local management agent, and what it opens. The Attach API talks to the JVM over a
     * UNIX-domain socket (/tmp/.java_pid<pid>) that only the JVM's own user, or root, may use: that
     * is the access check, the same one jcmd relies on. startLocalManagementAgent() starts the JDK's
     * *local* JMX connector in the JVM, once for the JVM's life (JConsole and VisualVM use the same
     * one), and returns its address over that socket. On JDK 25 that connector is an RMI server on
     * an ephemeral TCP port: it accepts connections only from this host's own addresses
     * (LocalRMIServerSocketFactory) and needs the random object id in the address, which only the
     * attaching user learns. It is not the remote agent (-Dcom.sun.management.jmxremote.port),
     * which PoolTrack never starts. Note that the JDK binds that socket to the wildcard address and
     * refuses remote peers when it accepts them, rather than binding to loopback.
     *
     * A pid is checked before attaching (a process that does not exist gets "no Java process with
     * pid N"). When attach fails, the reason is told apart: a process of another user (the Attach
     * API refuses: the socket's owner check, or EPERM on the signal that starts the listener), a
     * process that is not a JVM the Attach API can see, or a JVM that refused for its own reason
     * (-XX:+DisableAttachMechanism, or it is still starting). */

    /** The object name of PoolTrack's pool MBean. */
    public static final String MBEAN_NAME = "dev.pooltrack:type=PoolTrack";

    /** Thrown when the JVM answers and has no PoolTrack MBean. */
    public static final class NoPoolTrackException extends SourceException {
        @Serial
        private static final long serialVersionUID = 1L;

        NoPoolTrackException(long pid) {
            super("JVM " + pid + " has no PoolTrack pool (" + MBEAN_NAME
                    + " is not registered): start PoolTrack in it or attach the agent");
        }
    }

    /** Thrown when no process has the pid, or the process is not a JVM that accepts attach. */
    public static final class NoSuchJvmException extends SourceException {
        @Serial
        private static final long serialVersionUID = 1L;

        NoSuchJvmException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final long pid;
    private final String command;
    private final JMXConnector connector;
    private final PoolTrackMXBean pool;

    private JvmPoolSource(long pid, String command, JMXConnector connector, PoolTrackMXBean pool) {
        this.pid = pid;
        this.command = command;
        this.connector = connector;
        this.pool = pool;
    }

    /**
     * Attaches to the JVM with that pid and connects to its PoolTrack MBean.
     *
     * @throws NoPoolTrackException if the JVM has no PoolTrack MBean
     * @throws SourceException if there is no such process, it is not a JVM this user can attach to,
     *     or the connection fails; the message says which
     */
    public static JvmPoolSource attach(long pid) {
        if (pid <= 0) {
            throw new SourceException("bad pid " + pid + ": a process id is a number from 1 up");
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            throw new NoSuchJvmException("no Java process with pid " + pid, null);
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new SourceException("pid " + pid + " is this pooltrack command itself");
        }

        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException e) {
            throw attachFailed(pid, process.get(), e);
        }
        String address;
        String command;
        try {
            command = vm.getSystemProperties().getProperty("sun.java.command", "");
            address = vm.startLocalManagementAgent();
        } catch (IOException e) {
            throw new SourceException(
                    "cannot start the local management agent in JVM " + pid + ": " + e.getMessage(), e);
        } finally {
            try {
                vm.detach();
            } catch (IOException e) {
                // detaching only forgets the socket's path on this side
            }
        }

        JMXConnector connector;
        try {
            connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
        } catch (IOException e) {
            throw new SourceException(
                    "cannot connect to the local management agent of JVM " + pid + " (" + address + "): "
                            + e.getMessage(),
                    e);
        }
        try {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ObjectName name = new ObjectName(MBEAN_NAME);
            if (!server.isRegistered(name)) {
                throw new NoPoolTrackException(pid);
            }
            PoolTrackMXBean pool = JMX.newMXBeanProxy(server, name, PoolTrackMXBean.class);
            return new JvmPoolSource(pid, command, connector, pool);
        } catch (IOException | JMException | RuntimeException e) {
            closeQuietly(connector, e);
            if (e instanceof SourceException s) {
                throw s;
            }
            throw new SourceException("cannot read the MBeans of JVM " + pid + ": " + e.getMessage(), e);
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
            return new NoSuchJvmException(
                    "no Java process with pid " + pid + ": process " + pid + " (" + what + ") is not a JVM that"
                            + " accepts attach (it is not Java, or runs with -XX:-UsePerfData or"
                            + " -XX:+DisableAttachMechanism)",
                    e);
        }
        return new SourceException("cannot attach to JVM " + pid + ": " + reason, e);
    }

    /** The PoolTrack version running in the JVM. */
    public String version() {
        return remote(pool::getVersion);
    }

    /** The JVM's process id. */
    public long pid() {
        return pid;
    }

    /** The PoolTrack MBean itself, for callers that poll it directly (measurements). */
    public PoolTrackMXBean mbean() {
        return pool;
    }

    @Override
    public String describe() {
        String main = command.isBlank() ? "" : command.strip().split("\\s+", 2)[0];
        return "JVM " + pid + (main.isEmpty() ? "" : " (" + main + ")");
    }

    @Override
    public PoolSnapshot snapshot() {
        return read("snapshot", pool::snapshotJson, json -> PoolJson.readSnapshot(json, describe()));
    }

    @Override
    public List<OutstandingAllocation> outstanding(String driver, int limit) {
        return read(
                "outstanding allocations",
                () -> pool.outstandingJson(driver == null ? "" : driver, limit),
                json -> PoolJson.readOutstanding(json, describe()));
    }

    @Override
    public List<Violation> violations() {
        return read("violations", pool::violationsJson, json -> PoolJson.readViolations(json, describe()));
    }

    @Override
    public String settingsText() {
        return remote(pool::settingsText);
    }

    @Override
    public void setVolatileFlags(int flags) {
        remote(() -> {
            pool.setVolatileFlags(flags);
            return null;
        });
    }

    @Override
    public void addDriver(String name) {
        remote(() -> {
            pool.addDriver(name);
            return null;
        });
    }

    @Override
    public void removeDriver(String name) {
        remote(() -> {
            pool.removeDriver(name);
            return null;
        });
    }

    @Override
    public void setResponse(String response) {
        remote(() -> {
            pool.setResponse(response);
            return null;
        });
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the JVM may have exited; nothing is left to release on this side
        }
    }

    /** Calls a JSON operation of the MBean and decodes the document, naming what could not be decoded. */
    private <T> T read(String what, Supplier<String> call, Function<String, T> decode) {
        String json = remote(call);
        try {
            return decode.apply(json);
        } catch (IllegalArgumentException e) {
            throw new SourceException(
                    "cannot read the " + what + " that " + describe() + " sent (it runs PoolTrack " + version() + "): "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Calls the MBean: an exception the MBean threw comes out as itself (an unknown driver is an
     * {@link IllegalArgumentException}), a lost connection as a {@link SourceException}.
     */
    private <T> T remote(Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeMBeanException e) {
            throw e.getTargetException();
        } catch (RuntimeOperationsException e) {
            throw e.getTargetException();
        } catch (RuntimeErrorException e) {
            throw new SourceException(describe() + " failed: " + e.getTargetError(), e);
        } catch (UndeclaredThrowableException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new SourceException(
                    "lost the connection to " + describe() + " (it may have exited): " + cause.getMessage(), cause);
        }
    }

    private static void closeQuietly(JMXConnector connector, Exception failure) {
        try {
            connector.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
