package dev.pooltrack.cli.source;

import dev.pooltrack.internal.LoopbackJmxServer;
import dev.pooltrack.report.AtomicWrite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * The jar the {@code pooltrack} command loads into a JVM as an agent to start PoolTrack's loopback
 * JMX connector there: {@link LoopbackJmxServer#agentClasses()}, with {@code Agent-Class} naming
 * it. Thread-safe (stateless).
 */
final class ConnectorAgentJar {

    /* Why a jar of its own, made here. Loading an agent appends its jar to the JVM's class path for
     * the rest of the JVM's life, so the jar holds the connector's classes alone: not the command's
     * jar with picocli and the examples, and not the PoolTrack agent, which would instrument the JDK.
     * A JVM that has PoolTrack's core on its class path loads the class from there (the class path
     * comes first). The jar is written from the classes this command runs with, so it always matches
     * them, whether the command runs from its shaded jar or from class folders.
     *
     * It lives in the user's PoolTrack folder (LoopbackJmxServer.directory(): owned by the user, no
     * one else may write), named by the SHA-256 of its content, and is written atomically; the bytes
     * are the same on every run (fixed entry times), so it is written once per PoolTrack build. It is
     * readable by everyone (0644): it holds no secret, and when root reads a JVM of another user,
     * that JVM must be able to read it. */

    private static final long ENTRY_TIME = 318_211_200_000L; // 1980-02-01: a zip holds no time before 1980

    private ConnectorAgentJar() {}

    /** The jar's path, written if it is missing or differs. */
    static Path path() throws IOException {
        return path(LoopbackJmxServer.directory());
    }

    static Path path(Path dir) throws IOException {
        byte[] jar = content();
        Path file = dir.resolve("pooltrack-jmx-" + HexFormat.of().formatHex(sha256(jar), 0, 8) + ".jar");
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), jar)) {
            return file;
        }
        AtomicWrite.replace(file, jar, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    private static byte[] content() throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(new Attributes.Name("Agent-Class"), LoopbackJmxServer.class.getName());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            jar.putNextEntry(entry("META-INF/MANIFEST.MF"));
            manifest.write(jar);
            for (Class<?> c : LoopbackJmxServer.agentClasses()) {
                String name = c.getName().replace('.', '/') + ".class";
                try (InputStream in = c.getResourceAsStream("/" + name)) {
                    if (in == null) {
                        throw new IOException(
                                "cannot read the class file of " + c.getName() + " to make the agent jar");
                    }
                    jar.putNextEntry(entry(name));
                    in.transferTo(jar);
                }
            }
        }
        return bytes.toByteArray();
    }

    private static ZipEntry entry(String name) {
        ZipEntry e = new ZipEntry(name);
        e.setTime(ENTRY_TIME);
        return e;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
