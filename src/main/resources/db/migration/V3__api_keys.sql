-- API keys for server-to-server calls. Only a SHA-256 hash of each key is stored: a key is 256
-- random bits, so a fast hash is safe, and the plain key is shown once, at creation.
create table api_key (
    key_id       bigint generated always as identity primary key,
    prefix       varchar(16)  not null,
    key_hash     varchar(64)  not null unique,
    name         varchar(100) not null,
    scopes       varchar(16)[] not null,
    created_at   timestamptz  not null,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    rate_limit   integer,
    constraint api_key_rate_limit_positive check (rate_limit > 0),
    constraint api_key_scopes_known check (scopes <@ array['admin', 'meter', 'read']::varchar(16)[] and cardinality(scopes) > 0)
);
