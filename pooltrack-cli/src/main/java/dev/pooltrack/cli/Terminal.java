package dev.pooltrack.cli;

import java.io.Console;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The terminal under {@code poolmon}'s live view, driven with ANSI escape sequences and {@code stty}
 * alone: the alternate screen, a hidden cursor, keys read one at a time from {@code /dev/tty}. One
 * thread draws and reads keys; {@link #close} may also run from a shutdown hook.
 */
final class Terminal implements AutoCloseable {

    /* No curses library, so it works wherever an xterm-compatible terminal is, an SSH session
     * included: ESC[?1049h switches to the alternate screen (the shell's screen comes back on exit),
     * ESC[?25l hides the cursor, ESC[H homes it, ESC[K and ESC[J erase what an earlier frame left.
     * The keys are read without Enter and without echo: stty -icanon -echo min 0 on /dev/tty, the
     * settings saved with stty -g first and put back on exit. ISIG stays on, so Ctrl-C still stops
     * the JVM, and the shutdown hook puts the terminal back then too. The size comes from stty size,
     * read again before each frame so a resized window is redrawn to fit; COLUMNS and LINES, then
     * 80x24, when stty cannot tell. */

    static final String ALTERNATE_SCREEN = "\033[?1049h";
    static final String MAIN_SCREEN = "\033[?1049l";
    static final String HIDE_CURSOR = "\033[?25l";
    static final String SHOW_CURSOR = "\033[?25h";
    static final String HOME = "\033[H";
    static final String CLEAR = "\033[2J";
    static final String ERASE_LINE = "\033[K";
    static final String ERASE_BELOW = "\033[J";
    static final String RESET_ATTRIBUTES = "\033[0m";

    private static final File TTY = new File("/dev/tty");
    private static final long POLL_MILLIS = 20;
    /** How long the bytes of an escape sequence may trail its ESC. */
    private static final long SEQUENCE_MILLIS = 30;

    private final PrintWriter out;
    private final InputStream keys;
    private final String savedMode;
    private final Thread restoreOnExit;
    private boolean closed;

    private Terminal(PrintWriter out, InputStream keys, String savedMode) {
        this.out = out;
        this.keys = keys;
        this.savedMode = savedMode;
        this.restoreOnExit = new Thread(this::restore, "pooltrack-poolmon-restore-terminal");
    }

    /** Whether standard input and output are a terminal {@code poolmon} can draw on. */
    static boolean available() {
        Console console = System.console();
        return console != null && console.isTerminal() && TTY.canRead();
    }

    /**
     * Takes over the terminal: raw keys, the alternate screen, no cursor; the terminal is put back by
     * {@link #close} or, if the JVM stops first (Ctrl-C), by a shutdown hook.
     *
     * @throws IOException if {@code /dev/tty} cannot be opened or {@code stty} fails
     */
    static Terminal open(PrintWriter out) throws IOException {
        String saved = stty("-g").strip();
        if (saved.isEmpty()) {
            throw new IOException("stty -g printed nothing: cannot save the terminal's settings");
        }
        InputStream keys = new FileInputStream(TTY);
        Terminal t = new Terminal(out, keys, saved);
        Runtime.getRuntime().addShutdownHook(t.restoreOnExit);
        try {
            stty("-icanon", "-echo", "min", "0", "time", "0");
        } catch (IOException e) {
            t.close();
            throw e;
        }
        out.print(ALTERNATE_SCREEN + HIDE_CURSOR + HOME + CLEAR);
        out.flush();
        return t;
    }

    /** The terminal's size as {@code {lines, columns}}. */
    int[] size() {
        try {
            String[] f = stty("size").strip().split("\\s+");
            if (f.length == 2) {
                int lines = Integer.parseInt(f[0]);
                int columns = Integer.parseInt(f[1]);
                if (lines > 0 && columns > 0) {
                    return new int[] {lines, columns};
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall back to the environment below
        }
        return new int[] {environment("LINES", 24), environment("COLUMNS", 80)};
    }

    /**
     * Draws the lines from the top left, erasing what the previous frame left around them; nothing
     * once the terminal is put back (a frame drawn after Ctrl-C would land on the shell's screen).
     */
    synchronized void draw(List<String> lines) {
        if (closed) {
            return;
        }
        StringBuilder sb = new StringBuilder(HOME);
        for (int i = 0; i < lines.size(); i++) {
            sb.append(lines.get(i)).append(RESET_ATTRIBUTES).append(ERASE_LINE);
            if (i < lines.size() - 1) {
                sb.append("\r\n");
            }
        }
        sb.append(ERASE_BELOW);
        out.print(sb);
        out.flush();
    }

    /**
     * The next key, waiting at most until {@code deadlineNanos} ({@link System#nanoTime()}): its
     * character, {@link PoolMonView#ESC} for a lone ESC, or -1 when the time is up. The rest of an
     * escape sequence (an arrow key, say) is read and dropped, and the wait goes on.
     */
    int readKey(long deadlineNanos) throws IOException {
        while (true) {
            if (keys.available() > 0) {
                int c = keys.read();
                if (c != PoolMonView.ESC) {
                    return c;
                }
                sleep(SEQUENCE_MILLIS);
                if (keys.available() == 0) {
                    return PoolMonView.ESC;
                }
                while (keys.available() > 0) {
                    keys.read();
                }
                continue;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return -1;
            }
            sleep(Math.min(POLL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1));
        }
    }

    /** Puts the terminal back: the main screen, the cursor, the saved {@code stty} settings. */
    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException e) {
            // the JVM is stopping: the hook runs restore, which does nothing a second time
        }
        try {
            keys.close();
        } catch (IOException e) {
            // nothing left to do with the keys
        }
    }

    private synchronized void restore() {
        if (closed) {
            return;
        }
        closed = true;
        out.print(RESET_ATTRIBUTES + SHOW_CURSOR + MAIN_SCREEN);
        out.flush();
        try {
            stty(savedMode);
        } catch (IOException e) {
            out.println("pooltrack poolmon: could not restore the terminal (" + e.getMessage() + "); run: stty sane");
            out.flush();
        }
    }

    /** Runs {@code stty} on {@code /dev/tty} and returns what it printed. */
    private static String stty(String... args) throws IOException {
        String[] command = new String[args.length + 1];
        command[0] = "stty";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command)
                .redirectInput(TTY)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] output = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                throw new IOException("stty " + String.join(" ", args) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running stty", e);
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    private static int environment(String name, int fallback) {
        try {
            int v = Integer.parseInt(System.getenv().getOrDefault(name, ""));
            return v > 0 ? v : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a key");
        }
    }
}
