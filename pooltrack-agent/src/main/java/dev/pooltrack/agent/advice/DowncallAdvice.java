package dev.pooltrack.agent.advice;

import dev.pooltrack.agent.boot.Downcalls;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import net.bytebuddy.asm.Advice;

/**
 * The advice inlined into {@code jdk.internal.foreign.abi.AbstractLinker.downcallHandle(MemorySegment,
 * FunctionDescriptor, Linker.Option...)}: the handle it returns passes through {@link Downcalls}.
 *
 * <p>Not API: ByteBuddy reads this class as a template, nothing calls it.
 */
public final class DowncallAdvice {

    private DowncallAdvice() {}

    /** Replaces the handle returned with the one the agent gives for the symbol (often the same). */
    @Advice.OnMethodExit
    public static void exit(
            @Advice.Argument(0) MemorySegment symbol,
            @Advice.Argument(1) FunctionDescriptor function,
            @Advice.Return(readOnly = false) MethodHandle handle) {
        handle = Downcalls.linked(symbol, function, handle);
    }
}
