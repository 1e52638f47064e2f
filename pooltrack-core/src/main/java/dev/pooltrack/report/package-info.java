/**
 * Reports in the Windows layouts ({@code !poolused}, PoolMon, {@code !verifier 3}, {@code verifier
 * /query}, {@code !analyze}) and as JSON, each read from immutable snapshots.
 */
package dev.pooltrack.report;
