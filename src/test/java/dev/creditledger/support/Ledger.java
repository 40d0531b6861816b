package dev.creditledger.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Direct reads of the database for tests: the invariants of DESIGN.md, checked over every
 * account, and snapshots of one account to prove that a refused request changed nothing.
 */
@ApplicationScoped
public class Ledger {

    private static final Map<String, String> INVARIANTS = new LinkedHashMap<>();

    static {
        INVARIANTS.put("1. balance = sum(remaining of active grants) >= 0", """
                select a.account_id from account a
                  left join (select account_id, sum(remaining) as s from credit_grant group by account_id) g using (account_id)
                 where a.balance <> coalesce(g.s, 0) or a.balance < 0""");
        INVARIANTS.put("2. sum(ledger amounts) = balance", """
                select a.account_id from account a
                  left join (select account_id, sum(amount) as s from ledger_entry group by account_id) l using (account_id)
                 where a.balance <> coalesce(l.s, 0)""");
        INVARIANTS.put("2b. every balance_after is the running sum of the ledger", """
                select account_id from (select account_id, balance_after,
                       sum(amount) over (partition by account_id order by entry_id) as running from ledger_entry) e
                 where balance_after <> running""");
        INVARIANTS.put("3. amount - consumed - expired = remaining >= 0", """
                select account_id from credit_grant
                 where amount - consumed - expired <> remaining or remaining < 0 or consumed < 0 or expired < 0""");
        INVARIANTS.put("4. available = balance - held >= 0", "select account_id from account where balance - held < 0 or held < 0");
        INVARIANTS.put("4b. held = the sum of the open reservations' holds, open_reservations their count", """
                select a.account_id from account a
                  left join (select account_id, sum(held) as s, count(*) as n from reservation where status = 'open'
                              group by account_id) r using (account_id)
                 where a.held <> coalesce(r.s, 0) or a.open_reservations <> coalesce(r.n, 0)""");
        INVARIANTS.put("4c. sum(ledger held changes) = held", """
                select a.account_id from account a
                  left join (select account_id, sum(held_change) as s from ledger_entry group by account_id) l using (account_id)
                 where a.held <> coalesce(l.s, 0)""");
        INVARIANTS.put("4d. each reservation: one hold entry of its request; resolved exactly once, by one settle or release entry", """
                select r.account_id from reservation r
                 where (select count(*) from ledger_entry e where e.account_id = r.account_id and e.reservation_id = r.reservation_id
                           and e.kind = 'hold' and e.held_change = r.requested) <> 1
                    or (select count(*) from ledger_entry e where e.account_id = r.account_id and e.reservation_id = r.reservation_id
                           and e.kind in ('settle', 'release'))
                       <> case when r.status = 'open' then 0 else 1 end
                    or (r.status = 'settled') <> exists (select 1 from ledger_entry e where e.account_id = r.account_id
                           and e.reservation_id = r.reservation_id and e.kind = 'settle' and e.amount = -r.charged)
                    or r.requested + (select coalesce(sum(e.held_change), 0) from ledger_entry e where e.account_id = r.account_id
                           and e.reservation_id = r.reservation_id and e.kind <> 'hold') <> r.held""");
        INVARIANTS.put("5. one idempotency key debits at most once (within its retention, 1 day in tests)", """
                select account_id from (select account_id, created_at - lag(created_at) over (
                         partition by account_id, idempotency_key order by entry_id) as gap
                    from ledger_entry where idempotency_key is not null and kind = 'consume') e
                 where gap < interval '1 day'""");
        INVARIANTS.put("5b. every consume and settle is paid by grants for its full amount", """
                select account_id from ledger_entry e where kind in ('consume', 'settle')
                   and -amount <> (select coalesce(sum((p ->> 'amount')::bigint), 0) from jsonb_array_elements(e.grants) p)""");
    }

    private final AgroalDataSource dataSource;

    public Ledger(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Fails naming each broken invariant and the accounts that break it. */
    public void assertInvariants() {
        Map<String, List<String>> broken = new LinkedHashMap<>();
        INVARIANTS.forEach((name, sql) -> {
            List<String> accounts = strings(sql);
            if (!accounts.isEmpty()) {
                broken.put(name, accounts.subList(0, Math.min(10, accounts.size())));
            }
        });
        assertEquals(Map.of(), broken, "ledger invariants broken");
    }

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
