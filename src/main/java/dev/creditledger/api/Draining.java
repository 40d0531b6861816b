package dev.creditledger.api;

import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.Problem;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A stopping instance takes no new work (docs/design.md, rule O4). From SIGTERM, readiness is down
 * (Quarkus) and for {@code quarkus.shutdown.delay} requests are still served, while the
 * orchestrator takes the instance out of its endpoints; from then on a new request is answered 503
 * {@code unavailable} with Retry-After and {@code Connection: close}, so the client retries
 * elsewhere, while the requests already in flight finish within {@code quarkus.shutdown.timeout}.
 */
@ApplicationScoped
public class Draining {

    static final int RETRY_AFTER_SECONDS = 1;

    private final long delayNanos;
    private volatile boolean stopping;
    /** {@link System#nanoTime} from which new requests are refused: the same monotonic time Quarkus sleeps the delay on. */
    private volatile long refuseFromNanos;

    public Draining(@ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay) {
        this.delayNanos = delay.orElse(Duration.ZERO).toNanos();
    }

    void stopping(@Observes ShutdownDelayInitiatedEvent event) {
        refuseFromNanos = System.nanoTime() + delayNanos;
        stopping = true;
    }

    /** Runs right after {@link RequestIds}, so a refusal's log lines carry the request's id. */
    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION - 400)
    public Optional<Response> refuseWhenStopping(HttpServerRequest request) {
        if (!stopping || System.nanoTime() - refuseFromNanos < 0) {
            return Optional.empty();
        }
        return Optional.of(Problem.of(CreditException.unavailable(
                "This instance is stopping; retry after " + RETRY_AFTER_SECONDS + " s (another instance will answer)", RETRY_AFTER_SECONDS)
                .header("Connection", "close"), request.path()));
    }
}
