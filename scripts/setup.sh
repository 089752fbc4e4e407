#!/usr/bin/env bash
# Sets up everything a fresh Debian machine needs: Python venv and packages, generated contracts,
# RabbitMQ and FerretDB (scripts/infra.sh), the development PKI. Safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf 'setup: %s\n' "$*" >&2; }

apt_install() {
    [[ -n "${APT_UPDATED:-}" ]] || { apt-get update -qq; APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# openssl verifies timestamp tokens in the tests; softhsm2 and opensc give the seal a real PKCS#11 token.
for tool in openssl:openssl softhsm2-util:softhsm2 pkcs11-tool:opensc; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || { log "installing ${tool#*:}"; apt_install "${tool#*:}"; }
done

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"
if [[ -z "$PYTHON" ]]; then
    log "installing python3"; apt_install python3 python3-venv; PYTHON=python3
fi
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
    || { log "Python 3.11 is required, $PYTHON is $("$PYTHON" --version)"; exit 1; }

if [[ ! -x .venv/bin/python ]]; then
    "$PYTHON" -m venv .venv 2>/dev/null || { log "installing python3-venv"; apt_install python3-venv; rm -rf .venv; "$PYTHON" -m venv .venv; }
fi
pip_install() {
    mkdir -p var/log
    .venv/bin/pip install "$@" >>var/log/setup-pip.log 2>&1 \
        || { tail -n 30 var/log/setup-pip.log; log "pip install failed (var/log/setup-pip.log)"; exit 1; }
}

# The contracts are generated before the package is installed: they are part of it.
[[ -x .venv/bin/python ]] && .venv/bin/python -c 'import grpc_tools' 2>/dev/null \
    || pip_install --upgrade pip 'setuptools<82' wheel grpcio-tools
log "generating contracts from protos/"
make -s protos

if [[ ! -f .venv/.installed || pyproject.toml -nt .venv/.installed ]]; then
    log "installing Python packages"
    pip_install -e '.[test]'
    touch .venv/.installed
fi

bash scripts/infra.sh up >/dev/null
.venv/bin/jefacture pki init >/dev/null
log "ready"
