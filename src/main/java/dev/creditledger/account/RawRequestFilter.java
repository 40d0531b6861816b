package dev.creditledger.account;

import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.Problem;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks what routing would otherwise hide: the user id segment as the client sent it (before
 * matrix parameters are cut off at ';' and '.' or empty segments are normalized away, which would
 * serve the request for another account) and an Idempotency-Key that is present but empty, blank
 * or repeated (which the resources would see as absent).
 */
public class RawRequestFilter {

    private static final String ACCOUNTS = "/v1/accounts/";

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> rawRequest(HttpServerRequest request) {
        String raw = request.path();
        if (raw != null && raw.startsWith(ACCOUNTS)) {
            String rest = raw.substring(ACCOUNTS.length());
            int slash = rest.indexOf('/');
            String segment = slash < 0 ? rest : rest.substring(0, slash);
            String decoded;
            try {
                decoded = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                decoded = null;
            }
            if (segment.indexOf(';') >= 0 || decoded == null || !UserIds.isValid(decoded)) {
                return Optional.of(Problem.of(CreditException.invalid("userId", UserIds.RULE), raw));
            }
        }
        List<String> keys = request.headers().getAll(IdempotencyKey.HEADER);
        if (keys.size() > 1 || (keys.size() == 1 && keys.get(0).isBlank())) {
            return Optional.of(Problem.of(CreditException.invalid(IdempotencyKey.HEADER,
                    keys.size() > 1 ? "must be sent once" : "must be 1 to 255 printable ASCII characters"), raw));
        }
        return Optional.empty();
    }
}
