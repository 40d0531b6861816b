package dev.creditledger.api;

import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.ErrorCode;
import dev.creditledger.problem.Problem;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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

    static final String RETRY_AFTER_SECONDS = "1";

    private final Clock clock;
    private final Duration delay;
    private volatile Instant refuseFrom;

    public Draining(Clock clock, @ConfigProperty(name = "quarkus.shutdown.delay") Optional<Duration> delay) {
        this.clock = clock;
        this.delay = delay.orElse(Duration.ZERO);
    }

    void stopping(@Observes ShutdownDelayInitiatedEvent event) {
        refuseFrom = clock.instant().plus(delay);
    }

    /** Runs right after {@link RequestIds}, so the refusal carries the request's id. */
    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION - 400)
    public Optional<Response> refuseWhenStopping(HttpServerRequest request) {
        Instant from = refuseFrom;
        if (from == null || clock.instant().isBefore(from)) {
            return Optional.empty();
        }
        return Optional.of(Problem.of(new CreditException(ErrorCode.UNAVAILABLE,
                "This instance is stopping; retry after " + RETRY_AFTER_SECONDS + " s (another instance will answer)")
                .header("Retry-After", RETRY_AFTER_SECONDS).header("Connection", "close"), request.path()));
    }
}
