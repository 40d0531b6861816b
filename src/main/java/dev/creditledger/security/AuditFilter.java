package dev.creditledger.security;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Gives every answer an {@code X-Request-Id} (the client's, when it sent a sane one) and sees that
 * each POST, PUT or DELETE on an admin-only endpoint gets exactly one audit entry: written in the
 * action's own transaction when it commits a change, else here, before the answer leaves.
 */
public class AuditFilter {

    public static final String REQUEST_ID = "X-Request-Id";
    static final Set<String> CHANGES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE);
    private static final Pattern SANE_ID = Pattern.compile("[\\x21-\\x7E]{1,100}");

    private static final Logger LOG = Logger.getLogger(AuditFilter.class);

    private final AuditLog audit;

    public AuditFilter(AuditLog audit) {
        this.audit = audit;
    }

    /**
     * Called by {@link AuthFilter} once an admin key may make a POST, PUT or DELETE on an admin-only
     * endpoint: fixes the request id and marks the action, so its transaction can write its entry.
     */
    static void begin(ContainerRequestContext request, ApiKey key) {
        String requestId = requestId(request);
        request.setProperty(REQUEST_ID, requestId);
        AuditLog.begin(new AuditLog.Pending(key, request.getMethod(), request.getUriInfo().getPath(), requestId));
    }

    @ServerResponseFilter
    public Uni<Void> audit(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        String requestId = request.getProperty(REQUEST_ID) instanceof String id ? id : requestId(request);
        response.getHeaders().putSingle(REQUEST_ID, requestId);
        Object key = request.getProperty(AuthFilter.API_KEY);
        if (!(key instanceof ApiKey apiKey) || !audited(request, resource)) {
            return Uni.createFrom().voidItem();
        }
        Integer written = AuditLog.pending().map(pending -> pending.written).orElse(null);
        if (written != null && written == response.getStatus()) {
            return Uni.createFrom().voidItem(); // written by the action's own, committed, transaction
        }
        return audit.record(apiKey, request.getMethod(), request.getUriInfo().getPath(), response.getStatus(), requestId)
                .onFailure().recoverWithItem(e -> {
                    // The answer is decided; a lost audit line must not turn it into an error.
                    LOG.errorf(e, "Audit entry lost: key %d %s %s -> %d (request %s)", apiKey.keyId(), request.getMethod(),
                            request.getUriInfo().getPath(), response.getStatus(), requestId);
                    return null;
                });
    }

    /** A POST, PUT or DELETE on an admin-only endpoint (one without {@link Allowed}). */
    private static boolean audited(ContainerRequestContext request, ResourceInfo resource) {
        return CHANGES.contains(request.getMethod()) && resource.getResourceMethod() != null
                && resource.getResourceMethod().getAnnotation(Allowed.class) == null
                && resource.getResourceClass().getAnnotation(Allowed.class) == null
                && resource.getResourceClass().getAnnotation(EndUser.class) == null;
    }

    private static String requestId(ContainerRequestContext request) {
        String sent = request.getHeaderString(REQUEST_ID);
        return sent != null && SANE_ID.matcher(sent).matches() ? sent
                : new UUID(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong()).toString();
    }
}
