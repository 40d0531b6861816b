#!/usr/bin/env bash
# Started while its PostgreSQL cannot be reached, the packaged service exits with status 1 and one
# clear ERROR line naming what it could not reach (no stack trace, no password), within 60 s.
# Needs the packaged jar (./mvnw -B package -DskipTests). Usage: faults/start-without-db.sh
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${CREDIT_LEDGER_JAR:-target/quarkus-app/quarkus-run.jar}
[[ -f $JAR ]] || { echo "no $JAR: run ./mvnw -B package -DskipTests first" >&2; exit 2; }
fail() { echo "start-without-db: FAILED: $*" >&2; exit 1; }
LOG=$(mktemp /tmp/credit-start-without-db.XXXXXX.log)
trap 'rm -f "$LOG"' EXIT
# A port nothing listens on: one that refused a connection just now.
PORT=$(scripts/free-port)
status=0
timeout 60 env QUARKUS_HTTP_PORT=0 QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:$PORT/credits" \
    QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=s3cret \
    CREDITS_BOOTSTRAP_ADMIN_KEY=start-without-db-0123456789abcdef0123 \
    java -jar "$JAR" >"$LOG" 2>&1 || status=$?
(( status == 1 )) || { cat "$LOG" >&2; fail "exit status $status, expected 1 (124 means it did not stop within 60 s)"; }
# The packaged service logs JSON lines (prod profile): one object per line, "level" among its fields.
ERROR='"level":"ERROR"'
errors=$(grep -c "$ERROR" "$LOG" || true)
(( errors == 1 )) || { cat "$LOG" >&2; fail "$errors ERROR lines, expected one"; }
grep "$ERROR" "$LOG" | grep -q "Cannot reach PostgreSQL at postgresql://127.0.0.1:$PORT/credits" \
    || { cat "$LOG" >&2; fail "the ERROR line does not say what it could not reach"; }
! grep -q -e 'Caused by' -e '^\s*at ' -e '"exception":' -e '"stackTrace":' "$LOG" || { cat "$LOG" >&2; fail "a stack trace was printed"; }
! grep -q 's3cret' "$LOG" || fail "the password is in the log"
echo "start-without-db: OK: $(grep "$ERROR" "$LOG" | sed 's/.*"message":"\([^"]*\)".*/\1/')"
