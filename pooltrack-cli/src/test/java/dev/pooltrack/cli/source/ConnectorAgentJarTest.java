package dev.pooltrack.cli.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pooltrack.internal.LoopbackJmxServer;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorAgentJarTest {

    @Test
    void path_sameClasses_isWrittenOnceWithTheSameBytes(@TempDir Path dir) throws Exception {
        Path first = ConnectorAgentJar.path(dir);
        long written = Files.getLastModifiedTime(first).toMillis();
        Thread.sleep(20);

        Path second = ConnectorAgentJar.path(dir);

        assertThat(second).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(second).toMillis()).isEqualTo(written);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first)))
                .isEqualTo("rw-r--r--");
        try (JarFile jar = new JarFile(first.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Agent-Class"))
                    .isEqualTo(LoopbackJmxServer.class.getName());
        }
    }

    @Test
    void path_damagedJar_isWrittenAgain(@TempDir Path dir) throws Exception {
        Path jar = ConnectorAgentJar.path(dir);
        byte[] good = Files.readAllBytes(jar);
        Files.write(jar, new byte[] {'P', 'K'});

        assertThat(ConnectorAgentJar.path(dir)).isEqualTo(jar);
        assertThat(Files.readAllBytes(jar)).isEqualTo(good);
    }

    @Test
    void agentmain_inALoaderWithoutPoolTrack_startsTheConnectorFromTheJarAlone(@TempDir Path dir) throws Exception {
        Path jar = ConnectorAgentJar.path(dir);
        try (URLClassLoader alone =
                new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> server = alone.loadClass(LoopbackJmxServer.class.getName());
            assertThat(server.getClassLoader()).isSameAs(alone);
            try {
                server.getMethod("agentmain", String.class).invoke(null, "");

                assertThat(System.getProperty(LoopbackJmxServer.ERROR_PROPERTY)).isNull();
                assertThat(System.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY))
                        .startsWith("service:jmx:rmi://127.0.0.1/stub/");
            } finally {
                server.getMethod("stop").invoke(null);
            }
        }
        assertThat(System.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY)).isNull();
    }
}
