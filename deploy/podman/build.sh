#!/usr/bin/env bash
# Builds src/main/docker/Dockerfile.jvm with Podman on the local base image (deploy/podman/base-image.sh)
# as credit-ledger:<version in pom.xml> (deploy/podman/image-name.sh). Needs the packaged service:
# it runs ./mvnw -B -q package -DskipTests first when target/quarkus-app is missing.
# Usage: deploy/podman/build.sh      Knobs: BASE_IMAGE (default localhost/credit-ledger-base:bookworm-jre17)
set -euo pipefail
cd "$(dirname "$0")/../.."
BASE_IMAGE=${BASE_IMAGE:-localhost/credit-ledger-base:bookworm-jre17}
IMAGE=$(deploy/podman/image-name.sh)
log() { printf '%s build: %s\n' "$(date +%T)" "$*" >&2; }

podman image exists "$BASE_IMAGE" || { log "no base image $BASE_IMAGE: run deploy/podman/base-image.sh first"; exit 2; }
if [[ ! -f target/quarkus-app/quarkus-run.jar ]]; then
    log "no target/quarkus-app: packaging the service"
    ./mvnw -B -q package -DskipTests
fi
log "podman build -f src/main/docker/Dockerfile.jvm --build-arg BASE_IMAGE=$BASE_IMAGE -t $IMAGE ."
podman build --quiet -f src/main/docker/Dockerfile.jvm --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$IMAGE" . >/dev/null
log "built $(podman image inspect --format '{{index .RepoTags 0}} {{.Id}}' "$IMAGE" | cut -c1-80)"
