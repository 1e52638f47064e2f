package dev.pooltrack.junit;

import dev.pooltrack.Driver;
import dev.pooltrack.PoolTrack;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit Jupiter extension behind {@link PoolTracked}: each test is a driver load and unload, and
 * a leak fails the test.
 *
 * <p>Register it with {@code @PoolTracked} (which carries the options), or with {@code
 * @ExtendWith(PoolTrackExtension.class)} for the default options. It resolves parameters of type
 * {@link Driver} (the test's driver, or the class's in class scope) and {@link PoolTrack} (the pool
 * the driver is in), in test methods and in the lifecycle methods the driver spans. While the test
 * and those methods run, the driver is the thread's {@linkplain PoolTrack#currentDriver() current
 * driver}, so PoolTrack's agent charges the JDK allocations they make to the test.
 *
 * <p>The pool is chosen by the configuration parameter {@code pooltrack.junit.pool}: {@code auto}
 * (the default) is the system pool when PoolTrack's agent is attached, and otherwise a pool of the
 * test class's own; {@code class} and {@code system} force either. Thread-safe: tests may run in
 * parallel, each with its own driver.
 */
public final class PoolTrackExtension
        implements BeforeAllCallback,
                AfterAllCallback,
                BeforeEachCallback,
                AfterEachCallback,
                ParameterResolver,
                InvocationInterceptor {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(PoolTrackExtension.class);
    private static final String DRIVER = "driver";
    private static final Pattern INVOCATION = Pattern.compile("-invocation:#(\\d+)]$");

    /** The extension; JUnit makes one per registration. */
    public PoolTrackExtension() {}

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        TrackingOptions options = classOptions(testClass);
        if (options.scope() == PoolTracked.Scope.CLASS) {
            TestDriver driver = pool(context, options).load(driverName(context, testClass, null), options);
            context.getStore(NAMESPACE).put(DRIVER, driver);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        Optional<PoolTracked> onMethod = AnnotationSupport.findAnnotation(method, PoolTracked.class);
        TrackingOptions options;
        if (onMethod.isPresent()) {
            options = TrackingOptions.of(onMethod.get(), method);
        } else {
            options = classOptions(context.getRequiredTestClass());
            if (options.scope() == PoolTracked.Scope.CLASS) {
                return; // the class's driver spans this test
            }
        }
        TestDriver driver =
                pool(context, options).load(driverName(context, context.getRequiredTestClass(), method), options);
        context.getStore(NAMESPACE).put(DRIVER, driver);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        unloadAndCheck(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        unloadAndCheck(context);
    }

    private static void unloadAndCheck(ExtensionContext context) {
        // remove() looks at this context's own store only: a class driver is not unloaded after each test
        TestDriver driver = context.getStore(NAMESPACE).remove(DRIVER, TestDriver.class);
        if (driver != null) {
            driver.unloadAndCheck();
        }
    }

    // ---------------------------------------------------------------- parameters

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == Driver.class || type == PoolTrack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        TestDriver driver = context.getStore(NAMESPACE).get(DRIVER, TestDriver.class);
        if (parameter.getParameter().getType() == PoolTrack.class) {
            if (driver != null) {
                return driver.pool.pool;
            }
            return pool(context, classOptions(context.getRequiredTestClass())).pool;
        }
        if (driver == null) {
            throw new ParameterResolutionException("No PoolTrack driver is loaded for "
                    + parameter.getDeclaringExecutable()
                    + ": a test's driver is loaded before its @BeforeEach methods and unloaded after its @AfterEach"
                    + " methods; for @BeforeAll and @AfterAll methods and constructors, use"
                    + " @PoolTracked(scope = CLASS) on the class");
        }
        return driver.driver;
    }

    // ---------------------------------------------------------------- the current driver

    @Override
    public void interceptBeforeAllMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        asCurrentDriver(invocation, context);
    }

    @Override
    public void interceptBeforeEachMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        asCurrentDriver(invocation, context);
    }

    @Override
    public void interceptTestMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        asCurrentDriver(invocation, context);
    }

    @Override
    public void interceptTestTemplateMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        asCurrentDriver(invocation, context);
    }

    @Override
    public <T> T interceptTestFactoryMethod(
            Invocation<T> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        return asCurrentDriver(invocation, context);
    }

    @Override
    public void interceptDynamicTest(
            Invocation<Void> invocation, DynamicTestInvocationContext call, ExtensionContext context) throws Throwable {
        asCurrentDriver(invocation, context);
    }

    @Override
    public void interceptAfterEachMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        asCurrentDriver(invocation, context);
    }

    @Override
    public void interceptAfterAllMethod(
            Invocation<Void> invocation, ReflectiveInvocationContext<Method> call, ExtensionContext context)
            throws Throwable {
        asCurrentDriver(invocation, context);
    }

    private static <T> T asCurrentDriver(Invocation<T> invocation, ExtensionContext context) throws Throwable {
        TestDriver driver = context.getStore(NAMESPACE).get(DRIVER, TestDriver.class);
        return driver == null ? invocation.proceed() : PoolTrack.callAs(driver.driver, invocation::proceed);
    }

    // ---------------------------------------------------------------- options, pools and names

    /** The options of the nearest {@code @PoolTracked} on the class, a superclass or an enclosing class. */
    private static TrackingOptions classOptions(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<PoolTracked> a = AnnotationSupport.findAnnotation(c, PoolTracked.class);
            if (a.isPresent()) {
                return TrackingOptions.of(a.get(), (AnnotatedElement) c);
            }
        }
        return TrackingOptions.DEFAULTS;
    }

    /* A class pool lives in the store of the outermost class context that asks for one (a @Nested
     * class finds its enclosing class's through the store's parent lookup), keyed by the settings
     * that differ between annotations, and goes when that class is done. */
    private static TestPool pool(ExtensionContext context, TrackingOptions options) {
        if (TestPool.useSystemPool(context.getConfigurationParameter(TestPool.POOL_PARAMETER))) {
            return TestPool.system();
        }
        return classContext(context)
                .getStore(NAMESPACE)
                .computeIfAbsent(
                        new PoolKey(options.flags(), options.callSites()),
                        key -> TestPool.forClass(options),
                        TestPool.class);
    }

    private record PoolKey(int flags, boolean callSites) {}

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    /**
     * {@code BufferTest#reads}: the class's name without its package, {@code #} and the method; each
     * invocation of a repeated or parameterized test, or of a class template, with its number in
     * brackets ({@code BufferTest#sizes[3]}).
     */
    static String driverName(ExtensionContext context, Class<?> testClass, Method method) {
        String pkg = testClass.getPackageName();
        String name = pkg.isEmpty() ? testClass.getName() : testClass.getName().substring(pkg.length() + 1);
        if (method != null) {
            name += "#" + method.getName();
        }
        Matcher invocation = INVOCATION.matcher(context.getUniqueId());
        if (invocation.find()) {
            name += "[" + invocation.group(1) + "]";
        }
        return name;
    }
}
