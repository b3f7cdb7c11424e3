#!/usr/bin/env bash
# grade.sh - what the GitHub Classroom workflow runs: grade a submission's labs with this
# kit's grader (fetched by the workflow at the instructor's pinned tag, never the copy in the
# student's repository) and hand the points to Classroom's autograding reporter.
#
#   tools/classroom/grade.sh LABS_DIR [LAB...]      (no LAB, or all: every lab)
#
# LABS_DIR is laid out like labs/. Writes "result=<base64 of the JSON>" to $GITHUB_OUTPUT
# (to stdout when it is not set): {"version": 1, "status": "pass|fail|error", "max_score": N,
# "tests": [{"name", "status", "score", "message", "test_code", "line_no",
# "execution_time"}]}, the form the reporter (classroom-resources/autograding-grading-reporter)
# decodes from <RUNNER>_RESULTS. Captures of failed checks go to $WIRELAB_PCAP_DIR
# (default wirelab-pcaps). Exits 0 once the result is written, whatever the score.
set -uo pipefail
kit=$(cd "$(dirname "$0")/../.." && pwd)
labs_dir=${1:?"usage: tools/classroom/grade.sh LABS_DIR [LAB...]"}
shift
[ $# -gt 0 ] || set -- all
pcaps=${WIRELAB_PCAP_DIR:-wirelab-pcaps}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
for lab in "$@"; do
	"$kit/bin/wirelab" grade "$lab" --submission "$labs_dir" --format json \
		--output "$tmp/$i.json" --pcap-dir "$pcaps" 2>"$tmp/$i.err"
	echo "$lab $?" >"$tmp/$i.status"
	i=$((i + 1))
done

python3 - "$tmp" "$i" >"$tmp/result" <<'PY'
import base64, json, os, sys
tmp, n = sys.argv[1], int(sys.argv[2])
status_of = {"pass": "pass", "fail": "fail", "error": "error", "skip": "fail"}
tests, errors = [], []
for i in range(n):
    lab, rc = open(os.path.join(tmp, f"{i}.status")).read().split()
    try:
        doc = json.load(open(os.path.join(tmp, f"{i}.json")))
    except (OSError, ValueError):
        err = open(os.path.join(tmp, f"{i}.err"), errors="replace").read().strip()
        errors.append(f"wirelab grade {lab} exited {rc}: {err[:1000]}")
        continue
    for l in doc.get("labs", [doc]):
        for c in l["checks"]:
            msg = c["message"] if c["status"] == "pass" else \
                (c["message"] + "\n\nhint: " + c["hint"]).strip()
            tests.append({"name": f'{l["lab"]} {c["id"]}: {c["title"]}',
                          "status": status_of[c["status"]], "score": c["score"],
                          "message": msg[:4000],
                          "test_code": f'bin/wirelab grade {l["lab"]} --check {c["id"]}',
                          "line_no": 0, "execution_time": f'{c["duration_ms"] / 1000:.2f}s',
                          "max_score": c["max_score"]})
status = "error" if errors else "pass" if all(t["status"] == "pass" for t in tests) else "fail"
result = {"version": 1, "status": status, "max_score": sum(t["max_score"] for t in tests),
          "tests": tests}
if errors:
    result["message"] = "\n".join(errors)
for t in tests:
    print(f'{"PASS" if t["status"] == "pass" else "FAIL"} {t["score"]:3}/{t["max_score"]:<3} {t["name"]}',
          file=sys.stderr)
for e in errors:
    print(e, file=sys.stderr)
print(f'points: {sum(t["score"] for t in tests)}/{result["max_score"]}', file=sys.stderr)
print("result=" + base64.b64encode(json.dumps(result).encode()).decode())
PY
st=$?
if [ "$st" -ne 0 ]; then
	echo "grade.sh: could not turn the grader's report into a result" >&2
	exit 1
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
	cat "$tmp/result" >>"$GITHUB_OUTPUT"
else
	cat "$tmp/result"
fi
