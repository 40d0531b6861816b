package dev.creditledger.maintenance;

import dev.creditledger.catalog.CreditsConfig;
import dev.creditledger.domain.Actors;
import dev.creditledger.idempotency.IdempotencyStore;
import dev.creditledger.metrics.CreditMetrics;
import dev.creditledger.sql.Sql;
import dev.creditledger.time.Instants;
import dev.creditledger.write.DueMaintenance;
import dev.creditledger.write.Transactions;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Applies due period resets, subscription expiries, grant expiries and hold expiries ahead of the lazy path, and
 * deletes expired idempotency records. Each account is maintained in a transaction of its own,
 * picked with {@code FOR UPDATE SKIP LOCKED}: several instances share the work, each due account
 * is handled by exactly one of them, with the same code the lazy path runs, and an account whose
 * maintenance fails rolls back alone (after a failed statement the reactive client rolls the whole
 * transaction back, savepoint or not, so one transaction per account is what isolates it), stays
 * due and is left for the next run.
 */
@ApplicationScoped
public class MaintenanceJobs {

    private static final Logger LOG = Logger.getLogger(MaintenanceJobs.class);
    /** The next due account no other transaction holds, leaving out those that failed in this run. */
    private static final String NEXT_DUE_ACCOUNT = "select account_id from account where next_maintenance_at <= $1 "
            + "and not (account_id = any($2)) order by next_maintenance_at limit 1 for update skip locked";
    /** After a run no open hold is past its expiry (but on accounts a request held locked meanwhile). */
    private static final String OPEN_RESERVATIONS = "select count(*) as open from reservation where status = 'open'";

    private final Transactions writes;
    private final DueMaintenance maintenance;
    private final IdempotencyStore idempotency;
    private final Pool pool;
    private final Clock clock;
    private final int batchSize;
    private final CreditMetrics metrics;

    public MaintenanceJobs(Transactions writes, DueMaintenance maintenance, IdempotencyStore idempotency, Pool pool, Clock clock,
                           CreditsConfig config, CreditMetrics metrics) {
        this.metrics = metrics;
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
        List<String> failed = new ArrayList<>();
        // A repetition, not a recursion: a backlog of any size runs in constant stack.
        return Multi.createBy().repeating().uni(() -> maintainNext(now, failed)).until(Step::none)
                .filter(step -> !step.none() && !step.failed())
                .map(Step::accountId)
                .collect().asList()
                .call(done -> {
                    metrics.maintained(done.size(), failed.size());
                    return Sql.on(pool).query(OPEN_RESERVATIONS).invoke(rows -> metrics.openReservations(rows.get(0).longValue("open")));
                });
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

    /** What one step of a run did: maintained an account, failed on one, or found none due. */
    private record Step(String accountId, boolean failed, boolean none) {
    }

    /** Maintains the next due account in a transaction of its own, leaving out those that failed in this run. */
    private Uni<Step> maintainNext(Instant now, List<String> failed) {
        AtomicReference<String> picked = new AtomicReference<>();
        return writes.inTransaction(() -> Sql.session().query(NEXT_DUE_ACCOUNT, Sql.utc(now), failed.toArray(String[]::new))
                        .flatMap(rows -> {
                            if (rows.isEmpty()) {
                                return Uni.createFrom().item(new Step(null, false, true));
                            }
                            picked.set(rows.get(0).string("account_id"));
                            return maintenance.applyAndWrite(picked.get(), now, Actors.SCHEDULER)
                                    .replaceWith(new Step(picked.get(), false, false));
                        }))
                .onFailure(e -> picked.get() != null).recoverWithItem(e -> {
                    LOG.errorf(e, "Maintenance of account %s failed; it stays due and is retried on the next run", picked.get());
                    failed.add(picked.get());
                    return new Step(picked.get(), true, false);
                });
    }
}
