package dev.pooltrack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import org.junit.jupiter.api.Test;

/**
 * The sizes the JIT's inlining decisions depend on, checked in the compiled classes: if the hot
 * path changes shape, the segment forms of {@link Driver#allocate} start allocating on the heap
 * again without any other test noticing.
 */
class HotPathShapeTest {

    /** HotSpot's default -XX:FreqInlineSize on x64 and AArch64: hot callees larger are never inlined. */
    private static final int FREQ_INLINE_SIZE = 325;

    @Test
    void allocateFast_isLargerThanFreqInlineSize_soItStaysOutOfLine() throws IOException {
        assertThat(codeLength(PoolTrack.class, "allocateFast"))
                .as("PoolTrack.allocateFast must stay above FreqInlineSize (see its comment)")
                .isGreaterThan(FREQ_INLINE_SIZE);
    }

    @Test
    void free_isSmallerThanFreqInlineSize_soTheCleanFreeIsInlinedIntoItsCaller() throws IOException {
        assertThat(codeLength(PoolTrack.class, "free"))
                .as("PoolTrack.free must stay below FreqInlineSize: its checked path belongs in freeChecked")
                .isLessThanOrEqualTo(FREQ_INLINE_SIZE);
    }

    /** The largest code length among the methods of that name. */
    private static int codeLength(Class<?> type, String method) throws IOException {
        byte[] bytes;
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            bytes = in.readAllBytes();
        }
        ClassModel model = ClassFile.of().parse(bytes);
        int largest = -1;
        for (MethodModel m : model.methods()) {
            if (m.methodName().equalsString(method)) {
                CodeModel code = m.code().orElseThrow();
                largest = Math.max(largest, ((CodeAttribute) code).codeLength());
            }
        }
        assertThat(largest).as("method %s.%s", type.getSimpleName(), method).isPositive();
        return largest;
    }
}
