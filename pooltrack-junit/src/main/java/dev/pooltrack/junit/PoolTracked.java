package dev.pooltrack.junit;

import dev.pooltrack.VerifierFlags;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs each test as a driver verified with Pool Tracking: the driver loads before the test (before
 * its {@code @BeforeEach} methods) and unloads after it (after its {@code @AfterEach} methods), and
 * allocations it has not freed by then fail the test with Driver Verifier's bug check 0xC4/0x62 and
 * the {@code !verifier 3} listing of those allocations, call sites included.
 *
 * <p>The test receives its {@link dev.pooltrack.Driver} and the {@link dev.pooltrack.PoolTrack} by
 * parameter. On a class, the annotation applies to every test of the class, of its subclasses and
 * of its {@code @Nested} classes; on a method, to that test, and it then wins over the class's.
 *
 * {@snippet lang = java :
 * @PoolTracked
 * class BlockCacheTest {
 *     @Test
 *     void readsABlock(Driver driver) {
 *         BlockCache cache = new BlockCache(driver);
 *         cache.read(7);
 *         cache.close(); // without this line the test fails with 0xC4/0x62 and the listing
 *     }
 * }
 * }
 *
 * @see PoolTrackExtension
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PoolTrackExtension.class)
public @interface PoolTracked {

    /**
     * Tags whose allocations do not count as leaks, as pool tag patterns ({@code Cach}, {@code
     * Lea?}, {@code Jd*}; see {@link dev.pooltrack.TagPattern}): for memory that legitimately
     * outlives a test, such as a cache filled on first use.
     */
    String[] ignoreTags() default {};

    /**
     * The verifier flags to verify with, as {@code verifier /flags}. They must include Pool
     * Tracking (0x8), and each bit must be one that this version of PoolTrack implements ({@link
     * VerifierFlags#requireImplemented}); otherwise the test fails before it runs, saying which bit
     * is refused and why.
     */
    int flags() default VerifierFlags.POOL_TRACKING;

    /**
     * Whether each allocation records its caller, so that the listing says which line allocated
     * what leaked. A stack captured per allocation (and kept while the block is outstanding); turn
     * it off for tests that allocate millions of blocks.
     */
    boolean callSites() default true;

    /** Whether each test is a driver, or the whole class is one. */
    Scope scope() default Scope.METHOD;

    /** What one driver load and unload spans. */
    enum Scope {
        /**
         * Each test, from before its {@code @BeforeEach} methods to after its {@code @AfterEach}
         * methods. Each invocation of a repeated or parameterized test is a driver of its own.
         */
        METHOD,
        /**
         * The whole class, from before its {@code @BeforeAll} methods to after its {@code @AfterAll}
         * methods: memory may pass from one test to the next and must all be freed at the end. A leak
         * fails the class. Only for an annotation on a class.
         */
        CLASS
    }
}
