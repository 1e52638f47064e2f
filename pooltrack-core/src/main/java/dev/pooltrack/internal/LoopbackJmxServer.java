package dev.pooltrack.internal;

import dev.pooltrack.report.AtomicWrite;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.rmi.server.RMIClientSocketFactory;
import java.rmi.server.RMIServerSocketFactory;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.security.auth.Subject;

/**
 * PoolTrack's JMX connector server for the platform MBean server, listening on the loopback address
 * only: how the {@code pooltrack} command reads a running JVM without the JDK's management agent.
 * Not API: it is shared by the {@code pooltrack} command and the JVM it reads, and may change in any
 * release. Thread-safe.
 *
 * <p>The {@code pooltrack} command starts it on demand by loading a jar that holds this class as an
 * agent ({@link #agentmain}); the JVM then publishes {@value #ADDRESS_PROPERTY} and {@value
 * #SECRET_PROPERTY} as system properties, which the command reads through the Attach API.
 */
public final class LoopbackJmxServer {

    /* Why not the JDK's local management agent. VirtualMachine.startLocalManagementAgent() (what
     * JConsole and VisualVM use) starts an RMI connector whose server socket the JDK binds to the
     * wildcard address: it listens on every interface and refuses non-local peers only after
     * accepting them. PoolTrack's rule is that whatever it makes listen binds to loopback, so it
     * runs a connector of its own and never starts the JDK's agent, local or remote.
     *
     * What listens. One TCP port on InetAddress.getLoopbackAddress() (127.0.0.1, or ::1 when the JVM
     * prefers IPv6), ephemeral. The connector object and each client's connection object are
     * exported with the same socket factories, so RMI serves them all on that one socket. There is
     * no RMI registry: the address is the stub form (service:jmx:rmi://127.0.0.1/stub/...), whose
     * serialized stub carries a random object id (java.rmi.server.ObjID, SecureRandom). RMI writes
     * into a stub the host it believes is this machine (java.rmi.server.hostname or the address of
     * InetAddress.getLocalHost()), where nothing listens; the stub therefore carries a client socket
     * factory that connects to the exact loopback address the server socket is bound to. A client
     * needs this class on its class path to use the stub (the pooltrack command has it).
     *
     * Who may connect. Only processes of this machine reach a loopback socket, and the connector
     * accepts a client only with the secret: 32 bytes from SecureRandom, base64url, in a file that
     * only the JVM's user can read (0600) in a folder that only that user can write (see directory()),
     * checked in constant time. The secret file's path and the address are system properties of the
     * JVM; from outside, the Attach API shows them only to the JVM's own user and root (the same check
     * jcmd relies on). The credentials are deserialized as strings only (credentials filter). A
     * client that passed is trusted as the JDK's local agent trusts its clients: it may call any MBean.
     *
     * How it starts. On demand: the pooltrack command attaches to the JVM, and when the JVM runs
     * PoolTrack (POOL_PROPERTY, set when the pool's MBean is registered) but has no address yet, it
     * loads a small jar holding this class as an agent. Loading an agent is the one way the Attach
     * API lets a tool run code in a JVM; the JVM prints the JDK's one-time warning about a
     * dynamically loaded agent unless it was started with -XX:+EnableDynamicAgentLoading. A JVM
     * started with -XX:-EnableDynamicAgentLoading refuses the jar; -Dpooltrack.jmx=loopback
     * (START_PROPERTY) then starts the connector when the pool starts. Starting it twice is harmless:
     * the running connector is kept.
     *
     * Not keeping the JVM alive. RMI's runtime keeps a non-daemon thread ("RMI Reaper") running while
     * it has exported objects, so a JVM whose main method returned would never end. The JDK's agent
     * avoids that with an exporter that is internal to the JDK. Here a daemon thread waits for the
     * thread "main" to end and then looks every WATCH_INTERVAL_MS whether the only non-daemon threads
     * left are the reaper and DestroyJavaVM (the launcher waiting for the last non-daemon thread);
     * then it stops the connector, the reaper ends, and the JVM ends as it would have without PoolTrack.
     * A JVM that ends through System.exit needs none of this. The secret file is deleted when the
     * connector stops and when the JVM shuts down; the files of JVMs that were killed are deleted by
     * the next connector that starts in the same folder. */

    /** The system property, set when a PoolTrack pool registered its MBean, holding PoolTrack's version. */
    public static final String POOL_PROPERTY = "pooltrack.version";

    /** The system property holding the connector's address while it runs. */
    public static final String ADDRESS_PROPERTY = "pooltrack.jmx.address";

    /** The system property holding the path of the file with the connector's secret while it runs. */
    public static final String SECRET_PROPERTY = "pooltrack.jmx.secretFile";

    /** The system property saying why the connector could not start, after a failed {@link #agentmain}. */
    public static final String ERROR_PROPERTY = "pooltrack.jmx.error";

    /**
     * The system property that starts the connector when the pool starts, rather than when the
     * {@code pooltrack} command first asks: {@code -Dpooltrack.jmx=loopback}. For a JVM that refuses
     * dynamically loaded agents ({@code -XX:-EnableDynamicAgentLoading}).
     */
    public static final String START_PROPERTY = "pooltrack.jmx";

    /** The user name a client gives with the secret. */
    public static final String USER = "pooltrack";

    private static final long WATCH_INTERVAL_MS = 200;

    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

    private static JMXConnectorServer server;
    private static Path secretFile;

    private LoopbackJmxServer() {}

    /**
     * The agent entry the {@code pooltrack} command loads: starts the connector, or records in
     * {@value #ERROR_PROPERTY} why it could not.
     *
     * @param options ignored
     */
    public static void agentmain(String options) {
        startOrRecordWhyNot();
    }

    /**
     * Starts the connector on a thread of its own when {@value #START_PROPERTY} is {@code loopback}; a
     * failure is logged and recorded in {@value #ERROR_PROPERTY}. Any other value is refused with a
     * warning, and the connector then starts when the {@code pooltrack} command asks.
     */
    public static void startIfAsked() {
        String value = System.getProperty(START_PROPERTY);
        if (value == null) {
            return;
        }
        if (!value.equals("loopback")) {
            System.getLogger("dev.pooltrack")
                    .log(
                            System.Logger.Level.WARNING,
                            "PoolTrack: -D" + START_PROPERTY + "=" + value + " is not understood: the one value is"
                                    + " loopback (start PoolTrack's JMX connector, on the loopback address, with the"
                                    + " pool)");
            return;
        }
        Thread.ofPlatform().daemon().name("PoolTrack JMX start").start(() -> {
            startOrRecordWhyNot();
            String error = System.getProperty(ERROR_PROPERTY);
            if (error != null) {
                System.getLogger("dev.pooltrack")
                        .log(System.Logger.Level.WARNING, "PoolTrack: cannot start its JMX connector: " + error);
            }
        });
    }

    private static void startOrRecordWhyNot() {
        try {
            start();
        } catch (IOException | RuntimeException e) {
            System.setProperty(ERROR_PROPERTY, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /**
     * Starts the connector if it is not running, and publishes its address and secret file.
     *
     * @return the connector's address
     * @throws IOException if the secret file cannot be written or the connector cannot start
     */
    public static synchronized JMXServiceURL start() throws IOException {
        if (server != null && server.isActive()) {
            return server.getAddress();
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Path file = writeSecret(directory(), token);

        Map<String, Object> env = new HashMap<>();
        env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, new LoopbackServerSockets(loopback));
        env.put(
                RMIConnectorServer.RMI_CLIENT_SOCKET_FACTORY_ATTRIBUTE,
                new LoopbackClientSockets(loopback.getHostAddress()));
        env.put(JMXConnectorServer.AUTHENTICATOR, authenticator(token));
        env.put(RMIConnectorServer.CREDENTIALS_FILTER_PATTERN, "java.lang.String;!*");
        JMXConnectorServer s;
        try {
            s = JMXConnectorServerFactory.newJMXConnectorServer(
                    new JMXServiceURL("rmi", hostLiteral(loopback), 0),
                    env,
                    ManagementFactory.getPlatformMBeanServer());
            s.start();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        server = s;
        secretFile = file;
        System.setProperty(SECRET_PROPERTY, file.toString());
        System.setProperty(ADDRESS_PROPERTY, s.getAddress().toString());
        System.clearProperty(ERROR_PROPERTY);
        Thread.ofPlatform().daemon().name("PoolTrack JMX watchdog").start(() -> stopWhenOnlyRmiKeepsTheJvm(s));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> deleteSecret(file)));
        return s.getAddress();
    }

    /** Stops the connector if it runs, deletes its secret file and withdraws its system properties. */
    public static synchronized void stop() {
        JMXConnectorServer s = server;
        if (s == null) {
            return;
        }
        server = null;
        System.clearProperty(ADDRESS_PROPERTY);
        System.clearProperty(SECRET_PROPERTY);
        deleteSecret(secretFile);
        try {
            s.stop();
        } catch (IOException e) {
            // unexporting is local; a client that was connected just loses its connection
        }
    }

    /**
     * The classes a jar must hold to load this class as an agent into a JVM whose class path has no
     * PoolTrack: this class, its nested classes, and what they use of PoolTrack.
     */
    public static List<Class<?>> agentClasses() {
        List<Class<?>> classes = new ArrayList<>(List.of(LoopbackJmxServer.class.getNestMembers()));
        classes.add(AtomicWrite.class);
        return List.copyOf(classes);
    }

    /**
     * The environment for {@link javax.management.remote.JMXConnectorFactory#connect} that presents
     * {@code token}, the content of the secret file.
     */
    public static Map<String, Object> clientEnvironment(String token) {
        return Map.of(JMXConnector.CREDENTIALS, new String[] {USER, token.strip()});
    }

    /**
     * The folder where PoolTrack keeps the files of this user in the temporary folder ({@code
     * java.io.tmpdir}/pooltrack-USER): created when missing, and refused unless it is a real folder
     * (not a link) owned by this user that no one else may write.
     *
     * @throws IOException if it cannot be created, or is refused; the message names it and says why
     */
    public static Path directory() throws IOException {
        return directory(Path.of(System.getProperty("java.io.tmpdir")), System.getProperty("user.name"));
    }

    static Path directory(Path tmp, String user) throws IOException {
        Path dir = tmp.resolve("pooltrack-" + user).toAbsolutePath();
        try {
            Files.createDirectory(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (FileAlreadyExistsException e) {
            // checked below, as a folder made now is
        } catch (UnsupportedOperationException e) {
            throw new IOException("cannot keep PoolTrack's files in " + dir + ": the file system has no POSIX"
                    + " permissions, so they could not be kept from other users");
        }
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String refused = null;
        if (!a.isDirectory()) {
            refused = "it is not a folder" + (a.isSymbolicLink() ? " but a symbolic link" : "");
        } else if (!a.owner().getName().equals(user)) {
            refused = "it belongs to user " + a.owner().getName() + ", not " + user;
        } else if (a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            refused = "others may write in it (" + PosixFilePermissions.toString(a.permissions()) + ")";
        }
        if (refused != null) {
            throw new IOException("refusing " + dir + " for PoolTrack's files: " + refused + ". Remove it, and"
                    + " PoolTrack makes it again, owned by " + user + " and writable only by them");
        }
        return dir;
    }

    private static String hostLiteral(InetAddress address) {
        return address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    }

    private static Path writeSecret(Path dir, String token) throws IOException {
        deleteSecretsOfEndedJvms(dir);
        Path file = dir.resolve("jmx-" + ProcessHandle.current().pid() + ".secret");
        AtomicWrite.replace(file, (token + "\n").getBytes(StandardCharsets.US_ASCII), OWNER_READ_WRITE);
        return file;
    }

    /** Deletes the secret files that JVMs killed before their shutdown hook ran left behind. */
    private static void deleteSecretsOfEndedJvms(Path dir) throws IOException {
        try (DirectoryStream<Path> secrets = Files.newDirectoryStream(dir, "jmx-*.secret")) {
            for (Path f : secrets) {
                String name = f.getFileName().toString();
                try {
                    long pid = Long.parseLong(name.substring("jmx-".length(), name.length() - ".secret".length()));
                    if (ProcessHandle.of(pid).isEmpty()) {
                        Files.deleteIfExists(f);
                    }
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
        }
    }

    private static void deleteSecret(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // the file is readable by its owner only; a leftover is replaced by the next start
        }
    }

    private static JMXAuthenticator authenticator(String token) {
        byte[] expected = token.getBytes(StandardCharsets.US_ASCII);
        return credentials -> {
            if (credentials instanceof String[] c
                    && c.length == 2
                    && USER.equals(c[0])
                    && c[1] != null
                    && MessageDigest.isEqual(expected, c[1].getBytes(StandardCharsets.US_ASCII))) {
                return new Subject(true, Set.of(new JMXPrincipal(USER)), Set.of(), Set.of());
            }
            throw new SecurityException("PoolTrack's JMX connector accepts only the secret in its secret file");
        };
    }

    private static void stopWhenOnlyRmiKeepsTheJvm(JMXConnectorServer s) {
        try {
            Thread main = nonDaemonThreadNamed("main");
            if (main != null) {
                main.join();
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            while (s.isActive()) {
                Thread.sleep(WATCH_INTERVAL_MS);
                if (threads.getThreadCount() - threads.getDaemonThreadCount() <= 2 && onlyRmiKeepsTheJvm()) {
                    stop();
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean onlyRmiKeepsTheJvm() {
        for (Thread t : platformThreads()) {
            if (t.isAlive()
                    && !t.isDaemon()
                    && !t.getName().equals("RMI Reaper")
                    && !t.getName().equals("DestroyJavaVM")) {
                return false;
            }
        }
        return true;
    }

    private static Thread nonDaemonThreadNamed(String name) {
        for (Thread t : platformThreads()) {
            if (t.getName().equals(name) && !t.isDaemon()) {
                return t;
            }
        }
        return null;
    }

    private static Thread[] platformThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() + 16];
        int n = root.enumerate(all, true);
        return Arrays.copyOf(all, n);
    }

    /** Server sockets on one loopback address. */
    private record LoopbackServerSockets(InetAddress address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 0, address);
        }
    }

    /**
     * Client sockets to the loopback address the server listens on, whatever host the stub names;
     * serialized into the stub, so it travels to the client.
     */
    private record LoopbackClientSockets(String address) implements RMIClientSocketFactory, Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return new Socket(InetAddress.getByName(address), port);
        }
    }
}
