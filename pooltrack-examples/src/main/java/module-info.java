/**
 * PoolTrack's sample drivers: small plugins that allocate native memory through PoolTrack the way a
 * real plugin would, one of them with a leak. The {@code pooltrack demo} command runs them.
 */
module dev.pooltrack.examples {
    requires transitive dev.pooltrack.core;

    exports dev.pooltrack.examples;
}
