package dev.pooltrack.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file's content all at once: every file PoolTrack writes for a reader (settings, snapshots,
 * exit reports) goes through here, so a reader sees the old content or the new, never half.
 * Thread-safe (stateless).
 */
public final class AtomicWrite {

    /* The text goes to a temporary file in the same directory (same file system, so the rename is
     * atomic) whose name is this process's and thread's own, so two writers never rename each other's
     * half-written file into place; it is forced to disk before the rename. Where the file system
     * cannot rename atomically, a plain rename is the best there is. */

    private AtomicWrite() {}

    /**
     * Writes {@code text} (UTF-8) to {@code file}, creating its directory if needed.
     *
     * @throws IOException if it cannot be written; {@code file} is then unchanged and no temporary
     *     file is left behind
     */
    public static void replace(Path file, String text) throws IOException {
        replace(file, text.getBytes(StandardCharsets.UTF_8), null);
    }

    /**
     * Writes {@code content} to {@code file}, creating its directory if needed; the file is created
     * with exactly {@code permissions} (POSIX) before any byte is written to it, or with the
     * defaults when {@code permissions} is null.
     *
     * @throws IOException if it cannot be written; {@code file} is then unchanged and no temporary
     *     file is left behind
     */
    public static void replace(Path file, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "."
                + ProcessHandle.current().pid() + "." + Thread.currentThread().threadId() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            FileAttribute<?>[] attributes = permissions == null
                    ? new FileAttribute<?>[0]
                    : new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)};
            try (FileChannel ch = FileChannel.open(
                    tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
                ch.write(ByteBuffer.wrap(content));
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
