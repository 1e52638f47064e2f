/**
 * PoolTrack's sample drivers: small plugins that allocate native memory through PoolTrack the way a
 * real plugin would, one of them with a leak. {@code pooltrack demo} runs them.
 *
 * <p>The jar is the automatic module {@code dev.pooltrack.examples}, without a descriptor for the
 * same reason as core's.
 */
package dev.pooltrack.examples;
