package dev.pooltrack.bench;

import dev.pooltrack.internal.CallSites;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What one stack capture costs, the part of "stacks on" that dominates {@link PeerBenchmark}: the
 * walk PoolTrack's core makes to find an allocation's call site, against the {@code Throwable} Netty
 * makes per leak record and the {@code Thread.getStackTrace()} Arrow's debug mode makes per buffer
 * event, and a walk that stops at the caller's class and bytecode index without building a
 * {@code StackTraceElement}. In nanoseconds per capture, called from the benchmark method (a stack
 * of about a dozen JMH frames). {@link #poolTrackLazyCallSite} is what an allocation pays now: the
 * stack kept under the block's address and dropped at its free, found as a site only when read;
 * {@link #poolTrackCallSite} is the walk that unique tags and special pool still make.
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

    /** One pool's call sites, with the stacks kept for its blocks. */
    @State(Scope.Thread)
    public static class Sites {
        final CallSites sites = new CallSites();
    }

    /** PoolTrack's call site capture: the first frame outside the core, as a CallSite. */
    @Benchmark
    public Object poolTrackCallSite() {
        return CallSites.callerOutsidePoolTrack();
    }

    /** PoolTrack's capture per allocation: the stack kept for a block, then dropped at its free. */
    @Benchmark
    public int poolTrackLazyCallSite(Sites s) {
        int id = s.sites.captureLazily(0x7f00_0000_1000L);
        s.sites.forget(0x7f00_0000_1000L);
        return id;
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
