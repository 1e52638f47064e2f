package dev.pooltrack.cli.source;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The JVMs on this machine that this user can attach to, as {@code jcmd} lists them. Thread-safe
 * (stateless).
 */
public final class Jvms {

    /* The list comes from the Attach API (VirtualMachine.list), which reads the JVMs' performance
     * data files (/tmp/hsperfdata_<user>/<pid>): it attaches to nothing, so listing stays fast and
     * leaves the JVMs alone. A user sees their own JVMs (root sees all); a JVM started with
     * -XX:-UsePerfData is missing, as it is from jcmd. Whether a JVM has PoolTrack is only known
     * by attaching and reading its system properties, so that is a separate, explicit step (probe). */

    /** A JVM: its pid, and what it runs (the main class or jar and its arguments, as {@code jcmd} shows). */
    public record Jvm(long pid, String displayName) {

        /** The main class or jar alone: the display name up to the first space. */
        public String mainClass() {
            int space = displayName.indexOf(' ');
            return space < 0 ? displayName : displayName.substring(0, space);
        }
    }

    /** Whether a JVM runs PoolTrack, as found by attaching to it. */
    public enum PoolTrackState {
        /** The JVM's pool MBean is registered. */
        PRESENT,
        /** The JVM answered, and has no PoolTrack MBean. */
        ABSENT,
        /** The JVM could not be asked (attach refused, it exited, ...). */
        UNKNOWN
    }

    /**
     * What {@link #probe} found.
     *
     * @param jvm the JVM
     * @param state whether it runs PoolTrack
     * @param detail the PoolTrack version when present, else why not, for the user
     */
    public record Probe(Jvm jvm, PoolTrackState state, String detail) {}

    private Jvms() {}

    /** The JVMs this user can attach to, by pid, without the JVM running this code. */
    public static List<Jvm> list() {
        long self = ProcessHandle.current().pid();
        List<Jvm> jvms = new ArrayList<>();
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            long pid;
            try {
                pid = Long.parseLong(d.id());
            } catch (NumberFormatException e) {
                continue; // not a pid: an attach provider of another kind
            }
            if (pid != self) {
                String name = d.displayName();
                jvms.add(new Jvm(pid, name == null || name.equals(d.id()) ? "" : name.strip()));
            }
        }
        jvms.sort(Comparator.comparingLong(Jvm::pid));
        return List.copyOf(jvms);
    }

    /** The listed JVM with that pid, if any. */
    public static Optional<Jvm> find(long pid) {
        return list().stream().filter(j -> j.pid() == pid).findFirst();
    }

    /**
     * Attaches to the JVM and reads whether PoolTrack runs in it from its system properties. This
     * starts nothing in the JVM and connects to nothing.
     */
    public static Probe probe(Jvm jvm) {
        try {
            return new Probe(jvm, PoolTrackState.PRESENT, "PoolTrack " + JvmConnection.poolTrackVersion(jvm.pid()));
        } catch (JvmPoolSource.NoPoolTrackException e) {
            return new Probe(jvm, PoolTrackState.ABSENT, e.getMessage());
        } catch (SourceException e) {
            return new Probe(jvm, PoolTrackState.UNKNOWN, e.getMessage());
        }
    }

    /**
     * The JVMs as lines for a message, {@code "  4242 com.example.Main --port 80"}, or a line saying
     * there are none.
     */
    public static String listing(List<Jvm> jvms) {
        if (jvms.isEmpty()) {
            return "  (none: no JVM of this user is running, or they run with -XX:-UsePerfData)";
        }
        StringBuilder out = new StringBuilder();
        for (Jvm j : jvms) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(String.format("  %d %s", j.pid(), j.displayName()).stripTrailing());
        }
        return out.toString();
    }
}
