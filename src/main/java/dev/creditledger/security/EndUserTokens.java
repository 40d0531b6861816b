package dev.creditledger.security;

import dev.creditledger.api.UserIds;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Verifies the app's own JWTs for the end-user endpoints with smallrye-jwt, configured by the
 * standard MicroProfile JWT properties: {@code mp.jwt.verify.issuer}, {@code mp.jwt.verify.audiences}
 * and a public key ({@code mp.jwt.verify.publickey}, PEM or JWK(S)) or its location
 * ({@code mp.jwt.verify.publickey.location}: a file, a classpath resource or an https JWKS URL).
 * Until all three are set, the service accepts no end-user token at all. The token's {@code sub}
 * is the user id; it must be a valid one. Verification runs off the event loop, since fetching a
 * JWKS is blocking I/O.
 */
@ApplicationScoped
public class EndUserTokens {

    /** Three base64url parts: how a compact JWS looks. API keys ({@code cl_...}) never contain a dot. */
    /** smallrye-jwt's message when the configured key location gives no usable key at all (unlike an unknown kid). */
    private static final String KEY_NOT_LOADED = "SRJWT07003";
    private static final Logger LOG = Logger.getLogger(EndUserTokens.class);
    private static final long WARN_EVERY_NANOS = 60_000_000_000L;
    private static final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS - 1);

    private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    private final JWTParser parser;
    private final Vertx vertx;
    private final boolean configured;

    public EndUserTokens(JWTParser parser, Vertx vertx,
                         @ConfigProperty(name = "mp.jwt.verify.issuer") Optional<String> issuer,
                         @ConfigProperty(name = "mp.jwt.verify.audiences") Optional<List<String>> audiences,
                         @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> publicKey,
                         @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> publicKeyLocation) {
        this.parser = parser;
        this.vertx = vertx;
        this.configured = issuer.isPresent() && audiences.isPresent() && (publicKey.isPresent() || publicKeyLocation.isPresent());
    }

    /** Whether the credential has the shape of a JWT (as opposed to an API key). */
    public static boolean looksLikeToken(String credential) {
        return COMPACT_JWS.matcher(credential).matches();
    }

    /**
     * The verified token's user id; or a {@link Rejected} failure saying why the token is refused; or a
     * {@link KeysUnavailable} failure when the issuer's keys cannot be had (the token may be fine).
     * Completes on the caller's Vert.x context.
     */
    public Uni<String> subject(String token) {
        if (!configured) {
            return Uni.createFrom().failure(new Rejected("This service is not configured for end-user tokens "
                    + "(mp.jwt.verify.issuer, mp.jwt.verify.audiences and a public key are needed)"));
        }
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(() -> parser.parse(token), false).toCompletionStage())
                .onFailure().transform(EndUserTokens::classify)
                .map(jwt -> {
                    String subject = jwt.getSubject();
                    if (subject == null || !UserIds.isValid(subject)) {
                        throw new Rejected("The end-user token's subject (sub) must be a user id: " + UserIds.RULE);
                    }
                    return subject;
                });
    }

    private static RuntimeException classify(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // The JWKS could not be fetched, its content could not be read as keys, or no worker was free:
            // the service's trouble, not the token's.
            if (cause instanceof IOException || cause instanceof RejectedExecutionException
                    || (cause instanceof UnresolvableKeyException && String.valueOf(cause.getMessage()).startsWith(KEY_NOT_LOADED))) {
                long now = System.nanoTime();
                long last = lastWarning.get();
                if (now - last > WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
                    LOG.warnf("End-user tokens cannot be verified (said at most once a minute): %s", cause.toString());
                }
                return new KeysUnavailable();
            }
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidJwtException invalid) {
                if (invalid.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
                    return new Rejected("The end-user token has no exp (expiry) claim; exp and iat are required");
                }
                if (invalid.hasErrorCode(ErrorCodes.ISSUED_AT_MISSING)) {
                    return new Rejected("The end-user token has no iat (issued-at) claim; exp and iat are required");
                }
                if (invalid.hasExpired()) {
                    return new Rejected("The end-user token has expired");
                }
                if (invalid.hasErrorCode(ErrorCodes.ISSUER_INVALID) || invalid.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
                    return new Rejected("The end-user token comes from another issuer");
                }
                if (invalid.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || invalid.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
                    return new Rejected("The end-user token is meant for another audience");
                }
                if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
                    return new Rejected("The end-user token's signature does not verify");
                }
                if (invalid.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
                    return new Rejected("The end-user token is not valid yet");
                }
            }
        }
        return new Rejected("The end-user token is not valid");
    }

    /** The issuer's keys cannot be had right now; the token may well be valid. */
    public static final class KeysUnavailable extends RuntimeException {
        KeysUnavailable() {
            super("End-user tokens cannot be verified right now: the issuer's keys are unavailable; retry shortly", null, false, false);
        }
    }

    /** Why a token was refused; the message is safe to show (it never contains the token). */
    public static final class Rejected extends RuntimeException {
        Rejected(String message) {
            super(message, null, false, false);
        }
    }
}
