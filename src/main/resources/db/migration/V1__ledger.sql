-- credit-ledger schema, version 1.
-- Every per-account table carries account_id first in its primary key and unique constraints,
-- so the schema can be distributed by account id without change (DESIGN.md, Scale-out).
-- Amounts are tokens (bigint); credits are derived by the service.

create table account (
    account_id           varchar(128) primary key,
    tier                 varchar(64)  not null,
    subscription_ends_at timestamptz,
    period_anchor        timestamptz  not null,
    period_start         timestamptz  not null,
    period_end           timestamptz  not null,
    balance              bigint       not null default 0,
    held                 bigint       not null default 0,
    total_tokens_used    bigint       not null default 0,
    monthly_tokens_used  bigint       not null default 0,
    next_maintenance_at  timestamptz  not null,
    created_at           timestamptz  not null,
    updated_at           timestamptz  not null,
    constraint account_id_format check (account_id ~ '^[A-Za-z0-9._:@-]{1,128}$' and account_id not in ('.', '..')),
    constraint account_balance_non_negative check (balance >= 0),
    constraint account_held_non_negative check (held >= 0),
    constraint account_counters_non_negative check (total_tokens_used >= 0 and monthly_tokens_used >= 0),
    constraint account_period_ordered check (period_start < period_end)
);

create index account_maintenance_due on account (next_maintenance_at);

create table credit_grant (
    account_id   varchar(128) not null references account (account_id),
    grant_id     bigint generated always as identity,
    source       varchar(16)  not null,
    amount       bigint       not null,
    consumed     bigint       not null default 0,
    expired      bigint       not null default 0,
    remaining    bigint       not null,
    priority     integer      not null,
    effective_at timestamptz  not null,
    expires_at   timestamptz,
    reason       varchar(500),
    created_at   timestamptz  not null,
    primary key (account_id, grant_id),
    constraint grant_source_known check (source in
        ('allowance', 'bonus', 'promo', 'purchase', 'loyalty', 'cohort', 'adjustment')),
    constraint grant_amount_positive check (amount > 0),
    constraint grant_parts_non_negative check (consumed >= 0 and expired >= 0 and remaining >= 0),
    constraint grant_parts_add_up check (amount - consumed - expired = remaining)
);

-- The drawdown reads only grants that still hold tokens.
create index credit_grant_open on credit_grant (account_id, priority, expires_at, grant_id)
    where remaining > 0;

create table ledger_entry (
    account_id      varchar(128) not null references account (account_id),
    entry_id        bigint generated always as identity,
    kind            varchar(16)  not null,
    amount          bigint       not null,
    balance_after   bigint       not null,
    feature         varchar(64),
    tokens          bigint,
    grants          jsonb        not null default '[]',
    idempotency_key varchar(255),
    actor           varchar(64)  not null,
    reason          varchar(500),
    created_at      timestamptz  not null,
    primary key (account_id, entry_id),
    constraint ledger_kind_known check (kind in
        ('grant', 'consume', 'expire', 'hold', 'settle', 'release', 'adjust', 'refund')),
    constraint ledger_balance_after_non_negative check (balance_after >= 0)
);

-- The ledger is append-only: a correction is a new entry, never an edit.
create function ledger_entry_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'ledger_entry is append-only: % is not allowed', tg_op;
end;
$$;

create trigger ledger_entry_append_only
    before update or delete on ledger_entry
    for each row execute function ledger_entry_is_append_only();

-- One idempotency key has at most one effect per account. No foreign key: a key is claimed
-- before the account is known to exist (account creation itself honours keys).
create table idempotency_record (
    account_id      varchar(128) not null,
    idempotency_key varchar(255) not null,
    fingerprint     varchar(64)  not null,
    status          integer,
    response        text,
    created_at      timestamptz  not null,
    expires_at      timestamptz  not null,
    primary key (account_id, idempotency_key)
);

create index idempotency_record_expiry on idempotency_record (expires_at);
