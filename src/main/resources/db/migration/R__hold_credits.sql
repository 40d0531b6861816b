-- A new hold as one guarded UPDATE (docs/design.md, rule W2): enough available (balance - held),
-- fewer open holds than the cap, no maintenance due. outcome says what happened, and only 'held'
-- changed anything:
--   'held'          the new reservation_id and the account's balance and held amount after it;
--   'due'           maintenance is due: the caller applies it under the row lock and tries again;
--   'too-many'      the account has p_max_open open holds (with the earliest one's expiry);
--   'insufficient'  too few credits: the account's state, enough to answer the refusal;
--   'no-account'    no such account.
create or replace function hold_credits(
    p_account_id varchar, p_amount bigint, p_now timestamptz, p_expires_at timestamptz, p_feature varchar,
    p_metered boolean, p_max_open integer, p_idempotency_key varchar, p_actor varchar)
returns table (outcome varchar, reservation_id bigint, balance bigint, held bigint, open_reservations integer,
               period_end timestamptz, tier varchar, subscription_ends_at timestamptz, earliest_hold_expiry timestamptz)
language plpgsql as $$
declare
    v_balance bigint;
    v_held bigint;
    v_open integer;
    v_reservation bigint;
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
            select (case when a.next_maintenance_at <= p_now then 'due'
                         when a.open_reservations >= p_max_open then 'too-many'
                         else 'insufficient' end)::varchar,
                   null::bigint, a.balance, a.held, a.open_reservations, a.period_end, a.tier, a.subscription_ends_at,
                   (select min(r.expires_at) from reservation r where r.account_id = p_account_id and r.status = 'open')
              from account a
             where a.account_id = p_account_id;
        if not found then
            return query select 'no-account'::varchar, null::bigint, null::bigint, null::bigint, null::integer,
                                null::timestamptz, null::varchar, null::timestamptz, null::timestamptz;
        end if;
        return;
    end if;

    insert into reservation (account_id, status, feature, metered, requested, held, idempotency_key, actor, created_at, expires_at)
    values (p_account_id, 'open', p_feature, p_metered, p_amount, p_amount, p_idempotency_key, p_actor, p_now, p_expires_at)
    returning reservation.reservation_id into v_reservation;

    insert into ledger_entry (account_id, kind, amount, balance_after, feature, idempotency_key, actor, created_at,
                              reservation_id, held_change)
    values (p_account_id, 'hold', 0, v_balance, p_feature, p_idempotency_key, p_actor, p_now, v_reservation, p_amount);

    return query select 'held'::varchar, v_reservation, v_balance, v_held, v_open,
                        null::timestamptz, null::varchar, null::timestamptz, null::timestamptz;
end;
$$;
