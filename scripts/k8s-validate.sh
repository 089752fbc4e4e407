#!/usr/bin/env bash
# Renders deploy/k8s (base and every overlay) with kustomize and validates it offline, with the alerts and the
# dashboard: deploy/check_deploy.py. Installs its tools under var/ on first use (Go module, PyPI); safe to rerun.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf 'k8s-validate: %s\n' "$*" >&2; }

KUSTOMIZE_VERSION=v5.8.2
PY_TOOLS=(kubernetes-validate==1.37.0 promql-parser==0.12.0 pyyaml)
# The oldest Kubernetes the manifests support (native gRPC probes are GA from 1.27) and the newest schema shipped.
KUBERNETES_VERSIONS=(1.29 1.37)

TOOLS="$ROOT/var/k8s-validate"
KUSTOMIZE="$ROOT/var/bin/kustomize"
RENDERED="$TOOLS/rendered"

install_kustomize() {
    if [[ -x "$KUSTOMIZE" ]] && "$KUSTOMIZE" version 2>/dev/null | grep -qx "$KUSTOMIZE_VERSION"; then
        return
    fi
    local go
    go="$(command -v go || true)"
    [[ -n "$go" ]] || go=/usr/local/go/bin/go
    [[ -x "$go" ]] || { log "Go is needed to build kustomize and was not found (PATH, /usr/local/go/bin)"; exit 1; }
    log "building kustomize $KUSTOMIZE_VERSION with $("$go" version | cut -d' ' -f3)"
    GOBIN="$ROOT/var/bin" GOFLAGS=-buildvcs=false "$go" install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
}

install_python_tools() {
    local stamp="$TOOLS/venv/.installed" wanted="${PY_TOOLS[*]}"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]]; then
        return
    fi
    log "installing ${wanted} into var/k8s-validate/venv"
    rm -rf "$TOOLS/venv"
    python3 -m venv "$TOOLS/venv" 2>/dev/null || {
        log "installing python3-venv"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
        rm -rf "$TOOLS/venv"; python3 -m venv "$TOOLS/venv"; }
    "$TOOLS/venv/bin/pip" install -q --disable-pip-version-check "${PY_TOOLS[@]}"
    printf '%s' "$wanted" > "$stamp"
}

mkdir -p "$TOOLS" "$ROOT/var/bin"
install_kustomize
install_python_tools

rm -rf "$RENDERED"
mkdir -p "$RENDERED"
targets=(deploy/k8s/base deploy/k8s/overlays/*/)
for target in "${targets[@]}"; do
    target="${target%/}"
    name="$(basename "$target")"
    "$KUSTOMIZE" build "$target" > "$RENDERED/$name.yaml" || { log "kustomize cannot render $target"; exit 1; }
done
log "rendered ${targets[*]%/} into ${RENDERED#"$ROOT"/}/"

versions=()
for version in "${KUBERNETES_VERSIONS[@]}"; do versions+=(--kubernetes-version "$version"); done
"$TOOLS/venv/bin/python" deploy/check_deploy.py "${versions[@]}" "$RENDERED"/*.yaml
