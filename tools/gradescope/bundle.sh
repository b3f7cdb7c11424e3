#!/usr/bin/env bash
# bundle.sh - the Gradescope autograder zip: setup.sh and run_autograder at its top, the
# course file, and the student kit (no solutions) as wirelab/, built by setup.sh.
#
#   tools/gradescope/bundle.sh OUT.zip [COURSE.json]
#
# COURSE.json names the labs graded: {"labs": ["01-tcp-echo"]}; without it, every lab.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?"usage: tools/gradescope/bundle.sh OUT.zip [COURSE.json]"}
course=${2:-}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
tools/handout.sh --dir "$stage/wirelab" >/dev/null
cp tools/gradescope/setup.sh tools/gradescope/run_autograder "$stage/"
if [ -n "$course" ]; then
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))["labs"]' "$course" ||
		{ echo "bundle: $course is not a course file with \"labs\"" >&2; exit 1; }
	cp "$course" "$stage/course.json"
else
	echo '{"labs": "all"}' >"$stage/course.json"
fi

# Python's zipfile keeps the scripts' execute bits, which Gradescope needs.
mkdir -p "$(dirname "$out")"
python3 - "$stage" "$out.tmp" <<'PY'
import os, sys, zipfile
stage, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for dirpath, dirs, files in os.walk(stage):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            info = zipfile.ZipInfo(os.path.relpath(path, stage), (1980, 1, 1, 0, 0, 0))
            info.external_attr = (os.stat(path).st_mode & 0o777 | 0o100000) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                z.writestr(info, f.read())
PY
mv "$out.tmp" "$out"
echo "gradescope: $out ($(du -k "$out" | cut -f1) KiB; course: $(cat "$stage/course.json"))"
