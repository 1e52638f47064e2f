/**
 * PoolTrack for JUnit Jupiter: {@link dev.pooltrack.junit.PoolTracked} runs each test as a driver
 * verified with Pool Tracking, and fails a test that ends with allocations it has not freed, with the
 * {@code !analyze} text of bug check 0xC4/0x62 and the {@code !verifier 3} listing of exactly that
 * test's leaked allocations and their call sites.
 *
 * <p>The jar is the automatic module {@code dev.pooltrack.junit}. Everything but the annotation and
 * {@link dev.pooltrack.junit.PoolTrackExtension} is package-private.
 */
package dev.pooltrack.junit;
