#!/usr/bin/env bash
# bundle.sh - the Gradescope autograder zip: setup.sh and run_autograder at its top, the
# course file, and the student kit (no solutions) as wirelab/, built by setup.sh.
#
#   tools/gradescope/bundle.sh OUT.zip [COURSE.json]
#
# COURSE.json is a course file (docs/instructor-guide.md: labs, checks, points, repeat,
# Gradescope visibilities), checked here by the kit's own reader; without it, every lab by
# the kit's rules.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?"usage: tools/gradescope/bundle.sh OUT.zip [COURSE.json]"}
course=${2:-}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
tools/handout.sh --dir "$stage/wirelab" >/dev/null
cp tools/gradescope/setup.sh tools/gradescope/run_autograder "$stage/"
if [ -n "$course" ]; then
	# A typo must fail here, not in every student's results.
	wirelab=${WIRELAB_BIN:-bin/wirelab}
	[ -x "$wirelab" ] || make -s all
	"$wirelab" list --course "$course" >/dev/null ||
		{ echo "bundle: $course is not a course file the grader accepts" >&2; exit 1; }
	cp "$course" "$stage/course.json"
else
	echo '{}' >"$stage/course.json"
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
