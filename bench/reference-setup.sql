-- The reference debit's schema (design doc, "Performance reference"): the least a guarded debit with a ledger row can be.
-- Run with psql -v accounts=N against the pgbench_ref database, which run.sh creates fresh.
create table acct(id bigint primary key, balance bigint check (balance >= 0));
create table ledger(id bigserial primary key, account_id bigint, delta bigint, idem text unique);
insert into acct select g, 1000000000 from generate_series(1, :accounts) g;
vacuum analyze acct;
