package dev.creditledger.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.creditledger.client.invoker.ApiException;
import dev.creditledger.client.model.Grant;
import dev.creditledger.client.model.GrantRequest;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Answers are UTF-8 whatever the JVM's default charset (surefire runs this with US-ASCII): the
 * generated code's new String(bytes) is patched to UTF-8 at build time (see the pom). No service needed.
 */
class Utf8Test {

    private static final String REASON = "Bonus f\u00fcr J\u00f6rg \u2013 \u2713 \u65e5\u672c";

    private static <T> T withStub(int status, String body, StubCall<T> call) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", status < 300 ? "application/json" : "application/problem+json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            return call.run(CreditLedgerClient.create(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "k".repeat(40)));
        } finally {
            server.stop(0);
        }
    }

    interface StubCall<T> {
        T run(CreditLedgerClient client) throws Exception;
    }

    @Test
    void answersAreDecodedAsUtf8() throws Exception {
        Grant grant = withStub(201, "{\"grantId\":7,\"reason\":\"" + REASON + "\"}",
                client -> client.grants().grantCredits("u", new GrantRequest().credits(BigDecimal.ONE), null));

        assertEquals(REASON, grant.getReason());
    }

    @Test
    void problemBodiesAreDecodedAsUtf8() throws Exception {
        ApiException e = withStub(404, "{\"type\":\"urn:credit-ledger:problem:account-not-found\",\"status\":404,"
                        + "\"detail\":\"No account for user id '" + REASON + "'\"}",
                client -> {
                    try {
                        client.accounts().getAccount("u");
                        throw new AssertionError("expected a 404");
                    } catch (ApiException thrown) {
                        return thrown;
                    }
                });

        assertEquals("No account for user id '" + REASON + "'", Problems.from(e).detail());
    }
}
