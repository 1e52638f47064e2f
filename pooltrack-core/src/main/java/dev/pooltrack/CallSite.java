package dev.pooltrack;

/**
 * The code that allocated: PoolTrack's counterpart of the allocator's return address that
 * {@code !verifier 3} prints in its Caller column.
 *
 * <p>Immutable and thread-safe.
 *
 * @param className the binary name of the allocating class
 * @param methodName the allocating method
 * @param fileName the source file, or {@code null} when the class has no source file attribute
 * @param line the source line, or -1 when unknown
 * @param bytecodeIndex the bytecode offset of the call in the method, or -1 when unknown
 */
public record CallSite(String className, String methodName, String fileName, int line, int bytecodeIndex) {

    /** The site of allocations whose caller was not recorded (call sites turned off). */
    public static final CallSite UNKNOWN = new CallSite("?", "?", null, -1, -1);

    /**
     * The site in the style of a stack trace element, {@code com.example.Plugin.read(Plugin.java:42)}.
     */
    @Override
    public String toString() {
        if (this == UNKNOWN || "?".equals(className)) {
            return "<call site not recorded>";
        }
        String where = fileName == null ? "Unknown Source" : line >= 0 ? fileName + ":" + line : fileName;
        return className + "." + methodName + "(" + where + ")";
    }

    /** The simple class name and method, in the style of a debugger symbol: {@code Plugin!read}. */
    public String symbol() {
        if ("?".equals(className)) {
            return "?";
        }
        String simple = className.substring(className.lastIndexOf('.') + 1);
        return simple + "!" + methodName;
    }
}
