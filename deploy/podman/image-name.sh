#!/usr/bin/env bash
# Prints the name of the image deploy/podman/build.sh makes: credit-ledger:<the project's version in
# pom.xml>, e.g. credit-ledger:0.1.0-SNAPSHOT (Podman lists it as localhost/credit-ledger:...).
# The one place that name is written; build.sh and image-test.sh ask this script for it.
set -euo pipefail
POM=$(dirname "$0")/../../pom.xml
# The project's own <version>: the first one after <artifactId>credit-ledger</artifactId>.
VERSION=$(sed -n '/<artifactId>credit-ledger<\/artifactId>/,/<version>/ s|.*<version>\([^<]*\)</version>.*|\1|p' "$POM" | head -1)
[[ -n $VERSION ]] || { echo "image-name: no project version in $POM" >&2; exit 1; }
echo "credit-ledger:$VERSION"
