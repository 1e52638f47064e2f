package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.tools.attach.VirtualMachine;
import dev.pooltrack.cli.Processes.Run;
import dev.pooltrack.cli.Processes.Target;
import dev.pooltrack.internal.LoopbackJmxServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a live query leaves behind in the JVM it read: PoolTrack's JMX connector listening on the
 * loopback address only, not the JDK's management agent, and a JVM that still ends by itself.
 */
class LoopbackJmxIT {

    private static final String SETTINGS = "flags=0x8\ndriver=storage-plugin\nresponse=log\n";

    @TempDir
    Path dir;

    @Test
    void liveQueries_listenOnLoopbackOnly_withoutTheJdkAgent_andTheJvmStillEndsByItself() throws Exception {
        Target server = Processes.sampleServer(dir, SETTINGS, "--rate", "100");
        try {
            String pid = Long.toString(server.pid());
            assertThat(listeningAddresses(server.pid())).as("before any query").isEmpty();

            Run query = Processes.pooltrack(dir, "verifier", "/query", pid);
            Run poolused = Processes.pooltrack(dir, "poolused", pid);

            assertThat(query.status()).as(query.err()).isZero();
            assertThat(poolused.status()).as(poolused.err()).isZero();
            List<InetAddress> listening = listeningAddresses(server.pid());
            assertThat(listening).as("TCP sockets the JVM listens on").isNotEmpty();
            assertThat(listening).allMatch(InetAddress::isLoopbackAddress, "a loopback address");
            ssAgrees(pid);
            Properties system;
            Properties agent;
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                system = vm.getSystemProperties();
                agent = vm.getAgentProperties();
            } finally {
                vm.detach();
            }
            assertThat(agent)
                    .as("the JDK's local management agent is not started")
                    .doesNotContainKey("com.sun.management.jmxremote.localConnectorAddress");
            assertThat(system.getProperty(LoopbackJmxServer.ADDRESS_PROPERTY))
                    .startsWith("service:jmx:rmi://127.0.0.1/stub/");
            Path secret = Path.of(system.getProperty(LoopbackJmxServer.SECRET_PROPERTY));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(server.stderr()))
                    .as("the connector is started once, by the first query")
                    .containsOnlyOnce("A Java agent has been loaded dynamically");

            server.process().getOutputStream().write("quit\n".getBytes(StandardCharsets.UTF_8));
            server.process().getOutputStream().close();

            assertThat(server.process().waitFor(15, TimeUnit.SECONDS))
                    .as("the JVM ends after main returned, although the pooltrack command connected to it")
                    .isTrue();
            assertThat(server.process().exitValue()).isZero();
            assertThat(secret).as("the secret file is deleted").doesNotExist();
        } finally {
            server.close();
        }
    }

    @Test
    void jvmWithoutPoolTrack_isAskedItsPropertiesOnly_andStartsNothing() throws Exception {
        try (Target idle = Processes.idleJvm(dir)) {
            Run run = Processes.pooltrack(dir, "poolused", Long.toString(idle.pid()));

            assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
            assertThat(run.err()).contains("has no PoolTrack pool");
            assertThat(listeningAddresses(idle.pid())).isEmpty();
            assertThat(Files.readString(idle.stderr())).doesNotContain("agent");
        }
    }

    @Test
    void jvmRefusingDynamicAgents_theCommandSaysWhyItCannotConnect() throws Exception {
        try (Target server =
                Processes.sampleServer(dir, SETTINGS, List.of("-XX:-EnableDynamicAgentLoading"), "--rate", "100")) {
            Run run = Processes.pooltrack(dir, "poolused", Long.toString(server.pid()));

            assertThat(run.status()).isEqualTo(ExitStatus.ERROR);
            assertThat(run.out()).isEmpty();
            assertThat(run.err())
                    .startsWith("pooltrack: JVM " + server.pid() + " refused the jar ")
                    .contains("that starts PoolTrack's loopback JMX connector")
                    .endsWith("(the JVM was started with -XX:-EnableDynamicAgentLoading: start it with"
                            + " -Dpooltrack.jmx=loopback as well, and PoolTrack starts its connector with the pool)\n");
            assertThat(listeningAddresses(server.pid())).isEmpty();
        }
    }

    @Test
    void startedWithThePool_servesAJvmThatRefusesDynamicAgents_onLoopbackOnly() throws Exception {
        Target server = Processes.sampleServer(
                dir, SETTINGS, List.of("-XX:-EnableDynamicAgentLoading", "-Dpooltrack.jmx=loopback"), "--rate", "100");
        try {
            Run run = Processes.pooltrack(dir, "poolused", Long.toString(server.pid()));

            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.out()).contains("Stor");
            assertThat(listeningAddresses(server.pid())).isNotEmpty().allMatch(InetAddress::isLoopbackAddress);
            assertThat(Files.readString(server.stderr())).doesNotContain("agent");

            server.process().getOutputStream().write("quit\n".getBytes(StandardCharsets.UTF_8));
            server.process().getOutputStream().close();
            assertThat(server.process().waitFor(15, TimeUnit.SECONDS))
                    .as("the JVM ends after main returned")
                    .isTrue();
        } finally {
            server.close();
        }
    }

    /** The local addresses of the TCP sockets in state LISTEN that the process holds, from /proc. */
    static List<InetAddress> listeningAddresses(long pid) throws IOException {
        Set<String> sockets = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.startsWith("socket:[")) {
                    sockets.add(target.substring("socket:[".length(), target.length() - 1));
                }
            }
        }
        List<InetAddress> listening = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc", Long.toString(pid), "net", table);
            for (String line :
                    Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
                String[] f = line.strip().split("\\s+");
                if (f[3].equals("0A") && sockets.contains(f[9])) {
                    listening.add(address(f[1].substring(0, f[1].indexOf(':'))));
                }
            }
        }
        return listening;
    }

    /** A /proc/net/tcp address: 32-bit words in hex, each in the machine's (little-endian) byte order. */
    private static InetAddress address(String hex) throws IOException {
        byte[] raw = HexFormat.of().parseHex(hex);
        for (int w = 0; w < raw.length; w += 4) {
            for (int i = 0; i < 2; i++) {
                byte b = raw[w + i];
                raw[w + i] = raw[w + 3 - i];
                raw[w + 3 - i] = b;
            }
        }
        return InetAddress.getByAddress(raw);
    }

    /** When ss is installed, its listing of the process's listening sockets shows loopback addresses only. */
    private static void ssAgrees(String pid) throws IOException, InterruptedException {
        Process ss;
        try {
            ss = new ProcessBuilder("ss", "-ltnpH").redirectErrorStream(true).start();
        } catch (IOException e) {
            return; // no ss here; /proc said it already
        }
        List<String> mine = Processes.read(ss.getInputStream())
                .lines()
                .filter(l -> l.contains("pid=" + pid + ","))
                .toList();
        ss.waitFor();
        assertThat(mine).as("ss -ltnp").isNotEmpty();
        for (String line : mine) {
            String local = line.strip().split("\\s+")[3];
            assertThat(local).as(line).matches("(127\\.0\\.0\\.1|\\[::1\\]|\\[::ffff:127\\.0\\.0\\.1\\]):\\d+");
        }
    }
}
