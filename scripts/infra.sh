#!/usr/bin/env bash
# Local infrastructure for jefacture: a private RabbitMQ node and FerretDB.
#
# Usage:
#   scripts/infra.sh up               start RabbitMQ + FerretDB (idempotent), build the OpenID Provider, print URIs
#   scripts/infra.sh down             stop both (idempotent)
#   scripts/infra.sh status           one line per component; exit 1 if one is down
#   scripts/infra.sh vhost NAME       create RabbitMQ vhost NAME, grant guest full rights
#   scripts/infra.sh drop-vhost NAME  delete RabbitMQ vhost NAME (idempotent)
#   scripts/infra.sh uris             print the AMQP_URI / MONGO_URI lines only
#
# Environment:
#   VAR_DIR            state directory (default: <repo>/var)
#   AMQP_PORT          RabbitMQ AMQP port (default 5672); Erlang dist port = AMQP_PORT+20000
#   MONGO_PORT         FerretDB port (default 27017)
#   RABBITMQ_NODENAME  default jefacture@localhost (jefacture-PORT@localhost if AMQP_PORT != 5672)
#   AMQP_URI           if set, RabbitMQ is external: never installed/started/stopped here
#   MONGO_URI          if set, MongoDB is external: FerretDB is never built/started/stopped here
#
# Everything listens on 127.0.0.1 only. The RabbitMQ node runs as the calling
# user (root), not as the system service, with all its state under VAR_DIR.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
VAR_DIR="${VAR_DIR:-$ROOT_DIR/var}"
mkdir -p "$VAR_DIR"
VAR_DIR="$(cd "$VAR_DIR" && pwd)"

AMQP_PORT="${AMQP_PORT:-5672}"
MONGO_PORT="${MONGO_PORT:-27017}"
for _p in AMQP_PORT MONGO_PORT; do
    if ! [[ "${!_p}" =~ ^[0-9]+$ ]] || (( ${!_p} < 1 || ${!_p} > 65535 )); then
        echo "infra: $_p must be a port number, got '${!_p}'" >&2
        exit 2
    fi
done
if [[ -n "${RABBITMQ_NODENAME:-}" ]]; then
    RMQ_NODE="$RABBITMQ_NODENAME"
elif [[ "$AMQP_PORT" == 5672 ]]; then
    RMQ_NODE="jefacture@localhost"
else
    RMQ_NODE="jefacture-$AMQP_PORT@localhost"   # lets a second instance coexist
fi
RMQ_DIST_PORT=$((AMQP_PORT + 20000))
if (( RMQ_DIST_PORT > 65535 )); then
    echo "infra: AMQP_PORT too large (dist port AMQP_PORT+20000 must be <= 65535)" >&2
    exit 2
fi

RMQ_DIR="$VAR_DIR/rabbitmq"
RMQ_LOG_DIR="$VAR_DIR/log/rabbitmq"
RMQ_PID_FILE="$VAR_DIR/run/rabbitmq.pid"
RMQ_CONF="$RMQ_DIR/rabbitmq.conf"
RMQ_LOG_START=0   # line count of the node log before our start attempt

FDB_SRC="$ROOT_DIR/infra/ferretdb"
FDB_BIN="$VAR_DIR/bin/ferretdb-launcher"
FDB_DATA="$VAR_DIR/ferretdb"
FDB_LOG="$VAR_DIR/log/ferretdb.log"
FDB_PID_FILE="$VAR_DIR/run/ferretdb.pid"

OIDC_SRC="$ROOT_DIR/infra/oidc"
OIDC_BIN="$VAR_DIR/bin/oidc-provider"

LOCAL_AMQP_URI="pyamqp://guest:guest@127.0.0.1:$AMQP_PORT//"
LOCAL_MONGO_URI="mongodb://127.0.0.1:$MONGO_PORT/"

log() { echo "infra: $*" >&2; }
die() { echo "infra: ERROR: $*" >&2; exit 1; }

# true if something accepts TCP connections on 127.0.0.1:$1
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---------------------------------------------------------------- RabbitMQ

rmq_bin() {
    # Debian's /usr/sbin/rabbitmq* wrappers `su rabbitmq` when run as root, which
    # would need var/ to be writable by that user and use its cookie; call the
    # real scripts directly so the node runs as us with state under VAR_DIR.
    local name="$1"
    if [[ -x "/usr/lib/rabbitmq/bin/$name" ]]; then
        echo "/usr/lib/rabbitmq/bin/$name"
    elif command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
    else
        return 1
    fi
}

rmq_env() {
    export RABBITMQ_NODENAME="$RMQ_NODE"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$AMQP_PORT"
    export RABBITMQ_DIST_PORT="$RMQ_DIST_PORT"
    export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
    export RABBITMQ_LOG_BASE="$RMQ_LOG_DIR"
    export RABBITMQ_PID_FILE="$RMQ_PID_FILE"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
    export RABBITMQ_CONFIG_FILE="$RMQ_CONF"
    # keep /etc/rabbitmq out of it (env file, advanced.config)
    export RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
    # Erlang distribution (node + CLI tools) and epmd: loopback only
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_CRASH_DUMP="$RMQ_LOG_DIR/erl_crash.dump"
    # shared cookie (~/.erlang.cookie); create it up front so the server and
    # the CLI never race to create it
    local cookie="${HOME:-/root}/.erlang.cookie"
    if [[ ! -s "$cookie" ]]; then
        (umask 077; LC_ALL=C tr -dc 'A-Z' </dev/urandom | head -c 20 >"$cookie")
        chmod 400 "$cookie"
    fi
}

rmqctl() {
    local ctl
    ctl="$(rmq_bin rabbitmqctl)" || die "rabbitmqctl not found"
    (rmq_env; cd "$VAR_DIR" && "$ctl" -n "$RMQ_NODE" "$@")
}

rmq_running() {
    rmq_bin rabbitmqctl >/dev/null 2>&1 || return 1
    rmqctl -q status >/dev/null 2>&1
}

rmq_log_tail() {
    local f="$RMQ_LOG_DIR/$RMQ_NODE.log"
    if [[ -f "$f" ]]; then
        # the interesting error is usually buried above the shutdown noise
        if tail -n "+$((RMQ_LOG_START + 1))" "$f" | grep -qE '\[(error|critical)\]'; then
            echo "----- first errors of this start in $f -----" >&2
            tail -n "+$((RMQ_LOG_START + 1))" "$f" | grep -m 10 -E '\[(error|critical)\]' | cut -c1-300 >&2
        fi
        echo "----- last 30 lines of $f -----" >&2
        tail -n 30 "$f" >&2
    else
        echo "(no log file at $f; see $RMQ_LOG_DIR)" >&2
        ls -la "$RMQ_LOG_DIR" >&2 2>/dev/null || true
    fi
}

rmq_pid_alive() {
    local pid
    [[ -s "$RMQ_PID_FILE" ]] || return 1
    pid="$(tr -dc '0-9' <"$RMQ_PID_FILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

rmq_install() {
    if rmq_bin rabbitmq-server >/dev/null 2>&1; then
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 || die "rabbitmq-server is not installed and apt-get is unavailable"
    log "installing rabbitmq-server (apt-get)"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server
    # The package may have started the system node (rabbit@host) on 5672; we
    # run our own node instead.
    if command -v service >/dev/null 2>&1; then
        service rabbitmq-server stop >/dev/null 2>&1 || true
    fi
    rmq_bin rabbitmq-server >/dev/null 2>&1 || die "rabbitmq-server still missing after apt-get install"
}

rmq_up() {
    if [[ -n "${AMQP_URI:-}" ]]; then
        log "AMQP_URI is set: using external broker, not starting RabbitMQ"
        return 0
    fi
    rmq_install
    if rmq_running; then
        log "RabbitMQ node $RMQ_NODE already running"
        return 0
    fi
    if port_open "$AMQP_PORT"; then
        die "port 127.0.0.1:$AMQP_PORT is already in use by something other than node $RMQ_NODE"
    fi
    if port_open "$RMQ_DIST_PORT"; then
        die "Erlang distribution port 127.0.0.1:$RMQ_DIST_PORT (AMQP_PORT+20000) is already in use"
    fi

    mkdir -p "$RMQ_DIR/mnesia" "$RMQ_LOG_DIR" "$(dirname "$RMQ_PID_FILE")"
    cat >"$RMQ_CONF" <<EOF
# generated by scripts/infra.sh -- do not edit
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
EOF
    echo '[].' >"$RMQ_DIR/enabled_plugins"
    : >"$RMQ_DIR/rabbitmq-env.conf"
    rm -f "$RMQ_PID_FILE"
    RMQ_LOG_START=0
    if [[ -f "$RMQ_LOG_DIR/$RMQ_NODE.log" ]]; then
        RMQ_LOG_START=$(wc -l <"$RMQ_LOG_DIR/$RMQ_NODE.log")
    fi

    local server
    server="$(rmq_bin rabbitmq-server)"
    log "starting RabbitMQ node $RMQ_NODE on 127.0.0.1:$AMQP_PORT"
    # -detached: never run rabbitmq-server in the foreground
    (rmq_env; cd "$RMQ_DIR" && "$server" -detached) </dev/null >>"$RMQ_LOG_DIR/startup.log" 2>&1 \
        || { rmq_log_tail; die "rabbitmq-server -detached failed (see $RMQ_LOG_DIR/startup.log)"; }

    local deadline=$((SECONDS + 60)) remaining
    while :; do
        remaining=$((deadline - SECONDS))
        if (( remaining <= 0 )); then
            rmq_log_tail
            die "RabbitMQ node $RMQ_NODE did not start within 60 s"
        fi
        if rmqctl -q -t "$remaining" await_startup >/dev/null 2>&1; then
            break
        fi
        # once the VM wrote its pid file, stop waiting if it died
        if (( SECONDS > deadline - 50 )) && [[ -s "$RMQ_PID_FILE" ]] && ! rmq_pid_alive; then
            rmq_log_tail
            rm -f "$RMQ_PID_FILE"
            die "RabbitMQ node $RMQ_NODE exited during startup"
        fi
        sleep 1
    done
    log "RabbitMQ node $RMQ_NODE is up"
}

rmq_down() {
    if [[ -n "${AMQP_URI:-}" ]]; then
        log "AMQP_URI is set: external broker, not stopping anything"
        return 0
    fi
    if ! rmq_running; then
        log "RabbitMQ node $RMQ_NODE not running"
        rm -f "$RMQ_PID_FILE"
        return 0
    fi
    log "stopping RabbitMQ node $RMQ_NODE"
    if [[ -s "$RMQ_PID_FILE" ]]; then
        # with a pid file, `stop` waits for the VM to exit
        rmqctl -q stop "$RMQ_PID_FILE" >/dev/null || die "rabbitmqctl stop failed"
    else
        rmqctl -q stop >/dev/null || die "rabbitmqctl stop failed"
    fi
    local i
    for ((i = 0; i < 30; i++)); do
        rmq_pid_alive || break
        sleep 1
    done
    rmq_pid_alive && die "RabbitMQ node $RMQ_NODE still running after stop"
    rm -f "$RMQ_PID_FILE"
    log "RabbitMQ node $RMQ_NODE stopped"
}

rmq_require_local() {
    if ! rmq_running; then
        if [[ -n "${AMQP_URI:-}" ]]; then
            die "local RabbitMQ node $RMQ_NODE is not running (AMQP_URI is set: manage vhosts on that broker)"
        fi
        die "RabbitMQ node $RMQ_NODE is not running (run: scripts/infra.sh up)"
    fi
}

rmq_vhost_exists() {
    rmqctl -q list_vhosts name --no-table-headers 2>/dev/null | grep -Fxq -- "$1"
}

cmd_vhost() {
    local name="${1:-}"
    [[ -n "$name" ]] || die "usage: $0 vhost NAME"
    rmq_require_local
    if rmq_vhost_exists "$name"; then
        log "vhost '$name' already exists"
    else
        rmqctl -q add_vhost "$name" >/dev/null
        log "vhost '$name' created"
    fi
    rmqctl -q set_permissions -p "$name" guest ".*" ".*" ".*" >/dev/null
}

cmd_drop_vhost() {
    local name="${1:-}"
    [[ -n "$name" ]] || die "usage: $0 drop-vhost NAME"
    rmq_require_local
    if rmq_vhost_exists "$name"; then
        rmqctl -q delete_vhost "$name" >/dev/null
        log "vhost '$name' deleted"
    else
        log "vhost '$name' does not exist"
    fi
}

# ---------------------------------------------------------------- FerretDB

fdb_pid() {
    local pid
    [[ -s "$FDB_PID_FILE" ]] || return 1
    pid="$(tr -dc '0-9' <"$FDB_PID_FILE")"
    [[ -n "$pid" ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # guard against pid reuse
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q ferretdb-launcher || return 1
    echo "$pid"
}

go_toolchain() {
    if ! command -v go >/dev/null 2>&1; then
        if [[ -x /usr/local/go/bin/go ]]; then
            export PATH="/usr/local/go/bin:$PATH"
        else
            log "Go not found: installing Debian's golang-go (GOTOOLCHAIN=auto fetches the version go.mod asks for)"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null \
                || die "Go toolchain not found and 'apt-get install golang-go' failed; needed to build $1"
            export GOTOOLCHAIN=auto
        fi
    fi
}

fdb_build() {
    if [[ -x "$FDB_BIN" && ! "$FDB_SRC/main.go" -nt "$FDB_BIN" \
          && ! "$FDB_SRC/go.sum" -nt "$FDB_BIN" && ! "$FDB_SRC/go.mod" -nt "$FDB_BIN" ]]; then
        return 0
    fi
    go_toolchain "$FDB_SRC"
    mkdir -p "$(dirname "$FDB_BIN")"
    log "building FerretDB launcher -> $FDB_BIN"
    (cd "$FDB_SRC" && go build -o "$FDB_BIN.tmp" .) || { rm -f "$FDB_BIN.tmp"; die "go build of $FDB_SRC failed"; }
    mv -f "$FDB_BIN.tmp" "$FDB_BIN"
}

# The OpenID Provider standing in for ComptExpert; the platform (lib/jefacture/platform.py) starts it.
oidc_build() {
    if [[ -x "$OIDC_BIN" ]] \
          && [[ -z "$(find "$OIDC_SRC" \( -name '*.go' -o -name go.mod -o -name go.sum \) -newer "$OIDC_BIN")" ]]; then
        return 0
    fi
    go_toolchain "$OIDC_SRC"
    mkdir -p "$(dirname "$OIDC_BIN")"
    log "building OpenID Provider -> $OIDC_BIN"
    (cd "$OIDC_SRC" && go build -o "$OIDC_BIN.tmp" .) || { rm -f "$OIDC_BIN.tmp"; die "go build of $OIDC_SRC failed"; }
    mv -f "$OIDC_BIN.tmp" "$OIDC_BIN"
}

fdb_ping() {
    local py="$ROOT_DIR/.venv/bin/python"
    if [[ -x "$py" ]]; then
        "$py" -c '
import sys
from pymongo import MongoClient
c = MongoClient(sys.argv[1], serverSelectionTimeoutMS=1000, connectTimeoutMS=1000)
c.admin.command("ping")
' "$LOCAL_MONGO_URI" >/dev/null 2>&1
    else
        port_open "$MONGO_PORT"
    fi
}

fdb_log_tail() {
    if [[ -f "$FDB_LOG" ]]; then
        echo "----- last 30 lines of $FDB_LOG -----" >&2
        tail -n 30 "$FDB_LOG" >&2
    fi
}

fdb_up() {
    if [[ -n "${MONGO_URI:-}" ]]; then
        log "MONGO_URI is set: using external MongoDB, not starting FerretDB"
        return 0
    fi
    if fdb_pid >/dev/null; then
        log "FerretDB already running (pid $(fdb_pid))"
        return 0
    fi
    rm -f "$FDB_PID_FILE"
    fdb_build
    if port_open "$MONGO_PORT"; then
        die "port 127.0.0.1:$MONGO_PORT is already in use by something other than our FerretDB"
    fi
    mkdir -p "$FDB_DATA" "$(dirname "$FDB_LOG")" "$(dirname "$FDB_PID_FILE")"
    log "starting FerretDB on 127.0.0.1:$MONGO_PORT (data in $FDB_DATA)"
    # setsid: own session, so it survives the caller's process group going away
    nohup setsid "$FDB_BIN" -listen "127.0.0.1:$MONGO_PORT" -data "$FDB_DATA" \
        </dev/null >>"$FDB_LOG" 2>&1 &
    echo $! >"$FDB_PID_FILE"

    local deadline=$((SECONDS + 30))
    until fdb_ping; do
        if ! fdb_pid >/dev/null; then
            fdb_log_tail
            rm -f "$FDB_PID_FILE"
            die "FerretDB exited during startup"
        fi
        if (( SECONDS >= deadline )); then
            fdb_log_tail
            die "FerretDB did not answer a ping on 127.0.0.1:$MONGO_PORT within 30 s (still running, pid $(fdb_pid))"
        fi
        sleep 1
    done
    log "FerretDB is up (pid $(fdb_pid))"
}

fdb_down() {
    if [[ -n "${MONGO_URI:-}" ]]; then
        log "MONGO_URI is set: external MongoDB, not stopping anything"
        return 0
    fi
    local pid i
    if ! pid="$(fdb_pid)"; then
        log "FerretDB not running"
        rm -f "$FDB_PID_FILE"
        return 0
    fi
    log "stopping FerretDB (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "FerretDB did not exit after SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$FDB_PID_FILE"
    log "FerretDB stopped"
}

# ---------------------------------------------------------------- commands

print_uris() {
    echo "AMQP_URI=${AMQP_URI:-$LOCAL_AMQP_URI}"
    echo "MONGO_URI=${MONGO_URI:-$LOCAL_MONGO_URI}"
}

cmd_status() {
    local rc=0 pid
    if [[ -n "${AMQP_URI:-}" ]]; then
        echo "rabbitmq: external (AMQP_URI set)"
    elif rmq_running; then
        echo "rabbitmq: running (node $RMQ_NODE, 127.0.0.1:$AMQP_PORT)"
    else
        echo "rabbitmq: not running (node $RMQ_NODE)"
        rc=1
    fi
    if [[ -n "${MONGO_URI:-}" ]]; then
        echo "ferretdb: external (MONGO_URI set)"
    elif pid="$(fdb_pid)"; then
        echo "ferretdb: running (pid $pid, 127.0.0.1:$MONGO_PORT)"
    else
        echo "ferretdb: not running"
        rc=1
    fi
    return "$rc"
}

usage() {
    sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
    local cmd="${1:-}"
    shift || true
    case "$cmd" in
        up)         rmq_up; fdb_up; oidc_build; print_uris ;;
        down)       fdb_down; rmq_down ;;
        status)     cmd_status ;;
        vhost)      cmd_vhost "$@" ;;
        drop-vhost) cmd_drop_vhost "$@" ;;
        uris)       print_uris ;;
        -h|--help|help) usage ;;
        *)          usage >&2; exit 2 ;;
    esac
}

main "$@"
