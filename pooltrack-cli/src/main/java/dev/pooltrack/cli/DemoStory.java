package dev.pooltrack.cli;

import dev.pooltrack.BugCheck;
import dev.pooltrack.CallSite;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.PoolTagFile;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.Response;
import dev.pooltrack.Tag;
import dev.pooltrack.TagUsage;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.Violation;
import dev.pooltrack.examples.NetworkDriver;
import dev.pooltrack.examples.SampleWorkload;
import dev.pooltrack.examples.StorageDriver;
import dev.pooltrack.report.AnalyzeReport;
import dev.pooltrack.report.Json;
import dev.pooltrack.report.PoolUsedReport;
import dev.pooltrack.report.VerifierReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The story {@code pooltrack demo} tells: Driver Verifier's Pool Tracking catches {@code
 * storage-plugin} leaking at unload, {@code !verifier 3} lists what it left, and, as in Part 4 of
 * "Troubleshooting Pool Leaks", a tag of its own for each call site of {@code Leak} shows which one
 * leaks.
 *
 * <p>{@link #run} runs the sample drivers on real pools and keeps, for each step, a heading naming
 * the Windows counterpart, the text, and the JSON. Every number in them comes from the engine and
 * the report classes. Not thread-safe; each run uses pools of its own.
 */
final class DemoStory {

    /* The flow of NTDebugging's series (reference §7): Pool Tracking on for the suspects (Part 6),
     * the top tag by NonPaged bytes (Part 3), the leak at unload and its allocations (bug check
     * 0xC4/0x62, !verifier 3), then one tag per call site and the tag that grows (Part 4). The
     * response is LOG so the story goes on after the violation; the logged warning goes to stderr. */

    /** One step of the story. */
    record Step(String key, String heading, String text, Object json) {}

    private static final int TOP = 5;
    private static final String STORAGE = StorageDriver.NAME;
    private static final String NETWORK = NetworkDriver.NAME;

    private final int requests;
    private final Function<Tag, String> describe;
    private final List<Step> steps = new ArrayList<>();

    private DemoStory(int requests) {
        this.requests = requests;
        PoolTagFile pooltag = PoolTagFile.bundled();
        this.describe = tag -> {
            PoolTagFile.Entry e = pooltag.lookup(tag);
            return e != null ? e.poolusedText() : PoolTagFile.unknownText(tag);
        };
    }

    /**
     * Runs the story with {@code requests} requests through each plugin per round.
     *
     * @throws IllegalArgumentException if {@code requests} is negative
     */
    static DemoStory run(int requests) {
        if (requests < 0) {
            throw new IllegalArgumentException("bad request count " + requests + ": it must not be negative");
        }
        DemoStory story = new DemoStory(requests);
        VerifierSettings settings = story.verifierFlags();
        story.poolTracking(settings);
        story.uniqueTags(settings.withUniqueTags(Set.of(StorageDriver.LEAK)));
        return story;
    }

    /** The steps, in order. */
    List<Step> steps() {
        return List.copyOf(steps);
    }

    /** The whole story as text: each step's heading, then its text. */
    String text() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (i > 0) {
                out.append('\n');
            }
            out.append("== ").append(i + 1).append('/').append(steps.size()).append("  ");
            out.append(s.heading()).append("\n\n");
            out.append(s.text());
            if (!s.text().endsWith("\n")) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** The whole story as one JSON document: the request count and each step's JSON under its key. */
    String json() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("requests", (long) requests);
        for (Step s : steps) {
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("heading", s.heading());
            step.put("data", s.json());
            doc.put(s.key(), step);
        }
        return Json.write(doc);
    }

    // ---------------------------------------------------------------- 1. verifier /flags 0x8

    private VerifierSettings verifierFlags() {
        VerifierSettings settings = VerifierSettings.poolTracking(STORAGE, NETWORK)
                .withResponse(Response.LOG)
                .withCallSites(true);
        steps.add(new Step(
                "settings",
                "verifier /flags 0x8 /driver " + STORAGE + " " + NETWORK + "  (Pool Tracking for both plugins)",
                NewVerifierSettings.text(settings)
                        + "\nThe settings apply to the pool created now (Windows applies them after a reboot).\n",
                NewVerifierSettings.json(settings)));
        return settings;
    }

    // ---------------------------------------------------------------- 2-4. the leak at unload

    private void poolTracking(VerifierSettings settings) {
        PoolTrack pool = PoolTrack.create(settings);
        SampleWorkload workload = SampleWorkload.load(pool);
        workload.run(requests);

        PoolSnapshot loaded = pool.snapshot();
        TagUsage top = loaded.tags().stream()
                .max(Comparator.comparingLong(TagUsage::nonPagedBytes))
                .orElse(TagUsage.empty(StorageDriver.LEAK));
        steps.add(new Step(
                "poolused",
                "!poolused /t5 2  (the top " + TOP + " tags by NonPaged bytes, plugins loaded)",
                String.format(
                                "%s served %d read requests, %s received %d packets.\n\n",
                                STORAGE,
                                workload.storage().requests(),
                                NETWORK,
                                workload.network().packets())
                        + PoolUsedReport.text(loaded, describe, PoolUsedReport.SORT_BY_NONPAGED, TOP)
                        + String.format(
                                "\nTop tag: %s, %d allocations and %d bytes outstanding. Which driver holds them?\n",
                                top.tag(), top.nonPagedOutstanding(), top.nonPagedBytes()),
                Json.parse(PoolUsedReport.json(loaded, describe, PoolUsedReport.SORT_BY_NONPAGED, TOP))));

        int before = pool.violations().size();
        workload.storage().close();
        Violation leak = pool.violations().stream()
                .skip(before)
                .filter(v -> STORAGE.equals(v.driver()) && isLeakAtUnload(v))
                .reduce((a, b) -> b)
                .orElse(null);
        int beforeNetwork = pool.violations().size();
        workload.network().close();
        String network = unloadLine(pool, NETWORK, beforeNetwork);
        Map<String, Object> analyze = new LinkedHashMap<>();
        analyze.put("violation", leak == null ? null : Json.parse(AnalyzeReport.json(leak)));
        analyze.put("networkUnload", network);
        steps.add(new Step(
                "analyze",
                "bug check 0xC4/0x62 at unload, !analyze -v  (" + STORAGE + " unloads; the response is LOG)",
                (leak == null
                                ? STORAGE + " unloaded with nothing outstanding: no violation.\n"
                                : AnalyzeReport.text(leak))
                        + "\n" + network + "\n",
                analyze));

        List<OutstandingAllocation> left = pool.outstanding(STORAGE);
        PoolSnapshot unloaded = pool.snapshot();
        steps.add(new Step(
                "verifier3",
                "!verifier 3 " + STORAGE + "  (what it left behind, with the call sites that allocated it)",
                VerifierReport.text(unloaded, STORAGE, left),
                Json.parse(VerifierReport.json(unloaded, STORAGE, left))));
    }

    // ---------------------------------------------------------------- 5-6. Part 4: unique tags

    private void uniqueTags(VerifierSettings settings) {
        PoolTrack pool = PoolTrack.create(settings);
        SampleWorkload workload = SampleWorkload.load(pool);
        workload.run(requests);
        PoolSnapshot first = pool.snapshot();
        workload.run(requests);
        PoolSnapshot second = pool.snapshot();
        Map<Tag, CallSite> sites = pool.uniqueTagMap();

        StringBuilder map = new StringBuilder();
        List<Object> mapJson = new ArrayList<>();
        map.append(String.format(
                "A fresh pool, with the settings of step 1 plus unique tags per call site for %s.\n"
                        + "The plugins serve %d requests (snapshot 1), then %d more (snapshot 2).\n\n"
                        + "PoolTrack gave each call site a tag of its own as it first allocated:\n\n",
                String.join(
                        " ",
                        settings.uniqueTags().stream()
                                .sorted()
                                .map(Tag::toString)
                                .toList()),
                requests,
                requests));
        sites.forEach((tag, site) -> {
            map.append("  ").append(tag).append(" -> ").append(site).append('\n');
            mapJson.add(siteJson(tag, site));
        });
        if (sites.isEmpty()) {
            map.append("  (no call site allocated with Leak)\n");
        }
        Map<String, Object> mapStep = new LinkedHashMap<>();
        mapStep.put("settings", NewVerifierSettings.json(settings));
        mapStep.put("uniqueTags", mapJson);
        steps.add(new Step(
                "uniqueTags",
                "Part 4: eb <call site>+3 31, 32, ...  (a tag of its own for each call site of Leak)",
                map.toString(),
                mapStep));

        List<TagUsage> growth = second.tagsMinus(first).stream()
                .filter(DemoStory::changed)
                .sorted(Comparator.comparingLong(TagUsage::nonPagedBytes)
                        .reversed()
                        .thenComparing(TagUsage::tag))
                .toList();
        List<Tag> leaking = sites.keySet().stream()
                .filter(tag -> outstanding(second.tag(tag)) > 0 && outstanding(growthOf(growth, tag)) > 0)
                .toList();

        StringBuilder text = new StringBuilder();
        text.append(String.format("Snapshot 1, after %d requests:\n\n", requests));
        text.append(PoolUsedReport.text(first, describe, PoolUsedReport.SORT_BY_NONPAGED, TOP));
        text.append(String.format("\nSnapshot 2, after %d more:\n\n", requests));
        text.append(PoolUsedReport.text(second, describe, PoolUsedReport.SORT_BY_NONPAGED, TOP));
        text.append(String.format("\nGrowth from snapshot 1 to snapshot 2 (snapshot2.tagsMinus(snapshot1)):\n\n"));
        text.append(growthTable(growth, sites));
        text.append('\n').append(verdict(leaking, sites, second, growth)).append('\n');

        int before = pool.violations().size();
        workload.network().close();
        String network = unloadLine(pool, NETWORK, before);
        before = pool.violations().size();
        workload.storage().close();
        String storage = unloadLine(pool, STORAGE, before);
        text.append('\n').append(network).append('\n').append(storage).append('\n');

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("poolused1", Json.parse(PoolUsedReport.json(first, describe, PoolUsedReport.SORT_BY_NONPAGED, TOP)));
        json.put("poolused2", Json.parse(PoolUsedReport.json(second, describe, PoolUsedReport.SORT_BY_NONPAGED, TOP)));
        List<Object> growthJson = new ArrayList<>();
        for (TagUsage g : growth) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("tag", g.tag().toString());
            row.put("nonPagedAllocs", g.nonPagedAllocs());
            row.put("nonPagedFrees", g.nonPagedFrees());
            row.put("nonPagedOutstanding", g.nonPagedOutstanding());
            row.put("nonPagedBytes", g.nonPagedBytes());
            row.put("pagedAllocs", g.pagedAllocs());
            row.put("pagedFrees", g.pagedFrees());
            row.put("pagedBytes", g.pagedBytes());
            row.put("callSite", sites.containsKey(g.tag()) ? sites.get(g.tag()).toString() : null);
            growthJson.add(row);
        }
        json.put("growth", growthJson);
        List<Object> leakingJson = new ArrayList<>();
        for (Tag tag : leaking) {
            Map<String, Object> row = siteJson(tag, sites.get(tag));
            row.put("outstanding", outstanding(second.tag(tag)));
            row.put("bytes", second.tag(tag).nonPagedBytes() + second.tag(tag).pagedBytes());
            leakingJson.add(row);
        }
        json.put("leaking", leakingJson);
        json.put("networkUnload", network);
        json.put("storageUnload", storage);
        steps.add(new Step("growth", "!poolused /t5 2, twice  (which unique tag grows?)", text.toString(), json));
    }

    private static String verdict(
            List<Tag> leaking, Map<Tag, CallSite> sites, PoolSnapshot second, List<TagUsage> growth) {
        if (leaking.isEmpty()) {
            return "No unique tag grows: no call site of Leak kept memory between the snapshots.";
        }
        List<String> lines = new ArrayList<>();
        for (Tag tag : leaking) {
            TagUsage now = second.tag(tag);
            TagUsage grew = growthOf(growth, tag);
            lines.add(String.format(
                    "%s grows (+%d allocations, +%d bytes; %d allocations, %d bytes outstanding): the leak is at %s",
                    tag,
                    outstanding(grew),
                    grew.nonPagedBytes() + grew.pagedBytes(),
                    outstanding(now),
                    now.nonPagedBytes() + now.pagedBytes(),
                    sites.get(tag)));
        }
        return String.join("\n", lines);
    }

    private static String growthTable(List<TagUsage> growth, Map<Tag, CallSite> sites) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(" %-4s %9s %9s %9s %12s\n", "Tag", "Allocs", "Frees", "Diff", "Bytes"));
        for (TagUsage g : growth) {
            CallSite site = sites.get(g.tag());
            out.append(String.format(
                    " %s %9d %9d %9d %12d%s\n",
                    g.tag().text(),
                    g.nonPagedAllocs() + g.pagedAllocs(),
                    g.nonPagedFrees() + g.pagedFrees(),
                    outstanding(g),
                    g.nonPagedBytes() + g.pagedBytes(),
                    site == null ? "" : "  " + site.symbol()));
        }
        if (growth.isEmpty()) {
            out.append(" (no tag changed)\n");
        }
        return out.toString();
    }

    private static String unloadLine(PoolTrack pool, String driver, int violationsBefore) {
        List<Violation> raised = pool.violations().stream()
                .skip(violationsBefore)
                .filter(v -> driver.equals(v.driver()))
                .toList();
        long outstanding = pool.snapshot().driver(driver).currentAllocations();
        if (raised.isEmpty()) {
            return String.format("%s unloaded: %d allocations outstanding, no violation.", driver, outstanding);
        }
        Violation v = raised.getLast();
        List<String> tags = v.leaked().stream()
                .map(a -> a.tag().toString())
                .distinct()
                .sorted()
                .toList();
        return String.format(
                "%s unloaded: %s (%s), %d allocations outstanding%s.",
                driver, v.bucket(), v.name(), outstanding, tags.isEmpty() ? "" : ", tagged " + String.join(", ", tags));
    }

    private static boolean isLeakAtUnload(Violation v) {
        return v.code() == BugCheck.DRIVER_VERIFIER_DETECTED_VIOLATION
                && v.subcode() == BugCheck.UNLOAD_WITH_OUTSTANDING_ALLOCATIONS;
    }

    private static boolean changed(TagUsage g) {
        return g.nonPagedAllocs() != 0
                || g.nonPagedFrees() != 0
                || g.nonPagedBytes() != 0
                || g.pagedAllocs() != 0
                || g.pagedFrees() != 0
                || g.pagedBytes() != 0;
    }

    private static long outstanding(TagUsage t) {
        return t.nonPagedOutstanding() + t.pagedOutstanding();
    }

    private static TagUsage growthOf(List<TagUsage> growth, Tag tag) {
        return growth.stream().filter(g -> g.tag().equals(tag)).findFirst().orElse(TagUsage.empty(tag));
    }

    private static Map<String, Object> siteJson(Tag tag, CallSite site) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("tag", tag.toString());
        row.put("tagValue", tag.hex());
        row.put("callSite", site.toString());
        row.put("class", site.className());
        row.put("method", site.methodName());
        row.put("file", site.fileName());
        row.put("line", (long) site.line());
        return row;
    }
}
