package dev.creditledger.metrics;

import dev.creditledger.api.Answer;
import dev.creditledger.problem.ErrorCode;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Counts, for every answer of an operation, the problems it answered by type
 * ({@code credits_problems_total{operation,type}}: rate-limited and unauthorized requests among them)
 * and the replays of idempotent requests ({@code credits_idempotent_replays_total{operation}}). The
 * operation is the OpenAPI {@code operationId}; {@code none} when no operation matched.
 */
public class ApiMetricsFilter {

    private final MeterRegistry registry;
    private final Map<Method, String> operations = new ConcurrentHashMap<>();

    public ApiMetricsFilter(MeterRegistry registry) {
        this.registry = registry;
    }

    @ServerResponseFilter
    public void count(ContainerResponseContext response, ResourceInfo resource) {
        String operation = operation(resource.getResourceMethod());
        if (response.getEntity() instanceof Map<?, ?> body && body.get("type") instanceof String type
                && type.startsWith(ErrorCode.TYPE_PREFIX)) {
            registry.counter("credits.problems", "operation", operation, "type", type.substring(ErrorCode.TYPE_PREFIX.length()))
                    .increment();
        }
        if ("true".equals(response.getHeaderString(Answer.REPLAYED_HEADER))) {
            registry.counter("credits.idempotent.replays", "operation", operation).increment();
        }
    }

    private String operation(Method method) {
        if (method == null) {
            return "none";
        }
        return operations.computeIfAbsent(method, m -> {
            Operation op = m.getAnnotation(Operation.class);
            return op == null || op.operationId().isEmpty() ? "none" : op.operationId();
        });
    }
}
