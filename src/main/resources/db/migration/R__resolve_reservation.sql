-- Settles (p_settle true) or releases one open reservation under the account row lock, in one
-- round trip (docs/design.md, rules R2 to R4). A settle charges the reported p_tokens (metered) or
-- what was held at first (fixed), as far as the hold plus the available balance cover it; a
-- release charges nothing. outcome says what happened, and only 'resolved' changed anything:
--   'resolved'         the reservation as resolved (its columns as in the table), after the
--                      account's balance and held amount;
--   'due'              maintenance is due (or this hold has expired): the caller applies it under
--                      the row lock and tries again;
--   'not-open'         the reservation as it stands, already settled, released or expired;
--   'tokens-required'  a metered settle without tokens, with the reservation;
--   'no-reservation'   the account has no reservation of that id;
--   'no-account'       no such account.
create or replace function resolve_reservation(
    p_account_id varchar, p_reservation_id bigint, p_settle boolean, p_tokens bigint, p_now timestamptz,
    p_idempotency_key varchar, p_actor varchar)
returns table (outcome varchar, account_balance bigint, account_held bigint,
               account_id varchar, reservation_id bigint, status varchar, feature varchar, metered boolean,
               requested bigint, held bigint, tokens bigint, charged bigint, idempotency_key varchar, actor varchar,
               created_at timestamptz, expires_at timestamptz, resolved_at timestamptz)
language plpgsql as $$
declare
    v_account account%rowtype;
    v_r reservation%rowtype;
    v_outcome varchar;
    v_charge bigint := 0;
begin
    select * into v_account from account a where a.account_id = p_account_id for update;
    if not found then
        v_outcome := 'no-account';
    else
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
            v_outcome := 'resolved';
        end if;
    end if;

    if v_outcome = 'resolved' then
        if p_settle then
            -- What the hold set aside, plus what else is available once it is released.
            v_charge := least(case when v_r.metered then p_tokens else v_r.requested end,
                              v_account.balance - v_account.held + v_r.held);
        end if;
        -- When this hold's expiry was the account's next maintenance, the next one is the earliest
        -- of what is left (rule M1; nothing is due now, so each of these lies ahead; a
        -- subscription end is only set on a paid tier, and one already past counts for nothing);
        -- otherwise it stands.
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
                p_reservation_id, -v_r.held);

        update reservation r
           set status = case when p_settle then 'settled' else 'released' end,
               held = 0,
               tokens = p_tokens,
               charged = case when p_settle then v_charge end,
               resolved_at = p_now
         where r.account_id = p_account_id and r.reservation_id = p_reservation_id
        returning * into v_r;
    end if;

    return query select v_outcome, v_account.balance, v_account.held,
                        v_r.account_id, v_r.reservation_id, v_r.status, v_r.feature, v_r.metered, v_r.requested, v_r.held,
                        v_r.tokens, v_r.charged, v_r.idempotency_key, v_r.actor, v_r.created_at, v_r.expires_at, v_r.resolved_at;
end;
$$;
