package dev.creditledger.maintenance;

import dev.creditledger.catalog.CreditsConfig;
import dev.creditledger.db.SchemaReady;
import dev.creditledger.domain.Actors;
import dev.creditledger.idempotency.IdempotencyStore;
import dev.creditledger.metrics.CreditMetrics;
import dev.creditledger.sql.Sql;
import dev.creditledger.time.Instants;
import dev.creditledger.write.DueMaintenance;
import dev.creditledger.write.Transactions;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *
 * <p>No run starts before the schema is migrated: the scheduler itself starts before the
 * database's start-up, which may take long (an embedded server's first start, a long migration, a
 * lock another replica holds). At shutdown (docs/design.md, rule O4) no run starts any more, a run in progress ends after the
 * account it holds, and the service waits for it, up to {@code credits.maintenance.stop-timeout},
 * before the pool and the embedded database stop: a job is never cut off inside its transaction.
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
    private final Duration stopTimeout;
    /** Set once the database is ready ({@link SchemaReady}): no run starts before. */
    private volatile boolean ready;
    /** Set at shutdown: no run starts, and a run in progress ends after its current account. */
    private volatile boolean stopping;
    /** The scheduled runs in progress, each done when its run ends, however it ends. */
    private final Set<CompletableFuture<Void>> running = ConcurrentHashMap.newKeySet();

    public MaintenanceJobs(Transactions writes, DueMaintenance maintenance, IdempotencyStore idempotency, Pool pool, Clock clock,
                           CreditsConfig config, CreditMetrics metrics) {
        this.metrics = metrics;
        this.writes = writes;
        this.maintenance = maintenance;
        this.idempotency = idempotency;
        this.pool = pool;
        this.clock = clock;
        this.batchSize = config.maintenance().batchSize();
        this.stopTimeout = config.maintenance().stopTimeout();
    }

    @Scheduled(identity = "account-maintenance", every = "${credits.maintenance.every:60s}", delayed = "${credits.maintenance.delay:10s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = NotNow.class)
    Uni<Void> scheduledAccountMaintenance() {
        return tracked(() -> maintainDueAccounts().invoke(n -> {
            if (n > 0) {
                LOG.infof("Maintenance applied to %d accounts", n);
            }
        }));
    }

    @Scheduled(identity = "idempotency-cleanup", every = "${credits.idempotency.cleanup-every:10m}",
            delayed = "${credits.maintenance.delay:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = NotNow.class)
    Uni<Void> scheduledIdempotencyCleanup() {
        return tracked(this::deleteExpiredIdempotencyRecords);
    }

    /** A scheduled run, counted in {@link #running} until it ends; none starts once the service is stopping. */
    private Uni<Void> tracked(Supplier<Uni<?>> run) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        running.add(done); // before reading stopping, as stop() sets it before reading running: one of them sees the other
        if (stopping) {
            running.remove(done);
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().deferred(run).replaceWithVoid()
                .onFailure(e -> stopping).recoverWithItem(e -> {
                    // The stop timeout ran out and the pool closed under the run: rolled back, not broken.
                    LOG.warnf("A maintenance run stopped with the service (%s)", e.toString());
                    return null;
                })
                .onTermination().invoke(() -> {
                    running.remove(done);
                    done.complete(null);
                });
    }

    /** Skips a scheduled run before the database is ready and once the service is stopping. */
    @Singleton
    static class NotNow implements Scheduled.SkipPredicate {

        private final MaintenanceJobs jobs;

        NotNow(MaintenanceJobs jobs) {
            this.jobs = jobs;
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !jobs.mayRun();
        }
    }

    /** Whether a scheduled run may start: the database is ready and the service is not stopping. */
    boolean mayRun() {
        return ready && !stopping;
    }

    void ready(@Observes SchemaReady event) {
        ready = true;
    }

    /** From SIGTERM on, no run starts (maintenance is also applied lazily, so none is needed to stop). */
    void stopping(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
    }

    /**
     * After the requests have drained, and before anything else stops (the embedded database
     * included): waits for the run in progress, which ends after the account (or cleanup batch) it holds.
     */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) throws InterruptedException {
        stopping = true;
        List<CompletableFuture<Void>> runs = List.copyOf(running);
        if (runs.isEmpty()) {
            return;
        }
        LOG.infof("Waiting up to %s for the maintenance run in progress to finish", stopTimeout);
        try {
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("A maintenance run was still in progress after %s; what it holds rolls back and stays due", stopTimeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never: the futures are only ever completed normally
        }
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
                    if (stopping) {
                        return Uni.createFrom().voidItem(); // the gauge waits for the next run
                    }
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
        return batch.get().flatMap(n -> n == batchSize && !stopping
                ? repeatWhileFull(batch).map(rest -> n + rest)
                : Uni.createFrom().item(n));
    }

    /** What one step of a run did: maintained an account, failed on one, or found none due. */
    private record Step(String accountId, boolean failed, boolean none) {
    }

    /** Maintains the next due account in a transaction of its own, leaving out those that failed in this run. */
    private Uni<Step> maintainNext(Instant now, List<String> failed) {
        if (stopping) {
            return Uni.createFrom().item(new Step(null, false, true)); // the rest waits for the next start, or another instance
        }
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
                    if (stopping) { // the stop timeout ran out and the pool closed under it: rolled back, not broken
                        LOG.warnf("Maintenance of account %s stopped with the service (%s); it stays due", picked.get(), e.toString());
                    } else {
                        LOG.errorf(e, "Maintenance of account %s failed; it stays due and is retried on the next run", picked.get());
                    }
                    failed.add(picked.get());
                    return new Step(picked.get(), true, false);
                });
    }
}
