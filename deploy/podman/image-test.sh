#!/usr/bin/env bash
# Runs the image deploy/podman/build.sh made (credit-ledger:<version>) the way a locked-down
# Kubernetes pod would, against a fresh database of the machine's PostgreSQL, and checks that:
#   - the image's own user (no --user given) is numeric and not root, and the container's first
#     process is java running as that uid, not 0;
#   - it starts with a read-only root filesystem where only /tmp is writable (a tmpfs: the one
#     path the image documents; Podman's own tmpfs mounts for --read-only are switched off), all
#     capabilities dropped and no-new-privileges;
#   - /q/health/started, /q/health/live and /q/health/ready answer 200 with status UP;
#   - with the bootstrap admin key, PUT /v1/accounts/{id} opens an account, a consume of
#     code_generation answers 200 and the balance went down by its price (1 credit, 2000 tokens);
#   - a burst over the key's rate limit (CREDITS_RATE_LIMIT_REQUESTS_PER_SECOND=5) gets 429
#     answers, each a `rate-limited` problem with Retry-After, and nothing but 200 and 429;
#   - the log says the configured PostgreSQL is used and holds no ERROR line.
# On a failure it prints the container's log. It always removes the container and the database.
# Needs podman (deploy/podman/setup.sh), curl, openssl, the PostgreSQL client tools, and a
# PostgreSQL at 127.0.0.1:5432 that user postgres reaches without a password.
# Usage: deploy/podman/image-test.sh      Knobs: IMAGE (default: deploy/podman/image-name.sh), PGHOST, PGPORT, PGUSER
set -euo pipefail
cd "$(dirname "$0")/../.."
IMAGE=${IMAGE:-localhost/$(deploy/podman/image-name.sh)}
PG_HOST=${PGHOST:-127.0.0.1}
PG_PORT=${PGPORT:-5432}
PG_USER=${PGUSER:-postgres}
RATE=5

log() { printf '%s image-test: %s\n' "$(date +%T)" "$*" >&2; }
for tool in podman curl openssl createdb dropdb pg_isready; do
    command -v "$tool" >/dev/null 2>&1 || { log "$tool is missing"; exit 2; }
done
podman image exists "$IMAGE" || { log "no image $IMAGE: run deploy/podman/build.sh first"; exit 2; }
pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || { log "no PostgreSQL at $PG_HOST:$PG_PORT"; exit 2; }

RUN_ID=$(date +%Y%m%d%H%M%S)_$$_$(openssl rand -hex 4)
DB_NAME=credit_ledger_image_$RUN_ID
NAME=credit-ledger-image-test-${RUN_ID//_/-}
WORK=$(mktemp -d /tmp/credit-ledger-image-test.XXXXXX)
CONTAINER=
DB_CREATED=

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    if [[ -n $CONTAINER ]]; then
        if (( status != 0 )); then
            log "the container's log:"
            podman logs "$NAME" >&2
        fi
        podman rm -f -t 10 "$NAME" >/dev/null || log "could not remove container $NAME"
    fi
    if [[ -n $DB_CREATED ]]; then
        dropdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" --if-exists --force "$DB_NAME" || log "could not drop database $DB_NAME"
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail() { log "FAILED: $*"; exit 1; }

# The image's own user: numeric (Kubernetes' runAsNonRoot can check only a number) and not 0.
IMAGE_USER=$(podman image inspect --format '{{.Config.User}}' "$IMAGE")
[[ $IMAGE_USER =~ ^[0-9]+(:[0-9]+)?$ ]] || fail "the image's USER is '$IMAGE_USER', not numeric"
IMAGE_UID=${IMAGE_USER%%:*}
(( IMAGE_UID != 0 )) || fail "the image runs as root (USER $IMAGE_USER)"

PORT=$(scripts/free-port) || fail "found no free port"
URL=http://127.0.0.1:$PORT

createdb -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" "$DB_NAME"
DB_CREATED=1
KEY=$(openssl rand -hex 24)

# The host's network: the container reaches the machine's PostgreSQL on 127.0.0.1 and listens there.
log "running $IMAGE read-only (only /tmp writable) as its own user on $URL, database $DB_NAME"
podman run -d --name "$NAME" --network host \
    --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,nosuid,nodev,size=64m \
    --cap-drop ALL --security-opt no-new-privileges \
    -e QUARKUS_HTTP_HOST=127.0.0.1 -e QUARKUS_HTTP_PORT="$PORT" \
    -e QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://$PG_HOST:$PG_PORT/$DB_NAME" \
    -e QUARKUS_DATASOURCE_USERNAME="$PG_USER" \
    -e CREDITS_BOOTSTRAP_ADMIN_KEY="$KEY" \
    -e CREDITS_RATE_LIMIT_REQUESTS_PER_SECOND=$RATE \
    "$IMAGE" >/dev/null
CONTAINER=1

code() { curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' --max-time 10 "$@" || echo 000; }
running() { [[ $(podman inspect --format '{{.State.Running}}' "$NAME") == true ]]; }
ready=
for _ in $(seq 1 180); do
    running || fail "the container stopped before it was ready (exit code $(podman inspect --format '{{.State.ExitCode}}' "$NAME"))"
    [[ $(code "$URL/q/health/ready") == 200 ]] && { ready=1; break; }
    sleep 0.5
done
[[ -n $ready ]] || fail "not ready within 90 s"
log "ready after $(podman logs "$NAME" 2>&1 | sed -n 's/.* started in \([0-9.]*s\)\..*/\1/p' | head -1) (Quarkus's count)"

# Inside: the first process is java (the entrypoint's exec), running as the image's uid, not 0.
cmdline=$(podman exec "$NAME" cat /proc/1/cmdline | tr '\0' ' ')
[[ $cmdline == java\ * ]] || fail "the first process is not java: $cmdline"
uids=$(podman exec "$NAME" awk '/^Uid:/ { print $2, $3, $4, $5 }' /proc/1/status)
[[ $uids == "$IMAGE_UID $IMAGE_UID $IMAGE_UID $IMAGE_UID" ]] || fail "process 1 runs as uids $uids (real, effective, saved, fs), expected $IMAGE_UID"
[[ $(podman exec "$NAME" id -u) != 0 ]] || fail "a process in the container is root"
# The root filesystem as the container sees it: mounted read-only; the rw mounts under it are /tmp
# and the kernel's own (/proc, /sys, /dev and the files Podman provides: /etc/hosts, ...).
root_opts=$(podman exec "$NAME" awk '$5 == "/" { print $6 }' /proc/1/mountinfo)
[[ ,$root_opts, == *,ro,* ]] || fail "the root filesystem is mounted '$root_opts', not read-only"
[[ $(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$NAME") == true ]] || fail "the container's root filesystem is not read-only"
log "process 1: java as uid $IMAGE_UID; root filesystem '$root_opts'"

for probe in started live ready; do
    status=$(code "$URL/q/health/$probe")
    up=$(grep -o '"status" *: *"[A-Z]*"' "$WORK/body" | head -1 | sed 's/.*"\([A-Z]*\)"$/\1/')
    [[ $status == 200 && $up == UP ]] || fail "/q/health/$probe: $status, status '$up': $(cat "$WORK/body")"
done
log "/q/health/started, /live and /ready: 200 UP"

H=(-H "Authorization: Bearer $KEY" -H 'Content-Type: application/json')
USER_ID=image-$(openssl rand -hex 4)
balance() { # the account's balanceTokens
    [[ $(code "${H[@]}" "$URL/v1/accounts/$USER_ID") == 200 ]] || fail "GET /v1/accounts/$USER_ID: $(cat "$WORK/body")"
    sed -n 's/.*"balanceTokens":\([0-9]*\).*/\1/p' "$WORK/body"
}
status=$(code -X PUT "${H[@]}" "$URL/v1/accounts/$USER_ID")
[[ $status == 201 ]] || fail "PUT /v1/accounts/$USER_ID: $status $(cat "$WORK/body")"
before=$(balance)
[[ -n $before ]] || fail "no balanceTokens in $(cat "$WORK/body")"
status=$(code -X POST "${H[@]}" "$URL/v1/accounts/$USER_ID/consume" -d '{"feature":"code_generation"}')
[[ $status == 200 ]] || fail "consume: $status $(cat "$WORK/body")"
after=$(balance)
(( after == before - 2000 )) || fail "balance $before before the consume, $after after (expected $(( before - 2000 )))"
log "account opened (201), consume 200, balance $before -> $after tokens"

# A burst well over the rate: 25 requests at once from one curl (so a slow machine cannot spread
# them out), each answer's status, content type and Retry-After written with its body's file name.
burst=()
for i in $(seq 1 25); do burst+=(-o "$WORK/burst.$i.body" "$URL/v1/accounts/$USER_ID"); done
curl -s --no-progress-meter --parallel --parallel-max 25 --max-time 20 "${H[@]}" \
    -w '%{http_code} %{filename_effective} %{content_type} retry-after=%header{retry-after}\n' "${burst[@]}" >"$WORK/burst" || true
answered=$(wc -l <"$WORK/burst")
(( answered == 25 )) || fail "$answered of 25 requests of the burst answered"
limited=$(awk '$1 == 429' "$WORK/burst" | wc -l)
others=$(awk '$1 != 200 && $1 != 429' "$WORK/burst")
[[ -z $others ]] || fail "answers other than 200 and 429 in the burst: $(head -3 <<<"$others" | tr '\n' ' ')"
(( limited >= 1 )) || fail "no 429 in a burst of 25 at $RATE requests per second"
while read -r status file type retry_after; do
    grep -q '"type":"urn:credit-ledger:problem:rate-limited"' "$file" || fail "a 429 that is no rate-limited problem: $(cat "$file")"
    [[ $type == application/problem+json* ]] || fail "a 429 of content type '$type', not application/problem+json"
    [[ $retry_after =~ ^retry-after=[0-9]+$ ]] || fail "a 429 without Retry-After ($retry_after)"
done < <(awk '$1 == 429' "$WORK/burst")
log "burst of 25: $(( 25 - limited )) answered 200, $limited answered 429 rate-limited with Retry-After"

logs=$(podman logs "$NAME" 2>&1)
grep -q 'Using the configured PostgreSQL' <<<"$logs" || fail "the log does not say it uses the configured PostgreSQL"
# The packaged service logs JSON lines (prod profile); every line must be one.
! grep -q '"level":"ERROR"' <<<"$logs" || fail "ERROR in the log: $(grep '"level":"ERROR"' <<<"$logs" | head -3)"
! grep -v -q '^{.*}$' <<<"$logs" || fail "a log line that is not JSON: $(grep -v '^{.*}$' <<<"$logs" | head -3)"
log "OK: $IMAGE runs read-only as uid $IMAGE_UID against PostgreSQL; health, consume and 429 checked"
