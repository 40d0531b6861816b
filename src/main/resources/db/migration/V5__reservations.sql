-- Reservations (holds): an amount of an account's balance set aside for an in-flight AI call,
-- resolved exactly once: settled with the actual usage, released, or expired by its TTL.
-- A hold does not move the balance; it raises account.held, so available = balance - held.
-- Every writer of an account's reservations first locks the account row (the functions below,
-- and BookStore.lock for maintenance), so the lock order is always account, then reservation.

alter table account
    add column open_reservations integer not null default 0,
    add constraint account_open_reservations_non_negative check (open_reservations >= 0),
    -- Invariant 4 as a constraint: nothing may leave less balance than is held.
    add constraint account_held_within_balance check (held <= balance);

create table reservation (
    account_id      varchar(128) not null references account (account_id),
    reservation_id  bigint generated always as identity,
    status          varchar(16)  not null,
    feature         varchar(64)  not null,
    -- A metered feature's settle charges the tokens reported; a fixed one's charges what it held.
    metered         boolean      not null,
    requested       bigint       not null,
    held            bigint       not null,
    tokens          bigint,
    charged         bigint,
    idempotency_key varchar(255),
    actor           varchar(64)  not null,
    created_at      timestamptz  not null,
    expires_at      timestamptz  not null,
    resolved_at     timestamptz,
    primary key (account_id, reservation_id),
    constraint reservation_status_known check (status in ('open', 'settled', 'released', 'expired')),
    constraint reservation_requested_positive check (requested > 0),
    -- held starts at requested and only shrinks (an expiry that leaves too little balance), to 0
    -- once the reservation is resolved.
    constraint reservation_held_bounded check (held >= 0 and held <= requested and (status = 'open' or held = 0)),
    constraint reservation_resolution check ((status = 'open') = (resolved_at is null)),
    constraint reservation_charged check ((status = 'settled') = (charged is not null) and coalesce(charged, 0) >= 0),
    constraint reservation_expires_after_creation check (expires_at > created_at)
);

-- Open holds of one account (loaded with the account under its lock) and the listing per account.
create index reservation_open on reservation (account_id, expires_at) where status = 'open';

-- A ledger entry of a hold, settle or release names its reservation and says how it moved the
-- held amount; the balance moves by amount as before (0 for a hold or a release).
alter table ledger_entry
    add column reservation_id bigint,
    add column held_change bigint not null default 0;

-- The drawdown, in one place: takes p_cost from the account's open grants in draw order
-- (priority, soonest expiry with none last, oldest, id) and answers which grant paid how much.
-- The caller holds the account row lock and has checked that the balance covers the cost.
create function draw_grants(p_account_id varchar, p_cost bigint) returns jsonb
language plpgsql as $$
declare
    v_grants jsonb;
    v_drawn bigint;
begin
    if p_cost = 0 then
        return '[]'::jsonb;
    end if;
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
    return v_grants;
end;
$$;

-- The debit of V2, now drawing through draw_grants (same statements, same single round trip).
create or replace function debit_account(
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

    insert into ledger_entry (account_id, kind, amount, balance_after, feature, tokens, grants, idempotency_key, actor, created_at)
    values (p_account_id, 'consume', -p_cost, v_balance, p_feature, p_tokens, draw_grants(p_account_id, p_cost),
            p_idempotency_key, p_actor, p_now)
    returning ledger_entry.entry_id into v_entry;

    return query select v_entry, v_balance, v_held, v_total, v_monthly,
                        null::timestamptz, null::timestamptz, null::varchar, null::timestamptz;
end;
$$;

-- A new hold as one guarded UPDATE: enough available (balance - held), fewer open holds than the
-- cap, no maintenance due. On a refusal nothing changes and the account's state comes back with a
-- null reservation_id (with the earliest open hold's expiry, for Retry-After); no row: no account.
create function hold_credits(
    p_account_id varchar, p_amount bigint, p_now timestamptz, p_expires_at timestamptz, p_feature varchar,
    p_metered boolean, p_max_open integer, p_idempotency_key varchar, p_actor varchar)
returns table (reservation_id bigint, entry_id bigint, balance bigint, held bigint, open_reservations integer,
               next_maintenance_at timestamptz, period_end timestamptz, tier varchar, subscription_ends_at timestamptz,
               earliest_hold_expiry timestamptz)
language plpgsql as $$
declare
    v_balance bigint;
    v_held bigint;
    v_open integer;
    v_reservation bigint;
    v_entry bigint;
begin
    update account a
       set held = a.held + p_amount,
           open_reservations = a.open_reservations + 1,
           next_maintenance_at = least(a.next_maintenance_at, p_expires_at),
           updated_at = greatest(a.updated_at, p_now)
     where a.account_id = p_account_id and a.balance - a.held >= p_amount and a.open_reservations < p_max_open
       and a.next_maintenance_at > p_now
    returning a.balance, a.held, a.open_reservations into v_balance, v_held, v_open;
    if not found then
        return query
            select null::bigint, null::bigint, a.balance, a.held, a.open_reservations, a.next_maintenance_at, a.period_end,
                   a.tier, a.subscription_ends_at,
                   (select min(r.expires_at) from reservation r where r.account_id = p_account_id and r.status = 'open')
              from account a
             where a.account_id = p_account_id;
        return;
    end if;

    insert into reservation (account_id, status, feature, metered, requested, held, idempotency_key, actor, created_at, expires_at)
    values (p_account_id, 'open', p_feature, p_metered, p_amount, p_amount, p_idempotency_key, p_actor, p_now, p_expires_at)
    returning reservation.reservation_id into v_reservation;

    insert into ledger_entry (account_id, kind, amount, balance_after, feature, idempotency_key, actor, created_at,
                              reservation_id, held_change)
    values (p_account_id, 'hold', 0, v_balance, p_feature, p_idempotency_key, p_actor, p_now, v_reservation, p_amount)
    returning ledger_entry.entry_id into v_entry;

    return query select v_reservation, v_entry, v_balance, v_held, v_open,
                        null::timestamptz, null::timestamptz, null::varchar, null::timestamptz, null::timestamptz;
end;
$$;

-- Settles (p_settle true) or releases one open reservation, under the account row lock, in one
-- round trip. A settle charges the reported p_tokens (metered) or what was held at first (fixed),
-- as far as the hold plus the available balance cover it; a release charges nothing.
-- outcome: 'done' with the reservation as resolved (its columns as in the table, after the
-- account's balance and held amount); 'due' when maintenance must be applied first;
-- 'not-open' with the reservation as it is; 'tokens-required' for a metered settle without
-- tokens; 'no-reservation'; no row at all when there is no such account. Only 'done' changes anything.
create function resolve_reservation(
    p_account_id varchar, p_reservation_id bigint, p_settle boolean, p_tokens bigint, p_now timestamptz,
    p_idempotency_key varchar, p_actor varchar)
returns table (outcome varchar, entry_id bigint, account_balance bigint, account_held bigint,
               account_id varchar, reservation_id bigint, status varchar, feature varchar, metered boolean, requested bigint,
               held bigint, tokens bigint, charged bigint, idempotency_key varchar, actor varchar, created_at timestamptz,
               expires_at timestamptz, resolved_at timestamptz)
language plpgsql as $$
declare
    v_account account%rowtype;
    v_r reservation%rowtype;
    v_outcome varchar;
    v_charge bigint := 0;
    v_entry bigint;
begin
    select * into v_account from account a where a.account_id = p_account_id for update;
    if not found then
        return;
    end if;
    select * into v_r from reservation r where r.account_id = p_account_id and r.reservation_id = p_reservation_id;
    if not found then
        v_outcome := 'no-reservation';
    elsif v_account.next_maintenance_at <= p_now or (v_r.status = 'open' and v_r.expires_at <= p_now) then
        v_outcome := 'due';
    elsif v_r.status <> 'open' then
        v_outcome := 'not-open';
    elsif p_settle and v_r.metered and p_tokens is null then
        v_outcome := 'tokens-required';
    else
        v_outcome := 'done';
        if p_settle then
            -- What the hold set aside, plus what else is available once it is released.
            v_charge := least(case when v_r.metered then p_tokens else v_r.requested end,
                              v_account.balance - v_account.held + v_r.held);
        end if;
        -- When this hold's expiry was the account's next maintenance, the next one is the earliest
        -- of what is left (nothing is due now, so each of these lies ahead); otherwise it stands.
        update account a
           set held = a.held - v_r.held,
               open_reservations = a.open_reservations - 1,
               balance = a.balance - v_charge,
               total_tokens_used = a.total_tokens_used + v_charge,
               monthly_tokens_used = a.monthly_tokens_used + v_charge,
               next_maintenance_at = case when a.next_maintenance_at < v_r.expires_at then a.next_maintenance_at else least(
                   a.period_end,
                   case when a.subscription_ends_at > p_now then a.subscription_ends_at end,
                   (select min(g.expires_at) from credit_grant g where g.account_id = p_account_id and g.remaining > 0),
                   (select min(r.expires_at) from reservation r where r.account_id = p_account_id and r.status = 'open'
                       and r.reservation_id <> p_reservation_id)) end,
               updated_at = greatest(a.updated_at, p_now)
         where a.account_id = p_account_id
        returning * into v_account;

        insert into ledger_entry (account_id, kind, amount, balance_after, feature, tokens, grants, idempotency_key, actor,
                                  created_at, reservation_id, held_change)
        values (p_account_id, case when p_settle then 'settle' else 'release' end, -v_charge, v_account.balance,
                v_r.feature, p_tokens, draw_grants(p_account_id, v_charge), p_idempotency_key, p_actor, p_now,
                p_reservation_id, -v_r.held)
        returning ledger_entry.entry_id into v_entry;

        update reservation r
           set status = case when p_settle then 'settled' else 'released' end,
               held = 0,
               tokens = p_tokens,
               charged = case when p_settle then v_charge end,
               resolved_at = p_now
         where r.account_id = p_account_id and r.reservation_id = p_reservation_id
        returning * into v_r;
    end if;

    return query select v_outcome, v_entry, v_account.balance, v_account.held,
                        v_r.account_id, v_r.reservation_id, v_r.status, v_r.feature, v_r.metered, v_r.requested, v_r.held,
                        v_r.tokens, v_r.charged, v_r.idempotency_key, v_r.actor, v_r.created_at, v_r.expires_at, v_r.resolved_at;
end;
$$;
