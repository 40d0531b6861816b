package dev.creditledger;

import static dev.creditledger.support.Api.consume;
import static dev.creditledger.support.Api.grant;
import static dev.creditledger.support.Api.ledger;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.openFree;
import static dev.creditledger.support.Api.status;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.creditledger.domain.CreditGrant;
import dev.creditledger.domain.DrawOrder;
import dev.creditledger.support.LedgerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Proves that docs/design.md rule D2's two homes agree: the database's {@code draw_grants}
 * (R__draw_grants.sql), which pays every debit, takes the grants in exactly the order Java's
 * {@link DrawOrder#GRANTS} sorts them (which the account view and the domain use). The scene has
 * grants where each key decides: priority over expiry, a soonest expiry before a later one and any
 * before none, the older of equal expiries first even when its id is higher (the clock is moved
 * back for it), and the lower id when everything else ties.
 */
@QuarkusTest
class DrawOrderAgreementTest extends LedgerTest {

    private static final Instant T0 = Instant.parse("2027-03-01T00:00:00Z");

    /** The grants of a fresh free account, by name, in the order they are added; "allowance" is the plan's. */
    private Map<String, Long> scene(String user) {
        Map<String, Long> ids = new LinkedHashMap<>();
        clock.set(T0);
        openFree(user);
        ids.put("allowance", status(user).extract().jsonPath().getLong("grants.find { it.source == 'allowance' }.grantId"));
        ids.put("never", add(user, "{\"credits\":1,\"reason\":\"never expires\"}"));
        ids.put("mar20-at-0h00", add(user, "{\"credits\":0.5,\"expiresAt\":\"2027-03-20T00:00:00Z\"}"));
        clock.set(T0.plus(Duration.ofHours(1)));
        ids.put("mar20-at-1h00", add(user, "{\"credits\":0.75,\"expiresAt\":\"2027-03-20T00:00:00Z\"}"));
        ids.put("mar20-at-1h00-too", add(user, "{\"credits\":0.3,\"expiresAt\":\"2027-03-20T00:00:00Z\"}"));
        ids.put("priority-50", add(user, "{\"credits\":0.25,\"priority\":50}"));
        ids.put("mar10", add(user, "{\"credits\":1,\"expiresAt\":\"2027-03-10T00:00:00Z\"}"));
        // Back half an hour: a grant whose id is higher than the two above but which is older than them.
        clock.set(T0.plus(Duration.ofMinutes(30)));
        ids.put("mar20-at-0h30", add(user, "{\"credits\":0.6,\"expiresAt\":\"2027-03-20T00:00:00Z\"}"));
        clock.set(T0.plus(Duration.ofHours(2)));
        ids.put("priority-200-soonest", add(user, "{\"credits\":0.4,\"priority\":200,\"expiresAt\":\"2027-03-02T00:00:00Z\"}"));
        ids.put("priority-0-latest", add(user, "{\"credits\":0.35,\"priority\":0,\"expiresAt\":\"2027-12-31T00:00:00Z\"}"));
        ids.put("never-newer", add(user, "{\"credits\":0.45}"));
        return ids;
    }

    private static long add(String user, String body) {
        return grant(user, body).statusCode(201).extract().jsonPath().getLong("grantId");
    }

    /** The account's open grants as stored, sorted by the Java draw order. */
    private List<CreditGrant> inJavaOrder(String user) {
        List<CreditGrant> grants = new ArrayList<>();
        for (String row : ledger.strings("select grant_id || ',' || priority || ',' || coalesce(to_char(expires_at at time zone 'UTC', "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '') || ',' || to_char(created_at at time zone 'UTC', "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || ',' || remaining from credit_grant where account_id = ? and remaining > 0", user)) {
            String[] f = row.split(",", -1);
            CreditGrant g = new CreditGrant();
            g.grantId = Long.parseLong(f[0]);
            g.priority = Integer.parseInt(f[1]);
            g.expiresAt = f[2].isEmpty() ? null : Instant.parse(f[2]);
            g.createdAt = Instant.parse(f[3]);
            g.remaining = Long.parseLong(f[4]);
            grants.add(g);
        }
        grants.sort(DrawOrder.GRANTS);
        return grants;
    }

    private static List<String> names(Map<String, Long> ids, List<Long> grantIds) {
        Map<Long, String> byId = new LinkedHashMap<>();
        ids.forEach((name, id) -> byId.put(id, name));
        return grantIds.stream().map(id -> byId.getOrDefault(id, "grant " + id)).toList();
    }

    /** The scene exercises every key: if this fails, the scene (or DrawOrder itself) changed, not the agreement. */
    private static final List<String> JAVA_ORDER = List.of("priority-0-latest", "priority-50", "mar10", "mar20-at-0h00",
            "mar20-at-0h30", "mar20-at-1h00", "mar20-at-1h00-too", "allowance", "never", "never-newer", "priority-200-soonest");

    @Test
    void grantSizedDebitsAreEachPaidByTheNextGrantInTheJavaDrawOrder() {
        String user = newUserId("draworder");
        Map<String, Long> ids = scene(user);
        List<CreditGrant> order = inJavaOrder(user);
        assertEquals(JAVA_ORDER, names(ids, order.stream().map(g -> g.grantId).toList()), "the scene's Java draw order");

        List<String> expected = new ArrayList<>();
        List<String> paidBy = new ArrayList<>();
        for (CreditGrant next : order) {
            expected.add(names(ids, List.of(next.grantId)) + " " + List.of(next.remaining));
            consume(user, "{\"feature\":\"llm_call\",\"tokens\":" + next.remaining + "}").statusCode(200);
            JsonPath entry = ledger(user).statusCode(200).extract().jsonPath().setRootPath("entries[0]");
            assertEquals("consume", entry.getString("kind"));
            paidBy.add(names(ids, entry.getList("grants.grantId", Long.class)) + " " + entry.getList("grants.amount", Long.class));
        }

        assertEquals(expected, paidBy, "each grant-sized debit is paid whole by the next grant in the Java order");
        status(user).body("balanceTokens", equalTo(0));
    }

    @Test
    void oneDebitOfTheWholeBalanceIsSplitAcrossTheGrantsInTheJavaDrawOrder() {
        String user = newUserId("drawsplit");
        Map<String, Long> ids = scene(user);
        List<CreditGrant> order = inJavaOrder(user);
        long balance = order.stream().mapToLong(g -> g.remaining).sum();

        consume(user, "{\"feature\":\"llm_call\",\"tokens\":" + balance + "}").statusCode(200);

        JsonPath entry = ledger(user).statusCode(200).extract().jsonPath().setRootPath("entries[0]");
        assertEquals(JAVA_ORDER, names(ids, entry.getList("grants.grantId", Long.class)), "grants paying the debit, in order");
        assertEquals(order.stream().map(g -> g.remaining).toList(), entry.getList("grants.amount", Long.class),
                "each grant pays all it has");
    }
}
