-- A hold that shrinks to fit the balance (an expiry or a downgrade left less balance than was
-- held) gets its own ledger kind, 'shrink', instead of a 'release' told apart by its reason.
-- Entries written before this version keep their kind: the ledger is never edited.
alter table ledger_entry drop constraint ledger_kind_known;
alter table ledger_entry add constraint ledger_kind_known check (kind in
    ('grant', 'consume', 'expire', 'hold', 'settle', 'release', 'shrink', 'adjust', 'refund'));

-- The open-grant index in the draw order of docs/design.md (rule D2), as draw_grants sorts.
drop index credit_grant_open;
create index credit_grant_open on credit_grant (account_id, priority, expires_at asc nulls last, created_at, grant_id)
    where remaining > 0;

-- The live functions moved to one repeatable migration each (R__*.sql); their results gained a
-- outcome column, so the old signatures go first.
drop function debit_account(varchar, bigint, timestamptz, varchar, bigint, varchar, varchar);
drop function hold_credits(varchar, bigint, timestamptz, timestamptz, varchar, boolean, integer, varchar, varchar);
drop function resolve_reservation(varchar, bigint, boolean, bigint, timestamptz, varchar, varchar);
