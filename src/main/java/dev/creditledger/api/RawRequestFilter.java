package dev.creditledger.api;

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
 * Checks what routing would otherwise hide: the path under /v1/accounts/ as the client sent it,
 * before matrix parameters are cut off at ';' and '.', '..' or empty segments are normalized away
 * (either would serve the request for another account, e.g. /v1/accounts/a/../b) and an Idempotency-Key that is present but empty, blank
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
            String decoded = decode(slash < 0 ? rest : rest.substring(0, slash));
            if (raw.indexOf(';') >= 0 || decoded == null || !UserIds.isValid(decoded) || hasDotOrEmptySegment(rest)) {
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

    /** A '.', '..' or empty segment anywhere would let routing's normalization land on another account. */
    private static boolean hasDotOrEmptySegment(String path) {
        for (String segment : path.split("/", -1)) {
            String decoded = decode(segment);
            if (decoded == null || decoded.equals(".") || decoded.equals("..")) {
                return true;
            }
        }
        return path.contains("//");
    }

    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
