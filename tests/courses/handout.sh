#!/usr/bin/env bash
# handout.sh - the student kit end to end: `make handout`'s tarball holds no line of any
# reference solution; unpacked in a fresh folder it builds, grades the stubs (0 points,
# exit status 1, every check a failure, nothing that did not build), and --solution says
# the solutions are not part of it.
set -euo pipefail
cd "$(dirname "$0")/../.."
unset WIRELAB_ROOT WIRELAB_BIN

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tools/handout.sh "$tmp/kit.tar.gz"
python3 tests/courses/no_solutions.py . "$tmp/kit.tar.gz"

mkdir "$tmp/fresh"
tar -xzf "$tmp/kit.tar.gz" -C "$tmp/fresh"
kit=$tmp/fresh/wirelab
for gone in solutions tests/mutants tests/test_grader.c tests/test_mutants.c; do
	if [ -e "$kit/$gone" ]; then
		echo "FAIL: the student kit has $gone"
		exit 1
	fi
done

cd "$kit"
make -s -j2 all >"$tmp/build.log" 2>&1 || { echo "FAIL: the student kit does not build:"; tail -30 "$tmp/build.log"; exit 1; }
st=0
bin/wirelab grade all --format json --pcap-dir "$tmp/pcaps" >"$tmp/stubs.json" || st=$?
if [ "$st" -ne 1 ]; then
	echo "FAIL: grading the stubs exited $st, expected 1"
	exit 1
fi
python3 - "$tmp/stubs.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
checks = [(l["lab"], c) for l in r["labs"] for c in l["checks"]]
bad = [f'{lab} {c["id"]}: {c["status"]}' for lab, c in checks if c["status"] != "fail"]
unbuilt = [f'{lab} {c["id"]}' for lab, c in checks if "did not build" in c["message"]]
print(f'stubs: {r["score"]}/{r["max_score"]} points, {len(checks)} checks')
if r["score"] != 0 or bad or unbuilt or len(checks) < 20:
    print("FAIL:", r["score"], "points;", "not failed:", bad[:5], "did not build:", unbuilt[:5])
    sys.exit(1)
PY

st=0
bin/wirelab grade 00 --solution >"$tmp/sol.out" 2>&1 || st=$?
if [ "$st" -ne 2 ] || ! grep -q 'not part of this kit' "$tmp/sol.out"; then
	echo "FAIL: --solution in the student kit: exit $st, said: $(cat "$tmp/sol.out")"
	exit 1
fi
echo "student kit: builds, stubs score 0, --solution refused"
