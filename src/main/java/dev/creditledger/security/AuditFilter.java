package dev.creditledger.security;

import dev.creditledger.api.RequestIds;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Sees that each POST, PUT or DELETE on an admin-only endpoint gets exactly one audit entry: written in the
 * action's own transaction when it commits a change, else here, before the answer leaves.
 */
public class AuditFilter {

    static final Set<String> CHANGES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE);

    private static final Logger LOG = Logger.getLogger(AuditFilter.class);

    private final AuditLog audit;

    public AuditFilter(AuditLog audit) {
        this.audit = audit;
    }

    /**
     * Called by {@link AuthFilter} when a known key makes a POST, PUT or DELETE on an admin-only
     * endpoint (one without {@link Allowed}), allowed or not: marks the
     * action, so its transaction can write its entry, or else the response filter does.
     */
    static void begin(ContainerRequestContext request, ApiKey key) {
        AuditLog.begin(new AuditLog.Pending(key, request.getMethod(), request.getUriInfo().getPath(), RequestIds.of(request)));
    }

    /** Records an audited action unless its own transaction already did. */
    @ServerResponseFilter
    public Uni<Void> audit(ContainerRequestContext request, ContainerResponseContext response) {
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
}
