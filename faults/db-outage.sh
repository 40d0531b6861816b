#!/usr/bin/env bash
# PostgreSQL restarted under keyed load (docs/design.md, rule O2). The packaged service runs on a
# PostgreSQL cluster of this script's own (so a restart disturbs nothing else); keyed consumes run
# from several clients while the cluster is stopped and started again. It checks that:
#   - every answer is 200 or 503 `unavailable` with Retry-After (never 500), and some met the outage;
#   - readiness (/q/health/ready) went down while the database was away, and came back by itself;
#   - every key ends charged exactly once: the keys answered 503 are retried with the same key until
#     200, and then the account's ledger holds one consume per key, and its balance is what they cost.
# Needs the packaged jar (./mvnw -B package -DskipTests), PostgreSQL's server binaries
# (/usr/lib/postgresql/*/bin), curl and psql. As root it runs PostgreSQL as the user postgres.
# Usage: faults/db-outage.sh        Knobs: REQUESTS (default 2000), CLIENTS (default 8)
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-2000}
CLIENTS=${CLIENTS:-8}
JAR=${CREDIT_LEDGER_JAR:-target/quarkus-app/quarkus-run.jar}
[[ -f $JAR ]] || { echo "no $JAR: run ./mvnw -B package -DskipTests first" >&2; exit 2; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

log() { printf '%s db-outage: %s\n' "$(date +%T)" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

WORK=$(mktemp -d /tmp/credit-db-outage.XXXXXX)
chmod 755 "$WORK"
SERVICE_PID=
cleanup() {
    local status=$?
    set +e   # the clean-up's own failures (a service that ends by its signal) must not become the script's status
    if [[ -n $SERVICE_PID ]]; then
        kill "$SERVICE_PID" 2>/dev/null
        wait "$SERVICE_PID" 2>/dev/null
    fi
    as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
[[ $(id -u) == 0 ]] && chown postgres "$WORK"

PG_PORT=$(scripts/free-port)
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust >/dev/null
pg() { as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1" -l "$WORK/pg.log" -w "$@" >/dev/null; }
pg start
log "PostgreSQL on 127.0.0.1:$PG_PORT"

PORT=$(scripts/free-port "$PG_PORT")
URL=http://127.0.0.1:$PORT
KEY=$(openssl rand -hex 24)
QUARKUS_HTTP_PORT=$PORT QUARKUS_HTTP_HOST=127.0.0.1 \
QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://127.0.0.1:$PG_PORT/postgres QUARKUS_DATASOURCE_USERNAME=postgres \
CREDITS_BOOTSTRAP_ADMIN_KEY=$KEY CREDITS_DATABASE_DATA_DIR=$WORK/data \
    java -jar "$JAR" >"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
ready() { [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/q/health/ready") == 200 ]]; }
wait_until() { # seconds condition...
    local deadline=$(( SECONDS + $1 )); shift
    until "$@"; do (( SECONDS < deadline )) || return 1; sleep 0.2; done
}
not_ready() { ! ready; }
wait_until 60 ready || { cat "$WORK/service.log" >&2; fail "the service did not become ready"; }

H=(-H "Authorization: Bearer $KEY" -H 'Content-Type: application/json')
USER_ID=outage-$(openssl rand -hex 4)
curl -s -o /dev/null -X PUT "${H[@]}" "$URL/v1/accounts/$USER_ID" -d '{"tier":"enterprise","subscriptionDays":30}'
curl -s -o /dev/null -X POST "${H[@]}" "$URL/v1/accounts/$USER_ID/grants" -d '{"credits":1000000,"reason":"outage test"}'
START_BALANCE=$(curl -s "${H[@]}" "$URL/v1/accounts/$USER_ID" | sed -n 's/.*"balanceTokens":\([0-9]*\).*/\1/p')
[[ -n $START_BALANCE ]] || fail "could not read the account"

consume() { # key -> "key status retry-after"
    local out
    out=$(curl -s -o /dev/null -D - -w '%{http_code}' --max-time 30 -X POST "${H[@]}" -H "Idempotency-Key: $1" \
        "$URL/v1/accounts/$USER_ID/consume" -d '{"feature":"code_generation"}' || echo 000)
    printf '%s %s %s\n' "$1" "${out: -3}" "$(grep -i '^retry-after:' <<<"$out" | tr -d '\r' | awk '{print $2}')"
}
export -f consume; export URL USER_ID KEY

log "$REQUESTS keyed consumes from $CLIENTS clients; PostgreSQL restarts meanwhile"
seq 1 "$REQUESTS" | sed 's/^/k/' | xargs -P "$CLIENTS" -I{} bash -c 'H=(-H "Authorization: Bearer $KEY" -H "Content-Type: application/json"); consume {}' \
    >"$WORK/answers" &
LOAD=$!
wait_until 60 bash -c "[[ \$(wc -l <'$WORK/answers') -ge $(( REQUESTS / 5 )) ]]" || fail "the load did not start"
pg stop -m immediate
log "PostgreSQL stopped at once (its connections reset under the queries in flight)"
wait_until 30 not_ready || fail "readiness stayed up while the database was away"
wait_until 30 bash -c "[[ \$(grep -c ' 503 ' '$WORK/answers') -ge 1 ]]" || true
pg start
log "PostgreSQL started again"
wait_until 60 ready || fail "readiness did not come back by itself"
wait "$LOAD"

answered=$(wc -l <"$WORK/answers")
(( answered == REQUESTS )) || fail "$answered of $REQUESTS requests answered"
others=$(awk '$2 != 200 && $2 != 503' "$WORK/answers")
[[ -z $others ]] || fail "answers other than 200 and 503: $(head -5 <<<"$others")"
unavailable=$(awk '$2 == 503' "$WORK/answers" | wc -l)
(( unavailable > 0 )) || fail "no request met the outage"
no_retry_after=$(awk '$2 == 503 && $3 == ""' "$WORK/answers" | wc -l)
(( no_retry_after == 0 )) || fail "$no_retry_after answers of 503 without Retry-After"
log "answers: $(( REQUESTS - unavailable )) of 200, $unavailable of 503 with Retry-After; readiness went down and came back"

# The keys answered 503 are retried with the same key: each is then charged once, replayed or made now.
for k in $(awk '$2 == 503 {print $1}' "$WORK/answers"); do
    status=$(consume "$k" | awk '{print $2}')
    [[ $status == 200 ]] || fail "the retry of $k answered $status"
done

psql_q() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Atc "$1"; }
entries=$(psql_q "select count(*) || ' ' || count(distinct idempotency_key) from ledger_entry where account_id = '$USER_ID' and kind = 'consume'")
[[ $entries == "$REQUESTS $REQUESTS" ]] || fail "consume entries (all, distinct keys): $entries, expected $REQUESTS each"
balance=$(psql_q "select a.balance || ' ' || (select sum(amount) from ledger_entry l where l.account_id = a.account_id) from account a where account_id = '$USER_ID'")
expected=$(( START_BALANCE - REQUESTS * 2000 ))
[[ $balance == "$expected $expected" ]] || fail "balance and ledger sum: $balance, expected $expected"
grep -q "answered 503" "$WORK/service.log" || fail "the service log does not show the outage"
log "OK: every key charged exactly once ($REQUESTS entries), balance $expected, equal to the ledger"
