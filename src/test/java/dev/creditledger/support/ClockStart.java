package dev.creditledger.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The instant a {@link LedgerTest} class's test clock shows at the start of each of its tests
 * ({@link #DEFAULT} when the class declares none): no test depends on where an earlier test, or
 * another class, left the shared clock.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
public @interface ClockStart {

    String DEFAULT = "2026-03-10T12:00:00Z";

    /** An ISO-8601 instant, such as {@code 2026-03-10T12:00:00Z}. */
    String value() default DEFAULT;
}
