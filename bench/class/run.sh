#!/usr/bin/env bash
# run.sh - time `wirelab batch` on a generated class of N submissions of labs 00-04.
#
#   bench/class/run.sh [N [JOBS]]      (defaults: 200 submissions, -j 2)
#
# Prints the wall time, the machine's load average before and after (other work on the
# machine slows grading down), and the gradebook's status counts. Run from anywhere; the
# class and its results are left in a temporary folder that is named at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-200} jobs=${2:-2}
work=$(mktemp -d /tmp/wirelab-class-XXXXXX)
make -s all
bench/class/make-class.sh bench "$n" "$work/class"
echo "cores: $(nproc); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s.%N)
bin/wirelab batch "$work/class" all --out "$work/out" -j "$jobs" --no-progress
end=$(date +%s.%N)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v s="$start" -v e="$end" -v n="$n" \
	'BEGIN { printf "%d submissions x 5 labs in %.0f s (%.1f s per submission)\n", n, e - s, (e - s) / n }'
head -n 3 "$work/out/summary.txt"
echo "results: $work/out"
