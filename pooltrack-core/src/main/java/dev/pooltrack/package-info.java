/**
 * PoolTrack's API: Driver Verifier Pool Tracking for native memory on the JVM.
 *
 * <p>Tags, pool types, drivers and their allocate/free calls ({@link dev.pooltrack.Driver}), the
 * pool with its settings, records and violations ({@link dev.pooltrack.PoolTrack}), immutable
 * snapshots of the counters, and pooltag.txt. Reports in the Windows layouts are in {@code
 * dev.pooltrack.report}. The engine in {@code dev.pooltrack.internal} is not API: it may change
 * in any release.
 *
 * <p>The jar is the automatic module {@code dev.pooltrack.core}. It has no module descriptor because
 * the build must run with any JDK from 17 up starting Maven (the toolchain compiles for 25), and the
 * jar tool of an older JDK cannot write a descriptor of Java 25 classes.
 */
package dev.pooltrack;
