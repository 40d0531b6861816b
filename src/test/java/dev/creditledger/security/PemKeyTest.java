package dev.creditledger.security;

import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.creditledger.support.LedgerTest;
import dev.creditledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The issuer's public key given inline (mp.jwt.verify.publickey) instead of a JWKS location: it alone is trusted. */
@QuarkusTest
@TestProfile(PemKeyTest.InlineKey.class)
class PemKeyTest extends LedgerTest {

    private static final String PRIVATE_KEY = "test.jwt.inline-private-key";

    public static class InlineKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                return Map.of("mp.jwt.verify.publickey", Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
                        PRIVATE_KEY, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void tokensSignedWithTheConfiguredKeyPassAndTheJwksKeysNoLonger() throws GeneralSecurityException {
        String user = newUserId("pem");
        openFree(user);
        byte[] der = Base64.getDecoder().decode(ConfigProvider.getConfig().getValue(PRIVATE_KEY, String.class));
        String token = Tokens.claims(user).sign(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der)));
        given().header("Authorization", "Bearer " + token).get("/v1/me").then().statusCode(200).body("userId", equalTo(user));
        given().header("Authorization", "Bearer " + Tokens.forUser(user)).get("/v1/me").then().statusCode(401);
    }
}
