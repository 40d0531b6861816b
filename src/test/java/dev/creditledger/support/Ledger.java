package dev.creditledger.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.creditledger.catalog.CreditsConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Direct reads of the database for tests: the invariants of docs/design.md, checked over every
 * account, and snapshots of one account to prove that a refused request changed nothing.
 */
@ApplicationScoped
public class Ledger {

    /** One invariant: SQL answering the account ids that break it, with its parameters. */
    private record Invariant(String sql, Object... args) {
    }

    private final Map<String, Invariant> invariants = new LinkedHashMap<>();
    private final DataSource dataSource;

    @Inject
    public Ledger(AgroalDataSource dataSource, CreditsConfig config) {
        this(dataSource, config.defaultTier(), config.idempotency().retention());
    }

    /**
     * The checks over the database of a packaged service run with its defaults: the tier and
     * retention read from {@code application.properties}, for the tests that run it as a process.
     */
    public static Ledger ofPackagedService(DataSource dataSource) {
        Properties defaults = new Properties();
        try (InputStream in = Ledger.class.getResourceAsStream("/application.properties")) {
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read application.properties", e);
        }
        return new Ledger(dataSource, defaults.getProperty("credits.default-tier"),
                Duration.parse(defaults.getProperty("credits.idempotency.retention")));
    }

    private Ledger(DataSource dataSource, String defaultTier, Duration idempotencyRetention) {
        this.dataSource = dataSource;
        long retentionSeconds = idempotencyRetention.toSeconds();
        invariants.put("1. balance = sum(remaining of active grants) >= 0", new Invariant("""
                select a.account_id from account a
                  left join (select account_id, sum(remaining) as s from credit_grant group by account_id) g using (account_id)
                 where a.balance <> coalesce(g.s, 0) or a.balance < 0"""));
        invariants.put("2. sum(ledger amounts) = balance", new Invariant("""
                select a.account_id from account a
                  left join (select account_id, sum(amount) as s from ledger_entry group by account_id) l using (account_id)
                 where a.balance <> coalesce(l.s, 0)"""));
        invariants.put("2b. every balance_after is the running sum of the ledger", new Invariant("""
                select account_id from (select account_id, balance_after,
                       sum(amount) over (partition by account_id order by entry_id) as running from ledger_entry) e
                 where balance_after <> running"""));
        invariants.put("3. amount - consumed - expired = remaining >= 0", new Invariant("""
                select account_id from credit_grant
                 where amount - consumed - expired <> remaining or remaining < 0 or consumed < 0 or expired < 0"""));
        // Every grant, consume, settle and expire entry names its grants as [{"grantId":..,"amount":..}].
        invariants.put("3b. each grant: amount = its one grant entry, consumed = the consume and settle portions naming it, "
                + "expired = -(its expire entries)", new Invariant("""
                with portions as (
                    select e.account_id, e.kind, e.amount, (p ->> 'grantId')::bigint as grant_id, (p ->> 'amount')::bigint as portion
                      from ledger_entry e cross join lateral jsonb_array_elements(e.grants) p
                ), per_grant as (
                    select account_id, grant_id,
                           coalesce(sum(portion) filter (where kind in ('consume', 'settle')), 0) as consumed,
                           coalesce(-sum(amount) filter (where kind = 'expire'), 0) as expired,
                           count(*) filter (where kind = 'grant') as grant_entries,
                           sum(amount) filter (where kind = 'grant') as granted
                      from portions group by account_id, grant_id
                )
                select g.account_id from credit_grant g left join per_grant p using (account_id, grant_id)
                 where coalesce(p.consumed, 0) <> g.consumed or coalesce(p.expired, 0) <> g.expired
                    or coalesce(p.grant_entries, 0) <> 1 or p.granted is distinct from g.amount
                union
                select p.account_id from per_grant p left join credit_grant g using (account_id, grant_id) where g.grant_id is null"""));
        invariants.put("4. available = balance - held >= 0", new Invariant(
                "select account_id from account where balance - held < 0 or held < 0"));
        invariants.put("4b. held = the sum of the open reservations' holds, open_reservations their count", new Invariant("""
                select a.account_id from account a
                  left join (select account_id, sum(held) as s, count(*) as n from reservation where status = 'open'
                              group by account_id) r using (account_id)
                 where a.held <> coalesce(r.s, 0) or a.open_reservations <> coalesce(r.n, 0)"""));
        invariants.put("4c. sum(ledger held changes) = held", new Invariant("""
                select a.account_id from account a
                  left join (select account_id, sum(held_change) as s from ledger_entry group by account_id) l using (account_id)
                 where a.held <> coalesce(l.s, 0)"""));
        invariants.put("4d. each reservation: one hold entry of its request; resolved exactly once, by one settle or release entry", new Invariant("""
                select r.account_id from reservation r
                 where (select count(*) from ledger_entry e where e.account_id = r.account_id and e.reservation_id = r.reservation_id
                           and e.kind = 'hold' and e.held_change = r.requested) <> 1
                    or (select count(*) from ledger_entry e where e.account_id = r.account_id and e.reservation_id = r.reservation_id
                           and e.kind in ('settle', 'release'))
                       <> case when r.status = 'open' then 0 else 1 end
                    or (r.status = 'settled') <> exists (select 1 from ledger_entry e where e.account_id = r.account_id
                           and e.reservation_id = r.reservation_id and e.kind = 'settle' and e.amount = -r.charged)
                    or r.requested + (select coalesce(sum(e.held_change), 0) from ledger_entry e where e.account_id = r.account_id
                           and e.reservation_id = r.reservation_id and e.kind <> 'hold') <> r.held"""));
        // xmin is the transaction that inserted the row (the ledger is append-only, so it never
        // changes): every keyed write's entries come from one transaction, the key's own. A key is
        // free again once its record's retention has passed, so transactions of one key are
        // compared with the one before them, by the first instant each wrote.
        invariants.put("5. one idempotency key, one writing transaction: the entries of a key come from one transaction "
                + "within its retention (credits.idempotency.retention)", new Invariant("""
                select account_id from (
                    select account_id, first_at - lag(first_at) over (partition by account_id, idempotency_key
                                                                      order by first_at, first_entry) as gap
                      from (select account_id, idempotency_key, xmin::text as tx, min(created_at) as first_at,
                                   min(entry_id) as first_entry
                              from ledger_entry where idempotency_key is not null
                             group by account_id, idempotency_key, xmin::text) t) k
                 where gap < make_interval(secs => ?)""", retentionSeconds));
        invariants.put("5a. one idempotency key, one reservation (within its retention)", new Invariant("""
                select account_id from (
                    select account_id, created_at - lag(created_at) over (partition by account_id, idempotency_key
                                                                          order by created_at, reservation_id) as gap
                      from reservation where idempotency_key is not null) r
                 where gap < make_interval(secs => ?)""", retentionSeconds));
        invariants.put("5b. every consume and settle is paid by grants for its full amount", new Invariant("""
                select account_id from ledger_entry e where kind in ('consume', 'settle')
                   and -amount <> (select coalesce(sum((p ->> 'amount')::bigint), 0) from jsonb_array_elements(e.grants) p)"""));
        invariants.put("5c. no debit drew from a grant already expired at its time (or from no grant of its account)", new Invariant("""
                select e.account_id from ledger_entry e cross join lateral jsonb_array_elements(e.grants) p
                  left join credit_grant g on g.account_id = e.account_id and g.grant_id = (p ->> 'grantId')::bigint
                 where e.kind in ('consume', 'settle')
                   and (g.grant_id is null or g.expires_at <= e.created_at)"""));
        // The earliest instant anything falls due, as Book.maintain computes it: a hold or grant
        // expiry (of a grant that still holds tokens), the end of a paid subscription, the period end.
        // docs/design.md rule M1: never later than the earliest due event (an event would be missed);
        // earlier only at the expiry of a grant that a debit or settle has since emptied (the guarded
        // functions do not recompute it on the hot path: the next write takes the slow path once).
        invariants.put("6. next_maintenance_at = the earliest of period_end, a paid tier's subscription_ends_at, "
                + "the expiries of grants with remaining > 0 and of open reservations; or earlier, at an emptied grant's expiry",
                new Invariant("""
                select account_id || ' (next_maintenance_at ' || next_at || ', earliest due ' || due || ')' from (
                    select a.account_id, to_char(a.next_maintenance_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as next_at,
                           a.next_maintenance_at < least(
                               a.period_end,
                               case when a.tier <> ? then a.subscription_ends_at end,
                               (select min(g.expires_at) from credit_grant g where g.account_id = a.account_id and g.remaining > 0),
                               (select min(r.expires_at) from reservation r where r.account_id = a.account_id and r.status = 'open'))
                             and exists (select 1 from credit_grant g where g.account_id = a.account_id and g.remaining = 0
                                           and g.expires_at = a.next_maintenance_at) as early_at_emptied_grant,
                           to_char(least(
                               a.period_end,
                               case when a.tier <> ? then a.subscription_ends_at end,
                               (select min(g.expires_at) from credit_grant g where g.account_id = a.account_id and g.remaining > 0),
                               (select min(r.expires_at) from reservation r where r.account_id = a.account_id and r.status = 'open'))
                               at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as due
                      from account a) d
                 where next_at is distinct from due and not early_at_emptied_grant""",
                defaultTier, defaultTier));
    }

    /**
     * Fails naming each broken invariant and the accounts that break it. An account that broke an
     * invariant fails the first test that finds it; later tests fail only for accounts (or
     * invariants) not reported before, so one broken account does not fail every test after it.
     */
    public void assertInvariants() {
        Map<String, List<String>> broken = new LinkedHashMap<>();
        invariants.forEach((name, invariant) -> {
            List<String> accounts = strings(invariant.sql(), invariant.args()).stream()
                    .filter(account -> REPORTED.add(name + " | " + account)).toList();
            if (!accounts.isEmpty()) {
                broken.put(name, accounts.subList(0, Math.min(10, accounts.size())));
            }
        });
        assertEquals(Map.of(), broken, "ledger invariants broken");
    }

    /** Invariant and account of every break already reported by a test of this application. */
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    /** Everything stored about one account, to compare before and after a refused request. */
    public String snapshot(String userId) {
        return String.join("\n",
                strings("select row(a.*)::text from account a where account_id = ?", userId).toString(),
                strings("select row(g.*)::text from credit_grant g where account_id = ? order by grant_id", userId).toString(),
                strings("select row(e.*)::text from ledger_entry e where account_id = ? order by entry_id", userId).toString(),
                strings("select row(r.*)::text from idempotency_record r where account_id = ? order by idempotency_key", userId).toString(),
                strings("select row(r.*)::text from reservation r where account_id = ? order by reservation_id", userId).toString());
    }

    /** Changes the database behind the service's back, to stage what no API call can (a stale tier). */
    public int execute(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** How many consume entries each idempotency key has, over every account: for the tests that count what a fault left. */
    public Map<String, Long> consumesByKey() {
        Map<String, Long> entries = new LinkedHashMap<>();
        for (String row : strings("select idempotency_key || ' ' || count(*) from ledger_entry "
                + "where kind = 'consume' and idempotency_key is not null group by idempotency_key")) {
            int space = row.lastIndexOf(' ');
            entries.put(row.substring(0, space), Long.parseLong(row.substring(space + 1)));
        }
        return entries;
    }

    public long count(String sql, Object... args) {
        return Long.parseLong(strings(sql, args).get(0));
    }

    public List<String> strings(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
