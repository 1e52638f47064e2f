/**
 * The agent's JFR events: {@code dev.pooltrack.Allocation} and {@code dev.pooltrack.Free} with their
 * stacks, and the periodic {@code dev.pooltrack.TagUsage}. Public because JFR reads events by
 * reflection; applications have no reason to use them.
 */
package dev.pooltrack.agent.jfr;
