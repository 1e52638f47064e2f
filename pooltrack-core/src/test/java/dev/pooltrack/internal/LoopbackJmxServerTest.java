package dev.pooltrack.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopbackJmxServerTest {

    private static final String USER = System.getProperty("user.name");

    @AfterEach
    void stop() {
        LoopbackJmxServer.stop();
    }

    @Test
    void start_publishesAddressAndSecret_andServesThePlatformMBeansToTheSecretOnly() throws IOException {
        JMXServiceURL url = LoopbackJmxServer.start();

        assertThat(System.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY)).isEqualTo(url.toString());
        assertThat(url.toString()).startsWith("service:jmx:rmi://127.0.0.1/stub/");
        Path secret = Path.of(System.getProperty(LoopbackJmxServer.SECRET_PROPERTY));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
                .isEqualTo("rw-------");
        assertThat(secret.getParent()).isEqualTo(LoopbackJmxServer.directory());
        String token = Files.readString(secret);
        assertThat(token.strip()).hasSize(43);

        try (JMXConnector c = JMXConnectorFactory.connect(url, LoopbackJmxServer.clientEnvironment(token))) {
            assertThat(c.getMBeanServerConnection().getMBeanCount()).isPositive();
        }
        assertThatThrownBy(() -> JMXConnectorFactory.connect(url, LoopbackJmxServer.clientEnvironment("x" + token)))
                .isInstanceOf(SecurityException.class)
                .hasMessageContaining("accepts only the secret");
        assertThatThrownBy(() -> JMXConnectorFactory.connect(url, Map.of())).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> JMXConnectorFactory.connect(
                        url, Map.of(JMXConnector.CREDENTIALS, new StringBuilder(token.strip()))))
                .as("credentials of other types are not even deserialized")
                .isInstanceOf(IOException.class)
                .hasStackTraceContaining("filter status: REJECTED");
    }

    @Test
    void start_deletesTheSecretFilesOfEndedJvmsOnly() throws IOException {
        Path dir = LoopbackJmxServer.directory();
        long ended = 999_999;
        while (ProcessHandle.of(ended).isPresent()) {
            ended++;
        }
        Path left = Files.writeString(dir.resolve("jmx-" + ended + ".secret"), "old\n");
        Path alive = Files.writeString(dir.resolve("jmx-1.secret"), "init's\n");
        try {
            LoopbackJmxServer.start();

            assertThat(left).doesNotExist();
            assertThat(alive).exists();
        } finally {
            Files.deleteIfExists(left);
            Files.deleteIfExists(alive);
        }
    }

    @Test
    void startIfAsked_loopback_startsTheConnectorInTheBackground_otherValuesStartNothing() throws Exception {
        try {
            System.setProperty(LoopbackJmxServer.START_PROPERTY, "0.0.0.0");
            LoopbackJmxServer.startIfAsked();
            Thread.sleep(300);
            assertThat(System.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY)).isNull();

            System.setProperty(LoopbackJmxServer.START_PROPERTY, "loopback");
            LoopbackJmxServer.startIfAsked();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY) == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(System.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY))
                    .startsWith("service:jmx:rmi://127.0.0.1/stub/");
        } finally {
            System.clearProperty(LoopbackJmxServer.START_PROPERTY);
        }
    }

    @Test
    void start_twice_keepsTheRunningConnector() throws IOException {
        JMXServiceURL first = LoopbackJmxServer.start();

        assertThat(LoopbackJmxServer.start()).isEqualTo(first);
    }

    @Test
    void stop_withdrawsTheAddressAndDeletesTheSecret() throws IOException {
        JMXServiceURL url = LoopbackJmxServer.start();
        Path secret = Path.of(System.getProperty(LoopbackJmxServer.SECRET_PROPERTY));
        String token = Files.readString(secret);

        LoopbackJmxServer.stop();

        assertThat(System.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY)).isNull();
        assertThat(System.getProperty(LoopbackJmxServer.SECRET_PROPERTY)).isNull();
        assertThat(secret).doesNotExist();
        assertThatThrownBy(() -> JMXConnectorFactory.connect(url, LoopbackJmxServer.clientEnvironment(token)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void agentmain_recordsWhyItCouldNotStart(@TempDir Path tmp) throws IOException {
        Path file = Files.createFile(tmp.resolve("pooltrack-" + USER));
        String before = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", tmp.toString());
        try {
            LoopbackJmxServer.agentmain("");
        } finally {
            System.setProperty("java.io.tmpdir", before);
        }

        assertThat(System.getProperty(LoopbackJmxServer.ERROR_PROPERTY))
                .isEqualTo("refusing " + file + " for PoolTrack's files: it is not a folder. Remove it, and PoolTrack"
                        + " makes it again, owned by " + USER + " and writable only by them");
        assertThat(System.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY)).isNull();
        System.clearProperty(LoopbackJmxServer.ERROR_PROPERTY);
    }

    @Test
    void directory_madeNow_isWritableByTheUserOnly(@TempDir Path tmp) throws IOException {
        Path dir = LoopbackJmxServer.directory(tmp, USER);

        assertThat(dir).isEqualTo(tmp.resolve("pooltrack-" + USER).toAbsolutePath());
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(LoopbackJmxServer.directory(tmp, USER)).isEqualTo(dir);
    }

    @Test
    void directory_writableByOthers_isRefused(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("pooltrack-" + USER));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> LoopbackJmxServer.directory(tmp, USER))
                .isInstanceOf(IOException.class)
                .hasMessage("refusing " + dir + " for PoolTrack's files: others may write in it (rwxrwxrwx). Remove it,"
                        + " and PoolTrack makes it again, owned by " + USER + " and writable only by them");
    }

    @Test
    void directory_symbolicLink_isRefused(@TempDir Path tmp) throws IOException {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(tmp.resolve("pooltrack-" + USER), elsewhere);

        assertThatThrownBy(() -> LoopbackJmxServer.directory(tmp, USER))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(
                        "refusing " + link + " for PoolTrack's files: it is not a folder but a symbolic link.");
    }

    @Test
    void directory_ofAnotherUser_isRefused(@TempDir Path tmp) throws IOException {
        Files.createDirectory(tmp.resolve("pooltrack-nobody"));

        assertThatThrownBy(() -> LoopbackJmxServer.directory(tmp, "nobody"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("it belongs to user " + USER + ", not nobody");
    }
}
