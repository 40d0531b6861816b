#!/usr/bin/env bash
# The consume benchmark: credit-ledger's consume rate over HTTP next to the reference debit
# (raw PostgreSQL running the least a durable debit can be, measured with pgbench), on the same
# machine in the same run. The headline number is service rate / pgbench rate. After the consume
# variants it measures the reserve-then-settle flow of a metered call (bench/reserve.lua: a hold,
# then its settle, on random accounts; no reference), then two reads of a random bench account, with no reference: status
# (GET /v1/accounts/{id} with the API key, the backend's read) and me (GET /v1/me with that user's
# own RS256 JWT, the browser frontend's read; the key pair and tokens are made with openssl for
# the run). BENCHMARKS.md says what is measured, why, and what the last run gave.
#
# Usage (from the repo root):  bash bench/run.sh [--skip-build | --rebuild]
#   --skip-build  never build; fail if target/quarkus-app/quarkus-run.jar is missing
#   --rebuild     build even when the jar exists (by default an existing jar is reused)
# Knobs (environment):
#   BENCH_ACCOUNTS=1000       accounts in the spread and read variants (and rows in the reference table)
#   BENCH_DURATION=20         seconds per measured variant, for wrk and pgbench alike
#   BENCH_WARMUP=5            seconds of unmeasured load before the consume variants, and again
#                             before each read variant, so the JIT has compiled the hot path
#   BENCH_CONNECTIONS=64      wrk connections = pgbench clients
#   BENCH_THREADS=2           wrk threads = pgbench threads
#   BENCH_PORT=18080          first port tried for the service (the next free one is used)
#   BENCH_DB_POOL=            the service's QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE (empty: its default)
#   BENCH_GRANT_CREDITS=10000000  bonus credits per bench account, so no request meets a 429
#   BENCH_LOG_DIR=/tmp/credit-bench  where the service log and scratch files go
#   BENCH_JAVA_OPTS=          extra JVM options for the service
#   BENCH_QUIET_WAIT=30       seconds to wait, before each measured run, for other work on the
#                             machine (a build, a test run) to stop; then it runs anyway, and the
#                             summary shows how much CPU other processes took during each run
# Everything runs on loopback; every wait and every load run is bounded in time.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT=$(pwd)

ACCOUNTS=${BENCH_ACCOUNTS:-1000}
DURATION=${BENCH_DURATION:-20}
WARMUP=${BENCH_WARMUP:-5}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
FIRST_PORT=${BENCH_PORT:-18080}
DB_POOL=${BENCH_DB_POOL:-}
GRANT_CREDITS=${BENCH_GRANT_CREDITS:-10000000}
LOG_DIR=${BENCH_LOG_DIR:-/tmp/credit-bench}
JAVA_OPTS=${BENCH_JAVA_OPTS:-}
QUIET_WAIT=${BENCH_QUIET_WAIT:-30}

PG_HOST=127.0.0.1
PG_PORT=5432
PG_USER=postgres
SERVICE_DB=credit_bench
REF_DB=pgbench_ref
JAR=target/quarkus-app/quarkus-run.jar
RESULTS_DIR=bench/results
SERVICE_LOG=$LOG_DIR/service.log
# The service's bootstrap admin key for this run: every call needs an API key.
ADMIN_KEY=bench-admin-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
SPREAD_PREFIX=bench-
HOT_PREFIX=hot-
# End-user tokens for the me variant: the service trusts this issuer, audience and public key
# for this run only; the private key and the tokens stay in $LOG_DIR.
JWT_ISSUER=https://bench.credit-ledger.invalid
JWT_AUDIENCE=credit-ledger
JWT_PRIVATE_KEY=$LOG_DIR/jwt-private.pem
JWT_PUBLIC_KEY=$LOG_DIR/jwt-public.pem
JWT_TOKENS=$LOG_DIR/jwt-tokens.txt

BUILD_MODE=auto
SERVICE_PID=
PORT=

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

parse_args() {
    for arg in "$@"; do
        case $arg in
            --skip-build) BUILD_MODE=never ;;
            --rebuild) BUILD_MODE=always ;;
            -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;;
            *) die "unknown argument: $arg (see --help)" ;;
        esac
    done
}

# ---- tools -----------------------------------------------------------------------------------

# Installs a Debian package only when we may (root) and must (the command is missing).
ensure_command() {
    local cmd=$1 package=$2
    command -v "$cmd" >/dev/null 2>&1 && return 0
    [[ $EUID -eq 0 ]] || die "$cmd is missing; install the Debian package $package"
    log "installing $package (for $cmd)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$package" >/dev/null
    command -v "$cmd" >/dev/null 2>&1 || die "$package did not provide $cmd"
}

ensure_tools() {
    ensure_command curl curl
    ensure_command psql postgresql-client
    ensure_command wrk wrk
    ensure_command openssl openssl
    # pgbench ships with the server package on Debian (and with postgresql-contrib on older ones).
    if ! command -v pgbench >/dev/null 2>&1; then
        local bundled
        bundled=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | tail -1 || true)
        if [[ -n $bundled ]]; then
            PATH="$(dirname "$bundled"):$PATH"
        else
            ensure_command pgbench postgresql-contrib
        fi
    fi
    command -v java >/dev/null 2>&1 || die "java is missing"
}

# ---- PostgreSQL ------------------------------------------------------------------------------

psql_on() {
    local db=$1; shift
    PGOPTIONS='--client-min-messages=warning' \
        psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$db" -v ON_ERROR_STOP=1 -qAtX "$@"
}

ensure_postgres() {
    pg_isready -h "$PG_HOST" -p "$PG_PORT" -q && return 0
    if [[ $EUID -eq 0 ]] && [[ -d /etc/postgresql ]]; then
        log "starting the PostgreSQL cluster"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start || true
    fi
    for _ in $(seq 1 30); do
        pg_isready -h "$PG_HOST" -p "$PG_PORT" -q && return 0
        sleep 1
    done
    die "PostgreSQL does not answer on $PG_HOST:$PG_PORT"
}

recreate_database() {
    local db=$1
    psql_on postgres -c "drop database if exists $db with (force)" -c "create database $db"
}

drop_database() {
    psql_on postgres -c "drop database if exists $1 with (force)" 2>/dev/null || true
}

# A checkpoint before each measured run, so that one run's dirty pages are not written during the next.
checkpoint() {
    psql_on postgres -c checkpoint
}

# ---- the service -----------------------------------------------------------------------------

build_service() {
    case $BUILD_MODE in
        never) [[ -f $JAR ]] || die "$JAR is missing and --skip-build was given" ;;
        auto) if [[ -f $JAR ]]; then log "reusing $JAR (--rebuild to build it anew)"; return 0; fi ;& # fall through
        always)
            log "building the service (./mvnw -B -q package -DskipTests)"
            ./mvnw -B -q package -DskipTests
            [[ -f $JAR ]] || die "the build did not produce $JAR"
            ;;
    esac
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
    local port
    for port in $(seq "$FIRST_PORT" $((FIRST_PORT + 20))); do
        if ! port_in_use "$port"; then
            PORT=$port
            return 0
        fi
    done
    die "no free port in $FIRST_PORT..$((FIRST_PORT + 20))"
}

start_service() {
    pick_port
    log "starting the service on 127.0.0.1:$PORT against database $SERVICE_DB (log: $SERVICE_LOG)"
    # The JWT settings let the me variant's tokens in. Both request limits are lifted (the buckets are
    # still taken from, so they cost the same): every wrk request uses the one admin key, whose
    # default of 5000 requests/s the status reads exceed (and spread consume comes near), and the
    # end-user default of 10 requests/s per user would be met in bursts at a few thousand reads/s
    # over 1000 users. The benchmark measures the request paths, not the limiter's refusals.
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    env QUARKUS_HTTP_HOST=127.0.0.1 \
        QUARKUS_HTTP_PORT="$PORT" \
        QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://$PG_HOST:$PG_PORT/$SERVICE_DB" \
        QUARKUS_DATASOURCE_USERNAME="$PG_USER" \
        CREDITS_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY" \
        MP_JWT_VERIFY_ISSUER="$JWT_ISSUER" \
        MP_JWT_VERIFY_AUDIENCES="$JWT_AUDIENCE" \
        MP_JWT_VERIFY_PUBLICKEY_LOCATION="$JWT_PUBLIC_KEY" \
        CREDITS_RATE_LIMIT_REQUESTS_PER_SECOND=1000000 \
        CREDITS_RATE_LIMIT_END_USER_REQUESTS_PER_SECOND=1000000 \
        ${DB_POOL:+QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE="$DB_POOL"} \
        java $JAVA_OPTS -jar "$JAR" >"$SERVICE_LOG" 2>&1 &
    SERVICE_PID=$!
}

wait_for_service() {
    local deadline=$((SECONDS + 120))
    while ((SECONDS < deadline)); do
        kill -0 "$SERVICE_PID" 2>/dev/null || { tail -30 "$SERVICE_LOG" >&2; die "the service exited during start"; }
        if curl -fs -o /dev/null --max-time 2 -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$PORT/v1/plans"; then
            log "the service is up"
            return 0
        fi
        sleep 0.5
    done
    die "the service did not answer GET /v1/plans within 120 s"
}

stop_service() {
    [[ -n $SERVICE_PID ]] || return 0
    kill "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do
        kill -0 "$SERVICE_PID" 2>/dev/null || { SERVICE_PID=; return 0; }
        sleep 0.5
    done
    log "the service did not stop in 20 s; killing it"
    kill -9 "$SERVICE_PID" 2>/dev/null || true
    SERVICE_PID=
}

# ---- bench accounts --------------------------------------------------------------------------

# Writes a curl config with one request per account (curl runs them over a few reused
# connections instead of forking a process per request).
curl_config() {
    local method=$1 suffix=$2 body=$3 first=1 name
    for name in $(account_names); do
        ((first)) || echo next
        first=0
        printf 'url = "http://127.0.0.1:%s/v1/accounts/%s%s"\n' "$PORT" "$name" "$suffix"
        printf 'request = "%s"\nheader = "Content-Type: application/json"\n' "$method"
        printf 'header = "Authorization: Bearer %s"\n' "$ADMIN_KEY"
        printf 'data = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code} %%{url_effective}\\n"\n' "${body//\"/\\\"}"
    done
}

account_names() {
    seq -f "${SPREAD_PREFIX}%.0f" 1 "$ACCOUNTS"
    echo "${HOT_PREFIX}1"
}

# Runs one request per account and fails unless every answer is one of the expected codes.
for_each_account() {
    local what=$1 expected=$2 method=$3 suffix=$4 body=$5
    local config=$LOG_DIR/$what.curl out=$LOG_DIR/$what.out
    curl_config "$method" "$suffix" "$body" >"$config"
    timeout 300 curl -sS --no-progress-meter --max-time 30 -Z --parallel-max 8 -K "$config" >"$out" 2>>"$LOG_DIR/curl.err" || true
    local total bad
    total=$(wc -l <"$out")
    bad=$(awk -v ok="$expected" '$1 !~ ok' "$out" | wc -l)
    ((total == ACCOUNTS + 1 && bad == 0)) \
        || die "$what: $((ACCOUNTS + 1)) requests, $total answered, $bad unexpected (see $out)"
}

create_accounts() {
    log "creating $ACCOUNTS enterprise accounts plus one hot account, each with $GRANT_CREDITS bonus credits"
    for_each_account open '^20[01]$' PUT "" '{"tier":"enterprise"}'
    for_each_account grant '^201$' POST /grants "{\"credits\":$GRANT_CREDITS,\"reason\":\"benchmark\"}"
}

# ---- end-user tokens -----------------------------------------------------------------------------

# base64url without padding, as JWTs encode their parts.
base64url() {
    local encoded
    encoded=$(basenc --base64url -w0)
    printf '%s' "${encoded%%=*}"
}

# A fresh RSA key pair and one RS256 token per spread account (sub = the account's user id),
# valid for an hour: far longer than a run. One openssl call per token: a few seconds for 1000.
mint_tokens() {
    log "minting $ACCOUNTS end-user tokens (RS256, key pair in $LOG_DIR)"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$JWT_PRIVATE_KEY" 2>/dev/null
    openssl pkey -in "$JWT_PRIVATE_KEY" -pubout -out "$JWT_PUBLIC_KEY"
    local header payload signature now i
    header=$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | base64url)
    now=$(date +%s)
    for i in $(seq 1 "$ACCOUNTS"); do
        payload=$(printf '{"iss":"%s","aud":"%s","sub":"%s%d","iat":%d,"exp":%d}' \
            "$JWT_ISSUER" "$JWT_AUDIENCE" "$SPREAD_PREFIX" "$i" "$now" $((now + 3600)) | base64url)
        signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$JWT_PRIVATE_KEY" -binary | base64url)
        printf '%s.%s.%s\n' "$header" "$payload" "$signature"
    done >"$JWT_TOKENS"
    (($(wc -l <"$JWT_TOKENS") == ACCOUNTS)) || die "minted $(wc -l <"$JWT_TOKENS") tokens for $ACCOUNTS accounts"
}

# ---- load ------------------------------------------------------------------------------------

# Runs wrk with a script of bench/ and its arguments (the first is the number of accounts);
# prints the "BENCH key=value ..." line that bench/consume.lua and bench/read.lua write at the
# end, plus the CPU ticks wrk used.
run_wrk() {
    local name=$1 seconds=$2 script=$3; shift 3
    local out=$RESULTS_DIR/wrk-$name.txt me=$BASHPID
    log "wrk $name: -t$THREADS -c$CONNECTIONS -d${seconds}s, $script, $1 account(s)"
    timeout $((seconds + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s --latency \
        -s "bench/$script" "http://127.0.0.1:$PORT" -- "$@" >"$out" 2>&1 \
        || die "wrk $name failed (see $out)"
    local line
    line=$(grep '^BENCH ' "$out") || die "wrk $name printed no BENCH line (see $out)"
    echo "$line loadgen_ticks=$(children_ticks "$me")"
}

# Runs pgbench with the reference debit; prints "tps latency_ms failed transactions loadgen_ticks".
run_pgbench() {
    local name=$1 accounts=$2
    local out=$RESULTS_DIR/pgbench-$name.txt me=$BASHPID
    log "pgbench $name: -c$CONNECTIONS -j$THREADS -T$DURATION -M prepared, $accounts account(s)"
    timeout $((DURATION + 60)) pgbench -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -n -M prepared \
        -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f bench/reference-debit.sql -D accounts="$accounts" \
        "$REF_DB" >"$out" 2>&1 || die "pgbench $name failed (see $out)"
    local loadgen
    loadgen=$(children_ticks "$me")
    awk -v l="$loadgen" '/^tps = / {tps=$3} /^latency average = / {lat=$4} /^number of failed transactions: / {failed=$5}
         /^number of transactions actually processed: / {n=$6}
         END {if (tps == "") exit 1; print tps, lat, (failed == "" ? 0 : failed), n, l}' "$out" \
        || die "no tps in $out"
}

field() { # field KEY "BENCH k=v ..." -> v
    tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"
}

# ---- CPU accounting ------------------------------------------------------------------------------
# The two cores are shared by the service, PostgreSQL and the load generator, and on a shared
# machine also by whatever else runs (a build, a test suite). So every measured run says where
# the CPU went: to the service JVM, to PostgreSQL, to wrk/pgbench, or to other processes.

# Ticks (USER_HZ) used so far by the given processes; for the postmaster, cutime and cstime hold
# the ticks of backends that already exited.
process_ticks() {
    local total=0 pid ticks
    for pid in "$@"; do
        ticks=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}') || continue
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
}

# Ticks used by the reaped children of shell process $1: the load generator, once it exited.
children_ticks() {
    sed 's/.*) //' "/proc/$1/stat" | awk '{print $14 + $15}'
}

# "busy total service postgres": the machine's busy and total ticks, then the service's and
# PostgreSQL's own.
cpu_snapshot() {
    # shellcheck disable=SC2046 # one pid per word
    echo "$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)" \
         "$(process_ticks $SERVICE_PID)" "$(process_ticks $(pgrep -x postgres || true))"
}

# "service postgres loadgen other": percent of the machine (both cores = 100) each took between
# two snapshots; $3 is the load generator's ticks.
cpu_shares() {
    awk -v b="$1" -v a="$2" -v l="${3:-0}" 'BEGIN {
        split(b, x, " "); split(a, y, " ")
        total = y[2] - x[2]; svc = y[3] - x[3]; pg = y[4] - x[4]
        other = (y[1] - x[1]) - svc - pg - l
        if (other < 0) other = 0
        if (other > total) other = total
        printf "%.0f %.0f %.0f %.0f", 100 * svc / total, 100 * pg / total, 100 * l / total, 100 * other / total
    }'
}

# CPU milliseconds that the service and PostgreSQL together spent per request (debit or read)
# between two snapshots: unlike a rate, this hardly moves when other processes take part of the machine.
cpu_ms_per_request() {
    awk -v b="$1" -v a="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        split(b, x, " "); split(a, y, " ")
        printf "%.2f", (y[3] - x[3] + y[4] - x[4]) * 1000 / hz / n
    }'
}

# Waits (bounded) until other processes use less than 15% of the machine.
wait_for_quiet() {
    local deadline=$((SECONDS + QUIET_WAIT)) before after other
    while :; do
        before=$(cpu_snapshot); sleep 2; after=$(cpu_snapshot)
        other=$(cpu_shares "$before" "$after" | cut -d' ' -f4)
        ((other < 15)) && return 0
        if ((SECONDS >= deadline)); then
            log "WARNING: other processes still use ${other}% of the machine; measuring anyway"
            return 0
        fi
        log "other processes use ${other}% of the machine; waiting for them (up to ${QUIET_WAIT}s in all)"
    done
}

# ---- results ---------------------------------------------------------------------------------

declare -A R

record_wrk() {
    local variant=$1 line=$2
    local requests non2xx duration_us
    requests=$(field requests "$line")
    non2xx=$(field non2xx "$line")
    duration_us=$(field duration_us "$line")
    R[$variant.requests]=$requests
    R[$variant.non2xx]=$non2xx
    R[$variant.socket_errors]=$(field socket_errors "$line")
    R[$variant.rate]=$(awk -v n="$requests" -v bad="$non2xx" -v us="$duration_us" 'BEGIN {printf "%.0f", (n - bad) / (us / 1e6)}')
    R[$variant.p50]=$(awk -v us="$(field p50_us "$line")" 'BEGIN {printf "%.2f", us / 1000}')
    R[$variant.p99]=$(awk -v us="$(field p99_us "$line")" 'BEGIN {printf "%.2f", us / 1000}')
}

record_pgbench() {
    local variant=$1 tps lat failed
    read -r tps lat failed R[$variant.transactions] _ <<<"$2"
    R[$variant.tps]=$(awk -v t="$tps" 'BEGIN {printf "%.0f", t}')
    R[$variant.pg_latency]=$lat
    R[$variant.pg_failed]=$failed
    R[$variant.ratio]=$(awk -v s="${R[$variant.rate]}" -v t="$tps" 'BEGIN {printf "%.2f", s / t}')
}

# Every successful consume leaves one ledger row, so the rows must cover the 2xx answers (a few
# more are fine: requests still in flight when wrk stops are committed but not counted). And
# after all that concurrency each balance must still equal its grants' remainder and its ledger's sum.
record_ledger_check() {
    R[ledger_rows]=$(psql_on "$SERVICE_DB" -c "select count(*) from ledger_entry where kind = 'consume'")
    R[drifted]=$(psql_on "$SERVICE_DB" -c "
        select count(*) from account a
         where a.balance <> (select coalesce(sum(remaining), 0) from credit_grant g where g.account_id = a.account_id)
            or a.balance <> (select coalesce(sum(amount), 0) from ledger_entry e where e.account_id = a.account_id)
            or a.held <> (select coalesce(sum(held), 0) from reservation r where r.account_id = a.account_id and r.status = 'open')
            or a.held <> (select coalesce(sum(held_change), 0) from ledger_entry e where e.account_id = a.account_id)")
    R[settled]=$(psql_on "$SERVICE_DB" -c "select count(*) from reservation where status = 'settled'")
}

machine_line() {
    local cpu pg jdk mem
    cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
    mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
    pg=$(psql_on postgres -c 'show server_version' | cut -d' ' -f1)
    jdk=$(java -version 2>&1 | head -1 | cut -d'"' -f2)
    echo "machine: $(nproc) cores ($cpu), $mem, PostgreSQL $pg, JDK $jdk"
}

summary() {
    local errors warnings
    # JSON lines from the packaged service (prod profile), or text when QUARKUS_LOG_CONSOLE_JSON_ENABLED=false.
    errors=$(grep -c -e '"level":"ERROR"' -e ' ERROR ' "$SERVICE_LOG" || true)
    warnings=$(grep -c -e '"level":"WARN"' -e ' WARN ' "$SERVICE_LOG" || true)
    echo "credit-ledger consume and read benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    machine_line
    echo "load: $CONNECTIONS connections/clients, $THREADS threads, ${DURATION}s per variant (after ${WARMUP}s warm-up)," \
         "$ACCOUNTS accounts spread; hot = one account; service db pool: ${DB_POOL:-default}"
    echo
    printf '%-7s %14s %12s %7s %9s %9s %8s %13s %10s\n' \
        variant 'service req/s' 'pgbench tps' ratio 'p50 ms' 'p99 ms' non-2xx 'pg avg ms' 'pg failed'
    local v
    for v in spread hot; do
        printf '%-7s %14s %12s %7s %9s %9s %8s %13s %10s\n' "$v" "${R[$v.rate]}" "${R[$v.tps]}" "${R[$v.ratio]}" \
            "${R[$v.p50]}" "${R[$v.p99]}" "${R[$v.non2xx]}" "${R[$v.pg_latency]}" "${R[$v.pg_failed]}"
    done
    echo
    echo "ratio = service consume rate over HTTP (2xx only) / pgbench reference debit rate"
    echo "wrk socket errors: spread ${R[spread.socket_errors]}, hot ${R[hot.socket_errors]}"
    echo "CPU during each run, % of both cores, service JVM/PostgreSQL/load generator/other processes:"
    echo "  service spread ${R[spread.svc_cpu]}, hot ${R[hot.svc_cpu]}; pgbench spread ${R[spread.pg_cpu]}, hot ${R[hot.pg_cpu]}"
    echo "CPU ms per debit, service JVM + PostgreSQL (load generator excluded):"
    echo "  service spread ${R[spread.svc_ms]}, hot ${R[hot.svc_ms]}; pgbench spread ${R[spread.pg_ms]}, hot ${R[hot.pg_ms]}"
    echo "ledger check: ${R[ledger_rows]} consume rows for ${R[answered_2xx]} 2xx answers (warm-up included);" \
         "${R[drifted]} accounts whose balance disagrees with their grants or ledger, or whose held amount with their open holds or ledger"
    echo
    echo "reserve = a hold (POST .../reservations) then its settle (POST .../settle) of a random spread account (no reference):"
    printf '%-7s %14s %14s %9s %9s %8s %12s %12s\n' variant 'req/s (2xx)' 'calls/s' 'p50 ms' 'p99 ms' non-2xx 'CPU ms/call' 'CPU split'
    printf '%-7s %14s %14s %9s %9s %8s %12s %12s\n' reserve "${R[reserve.rate]}" "$((R[reserve.rate] / 2))" "${R[reserve.p50]}" \
        "${R[reserve.p99]}" "${R[reserve.non2xx]}" "$(awk -v m="${R[reserve.svc_ms]}" 'BEGIN {printf "%.2f", 2 * m}')" "${R[reserve.svc_cpu]}"
    echo "calls/s = held-and-settled calls per second (half the requests); ${R[settled]} reservations settled in all" \
         "(warm-up included); wrk socket errors ${R[reserve.socket_errors]}, non-2xx in its warm-up ${R[warmup-reserve.non2xx]}"
    echo
    echo "reads of a random one of the $ACCOUNTS spread accounts (no reference):" \
         "status = GET /v1/accounts/{id} with the API key, me = GET /v1/me with that user's JWT"
    printf '%-7s %14s %9s %9s %8s %11s %12s\n' variant 'req/s (2xx)' 'p50 ms' 'p99 ms' non-2xx 'CPU ms/req' 'CPU split'
    for v in status me; do
        printf '%-7s %14s %9s %9s %8s %11s %12s\n' "$v" "${R[$v.rate]}" "${R[$v.p50]}" "${R[$v.p99]}" \
            "${R[$v.non2xx]}" "${R[$v.svc_ms]}" "${R[$v.svc_cpu]}"
    done
    echo "CPU ms/req = service JVM + PostgreSQL; CPU split as above (service JVM/PostgreSQL/load generator/other processes)"
    echo "wrk socket errors: status ${R[status.socket_errors]}, me ${R[me.socket_errors]}"
    echo "non-2xx during the unmeasured warm-ups: consume ${R[warmup.non2xx]}, status ${R[warmup-status.non2xx]}," \
         "me ${R[warmup-me.non2xx]}"
    echo
    echo "service log ($SERVICE_LOG): $errors ERROR lines, $warnings WARN lines"
}

# ---- the run ---------------------------------------------------------------------------------

cleanup() {
    local status=$?
    stop_service
    drop_database "$SERVICE_DB"
    drop_database "$REF_DB"
    ((status == 0)) || log "failed; the service log is $SERVICE_LOG"
}

measure_service() {
    recreate_database "$SERVICE_DB"
    start_service
    wait_for_service
    create_accounts

    local warm
    warm=$(run_wrk warmup "$WARMUP" consume.lua "$ACCOUNTS" "$SPREAD_PREFIX" "$ADMIN_KEY")
    R[warmup.non2xx]=$(field non2xx "$warm")
    service_variant spread consume.lua "$ACCOUNTS" "$SPREAD_PREFIX" "$ADMIN_KEY"
    service_variant hot consume.lua 1 "$HOT_PREFIX" "$ADMIN_KEY"
    R[answered_2xx]=$(($(field requests "$warm") - $(field non2xx "$warm")
        + ${R[spread.requests]} - ${R[spread.non2xx]} + ${R[hot.requests]} - ${R[hot.non2xx]}))
    warm=$(run_wrk warmup-reserve "$WARMUP" reserve.lua "$ACCOUNTS" "$SPREAD_PREFIX" "$ADMIN_KEY")
    R[warmup-reserve.non2xx]=$(field non2xx "$warm")
    service_variant reserve reserve.lua "$ACCOUNTS" "$SPREAD_PREFIX" "$ADMIN_KEY"
    # Reads write nothing, so the ledger is checked here, on the consume and reserve variants' work.
    record_ledger_check
    read_variant status "$ACCOUNTS" "$SPREAD_PREFIX" status "$ADMIN_KEY"
    read_variant me "$ACCOUNTS" "$SPREAD_PREFIX" me "$JWT_TOKENS"
    # pgbench gets the machine to itself, as the service had it (bar the load generator).
    stop_service
}

measure_reference() {
    recreate_database "$REF_DB"
    psql_on "$REF_DB" -v accounts="$ACCOUNTS" -f bench/reference-setup.sql
    reference_variant spread "$ACCOUNTS"
    reference_variant hot 1
}

# One measured wrk run of a script with its arguments, with what other processes took of the
# machine meanwhile.
service_variant() {
    local variant=$1 script=$2 before line after
    shift 2
    checkpoint
    wait_for_quiet
    before=$(cpu_snapshot)
    line=$(run_wrk "$variant" "$DURATION" "$script" "$@")
    after=$(cpu_snapshot)
    record_wrk "$variant" "$line"
    R[$variant.svc_cpu]=$(cpu_shares "$before" "$after" "$(field loadgen_ticks "$line")" | tr ' ' /)
    R[$variant.svc_ms]=$(cpu_ms_per_request "$before" "$after" "$(field requests "$line")")
}

# A read variant of bench/read.lua: its own warm-up first, since the consume warm-up did not run
# the read path (nor, for me, the JWT check); the warm-up's non-2xx answers are reported too.
read_variant() {
    local variant=$1 warm
    shift
    warm=$(run_wrk "warmup-$variant" "$WARMUP" read.lua "$@")
    R[warmup-$variant.non2xx]=$(field non2xx "$warm")
    service_variant "$variant" read.lua "$@"
}

# One measured pgbench run, likewise.
reference_variant() {
    local variant=$1 accounts=$2 before result after
    checkpoint
    wait_for_quiet
    before=$(cpu_snapshot)
    result=$(run_pgbench "$variant" "$accounts")
    after=$(cpu_snapshot)
    record_pgbench "$variant" "$result"
    R[$variant.pg_cpu]=$(cpu_shares "$before" "$after" "${result##* }" | tr ' ' /)
    R[$variant.pg_ms]=$(cpu_ms_per_request "$before" "$after" "${R[$variant.transactions]}")
}

main() {
    parse_args "$@"
    mkdir -p "$LOG_DIR" "$RESULTS_DIR"
    : >"$LOG_DIR/curl.err"
    ensure_tools
    ensure_postgres
    build_service
    mint_tokens
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    measure_service
    measure_reference
    summary | tee "$RESULTS_DIR/latest.txt"
    log "raw outputs in $REPO_ROOT/$RESULTS_DIR, service log in $SERVICE_LOG"
}

main "$@"
