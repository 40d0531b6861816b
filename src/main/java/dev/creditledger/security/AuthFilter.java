package dev.creditledger.security;

import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.ErrorCode;
import dev.creditledger.problem.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /v1} endpoint needs {@code Authorization: Bearer <API key>}, and a key whose scopes
 * the endpoint allows ({@link Allowed}; admin keys pass everywhere), within the key's rate limit
 * ({@link RateLimiter}). The key is never logged or echoed. {@code /q/*} (health, OpenAPI) stays open.
 */
public class AuthFilter {

    /** Request property holding the authenticated {@link ApiKey}. */
    public static final String API_KEY = "credit-ledger.api-key";
    private static final String BEARER = "Bearer ";
    private static final int MAX_KEY_LENGTH = 200;
    private static final String CHALLENGE = "Bearer realm=\"credit-ledger\"";

    private final KeyCache keys;
    private final RateLimiter limiter;

    public AuthFilter(KeyCache keys, RateLimiter limiter) {
        this.keys = keys;
        this.limiter = limiter;
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        Class<?> type = resource.getResourceClass();
        if (type == null || !type.getPackageName().startsWith("dev.creditledger")) {
            return Uni.createFrom().nullItem();
        }
        String path = request.getUriInfo().getPath();
        String header = request.getHeaderString("Authorization");
        if (header == null) {
            return refuse(path, "Send Authorization: Bearer <API key>", null);
        }
        if (!header.startsWith(BEARER) || header.length() == BEARER.length() || header.length() > BEARER.length() + MAX_KEY_LENGTH
                || header.substring(BEARER.length()).isBlank()) {
            return refuse(path, "The Authorization header must be: Bearer <API key>", "invalid_request");
        }
        Allowed allowed = allowed(resource.getResourceMethod(), type);
        return keys.find(header.substring(BEARER.length()).trim()).map(key -> {
            if (key == null) {
                return unauthorized(path, "The API key is unknown or revoked", "invalid_token");
            }
            long wait = limiter.secondsUntilAllowed(key);
            if (wait > 0) {
                return Problem.of(new CreditException(ErrorCode.RATE_LIMITED, "This API key made more requests than its limit allows; "
                        + "retry after " + wait + " s").header("Retry-After", Long.toString(wait)), path);
            }
            if (!key.allows(allowed)) {
                return Problem.of(new CreditException(ErrorCode.FORBIDDEN, "This endpoint needs a key with scope "
                        + describe(allowed) + "; this key has " + key.scopes()), path);
            }
            request.setProperty(API_KEY, key);
            return null;
        });
    }

    private static Allowed allowed(Method method, Class<?> type) {
        Allowed onMethod = method == null ? null : method.getAnnotation(Allowed.class);
        return onMethod != null ? onMethod : type.getAnnotation(Allowed.class);
    }

    private static String describe(Allowed allowed) {
        StringBuilder scopes = new StringBuilder("admin");
        if (allowed != null) {
            for (Scope scope : allowed.value()) {
                scopes.append(" or ").append(scope);
            }
        }
        return scopes.toString();
    }

    private static Uni<Response> refuse(String path, String detail, String error) {
        return Uni.createFrom().item(unauthorized(path, detail, error));
    }

    private static Response unauthorized(String path, String detail, String error) {
        String challenge = error == null ? CHALLENGE : CHALLENGE + ", error=\"" + error + "\"";
        return Problem.of(new CreditException(ErrorCode.UNAUTHORIZED, detail).header("WWW-Authenticate", challenge), path);
    }
}
