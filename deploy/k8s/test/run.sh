#!/usr/bin/env bash
# Renders every kustomization of deploy/k8s with kubectl's kustomize and validates the objects
# offline (manifests.test.mjs says what is checked). No Kubernetes API server runs here: none is
# packaged for Debian, and the Maven and npm ones download their binaries when they run.
# Needs kubectl (its built-in kustomize v5 or later) and Node 20+ with npm; installs the pinned
# validators from package-lock.json. Usage: deploy/k8s/test/run.sh
set -euo pipefail
cd "$(dirname "$0")"
fail() { echo "k8s-test: $*" >&2; exit 1; }

command -v kubectl >/dev/null 2>&1 || fail "kubectl is missing: it renders the kustomizations (kubectl kustomize)"
kustomize=$(kubectl version --client -o json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).kustomizeVersion || ""')
[[ $kustomize =~ ^v([0-9]+)\. ]] && (( BASH_REMATCH[1] >= 5 )) || fail "kubectl's kustomize is '$kustomize', need v5 or later"
[[ $(node -p 'process.versions.node.split(".")[0]') -ge 20 ]] || fail "Node 20 or later is needed"
echo "k8s-test: kubectl $(kubectl version --client -o json | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).clientVersion.gitVersion'), kustomize $kustomize, node $(node -v)"

npm ci --no-audit --no-fund >/dev/null
npm test
