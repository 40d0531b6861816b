package dev.creditledger.support;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

/**
 * End-user tokens as the app would sign them, and the ways they go wrong. Valid ones carry the
 * suite's issuer and audience, a subject and an expiry, signed with one of {@link TestJwtKeys}' keys.
 */
public final class Tokens {

    public static final String ISSUER = "https://app.example.test";
    public static final String AUDIENCE = "credit-ledger";

    private static final Map<String, PrivateKey> SIGNING_KEYS = new ConcurrentHashMap<>();

    private Tokens() {
    }

    /** A valid token for the user, signed with the first published key. */
    public static String forUser(String userId) {
        return signed(claims(userId));
    }

    /** A valid token for the user, signed with the published key of this id. */
    public static String forUser(String userId, String kid) {
        return claims(userId).jws().keyId(kid).sign(signingKey(kid));
    }

    /** The user's token builder with valid claims, to change one of them before signing. */
    public static JwtClaimsBuilder claims(String userId) {
        Instant now = Instant.now();
        JwtClaimsBuilder builder = Jwt.issuer(ISSUER).audience(AUDIENCE).issuedAt(now).expiresAt(now.plusSeconds(300));
        return userId == null ? builder : builder.subject(userId);
    }

    public static String signed(JwtClaimsBuilder claims) {
        return claims.jws().keyId(TestJwtKeys.FIRST_KID).sign(signingKey(TestJwtKeys.FIRST_KID));
    }

    /** Valid claims, signed by a key the service does not know, under a published key id. */
    public static String signedByAnotherKey(String userId) {
        return claims(userId).jws().keyId(TestJwtKeys.FIRST_KID).sign(TestJwtKeys.rsa().getPrivate());
    }

    /** Valid claims signed with a trusted key, but naming a key id the issuer does not publish. */
    public static String underAnUnpublishedKeyId(String userId) {
        return claims(userId).jws().keyId("not-published").sign(signingKey(TestJwtKeys.FIRST_KID));
    }

    /** Signed with the first published key and naming it, but with no {@code exp} (the builder always adds one). */
    public static String withoutExpiry(String userId) {
        return handSigned("{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"sub\":\"" + userId + "\",\"iat\":"
                + Instant.now().getEpochSecond() + "}");
    }

    /** Signed with the first published key and naming it, but with no {@code iat} (the builder always adds one). */
    public static String withoutIssuedAt(String userId) {
        return handSigned("{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"sub\":\"" + userId + "\",\"exp\":"
                + (Instant.now().getEpochSecond() + 300) + "}");
    }

    private static String handSigned(String payload) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(payload);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKeyIdHeaderValue(TestJwtKeys.FIRST_KID);
        jws.setKey(signingKey(TestJwtKeys.FIRST_KID));
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Valid claims with {@code alg: none}, naming a published key, and no signature. */
    public static String unsigned(String userId) {
        String header = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + TestJwtKeys.FIRST_KID + "\"}");
        String payload = base64Url("{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"sub\":\"" + userId
                + "\",\"exp\":" + (Instant.now().getEpochSecond() + 300) + "}");
        return header + "." + payload + ".";
    }

    /** Valid claims naming a published key, signed with HS256 using the public key's PEM as the secret (algorithm confusion). */
    public static String hmacWithThePublicKey(String userId) {
        return claims(userId).jws().keyId(TestJwtKeys.FIRST_KID).signWithSecret(read(TestJwtKeys.PUBLIC_PEM));
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Cached by file, since an application restart (a test profile) makes new keys. */
    private static PrivateKey signingKey(String kid) {
        return SIGNING_KEYS.computeIfAbsent(keysDir().resolve(kid + ".pem").toString(), file -> {
            String pem = read(kid + ".pem").replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            try {
                return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static Path keysDir() {
        return Path.of(ConfigProvider.getConfig().getValue(TestJwtKeys.KEYS_DIR, String.class));
    }

    private static String read(String name) {
        try {
            return Files.readString(keysDir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
