#!/usr/bin/env bash
# bench/http/run.sh: the lab 04 reference http_server against nginx, on loopback, with wrk.
#
#   bench/http/run.sh                      # wrk -t2 -c50 -d5s, 3 rounds, worker_processes auto
#   DURATION=10s CONNS=100 ROUNDS=5 bench/http/run.sh
#   NGINX_WORKERS=1 bench/http/run.sh      # nginx with a single worker process
#
# Both servers run on the same machine in the same run, on free loopback ports, from the
# same document root with a small file (100 bytes) and a 1 MiB file; keep-alive is on (wrk
# reuses its connections). For each file it prints requests/s and transfer/s of each
# server and the ratio reference/nginx. The two servers take turns (nginx, reference,
# nginx, reference, ...) for ROUNDS rounds and the median of each is reported, so that a
# burst of load from something else on the machine does not decide the result.
#
# Fairness, and what is being compared:
# - nginx runs with worker_processes auto (one worker per CPU) by default: the reference
#   server starts one thread per connection and so uses every CPU too. NGINX_WORKERS=1
#   shows nginx held to one CPU.
# - nginx keeps the settings Debian ships (sendfile on, tcp_nopush on, tcp_nodelay on),
#   without access logging (access_log off) and with keepalive_requests 100000, so that
#   neither server closes connections during the run. The reference server copies files
#   with read() and send() through a 64 KiB buffer, as the handout teaches; nginx uses
#   sendfile(), which saves a copy: that shows on the 1 MiB file.
# - wrk runs on the same CPUs as the servers, which is the same handicap for both.
#
# Installs nothing: when nginx or wrk is missing it prints the apt-get command and stops.
set -euo pipefail

DURATION=${DURATION:-5s}
CONNS=${CONNS:-50}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
NGINX_WORKERS=${NGINX_WORKERS:-auto}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
nginx_bin=$(command -v nginx 2>/dev/null || true)
[ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
[ -z "$nginx_bin" ] && missing+=(nginx-light)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench/http: missing ${missing[*]}; install with:" >&2
	echo "    apt-get install -y ${missing[*]}" >&2
	exit 1
fi

work=$(mktemp -d /tmp/wirelab-bench-http.XXXXXX)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

# The reference server, built with the kit's recipe for student programs.
cc -std=c17 -O2 -g -Wall -Wextra -pthread -o "$work/http_server" \
	"$root/solutions/04-http/src/http_server.c" "$root/solutions/04-http/src/http_parse.c"

# The document root. World-readable: nginx started as root serves as user nobody.
mkdir -p "$work/www"
head -c 100 /dev/zero | tr '\0' 'a' >"$work/www/small.txt"
head -c 1048576 /dev/urandom >"$work/www/big.bin"
chmod 755 "$work" "$work/www"
chmod 644 "$work/www/"*

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until url answers 200 (at most 5 s).
wait_ready() {
	for _ in $(seq 50); do
		if curl -fso /dev/null "$1"; then return 0; fi
		sleep 0.1
	done
	echo "bench/http: no answer from $1" >&2
	exit 1
}

nginx_port=$(free_port)
ref_port=$(free_port)
while [ "$ref_port" = "$nginx_port" ]; do ref_port=$(free_port); done

mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes $NGINX_WORKERS;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    default_type application/octet-stream;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/www;
    }
}
EOF

"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" 2>"$work/nginx/stderr" &
pids+=($!)
"$work/http_server" "$ref_port" "$work/www" &
pids+=($!)
wait_ready "http://127.0.0.1:$nginx_port/small.txt"
wait_ready "http://127.0.0.1:$ref_port/small.txt"

# Both must serve the same bytes before their speed means anything.
for f in small.txt big.bin; do
	curl -fs "http://127.0.0.1:$ref_port/$f" | cmp -s - "$work/www/$f" ||
		{ echo "bench/http: reference server served $f wrong" >&2; exit 1; }
	curl -fs "http://127.0.0.1:$nginx_port/$f" | cmp -s - "$work/www/$f" ||
		{ echo "bench/http: nginx served $f wrong" >&2; exit 1; }
done

# Runs wrk and prints "requests/s bytes/s" (wrk's Transfer/sec converted to bytes).
measure() {
	local out
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "$1")
	if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then
		echo "bench/http: errors while benchmarking $1:" >&2
		echo "$out" >&2
	fi
	awk '/^Requests\/sec:/ { rps = $2 }
	     /^Transfer\/sec:/ {
	         v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v)
	         m = (u == "KB") ? 1024 : (u == "MB") ? 1048576 : (u == "GB") ? 1073741824 : 1
	         tps = v * m
	     }
	     END { printf "%.0f %.0f\n", rps, tps }' <<<"$out"
}

human() {
	awk -v b="$1" 'BEGIN {
		if (b >= 1073741824) printf "%.2f GiB/s", b / 1073741824
		else if (b >= 1048576) printf "%.1f MiB/s", b / 1048576
		else printf "%.1f KiB/s", b / 1024 }'
}

# The median of the numbers on stdin, one per line.
median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "wrk -t$THREADS -c$CONNS -d$DURATION, keep-alive, median of $ROUNDS rounds;" \
	"nginx $("$nginx_bin" -v 2>&1 | sed 's/.*: //') worker_processes $NGINX_WORKERS; $(nproc) CPUs"
printf '%-10s %-10s %14s %16s\n' file server requests/s transfer/s
for f in small.txt big.bin; do
	: >"$work/nginx.txt"
	: >"$work/ref.txt"
	for _ in $(seq "$ROUNDS"); do
		measure "http://127.0.0.1:$nginx_port/$f" >>"$work/nginx.txt"
		measure "http://127.0.0.1:$ref_port/$f" >>"$work/ref.txt"
	done
	n_rps=$(cut -d' ' -f1 "$work/nginx.txt" | median)
	n_tps=$(cut -d' ' -f2 "$work/nginx.txt" | median)
	r_rps=$(cut -d' ' -f1 "$work/ref.txt" | median)
	r_tps=$(cut -d' ' -f2 "$work/ref.txt" | median)
	printf '%-10s %-10s %14.0f %16s\n' "$f" nginx "$n_rps" "$(human "$n_tps")"
	printf '%-10s %-10s %14.0f %16s\n' "$f" reference "$r_rps" "$(human "$r_tps")"
	awk -v r="$r_rps" -v n="$n_rps" -v f="$f" \
		'BEGIN { printf "%-10s ratio reference/nginx: %.2f\n", f, (n > 0 ? r / n : 0) }'
done
