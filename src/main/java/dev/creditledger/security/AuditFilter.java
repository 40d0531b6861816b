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
 * Gives every answer an {@code X-Request-Id} (the client's, when it sent a sane one) and writes an
 * audit entry for each POST, PUT or DELETE on an admin-only endpoint before the answer leaves.
 */
public class AuditFilter {

    public static final String REQUEST_ID = "X-Request-Id";
    private static final Set<String> CHANGES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE);
    private static final Pattern SANE_ID = Pattern.compile("[\\x21-\\x7E]{1,100}");

    private static final Logger LOG = Logger.getLogger(AuditFilter.class);

    private final AuditLog audit;

    public AuditFilter(AuditLog audit) {
        this.audit = audit;
    }

    @ServerResponseFilter
    public Uni<Void> audit(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        String sent = request.getHeaderString(REQUEST_ID);
        String requestId = sent != null && SANE_ID.matcher(sent).matches() ? sent : new UUID(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong()).toString();
        response.getHeaders().putSingle(REQUEST_ID, requestId);
        Object key = request.getProperty(AuthFilter.API_KEY);
        boolean adminOnly = resource.getResourceMethod() != null && resource.getResourceMethod().getAnnotation(Allowed.class) == null
                && resource.getResourceClass().getAnnotation(Allowed.class) == null;
        if (!(key instanceof ApiKey apiKey) || !adminOnly || !CHANGES.contains(request.getMethod())) {
            return Uni.createFrom().voidItem();
        }
        return audit.record(apiKey, request.getMethod(), request.getUriInfo().getPath(), response.getStatus(), requestId)
                .onFailure().recoverWithItem(e -> {
                    // The action itself is done; a lost audit line must not turn its answer into an error.
                    LOG.errorf(e, "Audit entry lost: key %d %s %s -> %d (request %s)", apiKey.keyId(), request.getMethod(),
                            request.getUriInfo().getPath(), response.getStatus(), requestId);
                    return null;
                });
    }
}
