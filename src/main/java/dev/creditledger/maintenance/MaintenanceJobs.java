package dev.creditledger.maintenance;

import dev.creditledger.idempotency.IdempotencyStore;
import dev.creditledger.ledger.Book;
import dev.creditledger.ledger.BookStore;
import dev.creditledger.ledger.Writes;
import dev.creditledger.plan.CreditsConfig;
import dev.creditledger.plan.PlanCatalog;
import dev.creditledger.time.Instants;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Applies due period resets, subscription expiries, grant expiries and hold expiries ahead of the lazy path, and
 * deletes expired idempotency records. Each batch is one transaction over accounts picked with
 * {@code FOR UPDATE SKIP LOCKED}: several instances share the work, and each due account is
 * handled by exactly one of them, with the same code the lazy path runs.
 */
@ApplicationScoped
public class MaintenanceJobs {

    private static final Logger LOG = Logger.getLogger(MaintenanceJobs.class);
    private static final String DUE_ACCOUNTS = "select account_id from account where next_maintenance_at <= $1 "
            + "order by next_maintenance_at limit $2 for update skip locked";

    private final Writes writes;
    private final BookStore books;
    private final PlanCatalog plans;
    private final IdempotencyStore idempotency;
    private final Pool pool;
    private final Clock clock;
    private final int batchSize;

    public MaintenanceJobs(Writes writes, BookStore books, PlanCatalog plans, IdempotencyStore idempotency, Pool pool, Clock clock,
                           CreditsConfig config) {
        this.writes = writes;
        this.books = books;
        this.plans = plans;
        this.idempotency = idempotency;
        this.pool = pool;
        this.clock = clock;
        this.batchSize = config.maintenance().batchSize();
    }

    @Scheduled(identity = "account-maintenance", every = "${credits.maintenance.every:60s}", delayed = "${credits.maintenance.delay:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledAccountMaintenance() {
        return maintainDueAccounts().invoke(n -> {
            if (n > 0) {
                LOG.infof("Maintenance applied to %d accounts", n);
            }
        }).replaceWithVoid();
    }

    @Scheduled(identity = "idempotency-cleanup", every = "${credits.idempotency.cleanup-every:10m}",
            delayed = "${credits.maintenance.delay:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledIdempotencyCleanup() {
        return deleteExpiredIdempotencyRecords().replaceWithVoid();
    }

    /** Brings every due account up to date; emits how many accounts were handled. */
    public Uni<Integer> maintainDueAccounts() {
        return maintainDueAccountIds().map(List::size);
    }

    /** Brings every due account up to date; emits the ids of the accounts handled (those that failed are left out). */
    public Uni<List<String>> maintainDueAccountIds() {
        Instant now = Instants.now(clock);
        return repeatWhileFullIds(() -> writes.transaction(conn -> maintainBatch(conn, now)));
    }

    /** Deletes idempotency records past their retention; emits how many went. */
    public Uni<Integer> deleteExpiredIdempotencyRecords() {
        Instant now = Instants.now(clock);
        return repeatWhileFull(() -> idempotency.deleteExpired(pool, now, batchSize));
    }

    /** Runs batches until one comes back short of a full batch; emits the total handled. */
    private Uni<Integer> repeatWhileFull(Supplier<Uni<Integer>> batch) {
        return batch.get().flatMap(n -> n == batchSize
                ? repeatWhileFull(batch).map(rest -> n + rest)
                : Uni.createFrom().item(n));
    }

    /** Runs batches until one comes back short of a full batch; emits the ids of all of them. */
    private Uni<List<String>> repeatWhileFullIds(Supplier<Uni<List<String>>> batch) {
        return batch.get().flatMap(ids -> ids.size() == batchSize
                ? repeatWhileFullIds(batch).map(rest -> {
                    List<String> all = new ArrayList<>(ids);
                    all.addAll(rest);
                    return all;
                })
                : Uni.createFrom().item(ids));
    }

    private Uni<List<String>> maintainBatch(SqlConnection conn, Instant now) {
        return conn.preparedQuery(DUE_ACCOUNTS).execute(Tuple.of(now.atOffset(ZoneOffset.UTC), batchSize))
                .flatMap(rows -> {
                    List<String> ids = new ArrayList<>();
                    for (Row row : rows) {
                        ids.add(row.getString(0));
                    }
                    return Multi.createFrom().iterable(ids)
                            .onItem().transformToUniAndConcatenate(id -> maintainIsolated(conn, id, now))
                            .collect().asList();
                });
    }

    /**
     * One account inside a savepoint: an account that fails is rolled back alone, logged and left
     * due for the next run, and the rest of the batch goes on. Emits the id, or null on failure.
     */
    private Uni<String> maintainIsolated(SqlConnection conn, String userId, Instant now) {
        return conn.query("savepoint maintain_account").execute()
                .chain(() -> maintainOne(conn, userId, now))
                .chain(() -> conn.query("release savepoint maintain_account").execute())
                .replaceWith(userId)
                .onFailure().recoverWithUni(e -> {
                    LOG.errorf(e, "Maintenance of account %s failed; it stays due and is retried on the next run", userId);
                    return conn.query("rollback to savepoint maintain_account").execute().replaceWith((String) null);
                });
    }

    private Uni<Void> maintainOne(SqlConnection conn, String userId, Instant now) {
        return books.lock(conn, userId, "scheduler").flatMap(book -> {
            book.maintain(now, plans);
            return books.flush(conn, book);
        });
    }
}
