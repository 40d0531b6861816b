package dev.creditledger.security;

import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.ErrorCode;
import dev.creditledger.problem.Problem;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /v1} endpoint needs {@code Authorization: Bearer <credential>}. The credential is
 * either an API key, whose scopes the endpoint must allow ({@link Allowed}; admin keys pass
 * everywhere, except on end-user endpoints), or an end-user token ({@link EndUserTokens}), which
 * reaches only the {@link EndUser} endpoints: anywhere else it gets the same 404 whatever the path
 * names, so it learns nothing about other accounts. Each key, and each end user, has a rate limit
 * ({@link RateLimiter}), and each client address has a budget of lookups for keys that turn out
 * unknown, so guessing keys cannot turn into a flood of database lookups. Credentials are never logged or echoed. {@code /q/*} (health, OpenAPI)
 * stays open.
 */
public class AuthFilter {

    /** Routing-context key holding the user id of a verified end-user token. */
    public static final String END_USER = "credit-ledger.end-user";
    private static final String BEARER = "Bearer ";
    private static final int MAX_KEY_LENGTH = 200;
    private static final int MAX_TOKEN_LENGTH = 8192;
    private static final String CHALLENGE = "Bearer realm=\"credit-ledger\"";

    private final Map<Method, Access> access = new ConcurrentHashMap<>();
    private final KeyCache keys;
    private final EndUserTokens tokens;
    private final RateLimiter limiter;

    public AuthFilter(KeyCache keys, EndUserTokens tokens, RateLimiter limiter) {
        this.keys = keys;
        this.tokens = tokens;
        this.limiter = limiter;
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext request, ResourceInfo resource, RoutingContext routing) {
        Class<?> type = resource.getResourceClass();
        if (type == null || !type.getPackageName().startsWith("dev.creditledger")) {
            return Uni.createFrom().nullItem();
        }
        String path = request.getUriInfo().getPath();
        String header = request.getHeaderString("Authorization");
        if (header == null) {
            return Uni.createFrom().item(unauthorized(path, "Send Authorization: Bearer <API key or end-user token>", null));
        }
        String credential = header.startsWith(BEARER) ? header.substring(BEARER.length()).trim() : "";
        boolean token = EndUserTokens.looksLikeToken(credential);
        if (credential.isEmpty() || credential.length() > (token ? MAX_TOKEN_LENGTH : MAX_KEY_LENGTH)) {
            return Uni.createFrom().item(unauthorized(path, "The Authorization header must be: Bearer <API key or end-user token>",
                    "invalid_request"));
        }
        Access access = access(resource.getResourceMethod(), type);
        boolean endUserEndpoint = access.endUser();
        if (token) {
            return tokens.subject(credential)
                    .map(subject -> endUser(routing, path, subject, endUserEndpoint))
                    .onFailure(EndUserTokens.Rejected.class).recoverWithItem(e -> unauthorized(path, e.getMessage(), "invalid_token"))
                    .onFailure(EndUserTokens.KeysUnavailable.class).recoverWithItem(e ->
                            Problem.of(CreditException.unavailable(e.getMessage(), 5), path));
        }
        String address = routing.request().remoteAddress() == null ? "unknown" : routing.request().remoteAddress().hostAddress();
        String hash = ApiKeys.hash(credential);
        boolean known = keys.isKnown(hash);
        // A key this instance never saw active may be a guess: each address has a budget of lookups that find nothing.
        // A request that finds the key's lookup under way joins it and spends nothing: it makes no lookup of its own.
        boolean budgeted = !known && !keys.isLoading(hash);
        if (budgeted) {
            long wait = limiter.secondsUntilKeyLookup(address);
            if (wait > 0) {
                return Uni.createFrom().item(rateLimited(path, "Too many unknown API keys came from this address", wait));
            }
        }
        Allowed allowed = access.allowed();
        return keys.find(hash).map(key -> {
            if (key == null) {
                return unauthorized(path, "The API key is unknown or revoked", "invalid_token");
            }
            if (budgeted) {
                limiter.keyFound(address);
            }
            long wait = limiter.secondsUntilAllowed(key);
            if (wait > 0) {
                return rateLimited(path, "This API key made more requests than its limit allows", wait);
            }
            if (endUserEndpoint) {
                return Problem.of(new CreditException(ErrorCode.FORBIDDEN, "This endpoint takes an end-user token, not an API key; "
                        + "backends read an account at /v1/accounts/{userId}"), path);
            }
            // A known key on an admin-only change is audited, whether it may make it or not (a 403 too).
            if (access.audited() && AuditFilter.CHANGES.contains(request.getMethod())) {
                AuditFilter.begin(request, key);
            }
            if (!key.allows(allowed)) {
                return Problem.of(new CreditException(ErrorCode.FORBIDDEN, "This endpoint needs a key with scope "
                        + describe(allowed) + "; this key has " + key.scopes()), path);
            }
            return null;
        });
    }

    /** A verified end user: within their rate limit, on an end-user endpoint, or else the same 404 wherever they are. */
    private Response endUser(RoutingContext routing, String path, String subject, boolean endUserEndpoint) {
        long wait = limiter.secondsUntilAllowed(subject);
        if (wait > 0) {
            return rateLimited(path, "This user made more requests than the end-user limit allows", wait);
        }
        if (!endUserEndpoint) {
            return Problem.of(new CreditException(ErrorCode.NOT_FOUND, "End-user tokens reach only /v1/me and what lies under it"), path);
        }
        routing.put(END_USER, subject);
        return null;
    }

    /** Who may call an endpoint, as its annotations say, and whether changes through it are audited (admin-only); read once per method. */
    private record Access(boolean endUser, Allowed allowed) {
        boolean audited() {
            return !endUser && allowed == null;
        }
    }

    private Access access(Method method, Class<?> type) {
        if (method == null) {
            return new Access(annotated(EndUser.class, null, type) != null, annotated(Allowed.class, null, type));
        }
        return access.computeIfAbsent(method, m -> new Access(annotated(EndUser.class, m, type) != null, annotated(Allowed.class, m, type)));
    }

    private static <A extends java.lang.annotation.Annotation> A annotated(Class<A> annotation, Method method, Class<?> type) {
        A onMethod = method == null ? null : method.getAnnotation(annotation);
        return onMethod != null ? onMethod : type.getAnnotation(annotation);
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

    private static Response rateLimited(String path, String detail, long wait) {
        return Problem.of(new CreditException(ErrorCode.RATE_LIMITED, detail + "; retry after " + wait + " s")
                .header("Retry-After", Long.toString(wait)), path);
    }

    private static Response unauthorized(String path, String detail, String error) {
        String challenge = error == null ? CHALLENGE : CHALLENGE + ", error=\"" + error + "\"";
        return Problem.of(new CreditException(ErrorCode.UNAUTHORIZED, detail).header("WWW-Authenticate", challenge), path);
    }
}
