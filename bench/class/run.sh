#!/usr/bin/env bash
# run.sh - time `wirelab batch` on a generated class of N submissions.
#
#   bench/class/run.sh [N [JOBS [LABS]]]   (defaults: 200 submissions, -j 2, all: the seven
#                                         labs; 00-04: labs 00 to 04)
#
# Prints the wall time, the machine's load average before and after (other work on the
# machine slows grading down), and the gradebook's status counts. Run from anywhere; the
# class and its results are left in a temporary folder that is named at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-200} jobs=${2:-2} set=${3:-all}
case $set in
all) labs=(00-sockets-basics 01-tcp-echo 02-udp 03-threaded-server 04-http 05-ftp 06-websocket) ;;
00-04) labs=(00-sockets-basics 01-tcp-echo 02-udp 03-threaded-server 04-http) ;;
*) echo "run.sh: LABS is all or 00-04" >&2; exit 2 ;;
esac
work=$(mktemp -d /tmp/wirelab-class-XXXXXX)
make -s all
bench/class/make-class.sh bench "$n" "$work/class" "${labs[@]}"
echo "cores: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
# CPU time: the grader's and every process it waited for (they all are); GNU time is the
# Debian package `time`.
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "cpu: %U s user, %S s system" -o "$work/cpu")
"${timer[@]}" bin/wirelab batch "$work/class" all --out "$work/out" -j "$jobs" --no-progress
end=$(date +%s.%N)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v s="$start" -v e="$end" -v n="$n" -v l="${#labs[@]}" \
	'BEGIN { printf "%d submissions x %d labs in %.0f s (%.1f s per submission)\n", n, l, e - s, (e - s) / n }'
cat "$work/cpu" 2>/dev/null || echo "cpu: not measured (apt-get install time)"
head -n 3 "$work/out/summary.txt"
echo "results: $work/out"
