package dev.creditledger.api;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every request's id (docs/design.md, rule O3): the client's {@code X-Request-Id} when it sent a
 * sane one, else a new one. It is fixed before any other filter looks at the request, sent back on
 * the answer, written into audit entries, and put into the logging context, so every line logged
 * while the request runs carries it ({@code mdc.requestId} in the JSON lines of the prod profile).
 * The logging context lives in the request's own Vert.x context, so it ends with the request.
 */
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String LOG_KEY = "requestId";
    private static final Pattern SANE_ID = Pattern.compile("[\\x21-\\x7E]{1,100}");

    /** Runs first of all request filters (before {@link RawRequestFilter} can refuse the request). */
    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION - 500)
    public void assign(ContainerRequestContext request) {
        String id = of(request);
        MDC.put(LOG_KEY, id);
    }

    @ServerResponseFilter
    public void answer(ContainerRequestContext request, ContainerResponseContext response) {
        response.getHeaders().putSingle(HEADER, of(request));
    }

    /** The request's id, fixed on first use. */
    public static String of(ContainerRequestContext request) {
        if (request.getProperty(HEADER) instanceof String id) {
            return id;
        }
        String sent = request.getHeaderString(HEADER);
        String id = sent != null && SANE_ID.matcher(sent).matches() ? sent
                : new UUID(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong()).toString();
        request.setProperty(HEADER, id);
        return id;
    }
}
