package dev.pooltrack.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pooltrack.Response;
import dev.pooltrack.Tag;
import dev.pooltrack.VerifierSettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentOptionsTest {

    @Test
    void parse_everyOption() {
        AgentOptions o = AgentOptions.parse("flags=0x8,driver=/opt/app/a.jar+b.jar,driver=target/classes/,all,"
                + "response=throw,callsites=off,stacks=sample:16,freestacks=on,history=10,uniquetags=Leak+Stor,"
                + "helpers=io.netty+lib.jar,rules=com.acme.cache:Cach+com.acme:Acme,report=out/r.txt,"
                + "settings=v.conf,inject=off,downcalls=off,quiet");

        assertThat(o.flags()).isEqualTo(8);
        assertThat(o.drivers()).containsExactly("a.jar", "b.jar", "target/classes/");
        assertThat(o.all()).isTrue();
        assertThat(o.response()).isEqualTo(Response.THROW);
        assertThat(o.callSites()).isFalse();
        assertThat(o.stacks()).isEqualTo(AgentOptions.StackMode.SAMPLE);
        assertThat(o.stackSampleEvery()).isEqualTo(16);
        assertThat(o.freeStacks()).isTrue();
        assertThat(o.history()).isEqualTo(10);
        assertThat(o.uniqueTags()).containsExactly(Tag.of("Leak"), Tag.of("Stor"));
        assertThat(o.helpers()).containsExactly("io.netty", "lib.jar");
        assertThat(o.rules()).containsEntry("com.acme.cache", Tag.of("Cach")).containsEntry("com.acme", Tag.of("Acme"));
        assertThat(o.report()).isEqualTo(Path.of("out/r.txt"));
        assertThat(o.settings()).isEqualTo(Path.of("v.conf"));
        assertThat(o.inject()).isFalse();
        assertThat(o.downcalls()).isFalse();
        assertThat(o.quiet()).isTrue();
    }

    @Test
    void parse_nothing_countersOnlyDefaults() {
        AgentOptions o = AgentOptions.parse(null);
        assertThat(o.flags()).isNull();
        assertThat(o.drivers()).isEmpty();
        assertThat(o.stacks()).isEqualTo(AgentOptions.StackMode.OFF);
        assertThat(o.freeStacks()).isFalse();
        assertThat(o.history()).isEqualTo(1024);
        assertThat(o.inject()).isTrue();
        assertThat(o.downcalls()).isTrue();
        assertThat(AgentOptions.parse("stacks=sample:1").stacks()).isEqualTo(AgentOptions.StackMode.ALL);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "bogus=1                | bad option 'bogus=1': unknown option (known: flags, driver",
                "flags=0x2              | bad option 'flags=0x2': ",
                "flags=zz               | bad option 'flags=zz'",
                "driver=                | bad option 'driver=': a value is required",
                "driver=a.jar++b.jar    | empty name in 'a.jar++b.jar'",
                "stacks=often           | expected off, sample:N or all, found 'often'",
                "stacks=sample:0        | sample interval must be at least 1",
                "history=-1             | history size must not be negative",
                "history=16777217       | history size 16777217 is more than the log holds: at most 16777216",
                "uniquetags=TooLong     | bad pool tag 'TooLong'",
                "rules=com.acme         | expected package-or-class:TAG",
                "callsites=maybe        | expected on or off, found 'maybe'",
                "freestacks=maybe       | bad option 'freestacks=maybe': expected on or off, found 'maybe'",
                "'flags=0x8,,all'       | empty option"
            })
    void parse_badOption_messageNamesItAndWhatIsExpected(String text, String message) {
        assertThatThrownBy(() -> AgentOptions.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message.strip());
    }

    @Test
    void applyTo_overridesFlagsResponseAndAddsDrivers() {
        VerifierSettings file = VerifierSettings.poolTracking("a.jar").withResponse(Response.CRASH);
        VerifierSettings s =
                AgentOptions.parse("driver=b.jar,response=log,uniquetags=Leak").applyTo(file);
        assertThat(s.flags()).isEqualTo(8);
        assertThat(s.drivers()).containsExactly("a.jar", "b.jar");
        assertThat(s.response()).isEqualTo(Response.LOG);
        assertThat(s.uniqueTags()).containsExactly(Tag.of("Leak"));
        assertThat(AgentOptions.parse("flags=0").applyTo(file).poolTracking()).isFalse();
    }

    @Test
    void tagRules_longestPrefixWins_onPackageOrClassBoundaries() {
        var rules = new Attribution.TagRules(java.util.Map.of(
                "com.acme", Tag.of("Acme"), "com.acme.cache", Tag.of("Cach"), "com.acme.net.Buf", Tag.of("NetB")));
        assertThat(rules.tagOf("com.acme.cache.Lru")).isEqualTo(Tag.of("Cach").value());
        assertThat(rules.tagOf("com.acme.Main")).isEqualTo(Tag.of("Acme").value());
        assertThat(rules.tagOf("com.acme.net.Buf$Inner"))
                .isEqualTo(Tag.of("NetB").value());
        assertThat(rules.tagOf("com.acme.net.Buffer")).isEqualTo(Tag.of("Acme").value());
        assertThat(rules.tagOf("com.acmex.Main")).isZero();
    }

    @Test
    void poolTrackClasses_areCoreAndAgentPackagesOnly() {
        for (String own :
                List.of("dev.pooltrack.PoolTrack", "dev.pooltrack.internal.StripedTracker", "dev.pooltrack.agent.X")) {
            assertThat(Attribution.isPoolTrack(own)).as(own).isTrue();
        }
        for (String app : List.of("dev.pooltrack.examples.StorageDriver", "dev.pooltrack.cli.X", "com.acme.Main")) {
            assertThat(Attribution.isPoolTrack(app)).as(app).isFalse();
        }
    }
}
