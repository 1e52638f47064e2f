package dev.pooltrack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowsSyntaxTest {

    private static String gnu(String args) {
        return String.join(" ", WindowsSyntax.toGnu(PoolTrackCommand.commandLine(), args.split(" ")));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "verifier /flags 0x8 /driver a.jar b.jar | verifier --flags 0x8 --driver a.jar b.jar",
                "verifier /FLAGS 8 /Driver a.jar | verifier --flags 8 --driver a.jar",
                "verifier /volatile /adddriver x y 42 | verifier --volatile --adddriver x y 42",
                "verifier /query 42 | verifier --query 42",
                "verifier /querysettings | verifier --querysettings",
                "verifier /log /tmp/verifier.log /interval 5 42 | verifier --log /tmp/verifier.log --interval 5 42",
                "verifier /log /flags /interval 5 42 | verifier --log /flags --interval 5 42",
                "verifier /bugcheck crash | verifier --bugcheck crash",
                "poolused 42 /t 5 2 | poolused 42 -t 5 2",
                "poolused 42 /t5 2 | poolused 42 -t5 2",
                "poolused 42 /top 5 | poolused 42 --top 5",
                "poolused --pooltag /tmp/pooltag.txt 42 | poolused --pooltag /tmp/pooltag.txt 42",
                "poolused --report /t 2 | poolused --report /t 2",
                "analyze /tmp/report.txt | analyze /tmp/report.txt",
                "analyze /unknown | analyze /unknown",
                "verifier /? | verifier --help",
                "/? | --help",
                "verifier -- /flags | verifier -- /flags",
                "demo /requests 5 | demo --requests 5",
            })
    void toGnu_windowsOptionsOfTheSubcommand_becomeItsGnuOptions(String windows, String gnu) {
        assertThat(gnu(windows)).isEqualTo(gnu);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "verifier /tmp/x",
                "verifier /bogus",
                "poolused /tmp/x/t",
                "verifier --flags 8 --driver a.jar",
                "jvms 1 2",
                "/flags 8",
            })
    void toGnu_argumentsThatAreNoWindowsOption_stayAsTheyAre(String args) {
        assertThat(gnu(args)).isEqualTo(args);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"poolused 42 /t 5", "verifier /flags 8", "verifier /query 42"})
    void toGnu_doesNotChangeItsArgument(String args) {
        String[] given = args.split(" ");
        String[] copy = given.clone();
        WindowsSyntax.toGnu(PoolTrackCommand.commandLine(), given);
        assertThat(Arrays.asList(given)).isEqualTo(Arrays.asList(copy));
    }
}
