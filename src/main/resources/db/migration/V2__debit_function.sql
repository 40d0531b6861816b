-- The debit as one call: the guarded UPDATE, the grant drawdown and the ledger entry in one
-- round trip. A PL/pgSQL function runs inside the caller's transaction (or its own, when called
-- in autocommit), and in READ COMMITTED each statement in it takes a fresh snapshot: the drawdown
-- starts after the UPDATE holds the account row lock, so it sees every earlier debit's drawdown.
-- When the guard refuses (too few credits, or maintenance due) it changes nothing and returns the
-- account's state with a null entry_id, so a 429 needs no further round trip; no row at all means
-- there is no such account.
create function debit_account(
    p_account_id varchar, p_cost bigint, p_now timestamptz, p_feature varchar, p_tokens bigint,
    p_idempotency_key varchar, p_actor varchar)
returns table (entry_id bigint, balance bigint, held bigint, total_tokens_used bigint, monthly_tokens_used bigint,
               next_maintenance_at timestamptz, period_end timestamptz, tier varchar, subscription_ends_at timestamptz)
language plpgsql as $$
declare
    v_balance bigint;
    v_held bigint;
    v_total bigint;
    v_monthly bigint;
    v_grants jsonb;
    v_drawn bigint;
    v_entry bigint;
begin
    update account a
       set balance = a.balance - p_cost,
           total_tokens_used = a.total_tokens_used + p_cost,
           monthly_tokens_used = a.monthly_tokens_used + p_cost,
           updated_at = greatest(a.updated_at, p_now)
     where a.account_id = p_account_id and a.balance - a.held >= p_cost and a.next_maintenance_at > p_now
    returning a.balance, a.held, a.total_tokens_used, a.monthly_tokens_used
         into v_balance, v_held, v_total, v_monthly;
    if not found then
        return query
            select null::bigint, a.balance, a.held, a.total_tokens_used, a.monthly_tokens_used,
                   a.next_maintenance_at, a.period_end, a.tier, a.subscription_ends_at
              from account a
             where a.account_id = p_account_id;
        return;
    end if;

    -- Every open grant is in the balance (the guard means none has expired), so the drawdown
    -- covers the cost; it is checked all the same.
    with open_grants as (
        select g.grant_id, g.remaining,
               (sum(g.remaining) over (order by g.priority, g.expires_at asc nulls last, g.created_at, g.grant_id))::bigint as upto
          from credit_grant g
         where g.account_id = p_account_id and g.remaining > 0
    ), takes as (
        select o.grant_id, o.upto, least(o.remaining, p_cost - (o.upto - o.remaining)) as take
          from open_grants o
         where o.upto - o.remaining < p_cost
    ), drawn as (
        update credit_grant g
           set remaining = g.remaining - t.take, consumed = g.consumed + t.take
          from takes t
         where g.account_id = p_account_id and g.grant_id = t.grant_id
        returning g.grant_id, t.take, t.upto
    )
    select coalesce(jsonb_agg(jsonb_build_object('grantId', d.grant_id, 'amount', d.take) order by d.upto), '[]'::jsonb),
           coalesce(sum(d.take), 0)
      into v_grants, v_drawn
      from drawn d;
    if v_drawn <> p_cost then
        raise exception 'grants paid % of a debit of % on account %: balance and grants disagree', v_drawn, p_cost, p_account_id;
    end if;

    insert into ledger_entry (account_id, kind, amount, balance_after, feature, tokens, grants, idempotency_key, actor, created_at)
    values (p_account_id, 'consume', -p_cost, v_balance, p_feature, p_tokens, v_grants, p_idempotency_key, p_actor, p_now)
    returning ledger_entry.entry_id into v_entry;

    return query select v_entry, v_balance, v_held, v_total, v_monthly,
                        null::timestamptz, null::timestamptz, null::varchar, null::timestamptz;
end;
$$;
