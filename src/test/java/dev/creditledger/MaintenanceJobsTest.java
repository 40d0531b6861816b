package dev.creditledger;

import static dev.creditledger.support.Api.codeGeneration;
import static dev.creditledger.support.Api.grant;
import static dev.creditledger.support.Api.newUserId;
import static dev.creditledger.support.Api.open;
import static dev.creditledger.support.Api.openFree;
import static dev.creditledger.support.Api.status;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.creditledger.maintenance.MaintenanceJobs;
import dev.creditledger.support.LedgerTest;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scheduler's jobs: same result as the lazy path, each due account handled exactly once. */
@QuarkusTest
class MaintenanceJobsTest extends LedgerTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    MaintenanceJobs jobs;

    private void drainDueAccounts() {
        jobs.maintainDueAccounts().await().atMost(WAIT);
    }

    @Test
    void theSchedulerAndTheLazyPathLeaveTheSameVisibleState() {
        clock.set("2030-01-31T00:00:00Z");
        drainDueAccounts();
        String lazy = newUserId("lazy");
        String scheduled = newUserId("sched");
        for (String user : List.of(lazy, scheduled)) {
            open(user, "{\"tier\":\"pro\",\"subscriptionDays\":45}").statusCode(201);
            grant(user, "{\"credits\":2,\"expiresAt\":\"2030-02-10T00:00:00Z\"}").statusCode(201);
            codeGeneration(user).statusCode(200);
        }
        clock.set("2030-05-02T00:00:00Z");
        drainDueAccounts();
        assertEquals(0, ledger.count("select count(*) from account where account_id = ? and next_maintenance_at <= ?::timestamptz",
                scheduled, clock.instant().toString()), "the job brought the account up to date");

        Map<String, Object> viaLazy = comparable(status(lazy).statusCode(200).extract().as(Map.class));
        Map<String, Object> viaScheduler = comparable(status(scheduled).statusCode(200).extract().as(Map.class));
        assertEquals(viaLazy, viaScheduler);
        assertEquals(ledger.strings("select kind || ' ' || amount || ' ' || balance_after || ' ' || created_at from ledger_entry "
                        + "where account_id = ? order by entry_id", lazy),
                ledger.strings("select kind || ' ' || amount || ' ' || balance_after || ' ' || created_at from ledger_entry "
                        + "where account_id = ? order by entry_id", scheduled));
    }

    @Test
    void twoInstancesRunningAtOnceHandleEachDueAccountExactlyOnce() {
        clock.set("2031-01-01T00:00:00Z");
        drainDueAccounts();
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String user = newUserId("twice");
            openFree(user);
            users.add(user);
        }
        clock.set("2031-02-01T00:00:01Z");

        List<List<String>> handled = Uni.join().all(jobs.maintainDueAccountIds(), jobs.maintainDueAccountIds()).andFailFast()
                .await().atMost(WAIT);

        for (String user : users) {
            assertEquals(1, Collections.frequency(handled.get(0), user) + Collections.frequency(handled.get(1), user),
                    user + " was handled by exactly one of the two runs: " + handled);
            assertEquals(2, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'grant'", user),
                    "one reset for " + user);
        }
        List<String> again = jobs.maintainDueAccountIds().await().atMost(WAIT);
        assertEquals(List.of(), users.stream().filter(again::contains).toList(),
                "nothing of this test's is due any more: the jobs are idempotent");
    }

    @Test
    void anAccountWhoseMaintenanceFailsIsRolledBackAloneAndTheRestOfTheBatchIsMaintained() {
        clock.set("2032-01-01T00:00:00Z");
        drainDueAccounts();
        String failing = newUserId("fails");
        String before = newUserId("before");
        String after = newUserId("after");
        for (String user : List.of(before, failing, after)) {
            openFree(user);
            codeGeneration(user).statusCode(200);
        }
        clock.set("2032-02-01T00:00:01Z");
        String unchanged = ledger.snapshot(failing);
        // The database refuses any change to this one account, so its maintenance fails at the flush.
        ledger.execute("create function refuse_maintenance() returns trigger language plpgsql as "
                + "$$ begin raise exception 'maintenance refused for this test'; end; $$");
        ledger.execute("create trigger refuse_maintenance before update on account for each row "
                + "when (new.account_id = '" + failing + "') execute function refuse_maintenance()");
        List<String> handled;
        try {
            handled = jobs.maintainDueAccountIds().await().atMost(WAIT);
        } finally {
            ledger.execute("drop trigger refuse_maintenance on account");
            ledger.execute("drop function refuse_maintenance()");
        }

        assertEquals(List.of(true, false, true), List.of(handled.contains(before), handled.contains(failing), handled.contains(after)),
                "the failing account is left out, the others of its batch are handled: " + handled);
        for (String user : List.of(before, after)) {
            assertEquals(2, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'grant'", user),
                    "one reset for " + user);
        }
        assertEquals(unchanged, ledger.snapshot(failing), "the failing account's changes are rolled back, all of them");
        assertEquals(List.of(failing), jobs.maintainDueAccountIds().await().atMost(WAIT).stream().filter(failing::equals).toList(),
                "the failing account stays due and the next run handles it");
        assertEquals(2, ledger.count("select count(*) from ledger_entry where account_id = ? and kind = 'grant'", failing));
    }

    @Test
    void expiredIdempotencyRecordsAreDeletedAndTheKeyIsFreeAgain() {
        clock.set("2032-01-01T00:00:00Z");
        String user = newUserId("idemclean");
        openFree(user);
        dev.creditledger.support.Api.json().header("Idempotency-Key", "old").body("{\"feature\":\"code_generation\"}")
                .post("/v1/accounts/{id}/consume", user).then().statusCode(200);
        clock.advance(Duration.ofHours(23));
        jobs.deleteExpiredIdempotencyRecords().await().atMost(WAIT);
        assertEquals(1, ledger.count("select count(*) from idempotency_record where account_id = ?", user), "kept within retention");
        clock.advance(Duration.ofHours(2));
        assertEquals(1, ledger.count("select count(*) from idempotency_record where account_id = ?", user),
                "past its retention, the record stays until the job deletes it");
        jobs.deleteExpiredIdempotencyRecords().await().atMost(WAIT);
        assertEquals(0, ledger.count("select count(*) from idempotency_record where account_id = ?", user), "the job deleted it");
        dev.creditledger.support.Api.json().header("Idempotency-Key", "old").body("{\"feature\":\"code_review\"}")
                .post("/v1/accounts/{id}/consume", user).then().statusCode(200).header("Idempotent-Replayed", nullValue());
        assertEquals(List.of("code_review", "code_generation"), ledger.strings("select feature from ledger_entry "
                + "where account_id = ? and idempotency_key = 'old' order by entry_id desc", user), "the key was free again");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> comparable(Map<String, Object> view) {
        view.remove("userId");
        ((List<Map<String, Object>>) view.get("grants")).forEach(g -> g.remove("grantId"));
        return view;
    }
}
