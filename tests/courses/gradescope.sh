#!/usr/bin/env bash
# gradescope.sh - the Gradescope bundle on a simulated autograder root, namespaces forced
# off (WIRELAB_MODE=host, as in Gradescope's containers): setup.sh builds the kit; then
# run_autograder grades a kit wrapped two folders deep (full marks), a lab that does not
# build, and an empty upload, each time writing a valid results.json that says what it found
# and follows the course file (its checks, points and visibilities); then the wrapped kit
# once more without a capture (WIRELAB_MODE=nocap), which a warning at the top must say.
set -euo pipefail
cd "$(dirname "$0")/../.."
unset WIRELAB_ROOT WIRELAB_BIN
export WIRELAB_MODE=host

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A typo in the course file stops the bundle.
echo '{"labs": ["00"], "default_visibility": "public"}' >"$tmp/bad.json"
if tools/gradescope/bundle.sh "$tmp/bad.zip" "$tmp/bad.json" >"$tmp/bad.log" 2>&1 ||
	! grep -q 'default_visibility' "$tmp/bad.log"; then
	echo "FAIL: a bad visibility was bundled:"; cat "$tmp/bad.log"; exit 1
fi
cat >"$tmp/course.json" <<'JSON'
{"labs": ["00", "tcp-echo"], "exclude": ["greet.client-timeout"],
 "points": {"greet.server-hello": 15}, "default_visibility": "after_published",
 "visibility": {"echo.server-large": "hidden"}}
JSON
tools/gradescope/bundle.sh "$tmp/ag.zip" "$tmp/course.json"

# Unpack as Gradescope does, execute bits included: setup.sh and run_autograder at the top.
root=$tmp/autograder
python3 - "$tmp/ag.zip" "$root/source" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = z.namelist()
    for need in ("setup.sh", "run_autograder", "course.json", "wirelab/Makefile"):
        assert need in names, f"the zip has no {need}"
    bad = [n for n in names if n.startswith(("wirelab/solutions/", "wirelab/tests/mutants/"))]
    assert not bad, f"the zip holds {bad[:3]}"
    for info in z.infolist():
        path = z.extract(info, sys.argv[2])
        os.chmod(path, (info.external_attr >> 16) & 0o777)
for s in ("setup.sh", "run_autograder"):
    assert os.access(os.path.join(sys.argv[2], s), os.X_OK), f"{s} is not executable"
PY
AUTOGRADER_ROOT=$root "$root/source/setup.sh" >"$tmp/setup.log" 2>&1 ||
	{ echo "FAIL: setup.sh:"; tail -30 "$tmp/setup.log"; exit 1; }
cp "$root/source/run_autograder" "$root/run_autograder"

# Run one upload; check results.json with check.py's EXPECT.
grade() {
	local name=$1 expect=$2
	rm -rf "$root/results"
	mkdir -p "$root/results"
	AUTOGRADER_ROOT=$root "$root/run_autograder" >"$tmp/$name.log" 2>&1 ||
		{ echo "FAIL: run_autograder on $name exited $?:"; cat "$tmp/$name.log"; exit 1; }
	python3 - "$root/results/results.json" "$name" "$expect" <<'PY' || exit 1
import json, sys
path, name, expect = sys.argv[1:]
r = json.load(open(path))
tests = r["tests"]
total = sum(t["max_score"] for t in tests)
for key in ("score", "output", "tests"):
    assert key in r, f"{name}: no {key}"
for t in tests:
    assert set(t) >= {"name", "score", "max_score", "status", "output", "visibility"}, t
    assert t["status"] in ("passed", "failed"), t
    # The course's visibilities, for graded and missing labs alike.
    want = "hidden" if " echo.server-large:" in t["name"] else "after_published"
    assert t["visibility"] == want, f"{name}: {t['name']}: visibility {t['visibility']}"
    assert "greet.client-timeout" not in t["name"], f"{name}: an excluded check was graded"
    # The compiler's output is in the top-level output only.
    assert "this is not C" not in t["output"], f"{name}: {t['name']} repeats the build"
labs = {t["name"].split()[0] for t in tests}
ok = labs == {"00-sockets-basics", "01-tcp-echo"} and total == 205
if expect == "full":
    ok = ok and r["score"] == total and "a whole kit: alice/wirelab-main/labs/00" in r["output"]
elif expect == "unbuilt":
    ok = ok and r["score"] == 0 and "did not build" in r["output"] \
        and "a lab folder: hw1" in r["output"] and "00-sockets-basics: no sources found" in r["output"] \
        and "this is not C" in r["output"]
elif expect == "nocap":
    out = r["output"]
    ok = ok and r["score"] < total and out.startswith("WARNING: this machine could not") \
        and out.count("WARNING: this machine") == 1 \
        and "\n    00-sockets-basics greet.server-hello\n" in out \
        and "\n    01-tcp-echo echo.server-echo\n" in out \
        and out.index("01-tcp-echo echo.server-echo") < out.index("\nsandbox: ")
elif expect == "empty":
    ok = ok and r["score"] == 0 and r["output"].count("no sources found") == 2 \
        and all("No sources of" in t["output"] for t in tests)
print(f"{name}: {r['score']}/{total} points; {r['output'].strip().splitlines()[1][:100]}")
if not ok:
    print(f"FAIL: {name}: expected {expect}; results.json:\n{json.dumps(r, indent=1)[:3000]}")
    sys.exit(1)
PY
}

# A whole kit wrapped two folders deep, with a link that must not be followed.
sub=$root/submission
rm -rf "$sub"
mkdir -p "$sub/alice/wirelab-main/labs"
cp -r solutions/00-sockets-basics solutions/01-tcp-echo "$sub/alice/wirelab-main/labs/"
ln -s /etc "$sub/alice/wirelab-main/labs/01-tcp-echo/src/etc.h"
grade wrapped full
WIRELAB_MODE=nocap grade nocap nocap

# One lab folder that does not build, in a folder of its own; lab 00 missing.
rm -rf "$sub"
mkdir -p "$sub/hw1/src"
cp solutions/01-tcp-echo/src/*.c "$sub/hw1/src/"
echo 'this is not C' >>"$sub/hw1/src/echo_server.c"
echo 'this is not C' >>"$sub/hw1/src/echo_client.c"
grade unbuilt unbuilt

rm -rf "$sub"
mkdir -p "$sub"
grade empty empty
echo "gradescope bundle: setup, a wrapped kit, a build failure and an empty upload"
