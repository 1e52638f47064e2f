/**
 * PoolTrack core: Driver Verifier Pool Tracking for native memory on the JVM.
 *
 * <p>{@code dev.pooltrack} is the API (tags, drivers, allocation, settings, violations, snapshots);
 * {@code dev.pooltrack.report} formats snapshots in the Windows layouts and as JSON. The engine in
 * {@code dev.pooltrack.internal} is not exported.
 */
module dev.pooltrack.core {
    exports dev.pooltrack;
    exports dev.pooltrack.report;
}
