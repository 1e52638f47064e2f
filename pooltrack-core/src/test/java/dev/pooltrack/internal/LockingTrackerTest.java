package dev.pooltrack.internal;

class LockingTrackerTest extends TrackerContractTest {

    @Override
    Tracker newTracker() {
        return new LockingTracker();
    }
}
