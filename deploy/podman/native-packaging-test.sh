#!/usr/bin/env bash
# Checks the packaging of src/main/docker/Dockerfile.native, and only that: no native toolchain
# (GraalVM, Mandrel) is installed here, so there is no real native executable to put in it. In a
# build context of its own (the repository's .dockerignore and nothing else of it), a stand-in
# target/credit-ledger-<version>-runner, a shell script written without the executable bit, is
# built into the image on the local Debian 12 base (deploy/podman/base-image.sh, standing in for
# the default debian:bookworm-slim: the same release with a JRE on top) and run read-only with
# only /tmp writable. The check: the image's USER is numeric and not root, and the entrypoint ran
# the copied file, made executable, as uid/gid 185 in /deployments with QUARKUS_HTTP_HOST=0.0.0.0.
# Whether a real native executable starts there is not checked.
# Usage: deploy/podman/native-packaging-test.sh      Knobs: BASE_IMAGE
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE_IMAGE=${BASE_IMAGE:-localhost/credit-ledger-base:bookworm-jre17}
NAME=$(deploy/podman/image-name.sh)
VERSION=${NAME#*:}
TEST_IMAGE=localhost/credit-ledger-native-packaging-test:$VERSION

log() { printf '%s native-packaging-test: %s\n' "$(date +%T)" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
podman image exists "$BASE_IMAGE" || { log "no base image $BASE_IMAGE: run deploy/podman/base-image.sh first"; exit 2; }

CONTEXT=$(mktemp -d /tmp/credit-ledger-native-packaging.XXXXXX)
cleanup() {
    local status=$?
    set +e
    podman rmi -f "$TEST_IMAGE" >/dev/null 2>&1
    rm -rf "$CONTEXT"
    exit "$status"
}
trap cleanup EXIT
cp .dockerignore "$CONTEXT/"
mkdir "$CONTEXT/target"
cat >"$CONTEXT/target/credit-ledger-$VERSION-runner" <<'EOF'
#!/bin/sh
# Stand-in for the native executable: says who and where it runs.
echo "stand-in uid=$(id -u) gid=$(id -g) cwd=$(pwd) host=$QUARKUS_HTTP_HOST self=$(stat -c '%a %u' "$0")"
EOF
chmod 644 "$CONTEXT/target/credit-ledger-$VERSION-runner"

podman build --quiet -f src/main/docker/Dockerfile.native --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$TEST_IMAGE" "$CONTEXT" >/dev/null
user=$(podman image inspect --format '{{.Config.User}}' "$TEST_IMAGE")
[[ $user =~ ^[0-9]+(:[0-9]+)?$ && ${user%%:*} != 0 ]] || fail "USER '$user' is not a numeric non-root user"
out=$(podman run --rm --read-only --read-only-tmpfs=false --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges --network none "$TEST_IMAGE") \
    || fail "the image did not run its entrypoint"
expected="stand-in uid=185 gid=185 cwd=/deployments host=0.0.0.0 self=755 0"
[[ $out == "$expected" ]] || fail "the entrypoint printed '$out', expected '$expected'"
log "OK (packaging only, with a stand-in executable): USER $user; $out"
