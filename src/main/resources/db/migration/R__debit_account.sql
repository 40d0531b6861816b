-- The debit as one call (docs/design.md, rule D1): the guarded UPDATE
-- (balance - held >= cost and next_maintenance_at > now), the grant drawdown and the ledger entry
-- in one round trip. A PL/pgSQL function runs inside the caller's transaction (or its own, when
-- called in autocommit), and in READ COMMITTED each statement in it takes a fresh snapshot: the
-- drawdown starts after the UPDATE holds the account row lock, so it sees every earlier debit's.
-- outcome says what happened, and only 'paid' changed anything:
--   'paid'          entry_id, the account's counters after the debit, and its tier;
--   'due'           maintenance is due: the caller applies it under the row lock and tries again;
--   'insufficient'  too few credits: the account's state, enough to answer the refusal;
--   'no-account'    no such account.
create or replace function debit_account(
    p_account_id varchar, p_cost bigint, p_now timestamptz, p_feature varchar, p_tokens bigint,
    p_idempotency_key varchar, p_actor varchar)
returns table (outcome varchar, entry_id bigint, balance bigint, held bigint, total_tokens_used bigint,
               period_end timestamptz, tier varchar, subscription_ends_at timestamptz)
language plpgsql as $$
declare
    v_balance bigint;
    v_held bigint;
    v_total bigint;
    v_entry bigint;
    v_tier varchar;
begin
    update account a
       set balance = a.balance - p_cost,
           total_tokens_used = a.total_tokens_used + p_cost,
           monthly_tokens_used = a.monthly_tokens_used + p_cost,
           updated_at = greatest(a.updated_at, p_now)
     where a.account_id = p_account_id and a.balance - a.held >= p_cost and a.next_maintenance_at > p_now
    returning a.balance, a.held, a.total_tokens_used, a.tier into v_balance, v_held, v_total, v_tier;
    if not found then
        return query
            select (case when a.next_maintenance_at <= p_now then 'due' else 'insufficient' end)::varchar,
                   null::bigint, a.balance, a.held, a.total_tokens_used, a.period_end, a.tier, a.subscription_ends_at
              from account a
             where a.account_id = p_account_id;
        if not found then
            return query select 'no-account'::varchar, null::bigint, null::bigint, null::bigint, null::bigint,
                                null::timestamptz, null::varchar, null::timestamptz;
        end if;
        return;
    end if;

    insert into ledger_entry (account_id, kind, amount, balance_after, feature, tokens, grants, idempotency_key, actor, created_at)
    values (p_account_id, 'consume', -p_cost, v_balance, p_feature, p_tokens, draw_grants(p_account_id, p_cost),
            p_idempotency_key, p_actor, p_now)
    returning ledger_entry.entry_id into v_entry;

    return query select 'paid'::varchar, v_entry, v_balance, v_held, v_total, null::timestamptz, v_tier, null::timestamptz;
end;
$$;
