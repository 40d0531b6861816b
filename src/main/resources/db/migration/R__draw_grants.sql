-- The grant drawdown, in one place: takes p_cost from the account's open grants in the draw
-- order of docs/design.md, rule D2 (priority, soonest expiry with none last, oldest, id; the
-- Java DrawOrder sorts the same way, and DrawOrderAgreementTest proves it) and answers which
-- grant paid how much. The caller holds the account row lock and has checked that the balance
-- covers the cost (every open grant is in the balance, none expired: nothing is due).
create or replace function draw_grants(p_account_id varchar, p_cost bigint) returns jsonb
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
