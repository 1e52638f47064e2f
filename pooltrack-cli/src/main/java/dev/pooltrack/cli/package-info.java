/**
 * The {@code pooltrack} command: Driver Verifier's tools ({@code verifier}, {@code !poolused},
 * {@code !verifier 3}, {@code !analyze}) for native memory on the JVM, and the demo that runs them on
 * the sample drivers. Not an API: it is a program, started through {@code pooltrack.jar} and the
 * {@code ./pooltrack} launcher.
 */
package dev.pooltrack.cli;
