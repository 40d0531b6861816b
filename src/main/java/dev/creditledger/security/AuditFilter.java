package dev.creditledger.security;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
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
     * Called by {@link AuthFilter} when a known key makes a POST, PUT or DELETE on an admin-only
     * endpoint (one without {@link Allowed}), allowed or not: fixes the request id and marks the
     * action, so its transaction can write its entry, or else the response filter does.
     */
    static void begin(ContainerRequestContext request, ApiKey key) {
        String requestId = requestId(request);
        request.setProperty(REQUEST_ID, requestId);
        AuditLog.begin(new AuditLog.Pending(key, request.getMethod(), request.getUriInfo().getPath(), requestId));
    }

    /** Gives the answer its request id, and records an audited action unless its own transaction already did. */
    @ServerResponseFilter
    public Uni<Void> audit(ContainerRequestContext request, ContainerResponseContext response) {
        String requestId = request.getProperty(REQUEST_ID) instanceof String id ? id : requestId(request);
        response.getHeaders().putSingle(REQUEST_ID, requestId);
        AuditLog.Pending action = AuditLog.pending().orElse(null);
        if (action == null) {
            return Uni.createFrom().voidItem(); // not an admin change (AuthFilter marks those)
        }
        Integer written = action.written;
        if (written != null && written == response.getStatus()) {
            return Uni.createFrom().voidItem(); // written by the action's own, committed, transaction
        }
        return audit.record(action.key, action.method, action.path, response.getStatus(), action.requestId)
                .onFailure().recoverWithItem(e -> {
                    // The answer is decided; a lost audit line must not turn it into an error.
                    LOG.errorf(e, "Audit entry lost: key %d %s %s -> %d (request %s)", action.key.keyId(), action.method,
                            action.path, response.getStatus(), action.requestId);
                    return null;
                });
    }

    private static String requestId(ContainerRequestContext request) {
        String sent = request.getHeaderString(REQUEST_ID);
        return sent != null && SANE_ID.matcher(sent).matches() ? sent
                : new UUID(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong()).toString();
    }
}
