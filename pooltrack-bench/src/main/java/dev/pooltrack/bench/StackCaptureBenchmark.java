package dev.pooltrack.bench;

import dev.pooltrack.internal.CallSites;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * What one stack capture costs, the part of "stacks on" that dominates {@link PeerBenchmark}: the
 * walk PoolTrack's core makes to find an allocation's call site, against the {@code Throwable} Netty
 * makes per leak record and the {@code Thread.getStackTrace()} Arrow's debug mode makes per buffer
 * event, and a walk that stops at the caller's class and bytecode index without building a
 * {@code StackTraceElement}. In nanoseconds per capture, called from the benchmark method (a stack
 * of about a dozen JMH frames).
 *
 * <p>Thread-safe (no state). Run, from the repository root:
 *
 * <pre>{@code
 * flock /tmp/pooltrack-jmh.lock java --sun-misc-unsafe-memory-access=allow -Djmh.ignoreLock=true \
 *     -jar pooltrack-bench/target/benchmarks.jar StackCapture -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc \
 *     -jvmArgsAppend "--sun-misc-unsafe-memory-access=allow"
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StackCaptureBenchmark {

    private static final StackWalker WITH_CLASSES = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /** PoolTrack's call site capture: the first frame outside the core, as a CallSite. */
    @Benchmark
    public Object poolTrackCallSite() {
        return CallSites.callerOutsidePoolTrack();
    }

    /** A Throwable with its stack filled in: Netty's cost per leak record. */
    @Benchmark
    public Object nettyThrowable() {
        return new Throwable();
    }

    /** The whole stack as StackTraceElements: Arrow debug mode's cost per buffer event. */
    @Benchmark
    public Object arrowThreadStackTrace() {
        return Thread.currentThread().getStackTrace();
    }

    /** The first frame outside this class, kept as class + bytecode index: no StackTraceElement built. */
    @Benchmark
    public long walkToClassAndBci() {
        Optional<StackWalker.StackFrame> f =
                WITH_CLASSES.walk(s -> s.filter(x -> x.getDeclaringClass() != StackCaptureBenchmark.class)
                        .findFirst());
        return f.map(x -> (long) System.identityHashCode(x.getDeclaringClass()) * 31 + x.getByteCodeIndex())
                .orElse(0L);
    }

    /** The same walk, then the frame's StackTraceElement (file and line), as a CallSite needs. */
    @Benchmark
    public Object walkToStackTraceElement() {
        return WITH_CLASSES
                .walk(s -> s.filter(x -> x.getDeclaringClass() != StackCaptureBenchmark.class)
                        .findFirst())
                .map(StackWalker.StackFrame::toStackTraceElement)
                .orElse(null);
    }
}
