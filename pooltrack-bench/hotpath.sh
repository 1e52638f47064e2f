#!/bin/bash
# The hot-path figures of README "Benchmarks", one JMH run after the other on one build:
# AllocFreeBenchmark at 1 and 2 threads (with -prof gc), the PeerBenchmark rows rawMalloc,
# poolTrackOff and poolTrackNoCallSites, and TrackedChurnBenchmark at 1 and 2 threads, each with
# the raw baseline of its own run. Raw output: pooltrack-bench/results/hotpath-LABEL-*.txt, and the
# load average before and after in hotpath-LABEL-load.txt.
#
# From the repository root, after building the jar:
#   ./mvnw -B -q -ntp -pl pooltrack-bench -am package -DskipTests
#   pooltrack-bench/hotpath.sh 2026-11-22-quiet
# JMH_HOST_FLAGS adds flags to the JMH host JVM (for example -Djmh.ignoreLock=true when the runs
# are serialised by an outer lock). Runs about six minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
label=${1:?usage: pooltrack-bench/hotpath.sh LABEL, for example 2026-11-22-quiet}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jar=${JAR:-pooltrack-bench/target/benchmarks.jar}
if [ ! -f "$jar" ]; then
    echo "hotpath.sh: $jar not found: build it first (./mvnw -B -q -ntp -pl pooltrack-bench -am package -DskipTests)" >&2
    exit 2
fi
na="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
out=pooltrack-bench/results
jmh() {
    local name=$1
    shift
    # shellcheck disable=SC2086 # the flag lists are meant to split
    "$java" $na ${JMH_HOST_FLAGS:-} -jar "$jar" "$@" -f 1 -wi 3 -w 1s -i 5 -r 1s -jvmArgsAppend "$na" \
        > "$out/hotpath-$label-$name.txt.tmp" 2>&1
    mv "$out/hotpath-$label-$name.txt.tmp" "$out/hotpath-$label-$name.txt"
}
uptime > "$out/hotpath-$label-load.txt"
for t in 1 2; do
    jmh alloc-free-t$t AllocFree -t $t -prof gc
done
jmh peer 'PeerBenchmark.(rawMalloc|poolTrackOff|poolTrackNoCallSites)$' -t 1
for t in 1 2; do
    jmh churn-t$t 'TrackedChurn|AllocFreeBenchmark.raw$' -t $t
done
uptime >> "$out/hotpath-$label-load.txt"
grep -h -A20 '^Benchmark' "$out"/hotpath-"$label"-*.txt | grep -v ':gc\.' | grep -v '^Benchmark'
