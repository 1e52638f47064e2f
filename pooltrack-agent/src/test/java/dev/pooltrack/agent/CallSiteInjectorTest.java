package dev.pooltrack.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CallSiteInjectorTest {

    private static final String SEGMENT = "Ljava/lang/foreign/MemorySegment;";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "(J)J", // malloc with long addresses
                "(J)" + SEGMENT, // malloc as Netty and jextract make it
                "(JJ)" + SEGMENT, // calloc, aligned_alloc
                "(" + SEGMENT + "J)" + SEGMENT, // realloc
                "(" + SEGMENT + "JJ)I", // posix_memalign
                "(" + SEGMENT + "J)" + SEGMENT, // malloc with a captured-state segment first
                "(" + SEGMENT + SEGMENT + "JJ)I" // posix_memalign with a captured-state segment
            })
    void methodHandleCall_ofAnAllocatorShape_getsASite(String descriptor) {
        assertThat(CallSiteInjector.isTarget("java/lang/invoke/MethodHandle", "invokeExact", descriptor))
                .isTrue();
        assertThat(CallSiteInjector.isTarget("java/lang/invoke/MethodHandle", "invoke", descriptor))
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "(J)V", // free
                "(" + SEGMENT + ")V", // free
                "()J", // no argument
                "(Ljava/lang/Object;)J",
                "(J)Ljava/lang/Object;",
                "(D)J",
                "(JJJJ)J", // more arguments than any allocator function takes
                "(I)J", // an int argument: not a size_t
                "(I" + SEGMENT + "J)J", // write(fd, buffer, count)
                "(J)I", // an int result from one argument: not posix_memalign
                "(" + SEGMENT + ")I",
                "(Ljava/lang/String;)" + SEGMENT,
                "(J)" + SEGMENT + "X",
                ""
            })
    void methodHandleCall_ofAnotherShape_isLeftAlone(String descriptor) {
        assertThat(CallSiteInjector.isTarget("java/lang/invoke/MethodHandle", "invokeExact", descriptor))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"invokeWithArguments", "bindTo", "asType"})
    void methodHandleCall_otherThanInvoke_isLeftAlone(String name) {
        assertThat(CallSiteInjector.isTarget("java/lang/invoke/MethodHandle", name, "(J)J"))
                .isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"java/nio/ByteBuffer allocateDirect", "java/lang/foreign/Arena allocate"})
    void jdkAllocatingCall_getsASite_whateverItsDescriptor(String ownerAndName) {
        String[] p = ownerAndName.split(" ");
        assertThat(CallSiteInjector.isTarget(p[0], p[1], "(I)Ljava/nio/ByteBuffer;"))
                .isTrue();
    }
}
