package dev.pooltrack.cli;

import dev.pooltrack.DriverCounters;
import dev.pooltrack.PoolTrack;
import dev.pooltrack.QuotaExceededException;
import dev.pooltrack.Response;
import dev.pooltrack.Tenant;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.Violation;
import dev.pooltrack.examples.DiskDriver;
import dev.pooltrack.examples.FilterDriver;
import dev.pooltrack.report.AnalyzeReport;
import dev.pooltrack.report.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pooltrack demo lockedpages} and {@code pooltrack demo quota}: a sample driver breaks a
 * Pool Tracking rule about locked pages or pool quota, and PoolTrack catches it. Each story runs in
 * a fresh pool of this JVM with the LOG response and prints what the engine and the report classes
 * say. Stateless between runs.
 */
final class DemoChecks {

    private DemoChecks() {}

    /** A story's steps: heading, text and the data behind the text. */
    private static final class Story {
        private final List<String[]> steps = new ArrayList<>();
        private final Map<String, Object> json = new LinkedHashMap<>();

        void step(String key, String heading, String text, Object data) {
            steps.add(new String[] {heading, text});
            Map<String, Object> step = new LinkedHashMap<>();
            step.put("heading", heading);
            step.put("data", data);
            json.put(key, step);
        }

        void print(PrintWriter out, boolean asJson) {
            if (asJson) {
                out.println(Json.write(json));
            } else {
                for (int i = 0; i < steps.size(); i++) {
                    out.append(i > 0 ? "\n" : "")
                            .append("== ")
                            .append(String.valueOf(i + 1))
                            .append('/')
                            .append(String.valueOf(steps.size()))
                            .append("  ")
                            .append(steps.get(i)[0])
                            .append("\n\n")
                            .append(steps.get(i)[1]);
                }
            }
            out.flush();
        }
    }

    private static PoolTrack pool(String driver, List<Violation> caught) {
        PoolTrack pool = PoolTrack.create(VerifierSettings.poolTracking(driver).withResponse(Response.LOG));
        pool.onViolation(caught::add);
        return pool;
    }

    private static String analysis(List<Violation> violations) {
        StringBuilder out = new StringBuilder();
        for (Violation v : violations) {
            out.append(AnalyzeReport.text(v));
        }
        return out.toString();
    }

    private static List<Object> analysisJson(List<Violation> violations) {
        List<Object> out = new ArrayList<>();
        for (Violation v : violations) {
            out.add(Json.parse(AnalyzeReport.json(v)));
        }
        return out;
    }

    /** This JVM's VmLck in kB, as the kernel counts locked memory. */
    static long vmLckKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("VmLck:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static String lockedLines(DriverCounters d, long vmLck) {
        return "LockedPages: " + d.lockedPages() + "\nLockedBytes: " + d.lockedBytes() + "\nPeakLockedBytes: "
                + d.peakLockedBytes() + "\n(VmLck of this JVM in /proc/self/status: " + vmLck + " kB)\n";
    }

    private static Map<String, Object> lockedJson(DriverCounters d, long vmLck) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lockedPages", d.lockedPages());
        m.put("lockedBytes", d.lockedBytes());
        m.put("peakLockedBytes", d.peakLockedBytes());
        m.put("vmLckKb", vmLck);
        return m;
    }

    @Command(
            name = "lockedpages",
            mixinStandardHelpOptions = true,
            header = "A driver leaves pages locked: 0xCB at request completion and at unload.",
            description = {
                "In a fresh pool inside this JVM:",
                "  1. verifier /flags 0x8 /driver " + DiskDriver.NAME,
                "  2. it pins a metadata page and reads two blocks, locking each buffer (mlock) for the transfer",
                "  3. a third read fails; its error path returns with the pages locked: 0xCB when the request"
                        + " completes",
                "  4. the driver unloads with its metadata page locked: 0xCB again",
                "  5. the pages are unlocked; verifier /query's locked page counters and VmLck show it"
            })
    static final class LockedPagesCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON document instead of text.")
        boolean json;

        @Override
        public Integer call() {
            List<Violation> caught = new CopyOnWriteArrayList<>();
            PoolTrack pool = pool(DiskDriver.NAME, caught);
            Story story = new Story();
            VerifierSettings settings = pool.settings();
            story.step(
                    "settings",
                    "verifier /flags 0x8 /driver " + DiskDriver.NAME,
                    NewVerifierSettings.text(settings),
                    NewVerifierSettings.json(settings));

            long vmBefore = vmLckKb();
            DiskDriver disk = new DiskDriver(pool);
            disk.pinMetadata();
            disk.read(1, false);
            disk.read(2, false);
            DriverCounters d = pool.snapshot().driver(DiskDriver.NAME);
            long vmPinned = vmLckKb();
            story.step(
                    "reads",
                    DiskDriver.NAME + " pins a metadata page and reads blocks 1 and 2 (verifier /query, locked pages)",
                    lockedLines(d, vmPinned) + "Before the driver loaded VmLck was " + vmBefore + " kB.\n",
                    lockedJson(d, vmPinned));

            disk.read(3, true);
            List<Violation> atCompletion = List.copyOf(caught);
            story.step(
                    "completion",
                    "block 3's read fails and returns with its pages locked: the request completes, bug check 0xCB",
                    analysis(atCompletion),
                    analysisJson(atCompletion));

            caught.clear();
            disk.close();
            List<Violation> atUnload = List.copyOf(caught);
            story.step(
                    "unload",
                    DiskDriver.NAME + " unloads with its metadata page locked: bug check 0xCB",
                    analysis(atUnload),
                    analysisJson(atUnload));

            d = pool.snapshot().driver(DiskDriver.NAME);
            long vmAfter = vmLckKb();
            story.step(
                    "after",
                    "PoolTrack unlocked what was left (verifier /query, locked pages)",
                    lockedLines(d, vmAfter),
                    lockedJson(d, vmAfter));
            story.print(spec.commandLine().getOut(), json);
            return ExitStatus.SUCCESS;
        }
    }

    @Command(
            name = "quota",
            mixinStandardHelpOptions = true,
            header = "A driver charges pool quota: the quota limit, then 0xC4/0x10B from a DPC and 0x10A with no"
                    + " tenant.",
            description = {
                "In a fresh pool inside this JVM:",
                "  1. verifier /flags 0x8 /driver " + FilterDriver.NAME,
                "  2. tenant-a (16 KiB of quota) sends packets; each copy is charged to it: the fifth raises"
                        + " STATUS_QUOTA_EXCEEDED",
                "  3. the driver's completion routine charges quota on a DPC queue thread: 0xC4/0x10B",
                "  4. its timer charges quota on a thread with no tenant: 0xC4/0x10A"
            })
    static final class QuotaCommand implements Callable<Integer> {
        private static final long QUOTA = 16 * 1024;
        private static final int PACKET = 4096;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print one JSON document instead of text.")
        boolean json;

        @Override
        public Integer call() throws InterruptedException {
            List<Violation> caught = new CopyOnWriteArrayList<>();
            PoolTrack pool = pool(FilterDriver.NAME, caught);
            Story story = new Story();
            story.step(
                    "settings",
                    "verifier /flags 0x8 /driver " + FilterDriver.NAME,
                    NewVerifierSettings.text(pool.settings()),
                    NewVerifierSettings.json(pool.settings()));

            FilterDriver filter = new FilterDriver(pool);
            Tenant tenant = Tenant.of("tenant-a", QUOTA);
            List<MemorySegment> held = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            List<Object> packets = new ArrayList<>();
            tenant.run(() -> {
                for (int i = 1; i <= 5; i++) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("packet", (long) i);
                    try {
                        held.add(filter.copyPacket(PACKET));
                        text.append(String.format(
                                "packet %d: %d bytes charged to %s, %d of %d bytes used%n",
                                i, PACKET, tenant.name(), tenant.quotaUsage(), tenant.quotaBytes()));
                        p.put("charged", tenant.quotaUsage());
                    } catch (QuotaExceededException e) {
                        text.append(String.format("packet %d: %s%n", i, e.getMessage()));
                        p.put("status", String.format("0x%08X", e.status()));
                        p.put("message", e.getMessage());
                    }
                    packets.add(p);
                }
            });
            held.forEach(filter::release);
            text.append(String.format(
                    "the copies are freed: %s has %d bytes charged (peak %d)%n",
                    tenant.name(), tenant.quotaUsage(), tenant.peakQuotaUsage()));
            story.step(
                    "quota",
                    "tenant-a sends five packets of " + PACKET + " bytes with a quota of " + QUOTA + " bytes",
                    text.toString(),
                    packets);

            filter.completeFromDpc();
            story.step(
                    "dpc",
                    "the completion routine runs as a DPC and charges quota there: bug check 0xC4/0x10B",
                    analysis(caught),
                    analysisJson(caught));

            caught.clear();
            filter.tickWithoutTenant();
            story.step(
                    "idle",
                    "the timer thread charges quota with no tenant bound: bug check 0xC4/0x10A",
                    analysis(caught),
                    analysisJson(caught));
            filter.close();
            story.print(spec.commandLine().getOut(), json);
            return ExitStatus.SUCCESS;
        }
    }
}
