package dev.creditledger.support;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * The app's token-signing keys for the suite, as an identity provider publishes them: two fresh
 * RSA key pairs per run (so no private key is ever committed), served as a JWKS over HTTP, which
 * the service reads through {@code mp.jwt.verify.publickey.location}. {@link Tokens} signs with the
 * private keys, written beside the first public key in a temporary directory.
 */
@QuarkusTestResource(TestJwtKeys.class)
public class TestJwtKeys implements QuarkusTestResourceLifecycleManager {

    /** Property naming the directory of the suite's key files. */
    static final String KEYS_DIR = "test.jwt.keys-dir";
    /** The key ids the JWKS publishes; tokens are signed with the first unless a test says otherwise. */
    public static final String FIRST_KID = "suite-1";
    public static final String SECOND_KID = "suite-2";
    static final String PUBLIC_PEM = "public.pem";

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("credit-ledger-test-jwt");
            KeyPair first = rsa();
            KeyPair second = rsa();
            Files.writeString(dir.resolve(PUBLIC_PEM), pem("PUBLIC KEY", first.getPublic().getEncoded()));
            Files.writeString(dir.resolve(FIRST_KID + ".pem"), pem("PRIVATE KEY", first.getPrivate().getEncoded()));
            Files.writeString(dir.resolve(SECOND_KID + ".pem"), pem("PRIVATE KEY", second.getPrivate().getEncoded()));
            byte[] jwks = ("{\"keys\":[" + jwk(FIRST_KID, first) + "," + jwk(SECOND_KID, second) + "]}").getBytes(StandardCharsets.UTF_8);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/.well-known/jwks.json", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                try (OutputStream body = exchange.getResponseBody()) {
                    body.write(jwks);
                }
            });
            server.start();
            return Map.of("mp.jwt.verify.publickey.location",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json",
                    KEYS_DIR, dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String jwk(String kid, KeyPair pair) {
        RSAPublicKey key = (RSAPublicKey) pair.getPublic();
        return "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"n\":\"" + unsigned(key.getModulus())
                + "\",\"e\":\"" + unsigned(key.getPublicExponent()) + "\"}";
    }

    /** A JWK number: big-endian bytes without the sign byte, base64url. */
    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
