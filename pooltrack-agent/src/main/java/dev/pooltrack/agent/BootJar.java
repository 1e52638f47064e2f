package dev.pooltrack.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * The hook classes ({@code dev.pooltrack.agent.boot}) copied out of the agent jar into a small jar
 * that is appended to the boot class path, so that instrumented JDK classes can call them.
 *
 * <p>Not thread-safe; the agent's start is synchronized.
 */
final class BootJar {

    static final String[] CLASSES = {
        "dev/pooltrack/agent/boot/Hooks.class",
        "dev/pooltrack/agent/boot/Hooks$Sink.class",
        "dev/pooltrack/agent/boot/Downcalls.class",
        "dev/pooltrack/agent/boot/Downcalls$Linking.class"
    };

    private BootJar() {}

    /** Appends the hook classes to the boot class path unless the boot loader has them already. */
    static void append(Instrumentation inst) throws IOException {
        if (onBootPath()) {
            return;
        }
        Path jar = Files.createTempFile("pooltrack-boot-", ".jar");
        jar.toFile().deleteOnExit();
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file)) {
            for (String name : CLASSES) {
                try (InputStream in = BootJar.class.getClassLoader().getResourceAsStream(name)) {
                    if (in == null) {
                        throw new IOException("the agent jar has no " + name);
                    }
                    out.putNextEntry(new JarEntry(name));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
        if (!onBootPath()) {
            throw new IOException("the hook classes did not reach the boot class path");
        }
    }

    private static boolean onBootPath() {
        try {
            Class.forName("dev.pooltrack.agent.boot.Hooks", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
