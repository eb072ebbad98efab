#!/usr/bin/env bash
# Measures the machine's share of each part of the workshop agenda in
# docs/workshop.md: how long a laptop makes a room wait. Prints one line per
# step with its wall time. Run from the repository root, with the offline
# images present (scripts/build-offline-images.sh) and, for the local steps,
# PostgreSQL and redis-server installed:
#
#   scripts/measure-workshop.sh            # everything but the USB load
#   sudo scripts/measure-workshop.sh --load  # also prepare --load into an empty engine
#
# The load step starts a second, empty dockerd on its own socket (its own
# data root, no bridge, no iptables, its own network namespace) so the
# machine's engine is not changed,
# and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
work=$(mktemp -d /tmp/cqrslab-measure.XXXXXX)
export CQRSLAB_STATE_DIR="$work/state"
unset CQRSLAB_POSTGRES_IMAGE CQRSLAB_REDIS_IMAGE
go build -o "$work/cqrslab" .
bin="$work/cqrslab"

# timed NAME CMD...: run CMD, print NAME and its wall time.
timed() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$work/out" 2>&1 || { echo "FAILED: $name"; tail -5 "$work/out"; return 1; }
  t1=$(date +%s.%N)
  awk -v n="$name" -v a="$t0" -v b="$t1" 'BEGIN{printf "%-45s %6.1f s\n", n, b-a}'
}

# up_until_ready ARGS...: time from `lab up` to "is up", then Ctrl-C.
up_until_ready() {
  "$bin" lab up "$@" >"$work/up.out" 2>&1 &
  local pid=$!
  for _ in $(seq 1 1800); do
    grep -q ' is up' "$work/up.out" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/up.out"; return 1; }
    sleep 0.1
  done
  kill -INT "$pid"; wait "$pid" || true
}

echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
timed "doctor" "$bin" doctor
timed "lab up, docker, offline images (to ready)" up_until_ready --infra docker
if "$bin" doctor --infra local >/dev/null 2>&1; then
  timed "lab up, local servers (to ready)" up_until_ready --infra local
fi
timed "experiment latency-spike, 3 policies" "$bin" experiment --scenario latency-spike --policy all --infra docker
timed "prepare --save (both images, .tar.gz)" "$bin" prepare --save "$work/images.tar.gz" \
  --postgres-image cqrslab-offline/postgres:15 --redis-image cqrslab-offline/redis:7
ls -l "$work/images.tar.gz" | awk '{printf "%-45s %6.0f MB\n", "archive size", $5/1e6}'

if [ "${1:-}" = "--load" ]; then
  root="$work/engine"; mkdir -p "$root"; echo '{}' >"$root/daemon.json"
  # its own network namespace: with --bridge=none, dockerd deletes the
  # docker0 bridge of the namespace it runs in
  unshare --net dockerd --config-file "$root/daemon.json" --data-root "$root/data" --exec-root "$root/exec" \
    --pidfile "$root/pid" -H "unix://$root/sock" --bridge=none --iptables=false --ip-masq=false >"$root/log" 2>&1 &
  dpid=$!
  trap 'kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; rm -rf "$work"' EXIT # also when a step fails
  for _ in $(seq 1 60); do DOCKER_HOST="unix://$root/sock" docker info >/dev/null 2>&1 && break; sleep 0.5; done
  DOCKER_HOST="unix://$root/sock" timed "prepare --load into an empty engine" "$bin" prepare --load "$work/images.tar.gz"
  DOCKER_HOST="unix://$root/sock" timed "doctor after the load" "$bin" doctor --infra docker
  kill "$dpid"; wait "$dpid" || true
fi
rm -rf "$work"
