package dev.pooltrack.cli.source;

import dev.pooltrack.DriverCounters;
import dev.pooltrack.OutstandingAllocation;
import dev.pooltrack.PoolSnapshot;
import dev.pooltrack.SettingsFile;
import dev.pooltrack.VerifierSettings;
import dev.pooltrack.Violation;
import dev.pooltrack.report.BugCheckReportFile;
import dev.pooltrack.report.BugCheckReportFileException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The pool as a bug check report file recorded it when the {@code crash} response halted its JVM:
 * the counterpart of opening a crash dump in the debugger. Read-only: the changing methods throw
 * {@link UnsupportedOperationException}. Immutable and thread-safe once opened.
 */
public final class ReportFileSource implements PoolSource {

    private final Path file;
    private final BugCheckReportFile.Report report;
    private final PoolSnapshot snapshot;
    private final List<OutstandingAllocation> outstanding;
    private final Violation violation;

    private ReportFileSource(Path file, BugCheckReportFile.Report report) {
        this.file = file;
        this.report = report;
        this.snapshot = report.snapshot();
        this.outstanding = report.outstanding();
        this.violation = report.violation();
    }

    /**
     * Reads the whole report file; nothing is read from it afterwards.
     *
     * @throws SourceException if the file is missing, unreadable, truncated, damaged or not a
     *     PoolTrack report; the message names the file and the problem
     */
    public static ReportFileSource open(Path file) {
        try {
            return new ReportFileSource(file, BugCheckReportFile.read(file));
        } catch (NoSuchFileException e) {
            throw new SourceException("no such report file: " + file, e);
        } catch (AccessDeniedException e) {
            throw new SourceException("cannot read report file " + file + ": permission denied", e);
        } catch (BugCheckReportFileException e) {
            throw new SourceException(e.getMessage(), e);
        } catch (IOException e) {
            throw new SourceException("cannot read report file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The report as read. */
    public BugCheckReportFile.Report report() {
        return report;
    }

    @Override
    public String describe() {
        return "bug check report " + file + " (JVM " + report.pid() + ")";
    }

    @Override
    public PoolSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public List<OutstandingAllocation> outstanding(String driver, int limit) {
        if (driver != null
                && snapshot.driver(driver) == null
                && outstanding.stream().noneMatch(a -> a.driver().equals(driver))) {
            throw new IllegalArgumentException("unknown driver '" + driver + "': the drivers in " + file + " are "
                    + snapshot.drivers().stream().map(DriverCounters::name).toList());
        }
        List<OutstandingAllocation> rows = outstanding.stream()
                .filter(a -> driver == null || a.driver().equals(driver))
                .toList();
        if (limit <= 0 || rows.size() <= limit) {
            return rows.stream()
                    .sorted(Comparator.comparingLong(OutstandingAllocation::address))
                    .toList();
        }
        return rows.stream()
                .sorted(Comparator.comparingLong(OutstandingAllocation::length).reversed())
                .limit(limit)
                .sorted(Comparator.comparingLong(OutstandingAllocation::address))
                .toList();
    }

    @Override
    public List<Violation> violations() {
        return List.of(violation);
    }

    /**
     * The settings the report shows: its verifier level and the drivers verified at the time. The
     * report does not keep the rest (response, call sites, unique tags), which read as the defaults.
     */
    @Override
    public String settingsText() {
        Set<String> verified = new LinkedHashSet<>();
        for (DriverCounters d : snapshot.drivers()) {
            if (d.verified()) {
                verified.add(d.name());
            }
        }
        VerifierSettings s;
        try {
            s = VerifierSettings.none().withFlags(snapshot.level()).withDrivers(verified);
        } catch (IllegalArgumentException e) {
            return String.format("# flags 0x%X of %s: %s%n", snapshot.level(), file, e.getMessage());
        }
        return "# the verifier level and verified drivers recorded in " + file + "\n" + SettingsFile.format(s);
    }

    @Override
    public void setVolatileFlags(int flags) {
        throw readOnly();
    }

    @Override
    public void addDriver(String name) {
        throw readOnly();
    }

    @Override
    public void removeDriver(String name) {
        throw readOnly();
    }

    @Override
    public void setResponse(String response) {
        throw readOnly();
    }

    @Override
    public void close() {}

    private UnsupportedOperationException readOnly() {
        return new UnsupportedOperationException(file + " is a bug check report file, a record of a JVM that has"
                + " halted: it cannot be changed. /volatile changes a running JVM: give its pid");
    }
}
