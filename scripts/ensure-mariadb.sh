#!/usr/bin/env bash
# Ensure a MariaDB server answers on 127.0.0.1:3306 and root can log in there without a
# password. Idempotent: installs MariaDB (apt) if missing, starts it if it is not running and
# fixes root's TCP login if needed; never stops or restarts a running server.
# Prints one line saying what it did; on failure exits 1 with details on stderr.
set -euo pipefail

HOST=127.0.0.1
PORT=3306
WAIT_SECONDS=${MARIADB_WAIT_SECONDS:-60}
DAEMON=${MARIADB_DAEMON:-/usr/sbin/mariadbd}  # overridable for testing the script

LOG=$(mktemp /tmp/ensure-mariadb.XXXXXX)
trap 'rm -f "$LOG"' EXIT
actions=()

say() { echo "ensure-mariadb: $*"; }
die() {
    say "FAILED: $*" >&2
    if [[ -s $LOG ]]; then
        echo "--- last output ---" >&2
        tail -n 30 "$LOG" >&2
    fi
    exit 1
}

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root to run: $*"
    fi
}

# First available of the given commands (mariadb-* names first, mysql* as fallback).
first_cmd() {
    local c
    for c in "$@"; do
        if command -v "$c" >/dev/null 2>&1; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}
client_bin() { first_cmd mariadb mysql; }
admin_bin() { first_cmd mariadb-admin mysqladmin; }
have_client() { client_bin >/dev/null && admin_bin >/dev/null; }

# Server answers on TCP; "mysqladmin ping" also succeeds when it says "Access denied".
tcp_alive() {
    "$(admin_bin)" --connect-timeout=2 -h"$HOST" -P"$PORT" -uroot ping >/dev/null 2>&1
}

# root really logs in over TCP without a password.
tcp_login() {
    "$(client_bin)" --connect-timeout=2 -h"$HOST" -P"$PORT" -uroot -e 'SELECT 1' >/dev/null 2>&1
}

wait_alive() {
    local deadline=$((SECONDS + WAIT_SECONDS))
    while ((SECONDS < deadline)); do
        tcp_alive && return 0
        sleep 1
    done
    return 1
}

install_mariadb() {
    command -v apt-get >/dev/null 2>&1 || die "MariaDB is not installed and apt-get is missing"
    {
        as_root apt-get update &&
            as_root env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y mariadb-server mariadb-client
    } >>"$LOG" 2>&1 || die "apt-get install mariadb-server mariadb-client failed"
    actions+=("installed mariadb-server")
}

start_mariadb() {
    local datadir
    # The socket/pid directory lives on tmpfs in many containers and may be missing.
    as_root install -d -o mysql -g mysql /run/mysqld >>"$LOG" 2>&1 || true
    # A data dir that was never initialised (e.g. package unpacked without its postinst).
    datadir=$({ my_print_defaults --mysqld 2>/dev/null || true; } | sed -n 's/^--datadir=//p' | tail -n 1)
    datadir=${datadir:-/var/lib/mysql}
    if ! as_root test -d "$datadir/mysql"; then
        as_root mariadb-install-db --user=mysql --datadir="$datadir" >>"$LOG" 2>&1 ||
            die "mariadb-install-db --datadir=$datadir failed"
        actions+=("initialised $datadir")
    fi
    # --user=mysql: mariadbd refuses to run as root unless its config names a user.
    # --oknodo: fine if it is already starting (e.g. started by the package's postinst).
    if ! {
        command -v start-stop-daemon >/dev/null 2>&1 &&
            as_root start-stop-daemon --start --oknodo --background --exec "$DAEMON" \
                -- --user=mysql
    } >>"$LOG" 2>&1; then
        as_root service mariadb start >>"$LOG" 2>&1 || die "could not start $DAEMON"
    fi
    if ! wait_alive; then
        if as_root test -r /var/log/mysql/error.log; then
            as_root tail -n 20 /var/log/mysql/error.log >>"$LOG" 2>&1 || true
        fi
        die "MariaDB did not answer on $HOST:$PORT within ${WAIT_SECONDS}s"
    fi
    actions+=("started mariadbd")
}

# A fresh Debian install authenticates root@localhost via unix_socket only: also allow an
# empty password, and add root@127.0.0.1 for servers running with skip-name-resolve (TCP
# clients then never match 'localhost'). An existing root@127.0.0.1 is left untouched.
fix_root_login() {
    local client
    client=$(client_bin)
    as_root "$client" -uroot -e 'SELECT 1' >>"$LOG" 2>&1 ||
        die "root can log in neither over TCP ($HOST:$PORT) nor over the unix socket"
    as_root "$client" -uroot >>"$LOG" 2>&1 <<'SQL' || die "could not change root's account"
ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;
CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO root@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
    tcp_login || die "root still cannot log in over TCP ($HOST:$PORT) without a password"
    actions+=("enabled passwordless root login over TCP")
}

if have_client && tcp_login; then
    say "MariaDB already running on $HOST:$PORT, root login OK - nothing to do"
    exit 0
fi

if ! have_client || ! tcp_alive; then
    if [[ ! -x $DAEMON ]] || ! have_client; then
        install_mariadb
        [[ -x $DAEMON ]] && have_client || die "MariaDB still missing after apt-get install"
    fi
    tcp_alive || start_mariadb
fi
tcp_login || fix_root_login

if ((${#actions[@]} == 0)); then
    actions=("nothing to do")
fi
msg=$(printf '%s, ' "${actions[@]}")
say "${msg%, } - MariaDB on $HOST:$PORT, root login OK"
