#!/usr/bin/env bash
# bench/ftp/run.sh: the lab 05 reference ftp_server against pyftpdlib, on loopback, with curl.
#
#   bench/ftp/run.sh                 # a 256 MiB file, 3 rounds
#   SIZE_MIB=64 ROUNDS=5 bench/ftp/run.sh
#
# Both servers run on the same machine in the same run, on free loopback ports, each over a
# root of its own holding the same file. curl downloads the file from each (passive mode,
# EPSV) and uploads it to each (STOR, as the -u user), to /dev/null and from the same file;
# each transfer is checked for its size. The servers take turns for ROUNDS rounds and the
# median MB/s of each is reported with the ratio reference/pyftpdlib: the reference server
# must not be the bottleneck (a ratio of 0.8 or more).
#
# What is being compared: the reference copies with read()/send() and recv()/write() through
# a 64 KiB buffer, as the handout teaches; pyftpdlib (Python, asyncore-style) uses sendfile()
# for downloads where it can. vsftpd is not used: it wants to run as root with a chroot of
# its own, which a bench run by a student cannot assume.
#
# Installs nothing: when a tool is missing it prints the apt-get command and stops.
set -euo pipefail

SIZE_MIB=${SIZE_MIB:-256}
ROUNDS=${ROUNDS:-3}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# pyftpdlib is installed for Debian's python3, which may not be the first in PATH.
py=python3
$py -c 'import pyftpdlib' 2>/dev/null || py=/usr/bin/python3
missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
$py -c 'import pyftpdlib' 2>/dev/null || missing+=(python3-pyftpdlib)
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench/ftp: missing ${missing[*]}; install with:" >&2
	echo "    apt-get install -y ${missing[*]}" >&2
	exit 1
fi

work=$(mktemp -d /tmp/wirelab-bench-ftp.XXXXXX)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

cc -std=c17 -O2 -g -Wall -Wextra -pthread -o "$work/ftp_server" \
	"$root/solutions/05-ftp/src/ftp_server.c" "$root/solutions/05-ftp/src/ftp_proto.c"

mkdir -p "$work/ref" "$work/py"
head -c $((SIZE_MIB << 20)) /dev/urandom >"$work/ref/big.bin"
cp "$work/ref/big.bin" "$work/py/big.bin"
bytes=$((SIZE_MIB << 20))

free_port() {
	$py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() {
	for _ in $(seq 100); do
		if curl -s -m 2 -o /dev/null "ftp://alice:secret@127.0.0.1:$1/"; then return 0; fi
		sleep 0.05
	done
	echo "bench/ftp: nothing answers on port $1" >&2
	exit 1
}

ref_port=$(free_port)
setsid "$work/ftp_server" -u alice:secret "$ref_port" "$work/ref" >/dev/null 2>&1 &
pids+=($!)
py_port=$(free_port)
setsid $py -m pyftpdlib -i 127.0.0.1 -p "$py_port" -d "$work/py" -w -u alice -P secret \
	>/dev/null 2>&1 &
pids+=($!)
wait_port "$ref_port"
wait_port "$py_port"

# MB/s of one curl transfer (download: to /dev/null; upload: -T), its size checked.
rate() {
	local port=$1 dir=$2 out
	if [ "$dir" = get ]; then
		out=$(curl -s -o /dev/null -w '%{size_download} %{speed_download}' \
			"ftp://alice:secret@127.0.0.1:$port/big.bin")
	else
		out=$(curl -s -T "$work/ref/big.bin" -w '%{size_upload} %{speed_upload}' \
			"ftp://alice:secret@127.0.0.1:$port/up.bin")
	fi
	set -- $out
	if [ "${1%.*}" != "$bytes" ]; then
		echo "bench/ftp: $dir on port $port moved $1 bytes, not $bytes" >&2
		exit 1
	fi
	awk -v b="$2" 'BEGIN { printf "%.1f", b / 1e6 }'
}

median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for dir in get put; do
	ref=() pyv=()
	for _ in $(seq "$ROUNDS"); do
		pyv+=("$(rate "$py_port" "$dir")")
		ref+=("$(rate "$ref_port" "$dir")")
	done
	r=$(echo "${ref[*]}" | median)
	p=$(echo "${pyv[*]}" | median)
	printf '%-4s %d MiB: reference %8s MB/s (%s)  pyftpdlib %8s MB/s (%s)  ratio %s\n' \
		"$dir" "$SIZE_MIB" "$r" "${ref[*]}" "$p" "${pyv[*]}" \
		"$(awk -v a="$r" -v b="$p" 'BEGIN { printf "%.2f", a / b }')"
done
