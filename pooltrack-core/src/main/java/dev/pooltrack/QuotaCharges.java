package dev.pooltrack;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The blocks allocated with quota and the tenant each is charged to, so that freeing a block
 * returns its charge. Thread-safe.
 */
final class QuotaCharges {

    /* Windows keeps the charged process in the pool header (ProcessBilled, reference §8.2). PoolTrack's
     * 16-byte header has no room for a reference, so the header only carries a "charged" bit and the
     * tenant sits here by address; frees of blocks without the bit never look here. */

    private record Charge(Tenant tenant, long bytes) {}

    private final Map<Long, Charge> byAddress = new ConcurrentHashMap<>();

    void record(long address, Tenant tenant, long bytes) {
        byAddress.put(address, new Charge(tenant, bytes));
    }

    void returnCharge(long address) {
        Charge c = byAddress.remove(address);
        if (c != null) {
            c.tenant().returnCharge(c.bytes());
        }
    }
}
