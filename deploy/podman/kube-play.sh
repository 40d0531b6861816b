#!/usr/bin/env bash
# Runs the dev overlay's Deployment with `podman kube play`, with its ConfigMap and Secrets as
# kustomize renders them for Kubernetes, on the locally built image, and checks it. The database is
# the machine's PostgreSQL instead of the dev StatefulSet, whose postgres image cannot be pulled here
# (no image registry is reachable): deploy/podman/kube-play/kustomization.yaml says so and makes that
# one change. It checks that:
#   - the pod starts on the rendered image (credit-ledger:<pom version>, as deploy/podman/build.sh
#     makes it), and its startup, readiness and liveness paths (read from the rendered probes) answer
#     200 within the startup probe's budget;
#   - the container runs as podman applied the securityContext: a non-root uid, no capabilities,
#     no privilege escalation, seccomp on, a read-only root with /tmp writable;
#   - it has every environment variable the Deployment sets, and they work: with the admin key from
#     the dev Secret it opens an account and pays for a consume (201, then 200 and 8000 tokens left),
#     on the database the Secret's URL names; the metrics path of the pod's annotation answers;
#   - SIGTERM stops it gracefully, after the ConfigMap's shutdown delay and within
#     terminationGracePeriodSeconds ("stopped in" in its log), with no ERROR logged.
# What podman 4.3 does not do, and so this does not check: Services, the autoscaler, the disruption
# budget, network policies, topology spread; startup and readiness probes (podman turns only the
# liveness probe into a healthcheck, and cannot resolve a named port in it); terminationGracePeriodSeconds
# (podman stops after its own timeout unless told, as below). Secrets: podman 4.3 cannot read back
# the Secrets it makes from a YAML file, so they are made here as podman secrets, as it reads them.
#
# Needs: podman (deploy/podman/setup.sh), the image (deploy/podman/build.sh), kubectl, node with
# deploy/k8s/test's packages (npm ci there; done here when missing), curl, createdb/dropdb and a
# PostgreSQL at 127.0.0.1:5432 that user postgres reaches without a password. As root it installs
# catatonit (podman's pause process for pods) when missing.
# Usage: deploy/podman/kube-play.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf '%s kube-play: %s\n' "$(date +%T)" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
passed=0
ok() { passed=$(( passed + 1 )); log "ok: $*"; }

for tool in podman kubectl node curl createdb dropdb psql; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing"
done
if ! command -v catatonit >/dev/null 2>&1 && [[ ! -x /usr/libexec/podman/catatonit ]]; then
    [[ $(id -u) == 0 ]] || fail "catatonit is missing (podman needs it for a pod's infra container)"
    log "installing catatonit"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends catatonit >/dev/null
fi
[[ -d deploy/k8s/test/node_modules/yaml ]] || (cd deploy/k8s/test && npm ci --no-audit --no-fund >/dev/null)

WORK=$(mktemp -d /tmp/credit-kube-play.XXXXXX)
DATABASE=credit_ledger_kube_play   # the one deploy/podman/kube-play/kustomization.yaml names
POD= SECRETS=() DB_CREATED=
cleanup() {
    local status=$?
    set +e
    [[ -f $WORK/pod.yaml ]] && podman kube down "$WORK/pod.yaml" >/dev/null 2>&1
    for s in "${SECRETS[@]}"; do podman secret rm "$s" >/dev/null 2>&1; done
    [[ -n $DB_CREATED ]] && PGOPTIONS='-c client_min_messages=warning' dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DATABASE"
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT

PORT=$(scripts/free-port) || fail "found no free port"

# Render, then split for podman: the Deployment and ConfigMaps into pod.yaml (the container's port
# published on 127.0.0.1:$PORT), each Secret into secret.<name>.json (its data, as podman reads a
# secret), and what the checks below need into facts.
kubectl kustomize deploy/podman/kube-play >"$WORK/rendered.yaml"
YAML_MODULE=$PWD/deploy/k8s/test/node_modules/yaml node - "$WORK" "$PORT" <<'EOF'
const { parseAllDocuments, stringify } = require(process.env.YAML_MODULE);
const fs = require("fs");
const [work, port] = process.argv.slice(2);
const objects = parseAllDocuments(fs.readFileSync(`${work}/rendered.yaml`, "utf8")).map((d) => d.toJS());
const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "credit-ledger");
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
container.ports.find((p) => p.name === "http").hostPort = Number(port);
container.ports.find((p) => p.name === "http").hostIP = "127.0.0.1";
const configMaps = objects.filter((o) => o.kind === "ConfigMap");
fs.writeFileSync(`${work}/pod.yaml`, [deployment, ...configMaps].map((o) => stringify(o)).join("---\n"));
const secrets = objects.filter((o) => o.kind === "Secret");
for (const s of secrets) fs.writeFileSync(`${work}/secret.${s.metadata.name}.json`, JSON.stringify(s.data));
const adminRef = container.env.find((e) => e.name === "CREDITS_BOOTSTRAP_ADMIN_KEY").valueFrom.secretKeyRef;
const admin = secrets.find((s) => s.metadata.name === adminRef.name);
const probe = (p) => container[p].httpGet.path;
const envFrom = (container.envFrom ?? []).flatMap((f) => Object.keys(configMaps.find((c) => c.metadata.name === f.configMapRef?.name)?.data ?? {}));
const facts = {
  IMAGE: container.image,
  STARTUP: probe("startupProbe"), READY: probe("readinessProbe"), LIVE: probe("livenessProbe"),
  STARTUP_BUDGET: (container.startupProbe.periodSeconds ?? 10) * (container.startupProbe.failureThreshold ?? 3),
  GRACE: pod.terminationGracePeriodSeconds ?? 30,
  // QUARKUS_SHUTDOWN_DELAY from the ConfigMap, in whole seconds ("5s"), or 0
  DELAY: Number(/^(\d+)s$/.exec(configMaps.map((c) => c.data?.QUARKUS_SHUTDOWN_DELAY).find((v) => v) ?? "")?.[1] ?? 0),
  METRICS: deployment.spec.template.metadata.annotations["prometheus.io/path"],
  ADMIN_KEY: Buffer.from(admin.data[adminRef.key], "base64").toString(),
  // An optional Secret this render does not make (credit-ledger-jwt in dev) sets nothing.
  ENV_NAMES: [...container.env.filter((e) => !(e.valueFrom?.secretKeyRef?.optional && !secrets.some((s) => s.metadata.name === e.valueFrom.secretKeyRef.name)))
    .map((e) => e.name), ...envFrom].join(" "),
};
fs.writeFileSync(`${work}/facts`, Object.entries(facts).map(([k, v]) => `${k}=${JSON.stringify(String(v))}`).join("\n") + "\n");
EOF
# shellcheck disable=SC1091
source "$WORK/facts"

podman image exists "$IMAGE" || fail "no image $IMAGE: build it with deploy/podman/build.sh"
ok "the rendered image $IMAGE is the one built here ($(podman image inspect --format '{{index .RepoTags 0}}' "$IMAGE"))"

PGOPTIONS='-c client_min_messages=warning' dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DATABASE"
createdb -h 127.0.0.1 -U postgres "$DATABASE"
DB_CREATED=1
for f in "$WORK"/secret.*.json; do
    name=${f#"$WORK/secret."}; name=${name%.json}
    podman secret rm "$name" >/dev/null 2>&1 || true
    podman secret create "$name" "$f" >/dev/null
    SECRETS+=("$name")
done

# slirp4netns with allow_host_loopback: 10.0.2.2 in the pod is the machine's 127.0.0.1, where PostgreSQL listens.
log "podman kube play (service on 127.0.0.1:$PORT, database $DATABASE)"
podman kube play --network slirp4netns:allow_host_loopback=true "$WORK/pod.yaml" >"$WORK/play.out" 2>&1 \
    || { cat "$WORK/play.out" >&2; fail "podman kube play failed"; }
POD=$(awk '/^Pod:/ { getline; print; exit }' "$WORK/play.out")
CONTAINER=$(awk '/^Container:/ { getline; print; exit }' "$WORK/play.out")
[[ -n $POD && -n $CONTAINER ]] || { cat "$WORK/play.out" >&2; fail "podman kube play started no pod"; }

URL=http://127.0.0.1:$PORT
status() { curl -s -o "$WORK/body" -w '%{http_code}' --max-time 3 "$@" || true; }
deadline=$(( SECONDS + STARTUP_BUDGET ))
until [[ $(status "$URL$STARTUP") == 200 ]]; do
    (( SECONDS < deadline )) || { podman logs "$CONTAINER" >&2; fail "$STARTUP did not answer 200 within the startup probe's ${STARTUP_BUDGET} s"; }
    [[ $(podman inspect --format '{{.State.Running}}' "$CONTAINER") == true ]] || { podman logs "$CONTAINER" >&2; fail "the container stopped"; }
    sleep 1
done
for path in "$STARTUP" "$READY" "$LIVE"; do
    [[ $(status "$URL$path") == 200 ]] && grep -q '"status": *"UP"' "$WORK/body" || fail "$path: $(cat "$WORK/body")"
done
ok "startup $STARTUP, readiness $READY and liveness $LIVE answer 200 UP"

uids=$(podman exec "$CONTAINER" awk '/^Uid:/ { print $2, $3, $4, $5 }' /proc/1/status)
read -r uid _ <<<"$uids"
(( uid != 0 )) && [[ $uids == "$uid $uid $uid $uid" ]] || fail "process 1 runs as uids $uids"
caps=$(podman exec "$CONTAINER" awk '/^CapEff:/ { print $2 }' /proc/1/status)
[[ $caps == 0000000000000000 ]] || fail "effective capabilities $caps, expected none"
nnp=$(podman exec "$CONTAINER" awk '/^NoNewPrivs:/ { print $2 }' /proc/1/status)
[[ $nnp == 1 ]] || fail "no_new_privs is $nnp: privilege escalation is possible"
seccomp=$(podman exec "$CONTAINER" awk '/^Seccomp:/ { print $2 }' /proc/1/status)
[[ $seccomp == 2 ]] || fail "seccomp mode $seccomp, expected 2 (a filter)"
! podman exec "$CONTAINER" sh -c ': > /kube-play-probe' 2>/dev/null || fail "the root filesystem is writable"
podman exec "$CONTAINER" sh -c ': > /tmp/kube-play-probe && rm /tmp/kube-play-probe' || fail "/tmp is not writable"
ok "runs as uid $uid, no capabilities, no privilege escalation, seccomp filter, read-only root with /tmp writable"

missing=
for name in $ENV_NAMES; do
    podman exec "$CONTAINER" sh -c "[ -n \"\${$name+set}\" ]" || missing+=" $name"
done
[[ -z $missing ]] || fail "the container lacks the Deployment's variables:$missing"
ok "the container has every variable the Deployment sets ($ENV_NAMES)"

H=(-H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json')
USER_ID=kube-play-$RANDOM
code=$(status -X PUT "${H[@]}" "$URL/v1/accounts/$USER_ID")
[[ $code == 201 ]] || fail "PUT /v1/accounts/$USER_ID answered $code: $(cat "$WORK/body")"
code=$(status -X POST "${H[@]}" "$URL/v1/accounts/$USER_ID/consume" -d '{"feature":"code_generation"}')
[[ $code == 200 ]] && grep -q '"tokensRemaining":8000' "$WORK/body" || fail "consume answered $code: $(cat "$WORK/body")"
rows=$(psql -h 127.0.0.1 -U postgres -d "$DATABASE" -Atc "select count(*) from ledger_entry where account_id = '$USER_ID' and kind = 'consume'")
[[ $rows == 1 ]] || fail "the consume is not in $DATABASE ($rows entries)"
ok "with the dev Secret's admin key: account opened (201), consume paid (200, 8000 tokens left), written to $DATABASE"

[[ $(status "$URL$METRICS") == 200 ]] && grep -q '^# TYPE http_server_requests_seconds' "$WORK/body" || fail "$METRICS: no metrics"
ok "$METRICS (the pod's prometheus.io/path) answers the service's metrics"

# The service's container alone, as a kubelet does: stopping the pod would stop its infra container,
# and with it the pod's network, while the service still drains.
stop_started=$SECONDS
podman stop -t "$GRACE" "$CONTAINER" >/dev/null
took=$(( SECONDS - stop_started ))
exit_code=$(podman inspect --format '{{.State.ExitCode}}' "$CONTAINER")
podman logs "$CONTAINER" 2>&1 | grep -q 'credit-ledger stopped in' || fail "no graceful stop in the log (exit code $exit_code)"
(( took < GRACE )) || fail "the stop took ${took} s, the whole grace period: the service was killed"
(( took >= DELAY )) || fail "the stop took ${took} s, less than the ConfigMap's shutdown delay of ${DELAY} s"
ok "SIGTERM: served on for the ${DELAY} s shutdown delay, stopped gracefully in ${took} s, within the ${GRACE} s grace period (exit code $exit_code)"
# Plain or JSON log lines (an image may be built with JSON logging).
errors=$(podman logs "$CONTAINER" 2>&1 | grep -E ' ERROR |"level": *"ERROR"' || true)
[[ -z $errors ]] || fail "ERROR in the log: $(head -3 <<<"$errors")"
ok "no ERROR in the service's log"

log "$passed passed, 0 failed"
