package dev.pooltrack.agent;

import dev.pooltrack.CallSite;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeModel;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.LineNumber;
import java.lang.instrument.ClassFileTransformer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Gives each allocating call in a driver's class a constant site id when the class loads: before
 * the call, {@code Hooks.site(id)}; after it, {@code Hooks.siteDone()}. The allocation inside then
 * knows its driver, tag rule and call site without walking the stack.
 *
 * <p>Thread-safe. Classes of the JDK, of PoolTrack, of helper libraries and of named modules are
 * left alone (their allocations are attributed by a stack walk). A class that cannot be parsed or
 * rewritten is left alone too: the injector never stops a class from loading.
 */
final class CallSiteInjector implements ClassFileTransformer {

    /* The calls that allocate native memory directly (owner and method name):
     *   java/nio/ByteBuffer.allocateDirect
     *   sun/misc/Unsafe and jdk/internal/misc/Unsafe .allocateMemory, .reallocateMemory
     *   java/lang/foreign/Arena and java/lang/foreign/SegmentAllocator .allocate*
     *   java/nio/channels/FileChannel.map
     *   java/lang/invoke/MethodHandle .invokeExact, .invoke, with the shape of a C allocator
     *     function's downcall handle (see isAllocatorShape)
     * A SegmentAllocator may be a slicing allocator that never reaches native memory; siteDone then
     * clears the id so that a later allocation on the thread does not inherit it. The bytecode
     * offsets come from the ClassFile API (the original offsets, as javap shows them); the rewrite is
     * ASM's (from ByteBuddy), which keeps the stack map frames without resolving any class. */

    private static final String HOOKS = "dev/pooltrack/agent/boot/Hooks";
    private static final String SEGMENT = "Ljava/lang/foreign/MemorySegment;";
    private static final String METHOD_HANDLE = "java/lang/invoke/MethodHandle";

    private static final byte[][] NEEDLES = {
        bytes("java/nio/ByteBuffer"),
        bytes("misc/Unsafe"),
        bytes("java/lang/foreign/"),
        bytes("java/nio/channels/FileChannel"),
        bytes(METHOD_HANDLE)
    };

    private final AgentRuntime runtime;

    CallSiteInjector(AgentRuntime runtime) {
        this.runtime = runtime;
    }

    static boolean isTarget(String owner, String name, String descriptor) {
        return switch (owner) {
            case "java/nio/ByteBuffer" -> name.equals("allocateDirect");
            case "sun/misc/Unsafe", "jdk/internal/misc/Unsafe" ->
                name.equals("allocateMemory") || name.equals("reallocateMemory");
            case "java/lang/foreign/Arena", "java/lang/foreign/SegmentAllocator" -> name.startsWith("allocate");
            case "java/nio/channels/FileChannel" -> name.equals("map");
            case METHOD_HANDLE -> (name.equals("invokeExact") || name.equals("invoke")) && isAllocatorShape(descriptor);
            default -> false;
        };
    }

    /* A call through a MethodHandle may be a call of a downcall handle the agent watches
     * (AllocatorDowncalls): malloc, calloc, realloc, posix_memalign or aligned_alloc, whose handles
     * take one or two sizes and addresses (size_t is a long; plus a leading captured-state segment)
     * and return an address, or take three (four) and return an int: posix_memalign. Native calls of
     * other shapes (an int argument, no argument, a void result) are left alone, so most of a
     * program's other native calls pay nothing. Which handle a call site invokes is known only at run
     * time, so every call of that shape gets a site id: for a watched handle the allocation then
     * needs no stack walk to find its driver and site; for any other (strlen, say) the id is set and
     * cleared again, a few nanoseconds. free needs no site and its shape (returning void) is not
     * marked. Such a site names the caller of a C allocator downcall only (InjectedSites.Site
     * .downcallOnly): if the handle's target is Java code that allocates through the JDK, that
     * allocation is attributed by a stack walk as before, so a handle cannot pass its caller's site on
     * to memory another driver's code allocates behind it. */
    static boolean isAllocatorShape(String descriptor) {
        int close = descriptor.indexOf(')');
        if (descriptor.isEmpty() || descriptor.charAt(0) != '(' || close < 0) {
            return false;
        }
        int params = 0;
        for (int i = 1; i < close; params++) {
            if (descriptor.charAt(i) == 'J') {
                i++;
            } else if (descriptor.startsWith(SEGMENT, i)) {
                i += SEGMENT.length();
            } else {
                return false;
            }
        }
        String ret = descriptor.substring(close + 1);
        if (ret.equals("J") || ret.equals(SEGMENT)) {
            return params >= 1 && params <= 3;
        }
        return ret.equals("I") && (params == 3 || params == 4);
    }

    @Override
    public byte[] transform(
            Module module,
            ClassLoader loader,
            String className,
            Class<?> classBeingRedefined,
            ProtectionDomain domain,
            byte[] classfile) {
        if (className == null || classBeingRedefined != null || module.isNamed() || !mentionsTarget(classfile)) {
            return null;
        }
        try {
            String binaryName = className.replace('/', '.');
            if (!runtime.attribution.isDriverCode(binaryName, loader, domain)) {
                return null;
            }
            return inject(loader, domain, binaryName, classfile);
        } catch (Throwable t) {
            return null; // the class loads unchanged; its allocations are attributed by a stack walk
        }
    }

    private byte[] inject(ClassLoader loader, ProtectionDomain domain, String binaryName, byte[] classfile) {
        ClassModel cm = ClassFile.of().parse(classfile);
        String source = cm.findAttribute(Attributes.sourceFile())
                .map(a -> a.sourceFile().stringValue())
                .orElse(null);
        Map<String, List<Found>> found = new HashMap<>();
        for (MethodModel m : cm.methods()) {
            CodeModel code = m.code().orElse(null);
            if (code == null) {
                continue;
            }
            String method = m.methodName().stringValue();
            List<Found> sites = new ArrayList<>();
            int bci = 0;
            int line = -1;
            for (CodeElement e : code) {
                if (e instanceof LineNumber ln) {
                    line = ln.line();
                } else if (e instanceof Instruction ins) {
                    if (ins instanceof InvokeInstruction inv) {
                        String owner = inv.owner().asInternalName();
                        if (isTarget(owner, inv.name().stringValue(), inv.type().stringValue())) {
                            sites.add(new Found(
                                    new CallSite(binaryName, method, source, line, bci), owner.equals(METHOD_HANDLE)));
                        }
                    }
                    bci += ins.sizeInBytes();
                }
            }
            if (!sites.isEmpty()) {
                found.put(method + m.methodType().stringValue(), sites);
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        String driver = runtime.attribution.driverOf(domain, binaryName);
        LoaderWatch.LoaderState state = runtime.loaders.stateOf(loader, driver);
        int ruleTag = runtime.attribution.ruleTag(binaryName);
        Map<String, int[]> ids = new HashMap<>();
        found.forEach((key, sites) -> {
            int[] a = new int[sites.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = runtime.inject(
                        driver,
                        state,
                        ruleTag,
                        sites.get(i).site(),
                        sites.get(i).downcallOnly());
            }
            ids.put(key, a);
        });

        ClassReader reader = OpenedClassReader.of(classfile);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(
                new ClassVisitor(OpenedClassReader.ASM_API, writer) {
                    @Override
                    public MethodVisitor visitMethod(
                            int access, String name, String descriptor, String signature, String[] exceptions) {
                        MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                        int[] siteIds = ids.get(name + descriptor);
                        return siteIds == null ? mv : new SiteMarker(mv, siteIds);
                    }
                },
                0);
        return writer.toByteArray();
    }

    /** A call found to mark, and whether it is a call through a MethodHandle. */
    private record Found(CallSite site, boolean downcallOnly) {}

    private static final class SiteMarker extends MethodVisitor {
        private final int[] ids;
        private int next;

        SiteMarker(MethodVisitor mv, int[] ids) {
            super(OpenedClassReader.ASM_API, mv);
            this.ids = ids;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            if (next < ids.length && isTarget(owner, name, descriptor)) {
                super.visitLdcInsn(ids[next++]);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "site", "(I)V", false);
                super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "siteDone", "()V", false);
            } else {
                super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
            }
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack + 1, maxLocals);
        }
    }

    private static boolean mentionsTarget(byte[] classfile) {
        for (byte[] needle : NEEDLES) {
            if (indexOf(classfile, needle) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        byte first = needle[0];
        int last = hay.length - needle.length;
        outer:
        for (int i = 0; i <= last; i++) {
            if (hay[i] != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
