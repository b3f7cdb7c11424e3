#!/usr/bin/env bash
# bench/chat/run.sh: delivery latency and throughput of the lab 03 reference chat server
# with 200 clients on loopback. A measurement, not a test: it prints figures and stops by itself
# (each run is bounded in messages and in seconds).
#
#   bench/chat/run.sh                 the two standard runs below
#   CLIENTS=100 RATE=50 bench/chat/run.sh
#
# Run 1 (latency): open loop, RATE messages per second in all, each fanned out to every other
#   client; p50/p99 of the time from send() to receipt at each recipient.
# Run 2 (throughput): closed loop, at most WINDOW messages in flight; delivered lines per second.
set -euo pipefail

CLIENTS=${CLIENTS:-200}
RATE=${RATE:-100}            # run 1: messages per second (x (CLIENTS-1) deliveries per second)
LAT_MSGS=${LAT_MSGS:-5}      # run 1: messages per client
WINDOW=${WINDOW:-100}        # run 2: messages in flight
TPUT_MSGS=${TPUT_MSGS:-10}   # run 2: messages per client
SECONDS_MAX=${SECONDS_MAX:-60}

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

cc -std=c17 -O2 -g -Wall -Wextra -pthread -o "$work/chat_server" "$root"/solutions/03-threaded-server/src/*.c
cc -std=c17 -O2 -g -Wall -Wextra -o "$work/chat_load" "$root/bench/chat/chat_load.c"

# Whether anything listens on TCP port $1 (state 0A in /proc/net/tcp{,6}).
listening() {
    local hex
    hex=$(printf ':%04X ' "$1")
    grep -h " 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '{print $2" "}' | grep -q -- "$hex"
}

# A free port: random in 20000..59999 until one is not in use (bounded).
port=
for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! listening "$p"; then port=$p; break; fi
done
[ -n "$port" ] || { echo "run.sh: no free port found" >&2; exit 1; }

ulimit -n 4096 2>/dev/null || true
"$work/chat_server" "$port" &
server_pid=$!
for _ in $(seq 1 50); do listening "$port" && break; sleep 0.1; done
listening "$port" || { echo "run.sh: chat_server did not start on port $port" >&2; exit 1; }

echo "machine: $(nproc) CPUs, $(uname -sr); server: solutions/03-threaded-server on 127.0.0.1:$port"
echo
echo "== run 1: latency at a fixed load"
"$work/chat_load" -c "$CLIENTS" -m "$LAT_MSGS" -r "$RATE" -T "$SECONDS_MAX" 127.0.0.1 "$port" || status=1
echo
echo "== run 2: throughput, closed loop"
"$work/chat_load" -c "$CLIENTS" -m "$TPUT_MSGS" -w "$WINDOW" -T "$SECONDS_MAX" 127.0.0.1 "$port" || status=1
echo
sleep 0.5
echo "server after both runs: $(ls /proc/$server_pid/task | wc -l) threads, $(ls /proc/$server_pid/fd | wc -l) open descriptors"
exit "${status:-0}"
