-- Who did what with an admin key: every admin-only request that could change something
-- (POST, PUT, DELETE), whatever its answer. Append-only, like the ledger.
create table audit_entry (
    audit_id    bigint generated always as identity primary key,
    key_id      bigint       not null references api_key (key_id),
    key_prefix  varchar(16)  not null,
    method      varchar(8)   not null,
    path        varchar(600) not null,
    status      integer      not null,
    request_id  varchar(100) not null,
    created_at  timestamptz  not null
);

create trigger audit_entry_append_only
    before update or delete on audit_entry
    for each row execute function ledger_entry_is_append_only();
