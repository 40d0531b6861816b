package dev.creditledger.maintenance;

import dev.creditledger.catalog.CreditsConfig;
import dev.creditledger.domain.Actors;
import dev.creditledger.idempotency.IdempotencyStore;
import dev.creditledger.sql.Sql;
import dev.creditledger.time.Instants;
import dev.creditledger.write.DueMaintenance;
import dev.creditledger.write.Transactions;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
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

    private final Transactions writes;
    private final DueMaintenance maintenance;
    private final IdempotencyStore idempotency;
    private final Pool pool;
    private final Clock clock;
    private final int batchSize;

    public MaintenanceJobs(Transactions writes, DueMaintenance maintenance, IdempotencyStore idempotency, Pool pool, Clock clock,
                           CreditsConfig config) {
        this.writes = writes;
        this.maintenance = maintenance;
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
        return repeatWhileFullIds(() -> writes.inTransaction(() -> maintainBatch(now)));
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

    private Uni<List<String>> maintainBatch(Instant now) {
        return Sql.session().query(DUE_ACCOUNTS, Sql.utc(now), batchSize)
                .flatMap(rows -> {
                    List<String> ids = new ArrayList<>();
                    for (Sql.Columns row : rows) {
                        ids.add(row.string("account_id"));
                    }
                    return Multi.createFrom().iterable(ids)
                            .onItem().transformToUniAndConcatenate(id -> maintainIsolated(id, now))
                            .collect().asList();
                });
    }

    /**
     * One account inside a savepoint: an account that fails is rolled back alone, logged and left
     * due for the next run, and the rest of the batch goes on. Emits the id, or null on failure.
     */
    private Uni<String> maintainIsolated(String userId, Instant now) {
        Sql sql = Sql.session();
        return sql.update("savepoint maintain_account")
                .chain(() -> maintainOne(userId, now))
                .chain(() -> sql.update("release savepoint maintain_account"))
                .replaceWith(userId)
                .onFailure().recoverWithUni(e -> {
                    LOG.errorf(e, "Maintenance of account %s failed; it stays due and is retried on the next run", userId);
                    // What the failed account left in the session is rolled back too: forget it.
                    return sql.update("rollback to savepoint maintain_account")
                            .chain(() -> Panache.getSession().invoke(session -> session.clear()))
                            .replaceWith((String) null);
                });
    }

    private Uni<Void> maintainOne(String userId, Instant now) {
        return maintenance.applyAndWrite(userId, now, Actors.SCHEDULER).replaceWithVoid();
    }
}
