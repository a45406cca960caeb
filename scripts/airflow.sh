#!/usr/bin/env bash
# make airflow: Airflow standalone sized for this machine. Stopping this script (Ctrl-C, or
# SIGTERM to its pid) stops all of Airflow: scheduler, DAG processor, triggerer, API server
# and the executor's workers run in one process group, which is stopped whole.
set -uo pipefail
cores=$(nproc 2>/dev/null || echo 2)
# Task processes at once: two per core (a sync task waits on the databases about half the
# time), not Airflow's default of 32 worker processes on a laptop.
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-$((cores * 2))}"
# deploy/airflow.env: the settings for many tenants on a small machine; the environment wins
while IFS='=' read -r key value; do
    [[ -z "$key" || "$key" == \#* || -n "${!key:-}" ]] || export "$key=$value"
done < "$(dirname "$0")/../deploy/airflow.env"
echo "airflow: parallelism ${AIRFLOW__CORE__PARALLELISM} on ${cores} core(s); stop with Ctrl-C"

setsid "$@" &
group=$!
stop() {
    trap - INT TERM EXIT
    kill -TERM -- "-$group" 2>/dev/null || return 0
    for _ in $(seq 1 30); do
        kill -0 -- "-$group" 2>/dev/null || return 0
        sleep 1
    done
    echo "airflow: still running after 30 s; killing" >&2
    kill -KILL -- "-$group" 2>/dev/null || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap stop EXIT
wait "$group"
