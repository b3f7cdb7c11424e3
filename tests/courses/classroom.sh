#!/usr/bin/env bash
# classroom.sh - the GitHub Classroom template: `make classroom` makes a student kit with a
# workflow pinned to the instructor's grader; the workflow's own fetch and grade commands,
# read out of the file, run here as a runner would run them: the grader comes from a local
# "instructor" repository at its tag (a moved tag is refused), a fake grader planted in the
# submission changes nothing, and the output is what Classroom's reporter decodes.
set -euo pipefail
cd "$(dirname "$0")/../.."
unset WIRELAB_ROOT WIRELAB_BIN
kitbin=$PWD/bin/wirelab

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git_q() { git -c user.name=instructor -c user.email=instructor@example.invalid -c init.defaultBranch=main "$@" >/dev/null; }

# The instructor's grader repository: the student kit, tagged.
tools/handout.sh --dir "$tmp/grader" >/dev/null
git_q -C "$tmp/grader" init
git_q -C "$tmp/grader" add -A
git_q -C "$tmp/grader" commit -m "wirelab for the course"
git_q -C "$tmp/grader" tag v1.0
commit=$(git -C "$tmp/grader" rev-parse HEAD)

tools/classroom/template.sh "$tmp/template" course/wirelab-grader v1.0 "$commit" 00 01
wf=$tmp/template/.github/workflows/classroom.yml
[ -f "$wf" ] || { echo "FAIL: no workflow in the template"; exit 1; }
[ ! -e "$tmp/template/solutions" ] || { echo "FAIL: the template has solutions/"; exit 1; }

# The workflow as data: its env block and each step's run block, by step id.
python3 - "$wf" "$tmp" "$commit" <<'PY'
import os, re, sys
wf, tmp, commit = sys.argv[1:]
lines = open(wf).read().split("\n")
env, steps, cur, run, ind = {}, {}, None, None, 0
for i, l in enumerate(lines):
    m = re.match(r"^  (WIRELAB_\w+): \"(.*)\"$", l)
    if m:
        env[m.group(1)] = m.group(2)
    m = re.match(r"^ +id: (\S+)$", l)
    if m:
        cur = m.group(1)
    m = re.match(r"^( +)run: \|$", l)
    if m and cur:
        ind, body = len(m.group(1)), []
        for k in lines[i + 1:]:
            if k.strip() and len(k) - len(k.lstrip()) <= ind:
                break
            body.append(k[ind + 2:])
        steps[cur] = "\n".join(body).strip() + "\n"
want_env = {"WIRELAB_GRADER_REPO": "course/wirelab-grader", "WIRELAB_GRADER_TAG": "v1.0",
            "WIRELAB_GRADER_COMMIT": commit, "WIRELAB_LABS": "00 01"}
assert env == want_env, f"the workflow's env: {env}"
for sid in ("fetch", "build", "wirelab"):
    assert sid in steps, f"no step with id {sid} and a run block: {list(steps)}"
text = open(wf).read()
for need in ("uses: classroom-resources/autograding-grading-reporter@v1",
             'WIRELAB_RESULTS: "${{ steps.wirelab.outputs.result }}"', "runners: wirelab",
             "checks: write", "path: submission"):
    assert need in text, f"the workflow lacks {need!r}"
try:
    import yaml   # where PyYAML is installed: the file parses, with the same steps
    doc = yaml.safe_load(text)
    ids = [s.get("id") for s in doc["jobs"]["run-autograding-tests"]["steps"]]
    assert {"fetch", "build", "wirelab"} <= set(ids), ids
except ImportError:
    pass
with open(os.path.join(tmp, "env.sh"), "w") as f:
    for k, v in env.items():
        f.write(f"export {k}='{v}'\n")
for sid, body in steps.items():
    open(os.path.join(tmp, f"step-{sid}.sh"), "w").write(body)
PY

# The runner: a workspace with the student's repository checked out as submission/: lab 00
# solved, lab 01 as handed out, and a grader of their own that would give full marks.
ws=$tmp/ws
mkdir -p "$ws"
cp -a "$tmp/template" "$ws/submission"
rm -rf "$ws/submission/labs/00-sockets-basics/src"
cp -r solutions/00-sockets-basics/src "$ws/submission/labs/00-sockets-basics/src"
mkdir -p "$ws/submission/bin"
printf '#!/bin/sh\necho "{\\"score\\": 1000}"\n' >"$ws/submission/bin/wirelab"
chmod +x "$ws/submission/bin/wirelab"

step() {   # step ID [VAR=VALUE...]: run a step's block as Actions does (bash -e)
	local id=$1
	shift
	{ echo ". '$tmp/env.sh'"; cat "$tmp/step-$id.sh"; } >"$tmp/run-$id.sh"
	(cd "$ws" && env RUNNER_TEMP="$tmp/rt" GITHUB_OUTPUT="$tmp/output" \
		WIRELAB_GRADER_URL="file://$tmp/grader" "$@" bash -e "$tmp/run-$id.sh")
}
mkdir -p "$tmp/rt"
# A tag moved to another commit is refused.
git_q -C "$tmp/grader" commit --allow-empty -m "moved"
git_q -C "$tmp/grader" tag -f v1.0
if step fetch >"$tmp/fetch.log" 2>&1; then
	echo "FAIL: the fetch step took a tag that no longer points at the pinned commit"
	exit 1
fi
grep -q "not at $commit" "$tmp/fetch.log" || { echo "FAIL: fetch said: $(cat "$tmp/fetch.log")"; exit 1; }
git_q -C "$tmp/grader" tag -f v1.0 "$commit"
rm -rf "$tmp/rt/wirelab"
step fetch >"$tmp/fetch.log" 2>&1 || { echo "FAIL: fetch:"; cat "$tmp/fetch.log"; exit 1; }
[ "$(git -C "$tmp/rt/wirelab" rev-parse HEAD)" = "$commit" ] || { echo "FAIL: wrong grader commit"; exit 1; }
[ ! -e "$tmp/rt/wirelab/solutions" ] || { echo "FAIL: the fetched grader has solutions/"; exit 1; }

# The build step is `make` in the fetched kit (the student-kit test builds one); here the
# binary built from the same sources stands in for it.
mkdir -p "$tmp/rt/wirelab/bin"
cp "$kitbin" "$tmp/rt/wirelab/bin/wirelab"
: >"$tmp/output"
step wirelab WIRELAB_PCAP_DIR="$tmp/pcaps" >"$tmp/grade.log" 2>&1 ||
	{ echo "FAIL: the grade step:"; cat "$tmp/grade.log"; exit 1; }

python3 - "$tmp/output" <<'PY'
import base64, json, sys
out = open(sys.argv[1]).read().split("\n")
res = [l[len("result="):] for l in out if l.startswith("result=")]
assert len(res) == 1, f"GITHUB_OUTPUT holds {len(res)} result= lines"
r = json.loads(base64.b64decode(res[0]))
tests = r["tests"]
score = sum(t["score"] for t in tests)
assert r["version"] == 1 and r["status"] == "fail", r.get("status")
assert r["max_score"] == 200 == sum(t["max_score"] for t in tests), r["max_score"]
for t in tests:
    assert set(t) >= {"name", "status", "score", "message", "test_code", "line_no",
                      "execution_time"}, t
    assert t["status"] in ("pass", "fail", "error"), t
lab00 = [t for t in tests if t["name"].startswith("00-sockets-basics ")]
lab01 = [t for t in tests if t["name"].startswith("01-tcp-echo ")]
assert all(t["status"] == "pass" for t in lab00), [t["name"] for t in lab00 if t["status"] != "pass"]
assert all(t["status"] == "fail" and t["message"] for t in lab01)
assert score == 100, score
print(f"classroom result: {score}/{r['max_score']} points, {len(tests)} tests, status {r['status']}")
PY
echo "classroom template: pinned grader fetched (a moved tag refused), graded, reported"
