package dev.creditledger.security;

import dev.creditledger.account.UserIds;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;

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
     * The verified token's user id, or a failure with a {@link Rejected} saying why it is refused.
     * Completes on the caller's Vert.x context.
     */
    public Uni<String> subject(String token) {
        if (!configured) {
            return Uni.createFrom().failure(new Rejected("This service is not configured for end-user tokens "
                    + "(mp.jwt.verify.issuer, mp.jwt.verify.audiences and a public key are needed)"));
        }
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(() -> parser.parse(token), false).toCompletionStage())
                .onFailure().transform(EndUserTokens::reason)
                .map(jwt -> {
                    String subject = jwt.getSubject();
                    if (subject == null || !UserIds.isValid(subject)) {
                        throw new Rejected("The end-user token's subject (sub) must be a user id: " + UserIds.RULE);
                    }
                    return subject;
                });
    }

    private static Rejected reason(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidJwtException invalid) {
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

    /** Why a token was refused; the message is safe to show (it never contains the token). */
    public static final class Rejected extends RuntimeException {
        Rejected(String message) {
            super(message, null, false, false);
        }
    }
}
