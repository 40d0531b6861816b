#!/usr/bin/env bash
# Runs one command against a fresh credit-ledger service: the harness of the client tests.
#
# Usage (from anywhere; the command runs in the caller's directory):
#   clients/with-service.sh <command> [args...]
#   clients/with-service.sh bash -c 'cd clients/typescript && npm ci && npm run build && npm test'
#
# It needs the packaged service (./mvnw -B package -DskipTests), java, openssl, curl and the
# PostgreSQL client tools, and a PostgreSQL at 127.0.0.1:5432 that user postgres reaches without
# a password. For one run it:
#   1. creates a database of its own on that server (dropped at the end),
#   2. makes an RSA key pair with openssl: the example app's JWT signing key, whose public half
#      the service trusts for end-user tokens (with the issuer and audience below),
#   3. starts the jar on a free port with a random bootstrap admin key and CORS open to the web
#      app's origin, and waits until /q/health/ready answers 200,
#   4. runs the command with these variables exported:
#        CREDIT_LEDGER_URL              the service, e.g. http://127.0.0.1:41234
#        CREDIT_LEDGER_ADMIN_KEY        an API key with scope admin
#        CREDIT_LEDGER_JWT_PRIVATE_KEY  path of the PEM private key that signs end-user tokens
#        CREDIT_LEDGER_JWT_ISSUER       the iss those tokens must carry
#        CREDIT_LEDGER_JWT_AUDIENCE     the aud those tokens must carry
#        CREDIT_LEDGER_SERVICE_LOG      the service's log file
#        WEB_APP_ORIGIN                 the browser origin the service allows (CORS)
#   5. stops the service (and whatever the command left running), drops the database, deletes the
#      keys and exits with the command's status; on INT or TERM it stops the command first.
#
# Knobs (environment):
#   CREDIT_LEDGER_JAR        the packaged jar (default target/quarkus-app/quarkus-run.jar under the
#                            repository root; a relative path is taken from the caller's directory)
#   PORT                     the service's port (default: a free one)
#   WEB_APP_ORIGIN           the origin allowed by CORS (default http://127.0.0.1:<a free port>)
#   CREDIT_LEDGER_JWT_ISSUER issuer of end-user tokens (default https://web-app.credit-ledger.invalid)
#   CREDIT_LEDGER_LOG_DIR    where the service log goes (default /tmp)
#   CREDIT_LEDGER_JAVA_OPTS  extra JVM options
#   PGHOST, PGPORT, PGUSER   the PostgreSQL server (default 127.0.0.1, 5432, postgres)
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf 'with-service: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 2; }

[[ $# -gt 0 ]] || die "usage: clients/with-service.sh <command> [args...]"
for tool in java openssl curl createdb dropdb setsid; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing"
done

JAR=${CREDIT_LEDGER_JAR:-$REPO_ROOT/target/quarkus-app/quarkus-run.jar}
[[ -f $JAR ]] || die "no service jar at $JAR: run ./mvnw -B package -DskipTests first (or set CREDIT_LEDGER_JAR)"
JAR=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")

PG_HOST=${PGHOST:-127.0.0.1}
PG_PORT=${PGPORT:-5432}
PG_USER=${PGUSER:-postgres}
ISSUER=${CREDIT_LEDGER_JWT_ISSUER:-https://web-app.credit-ledger.invalid}
AUDIENCE=credit-ledger
LOG_DIR=${CREDIT_LEDGER_LOG_DIR:-/tmp}

RUN_ID=$(date +%Y%m%d%H%M%S)_$$_$(openssl rand -hex 4)
DB_NAME=credit_ledger_client_$RUN_ID
TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/credit-ledger-with-service.XXXXXX")
mkdir -p "$LOG_DIR"
SERVICE_LOG=$LOG_DIR/credit-ledger-with-service.$RUN_ID.log
SERVICE_PID=
DB_CREATED=

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $SERVICE_PID ]] && kill -0 "$SERVICE_PID" 2>/dev/null; then
        kill -TERM "$SERVICE_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$SERVICE_PID" 2>/dev/null; then
            log "service did not stop within 10 s; killing it"
            kill -KILL "$SERVICE_PID" 2>/dev/null || true
        fi
        wait "$SERVICE_PID" 2>/dev/null || true
    fi
    if [[ -n $DB_CREATED ]]; then
        dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB_NAME" \
            || log "could not drop database $DB_NAME"
    fi
    rm -rf "$TMP_DIR"
    log "service log: $SERVICE_LOG"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if [[ -n ${PORT:-} ]]; then
    SERVICE_PORT=$PORT
    port_in_use "$SERVICE_PORT" && die "port $SERVICE_PORT is already in use"
else
    SERVICE_PORT=$("$REPO_ROOT/scripts/free-port") || die "found no free port"
fi

# The web app's origin (allowed by CORS): WEB_APP_ORIGIN, else a free port of its own.
if [[ -n ${WEB_APP_ORIGIN:-} ]]; then
    ORIGIN=$WEB_APP_ORIGIN
else
    ORIGIN=http://127.0.0.1:$("$REPO_ROOT/scripts/free-port" "$SERVICE_PORT") || die "found no free port for the web app"
fi

createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DB_NAME"
DB_CREATED=1

# The app's JWT signing key: the service trusts its public half for end-user tokens.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP_DIR/jwt-private.pem" 2>/dev/null
openssl pkey -in "$TMP_DIR/jwt-private.pem" -pubout -out "$TMP_DIR/jwt-public.pem"
chmod 600 "$TMP_DIR/jwt-private.pem"
ADMIN_KEY=$(openssl rand -hex 24)   # 48 characters

log "starting $JAR on port $SERVICE_PORT (database $DB_NAME, log $SERVICE_LOG)"
# shellcheck disable=SC2086 # CREDIT_LEDGER_JAVA_OPTS is a list of options
env QUARKUS_HTTP_PORT="$SERVICE_PORT" \
    QUARKUS_HTTP_HOST=127.0.0.1 \
    QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://$PG_HOST:$PG_PORT/$DB_NAME" \
    QUARKUS_DATASOURCE_USERNAME="$PG_USER" \
    CREDITS_BOOTSTRAP_ADMIN_KEY="$ADMIN_KEY" \
    CREDITS_DATABASE_DATA_DIR="$TMP_DIR/data" \
    MP_JWT_VERIFY_ISSUER="$ISSUER" \
    MP_JWT_VERIFY_AUDIENCES="$AUDIENCE" \
    MP_JWT_VERIFY_PUBLICKEY_LOCATION="$TMP_DIR/jwt-public.pem" \
    QUARKUS_HTTP_CORS_ORIGINS="$ORIGIN" \
    java ${CREDIT_LEDGER_JAVA_OPTS:-} -jar "$JAR" >"$SERVICE_LOG" 2>&1 </dev/null &
SERVICE_PID=$!

URL=http://127.0.0.1:$SERVICE_PORT
ready=
for _ in $(seq 1 120); do
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then break; fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL/q/health/ready" || true)
    if [[ $code == 200 ]]; then ready=1; break; fi
    sleep 0.5
done
if [[ -z $ready ]]; then
    if kill -0 "$SERVICE_PID" 2>/dev/null; then
        log "the service did not become ready within 60 s; its log ($SERVICE_LOG):"
    else
        log "the service stopped before it was ready; its log ($SERVICE_LOG):"
    fi
    cat "$SERVICE_LOG" >&2
    exit 3
fi
log "service ready at $URL"

export CREDIT_LEDGER_URL=$URL
export CREDIT_LEDGER_ADMIN_KEY=$ADMIN_KEY
export CREDIT_LEDGER_JWT_PRIVATE_KEY=$TMP_DIR/jwt-private.pem
export CREDIT_LEDGER_JWT_ISSUER=$ISSUER
export CREDIT_LEDGER_JWT_AUDIENCE=$AUDIENCE
export CREDIT_LEDGER_SERVICE_LOG=$SERVICE_LOG
export WEB_APP_ORIGIN=$ORIGIN

# The command runs in a process group of its own (setsid), so that a signal to this script stops
# it and everything it started before the service is stopped.
COMMAND_PID=
# shellcheck disable=SC2317 # run by the traps
stop_command() {
    [[ -n $COMMAND_PID ]] || return 0
    kill -TERM -- "-$COMMAND_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$COMMAND_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$COMMAND_PID" 2>/dev/null || true
}
trap 'log "interrupted"; stop_command; exit 130' INT
trap 'log "terminated"; stop_command; exit 143' TERM
set +e
setsid "$@" <&0 &
COMMAND_PID=$!
wait "$COMMAND_PID"
status=$?
set -e
log "command exited with status $status"
stop_command   # whatever it left running in its group
exit "$status"
