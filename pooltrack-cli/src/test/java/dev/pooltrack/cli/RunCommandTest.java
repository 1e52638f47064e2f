package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.cli.source.PoolSources;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunCommandTest {

    @Test
    void agentOptions_windowsAndGnuSpellings_becomeAgentOptions() {
        assertThat(RunCommand.agentOptions(List.of("/flags", "0x8", "/driver", "a.jar", "b.jar", "/stacks", "all")))
                .isEqualTo("flags=0x8,driver=a.jar+b.jar,stacks=all");
        assertThat(RunCommand.agentOptions(List.of(
                        "--flags=0x8", "--driver", "a.jar", "--driver", "b.jar", "--all", "--report", "/tmp/r")))
                .isEqualTo("flags=0x8,driver=a.jar,driver=b.jar,all,report=/tmp/r");
        assertThat(RunCommand.agentOptions(List.of("/uniquetags", "Leak", "/agent", "history=10,quiet")))
                .isEqualTo("uniquetags=Leak,history=10,quiet");
    }

    @Test
    void agentOptions_unknownSwitchOrMissingValue_saySo() {
        assertThatThrownBy(() -> RunCommand.agentOptions(List.of("/frobnicate")))
                .hasMessageContaining("unknown switch /frobnicate");
        assertThatThrownBy(() -> RunCommand.agentOptions(List.of("/flags")))
                .hasMessageContaining("switch /flags needs a value");
        assertThatThrownBy(() -> RunCommand.agentOptions(List.of("app.jar")))
                .hasMessageContaining("the program to run goes after --");
    }

    @Test
    void withAgent_putsTheAgentRightAfterJava() {
        assertThat(RunCommand.withAgent(List.of("/jdk/bin/java", "-jar", "app.jar"), "-javaagent:x.jar"))
                .containsExactly("/jdk/bin/java", "-javaagent:x.jar", "-jar", "app.jar");
        assertThat(RunCommand.withAgent(List.of("./mvnw", "test"), "-javaagent:x.jar"))
                .containsExactly("./mvnw", "test");
    }

    @Test
    void run_badInput_exitsWithErrorBeforeStartingAnything() {
        Cli.Run noCommand = Cli.pooltrack(PoolSources.unavailable(), "run", "/flags", "0x8");
        assertThat(noCommand.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(noCommand.err()).contains("give the program to run after --");

        Cli.Run badFlags = Cli.pooltrack(PoolSources.unavailable(), "run", "/flags", "0x2", "--", "java", "-version");
        assertThat(badFlags.status()).isEqualTo(ExitStatus.ERROR);
        assertThat(badFlags.err()).contains("bad option 'flags=0x2'");
    }
}
