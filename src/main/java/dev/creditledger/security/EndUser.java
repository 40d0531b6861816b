package dev.creditledger.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an endpoint for end users: it takes the app's own JWT (see {@link EndUserTokens}) and
 * answers for the token's subject only. API keys of any scope get 403 there, and an end-user
 * token gets 404 everywhere else.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface EndUser {
}
