package dev.creditledger.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scopes, besides {@code admin}, that may call a resource method. A method without it is for
 * {@code admin} keys only, so a new endpoint is closed until someone opens it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Allowed {
    Scope[] value();
}
