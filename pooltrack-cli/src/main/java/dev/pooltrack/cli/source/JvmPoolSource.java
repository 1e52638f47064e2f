package dev.pooltrack.cli.source;

import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolTrackMXBean;
import dev.pooltrack.Violation;
import dev.pooltrack.report.PoolJson;
import java.io.IOException;
import java.io.Serial;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeErrorException;
import javax.management.RuntimeMBeanException;
import javax.management.RuntimeOperationsException;

/**
 * The pool of another JVM on this machine, reached by its pid: the counterpart of {@code verifier}
 * reading the running kernel.
 *
 * <p>{@link #attach} connects through PoolTrack's loopback JMX connector in the JVM ({@link
 * JvmConnection}, which starts it on demand) and talks to PoolTrack's MBean {@value #MBEAN_NAME}.
 * The MBean hands over JSON ({@link PoolJson}); the reports are formatted on this side. Not
 * thread-safe: one command uses it from one thread. Close it to drop the connection.
 */
public final class JvmPoolSource implements PoolSource {

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

    private final JvmConnection connection;
    private final PoolTrackMXBean pool;

    private JvmPoolSource(JvmConnection connection, PoolTrackMXBean pool) {
        this.connection = connection;
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
        JvmConnection connection = JvmConnection.open(pid);
        try {
            MBeanServerConnection server = connection.server();
            ObjectName name = new ObjectName(MBEAN_NAME);
            if (!server.isRegistered(name)) {
                throw new NoPoolTrackException(pid);
            }
            return new JvmPoolSource(connection, JMX.newMXBeanProxy(server, name, PoolTrackMXBean.class));
        } catch (IOException | JMException | RuntimeException e) {
            connection.close();
            if (e instanceof SourceException s) {
                throw s;
            }
            throw new SourceException("cannot read the MBeans of JVM " + pid + ": " + e.getMessage(), e);
        }
    }

    /** The PoolTrack version running in the JVM. */
    public String version() {
        return remote(pool::getVersion);
    }

    /** The JVM's process id. */
    public long pid() {
        return connection.pid();
    }

    /** The PoolTrack MBean itself, for callers that poll it directly (measurements). */
    public PoolTrackMXBean mbean() {
        return pool;
    }

    @Override
    public String describe() {
        String command = connection.command();
        String main = command.isBlank() ? "" : command.strip().split("\\s+", 2)[0];
        return "JVM " + connection.pid() + (main.isEmpty() ? "" : " (" + main + ")");
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
        connection.close();
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
}
