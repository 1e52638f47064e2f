package dev.pooltrack.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that only {@link PoolTrackExtensionTest#run} runs, through JUnit's engine test
 * kit: anywhere else (a {@code -Dtest} pattern, an IDE running the package) it is skipped, as its
 * tests fail on purpose.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(Fixture.OnlyInTheTestKit.class)
@interface Fixture {

    /** The configuration parameter that {@link PoolTrackExtensionTest#run} sets. */
    String PARAMETER = "pooltrack.junit.test.fixtures";

    /** Enables a fixture only when {@link #PARAMETER} is set. */
    final class OnlyInTheTestKit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getConfigurationParameter(PARAMETER).isPresent()
                    ? ConditionEvaluationResult.enabled("run by the engine test kit")
                    : ConditionEvaluationResult.disabled("a fixture of PoolTrackExtensionTest, run only by it");
        }
    }
}
